//! Every error and warning dslim reports, and its wording. Nothing else in the crate words an
//! error: code builds a variant, and the matches here (and in `recipe` and `warning`) say it.
//! This module depends on nothing above it.

mod expected;
mod kind;
mod located;
mod recipe;
mod warning;

use std::fmt;

use camino::Utf8PathBuf;
use miette::Diagnostic;
use thiserror::Error;

pub use located::{line_column, recipe_error, report, report_located, Located, Summary};
pub use recipe::{Expected, Found, Kind, Nesting, RecipeError, ValueKind};
pub use warning::{Rule, Warning};

/// How a generated file differs from what the recipe gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileState {
    Missing,
    OutOfDate,
    EditedByHand,
    NotWrittenByDslim,
}

impl fmt::Display for FileState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileState::Missing => "missing",
            FileState::OutOfDate => "out of date",
            FileState::EditedByHand => "edited by hand",
            FileState::NotWrittenByDslim => "not written by dslim",
        })
    }
}

/// A generated file that is not what the recipe gives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StaleFile {
    pub path: Utf8PathBuf,
    pub state: FileState,
}

/// Why an existing file is not dslim's to replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theirs {
    EditedByHand,
    NotWrittenByDslim,
    AlreadyExists,
}

impl fmt::Display for Theirs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Theirs::EditedByHand => "was edited by hand after dslim generated it",
            Theirs::NotWrittenByDslim => "was not written by dslim",
            Theirs::AlreadyExists => "already exists",
        })
    }
}

/// An app `dslim init` recognises but cannot build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    PlannedStack { stack: String, title: String },
    YarnBerry,
    InvalidManifest { file: String, detail: String },
    CargoWorkspace,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::PlannedStack { stack, title } => {
                write!(f, "{stack} apps are not supported yet (planned: {title})")
            }
            Unsupported::YarnBerry => write!(
                f,
                "Yarn 2+ (Berry) with Plug'n'Play is not supported: dslim builds Yarn 2+ with `nodeLinker: node-modules` in .yarnrc.yml; add that line, or run `npm install` (or `pnpm import`, which reads yarn.lock) to write that manager's lockfile, then `dslim init --manager npm` (or pnpm)"
            ),
            Unsupported::InvalidManifest { file, detail } => write!(f, "{file} is not valid: {detail}"),
            Unsupported::CargoWorkspace => write!(
                f,
                "a Cargo workspace whose members have no binary dslim could find: run `dslim init` in the folder of the crate that builds the server"
            ),
        }
    }
}

