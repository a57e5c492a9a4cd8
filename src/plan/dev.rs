//! The development target (`dev` node): a `dev` stage on the stage that holds the toolchain
//! and the dependencies (node's `build` or `deps`, every other stack's `builder`), with the
//! development dependencies and settings, the source, and the development command; and what
//! compose.dev.yaml says of it. The final stage is untouched: compose builds `runtime`, which
//! BuildKit builds without looking at `dev`, so the production image stays byte for byte.

use serde::Serialize;

use super::{Ctx, EnvVar, ImageRef, Input, Stage, StageName, Step};
use crate::model::Dev;

/// What compose.dev.yaml says of the app's service: the target, its build args, and how
/// `docker compose watch` keeps the container current.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DevService {
    pub target: StageName,
    /// the development image's own name, so that it never takes the production image's tag
    pub image: String,
    /// name -> value with Compose interpolation (`${FLASK_DEBUG:-1}`)
    pub args: Vec<(String, String)>,
    /// where the source is in the container: edits are synced there
    pub sync_to: String,
    /// files whose change needs a new image (the manifests and lockfiles)
    pub rebuild: Vec<String>,
}

/// The `dev` stage and its service, when the recipe has a `dev` node and the plan a stage to
/// build it on.
pub fn plan(
    ctx: &Ctx,
    stages: &[Stage],
    inputs: &[Input],
) -> Option<Result<(Stage, DevService), crate::template::TemplateError>> {
    let dev = ctx.app.dev.as_ref()?;
    let base = [StageName::Build, StageName::Builder, StageName::Deps]
        .into_iter()
        .find_map(|name| stages.iter().find(|s| s.name == name))?;
    Some(stage(ctx, dev, base).map(|(stage, workdir)| {
        let service = DevService {
            target: StageName::Dev,
            image: dev_image(&ctx.app.image),
            args: (dev.args.iter())
                .map(|(k, v)| (k.clone(), format!("${{{k}:-{v}}}")))
                .collect(),
            sync_to: workdir,
            rebuild: inputs.iter().map(|i| i.path.clone()).collect(),
        };
        (stage, service)
    }))
}

/// The development image's name: the production one's, tagged `dev` (`shop:1.2` -> `shop:1.2-dev`).
fn dev_image(image: &str) -> String {
    // a tag is after the last `:` past the last `/` (a registry's `host:port/` is not one)
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    match image[name_start..].contains(':') {
        true => format!("{image}-dev"),
        false => format!("{image}:dev"),
    }
}

/// The stage, and the folder the source is in.
fn stage(
    ctx: &Ctx,
    dev: &Dev,
    base: &Stage,
) -> Result<(Stage, String), crate::template::TemplateError> {
    let app = ctx.app;
    // where the base stage works (compiled stacks build in /src)
    let workdir = (base.steps.iter().rev())
        .find_map(|s| match s {
            Step::Workdir { path } => Some(path.clone()),
            _ => None,
        })
        .unwrap_or_else(|| app.workdir.clone());
    let mut steps: Vec<Step> = ["UID", "GID"]
        .iter()
        .map(|name| Step::Arg {
            name: name.to_string(),
            default: match *name {
                "UID" => app.user.uid.to_string(),
                _ => app.user.gid.to_string(),
            },
        })
        .collect();
    steps.extend(dev.args.iter().map(|(name, default)| Step::Arg {
        name: name.clone(),
        default: default.clone(),
    }));
    // the app's run-time settings and the recipe's, then the stack's development ones over
    // those production settings they replace (RAILS_ENV where the recipe sets it, MIX_ENV of
    // the builder), never adding one the app does not use (RAILS_ENV for a Rack app)
    let mut env = ctx.runtime_env();
    for (name, value) in &app.env {
        env.retain(|e| e.name != *name);
        env.push(EnvVar::literal(name, value));
    }
    let in_base = |name: &str| {
        base.steps
            .iter()
            .any(|step| matches!(step, Step::Env { vars } if vars.iter().any(|v| v.name == name)))
    };
    for (name, value) in &ctx.stack.dev_env {
        if in_base(name) || env.iter().any(|e| e.name == *name) {
            env.retain(|e| e.name != *name);
            env.push(EnvVar::literal(name, value));
        }
    }
    for (name, _) in &dev.args {
        env.retain(|e| e.name != *name);
        env.push(EnvVar::own(name, &format!("${{{name}}}")));
    }
    if !env.is_empty() {
        steps.push(Step::Env { vars: env });
    }
    steps.push(Step::Workdir {
        path: workdir.clone(),
    });
    let manager = (app.language.get("manager"))
        .and_then(|m| m.as_str())
        .and_then(|m| ctx.stack.managers.get(m));
    if let Some(manager) = manager.filter(|m| !m.install_dev.is_empty()) {
        steps.push(Step::run_managed(manager.install_dev.clone(), manager));
    }
    // the app's user, in /etc/passwd: `docker compose watch` copies the edits in as the
    // container's user, which it looks up there
    let user = &app.user.name;
    let template = match ctx.stack.image_user.as_deref() == Some(user.as_str()) {
        true => &ctx.distro.adopt_user,
        false => &ctx.distro.add_user,
    };
    // and what the base stage made in the workdir (node_modules, deps, _build), which a
    // development server writes to (Vite's cache, mix's dev build)
    steps.push(Step::run(
        vec![
            template.render(&[("user", user)])?,
            format!("chown -R \"${{UID}}:${{GID}}\" {workdir}"),
        ],
        &[],
    ));
    // the source, the app's user's, who runs the development server and may write next to it
    steps.push(Step::copy_context(
        vec![ctx.in_app(".")],
        ".",
        super::app_owner(),
    ));
    // by number, as in the final image (hadolint's DL3066), and without the group: `docker
    // compose watch` looks the container's user up with getent, which finds a uid, not `uid:gid`
    steps.push(Step::User {
        user: "${UID}".into(),
    });
    if !app.ports.is_empty() {
        steps.push(Step::Expose {
            ports: (app.ports.iter())
                .map(|p| format!("{}/{}", p.number, p.protocol))
                .collect(),
        });
    }
    steps.push(Step::Entrypoint {
        argv: dev.command.clone(),
    });
    Ok((
        Stage {
            name: StageName::Dev,
            from: ImageRef::stage(base.name),
            purpose: format!(
                "dev: {} with the development dependencies and settings, for compose.dev.yaml; compose.yaml builds runtime, never this",
                base.name
            ),
            steps,
        },
        workdir,
    ))
}
