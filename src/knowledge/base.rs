//! The shapes of `recipes/base.toml`: the distros, the single-page apps' server, the static
//! healthcheck probe and the planned stacks.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::template::{
    ImageNames, NginxNames, PackagesNames, Pattern, ProbeNames, ServerNames, ShippedNames,
    Template, UserNames, UserWorkdirNames, WorkdirNames,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Base {
    pub(super) distros: BTreeMap<String, Distro>,
    pub(super) spa: Spa,
    pub(super) probe: Probe,
    pub(super) shell_less: ShellLess,
    #[serde(default)]
    pub(super) planned: BTreeMap<String, Planned>,
}

/// What stages of the builder's image prepare for a final image with no shell (`[shell_less]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShellLess {
    /// where those stages mount the final image's files
    pub base: String,
    /// /etc/passwd and /etc/group with the app's user, its home and the app's folder
    pub user: Vec<Template<UserWorkdirNames>>,
    /// copies the files of the recipe's runtime-libs, once installed
    pub runtime_libs: Vec<Template<PackagesNames>>,
    /// the shared libraries the image lacks, and an ld.so.cache
    pub closure: Vec<Template<ShippedNames>>,
}

/// The static healthcheck probe, for images with no interpreter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// where the final image has it
    pub path: String,
    /// the healthcheck's command: the probe with the port and path
    pub healthcheck: Vec<Template<ProbeNames>>,
    /// what the probe's stage installs when the builder has no C compiler
    pub compiler: Vec<String>,
    /// compiles /tmp/probe.c into /out/dslim-probe
    pub build: String,
    pub source: Vec<String>,
}

/// An image family: Debian or Alpine, and how to install packages and add users on it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distro {
    pub default_release: String,
    pub releases: BTreeMap<String, String>,
    pub release_pattern: Pattern,
    pub runtime_image: Template<ImageNames>,
    pub install: Template<PackagesNames>,
    pub add_user: Template<UserNames>,
    pub adopt_user: Template<UserNames>,
    pub refuse_root: String,
    pub own_workdir: Template<WorkdirNames>,
    pub package_pattern: Pattern,
    pub package_example: String,
    pub build_tools: Vec<String>,
    #[serde(default)]
    pub companions: BTreeMap<String, Vec<String>>,
    /// whether distroless images are built from it
    pub distroless: bool,
}

/// The static file server of single-page apps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spa {
    pub default_nginx: String,
    pub image: Template<NginxNames>,
    pub uid: u32,
    pub html: String,
    pub conf: String,
    pub default_port: u16,
    pub server_conf: Vec<Template<ServerNames>>,
    pub fallback: String,
    pub no_fallback: String,
    /// the image the nginx of runtime "minimal" comes from
    pub minimal_image: Template<NginxNames>,
    /// puts nginx and its MIME types in /out, for runtime "minimal"
    pub minimal_gather: Vec<String>,
    /// nginx's configuration there, and where it goes in /out
    pub minimal_conf: Vec<String>,
    pub minimal_conf_file: String,
    /// the final image's command on distroless
    pub minimal_command: Vec<String>,
}

/// A stack recipes will be able to name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Planned {
    pub title: String,
    /// files that show an app is of this stack, for `dslim init`
    pub files: Vec<String>,
}
