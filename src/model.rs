//! Parsed recipe -> validated model. Here values get their meaning: versions, package names,
//! which runtime fits which stack, defaults from `recipes/stacks.toml`. Every value that reaches
//! the model is safe to place in a Dockerfile or compose.yaml: the character sets checked here
//! are what makes injection impossible, the renderers then quote on top.

use std::sync::OnceLock;

use miette::SourceSpan;
use regex::Regex;
use serde::Serialize;

use crate::error::RecipeError;
use crate::stacks::{knowledge, version_at_least, Stack};
use crate::syntax::{Node, Recipe, Scalar, Spanned};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct App {
    pub name: String,
    pub stack: String,
    pub version: String,
    pub language: Language,
    pub distro: String,
    pub release: String,
    pub registry: Option<String>,
    pub runtime: Runtime,
    pub build_deps: Vec<String>,
    pub runtime_libs: Vec<String>,
    pub user: User,
    pub workdir: String,
    pub ports: Vec<Port>,
    pub env: Vec<(String, String)>,
    pub run_env: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
    pub ignore: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub healthcheck: Option<Healthcheck>,
    pub image: String,
    /// what will likely go wrong at build time, found in the project's files
    pub warnings: Vec<String>,
}

impl App {
    /// How to create the files the build copies first, from the stack knowledge.
    pub fn missing_input_hint(&self, files: &[String]) -> String {
        let stack = &knowledge().stacks[&self.stack];
        if let Language::Python {
            requirements,
            includes,
            ..
        } = &self.language
        {
            if files.iter().all(|f| includes.contains(f)) {
                return format!(
                    "{requirements} includes it (-r or -c): create it, or drop that line"
                );
            }
        }
        let manager = match &self.language {
            Language::Python { manager, .. } | Language::Node { manager, .. } => {
                stack.managers.get(manager)
            }
            _ => None,
        };
        manager
            .and_then(|m| m.missing_hint.clone())
            .or_else(|| stack.missing_hint.clone())
            .unwrap_or_else(|| "create them, or change the recipe".into())
    }
}

/// What is particular to each stack.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Language {
    Python {
        manager: String,
        requirements: String,
        /// files the requirements file includes (-r, -c), which must be copied along
        includes: Vec<String>,
    },
    Node {
        manager: String,
        build: Option<NodeBuild>,
        spa: Option<Spa>,
    },
    Go {
        package: String,
        binary: String,
    },
    Rust {
        binary: String,
    },
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NodeBuild {
    pub script: String,
    pub output: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Spa {
    pub nginx: String,
    pub fallback: bool,
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
    pub interval: String,
    pub timeout: String,
    pub start_period: String,
    pub retries: u32,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(pattern).unwrap_or_else(|e| panic!("bad built-in pattern {pattern}: {e}"))
    })
}

macro_rules! pattern {
    ($name:ident, $re:expr) => {
        fn $name() -> &'static Regex {
            static CELL: OnceLock<Regex> = OnceLock::new();
            re(&CELL, $re)
        }
    };
}

pattern!(app_name_re, r"^[a-z0-9][a-z0-9_.-]{0,62}$");
pattern!(user_name_re, r"^[a-z_][a-z0-9_-]{0,31}$");
pattern!(rel_path_re, r"^[A-Za-z0-9_@+][A-Za-z0-9._@+/-]*$");
pattern!(abs_path_re, r"^/[A-Za-z0-9._@+/-]*$");
pattern!(go_package_re, r"^\.(/[A-Za-z0-9._@+-]+)*(/\.\.\.)?$");
pattern!(binary_re, r"^[A-Za-z0-9][A-Za-z0-9_-]*$");
pattern!(script_re, r"^[A-Za-z0-9][A-Za-z0-9:_.-]*$");
pattern!(env_key_re, r"^[A-Za-z_][A-Za-z0-9_]*$");
pattern!(label_key_re, r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$");
pattern!(port_re, r"^([0-9]{1,5})(/(tcp|udp))?$");
pattern!(http_path_re, r"^/[A-Za-z0-9._~/?=&%-]*$");
pattern!(duration_re, r"^[0-9]+(ms|s|m|h)$");
pattern!(
    registry_re,
    r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)*$"
);
pattern!(
    image_re,
    r"^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$"
);
pattern!(nginx_version_re, r"^[0-9]+\.[0-9]+(\.[0-9]+)?$");
pattern!(ignore_re, r"^[^\s#][^\x00-\x1f]*$");

