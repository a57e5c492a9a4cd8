//! Recipe text -> parsed recipe. This step checks the *shape* of a recipe: which nodes exist,
//! how many arguments they take, which properties, and of what type. What the values mean is
//! checked by `model`. Every value keeps the span of its token, so later errors can point at it.

use std::collections::BTreeMap;

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};
use miette::SourceSpan;

use crate::error::{did_you_mean, RecipeError};
use crate::stacks::knowledge;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: SourceSpan,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: SourceSpan) -> Self {
        Spanned { value, span }
    }
}

/// A scalar as the recipe wrote it, after the shape check.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Int(i128),
    Bool(bool),
}

impl Scalar {
    pub fn as_text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// One node of the recipe, shape-checked against its `Spec`.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: Spanned<String>,
    pub span: SourceSpan,
    pub args: Vec<Spanned<Scalar>>,
    pub props: BTreeMap<String, (SourceSpan, Spanned<Scalar>)>,
}

impl Node {
    pub fn arg(&self, i: usize) -> Option<&Spanned<Scalar>> {
        self.args.get(i)
    }
    pub fn prop(&self, name: &str) -> Option<&Spanned<Scalar>> {
        self.props.get(name).map(|(_, v)| v)
    }
}

/// The parsed recipe: one `app` and its nodes, in the order written.
#[derive(Debug, Clone)]
pub struct Recipe {
    pub app: Node,
    pub nodes: Vec<Node>,
}

impl Recipe {
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes.iter().filter(move |n| n.name.value == name)
    }
    pub fn one(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name.value == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// a string (a bare identifier is a string in KDL v2)
    Str,
    /// a string or a whole number; a float is refused, since 3.10 would read as 3.1
    Version,
    /// a whole number, or a string like "53/udp"
    Port,
    /// a string, whole number or boolean, used as text (env values, argv words)
    Text,
    Int,
    Bool,
}

#[derive(Debug, Clone, Copy)]
enum Args {
    None,
    Optional(Kind),
    One(Kind),
    Many(Kind),
}

#[derive(Debug, Clone, Copy)]
enum Props {
    Fixed(&'static [(&'static str, Kind)]),
    /// the stack's own properties, from recipes/stacks.toml
    Stack,
    /// any KEY=value (env, labels)
    Any,
}

#[derive(Debug, Clone, Copy)]
struct Spec {
    name: &'static str,
    args: Args,
    props: Props,
    repeatable: bool,
}

const fn spec(name: &'static str, args: Args, props: Props, repeatable: bool) -> Spec {
    Spec {
        name,
        args,
        props,
        repeatable,
    }
}

/// The nodes an `app` may hold, besides the stack nodes (python, node, go, rust).
const APP_NODES: &[Spec] = &[
    spec(
        "base",
        Args::One(Kind::Str),
        Props::Fixed(&[("release", Kind::Version), ("registry", Kind::Str)]),
        false,
    ),
    spec("runtime", Args::One(Kind::Str), Props::Fixed(&[]), false),
    spec("build-deps", Args::Many(Kind::Str), Props::Fixed(&[]), true),
    spec(
        "runtime-libs",
        Args::Many(Kind::Str),
        Props::Fixed(&[]),
        true,
    ),
    spec(
        "build",
        Args::None,
        Props::Fixed(&[("script", Kind::Str), ("output", Kind::Str)]),
        false,
    ),
    spec(
        "spa",
        Args::None,
        Props::Fixed(&[("nginx", Kind::Version), ("fallback", Kind::Bool)]),
        false,
    ),
    spec(
        "user",
        Args::One(Kind::Str),
        Props::Fixed(&[("uid", Kind::Int), ("gid", Kind::Int)]),
        false,
    ),
    spec("workdir", Args::One(Kind::Str), Props::Fixed(&[]), false),
    spec("port", Args::Many(Kind::Port), Props::Fixed(&[]), true),
    spec("env", Args::None, Props::Any, true),
    spec("run-env", Args::None, Props::Any, true),
    spec("label", Args::None, Props::Any, true),
    spec("ignore", Args::Many(Kind::Str), Props::Fixed(&[]), true),
    spec(
        "entrypoint",
        Args::Many(Kind::Text),
        Props::Fixed(&[]),
        false,
    ),
    spec("cmd", Args::Many(Kind::Text), Props::Fixed(&[]), false),
    spec(
        "healthcheck",
        Args::One(Kind::Str),
        Props::Fixed(&[
            ("interval", Kind::Str),
            ("timeout", Kind::Str),
            ("start-period", Kind::Str),
            ("retries", Kind::Int),
        ]),
        false,
    ),
    spec("image", Args::One(Kind::Str), Props::Fixed(&[]), false),
];

