//! Members of a package manager's workspace (pnpm, uv) that use its local packages: built with
//! the root as the context, copying only what their install and source need.

mod common;

use common::{instructions, Test};

/// tests/monorepo, generated.
fn generated() -> common::Output {
    Test::new()
        .copy_of("tests/monorepo")
        .args(&["generate"])
        .run()
}

#[test]
fn a_pnpm_member_installs_at_the_root_from_the_root_lockfile_then_copies_what_it_uses() {
    let out = generated();
    let dockerfile = out.file("services/api/Dockerfile");
    let lines = instructions(&dockerfile);
    let position = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{dockerfile}"))
    };
    // the manifests first, every package's, so that the install layer stays cached
    assert!(dockerfile.contains("COPY --link pnpm-workspace.yaml package.json pnpm-lock.yaml ./"));
    assert!(dockerfile.contains("COPY --link packages/greeting/package.json ./packages/greeting/"));
    let install = position("pnpm install --frozen-lockfile --prod --filter @shop/api...");
    assert!(position("services/api/package.json") < install);
    // then the local package it uses, and its own folder, in the final stage
    assert!(
        install
            < position(
                "COPY --link --chown=${UID}:${GID} packages/greeting /app/packages/greeting"
            )
    );
    assert!(dockerfile.contains("COPY --link --chown=${UID}:${GID} services/api ."));
    assert!(dockerfile.contains("WORKDIR /app/services/api"));
    // a package it does not use stays out
    assert!(
        !dockerfile.contains("COPY --link --chown=${UID}:${GID} packages/theme"),
        "{dockerfile}"
    );

    let compose = out.file("services/api/compose.yaml");
    assert!(compose.contains("context: ../..\n"), "{compose}");
    assert!(
        compose.contains("dockerfile: services/api/Dockerfile\n"),
        "{compose}"
    );
    // its .dockerignore is the Dockerfile's, and lets in only what the build copies
    let ignore = out.file("services/api/Dockerfile.dockerignore");
    let patterns: Vec<&str> = ignore.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(patterns[0], "*", "{ignore}");
    for allowed in [
        "!pnpm-lock.yaml",
        "!packages/greeting",
        "!services/api",
        "!packages/theme/package.json",
    ] {
        assert!(patterns.contains(&allowed), "{allowed} in {ignore}");
    }
    assert!(!patterns.contains(&"!packages/theme"), "{ignore}");
    let node_modules = patterns.iter().position(|p| *p == "**/node_modules/");
    assert!(
        node_modules > patterns.iter().position(|p| *p == "!services/api"),
        "{ignore}"
    );
    assert!(!out.dir.path().join("services/api/.dockerignore").exists());
}

#[test]
fn a_single_page_app_member_builds_with_the_local_packages_it_imports() {
    let out = generated();
    let dockerfile = out.file("apps/web/Dockerfile");
    assert!(dockerfile.contains("pnpm install --frozen-lockfile --filter @shop/web..."));
    assert!(dockerfile.contains("COPY --link packages/theme /app/packages/theme\nCOPY --link apps/web .\nRUN pnpm run build"), "{dockerfile}");
    assert!(
        dockerfile.contains("COPY --link --from=build /app/apps/web/dist/ /usr/share/nginx/html/")
    );
}

#[test]
fn a_uv_member_installs_its_local_library_into_the_venv_and_ships_only_its_own_folder() {
    let out = generated();
    let dockerfile = out.file("services/catalog/Dockerfile");
    let third_party = "uv sync --frozen --no-dev --no-install-workspace --package catalog";
    let local = "uv sync --frozen --no-dev --no-editable --no-install-project --package catalog";
    let at = |needle: &str| {
        dockerfile
            .find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in\n{dockerfile}"))
    };
    assert!(at("COPY --link libs/prices/pyproject.toml ./libs/prices/") < at(third_party));
    assert!(at(third_party) < at("COPY --link libs/prices /app/libs/prices"));
    assert!(at("COPY --link libs/prices /app/libs/prices") < at(local));
    // the library is in the venv: the final image takes its own folder and the venv only
    let runtime = &dockerfile[at("AS runtime")..];
    assert!(!runtime.contains("libs/prices"), "{runtime}");
    assert!(runtime.contains("COPY --link --chown=${UID}:${GID} services/catalog ."));
}

#[test]
fn the_root_compose_file_builds_members_from_the_root_and_others_from_their_folder() {
    let out = generated();
    let compose = out.file("compose.yaml");
    let service = |name: &str| {
        let start = compose
            .find(&format!("  {name}:\n"))
            .unwrap_or_else(|| panic!("{name} in {compose}"));
        compose[start..]
            .lines()
            .take(4)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        service("api").contains("context: .\n      dockerfile: services/api/Dockerfile"),
        "{compose}"
    );
    assert!(
        service("catalog").contains("context: .\n      dockerfile: services/catalog/Dockerfile"),
        "{compose}"
    );
    assert!(
        service("stock").contains("context: services/go\n      dockerfile: Dockerfile"),
        "{compose}"
    );
    assert!(out.again(&["check"]).status.success());
}

#[test]
fn a_package_name_that_could_inject_shell_is_refused_at_the_manager() {
    Test::new()
        .copy_of("tests/monorepo")
        .file(
            "services/api/package.json",
            r#"{"name": "api; rm -rf /", "dependencies": {"@shop/greeting": "workspace:*"}}"#,
        )
        .args(&["generate", "services/api"])
        .status(2)
        .stderr_has("cannot build from the pnpm workspace's root")
        .stderr_has("dslim.kdl:4:")
        .run();
}

