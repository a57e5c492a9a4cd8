//! Parsed recipe -> validated model. Here values get their meaning: versions, package names,
//! which runtime fits which stack, defaults from the stack data. Every value that reaches the
//! model is safe to place in a Dockerfile or compose.yaml: the forms checked here (`form`) are
//! what makes injection impossible, the renderers then quote on top.
//!
//! What every app has is validated here; what is particular to a stack (its manager, build,
//! binary) is validated by the stack, in `src/stacks/NAME/`, which tells this module what the
//! app's final image runs through a `Shape`.

mod assets;
mod check;
mod nodes;
mod secrets;

pub use assets::{Assets, ASSET_STACK};
pub use secrets::{Secret, SecretSource};

use serde::Serialize;

pub use check::Checker;
pub use nodes::node_pairs;

use crate::error::{Expected, Kind, RecipeError, Warning};
use crate::knowledge::{version_at_least, Knowledge, StackData};
use crate::local_packages::SharedRoot;
use crate::project::Project;
use crate::syntax::{Node, Recipe, Spanned};

#[derive(Debug, Clone, Serialize)]
pub struct App {
    pub name: String,
    pub stack: String,
    pub version: Spanned<String>,
    /// the stack's own settings (manager, build, binary...), as the stack reports them
    pub language: serde_json::Value,
    pub distro: Spanned<String>,
    pub release: String,
    pub registry: Option<String>,
    pub runtime: Runtime,
    /// the nginx version, for a single-page app
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_site: Option<String>,
    pub build_deps: Vec<String>,
    pub runtime_libs: Vec<String>,
    pub user: User,
    /// the app's folder in the image
    pub workdir: String,
    /// where the build context's root lands: the workdir, or the folder above it that holds
    /// the package manager's workspace the app is a member of
    pub root_workdir: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<SharedRoot>,
    pub ports: Vec<Port>,
    pub env: Vec<(String, String)>,
    pub run_env: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
    pub ignore: Vec<String>,
    /// what the dependency install needs and no layer may hold
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    /// the development target, when the recipe asks for one
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev: Option<Dev>,
    /// the one-off command of each release (a migration), run by a compose service of its own
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub release_command: Vec<String>,
    pub healthcheck: Option<Healthcheck>,
    /// front-end assets built in a Node stage of their own, for the app's builder
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assets: Option<Assets>,
    /// files of the app's folder a compiled binary reads at run time (`runtime-files`)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runtime_files: Vec<Spanned<String>>,
    pub image: String,
    /// what will likely go wrong at build time, found in the project's files
    pub warnings: Vec<Warning>,
}

/// The development target: its command, and the build args that configure it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dev {
    pub command: Vec<String>,
    /// name -> default, each a build arg and a variable of the stage
    pub args: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// the language's slim image (or the distro's, for compiled stacks)
    Slim,
    Distroless,
    Scratch,
    /// nginx serving a single-page app
    Nginx,
}

impl Runtime {
    /// Whether the final image has a shell and package manager to add users and libraries with.
    pub fn has_shell(self) -> bool {
        matches!(self, Runtime::Slim)
    }

    pub fn name(self) -> &'static str {
        match self {
            Runtime::Slim => "slim",
            Runtime::Distroless => "distroless",
            Runtime::Scratch => "scratch",
            Runtime::Nginx => "nginx",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Port {
    pub number: u16,
    pub protocol: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Healthcheck {
    pub path: String,
    pub probe: Probe,
    pub interval: String,
    pub timeout: String,
    pub start_period: String,
    pub retries: u32,
}

/// What a healthcheck probes HTTP with.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Probe {
    /// the stack's interpreter, which the final image has (python, node)
    Interpreter,
    /// dslim's static probe, built in a stage of its own, for images with no interpreter
    Static,
}

/// What a stack's validation sees of the recipe.
pub struct StackInput<'a> {
    pub recipe: &'a Recipe,
    /// the stack node, `python "3.13" manager="uv"`
    pub node: &'a Node,
    pub data: &'a StackData,
    pub knowledge: &'a Knowledge,
    pub project: &'a Project,
    pub app_name: Option<&'a str>,
    /// the package manager: the recipe's, the one the project's lockfile implies, or the
    /// stack's default; spanned by the node that decided it
    pub manager: Option<Spanned<String>>,
    pub checker: &'a mut Checker,
}

/// What a stack tells the model about the app.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// a single-page app: the final image is nginx (this version) serving static files
    pub static_site: Option<String>,
    /// the command when the recipe names none (a compiled binary); empty: the recipe must
    pub default_entrypoint: Vec<String>,
    /// the stack's settings, for `dslim plan`
    pub language: serde_json::Value,
    /// the package manager's workspace the app is a member of: its root is the build context
    pub shared: Option<SharedRoot>,
}

