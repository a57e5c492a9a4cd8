//! A package manager's workspace (pnpm, npm and yarn workspaces, uv workspaces): a root whose
//! lockfile every member installs from, and local packages that members import. A member of
//! one builds with that root as its build context, copying only the root's files, the
//! packages' manifests, the local packages it uses and its own folder.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use globset::{GlobBuilder, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use crate::project::Project;

/// How a manager's workspace root lists its members, and how a member names local packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// pnpm-workspace.yaml's `packages`; dependencies in package.json
    PnpmWorkspace,
    /// package.json's `workspaces` (npm, yarn); dependencies in package.json
    PackageJson,
    /// pyproject.toml's `[tool.uv.workspace]`; dependencies in `[project]`
    UvWorkspace,
    /// Cargo.toml's `[workspace]`; dependencies in `[dependencies]`, `[build-dependencies]`
    CargoWorkspace,
}

/// A manager's workspaces, as its data describes them.
#[derive(Debug, Deserialize)]
pub struct ManagerWorkspace {
    pub layout: Layout,
    /// the root's files the install reads (workspace file, lockfile, root manifest), copied
    /// first where the root has them
    pub root_files: Vec<String>,
    /// the tool loads every member of the workspace (cargo): each is copied, used or not
    #[serde(default)]
    pub every_member: bool,
}

/// The package manager's workspace an app is a member of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedRoot {
    /// the root's folder, from the app's: the build context (`../..`)
    pub root: String,
    /// the app's folder, from the root (`services/api`)
    pub member: String,
    /// the app's package name, which installs filter on
    pub package: String,
    /// what the install reads, from the root: the root's files, then every package's manifest
    pub manifests: Vec<String>,
    /// the folders of the local packages the app uses, directly or through another, from
    /// the root
    pub packages: Vec<String>,
}

