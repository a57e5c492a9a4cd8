//! A stack is one folder, one registration line and one data file. This test adds a fake
//! stack (Zig) the way the README's "Adding a stack" says, in memory: its data as text, its
//! provider as a struct, its registration appended to `builtin()`. It checks that `init`,
//! `plan`, `generate` (through the command line) and the schema all know it. It also checks that
//! broken data fails to load, naming its file, instead of failing a user's run.

use camino::Utf8Path;
use clap::Parser;
use serde::Deserialize;

use dslim::detect::{DetectInput, Detection, Evidence};
use dslim::error::Error;
use dslim::knowledge::BASE_TOML;
use dslim::model::{Shape, StackInput};
use dslim::plan::{Ctx, Input, RuntimeStage, StackStages, Stage, StageName, Step};
use dslim::stacks::{builtin, register, Catalog, Stack, StackApp};

/// recipes/stacks/zig.toml, as a new stack would have it.
const ZIG_TOML: &str = r#"
title = "Zig"
summary = "A Zig app, built with zig build into one static binary."
default_version = "0.14"
version_pattern = '^0\.[0-9]+$'
version_example = "0.13"
min_version = "0.12"
default_runtime = "scratch"
runtimes = ["scratch", "slim"]
properties = { step = "The zig build step that installs the binary (default install)." }
default_port = 8080
signs = ["build.zig"]
dockerignore = ["zig-cache/", "zig-out/"]
# the stack's own field, read by its provider
build = "zig build -Doptimize=ReleaseSmall"

[images.debian]
builder = "example/zig:{{ version }}-{{ release }}"

[images.alpine]
builder = "example/zig:{{ version }}-alpine{{ release }}"
"#;

/// src/stacks/zig/mod.rs, as a new stack would have it.
#[derive(Deserialize)]
struct Zig {
    build: String,
}

struct ZigApp<'s> {
    stack: &'s Zig,
    binary: String,
    step: String,
}

impl Stack for Zig {
    fn validate<'s>(&'s self, cx: &mut StackInput<'_>) -> Option<Box<dyn StackApp + 's>> {
        let step = cx
            .node
            .prop("step")
            .map_or("install".into(), |v| v.value.as_text());
        Some(Box::new(ZigApp {
            stack: self,
            binary: cx.app_name.unwrap_or_default().into(),
            step,
        }))
    }

    fn detect(&self, input: &DetectInput) -> Option<Detection> {
        let signs = input.signs();
        if signs.is_empty() {
            return None;
        }
        let mut d = Detection::new(input.stack, signs);
        d.version = Some(input.default_version());
        d.port = Some(input.port(&[], &[], "the usual port"));
        d.evidence.push(Evidence::file("build.zig", "zig build"));
        Some(d)
    }
}

impl StackApp for ZigApp<'_> {
    fn shape(&self) -> Shape {
        Shape {
            static_site: None,
            default_entrypoint: vec![format!("/usr/local/bin/{}", self.binary)],
            language: serde_json::json!({ "kind": "zig", "step": self.step }),
            shared: None,
        }
    }

    fn stages(&self, ctx: &Ctx) -> Result<StackStages, Error> {
        let mut steps = ctx.builder_head(&[], "/src", &["build.zig".into()])?;
        steps.push(Step::copy_context(vec![".".into()], ".", None));
        steps.push(Step::run(
            vec![format!("{} {}", self.stack.build, self.step)],
            &["/root/.cache/zig".into()],
        ));
        let binary = format!("/src/zig-out/bin/{}", self.binary);
        Ok(StackStages {
            stages: vec![Stage {
                name: StageName::Builder,
                from: ctx.builder_image()?,
                purpose: "builder: zig build".into(),
                steps,
            }],
            runtime: RuntimeStage {
                from: ctx.runtime_image(None)?,
                copies: vec![Step::copy_from(
                    StageName::Builder,
                    &binary,
                    &format!("/usr/local/bin/{}", self.binary),
                    None,
                )],
                env: vec![],
                command: vec![],
                packages: vec![],
            },
            dockerignore: vec![],
            inputs: vec![],
            missing_hint: Input {
                path: String::new(),
                span: ctx.app.version.span,
                hint: "`zig init` writes build.zig".into(),
            },
        })
    }
}

/// dslim's own stacks plus Zig.
fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut stacks = builtin();
        stacks.push(register::<Zig>("zig", ZIG_TOML));
        Catalog::load(BASE_TOML, stacks).expect("zig's data loads")
    })
}

