//! Validated model -> build plan. The plan is data: named stages made of typed steps, the
//! compose build arguments and the .dockerignore patterns. `dslim plan` prints it as JSON;
//! `render` turns it into files. One provider per stack fills in the stack-specific stages.

mod compiled;
mod node;
mod python;

use serde::Serialize;

use crate::model::{App, Language, Runtime};
use crate::stacks::{fill, knowledge, Distro, Stack};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Plan {
    pub app: String,
    pub stack: String,
    pub stages: Vec<Stage>,
    /// the stage compose builds (`build.target`): the last one
    pub target: String,
    /// build arguments with their defaults (UID/GID), passed by compose from the environment
    pub build_args: Vec<(String, String)>,
    pub dockerignore: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stage {
    pub name: String,
    pub from: String,
    /// one line for the comment above the stage
    pub purpose: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    Arg {
        name: String,
        default: String,
    },
    Env {
        vars: Vec<EnvVar>,
    },
    Workdir {
        path: String,
    },
    /// shell commands joined with `&&` in one layer, with BuildKit cache mounts
    Run {
        commands: Vec<String>,
        caches: Vec<String>,
    },
    Copy {
        from: Option<String>,
        sources: Vec<String>,
        dest: String,
        chown: Option<String>,
    },
    User {
        user: String,
    },
    Expose {
        ports: Vec<String>,
    },
    Label {
        labels: Vec<(String, String)>,
    },
    Entrypoint {
        argv: Vec<String>,
    },
    Cmd {
        argv: Vec<String>,
    },
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    /// dslim's own values may refer to other variables (`${PATH}`); the recipe's are taken literally
    pub expand: bool,
}

impl EnvVar {
    pub fn own(name: &str, value: &str) -> Self {
        EnvVar {
            name: name.into(),
            value: value.into(),
            expand: true,
        }
    }
    pub fn literal(name: &str, value: &str) -> Self {
        EnvVar {
            name: name.into(),
            value: value.into(),
            expand: false,
        }
    }
}

/// The final stage, as a provider describes it; `plan` adds the parts every stack shares.
pub struct RuntimeStage {
    pub from: String,
    /// steps that bring the built app in (COPY --from=..., source)
    pub copies: Vec<Step>,
    pub env: Vec<EnvVar>,
}

/// What each stack provides: its builder stages and the contents of its final stage.
pub trait Provider {
    fn build_stages(&self, app: &App, ctx: &Ctx) -> Vec<Stage>;
    fn runtime_stage(&self, app: &App, ctx: &Ctx) -> RuntimeStage;
}

/// Shared knowledge a provider works with.
pub struct Ctx {
    pub stack: &'static Stack,
    pub distro: &'static Distro,
}

impl Ctx {
    /// A Docker Hub image reference for this app's version and release, behind the registry mirror if any.
    pub fn image(&self, app: &App, template: &str) -> String {
        let release_number = self
            .distro
            .releases
            .get(&app.release)
            .map(String::as_str)
            .unwrap_or("");
        let name = fill(
            template,
            &[
                ("version", &app.version),
                ("release", &app.release),
                ("release_number", release_number),
            ],
        );
        with_registry(app.registry.as_deref(), &name)
    }

    pub fn builder_image(&self, app: &App) -> String {
        self.image(app, &self.stack.images[&app.distro].builder)
    }

    /// The final image for compiled stacks, or the language's slim image.
    pub fn runtime_image(&self, app: &App) -> String {
        match app.runtime {
            Runtime::Scratch => "scratch".into(),
            Runtime::Distroless => {
                self.image(app, self.stack.distroless.as_deref().unwrap_or_default())
            }
            Runtime::Nginx => {
                let nginx = match &app.language {
                    Language::Node { spa: Some(spa), .. } => spa.nginx.as_str(),
                    _ => knowledge().spa.default_nginx.as_str(),
                };
                with_registry(
                    app.registry.as_deref(),
                    &fill(&knowledge().spa.image, &[("version", nginx)]),
                )
            }
            Runtime::Slim => match &self.stack.images[&app.distro].slim {
                Some(slim) => self.image(app, slim),
                None => self.image(app, &self.distro.runtime_image),
            },
        }
    }

    /// `apt-get install` (or `apk add`) of `packages`, as one command.
    pub fn install(&self, packages: &[String]) -> String {
        fill(&self.distro.install, &[("packages", &packages.join(" "))])
    }

    /// The head every builder stage shares: build dependencies, the tool's environment, the
    /// working directory and the dependency manifests, copied before the source so that the
    /// install below them stays cached until a manifest changes.
    pub fn builder_head(
        &self,
        app: &App,
        env: &[(String, String)],
        workdir: &str,
        manifests: &[String],
    ) -> Vec<Step> {
        let mut steps = vec![];
        steps.extend(self.build_deps_step(app));
        if !env.is_empty() {
            steps.push(Step::Env {
                vars: env.iter().map(|(k, v)| EnvVar::own(k, v)).collect(),
            });
        }
        steps.push(Step::Workdir {
            path: workdir.into(),
        });
        steps.extend(copy_manifests(manifests));
        steps
    }

    /// The stack's environment for the final image (the venv on PATH, NODE_ENV...).
    pub fn runtime_env(&self) -> Vec<EnvVar> {
        self.stack
            .runtime_env
            .iter()
            .map(|(k, v)| EnvVar::own(k, v))
            .collect()
    }

    /// A RUN that installs build dependencies, if the recipe has any.
    pub fn build_deps_step(&self, app: &App) -> Option<Step> {
        let mut packages = app.build_deps.clone();
        for dep in &app.build_deps {
            let name = dep.split('=').next().unwrap_or(dep);
            for companion in self.distro.companions.get(name).into_iter().flatten() {
                if !packages
                    .iter()
                    .any(|p| p.split('=').next() == Some(companion.as_str()))
                {
                    packages.push(companion.clone());
                }
            }
        }
        (!packages.is_empty()).then(|| Step::Run {
            commands: vec![self.install(&packages)],
            caches: vec![],
        })
    }
}

/// Prefixes a Docker Hub reference with a mirror: `python:3.13` -> `mirror/library/python:3.13`.
/// References that already name a registry (gcr.io/...) are left alone.
fn with_registry(registry: Option<&str>, image: &str) -> String {
    let Some(registry) = registry else {
        return image.to_string();
    };
    let first = image.split('/').next().unwrap_or("");
    if image.contains('/') && (first.contains('.') || first.contains(':')) {
        return image.to_string();
    }
    if image.contains('/') {
        format!("{registry}/{image}")
    } else {
        format!("{registry}/library/{image}")
    }
}

fn provider(language: &Language) -> &'static dyn Provider {
    match language {
        Language::Python { .. } => &python::Python,
        Language::Node { .. } => &node::Node,
        Language::Go { .. } | Language::Rust { .. } => &compiled::Compiled,
    }
}

