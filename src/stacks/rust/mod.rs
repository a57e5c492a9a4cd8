//! Rust: `cargo build --release --locked` with the registry and target/ in cache mounts; the
//! binary on Debian slim or distroless cc.

mod detect;

use serde::Deserialize;

use super::compiled::{self, Compiled};
use super::{Stack, StackApp};
use crate::detect::{DetectInput, Detection};
use crate::error::{Error, Expected};
use crate::local_packages::SharedRoot;
use crate::model::{Shape, StackInput};
use crate::plan::{Ctx, StackStages};
use crate::syntax::Spanned;

/// Rust's own data in `recipes/stacks/rust.toml`.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Rust {
    compiled: Compiled,
}

/// A Rust app's settings.
struct RustApp<'s> {
    stack: &'s Rust,
    /// the binary target
    binary: String,
    /// whether the project has its Cargo.lock to build --locked from
    locked: bool,
    /// the Cargo workspace it is a member of
    shared: Option<SharedRoot>,
}

impl Stack for Rust {
    fn validate<'s>(&'s self, cx: &mut StackInput<'_>) -> Option<Box<dyn StackApp + 's>> {
        let binary = match cx.node.prop("bin") {
            None => cx.app_name.unwrap_or_default().to_string(),
            Some(v) => cx
                .checker
                .value("rust", v, Expected::Binary)
                .unwrap_or_default(),
        };
        let cargo = Spanned::new("cargo".to_string(), cx.node.name.span);
        let shared = self.compiled.shared_root(cx, &cargo);
        Some(Box::new(RustApp {
            stack: self,
            binary,
            locked: self
                .compiled
                .locked(cx.project, shared.as_ref(), cx.checker),
            shared,
        }))
    }

    fn detect(&self, input: &DetectInput) -> Option<Detection> {
        detect::detect(self, input)
    }
}

impl StackApp for RustApp<'_> {
    fn shape(&self) -> Shape {
        compiled::shape(
            &self.binary,
            serde_json::json!({ "kind": "rust", "binary": self.binary }),
            self.shared.clone(),
        )
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        self.stack.compiled.stages(
            ctx,
            &self.binary,
            ".",
            compiled::Build {
                locked: self.locked,
                ..compiled::Build::default()
            },
        )
    }
}
