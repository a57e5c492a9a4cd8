//! An existing Dockerfile, read for how the app starts: the ENTRYPOINT and CMD of the stage
//! that ships, inherited through `FROM <stage>`, its EXPOSE and ENV, and the image it builds on.

use super::{shell_command, Declared, Process};
use crate::detect::Evidence;
use crate::project::Project;
use crate::render::{provenance, Provenance};

/// The Dockerfile's start command: ENTRYPOINT and CMD of the stage that ships (the last one
/// that is not a development stage), inherited through `FROM <stage>` as Docker does.
pub(super) fn dockerfile(project: &Project) -> Option<Declared> {
    let text = users_dockerfile(project)?;
    let stages = stages(&text);
    let shipped = shipped(&stages)?;
    let chain = lineage(&stages, shipped);
    // a stage that sets ENTRYPOINT drops the CMD it inherited
    let (entrypoint, cmd) = match chain.iter().position(|s| s.entrypoint.is_some()) {
        Some(i) => (
            chain[i].entrypoint.clone(),
            chain[..=i].iter().find_map(|s| s.cmd.clone()),
        ),
        None => (None, chain.iter().find_map(|s| s.cmd.clone())),
    };
    let line = entrypoint.as_ref().or(cmd.as_ref()).map(|(l, _)| *l)?;
    let instruction = if entrypoint.is_some() {
        "ENTRYPOINT"
    } else {
        "CMD"
    };
    let has_cmd = cmd.is_some();
    let mut argv: Vec<String> = vec![];
    argv.extend(entrypoint.map(|(_, words)| words).unwrap_or_default());
    argv.extend(cmd.map(|(_, words)| words).unwrap_or_default());
    let evidence = Evidence::line("Dockerfile", line, instruction);
    // a command that runs files of the image's own layout (`node api` after `COPY dist/api
    // api`, `/usr/src/app/entrypoint.sh`) does not run in dslim's image: read the code instead
    let workdir = chain.iter().find_map(|s| s.workdir.clone());
    let runs_here = runs_project_files(project, &argv, workdir.as_deref(), has_cmd);
    let mut declared = match argv.as_slice() {
        // the shell form: a shell line, with its chains and $PORT
        [sh, c, line] if sh == "sh" && c == "-c" => shell_command(line, evidence)?,
        // the exec form runs as written, without a shell to expand anything
        [_, ..] => Declared {
            process: Process::Web,
            port: super::literal_port(&argv).map(|p| (p, evidence.clone())),
            argv,
            release: vec![],
            reads_port: false,
            env: vec![],
            required: vec![],
            evidence,
            trust: super::Trust::Over,
        },
        [] => return None,
    };
    declared.port = declared.port.or_else(|| {
        chain.iter().find_map(|s| {
            s.expose
                .map(|(line, port)| (port, Evidence::line("Dockerfile", line, "EXPOSE")))
        })
    });
    declared.env = chain
        .iter()
        .rev()
        .flat_map(|s| s.env.iter().cloned())
        .filter(|(k, _)| !looks_secret(k) && !LAYOUT.contains(&k.as_str()))
        .collect();
    if !runs_here {
        // its port and environment still say something; its command does not
        declared.argv.clear();
    }
    Some(declared)
}

