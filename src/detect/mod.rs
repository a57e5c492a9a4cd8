//! What detecting an existing app's stack finds, for `dslim init`: values with the file and
//! line they were found in. Each stack detects its own apps (`src/stacks/NAME/detect.rs`);
//! this module holds what they share, and `declared` reads what the project itself says
//! about how it starts.

pub mod declared;
mod env;
mod finding;
pub mod secrets;

pub use env::{required_env, EnvReads};
pub use finding::{Evidence, Finding, Source};

use crate::error::{Rule, Unsupported, Warning};
use crate::knowledge::{Knowledge, StackData};
use crate::project::Project;
use crate::template::Pattern;

/// What a detector looks at.
pub struct DetectInput<'a> {
    pub project: &'a Project,
    /// the stack's data
    pub data: &'a StackData,
    pub knowledge: &'a Knowledge,
    pub stack: &'a str,
}

/// A library that needs system packages to build or run.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeDep {
    pub library: String,
    pub why: String,
    pub evidence: Evidence,
    pub build: Vec<String>,
    pub run: Vec<String>,
    /// the stack versions (`3.12`) it comes as a prebuilt wheel for, bringing its own
    /// libraries: on those it needs none of these packages. Init decides once the version is
    /// final (a Dockerfile's `FROM`, `--version`).
    pub prebuilt_for: Vec<String>,
}

/// What one detector found.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub stack: String,
    /// why this stack matched
    pub evidence: Vec<Evidence>,
    /// set when dslim recognises the stack or manager but cannot build it yet
    pub unsupported: Option<Unsupported>,
    pub manager: Option<Finding<String>>,
    pub version: Option<Finding<String>>,
    /// the stack node's other property: python `requirements`, go `package`, rust `bin`
    pub stack_property: Option<(&'static str, Finding<String>)>,
    /// the stack node's #true properties: go `cgo`
    pub stack_flags: Vec<(&'static str, Finding<bool>)>,
    pub build: Option<Finding<Build>>,
    /// commands run in the builder once the source is there (Django's collectstatic)
    pub build_steps: Vec<Finding<BuildStep>>,
    /// more .dockerignore patterns (`!.env.production`: a file the build needs back)
    pub ignore: Vec<Finding<String>>,
    pub spa: bool,
    pub port: Option<Finding<u16>>,
    /// the final image, when one was asked for
    pub runtime: Option<Finding<String>>,
    pub entrypoint: Option<Finding<Vec<String>>>,
    pub native: Vec<NativeDep>,
    /// variables the recipe sets (PORT, what a Dockerfile sets), each with where it came from
    pub env: Vec<Finding<(String, String)>>,
    /// what the user must fix for the build to work (a missing lockfile...)
    pub warnings: Vec<Warning>,
    /// the app's dependencies, with where each is declared (for the stack's frameworks)
    pub dependencies: Vec<(String, Evidence)>,
    /// variables the code reads with no default: the app needs them from its environment
    pub required_env: Vec<(String, Evidence)>,
    /// several binaries and no rule to pick one: what they are, and their names for --bin
    pub ambiguous: Option<(String, Vec<String>)>,
    /// what a private registry's configuration shows the install needs
    pub secrets: Vec<Finding<secrets::SecretGuess>>,
    /// front-end assets a package.json beside the app builds (the recipe's `assets`)
    pub assets: Option<Finding<FoundAssets>>,
    /// the command each release runs once, outside the image (a migration)
    pub release: Option<Finding<Vec<String>>>,
    /// files a compiled binary reads at run time (templates, static files)
    pub runtime_files: Vec<Finding<String>>,
}

/// A package.json's build of front-end assets: its folder, script and output (from the app's
/// folder).
#[derive(Debug, Clone, PartialEq)]
pub struct FoundAssets {
    pub folder: String,
    pub scripts: Vec<String>,
    pub output: String,
}

/// A recipe `build` (node): the script, its output folder, more paths the final image takes,
/// and the folder the script caches in.
#[derive(Debug, Clone, PartialEq)]
pub struct Build {
    pub script: String,
    pub output: String,
    pub also: Vec<String>,
    pub cache: Option<String>,
    pub self_contained: bool,
}

impl Build {
    /// `script` producing `output`, nothing more
    pub fn output(script: &str, output: String) -> Self {
        Build {
            script: script.into(),
            output,
            also: vec![],
            cache: None,
            self_contained: false,
        }
    }
}

/// A recipe `build-step`: its command, and variables set for it alone.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildStep {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Detection {
    /// Sets a variable of the recipe, replacing an earlier value of the same name.
    pub fn set_env(&mut self, finding: Finding<(String, String)>) {
        self.env.retain(|e| e.value.0 != finding.value.0);
        self.env.push(finding);
    }

    /// Sets each of `vars`, all with the same evidence.
    pub fn set_envs(&mut self, vars: &[(String, String)], evidence: &Evidence) {
        for (key, value) in vars {
            self.set_env(Finding::found(
                (key.clone(), value.clone()),
                evidence.clone(),
            ));
        }
    }

    /// The app listens on `port`, which the recipe also sets as PORT (for servers that read
    /// it), with the same evidence.
    pub fn listen_on_port(&mut self, port: Finding<u16>) {
        self.set_env(Finding {
            value: ("PORT".to_string(), port.value.to_string()),
            source: port.source.clone(),
        });
        self.port = Some(port);
    }

    pub fn new(stack: &str, evidence: Vec<Evidence>) -> Self {
        Detection {
            stack: stack.into(),
            evidence,
            unsupported: None,
            manager: None,
            version: None,
            stack_property: None,
            stack_flags: vec![],
            build: None,
            build_steps: vec![],
            ignore: vec![],
            spa: false,
            port: None,
            runtime: None,
            entrypoint: None,
            native: vec![],
            env: vec![],
            warnings: vec![],
            dependencies: vec![],
            required_env: vec![],
            ambiguous: None,
            secrets: vec![],
            assets: None,
            release: None,
            runtime_files: vec![],
        }
    }

    /// "python (requirements.txt, uv.lock)": the stack and why it matched.
    pub fn summary(&self) -> String {
        let evidence: Vec<String> = self.evidence.iter().map(|e| e.to_string()).collect();
        if evidence.is_empty() {
            return format!("{} (named with --stack)", self.stack);
        }
        format!("{} ({})", self.stack, evidence.join(", "))
    }
}

