//! Detecting Node apps: package.json with its lockfile; a server started by its `start`
//! script or `main`, or a single-page app whose `build` produces static files for nginx.

use regex::Regex;
use serde_json::Value;

use super::bins::{start_command, Executables};
use super::frameworks::{build_env, bundled_app, next_app};
use super::Node;
use super::NodeDetect;
use crate::detect::secrets::{self, SecretGuess};
use crate::detect::{major_minor, Build, DetectInput, Detection, Evidence, Finding};
use crate::error::{Unsupported, Warning};
use crate::knowledge::{version_at_least, StackData};
use crate::project::Project;

pub fn detect(stack: &Node, input: &DetectInput) -> Option<Detection> {
    let project = input.project;
    let text = project.read("package.json")?;
    let mut d = Detection::new(input.stack, vec![Evidence::file("package.json", "")]);
    let package: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            d.unsupported = Some(Unsupported::InvalidManifest {
                file: "package.json".into(),
                detail: e.to_string(),
            });
            return Some(d);
        }
    };
    if tooling_only(stack, &package) {
        return None;
    }
    let k = &stack.detect;
    let at = |needle: &str| {
        Evidence::line(
            "package.json",
            project.line_of("package.json", needle).unwrap_or(1),
            "",
        )
    };

    // --- package manager, from the lockfile
    let by_file = input
        .manager_by_file()
        .or_else(|| input.manager_above(&mut d.warnings));
    d.manager = Some(match by_file {
        Some(found) => found,
        None => {
            let declared = package["packageManager"]
                .as_str()
                .and_then(|s| s.split('@').next())
                .filter(|m| ["npm", "yarn", "pnpm"].contains(m));
            let manager = declared.unwrap_or("npm").to_string();
            d.warnings.push(Warning::NoNodeLockfile {
                manager: manager.clone(),
            });
            match declared {
                Some(_) => Finding::found(manager, at("packageManager")),
                None => Finding::guessed(manager, "no lockfile"),
            }
        }
    });
    // Yarn 2+ (a .yarnrc.yml, or `packageManager: yarn@4...`): built with its node-modules
    // linker; Plug'n'Play, its default, is refused
    let berry = project.exists(".yarnrc.yml")
        || package["packageManager"]
            .as_str()
            .and_then(|p| p.strip_prefix("yarn@"))
            .is_some_and(|v| !v.starts_with("1."));
    if berry && d.manager.as_ref().is_some_and(|m| m.value == "yarn") {
        match project.find(".yarnrc.yml", &k.yarn_node_modules.0) {
            Some((line, _)) => {
                let at = Evidence::line(".yarnrc.yml", line, "Yarn 2+ with node_modules");
                d.manager = Some(Finding::found("yarn-berry".to_string(), at));
            }
            None => d.unsupported = Some(Unsupported::YarnBerry),
        }
    }

    // --- version
    d.version = Some(version(project, &package, input.data));

    let names = |key: &str| -> Vec<String> {
        package[key]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let dependencies = names("dependencies");
    d.dependencies = dependencies
        .iter()
        .map(|n| (n.clone(), at(&format!("\"{n}\""))))
        .collect();
    let all: Vec<String> = dependencies
        .iter()
        .cloned()
        .chain(names("devDependencies"))
        .collect();
    let scripts = &package["scripts"];
    let nx = nx_build(project);
    let build_script = scripts["build"].as_str();

    // --- a framework that builds its server (Nuxt, SvelteKit's Node adapter): before the
    // single-page apps, since it builds with a bundler too
    let executables = Executables::of(project, &stack.bins);
    if let Some(bundled) = k.bundled.iter().find(|b| all.contains(&b.dependency)) {
        if !bundled_app(
            bundled,
            &package,
            &dependencies,
            &executables,
            input,
            &mut d,
        ) {
            build_env(&k.build_env, project, &mut d);
            return Some(d);
        }
        return Some(server_tail(stack, input, &package, &dependencies, d));
    }

    // --- a single-page app: a bundler builds it and nothing serves it but a static server
    // in the keys' order: the frameworks' own tools (`@sveltejs/adapter-static`, gatsby)
    // before the vite they build with
    let tool = (k.spa_tools.keys()).find(|t| all.contains(t));
    let server = dependencies.iter().find(|n| k.servers.contains(n));
    if let (Some(tool), None, Some(_)) = (tool, server, build_script) {
        d.spa = true;
        let output = configured_output(project, k, nx.as_ref()).unwrap_or_else(|| {
            let evidence = Evidence {
                note: format!("{tool}'s default output"),
                ..at(&format!("\"{tool}\""))
            };
            (k.spa_tools[tool].clone(), evidence)
        });
        d.build = Some(Finding::found(Build::output("build", output.0), output.1));
        d.port = Some(Finding::guessed(
            input.knowledge.spa.default_port,
            "the port of unprivileged nginx",
        ));
        build_env(&k.build_env, project, &mut d);
        return Some(d);
    }

    // --- Next.js: `next build`, then `next start` or, for a static export, nginx
    if dependencies.contains(&k.next.dependency) {
        next_app(&k.next, project, &package, &mut d, input);
        build_env(&k.build_env, project, &mut d);
        if d.spa {
            return Some(d);
        }
        return Some(server_tail(stack, input, &package, &dependencies, d));
    }

    // --- a server: the production start script, as node runs it (a dependency's executable
    // through its file, the variables it sets as the recipe's)
    // a devDependency's executable (tsx) only when nothing builds the app into JavaScript
    let dev_dependencies = match build_script {
        None => names("devDependencies"),
        Some(_) => vec![],
    };
    let started = stack.start_scripts.iter().find_map(|name| {
        let script = scripts[name.as_str()].as_str()?;
        let command = start_command(script, &executables, &dependencies, &dev_dependencies)?;
        Some((name, script, command))
    });
    let start = scripts["start"].as_str();
    // a file `node` runs must be there, or be made by the build (`node dist/index.js`):
    // package.json's `main` is often stale
    let runnable = |argv: &Vec<String>| {
        build_script.is_some() || script_file(argv).is_none_or(|file| project.exists(file))
    };
    d.entrypoint = started
        .filter(|(_, _, command)| command.package.is_some() || runnable(&command.argv))
        .map(|(name, script, command)| {
            let evidence = at(&format!("\"{name}\""));
            d.set_envs(&command.env, &evidence);
            if command.dev {
                // the final image then keeps the devDependencies, the one that starts it among them
                d.stack_flags
                    .push(("dev-dependencies", Finding::found(true, evidence.clone())));
                d.warnings.push(Warning::DevDependenciesKept {
                    script: script.to_string(),
                });
            }
            let known = command.bin.and_then(|bin| stack.bins.get(&bin));
            if let Some(known) = known {
                d.set_envs(&known.env, &evidence);
            }
            if let Some((port, package)) = known.and_then(|k| k.port).zip(command.package) {
                let note = format!("{package}'s default port");
                d.listen_on_port(Finding::found(
                    port,
                    Evidence {
                        note,
                        ..evidence.clone()
                    },
                ));
            }
            Finding::found(command.argv, evidence)
        })
        .or_else(|| {
            package["main"]
                .as_str()
                .map(|main| vec!["node".to_string(), main.to_string()])
                .filter(runnable)
                .map(|argv| Finding::found(argv, at("\"main\"")))
        })
        .or_else(|| {
            let (output, main, evidence) = nx.clone()?;
            Some(Finding::found(
                vec!["node".to_string(), format!("{output}/{main}")],
                evidence,
            ))
        })
        .or_else(|| {
            [
                "server.js",
                "index.js",
                "app.js",
                "src/index.js",
                "src/server.js",
            ]
            .iter()
            .find(|f| project.exists(f))
            .map(|f| {
                Finding::found(
                    vec!["node".to_string(), f.to_string()],
                    Evidence::file(f, ""),
                )
            })
        });
    if d.entrypoint.is_none() {
        match start {
            Some(s) => d.warnings.push(Warning::StartScriptNotNode {
                script: s.to_string(),
            }),
            None => d.warnings.push(Warning::NoNodeStart),
        }
    }
    if build_script.is_some() {
        let output = configured_output(project, k, nx.as_ref()).or_else(|| {
            // `node dist/index.js` runs from the build's output folder
            let file = script_file(&d.entrypoint.as_ref()?.value)?;
            let (dir, _) = file.split_once('/').filter(|(dir, _)| !dir.is_empty())?;
            Some((dir.to_string(), at("\"start\"")))
        });
        d.build = Some(match output {
            Some((dir, evidence)) => Finding::found(Build::output("build", dir), evidence),
            None => Finding::guessed(
                Build::output("build", "dist".to_string()),
                "the usual output folder",
            ),
        });
    }
    Some(server_tail(stack, input, &package, &dependencies, d))
}

