//! Detecting an existing app's stack, for `dslim init`. One detector per stack, behind one
//! trait; each reports what it found and the file and line it found it in. All detectors run,
//! so an ambiguous folder is reported as such instead of the first match winning.

mod go;
mod node;
mod python;
mod rust;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use camino::{Utf8Path, Utf8PathBuf};
use regex::Regex;
use serde::Deserialize;

const DETECT_TOML: &str = include_str!("../../recipes/detect.toml");

/// Where a finding comes from: a file, and the line when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub file: String,
    pub line: Option<usize>,
    pub note: String,
}

impl Evidence {
    pub fn file(file: &str, note: impl Into<String>) -> Self {
        Evidence {
            file: file.into(),
            line: None,
            note: note.into(),
        }
    }
    pub fn line(file: &str, line: usize, note: impl Into<String>) -> Self {
        Evidence {
            file: file.into(),
            line: Some(line),
            note: note.into(),
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file)?,
            None => write!(f, "{}", self.file)?,
        }
        if !self.note.is_empty() {
            write!(f, " ({})", self.note)?;
        }
        Ok(())
    }
}

/// A value init settled on, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding<T> {
    pub value: T,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// read from the project's files
    Found(Vec<Evidence>),
    /// nothing said; this is the convention or dslim's default
    Guessed(String),
    /// given on the command line
    Given,
}

impl<T> Finding<T> {
    pub fn found(value: T, evidence: Evidence) -> Self {
        Finding {
            value,
            source: Source::Found(vec![evidence]),
        }
    }
    pub fn guessed(value: T, why: impl Into<String>) -> Self {
        Finding {
            value,
            source: Source::Guessed(why.into()),
        }
    }
    pub fn is_guess(&self) -> bool {
        matches!(self.source, Source::Guessed(_))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Found(evidence) => {
                let parts: Vec<String> = evidence.iter().map(|e| e.to_string()).collect();
                write!(f, "from {}", parts.join(", "))
            }
            Source::Guessed(why) => write!(f, "guess: {why}"),
            Source::Given => write!(f, "given on the command line"),
        }
    }
}

/// A library that needs system packages to build or run.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeDep {
    pub library: String,
    pub why: String,
    pub evidence: Evidence,
    pub build: Vec<String>,
    pub run: Vec<String>,
}

/// What one detector found.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub stack: &'static str,
    /// why this stack matched
    pub evidence: Vec<Evidence>,
    /// set when dslim recognises the stack or manager but cannot build it yet
    pub unsupported: Option<String>,
    pub manager: Option<Finding<String>>,
    pub version: Option<Finding<String>>,
    /// the stack node's other property: python `requirements`, go `package`, rust `bin`
    pub stack_property: Option<(&'static str, Finding<String>)>,
    pub build: Option<Finding<(String, String)>>,
    pub spa: bool,
    pub port: Option<Finding<u16>>,
    pub entrypoint: Option<Finding<Vec<String>>>,
    pub native: Vec<NativeDep>,
    /// variables the recipe sets (PORT, when --port is given)
    pub env: Vec<(String, String)>,
    /// what the user must fix for the build to work (a missing lockfile...)
    pub warnings: Vec<String>,
}

impl Detection {
    /// "python (requirements.txt, uv.lock)": the stack and why it matched.
    pub fn summary(&self) -> String {
        let evidence: Vec<String> = self.evidence.iter().map(|e| e.to_string()).collect();
        if evidence.is_empty() {
            return format!("{} (named with --stack)", self.stack);
        }
        format!("{} ({})", self.stack, evidence.join(", "))
    }

    pub fn new(stack: &'static str, evidence: Vec<Evidence>) -> Self {
        Detection {
            stack,
            evidence,
            unsupported: None,
            manager: None,
            version: None,
            stack_property: None,
            build: None,
            spa: false,
            port: None,
            entrypoint: None,
            native: vec![],
            env: vec![],
            warnings: vec![],
        }
    }
}

