//! `dslim lock`: pin each recipe's base images to the digests their tags point at now, in a
//! dslim.lock beside it. Images the lock has keep their digest unless `--update` is given, as
//! a lockfile of a package manager does; images the recipe no longer uses are dropped.

use super::{compile_all, Recipes};
use crate::compile::{Compiled, Locks};
use crate::console::say;
use crate::error::Error;
use crate::lock::{self, Lock, LockFile, Resolver, LOCK_FILE};
use crate::output::write_atomically;
use crate::stacks::Catalog;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub recipes: Recipes,
    /// Resolve every image anew, not only those the lock does not pin yet
    #[arg(long)]
    pub update: bool,
}

pub fn run(catalog: &Catalog, args: &Args) -> Result<(), Error> {
    let mut selection = args.recipes.select(&catalog.knowledge)?;
    // the images as the recipes name them, whatever their locks say
    selection.locks = Locks::Ignore;
    let (compiled, mut errors) = compile_all(catalog, &selection);
    let mut resolver = Resolver::default();
    let mut repinned = false;
    for c in compiled.iter().filter(|c| selection.picks(c)) {
        match lock_recipe(catalog, c, &mut resolver, args.update) {
            Ok(changed) => repinned |= changed,
            Err(e) => errors.push(e),
        }
    }
    if repinned {
        say("the Dockerfiles pin these digests once regenerated: run `dslim generate` (or `dslim build`)\n");
    }
    Error::all(errors)
}

/// Writes one recipe's lock; whether an image got a digest it did not have (which the
/// Dockerfile then pins once regenerated).
fn lock_recipe(
    catalog: &Catalog,
    compiled: &Compiled,
    resolver: &mut Resolver,
    update: bool,
) -> Result<bool, Error> {
    let previous = LockFile::beside(&compiled.recipe_path, &catalog.knowledge);
    // --update writes the lock anew, so it also mends one that cannot be read
    let previous = match (previous, update) {
        (Ok(found), _) => found.map(|file| file.lock),
        (Err(_), true) => None,
        (Err(e), false) => return Err(e),
    };
    let mut lock = Lock::default();
    let mut repinned = false;
    for image in lock::base_images(&compiled.plan) {
        let reference = image.to_string();
        let kept = previous.as_ref().and_then(|p| p.get(&reference));
        let entry = match kept {
            Some(entry) if !update => entry.clone(),
            _ => {
                let entry = resolver.resolve(&image)?;
                let platforms: Vec<&str> =
                    entry.platforms.iter().map(|(p, _)| p.as_str()).collect();
                let was = kept.filter(|k| k.digest != entry.digest);
                let verb = match (kept, was) {
                    (None, _) => "pinned",
                    (Some(_), Some(_)) => "moved",
                    (Some(_), None) => "current",
                };
                repinned |= verb != "current";
                say(&format!(
                    "{verb:>9} {reference} {}{} ({})\n",
                    was.map(|k| format!("{} -> ", short(&k.digest)))
                        .unwrap_or_default(),
                    short(&entry.digest),
                    platforms.join(", ")
                ));
                entry
            }
        };
        lock.images.push(entry);
    }
    for gone in previous.iter().flat_map(|p| &p.images) {
        if lock.get(&gone.reference).is_none() {
            say(&format!(
                "{:>9} {} (the recipe no longer builds from it)\n",
                "dropped", gone.reference
            ));
        }
    }
    let path = compiled.dir().join(LOCK_FILE);
    let recipe = compiled
        .recipe_path
        .file_name()
        .unwrap_or(crate::RECIPE_FILE);
    let text = lock.render(recipe);
    let before = std::fs::read_to_string(&path).ok();
    let done = match &before {
        Some(old) if *old == text => "unchanged",
        Some(_) => "updated",
        None => "created",
    };
    if done != "unchanged" {
        write_atomically(&path, &text)?;
    }
    say(&format!("{done:>9} {path}\n"));
    Ok(repinned)
}

/// A digest as people compare them: its algorithm and first twelve hex digits.
fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}
