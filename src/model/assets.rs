//! The `assets` node: front-end assets a package.json script builds for an app of another
//! stack (a Django, Rails or Phoenix app's JavaScript and CSS), in a Node stage of their own.

use miette::SourceSpan;
use serde::Serialize;

use super::Checker;
use crate::error::{Expected, Kind, Warning};
use crate::knowledge::Knowledge;
use crate::project::Project;
use crate::syntax::Recipe;

/// The stack whose image and package managers build the assets.
pub const ASSET_STACK: &str = "node";

/// Assets built in their own stage, and where the app's builder gets them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assets {
    /// the Node version of the stage
    pub version: String,
    /// the release of the app's distro the stage's image is on: the app's, unless Node
    /// `version` has no image there (the stage's files do not care which C library built them)
    pub release: String,
    pub manager: String,
    /// the package.json's folder, from the app's folder ("." for the app's own)
    pub folder: String,
    /// the package.json scripts that build them, in order
    pub scripts: Vec<String>,
    /// the folder the script writes, from the app's folder
    pub output: String,
    /// the folder has the manager's lockfile (or there is no project to ask)
    pub locked: bool,
    #[serde(skip)]
    pub span: SourceSpan,
}

/// The recipe's `assets` node, checked; None without one (or with errors, which `c` has).
pub fn assets(
    c: &mut Checker,
    recipe: &Recipe,
    knowledge: &Knowledge,
    project: &Project,
    (distro, app_release): (&str, &str),
) -> Option<Assets> {
    let node = recipe.one("assets")?;
    let data = knowledge.stack(ASSET_STACK)?;
    let text = |c: &mut Checker, property: &str, expected: Expected| {
        node.prop(property)
            .and_then(|v| c.value("assets", v, expected))
    };
    let folder = text(c, "folder", Expected::RelativeFolder)
        .map(|f| f.trim_end_matches('/').to_string())
        .unwrap_or_else(|| ".".into());
    let package_json = match folder.as_str() {
        "." => "package.json".to_string(),
        folder => format!("{folder}/package.json"),
    };
    // the scripts package.json has, where there is a project to read: a missing one would
    // fail only in `docker build`
    let known: Option<Vec<String>> = (project.read(&package_json))
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .map(|json| match json["scripts"].as_object() {
            Some(scripts) => scripts.keys().cloned().collect(),
            None => vec![],
        });
    // the scripts asked for, each with its value's span (`build` by default, at the node)
    let asked: Vec<(String, SourceSpan)> = match node.args.is_empty() {
        true => vec![("build".into(), node.name.span)],
        false => (node.args.iter())
            .filter_map(|v| Some((c.value("assets", v, Expected::Script)?, v.span)))
            .collect(),
    };
    let mut scripts: Vec<String> = vec![];
    for (script, span) in asked {
        match &known {
            Some(known) if !known.contains(&script) => c.error(
                span,
                Kind::NoSuchScript {
                    script,
                    file: package_json.clone(),
                    known: known.clone(),
                },
            ),
            _ => scripts.push(script),
        }
    }
    let Some(output) = text(c, "output", Expected::RelativeFolder) else {
        if node.prop("output").is_none() {
            c.error(
                node.name.span,
                Kind::MissingProperty {
                    node: "assets".into(),
                    property: "output".into(),
                    help: "name the folder the script writes, e.g. assets output=\"static/dist\""
                        .into(),
                },
            );
        }
        return None;
    };
    let version = super::stack_version(c, node.prop("node"), node.name.span, ASSET_STACK, data);
    let images = data.images.get(distro)?;
    let published = |release: &str| images.published(release, &version.value);
    let release = match published(app_release) {
        true => app_release.to_string(),
        false => {
            let newest = knowledge.distros.get(distro)?.preferred_release(published);
            let Some(newest) = newest else {
                c.error(
                    version.span,
                    Kind::NotPublished {
                        stack: ASSET_STACK.into(),
                        version: version.value.clone(),
                        release: app_release.into(),
                        instead: None,
                        newer: true,
                    },
                );
                return None;
            };
            newest.to_string()
        }
    };
    let version = version.value;
    let in_folder = |file: &str| match folder.as_str() {
        "." => file.to_string(),
        _ => format!("{folder}/{file}"),
    };
    // the manager the folder's lockfile implies, as for a node app
    let by_lockfile = data
        .manager_files
        .iter()
        .find(|(file, _)| project.exists(&in_folder(file)))
        .map(|(_, manager)| manager.clone());
    let manager = match node.prop("manager") {
        None => by_lockfile
            .or_else(|| data.default_manager.clone())
            .unwrap_or_default(),
        Some(v) => {
            c.one_of("assets", v, data.managers.keys().cloned().collect())?
                .value
        }
    };
    let lockfile = data
        .manager_files
        .iter()
        .find(|(_, m)| *m == manager)
        .map(|(file, _)| file.clone());
    let locked = project.root().is_none()
        || (lockfile.as_ref()).is_some_and(|file| project.exists(&in_folder(file)));
    if let (false, Some(file)) = (locked, lockfile) {
        c.warn(Warning::BuildsWithoutLock {
            lockfile: in_folder(&file),
        });
    }
    Some(Assets {
        version,
        release,
        manager,
        folder,
        scripts,
        output: output.trim_end_matches('/').to_string(),
        locked,
        span: node.name.span,
    })
}
