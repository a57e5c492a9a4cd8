//! Which Python version an app builds with: the one the project names, else the newest its
//! range (or dslim) allows that its compiled dependencies have wheels for.

use regex::Regex;

use super::wheels::{self, Limit};
use crate::detect::{major_minor, Evidence, Finding, Source};
use crate::error::Warning;
use crate::knowledge::{version_at_least, StackData};
use crate::project::Project;

/// The version to build with, and a warning when no version has wheels for every compiled
/// dependency. A version the project names (`.python-version`, `runtime.txt`, an exact
/// `requires-python`) is kept; within a range, or without any, the newest one that the
/// compiled dependencies have wheels for is taken.
pub fn version(
    project: &Project,
    pyproject: Option<&toml::Value>,
    data: &StackData,
    limits: &[Limit],
) -> (Finding<String>, Option<Warning>) {
    let Ok(plain) = Regex::new(r"([0-9]+\.[0-9]+)") else {
        return (crate::detect::default_version(data), None);
    };
    // the first line that is not a comment
    let first = |file: &str| -> Option<(usize, String)> {
        let text = project.read(file)?;
        text.lines()
            .enumerate()
            .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map(|(i, l)| (i + 1, l.to_string()))
    };
    if let Some((line, text)) = first(".python-version") {
        if let Some(c) = plain.captures(&text) {
            let evidence = Evidence::line(".python-version", line, "");
            return (Finding::found(c[1].to_string(), evidence), None);
        }
    }
    // Pipfile's [requires] python_version = "3.11"
    if let Some(line) = project.line_of("Pipfile", "python_version") {
        let text = project.read("Pipfile").unwrap_or_default();
        let found = text
            .lines()
            .nth(line - 1)
            .and_then(|l| plain.captures(l))
            .map(|c| c[1].to_string());
        if let Some(version) = found {
            let evidence = Evidence::line("Pipfile", line, "python_version");
            return (Finding::found(version, evidence), None);
        }
    }
    if let Some(text) = project.read("runtime.txt") {
        if let Some(c) = plain.captures(text.lines().next().unwrap_or("")) {
            let evidence = Evidence::line("runtime.txt", 1, "");
            return (Finding::found(c[1].to_string(), evidence), None);
        }
    }
    let requires = pyproject.and_then(|p| {
        p.get("project")
            .and_then(|p| p.get("requires-python"))
            .and_then(|v| v.as_str())
            .map(|s| (s.to_string(), "requires-python"))
            .or_else(|| {
                p.get("tool")?
                    .get("poetry")?
                    .get("dependencies")?
                    .get("python")?
                    .as_str()
                    .map(|s| (s.to_string(), "python"))
            })
    });
    if let Some((spec, key)) = requires {
        let line = project.line_of("pyproject.toml", key).unwrap_or(1);
        let evidence = Evidence::line("pyproject.toml", line, format!("{key} = \"{spec}\""));
        if let Some(v) = from_specifier(&spec, &data.default_version) {
            let found = Finding::found(v, evidence);
            return match lower_bound(&spec) {
                Some(oldest) => within_wheels(found, limits, &oldest, data),
                None => (found, None),
            };
        }
    }
    within_wheels(
        crate::detect::default_version(data),
        limits,
        &data.min_version,
        data,
    )
}

/// Lowers `chosen` to the newest version down to `oldest` that every limit has a wheel for,
/// saying which packages ruled out the next one; warns when none has.
fn within_wheels(
    chosen: Finding<String>,
    limits: &[Limit],
    oldest: &str,
    data: &StackData,
) -> (Finding<String>, Option<Warning>) {
    let newest = wheels::minor_of(&chosen.value);
    let oldest = wheels::minor_of(oldest)
        .into_iter()
        .chain(wheels::minor_of(&data.min_version))
        .max();
    let (Some(newest), Some(oldest)) = (newest, oldest) else {
        return (chosen, None);
    };
    let described = |limits: Vec<&Limit>, python: u32| -> Vec<Evidence> {
        limits
            .into_iter()
            .map(|l| Evidence {
                note: format!("{} {} has no wheel for 3.{python}", l.name, l.version),
                ..l.evidence.clone()
            })
            .collect()
    };
    if wheels::ruling_out(limits, newest).is_empty() {
        return (chosen, None);
    }
    let Some(minor) = wheels::newest_supported(limits, newest, oldest) else {
        let packages = described(wheels::ruling_out(limits, newest), newest)
            .iter()
            .map(|e| e.to_string())
            .collect();
        return (chosen, Some(Warning::NoVersionHasWheels { packages }));
    };
    let why = described(wheels::ruling_out(limits, minor + 1), minor + 1);
    let value = format!("3.{minor}");
    let finding = match chosen.source {
        // a range the project states: its evidence, and why not a newer version in it
        Source::Found(mut evidence) => {
            evidence.extend(why);
            Finding {
                value,
                source: Source::Found(evidence),
            }
        }
        // no version stated: still a guess, which a Dockerfile's version overrides
        _ => Finding::guessed(
            value,
            format!(
                "the newest release with wheels for every compiled dependency: {}",
                why.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    };
    (finding, None)
}

/// The lowest version a requirement allows: ">=3.10,<3.13" -> 3.10; None for an exact one
/// ("==3.12", "~=3.12"), which is kept as it is.
fn lower_bound(spec: &str) -> Option<String> {
    let clause_re = Regex::new(r"^\s*(>=|>|\^|<=|<)\s*([0-9]+(?:\.[0-9]+)*)").ok()?;
    let mut lower = None;
    for clause in spec.split(',') {
        let c = clause_re.captures(clause)?;
        if matches!(&c[1], ">=" | ">" | "^") {
            lower = Some(major_minor(&c[2]));
        }
    }
    lower
}

/// The version to build with for a requirement like ">=3.11", "~=3.12", "==3.12.*", "^3.11",
/// ">=3.10,<3.13": an exact pin wins; an upper bound gives the newest release below it;
/// a lower bound alone allows the current default.
/// `default` is the current release.
pub fn from_specifier(spec: &str, default: &str) -> Option<String> {
    let clause_re = Regex::new(r"^\s*(==|~=|>=|>|<=|<|\^|~)?\s*([0-9]+(?:\.[0-9]+)*)").ok()?;
    let mut lower: Option<String> = None;
    for clause in spec.split(',') {
        let c = clause_re.captures(clause)?;
        let (op, v) = (c.get(1).map_or("==", |m| m.as_str()), major_minor(&c[2]));
        match op {
            "==" | "~=" | "~" => return Some(v),
            "<" => {
                let (major, minor) = v.split_once('.')?;
                let minor: u32 = minor.parse().ok()?;
                if minor > 0 {
                    return Some(format!("{major}.{}", minor - 1));
                }
            }
            "<=" => return Some(v),
            _ => lower = Some(v),
        }
    }
    let lower = lower?;
    Some(if version_at_least(default, &lower) {
        default.to_string()
    } else {
        lower
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_specifiers() {
        let default = "3.14";
        let from = |spec| from_specifier(spec, default);
        assert_eq!(from(">=3.11").as_deref(), Some(default));
        assert_eq!(from("~=3.12").as_deref(), Some("3.12"));
        assert_eq!(from("==3.12.*").as_deref(), Some("3.12"));
        assert_eq!(from(">=3.10,<3.13").as_deref(), Some("3.12"));
        assert_eq!(from("^3.11").as_deref(), Some(default));
        assert_eq!(from(">=3.99").as_deref(), Some("3.99"));
    }
}
