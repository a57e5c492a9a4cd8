//! What a stack plans with: the app, the knowledge, and helpers for the steps every builder
//! stage shares (build dependencies, the tool's environment, manifests before the source).

use super::{EnvVar, ImageRef, Mount, Step};
use crate::knowledge::{Distro, Images, Knowledge, StackData};
use crate::model::{App, Runtime, SecretSource};
use crate::template::{ImageNames, Template, TemplateError};

pub struct Ctx<'a> {
    pub app: &'a App,
    pub knowledge: &'a Knowledge,
    pub stack: &'a StackData,
    pub distro: &'a Distro,
    pub images: &'a Images,
}

impl<'a> Ctx<'a> {
    /// The context of `app`, or None when its stack or distro is unknown (the model has
    /// refused such an app already).
    pub fn new(app: &'a App, knowledge: &'a Knowledge) -> Option<Self> {
        let stack = knowledge.stack(&app.stack)?;
        Some(Ctx {
            app,
            knowledge,
            stack,
            distro: knowledge.distros.get(&app.distro.value)?,
            images: stack.images.get(&app.distro.value)?,
        })
    }

    /// An image for this app's version and release, behind the registry mirror if any.
    pub fn image(&self, template: &Template<ImageNames>) -> Result<ImageRef, TemplateError> {
        self.image_at(template, &self.app.version.value)
    }

    /// An image of another version than the app's (the assets stage's Node), on the app's
    /// release, behind its registry mirror.
    pub fn image_at(
        &self,
        template: &Template<ImageNames>,
        version: &str,
    ) -> Result<ImageRef, TemplateError> {
        self.image_on(template, version, &self.app.release)
    }

    /// Where the assets stage builds: the app's own folder (WORKDIR), with the build context
    /// in it, as in the final image: a bundler configured with absolute paths (Tailwind's
    /// `source("/app")`) finds the files where the app's own Dockerfile had them.
    pub fn assets_root(&self) -> &str {
        self.app.workdir.trim_end_matches('/')
    }

    /// `image_at` on another release of the app's distro (the assets stage's Node).
    pub fn image_on(
        &self,
        template: &Template<ImageNames>,
        version: &str,
        release: &str,
    ) -> Result<ImageRef, TemplateError> {
        let release_number = (self.distro.releases.get(release))
            .map(String::as_str)
            .unwrap_or("");
        let name = template.render(&[
            ("version", version),
            ("release", release),
            ("release_number", release_number),
        ])?;
        Ok(ImageRef::parse(&name).behind(self.app.registry.as_deref()))
    }

    pub fn builder_image(&self) -> Result<ImageRef, TemplateError> {
        self.image(&self.images.builder)
    }

    /// The final image: scratch, distroless (the stack's), nginx for a single-page app, or the
    /// language's slim image (the distro's own for compiled stacks).
    pub fn runtime_image(
        &self,
        distroless: Option<&Template<ImageNames>>,
    ) -> Result<ImageRef, TemplateError> {
        match self.app.runtime {
            Runtime::Scratch => Ok(ImageRef::scratch()),
            Runtime::Distroless => match distroless {
                Some(template) => self.image(template),
                None => self.image(&self.distro.runtime_image),
            },
            Runtime::Nginx => {
                let spa = &self.knowledge.spa;
                let version = self
                    .app
                    .static_site
                    .as_deref()
                    .unwrap_or(&spa.default_nginx);
                let name = spa.image.render(&[("version", version)])?;
                Ok(ImageRef::parse(&name).behind(self.app.registry.as_deref()))
            }
            Runtime::Slim => match &self.images.slim {
                Some(slim) => self.image(slim),
                None => self.image(&self.distro.runtime_image),
            },
        }
    }

    /// `apt-get install` (or `apk add`) of `packages`, as one command.
    pub fn install(&self, packages: &[String]) -> Result<String, TemplateError> {
        self.distro
            .install
            .render(&[("packages", &packages.join(" "))])
    }

    /// The head every builder stage shares: build dependencies, the tool's environment, the
    /// working directory and the dependency manifests, copied before the source so that the
    /// install below them stays cached until a manifest changes.
    pub fn builder_head(
        &self,
        env: &[(String, String)],
        workdir: &str,
        manifests: &[String],
    ) -> Result<Vec<Step>, TemplateError> {
        let mut steps = vec![];
        steps.extend(self.build_deps_step()?);
        if !env.is_empty() {
            steps.push(Step::Env {
                vars: env.iter().map(|(k, v)| EnvVar::own(k, v)).collect(),
            });
        }
        steps.push(Step::Workdir {
            path: workdir.into(),
        });
        steps.extend(copy_manifests(manifests));
        Ok(steps)
    }

