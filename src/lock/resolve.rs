//! Asking a registry what a tag points at, through `docker buildx imagetools inspect`: it
//! reads the registry (not the local image store, whose tags say nothing about what users
//! pull), uses `docker login`'s credentials, and reports a multi-platform index as it is.

use std::collections::BTreeMap;
use std::process::Command;

use miette::SourceSpan;
use serde_json::Value;

use super::LockedImage;
use crate::error::{Error, Expected};
use crate::plan::ImageRef;

/// Resolves references to digests, each once per run, so every recipe of a workspace that
/// builds from the same tag gets the same digest.
pub struct Resolver {
    docker: String,
    resolved: BTreeMap<String, LockedImage>,
}

impl Default for Resolver {
    fn default() -> Self {
        Resolver {
            docker: crate::docker::docker_program(),
            resolved: BTreeMap::new(),
        }
    }
}

impl Resolver {
    /// The digest a reference points at now, and each platform it covers.
    pub fn resolve(&mut self, image: &ImageRef) -> Result<LockedImage, Error> {
        let reference = image.to_string();
        if let Some(found) = self.resolved.get(&reference) {
            return Ok(found.clone());
        }
        let manifest = self.inspect(&reference, "{{json .Manifest}}")?;
        let digest = digest_of(&manifest).ok_or_else(|| Error::ImageNotResolved {
            image: reference.clone(),
            detail: "the registry's answer holds no sha256 digest".into(),
        })?;
        let platforms = match manifest.get("manifests").and_then(Value::as_array) {
            // an index: each platform's manifest, without the attestations (unknown/unknown)
            Some(list) => list
                .iter()
                .filter_map(|m| Some((platform_of(m.get("platform")?)?, digest_of(m)?)))
                .collect(),
            // one manifest: its platform is in its image's config
            None => {
                let config = self.inspect(&reference, "{{json .Image}}")?;
                platform_of(&config)
                    .map(|p| vec![(p, digest.clone())])
                    .unwrap_or_default()
            }
        };
        let locked = LockedImage {
            reference: reference.clone(),
            digest,
            platforms,
            span: SourceSpan::from((0, 0)),
        };
        self.resolved.insert(reference, locked.clone());
        Ok(locked)
    }

    fn inspect(&self, reference: &str, format: &str) -> Result<Value, Error> {
        let args = [
            "buildx",
            "imagetools",
            "inspect",
            "--format",
            format,
            reference,
        ];
        let out = Command::new(&self.docker)
            .args(args)
            .output()
            .map_err(|source| Error::Spawn {
                command: format!("{} {}", self.docker, args.join(" ")),
                source,
            })?;
        let fail = |detail: String| Error::ImageNotResolved {
            image: reference.into(),
            detail,
        };
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = (stderr.lines().rev())
                .find(|l| !l.trim().is_empty())
                .unwrap_or("docker buildx imagetools inspect failed")
                .trim();
            // "ERROR: python:3.99: not found" says the reference the error names already
            let last = last.strip_prefix("ERROR: ").unwrap_or(last);
            let prefix = format!("{reference}: ");
            return Err(fail(last.strip_prefix(&prefix).unwrap_or(last).to_string()));
        }
        serde_json::from_slice(&out.stdout)
            .map_err(|e| fail(format!("docker's answer is not the JSON expected: {e}")))
    }
}

fn digest_of(descriptor: &Value) -> Option<String> {
    let digest = descriptor.get("digest")?.as_str()?;
    crate::form::matches(&Expected::Digest, digest).then(|| digest.to_string())
}

/// `linux/arm64/v8` from a platform object (or an image config, which has the same fields);
/// None for an attestation's `unknown/unknown`.
fn platform_of(platform: &Value) -> Option<String> {
    let field = |name: &str| platform.get(name).and_then(Value::as_str);
    let mut text = format!("{}/{}", field("os")?, field("architecture")?);
    if let Some(variant) = field("variant") {
        text.push('/');
        text.push_str(variant);
    }
    (field("os") != Some("unknown") && crate::form::matches(&Expected::Platform, &text))
        .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_lists_its_platforms_and_not_its_attestations() {
        let index = serde_json::json!({"manifests": [
            {"digest": format!("sha256:{}", "a".repeat(64)),
             "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
            {"digest": format!("sha256:{}", "b".repeat(64)),
             "platform": {"os": "unknown", "architecture": "unknown"}},
        ]});
        let platforms: Vec<String> = index["manifests"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| platform_of(&m["platform"]))
            .collect();
        assert_eq!(platforms, ["linux/arm64/v8"]);
        assert_eq!(
            digest_of(&serde_json::json!({"digest": "sha256:short"})),
            None
        );
    }
}