#[test]
fn init_reads_the_workspace_lockfile_without_a_warning_for_a_member() {
    let out = Test::new()
        .copy_of("tests/monorepo")
        .file("services/api/dslim.kdl", "")
        .args(&["init", "--yes", "--force", "services/api"])
        .stderr_has("its root (../..) is the build context")
        .run();
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

/// tests/monorepo generated and committed in a git repository of its own.
fn committed() -> common::Output {
    let out = generated();
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            "start",
        ],
    ] {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(out.dir.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    out
}

/// `dslim list -q --changed-since HEAD` after adding a line to `file`.
fn changed_after_editing(out: &common::Output, file: &str) -> Vec<String> {
    let path = out.dir.path().join(file);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    let listed = out.again(&["list", "-q", "--changed-since", "HEAD"]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let _ = std::process::Command::new("git")
        .args(["checkout", "-q", "--", "."])
        .current_dir(out.dir.path())
        .status();
    let mut names: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(String::from)
        .collect();
    names.sort();
    names
}

#[test]
fn changed_since_selects_the_services_a_change_reaches() {
    let out = committed();
    let none = out.again(&["list", "-q", "--changed-since", "HEAD"]);
    assert_eq!(String::from_utf8_lossy(&none.stdout), "");
    // a service's own folder
    assert_eq!(
        changed_after_editing(&out, "services/go/main.go"),
        ["stock"]
    );
    // a local package's source: the services that copy it
    assert_eq!(
        changed_after_editing(&out, "packages/theme/index.js"),
        ["web"]
    );
    assert_eq!(
        changed_after_editing(&out, "libs/prices/src/prices/__init__.py"),
        ["catalog"]
    );
    assert_eq!(
        changed_after_editing(&out, "crates/money/src/lib.rs"),
        ["ledger"]
    );
    // a manifest every member of that workspace installs from
    assert_eq!(
        changed_after_editing(&out, "pnpm-lock.yaml"),
        ["api", "web"]
    );
    // the workspace recipe: every member
    assert_eq!(
        changed_after_editing(&out, "dslim.kdl"),
        ["api", "catalog", "ledger", "stock", "web"]
    );
    // a file no service is built from
    assert_eq!(
        changed_after_editing(&out, "README.md"),
        Vec::<String>::new()
    );
}

#[test]
fn build_names_the_services_it_builds_and_refuses_an_unknown_one() {
    let out = committed();
    let dry = out.again(&["build", "--dry-run", "api", "stock"]);
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        stdout.contains("compose.yaml build api stock\n"),
        "{stdout}"
    );
    let unknown = out.again(&["build", "--dry-run", "shop-api"]);
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert_eq!(unknown.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no recipe and no service is named `shop-api`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the services here: web, api, catalog, stock, ledger"),
        "{stderr}"
    );
    let nothing = out.again(&["build", "--dry-run", "--changed-since", "HEAD"]);
    assert!(nothing.status.success());
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("no service to build"));
    let bad = out.again(&["list", "--changed-since", "no-such-branch"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("cannot tell what changed since `no-such-branch`"));
}

#[test]
fn explain_says_where_each_value_of_a_member_comes_from() {
    let out = Test::new()
        .copy_of("tests/monorepo")
        .args(&["explain", "api"])
        .run();
    let line = |start: &str| {
        out.stdout
            .lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no {start:?} in\n{}", out.stdout))
            .to_string()
    };
    assert!(line("node \"20\" manager=\"pnpm\"").ends_with("# ./services/api/dslim.kdl:4"));
    assert!(line("user \"app\" uid=10001").ends_with("# ./dslim.kdl:6 (workspace defaults)"));
    assert!(line("runtime \"slim\"").ends_with("# dslim's default"));
    assert!(line("workdir \"/app\"").contains("the app's folder is /app/services/api"));
    assert!(line("(build context \"../..\", with packages/greeting)").contains("services/api"));
    // only the service asked about
    assert!(!out.stdout.contains("app \"web\""), "{}", out.stdout);
}

#[test]
fn a_cargo_member_builds_from_the_root_with_every_member_of_the_cargo_workspace() {
    let out = generated();
    let dockerfile = out.file("services/ledger/Dockerfile");
    assert!(dockerfile.contains(
        "WORKDIR /src\nCOPY --link Cargo.toml Cargo.lock ./\nCOPY --link crates/money ./crates/money/\nCOPY --link services/ledger ./services/ledger/\n"
    ), "{dockerfile}");
    assert!(dockerfile.contains("cargo build --release --locked --bin ledger"));
    let ignore = out.file("services/ledger/Dockerfile.dockerignore");
    assert!(
        ignore.contains("*\n!Cargo.toml\n!Cargo.lock\n!crates/money\n!services/ledger\n"),
        "{ignore}"
    );
    assert!(ignore.contains("**/target/"), "{ignore}");
}

#[test]
fn a_members_own_ignore_patterns_are_written_from_its_folder() {
    let out = Test::new()
        .copy_of("tests/monorepo")
        .file(
            "services/api/dslim.kdl",
            "app \"api\" {\n    node \"20\" manager=\"pnpm\"\n    port 3000\n    entrypoint \"node\" \"server.js\"\n    ignore \"fixtures/\" \"!.env.production\"\n}\n",
        )
        .args(&["generate", "services/api"])
        .run();
    let ignore = out.file("services/api/Dockerfile.dockerignore");
    let patterns: Vec<&str> = ignore.lines().collect();
    for expected in [
        "services/api/fixtures/",
        "!services/api/.env.production",
        "**/.env.*",
    ] {
        assert!(patterns.contains(&expected), "{expected} in {ignore}");
    }
    // the app's exception comes after the pattern it makes one to
    let position = |p: &str| patterns.iter().position(|l| *l == p);
    assert!(
        position("!services/api/.env.production") > position("**/.env.*"),
        "{ignore}"
    );
}
