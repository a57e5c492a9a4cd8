//! `build-step` nodes: commands run in the builder once the source is there (Django's
//! collectstatic, Rails' assets:precompile, bootsnap's cache), each with variables set for it
//! alone. The stacks that take the node share how it is read and planned.

use crate::error::Expected;
use crate::model::{node_pairs, StackInput};
use crate::plan::{app_owner, Ctx, EnvVar, StageName, Step};

/// A `build-step`: a command, with variables set for it alone.
#[derive(Clone)]
pub struct BuildStep {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// The recipe's `build-step` nodes, checked.
pub fn read(cx: &mut StackInput<'_>) -> Vec<BuildStep> {
    let c = &mut *cx.checker;
    let mut steps = vec![];
    for node in cx.recipe.all("build-step") {
        let argv = node
            .args
            .iter()
            .filter_map(|v| c.one_line("build-step", v))
            .collect();
        let env = node_pairs(c, node, Expected::EnvKey);
        steps.push(BuildStep { argv, env });
    }
    steps
}

/// Whether the source goes through the builder: with build steps, or assets to add to it.
pub fn through_builder(ctx: &Ctx, steps: &[BuildStep]) -> bool {
    !steps.is_empty() || ctx.app.assets.is_some()
}

/// The builder's steps after the dependency install: the stack's environment for the
/// commands (`env`), the source, then each command. The dependency layer above stays cached
/// when only the source changes. `at_root`: the install ran at a workspace's root, so the
/// app's own folder becomes the working directory again.
pub fn stage_steps(
    ctx: &Ctx,
    steps: &[BuildStep],
    env: &[(String, String)],
    at_root: bool,
) -> Vec<Step> {
    let mut planned = vec![];
    if !env.is_empty() {
        let vars = env.iter().map(|(k, v)| EnvVar::own(k, v)).collect();
        planned.push(Step::Env { vars });
    }
    if at_root {
        planned.push(Step::Workdir {
            path: ctx.app.workdir.clone(),
        });
    }
    planned.push(Step::copy_context(vec![ctx.in_app(".")], ".", None));
    // the assets the Node stage built, where the build steps (collectstatic, assets:precompile,
    // mix assets.deploy) and the final image expect them
    if let Some(assets) = &ctx.app.assets {
        planned.push(Step::copy_from(
            StageName::Assets,
            &format!("{}/{}", ctx.assets_root(), assets.output),
            &format!("./{}/", assets.output),
            None,
        ));
    }
    let mut commands = argvs(steps);
    // the front-end's own folder (its sources, package.json) is the assets stage's: once its
    // output is here, the app's image has no use for it
    let assets = ctx.app.assets.as_ref();
    if let Some(folder) = assets.and_then(|a| frontend_only_folder(&a.folder, &a.output)) {
        commands.push(vec!["rm".into(), "-rf".into(), "--".into(), folder]);
    }
    planned.extend(run_all(commands));
    planned
}

/// Each step's command line: its variables given through env(1), for it alone (an ENV would
/// stay in the stage's config, and BuildKit warns about secret-looking names).
pub fn argvs(steps: &[BuildStep]) -> Vec<Vec<String>> {
    steps
        .iter()
        .map(|s| {
            let mut argv = vec![];
            if !s.env.is_empty() {
                argv.push("env".to_string());
                argv.extend(s.env.iter().map(|(k, v)| format!("{k}={v}")));
            }
            argv.extend(s.argv.iter().cloned());
            argv
        })
        .collect()
}

/// RUN steps for `commands`: several share one layer (one RUN each is what hadolint's DL3059
/// asks to merge), each word quoted for the shell so that it stays one word, read literally;
/// one (or words no shell quoting can hold) is in exec form, where no shell reads the words.
pub fn run_all(commands: Vec<Vec<String>>) -> Vec<Step> {
    let joined: Option<Vec<String>> = commands.iter().map(|argv| shell_words(argv)).collect();
    match (commands.len(), joined) {
        (2.., Some(joined)) => vec![Step::Run {
            commands: joined,
            mounts: vec![],
        }],
        _ => commands
            .into_iter()
            .map(|argv| Step::Exec { argv })
            .collect(),
    }
}

/// The assets' `folder`, when it is a folder of its own that their `output` is not in.
fn frontend_only_folder(folder: &str, output: &str) -> Option<String> {
    let inside = |path: &str| path == folder || path.starts_with(&format!("{folder}/"));
    (folder != "." && !inside(output)).then(|| folder.to_string())
}

/// The final image's copy of the app's source, owned by the app's user: from the builder's
/// workdir when the source went through it (with what the build steps made there), else from
/// the build context.
pub fn source_copy(ctx: &Ctx, through_builder: bool) -> Step {
    match through_builder {
        true => Step::copy_from(StageName::Builder, &ctx.app.workdir, ".", app_owner()),
        false => Step::copy_context(vec![ctx.in_app(".")], ".", app_owner()),
    }
}

/// `argv` as one sh command line, each word single-quoted where sh would read it otherwise;
/// None for a word with a NUL byte, which no quoting holds.
pub fn shell_words(argv: &[String]) -> Option<String> {
    let words: Result<Vec<_>, _> = argv.iter().map(|word| shlex::try_quote(word)).collect();
    Some(words.ok()?.join(" "))
}
