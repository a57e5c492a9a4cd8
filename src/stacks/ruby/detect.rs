//! Detecting Ruby apps: Gemfile and Gemfile.lock (the gems, their platforms), the Ruby version
//! the project names, and what starts it: Rails (bin/rails, bin/docker-entrypoint, its build
//! steps), a classic Sinatra script, or a Rack app (config.ru) run by the server in its bundle.

use serde::Deserialize;

use super::Ruby;
use crate::detect::{
    major_minor, BuildStep, DetectInput, Detection, EnvReads, Evidence, Finding, FoundAssets,
};
use crate::error::Warning;
use crate::project::Project;
use crate::template::{Pattern, PortNames, ScriptPortNames, Template};

const LOCKFILE: &str = "Gemfile.lock";
const GEMFILE: &str = "Gemfile";

/// What init looks for in a Ruby app (`[detect]` of ruby.toml).
#[derive(Debug, Deserialize)]
pub struct RubyDetect {
    env: EnvReads,
    /// (file, pattern): where the project names its Ruby, group 1
    versions: Vec<(String, Pattern)>,
    /// a Gemfile.lock spec line: group 1 the name, group 2 the version
    locked_gem: Pattern,
    /// a Gemfile's `gem "name"`
    gemfile_gem: Pattern,
    /// the lockfile platforms a Linux install can use
    linux_platforms: Vec<Pattern>,
    add_platform: String,
    ports: Vec<Pattern>,
    rails_command: Vec<String>,
    rails_command_without_binstub: Vec<String>,
    rails_entrypoint: String,
    rails_env: Vec<(String, String)>,
    rails_port: u16,
    bootsnap: Vec<String>,
    assets: Vec<String>,
    assets_env: Vec<(String, String)>,
    assets_env_before_7_1: Vec<(String, String)>,
    asset_gems: Vec<String>,
    /// gems whose assets a package.json script builds, and where they put them
    asset_bundlers: Vec<AssetBundler>,
    asset_bundler_output: String,
    /// (gem, command): the servers a Rack app can run on, in the order init prefers them
    rack_servers: Vec<(String, Vec<Template<PortNames>>)>,
    sinatra_require: Pattern,
    sinatra_command: Vec<Template<ScriptPortNames>>,
    sinatra_port: u16,
    rack_env: Vec<(String, String)>,
}

/// jsbundling-rails or cssbundling-rails: the package.json script it runs, and the variable
/// that makes assets:precompile skip it.
#[derive(Debug, Deserialize)]
struct AssetBundler {
    gem: String,
    script: String,
    skip: String,
}

/// Whether package.json has the script.
fn package_script(project: &Project, script: &str) -> bool {
    project
        .read("package.json")
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|json| json["scripts"][script].is_string())
}

/// A gem the app depends on.
struct Gem {
    name: String,
    /// the locked version, when there is a lockfile
    version: Option<String>,
    /// a gem built for a platform (`nokogiri (1.16.0-x86_64-linux)`): nothing to compile
    precompiled: bool,
    evidence: Evidence,
}

