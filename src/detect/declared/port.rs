//! The port in a declared command: the words that name it (`--bind 0.0.0.0:8000`,
//! `${PORT:-5000}`), and the flags that tell a known server where to listen.

use super::PORT;
use crate::knowledge::Listen;

/// The port a command's own words bind: `--bind 0.0.0.0:8000`, `-b=:8000`, `--port 8000`,
/// `--port=8000`, `-p 8000`, or a bare `0.0.0.0:8000`.
pub fn literal_port(words: &[String]) -> Option<u16> {
    let port_of_address = |word: &str| -> Option<u16> {
        let (host, port) = word.rsplit_once(':')?;
        let host_like = host.is_empty()
            || host == "localhost"
            || host.starts_with('[')
            || host.chars().all(|c| c.is_ascii_digit() || c == '.');
        host_like.then(|| port.parse().ok()).flatten()
    };
    let mut previous = "";
    for word in words {
        let (flag, value) = match word.split_once('=') {
            Some((flag, value)) if flag.starts_with('-') => (flag, value),
            _ => (previous, word.as_str()),
        };
        let found = match flag {
            "--port" | "-p" => value.parse().ok(),
            "--bind" | "-b" | "--host" => port_of_address(value),
            _ if !word.starts_with('-') && word.contains(':') => port_of_address(word),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
        previous = word;
    }
    None
}

/// `$PORT`, `${PORT}` and `${PORT:-5000}` in a word, as the placeholder dslim fills with the
/// recipe's port, and the default the word names.
pub(super) fn expand_port(word: &str) -> Option<(String, Option<u16>)> {
    // `${PORT:+--port=$PORT}`: the words when PORT is set, which the recipe does
    for form in ["${PORT:+", "${PORT+"] {
        if let Some(start) = word.find(form) {
            let inner = &word[start + form.len()..];
            let end = closing_brace(inner)?;
            let (expanded, _) =
                expand_port(&inner[..end]).unwrap_or_else(|| (inner[..end].to_string(), None));
            let after = &inner[end + 1..];
            return Some((format!("{}{expanded}{after}", &word[..start]), None));
        }
    }
    let forms = ["${PORT:-", "${PORT-", "${PORT}", "$PORT"];
    let at = forms.iter().find_map(|f| word.find(f).map(|i| (i, *f)))?;
    let (start, form) = at;
    let rest = &word[start + form.len()..];
    let (default, after) = if form.ends_with('-') {
        let end = rest.find('}')?;
        (rest[..end].parse::<u16>().ok(), &rest[end + 1..])
    } else {
        (None, rest)
    };
    Some((format!("{}{PORT}{after}", &word[..start]), default))
}

/// Where the `}` that closes a `${...` ends, in what follows its `${NAME:+`.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Adds the words that make a known server listen on all interfaces at `port`, unless its
/// command already says where it listens.
pub(super) fn listen(argv: &mut Vec<String>, rules: &[Listen], port: &str) {
    let Some(rule) = rules.iter().find(|r| argv.starts_with(&r.command)) else {
        return;
    };
    let after = argv[rule.command.len()..].to_vec();
    for flag in &rule.flags {
        let told = after.iter().any(|w| {
            flag.unless
                .iter()
                .any(|f| w == f || w.starts_with(&format!("{f}=")))
                || (flag.unless_address && is_address(w))
        });
        if told {
            continue;
        }
        for word in &flag.add {
            if let Ok(w) = word.render(&[("port", port)]) {
                argv.push(w);
            }
        }
    }
}

/// `0.0.0.0:8000`, `:8000`, `8000`: where a server is told to listen.
fn is_address(word: &str) -> bool {
    let port = word.rsplit(':').next().unwrap_or(word);
    !word.starts_with('-') && !port.is_empty() && port.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_written_into_a_command() {
        let port = |line: &str| literal_port(&shlex::split(line).unwrap_or_default());
        assert_eq!(port("gunicorn --bind 0.0.0.0:8000 app:app"), Some(8000));
        assert_eq!(port("gunicorn -b=:5000 app:app"), Some(5000));
        assert_eq!(
            port("uvicorn main:app --host 0.0.0.0 --port 8080"),
            Some(8080)
        );
        assert_eq!(port("uvicorn main:app --port=9000"), Some(9000));
        assert_eq!(port("hypercorn app:app 0.0.0.0:7000"), Some(7000));
        assert_eq!(port("gunicorn app:app"), None);
        assert_eq!(port("node server.js http://api:80"), None);
    }

    #[test]
    fn port_forms() {
        assert_eq!(expand_port("$PORT"), Some(("{port}".into(), None)));
        assert_eq!(
            expand_port("0.0.0.0:${PORT:-5000}"),
            Some(("0.0.0.0:{port}".into(), Some(5000)))
        );
        assert_eq!(expand_port("8000"), None);
        assert_eq!(
            expand_port("${PORT:+--server.port=$PORT}"),
            Some(("--server.port={port}".into(), None))
        );
    }
}
