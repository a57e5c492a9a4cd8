//! Knowledge about stacks, loaded from `recipes/stacks.toml` (compiled into the binary).
//! Code asks this module what an image is called or how a package manager installs;
//! it never spells those things itself.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const STACKS_TOML: &str = include_str!("../recipes/stacks.toml");

#[derive(Debug, Deserialize)]
pub struct Knowledge {
    pub distros: BTreeMap<String, Distro>,
    pub spa: Spa,
    pub stacks: BTreeMap<String, Stack>,
    pub planned: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct Distro {
    pub default_release: String,
    pub releases: BTreeMap<String, String>,
    pub release_pattern: String,
    pub runtime_image: String,
    pub install: String,
    pub add_user: String,
    pub adopt_user: String,
    pub refuse_root: String,
    pub own_workdir: String,
    pub package_pattern: String,
    pub build_tools: Vec<String>,
    #[serde(default)]
    pub companions: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct Spa {
    pub default_nginx: String,
    pub image: String,
    pub uid: u32,
    pub html: String,
    pub conf: String,
    pub default_port: u16,
    pub server_conf: Vec<String>,
    pub fallback: String,
    pub no_fallback: String,
}

#[derive(Debug, Deserialize)]
pub struct Stack {
    pub default_version: String,
    pub version_pattern: String,
    pub version_example: String,
    pub min_version: String,
    #[serde(default)]
    pub default_manager: Option<String>,
    /// (file, manager): the manager a file in the project implies, first match wins
    #[serde(default)]
    pub manager_files: Vec<(String, String)>,
    pub default_runtime: String,
    pub runtimes: Vec<String>,
    pub properties: Vec<String>,
    pub default_port: u16,
    pub dockerignore: Vec<String>,
    #[serde(default)]
    pub healthcheck: Vec<String>,
    #[serde(default)]
    pub runtime_env: Vec<(String, String)>,
    #[serde(default)]
    pub artifacts: Vec<(String, String)>,
    #[serde(default)]
    pub strip_compiled: Option<String>,
    #[serde(default)]
    pub builder_env: Vec<(String, String)>,
    #[serde(default)]
    pub image_user: Option<String>,
    pub images: BTreeMap<String, Images>,
    #[serde(default)]
    pub managers: BTreeMap<String, Manager>,
    // compiled stacks (go, rust)
    #[serde(default)]
    pub manifests: Vec<String>,
    #[serde(default)]
    pub cache: Vec<String>,
    #[serde(default)]
    pub download: Option<String>,
    #[serde(default)]
    pub build: Option<String>,
    #[serde(default)]
    pub distroless: Option<String>,
    #[serde(default)]
    pub certificates: Vec<(String, String)>,
    #[serde(default)]
    pub compose_init: bool,
    #[serde(default)]
    pub missing_hint: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Images {
    pub builder: String,
    #[serde(default)]
    pub slim: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Manager {
    pub manifests: Vec<String>,
    pub cache: Vec<String>,
    #[serde(default)]
    pub builder_env: Vec<(String, String)>,
    #[serde(default)]
    pub setup: Option<String>,
    /// python: the commands that fill /opt/venv
    #[serde(default)]
    pub install: Vec<String>,
    /// node
    #[serde(default)]
    pub install_production: Option<String>,
    #[serde(default)]
    pub install_all: Option<String>,
    #[serde(default)]
    pub run_script: Option<String>,
    #[serde(default)]
    pub prune: Option<String>,
    /// what to run when the manifests or lockfile are missing
    #[serde(default)]
    pub missing_hint: Option<String>,
}

/// The stack knowledge. The TOML is part of the binary and checked by the tests,
/// so failing to parse it is a bug in dslim, not a user error.
pub fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| {
        toml::from_str(STACKS_TOML)
            .unwrap_or_else(|e| panic!("recipes/stacks.toml is invalid: {e}"))
    })
}

/// Fills `{name}` placeholders. Values reaching here are validated by the model,
/// so no escaping happens at this level.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Compares dotted version numbers ("3.9" < "3.13").
pub fn version_at_least(version: &str, min: &str) -> bool {
    let parse = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    let (v, m) = (parse(version), parse(min));
    for i in 0..m.len().max(v.len()) {
        let (a, b) = (
            v.get(i).copied().unwrap_or(0),
            m.get(i).copied().unwrap_or(0),
        );
        if a != b {
            return a > b;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knowledge_parses_and_every_stack_has_debian_images() {
        let k = knowledge();
        for (name, stack) in &k.stacks {
            assert!(
                stack.images.contains_key("debian"),
                "{name} has no debian images"
            );
            assert!(
                stack.images.contains_key("alpine"),
                "{name} has no alpine images"
            );
            if let Some(m) = &stack.default_manager {
                assert!(
                    stack.managers.contains_key(m),
                    "{name}: default manager {m} unknown"
                );
            }
            assert!(stack.runtimes.contains(&stack.default_runtime), "{name}");
        }
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("3.13", "3.9"));
        assert!(!version_at_least("3.8", "3.9"));
        assert!(version_at_least("1.24.2", "1.24"));
        assert!(!version_at_least("17", "18"));
    }
}
