//! `dslim init`: look at an existing app, say what was found and why, and write a recipe that
//! builds it, with a comment on every line that says where its value came from.

use std::io::{BufRead, IsTerminal, Write};

use camino::{Utf8Path, Utf8PathBuf};
use minijinja::{context, Environment};

use crate::compile::{compile_text, recipe_error, RECIPE_FILE};
use crate::detect::{default_version, detect_all, Detection, Finding, Project, Source};
use crate::error::Error;
use crate::output::write_atomically;

#[derive(Debug, clap::Args)]
pub struct Options {
    /// The app's folder
    #[arg(default_value = ".")]
    pub dir: Utf8PathBuf,
    /// The stack, when detection finds several or none: python, node, go, rust
    #[arg(long)]
    pub stack: Option<String>,
    /// The port the app listens on
    #[arg(long)]
    pub port: Option<u16>,
    /// The command that starts the app, as one shell-quoted string ("gunicorn app:app")
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// Replace an existing dslim.kdl
    #[arg(long)]
    pub force: bool,
    /// Do not ask for confirmation (never asked when stdin is not a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

impl Options {
    /// The --entrypoint words, split like a shell would.
    fn entrypoint(&self) -> Result<Option<Vec<String>>, Error> {
        let Some(text) = &self.entrypoint else {
            return Ok(None);
        };
        match shlex::split(text).filter(|w| !w.is_empty()) {
            Some(words) => Ok(Some(words)),
            None => Err(Error::Detect {
                message: format!("cannot split --entrypoint {text:?} into words"),
                help: Some("quote it like a shell command: --entrypoint \"gunicorn --bind 0.0.0.0:8000 app:app\"".into()),
            }),
        }
    }
}

/// What init decided, before anything is written.
pub struct Outcome {
    pub detection: Detection,
    pub recipe: String,
    pub path: Utf8PathBuf,
}

/// Detects, applies the overrides and renders the recipe; writes nothing.
pub fn prepare(options: &Options) -> Result<Outcome, Error> {
    let path = options.dir.join(RECIPE_FILE);
    if path.exists() && !options.force {
        return Err(Error::Overwrite {
            path,
            reason: "already exists".into(),
        });
    }
    let project = Project::new(&options.dir);
    let found = detect_all(&project);
    let mut detection = choose(found, options.stack.as_deref(), &options.dir)?;
    if let Some(reason) = &detection.unsupported {
        return Err(Error::Detect {
            message: reason.clone(),
            help: None,
        });
    }
    if let Some(port) = options.port {
        // a detected server command binds the detected port: it must bind the given one
        if let (Some(old), Some(entrypoint)) = (&detection.port, &mut detection.entrypoint) {
            let (old, new) = (old.value.to_string(), port.to_string());
            for word in entrypoint.value.iter_mut() {
                if *word == old {
                    *word = new.clone();
                } else if let Some(host) = word.strip_suffix(&format!(":{old}")) {
                    *word = format!("{host}:{new}");
                }
            }
        }
        // servers that read $PORT (Node's convention, and many others) take the given one
        detection.env.push(("PORT".into(), port.to_string()));
        if let (Some(old), Source::Found(evidence)) = (
            &detection.port,
            &detection
                .port
                .as_ref()
                .map(|p| p.source.clone())
                .unwrap_or(Source::Given),
        ) {
            let rewritten = detection.entrypoint.as_ref().is_some_and(|e| {
                e.value
                    .iter()
                    .any(|w| w.ends_with(&format!(":{port}")) || *w == port.to_string())
            });
            if old.value != port && !rewritten {
                let at = evidence.first().map(|e| e.to_string()).unwrap_or_default();
                detection.warnings.push(format!(
                    "the code listens on {} ({at}) unless $PORT says otherwise; the recipe sets PORT={port}, check that the app reads it",
                    old.value
                ));
            }
        }
        detection.port = Some(Finding {
            value: port,
            source: Source::Given,
        });
    }
    if let Some(argv) = options.entrypoint()? {
        detection.entrypoint = Some(Finding {
            value: argv,
            source: Source::Given,
        });
    }
    if options.entrypoint.is_some() || options.port.is_some() {
        // warnings about what the user has now supplied no longer apply
        detection.warnings.retain(|w| !w.contains("--entrypoint"));
    }
    let needs_entrypoint = matches!(detection.stack, "python" | "node") && !detection.spa;
    if needs_entrypoint && detection.entrypoint.is_none() {
        let mut help = detection.warnings.join("\n");
        if help.is_empty() {
            help = "pass the command that starts the app".into();
        }
        return Err(Error::Detect {
            message: format!("found no command that starts this {} app", detection.stack),
            help: Some(format!("{help}\nfor example: dslim init --entrypoint \"gunicorn --bind 0.0.0.0:8000 mysite.wsgi:application\"")),
        });
    }
    let recipe = render(&app_name(&options.dir), &detection);
    if let Err(errors) = compile_text(&recipe, RECIPE_FILE) {
        // a value given on the command line can be invalid: show it as the user would see it;
        // anything else is init writing what dslim cannot read
        if options.entrypoint.is_some() || options.port.is_some() {
            return Err(recipe_error(&path, recipe, errors));
        }
        return Err(Error::InitBug { recipe });
    }
    Ok(Outcome {
        detection,
        recipe,
        path,
    })
}

/// One detection, or an error that lists what was found.
fn choose(found: Vec<Detection>, stack: Option<&str>, dir: &Utf8Path) -> Result<Detection, Error> {
    let stacks = &crate::stacks::knowledge().stacks;
    if let Some(stack) = stack {
        if !stacks.contains_key(stack) {
            return Err(Error::Detect {
                message: format!("`{stack}` is not a stack dslim builds"),
                help: Some(format!(
                    "--stack takes one of: {}",
                    stacks.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            });
        }
        return Ok(found
            .into_iter()
            .find(|d| d.stack == stack)
            .unwrap_or_else(|| {
                let name: &'static str = stacks
                    .get_key_value(stack)
                    .map(|(k, _)| k.as_str())
                    .unwrap_or("python");
                let mut d = Detection::new(name, vec![]);
                d.version = Some(default_version(name));
                d.warnings.push(format!(
                    "nothing here looks like a {stack} app; the recipe is a starting point"
                ));
                d
            }));
    }
    match found.len() {
        0 => Err(Error::Detect {
            message: format!("found no app to build in {dir}"),
            help: Some("dslim looks for requirements.txt, pyproject.toml, Pipfile, package.json, go.mod and Cargo.toml; name the stack with --stack python|node|go|rust".into()),
        }),
        1 => Ok(found.into_iter().next().unwrap_or_else(|| Detection::new("python", vec![]))),
        _ => Err(Error::Detect {
            message: format!("found more than one stack: {}", found.iter().map(Detection::summary).collect::<Vec<_>>().join("; ")),
            help: Some(format!(
                "choose one: {}",
                found.iter().map(|d| format!("--stack {}", d.stack)).collect::<Vec<_>>().join(" or ")
            )),
        }),
    }
}

/// The folder's name, made into an app name.
pub fn app_name(dir: &Utf8Path) -> String {
    let absolute = dir
        .canonicalize_utf8()
        .unwrap_or_else(|_| dir.to_path_buf());
    let raw = absolute.file_name().unwrap_or("app").to_ascii_lowercase();
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    name = name
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    name.truncate(63);
    if name.is_empty() {
        "app".into()
    } else {
        name
    }
}

const TEMPLATE: &str = "\
// Written by `dslim init` from the files in this folder. Each line says where its value
// came from; check the ones marked \"guess\". Reference: the dslim README.
app {{ name }} {
{% for line in lines %}{% if line.comment %}    // {{ line.comment }}
{% endif %}    {{ line.node }}
{% endfor %}}
";

/// The recipe text for a detection.
pub fn render(name: &str, d: &Detection) -> String {
    let mut lines: Vec<(Option<String>, String)> = vec![];
    let mut stack_line = d.stack.to_string();
    let mut why = vec![];
    if let Some(v) = &d.version {
        stack_line.push_str(&format!(" {}", kdl_string(&v.value)));
        why.push(format!("version {}", v.source));
    }
    if let Some(m) = &d.manager {
        stack_line.push_str(&format!(" manager={}", kdl_string(&m.value)));
        why.push(format!("manager {}", m.source));
    }
    if let Some((key, f)) = &d.stack_property {
        if !(*key == "package" && f.value == ".") {
            stack_line.push_str(&format!(" {key}={}", kdl_string(&f.value)));
        }
        why.push(format!("{key} {}", f.source));
    }
    lines.push((Some(why.join("; ")), stack_line));

    let mut build_deps: Vec<String> = vec![];
    let mut runtime_libs: Vec<String> = vec![];
    for n in &d.native {
        build_deps.extend(
            n.build
                .iter()
                .filter(|p| !build_deps.contains(p))
                .cloned()
                .collect::<Vec<_>>(),
        );
        runtime_libs.extend(
            n.run
                .iter()
                .filter(|p| !runtime_libs.contains(p))
                .cloned()
                .collect::<Vec<_>>(),
        );
    }
    let libraries = d
        .native
        .iter()
        .map(|n| format!("{} ({}) {}", n.library, n.evidence, n.why))
        .collect::<Vec<_>>()
        .join("; ");
    if !build_deps.is_empty() {
        lines.push((
            Some(libraries.clone()),
            format!("build-deps {}", words(&build_deps)),
        ));
    }
    if !runtime_libs.is_empty() {
        lines.push((None, format!("runtime-libs {}", words(&runtime_libs))));
    }
    if let Some(b) = &d.build {
        lines.push((
            Some(format!("output {}", b.source)),
            format!(
                "build script={} output={}",
                kdl_string(&b.value.0),
                kdl_string(&b.value.1)
            ),
        ));
    }
    if d.spa {
        lines.push((
            Some("a bundler builds static files: served by unprivileged nginx on 8080".into()),
            "spa".into(),
        ));
    } else if let Some(p) = &d.port {
        lines.push((Some(p.source.to_string()), format!("port {}", p.value)));
    }
    if !d.env.is_empty() {
        let pairs: Vec<String> = d
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", kdl_string(v)))
            .collect();
        lines.push((
            Some("given on the command line".into()),
            format!("env {}", pairs.join(" ")),
        ));
    }
    if let Some(e) = &d.entrypoint {
        lines.push((
            Some(e.source.to_string()),
            format!("entrypoint {}", words(&e.value)),
        ));
    }
    let lines: Vec<_> = lines
        .into_iter()
        .map(|(comment, node)| context! { comment => comment.map(|c| one_line(&c)), node })
        .collect();
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.render_str(TEMPLATE, context! { name => kdl_string(name), lines })
        .unwrap_or_else(|e| panic!("built-in recipe template: {e}"))
}

fn words(list: &[String]) -> String {
    list.iter()
        .map(|w| kdl_string(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Comments stay on one line whatever the files contained.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A KDL v2 string literal for any text.
pub fn kdl_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // KDL v2 reads these as newlines or forbids them unescaped
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The human report of what was detected, for stderr.
pub fn report(outcome: &Outcome) -> String {
    let d = &outcome.detection;
    let mut out = format!("detected {}\n", d.summary());
    let mut row = |what: &str, value: String, source: &Source| {
        out.push_str(&format!("  {what:<11}{value}  [{source}]\n"))
    };
    if let Some(v) = &d.version {
        row("version", v.value.clone(), &v.source);
    }
    if let Some(m) = &d.manager {
        row("manager", m.value.clone(), &m.source);
    }
    if let Some((key, f)) = &d.stack_property {
        row(key, f.value.clone(), &f.source);
    }
    if let Some(b) = &d.build {
        row(
            "build",
            format!("{} -> {}", b.value.0, b.value.1),
            &b.source,
        );
    }
    if let Some(p) = &d.port {
        row("port", p.value.to_string(), &p.source);
    }
    if let Some(e) = &d.entrypoint {
        row("entrypoint", e.value.join(" "), &e.source);
    }
    for n in &d.native {
        out.push_str(&format!(
            "  {:<11}{}: build {}, run {}  [from {}]\n",
            "native",
            n.library,
            n.build.join(" "),
            if n.run.is_empty() {
                "-".into()
            } else {
                n.run.join(" ")
            },
            n.evidence
        ));
    }
    for w in &d.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    out
}

/// Runs init: report, confirm on a terminal, write.
pub fn run(options: &Options) -> Result<(), Error> {
    let outcome = prepare(options)?;
    eprint!("{}", report(&outcome));
    if !options.yes && std::io::stdin().is_terminal() {
        eprint!("\n{}\nWrite {}? [Y/n] ", outcome.recipe, outcome.path);
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if matches!(answer.trim().to_ascii_lowercase().as_str(), "n" | "no") {
            eprintln!("nothing written");
            return Ok(());
        }
    }
    write_atomically(&outcome.path, &outcome.recipe)?;
    for name in [crate::render::DOCKERFILE, crate::render::COMPOSE] {
        let path = options.dir.join(name);
        let theirs = std::fs::read_to_string(&path)
            .is_ok_and(|t| crate::render::provenance(&t) != crate::render::Provenance::Generated);
        if theirs {
            eprintln!("note: {path} was not written by dslim; `dslim build` replaces it only with --force");
        }
    }
    eprintln!(
        "wrote {}: check the lines marked \"guess\", then run `dslim build`",
        outcome.path
    );
    Ok(())
}
