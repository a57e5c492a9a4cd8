//! A bound on nesting, checked before the KDL parser sees the text. The parser recurses into
//! blocks, block comments and `/-` chains, so a recipe nested a few thousand levels deep would
//! overflow the stack and abort; a recipe needs two levels.

use miette::SourceSpan;

use crate::error::{Kind, Nesting, RecipeError};

/// Deeper than any recipe needs (a workspace's defaults are three levels), far below what the
/// parser can take.
pub const LIMIT: usize = 16;

/// The first place where `text` nests deeper than `LIMIT`. Strings and line comments are
/// skipped, so braces inside them do not count.
pub fn check(text: &str) -> Result<(), RecipeError> {
    let bytes = text.as_bytes();
    let (mut blocks, mut comments, mut dashes) = (0usize, 0usize, 0usize);
    let mut i = 0;
    let too_deep = |at: usize, nesting| {
        Err(RecipeError::new(
            SourceSpan::from((at, 1)),
            Kind::TooDeep {
                nesting,
                limit: LIMIT,
            },
        ))
    };
    while i < bytes.len() {
        let rest = &bytes[i..];
        if comments > 0 {
            if rest.starts_with(b"*/") {
                comments -= 1;
                i += 2;
            } else if rest.starts_with(b"/*") {
                comments += 1;
                if comments > LIMIT {
                    return too_deep(i, Nesting::Comments);
                }
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        match bytes[i] {
            b'/' if rest.starts_with(b"/*") => {
                comments += 1;
                i += 2;
                continue;
            }
            b'/' if rest.starts_with(b"//") => {
                i += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                continue;
            }
            b'/' if rest.starts_with(b"/-") => {
                dashes += 1;
                if dashes > LIMIT {
                    return too_deep(i, Nesting::SlashDashes);
                }
                i += 2;
                continue;
            }
            b'"' | b'#' => {
                i += string_length(rest);
                dashes = 0;
                continue;
            }
            b'{' => {
                blocks += 1;
                if blocks > LIMIT {
                    return too_deep(i, Nesting::Blocks);
                }
            }
            b'}' => blocks = blocks.saturating_sub(1),
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => dashes = 0,
        }
        i += 1;
    }
    Ok(())
}

/// The length of the string literal at the start of `rest` (`"..."`, `"""..."""`, `#"..."#`),
/// or 1 when it is not one (a `#true`, say).
fn string_length(rest: &[u8]) -> usize {
    let hashes = rest.iter().take_while(|&&b| b == b'#').count();
    let after = &rest[hashes..];
    if !after.starts_with(b"\"") {
        return hashes.max(1);
    }
    let quotes = if after.starts_with(b"\"\"\"") { 3 } else { 1 };
    let raw = hashes > 0;
    let mut close = vec![b'"'; quotes];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let mut j = hashes + quotes;
    while j < rest.len() {
        if !raw && rest[j] == b'\\' {
            j += 2;
            continue;
        }
        if rest[j..].starts_with(&close) {
            return j + close.len();
        }
        j += 1;
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipes_pass_and_deep_nesting_does_not() {
        assert!(check(
            "app \"a\" {\n python \"3.13\" // {{{{\n entrypoint \"{{{{{{{{{{{{{{{{{{\"\n}"
        )
        .is_ok());
        assert!(check(&format!(
            "app \"a\" {}{}",
            "x {".repeat(100),
            "}".repeat(100)
        ))
        .is_err());
        assert!(check(&"/*".repeat(100)).is_err());
        assert!(check(&"/- ".repeat(100)).is_err());
        assert!(check("app \"a\" { /- x /- y; python }").is_ok());
        assert!(check("app #\"{{{{{{{{{{{{{{{{{{{{{{{{{{{{\"# { }").is_ok());
    }
}
