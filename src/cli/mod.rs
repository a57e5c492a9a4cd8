//! The command line: argument parsing, and one module per verb.

mod build;
mod check;
mod generate;
mod plan;

use camino::{Utf8Path, Utf8PathBuf};
use clap::{CommandFactory, Parser, Subcommand};

use crate::compile::Compiled;
pub use crate::console::print;
use crate::console::{say, stderr_is_terminal};
use crate::error::{report_located, Error};
use crate::project::{recipes_below, resolve};
use crate::stacks::Catalog;

#[derive(Debug, Parser)]
#[command(
    name = "dslim",
    version,
    about = "Compile a short KDL recipe into a slim multi-stage Dockerfile, compose.yaml and .dockerignore"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Which recipes a command works on.
#[derive(Debug, clap::Args)]
pub struct Recipes {
    /// Recipes, or folders holding dslim.kdl
    #[arg(default_value = ".")]
    pub recipes: Vec<Utf8PathBuf>,
    /// Every dslim.kdl below the given folders (.gitignore honoured)
    #[arg(long)]
    pub all: bool,
}

impl Recipes {
    /// The recipes the user means: each path as given (a recipe or its folder), or with
    /// `--all`, every recipe below each path, in a stable order.
    pub fn paths(&self) -> Result<Vec<Utf8PathBuf>, Error> {
        if !self.all {
            return Ok(self.recipes.iter().map(|p| resolve(p)).collect());
        }
        let mut found = vec![];
        for root in &self.recipes {
            let below = recipes_below(root);
            if below.is_empty() {
                return Err(Error::NoRecipes { root: root.clone() });
            }
            found.extend(below);
        }
        found.dedup();
        Ok(found)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write Dockerfile, compose.yaml and .dockerignore next to each recipe
    Generate(generate::WriteArgs),
    /// Generate, then build each image with `docker compose build`
    Build(build::Args),
    /// Fail if generated files are missing or differ from what the recipes give (for CI)
    Check(check::Args),
    /// Detect the stack of the app in a folder and write its dslim.kdl
    Init(crate::init::Options),
    /// Print the build plan (stages and steps) without writing anything
    Plan(plan::Args),
    /// Print the JSON schema of recipes (stacks and nodes included), for editors and tools
    Schema,
    /// Print a shell completion script: dslim completions bash > /etc/bash_completion.d/dslim
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

pub fn run(catalog: &Catalog, cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Generate(args) => generate::run(catalog, &args),
        Command::Build(args) => build::run(catalog, &args),
        Command::Check(args) => check::run(catalog, &args),
        Command::Init(options) => crate::init::run(catalog, &options),
        Command::Plan(args) => plan::run(catalog, &args),
        Command::Schema => {
            let schema = crate::schema::schema(&catalog.knowledge);
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            ))
        }
        Command::Completions { shell } => {
            let mut script = vec![];
            clap_complete::generate(shell, &mut Cli::command(), "dslim", &mut script);
            print(&String::from_utf8_lossy(&script))
        }
    }
}

/// Runs `task` on every recipe, going on after a failure; reports them all.
fn each(
    recipes: &Recipes,
    mut task: impl FnMut(&Utf8Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let paths = recipes.paths()?;
    Error::all(paths.iter().filter_map(|path| task(path).err()).collect())
}

/// What the recipe cannot say is wrong but the build will trip on: missing lockfiles, an
/// editable install. Generating and checking go on; building refuses missing inputs first.
fn warn(compiled: &Compiled) {
    let color = stderr_is_terminal();
    for missing in compiled.missing_inputs(miette::Severity::Warning) {
        say(&report_located(&missing, color));
    }
    for warning in &compiled.app.warnings {
        say(&format!("warning: {warning}\n"));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