impl SharedRoot {
    /// What a member's install commands are told (`MemberNames`): its package name and folder.
    pub fn template_names(&self) -> [(&'static str, &str); 2] {
        [("package", &self.package), ("path", &self.member)]
    }
}

/// One package of a workspace.
struct Package {
    folder: String,
    name: String,
    /// the names of the packages it depends on (local or not)
    uses: Vec<String>,
}

/// How many folders above the app a workspace root may be.
pub const LEVELS: usize = 6;

/// The workspace of `manager` that the app in `project` is a member of, if any. Err names a
/// path or package name no Dockerfile could copy or install safely.
pub fn find(project: &Project, data: &ManagerWorkspace) -> Result<Option<SharedRoot>, String> {
    let Some(app_dir) = project.root().and_then(|r| r.canonicalize_utf8().ok()) else {
        return Ok(None);
    };
    let Some(marker) = data.root_files.first() else {
        return Ok(None);
    };
    for (up, root) in app_dir.ancestors().enumerate().skip(1).take(LEVELS) {
        if !root.join(marker).is_file() {
            continue;
        }
        let Some(globs) = member_globs(root, data.layout) else {
            continue;
        };
        let member = app_dir.strip_prefix(root).map_err(|e| e.to_string())?;
        return shared_root(root, member, up, &globs, data).map(Some);
    }
    Ok(None)
}

fn shared_root(
    root: &Utf8Path,
    member: &Utf8Path,
    up: usize,
    globs: &Globs,
    data: &ManagerWorkspace,
) -> Result<SharedRoot, String> {
    let manifest = manifest_name(data.layout);
    let packages: Vec<Package> = package_folders(root, globs, manifest)
        .into_iter()
        .filter_map(|folder| read_package(root, &folder, data.layout))
        .collect();
    let Some(app) = packages.iter().find(|p| p.folder == member.as_str()) else {
        return Err(format!(
            "{member} is in the workspace at {root}, whose members do not include it"
        ));
    };
    let by_name: BTreeMap<&str, &Package> = packages.iter().map(|p| (p.name.as_str(), p)).collect();
    // the local packages it uses, through each other too
    let mut used: Vec<&str> = vec![];
    let mut queue: Vec<&Package> = vec![app];
    while let Some(package) = queue.pop() {
        for name in &package.uses {
            if let Some(local) = by_name.get(name.as_str()) {
                if local.folder != app.folder && !used.contains(&local.folder.as_str()) {
                    used.push(&local.folder);
                    queue.push(local);
                }
            }
        }
    }
    if data.every_member {
        used = packages
            .iter()
            .filter(|p| p.folder != app.folder)
            .map(|p| p.folder.as_str())
            .collect();
    }
    used.sort();
    let mut manifests: Vec<String> = data
        .root_files
        .iter()
        .filter(|f| root.join(f).is_file())
        .cloned()
        .collect();
    // (members copied whole bring their manifests along)
    if !data.every_member {
        manifests.extend(packages.iter().map(|p| format!("{}/{manifest}", p.folder)));
    }
    for path in manifests
        .iter()
        .map(String::as_str)
        .chain(used.iter().copied())
    {
        plain(path, "path")?;
    }
    plain(&app.name, "package name")?;
    Ok(SharedRoot {
        root: vec![".."; up].join("/"),
        member: member.to_string(),
        package: app.name.clone(),
        manifests,
        packages: used.into_iter().map(String::from).collect(),
    })
}

/// Refuses a path or name that a Dockerfile could not copy, or a shell could read as more
/// than one word.
fn plain(text: &str, what: &str) -> Result<(), String> {
    let ok = !text.is_empty()
        && !text.starts_with(['-', '/'])
        && !text.split('/').any(|part| part == "..")
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._/-+".contains(c));
    match ok {
        true => Ok(()),
        false => Err(format!(
            "the {what} {text:?} has characters dslim does not put in a Dockerfile"
        )),
    }
}

/// The member globs a root declares, and those it excludes.
struct Globs {
    include: Vec<String>,
    exclude: Vec<String>,
}

/// The member globs of the workspace at `root`, or None when the marker file there declares
/// no workspace (a package.json without `workspaces`).
fn member_globs(root: &Utf8Path, layout: Layout) -> Option<Globs> {
    let read = |name: &str| std::fs::read_to_string(root.join(name)).ok();
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (listed, exclude): (Vec<String>, Vec<String>) = match layout {
        Layout::PnpmWorkspace => {
            let yaml: serde_json::Value = serde_norway::from_str(&read("pnpm-workspace.yaml")?)
                .unwrap_or(serde_json::Value::Null);
            (strings(yaml.get("packages")), vec![])
        }
        Layout::PackageJson => {
            let json: serde_json::Value = serde_json::from_str(&read("package.json")?).ok()?;
            let workspaces = json.get("workspaces")?;
            // yarn also takes `{ "packages": [...] }`
            let list = workspaces.get("packages").unwrap_or(workspaces);
            (strings(Some(list)), vec![])
        }
        Layout::UvWorkspace => {
            let toml: toml::Value = read("pyproject.toml")?.parse().ok()?;
            let workspace = toml.get("tool")?.get("uv")?.get("workspace")?;
            let json = serde_json::to_value(workspace).ok()?;
            (strings(json.get("members")), strings(json.get("exclude")))
        }
        Layout::CargoWorkspace => {
            let toml: toml::Value = read("Cargo.toml")?.parse().ok()?;
            let json = serde_json::to_value(toml.get("workspace")?).ok()?;
            (strings(json.get("members")), strings(json.get("exclude")))
        }
    };
    // pnpm writes exclusions among the globs, as `!pattern`
    let (negated, include): (Vec<String>, Vec<String>) =
        listed.into_iter().partition(|g| g.starts_with('!'));
    let mut exclude = exclude;
    exclude.extend(negated.iter().map(|g| g[1..].to_string()));
    Some(Globs { include, exclude })
}

fn manifest_name(layout: Layout) -> &'static str {
    match layout {
        Layout::PnpmWorkspace | Layout::PackageJson => "package.json",
        Layout::UvWorkspace => "pyproject.toml",
        Layout::CargoWorkspace => "Cargo.toml",
    }
}

