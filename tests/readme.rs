//! The README's examples work as written.

mod common;

use common::Test;

const README: &str = include_str!("../README.md");

/// The contents of the README's fenced blocks in `language`.
fn blocks(language: &str) -> Vec<String> {
    let fence = format!("```{language}\n");
    README
        .split(&fence)
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn every_kdl_recipe_in_the_readme_compiles() {
    let recipes = blocks("kdl");
    assert!(recipes.len() >= 4, "expected the README's recipes");
    for recipe in recipes {
        if dslim::syntax::is_workspace(&recipe) {
            // a workspace recipe: it reads, and its defaults fill in a member's recipe
            let knowledge = &common::catalog().knowledge;
            let workspace = dslim::syntax::parse_workspace(&recipe, knowledge)
                .unwrap_or_else(|e| panic!("README workspace rejected: {e:?}\n{recipe}"));
            let member = "app \"api\" {\n    go \"1.24\"\n    port 8080\n}\n";
            let project = dslim::project::Project::none();
            let unit = dslim::compile::compile_member(
                common::catalog(),
                member,
                "dslim.kdl",
                &project,
                Some(&workspace),
            )
            .unwrap_or_else(|e| panic!("README workspace's defaults rejected: {e:?}\n{recipe}"));
            assert!(unit.app.healthcheck.is_some());
            continue;
        }
        if recipe.contains("written by `dslim lock`") {
            // a lock: it reads as one, every digest of its form
            let lock = dslim::lock::parse(&recipe, &common::catalog().knowledge)
                .unwrap_or_else(|e| panic!("README lock rejected: {e:?}\n{recipe}"));
            assert!(!lock.images.is_empty());
            continue;
        }
        common::compile(&recipe)
            .unwrap_or_else(|e| panic!("README recipe rejected: {e:?}\n{recipe}"));
    }
}

#[test]
fn the_quick_start_command_runs_on_the_bundled_example() {
    let quick_start = &blocks("sh")[0];
    assert!(quick_start.contains("cargo run -- plan --format files examples/flask"));
    let mut cmd = assert_cmd::Command::cargo_bin("dslim").unwrap();
    let out = cmd
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["plan", "--format", "files", "examples/flask"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("FROM python:3.13-slim-trixie AS builder")
    );
}

#[test]
fn the_diagnostic_shown_in_the_readme_is_what_dslim_prints() {
    let shown = blocks("text")
        .into_iter()
        .find(|b| b.contains("unknown node"))
        .expect("the README shows a diagnostic");
    let out = Test::new()
        .recipe("app \"api\" {\n    python \"3.13\"\n    build-deps \"gcc\" \"libpq-dev\"\n    runtime-lib \"libpq5\"\n    port 8000\n    entrypoint \"python\" \"main.py\"\n}\n")
        .args(&["generate"])
        .status(2)
        .run();
    assert!(
        out.stderr.contains(shown.trim_end()),
        "README shows:\n{shown}\ndslim prints:\n{}",
        out.stderr
    );
}

#[test]
fn the_init_session_shown_in_the_readme_is_what_dslim_prints() {
    let shown = blocks("console")
        .into_iter()
        .find(|b| b.contains("$ dslim init"))
        .expect("the README shows dslim init");
    let expected: String = shown
        .lines()
        .skip_while(|l| !l.starts_with("$ dslim init"))
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect();
    let out = Test::new()
        .file(".python-version", "3.12\n")
        .file("requirements.txt", "flask\ngunicorn\npsycopg2\n")
        .file(
            "app.py",
            "from flask import Flask\n\napp = Flask(__name__)\n\n@app.get(\"/\")\ndef index():\n    return \"hi\"\n\nif __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", port=5000)\n",
        )
        .args(&["init"])
        .run();
    assert_eq!(out.stderr, expected);
}