/// Stacks dslim recognises but does not build yet, by their files: said so, instead of
/// "nothing found".
pub fn planned(project: &Project, knowledge: &Knowledge) -> Vec<Detection> {
    knowledge
        .planned
        .iter()
        .filter_map(|(stack, planned)| {
            let file = planned.files.iter().find(|f| project.exists(f))?;
            let mut d = Detection::new(stack, vec![Evidence::file(file, "")]);
            d.unsupported = Some(Unsupported::PlannedStack {
                stack: stack.clone(),
                title: planned.title.clone(),
            });
            Some(d)
        })
        .collect()
}

impl DetectInput<'_> {
    /// Looks `library` (a dependency name) up in the stack's native-dependency table.
    pub fn native_dep(&self, library: &str, evidence: Evidence) -> Option<NativeDep> {
        let normalized = library.to_ascii_lowercase().replace('_', "-");
        let entry = self.data.native.get(&normalized)?;
        // init writes Debian names: recipes start on the default distro
        let packages = entry.packages.get("debian")?;
        Some(NativeDep {
            library: normalized,
            why: entry.why.clone(),
            evidence,
            build: packages.build.clone(),
            run: packages.run.clone(),
            prebuilt_for: vec![],
        })
    }

    /// The port the code names, else the stack's convention.
    pub fn port(&self, files: &[String], patterns: &[Pattern], convention: &str) -> Finding<u16> {
        let default = self.data.default_port;
        match self.project.find_any(files, patterns.iter().map(|p| &p.0)) {
            Some((file, line, value)) => match value.parse::<u16>() {
                Ok(p) if p > 0 => Finding::found(p, Evidence::line(&file, line, "")),
                _ => Finding::guessed(default, convention.to_string()),
            },
            None => Finding::guessed(default, convention.to_string()),
        }
    }

    /// The manager a file in the project implies (a lockfile), from the same table that
    /// `dslim build` reads when a recipe names no manager.
    pub fn manager_by_file(&self) -> Option<Finding<String>> {
        let present: Vec<&(String, String)> = self
            .data
            .manager_files
            .iter()
            .filter(|(file, _)| self.project.exists(file))
            .collect();
        let (file, manager) = present.first()?;
        // several lockfiles: the data's order decides, and the report says so
        let others: Vec<&str> = present[1..]
            .iter()
            .filter(|(_, m)| m != manager)
            .map(|(f, _)| f.as_str())
            .collect();
        let note = match others.as_slice() {
            [] => String::new(),
            [one] => format!("before {one}, which is also here"),
            _ => format!("before {}, which are also here", others.join(", ")),
        };
        Some(Finding::found(manager.clone(), Evidence::file(file, note)))
    }

    /// The manager whose lockfile is in a folder above (a workspace's root). A member of that
    /// manager's workspace builds from the root; anything else gets a warning that the build
    /// cannot use the lockfile, the recipe's folder being the build context.
    pub fn manager_above(&self, warnings: &mut Vec<Warning>) -> Option<Finding<String>> {
        let (path, manager) = self.data.manager_above(self.project)?;
        let member = self
            .data
            .managers
            .get(manager)
            .and_then(|m| m.workspace.as_ref())
            .and_then(|w| crate::local_packages::find(self.project, w).ok().flatten());
        let note = match member {
            Some(shared) => format!(
                "the lockfile of the workspace this app is a member of; its root ({}) is the build context",
                shared.root
            ),
            None => {
                warnings.push(Warning::LockAbove {
                    lockfile: path.clone(),
                });
                "the workspace's lockfile".to_string()
            }
        };
        Some(Finding::found(
            manager.clone(),
            Evidence::file(&path, &note),
        ))
    }

    /// The stack's default version, as a guess.
    pub fn default_version(&self) -> Finding<String> {
        default_version(self.data)
    }

    /// The files that are signs of this stack, where the project has them.
    pub fn signs(&self) -> Vec<Evidence> {
        self.data
            .signs
            .iter()
            .filter(|f| self.project.exists(f))
            .map(|f| Evidence::file(f, ""))
            .collect()
    }
}

