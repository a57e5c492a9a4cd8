//! Recipe text -> parsed recipe. This step checks the *shape* of a recipe: which nodes exist,
//! how many arguments they take, which properties, and of what type. What the values mean is
//! checked by `model`. Every value keeps the span of its token, so later errors can point at it.

mod depth;
pub mod nodes;
mod shape;
mod workspace;

use std::collections::BTreeMap;

use kdl::KdlDocument;
use miette::SourceSpan;

use crate::error::{closest, Kind, RecipeError};
use crate::knowledge::Knowledge;
use nodes::NodeSpec;
pub(crate) use shape::check_node;
pub use workspace::{is_workspace, parse_workspace, Workspace};

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

/// Only the value reaches `dslim plan`'s JSON: spans are offsets into one recipe's text.
impl<T: serde::Serialize> serde::Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
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

/// One node of the recipe, shape-checked against its spec.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: Spanned<String>,
    pub span: SourceSpan,
    pub args: Vec<Spanned<Scalar>>,
    /// name -> (the span of the name, the value)
    pub props: BTreeMap<String, (SourceSpan, Spanned<Scalar>)>,
}

impl Node {
    /// The node with every span moved by `by` bytes.
    fn shifted(&self, by: usize) -> Node {
        let shift = |span: SourceSpan| SourceSpan::from((span.offset() + by, span.len()));
        Node {
            name: Spanned::new(self.name.value.clone(), shift(self.name.span)),
            span: shift(self.span),
            args: self
                .args
                .iter()
                .map(|a| Spanned::new(a.value.clone(), shift(a.span)))
                .collect(),
            props: self
                .props
                .iter()
                .map(|(k, (key_span, v))| {
                    (
                        k.clone(),
                        (
                            shift(*key_span),
                            Spanned::new(v.value.clone(), shift(v.span)),
                        ),
                    )
                })
                .collect(),
        }
    }

    pub fn arg(&self, i: usize) -> Option<&Spanned<Scalar>> {
        self.args.get(i)
    }
    pub fn prop(&self, name: &str) -> Option<&Spanned<Scalar>> {
        self.props.get(name).map(|(_, v)| v)
    }

    /// Whether a flag property is on (`cgo=#true`); off when absent or anything else.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.prop(name).map(|v| &v.value), Some(Scalar::Bool(true)))
    }
}

/// The parsed recipe: one `app` and its readable nodes, in the order written.
#[derive(Debug, Clone)]
pub struct Recipe {
    pub app: Node,
    pub nodes: Vec<Node>,
    /// nodes dslim does not know, under the name they likely meant (`pyton` as `python`): the
    /// model does not call a node missing when it may be one of these
    pub unreadable: Vec<String>,
}

impl Recipe {
    /// The recipe with a workspace's defaults: each node the recipe does not have, and for
    /// KEY=value nodes (env, labels) each key it does not set, placed before its own nodes
    /// so that its own values win. `offset` is added to the defaults' spans, which then point
    /// past the end of the recipe's own text (where the caller tells them apart).
    pub fn with_defaults(
        mut self,
        defaults: &[Node],
        offset: usize,
        knowledge: &Knowledge,
    ) -> Self {
        let has_stack = self
            .nodes
            .iter()
            .any(|n| knowledge.stack(&n.name.value).is_some());
        let mut inherited = vec![];
        for node in defaults {
            let name = &node.name.value;
            if knowledge.stack(name).is_some() && has_stack {
                continue;
            }
            let keyed = nodes::find(name).is_some_and(|s| s.props == nodes::Props::Any);
            if !keyed && self.one(name).is_some() {
                continue;
            }
            let mut node = node.shifted(offset);
            if keyed {
                node.props
                    .retain(|key, _| !self.all(name).any(|own| own.props.contains_key(key)));
            }
            inherited.push(node);
        }
        inherited.append(&mut self.nodes);
        self.nodes = inherited;
        self
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes.iter().filter(move |n| n.name.value == name)
    }
    pub fn one(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name.value == name)
    }
}

/// What parsing gives: the recipe as far as it could be read, and every error found.
pub struct Parsed {
    pub recipe: Option<Recipe>,
    pub errors: Vec<RecipeError>,
}

/// All node names an app may hold, stack nodes included (for "did you mean").
pub fn app_node_names(knowledge: &Knowledge) -> Vec<String> {
    let mut names: Vec<String> = nodes::APP_NODES.iter().map(|s| s.name.into()).collect();
    names.extend(knowledge.stack_names());
    names
}

fn spec(name: &str, knowledge: &Knowledge) -> Option<&'static NodeSpec> {
    nodes::find(name).or_else(|| knowledge.stack(name).map(|_| &nodes::STACK))
}

/// Parses recipe text. Returns every error found, and the recipe as far as it is readable,
/// so that the model can report its own errors in the same pass.
pub fn parse(text: &str, knowledge: &Knowledge) -> Parsed {
    let doc = match read_kdl(text) {
        Ok(doc) => doc,
        Err(errors) => {
            return Parsed {
                recipe: None,
                errors,
            }
        }
    };

    let mut errors = vec![];
    let mut app: Option<Recipe> = None;
    for node in doc.nodes() {
        let name = node.name().value();
        if name == nodes::WORKSPACE.name {
            errors.push(RecipeError::new(node.name().span(), Kind::WorkspaceNotApp));
            continue;
        }
        if name != "app" {
            errors.push(RecipeError::new(
                node.name().span(),
                Kind::NotAnApp {
                    name: name.to_string(),
                    suggestion: closest(name, ["app"]).map(String::from),
                    belongs_inside: spec(name, knowledge).is_some(),
                },
            ));
            continue;
        }
        if let Some(first) = &app {
            errors.push(RecipeError::new(
                node.name().span(),
                Kind::SecondApp {
                    first: first
                        .app
                        .args
                        .first()
                        .map(|a| a.value.as_text())
                        .unwrap_or_default(),
                },
            ));
            continue;
        }
        let mut recipe = Recipe {
            app: check_node(node, &nodes::APP, knowledge, &mut errors),
            nodes: vec![],
            unreadable: vec![],
        };
        match node.children() {
            None => errors.push(RecipeError::new(node.span(), Kind::AppWithoutBody)),
            Some(children) => read_children(children, knowledge, &mut recipe, &mut errors),
        }
        app = Some(recipe);
    }
    if app.is_none() && errors.is_empty() {
        errors.push(RecipeError::new(SourceSpan::from((0, 0)), Kind::NoApp));
    }
    Parsed {
        recipe: app,
        errors,
    }
}

