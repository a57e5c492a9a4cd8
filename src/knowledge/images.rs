//! A stack's images on one distro: what its builder and final images are called, and on which
//! of the distro's releases each version is published.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::version_at_least;
use crate::template::{ImageNames, Template};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Images {
    pub builder: Template<ImageNames>,
    #[serde(default)]
    pub slim: Option<Template<ImageNames>>,
    /// the builder has a C compiler and the static C library, so the static probe builds there
    #[serde(default)]
    pub c_compiler: bool,
    /// release -> the oldest version published for it; a release not named has them all
    #[serde(default)]
    pub since: BTreeMap<String, String>,
    /// release -> the newest version built on it, for images whose tags name no release (a
    /// newer version's tag is on a newer release)
    #[serde(default)]
    pub until: BTreeMap<String, String>,
    /// packages the stack's final image needs whatever the app (beside `runtime-libs`), on a
    /// runtime with a package manager
    #[serde(default)]
    pub runtime_packages: Vec<String>,
}

impl Images {
    /// Whether the images of `version` are published for `release`.
    pub fn published(&self, release: &str, version: &str) -> bool {
        // 1.17.3 is a 1.17: compared to `until` at its precision
        let newest_or_older = |newest: &String| {
            let parts = newest.split('.').count();
            let at_precision: Vec<&str> = version.split('.').take(parts).collect();
            let at_precision = at_precision.join(".");
            at_precision == *newest || !version_at_least(&at_precision, newest)
        };
        self.since
            .get(release)
            .is_none_or(|oldest| version_at_least(version, oldest))
            && self.until.get(release).is_none_or(newest_or_older)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_whose_tags_name_no_release_are_on_one_release_per_version() {
        let images: Images = toml::from_str(
            "builder = \"elixir:{{ version }}-slim\"\nsince = { trixie = \"1.18\" }\nuntil = { bookworm = \"1.17\" }\n",
        )
        .expect("images");
        for (release, version, published) in [
            ("trixie", "1.18", true),
            ("trixie", "1.19.1", true),
            ("trixie", "1.17", false),
            ("bookworm", "1.17", true),
            ("bookworm", "1.17.3", true),
            ("bookworm", "1.16", true),
            ("bookworm", "1.18", false),
        ] {
            assert_eq!(
                images.published(release, version),
                published,
                "{release} {version}"
            );
        }
    }
}
