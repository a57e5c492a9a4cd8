//! Apps a framework's own command runs from a script (`streamlit run app.py`): no app object
//! for a server, and `python app.py` would not serve.

use serde::Deserialize;

use crate::detect::{Evidence, Finding};
use crate::project::Project;
use crate::template::{AppServerNames, Pattern, Template, TemplateError};

/// A framework that runs the app's script (`[[runners]]` in python.toml).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Runner {
    /// the package that brings it
    pub package: String,
    /// a line of a script that uses it
    imports: Pattern,
    /// the script's usual names, looked for before the project's other top-level scripts
    scripts: Vec<String>,
    /// `{{ target }}` is the script
    command: Vec<Template<AppServerNames>>,
    /// where it listens unless told
    pub port: u16,
}

/// A script a runner runs: the runner, the script, and the line that uses the framework.
pub struct RunnerApp<'r> {
    pub runner: &'r Runner,
    script: String,
    pub evidence: Evidence,
}

impl RunnerApp<'_> {
    /// The command that serves it on `port`.
    pub fn command(&self, port: &str) -> Result<Vec<String>, TemplateError> {
        let values = [("target", self.script.as_str()), ("port", port)];
        Template::render_all(&self.runner.command, &values)
    }

    /// The framework's own port, as a finding.
    pub fn port(&self) -> Finding<u16> {
        Finding::found(
            self.runner.port,
            Evidence {
                note: format!("{}'s default port", self.runner.package),
                ..self.evidence.clone()
            },
        )
    }
}

/// The first runner the project depends on (`depends`) and a top-level script of it uses.
pub fn find<'r>(
    runners: &'r [Runner],
    project: &Project,
    sources: &[String],
    depends: impl Fn(&str) -> bool,
) -> Option<RunnerApp<'r>> {
    runners
        .iter()
        .filter(|r| depends(&r.package))
        .find_map(|runner| {
            let top_level = sources.iter().filter(|f| !f.contains('/'));
            let usual = runner.scripts.iter().filter(|s| sources.contains(s));
            let (script, line) = usual.chain(top_level).find_map(|file| {
                let (line, _) = project.find(file, &runner.imports.0)?;
                Some((file.clone(), line))
            })?;
            let evidence = Evidence::line(&script, line, format!("{} runs it", runner.package));
            Some(RunnerApp {
                runner,
                script,
                evidence,
            })
        })
}
