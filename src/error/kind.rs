//! What can be wrong in a recipe, as data: each kind carries what its wording needs. The
//! wording itself lives in `recipe`.

use miette::SourceSpan;

use super::expected::Expected;

/// The type of value the shape check expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueKind {
    Str,
    Version,
    Port,
    Text,
    Int,
    Bool,
}

/// What the recipe wrote instead.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    String(String),
    Number,
    /// a decimal number as typed, and the number KDL read (3.10 reads as 3.1)
    Decimal {
        typed: String,
        value: String,
    },
    Bool,
    Null,
}

/// How deep a recipe may nest, and what nested.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Nesting {
    Blocks,
    Comments,
    SlashDashes,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    // --- the shape of the recipe (syntax)
    InvalidKdl {
        detail: String,
        label: String,
        hint: Option<String>,
        kdl_v1: bool,
    },
    TooDeep {
        nesting: Nesting,
        limit: usize,
    },
    NotAnApp {
        name: String,
        suggestion: Option<String>,
        belongs_inside: bool,
    },
    NoApp,
    /// a node beside the `workspace` node of a workspace recipe
    NotInWorkspace {
        name: String,
    },
    /// a workspace recipe given where an app's recipe is needed
    WorkspaceNotApp,
    /// a `members` pattern that is not a glob
    BadGlob {
        detail: String,
    },
    /// a `secret` with neither or both of env= and file=
    SecretSource,
    /// a file secret for a stack whose manager reads no credentials file dslim knows
    SecretWithoutTarget,
    DuplicateSecret {
        id: String,
    },
    /// a secret whose value `dslim build` cannot find
    MissingSecret {
        id: String,
        source: String,
    },
    /// the app is in a package manager's workspace whose root dslim cannot build from
    SharedRoot {
        manager: String,
        detail: String,
    },
    SecondApp {
        first: String,
    },
    AppWithoutBody,
    PlannedStack {
        stack: String,
        title: String,
        supported: Vec<String>,
    },
    UnknownNode {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    DuplicateNode {
        node: String,
        first: SourceSpan,
    },
    DuplicateProperty {
        node: String,
        property: String,
        first: SourceSpan,
    },
    TakesNoBlock {
        node: String,
    },
    UnexpectedArgument {
        node: String,
        /// the properties it takes instead; None for KEY=value nodes
        properties: Option<Vec<String>>,
    },
    ExtraArgument {
        node: String,
    },
    MissingArgument {
        node: String,
        many: bool,
        example: Option<&'static str>,
    },
    UnknownProperty {
        node: String,
        name: String,
        suggestion: Option<String>,
        allowed: Vec<String>,
    },
    WrongType {
        node: String,
        /// the property the value is of; None for an argument
        property: Option<Box<str>>,
        expected: ValueKind,
        found: Found,
    },

    // --- what the values mean (model)
    Invalid {
        node: String,
        expected: Expected,
        found: String,
    },
    NoStack {
        examples: Vec<String>,
    },
    TwoStacks {
        first: String,
        second: String,
    },
    TooOld {
        stack: String,
        version: String,
        min: String,
        current: String,
    },
    NotForThisStack {
        node: String,
        stack: String,
        stacks: Vec<String>,
    },
    NoImages {
        stack: String,
        distro: String,
    },
    /// the stack's images of this version are not published for the release
    NotPublished {
        stack: String,
        version: String,
        release: String,
        /// the release that has them (boxed: this variant sets the size of every error)
        instead: Option<Box<str>>,
        /// the release has images of newer versions only (else of older ones only)
        newer: bool,
    },
    DistrolessNeedsDebian,
    /// a release mix.exs does not build: it declares no releases, so mix builds the app's own
    NoSuchRelease {
        found: String,
        app: String,
    },
    /// a node that works only beside another one (node's `build-step`, in the build stage)
    NeedsNode {
        node: String,
        needed: String,
        example: String,
    },
    /// a package.json script the file does not have
    NoSuchScript {
        script: String,
        file: String,
        known: Vec<String>,
    },
    /// a cgo binary on a runtime with no C library
    CgoWithoutLibc,
    RuntimeOfSpa,
    UserOfSpa {
        uid: u32,
    },
    EntrypointOfSpa,
    PrivilegedPort {
        port: u16,
        suggestion: u16,
    },
    RuntimeLibsWithoutPackageManager {
        runtime: String,
    },
    RootUser,
    /// a `dev` build arg named like the user's (UID, GID), which it would replace
    UserIdArg {
        name: String,
    },
    NoEntrypoint {
        app: String,
        example: String,
    },
    HealthcheckWithoutPort,

    // --- found when the plan meets the project's files
    MissingInputs {
        files: Vec<String>,
        hint: String,
    },

    // --- dslim.lock, and a recipe against its lock
    /// a lock of another format than this dslim's (None: it says no format)
    LockFormat {
        found: Option<String>,
        supported: u32,
    },
    /// a property a node cannot do without; `help` says how to write it
    MissingProperty {
        node: String,
        property: String,
        help: String,
    },
    /// an image the recipe builds from that its lock does not pin
    NotLocked {
        images: Vec<String>,
    },
    /// a lock entry for an image the recipe no longer builds from
    UnusedLock {
        image: String,
    },
}

impl Kind {
    /// The diagnostic code of errors of this kind.
    pub fn code(&self) -> &'static str {
        match self {
            Kind::InvalidKdl { .. } | Kind::TakesNoBlock { .. } => "dslim::syntax",
            Kind::TooDeep { .. } => "dslim::too_deep",
            Kind::NotAnApp { .. } | Kind::UnknownNode { .. } => "dslim::unknown_node",
            Kind::UnknownProperty { .. } => "dslim::unknown_property",
            Kind::DuplicateNode { .. } | Kind::DuplicateProperty { .. } => "dslim::duplicate",
            Kind::NoApp
            | Kind::AppWithoutBody
            | Kind::NoStack { .. }
            | Kind::NoEntrypoint { .. }
            | Kind::HealthcheckWithoutPort => "dslim::missing",
            Kind::UnexpectedArgument { .. }
            | Kind::ExtraArgument { .. }
            | Kind::MissingArgument { .. }
            | Kind::WrongType { .. }
            | Kind::Invalid { .. }
            | Kind::UserIdArg { .. }
            | Kind::NoSuchScript { .. } => "dslim::bad_value",
            Kind::NeedsNode { .. } => "dslim::missing",
            Kind::MissingInputs { .. } => "dslim::missing_input",
            Kind::MissingSecret { .. } => "dslim::missing_secret",
            Kind::SecretSource | Kind::SecretWithoutTarget | Kind::DuplicateSecret { .. } => {
                "dslim::secret"
            }
            Kind::SharedRoot { .. } => "dslim::shared_root",
            Kind::LockFormat { .. } => "dslim::lock",
            Kind::MissingProperty { .. } => "dslim::missing",
            Kind::NotLocked { .. } | Kind::UnusedLock { .. } => "dslim::stale_lock",
            _ => "dslim::unsupported",
        }
    }

    /// The node is fine, but not for this kind of app (a user for nginx's single-page apps):
    /// a workspace's default that says so is left out for that member.
    pub fn is_inapplicable(&self) -> bool {
        matches!(
            self,
            Kind::RuntimeOfSpa
                | Kind::UserOfSpa { .. }
                | Kind::EntrypointOfSpa
                | Kind::RuntimeLibsWithoutPackageManager { .. }
        )
    }
}
