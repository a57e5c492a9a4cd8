//! Writing generated files: atomically, and never over a file dslim did not write (or that
//! was edited since) unless forced.

use std::io::Write;

use camino::Utf8Path;

use crate::error::{Error, Theirs};
use crate::render::{provenance, Provenance, Rendered};

/// What happened to one file.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// --force over a file dslim did not write, or that was edited
    Replaced,
    Unchanged,
}

impl Outcome {
    pub fn done(&self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Replaced => "replaced",
            Outcome::Unchanged => "unchanged",
        }
    }

    /// The same, for --dry-run.
    pub fn planned(&self) -> &'static str {
        match self {
            Outcome::Created => "would create",
            Outcome::Updated => "would update",
            Outcome::Replaced => "would replace",
            Outcome::Unchanged => "unchanged",
        }
    }
}

/// What writing would do to `path`, or why it must not.
pub fn check(path: &Utf8Path, contents: &str, force: bool) -> Result<Outcome, Error> {
    let existing = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Outcome::Created),
        Err(source) => {
            return Err(Error::Write {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if existing == contents.as_bytes() {
        return Ok(Outcome::Unchanged);
    }
    let text = String::from_utf8_lossy(&existing);
    let theirs = provenance(&text) != Provenance::Generated;
    if theirs && force {
        return Ok(Outcome::Replaced);
    }
    if !force {
        match provenance(&text) {
            Provenance::Generated => {}
            Provenance::Edited => {
                return Err(Error::Overwrite {
                    path: path.to_path_buf(),
                    reason: Theirs::EditedByHand,
                })
            }
            Provenance::Foreign => {
                return Err(Error::Overwrite {
                    path: path.to_path_buf(),
                    reason: Theirs::NotWrittenByDslim,
                })
            }
        }
    }
    Ok(Outcome::Updated)
}

/// Writes all files, after checking all of them: either every file may be written or none is.
pub fn write_all(
    dir: &Utf8Path,
    rendered: &Rendered,
    force: bool,
) -> Result<Vec<(String, Outcome)>, Error> {
    let mut plan = vec![];
    let mut refused = vec![];
    for (name, contents) in &rendered.files {
        match check(&dir.join(name), contents, force) {
            Ok(outcome) => plan.push((name.clone(), outcome, contents)),
            Err(e) => refused.push(e),
        }
    }
    // every file that may not be written is named, and then none is written
    Error::all(refused)?;
    let mut done = vec![];
    for (name, outcome, contents) in plan {
        if outcome == Outcome::Replaced {
            keep_theirs(&dir.join(&name))?;
        }
        if outcome != Outcome::Unchanged {
            write_atomically(&dir.join(&name), contents)?;
        }
        done.push((name, outcome));
    }
    Ok(done)
}

/// Where a file --force replaced is kept: `compose.yaml` -> `compose.yaml.orig`.
pub fn kept_copy(path: &Utf8Path) -> camino::Utf8PathBuf {
    camino::Utf8PathBuf::from(format!("{path}.orig"))
}

/// Keeps the file --force is about to replace (one dslim did not write, or one edited by
/// hand) beside it, so that what it held (another service, an edit) is not lost.
fn keep_theirs(path: &Utf8Path) -> Result<(), Error> {
    let old = std::fs::read_to_string(path).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomically(&kept_copy(path), &old)
}

/// Writes one file, unless it is not dslim's (or was edited) and `force` is off.
pub fn write(path: &Utf8Path, contents: &str, force: bool) -> Result<Outcome, Error> {
    let outcome = check(path, contents, force)?;
    if outcome == Outcome::Replaced {
        keep_theirs(path)?;
    }
    if outcome != Outcome::Unchanged {
        write_atomically(path, contents)?;
    }
    Ok(outcome)
}

/// Write to a temporary file in the same folder, then rename over the target: readers see
/// the old file or the new one, never half of one.
pub fn write_atomically(path: &Utf8Path, contents: &str) -> Result<(), Error> {
    let dir = path
        .parent()
        .filter(|p| !p.as_str().is_empty())
        .unwrap_or(Utf8Path::new("."));
    let fail = |source: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".dslim-")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(contents.as_bytes()).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    // keep the usual permissions of a file in a repository (tempfile makes it 0600)
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(fail)?;
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
