//! A monorepo's workspace: the root recipe's `workspace` node, which recipes below it are its
//! members, and the defaults they share.

use std::sync::Arc;

use camino::{Utf8Path, Utf8PathBuf};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::error::{recipe_error, Error, Kind, RecipeError};
use crate::knowledge::Knowledge;
use crate::project::recipes_below;
use crate::syntax::{is_workspace, parse_workspace, Workspace};
use crate::RECIPE_FILE;

/// A workspace recipe read from disk.
#[derive(Debug, Clone)]
pub struct WorkspaceFile {
    pub path: Utf8PathBuf,
    pub text: Arc<String>,
    pub workspace: Workspace,
    members: GlobSet,
}

impl WorkspaceFile {
    /// The workspace whose recipe is at `path`, or None when that recipe is an app's.
    pub fn read(path: &Utf8Path, knowledge: &Knowledge) -> Result<Option<WorkspaceFile>, Error> {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Ok(None);
        };
        if !is_workspace(&text) {
            return Ok(None);
        }
        let text = Arc::new(text);
        let broken = |errors| recipe_error(path, text.clone(), errors);
        let workspace = parse_workspace(&text, knowledge).map_err(broken)?;
        let members = globs(&workspace).map_err(|e| broken(vec![e]))?;
        Ok(Some(WorkspaceFile {
            path: path.to_path_buf(),
            text,
            workspace,
            members,
        }))
    }

    /// The nearest workspace above the recipe at `recipe` that counts it as a member.
    pub fn of(recipe: &Utf8Path, knowledge: &Knowledge) -> Result<Option<WorkspaceFile>, Error> {
        let absolute = recipe
            .canonicalize_utf8()
            .unwrap_or_else(|_| recipe.to_path_buf());
        let Some(dir) = absolute.parent() else {
            return Ok(None);
        };
        for above in dir.ancestors().skip(1) {
            if let Some(found) = WorkspaceFile::read(&above.join(RECIPE_FILE), knowledge)? {
                let relative = dir.strip_prefix(above).unwrap_or(dir);
                return Ok(found.has_member(relative).then_some(found));
            }
        }
        Ok(None)
    }

    /// The folder of the workspace recipe: the root of the members' paths.
    pub fn dir(&self) -> &Utf8Path {
        self.path.parent().unwrap_or(Utf8Path::new("."))
    }

    /// Whether the folder at `relative` (to the workspace's) holds a member.
    fn has_member(&self, relative: &Utf8Path) -> bool {
        self.workspace.members.is_empty() || self.members.is_match(relative.as_std_path())
    }

    /// The members' recipes, sorted: each recipe below the workspace in a folder that
    /// `members` names (.gitignore honoured), other workspaces' recipes left out.
    pub fn member_recipes(&self) -> Vec<Utf8PathBuf> {
        let dir = self.dir();
        recipes_below(dir)
            .into_iter()
            .filter(|recipe| *recipe != self.path)
            .filter(|recipe| {
                let folder = recipe.parent().unwrap_or(dir);
                self.has_member(folder.strip_prefix(dir).unwrap_or(folder))
            })
            .collect()
    }
}

/// The `members` globs as one set; `*` stays within a folder, `**` crosses folders.
fn globs(workspace: &Workspace) -> Result<GlobSet, RecipeError> {
    let mut set = GlobSetBuilder::new();
    for member in &workspace.members {
        let pattern = member.value.trim_start_matches("./").trim_end_matches('/');
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                RecipeError::new(
                    member.span,
                    Kind::BadGlob {
                        detail: e.kind().to_string(),
                    },
                )
            })?;
        set.add(glob);
    }
    set.build().map_err(|e| {
        RecipeError::new(
            workspace.name.span,
            Kind::BadGlob {
                detail: e.to_string(),
            },
        )
    })
}