/// Collects errors while building the model, so the user sees all of them at once.
struct Checker {
    errors: Vec<RecipeError>,
    warnings: Vec<String>,
}

impl Checker {
    fn bad(&mut self, node: &str, expected: &str, v: &Spanned<Scalar>, help: Option<String>) {
        self.errors.push(RecipeError::BadValue {
            node: node.into(),
            expected: expected.into(),
            span: v.span,
            found: format!("`{}`", v.value.as_text().escape_debug()),
            help,
        });
    }

    /// The text of `v` if it matches `re`, else an error.
    fn text(
        &mut self,
        node: &str,
        v: &Spanned<Scalar>,
        re: &Regex,
        expected: &str,
        help: Option<String>,
    ) -> Option<String> {
        let text = v.value.as_text();
        if re.is_match(&text) {
            Some(text)
        } else {
            self.bad(node, expected, v, help);
            None
        }
    }

    /// Any text without control characters (newlines could start a new Dockerfile instruction).
    fn plain(&mut self, node: &str, v: &Spanned<Scalar>) -> Option<String> {
        let text = v.value.as_text();
        if text.chars().any(|c| c.is_control()) {
            self.bad(
                node,
                "text without newlines or control characters",
                v,
                Some("write the value on one line".into()),
            );
            None
        } else {
            Some(text)
        }
    }

    fn unsupported(
        &mut self,
        span: SourceSpan,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        self.errors.push(RecipeError::Unsupported {
            message,
            span,
            label: label.into(),
            help,
        });
    }
}

/// The project folder the recipe sits in, as far as defaults depend on it.
pub trait Project {
    fn has_file(&self, name: &str) -> bool;
    fn read(&self, name: &str) -> Option<String>;
}

/// No folder: every default is dslim's own (recipes compiled from text alone).
pub struct NoProject;

impl Project for NoProject {
    fn has_file(&self, _: &str) -> bool {
        false
    }
    fn read(&self, _: &str) -> Option<String> {
        None
    }
}

impl Project for camino::Utf8PathBuf {
    fn has_file(&self, name: &str) -> bool {
        self.join(name).exists()
    }
    fn read(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.join(name)).ok()
    }
}

/// The files a pip requirements file pulls in with `-r`/`-c` (and their long forms), found
/// recursively and named from the project's root, as pip resolves them: relative to the file
/// that names them. Paths that leave the build context are left to pip to complain about.
/// Lines of the requirements files that install the project itself (`-e .`, `.`): they need
/// the source, which the dependency layer is built without.
pub fn editable_installs(project: &dyn Project, files: &[String]) -> Vec<String> {
    let mut found = vec![];
    for file in files {
        let Some(text) = project.read(file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if matches!(
                words.as_slice(),
                ["-e" | "--editable", ..] | ["." | "./", ..]
            ) {
                found.push(format!("{file}:{}: `{}`", i + 1, line.trim()));
            }
        }
    }
    found
}

