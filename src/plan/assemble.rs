//! What every app's plan shares: the final stage's user, environment, ports, labels and
//! command; the compose service; the .dockerignore; the files the build needs.

use super::{
    write_lines, Ctx, EnvVar, Input, Plan, PortMapping, ReleaseService, Service, ServiceBuild,
    ServiceHealthcheck, StackStages, Stage, StageName, Step,
};
use crate::error::Error;
use crate::local_packages::SharedRoot;
use crate::model::{Probe, Runtime, SecretSource};
use crate::template::TemplateError;

/// Patterns every .dockerignore has (dslim's own files are added by the renderer, which knows
/// their names). Credentials never belong in a build context.
const IGNORED: &[&str] = &[
    ".git/",
    ".env",
    ".env.*",
    "*.log",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".git-credentials",
];

/// Builds the plan of an app from what its stack planned.
pub fn plan(ctx: &Ctx, planned: StackStages) -> Result<Plan, Error> {
    let app = ctx.app;
    let StackStages {
        mut stages,
        runtime,
        dockerignore: own_ignore,
        inputs: named_inputs,
        missing_hint,
    } = planned;

    let mut steps = vec![];
    let mut build_args = vec![];
    // their ARG steps, which a stage that writes the user's files declares too
    let mut args: Vec<Step> = vec![];
    // who the app runs as: a user made with the UID/GID build args where the image has a shell,
    // the numeric ids where it has none, nginx's own unprivileged user for a single-page app
    let user = match app.runtime {
        Runtime::Nginx => app.user.uid.to_string(),
        _ => {
            build_args = vec![
                ("UID".to_string(), app.user.uid.to_string()),
                ("GID".to_string(), app.user.gid.to_string()),
            ];
            args = build_args
                .iter()
                .map(|(name, default)| Step::Arg {
                    name: name.clone(),
                    default: default.clone(),
                })
                .collect();
            steps.extend(args.iter().cloned());
            if app.runtime.has_shell() {
                steps.push(Step::run(user_setup(ctx, &runtime.packages)?, &[]));
            }
            // numeric, so that the host and Kubernetes' runAsNonRoot can tell it is not root
            "${UID}:${GID}".to_string()
        }
    };
    // the stack's environment (its data's, then its provider's), except for a static site
    // served by nginx; the recipe's values win over the stack's of the same name
    let mut env: Vec<EnvVar> = if app.static_site.is_none() {
        ctx.runtime_env()
    } else {
        vec![]
    };
    env.extend(runtime.env);
    env.retain(|e| !app.env.iter().any(|(k, _)| *k == e.name));
    env.extend(app.env.iter().map(|(k, v)| EnvVar::literal(k, v)));
    if !env.is_empty() {
        steps.push(Step::Env { vars: env });
    }
    if !matches!(app.runtime, Runtime::Scratch | Runtime::Nginx) && app.static_site.is_none() {
        steps.push(Step::Workdir {
            path: app.workdir.clone(),
        });
    }
    if app.runtime == Runtime::Distroless {
        stages.push(super::shell_less::user_stage(ctx, &runtime.from, &args)?);
        steps.push(Step::copy_from(StageName::User, "/out/", "/", None));
    }
    steps.extend(runtime.copies);
    steps.push(Step::User { user });
    if !app.ports.is_empty() {
        steps.push(Step::Expose {
            ports: app
                .ports
                .iter()
                .map(|p| format!("{}/{}", p.number, p.protocol))
                .collect(),
        });
    }
    let mut labels = vec![
        (
            "org.opencontainers.image.title".to_string(),
            app.name.clone(),
        ),
        (
            "org.opencontainers.image.base.name".to_string(),
            runtime.from.to_string(),
        ),
    ];
    for (key, value) in &app.labels {
        labels.retain(|(k, _)| k != key);
        labels.push((key.clone(), value.clone()));
    }
    steps.push(Step::Label { labels });
    if !app.entrypoint.is_empty() {
        steps.push(Step::Entrypoint {
            argv: command_path(ctx, &app.entrypoint),
        });
    } else if !runtime.command.is_empty() {
        steps.push(Step::Entrypoint {
            argv: runtime.command.clone(),
        });
    }
    if !app.cmd.is_empty() {
        steps.push(Step::Cmd {
            argv: app.cmd.clone(),
        });
    }
    // images with no interpreter probe with dslim's static probe, from a stage of its own
    if app.healthcheck.as_ref().map(|h| h.probe) == Some(Probe::Static) {
        stages.push(probe_stage(ctx)?);
        let at = steps
            .iter()
            .position(|s| matches!(s, Step::User { .. }))
            .unwrap_or(steps.len());
        steps.insert(
            at,
            Step::copy_from(
                StageName::Probe,
                "/out/dslim-probe",
                &ctx.knowledge.probe.path,
                None,
            ),
        );
    }
    stages.push(Stage {
        name: StageName::Runtime,
        from: runtime.from,
        purpose: "runtime: what ships. No compilers, no package manager caches, a non-root user"
            .into(),
        steps,
    });

    // patterns for every folder, then the app's own (its build output, its `ignore` nodes)
    let mut anywhere: Vec<String> = IGNORED.iter().map(|p| p.to_string()).collect();
    anywhere.extend(ctx.stack.dockerignore.iter().cloned());
    let mut own: Vec<String> = own_ignore;
    own.extend(app.ignore.iter().cloned());
    // a secret's file in the app's folder must not reach the build context, where `COPY . .`
    // would put it in the image
    own.extend(app.secrets.iter().filter_map(|s| match &s.source {
        SecretSource::File { file, .. } if !file.starts_with(['/', '~']) => Some(file.clone()),
        _ => None,
    }));
    let dockerignore = match &app.shared {
        Some(shared) => allow_only(shared, &anywhere, &own),
        None => anywhere.into_iter().chain(own).collect(),
    };

    let inputs = inputs(&stages, named_inputs, &missing_hint);
    let dev = match super::dev::plan(ctx, &stages, &inputs).transpose()? {
        Some((stage, service)) => {
            stages.push(stage);
            Some(service)
        }
        None => None,
    };
    Ok(Plan {
        app: app.name.clone(),
        stack: app.stack.clone(),
        service: service(ctx, &build_args)?,
        target: StageName::Runtime,
        stages,
        build_args,
        dockerignore,
        member: app.shared.as_ref().map(|s| s.member.clone()),
        inputs,
        dev,
    })
}

