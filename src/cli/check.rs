//! `dslim check`: fail when generated files are missing or differ from what the recipes give.
//! With `--json`, a report CI tools can read.

use serde::Serialize;

use super::{print, warn, Recipes};
use camino::{Utf8Path, Utf8PathBuf};

use crate::compile::Compiled;
use crate::error::{Error, FileState, StaleFile, Summary};
use crate::render::{provenance, Provenance};
use crate::stacks::Catalog;
use crate::workspace_compose::workspace_compose;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub recipes: Recipes,
    /// Print a JSON report on standard output: each recipe, its state and its stale files
    #[arg(long)]
    pub json: bool,
}

/// One recipe's line of the JSON report.
#[derive(Serialize)]
struct RecipeReport {
    recipe: String,
    /// "up-to-date", "stale" (its files, or its dslim.lock) or "invalid" (it does not compile)
    state: &'static str,
    files: Vec<StaleFile>,
    /// why an invalid recipe does not compile, or what its stale lock lacks: each diagnostic
    /// with its file, line and column
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<Summary>,
}

pub fn run(catalog: &Catalog, args: &Args) -> Result<(), Error> {
    let selection = args.recipes.select(&catalog.knowledge)?;
    let talk = !args.json;
    let mut errors = vec![];
    let mut reports = vec![];
    let mut compiled = vec![];
    let results = super::compile_each(catalog, &selection);
    for (path, result) in selection.recipes.iter().zip(results) {
        let result = match result {
            // the workspace's compose.yaml is made of every member
            Ok(c) if !selection.picks(&c) => {
                compiled.push(c);
                continue;
            }
            Ok(c) => {
                if talk {
                    warn(&c);
                }
                let result = check_recipe(&c, talk);
                compiled.push(c);
                result
            }
            Err(e) => Err(e),
        };
        reports.push(report(path, &result));
        errors.extend(result.err());
    }
    if errors.is_empty() {
        errors.extend(selection.all_services_found(compiled.iter()).err());
    }
    for workspace in &selection.workspaces {
        let result =
            workspace_compose(&workspace.file, &workspace.members, &compiled).and_then(|file| {
                match file {
                    Some((path, contents)) => {
                        check(&workspace.file.path, [(path, contents.as_str())], talk)
                    }
                    None => Ok(()),
                }
            });
        reports.push(report(&workspace.file.path, &result));
        errors.extend(result.err());
    }
    if args.json {
        let json = serde_json::json!({ "recipes": reports });
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        ))?;
    }
    Error::all(errors)
}

/// The JSON report's line for one recipe.
fn report(path: &Utf8Path, result: &Result<(), Error>) -> RecipeReport {
    let errors = match result {
        Ok(()) => vec![],
        Err(Error::Many { errors }) => errors.iter().collect(),
        Err(e) => vec![e],
    };
    let stale = |e: &&Error| matches!(e, Error::Stale { .. } | Error::StaleLock { .. });
    let state = match errors.is_empty() {
        true => "up-to-date",
        false if errors.iter().all(stale) => "stale",
        false => "invalid",
    };
    let files = errors
        .iter()
        .flat_map(|e| match e {
            Error::Stale { files } => files.clone(),
            _ => vec![],
        })
        .collect();
    let errors = errors
        .iter()
        .filter(|e| !matches!(e, Error::Stale { .. }))
        .flat_map(|e| e.summaries())
        .collect();
    RecipeReport {
        recipe: path.to_string(),
        state,
        files,
        errors,
    }
}

/// A compiled recipe's files and lock as they are on disk against what it gives.
fn check_recipe(compiled: &Compiled, talk: bool) -> Result<(), Error> {
    let problems = compiled.lock_problems(miette::Severity::Error);
    let stale_lock = (!problems.is_empty()).then(|| Error::StaleLock {
        lock: compiled.dir().join(crate::lock::LOCK_FILE),
        errors: problems,
    });
    // "up to date" is said only of a recipe whose lock is current too
    let files = check(
        &compiled.recipe_path,
        compiled.generated_files(),
        talk && stale_lock.is_none(),
    );
    Error::all(files.err().into_iter().chain(stale_lock).collect())
}

/// A recipe's files as they are on disk against what it gives.
fn check<'a>(
    recipe: &Utf8Path,
    files: impl IntoIterator<Item = (Utf8PathBuf, &'a str)>,
    talk: bool,
) -> Result<(), Error> {
    let stale = stale_files(files);
    if stale.is_empty() {
        if talk {
            print(&format!("up to date: {recipe}\n"))?;
        }
        return Ok(());
    }
    Err(Error::Stale { files: stale })
}

/// The files whose contents on disk are not the given ones, and why.
pub(super) fn stale_files<'a>(
    files: impl IntoIterator<Item = (Utf8PathBuf, &'a str)>,
) -> Vec<StaleFile> {
    let mut stale = vec![];
    for (path, contents) in files {
        let state = match std::fs::read(&path) {
            Err(_) => FileState::Missing,
            Ok(bytes) if bytes == contents.as_bytes() => continue,
            Ok(bytes) => match provenance(&String::from_utf8_lossy(&bytes)) {
                Provenance::Generated => FileState::OutOfDate,
                Provenance::Edited => FileState::EditedByHand,
                Provenance::Foreign => FileState::NotWrittenByDslim,
            },
        };
        stale.push(StaleFile { path, state });
    }
    stale
}
