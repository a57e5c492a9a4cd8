//! A test builder that reads like a spec: a recipe (and other files) in a fresh folder,
//! a dslim command line, and what must come out.
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;

pub struct Test {
    pub dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    status: i32,
    stdout: Vec<String>,
    stderr: Vec<String>,
}

pub struct Output {
    pub dir: tempfile::TempDir,
    /// the environment of the first run, which runs `again` get too (a fake docker)
    env: Vec<(String, String)>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Runs dslim again in the same folder.
    pub fn again(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = Command::cargo_bin("dslim").unwrap();
        cmd.current_dir(self.dir.path())
            .args(args)
            .env("NO_COLOR", "1")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap()
    }

    pub fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

impl Test {
    pub fn new() -> Self {
        Test {
            dir: tempfile::tempdir().unwrap(),
            args: vec![],
            env: vec![],
            status: 0,
            stdout: vec![],
            stderr: vec![],
        }
    }

    /// Writes `dslim.kdl`.
    pub fn recipe(self, text: &str) -> Self {
        self.file("dslim.kdl", text)
    }

    pub fn file(self, name: &str, text: &str) -> Self {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Copies a folder of the repository (`tests/monorepo`) in, whole.
    pub fn copy_of(self, folder: &str) -> Self {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        copy_dir(&from, self.dir.path());
        self
    }

    /// A shell script standing in for the `docker` CLI, used through DSLIM_DOCKER.
    pub fn fake_docker(self, script: &str) -> Self {
        let test = self.file("bin/docker", &format!("#!/bin/sh\n{script}\n"));
        let docker = test.path().join("bin/docker");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let docker = docker.to_string_lossy().into_owned();
        test.env("DSLIM_DOCKER", &docker)
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn status(mut self, status: i32) -> Self {
        self.status = status;
        self
    }

    pub fn stdout_has(mut self, text: &str) -> Self {
        self.stdout.push(text.into());
        self
    }

    pub fn stderr_has(mut self, text: &str) -> Self {
        self.stderr.push(text.into());
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn run(self) -> Output {
        let mut cmd = Command::cargo_bin("dslim").unwrap();
        cmd.current_dir(self.dir.path())
            .args(&self.args)
            .env("NO_COLOR", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(self.status),
            "dslim {:?} exited {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            self.args,
            out.status.code()
        );
        for want in &self.stdout {
            assert!(
                stdout.contains(want.as_str()),
                "stdout lacks {want:?}:\n{stdout}"
            );
        }
        for want in &self.stderr {
            assert!(
                stderr.contains(want.as_str()),
                "stderr lacks {want:?}:\n{stderr}"
            );
        }
        Output {
            dir: self.dir,
            env: self.env,
            stdout,
            stderr,
        }
    }
}

/// dslim's own data and stacks.
pub fn catalog() -> &'static dslim::stacks::Catalog {
    dslim::stacks::Catalog::builtin().expect("the built-in data loads")
}

/// Compiles recipe text in-process, as the command line would without a project folder.
pub fn compile(recipe: &str) -> Result<dslim::compile::Unit, dslim::compile::Failure> {
    dslim::compile::compile_text(catalog(), recipe, "dslim.kdl")
}

/// Compiles recipe text in-process and returns the three files, for snapshots.
pub fn files(recipe: &str) -> String {
    let unit = compile(recipe).unwrap_or_else(|e| panic!("recipe rejected: {e:?}"));
    unit.rendered
        .files
        .iter()
        .map(|(name, text)| format!("==> {name} <==\n{text}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The Dockerfile's instructions, one per logical line (continuations joined, comments dropped).
pub fn instructions(dockerfile: &str) -> Vec<String> {
    let mut out = vec![];
    let mut current = String::new();
    for line in dockerfile.lines() {
        if current.is_empty() && (line.trim_start().starts_with('#') || line.trim().is_empty()) {
            continue;
        }
        if let Some(stripped) = line.strip_suffix('\\') {
            current.push_str(stripped);
            continue;
        }
        current.push_str(line);
        out.push(std::mem::take(&mut current));
    }
    out
}

/// Copies the folder `from` to `to`, whole.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
