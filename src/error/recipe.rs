//! What can be wrong in a recipe. Each error is a span in the recipe and a kind; the wording
//! of every kind (its message, the label under the span and the hint) lives in the three
//! matches below and nowhere else.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceSpan};

pub use super::expected::Expected;
pub use super::kind::{Found, Kind, Nesting, ValueKind};

/// One thing wrong in a recipe, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeError {
    pub span: SourceSpan,
    pub kind: Kind,
}

impl RecipeError {
    pub fn new(span: SourceSpan, kind: Kind) -> Self {
        RecipeError { span, kind }
    }

    /// Where the error points, for reporting errors in the order of the recipe.
    pub fn offset(&self) -> usize {
        self.span.offset()
    }
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

fn describe(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Str | ValueKind::Text => "a string",
        ValueKind::Version => "a version string",
        ValueKind::Port => "a port number",
        ValueKind::Int => "a whole number",
        ValueKind::Bool => "#true or #false",
    }
}

impl fmt::Display for RecipeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::InvalidKdl { detail, .. } => write!(f, "invalid KDL: {detail}"),
            Kind::TooDeep { nesting, limit } => {
                let what = match nesting {
                    Nesting::Blocks => "blocks",
                    Nesting::Comments => "block comments",
                    Nesting::SlashDashes => "`/-` comments",
                };
                write!(f, "the recipe nests {what} more than {limit} deep")
            }
            Kind::NotAnApp { name, .. } | Kind::UnknownNode { name, .. } => {
                write!(f, "unknown node `{name}`")
            }
            Kind::NoApp => write!(f, "the recipe has no `app` node"),
            Kind::NotInWorkspace { name } => {
                write!(
                    f,
                    "a workspace recipe holds one `workspace` node, not `{name}`"
                )
            }
            Kind::WorkspaceNotApp => write!(f, "this is a workspace's recipe, not an app's"),
            Kind::BadGlob { detail } => write!(f, "not a glob: {detail}"),
            Kind::SecretSource => write!(
                f,
                "a secret is read from env=\"VAR\" or file=\"PATH\": one of them"
            ),
            Kind::SecretWithoutTarget => write!(f, "where should this file be mounted?"),
            Kind::DuplicateSecret { id } => write!(f, "the secret `{id}` is given twice"),
            Kind::MissingSecret { id, source } => {
                write!(f, "the secret `{id}` has no value: {source}")
            }
            Kind::SharedRoot { manager, detail } => {
                write!(
                    f,
                    "cannot build from the {manager} workspace's root: {detail}"
                )
            }
            Kind::SecondApp { .. } => write!(f, "a recipe describes one app"),
            Kind::AppWithoutBody => write!(f, "`app` has no body"),
            Kind::PlannedStack { stack, .. } => {
                write!(f, "the `{stack}` stack is not supported yet")
            }
            Kind::DuplicateNode { node, .. } => write!(f, "`{node}` is given more than once"),
            Kind::DuplicateProperty { node, property, .. } => {
                write!(f, "`{node} {property}=` is given more than once")
            }
            Kind::TakesNoBlock { node } => write!(f, "`{node}` takes no block"),
            Kind::UnexpectedArgument { node, .. } => {
                write!(f, "`{node}` expects no arguments, only properties")
            }
            Kind::ExtraArgument { node } => write!(f, "`{node}` expects one argument"),
            Kind::MissingArgument { node, many, .. } => {
                let what = if *many {
                    "at least one argument"
                } else {
                    "an argument"
                };
                write!(f, "`{node}` expects {what}")
            }
            Kind::UnknownProperty { node, name, .. } => {
                write!(f, "`{node}` has no property `{name}`")
            }
            Kind::WrongType {
                node,
                property: Some(property),
                expected,
                ..
            } => write!(
                f,
                "`{property}` of `{node}` expects {}",
                describe(*expected)
            ),
            Kind::WrongType { node, expected, .. } => {
                write!(f, "`{node}` expects {}", describe(*expected))
            }
            Kind::Invalid { node, expected, .. } => {
                write!(f, "`{node}` expects {}", expected.describe())
            }
            Kind::NoStack { .. } => write!(f, "the app does not say its stack"),
            Kind::TwoStacks { first, second } => {
                write!(f, "the app names two stacks, `{first}` and `{second}`")
            }
            Kind::TooOld { stack, version, .. } => {
                write!(f, "{stack} {version} is older than dslim supports")
            }
            Kind::NotForThisStack { node, stacks, .. } => {
                write!(f, "`{node}` is for {} apps", stacks.join(" and "))
            }
            Kind::NotPublished {
                stack,
                version,
                release,
                ..
            } => write!(
                f,
                "{stack} {version} images are not published for {release}"
            ),
            Kind::NoImages { stack, distro } => {
                write!(f, "dslim knows no {distro} images for the {stack} stack")
            }
            Kind::NoSuchRelease { found, app } => write!(
                f,
                "mix.exs builds no release {found}: it declares no releases, so `mix release` builds the app's own, {app}"
            ),
            Kind::NeedsNode { node, needed, .. } => {
                write!(f, "`{node}` needs a `{needed}` node beside it")
            }
            Kind::NoSuchScript { script, file, .. } => {
                write!(f, "{file} has no script `{script}`")
            }
            Kind::DistrolessNeedsDebian => write!(f, "distroless images are Debian-based"),
            Kind::CgoWithoutLibc => write!(
                f,
                "a cgo binary links the C library, which `scratch` does not have"
            ),
            Kind::RuntimeOfSpa => write!(
                f,
                "a single-page app runs on nginx's image, or on nginx alone (minimal)"
            ),
            Kind::UserOfSpa { uid } => write!(
                f,
                "a single-page app runs as nginx's unprivileged user (uid {uid})"
            ),
            Kind::EntrypointOfSpa => write!(
                f,
                "a single-page app is served by nginx; it has no entrypoint of its own"
            ),
            Kind::PrivilegedPort { port, .. } => write!(
                f,
                "nginx runs unprivileged and cannot listen on port {port}"
            ),
            Kind::RuntimeLibsWithoutPackageManager { runtime } => write!(
                f,
                "the {runtime} runtime has no package manager to install `runtime-libs` with"
            ),
            Kind::RootUser => write!(f, "dslim images never run as root"),
            Kind::UserIdArg { name } => write!(f, "`{name}` is the build arg of the app's user id"),
            Kind::NoEntrypoint { app, .. } => write!(f, "app `{app}` has no entrypoint"),
            Kind::HealthcheckWithoutPort => write!(f, "a healthcheck needs a port to probe"),
            Kind::LockFormat { found: None, .. } => write!(f, "dslim.lock does not say its format"),
            Kind::LockFormat {
                found: Some(found),
                supported,
            } => match found.parse::<u32>().is_ok_and(|n| n > *supported) {
                true => write!(
                    f,
                    "dslim.lock was written by a newer dslim (format {found})"
                ),
                false => write!(f, "dslim.lock has format {found}, which no dslim writes"),
            },
            Kind::MissingProperty { node, property, .. } => {
                write!(f, "`{node}` needs {property}=")
            }
            Kind::NotLocked { images } => {
                write!(f, "dslim.lock pins no digest for {}", images.join(", "))
            }
            Kind::UnusedLock { image } => {
                write!(
                    f,
                    "dslim.lock pins {image}, which the recipe no longer builds from"
                )
            }
            Kind::MissingInputs { files, .. } => write!(
                f,
                "the build copies {} from the recipe's folder, and {} not there",
                files.join(", "),
                if files.len() == 1 {
                    "it is"
                } else {
                    "they are"
                }
            ),
        }
    }
}

