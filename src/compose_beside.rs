//! The services a hand-written compose file runs beside the app (its database, its cache).
//! dslim's compose.yaml replaces that file (`--force`), or shadows it: Compose reads
//! compose.yaml before docker-compose.yml. So that `docker compose up` still starts them, they
//! move to compose.override.yaml, which Compose merges over compose.yaml, with what the app's
//! old service said about them: `depends_on`, its environment, its networks (and its old name
//! as a network alias, for the services that reach it by that name).

use camino::{Utf8Path, Utf8PathBuf};
use serde_norway::{Mapping, Value};

use crate::render::{provenance, Provenance};

/// The compose files Compose reads, in the order it looks for them.
const COMPOSE_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The override files Compose merges over them.
const OVERRIDE_FILES: [&str; 4] = [
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

/// Where the services beside the app go.
pub const OVERRIDE: &str = "compose.override.yaml";

/// The top-level sections the services may refer to.
const SHARED: [&str; 4] = ["volumes", "networks", "secrets", "configs"];

/// What the app's old service said that still holds under dslim's.
const APP_KEYS: [&str; 3] = ["depends_on", "environment", "env_file"];

/// A hand-written compose file's services that build nothing, and what it said of the app.
#[derive(Debug)]
pub struct Beside {
    /// the hand-written file
    pub file: Utf8PathBuf,
    /// its services that build nothing
    pub services: Vec<String>,
    /// the variables its service of the app sets
    pub app_env: Vec<String>,
    /// compose.override.yaml holding them, unless an override file is there already
    pub override_text: Option<String>,
    /// the override file that is there already
    pub existing_override: Option<Utf8PathBuf>,
    /// the app's service in the hand-written file, where its name is not dslim's
    pub renamed_from: Option<String>,
}

impl Beside {
    /// The override file to add to: the one there, else its kind.
    pub fn override_name(&self) -> String {
        (self.existing_override.as_ref())
            .map_or("the compose override file".to_string(), |f| f.to_string())
    }

    /// What moves: "db, redis and the app's environment".
    pub fn what(&self) -> String {
        let mut parts = self.services.clone();
        if !self.app_env.is_empty() {
            parts.push(format!("the app's {}", self.app_env.join(", ")));
        }
        parts.join("; ")
    }
}

/// The services the project's own compose file runs beside the app, for an app whose service
/// dslim names `app_service`. None when that file is dslim's, or runs nothing beside the app.
pub fn beside(dir: &Utf8Path, app_service: &str) -> Option<Beside> {
    let (file, text) = COMPOSE_FILES.iter().find_map(|name| {
        let path = dir.join(name);
        Some((path.clone(), std::fs::read_to_string(&path).ok()?))
    })?;
    if provenance(&text) != Provenance::Foreign {
        return None;
    }
    let doc: Value = serde_norway::from_str(&text).ok()?;
    let services = doc.get("services")?.as_mapping()?;
    let builds = |service: &Value| service.get("build").is_some();
    let names: Vec<String> = (services.iter())
        .filter(|(_, service)| !builds(service))
        .filter_map(|(name, _)| name.as_str().map(String::from))
        .collect();
    let old_app = old_app(services);
    let app_env = old_app
        .and_then(|(_, app)| app.get("environment"))
        .map(variables)
        .unwrap_or_default();
    if names.is_empty() && app_env.is_empty() {
        return None;
    }
    let existing_override = (OVERRIDE_FILES.iter())
        .map(|f| dir.join(f))
        .find(|path| path.exists());
    let override_text = (existing_override.is_none())
        .then(|| override_of(&doc, services, old_app, app_service, &file))
        .flatten();
    let renamed_from = old_app
        .map(|(name, _)| name.to_string())
        .filter(|name| name != app_service);
    Some(Beside {
        file,
        services: names,
        app_env,
        override_text,
        existing_override,
        renamed_from,
    })
}

/// The app's old service: the only one that builds (another would be a second app).
fn old_app(services: &Mapping) -> Option<(&str, &Value)> {
    let mut built = (services.iter())
        .filter(|(_, s)| s.get("build").is_some())
        .filter_map(|(name, s)| Some((name.as_str()?, s)));
    match (built.next(), built.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The names an `environment` sets, as a mapping or as a list of `NAME=value`.
fn variables(environment: &Value) -> Vec<String> {
    match environment {
        Value::Mapping(m) => m
            .keys()
            .filter_map(|k| k.as_str().map(String::from))
            .collect(),
        Value::Sequence(list) => (list.iter())
            .filter_map(|item| item.as_str())
            .map(|item| item.split('=').next().unwrap_or(item).to_string())
            .collect(),
        _ => vec![],
    }
}

/// compose.override.yaml: the services that build nothing, the top-level sections they may use,
/// and the app's service as its old one described it.
fn override_of(
    doc: &Value,
    services: &Mapping,
    old_app: Option<(&str, &Value)>,
    app_service: &str,
    file: &Utf8Path,
) -> Option<String> {
    let mut moved = Mapping::new();
    if let Some(app) = app_settings(old_app, app_service) {
        moved.insert(app_service.into(), app);
    }
    for (name, service) in services {
        if service.get("build").is_some() {
            continue;
        }
        let mut service = service.clone();
        // a service that waited for the app's old name now waits for dslim's
        if let (Some((old, _)), Some(depends)) = (old_app, service.get_mut("depends_on")) {
            rename_dependency(depends, old, app_service);
        }
        moved.insert(name.clone(), service);
    }
    let mut out = Mapping::new();
    out.insert("services".into(), Value::Mapping(moved));
    for key in SHARED {
        if let Some(section) = doc.get(key) {
            out.insert(key.into(), section.clone());
        }
    }
    let yaml = serde_norway::to_string(&Value::Mapping(out)).ok()?;
    let name = file.file_name().unwrap_or("the compose file");
    Some(format!(
        "# Moved here by dslim from {name}, which dslim's compose.yaml replaces: the services it\n\
         # ran beside the app, and what it set for the app. Compose merges this file over\n\
         # compose.yaml. It is yours: dslim does not write it again.\n{yaml}"
    ))
}

/// What the old service of the app said that dslim's compose.yaml does not: what it waits for,
/// its environment, its networks, and its old name as an alias on them.
fn app_settings(old_app: Option<(&str, &Value)>, app_service: &str) -> Option<Value> {
    let (old_name, old) = old_app?;
    let mut app = Mapping::new();
    for key in APP_KEYS {
        if let Some(value) = old.get(key) {
            app.insert(key.into(), value.clone());
        }
    }
    if old_name != app_service || old.get("networks").is_some() {
        app.insert("networks".into(), aliased(old.get("networks"), old_name));
    }
    (!app.is_empty()).then_some(Value::Mapping(app))
}

/// The networks a service was on (a list or a mapping; `default` when it named none), each
/// with `alias` among its aliases.
fn aliased(networks: Option<&Value>, alias: &str) -> Value {
    let mut out = Mapping::new();
    let entries: Vec<(Value, Value)> = match networks {
        Some(Value::Sequence(names)) => names.iter().map(|n| (n.clone(), Value::Null)).collect(),
        Some(Value::Mapping(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => vec![("default".into(), Value::Null)],
    };
    for (name, settings) in entries {
        let mut settings = match settings {
            Value::Mapping(m) => m,
            _ => Mapping::new(),
        };
        let aliases = settings
            .entry("aliases".into())
            .or_insert_with(|| Value::Sequence(vec![]));
        if let Value::Sequence(list) = aliases {
            if !list.iter().any(|a| a.as_str() == Some(alias)) {
                list.push(alias.into());
            }
        }
        out.insert(name, Value::Mapping(settings));
    }
    Value::Mapping(out)
}

/// `depends_on` (a list, or a mapping with conditions) naming `old` names `new` instead.
fn rename_dependency(depends: &mut Value, old: &str, new: &str) {
    match depends {
        Value::Sequence(list) => {
            for item in list.iter_mut().filter(|i| i.as_str() == Some(old)) {
                *item = new.into();
            }
        }
        Value::Mapping(m) => {
            if let Some(condition) = m.remove(old) {
                m.insert(new.into(), condition);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[(&str, &str)]) -> (tempfile::TempDir, Utf8PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        let root = Utf8PathBuf::try_from(dir.path().to_path_buf()).expect("utf-8");
        (dir, root)
    }

    const THEIRS: &str = "services:\n  web:\n    build: .\n    ports: [\"8000:8000\"]\n    environment:\n      REDIS_HOST: redis\n    depends_on: [redis]\n  redis:\n    image: redis:7-alpine\n    volumes: [cache:/data]\n  proxy:\n    image: nginx:1.27\n    depends_on:\n      web:\n        condition: service_started\nvolumes:\n  cache: {}\n";

    #[test]
    fn the_services_beside_the_app_move_with_what_the_app_said_of_them() {
        let (_dir, root) = folder(&[("docker-compose.yml", THEIRS)]);
        let found = beside(&root, "shop").expect("services beside the app");
        assert_eq!(found.services, ["redis", "proxy"]);
        assert_eq!(found.what(), "redis; proxy; the app's REDIS_HOST");
        let text = found.override_text.expect("an override");
        let doc: Value = serde_norway::from_str(&text).expect("YAML");
        let shop = &doc["services"]["shop"];
        assert_eq!(shop["environment"]["REDIS_HOST"].as_str(), Some("redis"));
        assert_eq!(shop["depends_on"][0].as_str(), Some("redis"));
        // the proxy still reaches the app by its old name, and waits for its new one
        assert_eq!(
            shop["networks"]["default"]["aliases"][0].as_str(),
            Some("web")
        );
        assert!(doc["services"]["proxy"]["depends_on"]["shop"].is_mapping());
        assert!(doc["volumes"]["cache"].is_mapping());
        // the app's ports and build stay dslim's
        assert!(shop.get("ports").is_none() && shop.get("build").is_none());
    }

    #[test]
    fn nothing_moves_beside_an_existing_override_or_from_dslims_own_file() {
        let (_dir, root) = folder(&[
            ("compose.yaml", THEIRS),
            ("compose.override.yaml", "services: {}\n"),
        ]);
        let found = beside(&root, "web").expect("services beside the app");
        assert!(found.override_text.is_none());
        let ours = "# Generated by dslim from dslim.kdl\nservices:\n  db:\n    image: postgres\n";
        let (_dir, root) = folder(&[("compose.yaml", ours)]);
        assert!(beside(&root, "web").is_none());
    }
}
