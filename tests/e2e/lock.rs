//! dslim.lock against a real registry: Debian's `docker-registry` on 127.0.0.1 (named by its
//! address: hadolint cannot parse a dotless host with a port, hadolint#355), holding the
//! lab's python image under the tag the recipe builds from. A locked build keeps the digest
//! it was locked at after the tag moves; `dslim lock --update` takes the move.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{build, check_image, copy_example, dslim, http_get, ok, require_docker, DOCKER};

/// A registry serving from a temporary folder; stopped when dropped.
struct Registry {
    child: Child,
    port: u16,
    _storage: tempfile::TempDir,
}

impl Registry {
    fn start() -> Registry {
        let storage = tempfile::tempdir().unwrap();
        // a free port: the kernel's pick, released for the registry to take
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = storage.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
                storage.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .args(["serve", config.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start docker-registry ({e}): apt-get install docker-registry")
            });
        let registry = Registry {
            child,
            port,
            _storage: storage,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while http_get(port, "/v2/").is_err() {
            assert!(Instant::now() < deadline, "the registry did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        registry
    }

    /// Pushes a Dockerfile's image under `reference` in this registry.
    fn push(&self, reference: &str, dockerfile: &str) {
        let context = tempfile::tempdir().unwrap();
        std::fs::write(context.path().join("Dockerfile"), dockerfile).unwrap();
        ok(Command::new("docker")
            .args(["build", "-q", "-t", reference, "."])
            .current_dir(context.path()));
        ok(Command::new("docker").args(["push", "-q", reference]));
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lock_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("dslim.lock")).unwrap()
}

/// Whether the built image has the file the moved tag's image adds.
fn has_moved_file(image: &str) -> bool {
    Command::new("docker")
        .args([
            "run",
            "--rm",
            "--entrypoint",
            "test",
            image,
            "-e",
            "/etc/dslim-moved",
        ])
        .status()
        .unwrap()
        .success()
}

#[test]
fn a_locked_build_keeps_its_digest_when_the_tag_moves() {
    require_docker();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let registry = Registry::start();
    let port = registry.port;
    let tag = format!("127.0.0.1:{port}/library/python:3.13-slim-trixie");
    registry.push(&tag, "FROM python:3.13-slim-trixie\n");

    let dir = copy_example("flask");
    let dir = dir.path();
    let recipe = dir.join("dslim.kdl");
    let text = std::fs::read_to_string(&recipe).unwrap();
    let mirrored = format!(
        "python \"3.13\" manager=\"pip\"\n    base \"debian\" registry=\"127.0.0.1:{port}\""
    );
    std::fs::write(
        &recipe,
        // its own image, apart from the flask example's test
        text.replacen("python \"3.13\" manager=\"pip\"", &mirrored, 1)
            .replace("app \"flask\"", "app \"flask-locked\""),
    )
    .unwrap();

    let locked = dslim(dir, &["lock"]);
    assert!(
        locked.status.success(),
        "{}",
        String::from_utf8_lossy(&locked.stderr)
    );
    let first = lock_text(dir);
    let digest = first
        .split("digest=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(first.contains("platform \"linux/amd64\""), "{first}");

    // the tag moves to an image with one more file
    registry.push(
        &tag,
        "FROM python:3.13-slim-trixie\nRUN echo moved > /etc/dslim-moved\n",
    );

    build(dir, "flask");
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(&format!("FROM {tag}@{digest} AS runtime")),
        "{dockerfile}"
    );
    check_image(dir, "flask", "flask-locked", 8000, "/", "Hello from Flask");
    assert!(
        !has_moved_file("flask-locked"),
        "the locked build used the moved tag"
    );
    assert!(dslim(dir, &["check"]).status.success());

    // `lock --update` takes the move, after a review of its diff
    let updated = dslim(dir, &["lock", "--update"]);
    let said = String::from_utf8_lossy(&updated.stderr);
    assert!(
        said.contains(&format!("moved {tag} {}", &digest[..19])),
        "{said}"
    );
    assert_ne!(lock_text(dir), first);
    build(dir, "flask");
    assert!(
        has_moved_file("flask-locked"),
        "the updated lock did not take the move"
    );

    // a recipe moved to another version: its lock is stale until `dslim lock`
    let text = std::fs::read_to_string(&recipe).unwrap();
    std::fs::write(&recipe, text.replace("python \"3.13\"", "python \"3.11\"")).unwrap();
    let stale = dslim(dir, &["check"]);
    let said = String::from_utf8_lossy(&stale.stderr);
    assert_eq!(stale.status.code(), Some(1), "{said}");
    assert!(
        said.contains("dslim.lock pins no digest for 127.0.0.1:"),
        "{said}"
    );
    assert!(said.contains("which the recipe no longer"), "{said}");
}
