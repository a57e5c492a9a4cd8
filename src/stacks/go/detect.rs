//! Detecting Go apps: go.mod, its `go`/`toolchain` version, and where `package main` is.

use regex::Regex;

use super::Go;
use crate::detect::{major_minor, DetectInput, Detection, Evidence, Finding};
use crate::error::Warning;

pub fn detect(stack: &Go, input: &DetectInput) -> Option<Detection> {
    let project = input.project;
    let go_mod = project.read("go.mod")?;
    let mut d = Detection::new(input.stack, vec![Evidence::file("go.mod", "")]);
    let toolchain = Regex::new(r"^toolchain\s+go([0-9]+\.[0-9]+)").ok()?;
    let directive = Regex::new(r"^go\s+([0-9]+\.[0-9]+)").ok()?;
    d.version = Some(
        project
            .find("go.mod", &toolchain)
            .or_else(|| project.find("go.mod", &directive))
            .map(|(line, v)| Finding::found(major_minor(&v), Evidence::line("go.mod", line, "")))
            .unwrap_or_else(|| input.default_version()),
    );
    if go_mod
        .lines()
        .any(|l| l.trim_start().starts_with("require"))
    {
        d.warnings.push(Warning::GoModulesDownloaded);
    }
    let sources = project.sources(&["go"], 3);
    d.required_env = crate::detect::required_env(project, &sources, &stack.compiled.detect.env);
    let main_re = Regex::new(r"^package\s+main\b").ok()?;
    let mains: Vec<(String, usize)> = sources
        .iter()
        .filter(|f| !f.ends_with("_test.go"))
        .filter_map(|f| project.find(f, &main_re).map(|(line, _)| (f.clone(), line)))
        .collect();
    let package = |file: &str| match file.rsplit_once('/') {
        Some((dir, _)) => format!("./{dir}"),
        None => ".".to_string(),
    };
    let mut packages: Vec<(String, String, usize)> = mains
        .iter()
        .map(|(f, line)| (package(f), f.clone(), *line))
        .collect();
    packages.dedup_by(|a, b| a.0 == b.0);
    match packages.as_slice() {
        [] => d.warnings.push(Warning::NoGoMain),
        [(pkg, file, line), rest @ ..] => {
            if !rest.is_empty() {
                d.warnings.push(Warning::SeveralGoMains {
                    packages: packages.iter().map(|p| p.0.clone()).collect(),
                    chosen: pkg.clone(),
                });
            }
            d.stack_property = Some((
                "package",
                Finding::found(pkg.clone(), Evidence::line(file, *line, "package main")),
            ));
        }
    }
    d.port = Some(input.port(
        &sources,
        &stack.compiled.detect.ports,
        "the usual port of Go servers",
    ));
    Some(d)
}