/// Everything `dslim` can fail with. `exit_code` says how the process ends.
#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("{path} has {} error(s)", errors.len())]
    #[diagnostic(code(dslim::recipe))]
    Recipe {
        path: Utf8PathBuf,
        #[related]
        errors: Vec<Located>,
    },

    // (`reason`, not `source`: the OS error is said once, in the message)
    #[error("there is no recipe at {path}")]
    #[diagnostic(
        code(dslim::read),
        help("`dslim init DIR` writes a recipe for the app in DIR; or name a recipe, or the folder holding one")
    )]
    RecipeNotFound { path: Utf8PathBuf },

    #[error("cannot read {path}: {reason}")]
    #[diagnostic(code(dslim::read), help("check the file's permissions"))]
    Read {
        path: Utf8PathBuf,
        reason: std::io::Error,
    },

    #[error("{path} is not valid UTF-8")]
    #[diagnostic(code(dslim::encoding))]
    NotUtf8 { path: Utf8PathBuf },

    #[error("found no {} below {root}", crate::RECIPE_FILE)]
    #[diagnostic(
        code(dslim::no_recipes),
        help("`dslim init DIR` writes a recipe for the app in DIR")
    )]
    NoRecipes { root: Utf8PathBuf },

    #[error("the workspace {path} has no members")]
    #[diagnostic(
        code(dslim::no_members),
        help("its `members` globs match no folder with a dslim.kdl: `dslim init DIR` writes one, or fix the globs")
    )]
    NoMembers { path: Utf8PathBuf },

    #[error("two members are the compose service `{name}`: {first} and {second}")]
    #[diagnostic(
        code(dslim::duplicate_service),
        help("rename one: the name of `app \"NAME\"` is its compose service and image")
    )]
    DuplicateService {
        name: String,
        first: Utf8PathBuf,
        second: Utf8PathBuf,
    },

    #[error("no recipe and no service is named `{name}`")]
    #[diagnostic(
        code(dslim::unknown_service),
        help("{}", match known.as_slice() {
            [] => "name a recipe, its folder, or the service of a workspace's member".to_string(),
            _ => format!("the services here: {}", known.join(", ")),
        })
    )]
    UnknownService { name: String, known: Vec<String> },

    #[error("cannot tell what changed since `{rev}`: {detail}")]
    #[diagnostic(
        code(dslim::changed_since),
        help("--changed-since takes a git revision of the repository the recipes are in (a branch, tag or commit); in a shallow CI clone, fetch it first: git fetch origin main")
    )]
    ChangedSince { rev: String, detail: String },

    #[error("two members read the secret `{id}` from different places: {first} and {second}")]
    #[diagnostic(
        code(dslim::secret_conflict),
        help("the root compose.yaml has one source per secret id: give one of them another id")
    )]
    SecretConflict {
        id: String,
        first: Utf8PathBuf,
        second: Utf8PathBuf,
    },

    #[error("two members publish port {port}: {first} and {second}")]
    #[diagnostic(
        code(dslim::port_taken),
        help("`docker compose up` would start only one of them: give one another `port`")
    )]
    PortTaken {
        port: String,
        first: Utf8PathBuf,
        second: Utf8PathBuf,
    },

    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(dslim::write))]
    Write {
        path: Utf8PathBuf,
        source: std::io::Error,
    },

    #[error("{path} {reason}, so dslim will not overwrite it")]
    #[diagnostic(
        code(dslim::overwrite),
        help("move it away, or run again with --force to replace it")
    )]
    Overwrite { path: Utf8PathBuf, reason: Theirs },

    #[error("generated files are not current: {}", files.iter().map(|f| format!("{} ({})", f.path, f.state)).collect::<Vec<_>>().join(", "))]
    #[diagnostic(
        code(dslim::stale),
        help("{}", if files.iter().any(|f| matches!(f.state, FileState::EditedByHand | FileState::NotWrittenByDslim)) {
            "run `dslim generate`; files edited by hand or not written by dslim are only replaced with --force (move your changes into the recipe first)"
        } else {
            "run `dslim generate` and commit the result"
        })
    )]
    Stale { files: Vec<StaleFile> },

    #[error("{} is stale", lock.file_name().unwrap_or("dslim.lock"))]
    #[diagnostic(code(dslim::stale_lock))]
    StaleLock {
        lock: Utf8PathBuf,
        #[related]
        errors: Vec<Located>,
    },

    #[error("cannot resolve the image {image}: {detail}")]
    #[diagnostic(
        code(dslim::resolve),
        help("check that the image and tag exist (`docker buildx imagetools inspect {image}`), and for a private registry that `docker login` was run")
    )]
    ImageNotResolved { image: String, detail: String },

    #[error("cannot split --entrypoint {text:?} into words")]
    #[diagnostic(
        code(dslim::detect),
        help(
            "quote it like a shell command: --entrypoint \"gunicorn --bind 0.0.0.0:8000 app:app\""
        )
    )]
    BadEntrypointOption { text: String },

    #[error("found several {what} and no rule that picks one: {}", options.join(", "))]
    #[diagnostic(
        code(dslim::detect),
        help("name the one to build: dslim init --bin {}", options.first().map(String::as_str).unwrap_or("NAME"))
    )]
    Ambiguous { what: String, options: Vec<String> },

    #[error("{option} is not for {stack} apps")]
    #[diagnostic(
        code(dslim::detect),
        help("--bin names a Rust bin target or a Go main package under cmd/")
    )]
    OptionNotForStack { option: String, stack: String },

    #[error("`{stack}` is not a stack dslim builds")]
    #[diagnostic(code(dslim::detect), help("--stack takes one of: {}", known.join(", ")))]
    UnknownStackOption { stack: String, known: Vec<String> },

    #[error("found no app to build in {dir}")]
    #[diagnostic(
        code(dslim::detect),
        help("{}", if apps.is_empty() {
            format!("dslim looks for {}; name the stack with --stack {}", files.join(", "), stacks.join("|"))
        } else {
            format!("the apps are in folders below: run dslim init in each of {}", apps.join(", "))
        })
    )]
    NothingDetected {
        apps: Vec<String>,
        dir: Utf8PathBuf,
        files: Vec<String>,
        stacks: Vec<String>,
    },

    #[error("found more than one stack: {}", found.join("; "))]
    #[diagnostic(
        code(dslim::detect),
        help("choose one: {}{}", stacks.iter().map(|s| format!("--stack {s}")).collect::<Vec<_>>().join(" or "),
            takes_assets.iter().map(|s| format!("\nwith --stack {s}, the package.json's build becomes the app's `assets` stage")).collect::<String>())
    )]
    SeveralStacks {
        found: Vec<String>,
        stacks: Vec<String>,
        /// the stacks found that would build the Node app found beside them as their assets
        takes_assets: Vec<String>,
    },

    #[error("{0}")]
    #[diagnostic(code(dslim::detect))]
    Unsupported(Unsupported),

    #[error("found no command that starts this {stack} app")]
    #[diagnostic(
        code(dslim::detect),
        help("{}\nfor example: dslim init --entrypoint \"{example}\"", if hints.is_empty() {
            "pass the command that starts the app".to_string()
        } else {
            hints.iter().map(|h| h.to_string()).collect::<Vec<_>>().join("\n")
        })
    )]
    NoEntrypointDetected {
        stack: String,
        hints: Vec<Warning>,
        example: String,
    },

    #[error("the recipe dslim init wrote does not compile; this is a bug in dslim init")]
    #[diagnostic(
        code(dslim::init_bug),
        help("please report it with the recipe below:\n{recipe}")
    )]
    InitBug { recipe: String },

    #[error("UID is 0 in the environment, which would build an image that runs as root")]
    #[diagnostic(
        code(dslim::root_uid),
        help("build as an unprivileged user, or give an unprivileged id: env UID=1000 GID=1000 dslim build")
    )]
    RootUid,

    /// Errors of several recipes, each reported in turn.
    #[error("{} recipes failed", errors.len())]
    Many { errors: Vec<Error> },

    #[error("Docker is not installed (no `docker` or `docker-compose` on PATH)")]
    #[diagnostic(
        code(dslim::docker_missing),
        help("install Docker Engine with the compose plugin: https://docs.docker.com/engine/install/")
    )]
    DockerMissing,

    #[error("Docker is installed but Compose is not (neither `docker compose` nor `docker-compose` works)")]
    #[diagnostic(
        code(dslim::compose_missing),
        help("install the compose plugin: https://docs.docker.com/compose/install/linux/")
    )]
    ComposeMissing,

    #[error("the Docker daemon is not reachable: {detail}")]
    #[diagnostic(
        code(dslim::docker_down),
        help("start Docker (e.g. `sudo systemctl start docker`) and check `docker info`")
    )]
    DockerDown { detail: String },

    #[error("`{command}` failed ({status})")]
    #[diagnostic(
        code(dslim::build_failed),
        help("Docker's output above says why; {debug}")
    )]
    BuildFailed {
        command: String,
        status: String,
        /// how to look closer
        debug: String,
    },

    #[error("cannot run `{command}`: {source}")]
    #[diagnostic(
        code(dslim::spawn),
        help(
            "check that Docker is installed and on PATH (DSLIM_DOCKER names another docker binary)"
        )
    )]
    Spawn {
        command: String,
        source: std::io::Error,
    },

    #[error("cannot write to standard output: {source}")]
    #[diagnostic(code(dslim::output))]
    Output { source: std::io::Error },

    #[error("dslim's built-in data is broken: {detail}")]
    #[diagnostic(
        code(dslim::bug),
        help(
            "this is a bug in dslim; the tests check this data, so please report how you built it"
        )
    )]
    Bug { detail: String },
}