fn app_spec(name: &str) -> Option<Spec> {
    if let Some(s) = APP_NODES.iter().find(|s| s.name == name) {
        return Some(*s);
    }
    // stack nodes: `python "3.13" manager="uv"`; the knowledge table lives for the whole run
    let (stack_name, _) = knowledge().stacks.get_key_value(name)?;
    Some(Spec {
        name: stack_name.as_str(),
        args: Args::Optional(Kind::Version),
        props: Props::Stack,
        repeatable: false,
    })
}

/// All node names an app may hold (for "did you mean").
pub fn app_node_names() -> Vec<&'static str> {
    let k = knowledge();
    let mut names: Vec<&'static str> = APP_NODES.iter().map(|s| s.name).collect();
    names.extend(k.stacks.keys().map(|s| s.as_str()));
    names
}

/// Parses recipe text. Returns every error found, not just the first.
pub fn parse(text: &str) -> Result<Recipe, Vec<RecipeError>> {
    let doc = KdlDocument::parse_v2(text).map_err(|e| {
        e.diagnostics
            .into_iter()
            .map(|d| RecipeError::Syntax {
                message: format!(
                    "invalid KDL: {}",
                    d.message.unwrap_or_else(|| "unexpected input".into())
                ),
                span: d.span,
                label: d.label.unwrap_or_else(|| "here".into()),
                // a KDL v1 habit is the likeliest cause when the line has one
                help: v1_hint(text, d.span.offset())
                    .map(String::from)
                    .or(d.help)
                    .or_else(|| Some("recipes are KDL v2: https://kdl.dev".into())),
            })
            .collect::<Vec<_>>()
    })?;

    let mut errors = vec![];
    let mut app: Option<(Node, Vec<Node>)> = None;
    for node in doc.nodes() {
        let name = node.name().value();
        if name != "app" {
            let help = did_you_mean(name, ["app"]).or_else(|| {
                Some(if app_spec(name).is_some() {
                    format!("`{name}` belongs inside `app \"NAME\" {{ ... }}`")
                } else {
                    "a recipe holds one `app \"NAME\" { ... }` node".to_string()
                })
            });
            errors.push(RecipeError::UnknownNode {
                name: name.to_string(),
                span: node.name().span(),
                help,
            });
            continue;
        }
        if let Some((first, _)) = &app {
            errors.push(RecipeError::Unsupported {
                message: "a recipe describes one app".into(),
                span: node.name().span(),
                label: "second app".into(),
                help: Some(format!(
                    "put each app in its own folder with its own dslim.kdl (the first one here is `{}`)",
                    first.args.first().map(|a| a.value.as_text()).unwrap_or_default()
                )),
            });
            continue;
        }
        let app_node_spec = Spec {
            name: "app",
            args: Args::One(Kind::Str),
            props: Props::Fixed(&[]),
            repeatable: false,
        };
        let Some(app_node) = check_node(node, &app_node_spec, &mut errors) else {
            continue;
        };
        let mut nodes = vec![];
        match node.children() {
            None => errors.push(RecipeError::Missing {
                message: "`app` has no body".into(),
                span: node.span(),
                help: Some(
                    "describe the app in braces: app \"api\" { python \"3.13\"; entrypoint ... }"
                        .into(),
                ),
            }),
            Some(children) => {
                let mut seen: BTreeMap<&str, SourceSpan> = BTreeMap::new();
                for child in children.nodes() {
                    let child_name = child.name().value();
                    let Some(spec) = app_spec(child_name) else {
                        let help = if let Some(what) = knowledge().planned.get(child_name) {
                            errors.push(RecipeError::Unsupported {
                                message: format!("the `{child_name}` stack is not supported yet"),
                                span: child.name().span(),
                                label: format!("{what}: planned"),
                                help: Some(format!("supported stacks: {}", stack_list())),
                            });
                            continue;
                        } else {
                            did_you_mean(child_name, app_node_names())
                        };
                        errors.push(RecipeError::UnknownNode {
                            name: child_name.to_string(),
                            span: child.name().span(),
                            help: help.or_else(|| {
                                Some(format!("known nodes: {}", app_node_names().join(", ")))
                            }),
                        });
                        continue;
                    };
                    if !spec.repeatable {
                        if let Some(first) = seen.get(spec.name) {
                            errors.push(RecipeError::Duplicate {
                                node: spec.name.to_string(),
                                span: child.name().span(),
                                first: *first,
                            });
                            continue;
                        }
                        seen.insert(spec.name, child.name().span());
                    }
                    if let Some(n) = check_node(child, &spec, &mut errors) {
                        nodes.push(n);
                    }
                }
            }
        }
        app = Some((app_node, nodes));
    }
    match app {
        Some((app, nodes)) if errors.is_empty() => Ok(Recipe { app, nodes }),
        None if errors.is_empty() => Err(vec![RecipeError::Missing {
            message: "the recipe has no `app` node".into(),
            span: SourceSpan::from((0, 0)),
            help: Some(
                "start with: app \"api\" { python \"3.13\"; port 8000; entrypoint ... }".into(),
            ),
        }]),
        _ => Err(errors),
    }
}

