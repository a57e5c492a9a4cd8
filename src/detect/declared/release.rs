//! The command a project runs once per release (a migration), as its platform files declare
//! it: a Procfile's `release:` line (Heroku's release phase), `fly.toml`'s
//! `[deploy] release_command`, a `render.yaml` service's `preDeployCommand`. It becomes the
//! recipe's `release-command` node: a one-off compose service, never a build step.

use crate::detect::{Evidence, Finding};
use crate::project::Project;

/// The first release command the project declares, in that order.
pub fn release_command(project: &Project) -> Option<Finding<Vec<String>>> {
    procfile(project)
        .or_else(|| fly(project))
        .or_else(|| render(project))
}

fn procfile(project: &Project) -> Option<Finding<Vec<String>>> {
    let text = project.read("Procfile")?;
    text.lines().enumerate().find_map(|(i, line)| {
        let command = line.strip_prefix("release:")?;
        let argv = argv(command)?;
        Some(Finding::found(
            argv,
            Evidence::line("Procfile", i + 1, "release"),
        ))
    })
}

fn fly(project: &Project) -> Option<Finding<Vec<String>>> {
    let doc: toml::Value = toml::from_str(&project.read("fly.toml")?).ok()?;
    let command = doc.get("deploy")?.get("release_command")?.as_str()?;
    let line = project.line_of("fly.toml", "release_command").unwrap_or(1);
    Some(Finding::found(
        argv(command)?,
        Evidence::line("fly.toml", line, "release_command"),
    ))
}

fn render(project: &Project) -> Option<Finding<Vec<String>>> {
    let text = project.read("render.yaml")?;
    let doc: serde_norway::Value = serde_norway::from_str(&text).ok()?;
    let command = doc
        .get("services")?
        .as_sequence()?
        .iter()
        .find_map(|s| s.get("preDeployCommand")?.as_str())?;
    let line = project
        .line_of("render.yaml", "preDeployCommand")
        .unwrap_or(1);
    Some(Finding::found(
        argv(command)?,
        Evidence::line("render.yaml", line, "preDeployCommand"),
    ))
}

/// A command line as the words of an exec-form command: a chain (`a && b`) or anything else
/// only a shell reads runs through `sh -c`.
fn argv(line: &str) -> Option<Vec<String>> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let shell = ['&', ';', '|', '>', '<', '$', '`'];
    match line.contains(shell) {
        true => Some(vec!["sh".into(), "-c".into(), line.into()]),
        false => shlex::split(line).filter(|w| !w.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_runs_through_sh_and_words_stay_words() {
        assert_eq!(
            argv("python manage.py migrate --noinput").unwrap(),
            ["python", "manage.py", "migrate", "--noinput"]
        );
        assert_eq!(
            argv("flask db upgrade && flask seed").unwrap(),
            ["sh", "-c", "flask db upgrade && flask seed"]
        );
        assert_eq!(argv("  "), None);
    }
}
