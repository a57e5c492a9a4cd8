//! Python: dependencies go into a venv at /opt/venv in a builder stage that has the compilers
//! and -dev headers; the final image gets the venv, the runtime libraries and the source.

mod dependencies;
mod detect;
mod runners;
mod version;
mod wheels;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::build_steps::{self, BuildStep};
use super::{Stack, StackApp};
use crate::detect::{DetectInput, Detection};
use crate::error::{Error, Expected, Warning};
use crate::knowledge::Knowledge;
use crate::local_packages::SharedRoot;
use crate::model::Runtime;
use crate::model::{Shape, StackInput};
use crate::plan::{
    interpreter_stage, Ctx, EnvVar, ImageRef, Input, RuntimeStage, StackStages, Stage, StageName,
    Step,
};
use crate::project::{editable_installs, requirement_includes};
use crate::syntax::Spanned;
use crate::template::{
    AppServerNames, ImageNames, MemberNames, Pattern, RequirementsNames, Template, TemplateError,
};

/// Python's own data in `recipes/stacks/python.toml`.
#[derive(Debug, Deserialize)]
pub struct Python {
    /// (builder path, final path): what the final image takes from the builder
    artifacts: Vec<(String, String)>,
    /// strips compiled extensions, when the recipe has build-deps
    strip_compiled: Option<String>,
    /// the environment of the recipe's build-step commands
    build_step_env: Vec<(String, String)>,
    managers: BTreeMap<String, PythonManager>,
    detect: PythonDetect,
    /// the first release of compiled packages with a wheel for each Python version
    wheels: wheels::FirstReleases,
    /// servers that run app objects, in the order init prefers them
    servers: Vec<Server>,
    /// frameworks whose own command runs the app's script (Streamlit)
    runners: Vec<runners::Runner>,
    /// `name[extra]` -> the packages that extra brings
    extras: BTreeMap<String, Vec<String>>,
    /// the final image of runtime "distroless" (and "minimal")
    distroless: Template<ImageNames>,
    /// puts the venv's interpreter and its standard library in /out, for distroless
    interpreter: Vec<String>,
    /// what the final image takes whole from the builder
    shipped: Vec<String>,
    distroless_env: Vec<(String, String)>,
}

/// The kinds of app object a server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum AppKind {
    Wsgi,
    Asgi,
    DjangoWsgi,
    DjangoAsgi,
}

/// A server that runs an app object (`[[servers]]`).
#[derive(Debug, Deserialize)]
struct Server {
    /// the package that brings it
    package: String,
    runs: AppKind,
    command: Vec<Template<AppServerNames>>,
    /// the flag that makes it call a factory; without one, `module:create_app()`
    factory: Option<String>,
    /// a framework's development server, for a project that depends on no other
    #[serde(default)]
    development: bool,
}

impl Server {
    /// Its command for `target` (`module:app`, or `module:create_app()` for a factory).
    fn command(&self, target: &str, port: &str) -> Result<Vec<String>, TemplateError> {
        let (flag, target) = match (target.strip_suffix("()"), &self.factory) {
            (Some(function), Some(flag)) => (Some(flag), function),
            _ => (None, target),
        };
        let mut argv = Template::render_all(&self.command, &[("target", target), ("port", port)])?;
        if let Some(flag) = flag {
            argv.insert(1, flag.clone());
        }
        Ok(argv)
    }
}

#[derive(Debug, Deserialize)]
struct PythonManager {
    /// the commands that fill /opt/venv
    install: Vec<Template<RequirementsNames>>,
    /// the manifest that pins every version, for managers that can do without it
    lockfile: Option<String>,
    /// the commands that fill /opt/venv when the project has no lockfile
    #[serde(default)]
    without_lock: Vec<Template<RequirementsNames>>,
    /// the installs of a member of the manager's workspace
    #[serde(default)]
    workspace: Option<MemberInstalls>,
}

/// A workspace member's installs, run at the workspace's root.
#[derive(Debug, Deserialize)]
struct MemberInstalls {
    /// the third-party dependencies, from the manifests alone
    install: Vec<Template<MemberNames>>,
    /// the local packages it uses, once their sources are copied
    install_packages: Vec<Template<MemberNames>>,
}