/// KDL v1 habits that v2 rejects, recognised on the line of a syntax error.
fn v1_hint(text: &str, offset: usize) -> Option<&'static str> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    let words = line.split(|c: char| c.is_whitespace() || c == '=');
    words
        .into_iter()
        .any(|w| matches!(w, "true" | "false" | "null"))
        .then_some("KDL v2 writes booleans and null with a #: fallback=#false, #true, #null")
}

fn stack_list() -> String {
    knowledge()
        .stacks
        .keys()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks one node against its spec; pushes errors and returns None when it is unusable.
fn check_node(node: &KdlNode, spec: &Spec, errors: &mut Vec<RecipeError>) -> Option<Node> {
    let before = errors.len();
    let name = node.name().value();
    if spec.name != "app" {
        if let Some(children) = node.children() {
            errors.push(RecipeError::Syntax {
                message: format!("`{name}` takes no block"),
                span: children.span(),
                label: "unexpected block".into(),
                help: Some(
                    "write its values on the same line, e.g. build-deps \"gcc\" \"libpq-dev\""
                        .into(),
                ),
            });
        }
    }
    let mut args = vec![];
    let mut props = BTreeMap::new();
    for entry in node.entries() {
        match entry.name() {
            None => {
                let kind = match spec.args {
                    Args::None => {
                        errors.push(RecipeError::BadValue {
                            node: name.to_string(),
                            expected: "no arguments, only properties".into(),
                            span: entry.span(),
                            found: "unexpected argument".into(),
                            help: props_help(spec),
                        });
                        continue;
                    }
                    Args::One(k) | Args::Optional(k) => {
                        if !args.is_empty() {
                            errors.push(RecipeError::BadValue {
                                node: name.to_string(),
                                expected: "one argument".into(),
                                span: entry.span(),
                                found: "extra argument".into(),
                                help: None,
                            });
                            continue;
                        }
                        k
                    }
                    Args::Many(k) => k,
                };
                if let Some(v) = check_value(name, entry, kind, errors) {
                    args.push(v);
                }
            }
            Some(key) => {
                let key_name = key.value();
                let kind = match spec.props {
                    Props::Any => Kind::Text,
                    Props::Fixed(list) => match list.iter().find(|(p, _)| *p == key_name) {
                        Some((_, k)) => *k,
                        None => {
                            errors.push(unknown_property(
                                name,
                                key_name,
                                key.span(),
                                list.iter().map(|(p, _)| *p),
                            ));
                            continue;
                        }
                    },
                    Props::Stack => {
                        let allowed = &knowledge().stacks[name].properties;
                        if allowed.iter().any(|p| p == key_name) {
                            Kind::Str
                        } else {
                            errors.push(unknown_property(
                                name,
                                key_name,
                                key.span(),
                                allowed.iter().map(|s| s.as_str()),
                            ));
                            continue;
                        }
                    }
                };
                if let Some(v) = check_value(name, entry, kind, errors) {
                    if let Some((first, _)) = props.get(key_name) {
                        errors.push(RecipeError::Duplicate {
                            node: format!("{name} {key_name}="),
                            span: key.span(),
                            first: *first,
                        });
                    } else {
                        props.insert(key_name.to_string(), (key.span(), v));
                    }
                }
            }
        }
    }
    let needs_arg = matches!(spec.args, Args::One(_) | Args::Many(_));
    if needs_arg && args.is_empty() && errors.len() == before {
        let expected = match spec.args {
            Args::Many(_) => "at least one argument",
            _ => "an argument",
        };
        errors.push(RecipeError::BadValue {
            node: name.to_string(),
            expected: expected.into(),
            span: node.name().span(),
            found: "nothing given".into(),
            help: example_for(name),
        });
    }
    if errors.len() > before {
        return None;
    }
    Some(Node {
        name: Spanned::new(name.to_string(), node.name().span()),
        span: node.span(),
        args,
        props,
    })
}

fn check_value(
    node: &str,
    entry: &KdlEntry,
    kind: Kind,
    errors: &mut Vec<RecipeError>,
) -> Option<Spanned<Scalar>> {
    let (value, span) = (entry.value(), entry.span());
    let bad = |expected: &str, found: &str, help: Option<String>| RecipeError::BadValue {
        node: node.to_string(),
        expected: expected.to_string(),
        span,
        found: found.to_string(),
        help,
    };
    let scalar = match (kind, value) {
        (_, KdlValue::Float(f)) => {
            // as the user typed it: the parsed float has lost any trailing zero
            let typed = entry
                .format()
                .map(|f| f.value_repr.trim().to_string())
                .unwrap_or_else(|| f.to_string());
            let help = match kind {
                Kind::Version | Kind::Text | Kind::Str if typed != f.to_string() => Some(format!(
                    "write it as a string: \"{typed}\" (a number {typed} would mean {f})"
                )),
                Kind::Version | Kind::Text | Kind::Str => {
                    Some(format!("versions are strings: write \"{typed}\""))
                }
                _ => None,
            };
            errors.push(bad(kind_name(kind), "a decimal number", help));
            return None;
        }
        (Kind::Str, KdlValue::String(s))
        | (Kind::Version, KdlValue::String(s))
        | (Kind::Port, KdlValue::String(s))
        | (Kind::Text, KdlValue::String(s)) => Scalar::Text(s.clone()),
        (Kind::Version, KdlValue::Integer(i))
        | (Kind::Port, KdlValue::Integer(i))
        | (Kind::Text, KdlValue::Integer(i))
        | (Kind::Int, KdlValue::Integer(i)) => Scalar::Int(*i),
        (Kind::Text, KdlValue::Bool(b)) | (Kind::Bool, KdlValue::Bool(b)) => Scalar::Bool(*b),
        (Kind::Int, KdlValue::String(s)) => {
            errors.push(bad(
                "a whole number",
                "a string",
                Some(format!("drop the quotes: {s}")),
            ));
            return None;
        }
        (Kind::Bool, other) => {
            errors.push(bad("#true or #false", &describe(other), None));
            return None;
        }
        (k, other) => {
            let help = matches!(k, Kind::Str).then(|| "quote it: \"...\"".to_string());
            errors.push(bad(kind_name(k), &describe(other), help));
            return None;
        }
    };
    Some(Spanned::new(scalar, span))
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Str => "a string",
        Kind::Version => "a version string",
        Kind::Port => "a port number",
        Kind::Text => "a string",
        Kind::Int => "a whole number",
        Kind::Bool => "#true or #false",
    }
}

