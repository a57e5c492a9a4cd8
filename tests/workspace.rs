//! A monorepo: one command over every recipe.

mod common;

use common::Test;

const API: &str = "app \"api\" {\n    python \"3.13\"\n    port 8000\n    entrypoint \"gunicorn\" \"--bind\" \"0.0.0.0:8000\" \"app:app\"\n}\n";
const WEB: &str = "app \"web\" {\n    node \"20\"\n    spa\n}\n";

fn monorepo() -> Test {
    Test::new()
        .file("services/api/dslim.kdl", API)
        .file("services/api/requirements.txt", "gunicorn\n")
        .file("services/web/dslim.kdl", WEB)
        .file("services/web/package.json", "{}\n")
        .file("services/web/package-lock.json", "{}\n")
        // recipes of dependencies and ignored folders are not the workspace's
        .file(
            "services/web/node_modules/pkg/dslim.kdl",
            "not a recipe of ours",
        )
        .file(".gitignore", "scratch/\n")
        .file("scratch/dslim.kdl", "not a recipe of ours")
}

#[test]
fn generate_all_writes_every_service_and_skips_dependencies_and_ignored_folders() {
    let out = monorepo().args(&["generate", "--all"]).run();
    assert!(out.file("services/api/Dockerfile").contains("AS runtime"));
    assert!(out
        .file("services/web/Dockerfile")
        .contains("nginx-unprivileged"));
    assert!(!out.dir.path().join("scratch/Dockerfile").exists());
    assert!(!out
        .dir
        .path()
        .join("services/web/node_modules/pkg/Dockerfile")
        .exists());
}

#[test]
fn check_all_names_only_what_is_stale() {
    let out = monorepo().args(&["generate", "--all"]).run();
    std::fs::write(
        out.dir.path().join("services/web/dslim.kdl"),
        WEB.replace("spa", "spa fallback=#false"),
    )
    .unwrap();
    let check = out.again(&["check", "--all"]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("services/web/Dockerfile (out of date)"),
        "{stderr}"
    );
    assert!(!stderr.contains("services/api"), "{stderr}");
    assert!(String::from_utf8_lossy(&check.stdout).contains("up to date: ./services/api/dslim.kdl"));
}

#[test]
fn a_bad_recipe_does_not_stop_the_others_and_sets_the_exit_code() {
    let out = monorepo()
        .file(
            "services/worker/dslim.kdl",
            "app \"worker\" {\n    pyton \"3.13\"\n}\n",
        )
        .args(&["generate", "--all"])
        .status(2)
        .stderr_has("services/worker/dslim.kdl:2:5")
        .stderr_has("did you mean `python`?")
        .run();
    assert!(out.file("services/api/Dockerfile").contains("AS runtime"));
    assert!(out.file("services/web/Dockerfile").contains("AS runtime"));
}

#[test]
fn recipes_can_be_named_one_by_one() {
    let out = monorepo()
        .args(&["generate", "services/api", "services/web/dslim.kdl"])
        .run();
    assert!(out.dir.path().join("services/api/compose.yaml").exists());
    assert!(out.dir.path().join("services/web/compose.yaml").exists());
}

#[test]
fn build_all_compiles_everything_before_building_anything() {
    monorepo()
        .file(
            "services/worker/dslim.kdl",
            "app \"worker\" {\n    go \"1.24\"\n    port 70000\n}\n",
        )
        .fake_docker("echo docker must not run >&2; exit 9")
        .args(&["build", "--all"])
        .status(2)
        .stderr_has("services/worker/dslim.kdl:3:10")
        .run();
}

#[test]
fn build_all_dry_run_lists_every_service() {
    monorepo()
        .args(&["build", "--all", "--dry-run"])
        .stdout_has("would run in ./services/api: ")
        .stdout_has("would run in ./services/web: ")
        .run();
}

#[test]
fn all_in_a_folder_without_recipes_says_so() {
    Test::new()
        .file("README.md", "hi\n")
        .args(&["check", "--all"])
        .status(2)
        .stderr_has("found no dslim.kdl below .")
        .run();
}
