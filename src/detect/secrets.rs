//! Private registries an app installs from, seen in its configuration: the `secret` nodes
//! init writes so that the install gets the token and no layer does.

use super::{Evidence, Finding};
use crate::project::Project;
use crate::template::{NameNames, Pattern, Template};

/// A `secret` node to write: its id, and where its value comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretGuess {
    pub id: String,
    /// the variable it is read from (and given to the install as)
    pub env: Option<String>,
    /// or the file it is read from
    pub file: Option<String>,
}

impl SecretGuess {
    /// A secret read from the variable `var`; its id is the variable's name in lowercase.
    pub fn env(var: &str) -> Self {
        SecretGuess {
            id: var.to_ascii_lowercase().replace('_', "-"),
            env: Some(var.to_string()),
            file: None,
        }
    }

    pub fn file(id: &str, file: &str) -> Self {
        SecretGuess {
            id: id.to_string(),
            env: None,
            file: Some(file.to_string()),
        }
    }
}

/// Each variable `pattern` (group 1) finds in `file`, with its line: `${NPM_TOKEN}` in an
/// .npmrc, in a requirements file's index URL.
pub fn variables_in(project: &Project, file: &str, pattern: &Pattern) -> Vec<(String, Evidence)> {
    let Some(text) = project.read(file) else {
        return vec![];
    };
    let mut found: Vec<(String, Evidence)> = vec![];
    for (i, line) in text.lines().enumerate() {
        for captures in pattern.0.captures_iter(line) {
            if let Some(var) = captures.get(1).map(|m| m.as_str().to_string()) {
                if !found.iter().any(|(v, _)| *v == var) {
                    found.push((var, Evidence::line(file, i + 1, "")));
                }
            }
        }
    }
    found
}

/// The variables that name a registry's credentials, for each `name` a configuration gives
/// (`[[tool.uv.index]]`, cargo's `[registries.NAME]`): `UV_INDEX_ACME_PASSWORD`.
pub fn named(
    names: &[(String, Evidence)],
    templates: &[Template<NameNames>],
) -> Vec<Finding<SecretGuess>> {
    let mut out = vec![];
    for (name, evidence) in names {
        // the tools' own rule: upper case, anything but letters and digits as `_`
        let upper: String = name
            .chars()
            .map(|c| match c.is_ascii_alphanumeric() {
                true => c.to_ascii_uppercase(),
                false => '_',
            })
            .collect();
        for template in templates {
            if let Ok(var) = template.render(&[("name", &upper)]) {
                out.push(Finding::found(SecretGuess::env(&var), evidence.clone()));
            }
        }
    }
    out
}