fn describe(v: &KdlValue) -> String {
    match v {
        KdlValue::String(_) => "a string".into(),
        KdlValue::Integer(_) => "a number".into(),
        KdlValue::Float(_) => "a decimal number".into(),
        KdlValue::Bool(_) => "a boolean".into(),
        KdlValue::Null => "#null".into(),
    }
}

fn unknown_property<'a>(
    node: &str,
    name: &str,
    span: SourceSpan,
    allowed: impl Iterator<Item = &'a str> + Clone,
) -> RecipeError {
    let list: Vec<&str> = allowed.clone().collect();
    let help = did_you_mean(name, allowed).or_else(|| {
        Some(if list.is_empty() {
            format!("`{node}` takes no properties")
        } else {
            format!("`{node}` takes: {}", list.join(", "))
        })
    });
    RecipeError::UnknownProperty {
        node: node.to_string(),
        name: name.to_string(),
        span,
        help,
    }
}

fn props_help(spec: &Spec) -> Option<String> {
    match spec.props {
        Props::Any => Some(format!(
            "write KEY=\"value\" pairs: {} LOG_LEVEL=\"info\"",
            spec.name
        )),
        Props::Fixed(list) if !list.is_empty() => Some(format!(
            "`{}` takes properties: {}",
            spec.name,
            list.iter()
                .map(|(p, _)| format!("{p}=..."))
                .collect::<Vec<_>>()
                .join(" ")
        )),
        _ => None,
    }
}

