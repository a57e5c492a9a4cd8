//! Validated model -> build plan. The plan is data and makes every decision: the stages and
//! their typed steps, the compose service, the .dockerignore patterns, the files the build
//! needs from the project. `dslim plan` prints it as JSON; `render` only prints it as files.
//! Each stack plans its own stages (`src/stacks/NAME/`); this module adds what every app shares.

mod assemble;
mod context;
mod dev;
mod image;
mod shell_less;

use std::fmt;

use miette::SourceSpan;
use serde::Serialize;

pub use assemble::plan;
pub use context::Ctx;
pub use dev::DevService;
pub use image::ImageRef;
pub use shell_less::interpreter_stage;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Plan {
    pub app: String,
    pub stack: String,
    pub stages: Vec<Stage>,
    /// the stage compose builds (`build.target`): the last one
    pub target: StageName,
    /// build arguments with their defaults (UID/GID), passed by compose from the environment
    pub build_args: Vec<(String, String)>,
    pub dockerignore: Vec<String>,
    /// the app's folder in the build context, when that is its package manager's workspace
    /// root; its .dockerignore is then `Dockerfile.dockerignore`, beside the Dockerfile
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub service: Service,
    /// files the build copies from the project before its source; the build fails without them
    pub inputs: Vec<Input>,
    /// the development target compose.dev.yaml builds, when the recipe has one
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev: Option<DevService>,
}

/// The stages dslim writes. Their names are what `docker build --target` takes.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StageName {
    /// installs dependencies or compiles the app; the toolchain stays here
    Builder,
    /// node: production dependencies only
    Deps,
    /// node: all dependencies and the app's build script
    Build,
    /// another stack's app: its front-end assets, built with Node
    Assets,
    /// the interpreter and the shared libraries it links, for a runtime without them
    Interpreter,
    /// the static healthcheck probe
    Probe,
    /// the app's user in /etc/passwd, its home and folder, for a runtime without useradd
    User,
    /// what ships
    Runtime,
    /// the development target: the builder with development dependencies and settings
    Dev,
}

impl StageName {
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Builder => "builder",
            StageName::Deps => "deps",
            StageName::Build => "build",
            StageName::Assets => "assets",
            StageName::Interpreter => "interpreter",
            StageName::Probe => "probe",
            StageName::User => "user",
            StageName::Runtime => "runtime",
            StageName::Dev => "dev",
        }
    }
}

impl fmt::Display for StageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stage {
    pub name: StageName,
    pub from: ImageRef,
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
    /// shell commands joined with `&&` in one layer, with BuildKit mounts
    Run {
        commands: Vec<String>,
        mounts: Vec<Mount>,
    },
    Copy {
        /// a stage, or the build context when None
        from: Option<StageName>,
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
    /// an exec-form RUN: a command of the recipe's, its words never seen by a shell
    Exec {
        argv: Vec<String>,
    },
    Entrypoint {
        argv: Vec<String>,
    },
    Cmd {
        argv: Vec<String>,
    },
}

impl Step {
    /// A RUN of `commands` with cache mounts at `caches`.
    pub fn run(commands: Vec<String>, caches: &[String]) -> Step {
        Step::run_cached(commands, caches, false)
    }

    /// A RUN with the caches of a package manager, shared or one step at a time as its data
    /// says.
    pub fn run_managed(commands: Vec<String>, manager: &crate::knowledge::Manager) -> Step {
        Step::run_cached(commands, &manager.cache, manager.cache_locked)
    }

    fn run_cached(commands: Vec<String>, caches: &[String], locked: bool) -> Step {
        Step::Run {
            commands,
            mounts: caches
                .iter()
                .map(|target| Mount::Cache {
                    target: target.clone(),
                    locked,
                })
                .collect(),
        }
    }

    /// A COPY from the build context.
    pub fn copy_context(sources: Vec<String>, dest: &str, chown: Option<String>) -> Step {
        Step::Copy {
            from: None,
            sources,
            dest: dest.into(),
            chown,
        }
    }

