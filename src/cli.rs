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
            compiled.missing_inputs()?;
            // compose passes $UID as the UID build arg (seed 002's pattern); 0 means root
            if std::env::var("UID").is_ok_and(|uid| uid.trim() == "0")
                && !compiled.plan.build_args.is_empty()
            {
                return Err(Error::RootUid);
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
    if let Err(missing) = compiled.missing_inputs() {
        // generating is still useful; a build would fail, so say it now
        let help = miette::Diagnostic::help(&missing)
            .map(|h| format!("\n  help: {h}"))
            .unwrap_or_default();
        eprintln!("warning: {missing}{help}");
    }
    let dir: &Utf8Path = compiled.dir();
    for (name, outcome) in output::write_all(dir, &compiled.rendered, force)? {
        eprintln!("{:>9} {}", outcome.done(), dir.join(name));
    }
    Ok(())
}
