//! Python: dependencies go into a venv at /opt/venv in a builder stage that has the compilers
//! and -dev headers; the final image gets the venv, the runtime libraries and the source.

use super::{app_owner, Ctx, Provider, RuntimeStage, Stage, Step};
use crate::model::{App, Language};
use crate::stacks::fill;

pub struct Python;

impl Python {
    fn manager<'a>(&self, app: &'a App) -> (&'a str, &'a str, &'a [String]) {
        match &app.language {
            Language::Python {
                manager,
                requirements,
                includes,
            } => (manager, requirements, includes),
            _ => ("pip", "requirements.txt", &[]),
        }
    }
}

impl Provider for Python {
    fn build_stages(&self, app: &App, ctx: &Ctx) -> Vec<Stage> {
        let (manager_name, requirements, includes) = self.manager(app);
        let manager = &ctx.stack.managers[manager_name];
        let vars = [("requirements", requirements)];
        let mut manifests: Vec<String> = manager.manifests.iter().map(|m| fill(m, &vars)).collect();
        manifests.extend(includes.iter().cloned());

        let mut steps = ctx.builder_head(app, &manager.builder_env, &app.workdir, &manifests);
        let mut commands: Vec<String> = manager.install.iter().map(|c| fill(c, &vars)).collect();
        if !app.build_deps.is_empty() {
            commands.extend(ctx.stack.strip_compiled.clone());
        }
        steps.push(Step::Run {
            commands,
            caches: manager.cache.clone(),
        });
        vec![Stage {
            name: "builder".into(),
            from: ctx.builder_image(app),
            purpose: format!("builder: installs the dependencies with {manager_name} into /opt/venv; build tools stay here"),
            steps,
        }]
    }

    fn runtime_stage(&self, app: &App, ctx: &Ctx) -> RuntimeStage {
        let mut copies: Vec<Step> = ctx
            .stack
            .artifacts
            .iter()
            .map(|(from, to)| Step::Copy {
                from: Some("builder".into()),
                sources: vec![from.clone()],
                dest: to.clone(),
                chown: None,
            })
            .collect();
        copies.push(Step::Copy {
            from: None,
            sources: vec![".".into()],
            dest: ".".into(),
            chown: app_owner(),
        });
        RuntimeStage {
            from: ctx.runtime_image(app),
            copies,
            env: ctx.runtime_env(),
        }
    }
}
