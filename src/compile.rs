//! The whole pipeline on one recipe: text -> parsed -> validated -> plan -> files.

use std::sync::Arc;

use camino::{Utf8Path, Utf8PathBuf};
use miette::NamedSource;

use crate::error::{Error, Located, RecipeError};
use crate::model::{self, App};
use crate::plan::{self, Plan, Step};
use crate::render::{self, Rendered};
use crate::syntax;

pub const RECIPE_FILE: &str = "dslim.kdl";

#[derive(Debug)]
pub struct Compiled {
    pub recipe_path: Utf8PathBuf,
    pub app: App,
    pub plan: Plan,
    pub rendered: Rendered,
}

impl Compiled {
    /// Files the Dockerfile copies from the build context before the source (lockfiles,
    /// manifests) that are not there: the build would fail on them.
    pub fn missing_inputs(&self) -> Result<(), Error> {
        let dir = self.dir();
        let missing: Vec<String> = self
            .plan
            .stages
            .iter()
            .flat_map(|stage| &stage.steps)
            .filter_map(|step| match step {
                Step::Copy {
                    from: None,
                    sources,
                    ..
                } => Some(sources),
                _ => None,
            })
            .flatten()
            .filter(|src| *src != "." && !src.contains('*') && !dir.join(src).exists())
            .map(String::clone)
            .fold(vec![], |mut list, src| {
                if !list.contains(&src) {
                    list.push(src);
                }
                list
            });
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::MissingInputs {
            recipe: self.recipe_path.clone(),
            hint: self.app.missing_input_hint(&missing),
            files: missing,
        })
    }

    /// The folder the recipe is in, where the generated files go.
    pub fn dir(&self) -> &Utf8Path {
        self.recipe_path.parent().unwrap_or(Utf8Path::new("."))
    }
}

/// Compiles recipe text on its own; `name` is how errors and headers refer to the recipe.
pub fn compile_text(text: &str, name: &str) -> Result<(App, Plan, Rendered), Vec<RecipeError>> {
    compile_in(text, name, &model::NoProject)
}

/// Compiles recipe text for the project it describes (whose files choose some defaults).
pub fn compile_in(
    text: &str,
    name: &str,
    project: &dyn model::Project,
) -> Result<(App, Plan, Rendered), Vec<RecipeError>> {
    let in_order = |mut errors: Vec<RecipeError>| {
        errors.sort_by_key(RecipeError::offset);
        errors
    };
    let recipe = syntax::parse(text).map_err(in_order)?;
    let app = model::validate(&recipe, project).map_err(in_order)?;
    let plan = plan::plan(&app);
    let rendered = render::render(&app, &plan, name);
    Ok((app, plan, rendered))
}

/// `path` is a recipe file or a folder holding `dslim.kdl`.
pub fn resolve(path: &Utf8Path) -> Utf8PathBuf {
    if path.is_dir() {
        path.join(RECIPE_FILE)
    } else {
        path.to_path_buf()
    }
}

pub fn compile_file(path: &Utf8Path) -> Result<Compiled, Error> {
    let recipe_path = resolve(path);
    let bytes = std::fs::read(&recipe_path).map_err(|e| Error::Read {
        hint: if e.kind() == std::io::ErrorKind::NotFound {
            "`dslim init` writes a recipe for the app in this folder; or name a recipe, or the folder holding one, after the command".into()
        } else {
            "check the file's permissions".into()
        },
        path: recipe_path.clone(),
        reason: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
        path: recipe_path.clone(),
    })?;
    let name = recipe_path.file_name().unwrap_or(RECIPE_FILE).to_string();
    let dir = recipe_path
        .parent()
        .unwrap_or(Utf8Path::new("."))
        .to_path_buf();
    match compile_in(&text, &name, &dir) {
        Ok((app, plan, rendered)) => Ok(Compiled {
            recipe_path,
            app,
            plan,
            rendered,
        }),
        Err(errors) => Err(recipe_error(&recipe_path, text, errors)),
    }
}

/// The errors of the recipe at `path`, each pointing into its text.
pub fn recipe_error(path: &Utf8Path, text: String, errors: Vec<RecipeError>) -> Error {
    let source = NamedSource::new(path.as_str(), Arc::new(text)).with_language("kdl");
    Error::Recipe {
        path: path.to_path_buf(),
        errors: errors
            .into_iter()
            .map(|error| Located {
                source: source.clone(),
                error,
            })
            .collect(),
    }
}
