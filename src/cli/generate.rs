//! `dslim generate`: write the three files next to each recipe.

use camino::Utf8Path;

use super::{compile_all, warn, Recipes, SelectedWorkspace};
use crate::compile::Compiled;
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
    // what a hand-written compose.yaml ran beside the app (a database), read before it goes
    let beside = output::services_not_built(&dir.join(crate::COMPOSE));
    for (name, outcome) in output::write_all(dir, &compiled.rendered, force)? {
        let path = dir.join(&name);
        say(&format!(
            "{:>9} {path}{}\n",
            outcome.done(),
            kept(&path, &outcome)
        ));
        if name == crate::COMPOSE && outcome == output::Outcome::Replaced && !beside.is_empty() {
            say(&format!(
                "warning: the compose.yaml it replaced also ran services that build nothing ({}): move them from {} to compose.override.yaml, which Compose merges over compose.yaml\n",
                beside.join(", "),
                output::kept_copy(&path)
            ));
        }
    }
    Ok(())
}
