//! Detecting Python apps: requirements.txt, pyproject.toml (uv, poetry), Pipfile;
//! Flask/FastAPI/Django apps served by gunicorn or uvicorn when they are dependencies.

use regex::Regex;

use super::Python;
use crate::detect::{major_minor, DetectInput, Detection, Evidence, Finding, Source};
use crate::error::{Unsupported, Warning};
use crate::knowledge::{version_at_least, StackData};
use crate::project::Project;
use crate::template::Pattern;

/// A dependency and where it is declared.
struct Dependency {
    name: String,
    evidence: Evidence,
}

pub fn detect(stack: &Python, input: &DetectInput) -> Option<Detection> {
    let project = input.project;
    let manifests = input.signs();
    if manifests.is_empty() {
        return None;
    }
    let mut d = Detection::new(input.stack, manifests);
    let pyproject: Option<toml::Value> = project
        .read("pyproject.toml")
        .and_then(|t| toml::from_str(&t).ok());

    // --- package manager, from the lockfiles
    let has_poetry_table = pyproject
        .as_ref()
        .and_then(|p| p.get("tool"))
        .and_then(|t| t.get("poetry"))
        .is_some();
    let manager = if let Some(found) = input.manager_by_file() {
        found
    } else if has_poetry_table {
        d.warnings.push(Warning::PoetryWithoutLock);
        Finding::found(
            "poetry".to_string(),
            Evidence::file("pyproject.toml", "[tool.poetry]"),
        )
    } else if project.exists("Pipfile") {
        d.unsupported = Some(Unsupported::Pipfile);
        Finding::found("pipenv".to_string(), Evidence::file("Pipfile", ""))
    } else {
        d.warnings.push(Warning::PyprojectWithoutLock);
        Finding::found(
            "uv".to_string(),
            Evidence::file("pyproject.toml", "[project]"),
        )
    };

    let dependencies = dependencies(project, pyproject.as_ref());
    let depends_on = |name: &str| dependencies.iter().find(|dep| dep.name == name);
    d.dependencies = dependencies
        .iter()
        .map(|dep| (dep.name.clone(), dep.evidence.clone()))
        .collect();

    // --- version
    d.version = Some(version(project, pyproject.as_ref(), input.data));

    // --- the app and what serves it
    let sources = project.sources(&["py"], 2);
    let k = &stack.detect;
    d.required_env = crate::detect::required_env(project, &sources, &k.env);
    let port = input.port(
        &sources,
        &k.ports,
        "the usual port of gunicorn and uvicorn apps",
    );
    let bind = format!("0.0.0.0:{}", port.value);
    let gunicorn = depends_on("gunicorn");
    let uvicorn = depends_on("uvicorn");
    // Django serves its static files from STATIC_ROOT, which only collectstatic fills
    if let Some((file, line, _)) =
        project.find_any(&sources, Regex::new(r"^STATIC_ROOT\s*=").ok().as_ref())
    {
        d.warnings.push(Warning::DjangoCollectstatic {
            at: format!("{file}:{line}"),
        });
    }
    let django = |file_name: &str, marker: &str| {
        sources.iter().find_map(|f| {
            (f.rsplit('/').next()? == file_name).then_some(())?;
            let line = project.line_of(f, marker)?;
            Some((module_of(f), Evidence::line(f, line, "Django")))
        })
    };
    let wsgi = app_object(project, &sources, &k.wsgi_apps);
    let asgi = app_object(project, &sources, &k.asgi_apps);
    let app = |found: &(String, Evidence)| found.clone();
    let django_app =
        |(module, evidence): (String, Evidence)| (format!("{module}:application"), evidence);
    let run_uvicorn = |target: String| {
        // a factory is called by uvicorn with --factory, by gunicorn with `module:f()`
        let (factory, target) = match target.strip_suffix("()") {
            Some(f) => (vec!["--factory".to_string()], f.to_string()),
            None => (vec![], target),
        };
        [
            vec!["uvicorn".to_string()],
            factory,
            vec![
                target,
                "--host".into(),
                "0.0.0.0".into(),
                "--port".into(),
                port.value.to_string(),
            ],
        ]
        .concat()
    };
    let run_gunicorn =
        |target: String| vec!["gunicorn".into(), "--bind".into(), bind.clone(), target];
    // (the server, how it runs an app, the app), most specific first
    type Run<'a> = &'a dyn Fn(String) -> Vec<String>;
    type Candidate<'a> = (Option<&'a Dependency>, Run<'a>, Option<(String, Evidence)>);
    let candidates: [Candidate; 4] = [
        (uvicorn, &run_uvicorn, asgi.as_ref().map(app)),
        (gunicorn, &run_gunicorn, wsgi.as_ref().map(app)),
        (
            gunicorn,
            &run_gunicorn,
            django("wsgi.py", "get_wsgi_application").map(django_app),
        ),
        (
            uvicorn,
            &run_uvicorn,
            django("asgi.py", "get_asgi_application").map(django_app),
        ),
    ];
    let entrypoint = candidates.into_iter().find_map(|(server, run, app)| {
        let (server, (target, evidence)) = (server?, app?);
        Some(Finding {
            value: run(target),
            source: Source::Found(vec![evidence, server.evidence.clone()]),
        })
    });
    d.entrypoint = entrypoint.or_else(|| {
        // no server among the dependencies: a script that starts itself
        let main = sources.iter().find(|f| {
            ["main.py", "app.py", "server.py", "run.py"].contains(&f.as_str())
                && project.line_of(f, "__main__").is_some()
        })?;
        let line = project.line_of(main, "__main__")?;
        if asgi.is_some() || wsgi.is_some() {
            d.warnings.push(Warning::DevelopmentServer);
        }
        Some(Finding::found(
            vec!["python".into(), main.clone()],
            Evidence::line(main, line, "if __name__ == \"__main__\""),
        ))
    });
    if d.entrypoint.is_none() {
        d.warnings.push(Warning::NoPythonApp);
    }
    d.port = Some(port);

    if manager.value == "pip" && !project.exists("requirements.txt") {
        d.warnings.push(Warning::PipWithoutRequirements);
    }
    d.manager = Some(manager);
    d.native = dependencies
        .iter()
        .filter_map(|dep| input.native_dep(&dep.name, dep.evidence.clone()))
        .collect();
    Some(d)
}

