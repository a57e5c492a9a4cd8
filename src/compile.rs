//! The whole pipeline on one recipe: text -> parsed -> validated (with the stack's part) ->
//! plan -> files.

use std::sync::Arc;

use camino::{Utf8Path, Utf8PathBuf};
use miette::{Severity, SourceSpan};

use crate::error::{recipe_error, Error, Kind, Located, RecipeError};
use crate::lock::{self, LockFile};
use crate::model::{self, App};
use crate::plan::{self, ImageRef, Plan};
use crate::project::{self, Project};
use crate::render::{self, Rendered};
use crate::stacks::Catalog;
use crate::syntax::{self, Workspace};
use crate::workspace::WorkspaceFile;
use crate::RECIPE_FILE;

/// One recipe, compiled.
#[derive(Debug)]
pub struct Unit {
    /// the recipe as compiled: with the workspace's defaults it took
    pub recipe: syntax::Recipe,
    pub app: App,
    pub plan: Plan,
    pub rendered: Rendered,
}

/// Why a recipe did not compile: what is wrong in it, or (never, while the tests pass) a
/// fault in dslim's own data.
#[derive(Debug)]
pub enum Failure {
    Recipe(Vec<RecipeError>),
    Bug(Error),
}

impl Failure {
    /// The recipe's errors; a bug in dslim has none.
    pub fn errors(&self) -> &[RecipeError] {
        match self {
            Failure::Recipe(errors) => errors,
            Failure::Bug(_) => &[],
        }
    }
}

/// Compiles recipe text for the project it describes (whose files choose some defaults);
/// `name` is how the generated files' headers refer to the recipe.
pub fn compile_in(
    catalog: &Catalog,
    text: &str,
    name: &str,
    project: &Project,
) -> Result<Unit, Failure> {
    compile_member(catalog, text, name, project, None)
}

/// `compile_in` for a workspace's member: the workspace's defaults fill in what the recipe
/// does not set. Errors in them point past the end of `text`, by `text.len() + 1` plus their
/// offset in the workspace's recipe (see `split_errors`).
pub fn compile_member(
    catalog: &Catalog,
    text: &str,
    name: &str,
    project: &Project,
    workspace: Option<&Workspace>,
) -> Result<Unit, Failure> {
    let knowledge = &catalog.knowledge;
    let parsed = syntax::parse(text, knowledge);
    let Some(mut recipe) = parsed.recipe else {
        return Err(in_order(parsed.errors));
    };
    let Some(workspace) = workspace else {
        return compile_recipe(catalog, recipe, parsed.errors, name, project);
    };
    let start = text.len() + 1;
    recipe = recipe.with_defaults(&workspace.defaults, start, knowledge);
    let compiled = compile_recipe(
        catalog,
        recipe.clone(),
        parsed.errors.clone(),
        name,
        project,
    );
    // a default that this member's kind of app cannot take (a user for nginx's single-page
    // apps) is left out for it, as if the workspace had not said it
    let Err(Failure::Recipe(errors)) = &compiled else {
        return compiled;
    };
    let inapplicable: Vec<usize> = errors
        .iter()
        .filter(|e| e.offset() >= start && e.kind.is_inapplicable())
        .map(RecipeError::offset)
        .collect();
    if inapplicable.is_empty() {
        return compiled;
    }
    recipe.nodes.retain(|node| {
        let (from, to) = (node.span.offset(), node.span.offset() + node.span.len());
        !inapplicable.iter().any(|at| (from..to).contains(at))
    });
    compile_recipe(catalog, recipe, parsed.errors, name, project)
}

fn in_order(mut errors: Vec<RecipeError>) -> Failure {
    errors.sort_by_key(RecipeError::offset);
    Failure::Recipe(errors)
}

/// A parsed recipe (with its syntax errors, to report with the model's) -> files.
fn compile_recipe(
    catalog: &Catalog,
    recipe: syntax::Recipe,
    syntax_errors: Vec<RecipeError>,
    name: &str,
    project: &Project,
) -> Result<Unit, Failure> {
    let knowledge = &catalog.knowledge;
    // syntax errors do not stop the model: it reports its own in the same pass
    let (app, stack_app) = model::validate(
        &recipe,
        knowledge,
        project,
        syntax_errors,
        |stack, input| {
            let stack_app = catalog.stack(stack)?.validate(input)?;
            Some((stack_app.shape(), stack_app))
        },
    )
    .map_err(in_order)?;
    let ctx = plan::Ctx::new(&app, knowledge).ok_or_else(|| {
        Failure::Bug(Error::Bug {
            detail: format!(
                "no data for the {} stack on {}",
                app.stack, app.distro.value
            ),
        })
    })?;
    let mut stages = stack_app.stages(&ctx).map_err(Failure::Bug)?;
    if let Some(assets) = catalog.asset_stage(&ctx).map_err(Failure::Bug)? {
        stages.stages.insert(0, assets.stage);
        stages.inputs.extend(assets.inputs);
        stages.dockerignore.extend(assets.dockerignore);
    }
    let plan = plan::plan(&ctx, stages).map_err(Failure::Bug)?;
    let rendered = render::render(&plan, name).map_err(|e| Failure::Bug(e.into()))?;
    Ok(Unit {
        recipe,
        app,
        plan,
        rendered,
    })
}