pub fn requirement_includes(project: &dyn Project, requirements: &str) -> Vec<String> {
    let mut found: Vec<String> = vec![];
    let mut queue = vec![requirements.to_string()];
    while let Some(file) = queue.pop() {
        let Some(text) = project.read(&file) else {
            continue;
        };
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let target = match words.as_slice() {
                ["-r" | "--requirement" | "-c" | "--constraint", path, ..] => *path,
                [flag, ..] => match flag
                    .split_once('=')
                    .or_else(|| flag.strip_prefix("-r").map(|p| ("-r", p)))
                {
                    Some(("--requirement" | "--constraint" | "-r", path)) if !path.is_empty() => {
                        path
                    }
                    _ => continue,
                },
                [] => continue,
            };
            let Some(path) = normalize(&if dir.is_empty() {
                target.to_string()
            } else {
                format!("{dir}/{target}")
            }) else {
                continue;
            };
            if rel_path_re().is_match(&path)
                && path != requirements
                && !found.contains(&path)
                && found.len() < 64
            {
                found.push(path.clone());
                queue.push(path);
            }
        }
    }
    found
}

/// `a/./b/../c` -> `a/c`; None when the path climbs out of the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = vec![];
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Validates a parsed recipe against the stack knowledge, collecting every error.
pub fn validate(recipe: &Recipe, project: &dyn Project) -> Result<App, Vec<RecipeError>> {
    let mut c = Checker {
        errors: vec![],
        warnings: vec![],
    };
    let c = &mut c;
    let name = recipe.app.arg(0).and_then(|v| {
        c.text(
            "app",
            v,
            app_name_re(),
            "a lowercase name (a-z, 0-9, `-`, `_`, `.`)",
            Some("it names the compose service and the image".into()),
        )
    });
    let Some((stack_node, stack_name, stack, version)) = stack(c, recipe) else {
        return Err(std::mem::take(&mut c.errors));
    };
    let (distro, release, registry) = base(c, recipe);
    let Some(language) = language(c, recipe, project, stack_node, stack, name.as_deref()) else {
        return Err(std::mem::take(&mut c.errors));
    };
    let is_spa = matches!(&language, Language::Node { spa: Some(_), .. });
    let runtime = runtime(c, recipe, stack, &distro, is_spa);
    let (build_deps, runtime_libs) = system_packages(c, recipe, &distro, runtime);
    let user = user(c, recipe, stack, is_spa);
    let workdir = single(
        c,
        recipe,
        "workdir",
        abs_path_re(),
        "an absolute path like /app",
    )
    .unwrap_or_else(|| "/app".into());

    let ports = ports(c, recipe, is_spa);
    let env = pairs(
        c,
        recipe,
        "env",
        env_key_re(),
        "a variable name (letters, digits, `_`)",
    );
    let run_env = pairs(
        c,
        recipe,
        "run-env",
        env_key_re(),
        "a variable name (letters, digits, `_`)",
    );
    let labels = pairs(
        c,
        recipe,
        "label",
        label_key_re(),
        "a label key in reverse-DNS form, like org.opencontainers.image.source",
    );
    let ignore = recipe
        .all("ignore")
        .flat_map(|n| &n.args)
        .filter_map(|v| {
            c.text(
                "ignore",
                v,
                ignore_re(),
                "a .dockerignore pattern on one line",
                None,
            )
        })
        .collect();

    let (entrypoint, cmd) = command(c, recipe, &language, &stack_name, name.as_deref());
    let healthcheck = healthcheck(c, recipe, &stack_name, stack, runtime, &ports);
    let image = single(
        c,
        recipe,
        "image",
        image_re(),
        "a lowercase image reference like ghcr.io/acme/api:1.0",
    )
    .or_else(|| name.clone());

    if !c.errors.is_empty() {
        return Err(std::mem::take(&mut c.errors));
    }
    Ok(App {
        name: name.unwrap_or_default(),
        stack: stack_name,
        version: version.unwrap_or_default(),
        language,
        distro,
        release,
        registry,
        runtime,
        build_deps,
        runtime_libs,
        user,
        workdir,
        ports,
        env,
        run_env,
        labels,
        ignore,
        entrypoint,
        cmd,
        healthcheck,
        image: image.unwrap_or_default(),
        warnings: std::mem::take(&mut c.warnings),
    })
}

