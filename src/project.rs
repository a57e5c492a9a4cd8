//! The app's folder, as the compiler and `dslim init` read it: which files exist, what they
//! say, the source files below it, and the recipes of a monorepo. Every walk of a tree goes
//! through here, the way git sees it (.gitignore honoured, dependency and build folders skipped).

use camino::{Utf8Path, Utf8PathBuf};
use regex::Regex;

use crate::error::Expected;
use crate::RECIPE_FILE;

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

/// A folder to read from, or none (a recipe compiled from text alone gets dslim's defaults).
#[derive(Debug, Clone)]
pub struct Project {
    root: Option<Utf8PathBuf>,
}

impl Project {
    pub fn new(root: &Utf8Path) -> Self {
        Project {
            root: Some(root.to_path_buf()),
        }
    }

    /// No folder: every file is missing.
    pub fn none() -> Self {
        Project { root: None }
    }

    /// The folder, if there is one.
    pub fn root(&self) -> Option<&Utf8Path> {
        self.root.as_deref()
    }

    /// The nearest of `names` in a folder above the project (a workspace's root lockfile), as
    /// a path relative to the project: `../../uv.lock`. At most `levels` folders up.
    pub fn above(&self, names: &[&str], levels: usize) -> Option<(String, String)> {
        // `.` has no parent as written: walk up from where it really is
        let root = self.root.as_deref()?.canonicalize_utf8().ok()?;
        let mut up = String::new();
        let mut dir = root.parent();
        for _ in 0..levels {
            let here = dir?;
            up.push_str("../");
            if let Some(name) = names.iter().find(|n| here.join(n).is_file()) {
                return Some((format!("{up}{name}"), name.to_string()));
            }
            dir = here.parent();
        }
        None
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.root.as_ref().is_some_and(|r| r.join(rel).exists())
    }

    pub fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.root.as_ref()?.join(rel)).ok()
    }

    /// The app's own source files with one of `extensions`, relative to the root, sorted,
    /// at most `depth` folders deep.
    pub fn sources(&self, extensions: &[&str], depth: usize) -> Vec<String> {
        let Some(root) = &self.root else {
            return vec![];
        };
        let mut files: Vec<String> = walk(root, Some(depth + 1))
            .filter_map(|path| {
                let ext = path.extension()?;
                if !extensions.contains(&ext) {
                    return None;
                }
                Some(path.strip_prefix(root).ok()?.to_string())
            })
            .collect();
        files.sort();
        files
    }

    /// The names of the folders in `rel` (none without a project).
    pub fn subfolders(&self, rel: &str) -> Vec<String> {
        let Some(root) = &self.root else {
            return vec![];
        };
        let Ok(entries) = root.join(rel).read_dir_utf8() else {
            return vec![];
        };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string())
            .collect()
    }

    /// The first line of `rel` that matches `re`: its number (from 1) and the first group.
    pub fn find(&self, rel: &str, re: &Regex) -> Option<(usize, String)> {
        let text = self.read(rel)?;
        text.lines().enumerate().find_map(|(i, line)| {
            let caps = re.captures(line)?;
            let value = caps
                .get(1)
                .or_else(|| caps.get(0))
                .map(|m| m.as_str().to_string())?;
            Some((i + 1, value))
        })
    }

    /// The first match of any pattern in any of `files`, in file order.
    pub fn find_any<'r>(
        &self,
        files: &[String],
        patterns: impl IntoIterator<Item = &'r Regex> + Clone,
    ) -> Option<(String, usize, String)> {
        files.iter().find_map(|f| {
            patterns
                .clone()
                .into_iter()
                .find_map(|re| self.find(f, re))
                .map(|(line, v)| (f.clone(), line, v))
        })
    }

    /// The line on which `needle` first appears in `rel`.
    pub fn line_of(&self, rel: &str, needle: &str) -> Option<usize> {
        self.read(rel)?
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
    }
}

