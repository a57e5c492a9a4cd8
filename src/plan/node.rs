//! Node: a `deps` stage with production dependencies only, a `build` stage when the app has a
//! build script, and a slim runtime; or, for a single-page app, nginx serving the build output
//! with no Node in the final image.

use super::{app_owner, Ctx, Provider, RuntimeStage, Stage, Step};
use crate::model::{App, Language, NodeBuild, Spa};
use crate::stacks::{fill, knowledge, Manager};

pub struct Node;

fn parts(app: &App) -> (&str, Option<&NodeBuild>, Option<&Spa>) {
    match &app.language {
        Language::Node {
            manager,
            build,
            spa,
        } => (manager, build.as_ref(), spa.as_ref()),
        _ => ("npm", None, None),
    }
}

/// FROM, build deps, WORKDIR, manifests and one install command: the head of `deps` and `build`.
fn install_stage(
    app: &App,
    ctx: &Ctx,
    manager: &Manager,
    name: &str,
    install: &str,
    purpose: String,
) -> Stage {
    let mut steps = ctx.builder_head(app, &manager.builder_env, &app.workdir, &manager.manifests);
    let mut commands = vec![];
    commands.extend(manager.setup.clone());
    commands.push(install.to_string());
    if name == "deps" {
        commands.extend(manager.prune.clone());
    }
    steps.push(Step::Run {
        commands,
        caches: manager.cache.clone(),
    });
    Stage {
        name: name.into(),
        from: ctx.builder_image(app),
        purpose,
        steps,
    }
}

impl Provider for Node {
    fn build_stages(&self, app: &App, ctx: &Ctx) -> Vec<Stage> {
        let (manager_name, build, spa) = parts(app);
        let manager = &ctx.stack.managers[manager_name];
        let mut stages = vec![];
        if spa.is_none() {
            stages.push(install_stage(
                app,
                ctx,
                manager,
                "deps",
                manager.install_production.as_deref().unwrap_or_default(),
                "deps: production dependencies only, cached until the lockfile changes".into(),
            ));
        }
        if let Some(build) = build {
            let mut stage = install_stage(
                app,
                ctx,
                manager,
                "build",
                manager.install_all.as_deref().unwrap_or_default(),
                format!(
                    "build: all dependencies, then `{}`; only {} leaves this stage",
                    build.script, build.output
                ),
            );
            if let Some(spa) = spa {
                // nginx's server block, written here because the nginx stage has no root shell;
                // placed before the dependency install so it stays cached
                let spa_data = &knowledge().spa;
                let port = app
                    .ports
                    .first()
                    .map_or(spa_data.default_port, |p| p.number)
                    .to_string();
                let fallback = if spa.fallback {
                    &spa_data.fallback
                } else {
                    &spa_data.no_fallback
                };
                let lines: Vec<String> = spa_data
                    .server_conf
                    .iter()
                    .map(|l| {
                        shell_double_quoted(&fill(l, &[("port", &port), ("fallback", fallback)]))
                    })
                    .collect();
                let write = Step::Run {
                    commands: vec![format!(
                        "printf '%s\\n' {} > /tmp/nginx.conf",
                        lines.join(" ")
                    )],
                    caches: vec![],
                };
                let at = stage
                    .steps
                    .iter()
                    .position(|s| matches!(s, Step::Workdir { .. }))
                    .map_or(0, |i| i + 1);
                stage.steps.insert(at, write);
            }
            stage.steps.push(Step::Copy {
                from: None,
                sources: vec![".".into()],
                dest: ".".into(),
                chown: None,
            });
            stage.steps.push(Step::Run {
                commands: vec![fill(
                    manager.run_script.as_deref().unwrap_or_default(),
                    &[("script", &build.script)],
                )],
                caches: vec![],
            });
            stages.push(stage);
        }
        stages
    }

    fn runtime_stage(&self, app: &App, ctx: &Ctx) -> RuntimeStage {
        let (_, build, spa) = parts(app);
        let from_build = |source: String, dest: String, chown: Option<String>| Step::Copy {
            from: Some("build".into()),
            sources: vec![source],
            dest,
            chown,
        };
        if spa.is_some() {
            let spa_data = &knowledge().spa;
            let output = build.map_or("dist", |b| b.output.as_str());
            return RuntimeStage {
                from: ctx.runtime_image(app),
                copies: vec![
                    from_build("/tmp/nginx.conf".into(), spa_data.conf.clone(), None),
                    from_build(
                        format!("{}/{output}/", app.workdir),
                        format!("{}/", spa_data.html),
                        None,
                    ),
                ],
                env: vec![],
            };
        }
        let workdir = &app.workdir;
        let mut copies = vec![Step::Copy {
            from: Some("deps".into()),
            sources: vec![format!("{workdir}/node_modules")],
            dest: "./node_modules".into(),
            chown: app_owner(),
        }];
        match build {
            Some(b) => {
                copies.push(Step::Copy {
                    from: None,
                    sources: vec!["package.json".into()],
                    dest: "./".into(),
                    chown: app_owner(),
                });
                copies.push(from_build(
                    format!("{workdir}/{}", b.output),
                    format!("./{}", b.output),
                    app_owner(),
                ));
            }
            None => copies.push(Step::Copy {
                from: None,
                sources: vec![".".into()],
                dest: ".".into(),
                chown: app_owner(),
            }),
        }
        RuntimeStage {
            from: ctx.runtime_image(app),
            copies,
            env: ctx.runtime_env(),
        }
    }
}

/// A word in double quotes for sh, with the characters sh expands inside them escaped
/// (nginx's `$uri` must reach the file as written).
fn shell_double_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