/// The app's own file a start command runs: the first argument with a folder in it, not a
/// flag and not a dependency's executable (`dist/main.js` of
/// `node node_modules/fastify-cli/cli.js start -l info dist/main.js`).
fn script_file(argv: &[String]) -> Option<&str> {
    // node's flags that take the next word (`-r dotenv/config`): a module, not the app's file
    const TAKES_VALUE: [&str; 6] = [
        "-r",
        "--require",
        "--import",
        "--loader",
        "--env-file",
        "-e",
    ];
    let mut words = vec![];
    let mut rest = argv.iter().skip(1).map(String::as_str);
    while let Some(word) = rest.next() {
        if TAKES_VALUE.contains(&word) {
            rest.next();
        } else if !word.starts_with('-') && !word.starts_with("node_modules/") {
            words.push(word);
        }
    }
    (words.iter())
        .find(|w| w.contains('/'))
        .or_else(|| words.first())
        .copied()
}

/// A package.json that only holds linters and formatters (for a Python app's static files, say),
/// with nothing that starts: tooling, not an app.
fn tooling_only(stack: &Node, package: &Value) -> bool {
    let has = |key: &str| package[key].as_object().is_some_and(|m| !m.is_empty());
    let dev: Vec<&String> = package["devDependencies"]
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    !has("dependencies")
        && !dev.is_empty()
        && dev.iter().all(|d| stack.tooling.contains(d))
        && package["scripts"]["start"].is_null()
        && package["main"].is_null()
}