/// The .dockerignore of a workspace member, whose context is the whole repository: nothing
/// but the files its build copies; of those, not what `anywhere` leaves out in any folder, nor
/// what `own` (written from the app's folder) leaves out there.
fn allow_only(shared: &SharedRoot, anywhere: &[String], own: &[String]) -> Vec<String> {
    let mut out = vec!["*".to_string()];
    let allowed = shared
        .manifests
        .iter()
        .chain(&shared.packages)
        .chain([&shared.member]);
    out.extend(allowed.map(|path| format!("!{path}")));
    // `!pattern` lets a file back in: the `!` stays first
    let below = |folder: &str, pattern: &str| match pattern.strip_prefix('!') {
        Some(rest) => format!("!{folder}/{}", rest.trim_start_matches('/')),
        None => format!("{folder}/{}", pattern.trim_start_matches('/')),
    };
    out.extend(anywhere.iter().map(|p| match p.starts_with("**/") {
        true => p.clone(),
        false => below("**", p),
    }));
    out.extend(own.iter().map(|p| below(&shared.member, p)));
    out.dedup();
    out
}

/// The final stage's one RUN: refuse a root UID, install runtime libraries, create (or
/// re-number) the user, and give it the app's folder.
/// The stage that compiles dslim's static probe: the builder, when its image has a C compiler,
/// else the distro's own image with one installed.
fn probe_stage(ctx: &Ctx) -> Result<Stage, TemplateError> {
    let probe = &ctx.knowledge.probe;
    let mut commands = vec![];
    let from = if ctx.images.c_compiler {
        ctx.builder_image()?
    } else {
        commands.push(ctx.install(&ctx.distro.with_companions(&probe.compiler))?);
        ctx.image(&ctx.distro.runtime_image)?
    };
    commands.extend([
        write_lines(&probe.source, "/tmp/probe.c"),
        "mkdir -p /out".into(),
        probe.build.clone(),
    ]);
    Ok(Stage {
        name: StageName::Probe,
        from,
        purpose: "probe: a static HTTP healthcheck probe, for a final image with no shell or curl"
            .into(),
        steps: vec![Step::run(commands, &[])],
    })
}

