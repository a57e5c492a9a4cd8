//! The forms recipe values must take, as the errors word them. The patterns of the forms live
//! in `form`; their wording lives here, in the two matches below.

use super::kind::{Found, ValueKind};

/// What a value was expected to be. Each names a form; the model holds the patterns.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    AppName,
    UserName,
    RelativePath,
    RelativeFolder,
    AbsolutePath,
    GoPackage,
    Binary,
    /// the name of a release `mix release` builds
    MixRelease,
    Script,
    EnvKey,
    SecretId,
    HostPath,
    LabelKey,
    Port,
    HttpPath,
    Duration,
    Registry,
    Image,
    /// a content digest, as a lock holds it
    Digest,
    /// an OS/architecture pair, as a lock holds it
    Platform,
    NginxVersion,
    IgnorePattern,
    OneLine,
    UserId,
    Retries,
    /// one of a list of names (managers, runtimes, distros)
    OneOf(Vec<String>),
    Version {
        stack: String,
        example: String,
    },
    Release {
        distro: String,
        example: String,
    },
    Package {
        distro: String,
        example: String,
    },
}

impl Expected {
    pub(super) fn describe(&self) -> String {
        match self {
            Expected::AppName => "a lowercase name (a-z, 0-9, `-`, `_`, `.`)".into(),
            Expected::UserName => "a user name (a-z, 0-9, `_`, `-`)".into(),
            Expected::RelativePath => "a relative path".into(),
            Expected::RelativeFolder => "a relative folder".into(),
            Expected::AbsolutePath => "an absolute path like /app".into(),
            Expected::GoPackage => "a package path starting with `.`, like \"./cmd/server\"".into(),
            Expected::Binary => "a binary target name".into(),
            Expected::MixRelease => "a release name as mix.exs writes it (a-z, 0-9, `_`)".into(),
            Expected::Script => "a package.json script name".into(),
            Expected::EnvKey => "a variable name (letters, digits, `_`)".into(),
            Expected::SecretId => "a secret id (letters, digits, `_`, `-`, `.`)".into(),
            Expected::HostPath => {
                "a path on your machine, like .npmrc, ~/.netrc or /etc/pip.conf".into()
            }
            Expected::LabelKey => {
                "a label key in reverse-DNS form, like org.opencontainers.image.source".into()
            }
            Expected::Port => "a port number from 1 to 65535, optionally with /tcp or /udp".into(),
            Expected::HttpPath => "a URL path starting with /".into(),
            Expected::Duration => "a duration like \"30s\" or \"1m\"".into(),
            Expected::Registry => {
                "a registry host and path, like mirror.example.com/dockerhub".into()
            }
            Expected::Image => "a lowercase image reference like ghcr.io/acme/api:1.0".into(),
            Expected::Digest => "a content digest like sha256:<64 hex digits>".into(),
            Expected::Platform => "a platform like linux/amd64 or linux/arm64/v8".into(),
            Expected::NginxVersion => "an nginx version like \"1.28\"".into(),
            Expected::IgnorePattern => "a .dockerignore pattern on one line".into(),
            Expected::OneLine => "text without newlines or control characters".into(),
            Expected::UserId => "an id from 1 to 2147483647 (0 is root)".into(),
            Expected::Retries => "retries from 1 to 100".into(),
            Expected::OneOf(names) => format!("one of: {}", names.join(", ")),
            Expected::Version { stack, .. } => format!("a {stack} version"),
            Expected::Release { distro, .. } => format!("a {distro} release name"),
            Expected::Package { distro, .. } => format!("a {distro} package name"),
        }
    }

    /// How to write it: every form has a hint, so that no bad value leaves the user guessing.
    pub(super) fn help(&self, found: &str) -> String {
        match self {
            Expected::AppName => "it names the compose service and the image".into(),
            Expected::UserName => "for example: user \"app\"".into(),
            Expected::RelativePath | Expected::RelativeFolder => {
                "a path inside the app's folder, like \"static/dist\": no leading `/`, no `..`"
                    .into()
            }
            Expected::AbsolutePath => "for example: workdir \"/app\"".into(),
            Expected::GoPackage => "for example: go \"1.24\" package=\"./cmd/server\"".into(),
            Expected::Binary => "a `[[bin]]` name of Cargo.toml, like bin=\"server\"".into(),
            Expected::MixRelease => {
                "`app: :my_app` in mix.exs is written release=\"my_app\"".into()
            }
            Expected::Script => {
                "a key of package.json's `scripts`, like \"build\" or \"build:css\"".into()
            }
            Expected::EnvKey => {
                let fixed: String = (found.chars())
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                match fixed.chars().next() {
                    Some(first) if !first.is_ascii_digit() && fixed != found => {
                        format!("did you mean `{fixed}`?")
                    }
                    _ => "for example: DEBUG=\"1\"".into(),
                }
            }
            Expected::SecretId => "for example: secret \"npm\" env=\"NPM_TOKEN\"".into(),
            Expected::HostPath => "for example: file=\"~/.netrc\"".into(),
            Expected::LabelKey => {
                "for example: label org.opencontainers.image.source=\"...\"".into()
            }
            Expected::Port => "for example: port 8080".into(),
            Expected::HttpPath => "for example: healthcheck \"/health\"".into(),
            Expected::Duration => "for example: interval=\"30s\"".into(),
            Expected::Registry => "for example: registry=\"ghcr.io/acme\"".into(),
            Expected::Image => "for example: image \"ghcr.io/acme/shop:1.2\"".into(),
            Expected::Digest => {
                "`dslim lock --update` writes the digests the registry has now".into()
            }
            Expected::Platform => {
                "`dslim lock --update` writes the platforms the registry has now".into()
            }
            Expected::NginxVersion => "for example: spa nginx=\"1.28\"".into(),
            Expected::IgnorePattern => "for example: ignore \"*.log\" \"tmp/\"".into(),
            Expected::OneLine => "write the value on one line".into(),
            Expected::UserId => {
                "a uid from 1 to 2147483647: 0 is root, which dslim never runs as".into()
            }
            Expected::Retries => "for example: retries=3".into(),
            Expected::OneOf(names) => {
                crate::error::did_you_mean(found, names).unwrap_or_else(|| {
                    format!(
                        "write one of them, like \"{}\"",
                        names.first().map_or("", |n| n.as_str())
                    )
                })
            }
            Expected::Version { stack, example } => format!("for example: {stack} \"{example}\""),
            Expected::Release { example, .. } => format!("for example: release=\"{example}\""),
            Expected::Package { example, .. } => format!("for example: {example}"),
        }
    }
}

/// How to write a value of the kind a node expects, given what the recipe wrote.
pub(super) fn wrong_type_help(expected: ValueKind, found: &Found) -> String {
    let text_like = matches!(
        expected,
        ValueKind::Version | ValueKind::Text | ValueKind::Str
    );
    match found {
        Found::Decimal { typed, value } if text_like && typed != value => {
            format!("write it as a string: \"{typed}\" (a number {typed} would mean {value})")
        }
        Found::Decimal { typed, .. } if text_like => {
            format!("versions are strings: write \"{typed}\"")
        }
        Found::String(s) if expected == ValueKind::Int => format!("drop the quotes: {s}"),
        _ => match expected {
            ValueKind::Str | ValueKind::Text => "quote it: \"...\"",
            ValueKind::Version => "versions are strings: \"3.12\"",
            ValueKind::Port => "a port is a whole number, with no quotes: 8080",
            ValueKind::Int => "write a whole number, with no quotes: 3",
            ValueKind::Bool => "write #true or #false, with no quotes (KDL v2)",
        }
        .into(),
    }
}
