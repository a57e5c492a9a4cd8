//! `dslim init` on small real-looking apps: what it detects, the recipe it writes (which must
//! compile), and how it refuses.

mod common;

use common::Test;

/// Runs init in a folder holding `files`; returns the recipe it wrote and its report.
fn init(files: &[(&str, &str)], args: &[&str]) -> (String, String) {
    let mut test = Test::new();
    for (name, text) in files {
        test = test.file(&format!("app/{name}"), text);
    }
    let mut all = vec!["init", "app"];
    all.extend_from_slice(args);
    let out = test.args(&all).run();
    let recipe = out.file("app/dslim.kdl");
    common::compile(&recipe)
        .unwrap_or_else(|e| panic!("init wrote a recipe that does not compile: {e:?}\n{recipe}"));
    (recipe, out.stderr)
}

macro_rules! detects {
    ($name:ident, $files:expr) => {
        detects!($name, $files, &[]);
    };
    ($name:ident, $files:expr, $args:expr) => {
        #[test]
        fn $name() {
            let (recipe, report) = init($files, $args);
            insta::assert_snapshot!(stringify!($name), format!("{report}\n{recipe}"));
        }
    };
}

const FLASK_APP: &str = "from flask import Flask\n\napp = Flask(__name__)\n\n@app.get(\"/\")\ndef index():\n    return \"hi\"\n\nif __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", port=5000)\n";

detects!(
    flask_with_gunicorn_and_python_version,
    &[
        (".python-version", "3.12.4\n"),
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app.py", FLASK_APP),
    ]
);

detects!(
    flask_without_a_server_runs_its_own,
    &[
        ("requirements.txt", "flask==3.1.0\n"),
        ("app.py", FLASK_APP)
    ]
);

detects!(
    fastapi_with_psycopg2_from_source,
    &[
        (
            "requirements.txt",
            "fastapi==0.115.0\nuvicorn==0.30.0\npsycopg2==2.9.9  # built from source\n"
        ),
        ("runtime.txt", "python-3.13.1\n"),
        (
            "api/main.py",
            "from fastapi import FastAPI\n\napp = FastAPI(title=\"x\")\n"
        ),
    ]
);

detects!(fastapi_with_uv_and_requires_python, &[
    ("pyproject.toml", "[project]\nname = \"svc\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11,<3.14\"\ndependencies = [\"fastapi>=0.110\", \"uvicorn[standard]>=0.29\"]\n"),
    ("uv.lock", "version = 1\n"),
    ("main.py", "import os\nfrom fastapi import FastAPI\napi: FastAPI = FastAPI()\nPORT = int(os.environ.get(\"PORT\", \"8080\"))\n"),
]);

detects!(poetry_project, &[
    ("pyproject.toml", "[tool.poetry]\nname = \"svc\"\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \"~3.12\"\nflask = \"^3.0\"\ngunicorn = \"^23.0\"\nmysqlclient = \"^2.2\"\n"),
    ("poetry.lock", "# lock\n"),
    ("wsgi.py", "from flask import Flask\napplication = Flask(__name__)\n"),
]);

detects!(django_with_gunicorn, &[
    ("requirements.txt", "Django==5.1\ngunicorn==23.0.0\npsycopg2==2.9.9\n"),
    ("manage.py", "#!/usr/bin/env python\nimport os\n"),
    ("mysite/__init__.py", ""),
    ("mysite/wsgi.py", "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\napplication = get_wsgi_application()\n"),
]);

detects!(express_with_start_script_and_nvmrc, &[
    (".nvmrc", "v20.11.1\n"),
    ("package.json", "{\n  \"name\": \"api\",\n  \"scripts\": {\n    \"start\": \"node server.js\"\n  },\n  \"dependencies\": {\n    \"express\": \"^4.19.0\",\n    \"bcrypt\": \"^5.1.0\"\n  }\n}\n"),
    ("package-lock.json", "{}\n"),
    ("server.js", "const express = require('express');\nconst app = express();\nconst port = process.env.PORT || 4000;\napp.listen(port);\n"),
]);

detects!(typescript_api_with_build_and_yarn, &[
    ("package.json", "{\n  \"name\": \"api\",\n  \"engines\": { \"node\": \"20.x\" },\n  \"scripts\": {\n    \"build\": \"tsc\",\n    \"start\": \"node build/main.js\"\n  },\n  \"dependencies\": { \"fastify\": \"^4.0.0\" },\n  \"devDependencies\": { \"typescript\": \"^5.0.0\" }\n}\n"),
    ("yarn.lock", "# yarn lockfile v1\n"),
    ("src/main.ts", "import Fastify from 'fastify';\nconst app = Fastify();\napp.listen({ port: 3001, host: '0.0.0.0' });\n"),
]);

detects!(vite_react_spa_with_pnpm, &[
    ("package.json", "{\n  \"name\": \"web\",\n  \"scripts\": { \"dev\": \"vite\", \"build\": \"vite build\" },\n  \"dependencies\": { \"react\": \"^18.3.0\", \"react-dom\": \"^18.3.0\" },\n  \"devDependencies\": { \"vite\": \"^5.4.0\" }\n}\n"),
    ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
    ("vite.config.ts", "import { defineConfig } from 'vite';\nexport default defineConfig({\n  build: { outDir: 'public-build' },\n});\n"),
    ("index.html", "<div id=\"root\"></div>\n"),
]);

detects!(create_react_app_spa, &[
    ("package.json", "{\n  \"name\": \"web\",\n  \"scripts\": { \"start\": \"react-scripts start\", \"build\": \"react-scripts build\" },\n  \"dependencies\": { \"react\": \"^18.3.0\", \"react-scripts\": \"5.0.1\" }\n}\n"),
    ("package-lock.json", "{}\n"),
]);

detects!(go_with_cmd_layout_and_toolchain, &[
    ("go.mod", "module example.com/svc\n\ngo 1.23\n\ntoolchain go1.24.2\n"),
    ("cmd/svc/main.go", "package main\n\nimport \"net/http\"\n\nfunc main() {\n\thttp.ListenAndServe(\":9090\", nil)\n}\n"),
    ("internal/x/x.go", "package x\n"),
]);

detects!(rust_with_bin_and_toolchain_file, &[
    ("Cargo.toml", "[package]\nname = \"svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[[bin]]\nname = \"server\"\npath = \"src/main.rs\"\n"),
    ("Cargo.lock", "version = 3\n\n[[package]]\nname = \"openssl-sys\"\nversion = \"0.9.0\"\n\n[[package]]\nname = \"svc\"\nversion = \"0.1.0\"\n"),
    ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.84.1\"\n"),
    ("src/main.rs", "fn main() {\n    let listener = std::net::TcpListener::bind(\"0.0.0.0:7878\").unwrap();\n}\n"),
]);

detects!(
    no_version_hint_anywhere_uses_the_current_release,
    &[
        ("requirements.txt", "gunicorn\nflask\n"),
        ("app.py", FLASK_APP)
    ]
);

detects!(
    overrides_win_over_detection,
    &[
        ("requirements.txt", "flask\ngunicorn\n"),
        ("app.py", FLASK_APP)
    ],
    &[
        "--port",
        "9000",
        "--entrypoint",
        "gunicorn --workers 2 --bind 0.0.0.0:9000 app:app"
    ]
);

detects!(
    stack_override_picks_one_of_two,
    &[
        ("requirements.txt", "flask\ngunicorn\n"),
        ("app.py", FLASK_APP),
        ("package.json", "{\"name\": \"assets\"}\n")
    ],
    &["--stack", "python"]
);

/// A Python app and a Node server in one folder: two apps, for init to ask about.
fn python_and_node_apps() -> Test {
    Test::new()
        .file("app/requirements.txt", "flask\n")
        .file(
            "app/package.json",
            "{\"scripts\": {\"start\": \"node server.js\"}}\n",
        )
        .file(
            "app/server.js",
            "require(\"http\").createServer().listen(3000);\n",
        )
}

#[test]
fn several_stacks_are_reported_with_their_evidence() {
    python_and_node_apps()
        .args(&["init", "app"])
        .status(1)
        .stderr_has("found more than one stack")
        .stderr_has("python (requirements.txt)")
        .stderr_has("node (package.json)")
        .stderr_has("--stack")
        .run();
}

#[test]
fn an_empty_folder_says_what_it_looked_for() {
    let out = Test::new()
        .file("app/README.md", "hello\n")
        .args(&["init", "app"])
        .status(1)
        .stderr_has("found no app")
        .stderr_has("--stack")
        .run();
    assert!(!out.dir.path().join("app/dslim.kdl").exists());
}

