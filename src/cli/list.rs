//! `dslim list`: one line per service of the selection (a workspace's members by default),
//! with its stack, recipe, image and whether its generated files (and lock) are current.

use serde::Serialize;

use super::check::stale_files;
use super::{compile_each, print, split, Recipes, Since};
use crate::error::Error;
use crate::stacks::Catalog;
use crate::workspace_compose::workspace_compose;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub recipes: Recipes,
    #[command(flatten)]
    pub since: Since,
    /// Print a JSON array instead of a table
    #[arg(long)]
    pub json: bool,
    /// Print only the services' names, one per line (for `docker buildx bake $(...)`)
    #[arg(long, short, conflicts_with = "json")]
    pub quiet: bool,
}

/// One service.
#[derive(Serialize)]
struct Entry {
    service: String,
    stack: String,
    recipe: String,
    image: String,
    /// "up-to-date", "stale" (generated files missing or different, or a stale dslim.lock)
    /// or "invalid"
    state: &'static str,
}

pub fn run(catalog: &Catalog, args: &Args) -> Result<(), Error> {
    let mut selection = args.recipes.select(&catalog.knowledge)?;
    selection.changes = args.since.changes()?;
    let results = compile_each(catalog, &selection);
    if results.iter().all(Result::is_ok) {
        selection.all_services_found(results.iter().filter_map(|r| r.as_ref().ok()))?;
    }
    let mut entries = vec![];
    for (path, result) in selection.recipes.iter().zip(&results) {
        let entry = match result {
            Ok(c) if !selection.picks(c) => continue,
            Ok(c) => {
                // as `check` sees it: the generated files, and the lock when there is one
                let current = stale_files(c.generated_files()).is_empty()
                    && c.lock_problems(miette::Severity::Error).is_empty();
                Entry {
                    service: c.plan.service.name.clone(),
                    stack: c.app.stack.clone(),
                    recipe: c.recipe_path.to_string(),
                    image: c.app.image.clone(),
                    state: if current { "up-to-date" } else { "stale" },
                }
            }
            // a recipe that does not compile is listed (it may be what changed)
            Err(_) => Entry {
                service: String::new(),
                stack: String::new(),
                recipe: path.to_string(),
                image: String::new(),
                state: "invalid",
            },
        };
        entries.push(entry);
    }
    // what is wrong is said too (after the list), and sets the exit code: the recipes that do
    // not compile, a workspace whose members contradict each other
    let (compiled, mut errors) = split(results);
    for workspace in &selection.workspaces {
        errors.extend(workspace_compose(&workspace.file, &workspace.members, &compiled).err());
    }
    print_entries(&entries, args)?;
    Error::all(errors)
}

fn print_entries(entries: &[Entry], args: &Args) -> Result<(), Error> {
    if args.quiet {
        let names: String = entries
            .iter()
            .filter(|e| !e.service.is_empty())
            .map(|e| format!("{}\n", e.service))
            .collect();
        return print(&names);
    }
    if args.json {
        return print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&entries).unwrap_or_default()
        ));
    }
    let width = |f: fn(&Entry) -> &str, title: &str| {
        entries
            .iter()
            .map(|e| f(e).len())
            .chain([title.len()])
            .max()
            .unwrap_or(0)
    };
    let widths = [
        width(|e| &e.service, "SERVICE"),
        width(|e| &e.stack, "STACK"),
        width(|e| &e.recipe, "RECIPE"),
        width(|e| &e.image, "IMAGE"),
    ];
    let mut table = String::new();
    let mut row = |cells: [&str; 5]| {
        for (cell, w) in cells.iter().zip(widths) {
            table.push_str(&format!("{cell:<w$}  "));
        }
        table.push_str(cells[4]);
        table.push('\n');
    };
    row(["SERVICE", "STACK", "RECIPE", "IMAGE", "FILES"]);
    for e in entries {
        row([&e.service, &e.stack, &e.recipe, &e.image, e.state]);
    }
    print(&table)
}
