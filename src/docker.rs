//! Running Docker: `docker compose build` (the v2 plugin), or `docker-compose` (v1) when that
//! is all there is. Output streams straight to the user's terminal.

use std::process::{Command, Stdio};

use camino::Utf8Path;

use crate::error::Error;

/// How to invoke Compose on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeCommand {
    pub program: String,
    pub prefix: Vec<String>,
}

impl ComposeCommand {
    pub fn plugin(docker: &str) -> Self {
        ComposeCommand {
            program: docker.into(),
            prefix: vec!["compose".into()],
        }
    }

    pub fn args(&self, compose_file: &Utf8Path, extra: &[String]) -> Vec<String> {
        let mut args = self.prefix.clone();
        args.extend(["-f".into(), compose_file.to_string(), "build".into()]);
        args.extend(extra.iter().cloned());
        args
    }

    pub fn display(&self, compose_file: &Utf8Path, extra: &[String]) -> String {
        std::iter::once(self.program.clone())
            .chain(self.args(compose_file, extra))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `DSLIM_DOCKER` names the docker binary (default `docker`).
pub(crate) fn docker_program() -> String {
    std::env::var("DSLIM_DOCKER").unwrap_or_else(|_| "docker".into())
}

/// Which Compose there is; without Docker at all, say so.
pub fn detect_compose() -> Result<ComposeCommand, Error> {
    let docker = docker_program();
    if succeeds(&docker, &["compose", "version"]) {
        return Ok(ComposeCommand::plugin(&docker));
    }
    if succeeds("docker-compose", &["version"]) {
        return Ok(ComposeCommand {
            program: "docker-compose".into(),
            prefix: vec![],
        });
    }
    if succeeds(&docker, &["--version"]) {
        return Err(Error::ComposeMissing);
    }
    Err(Error::DockerMissing)
}

/// Fails with the daemon's own words when it cannot be reached.
pub fn check_daemon() -> Result<(), Error> {
    let docker = docker_program();
    let out = Command::new(&docker)
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output()
        .map_err(|source| Error::Spawn {
            command: format!("{docker} info"),
            source,
        })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let detail = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("docker info failed")
        .trim()
        .to_string();
    Err(Error::DockerDown { detail })
}

/// The size of a local image in bytes, when Docker can tell.
pub fn image_size(image: &str) -> Option<u64> {
    let out = Command::new(docker_program())
        .args(["image", "inspect", "--format", "{{.Size}}", image])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// Bytes as people read image sizes: "12.3 MB" (decimal, as `docker images` prints them).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "kB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

/// Runs the build in `dir`, streaming Docker's output.
pub fn build(
    compose: &ComposeCommand,
    dir: &Utf8Path,
    compose_file: &Utf8Path,
    extra: &[String],
    debug: String,
) -> Result<(), Error> {
    let command = compose.display(compose_file, extra);
    let status = Command::new(&compose.program)
        .args(compose.args(compose_file, extra))
        .current_dir(dir)
        .status()
        .map_err(|source| Error::Spawn {
            command: command.clone(),
            source,
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::BuildFailed {
            command,
            status: status.to_string(),
            debug,
        })
    }
}
