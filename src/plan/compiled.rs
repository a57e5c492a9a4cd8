//! Go and Rust: one builder compiles a single binary with cache mounts for the module/crate
//! registry and build cache; the final image holds that binary (and CA certificates on scratch).

use super::{Ctx, Provider, RuntimeStage, Stage, Step};
use crate::model::{App, Language, Runtime};
use crate::stacks::fill;

pub struct Compiled;

const SRC: &str = "/src";

fn binary(app: &App) -> (&str, &str) {
    match &app.language {
        Language::Go { package, binary } => (binary, package),
        Language::Rust { binary } => (binary, "."),
        _ => ("app", "."),
    }
}

impl Provider for Compiled {
    fn build_stages(&self, app: &App, ctx: &Ctx) -> Vec<Stage> {
        let (binary, package) = binary(app);
        let stack = ctx.stack;
        let caches: Vec<String> = stack
            .cache
            .iter()
            .map(|c| fill(c, &[("workdir", SRC)]))
            .collect();
        let mut steps = ctx.builder_head(app, &stack.builder_env, SRC, &stack.manifests);
        if let (false, Some(download)) = (stack.manifests.is_empty(), &stack.download) {
            steps.push(Step::Run {
                commands: vec![download.clone()],
                caches: caches.clone(),
            });
        }
        steps.push(Step::Copy {
            from: None,
            sources: vec![".".into()],
            dest: ".".into(),
            chown: None,
        });
        let build = fill(
            stack.build.as_deref().unwrap_or_default(),
            &[("binary", binary), ("package", package)],
        );
        steps.push(Step::Run {
            commands: vec![build],
            caches,
        });
        vec![Stage {
            name: "builder".into(),
            from: ctx.builder_image(app),
            purpose: format!("builder: compiles {binary}; the toolchain and caches stay here"),
            steps,
        }]
    }

    fn runtime_stage(&self, app: &App, ctx: &Ctx) -> RuntimeStage {
        let (binary, _) = binary(app);
        let mut copies = vec![];
        if matches!(app.runtime, Runtime::Scratch | Runtime::Slim) {
            copies.extend(ctx.stack.certificates.iter().map(|(from, to)| Step::Copy {
                from: Some("builder".into()),
                sources: vec![from.clone()],
                dest: to.clone(),
                chown: None,
            }));
        }
        copies.push(Step::Copy {
            from: Some("builder".into()),
            sources: vec![format!("/out/{binary}")],
            dest: format!("/usr/local/bin/{binary}"),
            chown: None,
        });
        RuntimeStage {
            from: ctx.runtime_image(app),
            copies,
            env: vec![],
        }
    }
}
