//! Start scripts that run a dependency's executable (`react-router-serve build/server/index.js`,
//! `fastify start app.js`) or set variables first (`NODE_ENV=production node server.js`,
//! `cross-env ...`): the same command as node runs it in the image. The slim image has no
//! `node_modules/.bin` on PATH and distroless has no `/usr/bin/env` for a bin's
//! `#!/usr/bin/env node` line, so the image runs `node node_modules/PACKAGE/PATH`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::project::Project;

/// An executable a package's package.json `bin` names (`[bins]` in node.toml), for the
/// lockfiles that do not record it (yarn's, pnpm's; package-lock.json does).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownBin {
    package: String,
    /// the file, from the package's folder
    path: String,
    /// the port it listens on unless told
    pub port: Option<u16>,
    /// variables it needs in a container (an address to listen on)
    #[serde(default)]
    pub env: Vec<(String, String)>,
}

/// A start script read as a command node runs.
#[derive(Debug, PartialEq)]
pub struct StartCommand {
    pub argv: Vec<String>,
    /// variables the script sets before its command (`NODE_ENV=production node ...`)
    pub env: Vec<(String, String)>,
    /// the dependency whose executable it runs, if it runs one
    pub package: Option<String>,
    /// that executable's name, for its `[bins]` data
    pub bin: Option<String>,
    /// the dependency is a devDependency (tsx): the final image needs those
    pub dev: bool,
}

/// Programs that only set variables for the command after them.
const ENV_SETTERS: [&str; 2] = ["cross-env", "env"];

/// The executables a project's dependencies bring: package-lock.json's record of each
/// package's `bin` (read once), else the `[bins]` data.
pub struct Executables<'k> {
    lock: Option<Value>,
    known: &'k BTreeMap<String, KnownBin>,
}

impl<'k> Executables<'k> {
    pub fn of(project: &Project, known: &'k BTreeMap<String, KnownBin>) -> Self {
        let lock = project
            .read("package-lock.json")
            .and_then(|text| serde_json::from_str(&text).ok());
        Executables { lock, known }
    }

    /// The package among `dependencies` whose `bin` is `program`, and its file.
    fn provider(&self, program: &str, dependencies: &[String]) -> Option<(String, String)> {
        self.in_lock(program, dependencies).or_else(|| {
            let known = self.known.get(program)?;
            dependencies
                .contains(&known.package)
                .then(|| (known.package.clone(), known.path.clone()))
        })
    }

    /// The same, from package-lock.json (versions 2 and 3 record each package's `bin`).
    fn in_lock(&self, program: &str, dependencies: &[String]) -> Option<(String, String)> {
        let packages = self.lock.as_ref()?["packages"].as_object()?;
        dependencies.iter().find_map(|name| {
            let path = packages.get(&format!("node_modules/{name}"))?["bin"][program].as_str()?;
            Some((name.clone(), path.to_string()))
        })
    }
}

/// `script` as node runs it: the variables it sets before its command, then `node FILE ...`
/// itself or the executable of a dependency (a production one, else one of `dev`). None for
/// anything else (a shell `&&`, a program the image does not have).
pub fn start_command(
    script: &str,
    executables: &Executables,
    dependencies: &[String],
    dev: &[String],
) -> Option<StartCommand> {
    let words = shlex::split(script)?;
    if words
        .iter()
        .any(|w| matches!(w.as_str(), "&&" | "||" | ";" | "|"))
    {
        return None;
    }
    let mut env = vec![];
    let mut rest = words.as_slice();
    while let Some((first, tail)) = rest.split_first() {
        if ENV_SETTERS.contains(&first.as_str()) {
            rest = tail;
        } else if let Some((name, value)) = assignment(first) {
            env.push((name, value));
            rest = tail;
        } else {
            break;
        }
    }
    let (program, args) = rest.split_first()?;
    if program == "node" {
        let argv = std::iter::once(program).chain(args).cloned().collect();
        return Some(StartCommand {
            argv,
            env,
            package: None,
            bin: None,
            dev: false,
        });
    }
    let (found, is_dev) = match executables.provider(program, dependencies) {
        Some(found) => (found, false),
        None => (executables.provider(program, dev)?, true),
    };
    let (package, path) = found;
    let file = format!("node_modules/{package}/{}", path.trim_start_matches("./"));
    let argv = ["node".to_string(), file]
        .into_iter()
        .chain(args.iter().cloned())
        .collect();
    Some(StartCommand {
        argv,
        env,
        package: Some(package),
        bin: Some(program.clone()),
        dev: is_dev,
    })
}

/// `NAME=value` before a command.
fn assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> BTreeMap<String, KnownBin> {
        let data = r#"
            [remix-serve]
            package = "@remix-run/serve"
            path = "dist/cli.js"
        "#;
        toml::from_str(data).expect("test data")
    }

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        let root = camino::Utf8PathBuf::try_from(dir.path().to_path_buf()).expect("utf-8");
        (dir, Project::new(&root))
    }

    #[test]
    fn a_dependency_bin_runs_with_node_from_the_lock_or_the_data() {
        let lock = r#"{"packages": {"node_modules/fastify-cli": {"bin": {"fastify": "cli.js"}}}}"#;
        let (_dir, p) = project(&[("package-lock.json", lock)]);
        let known = known();
        let x = Executables::of(&p, &known);
        let deps = vec!["fastify-cli".to_string(), "@remix-run/serve".to_string()];
        let fastify = start_command("fastify start -l info app.js", &x, &deps, &[]);
        assert_eq!(
            fastify.map(|c| c.argv),
            Some(
                [
                    "node",
                    "node_modules/fastify-cli/cli.js",
                    "start",
                    "-l",
                    "info",
                    "app.js"
                ]
                .map(String::from)
                .to_vec()
            )
        );
        let remix = start_command("remix-serve ./build/server/index.js", &x, &deps, &[]);
        assert_eq!(
            remix.and_then(|c| c.argv.get(1).cloned()),
            Some("node_modules/@remix-run/serve/dist/cli.js".to_string())
        );
    }

    #[test]
    fn a_bin_of_no_dependency_or_a_shell_line_is_not_a_start_command() {
        let (_dir, p) = project(&[]);
        let known = known();
        let x = Executables::of(&p, &known);
        let deps = vec!["express".to_string()];
        assert_eq!(start_command("remix-serve build", &x, &deps, &[]), None);
        assert_eq!(start_command("nodemon index.js", &x, &deps, &[]), None);
        let line = "npm run build && node dist/index.js";
        assert_eq!(start_command(line, &x, &deps, &[]), None);
        // a devDependency's bin runs too, saying so
        let dev = vec!["@remix-run/serve".to_string()];
        let started = start_command("remix-serve build", &x, &deps, &dev);
        assert!(started.is_some_and(|c| c.dev));
    }

    #[test]
    fn variables_set_before_the_command_are_its_environment() {
        let (_dir, p) = project(&[]);
        let known = known();
        let x = Executables::of(&p, &known);
        let started = start_command(
            "cross-env NODE_ENV=production PORT=8080 node server.js",
            &x,
            &[],
            &[],
        );
        let expected = StartCommand {
            argv: vec!["node".into(), "server.js".into()],
            env: vec![
                ("NODE_ENV".into(), "production".into()),
                ("PORT".into(), "8080".into()),
            ],
            package: None,
            bin: None,
            dev: false,
        };
        assert_eq!(started, Some(expected));
    }
}
