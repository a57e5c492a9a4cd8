//! Hosting platforms' service files: Render's `render.yaml`, Fly's `fly.toml` and Heroku's
//! `app.json`. They say how the app starts on that platform, which is the least trusted word
//! on it: `dslim init` takes them only when the code and the Procfile or Dockerfile say
//! nothing. app.json names no command, only the environment.

use super::{shell_command, Declared, Process, Trust};
use crate::detect::Evidence;
use crate::project::Project;

/// The start commands, ports and environment of the platform files the project has.
pub fn platforms(project: &Project) -> Vec<Declared> {
    let mut found = render(project);
    found.extend(fly(project));
    found.extend(app_json(project));
    found
}

/// Heroku's `app.json`: no command (the Procfile has it), but the environment the app expects
/// (https://devcenter.heroku.com/articles/app-json-schema#env): a plain value, or an object
/// whose `value` is its default; one with no value that is `required` or made by a
/// `generator` (a secret) is the app's to be given. Secret-looking values are never copied.
fn app_json(project: &Project) -> Option<Declared> {
    let text = project.read("app.json")?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    let vars = doc.get("env")?.as_object()?;
    let (mut env, mut required) = (vec![], vec![]);
    for (name, spec) in vars {
        let value = spec.as_str().or_else(|| spec.get("value")?.as_str());
        let generated = spec.get("generator").is_some();
        let needed = spec
            .get("required")
            .is_some_and(|r| r.as_bool() != Some(false));
        // a secret's default is the app's example, never the deployment's: it is to be given
        match (value, super::dockerfile::looks_secret(name)) {
            (Some(value), false) => env.push((name.clone(), value.to_string())),
            (Some(_), true) => required.push((name.clone(), "a secret: its example is not copied")),
            (None, _) if generated => {
                required.push((name.clone(), "made by a generator on Heroku"))
            }
            (None, _) if needed => required.push((name.clone(), "required")),
            (None, _) => {}
        }
    }
    let line = project.line_of("app.json", "\"env\"").unwrap_or(1);
    Some(Declared {
        process: Process::Web,
        argv: vec![],
        release: vec![],
        port: None,
        reads_port: false,
        env,
        required,
        evidence: Evidence::line("app.json", line, "env"),
        trust: Trust::Under,
    })
}

/// `render.yaml`: each service's `startCommand`, web services first, with their `envVars`.
fn render(project: &Project) -> Vec<Declared> {
    let Some(text) = project.read("render.yaml") else {
        return vec![];
    };
    let Ok(doc) = serde_norway::from_str::<serde_norway::Value>(&text) else {
        return vec![];
    };
    let Some(services) = doc.get("services").and_then(|s| s.as_sequence()) else {
        return vec![];
    };
    let mut found: Vec<Declared> = services
        .iter()
        .filter_map(|service| {
            let command = service.get("startCommand")?.as_str()?;
            let line = project.line_of("render.yaml", command).unwrap_or(1);
            let mut d =
                shell_command(command, Evidence::line("render.yaml", line, "startCommand"))?;
            d.trust = Trust::Under;
            d.process = match service.get("type").and_then(|t| t.as_str()) {
                Some("web") | None => Process::Web,
                Some(_) => Process::Worker,
            };
            d.env = service
                .get("envVars")
                .and_then(|e| e.as_sequence())
                .into_iter()
                .flatten()
                .filter_map(|var| {
                    let key = var.get("key")?.as_str()?;
                    let value = var.get("value")?.as_str()?;
                    Some((key.to_string(), value.to_string()))
                })
                .collect();
            Some(d)
        })
        .collect();
    found.sort_by_key(|d| d.process != Process::Web);
    found
}

/// `fly.toml`: the `app` process (or `[experimental] cmd`), and the port its HTTP service
/// forwards to; a file with a port and no command still names the port.
fn fly(project: &Project) -> Option<Declared> {
    let text = project.read("fly.toml")?;
    let doc: toml::Value = toml::from_str(&text).ok()?;
    let port = doc
        .get("http_service")
        .and_then(|s| s.get("internal_port"))
        .or_else(|| {
            doc.get("services")?
                .as_array()?
                .first()?
                .get("internal_port")
        })
        .and_then(|p| p.as_integer())
        .and_then(|p| u16::try_from(p).ok())
        .map(|p| {
            let line = project.line_of("fly.toml", "internal_port").unwrap_or(1);
            (p, Evidence::line("fly.toml", line, "internal_port"))
        });
    let command = doc
        .get("processes")
        .and_then(|p| p.get("app").or_else(|| p.as_table()?.values().next()))
        .and_then(|c| c.as_str().map(String::from))
        .or_else(|| {
            let cmd = doc.get("experimental")?.get("cmd")?;
            match cmd {
                toml::Value::Array(words) => {
                    shlex::try_join(words.iter().filter_map(|w| w.as_str())).ok()
                }
                other => other.as_str().map(String::from),
            }
        });
    let line = project.line_of("fly.toml", "[processes]").unwrap_or(1);
    let evidence = Evidence::line("fly.toml", line, "processes");
    let mut d = match command {
        Some(c) => shell_command(&c, evidence)?,
        None => Declared {
            process: Process::Web,
            argv: vec![],
            release: vec![],
            port: None,
            reads_port: false,
            env: vec![],
            required: vec![],
            evidence,
            trust: Trust::Under,
        },
    };
    d.trust = Trust::Under;
    d.port = d.port.or(port);
    d.env = doc
        .get("env")
        .and_then(|e| e.as_table())
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    Some(d)
}
