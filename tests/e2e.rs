//! End-to-end: every bundled example is built with `dslim build` on a real Docker engine,
//! started, asked for HTTP, and inspected: non-root, no compiler in the image, the builder
//! stage buildable alone, compose.yaml accepted by `docker compose config`, hadolint clean,
//! and a source-only change rebuilt from the dependency cache.
//!
//! Run with `cargo test --features e2e --test e2e`. Without a Docker engine (or without
//! hadolint) these tests fail; they never skip.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One Docker build at a time: the machine has two cores.
static DOCKER: Mutex<()> = Mutex::new(());

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn require_docker() {
    let out = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        _ => panic!("the end-to-end suite needs a running Docker engine (run ../shared/docker-lab/setup.sh as root)"),
    }
    // every test, whichever runs first, builds from the stand-ins under the tags a recipe
    // that names no version asks for
    lab_images_for_default_versions();
}

/// A copy of the example in a fresh folder, without local build output.
fn copy_example(name: &str) -> tempfile::TempDir {
    // an example's name, or a path from the repository's root (tests/fixtures/...)
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = if name.contains('/') {
        root.join(name)
    } else {
        root.join("examples").join(name)
    };
    let dst = tempfile::tempdir().unwrap();
    copy_dir(&src, dst.path());
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if ["node_modules", "target", "dist"].contains(&name.to_string_lossy().as_ref()) {
            continue;
        }
        let to = dst.join(&name);
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

fn dslim(dir: &Path, args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_dslim"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("BUILDKIT_PROGRESS", "plain"))
}

fn http_get(port: u16, path: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    Ok(response)
}

struct Container(String);

/// Runs `image` in the background with `port` published on a free port of 127.0.0.1, which it
/// returns with the container (removed when dropped).
fn start(image: &str, port: u16) -> (Container, u16) {
    let id =
        ok(Command::new("docker").args(["run", "-d", "-p", &format!("127.0.0.1::{port}"), image]))
            .trim()
            .to_string();
    let container = Container(id.clone());
    let mapped = ok(Command::new("docker").args(["port", &id, &format!("{port}/tcp")]));
    let host_port: u16 = mapped
        .lines()
        .next()
        .and_then(|l| l.rsplit(':').next())
        .and_then(|p| p.trim().parse().ok())
        .unwrap();
    (container, host_port)
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "-f", &self.0]).output();
    }
}

/// Builds the example with dslim and checks everything a user would.
fn build_and_serve(example: &str, image: &str, port: u16, path: &str, body: &str) -> PathBuf {
    build_and_serve_edited(example, |recipe| recipe, image, port, path, body)
}

/// The same, after `edit` has changed the example's recipe.
fn build_and_serve_edited(
    example: &str,
    edit: impl Fn(String) -> String,
    image: &str,
    port: u16,
    path: &str,
    body: &str,
) -> PathBuf {
    require_docker();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_example(example);
    let recipe = dir.path().join("dslim.kdl");
    std::fs::write(&recipe, edit(std::fs::read_to_string(&recipe).unwrap())).unwrap();
    build(dir.path(), example);
    check_image(dir.path(), example, image, port, path, body);
    dir.keep()
}

