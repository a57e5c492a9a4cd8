//! Detecting Python apps: requirements.txt, pyproject.toml (uv, poetry), Pipfile;
//! Flask/FastAPI/Django apps served by the servers among their dependencies (the data's
//! `[[servers]]`).

use super::dependencies::dependencies;
use super::runners;
use super::wheels;
use super::{AppKind, Python, PythonDetect};
use crate::detect::secrets::{self, SecretGuess};
use crate::detect::{BuildStep, DetectInput, Detection, Evidence, Finding, Source};
use crate::error::Warning;
use crate::project::Project;
use crate::template::Pattern;

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
    } else if let Some(found) = input.manager_above(&mut d.warnings) {
        found
    } else if has_poetry_table {
        d.warnings.push(Warning::PoetryWithoutLock);
        Finding::found(
            "poetry".to_string(),
            Evidence::file("pyproject.toml", "[tool.poetry]"),
        )
    } else if project.exists("Pipfile") {
        // without Pipfile.lock: pipenv locks in the builder (the manager's data)
        Finding::found("pipenv".to_string(), Evidence::file("Pipfile", ""))
    } else {
        d.warnings.push(Warning::PyprojectWithoutLock);
        Finding::found(
            "uv".to_string(),
            Evidence::file("pyproject.toml", "[project]"),
        )
    };

    let dependencies = dependencies(project, pyproject.as_ref(), &stack.extras);
    let depends_on = |name: &str| dependencies.iter().find(|dep| dep.name == name);
    d.dependencies = dependencies
        .iter()
        .map(|dep| (dep.name.clone(), dep.evidence.clone()))
        .collect();

    // --- version, within what the compiled dependencies have wheels for
    let pins: Vec<(String, String, Evidence)> = dependencies
        .iter()
        .filter_map(|dep| Some((dep.name.clone(), dep.pin.clone()?, dep.evidence.clone())))
        .collect();
    let lockfile = wheels::Lockfile::read(project);
    let mut limits = (lockfile.iter())
        .flat_map(|lock| wheels::from_lockfile(project, lock))
        .collect::<Vec<_>>();
    limits.extend(wheels::from_pins(&pins, &stack.wheels));
    let (version, warning) =
        super::version::version(project, pyproject.as_ref(), input.data, &limits);
    // a package installed from a wheel brings its own libraries: its system packages are
    // for a source build only
    let prebuilt_for = |name: &str| -> Vec<String> {
        (limits.iter().filter(|l| l.name == name))
            .flat_map(|l| l.minors.iter().map(|m| format!("3.{m}")))
            .collect()
    };
    d.version = Some(version);
    d.warnings.extend(warning);

    // --- the app and what serves it
    let sources = project.sources(&["py"], 2);
    let k = &stack.detect;
    d.required_env = crate::detect::required_env(project, &sources, &k.env);
    // a uWSGI ini file says how the app runs, and often on which port
    let ini = depends_on("uwsgi").and_then(|_| uwsgi_ini(project, &k.uwsgi_http));
    let port = match ini.as_ref().and_then(|ini| ini.port.clone()) {
        Some(port) => port,
        None => input.port(
            &sources,
            &k.ports,
            "the usual port of gunicorn and uvicorn apps",
        ),
    };
    d.build_steps
        .extend(collectstatic(stack, project, &sources, &d.required_env));
    d.release = migrate(stack, project, &sources);
    let django = |file_name: &str, marker: &str| {
        sources.iter().find_map(|f| {
            (f.rsplit('/').next()? == file_name).then_some(())?;
            let line = project.line_of(f, marker)?;
            Some((module_of(f), Evidence::line(f, line, "Django")))
        })
    };
    let wsgi = app_object(project, &sources, &k.wsgi_apps);
    let asgi = app_object(project, &sources, &k.asgi_apps);
    let django_app =
        |(module, evidence): (String, Evidence)| (format!("{module}:application"), evidence);
    let apps = [
        (AppKind::Asgi, asgi.clone()),
        (AppKind::Wsgi, wsgi.clone()),
        (
            AppKind::DjangoWsgi,
            django("wsgi.py", "get_wsgi_application").map(django_app),
        ),
        (
            AppKind::DjangoAsgi,
            django("asgi.py", "get_asgi_application").map(django_app),
        ),
    ];
    let port_text = port.value.to_string();
    // uWSGI runs the app as its ini file says
    let from_ini = ini.map(|ini| {
        let mut argv = vec!["uwsgi".to_string(), "--ini".into(), ini.file.clone()];
        if ini.port.is_none() {
            // it speaks uwsgi's own protocol (to a proxy) unless told to serve HTTP
            argv.extend(["--http-socket".into(), format!("0.0.0.0:{port_text}")]);
        }
        Finding::found(argv, Evidence::file(&ini.file, "[uwsgi]"))
    });
    // a pinned release that imports pkg_resources needs setuptools in the venv
    if let Some(dep) = dependencies.iter().find(|dep| {
        let fixed = k.needs_setuptools.get(&dep.name);
        matches!((fixed, &dep.pin), (Some(fixed), Some(pin)) if !wheels::release_at_least(pin, fixed))
    }) {
        let pin = dep.pin.clone().unwrap_or_default();
        d.build_steps.push(Finding::found(
            BuildStep {
                argv: k.install_setuptools.clone(),
                env: vec![],
            },
            Evidence {
                note: format!("{} {pin} imports pkg_resources, from setuptools", dep.name),
                ..dep.evidence.clone()
            },
        ));
    }
    // a console script the project declares ([project.scripts]) runs once the project itself
    // is installed into the venv, which a build step does
    let script = project_script(project, pyproject.as_ref());
    if let Some((_, evidence)) = &script {
        d.build_steps.push(Finding::found(
            BuildStep {
                argv: k.install_project.clone(),
                env: vec![],
            },
            evidence.clone(),
        ));
    }
    let from_script = script.map(|(name, evidence)| Finding::found(vec![name], evidence));
    // the first server, in the data's order, that is a dependency and runs an app found here;
    // a framework's development server only when the project starts nothing else
    let serve = |development: bool| {
        stack.servers.iter().find_map(|server| {
            (server.development == development).then_some(())?;
            // a server another dependency brings (fastapi 0.111's uvicorn) is in the venv too
            let dependency_at = (depends_on(&server.package).map(|dep| dep.evidence.clone()))
                .or_else(|| lockfile.as_ref()?.locks(&server.package))?;
            if server.runs == AppKind::DjangoWsgi && development && !project.exists("manage.py") {
                return None;
            }
            let (_, app) = apps.iter().find(|(kind, _)| *kind == server.runs)?;
            let (target, evidence) = app.clone()?;
            Some(Finding {
                value: server.command(&target, &port_text).ok()?,
                source: Source::Found(vec![evidence, dependency_at]),
            })
        })
    };
    let mut port = port;
    let entrypoint = from_script.or(from_ini).or_else(|| serve(false));
    // a script a framework runs itself (`streamlit run app.py`), on its port unless told
    let run_by = runners::find(&stack.runners, project, &sources, |n| {
        depends_on(n).is_some()
    });
    let entrypoint = entrypoint.or_else(|| {
        let app = run_by?;
        if port.is_guess() {
            port = app.port();
        }
        let argv = app.command(&port.value.to_string()).ok()?;
        Some(Finding::found(argv, app.evidence))
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
        d.entrypoint = serve(true);
        if d.entrypoint.is_some() {
            d.warnings.push(Warning::DevelopmentServer);
        }
    }
    // a plain main.py with no app object in the project: a script, run once, serving nothing
    let mut script = false;
    if d.entrypoint.is_none() && asgi.is_none() && wsgi.is_none() {
        if let Some(main) = ["main.py", "app.py"]
            .iter()
            .find(|f| sources.contains(&f.to_string()))
        {
            script = true;
            d.entrypoint = Some(Finding::found(
                vec!["python".into(), main.to_string()],
                Evidence::file(main, "a script: no app object, no __main__ guard"),
            ));
        }
    }
    if d.entrypoint.is_none() {
        // an app object with no server for it: name it, and the server that would run it
        let unserved = [(AppKind::Asgi, &asgi), (AppKind::Wsgi, &wsgi)]
            .into_iter()
            .find_map(|(kind, app)| Some((kind, app.clone()?)));
        d.warnings.push(match unserved {
            Some((kind, (target, at))) => {
                let servers = stack
                    .servers
                    .iter()
                    .filter(|s| s.runs == kind && !s.development);
                Warning::NoServerForApp {
                    app: target.clone(),
                    at: Evidence {
                        note: String::new(),
                        ..at
                    }
                    .to_string(),
                    servers: servers.clone().map(|s| s.package.clone()).collect(),
                    example: (servers.clone().next())
                        .and_then(|s| s.command(&target, &port_text).ok())
                        .map(|argv| argv.join(" "))
                        .unwrap_or_default(),
                }
            }
            None => Warning::NoPythonApp,
        });
    }
    if !script {
        d.port = Some(port);
    }

    if manager.value == "pip" && !project.exists("requirements.txt") {
        d.warnings.push(Warning::PipWithoutRequirements);
    }
    d.secrets = private_indexes(project, pyproject.as_ref(), &manager.value, k);
    d.manager = Some(manager);
    d.native = dependencies
        .iter()
        // another dependency brings what it needs (psycopg[binary] its libpq)
        .filter(|dep| {
            input.data.native.get(&dep.name).is_none_or(|entry| {
                !entry
                    .unless
                    .iter()
                    .any(|other| dependencies.iter().any(|d| &d.name == other))
            })
        })
        .filter_map(|dep| {
            let mut native = input.native_dep(&dep.name, dep.evidence.clone())?;
            native.prebuilt_for = prebuilt_for(&dep.name);
            Some(native)
        })
        .collect();
    Some(d)
}

