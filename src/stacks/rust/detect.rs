//! Detecting Rust apps: Cargo.toml's package and binaries, the toolchain file or
//! rust-version, and crates that link system libraries.

use super::Rust;
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
    let Some(package) = manifest.get("package") else {
        d.unsupported = Some(Unsupported::CargoWorkspace);
        return Some(d);
    };
    let at = |needle: &str| {
        Evidence::line(
            "Cargo.toml",
            project.line_of("Cargo.toml", needle).unwrap_or(1),
            "",
        )
    };
    // [[bin]] targets: (name, source file)
    let bins: Vec<(String, String)> = manifest
        .get("bin")
        .and_then(|b| b.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|b| {
                    let name = b.get("name")?.as_str()?.to_string();
                    let path = b
                        .get("path")
                        .and_then(|p| p.as_str())
                        .map(String::from)
                        .unwrap_or_else(|| format!("src/bin/{name}.rs"));
                    Some((name, path))
                })
                .collect()
        })
        .unwrap_or_default();
    let package_name = package.get("name").and_then(|n| n.as_str());
    let mut bins = bins;
    // cargo builds src/main.rs too, named after the package, beside declared [[bin]]s
    if let (Some(name), false) = (package_name, bins.is_empty()) {
        let declared = |n: &String, p: &String| n == name || p == "src/main.rs";
        if project.exists("src/main.rs") && !bins.iter().any(|(n, p)| declared(n, p)) {
            bins.push((name.to_string(), "src/main.rs".to_string()));
        }
    }
    let names: Vec<String> = bins.iter().map(|(n, _)| n.clone()).collect();
    // several binaries: default-run, else the one named after the package, else the only one
    // that serves HTTP
    let serves = |i: usize| {
        project.read(&bins[i].1).is_some_and(|text| {
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
    let default_run = package.get("default-run").and_then(|d| d.as_str());
    let bin = match bins.len() {
        0 => package_name.map(|n| Finding::found(n.to_string(), at("name"))),
        1 => Some(Finding::found(names[0].clone(), at("[[bin]]"))),
        _ => match crate::detect::choose_binary(&names, default_run, package_name, serves) {
            Some((i, rule)) => {
                d.warnings.push(Warning::SeveralBinaries {
                    kind: "binaries".into(),
                    names: names.clone(),
                    chosen: names[i].clone(),
                    rule,
                });
                Some(Finding::found(
                    names[i].clone(),
                    at(&format!("\"{}\"", names[i])),
                ))
            }
            None => {
                d.ambiguous = Some(("binaries".into(), names.clone()));
                None
            }
        },
    };
    d.stack_property = bin.map(|b| ("bin", b));
    d.dependencies = manifest
        .get("dependencies")
        .and_then(|t| t.as_table())
        .into_iter()
        .flatten()
        .map(|(name, _)| (name.clone(), at(&format!("{name} "))))
        .collect();
    d.version = Some(version(project, package, input));
    if !project.exists("Cargo.lock") {
        d.warnings.push(Warning::NoCargoLock);
    }
    let sources = project.sources(&["rs"], 3);
    d.required_env = crate::detect::required_env(project, &sources, &stack.compiled.detect.env);
    d.port = Some(input.port(
        &sources,
        &stack.compiled.detect.ports,
        "the usual port of Rust servers",
    ));
    // crates that link system libraries, from the lockfile (they are usually indirect)
    if let Some(lock) = project
        .read("Cargo.lock")
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
                    .line_of("Cargo.lock", &format!("name = \"{name}\""))
                    .unwrap_or(1);
                input.native_dep(name, Evidence::line("Cargo.lock", line, ""))
            })
            .collect();
    }
    Some(d)
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
