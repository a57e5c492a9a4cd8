//! Node: a `deps` stage with production dependencies only, a `build` stage when the app has a
//! build script, and a slim runtime; or, for a single-page app, nginx serving the build output
//! with no Node in the final image.

mod assets;
mod bins;
mod codegen;
mod detect;
mod frameworks;
mod runtime;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::build_steps::BuildStep;
use super::spa::{self, Spa};
use super::{AssetStage, Stack, StackApp};
use crate::detect::{DetectInput, Detection};
use crate::error::{Error, Expected, Kind};
use crate::knowledge::{Knowledge, Manager};
use crate::local_packages::SharedRoot;
use crate::model::Runtime;
use crate::model::{Assets, Shape, StackInput};
use crate::plan::{
    interpreter_stage, Ctx, ImageRef, Input, RuntimeStage, StackStages, Stage, StageName, Step,
};
use crate::syntax::{Scalar, Spanned};
use crate::template::{ImageNames, MemberNames, Pattern, ScriptNames, Template};
use runtime::shared_folders;

/// Node's own data in `recipes/stacks/node.toml`.
#[derive(Debug, Deserialize)]
pub struct Node {
    managers: BTreeMap<String, NodeManager>,
    /// runs after the production install, whatever the manager
    after_install: Vec<String>,
    /// the scripts that start the app, in the order init reads them
    start_scripts: Vec<String>,
    /// the final image of runtime "distroless" (and "minimal")
    distroless: Template<ImageNames>,
    /// copies node (and the builtins Debian's node reads) into /out, for distroless
    interpreter: Vec<String>,
    /// packages that make a package.json tooling rather than an app
    tooling: Vec<String>,
    /// the executables of the packages start scripts run, for lockfiles that do not say
    bins: BTreeMap<String, bins::KnownBin>,
    detect: NodeDetect,
}

#[derive(Debug, Deserialize)]
struct NodeManager {
    /// installs the manager itself, when the image does not have it
    setup: Option<String>,
    install_production: String,
    install_all: String,
    /// the manifest that pins every version
    lockfile: String,
    /// the installs of a project that has no lockfile
    without_lock: Installs,
    run_script: Template<ScriptNames>,
    /// what the install leaves that only the next install reads
    prune: Option<String>,
    /// the installs of a member of the manager's workspace
    workspace: Option<MemberInstalls>,
}

/// A workspace member's two installs, run at the workspace's root.
#[derive(Debug, Deserialize)]
struct MemberInstalls {
    install_production: Template<MemberNames>,
    install_all: Template<MemberNames>,
}

#[derive(Debug, Deserialize)]
struct NodeDetect {
    env: crate::detect::EnvReads,
    /// Yarn 2+'s setting that installs into node_modules (`nodeLinker: node-modules`)
    yarn_node_modules: Pattern,
    /// the npm configuration a private registry's token is named in
    npmrc: String,
    /// group 1: a variable the .npmrc names
    npmrc_variables: Pattern,
    ports: Vec<Pattern>,
    /// packages whose `build` script produces static files; value: default output folder
    spa_tools: BTreeMap<String, String>,
    /// packages that make a project a server even when it also bundles assets
    servers: Vec<String>,
    /// where bundlers are told to put their output: group 1 is the folder
    output_dirs: Vec<Pattern>,
    /// where a package.json `build` script tells its bundler to write: group 1
    script_outputs: Vec<Pattern>,
    next: NextJs,
    bundled: Vec<frameworks::Bundled>,
    listen_switch: ListenSwitch,
    build_env: BuildEnv,
    #[serde(default)]
    codegen: Vec<codegen::Codegen>,
}

/// Code that listens on every interface only when a variable is set.
#[derive(Debug, Deserialize)]
struct ListenSwitch {
    /// group 1: the variable
    patterns: Vec<Pattern>,
    value: String,
}

/// The env files a bundler reads at build time, and the prefixes of public values.
#[derive(Debug, Deserialize)]
struct BuildEnv {
    files: Vec<String>,
    public_prefixes: Vec<String>,
    secret_words: Vec<String>,
}

