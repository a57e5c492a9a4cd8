//! What dslim knows, as data: `recipes/base.toml` (distros, the SPA server, planned stacks) and
//! one `recipes/stacks/NAME.toml` per stack. Code asks this module what an image is called or
//! how a package manager installs; it never spells those things itself.
//!
//! Everything is checked when it loads: patterns compile, templates use only the names their
//! field allows, defaults name things that exist. A broken file is a load error, which the
//! tests turn into a failed build; no lookup later can then fail.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::template::{Pattern, PortNames, ProbeNames, RequirementsNames, Template};

pub const BASE_TOML: &str = include_str!("../../recipes/base.toml");

/// The final images dslim builds; "minimal" names, per stack, the smallest of them that runs it.
pub const RUNTIMES: &[&str] = &["slim", "distroless", "scratch", "minimal"];

mod base;
mod idle;
mod images;

use base::Base;
pub use base::{Distro, Planned, Probe, ShellLess, Spa};
pub use images::Images;

/// What every stack's table holds. A stack's own fields (install commands, detection
/// patterns) are read from the same table by the stack itself, in `src/stacks/NAME/`.
#[derive(Debug, Deserialize)]
pub struct StackData {
    /// for a stack without managers (go, rust): where a `secret file=` is mounted
    #[serde(default)]
    pub secret_file: Option<String>,
    pub title: String,
    /// one sentence on what dslim builds for the stack
    pub summary: String,
    pub default_version: String,
    pub version_pattern: Pattern,
    pub version_example: String,
    pub min_version: String,
    /// whether the current release builds code written for older ones (Go's and Rust's
    /// compatibility promises): a project asking for a release older than `min_version` then
    /// gets `default_version` rather than `min_version`
    #[serde(default)]
    pub newest_builds_older: bool,
    #[serde(default)]
    pub default_manager: Option<String>,
    /// (file, manager): the manager a file in the project implies, first match wins
    #[serde(default)]
    pub manager_files: Vec<(String, String)>,
    pub default_runtime: String,
    pub runtimes: Vec<String>,
    /// what `runtime "minimal"` is for this stack, when it is one of its runtimes
    #[serde(default)]
    pub minimal: Option<String>,
    /// the stack node's properties, and what each means
    pub properties: BTreeMap<String, String>,
    /// those of them that are #true or #false
    #[serde(default)]
    pub flags: Vec<String>,
    /// recipe nodes that only this stack takes
    #[serde(default)]
    pub nodes: Vec<String>,
    /// where `dslim init` looks for a package.json that builds the app's front-end assets
    #[serde(default)]
    pub asset_folders: Vec<String>,
    /// the entrypoint a recipe without one is told to write (empty when the stack has a default)
    #[serde(default)]
    pub entrypoint_example: Vec<String>,
    pub default_port: u16,
    /// files that show an app is of this stack, for `dslim init`
    #[serde(default)]
    pub signs: Vec<String>,
    pub dockerignore: Vec<String>,
    /// the healthcheck's command with the stack's interpreter; empty: dslim's static probe
    #[serde(default)]
    pub healthcheck: Vec<Template<ProbeNames>>,
    /// the runtimes that have the interpreter the healthcheck probes with; the others get
    /// dslim's static probe
    #[serde(default = "slim_only")]
    pub healthcheck_runtimes: Vec<String>,
    #[serde(default)]
    pub runtime_env: Vec<(String, String)>,
    /// the development stage's settings, over `runtime_env` (NODE_ENV, MIX_ENV, Bundler's groups)
    #[serde(default)]
    pub dev_env: Vec<(String, String)>,
    #[serde(default)]
    pub image_user: Option<String>,
    /// where the commands of an image with no shell are: a bare command name in the entrypoint
    /// or healthcheck gets this folder
    #[serde(default)]
    pub command_dir: Option<String>,
    /// runtime-libs reach an image with no shell (the stage that gathers its interpreter
    /// copies their files)
    #[serde(default)]
    pub shell_less_runtime_libs: bool,
    pub images: BTreeMap<String, Images>,
    #[serde(default)]
    pub managers: BTreeMap<String, Manager>,
    #[serde(default)]
    pub compose_init: bool,
    /// what to do when the files the build copies first are missing
    #[serde(default)]
    pub missing_hint: Option<String>,
    /// libraries that need system packages to build or run, by dependency name
    #[serde(default)]
    pub native: BTreeMap<String, NativeEntry>,
    /// how servers a Procfile or Dockerfile starts are made to listen on all interfaces
    #[serde(default)]
    pub listen: Vec<Listen>,
    /// frameworks that listen on a port of their own, or on localhost, unless told
    #[serde(default)]
    pub frameworks: Vec<Framework>,
    /// words a declared command starts with that only run the rest (`poetry run`)
    #[serde(default)]
    pub run_prefixes: Vec<Vec<String>>,
    /// programs that run a manifest's scripts (`npm start`): a declared command starting with
    /// one is left to the stack's own detection, which reads the script
    #[serde(default)]
    pub script_runners: Vec<String>,
    /// scripts a declared command runs that make a server's app and never start it
    #[serde(default)]
    pub idle_scripts: Option<idle::IdleScripts>,
}

