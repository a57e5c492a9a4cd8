//! `dslim check`: fail when generated files are missing or differ from what the recipes give.
//! With `--json`, a report CI tools can read.

use serde::Serialize;

use super::{print, warn, Recipes};
use crate::compile::{compile_file, Compiled};
use crate::error::{Error, FileState, StaleFile, Summary};
use crate::render::{provenance, Provenance};
use crate::stacks::Catalog;

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
    /// "up-to-date", "stale" or "invalid" (the recipe does not compile)
    state: &'static str,
    files: Vec<StaleFile>,
    /// why an invalid recipe does not compile: each diagnostic with its line and column
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<Summary>,
}

pub fn run(catalog: &Catalog, args: &Args) -> Result<(), Error> {
    let paths = args.recipes.paths()?;
    let mut errors = vec![];
    let mut reports = vec![];
    for path in &paths {
        let result = compile_file(catalog, path).and_then(|compiled| check(&compiled, !args.json));
        if args.json {
            reports.push(match &result {
                Ok(()) => RecipeReport {
                    recipe: path.to_string(),
                    state: "up-to-date",
                    files: vec![],
                    errors: vec![],
                },
                Err(Error::Stale { files }) => RecipeReport {
                    recipe: path.to_string(),
                    state: "stale",
                    files: files.clone(),
                    errors: vec![],
                },
                Err(e) => RecipeReport {
                    recipe: path.to_string(),
                    state: "invalid",
                    files: vec![],
                    errors: e.summaries(),
                },
            });
        }
        if let Err(e) = result {
            errors.push(e);
        }
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

/// The recipe's files as they are on disk against what it gives.
fn check(compiled: &Compiled, talk: bool) -> Result<(), Error> {
    if talk {
        warn(compiled);
    }
    let mut files = vec![];
    for (name, contents) in &compiled.rendered.files {
        let path = compiled.dir().join(name);
        let state = match std::fs::read(&path) {
            Err(_) => FileState::Missing,
            Ok(bytes) if bytes == contents.as_bytes() => continue,
            Ok(bytes) => match provenance(&String::from_utf8_lossy(&bytes)) {
                Provenance::Generated => FileState::OutOfDate,
                Provenance::Edited => FileState::EditedByHand,
                Provenance::Foreign => FileState::NotWrittenByDslim,
            },
        };
        files.push(StaleFile { path, state });
    }
    if files.is_empty() {
        if talk {
            print(&format!("up to date: {}\n", compiled.recipe_path))?;
        }
        return Ok(());
    }
    Err(Error::Stale { files })
}