#[test]
fn planned_stacks_are_named() {
    Test::new()
        .file("app/composer.json", "{\"require\": {\"php\": \"^8.3\"}}\n")
        .args(&["init", "app"])
        .status(1)
        .stderr_has("php apps are not supported yet")
        .run();
}

detects!(
    a_pipfile_without_its_lock_is_locked_in_the_builder,
    &[
        ("Pipfile", "[packages]\nflask = \"*\"\ngunicorn = \"*\"\n\n[requires]\npython_version = \"3.12\"\n"),
        ("app.py", SERVER),
    ]
);

#[test]
fn an_existing_recipe_is_not_overwritten_without_force() {
    let out = Test::new()
        .file("app/requirements.txt", "flask\ngunicorn\n")
        .file("app/app.py", FLASK_APP)
        .file("app/dslim.kdl", "// mine\n")
        .args(&["init", "app"])
        .status(1)
        .stderr_has("dslim.kdl already exists")
        .stderr_has("--force")
        .run();
    assert_eq!(out.file("app/dslim.kdl"), "// mine\n");
    assert!(out.again(&["init", "app", "--force"]).status.success());
    assert!(out.file("app/dslim.kdl").contains("python"));
}

#[test]
fn an_unknown_stack_override_is_refused() {
    Test::new()
        .file("app/requirements.txt", "flask\n")
        .args(&["init", "app", "--stack", "cobol"])
        .status(1)
        .stderr_has("--stack takes one of")
        .run();
}