/// A framework an app depends on, and how it is told where to listen.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// the dependency that brings it
    pub dependency: String,
    /// the port it listens on when nothing says otherwise
    pub port: u16,
    /// its configuration file, and the pattern of the port in it (group 1)
    #[serde(default)]
    pub config: Option<(String, Pattern)>,
    /// variables that make it listen on all interfaces at the recipe's port
    #[serde(default)]
    pub env: BTreeMap<String, Template<PortNames>>,
}

/// A server that listens on localhost, or on a port of its own, unless told otherwise.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listen {
    /// the command's first words
    pub command: Vec<String>,
    /// what to add, each part on its own: `--host` where the command gives only `--port`
    pub flags: Vec<ListenFlag>,
}

/// Words that tell a server where to listen, unless its command already says it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenFlag {
    pub add: Vec<Template<PortNames>>,
    /// flags that already say it
    #[serde(default)]
    pub unless: Vec<String>,
    /// whether a word after the command that is an address (`0.0.0.0:8000`, `8000`) says it
    #[serde(default)]
    pub unless_address: bool,
}

impl StackData {
    /// The nearest lockfile of one of the stack's managers in a folder above the project (a
    /// workspace's root): its path from the project (`../../pnpm-lock.yaml`), and its manager.
    pub fn manager_above(&self, project: &crate::project::Project) -> Option<(String, &String)> {
        let files: Vec<&str> = self.manager_files.iter().map(|(f, _)| f.as_str()).collect();
        let (path, file) = project.above(&files, crate::local_packages::LEVELS)?;
        let (_, manager) = self.manager_files.iter().find(|(f, _)| *f == file)?;
        Some((path, manager))
    }

    /// The runtime a recipe's `runtime` value means: the stack's default when it names none,
    /// and for "minimal" the stack's smallest (its `minimal`, else its default).
    pub fn runtime_named<'a>(&'a self, written: Option<&'a str>) -> &'a str {
        match written {
            None => &self.default_runtime,
            Some("minimal") => self.minimal.as_deref().unwrap_or(&self.default_runtime),
            Some(other) => other,
        }
    }
}

impl Distro {
    /// `packages` and the companions each needs (which `--no-install-recommends` leaves out).
    pub fn with_companions(&self, packages: &[String]) -> Vec<String> {
        let name = |p: &str| p.split('=').next().unwrap_or(p).to_string();
        let mut all = packages.to_vec();
        for package in packages {
            for companion in self.companions.get(&name(package)).into_iter().flatten() {
                if !all.iter().any(|p| name(p) == *companion) {
                    all.push(companion.clone());
                }
            }
        }
        all
    }

    /// Its releases, the default first, then the others newest first.
    pub fn releases_by_preference(&self) -> Vec<&str> {
        let mut others: Vec<(&String, u32)> = self
            .releases
            .iter()
            .filter(|(name, _)| **name != self.default_release)
            .map(|(name, number)| (name, number.parse().unwrap_or(0)))
            .collect();
        others.sort_by_key(|(_, number)| std::cmp::Reverse(*number));
        let mut all = vec![self.default_release.as_str()];
        all.extend(others.into_iter().map(|(name, _)| name.as_str()));
        all
    }