/// Builds the plan for a validated app.
pub fn plan(app: &App) -> Plan {
    let k = knowledge();
    let ctx = Ctx {
        stack: &k.stacks[&app.stack],
        distro: &k.distros[&app.distro],
    };
    let provider = provider(&app.language);
    let mut stages = provider.build_stages(app, &ctx);
    let runtime = provider.runtime_stage(app, &ctx);

    let mut steps = vec![];
    let mut build_args = vec![];
    // who the app runs as: a user made with the UID/GID build args where the image has a shell,
    // the numeric ids where it has none, nginx's own unprivileged user for a single-page app
    let user = match app.runtime {
        Runtime::Nginx => app.user.uid.to_string(),
        _ => {
            build_args = vec![
                ("UID".to_string(), app.user.uid.to_string()),
                ("GID".to_string(), app.user.gid.to_string()),
            ];
            steps.extend(build_args.iter().map(|(name, default)| Step::Arg {
                name: name.clone(),
                default: default.clone(),
            }));
            if app.runtime.has_shell() {
                let mut commands = vec![ctx.distro.refuse_root.clone()];
                if !app.runtime_libs.is_empty() {
                    commands.push(ctx.install(&app.runtime_libs));
                }
                let template = if ctx.stack.image_user.as_deref() == Some(app.user.name.as_str()) {
                    &ctx.distro.adopt_user
                } else {
                    &ctx.distro.add_user
                };
                commands.push(fill(template, &[("user", &app.user.name)]));
                commands.push(fill(&ctx.distro.own_workdir, &[("workdir", &app.workdir)]));
                steps.push(Step::Run {
                    commands,
                    caches: vec![],
                });
            }
            // numeric, so that the host and Kubernetes' runAsNonRoot can tell it is not root
            "${UID}:${GID}".to_string()
        }
    };
    // the recipe's values win over the stack's defaults of the same name
    let mut env: Vec<EnvVar> = runtime
        .env
        .into_iter()
        .filter(|e| !app.env.iter().any(|(k, _)| *k == e.name))
        .collect();
    env.extend(app.env.iter().map(|(k, v)| EnvVar::literal(k, v)));
    if !env.is_empty() {
        steps.push(Step::Env { vars: env });
    }
    if app.runtime != Runtime::Scratch && app.runtime != Runtime::Nginx {
        steps.push(Step::Workdir {
            path: app.workdir.clone(),
        });
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
            runtime.from.clone(),
        ),
    ];
    for (key, value) in &app.labels {
        labels.retain(|(k, _)| k != key);
        labels.push((key.clone(), value.clone()));
    }
    steps.push(Step::Label { labels });
    if !app.entrypoint.is_empty() {
        steps.push(Step::Entrypoint {
            argv: app.entrypoint.clone(),
        });
    }
    if !app.cmd.is_empty() {
        steps.push(Step::Cmd {
            argv: app.cmd.clone(),
        });
    }
    stages.push(Stage {
        name: "runtime".into(),
        from: runtime.from,
        purpose: "runtime: what ships. No compilers, no package manager caches, a non-root user"
            .into(),
        steps,
    });

    // dslim's own files are added by the renderer, which knows their names
    // credentials never belong in an image (private registries: build secrets, planned)
    let mut dockerignore: Vec<String> = [
        ".git/",
        ".env",
        ".env.*",
        "*.log",
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".git-credentials",
    ]
    .map(String::from)
    .to_vec();
    dockerignore.extend(ctx.stack.dockerignore.iter().cloned());
    if let Language::Node {
        build: Some(build), ..
    } = &app.language
    {
        // rebuilt in the image; a local copy would only slow the context down
        dockerignore.push(format!("{}/", build.output));
    }
    dockerignore.extend(app.ignore.iter().cloned());

    Plan {
        app: app.name.clone(),
        stack: app.stack.clone(),
        target: "runtime".into(),
        stages,
        build_args,
        dockerignore,
    }
}