fn user_setup(ctx: &Ctx, stack_packages: &[String]) -> Result<Vec<String>, TemplateError> {
    let app = ctx.app;
    let mut commands = vec![ctx.distro.refuse_root.clone()];
    // the stack's, this app's, then the recipe's
    let mut packages: Vec<String> = vec![];
    for package in (ctx.images.runtime_packages.iter())
        .chain(stack_packages)
        .chain(&app.runtime_libs)
    {
        if !packages.contains(package) {
            packages.push(package.clone());
        }
    }
    if !packages.is_empty() {
        commands.push(ctx.install(&packages)?);
    }
    let template = if ctx.stack.image_user.as_deref() == Some(app.user.name.as_str()) {
        &ctx.distro.adopt_user
    } else {
        &ctx.distro.add_user
    };
    commands.push(template.render(&[("user", &app.user.name)])?);
    commands.push(
        ctx.distro
            .own_workdir
            .render(&[("workdir", &app.workdir)])?,
    );
    Ok(commands)
}

/// `argv` with its command as a path in the stack's `command_dir` when the image has no shell
/// and the command is a bare name: the same program as a PATH lookup finds, and a missing one
/// is named by its path in Docker's error.
fn command_path(ctx: &Ctx, argv: &[String]) -> Vec<String> {
    let mut argv = argv.to_vec();
    if let (false, Some(dir), Some(first)) = (
        ctx.app.runtime.has_shell(),
        &ctx.stack.command_dir,
        argv.first_mut(),
    ) {
        if !first.contains('/') {
            *first = format!("{}/{first}", dir.trim_end_matches('/'));
        }
    }
    argv
}

/// The compose service: it builds the final stage and runs it as the recipe says.
fn service(ctx: &Ctx, build_args: &[(String, String)]) -> Result<Service, TemplateError> {
    let app = ctx.app;
    let healthcheck = match &app.healthcheck {
        None => None,
        Some(h) => {
            let port = app
                .ports
                .first()
                .map(|p| p.number.to_string())
                .unwrap_or_default();
            let words = match h.probe {
                Probe::Interpreter => &ctx.stack.healthcheck,
                Probe::Static => &ctx.knowledge.probe.healthcheck,
            };
            let mut probe = vec![];
            for word in words {
                probe.push(word.render(&[("port", &port), ("path", &h.path)])?);
            }
            let mut test = vec!["CMD".to_string()];
            test.extend(command_path(ctx, &probe));
            Some(ServiceHealthcheck {
                test,
                interval: h.interval.clone(),
                timeout: h.timeout.clone(),
                start_period: h.start_period.clone(),
                retries: h.retries,
            })
        }
    };
    Ok(Service {
        name: app.name.clone(),
        image: app.image.clone(),
        build: ServiceBuild {
            context: app.shared.as_ref().map_or(".".into(), |s| s.root.clone()),
            dockerfile: match &app.shared {
                Some(shared) => format!("{}/{}", shared.member, crate::DOCKERFILE),
                None => crate::DOCKERFILE.into(),
            },
            target: StageName::Runtime,
            // UID/GID come from the environment when set (seed 002's pattern), else the recipe's
            args: build_args
                .iter()
                .map(|(k, default)| (k.clone(), format!("${{{k}:-{default}}}")))
                .collect(),
        },
        init: ctx.stack.compose_init && app.static_site.is_none(),
        ports: app
            .ports
            .iter()
            .map(|p| PortMapping {
                target: p.number,
                published: p.number.to_string(),
                protocol: p.protocol.clone(),
            })
            .collect(),
        environment: app.run_env.clone(),
        healthcheck,
        secrets: app.secrets.clone(),
        release: (!app.release_command.is_empty()).then(|| ReleaseService {
            name: format!("{}-release", app.name),
            profile: "release".into(),
            entrypoint: command_path(ctx, &app.release_command),
        }),
    })
}

/// Every file a stage copies from the project before the source, with what needs it and how
/// to create it: the stack's word where it named the file, else the stack's general hint; and
/// the files the stack names that the build needs though no stage copies them first (an
/// Elixir project's mix.exs, when there is nothing to fetch before the source).
fn inputs(stages: &[Stage], named: Vec<Input>, fallback: &Input) -> Vec<Input> {
    let mut out: Vec<Input> = vec![];
    let copied = stages
        .iter()
        .flat_map(|s| &s.steps)
        .filter_map(|step| match step {
            Step::Copy {
                from: None,
                sources,
                ..
            } => Some(sources),
            _ => None,
        });
    for path in copied.flatten() {
        if path == "." || path.contains('*') || out.iter().any(|i| i.path == *path) {
            continue;
        }
        let input = named
            .iter()
            .find(|i| i.path == *path)
            .cloned()
            .unwrap_or_else(|| Input {
                path: path.clone(),
                ..fallback.clone()
            });
        out.push(input);
    }
    for input in named {
        if !out.iter().any(|i| i.path == input.path) {
            out.push(input);
        }
    }
    out
}
