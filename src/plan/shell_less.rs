//! Stages for a final image with no shell (distroless): it cannot add its user or install
//! libraries itself, so stages of the builder's image prepare both, reading the final image's
//! own files where it is mounted, and the final stage copies what they leave in /out.

use super::{Ctx, ImageRef, Mount, Stage, StageName, Step};
use crate::error::Error;

/// The stage that writes /etc/passwd and /etc/group with the app's user, its home and the app's
/// folder owned by it, for `runtime`; `args` declares the UID and GID build args.
pub fn user_stage(ctx: &Ctx, runtime: &ImageRef, args: &[Step]) -> Result<Stage, Error> {
    let data = &ctx.knowledge.shell_less;
    let app = ctx.app;
    let mut commands = vec![ctx.distro.refuse_root.clone()];
    for line in &data.user {
        commands.push(line.render(&[("user", &app.user.name), ("workdir", &app.workdir)])?);
    }
    let mut steps = args.to_vec();
    steps.push(Step::Run {
        commands,
        mounts: vec![base_mount(ctx, runtime)],
    });
    Ok(Stage {
        name: StageName::User,
        from: ctx.builder_image()?,
        purpose: "user: the app's user in the final image's /etc/passwd, which has no useradd"
            .into(),
        steps,
    })
}

/// The stage that gathers an interpreter for `runtime`: `gather` puts the interpreter and what
/// it needs in /out; then the recipe's runtime-libs are installed and their files added, and
/// every shared library that /out and the `shipped` folders (which the final image takes whole)
/// link and `runtime` lacks, with an ld.so.cache of the result.
pub fn interpreter_stage(
    ctx: &Ctx,
    from: ImageRef,
    gather: &[String],
    shipped: &[&str],
    runtime: &ImageRef,
) -> Result<Stage, Error> {
    let data = &ctx.knowledge.shell_less;
    let mut commands = gather.to_vec();
    let packages = &ctx.app.runtime_libs;
    if !packages.is_empty() {
        commands.push(ctx.install(packages)?);
        for line in &data.runtime_libs {
            commands.push(line.render(&[("packages", &packages.join(" "))])?);
        }
    }
    let mut files: Vec<String> = shipped.iter().map(|dir| format!("{dir}/*")).collect();
    if files.is_empty() {
        // a case pattern that no file's path matches
        files.push("''".into());
    }
    for line in &data.closure {
        commands.push(line.render(&[
            ("shipped", &shipped.join(" ")),
            ("shipped_files", &files.join("|")),
        ])?);
    }
    Ok(Stage {
        name: StageName::Interpreter,
        from,
        purpose: "interpreter: the interpreter and every shared library the app links, for a runtime with no shell".into(),
        steps: vec![Step::Run {
            commands,
            mounts: vec![base_mount(ctx, runtime)],
        }],
    })
}

fn base_mount(ctx: &Ctx, runtime: &ImageRef) -> Mount {
    Mount::Image {
        image: runtime.clone(),
        target: ctx.knowledge.shell_less.base.clone(),
    }
}
