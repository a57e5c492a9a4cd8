//! Which Python versions a project's compiled dependencies have wheels for.
//!
//! A compiled package with no wheel for the image's Python is built from source: that needs
//! tools the slim image lacks and, for a release older than that Python, usually fails
//! (greenlet 3.0 on 3.13). Lockfiles list every wheel a locked package has (uv.lock,
//! poetry.lock, pdm.lock); for pinned requirements (`numpy==1.26.4`) the stack's `[wheels]`
//! table holds the first release with a wheel for each version.

use std::collections::{BTreeMap, BTreeSet};

use crate::detect::Evidence;
use crate::project::Project;

/// package -> Python version ("3.12") -> the first release with a manylinux wheel for it
pub type FirstReleases = BTreeMap<String, BTreeMap<String, String>>;

/// A dependency that installs from a wheel on some Python versions only.
#[derive(Debug)]
pub struct Limit {
    pub name: String,
    pub version: String,
    /// the minor versions of Python 3 it has a wheel for
    pub minors: BTreeSet<u32>,
    pub evidence: Evidence,
}

/// The lockfiles that list every package the venv will hold (`[[package]]`, each with its
/// `name`, `version` and wheel files), in the order the managers' are chosen.
const LOCKFILES: [&str; 3] = ["uv.lock", "poetry.lock", "pdm.lock"];

/// The project's lockfile, read once for what each reader takes from it.
pub struct Lockfile {
    pub file: &'static str,
    text: String,
    doc: toml::Value,
}

impl Lockfile {
    pub fn read(project: &Project) -> Option<Lockfile> {
        LOCKFILES.iter().find_map(|f| {
            let text = project.read(f)?;
            let doc = toml::from_str::<toml::Value>(&text).ok()?;
            Some(Lockfile { file: f, text, doc })
        })
    }

    fn packages(&self) -> impl Iterator<Item = &toml::Value> {
        let packages = self.doc.get("package").and_then(|p| p.as_array());
        packages.into_iter().flatten()
    }

    /// Where it locks `name` (normalized: lowercase, `-`), its dependencies' own dependencies
    /// included (fastapi 0.111 brings uvicorn).
    pub fn locks(&self, name: &str) -> Option<Evidence> {
        let normalize = |n: &str| n.to_ascii_lowercase().replace(['_', '.'], "-");
        let locked = self
            .packages()
            .filter_map(|p| p.get("name")?.as_str())
            .find(|n| normalize(n) == name)?;
        let entry = format!("name = \"{locked}\"");
        let line = self.text.lines().position(|l| l.trim_end() == entry)?;
        Some(Evidence::line(self.file, line + 1, "locked"))
    }
}

/// The packages of the project's lockfile that have wheels for some versions only.
pub fn from_lockfile(project: &Project, lock: &Lockfile) -> Vec<Limit> {
    let file = lock.file;
    // poetry's lock format 1.x keeps each package's files apart, under [metadata.files]
    let metadata_files = lock.doc.get("metadata").and_then(|m| m.get("files"));
    let mut limits = vec![];
    for package in lock.packages() {
        let text = |key: &str| package.get(key).and_then(|v| v.as_str());
        let (Some(name), Some(version)) = (text("name"), text("version")) else {
            continue;
        };
        // uv: wheels = [{ url = ".../NAME-VERSION-TAGS.whl" }]; poetry, pdm: files = [{ file }]
        let own_files = ["wheels", "files"]
            .iter()
            .filter_map(|key| package.get(*key)?.as_array());
        let apart = metadata_files.and_then(|files| files.get(name)?.as_array());
        let files = own_files
            .chain(apart)
            .flatten()
            .filter_map(|f| f.get("url").or_else(|| f.get("file"))?.as_str())
            .map(|f| f.rsplit('/').next().unwrap_or(f));
        if let Some(minors) = wheel_minors(files) {
            let line = project.line_of(file, &format!("name = \"{name}\""));
            limits.push(Limit {
                name: name.to_string(),
                version: version.to_string(),
                minors,
                evidence: evidence(file, line),
            });
        }
    }
    limits
}

/// Pinned requirements (`name==version`, found by the caller) that the `[wheels]` table knows.
pub fn from_pins(pins: &[(String, String, Evidence)], table: &FirstReleases) -> Vec<Limit> {
    pins.iter()
        .filter_map(|(name, version, evidence)| {
            let firsts = table.get(name)?;
            let minors = firsts
                .iter()
                .filter(|(_, first)| release_at_least(version, first))
                .filter_map(|(python, _)| minor_of(python))
                .collect();
            Some(Limit {
                name: name.clone(),
                version: version.clone(),
                minors,
                evidence: evidence.clone(),
            })
        })
        .collect()
}

