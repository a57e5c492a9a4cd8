//! Collects errors and warnings while a recipe is validated, so the user sees all of them at
//! once, and turns recipe values into checked text.

use miette::SourceSpan;

use crate::error::{Expected, Kind, RecipeError, Warning};
use crate::syntax::{Scalar, Spanned};

#[derive(Debug, Default)]
pub struct Checker {
    pub errors: Vec<RecipeError>,
    pub warnings: Vec<Warning>,
}

impl Checker {
    pub fn new(errors: Vec<RecipeError>) -> Self {
        Checker {
            errors,
            warnings: vec![],
        }
    }

    pub fn error(&mut self, span: SourceSpan, kind: Kind) {
        self.errors.push(RecipeError::new(span, kind));
    }

    pub fn warn(&mut self, warning: Warning) {
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    /// Records that `v` is not what `node` expects.
    pub fn invalid(&mut self, node: &str, expected: Expected, v: &Spanned<Scalar>) {
        self.error(
            v.span,
            Kind::Invalid {
                node: node.into(),
                expected,
                found: v.value.as_text(),
            },
        );
    }

    /// The text of `v` if it has the form `expected`, else an error.
    pub fn text(
        &mut self,
        node: &str,
        v: &Spanned<Scalar>,
        expected: Expected,
    ) -> Option<Spanned<String>> {
        let text = v.value.as_text();
        if crate::form::matches(&expected, &text) {
            Some(Spanned::new(text, v.span))
        } else {
            self.invalid(node, expected, v);
            None
        }
    }

    /// `text` without the span, for values no later stage points back at.
    pub fn value(&mut self, node: &str, v: &Spanned<Scalar>, expected: Expected) -> Option<String> {
        self.text(node, v, expected).map(|s| s.value)
    }

    /// Any text on one line (a newline could start a new Dockerfile instruction).
    pub fn one_line(&mut self, node: &str, v: &Spanned<Scalar>) -> Option<String> {
        self.value(node, v, Expected::OneLine)
    }

    /// `v` if it is one of `names`, else an error with the list (and a did-you-mean).
    pub fn one_of(
        &mut self,
        node: &str,
        v: &Spanned<Scalar>,
        names: Vec<String>,
    ) -> Option<Spanned<String>> {
        let text = v.value.as_text();
        if names.contains(&text) {
            Some(Spanned::new(text, v.span))
        } else {
            self.invalid(node, Expected::OneOf(names), v);
            None
        }
    }

    /// A text value with a pattern of the stack's or distro's data.
    pub fn matching(
        &mut self,
        node: &str,
        v: &Spanned<Scalar>,
        pattern: &crate::template::Pattern,
        expected: Expected,
    ) -> Option<Spanned<String>> {
        let text = v.value.as_text();
        if pattern.is_match(&text) {
            Some(Spanned::new(text, v.span))
        } else {
            self.invalid(node, expected, v);
            None
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}