impl RecipeError {
    /// The words under the span.
    fn label(&self) -> String {
        match &self.kind {
            Kind::InvalidKdl { label, .. } => label.clone(),
            Kind::TooDeep { .. } => "too deep".into(),
            Kind::NotAnApp { .. } | Kind::UnknownNode { .. } => {
                "not a node dslim knows here".into()
            }
            Kind::SecondApp { .. } => "second app".into(),
            Kind::NoApp | Kind::AppWithoutBody | Kind::NoStack { .. } => "in this app".into(),
            Kind::NotInWorkspace { .. } => "not part of the workspace".into(),
            Kind::WorkspaceNotApp => "a workspace".into(),
            Kind::BadGlob { .. } => "this pattern".into(),
            Kind::SharedRoot { .. } => "this manager's workspace".into(),
            Kind::SecretSource | Kind::SecretWithoutTarget | Kind::DuplicateSecret { .. } => {
                "this secret".into()
            }
            Kind::MissingSecret { .. } => "needed by the install".into(),
            Kind::NoEntrypoint { .. } | Kind::HealthcheckWithoutPort => "in this app".into(),
            Kind::PlannedStack { title, .. } => format!("{title}: planned"),
            Kind::DuplicateNode { .. } | Kind::DuplicateProperty { .. } => "again here".into(),
            Kind::TakesNoBlock { .. } => "unexpected block".into(),
            Kind::UnexpectedArgument { .. } => "unexpected argument".into(),
            Kind::ExtraArgument { .. } => "extra argument".into(),
            Kind::MissingArgument { .. } => "nothing given".into(),
            Kind::UnknownProperty { .. } => "unknown property".into(),
            Kind::WrongType { found, .. } => match found {
                Found::String(_) => "a string".into(),
                Found::Number => "a number".into(),
                Found::Decimal { .. } => "a decimal number".into(),
                Found::Bool => "a boolean".into(),
                Found::Null => "#null".into(),
            },
            Kind::Invalid { found, .. } => format!("`{}`", found.escape_debug()),
            Kind::TwoStacks { .. } => "second stack".into(),
            Kind::TooOld { .. } => "too old".into(),
            Kind::NotForThisStack { stacks, .. } => format!("not a {} app", stacks.join(" or ")),
            Kind::NoImages { stack, .. } => format!("no {stack} images"),
            Kind::NotPublished { version, .. } => format!("no {version} images for this release"),
            Kind::DistrolessNeedsDebian => "needs base \"debian\"".into(),
            Kind::NoSuchRelease { .. } => "not in mix.exs".into(),
            Kind::NoSuchScript { .. } => "not in package.json".into(),
            Kind::NeedsNode { needed, .. } => format!("no `{needed}`"),
            Kind::CgoWithoutLibc => "cgo on scratch".into(),
            Kind::RuntimeOfSpa | Kind::UserOfSpa { .. } | Kind::EntrypointOfSpa => {
                "not used with spa".into()
            }
            Kind::PrivilegedPort { .. } => "privileged port".into(),
            Kind::RuntimeLibsWithoutPackageManager { .. } => "cannot be installed".into(),
            Kind::RootUser => "root".into(),
            Kind::UserIdArg { .. } => "the user's".into(),
            Kind::MissingInputs { files, .. } => format!("needs {}", files.join(", ")),
            Kind::LockFormat { found: None, .. } => "no `version` line".into(),
            Kind::LockFormat { .. } => "this format".into(),
            Kind::MissingProperty { property, .. } => format!("no {property}="),
            Kind::NotLocked { .. } => "builds from these images".into(),
            Kind::UnusedLock { .. } => "not used".into(),
        }
    }