/// The newest Python 3 minor from `newest` down to `oldest` that every limit has a wheel for,
/// or None (then no version avoids a source build).
pub fn newest_supported(limits: &[Limit], newest: u32, oldest: u32) -> Option<u32> {
    (oldest..=newest)
        .rev()
        .find(|m| limits.iter().all(|l| l.minors.contains(m)))
}

/// The limits that rule out `minor`.
pub fn ruling_out(limits: &[Limit], minor: u32) -> Vec<&Limit> {
    limits
        .iter()
        .filter(|l| !l.minors.contains(&minor))
        .collect()
}

/// "3.12" -> 12
pub fn minor_of(version: &str) -> Option<u32> {
    version.strip_prefix("3.")?.split('.').next()?.parse().ok()
}

fn evidence(file: &str, line: Option<usize>) -> Evidence {
    match line {
        Some(line) => Evidence::line(file, line, ""),
        None => Evidence::file(file, ""),
    }
}

/// The minors a package's wheels install on, when it needs a wheel: None for a package with a
/// pure-Python wheel (it installs anywhere) or no Linux wheel at all (it is always compiled,
/// so the version makes no difference).
fn wheel_minors<'a>(files: impl Iterator<Item = &'a str>) -> Option<BTreeSet<u32>> {
    let mut minors = BTreeSet::new();
    for file in files {
        let Some(stem) = file.strip_suffix(".whl") else {
            continue;
        };
        let tags: Vec<&str> = stem.rsplitn(4, '-').take(3).collect();
        let [platform, abi, python] = tags[..] else {
            continue;
        };
        if platform == "any" {
            return None;
        }
        if !platform.contains("manylinux") {
            continue;
        }
        let abis: Vec<&str> = abi.split('.').collect();
        for tag in python.split('.') {
            let Some(minor) = tag.strip_prefix("cp3").and_then(|m| m.parse::<u32>().ok()) else {
                continue;
            };
            if abis.contains(&"abi3") {
                // the stable ABI: this version and every later one
                minors.extend(minor..100);
            } else if abis.contains(&tag) {
                minors.insert(minor);
            }
        }
    }
    (!minors.is_empty()).then_some(minors)
}

/// Compares releases by their numbers: "2.9.10" is at least "2.9.9"; "6.0.4.post1" is at least
/// "6.0.4". Letters end a number ("1.0rc1" counts as 1.0).
pub fn release_at_least(version: &str, first: &str) -> bool {
    let numbers = |v: &str| -> Vec<u64> {
        v.split('.')
            .map_while(|part| {
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .collect()
    };
    let (mut a, mut b) = (numbers(version), numbers(first));
    let len = a.len().max(b.len());
    a.resize(len, 0);
    b.resize(len, 0);
    a >= b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_tags() {
        let of = |files: &[&str]| wheel_minors(files.iter().copied());
        let set = |m: &[u32]| Some(m.iter().copied().collect::<BTreeSet<u32>>());
        assert_eq!(
            of(&[
                "greenlet-3.0.1-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl",
                "greenlet-3.0.1-cp312-cp312-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl",
                "greenlet-3.0.1-cp312-cp312-macosx_10_9_universal2.whl",
                "greenlet-3.0.1-cp313-cp313-win_amd64.whl",
            ]),
            set(&[11, 12])
        );
        let abi3 = of(&["cryptography-42.0.0-cp39-abi3-manylinux_2_28_x86_64.whl"]);
        assert!(abi3
            .as_ref()
            .is_some_and(|m| m.contains(&9) && m.contains(&14)));
        assert_eq!(of(&["flask-3.0.0-py3-none-any.whl"]), None);
        assert_eq!(of(&["mysqlclient-2.2.0.tar.gz"]), None);
        // free-threaded builds are another ABI
        assert_eq!(of(&["x-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl"]), None);
    }

    #[test]
    fn release_order() {
        assert!(release_at_least("2.9.10", "2.9.9"));
        assert!(!release_at_least("2.9.9", "2.9.10"));
        assert!(release_at_least("1.0", "1.0.0"));
        assert!(release_at_least("6.0.4.post1", "6.0.4"));
        assert!(!release_at_least("2.0.2", "3.0.0"));
    }

    #[test]
    fn newest_version_with_every_wheel() {
        let limit = |minors: &[u32]| Limit {
            name: "x".into(),
            version: "1".into(),
            minors: minors.iter().copied().collect(),
            evidence: Evidence::file("uv.lock", ""),
        };
        let limits = [limit(&[10, 11, 12]), limit(&[9, 10, 11])];
        assert_eq!(newest_supported(&limits, 14, 9), Some(11));
        assert_eq!(newest_supported(&limits, 14, 12), None);
        assert_eq!(newest_supported(&[], 14, 9), Some(14));
        assert_eq!(ruling_out(&limits, 12).len(), 1);
    }
}
