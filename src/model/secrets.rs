//! `secret` nodes: what the dependency install needs that must be in no layer.

use serde::Serialize;

use super::Checker;
use crate::error::{Expected, Kind};
use crate::knowledge::StackData;
use crate::syntax::{Recipe, Spanned};

/// A secret of the build, and where its value comes from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Secret {
    pub id: String,
    pub source: SecretSource,
    /// the `secret` node, for errors about the value at build time
    #[serde(skip)]
    pub span: miette::SourceSpan,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum SecretSource {
    /// a variable of the environment, given to the install as the same variable
    Env(String),
    /// a file on the user's machine (`file`), mounted at `target` during the install
    File { file: String, target: String },
}

/// The recipe's `secret` nodes, checked. A file secret with no `target` is mounted where the
/// manager (or the stack) reads its configuration.
pub fn secrets(
    c: &mut Checker,
    recipe: &Recipe,
    data: Option<&StackData>,
    manager: Option<&Spanned<String>>,
) -> Vec<Secret> {
    let default_target = data.and_then(|data| {
        manager
            .and_then(|m| data.managers.get(&m.value))
            .and_then(|m| m.secret_file.clone())
            .or_else(|| data.secret_file.clone())
    });
    let mut out: Vec<Secret> = vec![];
    for node in recipe.all("secret") {
        let Some(id) = node
            .arg(0)
            .and_then(|v| c.value("secret", v, Expected::SecretId))
        else {
            continue;
        };
        if out.iter().any(|s| s.id == id) {
            c.error(node.name.span, Kind::DuplicateSecret { id });
            continue;
        }
        let env = node.prop("env");
        let file = node.prop("file");
        let source = match (env, file) {
            (Some(env), None) => c
                .value("secret", env, Expected::EnvKey)
                .map(SecretSource::Env),
            (None, Some(file)) => {
                let target = match node.prop("target") {
                    Some(t) => c.value("secret", t, Expected::AbsolutePath),
                    None => default_target.clone(),
                };
                let file = c.value("secret", file, Expected::HostPath);
                match (file, target) {
                    (Some(file), Some(target)) => Some(SecretSource::File { file, target }),
                    (Some(_), None) if node.prop("target").is_none() => {
                        c.error(node.name.span, Kind::SecretWithoutTarget);
                        None
                    }
                    _ => None,
                }
            }
            _ => {
                c.error(node.name.span, Kind::SecretSource);
                None
            }
        };
        if let Some(source) = source {
            out.push(Secret {
                id,
                source,
                span: node.span,
            });
        }
    }
    out
}
