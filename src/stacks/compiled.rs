//! What Go and Rust share: one builder compiles a single binary with cache mounts for the
//! module/crate registry and build cache; the final image holds that binary (and CA
//! certificates on scratch and slim).

use serde::Deserialize;

use crate::detect::{DetectInput, Detection, Evidence, Finding};
use crate::error::Error;
use crate::local_packages::{ManagerWorkspace, SharedRoot};
use crate::model::{Checker, StackInput};
use crate::model::{Runtime, Shape};
use crate::plan::{Ctx, Input, RuntimeStage, StackStages, Stage, StageName, Step};
use crate::project::Project;
use crate::syntax::Spanned;
use crate::template::{BuildNames, ImageNames, Pattern, Template, WorkdirNames};

/// A compiled stack's own data in `recipes/stacks/NAME.toml`.
#[derive(Debug, Deserialize)]
pub struct Compiled {
    /// copied before the source, so that the dependency download stays cached
    manifests: Vec<String>,
    cache: Vec<Template<WorkdirNames>>,
    download: Option<String>,
    /// the file that shows the dependencies are vendored, with nothing to download
    #[serde(default)]
    vendored: Option<String>,
    #[serde(default)]
    builder_env: Vec<(String, String)>,
    build: Template<BuildNames>,
    /// the file `build` needs (Cargo.lock, go.mod), and the command for a project without it
    #[serde(default)]
    lockfile: Option<String>,
    #[serde(default)]
    build_without_lock: Option<Template<BuildNames>>,
    distroless: Template<ImageNames>,
    /// with cgo (Go): the build, and the distroless image with a C library
    #[serde(default)]
    build_cgo: Option<Template<BuildNames>>,
    #[serde(default)]
    distroless_cgo: Option<Template<ImageNames>>,
    /// (builder path, final path) of the CA bundle, for runtimes without one
    certificates: Vec<(String, String)>,
    /// the tool's workspaces, whose members build from the root
    #[serde(default)]
    workspace: Option<ManagerWorkspace>,
    pub detect: CompiledDetect,
}

#[derive(Debug, Deserialize)]
pub struct CompiledDetect {
    pub ports: Vec<Pattern>,
    #[serde(default)]
    pub env: crate::detect::EnvReads,
    /// source lines that show C code (Go's `import "C"`)
    #[serde(default)]
    pub cgo_imports: Vec<Pattern>,
    /// modules that bring C code
    #[serde(default)]
    pub cgo_modules: Vec<String>,
    /// the variables the tool reads a private registry's token from (cargo)
    #[serde(default)]
    pub registry_env: Vec<Template<crate::template::NameNames>>,
    /// code that reads a file or folder at run time, relative to where it runs: group 1 the
    /// path, whose first folder the final image needs
    #[serde(default)]
    pub runtime_files: Vec<Pattern>,
    /// code that embeds a folder into the binary instead (Go's `//go:embed`): group 1
    #[serde(default)]
    pub embedded: Vec<Pattern>,
    /// code that reads PORT with no default of its own: the recipe sets it to the port
    #[serde(default)]
    pub reads_port: Vec<Pattern>,
}

impl CompiledDetect {
    /// The files and folders of the project the code reads at run time (the first folder of
    /// each path, or the file), where they exist and are not embedded in the binary.
    pub fn runtime_files(&self, project: &Project, sources: &[String]) -> Vec<Finding<String>> {
        let mut found: Vec<Finding<String>> = vec![];
        let mut embedded: Vec<String> = vec![];
        for file in sources {
            let Some(text) = project.read(file) else {
                continue;
            };
            for (i, line) in text.lines().enumerate() {
                for pattern in &self.embedded {
                    embedded.extend(
                        pattern
                            .0
                            .captures_iter(line)
                            .filter_map(|c| Some(first_part(c.get(1)?.as_str()))),
                    );
                }
                for pattern in &self.runtime_files {
                    for caps in pattern.0.captures_iter(line) {
                        let Some(path) = caps.get(1).map(|m| first_part(m.as_str())) else {
                            continue;
                        };
                        if path.is_empty() || !project.exists(&path) {
                            continue;
                        }
                        if !found.iter().any(|f| f.value == path) {
                            let evidence = Evidence::line(file, i + 1, "");
                            found.push(Finding::found(path, evidence));
                        }
                    }
                }
            }
        }
        found.retain(|f| !embedded.contains(&f.value));
        found
    }

    /// The port the code listens on (else the stack's `convention`); an app that reads PORT
    /// (and may refuse to start without it) is given the port there.
    pub fn listen(
        &self,
        input: &DetectInput,
        sources: &[String],
        convention: &str,
        d: &mut Detection,
    ) {
        let port = input.port(sources, &self.ports, convention);
        let patterns = self.reads_port.iter().map(|p| &p.0);
        if let Some((file, line, _)) = input.project.find_any(sources, patterns) {
            let at = Evidence::line(&file, line, "it reads PORT");
            d.set_env(Finding::found(("PORT".into(), port.value.to_string()), at));
        }
        d.port = Some(port);
    }
}

/// `./templates/*.html` -> `templates`; `config.yaml` -> `config.yaml`.
fn first_part(path: &str) -> String {
    let path = path.trim_start_matches("./");
    match path.split_once('/') {
        Some((folder, _)) => folder.to_string(),
        None if path.contains('*') => String::new(),
        None => path.to_string(),
    }
}

/// How a compiled app builds, from what its project holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Build {
    /// it has its lockfile (Cargo.lock, go.mod)
    pub locked: bool,
    /// its dependencies are vendored
    pub vendored: bool,
    /// it builds with cgo
    pub cgo: bool,
}

