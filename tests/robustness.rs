//! Whatever the recipe text, dslim answers with a result or diagnostics, never a panic.

mod common;

use common::compile;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "\"",
    "{",
    "}",
    ";",
    "=",
    "#true",
    "#null",
    "3.10",
    "-",
    "\\",
    "\n",
    "/-",
    "//",
    "/*",
    "(t)",
    "r#\"",
    "\"\"\"",
    "🙂",
    "\u{2028}",
    "\u{0}",
    "port",
    "app",
    "python",
    "spa",
    "runtime-libs",
    " ",
    "0",
    "-1",
    "99999999999999999999999",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1).min(chars.len());
        match rng.below(3) {
            0 if !chars.is_empty() => {
                let end = (at + 1 + rng.below(8)).min(chars.len());
                chars.drain(at.min(end)..end);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                chars.splice(at..at, piece.chars());
            }
            _ => {
                let from = rng.below(chars.len());
                let end = (from + rng.below(12)).min(chars.len());
                let copy: Vec<char> = chars[from..end].to_vec();
                chars.splice(at..at, copy);
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_recipes_never_panic() {
    let examples = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples")).unwrap();
    let seeds: Vec<String> = examples
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("dslim.kdl")).ok())
        .collect();
    assert!(seeds.len() >= 6);
    let mut rng = Rng(0x5eed_d511_u64);
    let mut rejected = 0;
    for seed in &seeds {
        for _ in 0..800 {
            let text = mutate(seed, &mut rng);
            match std::panic::catch_unwind(|| compile(&text)) {
                Ok(Ok(_)) => {}
                Ok(Err(failure)) => {
                    let errors = failure.errors();
                    assert!(!errors.is_empty(), "rejected without a diagnostic:\n{text}");
                    rejected += 1;
                }
                Err(_) => panic!("panic on this recipe:\n{text:?}"),
            }
        }
    }
    assert!(
        rejected > 1000,
        "the mutations should mostly break recipes, got {rejected}"
    );
}