/// The folders below `root` that the globs name and that hold a manifest, sorted, relative
/// to the root. Folders git ignores (node_modules, .venv) are not walked.
fn package_folders(root: &Utf8Path, globs: &Globs, manifest: &str) -> Vec<String> {
    let set = |patterns: &[String]| {
        let mut set = GlobSetBuilder::new();
        for p in patterns {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            if let Ok(glob) = GlobBuilder::new(p).literal_separator(true).build() {
                set.add(glob);
            }
        }
        set.build().unwrap_or_else(|_| globset::GlobSet::empty())
    };
    let (include, exclude) = (set(&globs.include), set(&globs.exclude));
    // no deeper than the globs reach (`services/*`: a manifest two folders down), so that each
    // member's compilation does not walk the whole repository
    let depth = match globs.include.iter().any(|g| g.contains("**")) {
        true => None,
        false => globs.include.iter().map(|g| g.split('/').count() + 1).max(),
    };
    let mut folders: Vec<String> = crate::project::walk(root, depth)
        .filter(|path| path.file_name() == Some(manifest))
        .filter_map(|path| {
            let folder: Utf8PathBuf = path.parent()?.strip_prefix(root).ok()?.to_path_buf();
            let std = folder.as_std_path();
            (!folder.as_str().is_empty() && include.is_match(std) && !exclude.is_match(std))
                .then(|| folder.to_string())
        })
        .collect();
    folders.sort();
    folders
}

/// A package's name and the names it depends on, from its manifest.
fn read_package(root: &Utf8Path, folder: &str, layout: Layout) -> Option<Package> {
    let text = std::fs::read_to_string(root.join(folder).join(manifest_name(layout))).ok()?;
    let (name, uses) = match layout {
        Layout::PnpmWorkspace | Layout::PackageJson => {
            let json: serde_json::Value = serde_json::from_str(&text).ok()?;
            // what the build needs too: a bundled app imports local packages it lists as dev
            let uses = ["dependencies", "devDependencies", "optionalDependencies"]
                .iter()
                .filter_map(|field| json.get(field)?.as_object())
                .flat_map(|deps| deps.keys().cloned())
                .collect();
            (json.get("name")?.as_str()?.to_string(), uses)
        }
        Layout::UvWorkspace => {
            let toml: toml::Value = text.parse().ok()?;
            let project = toml.get("project")?;
            let uses = project
                .get("dependencies")
                .and_then(|d| d.as_array())
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_str())
                .map(python_name)
                .collect();
            (python_name(project.get("name")?.as_str()?), uses)
        }
        Layout::CargoWorkspace => {
            // every member is copied (`every_member`): which it uses does not matter
            let toml: toml::Value = text.parse().ok()?;
            let uses = vec![];
            (
                toml.get("package")?.get("name")?.as_str()?.to_string(),
                uses,
            )
        }
    };
    Some(Package {
        folder: folder.to_string(),
        name,
        uses,
    })
}

/// The name a Python requirement is about, normalized as PEP 503 compares names:
/// `My_Lib[extra]>=1` -> `my-lib`.
fn python_name(requirement: &str) -> String {
    let end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .unwrap_or(requirement.len());
    requirement[..end]
        .to_ascii_lowercase()
        .replace(['_', '.'], "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_requirements_are_compared_by_normalized_name() {
        assert_eq!(python_name("My_Lib[extra]>=1"), "my-lib");
        assert_eq!(python_name("prices"), "prices");
        assert_eq!(
            python_name("zope.interface ; python_version>'3'"),
            "zope-interface"
        );
    }

    #[test]
    fn only_plain_paths_reach_a_dockerfile() {
        assert!(plain("packages/shared", "path").is_ok());
        assert!(plain("@shop/api", "package name").is_ok());
        for bad in ["a b", "../x", "-rf", "x;y", "/abs", "a\nRUN x"] {
            assert!(plain(bad, "path").is_err(), "{bad}");
        }
    }
}
