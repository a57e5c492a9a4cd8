//! Every error dslim reports, and its wording. Nothing else in the crate formats an error message.

use std::sync::Arc;

use camino::Utf8PathBuf;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};
use thiserror::Error;

/// Something wrong in a recipe, found while reading or checking it.
#[derive(Debug, Clone, Error, Diagnostic)]
pub enum RecipeError {
    #[error("{message}")]
    #[diagnostic(code(dslim::syntax))]
    Syntax {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("unknown node `{name}`")]
    #[diagnostic(code(dslim::unknown_node))]
    UnknownNode {
        name: String,
        #[label("not a node dslim knows here")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{node}` has no property `{name}`")]
    #[diagnostic(code(dslim::unknown_property))]
    UnknownProperty {
        node: String,
        name: String,
        #[label("unknown property")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{node}` is given more than once")]
    #[diagnostic(
        code(dslim::duplicate),
        help("keep one `{node}` and remove the others")
    )]
    Duplicate {
        node: String,
        #[label("again here")]
        span: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
    },

    #[error("{message}")]
    #[diagnostic(code(dslim::missing))]
    Missing {
        message: String,
        #[label("in this app")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{node}` expects {expected}")]
    #[diagnostic(code(dslim::bad_value))]
    BadValue {
        node: String,
        expected: String,
        #[label("{found}")]
        span: SourceSpan,
        found: String,
        #[help]
        help: Option<String>,
    },

    #[error("{message}")]
    #[diagnostic(code(dslim::unsupported))]
    Unsupported {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },
}

impl RecipeError {
    /// Where the error points, for reporting errors in the order of the recipe.
    pub fn offset(&self) -> usize {
        match self {
            RecipeError::Syntax { span, .. }
            | RecipeError::UnknownNode { span, .. }
            | RecipeError::UnknownProperty { span, .. }
            | RecipeError::Duplicate { span, .. }
            | RecipeError::Missing { span, .. }
            | RecipeError::BadValue { span, .. }
            | RecipeError::Unsupported { span, .. } => span.offset(),
        }
    }
}

/// A recipe error together with the recipe it points into.
#[derive(Debug)]
pub struct Located {
    pub source: NamedSource<Arc<String>>,
    pub error: RecipeError,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.error.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
}

/// Everything `dslim` can fail with. `exit_code` says how the process ends.
#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("{} has {} error(s)", path, errors.len())]
    #[diagnostic(code(dslim::recipe))]
    Recipe {
        path: Utf8PathBuf,
        #[related]
        errors: Vec<Located>,
    },

    #[error("cannot read {path}: {reason}")]
    #[diagnostic(code(dslim::read), help("{hint}"))]
    Read {
        path: Utf8PathBuf,
        hint: String,
        reason: String,
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
    Overwrite { path: Utf8PathBuf, reason: String },

    #[error("generated files are not current: {}", files.join(", "))]
    #[diagnostic(code(dslim::stale), help("{hint}"))]
    Stale { files: Vec<String>, hint: String },

    #[error("the build copies {} from the folder of {recipe}, and {} not there", files.join(", "), if files.len() == 1 { "it is" } else { "they are" })]
    #[diagnostic(code(dslim::missing_input), help("{hint}"))]
    MissingInputs {
        recipe: Utf8PathBuf,
        files: Vec<String>,
        hint: String,
    },

    #[error("{path} is not valid UTF-8")]
    #[diagnostic(code(dslim::encoding))]
    NotUtf8 { path: Utf8PathBuf },

    #[error("{message}")]
    #[diagnostic(code(dslim::detect))]
    Detect {
        message: String,
        #[help]
        help: Option<String>,
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

    #[error("found no {} below {root}", crate::compile::RECIPE_FILE)]
    #[diagnostic(
        code(dslim::no_recipes),
        help("`dslim init DIR` writes a recipe for the app in DIR")
    )]
    NoRecipes { root: Utf8PathBuf },

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
        help("Docker's output above says why; `docker build --target {first_stage} .` builds the first stage alone for debugging")
    )]
    BuildFailed {
        command: String,
        status: String,
        first_stage: String,
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

    /// 2 for a bad recipe or a recipe that cannot be read (the user's input), 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Recipe { .. }
            | Error::Read { .. }
            | Error::NotUtf8 { .. }
            | Error::NoRecipes { .. } => 2,
            Error::Many { errors } => errors.iter().map(Error::exit_code).max().unwrap_or(1),
            _ => 1,
        }
    }
}

/// "did you mean `runtime-libs`?" when `name` is close to one of `candidates`.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| format!("did you mean `{c}`?"))
}
