//! One folder per stack, behind one trait, registered in one table (`builtin` below). A stack
//! validates what is particular to it, plans its stages and detects its apps; what it knows
//! is data, in `recipes/stacks/NAME.toml`, which it reads itself for its own fields.
//!
//! Adding a stack is a folder here, a line in `builtin`, and its TOML file: see the README's
//! "Adding a stack".

mod build_steps;
mod compiled;
mod elixir;
mod go;
mod node;
mod python;
mod ruby;
mod rust;
mod spa;
mod static_site;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::de::DeserializeOwned;

use crate::detect::{DetectInput, Detection};
use crate::error::{Error, Kind, Warning};
use crate::knowledge::{self, Knowledge, LoadError, Manager};
use crate::local_packages::{self, ManagerWorkspace, SharedRoot};
use crate::model::{Assets, Checker, Shape, StackInput};
use crate::plan::{Ctx, Input, StackStages, Stage};
use crate::project::Project;
use crate::syntax::Spanned;

/// A stack dslim builds.
pub trait Stack: Send + Sync {
    /// Validates what is particular to this stack: its node's properties and the nodes only
    /// it takes. Errors go to `cx.checker`; None when nothing can be planned.
    fn validate<'s>(&'s self, cx: &mut StackInput<'_>) -> Option<Box<dyn StackApp + 's>>;

    /// Looks at a project folder: None when it shows no sign of this stack. Every detector
    /// runs, and each reports its evidence, so an ambiguous folder is reported as such.
    fn detect(&self, input: &DetectInput) -> Option<Detection>;

    /// Checks the stack's own data against what every stack has, when it loads.
    fn check(&self, _knowledge: &Knowledge, _name: &str) -> Result<(), String> {
        Ok(())
    }

    /// The stage that builds the front-end assets of an app of another stack (its `assets`
    /// node), for the stack whose images and package managers build them. None: this stack
    /// builds no assets.
    fn asset_stage(&self, _ctx: &Ctx, _assets: &Assets) -> Option<Result<AssetStage, Error>> {
        None
    }
}

/// The stage that builds an app's assets, and the files it needs from the project.
pub struct AssetStage {
    pub stage: Stage,
    pub inputs: Vec<Input>,
    /// what the build context leaves out for it (the package's local node_modules)
    pub dockerignore: Vec<String>,
}

/// One app's validated stack settings (its manager, build, binary...), ready to plan.
pub trait StackApp {
    /// What the model needs to know of the app: a static site? a default command?
    fn shape(&self) -> Shape;
    /// The builder stages and what the final stage holds.
    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error>;
}

/// Reads a stack's own fields from its TOML text (name, text), with the keys it did not read.
type Loader = fn(&str, &str) -> Result<(Box<dyn Stack>, BTreeSet<String>), LoadError>;

/// Checks that a stack's own managers table names the same managers as the common one.
fn same_managers<T>(
    knowledge: &Knowledge,
    name: &str,
    own: &BTreeMap<String, T>,
) -> Result<(), String> {
    let common = knowledge.stack(name).ok_or("no common data")?;
    if common.managers.keys().ne(own.keys()) {
        return Err("every [managers.NAME] table needs this stack's install commands".into());
    }
    Ok(())
}

/// The package manager's workspace the app is a member of, where the manager has workspaces.
/// One that dslim cannot build from is an error at the manager.
fn shared_root(cx: &mut StackInput, manager: &Spanned<String>) -> Option<SharedRoot> {
    let data = cx.data.managers.get(&manager.value)?.workspace.as_ref()?;
    workspace_member(cx, data, manager)
}

/// The workspace of `tool` (a package manager, or cargo) the app is a member of; one that
/// dslim cannot build from is an error at the recipe value that named the tool.
fn workspace_member(
    cx: &mut StackInput,
    data: &ManagerWorkspace,
    tool: &Spanned<String>,
) -> Option<SharedRoot> {
    match local_packages::find(cx.project, data) {
        Ok(found) => found,
        Err(detail) => {
            cx.checker.error(
                tool.span,
                Kind::SharedRoot {
                    manager: tool.value.clone(),
                    detail,
                },
            );
            None
        }
    }
}