/// Compiles recipe text on its own: every file of the project is missing.
pub fn compile_text(catalog: &Catalog, text: &str, name: &str) -> Result<Unit, Failure> {
    compile_in(catalog, text, name, &Project::none())
}

/// A recipe read from disk and compiled.
#[derive(Debug)]
pub struct Compiled {
    pub recipe_path: Utf8PathBuf,
    pub text: Arc<String>,
    /// the recipe as compiled, with the workspace's defaults; their spans point past `text`
    pub recipe: syntax::Recipe,
    /// the workspace recipe the defaults come from: its path and text
    pub workspace: Option<(Utf8PathBuf, Arc<String>)>,
    pub app: App,
    pub plan: Plan,
    pub rendered: Rendered,
    /// the recipe's dslim.lock, whose digests the plan's images are pinned to
    pub lock: Option<LockFile>,
    /// the images the plan builds from that the lock does not pin
    pub unlocked: Vec<ImageRef>,
}

impl Compiled {
    /// What is stale in the recipe's lock: images it does not pin (pointing at the recipe's
    /// stack and version), entries for images the recipe no longer uses (pointing at them).
    pub fn lock_problems(&self, severity: Severity) -> Vec<Located> {
        let Some(lock) = &self.lock else {
            return vec![];
        };
        let mut problems = vec![];
        if !self.unlocked.is_empty() {
            let kind = Kind::NotLocked {
                images: self.unlocked.iter().map(ImageRef::to_string).collect(),
            };
            problems.push(Located::new(
                self.recipe_path.as_str(),
                self.text.clone(),
                RecipeError::new(self.app.version.span, kind),
                severity,
            ));
        }
        for unused in lock::unused(&lock.lock, &self.plan) {
            let kind = Kind::UnusedLock {
                image: unused.reference.clone(),
            };
            problems.push(Located {
                severity,
                ..lock.at(unused.span, kind)
            });
        }
        problems
    }

    /// The folder the recipe is in, where the generated files go.
    pub fn dir(&self) -> &Utf8Path {
        self.recipe_path.parent().unwrap_or(Utf8Path::new("."))
    }

    /// The secrets `dslim build` would pass and cannot find: a variable that is not set, a
    /// file that is not there. One diagnostic each, at its `secret` node.
    pub fn missing_secrets(&self) -> Vec<Located> {
        let home = std::env::var("HOME").unwrap_or_default();
        let missing = self.app.secrets.iter().filter_map(|secret| {
            let source = match &secret.source {
                crate::model::SecretSource::Env(var) => {
                    let value = std::env::var_os(var);
                    (value.is_none_or(|v| v.is_empty()))
                        .then(|| format!("${var} is not set, or empty"))
                }
                crate::model::SecretSource::File { file, .. } => {
                    let path = match file.strip_prefix("~/") {
                        Some(rest) => Utf8Path::new(&home).join(rest),
                        None => self.dir().join(file),
                    };
                    (!path.is_file()).then(|| format!("there is no file {path}"))
                }
            }?;
            let kind = Kind::MissingSecret {
                id: secret.id.clone(),
                source,
            };
            Some(Located::new(
                self.recipe_path.as_str(),
                self.text.clone(),
                RecipeError::new(secret.span, kind),
                Severity::Error,
            ))
        });
        missing.collect()
    }

    /// Each generated file: where it goes, and what it holds.
    pub fn generated_files(&self) -> impl Iterator<Item = (Utf8PathBuf, &str)> {
        (self.rendered.files.iter())
            .map(|(name, contents)| (self.dir().join(name), contents.as_str()))
    }

    /// What the image is built from: the recipe's folder, and for a member of a package
    /// manager's workspace, the root's files, the manifests and the local packages it copies.
    pub fn input_paths(&self) -> Vec<Utf8PathBuf> {
        let mut paths = vec![self.dir().to_path_buf()];
        if let Some(shared) = &self.app.shared {
            let root = self.dir().join(&shared.root);
            paths.extend(
                (shared.manifests.iter())
                    .chain(&shared.packages)
                    .map(|path| root.join(path)),
            );
        }
        paths
    }