pub fn detect(stack: &Ruby, input: &DetectInput) -> Option<Detection> {
    let project = input.project;
    let signs = input.signs();
    if !project.exists(GEMFILE) && !project.exists(LOCKFILE) {
        return None;
    }
    let k = &stack.detect;
    let mut d = Detection::new(input.stack, signs);
    d.manager = input.manager_by_file();
    if !project.exists(LOCKFILE) {
        d.warnings.push(Warning::BuildsWithoutLock {
            lockfile: LOCKFILE.into(),
        });
    }
    d.version = Some(version(project, k).unwrap_or_else(|| input.default_version()));
    let gems = gems(project, k);
    d.dependencies = gems
        .iter()
        .map(|g| (g.name.clone(), g.evidence.clone()))
        .collect();
    d.native = gems
        .iter()
        .filter(|g| !g.precompiled)
        .filter_map(|g| input.native_dep(&g.name, g.evidence.clone()))
        .collect();
    d.warnings.extend(lock_platforms(project, k));
    let sources = project.sources(&["rb", "ru"], 2);
    d.required_env = crate::detect::required_env(project, &sources, &k.env);
    let has = |name: &str| find(&gems, name);
    let port_in_code = |fallback: u16, why: &str| {
        let found = input.port(&sources, &k.ports, why);
        match found.is_guess() {
            true => Finding::guessed(fallback, why.to_string()),
            false => found,
        }
    };
    let started = if let Some(rails) = has("railties").or_else(|| has("rails")) {
        let port = port_in_code(k.rails_port, "the Rails server's port");
        rails_app(k, project, &mut d, rails, &gems);
        Some(port)
    } else if let Some((file, line)) = sinatra_script(project, k) {
        let port = port_in_code(k.sinatra_port, "Sinatra's port");
        let text = port.value.to_string();
        let argv =
            Template::render_all(&k.sinatra_command, &[("file", &file), ("port", &text)]).ok()?;
        d.entrypoint = Some(Finding::found(
            argv,
            Evidence::line(&file, line, "a classic Sinatra app"),
        ));
        d.set_envs(&k.rack_env, &Evidence::file(&file, "Sinatra"));
        Some(port)
    } else if project.exists("config.ru") {
        let port = input.port(&sources, &k.ports, "the port of rackup and puma");
        if let Some((gem, command)) = k.rack_servers.iter().find(|(gem, _)| has(gem).is_some()) {
            let text = port.value.to_string();
            let argv = Template::render_all(command, &[("port", &text)]).ok()?;
            let evidence = has(gem).map(|g| g.evidence.clone());
            d.entrypoint = Some(Finding::found(
                argv,
                evidence.unwrap_or_else(|| Evidence::file("config.ru", "")),
            ));
        }
        d.set_envs(&k.rack_env, &Evidence::file("config.ru", "a Rack app"));
        Some(port)
    } else {
        None
    };
    match started {
        Some(port) => d.listen_on_port(port),
        None => {
            d.warnings.push(Warning::NoRubyServer);
            d.port = Some(input.port(&sources, &k.ports, "the port of rackup and puma"));
        }
    }
    Some(d)
}

/// A Rails app: bin/rails server (through bin/docker-entrypoint when the app has one, which
/// prepares the database first), production settings, and Rails' build steps.
fn rails_app(k: &RubyDetect, project: &Project, d: &mut Detection, rails: &Gem, gems: &[Gem]) {
    let has = |name: &str| find(gems, name);
    let evidence = Evidence {
        note: "Rails".into(),
        ..rails.evidence.clone()
    };
    let mut argv = vec![];
    if project.exists(&k.rails_entrypoint) {
        argv.push(format!("./{}", k.rails_entrypoint));
    }
    argv.extend(match project.exists("bin/rails") {
        true => k.rails_command.clone(),
        false => k.rails_command_without_binstub.clone(),
    });
    d.entrypoint = Some(Finding::found(argv, evidence.clone()));
    d.set_envs(&k.rails_env, &evidence);
    if let Some(bootsnap) = has("bootsnap") {
        d.build_steps.push(Finding::found(
            BuildStep {
                argv: k.bootsnap.clone(),
                env: vec![],
            },
            bootsnap.evidence.clone(),
        ));
    }
    let asset_gem = k.asset_gems.iter().find_map(|g| has(g));
    if let (Some(gem), true) = (asset_gem, project.exists("bin/rails")) {
        let modern = rails
            .version
            .as_deref()
            .is_none_or(|v| crate::knowledge::version_at_least(v, "7.1"));
        let mut env = match modern {
            true => k.assets_env.clone(),
            false => k.assets_env_before_7_1.clone(),
        };
        // jsbundling's and cssbundling's package.json scripts need Node, which the ruby image
        // lacks: an assets stage runs them, and assets:precompile is told to skip them
        let bundlers: Vec<&AssetBundler> = (k.asset_bundlers.iter())
            .filter(|b| has(&b.gem).is_some() && package_script(project, &b.script))
            .collect();
        if let Some(first) = bundlers.first() {
            env.extend(bundlers.iter().map(|b| (b.skip.clone(), "1".to_string())));
            d.assets = Some(Finding::found(
                FoundAssets {
                    folder: ".".into(),
                    scripts: bundlers.iter().map(|b| b.script.clone()).collect(),
                    output: k.asset_bundler_output.clone(),
                },
                Evidence {
                    note: format!(
                        "{} builds {} with package.json's scripts",
                        first.gem, k.asset_bundler_output
                    ),
                    ..has(&first.gem)
                        .map(|g| g.evidence.clone())
                        .unwrap_or_else(|| Evidence::file("package.json", ""))
                },
            ));
        }
        d.build_steps.push(Finding::found(
            BuildStep {
                argv: k.assets.clone(),
                env,
            },
            gem.evidence.clone(),
        ));
    }
    // encrypted credentials open with the master key, which is never in the image
    for file in [
        "config/credentials.yml.enc",
        "config/credentials/production.yml.enc",
    ] {
        if project.exists(file) && !d.required_env.iter().any(|(n, _)| n == "RAILS_MASTER_KEY") {
            d.required_env
                .push(("RAILS_MASTER_KEY".into(), Evidence::file(file, "")));
        }
    }
}

