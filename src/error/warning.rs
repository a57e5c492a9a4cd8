//! What dslim warns about: things that do not stop it, but that the user should fix or check.
//! The wording of every warning lives in the one match below; code decides by the variant,
//! never by the text.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    // --- found while compiling a recipe against its project
    /// a requirements line that installs the project itself (`-e .`)
    EditableInstall {
        at: String,
        line: String,
    },

    // --- found by `dslim init`
    PoetryWithoutLock,
    /// Gemfile.lock resolved for no Linux platform (written on a Mac): deployment mode refuses
    LockWithoutLinux {
        lockfile: String,
        platforms: Vec<String>,
        command: String,
    },
    /// a Ruby app whose Gemfile shows no framework or server init knows how to start
    NoRubyServer,
    PyprojectWithoutLock,
    /// a Flask/FastAPI app with no production server among its dependencies
    DevelopmentServer,
    /// the start script runs a devDependency (tsx): the image keeps them all
    DevDependenciesKept {
        script: String,
    },
    NoPythonApp,
    /// an app object, and no server among the dependencies that runs its kind
    NoServerForApp {
        app: String,
        at: String,
        servers: Vec<String>,
        /// the command the first of them would run it with
        example: String,
    },
    PipWithoutRequirements,
    NoNodeLockfile {
        manager: String,
    },
    StartScriptNotNode {
        script: String,
    },
    NoNodeStart,
    GoModulesDownloaded,
    NoGoMain,
    /// several binaries (Go main packages, Rust bin targets), one chosen by a rule
    SeveralBinaries {
        /// what they are: "main packages", "binaries"
        kind: String,
        names: Vec<String>,
        chosen: String,
        rule: Rule,
    },
    NoCargoLock,
    /// --stack named a stack the folder shows no sign of
    NotThisStack {
        stack: String,
    },
    /// --port given, but the code listens on a fixed port of its own
    PortNotRead {
        listens: u16,
        at: String,
        port: u16,
    },
    /// a library's code is generated at build time, and the app has no build stage to do it in
    GeneratedWithoutBuild {
        dependency: String,
        schema: String,
        command: String,
    },
    /// a package.json beside the app builds front-end assets to a folder init could not read
    AssetsOutputUnknown {
        file: String,
        script: String,
    },
    /// a compiled stack's project has no lockfile to build --locked from
    BuildsWithoutLock {
        lockfile: String,
    },
    /// the project's lockfile is a workspace's, in a folder above the build context
    LockAbove {
        lockfile: String,
    },
    /// an env file a bundler reads, left out of the build context for what it holds
    EnvFileLeftOut {
        file: String,
        keys: Vec<String>,
    },
    /// compiled dependencies that no Python version in range has wheels for
    NoVersionHasWheels {
        packages: Vec<String>,
    },
    /// variables the code reads with no default
    RequiredEnv {
        vars: Vec<String>,
    },
    /// commands a Procfile or Dockerfile runs before the server (migrations...)
    ReleaseSteps {
        at: String,
        steps: Vec<String>,
        service: String,
    },
    /// the project asks for a version older than dslim builds with
    VersionRaised {
        at: String,
        asked: String,
        chosen: String,
    },
}

/// Why init chose one of several binaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Cargo's `default-run`
    DefaultRun,
    /// named after the module or package
    NamedAfterProject,
    /// the only one that serves HTTP
    OnlyServer,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::DefaultRun => "Cargo.toml's default-run",
            Rule::NamedAfterProject => "the one named after the project",
            Rule::OnlyServer => "the only one that serves HTTP",
        })
    }
}

impl Warning {
    /// Warnings about which binary to build; they no longer apply once `--bin` names one.
    pub fn asks_for_bin(&self) -> bool {
        matches!(self, Warning::SeveralBinaries { .. } | Warning::NoGoMain)
    }

    /// Warnings that ask for `--entrypoint`; they no longer apply once the user gave one.
    /// The command a warning that asks for an entrypoint suggests, if it knows a better one
    /// than the stack's usual example.
    pub fn example(&self) -> Option<String> {
        match self {
            Warning::NoServerForApp { example, .. } if !example.is_empty() => Some(example.clone()),
            // `tsx src/index.ts` compiles, by tsc's usual layout, to dist/index.js
            Warning::StartScriptNotNode { script } => {
                let source = script.split_whitespace().find(|w| w.ends_with(".ts"))?;
                let built = source.trim_start_matches("./").replacen("src/", "dist/", 1);
                Some(format!("node {}.js", built.trim_end_matches(".ts")))
            }
            _ => None,
        }
    }

