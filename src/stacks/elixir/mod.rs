//! Elixir: mix fetches and compiles the locked dependencies with the compile-time config
//! before the source arrives, then the recipe's build steps (`mix assets.deploy`) and
//! `mix release` run in the builder. The final image is the distro's slim image with the
//! release alone: its own Erlang runtime (ERTS) and .beam files, no Elixir, mix or compiler.

mod detect;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::build_steps::{self, BuildStep};
use super::{Stack, StackApp};
use crate::detect::{DetectInput, Detection};
use crate::error::{Error, Expected, Kind};
use crate::knowledge::Knowledge;
use crate::model::{Shape, StackInput};
use crate::plan::{Ctx, StackStages, Stage, StageName, Step};
use crate::syntax::Spanned;
use crate::template::{NameNames, Template};

/// Elixir's own data in `recipes/stacks/elixir.toml`.
#[derive(Debug, Deserialize)]
pub struct Elixir {
    /// where `mix release` puts the release, from the working directory
    release_dir: Template<NameNames>,
    /// the command that builds the app's default release, and one mix.exs declares
    release: Vec<Template<NameNames>>,
    release_declared: Vec<Template<NameNames>>,
    /// the command that starts it, from the final image's working directory
    start: Vec<Template<NameNames>>,
    /// the config files dependencies compile with, copied before the source when present
    compile_config: Vec<String>,
    /// the environment of the recipe's build-step commands
    build_step_env: Vec<(String, String)>,
    managers: BTreeMap<String, MixManager>,
    detect: detect::ElixirDetect,
}

#[derive(Debug, Deserialize)]
struct MixManager {
    /// the commands that fetch the dependencies: the locked ones, else those mix resolves
    install: Vec<String>,
    /// the manifest that pins every dependency
    lockfile: String,
    /// the commands that compile the dependencies, once the compile-time config is there
    compile_deps: Vec<String>,
}

/// An Elixir app's settings.
struct ElixirApp<'s> {
    stack: &'s Elixir,
    manager: Spanned<String>,
    /// the release `mix release` builds and the image starts
    release: String,
    /// mix.exs declares its releases (`releases:`), so mix builds one by name
    declared: bool,
    build_steps: Vec<BuildStep>,
    /// the project has mix.lock (or there is no project to ask)
    locked: bool,
    /// it has dependencies to fetch: it is locked, or its mix.exs lists some
    fetches: bool,
    /// the compile-time config files the project has
    compile_config: Vec<String>,
}

impl Stack for Elixir {
    fn validate<'s>(&'s self, cx: &mut StackInput<'_>) -> Option<Box<dyn StackApp + 's>> {
        let manager = cx.manager.clone()?;
        let own = self.managers.get(&manager.value)?;
        // what mix.exs says: its first declared release, else the app (`app: :my_app`), after
        // which mix names the release it builds when none is declared
        let mix_exs = detect::MixExs::read(cx.project, &self.detect);
        let declared = match cx.project.root() {
            Some(_) => mix_exs.first_release.is_some(),
            None => cx.node.prop("release").is_some(),
        };
        let release = match cx.node.prop("release") {
            None => (mix_exs.first_release.clone())
                .or_else(|| mix_exs.app.clone())
                .unwrap_or_else(|| cx.app_name.unwrap_or_default().replace(['-', '.'], "_")),
            Some(v) => {
                let found = cx
                    .checker
                    .value("elixir", v, Expected::MixRelease)
                    .unwrap_or_default();
                if let (false, Some(app)) = (declared, &mix_exs.app) {
                    if found != *app && !found.is_empty() {
                        cx.checker.error(
                            v.span,
                            Kind::NoSuchRelease {
                                found: found.clone(),
                                app: app.clone(),
                            },
                        );
                    }
                }
                found
            }
        };
        let build_steps = build_steps::read(cx);
        // without mix.lock, a project that lists dependencies has mix resolve them (with a
        // warning); one that lists none fetches nothing, and needs no Hex
        let locked = cx.project.root().is_none() || cx.project.exists(&own.lockfile);
        let fetches = locked || detect::lists_dependencies(cx.project, &self.detect);
        if fetches && !locked {
            super::has_lockfile(cx.project, None, cx.checker, &own.lockfile);
        }
        let compile_config = match cx.project.root() {
            None => self.compile_config.clone(),
            Some(_) => (self.compile_config.iter())
                .filter(|f| cx.project.exists(f))
                .cloned()
                .collect(),
        };
        Some(Box::new(ElixirApp {
            stack: self,
            manager,
            release,
            declared,
            build_steps,
            locked,
            fetches,
            compile_config,
        }))
    }

    fn detect(&self, input: &DetectInput) -> Option<Detection> {
        detect::detect(self, input)
    }

    fn check(&self, knowledge: &Knowledge, name: &str) -> Result<(), String> {
        super::same_managers(knowledge, name, &self.managers)
    }
}

impl ElixirApp<'_> {
    fn render(&self, words: &[Template<NameNames>]) -> Vec<String> {
        Template::render_all(words, &[("name", &self.release)]).unwrap_or_default()
    }
}

impl StackApp for ElixirApp<'_> {
    fn shape(&self) -> Shape {
        Shape {
            static_site: None,
            default_entrypoint: self.render(&self.stack.start),
            language: serde_json::json!({
                "kind": "elixir",
                "manager": self.manager.value,
                "release": self.release,
                "build_steps": self.build_steps.iter().map(|s| &s.argv).collect::<Vec<_>>(),
            }),
            shared: None,
        }
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        let name = &self.manager.value;
        let (manager, own) = super::manager(ctx, &self.stack.managers, name)?;
        let manifests = super::manifests_to_copy(manager, &[], Some(&own.lockfile), self.locked)?;
        let workdir = &ctx.app.workdir;
        // nothing fetched, nothing to copy or compile before the source
        let first: &[String] = if self.fetches { &manifests } else { &[] };
        let mut steps = ctx.builder_head(&manager.builder_env, workdir, first)?;
        if self.fetches {
            steps.push(ctx.with_secrets(Step::run_managed(own.install.clone(), manager)));
            if !self.compile_config.is_empty() {
                steps.push(Step::copy_context(
                    self.compile_config.clone(),
                    "./config/",
                    None,
                ));
            }
            steps.push(Step::run(own.compile_deps.clone(), &[]));
        }
        let release = BuildStep {
            argv: match self.declared {
                true => self.render(&self.stack.release_declared),
                false => self.render(&self.stack.release),
            },
            env: vec![],
        };
        let mut commands = self.build_steps.clone();
        commands.push(release);
        steps.extend(build_steps::stage_steps(
            ctx,
            &commands,
            &self.stack.build_step_env,
            false,
        ));
        let builder = Stage {
            name: StageName::Builder,
            from: ctx.builder_image()?,
            purpose: format!(
                "builder: compiles the app and its dependencies with {name} and assembles the release {}; Elixir, mix and the build tools stay here",
                self.release
            ),
            steps,
        };

        let built = self.stack.release_dir.render(&[("name", &self.release)])?;
        let copies = vec![Step::copy_from(
            StageName::Builder,
            &format!("{}/{built}", workdir.trim_end_matches('/')),
            ".",
            None,
        )];
        super::one_builder(ctx, builder, copies, manager, &manifests, self.manager.span)
    }
}
