//! The nodes an `app` may hold besides its stack node: how many arguments each takes, which
//! properties, of what type, and what it means. The parser checks recipes against this table,
//! and the JSON schema and the README are checked against it.

use crate::error::ValueKind;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Args {
    None,
    Optional(ValueKind),
    One(ValueKind),
    /// one or more
    Many(ValueKind),
    /// none or more
    Any(ValueKind),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Props {
    /// (name, type, what it means)
    Fixed(&'static [(&'static str, ValueKind, &'static str)]),
    /// the stack's own properties, from its data in `recipes/stacks/`
    Stack,
    /// any KEY=value (env, labels)
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeSpec {
    pub name: &'static str,
    pub args: Args,
    pub props: Props,
    pub repeatable: bool,
    /// it holds a block of nodes (`app`, `workspace`, `defaults`)
    pub block: bool,
    /// what it means, for the schema
    pub description: &'static str,
    /// a line of a recipe that uses it, for hints
    pub example: &'static str,
}

use ValueKind::{Bool, Int, Port, Str, Text, Version};

const fn node(
    name: &'static str,
    args: Args,
    props: Props,
    repeatable: bool,
    description: &'static str,
    example: &'static str,
) -> NodeSpec {
    NodeSpec {
        name,
        args,
        props,
        repeatable,
        block: false,
        description,
        example,
    }
}

/// A node that holds a block of nodes.
const fn block(node: NodeSpec) -> NodeSpec {
    NodeSpec {
        block: true,
        ..node
    }
}

pub const APP: NodeSpec = block(node(
    "app",
    Args::One(Str),
    Props::Fixed(&[]),
    false,
    "The one app this recipe describes. Its argument names the compose service and the image.",
    "app \"api\" { ... }",
));

/// The top node of a monorepo's root recipe, instead of `app`.
pub const WORKSPACE: NodeSpec = block(node(
    "workspace",
    Args::One(Str),
    Props::Fixed(&[]),
    false,
    "A monorepo: its members' recipes share the defaults, and one compose.yaml at its root builds them all. Its argument names the compose project.",
    "workspace \"shop\" { members \"services/*\"; defaults { ... } }",
));

/// Inside `workspace`: which folders hold its members.
pub const MEMBERS: NodeSpec = node(
    "members",
    Args::Many(Str),
    Props::Fixed(&[]),
    false,
    "Globs of member folders, relative to the workspace's folder (default: every dslim.kdl below it).",
    "members \"services/*\" \"apps/web\"",
);

/// Inside `workspace`: app nodes every member gets unless it sets them itself.
pub const DEFAULTS: NodeSpec = block(node(
    "defaults",
    Args::None,
    Props::Fixed(&[]),
    false,
    "App nodes every member gets unless its recipe sets them; env, run-env and label merge key by key.",
    "defaults { user \"app\" uid=10001 }",
));

/// The nodes inside `app`, besides the stack nodes.
pub const APP_NODES: &[NodeSpec] = &[
    node(
        "base",
        Args::One(Str),
        Props::Fixed(&[
            ("release", Version, "Debian release name (default trixie) or Alpine version (default 3.22)."),
            ("registry", Str, "A mirror in front of Docker Hub, e.g. mirror.example.com/hub."),
        ]),
        false,
        "The image family of builder and runtime.",
        "base \"debian\"  (or \"alpine\")",
    ),
    node(
        "runtime",
        Args::One(Str),
        Props::Fixed(&[]),
        false,
        "The final image: slim, scratch, distroless or minimal (the smallest that runs the app), as the stack allows.",
        "runtime \"distroless\"",
    ),
    node(
        "build-deps",
        Args::Many(Str),
        Props::Fixed(&[]),
        true,
        "System packages for the builder stages only.",
        "build-deps \"gcc\" \"libpq-dev\"",
    ),
    node(
        "runtime-libs",
        Args::Many(Str),
        Props::Fixed(&[]),
        true,
        "System packages for the final image.",
        "runtime-libs \"libpq5\"",
    ),
    node(
        "build",
        Args::Any(Str),
        Props::Fixed(&[
            ("script", Str, "The package.json script the build stage runs (default build)."),
            ("output", Str, "The folder it produces (default dist)."),
            ("cache", Str, "A folder the script keeps a cache in (Next.js: .next/cache): a BuildKit cache mount, so that rebuilds reuse it and the image never holds it."),
            ("self-contained", Bool, "The output is the whole app, with the dependencies it needs (Next.js standalone, Nuxt's .output): the final image holds its contents at the workdir, and no node_modules of its own."),
        ]),
        false,
        "node: the package.json script the build stage runs, and the folder it produces. Arguments: more files or folders of the build stage the final image takes (Next.js: public, next.config.mjs).",
        "build script=\"build\" output=\"dist\"",
    ),
    node(
        "runtime-files",
        Args::Many(Str),
        Props::Fixed(&[]),
        true,
        "go and rust: files and folders of the app's folder that the binary reads at run time (templates, static files), copied into the final image's working directory, where it runs.",
        "runtime-files \"templates\" \"static\"",
    ),
    node(
        "build-step",
        Args::Many(Text),
        Props::Any,
        true,
        "python, ruby and elixir: a command run at build time, in the builder, once the dependencies are installed and the source copied (Django's collectstatic, Rails' assets:precompile, mix assets.deploy); the final image takes the app's folder from the builder. node: a command run in the build stage before its script (prisma generate). KEY=\"value\" properties are given to that command alone. Repeatable.",
        "build-step \"python\" \"manage.py\" \"collectstatic\" \"--noinput\"",
    ),
    node(
        "assets",
        Args::Any(Str),
        Props::Fixed(&[
            ("output", Str, "The folder the scripts write, from the app's folder (required): the app's builder gets it before its build steps run."),
            ("folder", Str, "The folder of the package.json, from the app's folder (default .)."),
            ("node", Version, "The Node version of the assets stage (default: the node stack's)."),
            ("manager", Str, "npm, yarn or pnpm (default: the one whose lockfile is in the folder, else npm)."),
        ]),
        false,
        "python, ruby and elixir: front-end assets built by package.json scripts (the arguments, default build) in a Node stage of their own (`assets`), whose output is copied into the app's builder; no Node in the app's images.",
        "assets \"build\" output=\"static/dist\"",
    ),
    node(
        "spa",
        Args::None,
        Props::Fixed(&[
            ("nginx", Version, "The nginx version (default 1.28)."),
            ("fallback", Bool, "Answer unknown paths with index.html (default #true)."),
        ]),
        false,
        "node: serve the build output with unprivileged nginx; no Node in the final image.",
        "spa",
    ),
    node(
        "user",
        Args::One(Str),
        Props::Fixed(&[
            ("uid", Int, "The user id (default 1000)."),
            ("gid", Int, "The group id (default 1000)."),
        ]),
        false,
        "The non-root user the app runs as; UID and GID become build args.",
        "user \"app\" uid=1000 gid=1000",
    ),
    node(
        "workdir",
        Args::One(Str),
        Props::Fixed(&[]),
        false,
        "Where the app lives in the image (default /app).",
        "workdir \"/app\"",
    ),
    node(
        "port",
        Args::Many(Port),
        Props::Fixed(&[]),
        true,
        "Ports the app listens on: EXPOSE and compose ports. Repeatable.",
        "port 8000",
    ),
    node(
        "env",
        Args::None,
        Props::Any,
        true,
        "ENV in the final image, KEY=\"value\" (literal, no $ expansion). Repeatable.",
        "env LOG_LEVEL=\"info\"",
    ),
    node(
        "run-env",
        Args::None,
        Props::Any,
        true,
        "compose `environment`, KEY=\"value\", with Compose's ${VAR} interpolation. Repeatable.",
        "run-env DATABASE_URL=\"${DATABASE_URL}\"",
    ),
    node(
        "label",
        Args::None,
        Props::Any,
        true,
        "OCI labels, key=\"value\". Repeatable.",
        "label org.opencontainers.image.source=\"https://example.com/acme/api\"",
    ),
    node(
        "secret",
        Args::One(Str),
        Props::Fixed(&[
            ("env", Str, "Read from this variable of the environment dslim build and compose run in, and given to the dependency install as the same variable (NPM_TOKEN, PIP_EXTRA_INDEX_URL, UV_INDEX_<NAME>_PASSWORD, POETRY_HTTP_BASIC_<NAME>_PASSWORD, CARGO_REGISTRIES_<NAME>_TOKEN)."),
            ("file", Str, "Read from this file on your machine (relative to the recipe, or absolute, or ~/...), and mounted where the package manager reads its configuration (.npmrc, pip.conf, uv.toml, cargo's credentials.toml), or at target."),
            ("target", Str, "Where a file secret is mounted during the install, instead of the manager's configuration file."),
        ]),
        true,
        "A secret the dependency install needs (a private registry's token): a BuildKit secret mount on the install steps only, so it is in no layer and no history; compose.yaml passes it from your environment or a file. Repeatable.",
        "secret \"npm\" env=\"NPM_TOKEN\"",
    ),
    node(
        "ignore",
        Args::Many(Str),
        Props::Fixed(&[]),
        true,
        "More .dockerignore patterns. Repeatable.",
        "ignore \"data/\" \"*.csv\"",
    ),
    node(
        "entrypoint",
        Args::Many(Text),
        Props::Fixed(&[]),
        false,
        "Exec-form ENTRYPOINT. Required unless the stack builds a binary or a single-page app.",
        "entrypoint \"gunicorn\" \"--bind\" \"0.0.0.0:8000\" \"app:app\"",
    ),
    node(
        "cmd",
        Args::Many(Text),
        Props::Fixed(&[]),
        false,
        "Exec-form CMD: default arguments to the entrypoint.",
        "cmd \"--workers\" \"2\"",
    ),
    node(
        "dev",
        Args::Many(Text),
        Props::Any,
        false,
        "A development target: a `dev` stage on the builder (development dependencies, the stack's development settings), started with this command, and a compose.dev.yaml that builds it and syncs the source into it (`docker compose -f compose.yaml -f compose.dev.yaml up --watch`). KEY=\"value\" properties are build args with these defaults, set in the stage's environment (FLASK_DEBUG, RAILS_ENV, MIX_ENV). The production image is unchanged.",
        "dev \"flask\" \"run\" \"--host\" \"0.0.0.0\" \"--debug\" FLASK_DEBUG=\"1\"",
    ),
    node(
        "release-command",
        Args::Many(Text),
        Props::Fixed(&[]),
        false,
        "A command run once per release, before the new version serves (a database migration): compose gets a one-off NAME-release service under the `release` profile, running the app's image with it (`docker compose run --rm NAME-release`). Never run at build time, where there is no database.",
        "release-command \"python\" \"manage.py\" \"migrate\" \"--noinput\"",
    ),
    node(
        "healthcheck",
        Args::One(Str),
        Props::Fixed(&[
            ("interval", Str, "How often to probe (default 30s)."),
            ("timeout", Str, "How long a probe may take (default 5s)."),
            ("start-period", Str, "Grace time after start (default 10s)."),
            ("retries", Int, "Failures before unhealthy, 1 to 100 (default 3)."),
        ]),
        false,
        "A compose healthcheck that GETs this path on the first port, with the interpreter the image has.",
        "healthcheck \"/health\"",
    ),
    node(
        "image",
        Args::One(Str),
        Props::Fixed(&[]),
        false,
        "The image name compose tags (default: the app name).",
        "image \"ghcr.io/acme/api:1.0\"",
    ),
];

/// The shape of every stack node, `python "3.13" manager="uv"`: its name and meaning come from
/// the stack's data.
pub const STACK: NodeSpec = node("", Args::Optional(Version), Props::Stack, false, "", "");

pub fn find(name: &str) -> Option<&'static NodeSpec> {
    APP_NODES.iter().find(|s| s.name == name)
}