/// When the project names no version of its own, the one its Dockerfile builds on
/// (`FROM python:3.10-alpine`), where that image is the stack's.
pub fn version_from_base_image(detection: &mut Detection, data: &StackData, project: &Project) {
    if detection.version.as_ref().is_some_and(|v| !v.is_guess()) {
        return;
    }
    let Some((image, evidence)) = declared::base_image(project) else {
        return;
    };
    let (repository, tag) = image.rsplit_once(':').unwrap_or((&image, ""));
    let repository = repository.rsplit('/').next().unwrap_or(repository);
    // the stack's images, as its data names them: `python:{{ version }}-slim-...` -> python
    let ours = data
        .images
        .values()
        .any(|i| i.builder.text().split(':').next() == Some(repository));
    let version: String = tag
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let version = major_minor(version.trim_end_matches('.'));
    if ours && !version.is_empty() && data.version_pattern.is_match(&version) {
        detection.version = Some(Finding::found(version, evidence));
    }
}

/// Which of several binaries to build, by a written rule: the one the project names as its
/// default, else the one named after the project, else the only one that serves HTTP. None
/// when no rule picks one.
pub fn choose_binary(
    names: &[String],
    default: Option<&str>,
    project: Option<&str>,
    serves: impl Fn(usize) -> bool,
) -> Option<(usize, Rule)> {
    if let Some(i) = default.and_then(|d| names.iter().position(|n| n == d)) {
        return Some((i, Rule::DefaultRun));
    }
    if let Some(i) = project.and_then(|p| names.iter().position(|n| n == p)) {
        return Some((i, Rule::NamedAfterProject));
    }
    let servers: Vec<usize> = (0..names.len()).filter(|i| serves(*i)).collect();
    match servers.as_slice() {
        [one] => Some((*one, Rule::OnlyServer)),
        _ => None,
    }
}

/// Frameworks the app depends on that listen on a port of their own, or on localhost, unless
/// told: their port (from their config file, else their default) where the port is a guess,
/// and the variables that make them listen where the recipe says.
pub fn apply_frameworks(detection: &mut Detection, data: &StackData, project: &Project) {
    for framework in &data.frameworks {
        let Some((_, evidence)) = detection
            .dependencies
            .iter()
            .find(|(name, _)| *name == framework.dependency)
            .cloned()
        else {
            continue;
        };
        if detection.port.as_ref().is_none_or(Finding::is_guess) {
            let configured = framework.config.as_ref().and_then(|(file, pattern)| {
                let (line, port) = project.find(file, &pattern.0)?;
                Some((port.parse::<u16>().ok()?, Evidence::line(file, line, "")))
            });
            detection.port = Some(match configured {
                Some((port, evidence)) => Finding::found(port, evidence),
                None => Finding::guessed(
                    framework.port,
                    format!("the port {} listens on by default", framework.dependency),
                ),
            });
        }
        let port = detection
            .port
            .as_ref()
            .map_or(framework.port, |p| p.value)
            .to_string();
        for (key, value) in &framework.env {
            if let Ok(value) = value.render(&[("port", &port)]) {
                let why = Evidence {
                    note: format!("{} listens where this says", framework.dependency),
                    ..evidence.clone()
                };
                detection.set_env(Finding::found((key.clone(), value), why));
            }
        }
    }
}

/// A version older than dslim builds with becomes one it does, with a warning: the current
/// release where the toolchain builds code written for older ones (Go, Rust), else the oldest
/// release dslim supports, the nearest to what the project asks for.
pub fn raise_old_version(detection: &mut Detection, data: &StackData) {
    let Some(version) = &mut detection.version else {
        return;
    };
    if !data.version_pattern.is_match(&version.value)
        || crate::knowledge::version_at_least(&version.value, &data.min_version)
    {
        return;
    }
    let chosen = if data.newest_builds_older {
        data.default_version.clone()
    } else {
        data.min_version.clone()
    };
    let at = match &version.source {
        Source::Found(evidence) => evidence.first().map(|e| e.to_string()).unwrap_or_default(),
        _ => "the project".into(),
    };
    let asked = std::mem::replace(&mut version.value, chosen.clone());
    // the recipe's comment says it was raised, not only the report
    if let Source::Found(evidence) = &mut version.source {
        if let Some(first) = evidence.first_mut() {
            first.note = format!("asks for {asked}: raised");
        }
    }
    detection
        .warnings
        .push(Warning::VersionRaised { at, asked, chosen });
}

/// The default version of a stack, as a guess.
pub fn default_version(data: &StackData) -> Finding<String> {
    Finding::guessed(
        data.default_version.clone(),
        "no version hint found; the current stable release",
    )
}

/// "3.12.1" -> "3.12"; versions in recipes name a minor release so that patch updates arrive.
pub fn major_minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}