/// `COPY` of the given manifests into the workdir, keeping their relative paths.
fn copy_manifests(manifests: &[String]) -> Vec<Step> {
    let mut by_dir: Vec<(String, Vec<String>)> = vec![];
    for m in manifests {
        let dir = match m.rfind('/') {
            Some(i) => format!("./{}/", &m[..i]),
            None => "./".to_string(),
        };
        match by_dir.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, files)) => files.push(m.clone()),
            None => by_dir.push((dir, vec![m.clone()])),
        }
    }
    by_dir
        .into_iter()
        .map(|(dest, sources)| Step::Copy {
            from: None,
            sources,
            dest,
            chown: None,
        })
        .collect()
}

/// The non-root owner of the app's files in the final image.
fn app_owner() -> Option<String> {
    Some("${UID}:${GID}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_mirrors_official_and_namespaced_images_only() {
        assert_eq!(
            with_registry(Some("m.example.com/hub"), "python:3.13-slim"),
            "m.example.com/hub/library/python:3.13-slim"
        );
        assert_eq!(
            with_registry(Some("m.example.com"), "nginxinc/nginx-unprivileged:1.28"),
            "m.example.com/nginxinc/nginx-unprivileged:1.28"
        );
        assert_eq!(
            with_registry(
                Some("m.example.com"),
                "gcr.io/distroless/static-debian13:nonroot"
            ),
            "gcr.io/distroless/static-debian13:nonroot"
        );
        assert_eq!(with_registry(None, "python:3.13"), "python:3.13");
    }

    #[test]
    fn manifests_keep_their_folders() {
        let steps = copy_manifests(&[
            "pyproject.toml".into(),
            "uv.lock".into(),
            "requirements/prod.txt".into(),
        ]);
        assert_eq!(steps.len(), 2);
        assert!(matches!(&steps[1], Step::Copy { dest, .. } if dest == "./requirements/"));
    }
}