/// One stack's detector.
pub trait Detector {
    /// None when the folder shows no sign of this stack.
    fn detect(&self, project: &Project) -> Option<Detection>;
}

pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(python::Python),
        Box::new(node::Node),
        Box::new(go::Go),
        Box::new(rust::Rust),
        Box::new(Planned),
    ]
}

/// Runs every detector; returns every match.
pub fn detect_all(project: &Project) -> Vec<Detection> {
    detectors()
        .iter()
        .filter_map(|d| d.detect(project))
        .collect()
}

/// Stacks dslim recognises but does not build yet: say so instead of "nothing found".
struct Planned;

impl Detector for Planned {
    fn detect(&self, project: &Project) -> Option<Detection> {
        for (file, stack) in [("Gemfile", "ruby"), ("mix.exs", "elixir")] {
            if project.exists(file) {
                let mut d = Detection::new(stack, vec![Evidence::file(file, "")]);
                d.unsupported = Some(format!("{stack} apps are not supported yet"));
                return Some(d);
            }
        }
        None
    }
}

/// The folder being looked at, with helpers to read and search its files.
pub struct Project {
    pub root: Utf8PathBuf,
}

impl Project {
    pub fn new(root: &Utf8Path) -> Self {
        Project {
            root: root.to_path_buf(),
        }
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.root.join(rel).exists()
    }

    pub fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(rel)).ok()
    }

    /// The app's own source files with one of `extensions`, relative to the root, sorted,
    /// at most `depth` folders deep, honouring .gitignore and skipping dependency folders.
    pub fn sources(&self, extensions: &[&str], depth: usize) -> Vec<String> {
        let mut files: Vec<String> = ignore::WalkBuilder::new(&self.root)
            .max_depth(Some(depth + 1))
            .hidden(true)
            // .gitignore counts in a folder that is not (yet) a git repository too
            .require_git(false)
            .filter_entry(|e| {
                !crate::workspace::SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref())
            })
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .filter_map(|e| {
                let path = Utf8PathBuf::from_path_buf(e.into_path()).ok()?;
                let ext = path.extension()?;
                if !extensions.contains(&ext) {
                    return None;
                }
                Some(path.strip_prefix(&self.root).ok()?.to_string())
            })
            .collect();
        files.sort();
        files
    }

    /// The first line of `rel` that matches `re`: its number (from 1) and the first group.
    pub fn find(&self, rel: &str, re: &Regex) -> Option<(usize, String)> {
        let text = self.read(rel)?;
        text.lines().enumerate().find_map(|(i, line)| {
            let caps = re.captures(line)?;
            let value = caps
                .get(1)
                .or_else(|| caps.get(0))
                .map(|m| m.as_str().to_string())?;
            Some((i + 1, value))
        })
    }

    /// The first match of any pattern in any of `files`, in file order.
    pub fn find_any(
        &self,
        files: &[String],
        patterns: &[Regex],
    ) -> Option<(String, usize, String)> {
        files.iter().find_map(|f| {
            patterns
                .iter()
                .find_map(|re| self.find(f, re))
                .map(|(line, v)| (f.clone(), line, v))
        })
    }

    /// The line on which `needle` first appears in `rel`.
    pub fn line_of(&self, rel: &str, needle: &str) -> Option<usize> {
        self.read(rel)?
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
    }
}

/// The compiler reads a project through the same questions.
impl crate::model::Project for Project {
    fn has_file(&self, name: &str) -> bool {
        self.exists(name)
    }
    fn read(&self, name: &str) -> Option<String> {
        Project::read(self, name)
    }
}

#[derive(Debug, Deserialize)]
pub struct Knowledge {
    pub python: PythonKnowledge,
    pub node: NodeKnowledge,
    pub go: PortKnowledge,
    pub rust: PortKnowledge,
    pub native: BTreeMap<String, BTreeMap<String, NativeEntry>>,
}

