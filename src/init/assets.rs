//! Front-end assets beside an app of a stack that takes an `assets` node: a package.json
//! whose build the Node stack's own detection understands (its script, and the folder it
//! writes: Vite's `build.outDir`...), in one of the folders the app's stack names.

use camino::Utf8Path;

use crate::detect::{Detection, Evidence, Finding, FoundAssets};
use crate::error::Warning;
use crate::knowledge::StackData;
use crate::model::ASSET_STACK;
use crate::project::Project;
use crate::stacks::Catalog;

pub fn detect(catalog: &Catalog, project: &Project, data: &StackData, detection: &mut Detection) {
    let Some(root) = project.root() else {
        return;
    };
    if detection.assets.is_some() || !data.nodes.iter().any(|n| n == "assets") {
        return;
    }
    for folder in &data.asset_folders {
        let in_folder = |path: &str| match folder.as_str() {
            "." => path.to_string(),
            _ => format!("{folder}/{path}"),
        };
        if !project.exists(&in_folder("package.json")) {
            continue;
        }
        let package = Project::new(&root.join(folder));
        let Some(found) = catalog.detect_one(ASSET_STACK, &package) else {
            continue;
        };
        // only a build whose output the detection read (not its guess of dist/)
        let Some(build) = found.build.filter(|b| !b.is_guess()) else {
            if let Some(script) = build_script(&package) {
                detection.warnings.push(Warning::AssetsOutputUnknown {
                    file: in_folder("package.json"),
                    script,
                });
                return;
            }
            continue;
        };
        let Some(output) = crate::project::within(Utf8Path::new(folder), &build.value.output)
        else {
            continue;
        };
        let evidence = Evidence::file(
            &in_folder("package.json"),
            format!(
                "its `{}` script writes {output}, which the builder gets",
                build.value.script
            ),
        );
        detection.assets = Some(Finding::found(
            FoundAssets {
                folder: folder.clone(),
                scripts: vec![build.value.script.clone()],
                output,
            },
            evidence,
        ));
        return;
    }
}

/// The package.json script that builds (`build`), when there is one.
fn build_script(package: &Project) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(&package.read("package.json")?).ok()?;
    json["scripts"]["build"].is_string().then(|| "build".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_read_from_the_apps_folder() {
        let at = |folder: &str, output: &str| crate::project::within(Utf8Path::new(folder), output);
        assert_eq!(at("frontend", "../static/dist"), Some("static/dist".into()));
        assert_eq!(at(".", "dist"), Some("dist".into()));
        assert_eq!(at("assets", "dist/"), Some("assets/dist".into()));
        assert_eq!(at(".", "../elsewhere"), None);
        assert_eq!(at("frontend", ".."), None);
    }
}
