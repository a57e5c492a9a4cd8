//! The bundled examples: their committed generated files are what dslim generates today,
//! and their Dockerfiles pass the same checks the end-to-end suite builds for real.

mod common;

use std::path::PathBuf;

use common::instructions;

fn examples() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("dslim.kdl").exists())
            .collect();
    dirs.sort();
    assert!(dirs.len() >= 6, "expected the six bundled examples");
    dirs
}

#[test]
fn committed_generated_files_are_current() {
    for dir in examples() {
        let compiled = dslim::compile::compile_file(
            common::catalog(),
            camino::Utf8Path::from_path(&dir).unwrap(),
        )
        .unwrap();
        for (name, contents) in &compiled.rendered.files {
            let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            assert!(
                on_disk == *contents,
                "{}/{name} is stale: run `dslim generate {}`",
                dir.display(),
                dir.display()
            );
        }
    }
}

#[test]
fn every_final_stage_runs_as_a_numeric_non_root_user_with_exec_form() {
    for dir in examples() {
        let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let lines = instructions(&dockerfile);
        let last_from = lines.iter().rposition(|l| l.starts_with("FROM ")).unwrap();
        let runtime = &lines[last_from..];
        let user = runtime
            .iter()
            .rfind(|l| l.starts_with("USER "))
            .unwrap_or_else(|| panic!("{}: no USER", dir.display()));
        assert!(
            !user.contains("root") && user != "USER 0",
            "{}: {user}",
            dir.display()
        );
        assert!(
            !dockerfile.contains("# syntax="),
            "no syntax directive by default"
        );
        assert!(
            !dockerfile.contains("<<"),
            "no heredocs (hadolint 2.x cannot parse them)"
        );
        for l in runtime
            .iter()
            .filter(|l| l.starts_with("ENTRYPOINT") || l.starts_with("CMD"))
        {
            assert!(l.contains('['), "{}: shell form {l}", dir.display());
        }
        assert!(
            runtime
                .iter()
                .all(|l| !l.contains("gcc") && !l.contains("build-essential")),
            "{}: compiler in runtime",
            dir.display()
        );
    }
}