/// The argument of a node that takes one, if the recipe has the node and the value matches.
fn single(
    c: &mut Checker,
    recipe: &Recipe,
    node: &str,
    re: &Regex,
    expected: &str,
) -> Option<String> {
    let v = recipe.one(node)?.arg(0)?;
    c.text(node, v, re, expected, None)
}

/// The one stack node, its stack's knowledge and the version it asks for.
fn stack<'r>(
    c: &mut Checker,
    recipe: &'r Recipe,
) -> Option<(&'r Node, String, &'static Stack, Option<String>)> {
    let k = knowledge();
    let app_span = recipe.app.name.span;
    let stack_nodes: Vec<&Node> = recipe
        .nodes
        .iter()
        .filter(|n| k.stacks.contains_key(&n.name.value))
        .collect();
    let stack_node = match stack_nodes.as_slice() {
        [one] => Some(*one),
        [] => {
            c.errors.push(RecipeError::Missing {
                message: "the app does not say its stack".into(),
                span: app_span,
                help: Some(format!(
                    "add one of: {}",
                    k.stacks
                        .iter()
                        .map(|(n, s)| format!("{n} \"{}\"", s.version_example))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            });
            None
        }
        [first, second, ..] => {
            c.unsupported(
                second.name.span,
                format!(
                    "the app names two stacks, `{}` and `{}`",
                    first.name.value, second.name.value
                ),
                "second stack",
                Some("an app has one stack; put a second app in a folder of its own".into()),
            );
            None
        }
    };
    let stack_node = stack_node?;
    let stack_name = stack_node.name.value.clone();
    let stack = &k.stacks[&stack_name];
    let version = match stack_node.arg(0) {
        None => Some(stack.default_version.clone()),
        Some(v) => check_version(c, &stack_name, stack, v),
    };
    Some((stack_node, stack_name, stack, version))
}

/// The image family, its release and the registry mirror.
fn base(c: &mut Checker, recipe: &Recipe) -> (String, String, Option<String>) {
    let k = knowledge();
    let base = recipe.one("base");
    let distro = match base.and_then(|b| b.arg(0)) {
        None => Some("debian".to_string()),
        Some(v) => {
            let d = v.value.as_text();
            if k.distros.contains_key(&d) {
                Some(d)
            } else {
                c.bad(
                    "base",
                    "\"debian\" or \"alpine\"",
                    v,
                    crate::error::did_you_mean(&d, k.distros.keys().map(|s| s.as_str())),
                );
                None
            }
        }
    };
    let distro = distro.unwrap_or_else(|| "debian".into());
    let distro_data = &k.distros[&distro];
    let release = match base.and_then(|b| b.prop("release")) {
        None => distro_data.default_release.clone(),
        Some(v) => {
            let pattern = Regex::new(&distro_data.release_pattern)
                .unwrap_or_else(|e| panic!("stacks.toml release_pattern: {e}"));
            c.text(
                "base",
                v,
                &pattern,
                &format!("a {distro} release name"),
                Some(format!(
                    "for example: release=\"{}\"",
                    distro_data.default_release
                )),
            )
            .unwrap_or_default()
        }
    };
    let registry = base.and_then(|b| b.prop("registry")).and_then(|v| {
        c.text(
            "base",
            v,
            registry_re(),
            "a registry host and path, like mirror.example.com/dockerhub",
            None,
        )
    });

    (distro, release, registry)
}

/// What is particular to the stack: package manager, build, single-page app, binary.
fn language(
    c: &mut Checker,
    recipe: &Recipe,
    project: &dyn Project,
    stack_node: &Node,
    stack: &Stack,
    name: Option<&str>,
) -> Option<Language> {
    let k = knowledge();
    let stack_name = stack_node.name.value.clone();
    let name = name.map(String::from);
    let prop = |name: &str| stack_node.prop(name);
    let manager = match prop("manager") {
        // the lockfile in the folder says which manager the project uses
        None => stack
            .manager_files
            .iter()
            .find(|(file, _)| project.has_file(file))
            .map(|(_, manager)| manager.clone())
            .or_else(|| stack.default_manager.clone())
            .unwrap_or_default(),
        Some(v) => {
            let m = v.value.as_text();
            if !stack.managers.contains_key(&m) {
                let names: Vec<&str> = stack.managers.keys().map(|s| s.as_str()).collect();
                c.bad(
                    &format!("{stack_name} manager"),
                    &format!("one of: {}", names.join(", ")),
                    v,
                    crate::error::did_you_mean(&m, names.iter().copied()),
                );
            }
            m
        }
    };
    let build_node = recipe.one("build");
    let spa_node = recipe.one("spa");
    for (node, what) in [(build_node, "build"), (spa_node, "spa")] {
        if let (Some(n), false) = (node, stack_name == "node") {
            c.unsupported(
                n.name.span,
                format!("`{what}` is for node apps"),
                "not a node app",
                Some(format!("this app's stack is {stack_name}")),
            );
        }
    }
    let language = match stack_name.as_str() {
        "python" => {
            let requirements = match prop("requirements") {
                None => "requirements.txt".to_string(),
                Some(v) => c
                    .text(&stack_name, v, rel_path_re(), "a relative path", None)
                    .unwrap_or_default(),
            };
            let includes = if manager == "pip" {
                requirement_includes(project, &requirements)
            } else {
                vec![]
            };
            let mut files = vec![requirements.clone()];
            files.extend(includes.iter().cloned());
            for line in editable_installs(project, &files) {
                c.warnings.push(format!(
                    "{line} installs the project itself, which needs its source before the dependencies are installed; drop the line (the source is copied to the workdir and importable from there)"
                ));
            }
            Language::Python {
                manager,
                requirements,
                includes,
            }
        }
        "node" => {
            let spa = spa_node.map(|s| Spa {
                nginx: s
                    .prop("nginx")
                    .and_then(|v| {
                        c.text(
                            "spa",
                            v,
                            nginx_version_re(),
                            "an nginx version like \"1.28\"",
                            None,
                        )
                    })
                    .unwrap_or_else(|| k.spa.default_nginx.clone()),
                fallback: !matches!(
                    s.prop("fallback").map(|v| &v.value),
                    Some(Scalar::Bool(false))
                ),
            });
            let build = match (build_node, &spa) {
                (Some(b), _) => Some(NodeBuild {
                    script: b
                        .prop("script")
                        .and_then(|v| {
                            c.text("build", v, script_re(), "a package.json script name", None)
                        })
                        .unwrap_or_else(|| "build".into()),
                    output: b
                        .prop("output")
                        .and_then(|v| c.text("build", v, rel_path_re(), "a relative folder", None))
                        .unwrap_or_else(|| "dist".into()),
                }),
                (None, Some(_)) => Some(NodeBuild {
                    script: "build".into(),
                    output: "dist".into(),
                }),
                (None, None) => None,
            };
            Language::Node {
                manager,
                build,
                spa,
            }
        }
        "go" => Language::Go {
            package: match prop("package") {
                None => ".".into(),
                Some(v) => c
                    .text(
                        "go",
                        v,
                        go_package_re(),
                        "a package path starting with `.`, like \"./cmd/server\"",
                        None,
                    )
                    .unwrap_or_default(),
            },
            binary: name.clone().unwrap_or_default(),
        },
        "rust" => Language::Rust {
            binary: match prop("bin") {
                None => name.clone().unwrap_or_default(),
                Some(v) => c
                    .text("rust", v, binary_re(), "a binary target name", None)
                    .unwrap_or_default(),
            },
        },
        // a stack added to recipes/stacks.toml without its provider in src/plan/
        other => {
            c.unsupported(
                stack_node.name.span,
                format!("this build of dslim knows the {other} stack but cannot build it"),
                "no provider",
                Some(
                    "a stack needs its Language in src/model.rs and a provider in src/plan/".into(),
                ),
            );
            return None;
        }
    };
    Some(language)
}

/// The final image: nginx for a single-page app, else the stack's default or the recipe's choice.
fn runtime(c: &mut Checker, recipe: &Recipe, stack: &Stack, distro: &str, is_spa: bool) -> Runtime {
    if is_spa {
        if let Some(r) = recipe.one("runtime") {
            c.unsupported(
                r.name.span,
                "a single-page app always runs on nginx".into(),
                "not used with spa",
                Some("remove `runtime`".into()),
            );
        }
        Runtime::Nginx
    } else {
        let allowed: Vec<&str> = stack.runtimes.iter().map(String::as_str).collect();
        let chosen = match recipe.one("runtime").and_then(|r| r.arg(0)) {
            None => stack.default_runtime.clone(),
            Some(v) => {
                let r = v.value.as_text();
                if !allowed.contains(&r.as_str()) {
                    c.bad(
                        "runtime",
                        &format!("one of: {}", allowed.join(", ")),
                        v,
                        crate::error::did_you_mean(&r, allowed.iter().copied()),
                    );
                } else if r == "distroless" && distro != "debian" {
                    c.unsupported(
                        v.span,
                        "distroless images are Debian-based".into(),
                        "needs base \"debian\"",
                        Some("use runtime \"scratch\" or \"slim\" with alpine".into()),
                    );
                }
                r
            }
        };
        match chosen.as_str() {
            "distroless" => Runtime::Distroless,
            "scratch" => Runtime::Scratch,
            _ => Runtime::Slim,
        }
    }
}

/// build-deps and runtime-libs, checked against the distro's package names.
fn system_packages(
    c: &mut Checker,
    recipe: &Recipe,
    distro: &str,
    runtime: Runtime,
) -> (Vec<String>, Vec<String>) {
    let distro_data = &knowledge().distros[distro];
    let package_re = Regex::new(&distro_data.package_pattern)
        .unwrap_or_else(|e| panic!("stacks.toml package_pattern: {e}"));
    let mut packages = |node_name: &str| -> Vec<String> {
        let mut out = vec![];
        for node in recipe.all(node_name) {
            for v in &node.args {
                if let Some(p) = c.text(
                    node_name,
                    v,
                    &package_re,
                    &format!("a {distro} package name"),
                    Some("for example: libpq-dev".into()),
                ) {
                    if !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
        }
        out
    };
    let build_deps = packages("build-deps");
    let runtime_libs = packages("runtime-libs");
    if !runtime.has_shell() {
        if let Some(n) = recipe.one("runtime-libs") {
            c.unsupported(
                n.name.span,
                format!(
                    "the {} runtime has no package manager to install `runtime-libs` with",
                    runtime_name(runtime)
                ),
                "cannot be installed",
                Some("use runtime \"slim\", or drop runtime-libs".into()),
            );
        }
    }

    (build_deps, runtime_libs)
}

/// The unprivileged user: the recipe's, the image's own (node), or `app`; nginx's for a SPA.
fn user(c: &mut Checker, recipe: &Recipe, stack: &Stack, is_spa: bool) -> User {
    let k = knowledge();
    let default_user = stack.image_user.clone().unwrap_or_else(|| "app".into());
    let user = match recipe.one("user") {
        Some(u) if is_spa => {
            c.unsupported(
                u.name.span,
                format!(
                    "a single-page app runs as nginx's unprivileged user (uid {})",
                    k.spa.uid
                ),
                "not used with spa",
                Some("remove `user`".into()),
            );
            None
        }
        Some(u) => {
            let name = u.arg(0).and_then(|v| {
                let n = c.text(
                    "user",
                    v,
                    user_name_re(),
                    "a user name (a-z, 0-9, `_`, `-`)",
                    None,
                )?;
                if n == "root" {
                    c.unsupported(
                        v.span,
                        "dslim images never run as root".into(),
                        "root",
                        Some("name an unprivileged user, e.g. user \"app\"".into()),
                    );
                    return None;
                }
                Some(n)
            });
            let id = |c: &mut Checker, key: &str| -> u32 {
                match u.prop(key) {
                    None => 1000,
                    Some(v) => match v.value {
                        Scalar::Int(i) if (1..=2_147_483_647).contains(&i) => i as u32,
                        _ => {
                            c.bad("user", "an id from 1 to 2147483647 (0 is root)", v, None);
                            0
                        }
                    },
                }
            };
            let (uid, gid) = (id(c, "uid"), id(c, "gid"));
            name.map(|name| User { name, uid, gid })
        }
        None => None,
    };
    user.unwrap_or(User {
        name: if is_spa { "nginx".into() } else { default_user },
        uid: if is_spa { k.spa.uid } else { 1000 },
        gid: if is_spa { k.spa.uid } else { 1000 },
    })
}

/// Ports, without duplicates; a single-page app gets nginx's port when it names none.
fn ports(c: &mut Checker, recipe: &Recipe, is_spa: bool) -> Vec<Port> {
    let k = knowledge();
    let mut ports: Vec<Port> = vec![];
    for v in recipe.all("port").flat_map(|n| &n.args) {
        let text = v.value.as_text();
        let parsed = port_re().captures(&text).and_then(|caps| {
            let number: u16 = caps[1].parse().ok().filter(|n| *n > 0)?;
            Some(Port {
                number,
                protocol: caps.get(3).map_or("tcp", |m| m.as_str()).to_string(),
            })
        });
        match parsed {
            Some(p) if is_spa && p.number < 1024 => c.unsupported(
                v.span,
                format!("nginx runs unprivileged and cannot listen on port {}", p.number),
                "privileged port",
                Some(format!("use a port from 1024 up, e.g. port {}; publish it as 80 with compose if you need to", k.spa.default_port)),
            ),
            Some(p) if !ports.contains(&p) => ports.push(p),
            Some(_) => {}
            None => c.bad("port", "a port number from 1 to 65535, optionally with /tcp or /udp", v, None),
        }
    }
    if is_spa && ports.is_empty() {
        ports.push(Port {
            number: k.spa.default_port,
            protocol: "tcp".into(),
        });
    }

    ports
}

/// KEY=value properties of every `node_name` node; a later key replaces an earlier one.
fn pairs(
    c: &mut Checker,
    recipe: &Recipe,
    node_name: &str,
    key_re: &Regex,
    key_expected: &str,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    for node in recipe.all(node_name) {
        for (key, (key_span, v)) in &node.props {
            if !key_re.is_match(key) {
                c.errors.push(RecipeError::BadValue {
                    node: node_name.into(),
                    expected: key_expected.into(),
                    span: *key_span,
                    found: format!("`{}`", key.escape_debug()),
                    help: None,
                });
                continue;
            }
            if let Some(value) = c.plain(node_name, v) {
                out.retain(|(k, _)| k != key);
                out.push((key.clone(), value));
            }
        }
    }
    out
}

/// ENTRYPOINT and CMD: required for python and node apps, the binary for go and rust.
fn command(
    c: &mut Checker,
    recipe: &Recipe,
    language: &Language,
    stack_name: &str,
    name: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let app_span = recipe.app.name.span;
    let name = name.map(String::from);
    let words = |c: &mut Checker, node_name: &str| -> Vec<String> {
        recipe
            .one(node_name)
            .map(|n| {
                n.args
                    .iter()
                    .filter_map(|v| c.plain(node_name, v))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut entrypoint = words(c, "entrypoint");
    let cmd = words(c, "cmd");
    match (&language, recipe.one("entrypoint")) {
        (Language::Node { spa: Some(_), .. }, Some(n)) => c.unsupported(
            n.name.span,
            "a single-page app is served by nginx; it has no entrypoint of its own".into(),
            "not used with spa",
            Some("remove `entrypoint`".into()),
        ),
        (Language::Go { binary, .. } | Language::Rust { binary }, None) => entrypoint = vec![format!("/usr/local/bin/{binary}")],
        (Language::Python { .. } | Language::Node { spa: None, .. }, None) => c.errors.push(RecipeError::Missing {
            message: format!("app `{}` has no entrypoint", name.clone().unwrap_or_default()),
            span: app_span,
            help: Some(match stack_name {
                "python" => "say what starts it, e.g. entrypoint \"gunicorn\" \"--bind\" \"0.0.0.0:8000\" \"app:app\"".into(),
                _ => "say what starts it, e.g. entrypoint \"node\" \"server.js\"".into(),
            }),
        }),
        _ => {}
    }

    (entrypoint, cmd)
}

/// An HTTP healthcheck, where the final image has an interpreter to probe with.
fn healthcheck(
    c: &mut Checker,
    recipe: &Recipe,
    stack_name: &str,
    stack: &Stack,
    runtime: Runtime,
    ports: &[Port],
) -> Option<Healthcheck> {
    recipe.one("healthcheck").and_then(|h| {
        let path_v = h.arg(0)?;
        if stack.healthcheck.is_empty() || !runtime.has_shell() {
            c.unsupported(
                h.name.span,
                format!(
                    "the {} runtime of this {stack_name} app has no tool to probe HTTP with",
                    runtime_name(runtime)
                ),
                "no probe available",
                Some("HTTP healthchecks work for python and node apps on a slim runtime".into()),
            );
            return None;
        }
        if ports.is_empty() {
            c.errors.push(RecipeError::Missing {
                message: "a healthcheck needs a port to probe".into(),
                span: h.name.span,
                help: Some("add `port 8000` (the port the app listens on)".into()),
            });
        }
        let path = c.text(
            "healthcheck",
            path_v,
            http_path_re(),
            "a URL path starting with /",
            Some("for example: healthcheck \"/health\"".into()),
        )?;
        let duration = |c: &mut Checker, key: &str, default: &str| -> String {
            h.prop(key)
                .and_then(|v| {
                    c.text(
                        "healthcheck",
                        v,
                        duration_re(),
                        "a duration like \"30s\" or \"1m\"",
                        None,
                    )
                })
                .unwrap_or_else(|| default.into())
        };
        let retries = match h.prop("retries") {
            Some(Spanned {
                value: Scalar::Int(i),
                ..
            }) if (1..=100).contains(i) => *i as u32,
            Some(v) => {
                c.bad("healthcheck", "retries from 1 to 100", v, None);
                3
            }
            None => 3,
        };
        Some(Healthcheck {
            path,
            interval: duration(c, "interval", "30s"),
            timeout: duration(c, "timeout", "5s"),
            start_period: duration(c, "start-period", "10s"),
            retries,
        })
    })
}

fn check_version(
    c: &mut Checker,
    stack_name: &str,
    stack: &Stack,
    v: &Spanned<Scalar>,
) -> Option<String> {
    let pattern = Regex::new(&stack.version_pattern)
        .unwrap_or_else(|e| panic!("stacks.toml version_pattern: {e}"));
    let version = c.text(
        stack_name,
        v,
        &pattern,
        &format!("a {stack_name} version"),
        Some(format!(
            "for example: {stack_name} \"{}\"",
            stack.version_example
        )),
    )?;
    if !version_at_least(&version, &stack.min_version) {
        c.unsupported(
            v.span,
            format!("{stack_name} {version} is older than dslim supports"),
            "too old",
            Some(format!(
                "use {stack_name} {} or newer (current: {})",
                stack.min_version, stack.default_version
            )),
        );
        return None;
    }
    Some(version)
}

fn runtime_name(r: Runtime) -> &'static str {
    match r {
        Runtime::Slim => "slim",
        Runtime::Distroless => "distroless",
        Runtime::Scratch => "scratch",
        Runtime::Nginx => "nginx",
    }
}