/// The gems of Gemfile.lock's specs, else the Gemfile's `gem` lines.
fn gems(project: &Project, k: &RubyDetect) -> Vec<Gem> {
    if let Some(text) = project.read(LOCKFILE) {
        let mut gems: Vec<Gem> = text
            .lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let caps = k.locked_gem.0.captures(line)?;
                let full = line.trim();
                Some(Gem {
                    name: caps.get(1)?.as_str().to_string(),
                    version: Some(caps.get(2)?.as_str().to_string()),
                    precompiled: full.contains("-linux"),
                    evidence: Evidence::line(LOCKFILE, i + 1, ""),
                })
            })
            .collect();
        // a gem locked for several platforms is listed once per platform: one precompiled
        // for Linux is what a Linux install takes, so it compiles nothing
        let precompiled: Vec<String> = gems
            .iter()
            .filter(|g| g.precompiled)
            .map(|g| g.name.clone())
            .collect();
        gems.dedup_by(|later, first| later.name == first.name);
        for gem in &mut gems {
            gem.precompiled = precompiled.contains(&gem.name);
        }
        return gems;
    }
    let text = project.read(GEMFILE).unwrap_or_default();
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let caps = k.gemfile_gem.0.captures(line)?;
            Some(Gem {
                name: caps.get(1)?.as_str().to_string(),
                version: None,
                precompiled: false,
                evidence: Evidence::line(GEMFILE, i + 1, ""),
            })
        })
        .collect()
}

/// The Ruby the project names, as major.minor.
fn version(project: &Project, k: &RubyDetect) -> Option<Finding<String>> {
    k.versions.iter().find_map(|(file, pattern)| {
        let (line, value) = project.find(file, &pattern.0)?;
        Some(Finding::found(
            major_minor(&value),
            Evidence::line(file, line, ""),
        ))
    })
}

/// A warning when Gemfile.lock lists platforms and none a Linux install can use.
fn lock_platforms(project: &Project, k: &RubyDetect) -> Option<Warning> {
    let text = project.read(LOCKFILE)?;
    let platforms: Vec<String> = text
        .lines()
        .skip_while(|l| l.trim() != "PLATFORMS")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().to_string())
        .collect();
    let linux = platforms
        .iter()
        .any(|p| k.linux_platforms.iter().any(|re| re.is_match(p)));
    (!platforms.is_empty() && !linux).then(|| Warning::LockWithoutLinux {
        lockfile: LOCKFILE.into(),
        platforms,
        command: k.add_platform.clone(),
    })
}

/// The top-level script of a classic Sinatra app: the file that requires sinatra (its line).
fn sinatra_script(project: &Project, k: &RubyDetect) -> Option<(String, usize)> {
    if project.exists("config.ru") {
        return None;
    }
    project.sources(&["rb"], 0).into_iter().find_map(|file| {
        project
            .find(&file, &k.sinatra_require.0)
            .map(|(line, _)| (file, line))
    })
}

fn find<'g>(gems: &'g [Gem], name: &str) -> Option<&'g Gem> {
    gems.iter().find(|g| g.name == name)
}