fn build(dir: &Path, example: &str) {
    let built = dslim(dir, &["build"]);
    assert!(
        built.status.success(),
        "dslim build failed for {example}:\n{}{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
}

/// The Dockerfile is lint-clean (DL3008: apt version pins, a choice left to the user).
fn assert_lint_clean(dir: &Path, example: &str) {
    // hadolint runs from here, not the app's folder, whose .python-version would steer a
    // pyenv shim to a Python without it
    let lint = run(Command::new("hadolint")
        .args(["--no-color", "--ignore", "DL3008"])
        .arg(dir.join("Dockerfile")));
    assert!(
        lint.status.success() && lint.stdout.is_empty(),
        "hadolint on {example}:\n{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}

/// Everything a user would check of a built image: compose accepts the file, hadolint finds
/// nothing, the first stage builds alone, the app answers HTTP as a non-root user, and no
/// compiler is left in it.
fn check_image(dir: &Path, example: &str, image: &str, port: u16, path: &str, body: &str) {
    // compose.yaml is what Compose itself accepts
    ok(Command::new("docker")
        .args(["compose", "-f", "compose.yaml", "config", "--quiet"])
        .current_dir(dir));
    assert_lint_clean(dir, example);
    // the first stage builds on its own, for debugging
    let first_stage = std::fs::read_to_string(dir.join("Dockerfile"))
        .unwrap()
        .lines()
        .find_map(|l| {
            l.strip_prefix("FROM ")
                .and_then(|l| l.split(" AS ").nth(1))
                .map(str::to_string)
        })
        .unwrap();
    ok(Command::new("docker")
        .args([
            "build",
            "-q",
            "--target",
            &first_stage,
            "-t",
            &format!("{image}:{first_stage}"),
            ".",
        ])
        .current_dir(dir));
    let _ = Command::new("docker")
        .args(["image", "rm", &format!("{image}:{first_stage}")])
        .output();

    // it starts and answers
    let (container, host_port) = start(image, port);
    let id = container.0.clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    let response = loop {
        match http_get(host_port, path) {
            Ok(r) if r.starts_with("HTTP/1.1 200") || r.starts_with("HTTP/1.0 200") => break r,
            other if Instant::now() > deadline => {
                let logs = run(Command::new("docker").args(["logs", &id]));
                panic!(
                    "{example} did not answer 200 for {path} on {port}: {other:?}\n{}",
                    String::from_utf8_lossy(&logs.stderr)
                );
            }
            _ => std::thread::sleep(Duration::from_millis(300)),
        }
    };
    assert!(
        response.contains(body),
        "{example} answered without {body:?}:\n{response}"
    );

    // it runs as non-root: the uid of the container's first process, as the kernel sees it
    let pid = ok(Command::new("docker").args(["inspect", "-f", "{{.State.Pid}}", &id]))
        .trim()
        .to_string();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    assert!(
        uid_line.split_whitespace().skip(1).all(|u| u != "0"),
        "{example} runs as root: {uid_line}"
    );
    let config_user =
        ok(Command::new("docker").args(["image", "inspect", "-f", "{{.Config.User}}", image]));
    assert!(
        !config_user.trim().is_empty() && config_user.trim() != "root" && config_user.trim() != "0",
        "{example}: USER {config_user}"
    );
    drop(container);

    // no compiler or build tool anywhere in the image's file system
    let created = ok(Command::new("docker").args(["create", image]))
        .trim()
        .to_string();
    let listing = ok(Command::new("sh").args(["-c", &format!("docker export {created} | tar -t")]));
    let _ = Command::new("docker").args(["rm", &created]).output();
    assert!(
        listing.lines().count() > 2 && listing.contains("etc/"),
        "{example}: could not list the image's files:\n{listing}"
    );
    let tools = [
        "gcc", "cc", "g++", "c++", "make", "ld", "rustc", "cargo", "go",
    ];
    for path in listing.lines() {
        let name = path.rsplit('/').next().unwrap_or("");
        let in_bin = path.contains("bin/");
        let versioned_gcc = name.contains("-gcc") || name.starts_with("gcc-");
        assert!(
            !(in_bin && (tools.contains(&name) || versioned_gcc)),
            "{example}: build tool in the final image: {path}"
        );
    }
}

#[test]
fn flask_with_gunicorn() {
    let dir = build_and_serve("flask", "flask", 8000, "/", "Hello from Flask");
    // a change to the source only: the dependency layer comes from the cache
    let app = dir.join("app.py");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(
        &app,
        text.replace("Hello from Flask", "Hello again from Flask"),
    )
    .unwrap();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let rebuilt = dslim(&dir, &["build"]);
    assert!(rebuilt.status.success());
    // Compose writes BuildKit's progress to stdout or stderr depending on its version
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&rebuilt.stdout),
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    let install_step = log
        .lines()
        .find(|l| l.contains("install -r requirements.txt") && l.starts_with('#'))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no install step in the build log:\n{log}"));
    assert!(
        log.contains(&format!("{install_step} CACHED")),
        "the dependency install was not cached:\n{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fastapi_with_psycopg2_built_from_source_against_libpq() {
    let dir = build_and_serve(
        "fastapi-postgres",
        "fastapi-postgres",
        8000,
        "/",
        "libpq_version",
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn node_api() {
    let dir = build_and_serve("node-api", "node-api", 3000, "/", "Hello from Express");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn vite_spa_on_nginx_without_node() {
    // a deep link answers with the app's index.html (the SPA fallback)
    let dir = build_and_serve(
        "vite-spa",
        "vite-spa",
        8080,
        "/some/client/route",
        "<div id=\"app\">",
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn go_server_on_scratch() {
    let dir = build_and_serve("go-server", "go-server", 8080, "/", "Hello from Go");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rust_server() {
    let dir = build_and_serve("rust-server", "rust-server", 8080, "/", "Hello from Rust");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn go_server_on_distroless() {
    let dir = build_and_serve_edited(
        "go-server",
        |r| {
            r.replace("app \"go-server\"", "app \"go-server-distroless\"")
                .replace("port 8080", "port 8080\n    runtime \"distroless\"")
        },
        "go-server-distroless",
        8080,
        "/",
        "Hello from Go",
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rust_server_on_the_minimal_runtime() {
    // minimal for Rust is distroless/cc: glibc and libgcc_s, no shell, the nonroot user
    let dir = build_and_serve_edited(
        "rust-server",
        |r| {
            r.replace("app \"rust-server\"", "app \"rust-server-minimal\"")
                .replace("port 8080", "port 8080\n    runtime \"minimal\"")
        },
        "rust-server-minimal",
        8080,
        "/",
        "Hello from Rust",
    );
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("FROM gcr.io/distroless/cc-debian13:nonroot AS runtime"),
        "{dockerfile}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn node_api_on_the_minimal_runtime() {
    // node and the libraries it links on distroless/cc: no shell, no npm
    let dir = build_and_serve_edited(
        "node-api",
        |r| {
            r.replace("app \"node-api\"", "app \"node-api-minimal\"")
                .replace("port 3000", "port 3000\n    runtime \"minimal\"")
        },
        "node-api-minimal",
        3000,
        "/",
        "Hello from Express",
    );
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("AS interpreter"), "{dockerfile}");
    assert_cannot_run("node-api-minimal", &["sh", "npm"]);
    let _ = std::fs::remove_dir_all(dir);
}

/// None of `programs` runs in `image` (a shell, a package manager).
fn assert_cannot_run(image: &str, programs: &[&str]) {
    for program in programs {
        let found = Command::new("docker")
            .args(["run", "--rm", "--entrypoint", program, image, "--version"])
            .output()
            .unwrap();
        assert!(!found.status.success(), "{program} runs in {image}");
    }
}

#[test]
fn python_on_the_minimal_runtime_opens_a_library_at_run_time() {
    // python-magic loads libmagic with ctypes (find_library, then dlopen): the library comes
    // from runtime-libs and is found through the ld.so.cache dslim writes
    let dir = build_and_serve(
        "python-minimal",
        "python-minimal",
        8000,
        "/",
        "app.py is text/",
    );
    assert_cannot_run("python-minimal", &["sh", "pip", "apt-get"]);
    // the user has a passwd entry and a home of its own
    let home = ok(Command::new("docker").args([
        "run",
        "--rm",
        "--entrypoint",
        "/opt/venv/bin/python",
        "python-minimal",
        "-c",
        "import getpass, os; print(getpass.getuser(), os.path.expanduser('~'), os.access(os.path.expanduser('~'), os.W_OK))",
    ]));
    assert_eq!(home.trim(), "app /home/app True");
    assert_turns_healthy(&dir, "python-minimal");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn vite_spa_on_the_minimal_runtime() {
    // nginx alone on distroless: the deep-link fallback, gzip and MIME types still work, and
    // the static probe turns it healthy
    let dir = build_and_serve_edited(
        "vite-spa",
        |r| {
            r.replace("app \"vite-spa\"", "app \"vite-spa-minimal\"")
                .replace(
                    "port 8080",
                    "port 8080\n    runtime \"minimal\"\n    healthcheck \"/\"",
                )
        },
        "vite-spa-minimal",
        8080,
        "/some/client/route",
        "<div id=\"app\">",
    );
    assert_cannot_run("vite-spa-minimal", &["sh", "node"]);
    let (_container, port) = start("vite-spa-minimal", 8080);
    // docker's port proxy accepts before nginx listens, and then closes with no answer: ask
    // again until nginx answers
    let deadline = Instant::now() + Duration::from_secs(30);
    let head = loop {
        let answer = TcpStream::connect(("127.0.0.1", port)).and_then(|mut stream| {
            stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n")?;
            let mut head = vec![];
            stream.read_to_end(&mut head)?;
            Ok(head)
        });
        match answer {
            Ok(head) if !head.is_empty() => break String::from_utf8_lossy(&head).into_owned(),
            _ if Instant::now() > deadline => panic!("nginx did not answer: {answer:?}"),
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    assert!(head.contains("Content-Encoding: gzip"), "{head}");
    assert!(head.contains("Content-Type: text/html"), "{head}");
    assert_turns_healthy(&dir, "vite-spa-minimal");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn python_in_usr_local_with_a_shared_libpython_on_the_minimal_runtime() {
    // the official python:*-slim layout (tests/images/python-usr-local.Dockerfile), reached
    // as the recipe's registry mirror would: the interpreter, its libpython (found through
    // RUNPATH $ORIGIN/../lib) and its standard library come from /usr/local
    require_docker();
    let mirror = "dslim-e2e.local/hub";
    {
        let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
        let images = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images");
        ok(Command::new("docker")
            .args(["build", "-q", "-t"])
            .arg(format!("{mirror}/library/python:3.13-slim-trixie"))
            .arg("-f")
            .arg(images.join("python-usr-local.Dockerfile"))
            .arg(&images));
    }
    let dir = build_and_serve_edited(
        "flask",
        |r| {
            r.replace("app \"flask\"", "app \"flask-usr-local\"")
                .replace(
                    "port 8000",
                    &format!(
                        "port 8000\n    runtime \"minimal\"\n    base \"debian\" registry=\"{mirror}\"\n    healthcheck \"/\""
                    ),
                )
        },
        "flask-usr-local",
        8000,
        "/",
        "Hello",
    );
    let python = ok(Command::new("docker").args([
        "run",
        "--rm",
        "--entrypoint",
        "/opt/venv/bin/python",
        "flask-usr-local",
        "-c",
        "import os, sys, ssl; print(sys.base_prefix, os.path.exists('/usr/local/lib/libpython3.13.so.1.0'), os.path.exists('/usr/lib/python3.13'))",
    ]));
    assert_eq!(python.trim(), "/usr/local True False");
    assert_cannot_run("flask-usr-local", &["sh", "pip"]);
    assert_turns_healthy(&dir, "flask-usr-local");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fastapi_with_psycopg2_from_source_on_the_minimal_runtime() {
    // libpq and what it links reach distroless through the closure of psycopg2's extension
    let dir = build_and_serve_edited(
        "fastapi-postgres",
        |r| {
            r.replace("app \"fastapi-postgres\"", "app \"fastapi-minimal\"")
                .replace("port 8000", "port 8000\n    runtime \"minimal\"")
        },
        "fastapi-minimal",
        8000,
        "/",
        "libpq_version",
    );
    assert_cannot_run("fastapi-minimal", &["sh", "pip"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_compose_healthcheck_turns_healthy() {
    // the fastapi example declares `healthcheck "/"`: compose must see the service become healthy
    let dir = build_and_serve(
        "fastapi-postgres",
        "fastapi-postgres",
        8000,
        "/",
        "libpq_version",
    );
    assert_turns_healthy(&dir, "dslim-e2e-health");
    let _ = std::fs::remove_dir_all(dir);
}

/// `docker compose up --wait` in `dir` sees the service turn healthy.
fn assert_turns_healthy(dir: &Path, project: &str) {
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let up = run(Command::new("docker")
        .args([
            "compose",
            "-p",
            project,
            "-f",
            "compose.yaml",
            "up",
            "-d",
            "--wait",
            "--wait-timeout",
            "90",
        ])
        .current_dir(dir));
    let state = run(Command::new("docker")
        .args([
            "compose",
            "-p",
            project,
            "-f",
            "compose.yaml",
            "ps",
            "--format",
            "{{.Health}}",
        ])
        .current_dir(dir));
    let _ = Command::new("docker")
        .args(["compose", "-p", project, "-f", "compose.yaml", "down"])
        .current_dir(dir)
        .output();
    assert!(
        up.status.success(),
        "compose up --wait failed:\n{}",
        String::from_utf8_lossy(&up.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&state.stdout).trim(), "healthy");
}

#[test]
fn a_go_server_on_scratch_turns_healthy_with_the_static_probe() {
    // scratch has no shell, curl or interpreter: the probe is dslim's, built in a stage
    let dir = build_and_serve_edited(
        "go-server",
        |r| {
            r.replace("app \"go-server\"", "app \"go-server-probe\"")
                .replace("port 8080", "port 8080\n    healthcheck \"/\"")
        },
        "go-server-probe",
        8080,
        "/",
        "Hello from Go",
    );
    assert_turns_healthy(&dir, "dslim-e2e-probe");
    let _ = std::fs::remove_dir_all(dir);
}

/// `dslim init` writes today's releases when a project names no version; the lab has one
/// version of each base image. Where no image of the default tag exists, the lab's image
/// stands in under that tag, so that init's output can be built here as written.
fn lab_images_for_default_versions() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let k = &dslim::stacks::Catalog::builtin().unwrap().knowledge;
        let version = |stack: &str| k.stack(stack).unwrap().default_version.clone();
        let aliases = [
            (
                "python:3.13-slim-trixie",
                format!("python:{}-slim-trixie", version("python")),
            ),
            (
                "node:20-trixie-slim",
                format!("node:{}-trixie-slim", version("node")),
            ),
            (
                "golang:1.24-trixie",
                format!("golang:{}-trixie", version("go")),
            ),
            (
                "rust:1.85-slim-trixie",
                format!("rust:{}-slim-trixie", version("rust")),
            ),
            (
                "ruby:3.3-slim-trixie",
                format!("ruby:{}-slim-trixie", version("ruby")),
            ),
            (
                "elixir:1.18-slim",
                format!("elixir:{}-slim", version("elixir")),
            ),
            (
                "nginxinc/nginx-unprivileged:1.26",
                format!("nginxinc/nginx-unprivileged:{}", k.spa.default_nginx),
            ),
        ];
        for (lab, default) in aliases {
            if !run(Command::new("docker").args(["image", "inspect", &default]))
                .status
                .success()
            {
                ok(Command::new("docker").args(["tag", lab, &default]));
            }
        }
    });
}

/// `dslim init` then `dslim build` on an app with no recipe, then the same checks as above.
fn init_build_and_serve(source: &str, port: u16, path: &str, body: &str) {
    init_and_serve(source, InitCase::default(), port, path, body);
}

/// What a test expects of `dslim init` beyond success.
#[derive(Default)]
struct InitCase {
    /// the app's own Dockerfile stays, for init to read (`dslim build --force` replaces it)
    keep_dockerfile: bool,
    /// a warning init must give; without one, init must give none
    warning: Option<&'static str>,
    /// what the recipe init writes must say
    recipe_has: &'static [&'static str],
    /// a change to that recipe before the build: what only the docker lab needs
    edit: Option<fn(String) -> String>,
    /// a change to the app's folder before init: what only the docker lab needs
    prepare: Option<fn(&Path)>,
}

/// Runs init in a copy of `source` (as `init_app`), then builds the recipe and checks the
/// image as a user would. Returns the folder, for more checks, and what keeps it.
fn init_and_serve(
    source: &str,
    case: InitCase,
    port: u16,
    path: &str,
    body: &str,
) -> (PathBuf, tempfile::TempDir) {
    let (recipe_has, edit) = (case.recipe_has, case.edit);
    let (dir, name, tmp) = init_app(source, case);
    let recipe_path = dir.join("dslim.kdl");
    let recipe = std::fs::read_to_string(&recipe_path).unwrap();
    for expected in recipe_has {
        assert!(recipe.contains(expected), "no {expected:?} in:\n{recipe}");
    }
    if let Some(edit) = edit {
        std::fs::write(&recipe_path, edit(recipe)).unwrap();
    }
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    build(&dir, source);
    check_image(&dir, source, &name, port, path, body);
    (dir, tmp)
}

/// The lab's Python 3.11 stand-in is on bookworm only (Docker Hub has it on trixie as well).
fn on_bookworm(recipe: String) -> String {
    recipe.replacen("\n}", "\n    base \"debian\" release=\"bookworm\"\n}", 1)
}

/// Copies `source` to a fresh folder and runs `dslim init` there as a user would.
fn init_app(source: &str, case: InitCase) -> (PathBuf, String, tempfile::TempDir) {
    require_docker();
    let name = format!("init-{}", source.rsplit('/').next().unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(&name);
    std::fs::create_dir_all(&dir).unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(source), &dir);
    for generated in ["dslim.kdl", "Dockerfile", "compose.yaml", ".dockerignore"] {
        if !(case.keep_dockerfile && generated == "Dockerfile") {
            let _ = std::fs::remove_file(dir.join(generated));
        }
    }
    if let Some(prepare) = case.prepare {
        prepare(&dir);
    }
    let init = run(Command::new(env!("CARGO_BIN_EXE_dslim"))
        .arg("init")
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null()));
    assert!(
        init.status.success(),
        "dslim init failed for {source}:\n{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let report = String::from_utf8_lossy(&init.stderr);
    match case.warning {
        Some(warning) => assert!(report.contains(warning), "no {warning:?} in:\n{report}"),
        None => assert!(
            !report.contains("warning:"),
            "init warned for {source}:\n{report}"
        ),
    }
    (dir, name, tmp)
}

#[test]
fn init_reads_a_procfile_web_line_and_leaves_its_release_step_out() {
    init_and_serve(
        "tests/fixtures/procfile-flask",
        InitCase {
            warning: Some("runs `flask --app wsgi routes` before the server"),
            ..InitCase::default()
        },
        8000,
        "/",
        "Hello from a Flask factory",
    );
}

#[test]
fn init_reads_a_hand_written_dockerfile_and_its_environment() {
    let (dir, name, _tmp) = init_app(
        "tests/fixtures/dockerfile-flask-run",
        InitCase {
            keep_dockerfile: true,
            ..InitCase::default()
        },
    );
    let recipe = std::fs::read_to_string(dir.join("dslim.kdl")).unwrap();
    assert!(recipe.contains("FLASK_APP=\"hello.py\""), "{recipe}");
    assert!(
        !recipe.contains("do-not-copy"),
        "a secret was copied:\n{recipe}"
    );
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    // the user's Dockerfile is replaced only when they say so
    let refused = dslim(&dir, &["build"]);
    assert!(
        !refused.status.success(),
        "replaced a hand-written Dockerfile"
    );
    let built = dslim(&dir, &["build", "--force"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    check_image(
        &dir,
        "dockerfile-flask-run",
        &name,
        8000,
        "/",
        "Hello from flask run",
    );
}

#[test]
fn init_runs_a_worker_that_serves_nothing() {
    let (dir, name, _tmp) = init_app("tests/fixtures/worker", InitCase::default());
    let recipe = std::fs::read_to_string(dir.join("dslim.kdl")).unwrap();
    assert!(!recipe.contains("port "), "a worker has no port:\n{recipe}");
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    build(&dir, "worker");
    let out = ok(Command::new("docker").args(["run", "--rm", &name]));
    assert!(out.contains("processed 3 jobs"), "{out}");
    let uid = ok(Command::new("docker").args(["run", "--rm", "--entrypoint", "id", &name, "-u"]));
    assert_ne!(uid.trim(), "0", "the worker runs as root");
}

#[test]
fn init_node_18_without_dependencies_gets_the_release_that_publishes_it() {
    init_build_and_serve(
        "tests/fixtures/node18-no-deps",
        3000,
        "/",
        "Hello from Node 18 without dependencies",
    );
}

#[test]
fn init_runs_a_flask_factory_with_gunicorn() {
    init_build_and_serve(
        "tests/fixtures/flask-factory",
        8000,
        "/",
        "Hello from create_app()",
    );
}

#[test]
fn init_builds_a_go_main_without_a_module() {
    init_and_serve(
        "tests/fixtures/go-without-module",
        InitCase {
            warning: Some("there is no go.mod"),
            ..InitCase::default()
        },
        8080,
        "/",
        "without go.mod",
    );
}

#[test]
fn init_serves_sveltekit_with_its_node_adapter_not_as_a_static_site() {
    init_and_serve(
        "tests/fixtures/sveltekit-node-adapter",
        InitCase {
            recipe_has: &["entrypoint \"node\" \"build/index.js\""],
            ..InitCase::default()
        },
        3000,
        "/",
        "rendered by the SvelteKit node server",
    );
}

#[test]
fn init_serves_a_react_router_app_with_its_own_server_not_as_a_static_site() {
    init_and_serve(
        "tests/fixtures/react-router-ssr",
        InitCase {
            recipe_has: &[
                "\"node_modules/@react-router/serve/bin.js\" \"./build/server/index.js\"",
            ],
            ..InitCase::default()
        },
        3000,
        "/",
        "rendered on the server",
    );
}

#[test]
fn init_starts_a_fastify_cli_app_through_its_bin_on_every_interface() {
    init_and_serve(
        "tests/fixtures/fastify-cli-app",
        InitCase {
            recipe_has: &[
                "\"node_modules/fastify-cli/cli.js\" \"start\"",
                "FASTIFY_ADDRESS",
            ],
            ..InitCase::default()
        },
        3000,
        "/",
        "by fastify start",
    );
}

#[test]
fn the_services_a_docker_compose_yml_ran_beside_the_app_still_start_with_it() {
    let (dir, _name, _tmp) = init_app(
        "tests/fixtures/compose-beside-services",
        InitCase::default(),
    );
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    build(&dir, "compose-beside-services");
    let moved = std::fs::read_to_string(dir.join("compose.override.yaml")).unwrap();
    assert!(moved.contains("image: nginx:1.26"), "{moved}");
    // `docker compose up` reads compose.yaml and the override: the app and its backend
    let project = ["-p", "dslim-e2e-beside"];
    let up = run(Command::new("docker")
        .args(["compose"])
        .args(project)
        .args(["up", "-d", "--wait", "--wait-timeout", "90"])
        .current_dir(&dir));
    let answer = http_get(3107, "/").unwrap_or_else(|e| e);
    let _ = Command::new("docker")
        .args(["compose"])
        .args(project)
        .arg("down")
        .current_dir(&dir)
        .output();
    assert!(
        up.status.success(),
        "compose up failed:\n{}",
        String::from_utf8_lossy(&up.stderr)
    );
    assert!(answer.contains("the backend answered 200"), "{answer}");
}

#[test]
fn init_serves_astro_with_its_node_adapter_on_every_interface() {
    init_and_serve(
        "tests/fixtures/astro-node-ssr",
        InitCase {
            recipe_has: &[
                "entrypoint \"node\" \"dist/server/entry.mjs\"",
                "HOST=\"0.0.0.0\"",
            ],
            ..InitCase::default()
        },
        4321,
        "/",
        "Astro rendered on the server",
    );
}

#[test]
fn init_runs_a_streamlit_script_with_streamlit_on_its_port() {
    init_and_serve(
        "tests/fixtures/streamlit-app",
        InitCase {
            recipe_has: &["entrypoint \"streamlit\" \"run\" \"app.py\" \"--server.port\" \"8501\""],
            ..InitCase::default()
        },
        8501,
        "/_stcore/health",
        "ok",
    );
}

#[test]
fn init_serves_a_plain_static_site_with_unprivileged_nginx() {
    init_and_serve(
        "tests/fixtures/static-html",
        InitCase {
            recipe_has: &["static \"1.28\" folder=\"public\""],
            ..InitCase::default()
        },
        8080,
        "/css/style.css",
        "font-family",
    );
}

#[test]
fn init_builds_a_yarn_4_app_with_its_node_modules_linker() {
    let (dir, _tmp) = init_and_serve(
        "tests/fixtures/yarn-berry-express",
        InitCase {
            recipe_has: &["manager=\"yarn-berry\""],
            ..InitCase::default()
        },
        3000,
        "/",
        "installed by Yarn 4",
    );
    // `workspaces focus --production` left the devDependencies out
    let image = "init-yarn-berry-express";
    let listed = run(Command::new("docker").args([
        "run",
        "--rm",
        "--entrypoint",
        "ls",
        image,
        "/app/node_modules",
    ]));
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("express"), "{listed}");
    assert!(!listed.contains("nodemon"), "{listed}");
    drop(dir);
}

#[test]
fn init_runs_a_tsx_start_script_keeping_the_dev_dependencies() {
    init_and_serve(
        "tests/fixtures/typescript-tsx",
        InitCase {
            warning: Some("runs a devDependency, so the final image keeps the devDependencies"),
            recipe_has: &[
                "dev-dependencies=#true",
                "\"node_modules/tsx/dist/cli.mjs\"",
            ],
            ..InitCase::default()
        },
        8787,
        "/",
        "Hello from Hono under tsx",
    );
}

#[test]
fn init_gives_a_go_binary_on_scratch_the_templates_and_port_it_reads() {
    init_and_serve(
        "tests/fixtures/go-templates-port-env",
        InitCase {
            recipe_has: &[
                "runtime-files \"templates\" \"static\"",
                "env PORT=\"8080\"",
            ],
            ..InitCase::default()
        },
        8080,
        "/static/site.css",
        "font-family",
    );
}

#[test]
fn init_flask() {
    init_build_and_serve("examples/flask", 8000, "/", "Hello from Flask");
}

#[test]
fn init_fastapi_with_psycopg2_from_source() {
    init_build_and_serve("examples/fastapi-postgres", 8000, "/", "libpq_version");
}

#[test]
fn init_django() {
    init_build_and_serve("tests/fixtures/django", 8000, "/", "Hello from Django");
}

#[test]
fn init_express_typescript() {
    init_build_and_serve("examples/node-api", 3000, "/", "Hello from Express");
}

#[test]
fn init_vite_spa() {
    init_build_and_serve("examples/vite-spa", 8080, "/deep/link", "<div id=\"app\">");
}

#[test]
fn init_react_spa() {
    init_build_and_serve("tests/fixtures/react-spa", 8080, "/", "<div id=\"root\">");
}

#[test]
fn init_go() {
    init_build_and_serve("examples/go-server", 8080, "/", "Hello from Go");
}

#[test]
fn init_rust() {
    init_build_and_serve("examples/rust-server", 8080, "/", "Hello from Rust");
}

#[test]
fn poetry_app() {
    // the recipe is the one init writes for the app
    init_build_and_serve("tests/fixtures/poetry-app", 8000, "/", "Hello from Poetry");
}

#[test]
fn yarn_app() {
    // the recipe is the one init writes for the app
    init_build_and_serve("tests/fixtures/yarn-app", 3000, "/", "Hello from Yarn");
}

#[test]
fn pnpm_app_with_build() {
    // the recipe is the one init writes for the app
    init_build_and_serve("tests/fixtures/pnpm-app", 3000, "/", "Hello from pnpm");
}

#[test]
fn a_uid_build_arg_of_zero_is_refused() {
    require_docker();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_example("flask");
    let built = run(Command::new("docker")
        .args(["build", "-q", "--build-arg", "UID=0", "."])
        .current_dir(dir.path()));
    assert!(!built.status.success(), "an image with UID=0 was built");
}

#[test]
fn a_monorepo_builds_with_one_command() {
    require_docker();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    for example in ["flask", "go-server"] {
        let dir = root.path().join("services").join(example);
        std::fs::create_dir_all(&dir).unwrap();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples")
                .join(example),
            &dir,
        );
    }
    for image in ["flask", "go-server"] {
        let _ = run(Command::new("docker").args(["image", "rm", "-f", image]));
    }
    let built = dslim(root.path(), &["build", "--all"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    for image in ["flask", "go-server"] {
        ok(Command::new("docker").args(["image", "inspect", "-f", "{{.Id}}", image]));
    }
    let check = dslim(root.path(), &["check", "--all"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn flask_with_requirements_that_include_another_file() {
    require_docker();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let dir = copy_example("flask");
    let pins = std::fs::read_to_string(dir.path().join("requirements.txt")).unwrap();
    std::fs::create_dir_all(dir.path().join("requirements")).unwrap();
    std::fs::write(dir.path().join("requirements/base.txt"), pins).unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "-r requirements/base.txt\n",
    )
    .unwrap();
    build(dir.path(), "flask (split requirements)");
    check_image(
        dir.path(),
        "flask (split requirements)",
        "flask",
        8000,
        "/",
        "Hello from Flask",
    );
}

#[test]
fn init_chooses_the_python_its_pinned_wheels_support() {
    // psycopg2-binary 2.9.6 has wheels up to CPython 3.11; on a newer Python pip compiles it,
    // and a wheel needs no compiler
    let (dir, _tmp) = init_and_serve(
        "tests/fixtures/pins-older-wheels",
        InitCase {
            recipe_has: &["python \"3.11\""],
            edit: Some(on_bookworm),
            ..InitCase::default()
        },
        8000,
        "/",
        "Hello from psycopg2 2.9.6",
    );
    let recipe = std::fs::read_to_string(dir.join("dslim.kdl")).unwrap();
    assert!(!recipe.contains("build-deps"), "{recipe}");
}

#[test]
fn init_collects_djangos_static_files_at_build_time() {
    // without collectstatic's manifest, every page of this site is a 500; the build step has
    // its own placeholder for the variable the settings need, the user fills in the real one
    init_and_serve(
        "tests/fixtures/django-collectstatic",
        InitCase {
            warning: Some("reads DJANGO_ALLOWED_HOSTS"),
            recipe_has: &["build-step \"python\" \"manage.py\" \"collectstatic\""],
            edit: Some(|r| {
                r.replace(
                    "// run-env DJANGO_ALLOWED_HOSTS=\"\"",
                    "env DJANGO_ALLOWED_HOSTS=\"*\"",
                )
            }),
            ..InitCase::default()
        },
        8000,
        "/",
        "Hello from collected static files",
    );
}

#[test]
fn init_makes_djangos_migration_a_one_off_service_of_the_same_image() {
    let (dir, _tmp) = init_and_serve(
        "tests/fixtures/django-whitenoise-static",
        InitCase {
            recipe_has: &["release-command \"python\" \"manage.py\" \"migrate\" \"--noinput\""],
            ..InitCase::default()
        },
        5006,
        "/",
        "Hello from Django with WhiteNoise",
    );
    // run once per release, never in the build, by the service compose leaves out of `up`
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let migrated = run(Command::new("docker")
        .args([
            "compose",
            "run",
            "--rm",
            "init-django-whitenoise-static-release",
        ])
        .current_dir(&dir));
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&migrated.stdout),
        String::from_utf8_lossy(&migrated.stderr)
    );
    assert!(migrated.status.success(), "{out}");
    assert!(
        out.contains("Applying contenttypes.0001_initial... OK"),
        "{out}"
    );
    let services = ok(Command::new("docker")
        .args(["compose", "config", "--services"])
        .current_dir(&dir));
    assert_eq!(
        services.trim(),
        "init-django-whitenoise-static",
        "{services}"
    );
}

#[test]
fn init_runs_nextjs_with_next_start() {
    init_build_and_serve(
        "tests/fixtures/nextjs-start",
        3000,
        "/",
        "Hello from Next.js (next start)",
    );
}

#[test]
fn init_ships_a_standalone_nextjs_server_alone() {
    let (dir, _tmp) = init_and_serve(
        "tests/fixtures/nextjs-standalone",
        InitCase {
            recipe_has: &["self-contained=#true"],
            ..InitCase::default()
        },
        3000,
        "/",
        "Hello from a standalone Next.js build",
    );
    // the traced server brings its own node_modules: no deps stage, no full install
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(!dockerfile.contains("AS deps"), "{dockerfile}");
}

#[test]
fn init_runs_uwsgi_from_its_ini_file() {
    // uWSGI has no wheels: the builder compiles it, and no compiler reaches the image
    init_build_and_serve(
        "tests/fixtures/uwsgi-ini",
        9090,
        "/",
        "Hello from Flask under uWSGI",
    );
}

#[test]
fn init_runs_an_asgi_app_with_the_server_it_depends_on() {
    init_build_and_serve(
        "tests/fixtures/litestar-granian",
        8000,
        "/",
        "Hello from Litestar on Granian",
    );
}

#[test]
fn init_builds_nestjs_and_runs_its_production_start_script() {
    init_build_and_serve(
        "tests/fixtures/nestjs-dist-main",
        3000,
        "/",
        "Hello from NestJS",
    );
}

#[test]
fn init_ships_nuxts_bundled_output_alone() {
    init_build_and_serve(
        "tests/fixtures/nuxt3-output",
        3000,
        "/",
        "Hello from Nuxt 3",
    );
}

#[test]
fn init_builds_an_npm_app_that_has_no_lockfile() {
    init_and_serve(
        "tests/fixtures/npm-no-lockfile",
        InitCase {
            warning: Some("there is no lockfile"),
            ..InitCase::default()
        },
        3000,
        "/",
        "Hello from Koa (no lockfile)",
    );
}

#[test]
fn init_builds_a_go_module_from_its_vendored_dependencies() {
    // the lab reaches no Go module proxy: vendor/ is the only way this build can work.
    // go.mod says 1.22, whose images are on bookworm only; the lab has Go 1.24
    let (dir, _tmp) = init_and_serve(
        "tests/fixtures/go-vendored",
        InitCase {
            recipe_has: &["go \"1.22\""],
            edit: Some(|r| r.replace("go \"1.22\"", "go \"1.24\"")),
            ..InitCase::default()
        },
        8081,
        "/",
        "Hi, vendored world.",
    );
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(!dockerfile.contains("go mod download"), "{dockerfile}");
}

#[test]
fn init_builds_a_pdm_project_from_its_lock() {
    init_build_and_serve(
        "tests/fixtures/pdm-lock",
        8000,
        "/",
        "Nobody has signed yet",
    );
}

#[test]
fn init_builds_a_pipenv_project_from_its_lock() {
    init_and_serve(
        "tests/fixtures/pipenv-pipfile",
        InitCase {
            recipe_has: &["python \"3.11\" manager=\"pipenv\""],
            edit: Some(on_bookworm),
            ..InitCase::default()
        },
        8000,
        "/",
        "Hello from a Pipenv app",
    );
}

#[test]
fn init_runs_the_console_script_a_project_declares() {
    // src layout, no lockfile: uv resolves, then a build step installs the project itself
    init_and_serve(
        "tests/fixtures/pyproject-scripts",
        InitCase {
            warning: Some("pyproject.toml has no lockfile"),
            ..InitCase::default()
        },
        8000,
        "/",
        "linkshort: POST /links",
    );
}

#[test]
fn init_builds_the_http_member_of_a_cargo_workspace() {
    init_and_serve(
        "tests/fixtures/rust-workspace",
        InitCase {
            warning: Some("the only one that serves HTTP"),
            ..InitCase::default()
        },
        8000,
        "/",
        "Hello from the shelf API",
    );
}

#[test]
fn init_builds_cgo_code_onto_a_runtime_with_the_c_library() {
    init_build_and_serve("tests/fixtures/go-cgo", 8080, "/", "Hello from cgo: 42");
}

#[test]
fn a_monorepo_builds_from_its_root_compose_file_with_local_packages_and_starts_healthy() {
    // tests/monorepo: a pnpm API and SPA using local packages, a uv service using a local
    // library, a Cargo member using a local crate, a Go service; one `docker compose build` at the root, then `up --wait`
    require_docker();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    let dir = root.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/monorepo"),
        dir,
    );
    let git = |args: &[&str]| {
        let mut all = vec!["-c", "user.name=e2e", "-c", "user.email=e2e@example.com"];
        all.extend(args);
        ok(Command::new("git").args(&all).current_dir(dir))
    };
    let built = dslim(dir, &["build"]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "dslim build failed:\n{stderr}");
    assert_eq!(
        stderr.matches("compose -f compose.yaml build").count(),
        1,
        "{stderr}"
    );
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "generated"]);
    let check = dslim(dir, &["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // bake reads the same file
    let bake = run(Command::new("docker")
        .args(["buildx", "bake", "-f", "compose.yaml", "--print"])
        .current_dir(dir));
    assert!(
        bake.status.success(),
        "{}",
        String::from_utf8_lossy(&bake.stderr)
    );
    // started together, every service turns healthy and answers with its local package's work
    let up = run(Command::new("docker")
        .args(["compose", "up", "-d", "--wait", "--wait-timeout", "120"])
        .current_dir(dir));
    let answers: Vec<(u16, String)> = [3000, 8000, 8080, 8081, 8090]
        .into_iter()
        .map(|port| (port, http_get(port, "/").unwrap_or_else(|e| e)))
        .collect();
    let _ = Command::new("docker")
        .args(["compose", "down"])
        .current_dir(dir)
        .output();
    assert!(
        up.status.success(),
        "compose up --wait failed:\n{}",
        String::from_utf8_lossy(&up.stderr)
    );
    for ((port, answer), expected) in answers.iter().zip([
        "hello, api",
        "1,234.56 EUR",
        "\"mug\":12",
        "<title>Shop</title>",
    ]) {
        assert!(answer.contains(expected), "port {port}: {answer}");
    }
    // the SPA's bundle has the theme package in it
    let bundled = ok(Command::new("docker").args([
        "run",
        "--rm",
        "--entrypoint",
        "grep",
        "web",
        "-rl",
        "#0b7285",
        "/usr/share/nginx/html",
    ]));
    assert!(bundled.contains(".js"), "{bundled}");
    // the workspace's user, no compiler, and the local library in the venv, not its source
    for image in ["api", "catalog"] {
        let user =
            ok(Command::new("docker").args(["run", "--rm", "--entrypoint", "id", image, "-u"]));
        assert_eq!(user.trim(), "10001");
    }
    let catalog = ok(Command::new("docker").args([
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        "catalog",
        "-c",
        "command -v gcc cc || true; ls /app; python -c 'import prices; print(prices.__file__)'",
    ]));
    assert_eq!(catalog.lines().next(), Some("services"), "{catalog}");
    assert!(catalog.contains("/opt/venv/lib/"), "{catalog}");
    // a change to a local package rebuilds the services that use it, and only those
    std::fs::write(
        dir.join("packages/greeting/index.js"),
        std::fs::read_to_string(dir.join("packages/greeting/index.js"))
            .unwrap()
            .replace("hello", "hi"),
    )
    .unwrap();
    let rebuilt = dslim(dir, &["build", "--changed-since", "HEAD"]);
    let stderr = String::from_utf8_lossy(&rebuilt.stderr);
    assert!(rebuilt.status.success(), "{stderr}");
    assert!(stderr.contains("compose.yaml build api\n"), "{stderr}");
    assert!(
        stderr.contains("built image `api`") && !stderr.contains("built image `web`"),
        "{stderr}"
    );
    let greeting = ok(Command::new("docker").args([
        "run",
        "--rm",
        "--entrypoint",
        "node",
        "api",
        "-e",
        "console.log(require('@shop/greeting').greet('x'))",
    ]));
    assert!(greeting.starts_with("hi, x"), "{greeting}");
    // check fails after a member's recipe is edited, and after a Dockerfile is edited by hand
    let recipe = dir.join("services/go/dslim.kdl");
    let text = std::fs::read_to_string(&recipe).unwrap();
    std::fs::write(
        &recipe,
        text.replace("port 8080", "port 8080\n    env MODE=\"edited\""),
    )
    .unwrap();
    let stale = dslim(dir, &["check"]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stale.stderr).contains("services/go/Dockerfile (out of date)"));
    std::fs::write(&recipe, text).unwrap();
    let dockerfile = dir.join("services/api/Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).unwrap();
    std::fs::write(&dockerfile, text.replace("USER ", "RUN true\nUSER ")).unwrap();
    let edited = dslim(dir, &["check"]);
    assert_eq!(edited.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&edited.stderr);
    assert!(
        stderr.contains("services/api/Dockerfile (edited by hand)"),
        "{stderr}"
    );
}

/// tests/private-index/server.py, running until dropped.
struct PrivateIndex(std::process::Child);

impl Drop for PrivateIndex {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The private index, up: the token it answers to, and where a build reaches it (the
/// bridge's gateway and the port).
struct IndexUp {
    _server: PrivateIndex,
    token: String,
    gateway: String,
    port: u16,
}

fn start_private_index() -> IndexUp {
    let token = format!("dslim-token-{}", std::process::id());
    let port = std::net::TcpListener::bind("0.0.0.0:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/private-index/server.py");
    let mut child = Command::new("python3")
        .arg(&server)
        .args([&port.to_string(), &token])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    let stdout = child.stdout.take().unwrap();
    let server = PrivateIndex(child);
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut ready).unwrap();
    assert_eq!(ready.trim(), "ready");
    let gateway = ok(Command::new("docker").args([
        "network",
        "inspect",
        "bridge",
        "-f",
        "{{(index .IPAM.Config 0).Gateway}}",
    ]));
    IndexUp {
        _server: server,
        token,
        gateway: gateway.trim().to_string(),
        port,
    }
}

/// An app that answers with the private package's greeting.
const PRIVATE_APP: &str = "from http.server import BaseHTTPRequestHandler, HTTPServer\n\nfrom dslim_private_greeting import greet\n\n\nclass Hello(BaseHTTPRequestHandler):\n    def do_GET(self):\n        body = greet().encode()\n        self.send_response(200)\n        self.send_header(\"Content-Length\", str(len(body)))\n        self.end_headers()\n        self.wfile.write(body)\n\n\nHTTPServer((\"0.0.0.0\", 8000), Hello).serve_forever()\n";

/// Builds the app in `dir` with `env` (the secrets' variables), checks it serves the private
/// package's greeting, and builds its builder stage with the same secrets.
fn build_private_app(dir: &Path, image: &str, env: &[(&str, &str)], secrets: &[&str]) {
    let mut build = Command::new(env!("CARGO_BIN_EXE_dslim"));
    build
        .args(["build"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("BUILDKIT_PROGRESS", "plain");
    for (k, v) in env {
        build.env(k, v);
    }
    let built = run(&mut build);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let (_container, host_port) = start(image, 8000);
    let deadline = Instant::now() + Duration::from_secs(30);
    let answer = loop {
        match http_get(host_port, "/") {
            Ok(answer) if !answer.is_empty() => break answer,
            answer if Instant::now() > deadline => panic!("no answer: {answer:?}"),
            _ => std::thread::sleep(Duration::from_millis(300)),
        }
    };
    assert!(answer.contains("hello from the private index"), "{answer}");
    // the builder stage too: the install's layer holds the package, not the token
    let mut builder = Command::new("docker");
    builder.args([
        "build",
        "-q",
        "--target",
        "builder",
        "-t",
        &format!("{image}:builder"),
    ]);
    for secret in secrets {
        builder.args(["--secret", secret]);
    }
    builder.arg(".").current_dir(dir);
    for (k, v) in env {
        builder.env(k, v);
    }
    ok(&mut builder);
}

/// Neither the image nor its builder stage holds the token: not in a layer, not in the history.
fn assert_token_nowhere(image: &str, token: &str) {
    for image in [image.to_string(), format!("{image}:builder")] {
        let history = ok(Command::new("docker").args(["history", "--no-trunc", &image]));
        assert!(
            !history.contains(token),
            "{image}'s history holds the token"
        );
        let saved = run(Command::new("docker").args(["save", &image]));
        assert!(saved.status.success());
        let holds = |text: &str| {
            saved
                .stdout
                .windows(text.len())
                .any(|w| w == text.as_bytes())
        };
        // the search sees the layers' files: the private package's source is found
        assert!(
            holds("hello from the private index"),
            "{image}'s layers unread"
        );
        assert!(!holds(token), "a layer of {image} holds the token");
    }
}

#[test]
fn a_private_index_token_reaches_the_install_and_no_layer_or_history() {
    // a package index behind basic auth on this machine, reached from the build at the
    // bridge's gateway; the token is a secret from the environment, pip's config a file secret
    require_docker();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let index = start_private_index();
    let (token, gateway) = (&index.token, &index.gateway);

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("app.py", PRIVATE_APP);
    write("requirements.txt", "dslim-private-greeting==1.0\n");
    write("pip.conf", &format!("[global]\ntrusted-host = {gateway}\n"));
    write(
        "dslim.kdl",
        "app \"dslim-e2e-private\" {\n    python \"3.13\" manager=\"pip\"\n    port 8000\n    entrypoint \"python\" \"app.py\"\n    secret \"pip\" file=\"pip.conf\"\n    secret \"index\" env=\"PIP_EXTRA_INDEX_URL\"\n}\n",
    );
    // without the variable, dslim says so before Docker runs
    let missing = run(Command::new(env!("CARGO_BIN_EXE_dslim"))
        .args(["build"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("PIP_EXTRA_INDEX_URL"));
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr)
        .contains("the secret `index` has no value: $PIP_EXTRA_INDEX_URL is not set"));
    let url = format!("http://dslim:{token}@{gateway}:{}/simple", index.port);
    build_private_app(
        dir.path(),
        "dslim-e2e-private",
        &[("PIP_EXTRA_INDEX_URL", &url)],
        &["id=pip,src=pip.conf", "id=index,env=PIP_EXTRA_INDEX_URL"],
    );
    assert_token_nowhere("dslim-e2e-private", token);
}

#[test]
fn a_poetry_source_gets_its_credentials_from_poetry_http_basic_and_no_layer_keeps_them() {
    // init writes the secrets from [[tool.poetry.source]]; poetry locks against the source
    // with them, and exports them into the requirements pip installs, removed in the same RUN
    require_docker();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let index = start_private_index();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("app.py", PRIVATE_APP);
    write(
        "pyproject.toml",
        &format!(
            "[tool.poetry]\nname = \"app\"\nversion = \"0\"\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \"^3.13\"\ndslim-private-greeting = {{ version = \"1.0\", source = \"private\" }}\n\n[[tool.poetry.source]]\nname = \"private\"\nurl = \"http://{}:{}/simple\"\npriority = \"explicit\"\n",
            index.gateway, index.port
        ),
    );
    let init = run(Command::new(env!("CARGO_BIN_EXE_dslim"))
        .args([
            "init",
            "--yes",
            "--stack",
            "python",
            "--manager",
            "poetry",
            "--port",
            "8000",
        ])
        .args(["--entrypoint", "python app.py"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1"));
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let recipe = std::fs::read_to_string(dir.path().join("dslim.kdl")).unwrap();
    assert!(
        recipe.contains("env=\"POETRY_HTTP_BASIC_PRIVATE_PASSWORD\""),
        "{recipe}"
    );
    let recipe: Vec<String> = (recipe.lines())
        .map(|line| match line.starts_with("app \"") {
            true => "app \"dslim-e2e-poetry\" {".to_string(),
            false => line.to_string(),
        })
        .collect();
    write("dslim.kdl", &(recipe.join("\n") + "\n"));
    build_private_app(
        dir.path(),
        "dslim-e2e-poetry",
        &[
            ("POETRY_HTTP_BASIC_PRIVATE_USERNAME", "dslim"),
            ("POETRY_HTTP_BASIC_PRIVATE_PASSWORD", &index.token),
        ],
        &[
            "id=poetry-http-basic-private-username,env=POETRY_HTTP_BASIC_PRIVATE_USERNAME",
            "id=poetry-http-basic-private-password,env=POETRY_HTTP_BASIC_PRIVATE_PASSWORD",
        ],
    );
    assert_token_nowhere("dslim-e2e-poetry", &index.token);
}

/// The lab reaches no rubygems.org: the app gets the gems of Debian's packages in its
/// vendor/cache, and a Gemfile.lock of their versions, as `bundle cache` and `bundle lock`
/// would leave them (tests/images/ruby-gems.Dockerfile makes the .gem files).
fn vendor_debian_gems(dir: &Path) {
    let images = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images");
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    ok(Command::new("docker")
        .args(["build", "-q", "-t", "dslim-e2e/ruby-gems", "-f"])
        .arg(images.join("ruby-gems.Dockerfile"))
        .arg(&images));
    ok(Command::new("docker")
        .args(["run", "--rm", "--network", "none", "-v"])
        .arg(format!("{}:/app", dir.display()))
        .args(["-w", "/app", "dslim-e2e/ruby-gems", "sh", "-c"])
        .arg(
            "rm -f Gemfile.lock && mkdir -p vendor/cache && cp /gems/*.gem vendor/cache/ \
             && BUNDLE_PATH=/tmp/bundle bundle install --local --no-cache --quiet",
        ));
}

#[test]
fn init_builds_a_sinatra_app_from_its_vendored_gems() {
    let (_dir, _tmp) = init_and_serve(
        "tests/fixtures/sinatra-classic",
        InitCase {
            prepare: Some(vendor_debian_gems),
            recipe_has: &["ruby \"3.3\"", "\"bundle\" \"exec\" \"ruby\" \"app.rb\""],
            ..InitCase::default()
        },
        4567,
        "/",
        "hello from sinatra",
    );
    // the install read the .gem files; the image has the installed gems and not them
    let cached = ok(Command::new("docker").args([
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        "init-sinatra-classic",
        "-c",
        "find / -xdev -name '*.gem' -path '*vendor/cache*' | wc -l; bundle exec ruby -e 'puts Gem.loaded_specs.keys.sort.join(\" \")'",
    ]));
    let mut lines = cached.lines();
    assert_eq!(lines.next(), Some("0"), "vendor/cache in the image");
    assert!(
        lines.next().is_some_and(|l| l.contains("sinatra")),
        "the bundle does not load sinatra: {cached}"
    );
}

#[test]
fn init_runs_a_rack_app_with_rackup_and_the_ruby_healthcheck_passes() {
    // with jemalloc=#true added, as a user would: Ruby then runs with jemalloc preloaded
    let (dir, _tmp) = init_and_serve(
        "tests/fixtures/rack-config-ru",
        InitCase {
            prepare: Some(vendor_debian_gems),
            recipe_has: &["\"rackup\" \"--host\" \"0.0.0.0\""],
            edit: Some(|r| {
                r.replacen(
                    "manager=\"bundler\"",
                    "manager=\"bundler\" jemalloc=#true",
                    1,
                )
                .replacen("\n}", "\n    healthcheck \"/health\"\n}", 1)
            }),
            ..InitCase::default()
        },
        9292,
        "/",
        "hello from rack",
    );
    assert_turns_healthy(&dir, "dslim-e2e-rack");
    let maps = ok(Command::new("docker").args([
        "run",
        "--rm",
        "--entrypoint",
        "ruby",
        "init-rack-config-ru",
        "-e",
        "puts File.readlines('/proc/self/maps').grep(/jemalloc/).first",
    ]));
    assert!(
        maps.contains("libjemalloc.so.2"),
        "jemalloc is not loaded: {maps:?}"
    );
}

#[test]
fn init_builds_a_mix_release_that_serves_without_elixir_in_the_image() {
    // the example, recipe and generated files left out: a mix project with no Hex dependencies
    // (the lab reaches no Hex) serving with Erlang's own HTTP server; the release runs on
    // Debian slim, with no Elixir, mix or compiler
    let (dir, _tmp) = init_and_serve(
        "examples/elixir-release",
        InitCase {
            recipe_has: &["release=\"hello\"", "port 4000"],
            edit: Some(|r| r.replacen("\n}", "\n    healthcheck \"/\"\n}", 1)),
            ..InitCase::default()
        },
        4000,
        "/",
        "hello from elixir at /",
    );
    assert_turns_healthy(&dir, "dslim-e2e-mix");
    let listing = image_files("init-elixir-release");
    for tool in ["bin/elixir", "bin/mix", "bin/iex"] {
        assert!(
            !listing.lines().any(|p| p.ends_with(tool)),
            "{tool} in the final image"
        );
    }
    assert!(listing.lines().any(|p| p.ends_with("app/bin/hello")));
}

/// The paths of an image's files, as `tar -t` lists its export.
fn image_files(image: &str) -> String {
    let created = ok(Command::new("docker").args(["create", image]))
        .trim()
        .to_string();
    let listing = ok(Command::new("sh").args(["-c", &format!("docker export {created} | tar -t")]));
    let _ = Command::new("docker").args(["rm", &created]).output();
    listing
}

#[test]
fn init_builds_a_flask_apps_vite_assets_in_a_node_stage_and_ships_no_node() {
    // frontend/ is a Vite project writing ../static/dist; the app reads the bundle's hashed
    // name from the manifest vite wrote, so it starts only if the assets reached it
    init_and_serve(
        "tests/fixtures/flask-vite-assets",
        InitCase {
            recipe_has: &["assets output=\"static/dist\" folder=\"frontend\""],
            ..InitCase::default()
        },
        8000,
        "/",
        "/static/dist/assets/main-",
    );
    let listing = image_files("init-flask-vite-assets");
    assert!(
        !listing.lines().any(|p| p.ends_with("bin/node")),
        "node in the final image"
    );
    assert!(listing
        .lines()
        .any(|p| p.ends_with("static/dist/manifest.json")));
    // the front-end's folder stayed in the assets stage: its sources are not the app's
    assert!(!listing.contains("frontend/node_modules/"));
    assert!(!listing.contains("frontend/package.json"));
}

#[test]
fn a_rails_apps_jsbundling_and_cssbundling_build_in_the_assets_stage() {
    // the lab reaches no rubygems.org, so of this Rails app only the assets stage builds here:
    // esbuild and tailwindcss from npm, the two scripts writing app/assets/builds
    let (dir, _name, _tmp) = init_app(
        "tests/fixtures/rails-jsbundling-no-lock",
        InitCase {
            warning: Some("there is no Gemfile.lock"),
            ..InitCase::default()
        },
    );
    let recipe = std::fs::read_to_string(dir.join("dslim.kdl")).unwrap();
    assert!(
        recipe.contains("assets \"build\" \"build:css\" output=\"app/assets/builds\""),
        "{recipe}"
    );
    assert!(
        recipe.contains("SKIP_JS_BUILD=\"1\" SKIP_CSS_BUILD=\"1\""),
        "{recipe}"
    );
    let generated = dslim(&dir, &["generate"]);
    assert!(generated.status.success());
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    ok(Command::new("docker")
        .args([
            "build",
            "-q",
            "--target",
            "assets",
            "-t",
            "dslim-e2e-rails-assets",
            ".",
        ])
        .current_dir(&dir));
    let built = ok(Command::new("docker").args([
        "run",
        "--rm",
        "dslim-e2e-rails-assets",
        "ls",
        "app/assets/builds",
    ]));
    let _ = Command::new("docker")
        .args(["image", "rm", "dslim-e2e-rails-assets"])
        .output();
    assert!(built.contains("application.js"), "{built}");
    assert!(built.contains("application.css"), "{built}");
}

#[path = "e2e/dev.rs"]
mod dev;

#[path = "e2e/lock.rs"]
mod lock;
