//! The command line: argument parsing and what each subcommand does.

use camino::{Utf8Path, Utf8PathBuf};
use clap::{Parser, Subcommand, ValueEnum};

use crate::compile::{compile_file, Compiled};
use crate::docker;
use crate::error::Error;
use crate::output;
use crate::render::{provenance, Provenance, COMPOSE};

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write Dockerfile, compose.yaml and .dockerignore next to each recipe
    Generate {
        #[command(flatten)]
        recipes: Recipes,
        /// Replace files that dslim did not write, or that were edited since
        #[arg(long)]
        force: bool,
    },
    /// Generate, then build each image with `docker compose build`
    Build {
        #[command(flatten)]
        recipes: Recipes,
        #[arg(long)]
        force: bool,
        /// Print what would be written and run, and do neither
        #[arg(long)]
        dry_run: bool,
        /// Passed on to `docker compose build` (e.g. -- --no-cache --pull)
        #[arg(last = true)]
        compose_args: Vec<String>,
    },
    /// Fail if generated files are missing or differ from what the recipes give (for CI)
    Check {
        #[command(flatten)]
        recipes: Recipes,
    },
    /// Detect the stack of the app in a folder and write its dslim.kdl
    Init(crate::init::Options),
    /// Print the build plan (stages and steps) without writing anything
    Plan {
        /// The recipe, or the folder holding dslim.kdl
        #[arg(default_value = ".")]
        recipe: Utf8PathBuf,
        #[arg(long, value_enum, default_value_t = PlanFormat::Json)]
        format: PlanFormat,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PlanFormat {
    /// the plan as data
    Json,
    /// the files that would be written
    Files,
}

pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Generate { recipes, force } => {
            each(&recipes, |path| generate(&compile_file(path)?, force))
        }
        Command::Build {
            recipes,
            force,
            dry_run,
            compose_args,
        } => {
            // every recipe compiles before any build starts
            let paths = crate::workspace::recipes(&recipes.recipes, recipes.all)?;
            let mut compiled = vec![];
            let mut errors = vec![];
            for path in &paths {
                match compile_file(path) {
                    Ok(c) => compiled.push(c),
                    Err(e) => errors.push(e),
                }
            }
            Error::all(errors)?;
            if dry_run {
                return compiled
                    .iter()
                    .try_for_each(|c| dry_run_build(c, force, &compose_args));
            }
            for c in &compiled {
                c.missing_inputs()?;
                // compose passes $UID as the UID build arg (seed 002's pattern); 0 means root
                if std::env::var("UID").is_ok_and(|uid| uid.trim() == "0")
                    && !c.plan.build_args.is_empty()
                {
                    return Err(Error::RootUid);
                }
            }
            let compose = docker::detect_compose()?;
            docker::check_daemon()?;
            // one at a time, stopping at the first failure: Docker's output is the user's to read
            compiled
                .iter()
                .try_for_each(|c| build(c, &compose, force, &compose_args))
        }
        Command::Check { recipes } => each(&recipes, |path| check(&compile_file(path)?)),
        Command::Init(options) => crate::init::run(&options),
        Command::Plan { recipe, format } => {
            let compiled = compile_file(&recipe)?;
            match format {
                PlanFormat::Json => {
                    let value = serde_json::json!({ "app": compiled.app, "plan": compiled.plan });
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&value).unwrap_or_default()
                    );
                }
                PlanFormat::Files => {
                    for (name, contents) in &compiled.rendered.files {
                        println!("==> {} <==\n{contents}", compiled.dir().join(name));
                    }
                }
            }
            Ok(())
        }
    }
}

/// Runs `task` on every recipe, going on after a failure; reports them all.
fn each(
    recipes: &Recipes,
    mut task: impl FnMut(&Utf8Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let paths = crate::workspace::recipes(&recipes.recipes, recipes.all)?;
    Error::all(paths.iter().filter_map(|path| task(path).err()).collect())
}

fn dry_run_build(compiled: &Compiled, force: bool, compose_args: &[String]) -> Result<(), Error> {
    for (name, contents) in &compiled.rendered.files {
        let what = output::check(&compiled.dir().join(name), contents, force)?.planned();
        println!("{what:>13} {}", compiled.dir().join(name));
    }
    let compose = docker::detect_compose().unwrap_or_else(|_| docker::ComposeCommand {
        program: "docker".into(),
        prefix: vec!["compose".into()],
    });
    println!(
        "would run in {}: {}",
        compiled.dir(),
        compose.display(Utf8Path::new(COMPOSE), compose_args)
    );
    Ok(())
}

fn build(
    compiled: &Compiled,
    compose: &docker::ComposeCommand,
    force: bool,
    compose_args: &[String],
) -> Result<(), Error> {
    generate(compiled, force)?;
    // compose runs in the recipe's folder, so the file is named relative to it
    let compose_file = Utf8Path::new(COMPOSE);
    eprintln!(
        "running in {}: {}",
        compiled.dir(),
        compose.display(compose_file, compose_args)
    );
    let first_stage = compiled
        .plan
        .stages
        .first()
        .map_or("runtime", |s| s.name.as_str());
    docker::build(
        compose,
        compiled.dir(),
        compose_file,
        compose_args,
        first_stage,
    )?;
    eprintln!(
        "built image `{}` (stage `{}`)",
        compiled.app.image, compiled.plan.target
    );
    Ok(())
}

fn check(compiled: &Compiled) -> Result<(), Error> {
    warn(compiled);
    let mut files = vec![];
    let mut hand_made = false;
    for (name, contents) in &compiled.rendered.files {
        let path = compiled.dir().join(name);
        let state = match std::fs::read(&path) {
            Err(_) => "missing",
            Ok(bytes) if bytes == contents.as_bytes() => continue,
            Ok(bytes) => match provenance(&String::from_utf8_lossy(&bytes)) {
                Provenance::Generated => "out of date",
                Provenance::Edited => "edited by hand",
                Provenance::Foreign => "not written by dslim",
            },
        };
        hand_made |= state.contains("hand") || state.contains("not written");
        files.push(format!("{path} ({state})"));
    }
    if files.is_empty() {
        println!("up to date: {}", compiled.recipe_path);
        return Ok(());
    }
    let hint = if hand_made {
        "run `dslim generate`; files edited by hand or not written by dslim are only replaced with --force (move your changes into the recipe first)"
    } else {
        "run `dslim generate` and commit the result"
    };
    Err(Error::Stale {
        files,
        hint: hint.into(),
    })
}

/// What the recipe cannot say is wrong but the build will trip on: missing lockfiles, an
/// editable install. Generating and checking go on; building refuses missing inputs first.
fn warn(compiled: &Compiled) {
    if let Err(missing) = compiled.missing_inputs() {
        let help = miette::Diagnostic::help(&missing)
            .map(|h| format!("\n  help: {h}"))
            .unwrap_or_default();
        eprintln!("warning: {missing}{help}");
    }
    for warning in &compiled.app.warnings {
        eprintln!("warning: {warning}");
    }
}

fn generate(compiled: &Compiled, force: bool) -> Result<(), Error> {
    warn(compiled);
    let dir: &Utf8Path = compiled.dir();
    for (name, outcome) in output::write_all(dir, &compiled.rendered, force)? {
        eprintln!("{:>9} {}", outcome.done(), dir.join(name));
    }
    Ok(())
}
