//! Python: dependencies go into a venv at /opt/venv in a builder stage that has the compilers
//! and -dev headers; the final image gets the venv, the runtime libraries and the source.

mod detect;
mod version;
mod wheels;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Stack, StackApp};
use crate::detect::{DetectInput, Detection};
use crate::error::{Error, Expected, Warning};
use crate::knowledge::Knowledge;
use crate::model::{Shape, StackInput};
use crate::plan::{app_owner, Ctx, Input, RuntimeStage, StackStages, Stage, StageName, Step};
use crate::project::{editable_installs, requirement_includes};
use crate::syntax::Spanned;
use crate::template::{Pattern, RequirementsNames, Template};

/// Python's own data in `recipes/stacks/python.toml`.
#[derive(Debug, Deserialize)]
pub struct Python {
    /// (builder path, final path): what the final image takes from the builder
    artifacts: Vec<(String, String)>,
    /// strips compiled extensions, when the recipe has build-deps
    strip_compiled: Option<String>,
    managers: BTreeMap<String, PythonManager>,
    detect: PythonDetect,
    /// the first release of compiled packages with a wheel for each Python version
    wheels: wheels::FirstReleases,
}

#[derive(Debug, Deserialize)]
struct PythonManager {
    /// the commands that fill /opt/venv
    install: Vec<Template<RequirementsNames>>,
}

#[derive(Debug, Deserialize)]
struct PythonDetect {
    env: crate::detect::EnvReads,
    ports: Vec<Pattern>,
    wsgi_apps: Vec<Pattern>,
    asgi_apps: Vec<Pattern>,
}

/// A Python app's settings.
struct PythonApp<'s> {
    stack: &'s Python,
    manager: Spanned<String>,
    requirements: Spanned<String>,
    /// files the requirements file includes (-r, -c), which must be copied along
    includes: Vec<String>,
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
        Some(Box::new(PythonApp {
            stack: self,
            manager,
            requirements,
            includes,
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
            }),
        }
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        let name = &self.manager.value;
        let (manager, own) = super::manager(ctx, &self.stack.managers, name)?;
        let vars = [("requirements", self.requirements.value.as_str())];
        let mut manifests = vec![];
        for m in &manager.manifests {
            manifests.push(m.render(&vars)?);
        }
        manifests.extend(self.includes.iter().cloned());

        let mut steps = ctx.builder_head(&manager.builder_env, &ctx.app.workdir, &manifests)?;
        let mut commands = vec![];
        for c in &own.install {
            commands.push(c.render(&vars)?);
        }
        if !ctx.app.build_deps.is_empty() {
            commands.extend(self.stack.strip_compiled.clone());
        }
        steps.push(Step::run(commands, &manager.cache));
        let builder = Stage {
            name: StageName::Builder,
            from: ctx.builder_image()?,
            purpose: format!("builder: installs the dependencies with {name} into /opt/venv; build tools stay here"),
            steps,
        };

        let mut copies: Vec<Step> = self
            .stack
            .artifacts
            .iter()
            .map(|(from, to)| Step::copy_from(StageName::Builder, from, to, None))
            .collect();
        copies.push(Step::copy_context(vec![".".into()], ".", app_owner()));

        let manager_hint = manager
            .missing_hint
            .clone()
            .unwrap_or_else(|| "create them, or change the recipe".into());
        let mut inputs: Vec<Input> = manifests
            .iter()
            .map(|path| Input {
                path: path.clone(),
                span: self.manager.span,
                hint: manager_hint.clone(),
            })
            .collect();
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
            stages: vec![builder],
            runtime: RuntimeStage {
                from: ctx.runtime_image(None)?,
                copies,
                env: vec![],
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
