//! Hosting platforms' service files: Render's `render.yaml` and Fly's `fly.toml`. They say how
//! the app starts on that platform, which is the least trusted word on it: `dslim init` takes
//! them only when the code and the Procfile or Dockerfile say nothing.

use super::{shell_command, Declared, Process, Trust};
use crate::detect::Evidence;
use crate::project::Project;

/// The start commands and ports of the platform files the project has.
pub fn platforms(project: &Project) -> Vec<Declared> {
    let mut found = render(project);
    found.extend(fly(project));
    found
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
