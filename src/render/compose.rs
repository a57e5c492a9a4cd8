//! compose.yaml: the plan's service, printed. Serialized by serde, so values are always YAML
//! scalars, never keys.

use serde::Serialize;
use serde_norway::{Mapping, Value};

use crate::plan::{Plan, PortMapping, ServiceHealthcheck};
use crate::template::TemplateError;

#[derive(Serialize)]
struct ComposeFile {
    services: Mapping,
}

#[derive(Serialize)]
struct Service<'a> {
    build: Build<'a>,
    image: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    init: bool,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    ports: &'a [PortMapping],
    #[serde(skip_serializing_if = "Mapping::is_empty")]
    environment: Mapping,
    #[serde(skip_serializing_if = "Option::is_none")]
    healthcheck: Option<&'a ServiceHealthcheck>,
}

#[derive(Serialize)]
struct Build<'a> {
    context: &'a str,
    dockerfile: &'a str,
    target: &'a str,
    #[serde(skip_serializing_if = "Mapping::is_empty")]
    args: Mapping,
}

fn mapping(pairs: &[(String, String)]) -> Mapping {
    pairs
        .iter()
        .map(|(k, v)| (Value::String(k.clone()), Value::String(v.clone())))
        .collect()
}

pub fn compose(plan: &Plan) -> Result<String, TemplateError> {
    let s = &plan.service;
    let service = Service {
        build: Build {
            context: &s.build.context,
            dockerfile: &s.build.dockerfile,
            target: s.build.target.as_str(),
            args: mapping(&s.build.args),
        },
        image: &s.image,
        init: s.init,
        ports: &s.ports,
        environment: mapping(&s.environment),
        healthcheck: s.healthcheck.as_ref(),
    };
    let fail = |e: serde_norway::Error| TemplateError {
        template: "compose.yaml".into(),
        detail: e.to_string(),
    };
    let mut services = Mapping::new();
    services.insert(
        Value::String(s.name.clone()),
        serde_norway::to_value(service).map_err(fail)?,
    );
    serde_norway::to_string(&ComposeFile { services }).map_err(fail)
}