    /// The release most preferred of those `has` accepts (where an image is published).
    pub fn preferred_release(&self, has: impl Fn(&str) -> bool) -> Option<&str> {
        self.releases_by_preference().into_iter().find(|r| has(r))
    }
}

/// What every package manager's table holds; stacks read their install commands themselves.
#[derive(Debug, Deserialize)]
pub struct Manager {
    pub manifests: Vec<Template<RequirementsNames>>,
    pub cache: Vec<String>,
    /// the manager's cache takes one install at a time
    #[serde(default)]
    pub cache_locked: bool,
    #[serde(default)]
    pub builder_env: Vec<(String, String)>,
    #[serde(default)]
    pub missing_hint: Option<String>,
    /// its workspaces, where members install from the root's lockfile
    #[serde(default)]
    pub workspace: Option<crate::local_packages::ManagerWorkspace>,
    /// the configuration file it reads credentials from: where a `secret file=` is mounted
    #[serde(default)]
    pub secret_file: Option<String>,
    /// what the development stage installs besides the production dependencies (dev groups)
    #[serde(default)]
    pub install_dev: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct NativeEntry {
    pub why: String,
    /// where the fact comes from: the library's own install notes or docs (a URL)
    pub source: String,
    /// packages that, beside it, bring what it needs (psycopg-binary for psycopg)
    #[serde(default)]
    pub unless: Vec<String>,
    /// build and run packages per distro
    #[serde(flatten)]
    pub packages: BTreeMap<String, Packages>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Packages {
    pub build: Vec<String>,
    pub run: Vec<String>,
}

fn slim_only() -> Vec<String> {
    vec!["slim".into()]
}

/// All of it, checked.
#[derive(Debug)]
pub struct Knowledge {
    pub distros: BTreeMap<String, Distro>,
    pub spa: Spa,
    pub probe: Probe,
    pub shell_less: ShellLess,
    pub planned: BTreeMap<String, Planned>,
    /// in the order they were registered
    pub stacks: Vec<(String, StackData)>,
}

/// A data file that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub detail: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.detail)
    }
}

impl From<LoadError> for crate::error::Error {
    fn from(e: LoadError) -> Self {
        crate::error::Error::Bug {
            detail: e.to_string(),
        }
    }
}

/// The file name a stack's data is read from, for errors.
pub fn stack_file(name: &str) -> String {
    format!("recipes/stacks/{name}.toml")
}

/// Reads a TOML table into `T`, naming the file on failure.
pub fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, LoadError> {
    parse_noting_unused(file, text).map(|(value, _)| value)
}

/// Reads a TOML table into `T`, and the keys `T` has no field for (`managers.pip.install`).
/// A stack's file is read twice, for the common fields and for the stack's own: a key neither
/// reads is a mistake (a typo in an optional field would otherwise go unnoticed).
pub fn parse_noting_unused<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<(T, BTreeSet<String>), LoadError> {
    let fail = |detail: String| LoadError {
        file: file.to_string(),
        detail,
    };
    let deserializer = toml::Deserializer::new(text);
    let mut unused = BTreeSet::new();
    let value = serde_ignored::deserialize(deserializer, |path| {
        unused.insert(path.to_string());
    })
    .map_err(|e| fail(e.to_string()))?;
    Ok((value, unused))
}

impl Knowledge {
    /// Reads the base data and each stack's table (name, TOML text), and checks them together.
    pub fn load(base: &str, stacks: &[(&str, &str)]) -> Result<Knowledge, LoadError> {
        let base: Base = parse("recipes/base.toml", base)?;
        let mut loaded = vec![];
        for (name, text) in stacks {
            let data: StackData = parse(&stack_file(name), text)?;
            loaded.push((name.to_string(), data));
        }
        let knowledge = Knowledge {
            distros: base.distros,
            spa: base.spa,
            probe: base.probe,
            shell_less: base.shell_less,
            planned: base.planned,
            stacks: loaded,
        };
        knowledge.check()?;
        Ok(knowledge)
    }

    pub fn stack(&self, name: &str) -> Option<&StackData> {
        self.stacks.iter().find(|(n, _)| n == name).map(|(_, d)| d)
    }