/// What every Node server needs found: the variables it requires, its port (unless known
/// already) and the system packages of its native dependencies.
fn server_tail(
    stack: &Node,
    input: &DetectInput,
    package: &Value,
    dependencies: &[String],
    mut d: Detection,
) -> Detection {
    let (project, k) = (input.project, &stack.detect);
    let sources = project.sources(&["js", "mjs", "cjs", "ts", "mts"], 2);
    d.required_env = crate::detect::required_env(project, &sources, &k.env);
    // a private registry: its token, and the .npmrc that says where it goes
    let tokens = secrets::variables_in(project, &k.npmrc, &k.npmrc_variables);
    if !tokens.is_empty() {
        d.secrets.push(Finding::found(
            SecretGuess::file("npmrc", &k.npmrc),
            Evidence::file(
                &k.npmrc,
                "the registry's configuration, kept out of the build context",
            ),
        ));
    }
    for (var, at) in tokens {
        d.secrets.push(Finding::found(SecretGuess::env(&var), at));
    }
    // a server that listens on every interface only where a variable is set: set it
    let switch = &k.listen_switch;
    if let Some((file, line, var)) =
        project.find_any(&sources, switch.patterns.iter().map(|p| &p.0))
    {
        d.set_env(Finding::found(
            (var, switch.value.clone()),
            Evidence::line(
                &file,
                line,
                "it listens on every interface only when this is set",
            ),
        ));
    }
    if d.port.is_none() {
        d.port = Some(input.port(&sources, &k.ports, "the usual port of Node servers"));
    }
    d.native = dependencies
        .iter()
        .filter_map(|n| {
            let line = project
                .line_of("package.json", &format!("\"{n}\""))
                .unwrap_or(1);
            input.native_dep(n, Evidence::line("package.json", line, ""))
        })
        .collect();
    super::codegen::detect(&k.codegen, project, package, dependencies, &mut d);
    d
}

/// The output folder a bundler or tsconfig names, and where. Angular's is in angular.json.
fn configured_output(
    project: &Project,
    k: &NodeDetect,
    nx: Option<&NxBuild>,
) -> Option<(String, Evidence)> {
    if let Some(found) = angular_output(project) {
        return Some(found);
    }
    if let Some((output, _, evidence)) = nx {
        return Some((output.clone(), evidence.clone()));
    }
    // the build script's own flags (esbuild --outdir=...)
    let script = project.find_any(
        &["package.json".to_string()],
        k.script_outputs.iter().map(|p| &p.0),
    );
    if let Some((file, line, dir)) = script {
        let dir = dir.trim_end_matches('/').to_string();
        return Some((dir, Evidence::line(&file, line, "")));
    }
    let output_dirs = &k.output_dirs;
    let files = [
        "vite.config.ts",
        "vite.config.js",
        "vite.config.mjs",
        "tsconfig.json",
    ];
    let present: Vec<String> = files
        .iter()
        .filter(|f| project.exists(f))
        .map(|f| f.to_string())
        .collect();
    let (file, line, dir) = project.find_any(&present, output_dirs.iter().map(|p| &p.0))?;
    let dir = dir
        .trim_start_matches("./")
        .trim_end_matches('/')
        .to_string();
    Some((dir, Evidence::line(&file, line, "")))
}