/// Every file below `root`, the way git sees the tree.
pub fn walk(root: &Utf8Path, max_depth: Option<usize>) -> impl Iterator<Item = Utf8PathBuf> {
    ignore::WalkBuilder::new(root)
        .max_depth(max_depth)
        .hidden(true)
        // .gitignore counts in a folder that is not (yet) a git repository too
        .require_git(false)
        .filter_entry(|e| !SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.into_path()).ok())
}

/// Every recipe below `root`, sorted.
pub fn recipes_below(root: &Utf8Path) -> Vec<Utf8PathBuf> {
    let mut found: Vec<Utf8PathBuf> = walk(root, None)
        .filter(|p| p.file_name() == Some(RECIPE_FILE))
        .collect();
    found.sort();
    found
}

/// `path` is a recipe file or a folder holding `dslim.kdl`.
pub fn resolve(path: &Utf8Path) -> Utf8PathBuf {
    if path.is_dir() {
        path.join(RECIPE_FILE)
    } else {
        path.to_path_buf()
    }
}

/// The files a pip requirements file pulls in with `-r`/`-c` (and their long forms), found
/// recursively and named from the project's root, as pip resolves them: relative to the file
/// that names them. Paths that leave the build context are left to pip to complain about.
pub fn requirement_includes(project: &Project, requirements: &str) -> Vec<String> {
    let mut found: Vec<String> = vec![];
    let mut queue = vec![requirements.to_string()];
    while let Some(file) = queue.pop() {
        let Some(text) = project.read(&file) else {
            continue;
        };
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for line in text.lines() {
            let Some(target) = included_file(line) else {
                continue;
            };
            let joined = if dir.is_empty() {
                target.to_string()
            } else {
                format!("{dir}/{target}")
            };
            let Some(path) = normalize(&joined) else {
                continue;
            };
            if crate::form::matches(&Expected::RelativePath, &path)
                && path != requirements
                && !found.contains(&path)
                && found.len() < 64
            {
                found.push(path.clone());
                queue.push(path);
            }
        }
    }
    found
}

/// The file a requirements line includes: `-r x.txt`, `-rx.txt`, `--requirement=x.txt`, `-c`...
fn included_file(line: &str) -> Option<&str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["-r" | "--requirement" | "-c" | "--constraint", path, ..] => Some(path),
        [flag, ..] => match flag
            .split_once('=')
            .or_else(|| flag.strip_prefix("-r").map(|p| ("-r", p)))
        {
            Some(("--requirement" | "--constraint" | "-r", path)) if !path.is_empty() => Some(path),
            _ => None,
        },
        [] => None,
    }
}

/// Lines of the requirements files that install the project itself (`-e .`, `.`): they need
/// the source, which the dependency layer is built without. Each as (file:line, the line).
pub fn editable_installs(project: &Project, files: &[String]) -> Vec<(String, String)> {
    let mut found = vec![];
    for file in files {
        let Some(text) = project.read(file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if matches!(
                words.as_slice(),
                ["-e" | "--editable", ..] | ["." | "./", ..]
            ) {
                found.push((format!("{file}:{}", i + 1), line.trim().to_string()));
            }
        }
    }
    found
}

/// `a/./b/../c` -> `a/c`; None when the path climbs out of the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = vec![];
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// `output` (relative to `folder`) as a path from the app's folder, when it stays inside it:
/// `frontend` + `../static/dist` is `static/dist`.
pub fn within(folder: &Utf8Path, output: &str) -> Option<String> {
    let joined = folder.join(output);
    let mut parts: Vec<&str> = vec![];
    for part in joined.components() {
        match part.as_str() {
            "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_lines_in_their_forms() {
        assert_eq!(included_file("-r base.txt"), Some("base.txt"));
        assert_eq!(included_file("-rbase.txt"), Some("base.txt"));
        assert_eq!(included_file("--requirement=base.txt"), Some("base.txt"));
        assert_eq!(included_file("-c constraints.txt"), Some("constraints.txt"));
        assert_eq!(included_file("flask==3.1"), None);
    }

    #[test]
    fn paths_that_climb_out_are_dropped() {
        assert_eq!(normalize("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("../x"), None);
    }
}
