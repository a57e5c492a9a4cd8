//! `dslim init`: look at an existing app, say what was found and why, and write a recipe that
//! builds it, with a comment on every line that says where its value came from.

mod assets;
mod recipe;

use std::io::{BufRead, IsTerminal};

use camino::{Utf8Path, Utf8PathBuf};

pub use recipe::{kdl_string, render, report};

use crate::compile::{compile_in, missing_inputs, Failure};
use crate::console::say;
use crate::detect::declared::{adopt, declared};
use crate::detect::{
    apply_frameworks, default_version, major_minor, raise_old_version, version_from_base_image,
    Detection, Finding, Source,
};
use crate::error::recipe_error;
use crate::error::{Error, Theirs, Unsupported, Warning};
use crate::output::write_atomically;
use crate::project::Project;
use crate::render::{provenance, Provenance};
use crate::stacks::Catalog;
use crate::{COMPOSE, DOCKERFILE, RECIPE_FILE};

#[derive(Debug, clap::Args)]
pub struct Options {
    /// The app's folder
    #[arg(default_value = ".")]
    pub dir: Utf8PathBuf,
    /// The stack, when detection finds several or none
    #[arg(long)]
    pub stack: Option<String>,
    /// The port the app listens on
    #[arg(long)]
    pub port: Option<u16>,
    /// The command that starts the app, as one shell-quoted string ("gunicorn app:app")
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// The stack's version (e.g. 3.12), instead of the one found or the current release
    #[arg(long)]
    pub version: Option<String>,
    /// The package manager (python: pip, uv, poetry, pdm, pipenv; node: npm, yarn, pnpm)
    #[arg(long)]
    pub manager: Option<String>,
    /// The binary to build: a Rust bin target, or the Go main package ./cmd/NAME
    #[arg(long)]
    pub bin: Option<String>,
    /// The final image, as the stack allows: slim, distroless, scratch or minimal (the smallest)
    #[arg(long)]
    pub runtime: Option<String>,
    /// Replace an existing dslim.kdl
    #[arg(long)]
    pub force: bool,
    /// Do not ask for confirmation (never asked when stdin is not a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

impl Options {
    /// Whether the user gave any value the recipe will hold (its errors are then theirs).
    fn gives_values(&self) -> bool {
        self.entrypoint.is_some()
            || self.port.is_some()
            || self.version.is_some()
            || self.manager.is_some()
            || self.bin.is_some()
            || self.runtime.is_some()
    }

    /// Values given on the command line win over everything found.
    fn apply(&self, detection: &mut Detection) -> Result<(), Error> {
        if let Some(version) = &self.version {
            detection.version = Some(Finding::given(version.clone()));
        }
        if let Some(manager) = &self.manager {
            detection.manager = Some(Finding::given(manager.clone()));
        }
        if let Some(runtime) = &self.runtime {
            detection.runtime = Some(Finding::given(runtime.clone()));
        }
        if let Some(bin) = &self.bin {
            let property = match detection.stack.as_str() {
                "rust" => ("bin", bin.clone()),
                "go" => ("package", format!("./cmd/{bin}")),
                other => {
                    return Err(Error::OptionNotForStack {
                        option: "--bin".into(),
                        stack: other.into(),
                    })
                }
            };
            detection.stack_property = Some((property.0, Finding::given(property.1)));
            detection.warnings.retain(|w| !w.asks_for_bin());
            detection.ambiguous = None;
        }
        Ok(())
    }