/// The app's stack, as far as the recipe names one dslim knows.
#[derive(Clone, Copy)]
pub struct KnownStack<'a> {
    pub name: &'a str,
    pub data: &'a StackData,
}

/// Validates a parsed recipe, collecting every error. `stack_part` validates what is
/// particular to the app's stack, given the stack's name; it returns the app's shape and
/// whatever the caller wants to keep of it (the stack's typed settings). When the stack is
/// unknown or cannot be validated, the values every app has are still checked, so that the
/// user sees every error at once.
pub fn validate<T>(
    recipe: &Recipe,
    knowledge: &Knowledge,
    project: &Project,
    errors: Vec<RecipeError>,
    stack_part: impl FnOnce(&str, &mut StackInput<'_>) -> Option<(Shape, T)>,
) -> Result<(App, T), Vec<RecipeError>> {
    let mut c = Checker::new(errors);
    let c = &mut c;
    let name = recipe
        .app
        .arg(0)
        .and_then(|v| c.value("app", v, Expected::AppName));
    let found = stack(c, recipe, knowledge);
    let known = found.map(|(_, name, data)| KnownStack { name, data });
    let mut part = None;
    let mut version = None;
    let mut secrets = vec![];
    if let Some((stack_node, stack_name, data)) = found {
        version = Some(self::version(c, stack_node, stack_name, data));
        let manager = manager(c, stack_node, stack_name, data, project);
        secrets = secrets::secrets(c, recipe, Some(data), manager.as_ref());
        nodes::stack_only_nodes(c, recipe, knowledge, stack_name);
        part = stack_part(
            stack_name,
            &mut StackInput {
                recipe,
                node: stack_node,
                data,
                knowledge,
                project,
                app_name: name.as_deref(),
                manager,
                checker: c,
            },
        );
    }
    let shape = part.as_ref().map(|(shape, _)| shape);
    let static_site = shape.and_then(|s| s.static_site.clone());
    let is_static = static_site.is_some();
    let (distro, release, registry) = nodes::base(c, recipe, knowledge, known, version.as_ref());
    let runtime = nodes::runtime(c, recipe, known, &distro, knowledge, is_static);
    let (build_deps, runtime_libs) =
        nodes::system_packages(c, recipe, &distro.value, knowledge, known, runtime);
    let user = nodes::user(c, recipe, known, knowledge, is_static);
    let root_workdir = nodes::single(c, recipe, "workdir", Expected::AbsolutePath)
        .unwrap_or_else(|| "/app".into());
    let workdir = match shape.and_then(|s| s.shared.as_ref()) {
        Some(shared) => format!("{}/{}", root_workdir.trim_end_matches('/'), shared.member),
        None => root_workdir.clone(),
    };
    let ports = nodes::ports(c, recipe, knowledge, is_static);
    let env = nodes::pairs(c, recipe, "env", Expected::EnvKey);
    let run_env = nodes::pairs(c, recipe, "run-env", Expected::EnvKey);
    let labels = nodes::pairs(c, recipe, "label", Expected::LabelKey);
    let ignore = recipe
        .all("ignore")
        .flat_map(|n| &n.args)
        .filter_map(|v| c.value("ignore", v, Expected::IgnorePattern))
        .collect();
    let (entrypoint, cmd) = nodes::command(c, recipe, shape, known, name.as_deref());
    let dev = recipe.one("dev").map(|node| {
        // the user's ids are build args of the dev stage already: one of them here would
        // replace the id the app's files and process have
        for (name, (span, _)) in node
            .props
            .iter()
            .filter(|(k, _)| ["UID", "GID"].contains(&k.as_str()))
        {
            c.error(*span, Kind::UserIdArg { name: name.clone() });
        }
        Dev {
            command: (node.args.iter())
                .filter_map(|v| c.one_line("dev", v))
                .collect(),
            args: node_pairs(c, node, Expected::EnvKey),
        }
    });
    let release_command = (recipe.one("release-command").into_iter())
        .flat_map(|n| &n.args)
        .filter_map(|v| c.one_line("release-command", v))
        .collect();
    let healthcheck = nodes::healthcheck(c, recipe, known, runtime, is_static, &ports);
    let image = nodes::single(c, recipe, "image", Expected::Image).or_else(|| name.clone());
    let assets = assets::assets(c, recipe, knowledge, project, (&distro.value, &release));
    let runtime_files = (recipe.all("runtime-files").flat_map(|n| &n.args))
        .filter_map(|v| {
            let path = c.value("runtime-files", v, Expected::RelativePath)?;
            Some(Spanned::new(path.trim_end_matches('/').to_string(), v.span))
        })
        .collect();

    let (Some((shape, kept)), Some(stack), Some(version), false) =
        (part, known, version, c.has_errors())
    else {
        return Err(std::mem::take(&mut c.errors));
    };
    let app = App {
        name: name.unwrap_or_default(),
        stack: stack.name.to_string(),
        version,
        language: shape.language,
        distro,
        release,
        registry,
        runtime,
        static_site,
        build_deps,
        runtime_libs,
        user,
        workdir,
        root_workdir,
        shared: shape.shared,
        ports,
        env,
        run_env,
        labels,
        ignore,
        secrets,
        entrypoint,
        cmd,
        dev,
        release_command,
        healthcheck,
        assets,
        runtime_files,
        image: image.unwrap_or_default(),
        warnings: std::mem::take(&mut c.warnings),
    };
    Ok((app, kept))
}

/// The one stack node and its stack's data.
fn stack<'r, 'k>(
    c: &mut Checker,
    recipe: &'r Recipe,
    knowledge: &'k Knowledge,
) -> Option<(&'r Node, &'r str, &'k StackData)> {
    let stack_nodes: Vec<&Node> = recipe
        .nodes
        .iter()
        .filter(|n| knowledge.stack(&n.name.value).is_some())
        .collect();
    match stack_nodes.as_slice() {
        [one] => {
            let data = knowledge.stack(&one.name.value)?;
            Some((*one, one.name.value.as_str(), data))
        }
        [] => {
            // a node the parser could not read may be the stack (a misspelt `pyton`)
            let maybe_stack = recipe
                .unreadable
                .iter()
                .any(|n| knowledge.stack(n).is_some() || knowledge.planned.contains_key(n));
            if !maybe_stack {
                c.error(
                    recipe.app.name.span,
                    Kind::NoStack {
                        examples: knowledge
                            .stack_names()
                            .iter()
                            .filter_map(|n| {
                                Some(format!("{n} \"{}\"", knowledge.stack(n)?.version_example))
                            })
                            .collect(),
                    },
                );
            }
            None
        }
        [first, second, ..] => {
            c.error(
                second.name.span,
                Kind::TwoStacks {
                    first: first.name.value.clone(),
                    second: second.name.value.clone(),
                },
            );
            None
        }
    }
}

/// The version the stack node asks for, or the stack's default (spanned by the node).
fn version(c: &mut Checker, node: &Node, stack: &str, data: &StackData) -> Spanned<String> {
    stack_version(c, node.arg(0), node.name.span, stack, data)
}

/// A version of `stack` a recipe value names (the stack node's, `assets node=`), checked
/// against the stack's forms and oldest version; the stack's default where there is none.
pub(crate) fn stack_version(
    c: &mut Checker,
    value: Option<&Spanned<crate::syntax::Scalar>>,
    node_span: miette::SourceSpan,
    stack: &str,
    data: &StackData,
) -> Spanned<String> {
    let Some(v) = value else {
        return Spanned::new(data.default_version.clone(), node_span);
    };
    let expected = Expected::Version {
        stack: stack.into(),
        example: data.version_example.clone(),
    };
    let Some(version) = c.matching(stack, v, &data.version_pattern, expected) else {
        return Spanned::new(data.default_version.clone(), v.span);
    };
    if !version_at_least(&version.value, &data.min_version) {
        c.error(
            v.span,
            Kind::TooOld {
                stack: stack.into(),
                version: version.value.clone(),
                min: data.min_version.clone(),
                current: data.default_version.clone(),
            },
        );
    }
    version
}

/// The package manager: the recipe's, else the one whose lockfile is in the folder (or in a
/// workspace's root above it), else the stack's default (also after an invalid one, already reported). None for stacks without
/// managers.
fn manager(
    c: &mut Checker,
    node: &Node,
    stack: &str,
    data: &StackData,
    project: &Project,
) -> Option<Spanned<String>> {
    let named = node.prop("manager").map(|v| {
        c.one_of(
            &format!("{stack} manager"),
            v,
            data.managers.keys().cloned().collect(),
        )
    });
    match named {
        Some(Some(manager)) => Some(manager),
        Some(None) => data
            .default_manager
            .clone()
            .map(|m| Spanned::new(m, node.name.span)),
        None => data
            .manager_files
            .iter()
            .find(|(file, _)| project.exists(file))
            .map(|(_, manager)| manager.clone())
            .or_else(|| data.manager_above(project).map(|(_, m)| m.clone()))
            .or_else(|| data.default_manager.clone())
            .map(|m| Spanned::new(m, node.name.span)),
    }
}
