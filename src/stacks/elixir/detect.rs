//! Detecting Elixir apps: mix.exs (the app, its release, its dependencies and asset alias), the
//! Elixir the project names, Phoenix, and the port its config reads.

use serde::Deserialize;

use super::Elixir;
use crate::detect::{
    major_minor, BuildStep, DetectInput, Detection, EnvReads, Evidence, Finding, NativeDep,
};
use crate::error::Warning;
use crate::project::Project;
use crate::template::Pattern;

const MIX_EXS: &str = "mix.exs";

/// What init looks for in an Elixir app (`[detect]` of elixir.toml).
#[derive(Debug, Deserialize)]
pub struct ElixirDetect {
    env: EnvReads,
    /// (file, pattern): where the project names its Elixir, group 1
    versions: Vec<(String, Pattern)>,
    /// mix.exs's `app: :name`, group 1
    app: Pattern,
    /// mix.exs's first release, group 1
    release: Pattern,
    /// a mix.exs dependency, group 1
    dependency: Pattern,
    /// a git dependency in mix.lock, group 1, and the packages that fetch it
    git_dependency: Pattern,
    git_packages: Vec<String>,
    git_why: String,
    /// the dependency that makes an app a Phoenix app, and what its release needs to serve
    phoenix: String,
    phoenix_env: Vec<(String, String)>,
    /// mix.exs's alias that builds the assets, and the build step that runs it
    assets_alias: Pattern,
    assets_step: Vec<String>,
    ports: Vec<Pattern>,
    /// the config a release reads, in the order init looks for the port
    release_config: Vec<String>,
    /// config files a release never reads
    not_in_release: Vec<String>,
}

pub fn detect(stack: &Elixir, input: &DetectInput) -> Option<Detection> {
    let project = input.project;
    if !project.exists(MIX_EXS) {
        return None;
    }
    let k = &stack.detect;
    let mut d = Detection::new(input.stack, input.signs());
    d.manager = input.manager_by_file();
    d.version = Some(version(project, k).unwrap_or_else(|| input.default_version()));
    d.dependencies = dependencies(project, k);
    d.native = (d.dependencies.iter())
        .filter_map(|(name, evidence)| input.native_dep(name, evidence.clone()))
        .collect();
    d.native.extend(git_dependencies(project, k));
    if !d.dependencies.is_empty() && !project.exists("mix.lock") {
        d.warnings.push(Warning::BuildsWithoutLock {
            lockfile: "mix.lock".into(),
        });
    }
    // the release mix builds: the first one mix.exs names, else the app's
    let named = project
        .find(MIX_EXS, &k.release.0)
        .or_else(|| project.find(MIX_EXS, &k.app.0));
    if let Some((line, name)) = named {
        d.stack_property = Some((
            "release",
            Finding::found(name, Evidence::line(MIX_EXS, line, "")),
        ));
    }
    let phoenix = d
        .dependencies
        .iter()
        .find(|(name, _)| *name == k.phoenix)
        .map(|(_, evidence)| evidence.clone());
    if let Some(evidence) = &phoenix {
        let why = Evidence {
            note: "a Phoenix endpoint serves in a release only when told".into(),
            ..evidence.clone()
        };
        d.set_envs(&k.phoenix_env, &why);
    }
    if let Some((line, _)) = project.find(MIX_EXS, &k.assets_alias.0) {
        d.build_steps.push(Finding::found(
            BuildStep {
                argv: k.assets_step.clone(),
                env: vec![],
            },
            Evidence::line(MIX_EXS, line, "the assets' build"),
        ));
    }
    // the app's code and the config a release reads, runtime.exs first: not the tests', nor
    // the config of dev and test (config/dev.exs has a port of its own, on 127.0.0.1)
    let mut sources: Vec<String> = project
        .sources(&["ex", "exs"], 3)
        .into_iter()
        .filter(|f| !f.starts_with("test/") && !k.not_in_release.contains(f))
        .collect();
    let rank = |f: &String| k.release_config.iter().position(|c| c == f);
    sources.sort_by_key(|f| rank(f).unwrap_or(k.release_config.len()));
    d.required_env = crate::detect::required_env(project, &sources, &k.env);
    let convention = match phoenix {
        Some(_) => "Phoenix's port",
        None => "the usual port of Elixir servers (Phoenix's)",
    };
    d.listen_on_port(input.port(&sources, &k.ports, convention));
    Some(d)
}

/// What mix.exs names: the app, and its first declared release.
#[derive(Default)]
pub struct MixExs {
    pub app: Option<String>,
    pub first_release: Option<String>,
}

impl MixExs {
    pub fn read(project: &Project, k: &ElixirDetect) -> MixExs {
        let name = |pattern: &Pattern| project.find(MIX_EXS, &pattern.0).map(|(_, n)| n);
        MixExs {
            app: name(&k.app),
            first_release: name(&k.release),
        }
    }
}

/// Whether mix.exs lists dependencies (a project without mix.lock then has mix resolve them).
pub fn lists_dependencies(project: &Project, k: &ElixirDetect) -> bool {
    !dependencies(project, k).is_empty()
}

/// The dependencies mix.exs lists, each with its line.
fn dependencies(project: &Project, k: &ElixirDetect) -> Vec<(String, Evidence)> {
    let text = project.read(MIX_EXS).unwrap_or_default();
    let mut found = vec![];
    for (i, line) in text.lines().enumerate() {
        for caps in k.dependency.0.captures_iter(line) {
            if let Some(name) = caps.get(1) {
                found.push((
                    name.as_str().to_string(),
                    Evidence::line(MIX_EXS, i + 1, ""),
                ));
            }
        }
    }
    found
}

/// The Elixir the project names, as major.minor.
fn version(project: &Project, k: &ElixirDetect) -> Option<Finding<String>> {
    k.versions.iter().find_map(|(file, pattern)| {
        let (line, value) = project.find(file, &pattern.0)?;
        Some(Finding::found(
            major_minor(&value),
            Evidence::line(file, line, ""),
        ))
    })
}

/// mix.lock's git dependencies: fetching them needs git in the builder.
fn git_dependencies(project: &Project, k: &ElixirDetect) -> Vec<NativeDep> {
    let text = project.read("mix.lock").unwrap_or_default();
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let name = k
                .git_dependency
                .0
                .captures(line)?
                .get(1)?
                .as_str()
                .to_string();
            Some(NativeDep {
                library: name,
                why: k.git_why.clone(),
                evidence: Evidence::line("mix.lock", i + 1, ""),
                build: k.git_packages.clone(),
                run: vec![],
                prebuilt_for: vec![],
            })
        })
        .collect()
}