/// Reads KDL v2 text, refusing nesting too deep to read safely; a syntax error says where,
/// and whether a KDL v1 habit on its line is the likely cause.
pub(crate) fn read_kdl(text: &str) -> Result<KdlDocument, Vec<RecipeError>> {
    depth::check(text).map_err(|e| vec![e])?;
    KdlDocument::parse_v2(text).map_err(|e| {
        e.diagnostics
            .into_iter()
            .map(|d| {
                RecipeError::new(
                    d.span,
                    Kind::InvalidKdl {
                        detail: d.message.unwrap_or_else(|| "unexpected input".into()),
                        label: d.label.unwrap_or_else(|| "here".into()),
                        hint: d.help,
                        // a KDL v1 habit is the likeliest cause when the line has one
                        kdl_v1: v1_habit(text, d.span.offset()),
                    },
                )
            })
            .collect()
    })
}

fn read_children(
    children: &KdlDocument,
    knowledge: &Knowledge,
    recipe: &mut Recipe,
    errors: &mut Vec<RecipeError>,
) {
    let mut seen: BTreeMap<String, SourceSpan> = BTreeMap::new();
    for child in children.nodes() {
        let child_name = child.name().value();
        let span = child.name().span();
        let Some(spec) = spec(child_name, knowledge) else {
            if let Some(planned) = knowledge.planned.get(child_name) {
                errors.push(RecipeError::new(
                    span,
                    Kind::PlannedStack {
                        stack: child_name.to_string(),
                        title: planned.title.clone(),
                        supported: knowledge.stack_names(),
                    },
                ));
                recipe.unreadable.push(child_name.to_string());
                continue;
            }
            let known = app_node_names(knowledge);
            let suggestion = closest(child_name, known.iter().map(String::as_str));
            recipe
                .unreadable
                .push(suggestion.unwrap_or(child_name).to_string());
            errors.push(RecipeError::new(
                span,
                Kind::UnknownNode {
                    name: child_name.to_string(),
                    suggestion: suggestion.map(String::from),
                    known: known.clone(),
                },
            ));
            continue;
        };
        if !spec.repeatable {
            if let Some(first) = seen.get(child_name) {
                errors.push(RecipeError::new(
                    span,
                    Kind::DuplicateNode {
                        node: child_name.to_string(),
                        first: *first,
                    },
                ));
                continue;
            }
            seen.insert(child_name.to_string(), span);
        }
        recipe
            .nodes
            .push(check_node(child, spec, knowledge, errors));
    }
}

/// KDL v1 habits that v2 rejects, recognised on the line of a syntax error.
fn v1_habit(text: &str, offset: usize) -> bool {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    line.split(|c: char| c.is_whitespace() || c == '=')
        .any(|w| matches!(w, "true" | "false" | "null"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Recipe {
        let k = crate::stacks::Catalog::builtin().unwrap();
        let parsed = parse(text, &k.knowledge);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        parsed.recipe.unwrap()
    }

    fn errors(text: &str) -> Vec<RecipeError> {
        let k = crate::stacks::Catalog::builtin().unwrap();
        parse(text, &k.knowledge).errors
    }

    #[test]
    fn parses_a_typical_recipe() {
        let r = parse_ok("app \"api\" {\n python \"3.13\" manager=pip\n build-deps gcc libpq-dev\n port 8000\n}\n");
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
        let errs = errors("app \"a\" {\n runtime-lib libpq5\n}\n");
        assert!(
            matches!(&errs[0].kind, Kind::UnknownNode { suggestion: Some(s), .. } if s == "runtime-libs"),
            "{errs:?}"
        );
    }

    #[test]
    fn refuses_a_float_version_with_a_hint() {
        let errs = errors("app \"a\" {\n python 3.10\n}\n");
        assert!(
            matches!(&errs[0].kind, Kind::WrongType { found: crate::error::Found::Decimal { typed, .. }, .. } if typed == "3.10"),
            "{errs:?}"
        );
    }

    #[test]
    fn reports_every_error_not_just_the_first() {
        assert_eq!(
            errors("app \"a\" {\n pyton \"3.13\"\n prot 80\n}\n").len(),
            2
        );
    }

    #[test]
    fn planned_stacks_say_so() {
        let errs = errors("app \"a\" {\n php \"8.3\"\n}\n");
        assert!(
            matches!(&errs[0].kind, Kind::PlannedStack { .. }),
            "{errs:?}"
        );
    }

    #[test]
    fn a_deep_recipe_is_refused_before_the_parser_sees_it() {
        let text = format!("app \"a\" {{{}{}}}", " x {".repeat(5000), "}".repeat(5000));
        let errs = errors(&text);
        assert!(matches!(&errs[0].kind, Kind::TooDeep { .. }), "{errs:?}");
    }
}
