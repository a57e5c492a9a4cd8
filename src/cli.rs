//! The command line: argument parsing and what each subcommand does.

use camino::{Utf8Path, Utf8PathBuf};
use clap::{Parser, Subcommand, ValueEnum};

use crate::compile::{compile_file, Compiled};
use crate::docker;
use crate::error::Error;
use crate::output;
use crate::render::COMPOSE;

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write Dockerfile, compose.yaml and .dockerignore next to the recipe
    Generate {
        /// The recipe, or the folder holding dslim.kdl
        #[arg(default_value = ".")]
        recipe: Utf8PathBuf,
        /// Replace files that dslim did not write, or that were edited since
        #[arg(long)]
        force: bool,
    },
    /// Generate, then build the image with `docker compose build`
    Build {
        #[arg(default_value = ".")]
        recipe: Utf8PathBuf,
        #[arg(long)]
        force: bool,
        /// Print what would be written and run, and do neither
        #[arg(long)]
        dry_run: bool,
        /// Passed on to `docker compose build` (e.g. -- --no-cache --pull)
        #[arg(last = true)]
        compose_args: Vec<String>,
    },
    /// Fail if the generated files are missing or differ from what the recipe gives (for CI)
    Check {
        #[arg(default_value = ".")]
        recipe: Utf8PathBuf,
    },
    /// Detect the stack of the app in a folder and write its dslim.kdl
    Init(crate::init::Options),
    /// Print the build plan (stages and steps) without writing anything
    Plan {
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
        Command::Generate { recipe, force } => {
            let compiled = compile_file(&recipe)?;
            generate(&compiled, force)
        }
        Command::Build {
            recipe,
            force,
            dry_run,
            compose_args,
        } => {
            let compiled = compile_file(&recipe)?;
            // compose runs in the recipe's folder, so the file is named relative to it
            let compose_file = Utf8Path::new(COMPOSE);
            let place = format!("in {}: ", compiled.dir());
            if dry_run {
                for (name, contents) in &compiled.rendered.files {
                    let what =
                        output::check(&compiled.dir().join(name), contents, force)?.planned();
                    println!("{what:>13} {}", compiled.dir().join(name));
                }
                let compose = docker::detect_compose().unwrap_or_else(|_| docker::ComposeCommand {
                    program: "docker".into(),
                    prefix: vec!["compose".into()],
                });
                println!(
                    "would run {place}{}",
                    compose.display(compose_file, &compose_args)
                );
                return Ok(());
            }
            let compose = docker::detect_compose()?;
            docker::check_daemon()?;
            generate(&compiled, force)?;
            eprintln!(
                "running {place}{}",
                compose.display(compose_file, &compose_args)
            );
            docker::build(
                &compose,
                compiled.dir(),
                compose_file,
                &compose_args,
                compiled
                    .plan
                    .stages
                    .first()
                    .map_or("runtime", |s| s.name.as_str()),
            )?;
            eprintln!(
                "built image `{}` (stage `{}`)",
                compiled.app.image, compiled.plan.target
            );
            Ok(())
        }
        Command::Check { recipe } => {
            let compiled = compile_file(&recipe)?;
            let stale: Vec<String> = compiled
                .rendered
                .files
                .iter()
                .filter(|(name, contents)| {
                    std::fs::read(compiled.dir().join(name)).ok().as_deref()
                        != Some(contents.as_bytes())
                })
                .map(|(name, _)| compiled.dir().join(name).to_string())
                .collect();
            if stale.is_empty() {
                println!("up to date: {}", compiled.recipe_path);
                Ok(())
            } else {
                Err(Error::Stale { paths: stale })
            }
        }
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

fn generate(compiled: &Compiled, force: bool) -> Result<(), Error> {
    let dir: &Utf8Path = compiled.dir();
    for (name, outcome) in output::write_all(dir, &compiled.rendered, force)? {
        eprintln!("{:>9} {}", outcome.done(), dir.join(name));
    }
    Ok(())
}
