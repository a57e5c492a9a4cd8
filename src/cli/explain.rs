//! `dslim explain`: a service's effective recipe, each value with where it comes from: the
//! service's recipe, its workspace's defaults, or dslim's own default.

use camino::Utf8Path;
use miette::SourceSpan;

use super::{compile_all, print, Recipes};
use crate::compile::Compiled;
use crate::error::{line_column, Error};
use crate::model::Runtime;
use crate::stacks::Catalog;
use crate::syntax::Node;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub recipes: Recipes,
}

pub fn run(catalog: &Catalog, args: &Args) -> Result<(), Error> {
    let selection = args.recipes.select(&catalog.knowledge)?;
    let (compiled, errors) = compile_all(catalog, &selection);
    Error::all(errors)?;
    let explained: Vec<String> = compiled
        .iter()
        .filter(|c| selection.picks(c))
        .map(explain)
        .collect();
    print(&explained.join("\n"))
}

/// One line of the effective recipe, and where it comes from.
struct Line {
    text: String,
    origin: String,
}

/// The service's effective recipe as a table: its own and the workspace's nodes, as written,
/// then what dslim chose where neither says.
fn explain(c: &Compiled) -> String {
    let mut lines = vec![Line {
        text: format!("app {:?}", c.app.name),
        origin: origin(c, c.recipe.app.name.span),
    }];
    // the recipe's own nodes, then those it takes from the workspace (whose spans are past
    // the end of its text)
    let mut nodes: Vec<&Node> = c.recipe.nodes.iter().collect();
    nodes.sort_by_key(|n| n.span.offset());
    lines.extend(nodes.into_iter().map(|node| Line {
        text: format!("    {}", written(c, node)),
        origin: origin(c, node.span),
    }));
    lines.extend(chosen(c).into_iter().map(|(text, why)| Line {
        text: format!("    {text}"),
        origin: why,
    }));
    let width = lines
        .iter()
        .map(|l| l.text.chars().count())
        .max()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| format!("{:<width$}  # {}\n", l.text, l.origin))
        .collect()
}

/// The recipe (or workspace recipe) that `span` is in, with its line.
fn origin(c: &Compiled, span: SourceSpan) -> String {
    let (path, text, at) = source_of(c, span);
    let line = line_column(text, at).0;
    match path {
        Some(path) => {
            // named as the user would from here, as the member's recipe is
            let here = std::env::current_dir().ok();
            let path = here
                .as_deref()
                .and_then(|here| path.as_std_path().strip_prefix(here).ok())
                .map_or_else(|| path.to_string(), |p| p.display().to_string());
            format!("{path}:{line} (workspace defaults)")
        }
        None => format!("{}:{line}", c.recipe_path),
    }
}

/// The text `span` points into, and where in it: the member's recipe, or past its end the
/// workspace's (whose path is given then).
fn source_of(c: &Compiled, span: SourceSpan) -> (Option<&Utf8Path>, &str, usize) {
    let own = c.text.len() + 1;
    match &c.workspace {
        Some((path, text)) if span.offset() >= own => {
            (Some(path.as_path()), text.as_str(), span.offset() - own)
        }
        _ => (None, c.text.as_str(), span.offset()),
    }
}

/// A node as its recipe writes it, on one line.
fn written(c: &Compiled, node: &Node) -> String {
    let (_, text, at) = source_of(c, node.span);
    let source = text.get(at..at + node.span.len()).unwrap_or("");
    let one_line = source.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.chars().count() > 72 {
        true => format!("{}…", one_line.chars().take(71).collect::<String>()),
        false => one_line,
    }
}

/// What dslim chose where neither the recipe nor the workspace says.
fn chosen(c: &Compiled) -> Vec<(String, String)> {
    let app = &c.app;
    let has = |name: &str| c.recipe.one(name).is_some();
    let default = "dslim's default".to_string();
    let mut out = vec![];
    if !has("base") {
        let mut base = format!("base {:?} release={:?}", app.distro.value, app.release);
        if let Some(registry) = &app.registry {
            base.push_str(&format!(" registry={registry:?}"));
        }
        out.push((base, default.clone()));
    }
    if !has("runtime") && app.runtime != Runtime::Nginx {
        out.push((format!("runtime {:?}", app.runtime.name()), default.clone()));
    }
    if app.static_site.is_none() {
        if !has("user") {
            let user = &app.user;
            out.push((
                format!("user {:?} uid={} gid={}", user.name, user.uid, user.gid),
                default.clone(),
            ));
        }
        if !has("workdir") {
            let why = match &app.shared {
                Some(_) => format!("{default}; the app's folder is {}", app.workdir),
                None => default.clone(),
            };
            out.push((format!("workdir {:?}", app.root_workdir), why));
        }
        if !has("entrypoint") && !app.entrypoint.is_empty() {
            let words: Vec<String> = app.entrypoint.iter().map(|w| format!("{w:?}")).collect();
            out.push((
                format!("entrypoint {}", words.join(" ")),
                format!("the {} stack's default", app.stack),
            ));
        }
    }
    if !has("image") {
        out.push((format!("image {:?}", app.image), "the app's name".into()));
    }
    if let Some(shared) = &app.shared {
        let mut context = format!("(build context {:?}", shared.root);
        if !shared.packages.is_empty() {
            context.push_str(&format!(", with {}", shared.packages.join(", ")));
        }
        context.push(')');
        out.push((
            context,
            format!("the workspace of {}, found above", shared.member),
        ));
    }
    out
}
