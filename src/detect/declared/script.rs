//! A declared command that runs one of the project's shell scripts (`./start.sh`, `sh
//! docker-entrypoint.sh`): the script's own commands, read as the line they would be. Its last
//! command is the server; those before it (a migration) are release steps. A script with any
//! control flow (if, loops, functions) stays as it is.

use super::{shell_command, Declared};
use crate::detect::Evidence;
use crate::project::Project;

/// Shells a declared command may run a script with.
const SHELLS: [&str; 4] = ["sh", "bash", "/bin/sh", "/bin/bash"];

/// Words that make a script more than a list of commands.
const CONTROL: [&str; 10] = [
    "if", "then", "for", "while", "until", "case", "function", "do", "{", "}",
];

/// `declared`, or what the script it runs declares, keeping what the declaration itself said
/// (its process, its environment, a port it named).
pub fn through_script(project: &Project, declared: Declared) -> Declared {
    let Some((path, commands)) = script_of(project, &declared.argv) else {
        return declared;
    };
    // the declaration stays the evidence (its file set the environment), through the script;
    // its release steps are on other lines than its server, so no line is named
    let through = format!("through {path}");
    let note = match declared.evidence.note.as_str() {
        "" => through,
        note => format!("{note}, {through}"),
    };
    let evidence = Evidence {
        note,
        ..declared.evidence.clone()
    };
    let joined = (commands.iter())
        .map(|(_, c)| c.as_str())
        .collect::<Vec<_>>()
        .join(" ; ");
    let Some(inner) = shell_command(&joined, evidence) else {
        return declared;
    };
    Declared {
        argv: inner.argv,
        release: declared.release.into_iter().chain(inner.release).collect(),
        port: inner.port.or(declared.port),
        reads_port: inner.reads_port || declared.reads_port,
        evidence: inner.evidence,
        ..declared
    }
}

/// The script a command runs and its commands with their line numbers, when it is a project
/// file of plain commands.
fn script_of(project: &Project, argv: &[String]) -> Option<(String, Vec<(usize, String)>)> {
    let file = match argv {
        [file] => file,
        [shell, file] if SHELLS.contains(&shell.as_str()) => file,
        _ => return None,
    };
    let path = file.trim_start_matches("./");
    let looks_like_script = path.ends_with(".sh") || file.starts_with("./");
    if !looks_like_script || path.starts_with('/') {
        return None;
    }
    let text = project.read(path)?;
    let first = text.lines().next().unwrap_or("");
    if first.starts_with("#!") && !first.contains("sh") {
        return None;
    }
    let mut commands = vec![];
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("set ") {
            continue;
        }
        let first_word = line.split_whitespace().next().unwrap_or("");
        if CONTROL.contains(&first_word) || line.ends_with('\\') || line.contains("()") {
            return None;
        }
        commands.push((i + 1, line.to_string()));
    }
    // a wrapper that ends by running its arguments (`exec "$@"`) starts nothing of its own
    let wraps = commands
        .last()
        .is_none_or(|(_, c)| c.contains("$@") || c.contains("$*"));
    (!wraps).then(|| (path.to_string(), commands))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(argv: &[&str]) -> Declared {
        let mut d = shell_command(
            &argv.join(" "),
            Evidence::line("Dockerfile", 9, "ENTRYPOINT"),
        )
        .expect("a command");
        d.env = vec![("NODE_ENV".into(), "production".into())];
        d
    }

    fn project(script: &str) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("start.sh"), script).expect("write");
        let root = camino::Utf8PathBuf::try_from(dir.path().to_path_buf()).expect("utf-8");
        let project = Project::new(&root);
        (dir, project)
    }

    #[test]
    fn a_start_script_is_its_last_command_after_its_release_steps() {
        let (_dir, p) =
            project("#!/bin/sh -ex\n\n# migrate first\nnpx prisma migrate deploy\nnpm run start\n");
        let d = through_script(&p, declared(&["./start.sh"]));
        assert_eq!(d.argv, ["npm", "run", "start"]);
        assert_eq!(d.release, ["npx prisma migrate deploy"]);
        assert_eq!(d.env, [("NODE_ENV".to_string(), "production".to_string())]);
        assert_eq!(
            d.evidence.to_string(),
            "Dockerfile:9 (ENTRYPOINT, through start.sh)"
        );
    }

    #[test]
    fn a_script_with_control_flow_or_a_program_stays_as_declared() {
        let (_dir, p) = project(
            "#!/bin/sh\nif [ -n \"$MIGRATE\" ]; then\n  ./migrate\nfi\nexec node server.js\n",
        );
        assert_eq!(
            through_script(&p, declared(&["./start.sh"])).argv,
            ["./start.sh"]
        );
        let (_dir, p) = project("#!/bin/sh\nset -e\npython manage.py migrate\nexec \"$@\"\n");
        assert_eq!(
            through_script(&p, declared(&["./start.sh"])).argv,
            ["./start.sh"]
        );
        assert_eq!(
            through_script(&p, declared(&["node", "start.sh"])).argv,
            ["node", "start.sh"]
        );
    }
}
