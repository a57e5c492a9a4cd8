//! `secret` nodes: mounted on the dependency installs only, passed by compose, checked by
//! `dslim build` before Docker runs.

mod common;

use common::{files, Test};

const NODE: &str = "app \"web\" {\n    node \"20\"\n    port 3000\n    entrypoint \"node\" \"server.js\"\n    secret \"npm\" env=\"NPM_TOKEN\"\n    secret \"npmrc\" file=\".npmrc.build\"\n}\n";

#[test]
fn secrets_are_mounted_on_the_install_alone_and_a_variable_is_exported_from_its_file() {
    let out = files(NODE);
    let install = out
        .lines()
        .position(|l| l.contains("--mount=type=secret"))
        .unwrap_or_else(|| panic!("no secret mount in\n{out}"));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[install].contains("--mount=type=secret,id=npm,required=true"),
        "{out}"
    );
    // a file secret where npm reads its configuration
    assert!(
        lines[install].contains("--mount=type=secret,id=npmrc,target=/root/.npmrc,required=true"),
        "{out}"
    );
    assert_eq!(
        lines[install + 1].trim(),
        "NPM_TOKEN=\"$(cat /run/secrets/npm)\" \\"
    );
    assert_eq!(lines[install + 2].trim(), "&& export NPM_TOKEN \\");
    assert!(lines[install + 3].contains("npm"), "{out}");
    // nowhere else
    assert_eq!(
        out.matches("--mount=type=secret,id=npm,").count(),
        1,
        "{out}"
    );
    // compose passes them to the build, from the environment and from the file
    assert!(
        out.contains("      secrets:\n      - npm\n      - npmrc\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "secrets:\n  npm:\n    environment: NPM_TOKEN\n  npmrc:\n    file: .npmrc.build\n"
        ),
        "{out}"
    );
}

#[test]
fn a_file_secret_goes_where_each_manager_reads_credentials() {
    for (stack, target) in [
        ("python \"3.13\" manager=\"uv\"", "/etc/uv/uv.toml"),
        ("python \"3.13\" manager=\"pip\"", "/etc/pip.conf"),
        ("rust \"1.85\"", "/usr/local/cargo/credentials.toml"),
        ("go \"1.24\"", "/root/.netrc"),
    ] {
        let out = files(&format!(
            "app \"api\" {{\n    {stack}\n    port 8000\n    entrypoint \"api\"\n    secret \"creds\" file=\"creds\"\n}}\n"
        ));
        assert!(
            out.contains(&format!("id=creds,target={target},required=true")),
            "{stack}:\n{out}"
        );
    }
    let out = files("app \"api\" {\n    python \"3.13\"\n    port 8000\n    entrypoint \"api\"\n    secret \"netrc\" file=\"~/.netrc\" target=\"/root/.netrc\"\n}\n");
    assert!(
        out.contains("id=netrc,target=/root/.netrc,required=true"),
        "{out}"
    );
    assert!(out.contains("    file: ~/.netrc\n"), "{out}");
}

#[test]
fn a_secret_needs_one_source_and_values_that_cannot_break_out() {
    for (node, message) in [
        (
            "secret \"npm\"",
            "a secret is read from env=\"VAR\" or file=\"PATH\": one of them",
        ),
        ("secret \"npm\" env=\"A\" file=\"b\"", "one of them"),
        ("secret \"a,b\" env=\"NPM_TOKEN\"", "a secret id"),
        ("secret \"npm\" env=\"NPM TOKEN\"", "a variable name"),
        (
            "secret \"npm\" file=\"x\" target=\"/root/.npmrc,id=other\"",
            "an absolute path",
        ),
        ("secret \"npm\" file=\"a\\\"b\"", "a path on your machine"),
        (
            "secret \"npm\" env=\"A\"\n    secret \"npm\" env=\"B\"",
            "the secret `npm` is given twice",
        ),
    ] {
        Test::new()
            .recipe(&format!(
                "app \"web\" {{\n    node \"20\"\n    {node}\n    entrypoint \"node\" \"s.js\"\n}}\n"
            ))
            .args(&["generate"])
            .status(2)
            .stderr_has(message)
            .stderr_has("dslim.kdl:")
            .run();
    }
}

#[test]
fn build_names_a_secret_it_cannot_find_before_docker_runs() {
    Test::new()
        .recipe(NODE)
        .file("package.json", "{}\n")
        .file("package-lock.json", "{}\n")
        .fake_docker("echo docker must not run >&2; exit 1")
        .env("NPM_TOKEN", "x")
        .args(&["build", "--dry-run"])
        .status(2)
        .stderr_has("the secret `npmrc` has no value: there is no file ./.npmrc.build")
        .run();
}

#[test]
fn two_members_reading_one_secret_from_different_places_is_an_error() {
    let member = |var: &str| {
        format!("app \"NAME\" {{\n    node \"20\"\n    entrypoint \"node\" \"server.js\"\n    secret \"npm\" env=\"{var}\"\n}}\n")
    };
    Test::new()
        .file(
            "dslim.kdl",
            "workspace \"shop\" {\n    members \"services/*\"\n}\n",
        )
        .file(
            "services/a/dslim.kdl",
            &member("NPM_TOKEN").replace("NAME", "a"),
        )
        .file(
            "services/b/dslim.kdl",
            &member("OTHER_TOKEN").replace("NAME", "b"),
        )
        .args(&["generate"])
        .status(2)
        .stderr_has("two members read the secret `npm` from different places")
        .run();
}

#[test]
fn a_secret_file_in_the_apps_folder_stays_out_of_the_build_context() {
    let out = files(NODE);
    let ignore = &out[out.find("==> .dockerignore <==").unwrap()..];
    assert!(ignore.lines().any(|l| l == ".npmrc.build"), "{ignore}");
}

#[test]
fn an_empty_variable_is_a_missing_secret() {
    Test::new()
        .recipe(NODE)
        .file("package.json", "{}\n")
        .file("package-lock.json", "{}\n")
        .file(".npmrc.build", "registry=https://npm.example.com\n")
        .env("NPM_TOKEN", "")
        .args(&["build", "--dry-run"])
        .status(2)
        .stderr_has("the secret `npm` has no value: $NPM_TOKEN is not set, or empty")
        .stderr_has("export the variable before dslim build")
        .run();
}
