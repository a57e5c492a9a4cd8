//! What a project already says about how it starts, read from the files other tools use: a
//! Procfile's process lines (Heroku, Dokku, foreman), and an existing Dockerfile's ENTRYPOINT,
//! CMD, EXPOSE and ENV. These are more trustworthy than any guess from the source, so `dslim
//! init` takes them first; each comes with the file and line it was read from.

mod dockerfile;
mod platforms;
mod port;
mod release;
mod script;

pub use dockerfile::base_image;
use dockerfile::dockerfile;
use platforms::platforms;
pub(super) use port::literal_port;
use port::{expand_port, listen};
pub use release::release_command;

use super::{Detection, Evidence, Finding, Source};
use crate::error::Warning;
use crate::knowledge::StackData;
use crate::project::Project;

/// What kind of process a declaration starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// serves HTTP (a Procfile `web:` line, a Dockerfile's command)
    Web,
    /// anything else: a worker, a clock, a script
    Worker,
}

/// How far a declaration is trusted against what the stack finds in the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// the app's own process list or image (Procfile, Dockerfile): taken over the code's
    Over,
    /// a hosting platform's service file (render.yaml, fly.toml): taken when the code is silent
    Under,
}

/// A start command the project declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    pub process: Process,
    /// the command's words, as the shell would split them
    pub argv: Vec<String>,
    /// commands that run before it in the same line (`flask db upgrade; gunicorn app:app`):
    /// release steps, which belong outside the image
    pub release: Vec<String>,
    /// the port it names, and where: EXPOSE, or the default of a `${PORT:-5000}`
    pub port: Option<(u16, Evidence)>,
    /// whether the command reads $PORT (it then gets the port through the environment)
    pub reads_port: bool,
    /// environment the file sets for it (FLASK_APP...)
    pub env: Vec<(String, String)>,
    /// variables the file says the app needs and gives no value for, and why (app.json's
    /// `required`, a `generator`'s secret)
    pub required: Vec<(String, &'static str)>,
    pub evidence: Evidence,
    pub trust: Trust,
}

/// Every start command the project declares, most trusted first: the Procfile's, the
/// Dockerfile's, then the hosting platforms' files.
pub fn declared(project: &Project) -> Vec<Declared> {
    let mut found = procfile(project);
    found.extend(dockerfile(project));
    found.extend(platforms(project));
    (found.into_iter())
        .map(|d| script::through_script(project, d))
        .collect()
}

/// The Procfile's processes: `web` first, then the others in file order.
fn procfile(project: &Project) -> Vec<Declared> {
    let Some(text) = project.read("Procfile") else {
        return vec![];
    };
    let mut found: Vec<Declared> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let (name, command) = line.split_once(':')?;
            let name = name.trim();
            if name.is_empty() || name.starts_with('#') || name.contains(char::is_whitespace) {
                return None;
            }
            // Heroku's release phase is not a process
            if name == "release" {
                return None;
            }
            let process = if name == "web" {
                Process::Web
            } else {
                Process::Worker
            };
            let mut d = shell_command(command, Evidence::line("Procfile", i + 1, name))?;
            d.process = process;
            Some(d)
        })
        .collect();
    found.sort_by_key(|d| d.process != Process::Web);
    found
}

