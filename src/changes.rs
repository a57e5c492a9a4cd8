//! What changed in the git repository since a revision: the files `--changed-since` selects
//! services by.

use std::process::Command;

use camino::{Utf8Path, Utf8PathBuf};

use crate::error::Error;

/// The files changed since a revision, as absolute paths.
#[derive(Debug)]
pub struct Changes {
    files: Vec<Utf8PathBuf>,
}

impl Changes {
    /// What changed in the repository holding `dir` since it forked from `rev` (as CI means
    /// "what this branch changes"): committed since, staged, unstaged, and new files that git
    /// does not ignore.
    pub fn since(dir: &Utf8Path, rev: &str) -> Result<Changes, Error> {
        let fail = |detail: String| Error::ChangedSince {
            rev: rev.to_string(),
            detail,
        };
        if rev.starts_with('-') {
            return Err(fail("a revision does not start with `-`".into()));
        }
        let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(fail)?;
        let top = Utf8PathBuf::from(top.trim_end());
        let base = git(&top, &["merge-base", rev, "HEAD"]).map_err(fail)?;
        let mut files = vec![];
        for listing in [
            git(&top, &["diff", "--name-only", "-z", base.trim_end(), "--"]),
            git(&top, &["ls-files", "--others", "--exclude-standard", "-z"]),
        ] {
            let listing = listing.map_err(fail)?;
            files.extend(
                listing
                    .split('\0')
                    .filter(|f| !f.is_empty())
                    .map(|f| top.join(f)),
            );
        }
        Ok(Changes { files })
    }

    /// Whether `path` (a file or a folder) or anything below it changed.
    pub fn touch(&self, path: &Utf8Path) -> bool {
        let path = absolute(path);
        self.files.iter().any(|f| f.starts_with(&path))
    }
}

/// `path` made absolute with links resolved, as git names files; as written when it is gone.
fn absolute(path: &Utf8Path) -> Utf8PathBuf {
    path.canonicalize_utf8().unwrap_or_else(|_| {
        std::env::current_dir()
            .ok()
            .and_then(|d| Utf8PathBuf::from_path_buf(d).ok())
            .map_or_else(|| path.to_path_buf(), |d| d.join(path))
    })
}

/// Runs git in `dir`: its output, or what it said on failure.
fn git(dir: &Utf8Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("git could not run: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}
