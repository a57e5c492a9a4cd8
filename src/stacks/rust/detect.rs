//! Detecting Rust apps: Cargo.toml's package and binaries, the toolchain file or
//! rust-version, and crates that link system libraries.

use super::Rust;
use crate::detect::secrets::{self, SecretGuess};
use crate::detect::{major_minor, DetectInput, Detection, Evidence, Finding};
use crate::error::{Unsupported, Warning};
use crate::project::Project;

pub fn detect(stack: &Rust, input: &DetectInput) -> Option<Detection> {
    let project = input.project;
    let text = project.read("Cargo.toml")?;
    let mut d = Detection::new(input.stack, vec![Evidence::file("Cargo.toml", "")]);
    let manifest: toml::Value = match toml::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            d.unsupported = Some(Unsupported::InvalidManifest {
                file: "Cargo.toml".into(),
                detail: e.to_string(),
            });
            return Some(d);
        }
    };
    let at = |needle: &str| {
        Evidence::line(
            "Cargo.toml",
            project.line_of("Cargo.toml", needle).unwrap_or(1),
            "",
        )
    };
    // the crates to look in: the package, or a workspace's members
    let crates = match manifest.get("package") {
        Some(_) => vec![Crate {
            dir: String::new(),
            manifest: manifest.clone(),
        }],
        None => workspace_members(project, &manifest),
    };
    if crates.is_empty() {
        d.unsupported = Some(Unsupported::CargoWorkspace);
        return Some(d);
    }
    let workspace = manifest.get("package").is_none();
    // every binary target: [[bin]]s, and src/main.rs named after its package
    let bins: Vec<Bin> = crates.iter().flat_map(|c| c.binaries(project)).collect();
    if bins.is_empty() {
        d.unsupported = Some(Unsupported::CargoWorkspace);
        return Some(d);
    }
    let names: Vec<String> = bins.iter().map(|b| b.name.clone()).collect();
    // several binaries: default-run, else the one named after the package, else the only one
    // that serves HTTP
    let serves = |i: usize| {
        project.read(&bins[i].path).is_some_and(|text| {
            stack
                .compiled
                .detect
                .ports
                .iter()
                .any(|p| p.is_match(&text))
                || ["bind(", "serve(", "launch"]
                    .iter()
                    .any(|s| text.contains(s))
        })
    };
    let root_package = manifest.get("package");
    let default_run = root_package
        .and_then(|p| p.get("default-run"))
        .and_then(|d| d.as_str());
    let package_name = root_package
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str());
    let chosen = match bins.len() {
        1 => Some(0),
        _ => match crate::detect::choose_binary(&names, default_run, package_name, serves) {
            Some((i, rule)) => {
                d.warnings.push(Warning::SeveralBinaries {
                    kind: "binaries".into(),
                    names: names.clone(),
                    chosen: names[i].clone(),
                    rule,
                });
                Some(i)
            }
            None => {
                d.ambiguous = Some(("binaries".into(), names.clone()));
                None
            }
        },
    };
    let bin = chosen.map(|i| {
        let b = &bins[i];
        let evidence = match (workspace, b.declared) {
            (false, true) => at(&format!("\"{}\"", b.name)),
            (false, false) => at("name"),
            (true, _) => Evidence::line(
                &b.manifest_file,
                project.line_of(&b.manifest_file, &b.name).unwrap_or(1),
                "a workspace member",
            ),
        };
        Finding::found(b.name.clone(), evidence)
    });
    // the chosen binary's crate: its dependencies and its version
    let chosen_crate = chosen
        .and_then(|i| crates.iter().find(|c| c.dir == bins[i].dir))
        .unwrap_or(&crates[0]);
    let package = chosen_crate
        .manifest
        .get("package")
        .cloned()
        .unwrap_or(toml::Value::Table(Default::default()));
    let manifest = &chosen_crate.manifest;
    d.stack_property = bin.map(|b| ("bin", b));
    d.dependencies = manifest
        .get("dependencies")
        .and_then(|t| t.as_table())
        .into_iter()
        .flatten()
        .map(|(name, _)| {
            let file = chosen_crate.file("Cargo.toml");
            let line = project.line_of(&file, &format!("{name} ")).unwrap_or(1);
            (name.clone(), Evidence::line(&file, line, ""))
        })
        .collect();
    d.version = Some(version(project, &package, input));
    // a member of a Cargo workspace builds with the root's
    let lockfile = match stack.compiled.workspace_of(project) {
        Some(shared) => format!("{}/Cargo.lock", shared.root),
        None => "Cargo.lock".to_string(),
    };
    if !project.exists(&lockfile) {
        d.warnings.push(Warning::NoCargoLock);
    }
    let sources = project.sources(&["rs"], 3);
    d.required_env = crate::detect::required_env(project, &sources, &stack.compiled.detect.env);
    d.secrets = private_registries(project, &stack.compiled.detect.registry_env);
    (stack.compiled.detect).listen(input, &sources, "the usual port of Rust servers", &mut d);
    d.runtime_files = stack.compiled.detect.runtime_files(project, &sources);
    // crates that link system libraries, from the lockfile (they are usually indirect)
    if let Some(lock) = project
        .read(&lockfile)
        .and_then(|t| toml::from_str::<toml::Value>(&t).ok())
    {
        let names = lock
            .get("package")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("name")?.as_str());
        d.native = names
            .filter_map(|name| {
                let line = project
                    .line_of(&lockfile, &format!("name = \"{name}\""))
                    .unwrap_or(1);
                input.native_dep(name, Evidence::line(&lockfile, line, ""))
            })
            .collect();
    }
    Some(d)
}

