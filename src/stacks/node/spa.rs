//! Single-page apps: the build output served by nginx, from nginx's unprivileged image or, on
//! runtime "minimal", by nginx alone on distroless.

use crate::error::Error;
use crate::plan::{interpreter_stage, shell_double_quoted, Ctx, ImageRef, Stage, Step};

/// The `spa` node: the app is static files served by nginx.
#[derive(Debug, Clone)]
pub struct Spa {
    pub nginx: String,
    pub fallback: bool,
}

/// nginx's server block, written in the build stage because the nginx stage has no root
/// shell.
pub fn server_conf_step(ctx: &Ctx, spa: &Spa) -> Result<Step, Error> {
    let spa_data = &ctx.knowledge.spa;
    let port = ctx
        .app
        .ports
        .first()
        .map_or(spa_data.default_port, |p| p.number)
        .to_string();
    let fallback = if spa.fallback {
        &spa_data.fallback
    } else {
        &spa_data.no_fallback
    };
    let mut lines = vec![];
    for line in &spa_data.server_conf {
        let text = line.render(&[("port", &port), ("fallback", fallback)])?;
        lines.push(shell_double_quoted(&text));
    }
    Ok(Step::run(
        vec![format!(
            "printf '%s\\n' {} > /tmp/nginx.conf",
            lines.join(" ")
        )],
        &[],
    ))
}

/// The interpreter stage of a single-page app on distroless: nginx, its MIME types, a
/// configuration for a final image with no shell, and the libraries nginx links.
pub fn nginx_stage(ctx: &Ctx, spa: &Spa, runtime: &ImageRef) -> Result<Stage, Error> {
    let data = &ctx.knowledge.spa;
    let conf: Vec<String> = data
        .minimal_conf
        .iter()
        .map(|line| shell_double_quoted(line))
        .collect();
    let mut gather = vec![];
    for line in &data.minimal_gather {
        gather.push(line.render(&[("conf", &conf.join(" "))])?);
    }
    let nginx = data.minimal_image.render(&[("version", &spa.nginx)])?;
    let nginx = ImageRef::parse(&nginx).behind(ctx.app.registry.as_deref());
    let mut stage = interpreter_stage(ctx, nginx, &gather, &[], runtime)?;
    stage.purpose =
        "interpreter: nginx and the shared libraries it links, for a runtime with no shell".into();
    Ok(stage)
}
