//! The shape check of one node: its arguments, properties and their types, against its spec.

use std::collections::BTreeMap;

use kdl::{KdlEntry, KdlNode, KdlValue};

use super::nodes::{Args, NodeSpec, Props};
use super::{Node, Scalar, Spanned};
use crate::error::{closest, Found, Kind, RecipeError, ValueKind};
use crate::knowledge::Knowledge;

/// Checks one node against its spec, pushing an error for each part that does not fit. The
/// node comes back with the parts that do, so that the model can check them too.
pub(crate) fn check_node(
    node: &KdlNode,
    spec: &NodeSpec,
    knowledge: &Knowledge,
    errors: &mut Vec<RecipeError>,
) -> Node {
    let before = errors.len();
    let name = node.name().value();
    if !spec.block {
        if let Some(children) = node.children() {
            errors.push(RecipeError::new(
                children.span(),
                Kind::TakesNoBlock { node: name.into() },
            ));
        }
    }
    let mut args = vec![];
    let mut props = BTreeMap::new();
    for entry in node.entries() {
        match entry.name() {
            None => {
                let kind = match spec.args {
                    Args::None => {
                        errors.push(RecipeError::new(
                            entry.span(),
                            Kind::UnexpectedArgument {
                                node: name.into(),
                                properties: match spec.props {
                                    Props::Any => None,
                                    Props::Fixed(list) => {
                                        Some(list.iter().map(|(p, ..)| p.to_string()).collect())
                                    }
                                    Props::Stack => Some(vec![]),
                                },
                            },
                        ));
                        continue;
                    }
                    Args::One(k) | Args::Optional(k) => {
                        if !args.is_empty() {
                            errors.push(RecipeError::new(
                                entry.span(),
                                Kind::ExtraArgument { node: name.into() },
                            ));
                            continue;
                        }
                        k
                    }
                    Args::Many(k) | Args::Any(k) => k,
                };
                if let Some(v) = check_value(name, entry, kind, errors) {
                    args.push(v);
                }
            }
            Some(key) => {
                let key_name = key.value();
                let allowed: Vec<String> = match spec.props {
                    Props::Any => vec![],
                    Props::Fixed(list) => list.iter().map(|(p, ..)| p.to_string()).collect(),
                    Props::Stack => knowledge
                        .stack(name)
                        .map(|s| s.properties.keys().cloned().collect())
                        .unwrap_or_default(),
                };
                let kind = match spec.props {
                    Props::Any => ValueKind::Text,
                    Props::Fixed(list) => match list.iter().find(|(p, ..)| *p == key_name) {
                        Some((_, k, _)) => *k,
                        None => ValueKind::Str,
                    },
                    Props::Stack => match knowledge.stack(name) {
                        Some(s) if s.flags.iter().any(|f| f == key_name) => ValueKind::Bool,
                        _ => ValueKind::Str,
                    },
                };
                if spec.props != Props::Any && !allowed.iter().any(|p| p == key_name) {
                    errors.push(RecipeError::new(
                        key.span(),
                        Kind::UnknownProperty {
                            node: name.into(),
                            name: key_name.into(),
                            suggestion: closest(key_name, allowed.iter().map(String::as_str))
                                .map(String::from),
                            allowed,
                        },
                    ));
                    continue;
                }
                if let Some(v) = check_value(name, entry, kind, errors) {
                    if let Some((first, _)) = props.get(key_name) {
                        errors.push(RecipeError::new(
                            key.span(),
                            Kind::DuplicateProperty {
                                node: name.into(),
                                property: key_name.into(),
                                first: *first,
                            },
                        ));
                    } else {
                        props.insert(key_name.to_string(), (key.span(), v));
                    }
                }
            }
        }
    }
    let needs_arg = matches!(spec.args, Args::One(_) | Args::Many(_));
    if needs_arg && args.is_empty() && errors.len() == before {
        errors.push(RecipeError::new(
            node.name().span(),
            Kind::MissingArgument {
                node: name.into(),
                many: matches!(spec.args, Args::Many(_)),
                example: (!spec.example.is_empty()).then_some(spec.example),
            },
        ));
    }
    Node {
        name: Spanned::new(name.to_string(), node.name().span()),
        span: node.span(),
        args,
        props,
    }
}

fn check_value(
    node: &str,
    entry: &KdlEntry,
    kind: ValueKind,
    errors: &mut Vec<RecipeError>,
) -> Option<Spanned<Scalar>> {
    let (value, span) = (entry.value(), entry.span());
    let found = match value {
        KdlValue::String(s) => Found::String(s.clone()),
        KdlValue::Integer(_) => Found::Number,
        KdlValue::Float(f) => Found::Decimal {
            // as the user typed it: the parsed float has lost any trailing zero
            typed: entry
                .format()
                .map(|f| f.value_repr.trim().to_string())
                .unwrap_or_else(|| f.to_string()),
            value: f.to_string(),
        },
        KdlValue::Bool(_) => Found::Bool,
        KdlValue::Null => Found::Null,
    };
    use ValueKind as K;
    let scalar = match (kind, value.clone()) {
        (K::Str | K::Version | K::Port | K::Text, KdlValue::String(s)) => Scalar::Text(s),
        (K::Version | K::Port | K::Text | K::Int, KdlValue::Integer(i)) => Scalar::Int(i),
        (K::Text | K::Bool, KdlValue::Bool(b)) => Scalar::Bool(b),
        _ => {
            errors.push(RecipeError::new(
                span,
                Kind::WrongType {
                    node: node.into(),
                    property: entry.name().map(|n| n.value().into()),
                    expected: kind,
                    found,
                },
            ));
            return None;
        }
    };
    Some(Spanned::new(scalar, span))
}