#[derive(Debug, Deserialize)]
pub struct PythonKnowledge {
    pub default_port: u16,
    pub wsgi_apps: Vec<String>,
    pub asgi_apps: Vec<String>,
    pub ports: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct NodeKnowledge {
    pub default_port: u16,
    pub ports: Vec<String>,
    pub spa_tools: BTreeMap<String, String>,
    pub servers: Vec<String>,
    pub output_dirs: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct PortKnowledge {
    pub default_port: u16,
    pub ports: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct NativeEntry {
    pub why: String,
    pub debian: Packages,
    pub alpine: Packages,
}

#[derive(Debug, Deserialize)]
pub struct Packages {
    pub build: Vec<String>,
    pub run: Vec<String>,
}

/// The detection knowledge; part of the binary and checked by the tests.
pub fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| {
        toml::from_str(DETECT_TOML)
            .unwrap_or_else(|e| panic!("recipes/detect.toml is invalid: {e}"))
    })
}

/// Compiles the patterns of the knowledge file.
pub fn patterns(list: &[String]) -> Vec<Regex> {
    list.iter()
        .map(|p| Regex::new(p).unwrap_or_else(|e| panic!("recipes/detect.toml pattern {p}: {e}")))
        .collect()
}

/// Looks `library` (a dependency name of `ecosystem`) up in the native-dependency table.
pub fn native_dep(ecosystem: &str, library: &str, evidence: Evidence) -> Option<NativeDep> {
    let normalized = library.to_ascii_lowercase().replace('_', "-");
    let entry = knowledge().native.get(ecosystem)?.get(&normalized)?;
    Some(NativeDep {
        library: normalized,
        why: entry.why.clone(),
        evidence,
        build: entry.debian.build.clone(),
        run: entry.debian.run.clone(),
    })
}

/// The port the code names, else the stack's convention.
pub fn port(
    project: &Project,
    files: &[String],
    patterns_: &[String],
    default: u16,
    convention: &str,
) -> Finding<u16> {
    match project.find_any(files, &patterns(patterns_)) {
        Some((file, line, value)) => match value.parse::<u16>() {
            Ok(p) if p > 0 => Finding::found(p, Evidence::line(&file, line, "")),
            _ => Finding::guessed(default, convention.to_string()),
        },
        None => Finding::guessed(default, convention.to_string()),
    }
}

/// The manager a file in the project implies (a lockfile), from the stack knowledge that
/// `dslim build` uses too when a recipe names no manager.
pub fn manager_by_file(project: &Project, stack: &str) -> Option<Finding<String>> {
    let stack = &crate::stacks::knowledge().stacks[stack];
    let (file, manager) = stack
        .manager_files
        .iter()
        .find(|(file, _)| project.exists(file))?;
    Some(Finding::found(manager.clone(), Evidence::file(file, "")))
}

/// The default version of `stack`, as a guess.
pub fn default_version(stack: &str) -> Finding<String> {
    let version = crate::stacks::knowledge().stacks[stack]
        .default_version
        .clone();
    Finding::guessed(version, "no version hint found; the current stable release")
}

/// "3.12.1" -> "3.12"; versions in recipes name a minor release so that patch updates arrive.
pub fn major_minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knowledge_parses_and_patterns_compile() {
        let k = knowledge();
        patterns(&k.python.ports);
        patterns(&k.python.wsgi_apps);
        patterns(&k.python.asgi_apps);
        patterns(&k.node.ports);
        patterns(&k.node.output_dirs);
        patterns(&k.go.ports);
        patterns(&k.rust.ports);
        assert!(native_dep("python", "psycopg2", Evidence::file("requirements.txt", "")).is_some());
        assert!(native_dep("python", "Psycopg2", Evidence::file("requirements.txt", "")).is_some());
        assert!(native_dep(
            "python",
            "psycopg2-binary",
            Evidence::file("requirements.txt", "")
        )
        .is_none());
    }
}
