//! A value in a recipe can never become a Dockerfile instruction, a YAML key or a
//! .dockerignore line of its own. Every hostile value goes into every slot; dslim must
//! either refuse it (with a diagnostic, never a panic) or render it so that the files keep
//! the structure they have with a harmless value, and the value reads back unchanged.

mod common;

use common::{compile, instructions};
use dslim::init::kdl_string;

const HOSTILE: &[&str] = &[
    "\"",
    "\\",
    "\\\"",
    "$(id)",
    "${HOME}",
    "$HOME",
    "`id`",
    "a && rm -rf /",
    "a; rm -rf /",
    "a | sh",
    "a\nRUN echo pwned",
    "a\r\nRUN echo pwned",
    "a\\\nRUN echo pwned",
    "a\u{2028}RUN echo pwned",
    "a\u{85}RUN echo pwned",
    "a\u{0}b",
    "a\tb",
    "key: value",
    "- item",
    "{a: b}",
    "[a, b]",
    "# comment",
    "'",
    "*alias",
    "&anchor x",
    "!!python/object:os.system",
    "%YAML 1.1",
    "---",
    "...",
    "--from=evil",
    "/etc/passwd",
    "../../etc",
    "*",
    "",
    " ",
    "ünïcödé ✓",
    "0x10",
    "yes",
    "null",
    "1e3",
];

/// Recipes with one slot for the value, `{}`, each with a harmless value that works.
const SLOTS: &[(&str, &str)] = &[
    ("app {} { go \"1.24\" }", "api"),
    ("app \"api\" { python {}; entrypoint \"python\" \"main.py\" }", "3.13"),
    ("app \"api\" { python \"3.13\" manager={}; entrypoint \"python\" \"main.py\" }", "uv"),
    ("app \"api\" { python \"3.13\" requirements={}; entrypoint \"python\" \"main.py\" }", "req.txt"),
    ("app \"api\" { go \"1.24\" package={} }", "./cmd/api"),
    ("app \"api\" { rust \"1.85\" bin={} }", "api"),
    ("app \"api\" { go \"1.24\"; base {} }", "debian"),
    ("app \"api\" { go \"1.24\"; base \"debian\" release={} }", "trixie"),
    ("app \"api\" { go \"1.24\"; base \"debian\" registry={} }", "mirror.example.com"),
    ("app \"api\" { go \"1.24\"; runtime {} }", "slim"),
    ("app \"api\" { go \"1.24\"; build-deps {} }", "gcc"),
    ("app \"api\" { go \"1.24\"; runtime \"slim\"; runtime-libs {} }", "tzdata"),
    ("app \"web\" { node \"20\"; build script={}; spa }", "build"),
    ("app \"web\" { node \"20\"; build output={}; spa }", "dist"),
    ("app \"web\" { node \"20\"; spa nginx={} }", "1.26"),
    ("app \"api\" { go \"1.24\"; user {} }", "app"),
    ("app \"api\" { go \"1.24\"; workdir {} }", "/srv"),
    ("app \"api\" { go \"1.24\"; port {} }", "8080"),
    ("app \"api\" { go \"1.24\"; env GREETING={} }", "hello"),
    ("app \"api\" { go \"1.24\"; run-env GREETING={} }", "hello"),
    ("app \"api\" { go \"1.24\"; label org.example.note={} }", "hello"),
    ("app \"api\" { go \"1.24\"; ignore {} }", "data/"),
    ("app \"api\" { go \"1.24\"; entrypoint \"/usr/local/bin/api\" {} }", "--verbose"),
    ("app \"api\" { go \"1.24\"; cmd {} }", "--verbose"),
    ("app \"api\" { python \"3.13\"; port 8000; healthcheck {}; entrypoint \"python\" \"main.py\" }", "/health"),
    ("app \"api\" { python \"3.13\"; port 8000; healthcheck \"/health\" interval={}; entrypoint \"python\" \"main.py\" }", "30s"),
    ("app \"api\" { go \"1.24\"; image {} }", "ghcr.io/acme/api:1"),
    ("app \"api\" { python \"3.13\"; build-step \"python\" {}; entrypoint \"python\" \"main.py\" }", "collect.py"),
    ("app \"api\" { python \"3.13\"; build-step \"python\" \"collect.py\" GREETING={}; entrypoint \"python\" \"main.py\" }", "hello"),
    ("app \"api\" { ruby \"3.3\"; build-step \"ruby\" \"-e\" \"1\"; build-step \"ruby\" {}; entrypoint \"ruby\" \"app.rb\" }", "collect.rb"),
];

