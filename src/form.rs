//! The forms recipe values must take: the character sets that make injection impossible.
//! A value reaches a Dockerfile or compose.yaml only if it matches its form here; the
//! renderers then quote on top. The wording of each form lives with the errors
//! (`error::Expected`); its pattern lives here.

use std::sync::OnceLock;

use regex::Regex;

use crate::error::Expected;

/// The pattern of a form, or None for forms that are checked otherwise (lists, ids, free text).
pub fn pattern(form: &Expected) -> Option<&'static Regex> {
    macro_rules! cached {
        ($re:expr) => {{
            static CELL: OnceLock<Option<Regex>> = OnceLock::new();
            // the patterns are literals, compiled and matched in this module's tests
            CELL.get_or_init(|| Regex::new($re).ok()).as_ref()
        }};
    }
    match form {
        Expected::AppName => cached!(r"^[a-z0-9][a-z0-9_.-]{0,62}$"),
        Expected::UserName => cached!(r"^[a-z_][a-z0-9_-]{0,31}$"),
        // segments may be hidden (`.next`), never `.` or `..`
        Expected::RelativePath | Expected::RelativeFolder => {
            cached!(r"^\.?[A-Za-z0-9_@+][A-Za-z0-9_@+.-]*(/\.?[A-Za-z0-9_@+][A-Za-z0-9_@+.-]*)*/?$")
        }
        Expected::AbsolutePath => cached!(r"^/[A-Za-z0-9._@+/-]*$"),
        Expected::GoPackage => cached!(r"^\.(/[A-Za-z0-9._@+-]+)*(/\.\.\.)?$"),
        Expected::Binary => cached!(r"^[A-Za-z0-9][A-Za-z0-9_-]*$"),
        Expected::MixRelease => cached!(r"^[a-z][a-z0-9_]{0,62}$"),
        Expected::Script => cached!(r"^[A-Za-z0-9][A-Za-z0-9:_.-]*$"),
        Expected::EnvKey => cached!(r"^[A-Za-z_][A-Za-z0-9_]*$"),
        Expected::SecretId => cached!(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"),
        Expected::HostPath => cached!(r"^(~/|/)?[A-Za-z0-9_@+.-]+(/[A-Za-z0-9_@+.-]+)*$"),
        Expected::LabelKey => cached!(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"),
        Expected::Port => cached!(r"^([0-9]{1,5})(/(tcp|udp))?$"),
        Expected::HttpPath => cached!(r"^/[A-Za-z0-9._~/?=&%-]*$"),
        Expected::Duration => cached!(r"^[0-9]+(ms|s|m|h)$"),
        Expected::Registry => {
            cached!(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)*$")
        }
        Expected::Image => {
            // a registry's port (localhost:5000/acme/api) is not a tag
            cached!(
                r"^[a-z0-9][a-z0-9._-]*(:[0-9]+)?(/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$"
            )
        }
        Expected::Digest => cached!(r"^sha256:[0-9a-f]{64}$"),
        Expected::Platform => cached!(r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$"),
        Expected::NginxVersion => cached!(r"^[0-9]+\.[0-9]+(\.[0-9]+)?$"),
        Expected::IgnorePattern => cached!(r"^[^\s#][^\x00-\x1f]*$"),
        Expected::OneLine
        | Expected::UserId
        | Expected::Retries
        | Expected::OneOf(_)
        | Expected::Version { .. }
        | Expected::Release { .. }
        | Expected::Package { .. } => None,
    }
}

/// Whether `text` has the form (forms without a pattern of their own accept any single line).
pub fn matches(form: &Expected, text: &str) -> bool {
    match pattern(form) {
        Some(re) => re.is_match(text),
        None => !text.chars().any(char::is_control),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for form in [
            Expected::AppName,
            Expected::UserName,
            Expected::RelativePath,
            Expected::AbsolutePath,
            Expected::GoPackage,
            Expected::Binary,
            Expected::MixRelease,
            Expected::Script,
            Expected::EnvKey,
            Expected::SecretId,
            Expected::HostPath,
            Expected::LabelKey,
            Expected::Port,
            Expected::HttpPath,
            Expected::Duration,
            Expected::Registry,
            Expected::Image,
            Expected::Digest,
            Expected::Platform,
            Expected::NginxVersion,
            Expected::IgnorePattern,
        ] {
            assert!(pattern(&form).is_some(), "{form:?}");
        }
        assert!(matches(&Expected::GoPackage, "./cmd/server"));
        assert!(!matches(&Expected::RelativePath, "../x"));
        assert!(!matches(&Expected::RelativePath, "a/../../etc"));
        assert!(!matches(&Expected::RelativePath, "./x"));
        assert!(matches(&Expected::RelativeFolder, ".next/cache"));
        assert!(matches(&Expected::RelativeFolder, "dist/"));
        assert!(!matches(&Expected::OneLine, "a\nb"));
        for image in [
            "python:3.13-slim",
            "localhost:5000/library/python:3.13",
            "ghcr.io/a/b",
        ] {
            assert!(matches(&Expected::Image, image), "{image}");
        }
        assert!(!matches(&Expected::Image, "python:3.13\nRUN x"));
        assert!(!matches(&Expected::Digest, "sha256:abc"));
        assert!(matches(&Expected::MixRelease, "my_app"));
        assert!(!matches(&Expected::MixRelease, "my-app"));
    }
}