/// Whether the files a command runs are the project's, where dslim's image has them: a path
/// (`./run.sh`, `/srv/app/start.sh` under the Dockerfile's WORKDIR) or the script an
/// interpreter runs (`node api`, `python app.py`). A wrapper script with no command after it
/// (`ENTRYPOINT ["/entrypoint.sh"]` ending in `exec "$@"`) starts nothing of its own.
fn runs_project_files(
    project: &Project,
    argv: &[String],
    workdir: Option<&str>,
    has_cmd: bool,
) -> bool {
    const INTERPRETERS: [&str; 6] = ["node", "python", "python3", "sh", "bash", "ruby"];
    let relative = |word: &str| -> Option<String> {
        match (word.strip_prefix('/'), workdir) {
            (Some(_), Some(dir)) => word
                .strip_prefix(dir.trim_end_matches('/'))
                .map(|rest| rest.trim_start_matches('/').to_string()),
            (Some(_), None) => None,
            (None, _) => Some(word.trim_start_matches("./").to_string()),
        }
    };
    let exists = |word: &str| {
        relative(word).is_some_and(|rel| {
            [String::new(), ".js".into(), "/index.js".into()]
                .iter()
                .any(|ext| project.exists(&format!("{rel}{ext}")))
        })
    };
    let Some(program) = argv.first() else {
        return true;
    };
    // a file of the project that the Dockerfile put elsewhere (`COPY entrypoint.sh /`, or
    // onto PATH) is not there in dslim's image, where the project is in the workdir
    let base_name = program.rsplit('/').next().unwrap_or(program);
    let moved = relative(program).is_none() || !program.contains('/');
    if moved && project.exists(base_name) {
        return false;
    }
    if program.contains('/') {
        // an absolute path outside the Dockerfile's WORKDIR is the image's own (/usr/bin/...)
        let ours = relative(program).is_some();
        if ours && !exists(program) {
            return false;
        }
        // a wrapper that runs what follows it (`exec "$@"`), with nothing following
        let wrapper = argv.len() == 1
            && !has_cmd
            && relative(program)
                .and_then(|rel| project.read(&rel))
                .is_some_and(|script| script.contains("\"$@\""));
        return !wrapper;
    }
    let name = program.rsplit('/').next().unwrap_or(program);
    if INTERPRETERS.contains(&name) {
        if let Some(script) = argv[1..].iter().find(|w| !w.starts_with('-')) {
            // `python -m module` and `node -e ...` name no file
            let flags_first = argv[1..].first().is_some_and(|w| w.starts_with('-'));
            if !flags_first && !script.contains(':') {
                return exists(script);
            }
        }
    }
    true
}

/// The image the shipped stage of the Dockerfile builds on (`python:3.10-alpine`), and where.
pub fn base_image(project: &Project) -> Option<(String, Evidence)> {
    let text = users_dockerfile(project)?;
    let stages = stages(&text);
    let shipped = shipped(&stages)?;
    let root = lineage(&stages, shipped).pop()?;
    let image = root.parent.clone()?;
    Some((image, Evidence::line("Dockerfile", root.line, "FROM")))
}

/// The project's Dockerfile, unless dslim wrote it: only the user's says how the app starts.
fn users_dockerfile(project: &Project) -> Option<String> {
    let text = project.read("Dockerfile")?;
    (provenance(&text) == Provenance::Foreign).then_some(text)
}

/// Variables that describe the hand-written image's layout (its venv, its paths) and its
/// locale, which dslim's image has in its own places: a locale the hand-written image generated
/// (en_US.UTF-8, with the `locales` package) is not in dslim's, whose images run in C.UTF-8.
const LAYOUT: &[&str] = &[
    "PATH",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "NODE_PATH",
    "GOPATH",
    "CARGO_HOME",
    "HOME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
];

/// One stage of a Dockerfile, as far as the start command goes.
#[derive(Debug, Default)]
struct Stage {
    name: String,
    /// the line of its FROM
    line: usize,
    /// the stage it builds on, when it builds on one of this file
    parent: Option<String>,
    entrypoint: Option<(usize, Vec<String>)>,
    cmd: Option<(usize, Vec<String>)>,
    /// (line, port)
    expose: Option<(usize, u16)>,
    env: Vec<(String, String)>,
    /// its last WORKDIR
    workdir: Option<String>,
}

/// The stage that ships: the last one that is not a development stage.
fn shipped(stages: &[Stage]) -> Option<usize> {
    stages
        .iter()
        .rposition(|s| !is_development(&s.name))
        .or(stages.len().checked_sub(1))
}