const RECIPE: &str = "app \"hello\" {\n    zig \"0.13\" step=\"install\"\n    port 8080\n}\n";

#[test]
fn plan_knows_the_new_stack() {
    let unit = dslim::compile::compile_text(catalog(), RECIPE, "dslim.kdl").unwrap();
    let stages: Vec<&str> = unit.plan.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(stages, ["builder", "runtime"]);
    assert_eq!(
        unit.plan.stages[0].from.to_string(),
        "example/zig:0.13-trixie"
    );
    assert_eq!(unit.plan.stages[1].from.to_string(), "scratch");
    assert_eq!(unit.app.entrypoint, ["/usr/local/bin/hello"]);
    assert_eq!(unit.app.language["step"], "install");
    assert!(unit.plan.dockerignore.contains(&"zig-cache/".to_string()));
}

#[test]
fn generate_writes_the_new_stack_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(dir.path()).unwrap();
    std::fs::write(dir.join("dslim.kdl"), RECIPE).unwrap();
    std::fs::write(dir.join("build.zig"), "// build\n").unwrap();
    let cli = dslim::cli::Cli::try_parse_from(["dslim", "generate", dir.as_str()]).unwrap();
    dslim::cli::run(catalog(), cli).unwrap();
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("FROM example/zig:0.13-trixie AS builder"));
    assert!(dockerfile.contains("zig build -Doptimize=ReleaseSmall install"));
    assert!(dockerfile.contains("USER ${UID}:${GID}"));
    let compose = std::fs::read_to_string(dir.join("compose.yaml")).unwrap();
    assert!(compose.contains("target: runtime"));
}

#[test]
fn init_detects_the_new_stack_and_writes_a_recipe_that_compiles() {
    let dir = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(dir.path()).unwrap();
    std::fs::write(dir.join("build.zig"), "// build\n").unwrap();
    let options = dslim::init::Options {
        dir: dir.to_path_buf(),
        stack: None,
        port: None,
        entrypoint: None,
        version: None,
        manager: None,
        bin: None,
        runtime: None,
        force: false,
        yes: true,
    };
    let outcome = dslim::init::prepare(catalog(), &options).unwrap();
    assert_eq!(outcome.detection.stack, "zig");
    assert!(
        outcome.recipe.contains("zig \"0.14\""),
        "{}",
        outcome.recipe
    );
    dslim::compile::compile_text(catalog(), &outcome.recipe, "dslim.kdl").unwrap();
}

#[test]
fn the_schema_and_the_recipe_language_know_the_new_stack() {
    let schema = dslim::schema::schema(&catalog().knowledge);
    let zig = &schema["properties"]["app"]["properties"]["zig"];
    assert_eq!(
        zig["description"],
        "A Zig app, built with zig build into one static binary."
    );
    assert!(zig["properties"]["step"].is_object());
    // a property the data does not list is refused, with the list
    let err = dslim::compile::compile_text(
        catalog(),
        "app \"a\" {\n    zig optimize=\"fast\"\n}\n",
        "dslim.kdl",
    )
    .unwrap_err();
    assert!(format!("{:?}", err.errors()).contains("step"));
}

#[test]
fn every_data_file_is_registered_and_every_registration_has_one() {
    let mut files: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/recipes/stacks"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    files.sort();
    let mut registered: Vec<String> = builtin()
        .iter()
        .map(|r| format!("{}.toml", r.name))
        .collect();
    registered.sort();
    assert_eq!(
        files, registered,
        "each recipes/stacks/NAME.toml is registered in builtin() in src/stacks/mod.rs, and each registration has its file"
    );
}

