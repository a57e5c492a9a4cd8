//! Static sites: a folder of HTML, CSS and images with no build, served by nginx's unprivileged
//! image (or nginx alone on distroless). The stack's version is nginx's. One small stage on the
//! distro's image writes nginx's server block, as a single-page app's build stage does.

use serde::Deserialize;

use super::spa::{self, Spa};
use super::{Stack, StackApp};
use crate::detect::{DetectInput, Detection, Evidence, Finding};
use crate::error::{Error, Expected};
use crate::model::{Runtime, Shape, StackInput};
use crate::plan::{Ctx, Input, RuntimeStage, StackStages, Stage, StageName, Step};
use crate::syntax::Scalar;
use crate::template::{ImageNames, Template};

/// The static stack's own data in `recipes/stacks/static.toml`.
#[derive(Debug, Deserialize)]
pub struct StaticSite {
    /// where init looks for the site's index.html, in order
    folders: Vec<String>,
    /// the final image of runtime "minimal" (nginx alone)
    distroless: Template<ImageNames>,
}

/// A static site's settings.
struct SiteApp<'s> {
    stack: &'s StaticSite,
    /// the folder that holds the site, from the recipe's folder
    folder: String,
    spa: Spa,
    /// the recipe value that names the folder, for a missing folder's error
    span: miette::SourceSpan,
}

impl Stack for StaticSite {
    fn validate<'s>(&'s self, cx: &mut StackInput<'_>) -> Option<Box<dyn StackApp + 's>> {
        let folder_prop = cx.node.prop("folder");
        let folder = match folder_prop {
            None => ".".to_string(),
            // the recipe's own folder, as the default
            Some(v) if matches!(&v.value, Scalar::Text(t) if t == "." || t == "./") => ".".into(),
            Some(v) => cx
                .checker
                .value("static", v, Expected::RelativeFolder)
                .unwrap_or_else(|| ".".into()),
        };
        let fallback = cx.node.flag("fallback");
        Some(Box::new(SiteApp {
            stack: self,
            folder,
            spa: Spa {
                // the stack node's version is nginx's
                nginx: (cx.node.arg(0))
                    .map(|v| v.value.as_text())
                    .unwrap_or_else(|| cx.data.default_version.clone()),
                fallback,
            },
            span: folder_prop.map_or(cx.node.name.span, |v| v.span),
        }))
    }

    fn detect(&self, input: &DetectInput) -> Option<Detection> {
        let project = input.project;
        // a site beside another stack's app is that app's files (a Flask app's static/)
        let other_app = (input.knowledge.stacks.iter())
            .filter(|(name, _)| name != input.stack)
            .flat_map(|(_, data)| &data.signs)
            .any(|sign| project.exists(sign));
        if other_app {
            return None;
        }
        let folder = (self.folders.iter()).find(|f| project.exists(&index_of(f)))?;
        let index = index_of(folder);
        let mut d = Detection::new(input.stack, vec![Evidence::file(&index, "")]);
        d.version = Some(input.default_version());
        // the recipe's own folder is the default, which the recipe need not say
        if folder != "." {
            let at = Evidence::file(&index, "the site's first page");
            d.stack_property = Some(("folder", Finding::found(folder.clone(), at)));
        }
        d.port = Some(Finding::guessed(
            input.knowledge.spa.default_port,
            "the port of unprivileged nginx",
        ));
        Some(d)
    }
}

/// `index.html` in `folder`.
fn index_of(folder: &str) -> String {
    match folder {
        "." => "index.html".to_string(),
        folder => format!("{folder}/index.html"),
    }
}

impl StackApp for SiteApp<'_> {
    fn shape(&self) -> Shape {
        Shape {
            static_site: Some(self.spa.nginx.clone()),
            default_entrypoint: vec![],
            language: serde_json::json!({
                "kind": "static",
                "folder": self.folder,
                "fallback": self.spa.fallback,
            }),
            shared: None,
        }
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        let spa_data = &ctx.knowledge.spa;
        // nginx's server block, written where nginx's own user may write
        let conf = Stage {
            name: StageName::Build,
            from: ctx.builder_image()?,
            purpose: "build: nginx's server block for the site".into(),
            steps: vec![spa::server_conf_step(ctx, &self.spa)?],
        };
        let mut stages = vec![conf];
        let runtime_image = ctx.runtime_image(Some(&self.stack.distroless))?;
        let mut command = vec![];
        let mut copies = vec![];
        if ctx.app.runtime == Runtime::Distroless {
            stages.push(spa::nginx_stage(ctx, &self.spa, &runtime_image)?);
            command = spa_data.minimal_command.clone();
            copies.push(Step::copy_from(StageName::Interpreter, "/out/", "/", None));
        }
        let source = match self.folder.trim_end_matches('/') {
            "." | "" => ".".to_string(),
            folder => format!("{folder}/"),
        };
        copies.push(Step::copy_from(
            StageName::Build,
            "/tmp/nginx.conf",
            &spa_data.conf,
            None,
        ));
        copies.push(Step::copy_context(
            vec![source.clone()],
            &format!("{}/", spa_data.html),
            None,
        ));
        let folder_input = Input {
            path: source.clone(),
            span: self.span,
            hint: "the folder that holds the site (`folder=` of `static`)".into(),
        };
        Ok(StackStages {
            stages,
            runtime: RuntimeStage::of(runtime_image, copies, command),
            dockerignore: vec![],
            inputs: match source.as_str() {
                "." => vec![],
                _ => vec![folder_input.clone()],
            },
            missing_hint: folder_input,
        })
    }
}