/// Where the source is built.
const SRC: &str = "/src";

/// Where the binary lands in the final image.
pub fn installed(binary: &str) -> String {
    format!("/usr/local/bin/{binary}")
}

/// The shape of an app whose command is its binary.
pub fn shape(binary: &str, language: serde_json::Value, shared: Option<SharedRoot>) -> Shape {
    Shape {
        static_site: None,
        default_entrypoint: vec![installed(binary)],
        language,
        shared,
    }
}

impl Compiled {
    /// The workspace the app is a member of, where the tool (`tool`: the stack node) has
    /// workspaces.
    pub fn shared_root(&self, cx: &mut StackInput, tool: &Spanned<String>) -> Option<SharedRoot> {
        super::workspace_member(cx, self.workspace.as_ref()?, tool)
    }

    /// The workspace the project is a member of, as init sees it (one dslim cannot build
    /// from is for the recipe's compilation to report).
    pub fn workspace_of(&self, project: &Project) -> Option<SharedRoot> {
        crate::local_packages::find(project, self.workspace.as_ref()?)
            .ok()
            .flatten()
    }

    /// Whether the project builds from its lockfile (Cargo.lock, go.mod), when the stack has
    /// one: in its folder, or at the root of the workspace it is a member of.
    pub fn locked(
        &self,
        project: &Project,
        shared: Option<&SharedRoot>,
        checker: &mut Checker,
    ) -> bool {
        self.lockfile
            .as_ref()
            .is_none_or(|lockfile| super::has_lockfile(project, shared, checker, lockfile))
    }

    /// Whether the project vendors its dependencies.
    pub fn vendored(&self, project: &Project) -> bool {
        self.vendored.as_ref().is_some_and(|f| project.exists(f))
    }

    /// The builder that compiles `binary` (from `package`, for Go) and the final stage that
    /// holds it.
    pub fn stages(
        &self,
        ctx: &Ctx,
        binary: &str,
        package: &str,
        how: Build,
    ) -> Result<StackStages, Error> {
        let Build {
            locked,
            vendored,
            cgo,
        } = how;
        let mut caches = vec![];
        for c in &self.cache {
            caches.push(c.render(&[("workdir", SRC)])?);
        }
        // without its lockfile or module file, there are no manifests to copy first; a
        // workspace member's are the root's
        let manifests: &[String] = match (&ctx.app.shared, locked) {
            (Some(shared), _) => &shared.manifests,
            (None, true) => &self.manifests,
            (None, false) => &[],
        };
        let mut steps = ctx.builder_head(&self.builder_env, SRC, manifests)?;
        if let (false, false, Some(download)) = (manifests.is_empty(), vendored, &self.download) {
            steps.push(ctx.with_secrets(Step::run(vec![download.clone()], &caches)));
        }
        match &ctx.app.shared {
            // a workspace member: the root's files, then each member where it is
            Some(shared) => {
                steps.extend(
                    (shared.packages.iter())
                        .chain([&shared.member])
                        .map(|folder| {
                            Step::copy_context(vec![folder.clone()], &format!("./{folder}/"), None)
                        }),
                );
            }
            None => steps.push(Step::copy_context(vec![".".into()], ".", None)),
        }
        let template = match (&self.build_without_lock, locked, &self.build_cgo, cgo) {
            (Some(unlocked), false, _, _) => unlocked,
            (_, _, Some(with_cgo), true) => with_cgo,
            _ => &self.build,
        };
        let build = template.render(&[("binary", binary), ("package", package)])?;
        steps.push(ctx.with_secrets(Step::run(vec![build], &caches)));
        let builder = Stage {
            name: StageName::Builder,
            from: ctx.builder_image()?,
            purpose: format!("builder: compiles {binary}; the toolchain and caches stay here"),
            steps,
        };

        let mut copies = vec![];
        if matches!(ctx.app.runtime, Runtime::Scratch | Runtime::Slim) {
            copies.extend(
                self.certificates
                    .iter()
                    .map(|(from, to)| Step::copy_from(StageName::Builder, from, to, None)),
            );
        }
        copies.push(Step::copy_from(
            StageName::Builder,
            &format!("/out/{binary}"),
            &installed(binary),
            None,
        ));
        // what the binary reads at run time (templates, static files), relative to where it
        // runs: each where it is in the app's folder, under the working directory
        let files = &ctx.app.runtime_files;
        if !files.is_empty() {
            copies.push(Step::Workdir {
                path: ctx.app.workdir.clone(),
            });
            copies.extend(files.iter().map(|f| {
                Step::copy_context(vec![ctx.in_app(&f.value)], &format!("./{}", f.value), None)
            }));
        }
        let inputs = (files.iter())
            .map(|f| Input {
                path: ctx.in_app(&f.value),
                span: f.span,
                hint: "runtime-files names files and folders of the app's folder".into(),
            })
            .collect();
        Ok(StackStages {
            stages: vec![builder],
            runtime: RuntimeStage {
                from: ctx.runtime_image(Some(match (&self.distroless_cgo, cgo) {
                    (Some(with_libc), true) => with_libc,
                    _ => &self.distroless,
                }))?,
                copies,
                env: vec![],
                command: vec![],
                packages: vec![],
            },
            dockerignore: vec![],
            inputs,
            missing_hint: Input {
                path: String::new(),
                span: ctx.app.version.span,
                hint: ctx
                    .stack
                    .missing_hint
                    .clone()
                    .unwrap_or_else(|| "create them, or change the recipe".into()),
            },
        })
    }
}
