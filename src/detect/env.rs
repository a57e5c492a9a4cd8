//! The environment an app cannot start without, as its code reads it: `dslim init` lists each
//! variable as a commented `run-env` line to fill in.

use crate::detect::Evidence;
use crate::project::Project;
use crate::template::Pattern;

/// How a stack's code reads environment variables (its data's `[detect.env]` table).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvReads {
    /// group 1 the name, group 2 the default when there is one
    #[serde(default)]
    pub reads: Vec<Pattern>,
    /// names read with defaults of their own everywhere, never asked for
    #[serde(default)]
    pub optional: Vec<String>,
    /// settings classes whose fields the environment fills in (pydantic's BaseSettings)
    #[serde(default)]
    pub classes: Vec<SettingsClass>,
}

/// A class whose fields are read from environment variables of their names (case aside, after
/// the class's prefix), and which fails to build without a value for a field with no default.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsClass {
    /// the class's first line
    pub start: Pattern,
    /// a line of the class's body that declares a field with no default: group 1 its name
    pub field: Pattern,
    /// anywhere in the class's body, the prefix of its variables' names: group 1
    pub prefix: Option<Pattern>,
}

/// Variables the code reads with no default (or an empty one, which code then checks): the
/// app needs them from its environment. Each once, where it is first read.
pub fn required_env(
    project: &Project,
    files: &[String],
    reads: &EnvReads,
) -> Vec<(String, Evidence)> {
    let mut found: Vec<(String, Evidence)> = vec![];
    let mut in_classes: Vec<(String, Evidence)> = vec![];
    for file in files {
        let Some(text) = project.read(file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            for pattern in &reads.reads {
                for caps in pattern.0.captures_iter(line) {
                    let Some(name) = caps.get(1).map(|m| m.as_str()) else {
                        continue;
                    };
                    let default = caps.get(2).map(|m| m.as_str().trim());
                    let no_default = default.is_none_or(|d| ["''", "\"\"", "``"].contains(&d));
                    // a read in a condition is a switch, not a need: `if (process.env.X)`
                    let (start, end) = caps.get(0).map_or((0, 0), |m| (m.start(), m.end()));
                    let after = line[end..].trim_start();
                    // or guarded on the same line: `os.environ["X"] if "X" in os.environ else ""`
                    let guarded = (after.contains(" if ") && after.contains(" else"))
                        || line.contains(&format!("{name}' in "))
                        || line.contains(&format!("{name}\" in "));
                    // `os.environ["X"] = "1"` sets it, it does not need it
                    let assigned = after.starts_with('=') && !after.starts_with("==");
                    let conditional = assigned
                        || line[..start].contains("if ")
                        || line[..start].contains("if(")
                        || guarded
                        || ["?", "&&", "==", "!="]
                            .iter()
                            .any(|op| after.starts_with(op));
                    if no_default
                        && !conditional
                        && !reads.optional.iter().any(|o| o == name)
                        && !found.iter().any(|(n, _)| n == name)
                    {
                        found.push((name.to_string(), Evidence::line(file, i + 1, "")));
                    }
                }
            }
        }
        // a settings class's fields, after every read of every file
        for class in &reads.classes {
            let fields = class_fields(&text, class).into_iter();
            in_classes.extend(fields.map(|(name, line)| (name, Evidence::line(file, line, ""))));
        }
    }
    for (name, evidence) in in_classes {
        if !reads.optional.contains(&name) && !found.iter().any(|(n, _)| *n == name) {
            found.push((name, evidence));
        }
    }
    found
}

/// The variables `class`'s classes in `text` need, with the line each field is on.
fn class_fields(text: &str, class: &SettingsClass) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut found = vec![];
    for (start, line) in lines.iter().enumerate() {
        if !class.start.is_match(line) {
            continue;
        }
        // the body: the lines indented past the class's, up to the first that is not
        let body: Vec<(usize, &str)> = (lines.iter().enumerate().skip(start + 1))
            .take_while(|(_, l)| l.trim().is_empty() || indent(l) > indent(line))
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i, *l))
            .collect();
        // fields are at the body's own indentation, not in its methods or nested classes
        let Some(depth) = body.first().map(|(_, l)| indent(l)) else {
            continue;
        };
        let prefix = (class.prefix.iter())
            .find_map(|p| body.iter().find_map(|(_, l)| p.0.captures(l)?.get(1)))
            .map_or("", |m| m.as_str());
        for (i, l) in &body {
            let Some(name) = (indent(l) == depth)
                .then(|| class.field.0.captures(l.trim()))
                .flatten()
                .and_then(|c| c.get(1))
            else {
                continue;
            };
            found.push((format!("{prefix}{}", name.as_str()).to_uppercase(), i + 1));
        }
    }
    found
}