    fn hint(&self) -> Option<String> {
        match &self.kind {
            Kind::InvalidKdl { hint, kdl_v1, .. } => Some(if *kdl_v1 {
                "KDL v2 writes booleans and null with a #: fallback=#false, #true, #null".into()
            } else {
                hint.clone()
                    .unwrap_or_else(|| "recipes are KDL v2: https://kdl.dev".into())
            }),
            Kind::TooDeep { .. } => Some(
                "a recipe needs two levels, app \"NAME\" { node ... }: remove the extra nesting"
                    .into(),
            ),
            Kind::NotAnApp {
                name,
                suggestion,
                belongs_inside,
            } => Some(match (suggestion, belongs_inside) {
                (Some(s), _) => format!("did you mean `{s}`?"),
                (None, true) => format!("`{name}` belongs inside `app \"NAME\" {{ ... }}`"),
                (None, false) => "a recipe holds one `app \"NAME\" { ... }` node".into(),
            }),
            Kind::NotInWorkspace { .. } => Some(
                "members and defaults go inside: workspace \"shop\" { members \"services/*\"; defaults { ... } }; apps have recipes of their own".into(),
            ),
            Kind::WorkspaceNotApp => Some(
                "run dslim generate, check or build in the workspace's folder to cover its members; `dslim list` names them".into(),
            ),
            Kind::SecretSource => Some(
                "secret \"npm\" env=\"NPM_TOKEN\", or secret \"pip\" file=\"~/.config/pip/pip.conf\"".into(),
            ),
            Kind::SecretWithoutTarget => Some(
                "this stack's package manager reads no credentials file dslim knows: say where, target=\"/root/.netrc\"".into(),
            ),
            Kind::DuplicateSecret { .. } => Some("give each secret its own id".into()),
            Kind::MissingSecret { source, .. } => Some(format!(
                "{} before dslim build; the value goes to BuildKit only, never into a layer",
                match source.starts_with('$') {
                    true => "export the variable",
                    false => "create the file",
                }
            )),
            Kind::SharedRoot { .. } => Some(
                "rename it with letters, digits and @._/+- only, or give the app a lockfile of its own and build it alone".into(),
            ),
            Kind::BadGlob { .. } => Some(
                "members takes folder globs relative to the workspace: \"services/*\", \"apps/**\"".into(),
            ),
            Kind::NoApp => Some(
                "start with: app \"api\" { python \"3.13\"; port 8000; entrypoint ... }".into(),
            ),
            Kind::SecondApp { first } => Some(format!(
                "put each app in its own folder with its own dslim.kdl (the first one here is `{first}`)"
            )),
            Kind::AppWithoutBody => Some(
                "describe the app in braces: app \"api\" { python \"3.13\"; entrypoint ... }".into(),
            ),
            Kind::PlannedStack { supported, .. } => {
                Some(format!("supported stacks: {}", list(supported)))
            }
            Kind::UnknownNode {
                suggestion, known, ..
            } => Some(match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("known nodes: {}", list(known)),
            }),
            Kind::DuplicateNode { node, .. } => {
                Some(format!("keep one `{node}` and remove the others"))
            }
            Kind::DuplicateProperty { node, property, .. } => Some(format!(
                "keep one `{node} {property}=` and remove the others"
            )),
            Kind::TakesNoBlock { .. } => Some(
                "write its values on the same line, e.g. build-deps \"gcc\" \"libpq-dev\"".into(),
            ),
            Kind::UnexpectedArgument { node, properties } => match properties {
                None => Some(format!(
                    "write KEY=\"value\" pairs: {node} LOG_LEVEL=\"info\""
                )),
                Some(props) if !props.is_empty() => Some(format!(
                    "`{node}` takes properties: {}",
                    props
                        .iter()
                        .map(|p| format!("{p}=..."))
                        .collect::<Vec<_>>()
                        .join(" ")
                )),
                Some(_) => None,
            },
            Kind::ExtraArgument { .. } => None,
            Kind::MissingArgument { example, .. } => {
                example.map(|e| format!("for example: {e}"))
            }
            Kind::UnknownProperty {
                node,
                suggestion,
                allowed,
                ..
            } => Some(match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None if allowed.is_empty() => format!("`{node}` takes no properties"),
                None => format!("`{node}` takes: {}", list(allowed)),
            }),
            Kind::WrongType {
                expected, found, ..
            } => Some(super::expected::wrong_type_help(*expected, found)),
            Kind::Invalid {
                expected, found, ..
            } => Some(expected.help(found)),
            Kind::NoStack { examples } => Some(format!("add one of: {}", list(examples))),
            Kind::TwoStacks { .. } => {
                Some("an app has one stack; put a second app in a folder of its own".into())
            }
            Kind::TooOld {
                stack,
                min,
                current,
                ..
            } => Some(format!("use {stack} {min} or newer (current: {current})")),
            Kind::NotForThisStack { stack, .. } => Some(format!("this app's stack is {stack}")),
            Kind::NoImages { .. } => Some("use base \"debian\"".into()),
            Kind::NotPublished {
                instead,
                stack,
                newer,
                ..
            } => {
                let which = if *newer { "a newer" } else { "an older" };
                Some(match instead {
                    Some(r) => format!("use release=\"{r}\", or {which} {stack} version"),
                    None => format!("use {which} {stack} version"),
                })
            }
            Kind::DistrolessNeedsDebian => {
                Some("use runtime \"scratch\" or \"slim\" with alpine".into())
            }
            Kind::NoSuchRelease { app, .. } => Some(format!(
                "write release=\"{app}\", or declare the release in mix.exs (`releases: [...]` in project/0)"
            )),
            Kind::NeedsNode { example, .. } => Some(format!("for example: {example}")),
            Kind::NoSuchScript { script, known, .. } => crate::error::did_you_mean(script, known)
                .or_else(|| Some(format!("its scripts: {}", list(known)))),
            Kind::CgoWithoutLibc => Some(
                "add runtime \"distroless\" (gcr.io/distroless/cc) or runtime \"slim\"".into(),
            ),
            Kind::RuntimeOfSpa => {
                Some("remove `runtime`, or write runtime \"minimal\" for nginx on distroless".into())
            }
            Kind::UserOfSpa { .. } => Some("remove `user`".into()),
            Kind::EntrypointOfSpa => Some("remove `entrypoint`".into()),
            Kind::PrivilegedPort { suggestion, .. } => Some(format!(
                "use a port from 1024 up, e.g. port {suggestion}; publish it as 80 with compose if you need to"
            )),
            Kind::RuntimeLibsWithoutPackageManager { .. } => {
                Some("use runtime \"slim\", or drop runtime-libs".into())
            }
            Kind::RootUser => Some("name an unprivileged user, e.g. user \"app\"".into()),
            Kind::UserIdArg { name } => Some(format!(
                "the `user` node sets it (user \"app\" uid=1000 gid=1000), and `docker compose build --build-arg {name}=...` changes it; name this setting otherwise"
            )),
            Kind::NoEntrypoint { example, .. } => {
                Some(format!("say what starts it, e.g. entrypoint {example}"))
            }
            Kind::HealthcheckWithoutPort => {
                Some("add `port 8000` (the port the app listens on)".into())
            }
            Kind::MissingInputs { hint, .. } => Some(hint.clone()),
            Kind::LockFormat {
                found: None,
                supported,
            } => Some(format!(
                "start it with `version {supported}`, or write the lock anew with `dslim lock --update`"
            )),
            Kind::LockFormat { supported, .. } => Some(format!(
                "this dslim reads format {supported}: upgrade dslim, or write the lock anew with `dslim lock --update`"
            )),
            Kind::MissingProperty { help, .. } => Some(help.clone()),
            Kind::NotLocked { .. } | Kind::UnusedLock { .. } => {
                Some("run `dslim lock` and commit dslim.lock".into())
            }
        }
    }

    fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl std::error::Error for RecipeError {}

impl Diagnostic for RecipeError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(RecipeError::code(self)))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.hint()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let mut labels = vec![LabeledSpan::new_with_span(Some(self.label()), self.span)];
        if let Kind::DuplicateNode { first, .. } | Kind::DuplicateProperty { first, .. } =
            &self.kind
        {
            labels.push(LabeledSpan::new_with_span(
                Some("first here".into()),
                *first,
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}
