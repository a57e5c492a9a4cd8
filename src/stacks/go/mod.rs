//! Go: a static binary (CGO_ENABLED=0) built from the main package, on scratch by default.

mod detect;

use serde::Deserialize;

use super::compiled::{self, Compiled};
use super::{Stack, StackApp};
use crate::detect::{DetectInput, Detection};
use crate::error::{Error, Expected};
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
    /// whether the project has its go.mod (the builder makes one when it has not)
    has_module: bool,
    /// whether its modules are in vendor/
    vendored: bool,
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
        Some(Box::new(GoApp {
            stack: self,
            package,
            binary: cx.app_name.unwrap_or_default().to_string(),
            has_module: self.compiled.locked(cx.project, cx.checker),
            vendored: self.compiled.vendored(cx.project),
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
            serde_json::json!({ "kind": "go", "package": self.package, "binary": self.binary }),
        )
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        self.stack.compiled.stages(
            ctx,
            &self.binary,
            &self.package,
            self.has_module,
            self.vendored,
        )
    }
}