/// A manager's two installs.
#[derive(Debug, Deserialize)]
struct Installs {
    install_production: String,
    install_all: String,
}

/// How Next.js apps build and start (`[detect.next]`).
#[derive(Debug, Deserialize)]
struct NextJs {
    dependency: String,
    output: String,
    cache: String,
    /// paths `next start` reads besides the output, taken when the app has them
    also: Vec<String>,
    config_files: Vec<String>,
    start: Vec<String>,
    port: u16,
    /// `-p N` in the start script: group 1
    port_flags: Pattern,
    /// a config that makes a static site
    static_export: Pattern,
    static_output: String,
    /// where the config moves .next (and a static export): group 1
    dist_dir: Pattern,
    /// a config that makes a self-contained server
    standalone: Pattern,
    standalone_output: String,
    /// made by the build, or taken when the app has them
    standalone_also: Vec<String>,
    standalone_start: Vec<String>,
    standalone_env: Vec<(String, String)>,
}

/// The `build` node: the script the build stage runs and the folder it produces.
#[derive(Debug, Clone)]
struct NodeBuild {
    script: String,
    output: String,
    /// more paths of the build stage the final image takes (Next.js: public, its config)
    also: Vec<Spanned<String>>,
    /// a folder the script caches in, mounted as a BuildKit cache
    cache: Option<String>,
    /// the output holds the whole app and its dependencies
    self_contained: bool,
}

/// A Node app's settings.
struct NodeApp<'s> {
    stack: &'s Node,
    manager: Spanned<String>,
    build: Option<NodeBuild>,
    spa: Option<Spa>,
    /// the project has its lockfile (or there is no project to ask)
    locked: bool,
    shared: Option<SharedRoot>,
    /// commands run in the build stage before its script (`prisma generate`)
    build_steps: Vec<BuildStep>,
    /// the final image keeps the devDependencies (a start script runs one)
    dev_dependencies: bool,
}

impl Stack for Node {
    fn validate<'s>(&'s self, cx: &mut StackInput<'_>) -> Option<Box<dyn StackApp + 's>> {
        let manager = cx.manager.clone()?;
        let c = &mut *cx.checker;
        let spa = cx.recipe.one("spa").map(|s| Spa {
            nginx: s
                .prop("nginx")
                .and_then(|v| c.value("spa", v, Expected::NginxVersion))
                .unwrap_or_else(|| cx.knowledge.spa.default_nginx.clone()),
            fallback: !matches!(
                s.prop("fallback").map(|v| &v.value),
                Some(Scalar::Bool(false))
            ),
        });
        let build = match (cx.recipe.one("build"), &spa) {
            (Some(b), _) => Some(NodeBuild {
                script: b
                    .prop("script")
                    .and_then(|v| c.value("build", v, Expected::Script))
                    .unwrap_or_else(|| "build".into()),
                output: b
                    .prop("output")
                    .and_then(|v| c.value("build", v, Expected::RelativeFolder))
                    .unwrap_or_else(|| "dist".into()),
                also: b
                    .args
                    .iter()
                    .filter_map(|v| c.text("build", v, Expected::RelativePath))
                    .collect(),
                cache: b
                    .prop("cache")
                    .and_then(|v| c.value("build", v, Expected::RelativeFolder)),
                self_contained: b.flag("self-contained"),
            }),
            (None, Some(_)) => Some(NodeBuild {
                script: "build".into(),
                output: "dist".into(),
                also: vec![],
                cache: None,
                self_contained: false,
            }),
            (None, None) => None,
        };
        let build_steps = super::build_steps::read(cx);
        if let (None, Some(step)) = (&build, cx.recipe.one("build-step")) {
            cx.checker.error(
                step.name.span,
                Kind::NeedsNode {
                    node: "build-step".into(),
                    needed: "build".into(),
                    example: "build script=\"build\" output=\"dist\" (a node app's build steps run in its build stage, before the script)".into(),
                },
            );
        }
        let shared = super::shared_root(cx, &manager);
        // without its lockfile the project still builds, resolving versions itself
        let locked = self.managers.get(&manager.value).is_none_or(|own| {
            super::has_lockfile(cx.project, shared.as_ref(), cx.checker, &own.lockfile)
        });
        let dev_dependencies = cx.node.flag("dev-dependencies");
        Some(Box::new(NodeApp {
            stack: self,
            manager,
            build,
            spa,
            locked,
            shared,
            build_steps,
            dev_dependencies,
        }))
    }

