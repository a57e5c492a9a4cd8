//! dslim: compile a short KDL recipe into an optimized multi-stage Dockerfile, compose.yaml and
//! .dockerignore. Data flows one way:
//! recipe text -> `syntax` (parsed) -> `model` (validated) -> `plan` (stages as data) -> `render` (files) -> `docker`.

pub mod cli;
pub mod compile;
pub mod detect;
pub mod docker;
pub mod error;
pub mod init;
pub mod model;
pub mod output;
pub mod plan;
pub mod render;
pub mod stacks;
pub mod syntax;
pub mod workspace;

use miette::{GraphicalReportHandler, GraphicalTheme};

/// Renders an error for a person: the recipe's lines with the offending span underlined.
/// Colour only on a terminal (and not when NO_COLOR is set).
pub fn report(error: &error::Error, color: bool) -> String {
    let theme = if color && std::env::var_os("NO_COLOR").is_none() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    match error {
        // each recipe error on its own, with its source lines
        error::Error::Recipe { errors, .. } => {
            for e in errors {
                let _ = handler.render_report(&mut out, e);
            }
        }
        error::Error::Many { errors } => {
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