/// Loads dslim's stacks with `edit` applied to one stack's data; returns the error.
fn broken(stack: &str, edit: impl Fn(&str) -> String) -> String {
    let stacks = builtin()
        .into_iter()
        .map(|mut r| {
            if r.name == stack {
                r.toml = edit(&r.toml);
            }
            r
        })
        .collect();
    match Catalog::load(BASE_TOML, stacks) {
        Ok(_) => panic!("broken {stack} data loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn broken_data_fails_to_load_and_names_its_file() {
    let bad_pattern = broken("python", |t| {
        t.replace("version_pattern = '^[0-9]", "version_pattern = '^[0-9(")
    });
    assert!(
        bad_pattern.starts_with("recipes/stacks/python.toml"),
        "{bad_pattern}"
    );

    let unknown_name = broken("node", |t| {
        t.replace("npm run {{ script }}", "npm run {{ scrpit }}")
    });
    assert!(unknown_name.contains("scrpit"), "{unknown_name}");

    let unknown_manager = broken("python", |t| {
        t.replace("default_manager = \"pip\"", "default_manager = \"pipx\"")
    });
    assert!(unknown_manager.contains("pipx"), "{unknown_manager}");

    let missing_images = broken("go", |t| t.replace("[images.alpine]", "[images.alpin]"));
    assert!(missing_images.contains("alpine"), "{missing_images}");

    let misspelt = broken("python", |t| {
        t.replace("entrypoint_example =", "entrypoint_exmaple =")
    });
    assert!(misspelt.contains("`entrypoint_exmaple`"), "{misspelt}");

    // a table the common fields skip as a whole (`[detect]`) still has its keys checked
    let misspelt_in_a_table = broken("python", |t| {
        t.replace("wsgi_apps =", "wsgi_appz = []\nwsgi_apps =")
    });
    assert!(
        misspelt_in_a_table.contains("`detect.wsgi_appz`"),
        "{misspelt_in_a_table}"
    );

    let bad_runtime = broken("rust", |t| {
        t.replace(
            "runtimes = [\"slim\", \"distroless\", \"minimal\"]",
            "runtimes = [\"slim\", \"distroless\", \"minimal\", \"wasm\"]",
        )
    });
    assert!(bad_runtime.contains("wasm"), "{bad_runtime}");
}

/// Every stack on every distro, runtime and manager dslim knows, with the nodes that reach
/// its templates: each compiles, so every template in `recipes/` renders.
#[test]
fn every_template_in_the_data_renders() {
    let k = &dslim::stacks::Catalog::builtin().unwrap().knowledge;
    let mut compiled = 0;
    for (name, data) in &k.stacks {
        for (distro_name, distro) in &k.distros {
            // a recipe asking for a distro the stack has no images on gets an error instead
            if !data.images.contains_key(distro_name) {
                continue;
            }
            for runtime in &data.runtimes {
                if data.runtime_named(Some(runtime)) == "distroless" && !distro.distroless {
                    continue;
                }
                let managers: Vec<Option<&String>> = if data.managers.is_empty() {
                    vec![None]
                } else {
                    data.managers.keys().map(Some).collect()
                };
                for manager in managers {
                    let mut recipe =
                        format!("app \"probe\" {{\n    {name} \"{}\"", data.version_example);
                    if let Some(m) = manager {
                        recipe.push_str(&format!(" manager=\"{m}\""));
                    }
                    recipe.push_str(&format!(
                        "\n    base \"{distro_name}\"\n    runtime \"{runtime}\"\n    build-deps \"gcc\"\n    port 8080\n"
                    ));
                    // every stack probes on every runtime: with its interpreter or dslim's probe
                    recipe.push_str("    healthcheck \"/health\"\n");
                    if runtime == "slim" {
                        recipe.push_str("    runtime-libs \"ca-certificates\"\n");
                    }
                    if !data.entrypoint_example.is_empty() {
                        recipe.push_str("    entrypoint \"run\"\n");
                    }
                    if data.nodes.iter().any(|n| n == "build") {
                        recipe.push_str("    build script=\"build\"\n");
                    }
                    recipe.push('}');
                    dslim::compile::compile_text(catalog(), &recipe, "dslim.kdl")
                        .unwrap_or_else(|e| panic!("{recipe}\n{e:?}"));
                    compiled += 1;
                }
            }
            if data.nodes.iter().any(|n| n == "spa") {
                let recipe = format!(
                    "app \"web\" {{\n    {name}\n    base \"{distro_name}\"\n    spa fallback=#false\n}}"
                );
                dslim::compile::compile_text(catalog(), &recipe, "dslim.kdl")
                    .unwrap_or_else(|e| panic!("{recipe}\n{e:?}"));
            }
        }
    }
    assert!(compiled >= 20, "{compiled} combinations");
}

#[test]
fn a_minimal_runtime_names_another_of_the_stacks_runtimes() {
    let err = broken("go", |t| {
        t.replace("minimal = \"scratch\"", "minimal = \"minimal\"")
    });
    assert!(err.contains("runtime \"minimal\" needs"), "{err}");
}
