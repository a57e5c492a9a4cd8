//! schema/dslim.schema.json is kept by hand; these tests keep it honest.

use std::collections::BTreeSet;

use dslim::stacks::knowledge;
use dslim::syntax::app_node_names;

fn schema() -> serde_json::Value {
    serde_json::from_str(include_str!("../schema/dslim.schema.json")).expect("the schema is JSON")
}

#[test]
fn the_schema_covers_every_node_and_nothing_else() {
    let schema = schema();
    let documented: BTreeSet<String> = schema["properties"]["app"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "args")
        .cloned()
        .collect();
    let accepted: BTreeSet<String> = app_node_names().into_iter().map(String::from).collect();
    assert_eq!(documented, accepted);
}

#[test]
fn stack_properties_and_managers_match_the_stack_knowledge() {
    let schema = schema();
    for (name, stack) in &knowledge().stacks {
        let node = &schema["properties"]["app"]["properties"][name]["properties"];
        let documented: BTreeSet<String> = node
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "args")
            .cloned()
            .collect();
        let accepted: BTreeSet<String> = stack.properties.iter().cloned().collect();
        assert_eq!(documented, accepted, "{name}");
        if !stack.managers.is_empty() {
            let managers: BTreeSet<String> = node["manager"]["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            assert_eq!(
                managers,
                stack.managers.keys().cloned().collect::<BTreeSet<_>>(),
                "{name} managers"
            );
        }
    }
}

#[test]
fn the_readme_documents_every_node() {
    let readme = include_str!("../README.md");
    for node in app_node_names() {
        assert!(
            readme.contains(&format!("| `{node}")),
            "README has no row for `{node}`"
        );
    }
}