/// `src/api/main.py` -> `src.api.main`; a package's `app/__init__.py` -> `app`
fn module_of(file: &str) -> String {
    let module = file.trim_end_matches(".py");
    module
        .strip_suffix("/__init__")
        .unwrap_or(module)
        .replace('/', ".")
}

/// The app object a server runs: `module:app` for one made at module level (preferred), or
/// `module:create_app()` for one made inside a factory function, with where it was found.
fn app_object(
    project: &Project,
    sources: &[String],
    patterns: &[Pattern],
) -> Option<(String, Evidence)> {
    let mut factory = None;
    // the module FLASK_APP names (.flaskenv, .env), then the shallowest files
    let named: Option<String> = [".flaskenv", ".env"].iter().find_map(|f| {
        let text = project.read(f)?;
        text.lines().find_map(|l| {
            let value = l.trim().strip_prefix("FLASK_APP=")?;
            let module = value
                .trim_matches(|c| c == '"' || c == '\'')
                .split(':')
                .next()?;
            Some(format!(
                "{}.py",
                module.trim_end_matches(".py").replace('.', "/")
            ))
        })
    });
    let mut ordered: Vec<&String> = sources.iter().collect();
    ordered.sort_by_key(|f| (Some(*f) != named.as_ref(), f.matches('/').count()));
    for file in ordered {
        let Some(text) = project.read(file) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(var) = patterns
                .iter()
                .find_map(|p| p.0.captures(line).and_then(|c| c.get(1)))
                .map(|m| m.as_str())
            else {
                continue;
            };
            let evidence = Evidence::line(file, i + 1, format!("{var} = ..."));
            let indent = line.len() - line.trim_start().len();
            if indent == 0 {
                return Some((format!("{}:{var}", module_of(file)), evidence));
            }
            // indented: inside the function that makes it, if that is a module-level def
            let enclosing = lines[..i].iter().rev().find_map(|l| {
                let name = l.strip_prefix("def ")?;
                Some(name.split('(').next()?.trim().to_string())
            });
            if let (None, Some(function)) = (&factory, enclosing) {
                let evidence = Evidence::line(file, i + 1, format!("{var} = ... in {function}()"));
                factory = Some((format!("{}:{function}()", module_of(file)), evidence));
            }
        }
    }
    factory
}