fn is_development(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["dev", "test", "debug"].iter().any(|p| name.starts_with(p))
}

/// The stage and the stages it builds on, nearest first.
fn lineage(stages: &[Stage], at: usize) -> Vec<&Stage> {
    let mut chain = vec![&stages[at]];
    let mut seen = 0;
    while let Some(parent) = chain.last().and_then(|s| s.parent.clone()) {
        let Some(p) = stages.iter().find(|s| s.name.eq_ignore_ascii_case(&parent)) else {
            break;
        };
        seen += 1;
        if seen > stages.len() {
            break;
        }
        chain.push(p);
    }
    chain
}

/// `$NAME` and `${NAME}` in `text` with the values `known` gives; None when one is unknown
/// (a build arg without a default, a variable of the base image), since the text would mean
/// something else outside this Dockerfile.
fn expand(text: &str, known: &[(String, String)]) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, tail) = match after.strip_prefix('{') {
            Some(inner) => {
                let end = inner.find('}')?;
                (&inner[..end], &inner[end + 1..])
            }
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        let value = known.iter().rev().find(|(k, _)| k == name)?;
        out.push_str(&value.1);
        rest = tail;
    }
    out.push_str(rest);
    Some(out)
}

/// The Dockerfile's instructions that matter here, by stage, with their line numbers.
fn stages(text: &str) -> Vec<Stage> {
    let mut stages: Vec<Stage> = vec![];
    // build args before the first FROM, then each stage's args and environment
    let mut global: Vec<(String, String)> = vec![];
    let mut known: Vec<(String, String)> = vec![];
    for (line, instruction) in instructions(text) {
        let (keyword, args) = instruction
            .split_once(char::is_whitespace)
            .unwrap_or((&instruction, ""));
        let args = args.trim();
        match keyword.to_ascii_uppercase().as_str() {
            "FROM" => {
                let words: Vec<&str> = args
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let name = match words.as_slice() {
                    [_, as_, name, ..] if as_.eq_ignore_ascii_case("as") => name.to_string(),
                    _ => String::new(),
                };
                // `FROM python:${PYTHON_VERSION}`: the build args declared before the first FROM
                let parent = words
                    .first()
                    .map(|w| expand(w, &global).unwrap_or_else(|| w.to_string()));
                known = global.clone();
                if let Some(p) = stages
                    .iter()
                    .find(|s| Some(&s.name) == parent.as_ref() && !s.name.is_empty())
                {
                    known.extend(p.env.iter().cloned());
                }
                stages.push(Stage {
                    name,
                    line,
                    parent,
                    ..Stage::default()
                });
            }
            "ARG" => {
                let pairs: Vec<(String, String)> = shlex::split(args)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|w| w.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                if stages.is_empty() {
                    global.extend(pairs);
                } else {
                    known.extend(pairs);
                }
            }
            "ENTRYPOINT" | "CMD" => {
                let Some(stage) = stages.last_mut() else {
                    continue;
                };
                let words = command_words(args);
                if keyword.eq_ignore_ascii_case("ENTRYPOINT") {
                    stage.entrypoint = Some((line, words));
                } else {
                    stage.cmd = Some((line, words));
                }
            }
            "EXPOSE" => {
                if let Some(stage) = stages.last_mut() {
                    // the first port is the app's (others are often a debugger's)
                    stage.expose = args
                        .split_whitespace()
                        .next()
                        .and_then(|p| expand(p, &known))
                        .and_then(|p| p.split('/').next()?.parse().ok())
                        .map(|port| (line, port));
                }
            }
            "WORKDIR" => {
                if let Some(stage) = stages.last_mut() {
                    stage.workdir = expand(args, &known);
                }
            }
            "ENV" => {
                if let Some(stage) = stages.last_mut() {
                    for (key, value) in env_pairs(args) {
                        // a value that names what this file cannot resolve is left out
                        let Some(value) = expand(&value, &known) else {
                            continue;
                        };
                        known.push((key.clone(), value.clone()));
                        stage.env.push((key, value));
                    }
                }
            }
            _ => {}
        }
    }
    stages
}

