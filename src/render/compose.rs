//! compose.yaml: one service that builds the final stage. Serialized by serde, so values are
//! always YAML scalars, never keys.

use serde::Serialize;
use serde_norway::{Mapping, Value};

use crate::model::App;
use crate::plan::Plan;
use crate::stacks::{fill, knowledge};

#[derive(Serialize)]
struct ComposeFile {
    services: Mapping,
}

#[derive(Serialize)]
struct Service {
    build: Build,
    image: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    init: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<PortMapping>,
    #[serde(skip_serializing_if = "Mapping::is_empty")]
    environment: Mapping,
    #[serde(skip_serializing_if = "Option::is_none")]
    healthcheck: Option<Healthcheck>,
}

#[derive(Serialize)]
struct Build {
    context: String,
    dockerfile: String,
    target: String,
    #[serde(skip_serializing_if = "Mapping::is_empty")]
    args: Mapping,
}

/// The long port syntax: unambiguous, where `22:22` is a base-60 number to YAML 1.1 parsers.
#[derive(Serialize)]
struct PortMapping {
    target: u16,
    published: String,
    protocol: String,
}

#[derive(Serialize)]
struct Healthcheck {
    test: Vec<String>,
    interval: String,
    timeout: String,
    start_period: String,
    retries: u32,
}

pub fn compose(app: &App, plan: &Plan) -> String {
    let map = |pairs: Vec<(String, String)>| -> Mapping {
        pairs
            .into_iter()
            .map(|(k, v)| (Value::String(k), Value::String(v)))
            .collect()
    };
    // UID/GID come from the environment when set (seed 002's pattern), else the recipe's ids
    let args = map(plan
        .build_args
        .iter()
        .map(|(k, default)| (k.clone(), format!("${{{k}:-{default}}}")))
        .collect());
    let healthcheck = app.healthcheck.as_ref().map(|h| {
        let port = app
            .ports
            .first()
            .map(|p| p.number.to_string())
            .unwrap_or_default();
        let probe = &knowledge().stacks[&app.stack].healthcheck;
        let mut test = vec!["CMD".to_string()];
        test.extend(
            probe
                .iter()
                .map(|word| fill(word, &[("port", &port), ("path", &h.path)])),
        );
        Healthcheck {
            test,
            interval: h.interval.clone(),
            timeout: h.timeout.clone(),
            start_period: h.start_period.clone(),
            retries: h.retries,
        }
    });
    let service = Service {
        build: Build {
            context: ".".into(),
            dockerfile: super::DOCKERFILE.into(),
            target: plan.target.clone(),
            args,
        },
        image: app.image.clone(),
        init: knowledge().stacks[&app.stack].compose_init
            && app.runtime != crate::model::Runtime::Nginx,
        ports: app
            .ports
            .iter()
            .map(|p| PortMapping {
                target: p.number,
                published: p.number.to_string(),
                protocol: p.protocol.clone(),
            })
            .collect(),
        environment: map(app.run_env.clone()),
        healthcheck,
    };
    let mut services = Mapping::new();
    services.insert(
        Value::String(app.name.clone()),
        serde_norway::to_value(service)
            .unwrap_or_else(|e| panic!("compose service serializes: {e}")),
    );
    serde_norway::to_string(&ComposeFile { services })
        .unwrap_or_else(|e| panic!("compose file serializes: {e}"))
}