/// An Nx build's output folder, the file it makes of `main` there, and where it says so.
type NxBuild = (String, String, Evidence);

/// An Nx project's build (`nx build` of a root project.json): the folder its bundler writes
/// (`outputPath`) and the file it makes of `main` there. Only for the bundling executors, which
/// write `main.js` at the folder's top (esbuild's and webpack's); tsc's keeps the source tree.
fn nx_build(project: &Project) -> Option<NxBuild> {
    let config: Value = serde_json::from_str(&project.read("project.json")?).ok()?;
    let build = &config["targets"]["build"];
    let executor = build["executor"].as_str()?;
    let bundles = [":esbuild", ":webpack"]
        .iter()
        .any(|e| executor.ends_with(e));
    let options = &build["options"];
    let output = options["outputPath"].as_str()?.trim_end_matches('/');
    let main = camino::Utf8Path::new(options["main"].as_str()?).file_stem()?;
    let line = project
        .line_of("project.json", "\"outputPath\"")
        .unwrap_or(1);
    bundles.then(|| {
        (
            output.to_string(),
            format!("{main}.js"),
            Evidence::line("project.json", line, "Nx's build writes it"),
        )
    })
}

/// angular.json's build output: the first project's `outputPath`, whose `browser/` subfolder
/// holds the site when the builder is the application builder of Angular 17 and later.
fn angular_output(project: &Project) -> Option<(String, Evidence)> {
    let text = project.read("angular.json")?;
    let config: Value = serde_json::from_str(&text).ok()?;
    let projects = config["projects"].as_object()?;
    let name = config["defaultProject"]
        .as_str()
        .filter(|n| projects.contains_key(*n))
        .or_else(|| projects.keys().next().map(String::as_str))?;
    let build = &projects[name]["architect"]["build"];
    let application = build["builder"]
        .as_str()
        .is_some_and(|b| b.ends_with(":application"));
    let (base, browser) = match &build["options"]["outputPath"] {
        Value::String(path) => (path.clone(), application.then(|| "browser".to_string())),
        // { "base": "dist/app", "browser": "" } in Angular 17+
        Value::Object(o) => (
            o.get("base")?.as_str()?.to_string(),
            Some(
                o.get("browser")
                    .and_then(Value::as_str)
                    .unwrap_or("browser")
                    .to_string(),
            ),
        ),
        _ => return None,
    };
    let dir = match browser.filter(|b| !b.is_empty()) {
        Some(b) => format!("{}/{b}", base.trim_end_matches('/')),
        None => base.trim_end_matches('/').to_string(),
    };
    let line = project.line_of("angular.json", "outputPath").unwrap_or(1);
    Some((dir, Evidence::line("angular.json", line, "outputPath")))
}

fn version(project: &Project, package: &Value, data: &StackData) -> Finding<String> {
    let Ok(major) = Regex::new(r"([0-9]+)(?:\.[0-9]+)*") else {
        return crate::detect::default_version(data);
    };
    for file in [".nvmrc", ".node-version"] {
        if let Some(text) = project.read(file) {
            if let Some(c) = major.captures(text.lines().next().unwrap_or("")) {
                return Finding::found(c[1].to_string(), Evidence::line(file, 1, ""));
            }
        }
    }
    if let Some(engines) = package["engines"]["node"].as_str() {
        let evidence = Evidence::line(
            "package.json",
            project.line_of("package.json", "\"node\"").unwrap_or(1),
            format!("engines.node = \"{engines}\""),
        );
        let default = &data.default_version;
        if let Some(c) = major.captures(engines) {
            let named = c[1].to_string();
            // ">=18" allows today's default; "20.x", "^20", "~20.1" mean that major
            let lower_bound_only =
                engines.trim_start().starts_with(">=") || engines.trim_start().starts_with('>');
            let version = if lower_bound_only && version_at_least(default, &named) {
                default.clone()
            } else {
                major_minor(&named)
            };
            return Finding::found(version, evidence);
        }
    }
    crate::detect::default_version(data)
}