#[test]
fn a_hostile_entrypoint_override_cannot_break_the_recipe() {
    let (recipe, _) = init(
        &[("requirements.txt", "flask\n")],
        &["--entrypoint", "sh -c 'echo \"}\" ; app {'"],
    );
    assert!(
        recipe.contains(r#"entrypoint "sh" "-c" "echo \"}\" ; app {""#),
        "{recipe}"
    );
}

#[test]
fn init_then_generate_works_without_edits() {
    let out = Test::new()
        .file("app/requirements.txt", "flask\ngunicorn\n")
        .file("app/app.py", FLASK_APP)
        .args(&["init", "app"])
        .run();
    let generated = out.again(&["generate", "app"]);
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    assert!(out
        .file("app/Dockerfile")
        .contains("ENTRYPOINT [\"gunicorn\", \"--bind\", \"0.0.0.0:5000\", \"app:app\"]"));
}

#[test]
fn an_invalid_override_is_reported_against_the_recipe_it_would_write() {
    let out = Test::new()
        .file("app/requirements.txt", "flask\ngunicorn\n")
        .file("app/app.py", FLASK_APP)
        .args(&["init", "app", "--port", "0"])
        .status(2)
        .stderr_has("app/dslim.kdl:")
        .stderr_has("port number from 1 to 65535")
        .run();
    assert!(!out.dir.path().join("app/dslim.kdl").exists());
}

#[test]
fn a_port_override_also_moves_the_detected_server_command() {
    let (recipe, _) = init(
        &[
            ("requirements.txt", "flask\ngunicorn\n"),
            ("app.py", FLASK_APP),
        ],
        &["--port", "9000"],
    );
    assert!(recipe.contains("port 9000"), "{recipe}");
    assert!(recipe.contains(r#""--bind" "0.0.0.0:9000""#), "{recipe}");
}

#[test]
fn dependencies_in_included_requirements_are_seen() {
    let (recipe, _) = init(
        &[
            ("requirements.txt", "-r requirements/base.txt\n"),
            ("requirements/base.txt", "Django==5.1\ngunicorn==23.0.0\npsycopg2==2.9.9\n"),
            ("mysite/wsgi.py", "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"),
            ("mysite/asgi.py", "from django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n"),
        ],
        &[],
    );
    assert!(
        recipe
            .contains(r#"entrypoint "gunicorn" "--bind" "0.0.0.0:8000" "mysite.wsgi:application""#),
        "{recipe}"
    );
    assert!(
        recipe.contains("// from mysite/wsgi.py:1 (Django), requirements/base.txt:2"),
        "{recipe}"
    );
    assert!(recipe.contains(r#"runtime-libs "libpq5""#), "{recipe}");
}

#[test]
fn no_command_to_start_the_app_is_an_error_with_a_way_out() {
    let out = Test::new()
        .file("app/requirements.txt", "requests\n")
        .file("app/worker.py", "print('working')\n")
        .args(&["init", "app"])
        .status(1)
        .stderr_has("found no command that starts this python app")
        .stderr_has("--entrypoint")
        .run();
    assert!(!out.stderr.contains("bug"), "{}", out.stderr);
    assert!(!out.dir.path().join("app/dslim.kdl").exists());
}

#[test]
fn a_port_override_reaches_servers_that_read_port() {
    let (recipe, report) = init(
        &[
            ("package.json", "{\"scripts\": {\"start\": \"node server.js\"}}\n"),
            ("package-lock.json", "{}\n"),
            ("server.js", "const port = process.env.PORT || 3000;\nrequire('http').createServer().listen(port);\n"),
        ],
        &["--port", "9000"],
    );
    assert!(recipe.contains(r#"env PORT="9000""#), "{recipe}");
    assert!(report.contains("listens on 3000 (server.js:1)"), "{report}");
}

#[test]
fn a_package_json_that_starts_nothing_is_the_python_apps_front_end() {
    Test::new()
        .file("app/requirements.txt", "flask\n")
        .file(
            "app/app.py",
            "from flask import Flask\n\napp = Flask(__name__)\n",
        )
        .file(
            "app/package.json",
            "{\"devDependencies\": {\"esbuild\": \"^0.25.0\"}}\n",
        )
        .args(&["init", "app"])
        .stderr_has("detected python")
        .run();
}

#[test]
fn both_stacks_are_offered_as_choices() {
    python_and_node_apps()
        .args(&["init", "app"])
        .status(1)
        .stderr_has("--stack python or --stack node")
        .run();
}

// --- what the project already says about how it starts (Procfile, Dockerfile)

const FLASK_FACTORY: &str =
    "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n";

detects!(
    procfile_web_line_with_release_steps_and_a_dockerfile_port,
    &[
        ("requirements.txt", "flask==3.1.0\nflask-migrate==4.0.7\ngunicorn==23.0.0\n"),
        ("app/__init__.py", FLASK_FACTORY),
        ("microblog.py", "from app import create_app\n\napp = create_app()\n"),
        ("Procfile", "web: flask db upgrade; flask translate compile; gunicorn microblog:app\nworker: rq worker microblog-tasks\n"),
        ("Dockerfile", "FROM python:slim\nCOPY . .\nEXPOSE 5000\nENTRYPOINT [\"./boot.sh\"]\n"),
    ]
);

detects!(
    procfile_django_with_a_gunicorn_config_that_reads_port,
    &[
        ("requirements.txt", "django==5.1\ngunicorn==23.0.0\n"),
        ("manage.py", "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site.settings\")\n"),
        ("site/wsgi.py", "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"),
        ("gunicorn.conf.py", "import os\nbind = [\"[::]:{}\".format(os.environ.get(\"PORT\", 5006))]\n"),
        ("Procfile", "web: gunicorn --config gunicorn.conf.py site.wsgi\n"),
    ]
);

detects!(
    dockerfile_flask_run_with_its_environment_and_a_dev_stage,
    &[
        ("requirements.txt", "flask==3.1.0\nmysql-connector-python==9.0.0\n"),
        ("hello.py", "from flask import Flask\nserver = Flask(__name__)\n"),
        ("Dockerfile", "# syntax=docker/dockerfile:1.4\nFROM --platform=$BUILDPLATFORM python:3.10-alpine AS builder\nWORKDIR /code\nCOPY requirements.txt /code\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip3 install -r requirements.txt\nCOPY . .\nENV FLASK_APP hello.py\nENV FLASK_RUN_PORT=8000 DB_PASSWORD=secret\nEXPOSE 8000\nCMD [\"flask\", \"run\"]\n\nFROM builder AS dev-envs\nRUN <<EOF\napk update\napk add git\nEOF\nCMD [\"sh\"]\n"),
    ]
);

detects!(
    dockerfile_entrypoint_and_cmd_run_djangos_server,
    &[
        ("requirements.txt", "Django==3.2\n"),
        ("manage.py", "import os\n"),
        ("Dockerfile", "FROM python:3.7-alpine AS builder\nEXPOSE 8000\nWORKDIR /app\nCOPY . /app\nENTRYPOINT [\"python3\"]\nCMD [\"manage.py\", \"runserver\", \"0.0.0.0:8000\"]\nFROM builder as dev-envs\nCMD [\"manage.py\", \"runserver\", \"0.0.0.0:8000\"]\n"),
    ]
);

detects!(
    a_worker_with_no_web_process_has_no_port,
    &[
        ("requirements.txt", "rq==1.16\n"),
        ("worker.py", "from rq import Worker\n"),
        ("Procfile", "worker: python worker.py\n"),
    ]
);

detects!(
    poetry_run_in_a_procfile_starts_the_server_itself,
    &[
        ("pyproject.toml", "[tool.poetry]\nname = \"api\"\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nfastapi = \"*\"\nuvicorn = \"*\"\n"),
        ("poetry.lock", "# lock\n"),
        ("app/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
        ("Procfile", "web: poetry run uvicorn app.main:app\n"),
    ]
);

detects!(
    npm_start_in_a_procfile_is_read_from_package_json,
    &[
        ("package.json", "{\n  \"name\": \"web\",\n  \"scripts\": { \"start\": \"node index.js\" },\n  \"dependencies\": { \"express\": \"^4.19.2\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("index.js", "const app = require('express')();\napp.listen(process.env.PORT || 5000);\n"),
        ("Procfile", "web: npm start\n"),
    ]
);

detects!(
    a_go_directive_older_than_dslim_builds_is_raised,
    &[
        ("go.mod", "module example.com/backend\n\ngo 1.18\n"),
        ("main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":80\", nil) }\n"),
    ]
);

detects!(
    a_main_that_is_not_there_is_passed_over,
    &[
        ("package.json", "{\n  \"name\": \"backend\",\n  \"main\": \"index.js\",\n  \"scripts\": { \"dev\": \"nodemon src/index.js\" },\n  \"dependencies\": { \"express\": \"^5.1.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("src/index.js", "const app = require('express')();\napp.listen(3000);\n"),
    ]
);

#[test]
fn a_dockerfile_dslim_wrote_is_not_read_as_the_apps_own() {
    let out = Test::new()
        .file("app/requirements.txt", "flask==3.1.0\n")
        .file("app/app.py", FLASK_APP)
        .file(
            "app/dslim.kdl",
            "app \"app\" {\n    python \"3.13\"\n    entrypoint \"python\" \"elsewhere.py\"\n}\n",
        )
        .args(&["generate", "app"])
        .run();
    std::fs::remove_file(out.dir.path().join("app/dslim.kdl")).unwrap();
    let init = out.again(&["init", "app"]);
    let report = String::from_utf8_lossy(&init.stderr);
    assert!(init.status.success(), "{report}");
    assert!(report.contains("entrypoint python app.py"), "{report}");
    assert!(!report.contains("elsewhere"), "{report}");
}

detects!(
    a_render_yaml_worker_when_the_code_starts_nothing,
    &[
        ("requirements.txt", "celery==5.4.0\nredis==5.2.0\n"),
        ("tasks.py", "from celery import Celery\napp = Celery(\"tasks\")\n"),
        ("render.yaml", "services:\n  - type: worker\n    name: queue\n    runtime: python\n    buildCommand: \"pip install -r requirements.txt\"\n    startCommand: \"celery --app tasks worker --loglevel info\"\n    envVars:\n      - key: CELERY_BROKER_URL\n        fromService:\n          name: redis\n      - key: LOG_FORMAT\n        value: json\n"),
    ]
);

detects!(
    a_render_yaml_start_command_does_not_override_the_code,
    &[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        (
            "render.yaml",
            "services:\n  - type: web\n    name: web\n    startCommand: \"python app.py\"\n"
        ),
    ]
);

detects!(
    a_fly_toml_port_beats_a_guess,
    &[
        ("go.mod", "module example.com/api\n\ngo 1.24\n"),
        ("main.go", "package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc main() { http.ListenAndServe(\":\"+os.Getenv(\"PORT\"), nil) }\n"),
        ("fly.toml", "app = \"api\"\n\n[http_service]\n  internal_port = 8081\n  force_https = true\n"),
    ]
);

// --- app objects: at module level, in a package, made by a factory

detects!(
    a_flask_factory_runs_as_a_call,
    &[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app/__init__.py", FLASK_FACTORY),
    ]
);

detects!(
    a_module_level_app_from_a_factory_is_preferred,
    &[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app/__init__.py", FLASK_FACTORY),
        (
            "microblog.py",
            "from app import create_app\n\napp = create_app()\n"
        ),
    ]
);

detects!(
    an_asgi_factory_runs_with_uvicorn_factory,
    &[
        ("requirements.txt", "fastapi==0.115.0\nuvicorn==0.30.0\n"),
        (
            "service/__init__.py",
            "from fastapi import FastAPI\n\n\ndef build():\n    api = FastAPI()\n    return api\n"
        ),
    ]
);

detects!(
    angular_builds_where_angular_json_says,
    &[
        ("package.json", "{\n  \"name\": \"shop\",\n  \"scripts\": { \"build\": \"ng build\" },\n  \"dependencies\": { \"@angular/core\": \"^18.0.0\" },\n  \"devDependencies\": { \"@angular/cli\": \"^18.0.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("tsconfig.json", "{\n  \"compilerOptions\": { \"outDir\": \"./dist/out-tsc\" }\n}\n"),
        ("angular.json", "{\n  \"projects\": {\n    \"shop\": {\n      \"architect\": {\n        \"build\": {\n          \"builder\": \"@angular-devkit/build-angular:application\",\n          \"options\": { \"outputPath\": \"dist/shop\" }\n        }\n      }\n    }\n  }\n}\n"),
    ]
);

// --- frameworks that listen on localhost or a port of their own unless told

detects!(
    rocket_is_told_to_listen_on_all_interfaces,
    &[
        ("Cargo.toml", "[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nrocket = \"0.5\"\n"),
        ("Cargo.lock", "version = 4\n"),
        ("src/main.rs", "#[macro_use] extern crate rocket;\n\n#[launch]\nfn rocket() -> _ { rocket::build() }\n"),
    ]
);

detects!(
    rocket_takes_its_port_from_rocket_toml,
    &[
        ("Cargo.toml", "[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nrocket = \"0.5\"\n"),
        ("Cargo.lock", "version = 4\n"),
        ("Rocket.toml", "[default]\naddress = \"0.0.0.0\"\nport = 10000\n"),
        ("src/main.rs", "#[macro_use] extern crate rocket;\n"),
    ]
);

detects!(
    variables_read_with_no_default_are_listed_to_fill_in,
    &[
        ("package.json", "{\n  \"name\": \"api\",\n  \"scripts\": { \"start\": \"node server.js\" },\n  \"dependencies\": { \"mongoose\": \"^8.0.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("server.js", "const port = process.env.PORT || 3000;\nconst secret = process.env.WEBHOOK_SECRET || '';\nmongoose.connect(process.env.MONGODB_URI);\nconst level = process.env.LOG_LEVEL ?? 'info';\nrequire('http').createServer().listen(port);\n"),
    ]
);

detects!(
    the_fields_a_pydantic_settings_class_requires_are_listed_to_fill_in,
    &[
        ("requirements.txt", "fastapi[standard]==0.115.0\npydantic-settings==2.6.0\n"),
        ("app/core/config.py", "from typing import ClassVar\n\nfrom pydantic import Field\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\n\n\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_file=\"../.env\", env_prefix=\"api_\")\n\n    PROJECT_NAME: str\n    secret_key: str = Field(..., min_length=32)\n    debug: bool = False\n    sentry_dsn: str | None = None\n    workers: int = Field(default=2)\n\n    def database_url(self) -> str:\n        host: str = \"db\"\n        return host\n\n\nsettings = Settings()\n"),
        ("app/main.py", "from fastapi import FastAPI\n\nfrom app.core.config import settings\n\napp = FastAPI(title=settings.PROJECT_NAME)\n"),
    ]
);

detects!(
    django_assets_that_esbuild_writes_to_its_outdir,
    &[
        ("requirements.txt", "django==5.1.3\ngunicorn==23.0.0\n"),
        ("manage.py", "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"web.settings\")\n"),
        ("web/settings.py", "STATIC_URL = \"static/\"\n"),
        ("web/wsgi.py", "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"),
        ("package.json", "{\n  \"private\": true,\n  \"scripts\": {\n    \"build\": \"esbuild web/js/app.js --bundle --minify --outdir=web/static/web\"\n  },\n  \"devDependencies\": { \"esbuild\": \"^0.24.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
    ]
);

detects!(
    assets_whose_output_init_cannot_read_are_named_in_a_warning,
    &[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app.py", FLASK_APP),
        ("package.json", "{\n  \"private\": true,\n  \"scripts\": { \"build\": \"gulp build\" },\n  \"devDependencies\": { \"gulp\": \"^5.0.0\" }\n}\n"),
    ]
);

detects!(
    prisma_generates_its_client_in_the_build_stage,
    &[
        ("package.json", "{\n  \"name\": \"api\",\n  \"scripts\": { \"build\": \"tsc\", \"start\": \"node dist/index.js\" },\n  \"dependencies\": { \"@prisma/client\": \"^5.22.0\", \"express\": \"^4.21.0\" },\n  \"devDependencies\": { \"prisma\": \"^5.22.0\", \"typescript\": \"^5.6.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("prisma/schema.prisma", "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n"),
        ("src/index.ts", "import express from 'express';\nconst app = express();\napp.listen(process.env.PORT || 3000);\n"),
    ]
);

detects!(
    prisma_with_its_schema_named_in_package_json_and_its_own_output,
    &[
        ("package.json", "{\n  \"name\": \"api\",\n  \"scripts\": { \"build\": \"tsc\", \"start\": \"node dist/main.js\" },\n  \"prisma\": { \"schema\": \"src/prisma/schema.prisma\" },\n  \"dependencies\": { \"@prisma/client\": \"^6.0.0\", \"express\": \"^4.21.0\" },\n  \"devDependencies\": { \"prisma\": \"^6.0.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("src/prisma/schema.prisma", "generator client {\n  provider = \"prisma-client-js\"\n  output   = \"../generated/client\"\n}\n"),
        ("src/main.ts", "import express from 'express';\nexpress().listen(8080);\n"),
    ]
);

detects!(
    an_nx_project_runs_what_its_esbuild_build_writes,
    &[
        ("package.json", "{\n  \"name\": \"@api/source\",\n  \"scripts\": { \"start\": \"nx serve\", \"build\": \"nx build\" },\n  \"dependencies\": { \"express\": \"~4.18.1\" },\n  \"devDependencies\": { \"nx\": \"17.2.6\", \"@nx/esbuild\": \"17.2.6\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("project.json", "{\n  \"name\": \"api\",\n  \"targets\": {\n    \"build\": {\n      \"executor\": \"@nx/esbuild:esbuild\",\n      \"options\": {\n        \"platform\": \"node\",\n        \"outputPath\": \"dist/api\",\n        \"main\": \"src/main.ts\"\n      }\n    }\n  }\n}\n"),
        ("src/main.ts", "import express from 'express';\nconst app = express();\nconst PORT = process.env.PORT || 3000;\napp.listen(PORT);\n"),
    ]
);

detects!(
    heroku_app_json_gives_the_environment_and_names_what_is_required,
    &[
        ("Procfile", "web: gunicorn app:app\n"),
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app.py", FLASK_APP),
        ("app.json", "{\n  \"name\": \"Hello\",\n  \"env\": {\n    \"WEB_CONCURRENCY\": { \"description\": \"workers\", \"value\": \"3\" },\n    \"LOG_LEVEL\": \"info\",\n    \"SECRET_KEY\": { \"description\": \"signs sessions\", \"generator\": \"secret\" },\n    \"API_TOKEN\": { \"value\": \"example-token\" },\n    \"DATABASE_URL\": { \"required\": true },\n    \"SENTRY_DSN\": { \"required\": false }\n  }\n}\n"),
    ]
);

detects!(
    a_go_port_flags_default,
    &[
        ("go.mod", "module example.com/echo\n\ngo 1.24\n"),
        ("main.go", "package main\n\nimport (\n\t\"flag\"\n\t\"fmt\"\n\t\"net/http\"\n)\n\nfunc main() {\n\tport := flag.Int(\"port\", 5678, \"port to listen on\")\n\tflag.Parse()\n\thttp.ListenAndServe(fmt.Sprintf(\":%d\", *port), nil)\n}\n"),
    ]
);

detects!(
    a_python_port_flags_default,
    &[
        ("requirements.txt", "aiohttp==3.11.0\n"),
        ("main.py", "import argparse\n\nfrom aiohttp import web\n\nparser = argparse.ArgumentParser()\nparser.add_argument(\"--port\", type=int, default=8081)\n\nif __name__ == \"__main__\":\n    args = parser.parse_args()\n    web.run_app(web.Application(), port=args.port)\n"),
    ]
);

detects!(
    sveltekit_with_the_node_adapter_is_a_server,
    &[
        ("package.json", "{\n  \"name\": \"site\",\n  \"type\": \"module\",\n  \"scripts\": { \"dev\": \"vite dev\", \"build\": \"vite build\", \"preview\": \"vite preview\" },\n  \"devDependencies\": { \"@sveltejs/adapter-node\": \"^5.2.0\", \"@sveltejs/kit\": \"^2.8.0\", \"svelte\": \"^5.1.0\", \"vite\": \"^5.4.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("svelte.config.js", "import adapter from '@sveltejs/adapter-node';\nexport default { kit: { adapter: adapter() } };\n"),
    ]
);

detects!(
    sveltekit_with_the_static_adapter_is_a_single_page_app,
    &[
        ("package.json", "{\n  \"name\": \"site\",\n  \"scripts\": { \"build\": \"vite build\" },\n  \"devDependencies\": { \"@sveltejs/adapter-static\": \"^3.0.0\", \"@sveltejs/kit\": \"^2.8.0\", \"vite\": \"^5.4.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
    ]
);

detects!(
    react_router_with_ssr_off_is_a_static_site_from_build_client,
    &[
        ("package.json", "{\n  \"name\": \"spa\",\n  \"scripts\": { \"build\": \"react-router build\", \"start\": \"react-router-serve ./build/server/index.js\" },\n  \"dependencies\": { \"@react-router/node\": \"^7.5.0\", \"@react-router/serve\": \"^7.5.0\", \"react-router\": \"^7.5.0\" },\n  \"devDependencies\": { \"@react-router/dev\": \"^7.5.0\", \"vite\": \"^6.3.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("react-router.config.ts", "import type { Config } from \"@react-router/dev/config\";\n\nexport default {\n  ssr: false,\n} satisfies Config;\n"),
    ]
);

detects!(
    remix_with_yarn_runs_remix_serve_through_its_file,
    &[
        ("package.json", "{\n  \"name\": \"remix-app\",\n  \"scripts\": { \"build\": \"remix vite:build\", \"start\": \"remix-serve ./build/server/index.js\" },\n  \"dependencies\": { \"@remix-run/node\": \"^2.15.0\", \"@remix-run/react\": \"^2.15.0\", \"@remix-run/serve\": \"^2.15.0\" },\n  \"devDependencies\": { \"@remix-run/dev\": \"^2.15.0\", \"vite\": \"^5.4.0\" }\n}\n"),
        ("yarn.lock", "# yarn lockfile v1\n"),
    ]
);

detects!(
    a_dockerfile_start_script_is_read_for_its_server_and_release_steps,
    &[
        ("package.json", "{\n  \"name\": \"indie\",\n  \"scripts\": { \"build\": \"remix build\", \"start\": \"remix-serve ./build/index.js\" },\n  \"dependencies\": { \"@remix-run/node\": \"^2.0.0\", \"@remix-run/react\": \"^2.0.0\", \"@remix-run/serve\": \"^2.0.0\" },\n  \"devDependencies\": { \"@remix-run/dev\": \"^2.0.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("public/favicon.ico", ""),
        ("Dockerfile", "FROM node:18-bullseye-slim\nENV PORT=\"8080\"\nENV NODE_ENV=\"production\"\nWORKDIR /myapp\nCOPY . .\nRUN npm ci && npm run build\nENTRYPOINT [ \"./start.sh\" ]\n"),
        ("start.sh", "#!/bin/sh -ex\n\n# migrations first, then the server\nnpx prisma migrate deploy\nnpm run start\n"),
    ]
);

detects!(
    fastify_cli_start_runs_its_bin_on_every_interface,
    &[
        ("package.json", "{\n  \"name\": \"api\",\n  \"main\": \"app.js\",\n  \"scripts\": { \"test\": \"node --test test/**/*.test.js\", \"start\": \"fastify start -l info app.js\", \"dev\": \"fastify start -w -l info -P app.js\" },\n  \"dependencies\": { \"@fastify/autoload\": \"^6.0.0\", \"fastify\": \"^5.0.0\", \"fastify-cli\": \"^7.0.0\", \"fastify-plugin\": \"^5.0.0\" }\n}\n"),
        ("package-lock.json", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/fastify-cli\": {\n      \"version\": \"7.4.0\",\n      \"bin\": { \"fastify\": \"cli.js\" }\n    }\n  }\n}\n"),
        ("app.js", "'use strict'\n\nconst path = require('node:path')\nconst AutoLoad = require('@fastify/autoload')\n\nmodule.exports = async function (fastify, opts) {\n  fastify.register(AutoLoad, { dir: path.join(__dirname, 'routes') })\n}\n"),
    ]
);

detects!(
    a_module_node_preloads_is_not_the_apps_file,
    &[
        ("package.json", "{\n  \"name\": \"api\",\n  \"scripts\": { \"start\": \"node -r dotenv/config server.js\" },\n  \"dependencies\": { \"dotenv\": \"^16.4.0\", \"express\": \"^4.21.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("server.js", "const express = require('express');\nexpress().listen(process.env.PORT || 5050);\n"),
    ]
);

detects!(
    variables_a_start_script_sets_become_the_recipes,
    &[
        ("package.json", "{\n  \"name\": \"web\",\n  \"scripts\": { \"start\": \"cross-env NODE_ENV=production LOG_LEVEL=info node server.js\" },\n  \"dependencies\": { \"cross-env\": \"^7.0.3\", \"express\": \"^4.21.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("server.js", "const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send('ok'));\napp.listen(process.env.PORT || 8080);\n"),
    ]
);

detects!(
    astro_without_an_adapter_and_docusaurus_are_static_sites,
    &[
        ("package.json", "{\n  \"name\": \"docs\",\n  \"type\": \"module\",\n  \"scripts\": { \"dev\": \"astro dev\", \"build\": \"astro build\", \"preview\": \"astro preview\" },\n  \"dependencies\": { \"astro\": \"^5.14.0\", \"@astrojs/starlight\": \"^0.36.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
    ]
);

detects!(
    docusaurus_is_a_static_site_served_from_build,
    &[
        ("package.json", "{\n  \"name\": \"website\",\n  \"scripts\": { \"start\": \"docusaurus start\", \"build\": \"docusaurus build\", \"serve\": \"docusaurus serve\" },\n  \"dependencies\": { \"@docusaurus/core\": \"3.9.2\", \"@docusaurus/preset-classic\": \"3.9.2\", \"react\": \"^19.0.0\", \"react-dom\": \"^19.0.0\" }\n}\n"),
        ("yarn.lock", "# yarn lockfile v1\n"),
    ]
);

detects!(
    a_build_that_moves_its_output_is_served_from_where_it_moves_it,
    &[
        ("package.json", "{\n  \"name\": \"web\",\n  \"scripts\": {\n    \"start\": \"serve -s _static\",\n    \"build\": \"rm -r _static 2>/dev/null; react-scripts build && mv build _static\"\n  },\n  \"dependencies\": { \"react\": \"^18.2.0\", \"react-dom\": \"^18.2.0\", \"react-scripts\": \"5.0.1\", \"serve\": \"^14.2.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
    ]
);

detects!(
    vue_clis_dest_flag_is_the_output,
    &[
        ("package.json", "{\n  \"name\": \"web\",\n  \"scripts\": { \"serve\": \"vue-cli-service serve\", \"build\": \"vue-cli-service build --dest _static\" },\n  \"dependencies\": { \"vue\": \"^3.2.13\" },\n  \"devDependencies\": { \"@vue/cli-service\": \"~5.0.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
    ]
);

detects!(
    a_next_export_with_a_dist_dir_is_served_from_it,
    &[
        ("package.json", "{\n  \"name\": \"web\",\n  \"scripts\": { \"dev\": \"next dev\", \"build\": \"next build\" },\n  \"dependencies\": { \"next\": \"14.2.5\", \"react\": \"^18\", \"react-dom\": \"^18\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("next.config.js", "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n    output: 'export',\n    distDir: \"_static\",\n    images: { unoptimized: true },\n}\n\nmodule.exports = nextConfig\n"),
    ]
);

detects!(
    gatsby_is_a_static_site_served_from_public,
    &[
        ("package.json", "{\n  \"name\": \"gatsby-starter-default\",\n  \"scripts\": { \"build\": \"gatsby build\", \"develop\": \"gatsby develop\", \"serve\": \"gatsby serve\" },\n  \"dependencies\": { \"gatsby\": \"^5.13.0\", \"react\": \"^18.2.0\", \"react-dom\": \"^18.2.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
    ]
);

detects!(
    a_pin_with_no_wheel_for_the_dockerfiles_python_keeps_its_build_packages,
    &[
        ("Dockerfile", "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"app:app\"]\n"),
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\ncffi==1.15.1\n"),
        ("app.py", FLASK_APP),
    ]
);

detects!(
    a_factory_the_module_calls_itself_runs_that_app,
    &[
        ("requirements.txt", "fastapi==0.115.0\nuvicorn==0.32.0\n"),
        ("app/__init__.py", ""),
        ("app/main.py", "import logging\n\nfrom fastapi import FastAPI\n\nfrom app.db import init_db\n\n\ndef create_application() -> FastAPI:\n    application = FastAPI()\n    return application\n\n\napp = create_application()\n\n\n@app.on_event(\"startup\")\nasync def startup_event():\n    init_db(app)\n"),
    ]
);

detects!(
    a_rust_server_gets_the_templates_and_files_it_serves,
    &[
        ("Cargo.toml", "[package]\nname = \"site\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nactix-web = \"4\"\nactix-files = \"0.6\"\ntera = \"1\"\n"),
        ("Cargo.lock", "version = 4\n"),
        ("src/main.rs", "use actix_files::Files;\nuse actix_web::{App, HttpServer};\nuse tera::Tera;\n\n#[actix_web::main]\nasync fn main() -> std::io::Result<()> {\n    let tera = Tera::new(\"templates/**/*\").unwrap();\n    HttpServer::new(move || App::new().service(Files::new(\"/static\", \"./static\")))\n        .bind((\"0.0.0.0\", 8080))?\n        .run()\n        .await\n}\n"),
        ("templates/index.html", "<h1>hi</h1>\n"),
        ("static/app.css", "body {}\n"),
    ]
);

detects!(
    a_dockerfile_script_that_only_makes_the_app_is_not_its_command,
    &[
        ("Dockerfile", "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\nEXPOSE 8000\nCMD [\"python\", \"app.py\"]\n"),
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app.py", "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route(\"/\")\ndef hello():\n    return \"Hello World!\"\n"),
    ]
);

detects!(
    version_manager_bin_and_runtime_overrides,
    &[
        ("go.mod", "module example.com/tools\n\ngo 1.26\n"),
        ("cmd/server/main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n"),
        ("cmd/migrate/main.go", "package main\n\nfunc main() {}\n"),
    ],
    &["--version", "1.24", "--bin", "server", "--runtime", "distroless"]
);

detects!(
    a_manager_override_for_python,
    &[
        ("pyproject.toml", "[project]\nname = \"api\"\nrequires-python = \">=3.12\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n"),
        ("uv.lock", "version = 1\n"),
        ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
    ],
    &["--manager", "uv", "--version", "3.12"]
);

#[test]
fn an_invalid_override_is_shown_as_the_recipe_error_it_makes() {
    let out = Test::new()
        .file("app/requirements.txt", "flask\ngunicorn\n")
        .file("app/app.py", FLASK_APP)
        .args(&["init", "app", "--runtime", "wasm"])
        .status(2)
        .stderr_has("`runtime` expects one of: slim")
        .run();
    assert!(!out.dir.path().join("app/dslim.kdl").exists());
}

#[test]
fn a_manager_whose_manifest_the_app_lacks_is_refused_before_a_recipe_is_written() {
    let out = Test::new()
        .file("app/requirements.txt", "flask\ngunicorn\n")
        .file("app/app.py", FLASK_APP)
        .args(&["init", "app", "--manager", "uv"])
        .status(2)
        .stderr_has("the build copies pyproject.toml from the recipe's folder, and it is not there")
        .stderr_has("`uv init --bare`")
        .run();
    assert!(!out.dir.path().join("app/dslim.kdl").exists());
}

#[test]
fn a_hand_written_compose_files_other_services_are_named_before_they_could_go() {
    Test::new()
        .file("app/requirements.txt", "flask\ngunicorn\nredis\n")
        .file("app/app.py", FLASK_APP)
        .file(
            "app/compose.yaml",
            "services:\n  web:\n    build: .\n  redis:\n    image: redis:alpine\n",
        )
        .args(&["init", "app"])
        .stderr_has("app/compose.yaml runs or sets what the recipe does not (redis): when `dslim build` writes compose.yaml, it moves that to compose.override.yaml")
        .run();
}

#[test]
fn an_asgi_app_with_no_server_names_it_and_the_server_to_add() {
    Test::new()
        .file("app/requirements.txt", "fastapi\n")
        .file(
            "app/main.py",
            "from fastapi import FastAPI\n\napp = FastAPI()\n",
        )
        .args(&["init", "app"])
        .status(1)
        .stderr_has("found the app `main:app` (main.py:3), but no server that runs it")
        .stderr_has("(uvicorn, hypercorn, granian, daphne)")
        .stderr_has(
            "for example: dslim init --entrypoint \"uvicorn main:app --host 0.0.0.0 --port 8000\"",
        )
        .run();
}

detects!(
    a_server_another_dependency_brings_runs_the_app,
    &[
        ("pyproject.toml", "[tool.poetry]\nname = \"fastapi-app\"\nversion = \"0.1.0\"\n\n[tool.poetry.dependencies]\npython = \"^3.10\"\nfastapi = \"^0.111.0\"\n"),
        ("poetry.lock", "[[package]]\nname = \"fastapi\"\nversion = \"0.111.0\"\n\n[[package]]\nname = \"uvicorn\"\nversion = \"0.30.1\"\n"),
        ("app.py", "from fastapi import FastAPI\n\napp = FastAPI()\n"),
    ]
);

#[test]
fn yarn_plug_n_play_is_refused_with_what_to_do_and_another_manager_gets_past() {
    let app = || {
        Test::new()
            .file("app/package.json", "{\n  \"name\": \"web\",\n  \"packageManager\": \"yarn@4.7.0\",\n  \"scripts\": { \"start\": \"node server.js\" },\n  \"dependencies\": { \"express\": \"^4.21.0\" }\n}\n")
            .file("app/yarn.lock", "__metadata:\n  version: 8\n")
            .file("app/package-lock.json", "{}\n")
            .file("app/server.js", "require('express')().listen(3000);\n")
    };
    app()
        .args(&["init", "app"])
        .status(1)
        .stderr_has("Plug'n'Play is not supported")
        .stderr_has("in .yarnrc.yml; add that line")
        .run();
    app()
        .args(&["init", "app", "--manager", "npm", "--yes"])
        .stderr_has("wrote app/dslim.kdl")
        .run();
}

#[test]
fn bin_is_for_compiled_stacks() {
    Test::new()
        .file("app/requirements.txt", "flask\ngunicorn\n")
        .file("app/app.py", FLASK_APP)
        .args(&["init", "app", "--bin", "server"])
        .status(1)
        .stderr_has("--bin is not for python apps")
        .run();
}

detects!(
    a_rust_server_reading_port_with_a_default_on_the_next_line,
    &[
        ("Cargo.toml", "[package]\nname = \"example-rust\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nactix-web = \"4\"\n"),
        ("Cargo.lock", "version = 3\n"),
        ("src/main.rs", "use std::env;\nuse actix_web::{App, HttpServer};\n\n#[actix_web::main]\nasync fn main() -> std::io::Result<()> {\n    let port: u16 = env::var(\"PORT\")\n        .unwrap_or(\"8000\".to_string())\n        .parse()\n        .unwrap();\n    HttpServer::new(|| App::new())\n        .bind((\"0.0.0.0\", port))?\n        .run()\n        .await\n}\n"),
    ]
);

detects!(
    a_dockerfile_shell_command_that_adds_a_flag_when_port_is_set,
    &[
        ("requirements.txt", "streamlit==1.37.0\n"),
        ("app.py", "import streamlit as st\n\nst.title(\"Deployed\")\n"),
        ("Dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"sh\", \"-c\", \"streamlit run app.py ${PORT:+--server.port=$PORT} --server.address=0.0.0.0\"]\n"),
    ]
);

detects!(
    an_app_told_to_listen_below_1024_listens_on_8080,
    &[
        ("requirements.txt", "fastapi==0.115.0\nuvicorn==0.32.0\n"),
        ("app/main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n"),
        ("Dockerfile", "FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"80\"]\n"),
    ]
);

detects!(
    a_port_below_1024_given_on_the_command_line_stays,
    &[
        ("requirements.txt", "fastapi==0.115.0\nuvicorn==0.32.0\n"),
        (
            "main.py",
            "from fastapi import FastAPI\n\napp = FastAPI()\n"
        ),
    ],
    &["--port", "80"]
);

detects!(
    a_dockerfiles_from_through_a_build_arg_names_the_version,
    &[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app.py", "from flask import Flask\n\napp = Flask(__name__)\n"),
        ("Dockerfile", "ARG PYTHON_VERSION=3.12-slim-bookworm\n\nFROM python:${PYTHON_VERSION}\n\nWORKDIR /code\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"--bind\", \":8000\", \"app:app\"]\n"),
    ]
);

detects!(
    a_site_at_the_top_of_the_folder_is_served_from_there,
    &[
        (
            "index.html",
            "<!doctype html><title>Sammy</title><h1>Hello</h1>\n"
        ),
        ("color.gif", "GIF89a"),
        ("README.md", "# sample-html\n"),
    ]
);

// --- several binaries: a written rule, else a question

detects!(
    of_several_go_mains_the_one_named_after_the_module,
    &[
        ("go.mod", "module example.com/shop\n\ngo 1.24\n"),
        ("cmd/migrate/main.go", "package main\n\nfunc main() {}\n"),
        ("cmd/shop/main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n"),
    ]
);

detects!(
    of_several_go_mains_the_only_one_that_serves,
    &[
        ("go.mod", "module example.com/platform\n\ngo 1.24\n"),
        ("cmd/api/main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":9000\", nil) }\n"),
        ("cmd/worker/main.go", "package main\n\nfunc main() {}\n"),
    ]
);

detects!(
    of_several_rust_binaries_default_run,
    &[
        ("Cargo.toml", "[package]\nname = \"tools\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndefault-run = \"web\"\n\n[[bin]]\nname = \"cli\"\n\n[[bin]]\nname = \"web\"\n"),
        ("Cargo.lock", "version = 4\n"),
        ("src/bin/cli.rs", "fn main() {}\n"),
        ("src/bin/web.rs", "fn main() { std::net::TcpListener::bind(\"0.0.0.0:8080\").unwrap(); }\n"),
    ]
);

#[test]
fn several_mains_and_no_rule_ask_for_bin() {
    Test::new()
        .file("app/go.mod", "module example.com/platform\n\ngo 1.24\n")
        .file("app/cmd/a/main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":1\", nil) }\n")
        .file("app/cmd/b/main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":2\", nil) }\n")
        .args(&["init", "app"])
        .status(2)
        .stderr_has("found several main packages and no rule that picks one: a, b")
        .stderr_has("dslim init --bin a")
        .run();
    Test::new()
        .file("app/go.mod", "module example.com/platform\n\ngo 1.24\n")
        .file("app/cmd/a/main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":1\", nil) }\n")
        .file("app/cmd/b/main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":2\", nil) }\n")
        .args(&["init", "app", "--bin", "b"])
        .stderr_has("./cmd/b")
        .run();
}

detects!(
    a_lone_main_go_without_a_module,
    &[(
        "main.go",
        "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n"
    )]
);

detects!(
    reads_in_conditions_and_getenv_are_not_needs,
    &[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app.py", "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.secret_key = os.environ.get(\"SECRET_KEY\") or \"dev\"\nDATABASE = os.environ[\"DATABASE_URL\"]\nif os.environ.get(\"SENTRY_DSN\"):\n    pass\n"),
        (".python-version", "# the version to build with\n3.13\n"),
    ]
);

detects!(
    a_check_that_stops_without_a_variable_makes_it_needed,
    &[
        ("requirements.txt", "django==5.1.4\ngunicorn==23.0.0\ndj-database-url==2.3.0\n"),
        ("manage.py", "import os\nimport sys\n\nif __name__ == \"__main__\":\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n"),
        ("mysite/__init__.py", ""),
        ("mysite/wsgi.py", "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\napplication = get_wsgi_application()\n"),
        ("mysite/settings.py", "import os\nimport sys\nimport dj_database_url\n\nif os.getenv(\"DEVELOPMENT_MODE\", \"False\") == \"True\":\n    DATABASES = {\n        \"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \"db.sqlite3\"}\n    }\nelse:\n    if os.getenv(\"DATABASE_URL\", None) is None:\n        raise Exception(\"DATABASE_URL environment variable not defined\")\n    DATABASES = {\n        \"default\": dj_database_url.parse(os.environ.get(\"DATABASE_URL\")),\n    }\n"),
    ]
);

const SERVER: &str = "from flask import Flask\n\napp = Flask(__name__)\n";

detects!(
    pins_without_wheels_for_newer_pythons_choose_an_older_one,
    &[
        (
            "requirements.txt",
            "Flask==3.0.0\ngreenlet==3.0.1\ngunicorn==21.2.0\nmultidict==6.0.4\npsycopg2-binary==2.9.9\n"
        ),
        ("app.py", SERVER),
    ]
);

detects!(
    lockfile_wheels_choose_the_newest_python_in_range,
    &[
        (
            "pyproject.toml",
            "[project]\nname = \"svc\"\nversion = \"0\"\nrequires-python = \">=3.9\"\ndependencies = [\"flask\", \"gunicorn\", \"psycopg2-binary==2.9.6\"]\n"
        ),
        (
            "uv.lock",
            r#"version = 1
requires-python = ">=3.9"

[[package]]
name = "flask"
version = "3.0.0"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "https://files.pythonhosted.org/packages/36/42/x/flask-3.0.0-py3-none-any.whl", hash = "sha256:00", size = 1 },
]

[[package]]
name = "psycopg2-binary"
version = "2.9.6"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "https://files.pythonhosted.org/packages/a1/b2/x/psycopg2_binary-2.9.6-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:00", size = 1 },
    { url = "https://files.pythonhosted.org/packages/a1/b2/x/psycopg2_binary-2.9.6-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:00", size = 1 },
    { url = "https://files.pythonhosted.org/packages/a1/b2/x/psycopg2_binary-2.9.6-cp311-cp311-macosx_11_0_arm64.whl", hash = "sha256:00", size = 1 },
]
"#
        ),
        ("app.py", SERVER),
    ]
);

detects!(
    a_version_the_project_names_is_kept_whatever_the_wheels,
    &[
        (".python-version", "3.13\n"),
        ("requirements.txt", "flask\ngunicorn\ngreenlet==3.0.1\n"),
        ("app.py", SERVER),
    ]
);

detects!(
    no_version_in_range_with_every_wheel_is_a_warning,
    &[
        (
            "pyproject.toml",
            "[tool.poetry]\nname = \"svc\"\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \">=3.13\"\nflask = \"*\"\ngunicorn = \"*\"\n"
        ),
        (
            "poetry.lock",
            "[[package]]\nname = \"greenlet\"\nversion = \"3.0.1\"\nfiles = [\n    {file = \"greenlet-3.0.1-cp312-cp312-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl\", hash = \"sha256:00\"},\n    {file = \"greenlet-3.0.1.tar.gz\", hash = \"sha256:00\"},\n]\n"
        ),
        ("app.py", SERVER),
    ]
);

const NEXT_PACKAGE: &str = r#"{
  "private": true,
  "scripts": { "dev": "next dev", "build": "next build", "start": "next start -p 4000" },
  "dependencies": { "next": "15.5.6", "react": "19.2.0", "react-dom": "19.2.0" }
}
"#;

detects!(
    nextjs_runs_next_start_with_its_public_folder_and_config,
    &[
        ("package.json", NEXT_PACKAGE),
        ("package-lock.json", "{}\n"),
        ("next.config.mjs", "const nextConfig = {\n  // output: \"export\",\n  reactStrictMode: true,\n};\nexport default nextConfig;\n"),
        ("public/favicon.ico", ""),
        ("app/page.js", "export default function Page() { return <h1>hi</h1>; }\n"),
    ]
);

detects!(
    nextjs_standalone_ships_only_its_traced_server,
    &[
        ("package.json", NEXT_PACKAGE),
        ("package-lock.json", "{}\n"),
        (
            "next.config.js",
            "module.exports = {\n  output: 'standalone',\n};\n"
        ),
        (
            "app/page.js",
            "export default function Page() { return <h1>hi</h1>; }\n"
        ),
    ]
);

detects!(
    nextjs_static_export_is_served_by_nginx,
    &[
        ("package.json", NEXT_PACKAGE),
        ("package-lock.json", "{}\n"),
        (
            "next.config.ts",
            "const config = {\n  output: \"export\",\n};\nexport default config;\n"
        ),
    ]
);

detects!(
    a_server_that_binds_every_interface_only_on_a_platform_gets_its_variable,
    &[
        ("package.json", "{\n  \"main\": \"app.js\",\n  \"scripts\": { \"start\": \"node app.js\" },\n  \"dependencies\": { \"fastify\": \"^4.26.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("app.js", "const fastify = require('fastify')({ logger: true })\nconst host = (\"RENDER\" in process.env) ? `0.0.0.0` : `localhost`;\nconst port = process.env.PORT || 3000;\nfastify.get('/', async () => ({ hello: 'world' }))\nfastify.listen({host: host, port: port })\n"),
    ]
);

detects!(
    a_gunicorn_from_before_21_gets_setuptools_for_pkg_resources,
    &[
        ("requirements.txt", "Flask==2.1.1\ngunicorn==20.1.0\n"),
        ("app.py", SERVER),
    ]
);

detects!(
    a_dockerfile_command_that_runs_files_of_its_own_layout_is_not_taken,
    &[
        ("package.json", "{\n  \"main\": \"dist/api/main.js\",\n  \"scripts\": { \"build\": \"tsc\", \"start\": \"node dist/api/main.js\" },\n  \"dependencies\": { \"express\": \"^4.19.2\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("Dockerfile", "FROM node:20\nWORKDIR /srv\nCOPY dist/api api\nEXPOSE 3000\nCMD [\"node\", \"api\"]\n"),
    ]
);

detects!(
    an_entrypoint_wrapper_with_nothing_after_it_is_not_taken,
    &[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app.py", SERVER),
        ("entrypoint.sh", "#!/bin/sh\nwhile ! nc -z db 5432; do sleep 1; done\nexec \"$@\"\n"),
        ("Dockerfile", "FROM python:3.13-slim\nWORKDIR /usr/src/app\nCOPY . .\nENTRYPOINT [\"/usr/src/app/entrypoint.sh\"]\n"),
    ]
);

detects!(
    a_go_apps_dockerfile_environment_is_kept,
    &[
        ("go.mod", "module example.com/echo\n\ngo 1.24\n"),
        ("main.go", "package main\n\nimport (\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc main() {\n\thttp.ListenAndServe(\":5678\", nil)\n\t_ = os.Getenv(\"ECHO_TEXT\")\n}\n"),
        ("Dockerfile", "FROM golang:1.24 AS build\nCOPY . .\nRUN go build -o /echo\nFROM scratch\nENV ECHO_TEXT=\"hello-world\"\nCOPY --from=build /echo /echo\nENTRYPOINT [\"/echo\"]\n"),
    ]
);

detects!(
    a_flask_factory_with_no_production_server_runs_flask_run,
    &[
        ("pyproject.toml", "[project]\nname = \"flaskr\"\nversion = \"1.0.0\"\ndependencies = [\"flask\"]\n"),
        ("flaskr/__init__.py", FLASK_FACTORY),
        ("flaskr/settings.py", "import os\nHOSTS = [os.environ['WEBSITE_HOSTNAME']] if 'WEBSITE_HOSTNAME' in os.environ else []\n"),
    ]
);

detects!(
    psycopg_with_its_binary_extra_needs_no_libpq,
    &[
        (
            "requirements.txt",
            "fastapi[standard]==0.115.0\npsycopg[binary]==3.2.3\n"
        ),
        (
            "main.py",
            "from fastapi import FastAPI\n\napp = FastAPI()\n"
        ),
    ]
);

detects!(
    a_uv_workspace_members_lock_is_at_the_root,
    &[
        ("../uv.lock", "version = 1\nrequires-python = \">=3.12\"\n"),
        (
            "pyproject.toml",
            "[project]\nname = \"api\"\nversion = \"0\"\nrequires-python = \">=3.12\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n"
        ),
        ("main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n"),
    ]
);

detects!(
    runtime_minimal_can_be_asked_for_on_the_command_line,
    &[
        ("package.json", "{\n  \"scripts\": { \"start\": \"node server.js\" },\n  \"dependencies\": { \"express\": \"^4.19.2\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        ("server.js", "require('express')().listen(process.env.PORT || 3000);\n"),
    ],
    &["--runtime", "minimal"]
);

#[test]
fn a_workspace_lock_above_is_found_from_inside_the_member() {
    let tmp = tempfile::tempdir().unwrap();
    let member = tmp.path().join("apps/web");
    std::fs::create_dir_all(&member).unwrap();
    std::fs::write(
        tmp.path().join("pnpm-lock.yaml"),
        "lockfileVersion: '9.0'\n",
    )
    .unwrap();
    std::fs::write(
        member.join("package.json"),
        "{\n  \"scripts\": { \"start\": \"node server.js\" },\n  \"dependencies\": { \"express\": \"^4.19.2\" }\n}\n",
    )
    .unwrap();
    std::fs::write(
        member.join("server.js"),
        "require('express')().listen(3000);\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dslim"))
        .args(["init", "."])
        .current_dir(&member)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        report.contains("pnpm  [from ../../pnpm-lock.yaml"),
        "{report}"
    );
}

detects!(
    a_script_the_dockerfile_copied_elsewhere_is_not_taken_but_its_port_and_env_are,
    &[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        ("app.py", SERVER),
        ("docker-entrypoint.sh", "#!/bin/sh\nflask db upgrade\nexec gunicorn app:app\n"),
        ("Dockerfile", "FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nCOPY docker-entrypoint.sh /\nENV APP_MODE=full\nEXPOSE 5000\nENTRYPOINT [\"/docker-entrypoint.sh\"]\n"),
    ]
);

detects!(
    a_private_npm_registry_token_becomes_secrets_of_the_install,
    &[
        ("package.json", "{\n  \"scripts\": { \"start\": \"node server.js\" },\n  \"dependencies\": { \"@acme/logger\": \"^1.0.0\" }\n}\n"),
        ("package-lock.json", "{}\n"),
        (".npmrc", "@acme:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=${NPM_TOKEN}\n"),
        ("server.js", "require('http').createServer().listen(process.env.PORT || 3000);\n"),
    ]
);

detects!(
    a_variable_in_a_requirements_index_url_becomes_a_secret,
    &[
        ("requirements.txt", "--extra-index-url https://__token__:${PYPI_TOKEN}@pypi.example.com/simple\nflask\ngunicorn\n"),
        ("app.py", "from flask import Flask\n\napp = Flask(__name__)\n"),
    ]
);

detects!(
    a_uv_index_gets_its_credentials_as_secrets,
    &[
        ("pyproject.toml", "[project]\nname = \"api\"\nversion = \"0\"\nrequires-python = \">=3.12\"\ndependencies = [\"fastapi\", \"uvicorn\", \"acme-models\"]\n\n[[tool.uv.index]]\nname = \"acme-private\"\nurl = \"https://pypi.acme.example/simple\"\n"),
        ("uv.lock", "version = 1\nrequires-python = \">=3.12\"\n"),
        ("main.py", "from fastapi import FastAPI\n\napp = FastAPI()\n"),
    ]
);

detects!(
    a_poetry_source_gets_its_credentials_as_secrets,
    &[
        ("pyproject.toml", "[tool.poetry]\nname = \"api\"\nversion = \"0\"\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nflask = \"*\"\ngunicorn = \"*\"\nacme-models = { version = \"*\", source = \"acme\" }\n\n[[tool.poetry.source]]\nname = \"acme\"\nurl = \"https://pypi.acme.example/simple\"\npriority = \"supplemental\"\n"),
        ("poetry.lock", "# This file is automatically @generated by Poetry\n"),
        ("app.py", "from flask import Flask\n\napp = Flask(__name__)\n"),
    ]
);

detects!(
    a_cargo_registry_gets_its_token_as_a_secret,
    &[
        ("Cargo.toml", "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nacme-core = { version = \"1\", registry = \"acme\" }\n"),
        ("Cargo.lock", "version = 3\n"),
        ("src/main.rs", "fn main() {\n    let _ = std::net::TcpListener::bind(\"0.0.0.0:8080\");\n}\n"),
        (".cargo/config.toml", "[registries.acme]\nindex = \"sparse+https://cargo.acme.example/index/\"\n"),
    ]
);

const SINATRA_LOCK: &str = "GEM\n  remote: https://rubygems.org/\n  specs:\n    puma (6.6.0)\n      nio4r (~> 2.0)\n    nio4r (2.7.3)\n    rack (3.1.20)\n    sinatra (4.1.1)\n      rack (>= 3.0.0, < 4)\n\nPLATFORMS\n  ruby\n  x86_64-linux\n\nDEPENDENCIES\n  puma\n  sinatra\n\nRUBY VERSION\n   ruby 3.3.6p108\n\nBUNDLED WITH\n   2.5.22\n";

detects!(
    a_sinatra_app_with_config_ru_runs_on_puma,
    &[
        (
            "Gemfile",
            "source \"https://rubygems.org\"\n\ngem \"sinatra\"\ngem \"puma\"\n"
        ),
        ("Gemfile.lock", SINATRA_LOCK),
        ("config.ru", "require \"./app\"\nrun Sinatra::Application\n"),
        ("app.rb", "require \"sinatra\"\n\nget(\"/\") { \"hi\" }\n"),
        ("config/puma.rb", "port ENV.fetch(\"PORT\") { 8080 }\n"),
    ]
);

detects!(
    a_procfile_starts_a_ruby_app_its_own_way,
    &[
        (
            "Gemfile",
            "source \"https://rubygems.org\"\n\ngem \"sinatra\"\ngem \"puma\"\n"
        ),
        ("Gemfile.lock", SINATRA_LOCK),
        ("Procfile", "web: bundle exec puma -C config/puma.rb\n"),
        ("config.ru", "require \"./app\"\nrun Sinatra::Application\n"),
        ("app.rb", "require \"sinatra\"\n"),
    ]
);

#[test]
fn a_ruby_app_with_nothing_to_start_asks_for_an_entrypoint() {
    Test::new()
        .file(
            "app/Gemfile",
            "source \"https://rubygems.org\"\ngem \"nokogiri\"\n",
        )
        .file("app/main.rb", "require \"nokogiri\"\n")
        .args(&["init", "app"])
        .status(1)
        .stderr_has("no Rails, Sinatra or Rack app")
        .run();
}

detects!(
    a_gem_locked_precompiled_for_linux_needs_no_compiler,
    &[
        ("Gemfile", "source \"https://rubygems.org\"\n\ngem \"rails\", \"~> 8.0\"\ngem \"nokogiri\"\n"),
        ("Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.19.4)\n      racc (~> 1.4)\n    nokogiri (1.19.4-aarch64-linux-gnu)\n      racc (~> 1.4)\n    nokogiri (1.19.4-x86_64-linux-gnu)\n      racc (~> 1.4)\n    railties (8.0.2)\n\nPLATFORMS\n  aarch64-linux\n  ruby\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n  rails (~> 8.0)\n\nBUNDLED WITH\n   2.6.9\n"),
        ("bin/rails", "#!/usr/bin/env ruby\n"),
        ("config/puma.rb", "port(ENV.fetch(\"PORT\") { 5006 }, \"::\")\n"),
    ]
);

detects!(
    a_port_a_platform_sets_moves_the_recipes_port,
    &[
        (
            "mix.exs",
            "defmodule Chat.MixProject do\n  use Mix.Project\n\n  def project do\n    [app: :chat, version: \"0.1.0\", deps: []]\n  end\nend\n",
        ),
        (
            "config/runtime.exs",
            "import Config\nport = String.to_integer(System.get_env(\"PORT\") || \"4000\")\n",
        ),
        ("fly.toml", "app = \"chat\"\n\n[env]\n  PORT = \"8080\"\n\n[[services]]\n  internal_port = 8080\n"),
    ]
);

detects!(
    a_procfile_release_line_becomes_the_release_command,
    &[
        (
            "requirements.txt",
            "flask==3.1.0\ngunicorn==23.0.0\nflask-migrate==4.0.7\n"
        ),
        ("app.py", FLASK_APP),
        (
            "Procfile",
            "release: flask db upgrade && flask seed\nweb: gunicorn app:app\n"
        ),
    ]
);

detects!(
    flys_release_command_becomes_the_release_command,
    &[
        (
            "mix.exs",
            "defmodule Chat.MixProject do\n  use Mix.Project\n\n  def project do\n    [app: :chat, version: \"0.1.0\", deps: []]\n  end\nend\n",
        ),
        ("fly.toml", "app = \"chat\"\n\n[deploy]\n  release_command = \"/app/bin/migrate\"\n"),
    ]
);