/// A crate of the project: the root package, or a workspace member in `dir`.
struct Crate {
    dir: String,
    manifest: toml::Value,
}

/// A binary target, with the file holding its main and where it is declared.
struct Bin {
    name: String,
    path: String,
    dir: String,
    manifest_file: String,
    /// a [[bin]] entry (else src/main.rs)
    declared: bool,
}

impl Crate {
    fn file(&self, rel: &str) -> String {
        match self.dir.as_str() {
            "" => rel.to_string(),
            dir => format!("{dir}/{rel}"),
        }
    }

    /// Its [[bin]] targets, and src/main.rs (named after the package) when no [[bin]] is it.
    fn binaries(&self, project: &Project) -> Vec<Bin> {
        let manifest_file = self.file("Cargo.toml");
        let bin = |name: String, path: String, declared: bool| Bin {
            name,
            path: self.file(&path),
            dir: self.dir.clone(),
            manifest_file: manifest_file.clone(),
            declared,
        };
        let mut bins: Vec<Bin> = self
            .manifest
            .get("bin")
            .and_then(|b| b.as_array())
            .into_iter()
            .flatten()
            .filter_map(|b| {
                let name = b.get("name")?.as_str()?.to_string();
                let path = b
                    .get("path")
                    .and_then(|p| p.as_str())
                    .map(String::from)
                    .unwrap_or_else(|| format!("src/bin/{name}.rs"));
                Some(bin(name, path, true))
            })
            .collect();
        let package = self
            .manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str());
        // cargo builds src/main.rs too, named after the package, beside declared [[bin]]s
        if let Some(name) = package {
            let main = self.file("src/main.rs");
            let taken = bins.iter().any(|b| b.name == name || b.path == main);
            if project.exists(&main) && !taken {
                bins.push(bin(name.to_string(), "src/main.rs".into(), false));
            }
        }
        bins
    }
}

/// A workspace's member crates (`members`, with `dir/*` globs), those that have a package.
fn workspace_members(project: &Project, manifest: &toml::Value) -> Vec<Crate> {
    let members = manifest
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str());
    let mut dirs = vec![];
    for member in members {
        match member.strip_suffix("/*") {
            Some(parent) => {
                let mut found: Vec<String> = project
                    .subfolders(parent)
                    .into_iter()
                    .map(|d| format!("{parent}/{d}"))
                    .collect();
                found.sort();
                dirs.extend(found);
            }
            None => dirs.push(member.trim_end_matches('/').to_string()),
        }
    }
    dirs.into_iter()
        .filter_map(|dir| {
            let text = project.read(&format!("{dir}/Cargo.toml"))?;
            let manifest: toml::Value = toml::from_str(&text).ok()?;
            manifest.get("package")?;
            Some(Crate { dir, manifest })
        })
        .collect()
}

fn version(project: &Project, package: &toml::Value, input: &DetectInput) -> Finding<String> {
    let channel = project
        .read("rust-toolchain.toml")
        .and_then(|t| toml::from_str::<toml::Value>(&t).ok())
        .and_then(|t| {
            t.get("toolchain")?
                .get("channel")?
                .as_str()
                .map(|s| (s.to_string(), "rust-toolchain.toml"))
        })
        .or_else(|| {
            project
                .read("rust-toolchain")
                .map(|t| (t.trim().to_string(), "rust-toolchain"))
        });
    if let Some((channel, file)) = channel {
        if channel.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            let line = project.line_of(file, &channel).unwrap_or(1);
            return Finding::found(major_minor(&channel), Evidence::line(file, line, ""));
        }
    }
    if let Some(v) = package.get("rust-version").and_then(|v| v.as_str()) {
        let line = project.line_of("Cargo.toml", "rust-version").unwrap_or(1);
        return Finding::found(
            major_minor(v),
            Evidence::line("Cargo.toml", line, "the minimum supported version"),
        );
    }
    input.default_version()
}

/// The tokens of the private registries `.cargo/config.toml` declares (`[registries.NAME]`).
fn private_registries(
    project: &Project,
    templates: &[crate::template::Template<crate::template::NameNames>],
) -> Vec<Finding<SecretGuess>> {
    const CONFIG: &str = ".cargo/config.toml";
    let registries = project
        .read(CONFIG)
        .and_then(|text| text.parse::<toml::Value>().ok())
        .and_then(|config| config.get("registries")?.as_table().cloned())
        .unwrap_or_default();
    let names: Vec<(String, Evidence)> = registries
        .keys()
        .map(|name| {
            let line = project
                .line_of(CONFIG, &format!("[registries.{name}]"))
                .unwrap_or(1);
            (name.clone(), Evidence::line(CONFIG, line, ""))
        })
        .collect();
    secrets::named(&names, templates)
}
