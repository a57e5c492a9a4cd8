//! compose.yaml: the plan's service, printed. Serialized by serde, so values are always YAML
//! scalars, never keys.

use serde::Serialize;
use serde_norway::{Mapping, Value};

use crate::plan::{self, Plan, PortMapping, ServiceHealthcheck};
use crate::template::TemplateError;

#[derive(Serialize)]
struct ComposeFile<'a> {
    /// the compose project's name (a workspace's)
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
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

/// One app's compose.yaml: its service, built from its own folder.
pub fn compose(plan: &Plan) -> Result<String, TemplateError> {
    let mut services = Mapping::new();
    add_service(&mut services, &plan.service, &plan.service.build.context)?;
    serde_norway::to_string(&ComposeFile {
        name: None,
        services,
    })
    .map_err(fail)
}

/// A workspace's compose.yaml: the compose project `name`, and each member's service with its
/// folder (relative to the workspace's) as the build context.
pub fn workspace_compose(
    name: &str,
    members: &[(&plan::Service, String)],
) -> Result<String, TemplateError> {
    let mut services = Mapping::new();
    for (service, context) in members {
        add_service(&mut services, service, context)?;
    }
    serde_norway::to_string(&ComposeFile {
        name: Some(name),
        services,
    })
    .map_err(fail)
}

fn add_service(
    services: &mut Mapping,
    s: &plan::Service,
    context: &str,
) -> Result<(), TemplateError> {
    let service = Service {
        build: Build {
            context,
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
    services.insert(
        Value::String(s.name.clone()),
        serde_norway::to_value(service).map_err(fail)?,
    );
    Ok(())
}

fn fail(e: serde_norway::Error) -> TemplateError {
    TemplateError {
        template: "compose.yaml".into(),
        detail: e.to_string(),
    }
}
