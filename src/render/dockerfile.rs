//! The Dockerfile: one instruction per plan step, values quoted for Dockerfile syntax.

use minijinja::context;

use crate::plan::{EnvVar, Mount, Plan, Step};
use crate::template::TemplateError;

const TEMPLATE: &str = "\
# Stages: {{ stage_names | join(\" -> \") }}. compose builds `{{ target }}`;
# to debug a stage: docker build {% if context != \".\" %}-f Dockerfile {% endif %}--target {{ stage_names[0] }} -t {{ app }}:{{ stage_names[0] }} {{ context }}
{% for stage in stages %}
# {{ stage.purpose }}
FROM {{ stage.from }} AS {{ stage.name }}
{% for line in stage.lines %}{{ line }}
{% endfor %}{% endfor %}";

/// Renders the plan's stages. The layout lives in the template above; each instruction's
/// quoting lives in `instruction`.
pub fn dockerfile(plan: &Plan) -> Result<String, TemplateError> {
    let stages: Vec<_> = plan
        .stages
        .iter()
        .map(|s| {
            context! {
                name => s.name.as_str(),
                from => s.from.to_string(),
                purpose => s.purpose,
                lines => s.steps.iter().map(instruction).collect::<Vec<_>>(),
            }
        })
        .collect();
    let stage_names: Vec<&str> = plan.stages.iter().map(|s| s.name.as_str()).collect();
    crate::template::render(
        TEMPLATE,
        context! {
            stages,
            stage_names,
            target => plan.target.as_str(),
            app => plan.app,
            context => plan.service.build.context,
        },
    )
}

const CONTINUE: &str = " \\\n    ";

fn instruction(step: &Step) -> String {
    match step {
        Step::Arg { name, default } => format!("ARG {name}={default}"),
        Step::Env { vars } => format!(
            "ENV {}",
            vars.iter().map(env_pair).collect::<Vec<_>>().join(CONTINUE)
        ),
        Step::Workdir { path } => format!("WORKDIR {path}"),
        Step::Run { commands, mounts } => {
            let mounts: Vec<String> = mounts.iter().map(mount).collect();
            // one command per line: `&&` chains read better split (never inside quotes, where a
            // line break would change the quoted text)
            let lines: Vec<&str> = commands.iter().flat_map(|c| split_chain(c)).collect();
            let mut out = String::from("RUN ");
            if !mounts.is_empty() {
                out.push_str(&mounts.join(" "));
                out.push_str(CONTINUE);
            }
            out.push_str(&lines.join(&format!("{CONTINUE}&& ")));
            out
        }
        Step::Copy {
            from,
            sources,
            dest,
            chown,
        } => {
            let mut out = String::from("COPY --link");
            if let Some(from) = from {
                out.push_str(&format!(" --from={}", from.as_str()));
            }
            if let Some(chown) = chown {
                out.push_str(&format!(" --chown={chown}"));
            }
            for s in sources {
                out.push(' ');
                out.push_str(s);
            }
            out.push(' ');
            out.push_str(dest);
            out
        }
        Step::User { user } => format!("USER {user}"),
        Step::Expose { ports } => format!(
            "EXPOSE {}",
            ports
                .iter()
                .map(|p| p.trim_end_matches("/tcp"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Step::Label { labels } => format!(
            "LABEL {}",
            labels
                .iter()
                .map(|(k, v)| format!("{k}={}", quote(v, false)))
                .collect::<Vec<_>>()
                .join(CONTINUE)
        ),
        Step::Exec { argv } => format!("RUN {}", exec_form(argv)),
        Step::Entrypoint { argv } => format!("ENTRYPOINT {}", exec_form(argv)),
        Step::Cmd { argv } => format!("CMD {}", exec_form(argv)),
    }
}

/// A shell command split at its top-level ` && `, not at one in quotes.
fn split_chain(command: &str) -> Vec<&str> {
    const AND: &str = " && ";
    let (mut parts, mut start) = (vec![], 0);
    let (mut single, mut double, mut escaped) = (false, false, false);
    for (i, c) in command.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if !single => escaped = true,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            ' ' if !single && !double && i >= start && command[i..].starts_with(AND) => {
                parts.push(&command[start..i]);
                start = i + AND.len();
            }
            _ => {}
        }
    }
    parts.push(&command[start..]);
    parts
}

fn mount(mount: &Mount) -> String {
    match mount {
        Mount::Cache {
            target,
            locked: false,
        } => format!("--mount=type=cache,target={target}"),
        Mount::Cache {
            target,
            locked: true,
        } => format!("--mount=type=cache,target={target},sharing=locked"),
        Mount::Image { image, target } => {
            format!("--mount=type=bind,from={image},target={target},rw")
        }
        Mount::Secret { id, target: None } => {
            format!("--mount=type=secret,id={id},required=true")
        }
        Mount::Secret {
            id,
            target: Some(target),
        } => format!("--mount=type=secret,id={id},target={target},required=true"),
    }
}

fn env_pair(var: &EnvVar) -> String {
    format!("{}={}", var.name, quote(&var.value, var.expand))
}

/// A double-quoted Dockerfile word. `$` is escaped unless the value is dslim's own and
/// means to expand a variable; backslashes and quotes always are.
fn quote(value: &str, expand: bool) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '$' if !expand => out.push_str("\\$"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The JSON (exec) form, which Docker runs without a shell and without variable expansion.
fn exec_form(argv: &[String]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|w| serde_json::Value::String(w.clone()).to_string())
        .collect();
    format!("[{}]", words.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_hostile_values_inside_their_string() {
        assert_eq!(
            quote(r#"a" b\ $(id) ${HOME}"#, false),
            r#""a\" b\\ \$(id) \${HOME}""#
        );
        assert_eq!(
            quote("/opt/venv/bin:${PATH}", true),
            "\"/opt/venv/bin:${PATH}\""
        );
        assert_eq!(
            exec_form(&["sh".into(), "-c".into(), "echo \"hi\"\nRUN x".into()]),
            r#"["sh", "-c", "echo \"hi\"\nRUN x"]"#
        );
    }

    #[test]
    fn chains_split_only_outside_quotes() {
        assert_eq!(
            split_chain("go mod init x && go mod tidy && go build"),
            ["go mod init x", "go mod tidy", "go build"]
        );
        assert_eq!(
            split_chain(r#"a && awk '$1 && $2' && echo "x && y" && b\ && c"#),
            ["a", "awk '$1 && $2'", r#"echo "x && y""#, r"b\ && c"]
        );
        assert_eq!(split_chain("true"), ["true"]);
    }
}