    /// A dependency install's RUN with the recipe's secrets: each mounted for this step
    /// alone, a variable's exported from its file first (its value is never in the
    /// Dockerfile, a layer or the history; only the `cat` is).
    pub fn with_secrets(&self, step: Step) -> Step {
        let Step::Run {
            mut commands,
            mut mounts,
        } = step
        else {
            return step;
        };
        let mut exports = vec![];
        for secret in &self.app.secrets {
            match &secret.source {
                SecretSource::Env(var) => {
                    // assigned, then exported: `export X="$(...)"` would hide a failing cat
                    exports.push(format!("{var}=\"$(cat /run/secrets/{})\"", secret.id));
                    exports.push(format!("export {var}"));
                    mounts.push(Mount::Secret {
                        id: secret.id.clone(),
                        target: None,
                    });
                }
                SecretSource::File { target, .. } => mounts.push(Mount::Secret {
                    id: secret.id.clone(),
                    target: Some(target.clone()),
                }),
            }
        }
        exports.append(&mut commands);
        Step::Run {
            commands: exports,
            mounts,
        }
    }

    /// A path of the app's folder as the build context names it: the member's folder comes
    /// first when the context is its package manager's workspace root.
    pub fn in_app(&self, path: &str) -> String {
        match (&self.app.shared, path) {
            (None, _) => path.to_string(),
            (Some(shared), ".") => shared.member.clone(),
            (Some(shared), _) => format!("{}/{path}", shared.member),
        }
    }

    /// COPY of the local packages the app uses (to where they are in the workspace), then of
    /// the app's source to the working directory.
    pub fn copy_sources(&self, chown: Option<String>) -> Vec<Step> {
        let mut steps = self.copy_packages(chown.clone());
        steps.push(Step::copy_context(vec![self.in_app(".")], ".", chown));
        steps
    }

    /// COPY of each local package the app uses, to where it is in the workspace.
    pub fn copy_packages(&self, chown: Option<String>) -> Vec<Step> {
        let root = self.app.root_workdir.trim_end_matches('/');
        let packages = self.app.shared.iter().flat_map(|s| &s.packages);
        packages
            .map(|p| Step::copy_context(vec![p.clone()], &format!("{root}/{p}"), chown.clone()))
            .collect()
    }

    /// `copy_sources` in a builder stage, whose install ran at the workspace's root: into the
    /// app's folder first.
    pub fn builder_sources(&self) -> Vec<Step> {
        let mut steps = vec![];
        if self.app.shared.is_some() {
            steps.push(Step::Workdir {
                path: self.app.workdir.clone(),
            });
        }
        steps.extend(self.copy_sources(None));
        steps
    }

    /// The stack's environment for the final image (the venv on PATH, NODE_ENV...).
    pub fn runtime_env(&self) -> Vec<EnvVar> {
        self.stack
            .runtime_env
            .iter()
            .map(|(k, v)| EnvVar::own(k, v))
            .collect()
    }

    /// A RUN that installs build dependencies (with the companions they need), if any.
    fn build_deps_step(&self) -> Result<Option<Step>, TemplateError> {
        let packages = self.distro.with_companions(&self.app.build_deps);
        if packages.is_empty() {
            return Ok(None);
        }
        Ok(Some(Step::run(vec![self.install(&packages)?], &[])))
    }
}

/// `COPY` of the given manifests into the workdir, keeping their relative paths.
fn copy_manifests(manifests: &[String]) -> Vec<Step> {
    let mut by_dir: Vec<(String, Vec<String>)> = vec![];
    for m in manifests {
        let dir = match m.rfind('/') {
            Some(i) => format!("./{}/", &m[..i]),
            None => "./".to_string(),
        };
        match by_dir.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, files)) => files.push(m.clone()),
            None => by_dir.push((dir, vec![m.clone()])),
        }
    }
    by_dir
        .into_iter()
        .map(|(dest, sources)| Step::copy_context(sources, &dest, None))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_keep_their_folders() {
        let steps = copy_manifests(&[
            "pyproject.toml".into(),
            "uv.lock".into(),
            "requirements/prod.txt".into(),
        ]);
        assert_eq!(steps.len(), 2);
        assert!(matches!(&steps[1], Step::Copy { dest, .. } if dest == "./requirements/"));
    }
}