    /// The stacks' names, sorted (for messages; detection runs in registration order).
    pub fn stack_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.stacks.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        names
    }

    /// What cannot be said by types: defaults that name things that exist.
    fn check(&self) -> Result<(), LoadError> {
        let fail = |file: String, detail: String| Err(LoadError { file, detail });
        for (name, distro) in &self.distros {
            if !distro.release_pattern.is_match(&distro.default_release) {
                return fail(
                    "recipes/base.toml".into(),
                    format!("{name}: the default release does not match release_pattern"),
                );
            }
        }
        if self.spa.default_port < 1024 {
            return fail(
                "recipes/base.toml".into(),
                "spa: unprivileged nginx cannot listen below 1024".into(),
            );
        }
        for (name, stack) in &self.stacks {
            let file = stack_file(name);
            let minimal_is_real = stack
                .minimal
                .as_ref()
                .is_some_and(|m| m != "minimal" && stack.runtimes.contains(m));
            if stack.runtimes.iter().any(|r| r == "minimal") && !minimal_is_real {
                return fail(
                    file,
                    "runtime \"minimal\" needs `minimal`, naming another of its runtimes".into(),
                );
            }
            if self.planned.contains_key(name) {
                return fail(
                    "recipes/base.toml".into(),
                    format!("{name} is a stack now: remove [planned.{name}]"),
                );
            }
            for version in [&stack.default_version, &stack.version_example] {
                if !stack.version_pattern.is_match(version) {
                    return fail(
                        file,
                        format!("version {version} does not match version_pattern"),
                    );
                }
            }
            let managers = stack
                .default_manager
                .iter()
                .chain(stack.manager_files.iter().map(|(_, m)| m));
            for manager in managers {
                if !stack.managers.contains_key(manager) {
                    return fail(file, format!("manager {manager} has no [managers] table"));
                }
            }
            if !stack.runtimes.contains(&stack.default_runtime) {
                return fail(file, "default_runtime is not among runtimes".into());
            }
            if let Some(r) = stack
                .runtimes
                .iter()
                .find(|r| !RUNTIMES.contains(&r.as_str()))
            {
                return fail(file, format!("runtime {r} is not one dslim builds"));
            }
            if let Some(unknown) = stack.images.keys().find(|d| !self.distros.contains_key(*d)) {
                let known: Vec<&String> = self.distros.keys().collect();
                return fail(
                    file,
                    format!("[images.{unknown}] names no distro (dslim knows {known:?})"),
                );
            }
            for (distro_name, distro) in &self.distros {
                // a distro without images: recipes asking for it get an error naming the stack
                let Some(images) = stack.images.get(distro_name) else {
                    continue;
                };
                let named = (images.since.keys().map(|r| ("since", r)))
                    .chain(images.until.keys().map(|r| ("until", r)));
                for (field, r) in named {
                    if !distro.releases.contains_key(r) {
                        return fail(
                            file,
                            format!(
                                "images.{distro_name}.{field} names {r}, not a {distro_name} release"
                            ),
                        );
                    }
                }
            }
            for (library, entry) in &stack.native {
                if let Some(d) = self
                    .distros
                    .keys()
                    .find(|d| !entry.packages.contains_key(*d))
                {
                    return fail(file, format!("native.{library} has no {d} packages"));
                }
                if !entry.source.starts_with("https://") {
                    return fail(
                        file,
                        format!("native.{library}: `source` is the URL of the page that says so"),
                    );
                }
            }
        }
        Ok(())
    }
}

/// Compares dotted version numbers ("3.9" < "3.13").
pub fn version_at_least(version: &str, min: &str) -> bool {
    let parse = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    let (v, m) = (parse(version), parse(min));
    for i in 0..m.len().max(v.len()) {
        let (a, b) = (
            v.get(i).copied().unwrap_or(0),
            m.get(i).copied().unwrap_or(0),
        );
        if a != b {
            return a > b;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("3.13", "3.9"));
        assert!(!version_at_least("3.8", "3.9"));
        assert!(version_at_least("1.24.2", "1.24"));
        assert!(!version_at_least("17", "18"));
    }
}