/// Django serves static files from STATIC_ROOT, which only `manage.py collectstatic` fills:
/// run it at build time, with a placeholder for each variable the settings module cannot load
/// without.
fn collectstatic(
    stack: &Python,
    project: &Project,
    sources: &[String],
    required_env: &[(String, Evidence)],
) -> Option<Finding<BuildStep>> {
    let k = &stack.detect;
    let (settings, line, _) = project.find_any(sources, Some(&k.static_root.0))?;
    let manage = manage_py(sources)?;
    let mut argv = vec!["python".to_string(), manage.clone()];
    argv.extend(k.collectstatic.iter().cloned());
    let env = required_env
        .iter()
        .filter(|(_, at)| at.file == settings)
        .map(|(name, _)| (name.clone(), k.build_only_value.clone()))
        .collect();
    Some(Finding::found(
        BuildStep { argv, env },
        Evidence::line(&settings, line, "STATIC_ROOT"),
    ))
}

/// A Django project with a database: `manage.py migrate`, once per release.
fn migrate(stack: &Python, project: &Project, sources: &[String]) -> Option<Finding<Vec<String>>> {
    let k = &stack.detect;
    let (settings, line, _) = project.find_any(sources, Some(&k.databases.0))?;
    let manage = manage_py(sources)?;
    let mut argv = vec!["python".to_string(), manage.clone()];
    argv.extend(k.migrate.iter().cloned());
    Some(Finding::found(
        argv,
        Evidence::line(&settings, line, "a database, migrated once per release"),
    ))
}

