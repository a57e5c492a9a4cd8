//! A workspace's compose.yaml: one service per member, each built from its own folder, so
//! that `docker compose build` (or `docker buildx bake`) at the root builds them together.

use std::collections::{BTreeSet, HashMap};

use camino::{Utf8Path, Utf8PathBuf};

use crate::compile::Compiled;
use crate::error::Error;
use crate::plan::Service;
use crate::render;
use crate::workspace::WorkspaceFile;
use crate::{COMPOSE, RECIPE_FILE};

/// The workspace's compose.yaml, path and contents: the service of each member (whose recipes
/// are `member_recipes`), built from its folder. None when a member did not compile (its
/// errors are reported already).
pub fn workspace_compose(
    workspace: &WorkspaceFile,
    member_recipes: &BTreeSet<Utf8PathBuf>,
    compiled: &[Compiled],
) -> Result<Option<(Utf8PathBuf, String)>, Error> {
    let by_recipe: HashMap<&Utf8Path, &Compiled> = compiled
        .iter()
        .map(|c| (c.recipe_path.as_path(), c))
        .collect();
    let mut members: Vec<&Compiled> = vec![];
    for recipe in member_recipes {
        match by_recipe.get(recipe.as_path()) {
            Some(c) => members.push(c),
            None => return Ok(None),
        }
    }
    if members.is_empty() {
        return Err(Error::NoMembers {
            path: workspace.path.clone(),
        });
    }
    let mut names: HashMap<&str, &Utf8Path> = HashMap::new();
    let mut ports: HashMap<&str, &Utf8Path> = HashMap::new();
    let mut secrets: HashMap<&str, ((&str, String), &Utf8Path)> = HashMap::new();
    for c in &members {
        let service = &c.plan.service;
        // one compose file has one source per secret id
        for secret in &service.secrets {
            let dir = c.dir();
            let folder = dir.strip_prefix(workspace.dir()).unwrap_or(dir);
            let source = render::secret_source(secret, folder.as_str());
            match secrets.get(secret.id.as_str()) {
                Some((first_source, first)) if *first_source != source => {
                    return Err(Error::SecretConflict {
                        id: secret.id.clone(),
                        first: first.to_path_buf(),
                        second: c.recipe_path.clone(),
                    })
                }
                _ => {
                    secrets.insert(&secret.id, (source, &c.recipe_path));
                }
            }
        }
        if let Some(first) = names.insert(&service.name, &c.recipe_path) {
            return Err(Error::DuplicateService {
                name: service.name.clone(),
                first: first.to_path_buf(),
                second: c.recipe_path.clone(),
            });
        }
        for port in &service.ports {
            if let Some(first) = ports.insert(&port.published, &c.recipe_path) {
                return Err(Error::PortTaken {
                    port: port.published.clone(),
                    first: first.to_path_buf(),
                    second: c.recipe_path.clone(),
                });
            }
        }
    }
    let services: Vec<(&Service, String, String)> = members
        .iter()
        .map(|c| {
            let dir = c.dir();
            let member = dir.strip_prefix(workspace.dir()).unwrap_or(dir);
            (
                &c.plan.service,
                render::lexical_join(member.as_str(), &c.plan.service.build.context),
                render::lexical_join(member.as_str(), "."),
            )
        })
        .collect();
    let body = render::workspace_compose(&workspace.workspace.name.value, &services)?;
    let name = workspace.path.file_name().unwrap_or(RECIPE_FILE);
    Ok(Some((
        workspace.dir().join(COMPOSE),
        render::with_header(&body, name),
    )))
}
