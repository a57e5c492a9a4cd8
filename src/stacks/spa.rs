//! Single-page apps: the build output served by nginx, from nginx's unprivileged image or, on
//! runtime "minimal", by nginx alone on distroless.

use crate::error::Error;
use crate::plan::{interpreter_stage, write_lines, Ctx, ImageRef, Stage, Step};

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
        lines.push(line.render(&[("port", &port), ("fallback", fallback)])?);
    }
    Ok(Step::run(vec![write_lines(&lines, "/tmp/nginx.conf")], &[]))
}

/// The interpreter stage of a single-page app on distroless: nginx, its MIME types, a
/// configuration for a final image with no shell, and the libraries nginx links.
pub fn nginx_stage(ctx: &Ctx, spa: &Spa, runtime: &ImageRef) -> Result<Stage, Error> {
    let data = &ctx.knowledge.spa;
    let mut gather = data.minimal_gather.clone();
    gather.push(write_lines(&data.minimal_conf, &data.minimal_conf_file));
    let nginx = data.minimal_image.render(&[("version", &spa.nginx)])?;
    let nginx = ImageRef::parse(&nginx).behind(ctx.app.registry.as_deref());
    let mut stage = interpreter_stage(ctx, nginx, &gather, &[], runtime)?;
    stage.purpose =
        "interpreter: nginx and the shared libraries it links, for a runtime with no shell".into();
    Ok(stage)
}