/// The project's manage.py, the one nearest the top.
fn manage_py(sources: &[String]) -> Option<&String> {
    sources
        .iter()
        .filter(|f| f.rsplit('/').next() == Some("manage.py"))
        .min_by_key(|f| f.matches('/').count())
}

/// The console script `[project.scripts]` declares: the one named after the project, else the
/// only one.
fn project_script(
    project: &Project,
    pyproject: Option<&toml::Value>,
) -> Option<(String, Evidence)> {
    let p = pyproject?.get("project")?;
    let scripts = p.get("scripts")?.as_table()?;
    let name = p.get("name").and_then(|n| n.as_str()).unwrap_or_default();
    let chosen = match scripts.get(name) {
        Some(_) => name.to_string(),
        None if scripts.len() == 1 => scripts.keys().next()?.clone(),
        None => return None,
    };
    let line = project
        .line_of("pyproject.toml", "[project.scripts]")
        .unwrap_or(1);
    Some((
        chosen,
        Evidence::line("pyproject.toml", line, "[project.scripts]"),
    ))
}

/// A uWSGI ini file at the top of the project, and the port its HTTP socket is on.
struct UwsgiIni {
    file: String,
    port: Option<Finding<u16>>,
}

fn uwsgi_ini(project: &Project, http: &Pattern) -> Option<UwsgiIni> {
    let file = ["uwsgi.ini", "app.ini", "wsgi.ini", "uwsgi/uwsgi.ini"]
        .iter()
        .find(|f| project.line_of(f, "[uwsgi]").is_some())?
        .to_string();
    let port = project.find(&file, &http.0).and_then(|(line, port)| {
        Some(Finding::found(
            port.parse().ok()?,
            Evidence::line(&file, line, ""),
        ))
    });
    Some(UwsgiIni { file, port })
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
                // the module may call the factory itself (`app = create_application()`, with
                // startup hooks registered on that app): run that app, not a new one
                let called = lines.iter().enumerate().find_map(|(j, l)| {
                    let (name, call) = l.split_once('=')?;
                    let name = name.trim();
                    let plain = !name.is_empty()
                        && !l.starts_with(char::is_whitespace)
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    (plain && call.trim_start().starts_with(&format!("{function}(")))
                        .then(|| (name.to_string(), j))
                });
                factory = Some(match called {
                    Some((name, j)) => (
                        format!("{}:{name}", module_of(file)),
                        Evidence::line(file, j + 1, format!("{name} = {function}()")),
                    ),
                    None => (
                        format!("{}:{function}()", module_of(file)),
                        Evidence::line(file, i + 1, format!("{var} = ... in {function}()")),
                    ),
                });
            }
        }
    }
    factory
}

