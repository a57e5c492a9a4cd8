//! A Python project's declared dependencies: requirements files (and the files they include),
//! pyproject.toml's `[project]` and `[tool.poetry]`, Pipfile; with the packages extras bring.

use std::collections::BTreeMap;

use regex::Regex;

use crate::detect::Evidence;
use crate::project::Project;

/// A dependency and where it is declared.
pub struct Dependency {
    pub name: String,
    /// the release a requirements file pins (`name==1.2.3`)
    pub pin: Option<String>,
    pub evidence: Evidence,
}

/// Declared dependencies, normalized (lowercase, `_` -> `-`), with the line declaring them.
pub fn dependencies(
    project: &Project,
    pyproject: Option<&toml::Value>,
    extras: &BTreeMap<String, Vec<String>>,
) -> Vec<Dependency> {
    let Ok(name_re) = Regex::new(
        r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[([^\]]*)\])?\s*(?:===?\s*([0-9][A-Za-z0-9.+!-]*)\s*(?:[;#\\]|$))?",
    ) else {
        return vec![];
    };
    // what `name[extra,...]` brings besides name: the data's `[extras]`
    let brought = |name: &str, listed: Option<&str>| -> Vec<String> {
        listed
            .into_iter()
            .flat_map(|l| l.split(','))
            .filter_map(|extra| extras.get(&format!("{name}[{}]", extra.trim())))
            .flatten()
            .cloned()
            .collect()
    };
    // PEP 503: runs of `-`, `_` and `.` are one `-`
    let normalize = |n: &str| n.to_ascii_lowercase().replace(['_', '.'], "-");
    let mut out = vec![];
    // requirements.txt and the files it includes (-r, -c), as pip reads them
    let mut files = vec!["requirements.txt".to_string()];
    files.extend(crate::project::requirement_includes(
        project,
        "requirements.txt",
    ));
    for file in &files {
        let Some(text) = project.read(file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.starts_with('#') || line.starts_with('-') {
                continue;
            }
            if let Some(c) = name_re.captures(line) {
                let name = normalize(&c[1]);
                let evidence = Evidence::line(file, i + 1, "");
                for implied in brought(&name, c.get(2).map(|m| m.as_str())) {
                    out.push(Dependency {
                        name: implied,
                        pin: None,
                        evidence: evidence.clone(),
                    });
                }
                out.push(Dependency {
                    name,
                    pin: c.get(3).map(|v| v.as_str().to_string()),
                    evidence,
                });
            }
        }
    }
    // (the package, the name as declared: its line is the evidence)
    let mut declared: Vec<(String, String)> = vec![];
    if let Some(p) = pyproject {
        if let Some(list) = p
            .get("project")
            .and_then(|p| p.get("dependencies"))
            .and_then(|d| d.as_array())
        {
            for c in list
                .iter()
                .filter_map(|v| v.as_str())
                .filter_map(|s| name_re.captures(s))
            {
                let name = c[1].to_string();
                for implied in brought(&normalize(&name), c.get(2).map(|m| m.as_str())) {
                    declared.push((implied, name.clone()));
                }
                declared.push((name.clone(), name));
            }
        }
        if let Some(table) = p
            .get("tool")
            .and_then(|t| t.get("poetry"))
            .and_then(|t| t.get("dependencies"))
            .and_then(|d| d.as_table())
        {
            declared.extend(
                table
                    .keys()
                    .filter(|k| *k != "python")
                    .map(|k| (k.clone(), k.clone())),
            );
        }
    }
    // Pipfile's [packages]
    if let Some(packages) = project
        .read("Pipfile")
        .and_then(|t| toml::from_str::<toml::Value>(&t).ok())
        .and_then(|p| p.get("packages")?.as_table().cloned())
    {
        for name in packages.keys() {
            let line = project.line_of("Pipfile", name).unwrap_or(1);
            out.push(Dependency {
                name: normalize(name),
                pin: None,
                evidence: Evidence::line("Pipfile", line, ""),
            });
        }
    }
    for (name, as_declared) in declared {
        let line = project.line_of("pyproject.toml", &as_declared).unwrap_or(1);
        out.push(Dependency {
            name: normalize(&name),
            // pins in pyproject.toml are rare; its lockfile says what is installed
            pin: None,
            evidence: Evidence::line("pyproject.toml", line, ""),
        });
    }
    out
}
