//! What a Node app's final stage copies, from the install, the build and the context.

use super::NodeApp;
use crate::local_packages::SharedRoot;
use crate::plan::{app_owner, Ctx, StageName, Step};

impl NodeApp<'_> {
    /// What the final stage copies: nginx's config and the static files, or node_modules and
    /// the app (its build output and package.json when it has a build).
    pub(super) fn runtime_copies(&self, ctx: &Ctx) -> Vec<Step> {
        let workdir = &ctx.app.workdir;
        if self.spa.is_some() {
            let spa_data = &ctx.knowledge.spa;
            let output = self.build.as_ref().map_or("dist", |b| b.output.as_str());
            return vec![
                Step::copy_from(StageName::Build, "/tmp/nginx.conf", &spa_data.conf, None),
                Step::copy_from(
                    StageName::Build,
                    &format!("{workdir}/{output}/"),
                    &format!("{}/", spa_data.html),
                    None,
                ),
            ];
        }
        // a path of the build stage, at the same place in the workdir
        let from_build = |path: &str| {
            Step::copy_from(
                StageName::Build,
                &format!("{workdir}/{path}"),
                &format!("./{path}"),
                app_owner(),
            )
        };
        if let Some(b) = self.build.as_ref().filter(|b| b.self_contained) {
            // the output is the app: its contents at the workdir, then what it leaves out
            let mut copies = vec![Step::copy_from(
                StageName::Build,
                &format!("{workdir}/{}/", b.output.trim_end_matches('/')),
                "./",
                app_owner(),
            )];
            copies.extend(b.also.iter().map(|path| from_build(&path.value)));
            return copies;
        }
        // a workspace member's install left node_modules at the root and in each package's
        // folder too: each where it was
        let mut copies: Vec<Step> = self
            .node_modules(ctx)
            .into_iter()
            .map(|path| {
                let to = match path.strip_prefix(workdir.as_str()) {
                    Some("/node_modules") => "./node_modules".to_string(),
                    _ => path.clone(),
                };
                Step::copy_from(StageName::Deps, &path, &to, app_owner())
            })
            .collect();
        match &self.build {
            Some(b) => {
                copies.extend(ctx.copy_packages(app_owner()));
                copies.push(Step::copy_context(
                    vec![ctx.in_app("package.json")],
                    "./",
                    app_owner(),
                ));
                copies.push(from_build(&b.output));
                copies.extend(b.also.iter().map(|path| from_build(&path.value)));
            }
            None => copies.extend(ctx.copy_sources(app_owner())),
        }
        copies
    }

    /// Where the production install puts packages: the app's node_modules, and for a
    /// workspace member, the root's and each local package's too.
    pub(super) fn node_modules(&self, ctx: &Ctx) -> Vec<String> {
        let root = ctx.app.root_workdir.trim_end_matches('/');
        match &self.shared {
            Some(shared) => shared_folders(shared)
                .map(|folder| match folder {
                    "." => format!("{root}/node_modules"),
                    _ => format!("{root}/{folder}/node_modules"),
                })
                .collect(),
            None => vec![format!(
                "{}/node_modules",
                ctx.app.workdir.trim_end_matches('/')
            )],
        }
    }
}

/// The folders of a workspace member's install, from the root: the root's, the local
/// packages' and the member's.
pub(super) fn shared_folders(shared: &SharedRoot) -> impl Iterator<Item = &str> {
    ["."]
        .into_iter()
        .chain(shared.packages.iter().map(String::as_str))
        .chain([shared.member.as_str()])
}
