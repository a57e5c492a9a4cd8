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
    let bins: Vec<String> = manifest
        .get("bin")
        .and_then(|b| b.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|b| b.get("name")?.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let bin = match bins.as_slice() {
        [first, ..] => {
            if bins.len() > 1 {
                d.warnings.push(Warning::SeveralRustBinaries {
                    binaries: bins.clone(),
                    chosen: first.clone(),
                });
            }
            Some(Finding::found(first.clone(), at("[[bin]]")))
        }
        [] => package
            .get("name")
            .and_then(|n| n.as_str())
            .map(|n| Finding::found(n.to_string(), at("name"))),
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