impl Error {
    /// One error as itself, several as `Many`, none as success.
    pub fn all(mut errors: Vec<Error>) -> Result<(), Error> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Many { errors }),
        }
    }

    /// 2 for a bad recipe or a recipe that cannot be read (the user's input), 0 when the reader
    /// of our output went away (`dslim plan | head`), 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Recipe { .. }
            | Error::Ambiguous { .. }
            | Error::RecipeNotFound { .. }
            | Error::Read { .. }
            | Error::NotUtf8 { .. }
            | Error::NoRecipes { .. }
            | Error::NoMembers { .. }
            | Error::DuplicateService { .. }
            | Error::UnknownService { .. }
            | Error::SecretConflict { .. }
            | Error::ChangedSince { .. }
            | Error::PortTaken { .. } => 2,
            Error::Output { source } if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Error::Many { errors } => errors.iter().map(Error::exit_code).max().unwrap_or(1),
            _ => 1,
        }
    }

    /// Whether there is anything to tell the user (a closed pipe is not worth a word).
    pub fn is_silent(&self) -> bool {
        matches!(self, Error::Output { source } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// "did you mean `runtime-libs`?" when `name` is close to one of `candidates`.
pub fn did_you_mean<S: AsRef<str>>(name: &str, candidates: &[S]) -> Option<String> {
    closest(name, candidates.iter().map(AsRef::as_ref)).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate closest to `name`, if one is close enough to be a typo of it.
/// Else one that is `name` with a word more (`release` -> `release-command`).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let typo = (candidates.iter())
        .map(|c| (strsim::damerau_levenshtein(name, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c);
    typo.or_else(|| {
        (name.len() >= 3)
            .then(|| {
                (candidates.iter()).find(|c| {
                    c.starts_with(&format!("{name}-")) || c.ends_with(&format!("-{name}"))
                })
            })
            .flatten()
            .copied()
    })
}
