//! Image references as data, so that a later pass (a lock of base-image digests) can pin every
//! stage's `FROM` without parsing text.

use std::fmt;

use serde::Serialize;

/// `[registry/]name[:tag][@digest]`; `scratch` is a name with neither.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImageRef {
    /// the repository, with its registry host when it has one
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn scratch() -> Self {
        ImageRef {
            name: "scratch".into(),
            tag: None,
            digest: None,
        }
    }

    /// A stage of the same Dockerfile as the base of another (`FROM builder AS interpreter`).
    pub fn stage(name: super::StageName) -> Self {
        ImageRef {
            name: name.as_str().into(),
            tag: None,
            digest: None,
        }
    }

    /// Reads a reference as Docker does: the tag follows the last `:` after the last `/`
    /// (a registry's port is not a tag), the digest follows `@`.
    pub fn parse(text: &str) -> Self {
        let (rest, digest) = match text.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (text, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                rest[..last_slash + i].to_string(),
                Some(rest[last_slash + i + 1..].to_string()),
            ),
            None => (rest.to_string(), None),
        };
        ImageRef { name, tag, digest }
    }

    /// The same image behind a registry mirror: `python:3.13` -> `mirror/library/python:3.13`.
    /// References that already name a registry (gcr.io/...) are left alone.
    pub fn behind(self, registry: Option<&str>) -> Self {
        let Some(registry) = registry else {
            return self;
        };
        let first = self.name.split('/').next().unwrap_or("");
        let has_registry = self.name.contains('/') && (first.contains('.') || first.contains(':'));
        if has_registry || self.name == "scratch" {
            return self;
        }
        let name = if self.name.contains('/') {
            format!("{registry}/{}", self.name)
        } else {
            format!("{registry}/library/{}", self.name)
        };
        ImageRef { name, ..self }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mirrored(registry: &str, image: &str) -> String {
        ImageRef::parse(image).behind(Some(registry)).to_string()
    }

    #[test]
    fn registry_mirrors_official_and_namespaced_images_only() {
        assert_eq!(
            mirrored("m.example.com/hub", "python:3.13-slim"),
            "m.example.com/hub/library/python:3.13-slim"
        );
        assert_eq!(
            mirrored("m.example.com", "nginxinc/nginx-unprivileged:1.28"),
            "m.example.com/nginxinc/nginx-unprivileged:1.28"
        );
        assert_eq!(
            mirrored("m.example.com", "gcr.io/distroless/static-debian13:nonroot"),
            "gcr.io/distroless/static-debian13:nonroot"
        );
    }

    #[test]
    fn references_read_back_as_written() {
        for text in [
            "python:3.13-slim-trixie",
            "localhost:5000/library/python:3.13",
            "localhost:5000/python",
            "gcr.io/distroless/cc-debian13:nonroot@sha256:abc",
            "scratch",
        ] {
            assert_eq!(ImageRef::parse(text).to_string(), text);
        }
        let r = ImageRef::parse("localhost:5000/python");
        assert_eq!((r.name.as_str(), r.tag), ("localhost:5000/python", None));
    }
}
