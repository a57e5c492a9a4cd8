//! Detecting Go apps: go.mod, its `go`/`toolchain` version, and where `package main` is.

use regex::Regex;

use super::Go;
use crate::detect::{major_minor, DetectInput, Detection, Evidence, Finding};
use crate::error::Warning;

pub fn detect(stack: &Go, input: &DetectInput) -> Option<Detection> {
    let project = input.project;
    let sources = project.sources(&["go"], 3);
    let main_re = Regex::new(r"^package\s+main\b").ok()?;
    // a module, or a lone `package main` at the top without one (the build then makes one)
    let Some(go_mod) = project.read("go.mod") else {
        let main = sources
            .iter()
            .find(|f| !f.contains('/') && project.find(f, &main_re).is_some())?;
        let mut d = Detection::new(input.stack, vec![Evidence::file(main, "package main")]);
        d.warnings.push(Warning::BuildsWithoutLock {
            lockfile: "go.mod".into(),
        });
        return finish(stack, input, d, &sources, &main_re, "");
    };
    let d = Detection::new(input.stack, vec![Evidence::file("go.mod", "")]);
    finish(stack, input, d, &sources, &main_re, &go_mod)
}

/// The version, main package and port of a Go project, with or without its go.mod.
fn finish(
    stack: &Go,
    input: &DetectInput,
    mut d: Detection,
    sources: &[String],
    main_re: &Regex,
    go_mod: &str,
) -> Option<Detection> {
    let project = input.project;
    let toolchain = Regex::new(r"^toolchain\s+go([0-9]+\.[0-9]+)").ok()?;
    let directive = Regex::new(r"^go\s+([0-9]+\.[0-9]+)").ok()?;
    d.version = Some(
        project
            .find("go.mod", &toolchain)
            .or_else(|| project.find("go.mod", &directive))
            .map(|(line, v)| Finding::found(major_minor(&v), Evidence::line("go.mod", line, "")))
            .unwrap_or_else(|| input.default_version()),
    );
    // C code in the app or its modules: cgo, and a runtime with the C library
    let k = &stack.compiled.detect;
    let cgo_module = k.cgo_modules.iter().find_map(|m| {
        let line = project.line_of("go.mod", m)?;
        Some(Evidence::line(
            "go.mod",
            line,
            format!("{m} is a cgo package"),
        ))
    });
    let cgo_source = || {
        let (file, line, _) = project.find_any(sources, k.cgo_imports.iter().map(|p| &p.0))?;
        Some(Evidence::line(&file, line, "import \"C\""))
    };
    if let Some(evidence) = cgo_module.or_else(cgo_source) {
        d.stack_flags
            .push(("cgo", Finding::found(true, evidence.clone())));
        d.runtime = Some(Finding::found(
            "distroless".to_string(),
            Evidence {
                note: "cgo links the C library: distroless/cc has it".into(),
                ..evidence
            },
        ));
    }
    if go_mod
        .lines()
        .any(|l| l.trim_start().starts_with("require"))
        && !stack.compiled.vendored(project)
    {
        d.warnings.push(Warning::GoModulesDownloaded);
    }
    d.required_env = crate::detect::required_env(project, sources, &stack.compiled.detect.env);
    let mains: Vec<(String, usize)> = sources
        .iter()
        .filter(|f| !f.ends_with("_test.go"))
        .filter_map(|f| project.find(f, main_re).map(|(line, _)| (f.clone(), line)))
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
    // several mains: the one named after the module, else the only one that serves HTTP
    let module = Regex::new(r"^module\s+(\S+)")
        .ok()
        .and_then(|re| project.find("go.mod", &re))
        .map(|(_, m)| m);
    let module_name = module.as_deref().and_then(|m| m.rsplit('/').next());
    let names: Vec<String> = packages
        .iter()
        .map(|(pkg, _, _)| match pkg.as_str() {
            "." => module_name.unwrap_or(".").to_string(),
            other => other.rsplit('/').next().unwrap_or(other).to_string(),
        })
        .collect();
    let serves = |i: usize| {
        let dir = packages[i]
            .0
            .trim_start_matches("./")
            .trim_start_matches('.');
        sources
            .iter()
            .filter(|f| f.rsplit_once('/').map_or("", |(d, _)| d) == dir)
            .any(|f| {
                project.read(f).is_some_and(|text| {
                    text.contains("ListenAndServe")
                        || stack
                            .compiled
                            .detect
                            .ports
                            .iter()
                            .any(|p| p.is_match(&text))
                })
            })
    };
    let chosen = match packages.len() {
        0 | 1 => Some(0),
        _ => match crate::detect::choose_binary(&names, None, module_name, serves) {
            Some((i, rule)) => {
                d.warnings.push(Warning::SeveralBinaries {
                    kind: "main packages".into(),
                    names: packages.iter().map(|p| p.0.clone()).collect(),
                    chosen: packages[i].0.clone(),
                    rule,
                });
                Some(i)
            }
            None => {
                d.ambiguous = Some(("main packages".into(), names.clone()));
                None
            }
        },
    };
    match chosen.and_then(|i| packages.get(i)) {
        None if packages.is_empty() => d.warnings.push(Warning::NoGoMain),
        None => {}
        Some((pkg, file, line)) => {
            d.stack_property = Some((
                "package",
                Finding::found(pkg.clone(), Evidence::line(file, *line, "package main")),
            ));
        }
    }
    let k = &stack.compiled.detect;
    k.listen(input, sources, "the usual port of Go servers", &mut d);
    d.runtime_files = k.runtime_files(project, sources);
    Some(d)
}
