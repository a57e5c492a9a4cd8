//! A recipe's diagnostics with the recipe they point into, and how they are shown: to a person
//! (the recipe's lines, the span underlined) and as data for tools.

use std::fmt;
use std::sync::Arc;

use camino::Utf8Path;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
};

use super::{Error, RecipeError};

/// A recipe error (or warning) together with the recipe it points into.
#[derive(Debug, Clone)]
pub struct Located {
    pub source: NamedSource<Arc<String>>,
    pub error: RecipeError,
    pub severity: Severity,
}

impl Located {
    pub fn new(path: &str, text: Arc<String>, error: RecipeError, severity: Severity) -> Self {
        Located {
            source: NamedSource::new(path, text).with_language("kdl"),
            error,
            severity,
        }
    }
}

impl Located {
    /// The line and column (from 1) the error points at.
    pub fn line_column(&self) -> (usize, usize) {
        line_column(self.source.inner(), self.error.offset())
    }
}

/// The line and column (from 1) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |i| offset - i - 1) + 1;
    (line, column)
}

/// One diagnostic as data, for tools (`dslim check --json`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub code: Option<String>,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub help: Option<String>,
}

impl Error {
    /// Every diagnostic this error holds, as data.
    pub fn summaries(&self) -> Vec<Summary> {
        match self {
            Error::Recipe { errors, .. } | Error::StaleLock { errors, .. } => errors
                .iter()
                .map(|e| {
                    let (line, column) = e.line_column();
                    Summary {
                        code: e.code().map(|c| c.to_string()),
                        message: e.to_string(),
                        file: Some(e.source.name().to_string()),
                        line: Some(line),
                        column: Some(column),
                        help: e.help().map(|h| h.to_string()),
                    }
                })
                .collect(),
            Error::Many { errors } => errors.iter().flat_map(Error::summaries).collect(),
            other => vec![Summary {
                code: other.code().map(|c| c.to_string()),
                message: other.to_string(),
                file: None,
                line: None,
                column: None,
                help: other.help().map(|h| h.to_string()),
            }],
        }
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.error.labels()
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
}

/// The errors of the recipe at `path`, each pointing into its text.
pub fn recipe_error(path: &Utf8Path, text: Arc<String>, errors: Vec<RecipeError>) -> Error {
    Error::Recipe {
        path: path.to_path_buf(),
        errors: errors
            .into_iter()
            .map(|error| Located::new(path.as_str(), text.clone(), error, Severity::Error))
            .collect(),
    }
}

fn handler(color: bool) -> GraphicalReportHandler {
    let mut theme = if color && std::env::var_os("NO_COLOR").is_none() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    theme.characters.warning = "warning:".into();
    GraphicalReportHandler::new_themed(theme).with_width(100)
}

/// Renders an error for a person: the recipe's lines with the offending span underlined.
/// Colour only on a terminal (and not when NO_COLOR is set).
pub fn report(error: &Error, color: bool) -> String {
    let handler = handler(color);
    let mut out = String::new();
    match error {
        // each recipe error on its own, with its source lines
        Error::Recipe { errors, .. } | Error::StaleLock { errors, .. } => {
            for e in errors {
                let _ = handler.render_report(&mut out, e);
            }
        }
        Error::Many { errors } => {
            for e in errors {
                out.push_str(&report(e, color));
            }
        }
        _ => {
            let _ = handler.render_report(&mut out, error);
        }
    }
    out
}

/// Renders a warning that points into a recipe.
pub fn report_located(located: &Located, color: bool) -> String {
    let mut out = String::new();
    let _ = handler(color).render_report(&mut out, located);
    out
}
