//! The assets stage: front-end assets that a package.json script builds for an app of another
//! stack (a Django, Rails or Phoenix app), with this stack's image and package managers. The
//! stage works at the build context's root, so the script's output is where the app expects it.

use super::Node;
use crate::error::Error;
use crate::model::{Assets, ASSET_STACK};
use crate::plan::{Ctx, EnvVar, Stage, StageName, Step};
use crate::stacks::AssetStage;

pub fn stage(node: &Node, ctx: &Ctx, assets: &Assets) -> Result<AssetStage, Error> {
    let bug = |what: &str| Error::Bug {
        detail: format!("no {ASSET_STACK} {what} for the assets stage"),
    };
    let data = ctx
        .knowledge
        .stack(ASSET_STACK)
        .ok_or_else(|| bug("data"))?;
    let images = (data.images.get(&ctx.app.distro.value)).ok_or_else(|| bug("images"))?;
    let manager = (data.managers.get(&assets.manager)).ok_or_else(|| bug("manager"))?;
    let own = (node.managers.get(&assets.manager)).ok_or_else(|| bug("manager"))?;
    let in_folder = |path: &str| match assets.folder.as_str() {
        "." => path.to_string(),
        folder => format!("{folder}/{path}"),
    };
    let manifests =
        crate::stacks::manifests_to_copy(manager, &[], Some(&own.lockfile), assets.locked)?;
    let mut steps = vec![];
    if !manager.builder_env.is_empty() {
        let vars = (manager.builder_env.iter())
            .map(|(k, v)| EnvVar::own(k, v))
            .collect();
        steps.push(Step::Env { vars });
    }
    // the manifests and the install in the package.json's folder, whose node_modules the
    // script then finds there
    steps.push(Step::Workdir {
        path: match assets.folder.as_str() {
            "." => ctx.assets_root().to_string(),
            folder => format!("{}/{folder}", ctx.assets_root()),
        },
    });
    let sources: Vec<String> = manifests.iter().map(|m| in_folder(m)).collect();
    // the lockfile is copied only where it is, so what can be missing is package.json
    let hint = "folder= names the folder, under the app's, whose package.json has the scripts";
    let inputs = crate::stacks::manifest_inputs(&sources, assets.span, hint);
    steps.push(Step::copy_context(sources, "./", None));
    let install = match assets.locked {
        true => &own.install_all,
        false => &own.without_lock.install_all,
    };
    let mut commands: Vec<String> = own.setup.iter().cloned().collect();
    commands.push(install.clone());
    steps.push(Step::run_managed(commands, manager));
    steps.push(Step::copy_context(
        vec![ctx.in_app(".")],
        &format!("{}/", ctx.assets_root()),
        None,
    ));
    let mut scripts = vec![];
    for script in &assets.scripts {
        scripts.push(own.run_script.render(&[("script", script)])?);
    }
    steps.push(Step::run(scripts, &[]));
    let stage = Stage {
        name: StageName::Assets,
        from: ctx.image_on(&images.builder, &assets.version, &assets.release)?,
        purpose: format!(
            "assets: `{}` with Node {}; only {} leaves this stage",
            assets.scripts.join("`, `"),
            assets.version,
            assets.output
        ),
        steps,
    };
    // a local install would overwrite the stage's, and reach the app's image
    let dockerignore = vec![in_folder("node_modules/")];
    Ok(AssetStage {
        stage,
        inputs,
        dockerignore,
    })
}
