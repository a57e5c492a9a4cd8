//! dslim: compile a short KDL recipe into an optimized multi-stage Dockerfile, compose.yaml and
//! .dockerignore. Data flows one way:
//!
//! recipe text -> `syntax` (parsed) -> `model` (validated, with the stack's part from
//! `stacks`) -> `plan` (stages and service as data) -> `render` (files) -> `output`, `docker`.
//!
//! What dslim knows about stacks and distros is data (`recipes/`, read by `knowledge`); each
//! stack's code is one folder in `stacks`. `compile` runs the pipeline on one recipe; `init`
//! writes recipes from what `detect` finds; `lock` pins base images to digests; `cli` is the
//! command line.

pub mod changes;
pub mod cli;
pub mod compile;
pub mod compose_beside;
pub mod console;
pub mod detect;
pub mod docker;
pub mod error;
pub mod form;
pub mod init;
pub mod knowledge;
pub mod local_packages;
pub mod lock;
pub mod model;
pub mod output;
pub mod plan;
pub mod project;
pub mod render;
pub mod schema;
pub mod stacks;
pub mod syntax;
pub mod template;
pub mod workspace;
pub mod workspace_compose;

/// The recipe's file name.
pub const RECIPE_FILE: &str = "dslim.kdl";
/// The files dslim generates next to a recipe.
pub const DOCKERFILE: &str = "Dockerfile";
pub const COMPOSE: &str = "compose.yaml";
/// The development override of compose.yaml, written for a recipe with a `dev` node.
pub const COMPOSE_DEV: &str = "compose.dev.yaml";
pub const DOCKERIGNORE: &str = ".dockerignore";
/// The .dockerignore of a Dockerfile whose context is a folder above it (BuildKit reads it
/// beside the Dockerfile, before the context's own)
pub const DOCKERFILE_DOCKERIGNORE: &str = "Dockerfile.dockerignore";