/// Logical instructions with the line they start on: continuations joined, comments and
/// heredoc bodies skipped.
fn instructions(text: &str) -> Vec<(usize, String)> {
    let mut out = vec![];
    let mut current: Option<(usize, String)> = None;
    let mut heredoc: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        if let Some(end) = &heredoc {
            if raw.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let line = raw.trim();
        if current.is_none() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        let (start, mut text) = current.take().unwrap_or((i + 1, String::new()));
        if let Some(body) = line.strip_suffix('\\') {
            text.push_str(body);
            text.push(' ');
            current = Some((start, text));
            continue;
        }
        text.push_str(line);
        if let Some(pos) = text.find("<<") {
            let marker: String = text[pos + 2..]
                .trim_start_matches('-')
                .trim_matches(|c| c == '"' || c == '\'')
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !marker.is_empty() {
                heredoc = Some(marker);
            }
        }
        out.push((start, text));
    }
    out
}

/// The words of an ENTRYPOINT or CMD: the JSON (exec) form, or the shell form run by `sh -c`.
fn command_words(args: &str) -> Vec<String> {
    if args.starts_with('[') {
        if let Ok(words) = serde_json::from_str::<Vec<String>>(args) {
            return words;
        }
    }
    vec!["sh".into(), "-c".into(), args.into()]
}

/// `ENV A=1 B="two words"` or the old `ENV A value`.
fn env_pairs(args: &str) -> Vec<(String, String)> {
    let words = shlex::split(args).unwrap_or_default();
    if words.iter().all(|w| w.contains('=')) {
        words
            .iter()
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    } else {
        match words.split_first() {
            Some((key, rest)) => vec![(key.clone(), rest.join(" "))],
            None => vec![],
        }
    }
}

/// Names of variables whose values are secrets: never copied into a recipe.
pub(super) fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    ["SECRET", "PASSWORD", "TOKEN", "KEY", "CREDENTIAL", "PASSWD"]
        .iter()
        .any(|s| name.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_stage_inherits_its_command() {
        let text = "FROM python:3.10-alpine AS builder\nENV FLASK_APP hello.py\nEXPOSE 8000\nENTRYPOINT [\"python3\"]\nCMD [\"app.py\"]\nFROM builder as dev-envs\nRUN <<EOF\napk add git\nEOF\nCMD [\"manage.py\", \"runserver\"]\n";
        let stages = stages(text);
        assert_eq!(stages.len(), 2);
        assert_eq!(shipped(&stages), Some(0));
        assert_eq!(stages[0].expose, Some((3, 8000)));
        assert_eq!(
            stages[0].env,
            [("FLASK_APP".to_string(), "hello.py".to_string())]
        );
    }

    #[test]
    fn variables_are_expanded_from_the_files_own_defaults() {
        let text = "ARG PORT=80\nFROM node:20 AS app\nENV VIRTUAL_ENV=/venv PATH=\"$VIRTUAL_ENV/bin:$PATH\" MODE=${NODE_ENV} HOME_DIR=$VIRTUAL_ENV/home\nEXPOSE $PORT 9229\nCMD [\"node\", \"i.js\"]\n";
        let stages = stages(text);
        assert_eq!(stages[0].expose, Some((4, 80)));
        let env: Vec<&str> = stages[0].env.iter().map(|(k, _)| k.as_str()).collect();
        // PATH reads the base image's PATH and MODE an unset variable: both left out
        assert_eq!(env, ["VIRTUAL_ENV", "HOME_DIR"]);
        assert_eq!(stages[0].env[1].1, "/venv/home");
    }
}
