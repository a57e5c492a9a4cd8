//! A workspace recipe: the `dslim.kdl` at a monorepo's root that names its members and the
//! defaults they share, `workspace "shop" { members "services/*"; defaults { ... } }`.

use std::collections::BTreeMap;

use kdl::KdlDocument;
use miette::SourceSpan;

use super::nodes::{DEFAULTS, MEMBERS, WORKSPACE};
use super::shape::check_node;
use super::{read_children, read_kdl, Node, Recipe, Spanned};
use crate::error::{closest, Kind, RecipeError};
use crate::knowledge::Knowledge;

/// The parsed workspace recipe.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub name: Spanned<String>,
    /// globs of member folders, relative to the workspace's folder; empty: every recipe below
    pub members: Vec<Spanned<String>>,
    /// app nodes every member gets unless it sets them itself
    pub defaults: Vec<Node>,
}

/// Whether recipe text is a workspace's: its first node is `workspace`. Text that KDL cannot
/// read is not (it is reported as the recipe it was meant to be).
pub fn is_workspace(text: &str) -> bool {
    KdlDocument::parse_v2(text).is_ok_and(|doc| {
        doc.nodes()
            .first()
            .is_some_and(|n| n.name().value() == WORKSPACE.name)
    })
}

/// Parses a workspace recipe, or says everything that is wrong with it.
pub fn parse_workspace(text: &str, knowledge: &Knowledge) -> Result<Workspace, Vec<RecipeError>> {
    let doc = read_kdl(text)?;
    let mut errors = vec![];
    let mut workspace: Option<Workspace> = None;
    for node in doc.nodes() {
        let name = node.name().value();
        if name != WORKSPACE.name || workspace.is_some() {
            errors.push(RecipeError::new(
                node.name().span(),
                Kind::NotInWorkspace {
                    name: name.to_string(),
                },
            ));
            continue;
        }
        let checked = check_node(node, &WORKSPACE, knowledge, &mut errors);
        let mut found = Workspace {
            name: checked
                .arg(0)
                .map(|a| Spanned::new(a.value.as_text(), a.span))
                .unwrap_or_else(|| Spanned::new(String::new(), checked.name.span)),
            members: vec![],
            defaults: vec![],
        };
        let mut seen: BTreeMap<String, SourceSpan> = BTreeMap::new();
        for child in node.children().map(|c| c.nodes()).unwrap_or_default() {
            let child_name = child.name().value();
            let span = child.name().span();
            let spec = match child_name {
                "members" => &MEMBERS,
                "defaults" => &DEFAULTS,
                _ => {
                    errors.push(RecipeError::new(
                        span,
                        Kind::UnknownNode {
                            name: child_name.to_string(),
                            suggestion: closest(child_name, ["members", "defaults"])
                                .map(String::from),
                            known: vec!["members".into(), "defaults".into()],
                        },
                    ));
                    continue;
                }
            };
            if let Some(first) = seen.insert(child_name.to_string(), span) {
                errors.push(RecipeError::new(
                    span,
                    Kind::DuplicateNode {
                        node: child_name.to_string(),
                        first,
                    },
                ));
                continue;
            }
            let checked = check_node(child, spec, knowledge, &mut errors);
            if spec.name == MEMBERS.name {
                found.members = checked
                    .args
                    .iter()
                    .map(|a| Spanned::new(a.value.as_text(), a.span))
                    .collect();
            } else if let Some(children) = child.children() {
                let mut defaults = Recipe {
                    app: checked,
                    nodes: vec![],
                    unreadable: vec![],
                };
                read_children(children, knowledge, &mut defaults, &mut errors);
                found.defaults = defaults.nodes;
            }
        }
        workspace = Some(found);
    }
    match workspace {
        Some(w) if errors.is_empty() => Ok(w),
        None if errors.is_empty() => Err(vec![RecipeError::new(
            SourceSpan::from((0, 0)),
            Kind::NoApp,
        )]),
        _ => Err(errors),
    }
}