    fn detect(&self, input: &DetectInput) -> Option<Detection> {
        detect::detect(self, input)
    }

    fn asset_stage(&self, ctx: &Ctx, assets: &Assets) -> Option<Result<AssetStage, Error>> {
        Some(assets::stage(self, ctx, assets))
    }

    fn check(&self, knowledge: &Knowledge, name: &str) -> Result<(), String> {
        super::same_managers(knowledge, name, &self.managers)
    }
}

impl NodeApp<'_> {
    /// FROM, build deps, WORKDIR, manifests and one install command: the head of `deps` and
    /// `build`.
    fn install_stage(
        &self,
        ctx: &Ctx,
        manager: &Manager,
        own: &NodeManager,
        name: StageName,
        purpose: String,
    ) -> Result<Stage, Error> {
        let (production, all) = match self.locked {
            true => (&own.install_production, &own.install_all),
            false => (
                &own.without_lock.install_production,
                &own.without_lock.install_all,
            ),
        };
        // the final image's dependencies: the production ones, or all of them when it runs one
        // of the others
        let production_only = name == StageName::Deps && !self.dev_dependencies;
        let mut install = match production_only {
            true => production.clone(),
            false => all.clone(),
        };
        let mut manifests = vec![];
        let mut workdir = &ctx.app.workdir;
        // a workspace member installs at the root, from the root's lockfile
        let member_installs = self.shared.as_ref().zip(own.workspace.as_ref());
        if let Some((shared, installs)) = member_installs {
            manifests = shared.manifests.clone();
            workdir = &ctx.app.root_workdir;
            let names = shared.template_names();
            install = match production_only {
                true => installs.install_production.render(&names)?,
                false => installs.install_all.render(&names)?,
            };
        } else {
            manifests = super::manifests_to_copy(manager, &[], Some(&own.lockfile), self.locked)?;
        }
        let mut steps = ctx.builder_head(&manager.builder_env, workdir, &manifests)?;
        let mut commands = vec![];
        commands.extend(own.setup.clone());
        commands.push(install);
        if name == StageName::Deps {
            commands.extend(own.prune.clone());
            match &self.shared {
                // each folder's node_modules, for the final stage to copy
                Some(shared) => commands.push(format!(
                    "mkdir -p {}",
                    shared_folders(shared)
                        .map(|f| match f {
                            "." => "node_modules".to_string(),
                            _ => format!("{f}/node_modules"),
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                )),
                None => commands.extend(self.stack.after_install.iter().cloned()),
            }
        }
        steps.push(ctx.with_secrets(Step::run_managed(commands, manager)));
        Ok(Stage {
            name,
            from: ctx.builder_image()?,
            purpose,
            steps,
        })
    }
}

impl StackApp for NodeApp<'_> {
    fn shape(&self) -> Shape {
        Shape {
            static_site: self.spa.as_ref().map(|s| s.nginx.clone()),
            default_entrypoint: vec![],
            language: serde_json::json!({
                "kind": "node",
                "manager": self.manager.value,
                "build": self.build.as_ref().map(|b| serde_json::json!({
                    "script": b.script,
                    "output": b.output,
                    "also": b.also.iter().map(|a| &a.value).collect::<Vec<_>>(),
                    "cache": b.cache,
                    "self_contained": b.self_contained,
                })),
                "build_steps": self.build_steps.iter().map(|s| &s.argv).collect::<Vec<_>>(),
                "dev_dependencies": self.dev_dependencies,
                "spa": self.spa.as_ref().map(|s| serde_json::json!({"nginx": s.nginx, "fallback": s.fallback})),
            }),
            shared: self.shared.clone(),
        }
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        let name = &self.manager.value;
        let (manager, own) = super::manager(ctx, &self.stack.managers, name)?;
        let mut stages = vec![];
        let self_contained = self.build.as_ref().is_some_and(|b| b.self_contained);
        if self.spa.is_none() && !self_contained {
            stages.push(self.install_stage(
                ctx,
                manager,
                own,
                StageName::Deps,
                "deps: production dependencies only, cached until the lockfile changes".into(),
            )?);
        }
        if let Some(build) = &self.build {
            let mut stage = self.install_stage(
                ctx,
                manager,
                own,
                StageName::Build,
                format!(
                    "build: all dependencies, then `{}`; only {} leaves this stage",
                    build.script, build.output
                ),
            )?;
            if let Some(spa) = &self.spa {
                // placed before the dependency install so that it stays cached
                let at = stage
                    .steps
                    .iter()
                    .position(|s| matches!(s, Step::Workdir { .. }))
                    .map_or(0, |i| i + 1);
                stage.steps.insert(at, spa::server_conf_step(ctx, spa)?);
            }
            stage.steps.extend(ctx.builder_sources());
            let cache: Vec<String> = build
                .cache
                .iter()
                .map(|dir| format!("{}/{dir}", ctx.app.workdir.trim_end_matches('/')))
                .collect();
            // the build steps and the script in one RUN (hadolint's DL3059), each step's
            // words quoted for the shell
            let script = own.run_script.render(&[("script", &build.script)])?;
            let argvs = super::build_steps::argvs(&self.build_steps);
            match argvs
                .iter()
                .map(|a| super::build_steps::shell_words(a))
                .collect::<Option<Vec<_>>>()
            {
                Some(mut commands) => {
                    commands.push(script);
                    stage.steps.push(Step::run(commands, &cache));
                }
                None => {
                    stage.steps.extend(super::build_steps::run_all(argvs));
                    stage.steps.push(Step::run(vec![script], &cache));
                }
            }
            stages.push(stage);
        }

        // distroless: node, and the libraries it and the native addons link, gathered from
        // the production dependencies (or the image, for a build that bundles them); for a
        // single-page app, nginx and its libraries, gathered from nginx's image
        let distroless = ctx.app.runtime == Runtime::Distroless;
        let runtime_image = ctx.runtime_image(Some(&self.stack.distroless))?;
        let mut command = vec![];
        if distroless {
            let node_modules = self.node_modules(ctx);
            let has_deps = stages.iter().any(|s| s.name == StageName::Deps);
            let stage = match &self.spa {
                Some(spa) => {
                    command = ctx.knowledge.spa.minimal_command.clone();
                    spa::nginx_stage(ctx, spa, &runtime_image)?
                }
                None => {
                    let (from, shipped) = match has_deps {
                        true => (
                            ImageRef::stage(StageName::Deps),
                            node_modules.iter().map(String::as_str).collect(),
                        ),
                        false => (ctx.builder_image()?, vec![]),
                    };
                    let gather = &self.stack.interpreter;
                    interpreter_stage(ctx, from, gather, &shipped, &runtime_image)?
                }
            };
            stages.push(stage);
        }
        let mut copies = vec![];
        if distroless {
            copies.push(Step::copy_from(StageName::Interpreter, "/out/", "/", None));
        }
        copies.extend(self.runtime_copies(ctx));
        let hint = super::manifests_hint(manager);
        let missing_hint = Input {
            path: String::new(),
            span: self.manager.span,
            hint,
        };
        Ok(StackStages {
            stages,
            runtime: RuntimeStage::of(runtime_image, copies, command),
            // rebuilt in the image; a local copy would only slow the context down
            dockerignore: self
                .build
                .iter()
                .map(|b| format!("{}/", b.output))
                .collect(),
            // `build`'s paths come from the build stage, where the script may make them
            inputs: vec![],
            missing_hint,
        })
    }
}
