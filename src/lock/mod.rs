//! `dslim.lock`: the base images of a recipe pinned to their content digests, so that the
//! same recipe builds from the same bytes until someone reviews a `dslim lock --update`.
//!
//! The lock is KDL, one `image` per reference with the digest `FROM` uses (a multi-platform
//! index, or the one manifest) and a `platform` per platform it covers:
//!
//! ```kdl
//! version 1
//! image "python:3.13-slim-trixie" digest="sha256:…" {
//!     platform "linux/amd64" digest="sha256:…"
//! }
//! ```
//!
//! Reading it is `file`; asking a registry is `resolve`.

mod file;
mod resolve;

use std::sync::Arc;

use camino::{Utf8Path, Utf8PathBuf};
use miette::{Severity, SourceSpan};

use crate::error::{Error, Kind, Located, RecipeError};
use crate::knowledge::Knowledge;
use crate::plan::{ImageRef, Mount, Plan, Step};

pub use resolve::Resolver;

/// The lock's file name, beside the recipe.
pub const LOCK_FILE: &str = "dslim.lock";

/// The format this dslim writes and reads; a lock of a newer format is refused, not misread.
pub const FORMAT: u32 = 1;

/// One base image, pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedImage {
    /// the reference as the recipe's Dockerfile names it, without a digest
    pub reference: String,
    /// what `FROM reference@digest` takes: the index of every platform, or the one manifest
    pub digest: String,
    /// each platform the digest covers (`linux/amd64`), with its own manifest's digest
    pub platforms: Vec<(String, String)>,
    /// where the entry is in the lock file (empty for one just resolved)
    pub span: SourceSpan,
}

/// The images of one lock file, ordered by reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    pub images: Vec<LockedImage>,
}

impl Lock {
    pub fn get(&self, reference: &str) -> Option<&LockedImage> {
        self.images.iter().find(|i| i.reference == reference)
    }

    /// The lock's text: a header saying what it is, then one entry per image.
    pub fn render(&self, recipe: &str) -> String {
        let mut out = format!(
            "// The base images of {recipe}, pinned by content digest: written by `dslim lock`.\n\
             // `dslim lock --update` resolves them anew; review that diff like a dependency update.\n\
             version {FORMAT}\n"
        );
        let mut images: Vec<&LockedImage> = self.images.iter().collect();
        images.sort_by(|a, b| a.reference.cmp(&b.reference));
        for image in images {
            out.push_str(&format!(
                "image \"{}\" digest=\"{}\" {{\n",
                image.reference, image.digest
            ));
            for (platform, digest) in &image.platforms {
                out.push_str(&format!(
                    "    platform \"{platform}\" digest=\"{digest}\"\n"
                ));
            }
            out.push_str("}\n");
        }
        out
    }
}

/// Reads a lock's text, or says everything that is wrong with it.
pub fn parse(text: &str, knowledge: &Knowledge) -> Result<Lock, Vec<RecipeError>> {
    file::parse(text, knowledge)
}

/// A lock read from disk, with its text for diagnostics that point into it.
#[derive(Debug, Clone)]
pub struct LockFile {
    pub path: Utf8PathBuf,
    pub text: Arc<String>,
    pub lock: Lock,
}

impl LockFile {
    /// The lock beside a recipe, if there is one; a lock that cannot be read is an error
    /// pointing into it.
    pub fn beside(recipe: &Utf8Path, knowledge: &Knowledge) -> Result<Option<LockFile>, Error> {
        let path = recipe
            .parent()
            .unwrap_or(Utf8Path::new("."))
            .join(LOCK_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Arc::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(Error::NotUtf8 { path })
            }
            Err(reason) => return Err(Error::Read { path, reason }),
        };
        match parse(&text, knowledge) {
            Ok(lock) => Ok(Some(LockFile { path, text, lock })),
            Err(errors) => Err(crate::error::recipe_error(&path, text, errors)),
        }
    }

    /// A diagnostic at an entry of this lock.
    pub fn at(&self, span: SourceSpan, kind: Kind) -> Located {
        Located::new(
            self.path.as_str(),
            self.text.clone(),
            RecipeError::new(span, kind),
            Severity::Error,
        )
    }
}

/// The external images a plan builds from (`FROM`, image mounts), each once, as the
/// Dockerfile names them without a digest. Its own stages and `scratch` are not images.
pub fn base_images(plan: &Plan) -> Vec<ImageRef> {
    let mut plan = plan.clone();
    let stages: Vec<String> = plan.stages.iter().map(|s| s.name.to_string()).collect();
    let mut images: Vec<ImageRef> = vec![];
    for image in image_refs_mut(&mut plan) {
        image.digest = None;
        if is_external(image, &stages) && !images.contains(image) {
            images.push(image.clone());
        }
    }
    images
}

/// Pins every external image of the plan that the lock holds; returns those it does not.
pub fn pin(plan: &mut Plan, lock: &Lock) -> Vec<ImageRef> {
    let stages: Vec<String> = plan.stages.iter().map(|s| s.name.to_string()).collect();
    let mut missing = vec![];
    for image in image_refs_mut(plan) {
        if !is_external(image, &stages) {
            continue;
        }
        match lock.get(&image.to_string()) {
            Some(locked) => image.digest = Some(locked.digest.clone()),
            None if !missing.contains(image) => missing.push(image.clone()),
            None => {}
        }
    }
    missing
}

/// The lock's entries for images the plan no longer uses.
pub fn unused<'a>(lock: &'a Lock, plan: &Plan) -> Vec<&'a LockedImage> {
    let used: Vec<String> = (base_images(plan).iter())
        .map(ImageRef::to_string)
        .collect();
    (lock.images.iter())
        .filter(|image| !used.contains(&image.reference))
        .collect()
}

fn is_external(image: &ImageRef, stages: &[String]) -> bool {
    let stage = image.tag.is_none() && image.digest.is_none() && stages.contains(&image.name);
    !stage && *image != ImageRef::scratch()
}

fn image_refs_mut(plan: &mut Plan) -> Vec<&mut ImageRef> {
    let mut refs = vec![];
    for stage in &mut plan.stages {
        refs.push(&mut stage.from);
        for step in &mut stage.steps {
            if let Step::Run { mounts, .. } = step {
                refs.extend(mounts.iter_mut().filter_map(|m| match m {
                    Mount::Image { image, .. } => Some(image),
                    _ => None,
                }));
            }
        }
    }
    refs
}
