//! Reading `dslim.lock`: the same KDL, shape check and diagnostics as a recipe, so a lock
//! edited by hand (or mangled by a merge) is reported at its line. Every value that reaches
//! a `FROM` is checked against its form here.

use std::collections::BTreeMap;

use kdl::KdlNode;
use miette::SourceSpan;

use super::{Lock, LockedImage, FORMAT};
use crate::error::{closest, Expected, Kind, RecipeError, ValueKind};
use crate::knowledge::Knowledge;
use crate::syntax::nodes::{Args, NodeSpec, Props};
use crate::syntax::{check_node, read_kdl, Node, Scalar};

const VERSION: NodeSpec = NodeSpec {
    name: "version",
    args: Args::One(ValueKind::Int),
    props: Props::Fixed(&[]),
    repeatable: false,
    block: false,
    description: "The lock's format.",
    example: "version 1",
};

const DIGEST: &[(&str, ValueKind, &str)] = &[("digest", ValueKind::Str, "its content digest")];

const IMAGE: NodeSpec = NodeSpec {
    name: "image",
    args: Args::One(ValueKind::Str),
    props: Props::Fixed(DIGEST),
    repeatable: true,
    block: true,
    description: "A base image and the digest its FROM is pinned to.",
    example: "image \"python:3.13-slim\" digest=\"sha256:…\"",
};

const PLATFORM: NodeSpec = NodeSpec {
    name: "platform",
    args: Args::One(ValueKind::Str),
    props: Props::Fixed(DIGEST),
    repeatable: true,
    block: false,
    description: "A platform the image's digest covers, and its manifest's digest.",
    example: "platform \"linux/amd64\" digest=\"sha256:…\"",
};

/// Reads a lock's text, or says everything that is wrong with it. A lock of a newer format
/// is refused at its `version` and read no further.
pub(super) fn parse(text: &str, knowledge: &Knowledge) -> Result<Lock, Vec<RecipeError>> {
    let doc = read_kdl(text)?;
    let mut errors = vec![];
    let mut version = None;
    // a `version` line whose value is wrong is reported as such, not as a missing one
    let mut version_line = false;
    let mut images = vec![];
    let mut seen: BTreeMap<String, SourceSpan> = BTreeMap::new();
    for node in doc.nodes() {
        match node.name().value() {
            "version" => {
                version_line = true;
                let checked = check_node(node, &VERSION, knowledge, &mut errors);
                if let Some(arg) = checked.arg(0) {
                    version = Some((arg.value.as_text(), arg.span));
                }
            }
            "image" => {
                let Some(image) = read_image(node, knowledge, &mut errors) else {
                    continue;
                };
                match seen.insert(image.reference.clone(), image.span) {
                    Some(first) => errors.push(RecipeError::new(
                        image.span,
                        Kind::DuplicateNode {
                            node: format!("image \"{}\"", image.reference),
                            first,
                        },
                    )),
                    None => images.push(image),
                }
            }
            other => errors.push(unknown(node, other, &["version", "image"])),
        }
    }
    match version {
        Some((found, _)) if found == FORMAT.to_string() => {}
        Some((found, span)) => {
            return Err(vec![RecipeError::new(
                span,
                Kind::LockFormat {
                    found: Some(found),
                    supported: FORMAT,
                },
            )])
        }
        None if version_line => {}
        None => errors.insert(
            0,
            RecipeError::new(
                SourceSpan::from((0, 0)),
                Kind::LockFormat {
                    found: None,
                    supported: FORMAT,
                },
            ),
        ),
    }
    match errors.is_empty() {
        true => Ok(Lock { images }),
        false => Err(errors),
    }
}

/// One `image` entry with its platforms, if each of its values has its form.
fn read_image(
    node: &KdlNode,
    knowledge: &Knowledge,
    errors: &mut Vec<RecipeError>,
) -> Option<LockedImage> {
    let before = errors.len();
    let checked = check_node(node, &IMAGE, knowledge, errors);
    let reference = value(&checked, None, Expected::Image, errors);
    let digest = value(&checked, Some("digest"), Expected::Digest, errors);
    let mut platforms = vec![];
    for child in node.children().map(|c| c.nodes()).unwrap_or_default() {
        if child.name().value() != PLATFORM.name {
            errors.push(unknown(child, child.name().value(), &["platform"]));
            continue;
        }
        let checked = check_node(child, &PLATFORM, knowledge, errors);
        let platform = value(&checked, None, Expected::Platform, errors);
        let digest = value(&checked, Some("digest"), Expected::Digest, errors);
        platforms.extend(platform.zip(digest));
    }
    (errors.len() == before).then(|| LockedImage {
        reference: reference.unwrap_or_default(),
        digest: digest.unwrap_or_default(),
        platforms,
        span: checked.arg(0).map_or(checked.name.span, |arg| arg.span),
    })
}

/// A node's argument (`property` None) or property, when present and of its form; an
/// absent one is an error too, as every entry of a lock needs all of its values.
fn value(
    node: &Node,
    property: Option<&str>,
    form: Expected,
    errors: &mut Vec<RecipeError>,
) -> Option<String> {
    let found = match property {
        None => node.arg(0),
        Some(name) => node.prop(name),
    };
    let Some(found) = found else {
        // a missing argument is reported by the shape check already
        if let Some(property) = property {
            errors.push(RecipeError::new(
                node.name.span,
                Kind::MissingProperty {
                    node: node.name.value.clone(),
                    property: property.into(),
                    help: "`dslim lock --update` writes every entry anew".into(),
                },
            ));
        }
        return None;
    };
    let Scalar::Text(text) = &found.value else {
        return None;
    };
    if !crate::form::matches(&form, text) {
        errors.push(RecipeError::new(
            found.span,
            Kind::Invalid {
                node: node.name.value.clone(),
                expected: form,
                found: text.clone(),
            },
        ));
        return None;
    }
    Some(text.clone())
}

fn unknown(node: &KdlNode, name: &str, known: &[&str]) -> RecipeError {
    RecipeError::new(
        node.name().span(),
        Kind::UnknownNode {
            name: name.into(),
            suggestion: closest(name, known.iter().copied()).map(String::from),
            known: known.iter().map(|k| k.to_string()).collect(),
        },
    )
}