/// Where a manager's package indexes are named in pyproject.toml, and the variables it reads
/// an index's credentials from.
#[derive(Debug, Deserialize)]
pub(super) struct NamedIndexes {
    /// a dotted path to an array of tables with a `name` each (`tool.uv.index`)
    tables: String,
    env: Vec<Template<crate::template::NameNames>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct PythonDetect {
    env: crate::detect::EnvReads,
    /// group 1: a variable in a requirements file's index URL
    index_variables: Pattern,
    /// per manager, the indexes a pyproject.toml names and their credentials' variables
    named_indexes: std::collections::BTreeMap<String, NamedIndexes>,
    ports: Vec<Pattern>,
    wsgi_apps: Vec<Pattern>,
    asgi_apps: Vec<Pattern>,
    static_root: Pattern,
    /// the HTTP socket of a uWSGI ini file: group 1 the port
    uwsgi_http: Pattern,
    /// the build step that installs the project itself, for its console scripts
    install_project: Vec<String>,
    /// package -> the first release that no longer needs setuptools at run time
    needs_setuptools: BTreeMap<String, String>,
    /// the build step that installs it
    install_setuptools: Vec<String>,
    collectstatic: Vec<String>,
    /// Django's database settings, and the release command that migrates it
    databases: Pattern,
    migrate: Vec<String>,
    build_only_value: String,
}

/// A Python app's settings.
struct PythonApp<'s> {
    stack: &'s Python,
    manager: Spanned<String>,
    requirements: Spanned<String>,
    /// files the requirements file includes (-r, -c), which must be copied along
    includes: Vec<String>,
    build_steps: Vec<BuildStep>,
    /// the project has the manager's lockfile (or there is no project to ask)
    locked: bool,
    shared: Option<SharedRoot>,
}

impl Stack for Python {
    fn validate<'s>(&'s self, cx: &mut StackInput<'_>) -> Option<Box<dyn StackApp + 's>> {
        let manager = cx.manager.clone()?;
        let requirements = match cx.node.prop("requirements") {
            None => Spanned::new("requirements.txt".to_string(), cx.node.name.span),
            Some(v) => cx
                .checker
                .text("python", v, Expected::RelativePath)
                .unwrap_or_else(|| Spanned::new(String::new(), v.span)),
        };
        let includes = if manager.value == "pip" {
            requirement_includes(cx.project, &requirements.value)
        } else {
            vec![]
        };
        let mut files = vec![requirements.value.clone()];
        files.extend(includes.iter().cloned());
        for (at, line) in editable_installs(cx.project, &files) {
            cx.checker.warn(Warning::EditableInstall { at, line });
        }
        let build_steps = build_steps::read(cx);
        let shared = super::shared_root(cx, &manager);
        // without its lockfile the project still builds where the manager can resolve
        let locked = match self.managers.get(&manager.value) {
            Some(PythonManager {
                lockfile: Some(lockfile),
                without_lock,
                ..
            }) if !without_lock.is_empty() => {
                super::has_lockfile(cx.project, shared.as_ref(), cx.checker, lockfile)
            }
            _ => true,
        };
        Some(Box::new(PythonApp {
            stack: self,
            manager,
            requirements,
            includes,
            build_steps,
            locked,
            shared,
        }))
    }

    fn detect(&self, input: &DetectInput) -> Option<Detection> {
        detect::detect(self, input)
    }

    fn check(&self, knowledge: &Knowledge, name: &str) -> Result<(), String> {
        super::same_managers(knowledge, name, &self.managers)
    }
}

