//! The forms recipe values must take, as the errors word them. The patterns of the forms live
//! in `form`; their wording lives here, in the two matches below.

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

    pub(super) fn help(&self, found: &str) -> Option<String> {
        match self {
            Expected::AppName => Some("it names the compose service and the image".into()),
            Expected::HttpPath => Some("for example: healthcheck \"/health\"".into()),
            Expected::OneLine => Some("write the value on one line".into()),
            Expected::Digest => {
                Some("`dslim lock --update` writes the digests the registry has now".into())
            }
            Expected::MixRelease => {
                Some("`app: :my_app` in mix.exs is written release=\"my_app\"".into())
            }
            Expected::OneOf(names) => crate::error::did_you_mean(found, names),
            Expected::Version { stack, example } => {
                Some(format!("for example: {stack} \"{example}\""))
            }
            Expected::Release { example, .. } => {
                Some(format!("for example: release=\"{example}\""))
            }
            Expected::Package { example, .. } => Some(format!("for example: {example}")),
            _ => None,
        }
    }
}
