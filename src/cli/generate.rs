//! `dslim generate`: write the three files next to each recipe.

use camino::Utf8Path;

use super::{compile_all, warn, Recipes, SelectedWorkspace};
use crate::compile::Compiled;
use crate::compose_beside;
use crate::console::{say, stderr_is_terminal};
use crate::error::Error;
use crate::output;
use crate::stacks::Catalog;
use crate::workspace_compose::workspace_compose;

/// Which recipes, and whether files that are not dslim's may be replaced.
#[derive(Debug, clap::Args)]
pub struct WriteArgs {
    #[command(flatten)]
    pub recipes: Recipes,
    /// Replace files that dslim did not write, or that were edited since
    #[arg(long)]
    pub force: bool,
}

pub fn run(catalog: &Catalog, args: &WriteArgs) -> Result<(), Error> {
    let selection = args.recipes.select(&catalog.knowledge)?;
    let (compiled, mut errors) = compile_all(catalog, &selection);
    // a workspace whose members contradict each other (one service name twice) is written
    // not at all, rather than in part
    let mut composes = vec![];
    for workspace in &selection.workspaces {
        match workspace_compose(&workspace.file, &workspace.members, &compiled) {
            Ok(file) => composes.extend(file),
            Err(e) => errors.push(e),
        }
    }
    if errors
        .iter()
        .any(|e| !matches!(e, Error::Recipe { .. } | Error::Many { .. }))
    {
        return Error::all(errors);
    }
    errors.extend(
        compiled
            .iter()
            .filter(|c| selection.picks(c))
            .filter_map(|c| generate(c, args.force).err()),
    );
    for (path, contents) in composes {
        errors.extend(write_compose(&path, &contents, args.force).err());
    }
    Error::all(errors)
}

/// Writes the workspace's compose.yaml, once its members have compiled.
pub fn generate_workspace(
    workspace: &SelectedWorkspace,
    compiled: &[Compiled],
    force: bool,
) -> Result<(), Error> {
    match workspace_compose(&workspace.file, &workspace.members, compiled)? {
        Some((path, contents)) => write_compose(&path, &contents, force),
        None => Ok(()),
    }
}

fn write_compose(path: &Utf8Path, contents: &str, force: bool) -> Result<(), Error> {
    let outcome = output::write(path, contents, force)?;
    say(&format!(
        "{:>9} {path}{}\n",
        outcome.done(),
        kept(path, &outcome)
    ));
    Ok(())
}

/// For a file --force replaced, where the old one is kept.
fn kept(path: &Utf8Path, outcome: &output::Outcome) -> String {
    match outcome {
        output::Outcome::Replaced => format!(" (the old one is {})", output::kept_copy(path)),
        _ => String::new(),
    }
}

/// Writes the compiled recipe's files, saying what happened to each. A file the build would
/// copy from the project and cannot find stops it, as `docker build` would later.
pub fn generate(compiled: &Compiled, force: bool) -> Result<(), Error> {
    let missing = compiled.missing_inputs(miette::Severity::Error);
    if !missing.is_empty() {
        return Err(Error::Recipe {
            path: compiled.recipe_path.clone(),
            errors: missing,
        });
    }
    warn(compiled);
    // a stale lock leaves the images it lacks unpinned; `check` fails on it
    for problem in compiled.lock_problems(miette::Severity::Warning) {
        say(&crate::error::report_located(
            &problem,
            stderr_is_terminal(),
        ));
    }
    let dir: &Utf8Path = compiled.dir();
    // what a hand-written compose file ran beside the app (a database), read before
    // compose.yaml replaces or shadows it
    let beside = compose_beside::beside(dir, &compiled.plan.service.name);
    for (name, outcome) in output::write_all(dir, &compiled.rendered, force)? {
        let path = dir.join(&name);
        say(&format!(
            "{:>9} {path}{}\n",
            outcome.done(),
            kept(&path, &outcome)
        ));
        let new_compose = matches!(
            outcome,
            output::Outcome::Created | output::Outcome::Replaced
        );
        if let (true, Some(beside)) = (name == crate::COMPOSE && new_compose, &beside) {
            move_beside(dir, beside, &compiled.plan.service.name)?;
        }
    }
    Ok(())
}

/// Writes compose.override.yaml with the services the app's own compose file ran beside it,
/// or, when the project has an override already, says which to move there.
fn move_beside(dir: &Utf8Path, beside: &compose_beside::Beside, app: &str) -> Result<(), Error> {
    let services = beside.what();
    let old = match output::kept_copy(&beside.file) {
        kept if kept.exists() => kept,
        _ => beside.file.clone(),
    };
    match &beside.override_text {
        Some(text) => {
            let path = dir.join(compose_beside::OVERRIDE);
            output::write_atomically(&path, text)?;
            // docker-compose.yml stays, but Compose now reads compose.yaml first
            let shadowed = match beside.file.file_name() {
                Some(crate::COMPOSE) | None => String::new(),
                Some(name) => format!("; Compose now reads compose.yaml, not {name}"),
            };
            say(&format!(
                "  created {path} (what {old} ran beside the app: {services}; Compose merges it over compose.yaml{shadowed})\n"
            ));
        }
        None => {
            let file = beside.override_name();
            // an override written for the old service name now names a service with no build
            let rename = match &beside.renamed_from {
                Some(name) => format!(
                    "; its service `{name}` is `{app}` in compose.yaml: rename it there too"
                ),
                None => String::new(),
            };
            say(&format!(
                "warning: {old} also ran or set what compose.yaml does not ({services}): add it to {file}, which Compose merges over compose.yaml{rename}\n"
            ))
        }
    }
    Ok(())
}
