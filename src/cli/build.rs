//! `dslim build`: generate, then build each image with Compose.

use camino::Utf8Path;

use super::generate::generate;
use super::print;
use crate::compile::{compile_file, Compiled};
use crate::console::say;
use crate::docker;
use crate::error::Error;
use crate::output;
use crate::stacks::Catalog;
use crate::COMPOSE;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub generate: super::generate::WriteArgs,
    /// Print what would be written and run, and do neither
    #[arg(long)]
    pub dry_run: bool,
    /// Passed on to `docker compose build` (e.g. -- --no-cache --pull)
    #[arg(last = true)]
    pub compose_args: Vec<String>,
}

pub fn run(catalog: &Catalog, args: &Args) -> Result<(), Error> {
    // every recipe compiles before any build starts
    let mut compiled = vec![];
    let mut errors = vec![];
    let force = args.generate.force;
    for path in &args.generate.recipes.paths()? {
        match compile_file(catalog, path) {
            Ok(c) => compiled.push(c),
            Err(e) => errors.push(e),
        }
    }
    Error::all(errors)?;
    // what the build would trip on stops a dry run too
    Error::all(
        compiled
            .iter()
            .filter_map(|c| {
                let missing = c.missing_inputs(miette::Severity::Error);
                (!missing.is_empty()).then(|| Error::Recipe {
                    path: c.recipe_path.clone(),
                    errors: missing,
                })
            })
            .collect(),
    )?;
    if args.dry_run {
        return compiled
            .iter()
            .try_for_each(|c| dry_run(c, force, &args.compose_args));
    }
    for c in &compiled {
        // compose passes $UID as the UID build arg (seed 002's pattern); 0 means root
        if std::env::var("UID").is_ok_and(|uid| uid.trim() == "0") && !c.plan.build_args.is_empty()
        {
            return Err(Error::RootUid);
        }
    }
    let compose = docker::detect_compose()?;
    docker::check_daemon()?;
    // one at a time, stopping at the first failure: Docker's output is the user's to read
    compiled
        .iter()
        .try_for_each(|c| build(c, &compose, force, &args.compose_args))
}

fn dry_run(compiled: &Compiled, force: bool, compose_args: &[String]) -> Result<(), Error> {
    for (name, contents) in &compiled.rendered.files {
        let what = output::check(&compiled.dir().join(name), contents, force)?.planned();
        print(&format!("{what:>13} {}\n", compiled.dir().join(name)))?;
    }
    let compose =
        docker::detect_compose().unwrap_or_else(|_| docker::ComposeCommand::plugin("docker"));
    print(&format!(
        "would run in {}: {}\n",
        compiled.dir(),
        compose.display(Utf8Path::new(COMPOSE), compose_args)
    ))
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
    say(&format!(
        "running in {}: {}\n",
        compiled.dir(),
        compose.display(compose_file, compose_args)
    ));
    let first_stage = compiled
        .plan
        .stages
        .first()
        .map_or(compiled.plan.target, |s| s.name);
    docker::build(
        compose,
        compiled.dir(),
        compose_file,
        compose_args,
        first_stage.as_str(),
    )?;
    let size = docker::image_size(&compiled.app.image)
        .map(|bytes| format!(", {}", docker::human_size(bytes)))
        .unwrap_or_default();
    say(&format!(
        "built image `{}` (stage `{}`{size})\n",
        compiled.app.image, compiled.plan.target
    ));
    Ok(())
}