/// The shape of a generated set of files: Dockerfile instruction keywords, compose key paths,
/// number of .dockerignore lines.
fn shape(files: &[(String, String)]) -> (Vec<String>, Vec<String>, usize) {
    let text = |name: &str| file_text(files, name);
    let keywords = instructions(&text("Dockerfile"))
        .iter()
        .map(|i| i.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    let compose: serde_norway::Value =
        serde_norway::from_str(&text("compose.yaml")).expect("compose.yaml parses");
    let mut keys = vec![];
    key_paths(&compose, "", &mut keys);
    // the service name is the app name, itself a slot: compare paths below it
    let keys = keys
        .into_iter()
        .map(|k| k.split('/').skip(3).collect::<Vec<_>>().join("/"))
        .collect();
    (keywords, keys, text(".dockerignore").lines().count())
}

fn file_text(files: &[(String, String)], name: &str) -> String {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.clone())
        .unwrap()
}

fn key_paths(v: &serde_norway::Value, prefix: &str, out: &mut Vec<String>) {
    if let serde_norway::Value::Mapping(m) = v {
        for (k, v) in m {
            let key = format!(
                "{prefix}/{}",
                k.as_str().expect("every compose key is a string")
            );
            out.push(key.clone());
            key_paths(v, &key, out);
        }
    }
}

#[test]
fn hostile_values_are_refused_or_stay_inside_their_slot() {
    let mut accepted = 0;
    for (template, harmless) in SLOTS {
        let baseline = compile(&template.replace("{}", &kdl_string(harmless)))
            .unwrap_or_else(|e| panic!("harmless value refused in {template}: {e:?}"));
        let expected = shape(&baseline.rendered.files);
        for value in HOSTILE {
            let recipe = template.replace("{}", &kdl_string(value));
            let result = std::panic::catch_unwind(|| compile(&recipe));
            let Ok(result) = result else {
                panic!("panic on {recipe}")
            };
            let Ok(dslim::compile::Unit { rendered, .. }) = result else {
                continue;
            };
            accepted += 1;
            assert_eq!(
                shape(&rendered.files),
                expected,
                "value {value:?} changed the structure of the files for {template}:\n{}",
                rendered.files[1].1
            );
            check_round_trip(template, value, &rendered.files);
        }
    }
    assert!(
        accepted > 20,
        "the corpus should also exercise accepted values, got {accepted}"
    );
}

/// Values that are accepted come back out exactly, where the syntax lets us read them back.
fn check_round_trip(template: &str, value: &str, files: &[(String, String)]) {
    let text = |name: &str| file_text(files, name);
    let exec_slot = template.contains("build-step \"python\" {}");
    if template.contains("entrypoint \"/usr/local/bin/api\" {}")
        || template.contains("cmd {}")
        || exec_slot
    {
        let keyword = if template.contains("cmd {}") {
            "CMD "
        } else if exec_slot {
            "RUN ["
        } else {
            "ENTRYPOINT "
        };
        let line = instructions(&text("Dockerfile"))
            .into_iter()
            .find(|l| l.starts_with(keyword))
            .unwrap();
        let json = &line[keyword.trim_end_matches('[').len()..];
        let argv: Vec<String> = serde_json::from_str(json).expect("exec form is JSON");
        assert_eq!(argv.last().map(String::as_str), Some(value), "{line}");
    }
    if template.contains("build-step \"ruby\" {}") {
        // several build steps share one shell RUN: the value comes back as the last word
        let line = instructions(&text("Dockerfile"))
            .into_iter()
            .find(|l| l.starts_with("RUN ruby -e 1 "))
            .unwrap();
        let words = shlex::split(&line["RUN ".len()..]).expect("sh words");
        assert_eq!(words.last().map(String::as_str), Some(value), "{line}");
    }
    if template.starts_with("app {}") {
        let compose: serde_norway::Value = serde_norway::from_str(&text("compose.yaml")).unwrap();
        let services = compose["services"].as_mapping().unwrap();
        assert_eq!(
            services.keys().next().and_then(|k| k.as_str()),
            Some(value),
            "service name must read back as the string"
        );
    }
    if template.contains("run-env") {
        let compose: serde_norway::Value = serde_norway::from_str(&text("compose.yaml")).unwrap();
        assert_eq!(
            compose["services"]["api"]["environment"]["GREETING"].as_str(),
            Some(value)
        );
    }
}
