//! Ruby: Bundler installs the gems into /usr/local/bundle in a builder stage that has the
//! compilers and -dev headers; the final image gets the bundle, the runtime libraries and the
//! source, with what the recipe's build steps made there (bootsnap's cache, compiled assets).

mod detect;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::build_steps::{self, BuildStep};
use super::{Stack, StackApp};
use crate::detect::{DetectInput, Detection};
use crate::error::Error;
use crate::knowledge::Knowledge;
use crate::model::{Shape, StackInput};
use crate::plan::{Ctx, EnvVar, StackStages, Stage, StageName, Step};
use crate::syntax::Spanned;

/// Ruby's own data in `recipes/stacks/ruby.toml`.
#[derive(Debug, Deserialize)]
pub struct Ruby {
    /// (builder path, final path): what the final image takes from the builder
    artifacts: Vec<(String, String)>,
    /// strips compiled extensions, when the recipe has build-deps
    strip_compiled: Option<String>,
    /// the environment of the recipe's build-step commands
    build_step_env: Vec<(String, String)>,
    managers: BTreeMap<String, RubyManager>,
    jemalloc: Jemalloc,
    detect: detect::RubyDetect,
}

/// What `jemalloc=#true` adds to the final image.
#[derive(Debug, Deserialize)]
struct Jemalloc {
    /// distro -> the packages that bring the library
    packages: BTreeMap<String, Vec<String>>,
    /// the variables that preload it
    env: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct RubyManager {
    /// the commands that fill /usr/local/bundle
    install: Vec<String>,
    /// the manifest that pins every version
    lockfile: String,
    /// the commands that fill it when the project has no lockfile
    without_lock: Vec<String>,
    /// the folder of cached packages the install reads instead of the network, when the
    /// project has one
    vendored: Option<String>,
}

/// A Ruby app's settings.
struct RubyApp<'s> {
    stack: &'s Ruby,
    manager: Spanned<String>,
    build_steps: Vec<BuildStep>,
    /// the project has the lockfile (or there is no project to ask)
    locked: bool,
    /// the project's folder of cached gems (vendor/cache)
    vendored: Option<String>,
    /// Ruby runs with jemalloc
    jemalloc: bool,
}

impl Stack for Ruby {
    fn validate<'s>(&'s self, cx: &mut StackInput<'_>) -> Option<Box<dyn StackApp + 's>> {
        let manager = cx.manager.clone()?;
        let own = self.managers.get(&manager.value)?;
        let build_steps = build_steps::read(cx);
        let locked = super::has_lockfile(cx.project, None, cx.checker, &own.lockfile);
        let vendored = own.vendored.clone().filter(|v| cx.project.exists(v));
        let jemalloc = cx.node.flag("jemalloc");
        Some(Box::new(RubyApp {
            stack: self,
            manager,
            build_steps,
            locked,
            vendored,
            jemalloc,
        }))
    }

    fn detect(&self, input: &DetectInput) -> Option<Detection> {
        detect::detect(self, input)
    }

    fn check(&self, knowledge: &Knowledge, name: &str) -> Result<(), String> {
        super::same_managers(knowledge, name, &self.managers)?;
        let images = &knowledge.stack(name).ok_or("no common data")?.images;
        match images
            .keys()
            .find(|d| !self.jemalloc.packages.contains_key(*d))
        {
            Some(distro) => Err(format!("jemalloc.packages has no {distro} packages")),
            None => Ok(()),
        }
    }
}

impl StackApp for RubyApp<'_> {
    fn shape(&self) -> Shape {
        Shape {
            static_site: None,
            default_entrypoint: vec![],
            language: serde_json::json!({
                "kind": "ruby",
                "manager": self.manager.value,
                "vendored": self.vendored,
                "jemalloc": self.jemalloc,
                "build_steps": self.build_steps.iter().map(|s| &s.argv).collect::<Vec<_>>(),
            }),
            shared: None,
        }
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        let name = &self.manager.value;
        let (manager, own) = super::manager(ctx, &self.stack.managers, name)?;
        let manifests = super::manifests_to_copy(manager, &[], Some(&own.lockfile), self.locked)?;
        let mut steps = ctx.builder_head(&manager.builder_env, &ctx.app.workdir, &manifests)?;
        if let Some(folder) = &self.vendored {
            steps.push(Step::copy_context(
                vec![folder.clone()],
                &format!("./{folder}/"),
                None,
            ));
        }
        let mut commands = match self.locked {
            true => own.install.clone(),
            false => own.without_lock.clone(),
        };
        if !ctx.app.build_deps.is_empty() {
            commands.extend(self.stack.strip_compiled.clone());
        }
        steps.push(ctx.with_secrets(Step::run_managed(commands, manager)));
        // the source goes through the builder when the final image needs what is made there
        // (what the build steps make, the lockfile a lockless install resolved), or the
        // source without what only the install read (vendor/cache's .gem files)
        let through_builder = build_steps::through_builder(ctx, &self.build_steps)
            || !self.locked
            || self.vendored.is_some();
        if through_builder {
            steps.extend(build_steps::stage_steps(
                ctx,
                &self.build_steps,
                &self.stack.build_step_env,
                false,
            ));
        }
        if let Some(folder) = &self.vendored {
            steps.push(Step::run(vec![format!("rm -rf {folder}")], &[]));
        }
        let builder = Stage {
            name: StageName::Builder,
            from: ctx.builder_image()?,
            purpose: format!(
                "builder: installs the gems with {name} into /usr/local/bundle; build tools stay here"
            ),
            steps,
        };

        let mut copies: Vec<Step> = self
            .stack
            .artifacts
            .iter()
            .map(|(from, to)| Step::copy_from(StageName::Builder, from, to, None))
            .collect();
        copies.push(build_steps::source_copy(ctx, through_builder));

        let mut stages =
            super::one_builder(ctx, builder, copies, manager, &manifests, self.manager.span)?;
        if self.jemalloc {
            let jemalloc = &self.stack.jemalloc;
            let runtime = &mut stages.runtime;
            runtime.packages = (jemalloc.packages.get(&ctx.app.distro.value))
                .cloned()
                .unwrap_or_default();
            runtime.env = (jemalloc.env.iter())
                .map(|(k, v)| EnvVar::own(k, v))
                .collect();
        }
        Ok(stages)
    }
}
