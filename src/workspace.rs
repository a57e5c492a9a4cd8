//! Several recipes at once: the ones named on the command line, or with `--all` every
//! dslim.kdl below a folder, found the way git sees the tree (.gitignore honoured, dependency
//! and build folders skipped).

use camino::{Utf8Path, Utf8PathBuf};

use crate::compile::{resolve, RECIPE_FILE};
use crate::error::Error;

/// Folders that hold dependencies or build output, never an app's own recipe or code.
pub const SKIP_DIRS: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    "env",
    "target",
    "dist",
    "build",
    ".git",
    "__pycache__",
    "vendor",
    ".next",
];

/// The recipes the user means: each path as given (a recipe or its folder), or with `all`,
/// every recipe below each path, in a stable order.
pub fn recipes(paths: &[Utf8PathBuf], all: bool) -> Result<Vec<Utf8PathBuf>, Error> {
    if !all {
        return Ok(paths.iter().map(|p| resolve(p)).collect());
    }
    let mut found = vec![];
    for root in paths {
        let below = find(root);
        if below.is_empty() {
            return Err(Error::NoRecipes { root: root.clone() });
        }
        found.extend(below);
    }
    found.dedup();
    Ok(found)
}

/// Every dslim.kdl below `root`.
pub fn find(root: &Utf8Path) -> Vec<Utf8PathBuf> {
    let mut found: Vec<Utf8PathBuf> = ignore::WalkBuilder::new(root)
        .hidden(true)
        // .gitignore counts in a folder that is not (yet) a git repository too
        .require_git(false)
        .filter_entry(|e| !SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()) && e.file_name() == RECIPE_FILE)
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.into_path()).ok())
        .collect();
    found.sort();
    found
}
