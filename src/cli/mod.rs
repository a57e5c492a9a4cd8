//! The command line: argument parsing, and one module per verb.

mod build;
mod check;
mod generate;
mod list;
mod plan;

use std::collections::BTreeSet;

use camino::{Utf8Path, Utf8PathBuf};
use clap::{CommandFactory, Parser, Subcommand};

use crate::compile::{compile_file, compile_file_in, Compiled};
pub use crate::console::print;
use crate::console::{say, stderr_is_terminal};
use crate::error::{report_located, Error};
use crate::knowledge::Knowledge;
use crate::project::{recipes_below, resolve};
use crate::stacks::Catalog;
use crate::workspace::WorkspaceFile;

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

/// The recipes a command works on, and the workspaces among them.
pub struct Selection {
    /// app recipes, in a stable order
    pub recipes: Vec<Utf8PathBuf>,
    /// workspaces given (or found with `--all`): their root compose.yaml is the command's too
    pub workspaces: Vec<SelectedWorkspace>,
}

/// A workspace of the selection, with its members' recipes (found once).
pub struct SelectedWorkspace {
    pub file: WorkspaceFile,
    pub members: BTreeSet<Utf8PathBuf>,
}

impl Selection {
    /// Compiles one of the selection's recipes, with the workspace it is a member of, which
    /// the selection has read already (or else finds above it).
    pub fn compile(&self, catalog: &Catalog, recipe: &Utf8Path) -> Result<Compiled, Error> {
        match self.workspaces.iter().find(|w| w.members.contains(recipe)) {
            Some(w) => compile_file_in(catalog, recipe, Some(&w.file)),
            None => compile_file(catalog, recipe),
        }
    }
}

impl Recipes {
    /// The recipes the user means: each path as given (a recipe or its folder; a workspace's
    /// means its members), or with `--all`, every recipe below each path.
    pub fn select(&self, knowledge: &Knowledge) -> Result<Selection, Error> {
        let mut selection = Selection {
            recipes: vec![],
            workspaces: vec![],
        };
        for root in &self.recipes {
            let found = if self.all {
                let below = recipes_below(root);
                if below.is_empty() {
                    return Err(Error::NoRecipes { root: root.clone() });
                }
                below
            } else {
                vec![resolve(root)]
            };
            for recipe in found {
                match WorkspaceFile::read(&recipe, knowledge)? {
                    Some(file) => {
                        let members: BTreeSet<Utf8PathBuf> =
                            file.member_recipes().into_iter().collect();
                        if !self.all {
                            selection.recipes.extend(members.iter().cloned());
                        }
                        selection
                            .workspaces
                            .push(SelectedWorkspace { file, members });
                    }
                    None => selection.recipes.push(recipe),
                }
            }
        }
        selection.recipes.dedup();
        Ok(selection)
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
    /// List the services (a workspace's members), their stacks, images and whether their files are current
    List(list::Args),
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
        Command::List(args) => list::run(catalog, &args),
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

/// Compiles every recipe of the selection, going on after a failure: the recipes that
/// compiled, and the errors of the others.
fn compile_all(catalog: &Catalog, selection: &Selection) -> (Vec<Compiled>, Vec<Error>) {
    let mut compiled = vec![];
    let mut errors = vec![];
    for path in &selection.recipes {
        match selection.compile(catalog, path) {
            Ok(c) => compiled.push(c),
            Err(e) => errors.push(e),
        }
    }
    (compiled, errors)
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
