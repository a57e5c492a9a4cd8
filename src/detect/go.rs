//! Go: go.mod, its `go`/`toolchain` version, and where `package main` is.

use regex::Regex;

use super::{
    default_version, knowledge, major_minor, port, Detection, Detector, Evidence, Finding, Project,
};

pub struct Go;

impl Detector for Go {
    fn detect(&self, project: &Project) -> Option<Detection> {
        let go_mod = project.read("go.mod")?;
        let mut d = Detection::new("go", vec![Evidence::file("go.mod", "")]);
        let toolchain = Regex::new(r"^toolchain\s+go([0-9]+\.[0-9]+)").ok()?;
        let directive = Regex::new(r"^go\s+([0-9]+\.[0-9]+)").ok()?;
        d.version = Some(
            project
                .find("go.mod", &toolchain)
                .or_else(|| project.find("go.mod", &directive))
                .map(|(line, v)| {
                    Finding::found(major_minor(&v), Evidence::line("go.mod", line, ""))
                })
                .unwrap_or_else(|| default_version("go")),
        );
        if go_mod
            .lines()
            .any(|l| l.trim_start().starts_with("require"))
        {
            d.warnings.push("the build downloads Go modules: the builder needs to reach the module proxy (or vendor them)".into());
        }
        let sources = project.sources(&["go"], 3);
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
            [] => d.warnings.push("found no `package main`: pass the main package in the recipe (go package=\"./cmd/NAME\")".into()),
            [(pkg, file, line), rest @ ..] => {
                if !rest.is_empty() {
                    d.warnings.push(format!(
                        "several main packages ({}); the recipe builds {pkg}",
                        packages.iter().map(|p| p.0.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                }
                d.stack_property = Some(("package", Finding::found(pkg.clone(), Evidence::line(file, *line, "package main"))));
            }
        }
        let k = &knowledge().go;
        d.port = Some(port(
            project,
            &sources,
            &k.ports,
            k.default_port,
            "the usual port of Go servers",
        ));
        Some(d)
    }
}
