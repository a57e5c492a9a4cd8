//! compose.yaml: the plan's service, printed. Serialized by serde, so values are always YAML
//! scalars, never keys.

use serde::Serialize;
use serde_norway::{Mapping, Value};

use crate::model::{Secret, SecretSource};
use crate::plan::{self, Plan, PortMapping, ServiceHealthcheck};
use crate::template::TemplateError;

#[derive(Serialize)]
struct ComposeFile<'a> {
    /// the compose project's name (a workspace's)
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    services: Mapping,
    /// where the builds' secrets come from
    #[serde(skip_serializing_if = "Mapping::is_empty")]
    secrets: Mapping,
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

/// A one-off service: the app's image and environment, another entrypoint, started only when
/// named (`docker compose run --rm NAME`); no build of its own, so bake builds the app once.
#[derive(Serialize)]
struct OneOff<'a> {
    image: &'a str,
    /// the image the app's service builds, never one of that name from a registry
    pull_policy: &'a str,
    profiles: [&'a str; 1],
    entrypoint: &'a [String],
    #[serde(skip_serializing_if = "Mapping::is_empty")]
    environment: Mapping,
}

#[derive(Serialize)]
struct Build<'a> {
    context: &'a str,
    dockerfile: &'a str,
    target: &'a str,
    #[serde(skip_serializing_if = "Mapping::is_empty")]
    args: Mapping,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    secrets: Vec<&'a str>,
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
    let mut secrets = Mapping::new();
    add_service(&mut services, &plan.service, &plan.service.build.context)?;
    add_secrets(&mut secrets, &plan.service, ".");
    serde_norway::to_string(&ComposeFile {
        name: None,
        services,
        secrets,
    })
    .map_err(fail)
}

/// compose.dev.yaml: what `-f compose.yaml -f compose.dev.yaml` changes of the app's service
/// (Compose merges it over compose.yaml): the `dev` target, its build args, and the watch
/// rules of `docker compose watch` / `up --watch`, syncing the source and rebuilding when a
/// manifest changes. The .dockerignore's paths are left out of the sync by Compose itself.
pub fn compose_dev(service: &str, dev: &plan::DevService) -> Result<String, TemplateError> {
    #[derive(Serialize)]
    struct DevFile<'a> {
        services: std::collections::BTreeMap<&'a str, DevOverride<'a>>,
    }
    #[derive(Serialize)]
    struct DevOverride<'a> {
        build: DevBuild<'a>,
        image: &'a str,
        develop: Develop<'a>,
    }
    #[derive(Serialize)]
    struct DevBuild<'a> {
        target: &'a str,
        #[serde(skip_serializing_if = "Mapping::is_empty")]
        args: Mapping,
    }
    #[derive(Serialize)]
    struct Develop<'a> {
        watch: Vec<Watch<'a>>,
    }
    #[derive(Serialize)]
    struct Watch<'a> {
        action: &'a str,
        path: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        target: Option<&'a str>,
    }
    // a manifest's rule first: it is under the synced folder too
    let mut watch: Vec<Watch> = (dev.rebuild.iter())
        .map(|path| Watch {
            action: "rebuild",
            path,
            target: None,
        })
        .collect();
    watch.push(Watch {
        action: "sync",
        path: ".",
        target: Some(&dev.sync_to),
    });
    let file = DevFile {
        services: [(
            service,
            DevOverride {
                build: DevBuild {
                    target: dev.target.as_str(),
                    args: mapping(&dev.args),
                },
                image: &dev.image,
                develop: Develop { watch },
            },
        )]
        .into_iter()
        .collect(),
    };
    serde_norway::to_string(&file).map_err(fail)
}

/// A workspace's compose.yaml: the compose project `name`, and each member's service with its
/// folder (relative to the workspace's) as the build context.
pub fn workspace_compose(
    name: &str,
    members: &[(&plan::Service, String, String)],
) -> Result<String, TemplateError> {
    let mut services = Mapping::new();
    let mut secrets = Mapping::new();
    for (service, context, folder) in members {
        add_service(&mut services, service, context)?;
        add_secrets(&mut secrets, service, folder);
    }
    serde_norway::to_string(&ComposeFile {
        name: Some(name),
        services,
        secrets,
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
            secrets: s.secrets.iter().map(|secret| secret.id.as_str()).collect(),
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
    if let Some(release) = &s.release {
        let one_off = OneOff {
            image: &s.image,
            pull_policy: "never",
            profiles: [&release.profile],
            entrypoint: &release.entrypoint,
            environment: mapping(&s.environment),
        };
        services.insert(
            Value::String(release.name.clone()),
            serde_norway::to_value(one_off).map_err(fail)?,
        );
    }
    Ok(())
}

/// The top-level `secrets` a service's build uses: from a variable, or from a file (named
/// from `folder`, the service's recipe folder as seen from the compose file). A secret two
/// services share is one entry (the workspace has made sure they agree).
fn add_secrets(secrets: &mut Mapping, s: &plan::Service, folder: &str) {
    for secret in &s.secrets {
        let (key, value) = secret_source(secret, folder);
        let mut source = Mapping::new();
        source.insert(Value::String(key.into()), Value::String(value));
        secrets
            .entry(Value::String(secret.id.clone()))
            .or_insert(Value::Mapping(source));
    }
}

/// Where compose reads a secret: `environment` and its variable, or `file` and its path as
/// seen from the compose file, whose folder `folder` is the recipe's (relative to it).
pub fn secret_source(secret: &Secret, folder: &str) -> (&'static str, String) {
    match &secret.source {
        SecretSource::Env(var) => ("environment", var.clone()),
        SecretSource::File { file, .. } if folder == "." || file.starts_with(['/', '~']) => {
            ("file", file.clone())
        }
        SecretSource::File { file, .. } => ("file", lexical_join(folder, file)),
    }
}

/// `base/relative` with `.` and `..` resolved on the text: `services/api` and `../..` is `.`.
pub fn lexical_join(base: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = vec![];
    for part in base.split('/').chain(relative.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    match parts.is_empty() {
        true => ".".into(),
        false => parts.join("/"),
    }
}

fn fail(e: serde_norway::Error) -> TemplateError {
    TemplateError {
        template: "compose.yaml".into(),
        detail: e.to_string(),
    }
}
