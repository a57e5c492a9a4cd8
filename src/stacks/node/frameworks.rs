//! Frameworks that build in their own way: Next.js (next start, standalone, a static export),
//! the frameworks whose build is the server (Nuxt, SvelteKit's and React Router's), and the env
//! files bundlers read at build time.

use serde::Deserialize;
use serde_json::Value;

use super::bins::{start_command, Executables};
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
    // what the config says (a pattern's group 1, or the whole match), and where
    let config_says = |pattern: &Pattern, note: &str| {
        let f = config?;
        let (line, said) = project.find(f, &pattern.0)?;
        Some((said, Evidence::line(f, line, note)))
    };
    // `distDir` moves .next and what is in it, and a static export
    let dist_dir = config_says(&next.dist_dir, "distDir");
    let moved = |path: &str| match (&dist_dir, path.strip_prefix(next.output.as_str())) {
        (Some((dir, _)), Some(rest)) => format!("{dir}{rest}"),
        _ => path.to_string(),
    };
    let export = config_says(&next.static_export, "a static export");
    if let Some((_, evidence)) = export {
        match &dist_dir {
            Some((dir, at)) => static_site(dir, at.clone(), input, d),
            None => static_site(&next.static_output, evidence, input, d),
        }
        return;
    }
    let standalone = config_says(&next.standalone, "standalone").map(|(_, at)| at);
    let build = match &standalone {
        Some(_) => Build {
            script: "build".into(),
            output: moved(&next.standalone_output),
            also: next
                .standalone_also
                .iter()
                .filter(|p| p.starts_with(&format!("{}/", next.output)) || project.exists(p))
                .map(|p| moved(p))
                .collect(),
            cache: Some(moved(&next.cache)),
            self_contained: true,
        },
        None => Build {
            script: "build".into(),
            output: moved(&next.output),
            also: next
                .also
                .iter()
                .filter(|p| project.exists(p))
                .cloned()
                .collect(),
            cache: Some(moved(&next.cache)),
            self_contained: false,
        },
    };
    let evidence = standalone.clone().unwrap_or_else(|| dependency.clone());
    d.build = Some(Finding::found(build, evidence.clone()));
    let start = match standalone {
        Some(_) => {
            d.set_envs(&next.standalone_env, &evidence);
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

/// A framework whose build output is the app's server (`[[detect.bundled]]`).
#[derive(Debug, Deserialize)]
pub struct Bundled {
    pub dependency: String,
    output: String,
    /// self-contained: run from the output's contents at the workdir; otherwise from the
    /// workdir, with the production dependencies
    start: Vec<String>,
    port: u16,
    #[serde(default = "yes")]
    self_contained: bool,
    /// what the server reads besides the output, taken when the app has them
    #[serde(default)]
    also: Vec<String>,
    /// variables the server needs in a container (an address to listen on)
    #[serde(default)]
    env: Vec<(String, String)>,
    /// a setting that makes the build a static site instead (React Router's `ssr: false`)
    static_site: Option<StaticSite>,
}

fn yes() -> bool {
    true
}

/// Where a framework is told to build a static site, and the folder it then writes.
#[derive(Debug, Deserialize)]
struct StaticSite {
    files: Vec<String>,
    pattern: Pattern,
    output: String,
}

/// A framework's build that makes a static site in `output`: served by nginx.
fn static_site(output: &str, evidence: Evidence, input: &DetectInput, d: &mut Detection) {
    d.spa = true;
    d.build = Some(Finding::found(
        Build::output("build", output.to_string()),
        evidence,
    ));
    d.port = Some(Finding::guessed(
        input.knowledge.spa.default_port,
        "the port of unprivileged nginx",
    ));
}

/// An app whose framework builds its server: `start` runs it from the build's output (the
/// package.json start script, when it runs the framework's own server, else the framework's
/// usual command), on the framework's port; or a static site when the config says so.
/// Returns whether it is a server.
pub fn bundled_app(
    bundled: &Bundled,
    package: &Value,
    dependencies: &[String],
    executables: &Executables,
    input: &DetectInput,
    d: &mut Detection,
) -> bool {
    let project = input.project;
    let line = |needle: &str| project.line_of("package.json", needle).unwrap_or(1);
    let evidence = Evidence::line(
        "package.json",
        line(&format!("\"{}\"", bundled.dependency)),
        "",
    );
    let static_config = bundled.static_site.as_ref().and_then(|site| {
        let (file, line, _) = project.find_any(&site.files, Some(&site.pattern.0))?;
        Some((site, Evidence::line(&file, line, "a static site")))
    });
    if let Some((site, evidence)) = static_config {
        static_site(&site.output, evidence, input, d);
        return false;
    }
    let mut build = Build::output("build", bundled.output.clone());
    build.self_contained = bundled.self_contained;
    build.also = (bundled.also.iter())
        .filter(|p| project.exists(p))
        .cloned()
        .collect();
    d.build = Some(Finding::found(build, evidence.clone()));
    // the start script, when it runs the framework's server (with its own arguments)
    let script = package["scripts"]["start"].as_str().and_then(|s| {
        start_command(s, executables, dependencies, &[])
            .filter(|c| c.package.as_deref() == Some(bundled.dependency.as_str()))
    });
    d.entrypoint = Some(match script {
        Some(command) => Finding::found(
            command.argv,
            Evidence::line("package.json", line("\"start\""), ""),
        ),
        None => Finding::found(bundled.start.clone(), evidence.clone()),
    });
    d.set_envs(&bundled.env, &evidence);
    let port = Finding::found(
        bundled.port,
        Evidence {
            note: format!("{}'s default port", bundled.dependency),
            ..evidence
        },
    );
    d.listen_on_port(port);
    true
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