/// The secrets a private package index needs: a variable in a requirements file's index URL
/// (pip), the credentials of each index pyproject.toml names (`[[tool.uv.index]]`,
/// `[[tool.poetry.source]]`).
fn private_indexes(
    project: &Project,
    pyproject: Option<&toml::Value>,
    manager: &str,
    k: &PythonDetect,
) -> Vec<Finding<SecretGuess>> {
    if manager == "pip" {
        return secrets::variables_in(project, "requirements.txt", &k.index_variables)
            .into_iter()
            .map(|(var, at)| Finding::found(SecretGuess::env(&var), at))
            .collect();
    }
    let (Some(indexes), Some(pyproject)) = (k.named_indexes.get(manager), pyproject) else {
        return vec![];
    };
    let tables = (indexes.tables.split('.'))
        .try_fold(pyproject, |value, key| value.get(key))
        .and_then(toml::Value::as_array);
    let names: Vec<(String, Evidence)> = (tables.into_iter().flatten())
        .filter_map(|index| index.get("name")?.as_str())
        .map(|name| {
            let line = project
                .line_of("pyproject.toml", &format!("\"{name}\""))
                .unwrap_or(1);
            let table = format!("[[{}]]", indexes.tables);
            (
                name.to_string(),
                Evidence::line("pyproject.toml", line, &table),
            )
        })
        .collect();
    secrets::named(&names, &indexes.env)
}
