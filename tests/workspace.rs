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

// A workspace recipe at the root: members, shared defaults, one compose.yaml.

const WORKSPACE: &str = "workspace \"shop\" {\n    members \"services/*\"\n    defaults {\n        user \"svc\" uid=10001\n        label org.opencontainers.image.source=\"https://example.com/shop\"\n        healthcheck \"/\"\n    }\n}\n";

fn workspace() -> Test {
    monorepo().file("dslim.kdl", WORKSPACE)
}

#[test]
fn in_a_workspace_generate_covers_every_member_and_writes_the_root_compose_file() {
    let out = workspace().args(&["generate"]).run();
    let compose = out.file("compose.yaml");
    assert!(compose.contains("name: shop"), "{compose}");
    assert!(compose.contains("context: services/api"), "{compose}");
    assert!(compose.contains("context: services/web"), "{compose}");
    assert!(out.file("services/api/Dockerfile").contains("useradd"));
    // `scratch/` is .gitignored and outside the members' globs: not a member
    assert!(!out.dir.path().join("scratch/Dockerfile").exists());
}

#[test]
fn defaults_fill_in_what_a_member_does_not_say_and_its_own_values_win() {
    let out = workspace()
        .file(
            "services/api/dslim.kdl",
            &API.replace("port 8000", "port 8000\n    label team=\"core\" org.opencontainers.image.source=\"https://example.com/api\""),
        )
        .args(&["generate"])
        .run();
    let api = out.file("services/api/Dockerfile");
    assert!(api.contains("useradd -o -u \"${UID}\" -g \"${GID}\" --create-home --no-log-init --shell /usr/sbin/nologin svc"), "{api}");
    assert!(api.contains("team=\"core\""), "{api}");
    assert!(api.contains("source=\"https://example.com/api\""), "{api}");
    assert!(!api.contains("https://example.com/shop"), "{api}");
    // the workspace's healthcheck reaches both; its user cannot apply to nginx's SPA, so
    // the SPA keeps uid 101 and the default is left out for it
    let web = out.file("services/web/Dockerfile");
    assert!(web.contains("USER 101"), "{web}");
    assert!(web.contains("https://example.com/shop"), "{web}");
    assert!(out
        .file("services/web/compose.yaml")
        .contains("dslim-probe"));
}

#[test]
fn an_error_in_the_defaults_points_into_the_workspace_recipe() {
    workspace()
        .file("dslim.kdl", &WORKSPACE.replace("uid=10001", "uid=\"x\""))
        .args(&["generate"])
        .status(2)
        .stderr_has("dslim.kdl:4:20")
        .run();
}

#[test]
fn check_covers_the_root_compose_file_and_list_shows_each_member() {
    let out = workspace().args(&["generate"]).run();
    let clean = out.again(&["check"]);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let root = out.dir.path().join("compose.yaml");
    let edited = std::fs::read_to_string(&root).unwrap() + "# mine\n";
    std::fs::write(&root, edited).unwrap();
    let check = out.again(&["check"]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("compose.yaml (edited by hand)"), "{stderr}");
    let list = out.again(&["list", "--json"]);
    let entries: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(entries.as_array().map(Vec::len), Some(2), "{entries}");
    assert_eq!(entries[0]["service"], "api");
    assert_eq!(entries[0]["stack"], "python");
    assert_eq!(entries[0]["state"], "up-to-date");
}

#[test]
fn two_members_with_one_service_name_is_an_error_naming_both() {
    let out = workspace()
        .file(
            "services/api2/dslim.kdl",
            &API.replace("port 8000", "port 8001"),
        )
        .file("services/api2/requirements.txt", "gunicorn\n")
        .args(&["generate"])
        .status(2)
        .stderr_has("two members are the compose service `api`: ./services/api/dslim.kdl and")
        .stderr_has("rename one")
        .run();
    // nothing of the workspace is written, rather than part of it
    assert!(!out.dir.path().join("services/api/Dockerfile").exists());
    assert!(!out.dir.path().join("services/api2/Dockerfile").exists());
}

#[test]
fn a_workspace_build_runs_one_compose_build_at_the_root() {
    workspace()
        .fake_docker("case \"$1\" in compose) [ \"$2\" = version ] && echo 2.27.0; [ \"$2\" = -f ] && echo \"compose build in $(pwd)\";; info) echo 26.1.0;; esac; exit 0")
        .args(&["build"])
        .stderr_has("compose -f compose.yaml build")
        .stderr_has("running in .: ")
        .stderr_has("built image `web`")
        .run();
}

#[test]
fn a_workspace_recipe_where_an_app_is_expected_says_so() {
    workspace()
        .args(&["plan", "dslim.kdl"])
        .status(2)
        .stderr_has("this is a workspace's recipe, not an app's")
        .run();
}

#[test]
fn list_shows_a_broken_member_as_invalid_among_the_others() {
    let out = workspace()
        .file(
            "services/broken/dslim.kdl",
            "app \"broken\" {\n    pyton \"3.13\"\n}\n",
        )
        .args(&["list", "--json"])
        // what is wrong is said after the list, and is the exit code
        .status(2)
        .stderr_has("services/broken/dslim.kdl:2:5")
        .run();
    let entries: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let states: Vec<(&str, &str)> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["recipe"].as_str().unwrap_or(""),
                e["state"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        states.contains(&("./services/broken/dslim.kdl", "invalid")),
        "{states:?}"
    );
    assert!(
        states.iter().filter(|(_, s)| *s == "stale").count() == 2,
        "{states:?}"
    );
}
