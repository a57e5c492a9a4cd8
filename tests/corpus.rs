//! `dslim init` on every app of the fixture corpus (`tests/fixtures/`, each described in its
//! README): the report and the recipe it writes, or how it refuses, as reviewed snapshots.
//! The e2e suite builds and runs a part of them in the docker lab.

mod common;

use common::copy_dir;

use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            e.file_type()
                .unwrap()
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// Runs `dslim init` in a copy of the fixture: its exit code, report and recipe.
fn init(name: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().join(name);
    copy_dir(&Path::new(FIXTURES).join(name), &dir);
    let out = Command::new(env!("CARGO_BIN_EXE_dslim"))
        .arg("init")
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let recipe = std::fs::read_to_string(dir.join("dslim.kdl")).unwrap_or_default();
    if !recipe.is_empty() {
        common::compile(&recipe).unwrap_or_else(|e| {
            panic!("init wrote a recipe for {name} that does not compile: {e:?}\n{recipe}")
        });
    }
    format!(
        "exit {}\n{}\n{recipe}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn init_on_every_fixture() {
    for name in fixtures() {
        assert!(
            !Path::new(FIXTURES).join(&name).join("dslim.kdl").exists(),
            "tests/fixtures/{name} holds a dslim.kdl: the corpus is of apps before init"
        );
        insta::assert_snapshot!(format!("init_{name}"), init(&name));
    }
}

#[test]
fn the_corpus_readme_describes_every_fixture() {
    let readme = std::fs::read_to_string(Path::new(FIXTURES).join("README.md")).unwrap();
    let missing: Vec<String> = fixtures()
        .into_iter()
        .filter(|name| !readme.contains(&format!("| `{name}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "tests/fixtures/README.md has no row for {missing:?}"
    );
}
