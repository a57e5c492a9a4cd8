//! `dslim build`: generate, then build each image with Compose.

use camino::Utf8Path;

use super::generate::{generate, generate_workspace};
use super::{compile_all, print, SelectedWorkspace};
use crate::compile::Compiled;
use crate::console::say;
use crate::docker;
use crate::error::Error;
use crate::output;
use crate::stacks::Catalog;
use crate::workspace_compose::workspace_compose;
use crate::COMPOSE;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub generate: super::generate::WriteArgs,
    #[command(flatten)]
    pub since: super::Since,
    /// Print what would be written and run, and do neither
    #[arg(long)]
    pub dry_run: bool,
    /// Passed on to `docker compose build` (e.g. -- --no-cache --pull)
    #[arg(last = true)]
    pub compose_args: Vec<String>,
}

pub fn run(catalog: &Catalog, args: &Args) -> Result<(), Error> {
    // every recipe compiles before any build starts
    let mut selection = args.generate.recipes.select(&catalog.knowledge)?;
    selection.changes = args.since.changes()?;
    let (compiled, errors) = compile_all(catalog, &selection);
    Error::all(errors)?;
    let force = args.generate.force;
    let picked: Vec<&Compiled> = compiled.iter().filter(|c| selection.picks(c)).collect();
    if picked.is_empty() {
        say("no service to build: nothing they are built from changed\n");
        return Ok(());
    }
    // what the build would trip on stops a dry run too
    Error::all(
        picked
            .iter()
            .filter_map(|c| {
                let mut missing = c.missing_inputs(miette::Severity::Error);
                missing.extend(c.missing_secrets());
                (!missing.is_empty()).then(|| Error::Recipe {
                    path: c.recipe_path.clone(),
                    errors: missing,
                })
            })
            .collect(),
    )?;
    // a workspace's members build together, from its compose.yaml; other recipes one by one
    let alone: Vec<&Compiled> = picked
        .iter()
        .copied()
        .filter(|c| {
            !selection
                .workspaces
                .iter()
                .any(|w| w.members.contains(&c.recipe_path))
        })
        .collect();
    // a workspace builds the picked members, by name when not all are
    let workspaces: Vec<(&SelectedWorkspace, Vec<&Compiled>, Vec<String>)> = selection
        .workspaces
        .iter()
        .map(|w| {
            let members: Vec<&Compiled> = picked
                .iter()
                .copied()
                .filter(|c| w.members.contains(&c.recipe_path))
                .collect();
            let mut compose_args = args.compose_args.clone();
            if members.len() < w.members.len() {
                compose_args.extend(members.iter().map(|c| c.plan.service.name.clone()));
            }
            (w, members, compose_args)
        })
        .filter(|(_, members, _)| !members.is_empty())
        .collect();
    for c in &picked {
        // compose passes $UID as the UID build arg (seed 002's pattern); 0 means root
        if std::env::var("UID").is_ok_and(|uid| uid.trim() == "0") && !c.plan.build_args.is_empty()
        {
            return Err(Error::RootUid);
        }
        if args.dry_run {
            for (workspace, members, compose_args) in &workspaces {
                dry_run_workspace(workspace, members, &compiled, force, compose_args)?;
            }
            return alone
                .iter()
                .try_for_each(|c| dry_run(c, force, &args.compose_args));
        }
    }
    let compose = docker::detect_compose()?;
    docker::check_daemon()?;
    // one at a time, stopping at the first failure: Docker's output is the user's to read
    for (workspace, members, compose_args) in &workspaces {
        build_workspace(workspace, members, &compiled, &compose, force, compose_args)?;
    }
    alone
        .iter()
        .try_for_each(|c| build(c, &compose, force, &args.compose_args))
}

/// Generates the members and the workspace's compose.yaml, then builds the members with one
/// `docker compose build`, which BuildKit runs in parallel.
fn build_workspace(
    workspace: &SelectedWorkspace,
    members: &[&Compiled],
    compiled: &[Compiled],
    compose: &docker::ComposeCommand,
    force: bool,
    compose_args: &[String],
) -> Result<(), Error> {
    for c in members {
        generate(c, force)?;
    }
    generate_workspace(workspace, compiled, force)?;
    let compose_file = Utf8Path::new(COMPOSE);
    let dir = workspace.file.dir();
    say(&format!(
        "running in {dir}: {}\n",
        compose.display(compose_file, compose_args)
    ));
    docker::build(
        compose,
        dir,
        compose_file,
        compose_args,
        "`dslim build MEMBER_FOLDER` builds one member alone".into(),
    )?;
    for c in members {
        report_size(c);
    }
    Ok(())
}

fn dry_run_workspace(
    workspace: &SelectedWorkspace,
    members: &[&Compiled],
    compiled: &[Compiled],
    force: bool,
    compose_args: &[String],
) -> Result<(), Error> {
    for c in members {
        print_plan(c, force)?;
    }
    if let Some((path, contents)) =
        workspace_compose(&workspace.file, &workspace.members, compiled)?
    {
        let what = output::check(&path, &contents, force)?.planned();
        print(&format!("{what:>13} {path}\n"))?;
    }
    print(&format!(
        "would run in {}: {}\n",
        workspace.file.dir(),
        compose_command().display(Utf8Path::new(COMPOSE), compose_args)
    ))
}

fn compose_command() -> docker::ComposeCommand {
    docker::detect_compose().unwrap_or_else(|_| docker::ComposeCommand::plugin("docker"))
}

fn print_plan(compiled: &Compiled, force: bool) -> Result<(), Error> {
    for (path, contents) in compiled.generated_files() {
        let what = output::check(&path, contents, force)?.planned();
        print(&format!("{what:>13} {path}\n"))?;
    }
    Ok(())
}

fn dry_run(compiled: &Compiled, force: bool, compose_args: &[String]) -> Result<(), Error> {
    print_plan(compiled, force)?;
    print(&format!(
        "would run in {}: {}\n",
        compiled.dir(),
        compose_command().display(Utf8Path::new(COMPOSE), compose_args)
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
        format!(
            "`docker build --target {} .` builds the first stage alone for debugging",
            first_stage.as_str()
        ),
    )?;
    report_size(compiled);
    Ok(())
}

/// Says which image was built, and its size.
fn report_size(compiled: &Compiled) {
    let size = docker::image_size(&compiled.app.image)
        .map(|bytes| format!(", {}", docker::human_size(bytes)))
        .unwrap_or_default();
    say(&format!(
        "built image `{}` (stage `{}`{size})\n",
        compiled.app.image, compiled.plan.target
    ));
}
