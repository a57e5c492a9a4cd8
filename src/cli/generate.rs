//! `dslim generate`: write the three files next to each recipe.

use camino::Utf8Path;

use super::{each, warn, Recipes};
use crate::compile::{compile_file, Compiled};
use crate::console::say;
use crate::error::Error;
use crate::output;
use crate::stacks::Catalog;

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
    each(&args.recipes, |path| {
        generate(&compile_file(catalog, path)?, args.force)
    })
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
    let dir: &Utf8Path = compiled.dir();
    for (name, outcome) in output::write_all(dir, &compiled.rendered, force)? {
        say(&format!("{:>9} {}\n", outcome.done(), dir.join(name)));
    }
    Ok(())
}