    /// A COPY from an earlier stage.
    pub fn copy_from(stage: StageName, source: &str, dest: &str, chown: Option<String>) -> Step {
        Step::Copy {
            from: Some(stage),
            sources: vec![source.into()],
            dest: dest.into(),
            chown,
        }
    }
}

/// A BuildKit mount on a RUN step.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Mount {
    /// a package manager's or compiler's cache, kept between builds and never in a layer;
    /// `locked`: one build step at a time uses it
    Cache { target: String, locked: bool },
    /// an image's files, read where they are mounted; what the step writes there is dropped
    Image { image: ImageRef, target: String },
    /// a build secret, at `target` or at /run/secrets/ID; in no layer and no history
    Secret { id: String, target: Option<String> },
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

/// The compose service that builds and runs the app.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Service {
    pub name: String,
    pub image: String,
    pub build: ServiceBuild,
    /// run under Docker's init, for runtimes that ignore SIGTERM as PID 1
    pub init: bool,
    pub ports: Vec<PortMapping>,
    pub environment: Vec<(String, String)>,
    pub healthcheck: Option<ServiceHealthcheck>,
    /// the build's secrets, with where compose reads each
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<crate::model::Secret>,
    /// the one-off service that runs each release's command with the app's image
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<ReleaseService>,
}

/// A service compose starts only when asked (`docker compose run --rm NAME`): the app's image,
/// with the release command as its entrypoint and the app's run-time environment.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReleaseService {
    pub name: String,
    /// the compose profile that keeps it out of `docker compose up`
    pub profile: String,
    pub entrypoint: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServiceBuild {
    pub context: String,
    pub dockerfile: String,
    pub target: StageName,
    /// name -> value with Compose interpolation (`${UID:-1000}`)
    pub args: Vec<(String, String)>,
}

/// The long port syntax: unambiguous, where `22:22` is a base-60 number to YAML 1.1 parsers.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PortMapping {
    pub target: u16,
    pub published: String,
    pub protocol: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServiceHealthcheck {
    pub test: Vec<String>,
    pub interval: String,
    pub timeout: String,
    pub start_period: String,
    pub retries: u32,
}

/// A file the build copies from the project before the source (a manifest or lockfile).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Input {
    pub path: String,
    /// the recipe value that makes the build need it
    #[serde(skip)]
    pub span: SourceSpan,
    /// how to create it
    pub hint: String,
}

/// What a stack plans: its builder stages and the contents of its final stage.
pub struct StackStages {
    pub stages: Vec<Stage>,
    pub runtime: RuntimeStage,
    /// .dockerignore patterns of this app (a build's output folder)
    pub dockerignore: Vec<String>,
    /// the files the stages copy first, with what makes them needed and how to create them;
    /// a copied file the stack does not name gets `missing_hint`
    pub inputs: Vec<Input>,
    pub missing_hint: Input,
}

/// The final stage, as a stack describes it; `plan` adds the parts every stack shares.
pub struct RuntimeStage {
    pub from: ImageRef,
    /// steps that bring the built app in (COPY --from=..., source)
    pub copies: Vec<Step>,
    /// environment beyond the stack data's `runtime_env`, which every app but a static site gets
    pub env: Vec<EnvVar>,
    /// the command when the recipe has no entrypoint and the image has none of its own
    pub command: Vec<String>,
    /// system packages this app's final image needs (jemalloc), installed with the recipe's
    /// runtime-libs where the image has a package manager
    pub packages: Vec<String>,
}

impl RuntimeStage {
    /// A final stage of `from` with these copies and command, and nothing of its own beside.
    pub fn of(from: ImageRef, copies: Vec<Step>, command: Vec<String>) -> Self {
        RuntimeStage {
            from,
            copies,
            env: vec![],
            command,
            packages: vec![],
        }
    }
}

/// The non-root owner of the app's files in the final image.
pub fn app_owner() -> Option<String> {
    Some("${UID}:${GID}".into())
}

/// A shell command that writes `lines` to the file at `path`, for a stage that makes a file
/// dslim knows the text of (a config, a C source) without a heredoc, which hadolint cannot read.
pub fn write_lines(lines: &[String], path: &str) -> String {
    let quoted: Vec<String> = lines.iter().map(|l| shell_double_quoted(l)).collect();
    format!("printf '%s\\n' {} > {path}", quoted.join(" "))
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