/// Whether the project builds from `lockfile`: it has it (or its workspace's root does), or
/// there is no project to ask (a recipe compiled from text alone). Without it, a warning says
/// what that costs.
fn has_lockfile(
    project: &Project,
    shared: Option<&SharedRoot>,
    checker: &mut Checker,
    lockfile: &str,
) -> bool {
    let found = match shared {
        Some(shared) => shared.manifests.iter().any(|m| m == lockfile),
        None => project.root().is_none() || project.exists(lockfile),
    };
    if found {
        return true;
    }
    checker.warn(Warning::BuildsWithoutLock {
        lockfile: lockfile.to_string(),
    });
    false
}

/// The manager's manifests that the install copies first (`vars` fill their templates): all
/// of them, but the lockfile when the project has none, since the install writes it then.
fn manifests_to_copy(
    manager: &Manager,
    vars: &[(&str, &str)],
    lockfile: Option<&str>,
    locked: bool,
) -> Result<Vec<String>, crate::template::TemplateError> {
    let mut manifests = vec![];
    for m in &manager.manifests {
        let path = m.render(vars)?;
        if locked || Some(path.as_str()) != lockfile {
            manifests.push(path);
        }
    }
    Ok(manifests)
}

/// How to create a manager's missing manifests: its own hint, else a general one.
fn manifests_hint(manager: &Manager) -> String {
    manager
        .missing_hint
        .clone()
        .unwrap_or_else(|| "create them, or change the recipe".into())
}

/// The manifests an install copies, each needed because of the recipe value at `span`.
fn manifest_inputs(manifests: &[String], span: miette::SourceSpan, hint: &str) -> Vec<Input> {
    manifests
        .iter()
        .map(|path| Input {
            path: path.clone(),
            span,
            hint: hint.to_string(),
        })
        .collect()
}

/// The stages of an app whose one builder installs with a package manager: the builder, and
/// the stack's slim image taking `copies` from it. The manifests the install copies (each
/// because of the recipe value at `span`) are what the build needs from the project.
fn one_builder(
    ctx: &Ctx,
    builder: crate::plan::Stage,
    copies: Vec<crate::plan::Step>,
    manager: &Manager,
    manifests: &[String],
    span: miette::SourceSpan,
) -> Result<StackStages, Error> {
    let hint = manifests_hint(manager);
    let inputs = manifest_inputs(manifests, span, &hint);
    Ok(StackStages {
        stages: vec![builder],
        runtime: crate::plan::RuntimeStage {
            from: ctx.runtime_image(None)?,
            copies,
            env: vec![],
            command: vec![],
            packages: vec![],
        },
        dockerignore: vec![],
        inputs,
        missing_hint: Input {
            path: String::new(),
            span: ctx.app.version.span,
            hint,
        },
    })
}

/// The common and the stack's own data of the manager `name`.
fn manager<'a, T>(
    ctx: &Ctx<'a>,
    own: &'a BTreeMap<String, T>,
    name: &str,
) -> Result<(&'a Manager, &'a T), Error> {
    match (ctx.stack.managers.get(name), own.get(name)) {
        (Some(common), Some(own)) => Ok((common, own)),
        _ => Err(Error::Bug {
            detail: format!("the {} manager {name} has no data", ctx.app.stack),
        }),
    }
}

/// A stack and its data, before loading.
pub struct Registration {
    pub name: String,
    pub toml: String,
    load: Loader,
}

/// Registers stack `S`, whose own fields are read from `toml` (the same table every stack's
/// common fields are read from).
pub fn register<S: Stack + DeserializeOwned + 'static>(name: &str, toml: &str) -> Registration {
    fn load<S: Stack + DeserializeOwned + 'static>(
        name: &str,
        text: &str,
    ) -> Result<(Box<dyn Stack>, BTreeSet<String>), LoadError> {
        let (stack, unused): (S, _) =
            knowledge::parse_noting_unused(&knowledge::stack_file(name), text)?;
        Ok((Box::new(stack), unused))
    }
    Registration {
        name: name.into(),
        toml: toml.into(),
        load: load::<S>,
    }
}