    /// Files the Dockerfile copies from the project before the source (lockfiles,
    /// manifests) that are not there: the build would fail on them. One diagnostic per recipe
    /// value that needs them, pointing at it.
    pub fn missing_inputs(&self, severity: Severity) -> Vec<Located> {
        missing_inputs(&self.plan, self.dir())
            .into_iter()
            .map(|error| {
                Located::new(
                    self.recipe_path.as_str(),
                    self.text.clone(),
                    error,
                    severity,
                )
            })
            .collect()
    }
}

/// The files of `plan`'s inputs that the project in `dir` does not have: one error per recipe
/// value that needs them, pointing at it.
pub fn missing_inputs(plan: &Plan, dir: &Utf8Path) -> Vec<RecipeError> {
    let dir = dir.join(&plan.service.build.context);
    let mut groups: Vec<(SourceSpan, String, Vec<String>)> = vec![];
    for input in &plan.inputs {
        if dir.join(&input.path).exists() {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(span, hint, _)| *span == input.span && *hint == input.hint)
        {
            Some((_, _, files)) => files.push(input.path.clone()),
            None => groups.push((input.span, input.hint.clone(), vec![input.path.clone()])),
        }
    }
    groups
        .into_iter()
        .map(|(span, hint, files)| RecipeError::new(span, Kind::MissingInputs { files, hint }))
        .collect()
}

/// Reads and compiles the recipe at `path` (a recipe file, or the folder holding one).
pub fn compile_file(catalog: &Catalog, path: &Utf8Path) -> Result<Compiled, Error> {
    let workspace = WorkspaceFile::of(&project::resolve(path), &catalog.knowledge)?;
    compile_file_in(catalog, path, workspace.as_ref(), Locks::Pin)
}

/// Whether a compiled recipe's images are pinned to the digests of its dslim.lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locks {
    Pin,
    /// as if there were no lock: for `dslim lock`, which writes it
    Ignore,
}

/// `compile_file` for a recipe whose workspace (if any) the caller has read already.
pub fn compile_file_in(
    catalog: &Catalog,
    path: &Utf8Path,
    workspace: Option<&WorkspaceFile>,
    locks: Locks,
) -> Result<Compiled, Error> {
    let recipe_path = project::resolve(path);
    let bytes = std::fs::read(&recipe_path).map_err(|reason| {
        if reason.kind() == std::io::ErrorKind::NotFound {
            Error::RecipeNotFound {
                path: recipe_path.clone(),
            }
        } else {
            Error::Read {
                path: recipe_path.clone(),
                reason,
            }
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
        path: recipe_path.clone(),
    })?;
    let name = recipe_path.file_name().unwrap_or(RECIPE_FILE).to_string();
    let dir = recipe_path
        .parent()
        .unwrap_or(Utf8Path::new("."))
        .to_path_buf();
    let text = Arc::new(text);
    let defaults = workspace.map(|w| &w.workspace);
    let mut unit = match compile_member(catalog, &text, &name, &Project::new(&dir), defaults) {
        Ok(unit) => unit,
        Err(Failure::Recipe(errors)) => {
            return Err(split_errors(&recipe_path, text, workspace, errors))
        }
        Err(Failure::Bug(e)) => return Err(e),
    };
    let lock = match locks {
        Locks::Pin => LockFile::beside(&recipe_path, &catalog.knowledge)?,
        Locks::Ignore => None,
    };
    let mut unlocked = vec![];
    if let Some(lock) = &lock {
        unlocked = lock::pin(&mut unit.plan, &lock.lock);
        unit.rendered = render::render(&unit.plan, &name).map_err(Error::from)?;
    }
    Ok(Compiled {
        recipe_path,
        text,
        recipe: unit.recipe,
        workspace: workspace.map(|w| (w.path.clone(), w.text.clone())),
        app: unit.app,
        plan: unit.plan,
        rendered: unit.rendered,
        lock,
        unlocked,
    })
}

/// A member's errors, each reported in the recipe it points into: its own, or (past the end
/// of its text) the workspace's defaults.
fn split_errors(
    path: &Utf8Path,
    text: Arc<String>,
    workspace: Option<&WorkspaceFile>,
    errors: Vec<RecipeError>,
) -> Error {
    let start = text.len() + 1;
    let (theirs, own): (Vec<_>, Vec<_>) = errors.into_iter().partition(|e| e.offset() >= start);
    let mut all = vec![];
    if !own.is_empty() {
        all.push(recipe_error(path, text, own));
    }
    if let (Some(workspace), false) = (workspace, theirs.is_empty()) {
        let theirs = theirs
            .into_iter()
            .map(|e| {
                let span = SourceSpan::from((e.offset() - start, e.span.len()));
                RecipeError::new(span, e.kind)
            })
            .collect();
        all.push(recipe_error(
            &workspace.path,
            workspace.text.clone(),
            theirs,
        ));
    }
    match Error::all(all) {
        Err(e) => e,
        Ok(()) => Error::Bug {
            detail: format!("{path} failed to compile without an error"),
        },
    }
}