fn example_for(node: &str) -> Option<String> {
    let example = match node {
        "app" => "app \"api\" { ... }",
        "base" => "base \"debian\"  (or \"alpine\")",
        "runtime" => "runtime \"distroless\"",
        "build-deps" => "build-deps \"gcc\" \"libpq-dev\"",
        "runtime-libs" => "runtime-libs \"libpq5\"",
        "user" => "user \"app\" uid=1000 gid=1000",
        "workdir" => "workdir \"/app\"",
        "port" => "port 8000",
        "ignore" => "ignore \"data/\" \"*.csv\"",
        "entrypoint" => "entrypoint \"gunicorn\" \"--bind\" \"0.0.0.0:8000\" \"app:app\"",
        "cmd" => "cmd \"--workers\" \"2\"",
        "healthcheck" => "healthcheck \"/health\"",
        "image" => "image \"ghcr.io/acme/api:1.0\"",
        _ => return None,
    };
    Some(format!("for example: {example}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_typical_recipe() {
        let r = parse("app \"api\" {\n python \"3.13\" manager=pip\n build-deps gcc libpq-dev\n port 8000\n}\n").unwrap();
        assert_eq!(r.app.args[0].value, Scalar::Text("api".into()));
        let py = r.one("python").unwrap();
        assert_eq!(py.arg(0).unwrap().value, Scalar::Text("3.13".into()));
        assert_eq!(
            py.prop("manager").unwrap().value,
            Scalar::Text("pip".into())
        );
        assert_eq!(r.one("build-deps").unwrap().args.len(), 2);
    }

    #[test]
    fn suggests_the_closest_node() {
        let errs = parse("app \"a\" {\n runtime-lib libpq5\n}\n").unwrap_err();
        assert!(
            matches!(&errs[0], RecipeError::UnknownNode { help: Some(h), .. } if h.contains("runtime-libs")),
            "{errs:?}"
        );
    }

    #[test]
    fn refuses_a_float_version_with_a_hint() {
        let errs = parse("app \"a\" {\n python 3.10\n}\n").unwrap_err();
        assert!(
            matches!(&errs[0], RecipeError::BadValue { help: Some(h), .. } if h.contains("\"3.10\"")),
            "{errs:?}"
        );
    }

    #[test]
    fn reports_every_error_not_just_the_first() {
        let errs = parse("app \"a\" {\n pyton \"3.13\"\n prot 80\n}\n").unwrap_err();
        assert_eq!(errs.len(), 2);
    }

    #[test]
    fn planned_stacks_say_so() {
        let errs = parse("app \"a\" {\n ruby \"3.3\"\n}\n").unwrap_err();
        assert!(
            matches!(&errs[0], RecipeError::Unsupported { .. }),
            "{errs:?}"
        );
    }
}
