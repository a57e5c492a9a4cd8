//! Frameworks that build in their own way: Next.js (next start, standalone, a static export),
//! and the env files bundlers read at build time.

use serde_json::Value;

use super::{BuildEnv, NextJs};
use crate::detect::{Build, DetectInput, Detection, Evidence, Finding};
use crate::error::Warning;
use crate::project::Project;
use crate::template::Pattern;

/// A Next.js app: `next build`, then `next start` with the production dependencies, on the
/// start script's port or PORT; a static export is a single-page app.
pub fn next_app(
    next: &NextJs,
    project: &Project,
    package: &Value,
    d: &mut Detection,
    input: &DetectInput,
) {
    let line = |needle: &str| project.line_of("package.json", needle).unwrap_or(1);
    let dependency = Evidence::line(
        "package.json",
        line(&format!("\"{}\"", next.dependency)),
        "Next.js",
    );
    let config = next.config_files.iter().find(|f| project.exists(f));
    let config_says = |pattern: &Pattern, note: &str| {
        let f = config?;
        let line = project
            .find_any(std::slice::from_ref(f), Some(&pattern.0))?
            .1;
        Some(Evidence::line(f, line, note))
    };
    let export = config_says(&next.static_export, "a static export");
    if let Some(evidence) = export {
        d.spa = true;
        d.build = Some(Finding::found(
            Build::output("build", next.static_output.clone()),
            evidence,
        ));
        d.port = Some(Finding::guessed(
            input.knowledge.spa.default_port,
            "the port of unprivileged nginx",
        ));
        return;
    }
    let standalone = config_says(&next.standalone, "standalone");
    let build = match &standalone {
        Some(_) => Build {
            script: "build".into(),
            output: next.standalone_output.clone(),
            also: next
                .standalone_also
                .iter()
                .filter(|p| p.starts_with(&format!("{}/", next.output)) || project.exists(p))
                .cloned()
                .collect(),
            cache: Some(next.cache.clone()),
            self_contained: true,
        },
        None => Build {
            script: "build".into(),
            output: next.output.clone(),
            also: next
                .also
                .iter()
                .filter(|p| project.exists(p))
                .cloned()
                .collect(),
            cache: Some(next.cache.clone()),
            self_contained: false,
        },
    };
    let evidence = standalone.clone().unwrap_or_else(|| dependency.clone());
    d.build = Some(Finding::found(build, evidence.clone()));
    let start = match standalone {
        Some(_) => {
            for (k, v) in &next.standalone_env {
                d.set_env(Finding::found((k.clone(), v.clone()), evidence.clone()));
            }
            next.standalone_start.clone()
        }
        None => next.start.clone(),
    };
    d.entrypoint = Some(Finding::found(start, evidence));
    let start = package["scripts"]["start"].as_str().unwrap_or("");
    let port = match next
        .port_flags
        .0
        .captures(start)
        .and_then(|c| c[1].parse().ok())
    {
        Some(port) => Finding::found(port, Evidence::line("package.json", line("\"start\""), "")),
        None => Finding::found(
            next.port,
            Evidence {
                note: "next start's default port".into(),
                ..dependency
            },
        ),
    };
    // next start listens on PORT
    d.listen_on_port(port);
}

/// An env file the bundler reads at build time: let back into the build context when it holds
/// only public values, else left out with a warning naming what it holds.
pub fn build_env(env: &BuildEnv, project: &Project, d: &mut Detection) {
    for file in &env.files {
        let Some(text) = project.read(file) else {
            continue;
        };
        let keys: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.trim_start_matches("export ").split('=').next())
            .map(str::trim)
            .collect();
        let private: Vec<String> = keys
            .iter()
            .filter(|k| {
                !env.public_prefixes
                    .iter()
                    .any(|p| k.starts_with(p.as_str()))
                    || env.secret_words.iter().any(|w| k.contains(w.as_str()))
            })
            .map(|k| k.to_string())
            .collect();
        if keys.is_empty() {
            continue;
        }
        if private.is_empty() {
            d.ignore.push(Finding::found(
                format!("!{file}"),
                Evidence::file(
                    file,
                    "only public values, which the build bakes into the bundle",
                ),
            ));
        } else {
            d.warnings.push(Warning::EnvFileLeftOut {
                file: file.clone(),
                keys: private,
            });
        }
    }
}
