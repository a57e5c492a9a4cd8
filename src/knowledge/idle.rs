//! Scripts that only make a server's app object: a declared command that runs one starts
//! nothing (`python app.py` beside `app = Flask(__name__)`), and init reads the code instead.

use serde::Deserialize;

use crate::template::Pattern;

/// A script that only defines a server's app object (`app = Flask(__name__)`, no `app.run`):
/// `python app.py` would exit at once, so a command that runs it is not the app's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdleScripts {
    /// the programs that run a script: the first word of the command
    pub interpreters: Vec<String>,
    /// a line that makes an app object
    pub app_object: Vec<Pattern>,
    /// a line that starts something (a server, a loop)
    pub starts: Vec<Pattern>,
}

impl IdleScripts {
    /// Whether `argv` runs a script of the project that makes an app and starts nothing.
    pub fn is_idle(&self, argv: &[String], project: &crate::project::Project) -> bool {
        let [program, script, ..] = argv else {
            return false;
        };
        if !self.interpreters.contains(program) {
            return false;
        }
        let Some(text) = project.read(script.trim_start_matches("./")) else {
            return false;
        };
        let any =
            |patterns: &[Pattern]| text.lines().any(|l| patterns.iter().any(|p| p.is_match(l)));
        any(&self.app_object) && !any(&self.starts)
    }
}
