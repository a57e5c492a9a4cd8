//! The development target: the production image stays the same image when a recipe gains a
//! `dev` node, and `docker compose watch` on compose.dev.yaml syncs an edit into the running
//! development server.

use std::process::Command;
use std::time::{Duration, Instant};

use super::{assert_lint_clean, build, copy_example, http_get, ok, require_docker, run, DOCKER};

const DEV: &str = "    dev \"flask\" \"--app\" \"app\" \"run\" \"--host\" \"0.0.0.0\" \"--port\" \"8000\" \"--debug\" FLASK_DEBUG=\"1\"\n}";

fn image_id(image: &str) -> String {
    ok(Command::new("docker").args(["image", "inspect", "-f", "{{.Id}}", image]))
        .trim()
        .to_string()
}

#[test]
fn a_dev_target_leaves_the_production_image_alone_and_compose_watch_syncs_edits_into_it() {
    require_docker();
    let _lock = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = copy_example("flask");
    let dir = tmp.path();
    build(dir, "flask");
    let production = image_id("flask");

    let recipe = dir.join("dslim.kdl");
    let text = std::fs::read_to_string(&recipe).unwrap();
    std::fs::write(&recipe, text.replacen("\n}", &format!("\n{DEV}"), 1)).unwrap();
    build(dir, "flask");
    assert_eq!(image_id("flask"), production, "the runtime image changed");
    assert!(dir.join("compose.dev.yaml").exists());
    assert_lint_clean(dir, "flask with a dev stage");

    let compose = |args: &[&str]| {
        let mut command = Command::new("docker");
        command
            .args(["compose", "-p", "dslim-e2e-dev"])
            .args(["-f", "compose.yaml", "-f", "compose.dev.yaml"])
            .args(args)
            .current_dir(dir);
        command
    };
    let up = run(&mut compose(&[
        "up",
        "-d",
        "--build",
        "--wait",
        "--wait-timeout",
        "120",
    ]));
    let mut watch = compose(&["watch", "--no-up"]).spawn().unwrap();
    let result = (|| -> Result<(), String> {
        if !up.status.success() {
            return Err(String::from_utf8_lossy(&up.stderr).into());
        }
        let first = http_get(8000, "/")?;
        if !first.contains("Hello from Flask") {
            return Err(format!("the dev server answered {first:?}"));
        }
        // compose watch needs a moment to start watching
        std::thread::sleep(Duration::from_secs(5));
        let app = dir.join("app.py");
        let source = std::fs::read_to_string(&app).unwrap();
        std::fs::write(&app, source.replace("Hello from Flask", "Hello, synced")).unwrap();
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            match http_get(8000, "/") {
                Ok(answer) if answer.contains("Hello, synced") => return Ok(()),
                answer if Instant::now() > deadline => {
                    return Err(format!("the edit never reached the server: {answer:?}"))
                }
                _ => std::thread::sleep(Duration::from_millis(500)),
            }
        }
    })();
    let _ = watch.kill();
    let _ = watch.wait();
    let _ = compose(&["down"]).output();
    result.unwrap();
    // the development build has a tag of its own: the production one still names runtime
    assert_eq!(
        image_id("flask"),
        production,
        "the dev build took the production tag"
    );
    assert_ne!(image_id("flask:dev"), production);
}