impl StackApp for PythonApp<'_> {
    fn shape(&self) -> Shape {
        Shape {
            static_site: None,
            default_entrypoint: vec![],
            language: serde_json::json!({
                "kind": "python",
                "manager": self.manager.value,
                "requirements": self.requirements.value,
                "includes": self.includes,
                "build_steps": self.build_steps.iter().map(|s| &s.argv).collect::<Vec<_>>(),
            }),
            shared: self.shared.clone(),
        }
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        let name = &self.manager.value;
        let (manager, own) = super::manager(ctx, &self.stack.managers, name)?;
        let vars = [("requirements", self.requirements.value.as_str())];
        let member_installs = self.shared.as_ref().zip(own.workspace.as_ref());
        let mut manifests = vec![];
        let mut workdir = &ctx.app.workdir;
        let mut commands = vec![];
        match member_installs {
            // a workspace member installs at the root, from the root's lockfile
            Some((shared, installs)) => {
                manifests = shared.manifests.clone();
                workdir = &ctx.app.root_workdir;
                for c in &installs.install {
                    commands.push(c.render(&shared.template_names())?);
                }
            }
            None => {
                let lockfile = own.lockfile.as_deref();
                manifests = super::manifests_to_copy(manager, &vars, lockfile, self.locked)?;
                manifests.extend(self.includes.iter().cloned());
                let install = match self.locked {
                    true => &own.install,
                    false => &own.without_lock,
                };
                for c in install {
                    commands.push(c.render(&vars)?);
                }
            }
        }
        let mut steps = ctx.builder_head(&manager.builder_env, workdir, &manifests)?;
        if !ctx.app.build_deps.is_empty() {
            commands.extend(self.stack.strip_compiled.clone());
        }
        steps.push(ctx.with_secrets(Step::run_managed(commands, manager)));
        if let Some((shared, installs)) = member_installs.filter(|(s, _)| !s.packages.is_empty()) {
            steps.extend(ctx.copy_packages(None));
            let mut commands = vec![];
            for c in &installs.install_packages {
                commands.push(c.render(&shared.template_names())?);
            }
            steps.push(ctx.with_secrets(Step::run_managed(commands, manager)));
        }
        let through_builder = build_steps::through_builder(ctx, &self.build_steps);
        if through_builder {
            steps.extend(build_steps::stage_steps(
                ctx,
                &self.build_steps,
                &self.stack.build_step_env,
                self.shared.is_some(),
            ));
        }
        let builder = Stage {
            name: StageName::Builder,
            from: ctx.builder_image()?,
            purpose: format!("builder: installs the dependencies with {name} into /opt/venv; build tools stay here"),
            steps,
        };

        let runtime_image = ctx.runtime_image(Some(&self.stack.distroless))?;
        let mut stages = vec![builder];
        let mut copies = vec![];
        let mut env = vec![];
        if ctx.app.runtime == Runtime::Distroless {
            // from the builder, whose compilers' -dev packages bring the libraries the
            // compiled packages link
            let shipped: Vec<&str> = self.stack.shipped.iter().map(String::as_str).collect();
            stages.push(interpreter_stage(
                ctx,
                ImageRef::stage(StageName::Builder),
                &self.stack.interpreter,
                &shipped,
                &runtime_image,
            )?);
            copies.push(Step::copy_from(StageName::Interpreter, "/out/", "/", None));
            env = self
                .stack
                .distroless_env
                .iter()
                .map(|(k, v)| EnvVar::own(k, v))
                .collect();
        }
        copies.extend(
            self.stack
                .artifacts
                .iter()
                .map(|(from, to)| Step::copy_from(StageName::Builder, from, to, None)),
        );
        // with build steps, the source with what they made (collected static files...)
        copies.push(build_steps::source_copy(ctx, through_builder));

        let manager_hint = super::manifests_hint(manager);
        let mut inputs = super::manifest_inputs(&manifests, self.manager.span, &manager_hint);
        if let Some(first) = inputs.first_mut() {
            // the requirements file is the recipe's `requirements=` (or its default)
            if name == "pip" {
                first.span = self.requirements.span;
            }
        }
        for included in &self.includes {
            if let Some(i) = inputs.iter_mut().find(|i| i.path == *included) {
                i.span = self.requirements.span;
                i.hint = format!(
                    "{} includes it (-r or -c): create it, or drop that line",
                    self.requirements.value
                );
            }
        }
        Ok(StackStages {
            stages,
            runtime: RuntimeStage {
                from: runtime_image,
                copies,
                env,
                command: vec![],
                packages: vec![],
            },
            dockerignore: vec![],
            inputs,
            missing_hint: Input {
                path: String::new(),
                // the stack node, for files no value of it names
                span: ctx.app.version.span,
                hint: manager_hint,
            },
        })
    }
}
