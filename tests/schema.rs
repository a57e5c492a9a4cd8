//! schema/dslim.schema.json is what `dslim schema` prints, made from the parser's node table
//! and the stack data; these tests keep the committed file and the README in step with it.

mod common;

use common::catalog;

const COMMITTED: &str = include_str!("../schema/dslim.schema.json");

#[test]
fn the_committed_schema_is_what_dslim_schema_prints() {
    let out = assert_cmd::Command::cargo_bin("dslim")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout) == COMMITTED,
        "schema/dslim.schema.json is stale: run `cargo run -- schema > schema/dslim.schema.json`"
    );
}

#[test]
fn the_schema_covers_every_node_and_every_stack_property() {
    let schema: serde_json::Value = serde_json::from_str(COMMITTED).expect("the schema is JSON");
    let app = &schema["properties"]["app"]["properties"];
    for node in dslim::syntax::app_node_names(&catalog().knowledge) {
        assert!(app.get(&node).is_some(), "the schema lacks `{node}`");
    }
    for (name, data) in &catalog().knowledge.stacks {
        for property in data.properties.keys() {
            assert!(
                app[name]["properties"].get(property).is_some(),
                "{name} {property}="
            );
        }
    }
}

#[test]
fn the_readme_documents_every_node() {
    let readme = include_str!("../README.md");
    for node in dslim::syntax::app_node_names(&catalog().knowledge) {
        assert!(
            readme.contains(&format!("| `{node}")),
            "README has no row for `{node}`"
        );
    }
}

#[test]
fn a_workspace_has_members_and_defaults_that_take_every_app_node() {
    let schema: serde_json::Value = serde_json::from_str(COMMITTED).expect("the schema is JSON");
    assert_eq!(
        schema["oneOf"],
        serde_json::json!([{ "required": ["app"] }, { "required": ["workspace"] }])
    );
    let workspace = &schema["properties"]["workspace"];
    assert_eq!(workspace["required"], serde_json::json!(["args"]));
    let members = &workspace["properties"]["members"]["properties"]["args"];
    assert_eq!(members["items"]["type"], "string");
    let defaults = &workspace["properties"]["defaults"]["properties"];
    assert!(defaults.get("args").is_none(), "defaults take no argument");
    for node in dslim::syntax::app_node_names(&catalog().knowledge) {
        let reference = defaults[&node]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("defaults lack `{node}`"));
        let target = schema.pointer(reference.trim_start_matches('#'));
        assert_eq!(
            target,
            Some(&schema["properties"]["app"]["properties"][&node])
        );
    }
}