    /// The --entrypoint words, split like a shell would.
    fn entrypoint(&self) -> Result<Option<Vec<String>>, Error> {
        let Some(text) = &self.entrypoint else {
            return Ok(None);
        };
        match shlex::split(text).filter(|w| !w.is_empty()) {
            Some(words) => Ok(Some(words)),
            None => Err(Error::BadEntrypointOption { text: text.clone() }),
        }
    }
}

/// What init decided, before anything is written.
pub struct Outcome {
    pub detection: Detection,
    pub recipe: String,
    pub path: Utf8PathBuf,
    /// what the project's own compose file runs or sets beside the app
    pub beside: Option<crate::compose_beside::Beside>,
}

/// Detects, applies the overrides and renders the recipe; writes nothing.
pub fn prepare(catalog: &Catalog, options: &Options) -> Result<Outcome, Error> {
    let path = options.dir.join(RECIPE_FILE);
    if path.exists() && !options.force {
        return Err(Error::Overwrite {
            path,
            reason: Theirs::AlreadyExists,
        });
    }
    let project = Project::new(&options.dir);
    let name = app_name(&options.dir);
    let found = catalog.detect_all(&project);
    let mut detection = choose(catalog, found, options.stack.as_deref(), &options.dir)?;
    let beside = crate::compose_beside::beside(&options.dir, &name);
    // Yarn Berry is refused only when it would be the manager: `--manager npm` builds with npm
    let other_manager = options.manager.as_deref().is_some_and(|m| m != "yarn");
    if let Some(reason) = &detection.unsupported {
        if !(*reason == Unsupported::YarnBerry && other_manager) {
            return Err(Error::Unsupported(reason.clone()));
        }
    }
    if let Some(data) = catalog.knowledge.stack(&detection.stack) {
        // what the project itself says about how it starts wins over guesses from its code
        let mut declared = declared(&project);
        // a command that runs a script which only makes an app object exits at once: its
        // port and environment still count, its command does not
        if let Some(idle) = &data.idle_scripts {
            for d in declared
                .iter_mut()
                .filter(|d| idle.is_idle(&d.argv, &project))
            {
                d.argv.clear();
            }
        }
        adopt(&mut detection, &declared, data, &name);
        assets::detect(catalog, &project, data, &mut detection);
        // the project's own release command beats the stack's guess (Django's migrate)
        if let Some(mut release) = crate::detect::declared::release_command(&project) {
            release.value = crate::detect::declared::without_run_prefix(release.value, data);
            detection.release = Some(release);
        }
        if detection.spa {
            detection.release = None;
        }
        version_from_base_image(&mut detection, data, &project);
        apply_frameworks(&mut detection, data, &project);
        // what the recipe sets is not missing, nor what the project's compose file sets for
        // the app, which moves to compose.override.yaml
        let set: Vec<String> = (detection.env.iter())
            .map(|e| e.value.0.clone())
            .chain(beside.iter().flat_map(|b| b.app_env.iter().cloned()))
            .collect();
        detection
            .required_env
            .retain(|(name, _)| !set.contains(name));
        if !detection.required_env.is_empty() {
            let vars = detection
                .required_env
                .iter()
                .map(|(name, at)| format!("{name} ({at})"))
                .collect();
            detection.warnings.push(Warning::RequiredEnv { vars });
        }
        crate::detect::declared::unprivileged_port(&mut detection);
        raise_old_version(&mut detection, data);
    }
    if let Some(port) = options.port {
        given_port(&mut detection, port);
    }
    options.apply(&mut detection)?;
    // the version is final: a library that comes prebuilt for it needs no system packages
    if let Some(version) = detection.version.as_ref().map(|v| major_minor(&v.value)) {
        detection
            .native
            .retain(|n| !n.prebuilt_for.contains(&version));
    }
    if let (Some((what, options)), None) = (&detection.ambiguous, &options.bin) {
        return Err(Error::Ambiguous {
            what: what.clone(),
            options: options.clone(),
        });
    }
    if let Some(argv) = options.entrypoint()? {
        detection.entrypoint = Some(Finding::given(argv));
    }
    if options.entrypoint.is_some() || options.port.is_some() {
        // warnings about what the user has now supplied no longer apply
        detection.warnings.retain(|w| !w.asks_for_entrypoint());
    }
    let data = catalog.knowledge.stack(&detection.stack);
    let needs_entrypoint = data.is_some_and(|d| !d.entrypoint_example.is_empty()) && !detection.spa;
    if needs_entrypoint && detection.entrypoint.is_none() {
        return Err(Error::NoEntrypointDetected {
            stack: detection.stack.clone(),
            hints: detection.warnings.clone(),
            example: (detection.warnings.iter().find_map(Warning::example))
                .or_else(|| data.map(|d| d.entrypoint_example.join(" ")))
                .unwrap_or_default(),
        });
    }
    let recipe = render(&name, &detection)?;
    // compiled in the app's folder, whose files the build copies: a recipe whose build would
    // miss one (`--manager uv` beside a requirements file) is not written
    let compiled = compile_in(catalog, &recipe, RECIPE_FILE, &project).and_then(|unit| {
        match missing_inputs(&unit.plan, &options.dir) {
            missing if missing.is_empty() => Ok(unit),
            missing => Err(Failure::Recipe(missing)),
        }
    });
    match compiled {
        Ok(_) => {}
        // a value given on the command line can be invalid: show it as the user would see it;
        // anything else is init writing what dslim cannot read
        Err(Failure::Recipe(errors)) if options.gives_values() => {
            return Err(recipe_error(&path, recipe.into(), errors))
        }
        Err(Failure::Recipe(_)) => return Err(Error::InitBug { recipe }),
        Err(Failure::Bug(e)) => return Err(e),
    }
    Ok(Outcome {
        detection,
        recipe,
        path,
        beside,
    })
}

/// `--port`: the recipe's port, and the detected server command moved along with it.
fn given_port(detection: &mut Detection, port: u16) {
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
    detection.set_env(Finding::given(("PORT".into(), port.to_string())));
    if let Some(Finding {
        value: listens,
        source: Source::Found(evidence),
    }) = &detection.port
    {
        let rewritten = detection.entrypoint.as_ref().is_some_and(|e| {
            e.value
                .iter()
                .any(|w| w.ends_with(&format!(":{port}")) || *w == port.to_string())
        });
        if *listens != port && !rewritten {
            detection.warnings.push(Warning::PortNotRead {
                listens: *listens,
                at: evidence.first().map(|e| e.to_string()).unwrap_or_default(),
                port,
            });
        }
    }
    detection.port = Some(Finding::given(port));
}

/// One detection, or an error that lists what was found.
fn choose(
    catalog: &Catalog,
    found: Vec<Detection>,
    stack: Option<&str>,
    dir: &Utf8Path,
) -> Result<Detection, Error> {
    let knowledge = &catalog.knowledge;
    if let Some(stack) = stack {
        let Some(data) = knowledge.stack(stack) else {
            return Err(Error::UnknownStackOption {
                stack: stack.into(),
                known: knowledge.stack_names(),
            });
        };
        if let Some(d) = found.into_iter().find(|d| d.stack == stack) {
            return Ok(d);
        }
        let mut d = Detection::new(stack, vec![]);
        d.version = Some(default_version(data));
        d.warnings.push(Warning::NotThisStack {
            stack: stack.into(),
        });
        return Ok(d);
    }
    let mut found = found;
    // a package.json that starts nothing beside an app whose stack takes `assets` (Rails'
    // jsbundling, a Django project's bundler) is that app's front end, not a second app
    let takes_assets = |d: &Detection| {
        knowledge
            .stack(&d.stack)
            .is_some_and(|data| data.nodes.iter().any(|n| n == "assets"))
    };
    if found.len() > 1 && found.iter().any(takes_assets) {
        found.retain(|d| d.stack != crate::model::ASSET_STACK || d.entrypoint.is_some() || d.spa);
    }
    match found.len() {
        0 => Err(Error::NothingDetected {
            apps: app_folders(dir, knowledge),
            dir: dir.to_path_buf(),
            files: knowledge
                .stacks
                .iter()
                .flat_map(|(_, d)| d.signs.iter().cloned())
                .collect(),
            stacks: knowledge.stack_names(),
        }),
        1 => Ok(found.remove(0)),
        _ => Err(Error::SeveralStacks {
            found: found.iter().map(Detection::summary).collect(),
            stacks: found.iter().map(|d| d.stack.clone()).collect(),
            takes_assets: match found.iter().any(|d| d.stack == crate::model::ASSET_STACK) {
                true => (found.iter().filter(|d| takes_assets(d)))
                    .map(|d| d.stack.clone())
                    .collect(),
                false => vec![],
            },
        }),
    }
}

/// Folders right below `dir` that hold an app of some stack (a monorepo's services).
fn app_folders(dir: &Utf8Path, knowledge: &crate::knowledge::Knowledge) -> Vec<String> {
    let Ok(entries) = dir.read_dir_utf8() else {
        return vec![];
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir() && !e.file_name().starts_with('.'))
        .filter(|e| {
            knowledge
                .stacks
                .iter()
                .any(|(_, d)| d.signs.iter().any(|s| e.path().join(s).exists()))
        })
        .map(|e| e.path().to_string())
        .collect();
    found.sort();
    found
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

/// Runs init: report, confirm on a terminal, write.
pub fn run(catalog: &Catalog, options: &Options) -> Result<(), Error> {
    let outcome = prepare(catalog, options)?;
    say(&report(&outcome));
    if !options.yes && std::io::stdin().is_terminal() {
        say(&format!(
            "\n{}\nWrite {}? [Y/n] ",
            outcome.recipe, outcome.path
        ));
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if matches!(answer.trim().to_ascii_lowercase().as_str(), "n" | "no") {
            say("nothing written\n");
            return Ok(());
        }
    }
    write_atomically(&outcome.path, &outcome.recipe)?;
    for name in [DOCKERFILE, COMPOSE] {
        let path = options.dir.join(name);
        let theirs =
            std::fs::read_to_string(&path).is_ok_and(|t| provenance(&t) != Provenance::Generated);
        if theirs {
            say(&format!(
                "note: {path} was not written by dslim; `dslim build` replaces it only with --force\n"
            ));
        }
    }
    if let Some(beside) = &outcome.beside {
        let what = beside.what();
        let file = &beside.file;
        say(&match beside.override_text {
            Some(_) => format!(
                "note: {file} runs or sets what the recipe does not ({what}): when `dslim build` writes compose.yaml, it moves that to compose.override.yaml, which Compose merges over it\n"
            ),
            None => format!(
                "note: {file} runs or sets what the recipe does not ({what}): add it to {}, which Compose merges over the compose.yaml `dslim build` writes\n",
                beside.override_name()
            ),
        });
    }
    say(&format!(
        "wrote {}: check the lines marked \"guess\", then run `dslim build`\n",
        outcome.path
    ));
    Ok(())
}