/// A shell command line: the last command of a `;`/`&&` chain is the process, those before
/// it are release steps. `$PORT` becomes the port, read from the environment.
pub(super) fn shell_command(line: &str, evidence: Evidence) -> Option<Declared> {
    let mut parts: Vec<String> = line
        .split([';', '&'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    let last = parts.pop()?;
    let mut words = shlex::split(&last)?;
    // `exec gunicorn ...` in a shell line is the same process
    if words.first().is_some_and(|w| w == "exec") {
        words.remove(0);
    }
    if words.is_empty() {
        return None;
    }
    let mut port = None;
    let mut reads_port = false;
    for word in &mut words {
        if let Some((replaced, default)) = expand_port(word) {
            reads_port = true;
            port = port.or(default.map(|p| (p, evidence.clone())));
            *word = replaced;
        }
    }
    // a port written into the command is where it listens
    let port = port.or_else(|| literal_port(&words).map(|p| (p, evidence.clone())));
    Some(Declared {
        process: Process::Web,
        argv: words,
        release: parts,
        port,
        reads_port,
        env: vec![],
        required: vec![],
        evidence,
        trust: Trust::Over,
    })
}

/// Where the port goes in a declared command; `init` fills in the recipe's port.
pub const PORT: &str = "{port}";

/// Takes the project's own start command into the detection of a stack whose apps need one
/// (a compiled binary is dslim's to start, a single-page app nginx's): the web process, or
/// when nothing serves and the stack found nothing to start, the first other process.
pub fn adopt(detection: &mut Detection, declared: &[Declared], data: &StackData, service: &str) {
    if detection.spa {
        return;
    }
    adopt_declared(detection, declared, data, service);
    // a PORT the platform sets (fly.toml's [env], a Dockerfile's ENV) is where a server that
    // reads it listens: the recipe's port follows, rather than contradict it
    let declared_port = detection
        .env
        .iter()
        .find(|e| e.value.0 == "PORT")
        .and_then(|e| Some((e.value.1.parse::<u16>().ok()?, e.source.clone())));
    if let (Some((port, source)), Some(current)) = (declared_port, detection.port.as_ref()) {
        if port != current.value && port > 0 {
            let old = current.value;
            move_port(detection, old, port);
            detection.port = Some(crate::detect::Finding {
                value: port,
                source,
            });
        }
    }
}

/// A command without the manager's runner in front (`poetry run alembic` -> `alembic`): the
/// image has the venv on PATH, and no poetry.
pub fn without_run_prefix(mut argv: Vec<String>, data: &StackData) -> Vec<String> {
    for prefix in &data.run_prefixes {
        if argv.starts_with(prefix) && argv.len() > prefix.len() {
            argv.drain(..prefix.len());
        }
    }
    argv
}

/// The port a non-root app moves to from one below 1024, which only root may bind outside
/// Docker (Docker lets any user bind them in a container; Kubernetes does not).
const UNPRIVILEGED_PORT: u16 = 8080;

/// An app told its port (through PORT, or a word of its command) that would listen below 1024
/// listens on 8080 instead: dslim's images run as a non-root user.
pub fn unprivileged_port(detection: &mut Detection) {
    let Some(port) = detection
        .port
        .as_ref()
        .filter(|p| p.value < 1024 && !detection.spa)
    else {
        return;
    };
    let low = port.value;
    let told = |text: &str| text == low.to_string() || text.ends_with(&format!(":{low}"));
    let by_env = (detection.env.iter()).any(|e| e.value.0 == "PORT" && told(&e.value.1));
    let by_command = (detection.entrypoint.iter()).any(|e| e.value.iter().any(|w| told(w)));
    if !(by_env || by_command) {
        return;
    }
    // a port the user gave stays theirs
    let Source::Found(found) = &port.source else {
        return;
    };
    let Some(at) = found.first().cloned() else {
        return;
    };
    let evidence = Evidence {
        note: format!("not {low}, which a non-root user may bind only in Docker"),
        ..at
    };
    move_port(detection, low, UNPRIVILEGED_PORT);
    if by_env {
        detection.set_env(Finding::found(
            ("PORT".into(), UNPRIVILEGED_PORT.to_string()),
            evidence.clone(),
        ));
    }
    detection.port = Some(Finding::found(UNPRIVILEGED_PORT, evidence));
}

/// A command init wrote for port `from` listens on `to` instead.
fn move_port(detection: &mut Detection, from: u16, to: u16) {
    let from = from.to_string();
    if let Some(entrypoint) = detection.entrypoint.as_mut() {
        for word in &mut entrypoint.value {
            if *word == from || word.ends_with(&format!(":{from}")) {
                *word = format!("{}{to}", &word[..word.len() - from.len()]);
            }
        }
    }
}

fn adopt_declared(
    detection: &mut Detection,
    declared: &[Declared],
    data: &StackData,
    service: &str,
) {
    // a port the project declares (EXPOSE, fly.toml's internal_port) beats a guess, whoever
    // starts the app; code that names no port of its own likely reads $PORT
    if detection.port.as_ref().is_some_and(Finding::is_guess) {
        if let Some((port, evidence)) = declared.iter().find_map(|d| d.port.clone()) {
            detection.set_env(Finding::found(
                ("PORT".into(), port.to_string()),
                Evidence::file(&evidence.file, "so that the server listens on the port"),
            ));
            if let Some(guessed) = detection.port.as_ref().map(|p| p.value) {
                move_port(detection, guessed, port);
            }
            detection.port = Some(Finding::found(port, evidence));
        }
    }
    for d in declared {
        for (name, why) in &d.required {
            if !detection.required_env.iter().any(|(n, _)| n == name) {
                let evidence = Evidence::file(&d.evidence.file, *why);
                detection.required_env.push((name.clone(), evidence));
            }
        }
    }
    // a Dockerfile whose command is not taken still sets its environment
    for d in declared.iter().filter(|d| d.argv.is_empty()) {
        environment(detection, d);
    }
    if data.entrypoint_example.is_empty() {
        // a compiled app's command is its binary; the Dockerfile's environment still applies
        if let Some(d) = declared.iter().find(|d| d.trust == Trust::Over) {
            environment(detection, d);
        }
        return;
    }
    // commands that run a package.json script are the stack's to read
    let usable = |d: &&Declared| {
        d.argv
            .first()
            .is_some_and(|program| !data.script_runners.contains(program))
    };
    let web = |trust: Option<Trust>| {
        declared
            .iter()
            .filter(usable)
            .find(|d| d.process == Process::Web && trust.is_none_or(|t| d.trust == t))
    };
    let silent = detection.entrypoint.is_none();
    let chosen = web(Some(Trust::Over)).or_else(|| {
        silent
            .then(|| web(None).or_else(|| declared.iter().find(usable)))
            .flatten()
    });
    let Some(d) = chosen else {
        // the project's own command runs a package script (`npm run start`), which the stack
        // has read: what the command's file says around it still holds
        let runner = (declared.iter())
            .find(|d| d.trust == Trust::Over && d.process == Process::Web && !d.argv.is_empty());
        if let Some(d) = runner {
            release_steps(detection, d, data, service);
            environment(detection, d);
        }
        return;
    };
    let mut argv = without_run_prefix(d.argv.clone(), data);
    // the project's own command: no more asking for one, nor second-guessing the server it runs
    detection
        .warnings
        .retain(|w| !w.asks_for_entrypoint() && *w != Warning::DevelopmentServer);
    release_steps(detection, d, data, service);
    environment(detection, d);
    if d.process == Process::Worker {
        // a worker listens on nothing: no port, no healthcheck
        detection.port = None;
        detection.entrypoint = Some(Finding::found(argv, d.evidence.clone()));
        return;
    }
    // the port: the declaration's, another declaration's (a Dockerfile's EXPOSE beside a
    // Procfile), else what the stack found in the code
    let named = d
        .port
        .clone()
        .or_else(|| declared.iter().find_map(|o| o.port.clone()));
    if let Some((port, evidence)) = named {
        detection.port = Some(Finding::found(port, evidence));
    }
    // a command that reads $PORT serves: on the stack's usual port, which the recipe sets
    if detection.port.is_none() && d.reads_port {
        detection.port = Some(Finding::guessed(
            data.default_port,
            format!(
                "the usual port of {} apps; the command reads $PORT",
                data.title
            ),
        ));
    }
    let port = detection
        .port
        .as_ref()
        .map_or(data.default_port, |p| p.value)
        .to_string();
    for word in &mut argv {
        *word = word.replace(PORT, &port);
    }
    listen(&mut argv, &data.listen, &port);
    // servers that read $PORT (gunicorn, most Node apps) listen where the recipe says
    detection.set_env(Finding::found(
        ("PORT".into(), port),
        Evidence::file(&d.evidence.file, "so that the server listens on the port"),
    ));
    detection.entrypoint = Some(Finding::found(argv, d.evidence.clone()));
}

/// Commands a declaration runs before its process (a migration): outside the image, with a
/// warning that names them.
fn release_steps(detection: &mut Detection, d: &Declared, data: &StackData, service: &str) {
    if d.release.is_empty() {
        return;
    }
    let steps = (d.release.iter())
        .map(|line| match shlex::split(line) {
            Some(words) => {
                shlex::try_join(without_run_prefix(words, data).iter().map(String::as_str))
                    .unwrap_or_else(|_| line.clone())
            }
            None => line.clone(),
        })
        .collect();
    detection.warnings.push(Warning::ReleaseSteps {
        at: d.evidence.to_string(),
        steps,
        service: service.to_string(),
    });
}

/// The variables a declaration's file sets for its process (a Dockerfile's ENV).
fn environment(detection: &mut Detection, d: &Declared) {
    detection.set_envs(&d.env, &Evidence::file(&d.evidence.file, "ENV"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_procfile_chain_keeps_its_release_steps_apart() {
        let d = shell_command(
            " flask db upgrade; flask translate compile; gunicorn microblog:app",
            Evidence::line("Procfile", 1, "web"),
        )
        .unwrap();
        assert_eq!(d.argv, ["gunicorn", "microblog:app"]);
        assert_eq!(d.release, ["flask db upgrade", "flask translate compile"]);
    }
}
