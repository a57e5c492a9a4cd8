//! Go: a static binary (CGO_ENABLED=0) built from the main package, on scratch by default.

mod detect;

use serde::Deserialize;

use super::compiled::{self, Compiled};
use super::{Stack, StackApp};
use crate::detect::{DetectInput, Detection};
use crate::error::{Error, Expected, Kind};
use crate::model::{Shape, StackInput};
use crate::plan::{Ctx, StackStages};

/// Go's own data in `recipes/stacks/go.toml`.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Go {
    compiled: Compiled,
}

/// A Go app's settings.
struct GoApp<'s> {
    stack: &'s Go,
    /// the main package, `.` or `./cmd/NAME`
    package: String,
    /// named after the app
    binary: String,
    /// its go.mod (the builder makes one when it has not), vendor/ and cgo
    build: compiled::Build,
}

impl Stack for Go {
    fn validate<'s>(&'s self, cx: &mut StackInput<'_>) -> Option<Box<dyn StackApp + 's>> {
        let package = match cx.node.prop("package") {
            None => ".".into(),
            Some(v) => cx
                .checker
                .value("go", v, Expected::GoPackage)
                .unwrap_or_default(),
        };
        // cgo=#true: the binary links the C library, which scratch lacks
        let cgo_prop = cx.node.prop("cgo");
        let cgo = cx.node.flag("cgo");
        if let (true, Some(cgo_prop)) = (cgo, cgo_prop) {
            let runtime = cx.recipe.one("runtime");
            let value = runtime.and_then(|r| r.args.first());
            let written = value.map(|v| v.value.as_text());
            let on_scratch = cx.data.runtime_named(written.as_deref()) == "scratch";
            if on_scratch {
                let span = value.map_or(cgo_prop.span, |v| v.span);
                cx.checker.error(span, Kind::CgoWithoutLibc);
            }
        }
        Some(Box::new(GoApp {
            stack: self,
            package,
            binary: cx.app_name.unwrap_or_default().to_string(),
            build: compiled::Build {
                locked: self.compiled.locked(cx.project, None, cx.checker),
                vendored: self.compiled.vendored(cx.project),
                cgo,
            },
        }))
    }

    fn detect(&self, input: &DetectInput) -> Option<Detection> {
        detect::detect(self, input)
    }
}

impl StackApp for GoApp<'_> {
    fn shape(&self) -> Shape {
        compiled::shape(
            &self.binary,
            serde_json::json!({
                "kind": "go",
                "package": self.package,
                "binary": self.binary,
                "cgo": self.build.cgo,
            }),
            None,
        )
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        self.stack
            .compiled
            .stages(ctx, &self.binary, &self.package, self.build)
    }
}