/// The stacks dslim builds: the one table a new stack is added to.
pub fn builtin() -> Vec<Registration> {
    vec![
        register::<python::Python>("python", include_str!("../../recipes/stacks/python.toml")),
        register::<node::Node>("node", include_str!("../../recipes/stacks/node.toml")),
        register::<go::Go>("go", include_str!("../../recipes/stacks/go.toml")),
        register::<rust::Rust>("rust", include_str!("../../recipes/stacks/rust.toml")),
        register::<ruby::Ruby>("ruby", include_str!("../../recipes/stacks/ruby.toml")),
        register::<elixir::Elixir>("elixir", include_str!("../../recipes/stacks/elixir.toml")),
        register::<static_site::StaticSite>(
            "static",
            include_str!("../../recipes/stacks/static.toml"),
        ),
    ]
}

/// Everything dslim knows and can build: the data, and the stacks behind it.
pub struct Catalog {
    pub knowledge: Knowledge,
    stacks: Vec<(String, Box<dyn Stack>)>,
}

impl Catalog {
    /// Loads and checks the base data and the registered stacks.
    pub fn load(base: &str, registrations: Vec<Registration>) -> Result<Catalog, LoadError> {
        let texts: Vec<(&str, &str)> = registrations
            .iter()
            .map(|r| (r.name.as_str(), r.toml.as_str()))
            .collect();
        let knowledge = Knowledge::load(base, &texts)?;
        let mut stacks = vec![];
        for r in &registrations {
            let file = knowledge::stack_file(&r.name);
            let (stack, own_unused) = (r.load)(&r.name, &r.toml)?;
            let (_, common_unused): (knowledge::StackData, _) =
                knowledge::parse_noting_unused(&file, &r.toml)?;
            // a key is unknown when each side ignores it, or a whole table above it
            let ignores = |unused: &BTreeSet<String>, key: &str| {
                unused.iter().any(|u| {
                    key == u
                        || key
                            .strip_prefix(u.as_str())
                            .is_some_and(|r| r.starts_with('.'))
                })
            };
            let unknown: Vec<&String> = common_unused
                .union(&own_unused)
                .filter(|k| ignores(&common_unused, k) && ignores(&own_unused, k))
                .collect();
            if !unknown.is_empty() {
                return Err(LoadError {
                    file,
                    detail: format!(
                        "no stack reads {}: a misspelt field?",
                        unknown
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            stack
                .check(&knowledge, &r.name)
                .map_err(|detail| LoadError { file, detail })?;
            stacks.push((r.name.clone(), stack));
        }
        Ok(Catalog { knowledge, stacks })
    }

    /// dslim's own data and stacks, loaded once. The tests load them too, so a broken data
    /// file fails the build rather than a user's run.
    pub fn builtin() -> Result<&'static Catalog, Error> {
        static CATALOG: OnceLock<Result<Catalog, LoadError>> = OnceLock::new();
        CATALOG
            .get_or_init(|| Catalog::load(knowledge::BASE_TOML, builtin()))
            .as_ref()
            .map_err(|e| e.clone().into())
    }

    pub fn stack(&self, name: &str) -> Option<&dyn Stack> {
        self.stacks
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_ref())
    }

    /// The stage that builds the app's assets, when it has an `assets` node.
    pub fn asset_stage(&self, ctx: &Ctx) -> Result<Option<AssetStage>, Error> {
        let Some(assets) = &ctx.app.assets else {
            return Ok(None);
        };
        let planned = self
            .stack(crate::model::ASSET_STACK)
            .and_then(|stack| stack.asset_stage(ctx, assets));
        match planned {
            Some(stage) => stage.map(Some),
            None => Err(Error::Bug {
                detail: format!("the {} stack builds no assets", crate::model::ASSET_STACK),
            }),
        }
    }

    /// One stack's detection of the app in `project`.
    pub fn detect_one(&self, name: &str, project: &Project) -> Option<Detection> {
        let data = self.knowledge.stack(name)?;
        self.stack(name)?.detect(&DetectInput {
            project,
            data,
            knowledge: &self.knowledge,
            stack: name,
        })
    }

    /// Every stack's detection of the app in `project`, in registration order.
    pub fn detect_all(&self, project: &Project) -> Vec<Detection> {
        let mut found: Vec<Detection> = self
            .stacks
            .iter()
            .filter_map(|(name, stack)| {
                let data = self.knowledge.stack(name)?;
                stack.detect(&DetectInput {
                    project,
                    data,
                    knowledge: &self.knowledge,
                    stack: name,
                })
            })
            .collect();
        found.extend(crate::detect::planned(project, &self.knowledge));
        found
    }
}