    pub fn asks_for_entrypoint(&self) -> bool {
        matches!(
            self,
            Warning::NoPythonApp
                | Warning::NoServerForApp { .. }
                | Warning::NoRubyServer
                | Warning::StartScriptNotNode { .. }
                | Warning::NoNodeStart
        )
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::EditableInstall { at, line } => write!(
                f,
                "{at}: `{line}` installs the project itself, which needs its source before the dependencies are installed; drop the line (the source is copied to the workdir and importable from there)"
            ),
            Warning::PoetryWithoutLock => write!(
                f,
                "pyproject.toml uses Poetry but there is no poetry.lock: the build resolves dependency versions itself; run `poetry lock` and commit poetry.lock, for builds that do not change under you"
            ),
            Warning::PyprojectWithoutLock => write!(
                f,
                "pyproject.toml has no lockfile: the build resolves dependency versions itself (with uv); run `uv lock` and commit uv.lock, for builds that do not change under you"
            ),
            Warning::DevelopmentServer => write!(
                f,
                "no production server (gunicorn, uvicorn, granian...) is a dependency, so the app runs its framework's development server; add one for production and run init again"
            ),
            Warning::DevDependenciesKept { script } => write!(
                f,
                "the start script `{script}` runs a devDependency, so the final image keeps the devDependencies (`dev-dependencies=#true`); a build script that compiles to JavaScript, run with node, makes it smaller"
            ),
            Warning::NoPythonApp => write!(
                f,
                "found no app to start (no Flask, FastAPI, Django or other app object, no console script, no main.py): pass --entrypoint"
            ),
            Warning::NoServerForApp {
                app, at, servers, ..
            } => write!(
                f,
                "found the app `{app}` ({at}), but no server that runs it among the dependencies ({}): add one, or pass --entrypoint",
                servers.join(", ")
            ),
            Warning::PipWithoutRequirements => write!(f, "pip needs requirements.txt"),
            Warning::NoNodeLockfile { manager } => write!(
                f,
                "there is no lockfile: the build resolves dependency versions itself; run `{manager} install` and commit the lockfile it writes, for builds that do not change under you"
            ),
            Warning::StartScriptNotNode { script } => write!(
                f,
                "the start script `{script}` does not run node directly (tsx, ts-node and nodemon are devDependencies, which the production image leaves out): add a build script that compiles to JavaScript, or pass --entrypoint"
            ),
            Warning::NoNodeStart => write!(
                f,
                "found no start script, main or server.js: pass --entrypoint"
            ),
            Warning::GoModulesDownloaded => write!(
                f,
                "the build downloads Go modules: the builder needs to reach the module proxy (or vendor them)"
            ),
            Warning::NoGoMain => write!(
                f,
                "found no `package main`: pass the main package in the recipe (go package=\"./cmd/NAME\")"
            ),
            Warning::SeveralBinaries {
                kind,
                names,
                chosen,
                rule,
            } => write!(
                f,
                "several {kind} ({}); the recipe builds {chosen}, {rule} (--bin NAME builds another)",
                names.join(", ")
            ),
            Warning::LockWithoutLinux { lockfile, platforms, command } => write!(
                f,
                "{lockfile} was resolved for {} only, and Bundler's deployment mode installs only what the lockfile has for Linux: run `{command}` and commit {lockfile}",
                platforms.join(", ")
            ),
            Warning::NoRubyServer => write!(
                f,
                "no Rails, Sinatra or Rack app (config.ru) was found: set the command with --entrypoint"
            ),
            Warning::NoCargoLock => write!(
                f,
                "there is no Cargo.lock: the build resolves dependency versions itself; `cargo generate-lockfile` writes one to commit"
            ),
            Warning::NotThisStack { stack } => write!(
                f,
                "nothing here looks like a {stack} app; the recipe is a starting point"
            ),
            Warning::GeneratedWithoutBuild { dependency, schema, command } => write!(
                f,
                "{dependency} needs `{command}` run on {schema} at build time, and the app has no build script to run it beside: add `build` and `build-step` nodes to the recipe (see the README's node stack), or the app fails when it loads {dependency}"
            ),
            Warning::AssetsOutputUnknown { file, script } => write!(
                f,
                "{file}'s `{script}` script builds front-end assets, and init could not read where it writes them: add `assets \"{script}\" output=\"FOLDER\"` to the recipe, naming that folder, or the image is built without them"
            ),
            Warning::BuildsWithoutLock { lockfile } => write!(
                f,
                "there is no {lockfile}: the build resolves dependency versions itself; commit a {lockfile} for builds that do not change under you"
            ),
            Warning::LockAbove { lockfile } => write!(
                f,
                "the lockfile is the workspace's, {lockfile}, outside this folder (the build context), and its workspace does not list this folder as a member: the build resolves this project's versions itself; list it among the workspace's members to build from the root with its lock"
            ),
            Warning::EnvFileLeftOut { file, keys } => write!(
                f,
                "{file} stays out of the build context (as every .env file does): it holds {} ({}), not only public build-time values; keep only public values there for the build to read it",
                keys.join(", "),
                if keys.len() == 1 { "a name that is not public or looks secret" } else { "names that are not public or look secret" }
            ),
            Warning::NoVersionHasWheels { packages } => write!(
                f,
                "no Python version the project allows has wheels for every compiled dependency ({}): pip will compile them in the builder, which needs their build-deps; updating the pins avoids it",
                packages.join("; ")
            ),
            Warning::RequiredEnv { vars } => write!(
                f,
                "the app reads {} with no default: fill in the commented run-env lines of the recipe, or set them when it runs",
                vars.join(", ")
            ),
            Warning::ReleaseSteps { at, steps, service } => write!(
                f,
                "{at} runs {} before the server; the image starts only the server. Run a migration once per release against the real database: `release-command \"{}\"` in the recipe makes it a one-off compose service (`docker compose run --rm {service}-release`); a step that builds files belongs in the image, as a build-step",
                steps.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" and "),
                steps
                    .first()
                    .map(|s| s.split_whitespace().collect::<Vec<_>>().join("\" \""))
                    .unwrap_or_default()
            ),
            Warning::VersionRaised { at, asked, chosen } => write!(
                f,
                "{at} asks for {asked}, older than dslim builds with; the recipe uses {chosen}: check that the app works with it"
            ),
            Warning::PortNotRead { listens, at, port } => write!(
                f,
                "the code listens on {listens} ({at}); the recipe sets PORT={port}: check that the app reads it"
            ),
        }
    }
}

/// A warning reaches `dslim plan`'s JSON as its words.
impl serde::Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
