//! The command line: argument parsing, and one module per verb.

mod build;
mod check;
mod explain;
mod generate;
mod list;
mod lock;
mod plan;

use std::collections::BTreeSet;

use camino::{Utf8Path, Utf8PathBuf};
use clap::{CommandFactory, Parser, Subcommand};

use crate::changes::Changes;
use crate::compile::{compile_file_in, Compiled, Locks};
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
    /// Recipes, folders holding dslim.kdl, or the services of the workspace here
    #[arg(default_value = ".", value_name = "RECIPE|SERVICE")]
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
    /// the services named on the command line: the command is about these alone
    pub services: Vec<String>,
    /// with `--changed-since`: what changed, for the command to be about the services it touches
    pub changes: Option<Changes>,
    /// whether the recipes' images are pinned to their locks' digests
    pub locks: Locks,
}

/// A workspace of the selection, with its members' recipes (found once).
pub struct SelectedWorkspace {
    pub file: WorkspaceFile,
    pub members: BTreeSet<Utf8PathBuf>,
}

impl Selection {
    /// Whether the command is about this compiled recipe: it is one of the services named,
    /// and something it is built from changed (when the user asked about changes).
    pub fn picks(&self, compiled: &Compiled) -> bool {
        let named = self.services.is_empty() || self.services.contains(&compiled.app.name);
        named
            && self.changes.as_ref().is_none_or(|changes| {
                let workspace = self
                    .workspaces
                    .iter()
                    .find(|w| w.members.contains(&compiled.recipe_path))
                    .map(|w| w.file.path.clone());
                (compiled.input_paths().into_iter())
                    .chain(workspace)
                    .any(|path| changes.touch(&path))
            })
    }

    /// Fails on a service name that no compiled recipe has.
    pub fn all_services_found<'a>(
        &self,
        compiled: impl Iterator<Item = &'a Compiled> + Clone,
    ) -> Result<(), Error> {
        for name in &self.services {
            if !compiled.clone().any(|c| c.app.name == *name) {
                return Err(Error::UnknownService {
                    name: name.clone(),
                    known: compiled.map(|c| c.app.name.clone()).collect(),
                });
            }
        }
        Ok(())
    }

    /// Compiles one of the selection's recipes, with the workspace it is a member of, which
    /// the selection has read already (or else finds above it).
    pub fn compile(&self, catalog: &Catalog, recipe: &Utf8Path) -> Result<Compiled, Error> {
        match self.workspaces.iter().find(|w| w.members.contains(recipe)) {
            Some(w) => compile_file_in(catalog, recipe, Some(&w.file), self.locks),
            None => {
                let workspace = WorkspaceFile::of(recipe, &catalog.knowledge)?;
                compile_file_in(catalog, recipe, workspace.as_ref(), self.locks)
            }
        }
    }
}

impl Recipes {
    /// The recipes the user means: each path as given (a recipe or its folder; a workspace's
    /// means its members), or with `--all`, every recipe below each path.
    pub fn select(&self, knowledge: &Knowledge) -> Result<Selection, Error> {
        // a word that is no file and could be no path is a service's name
        let (roots, services): (Vec<&Utf8PathBuf>, Vec<&Utf8PathBuf>) = self
            .recipes
            .iter()
            .partition(|p| p.exists() || p.as_str().contains('/') || p.extension() == Some("kdl"));
        let here = Utf8PathBuf::from(".");
        let roots = match roots.is_empty() {
            true => vec![&here],
            false => roots,
        };
        let mut selection = Selection {
            recipes: vec![],
            workspaces: vec![],
            services: services.iter().map(|s| s.to_string()).collect(),
            changes: None,
            locks: Locks::Pin,
        };
        for root in roots {
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

/// `--changed-since`: only the services a change touches.
#[derive(Debug, clap::Args)]
pub struct Since {
    /// Only the services whose folder or shared inputs (the workspace recipe, the root
    /// lockfile and manifests, the local packages they use) changed since this git revision
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
}

impl Since {
    /// What changed, when asked.
    pub fn changes(&self) -> Result<Option<Changes>, Error> {
        self.changed_since
            .as_deref()
            .map(|rev| Changes::since(Utf8Path::new("."), rev))
            .transpose()
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
    /// Pin each recipe's base images to the digests their tags point at now, in dslim.lock
    Lock(lock::Args),
    /// Detect the stack of the app in a folder and write its dslim.kdl
    Init(crate::init::Options),
    /// Show a service's effective recipe, each value with where it comes from (its recipe, the workspace's defaults, dslim's default)
    Explain(explain::Args),
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
        Command::Lock(args) => lock::run(catalog, &args),
        Command::Init(options) => crate::init::run(catalog, &options),
        Command::Plan(args) => plan::run(catalog, &args),
        Command::List(args) => list::run(catalog, &args),
        Command::Explain(args) => explain::run(catalog, &args),
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
/// compiled, and the errors of the others (a service name that none has among them).
fn compile_all(catalog: &Catalog, selection: &Selection) -> (Vec<Compiled>, Vec<Error>) {
    let (compiled, mut errors) = split(compile_each(catalog, selection));
    if errors.is_empty() {
        errors.extend(selection.all_services_found(compiled.iter()).err());
    }
    (compiled, errors)
}

/// The recipes that compiled, and the errors of the others.
fn split(results: Vec<Result<Compiled, Error>>) -> (Vec<Compiled>, Vec<Error>) {
    let mut compiled = vec![];
    let mut errors = vec![];
    for result in results {
        match result {
            Ok(c) => compiled.push(c),
            Err(e) => errors.push(e),
        }
    }
    (compiled, errors)
}

/// Each recipe of the selection compiled, in its order; the recipes are shared out among the
/// cores, as a workspace may have thousands.
pub(super) fn compile_each(
    catalog: &Catalog,
    selection: &Selection,
) -> Vec<Result<Compiled, Error>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = selection.recipes.len().div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = selection
            .recipes
            .chunks(chunk)
            .map(|paths| {
                scope.spawn(move || {
                    (paths.iter())
                        .map(|path| selection.compile(catalog, path))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker.join().unwrap_or_else(|_| {
                    vec![Err(Error::Bug {
                        detail: "compiling recipes panicked".into(),
                    })]
                })
            })
            .collect()
    })
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
