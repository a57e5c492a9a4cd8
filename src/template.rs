//! The one placeholder syntax in dslim: minijinja's `{{ name }}`, strict about names. Templates
//! in `recipes/` are checked when the data loads: each may use only the names its field allows,
//! so an unknown `{{ x }}` is a load error (caught by the tests), never a blank in a Dockerfile.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::{Deserialize, Deserializer};

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    // values are validated by the model and quoted by the renderers; no HTML here
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env
}

/// A template that could not be used: unparsable, or naming what its field does not give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub template: String,
    pub detail: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template {:?}: {}", self.template, self.detail)
    }
}

impl From<TemplateError> for crate::error::Error {
    fn from(e: TemplateError) -> Self {
        crate::error::Error::Bug {
            detail: e.to_string(),
        }
    }
}

/// Renders `template` with `values`; a name the template uses and `values` lacks is an error.
pub fn render<S: serde::Serialize>(template: &str, values: S) -> Result<String, TemplateError> {
    environment()
        .render_str(template, values)
        .map_err(|e| TemplateError {
            template: template.to_string(),
            detail: e.to_string(),
        })
}

/// Checks that `template` parses and uses no name outside `allowed`.
pub fn check(template: &str, allowed: &[&str]) -> Result<(), TemplateError> {
    let fail = |detail: String| TemplateError {
        template: template.to_string(),
        detail,
    };
    let env = environment();
    let parsed = env
        .template_from_str(template)
        .map_err(|e| fail(e.to_string()))?;
    let mut unknown: Vec<String> = parsed
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| !allowed.contains(&name.as_str()))
        .collect();
    unknown.sort();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(fail(format!(
            "uses {} where only {} may be used",
            unknown.join(", "),
            if allowed.is_empty() {
                "no names".to_string()
            } else {
                allowed.join(", ")
            }
        )))
    }
}

/// The names a kind of template may use.
pub trait Names {
    const NAMES: &'static [&'static str];
}

macro_rules! names {
    ($(#[$doc:meta])* $name:ident = [$($n:literal),*]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Names for $name {
            const NAMES: &'static [&'static str] = &[$($n),*];
        }
    };
}

// a stack whose templates use names of their own declares them with this, in its folder:
// `crate::template::names!(MainNames = ["main"]);`
#[allow(unused_imports)] // no built-in stack needs names of its own yet
pub(crate) use names;

names!(
    /// image references: `python:{{ version }}-slim-{{ release }}`
    ImageNames = ["version", "release", "release_number"]
);
names!(PackagesNames = ["packages"]);
names!(UserNames = ["user"]);
names!(WorkdirNames = ["workdir"]);
names!(UserWorkdirNames = ["user", "workdir"]);
names!(
    /// folders the final image takes whole: space-separated, and their files as a case pattern
    ShippedNames = ["shipped", "shipped_files"]
);
names!(RequirementsNames = ["requirements"]);
names!(ScriptNames = ["script"]);
names!(MemberNames = ["package", "path"]);
names!(NameNames = ["name"]);
names!(ProbeNames = ["port", "path"]);
names!(BuildNames = ["binary", "package"]);
names!(ServerNames = ["port", "fallback"]);
names!(NginxNames = ["version"]);
names!(PortNames = ["port"]);
names!(AppServerNames = ["target", "port"]);
names!(ScriptPortNames = ["file", "port"]);

/// A template from `recipes/`, checked against the names `N` allows when it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template<N> {
    text: String,
    names: PhantomData<N>,
}

impl<N: Names> Template<N> {
    pub fn new(text: &str) -> Result<Self, TemplateError> {
        check(text, N::NAMES)?;
        Ok(Template {
            text: text.to_string(),
            names: PhantomData,
        })
    }

    /// The template as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Renders each of `words` with the same values: a command's argv.
    pub fn render_all(
        words: &[Template<N>],
        values: &[(&str, &str)],
    ) -> Result<Vec<String>, TemplateError> {
        words.iter().map(|w| w.render(values)).collect()
    }

    /// Renders with the given values; `values` must name what `N` names.
    pub fn render(&self, values: &[(&str, &str)]) -> Result<String, TemplateError> {
        let map: BTreeMap<&str, &str> = values.iter().copied().collect();
        render(&self.text, map)
    }
}

impl<'de, N: Names> Deserialize<'de> for Template<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Template::new(&text).map_err(serde::de::Error::custom)
    }
}

/// A regex from `recipes/`, compiled when it is read.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl Pattern {
    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        regex::Regex::new(&text)
            .map(Pattern)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_name_is_refused_when_the_template_is_read() {
        assert!(Template::<UserNames>::new("useradd {{ user }}").is_ok());
        let err = Template::<UserNames>::new("useradd {{ usr }}").unwrap_err();
        assert!(err.detail.contains("usr"), "{err}");
    }

    #[test]
    fn shell_braces_are_not_placeholders() {
        let t = Template::<WorkdirNames>::new(
            "test \"${UID}\" != 0 || { echo no; }; find {{ workdir }} -exec strip {} +",
        )
        .unwrap();
        assert_eq!(
            t.render(&[("workdir", "/app")]).unwrap(),
            "test \"${UID}\" != 0 || { echo no; }; find /app -exec strip {} +"
        );
    }

    #[test]
    fn rendering_without_a_value_fails_instead_of_leaving_a_blank() {
        assert!(render("a {{ b }}", BTreeMap::<&str, &str>::new()).is_err());
    }
}
