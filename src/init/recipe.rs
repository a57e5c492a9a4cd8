//! The recipe `dslim init` writes, with a comment on every line saying where its value came
//! from, and the report it prints.

use minijinja::context;

use super::Outcome;
use crate::detect::{Detection, Source};
use crate::template::TemplateError;

const TEMPLATE: &str = "\
// Written by `dslim init` from the files in this folder. Each line says where its value
// came from; check the ones marked \"guess\". Reference: the dslim README.
app {{ name }} {
{% for line in lines %}{% if line.comment %}    // {{ line.comment }}
{% endif %}    {{ line.node }}
{% endfor %}}
";

/// The recipe text for a detection.
pub fn render(name: &str, d: &Detection) -> Result<String, TemplateError> {
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
    for (key, f) in &d.stack_flags {
        if f.value {
            stack_line.push_str(&format!(" {key}=#true"));
            why.push(format!("{key} {}", f.source));
        }
    }
    lines.push((Some(why.join("; ")), stack_line));
    if let Some(r) = &d.runtime {
        lines.push((
            Some(r.source.to_string()),
            format!("runtime {}", kdl_string(&r.value)),
        ));
    }

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
        // the libraries' comment is on build-deps when there is that line
        let comment = build_deps.is_empty().then_some(libraries);
        lines.push((comment, format!("runtime-libs {}", words(&runtime_libs))));
    }
    if let Some(b) = &d.build {
        let build = &b.value;
        let mut node = String::from("build");
        for path in &build.also {
            node.push_str(&format!(" {}", kdl_string(path)));
        }
        node.push_str(&format!(
            " script={} output={}",
            kdl_string(&build.script),
            kdl_string(&build.output)
        ));
        if let Some(cache) = &build.cache {
            node.push_str(&format!(" cache={}", kdl_string(cache)));
        }
        if build.self_contained {
            node.push_str(" self-contained=#true");
        }
        lines.push((Some(format!("output {}", b.source)), node));
    }
    if d.spa {
        lines.push((
            Some("a bundler builds static files: served by unprivileged nginx on 8080".into()),
            "spa".into(),
        ));
    } else if let Some(p) = &d.port {
        lines.push((Some(p.source.to_string()), format!("port {}", p.value)));
    }
    // one `env` line per source, so that each says where its values came from
    let mut sources: Vec<&Source> = vec![];
    for e in &d.env {
        if !sources.contains(&&e.source) {
            sources.push(&e.source);
        }
    }
    for source in sources {
        let pairs: Vec<String> = d
            .env
            .iter()
            .filter(|e| e.source == *source)
            .map(|e| format!("{}={}", e.value.0, kdl_string(&e.value.1)))
            .collect();
        lines.push((Some(source.to_string()), format!("env {}", pairs.join(" "))));
    }
    // what the app needs from its environment, for the user to fill in or set when it runs
    for (name, at) in &d.required_env {
        lines.push((
            Some(format!(
                "{at} reads it with no default: set it here, or when the app runs"
            )),
            format!("// run-env {name}=\"\""),
        ));
    }
    for pattern in &d.ignore {
        lines.push((
            Some(pattern.source.to_string()),
            format!("ignore {}", kdl_string(&pattern.value)),
        ));
    }
    // a private registry's credentials: secrets of the install, never build args
    for secret in &d.secrets {
        let guess = &secret.value;
        let mut node = format!("secret {}", kdl_string(&guess.id));
        let why = match (&guess.env, &guess.file) {
            (Some(var), _) => {
                node.push_str(&format!(" env={}", kdl_string(var)));
                format!(
                    "{}: export {var} before dslim build; the install alone sees it",
                    secret.source
                )
            }
            (None, Some(file)) => {
                node.push_str(&format!(" file={}", kdl_string(file)));
                format!("{}: mounted for the install alone", secret.source)
            }
            (None, None) => continue,
        };
        lines.push((Some(why), node));
    }
    if let Some(a) = &d.assets {
        let mut node = "assets".to_string();
        if a.value.scripts != ["build"] {
            for script in &a.value.scripts {
                node.push_str(&format!(" {}", kdl_string(script)));
            }
        }
        node.push_str(&format!(" output={}", kdl_string(&a.value.output)));
        if a.value.folder != "." {
            node.push_str(&format!(" folder={}", kdl_string(&a.value.folder)));
        }
        lines.push((Some(a.source.to_string()), node));
    }
    if !d.runtime_files.is_empty() {
        let files: Vec<String> = d.runtime_files.iter().map(|f| f.value.clone()).collect();
        let sources: Vec<String> = d
            .runtime_files
            .iter()
            .map(|f| f.source.to_string())
            .collect();
        lines.push((
            Some(format!("{}: read at run time", sources.join(", "))),
            format!("runtime-files {}", words(&files)),
        ));
    }
    for step in &d.build_steps {
        let mut node = format!("build-step {}", words(&step.value.argv));
        for (k, v) in &step.value.env {
            node.push_str(&format!(" {k}={}", kdl_string(v)));
        }
        let mut why = format!("{}: run at build time", step.source);
        if !step.value.env.is_empty() {
            why.push_str(
                "; its variables are placeholders the settings need to load, for this step only",
            );
        }
        lines.push((Some(why), node));
    }
    if let Some(e) = &d.entrypoint {
        lines.push((
            Some(e.source.to_string()),
            format!("entrypoint {}", words(&e.value)),
        ));
    }
    if let Some(r) = &d.release {
        lines.push((
            Some(format!(
                "{}: `docker compose run --rm {name}-release` runs it, never the build",
                r.source
            )),
            format!("release-command {}", words(&r.value)),
        ));
    }
    let lines: Vec<_> = lines
        .into_iter()
        .map(|(comment, node)| context! { comment => comment.map(|c| one_line(&c)), node })
        .collect();
    crate::template::render(TEMPLATE, context! { name => kdl_string(name), lines })
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
            format!("{} -> {}", b.value.script, b.value.output),
            &b.source,
        );
    }
    if let Some(a) = &d.assets {
        let value = format!("{} -> {}", a.value.scripts.join(", "), a.value.output);
        row("assets", value, &a.source);
    }
    for step in &d.build_steps {
        row("build-step", step.value.argv.join(" "), &step.source);
    }
    for file in &d.runtime_files {
        row("file", file.value.clone(), &file.source);
    }
    if let Some(p) = &d.port {
        row("port", p.value.to_string(), &p.source);
    }
    if let Some(r) = &d.runtime {
        row("runtime", r.value.clone(), &r.source);
    }
    if let Some(e) = &d.entrypoint {
        row("entrypoint", e.value.join(" "), &e.source);
    }
    if let Some(r) = &d.release {
        row("on release", r.value.join(" "), &r.source);
    }
    let listed = |packages: &[String]| match packages {
        [] => "-".to_string(),
        _ => packages.join(" "),
    };
    for n in &d.native {
        out.push_str(&format!(
            "  {:<11}{}: build {}, run {}  [from {}]\n",
            "native",
            n.library,
            listed(&n.build),
            listed(&n.run),
            n.evidence
        ));
    }
    for w in &d.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    out
}