/// Declared dependencies, normalized (lowercase, `_` -> `-`), with the line declaring them.
fn dependencies(project: &Project, pyproject: Option<&toml::Value>) -> Vec<Dependency> {
    let Ok(name_re) = Regex::new(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)") else {
        return vec![];
    };
    let normalize = |n: &str| n.to_ascii_lowercase().replace('_', "-");
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
                out.push(Dependency {
                    name: normalize(&c[1]),
                    evidence: Evidence::line(file, i + 1, ""),
                });
            }
        }
    }
    let mut declared: Vec<String> = vec![];
    if let Some(p) = pyproject {
        if let Some(list) = p
            .get("project")
            .and_then(|p| p.get("dependencies"))
            .and_then(|d| d.as_array())
        {
            declared.extend(
                list.iter()
                    .filter_map(|v| v.as_str())
                    .filter_map(|s| name_re.captures(s).map(|c| c[1].to_string())),
            );
        }
        if let Some(table) = p
            .get("tool")
            .and_then(|t| t.get("poetry"))
            .and_then(|t| t.get("dependencies"))
            .and_then(|d| d.as_table())
        {
            declared.extend(table.keys().filter(|k| *k != "python").cloned());
        }
    }
    for name in declared {
        let line = project.line_of("pyproject.toml", &name).unwrap_or(1);
        out.push(Dependency {
            name: normalize(&name),
            evidence: Evidence::line("pyproject.toml", line, ""),
        });
    }
    out
}

fn version(
    project: &Project,
    pyproject: Option<&toml::Value>,
    data: &StackData,
) -> Finding<String> {
    let Ok(plain) = Regex::new(r"([0-9]+\.[0-9]+)") else {
        return crate::detect::default_version(data);
    };
    // the first line that is not a comment
    let first = |file: &str| -> Option<(usize, String)> {
        let text = project.read(file)?;
        text.lines()
            .enumerate()
            .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map(|(i, l)| (i + 1, l.to_string()))
    };
    if let Some((line, text)) = first(".python-version") {
        if let Some(c) = plain.captures(&text) {
            return Finding::found(
                c[1].to_string(),
                Evidence::line(".python-version", line, ""),
            );
        }
    }
    if let Some(text) = project.read("runtime.txt") {
        if let Some(c) = plain.captures(text.lines().next().unwrap_or("")) {
            return Finding::found(c[1].to_string(), Evidence::line("runtime.txt", 1, ""));
        }
    }
    let requires = pyproject.and_then(|p| {
        p.get("project")
            .and_then(|p| p.get("requires-python"))
            .and_then(|v| v.as_str())
            .map(|s| (s.to_string(), "requires-python"))
            .or_else(|| {
                p.get("tool")?
                    .get("poetry")?
                    .get("dependencies")?
                    .get("python")?
                    .as_str()
                    .map(|s| (s.to_string(), "python"))
            })
    });
    if let Some((spec, key)) = requires {
        let line = project.line_of("pyproject.toml", key).unwrap_or(1);
        let evidence = Evidence::line("pyproject.toml", line, format!("{key} = \"{spec}\""));
        if let Some(v) = from_specifier(&spec, &data.default_version) {
            return Finding::found(v, evidence);
        }
    }
    crate::detect::default_version(data)
}

/// The version to build with for a requirement like ">=3.11", "~=3.12", "==3.12.*", "^3.11",
/// ">=3.10,<3.13": an exact pin wins; an upper bound gives the newest release below it;
/// a lower bound alone allows the current default.
/// `default` is the current release.
pub fn from_specifier(spec: &str, default: &str) -> Option<String> {
    let clause_re = Regex::new(r"^\s*(==|~=|>=|>|<=|<|\^|~)?\s*([0-9]+(?:\.[0-9]+)*)").ok()?;
    let mut lower: Option<String> = None;
    for clause in spec.split(',') {
        let c = clause_re.captures(clause)?;
        let (op, v) = (c.get(1).map_or("==", |m| m.as_str()), major_minor(&c[2]));
        match op {
            "==" | "~=" | "~" => return Some(v),
            "<" => {
                let (major, minor) = v.split_once('.')?;
                let minor: u32 = minor.parse().ok()?;
                if minor > 0 {
                    return Some(format!("{major}.{}", minor - 1));
                }
            }
            "<=" => return Some(v),
            _ => lower = Some(v),
        }
    }
    let lower = lower?;
    Some(if version_at_least(default, &lower) {
        default.to_string()
    } else {
        lower
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_specifiers() {
        let default = "3.14";
        let from = |spec| from_specifier(spec, default);
        assert_eq!(from(">=3.11").as_deref(), Some(default));
        assert_eq!(from("~=3.12").as_deref(), Some("3.12"));
        assert_eq!(from("==3.12.*").as_deref(), Some("3.12"));
        assert_eq!(from(">=3.10,<3.13").as_deref(), Some("3.12"));
        assert_eq!(from("^3.11").as_deref(), Some(default));
        assert_eq!(from(">=3.99").as_deref(), Some("3.99"));
    }
}
