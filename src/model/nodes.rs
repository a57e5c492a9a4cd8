//! The nodes every app may have, one function each: what they mean and their defaults.

use super::{Checker, Healthcheck, KnownStack, Port, Probe, Runtime, Shape, User};
use crate::error::{Expected, Kind};
use crate::knowledge::Knowledge;
use crate::syntax::{Node, Recipe, Scalar, Spanned};

/// The argument of a node that takes one, if the recipe has the node and the value has its form.
pub fn single(c: &mut Checker, recipe: &Recipe, node: &str, expected: Expected) -> Option<String> {
    let v = recipe.one(node)?.arg(0)?;
    c.value(node, v, expected)
}

/// The image family, its release and the registry mirror.
pub fn base(
    c: &mut Checker,
    recipe: &Recipe,
    knowledge: &Knowledge,
    stack: Option<KnownStack>,
    version: Option<&Spanned<String>>,
) -> (Spanned<String>, String, Option<String>) {
    let base = recipe.one("base");
    let default = || Spanned::new("debian".to_string(), recipe.app.name.span);
    let distro = match base.and_then(|b| b.arg(0)) {
        None => default(),
        Some(v) => c
            .one_of("base", v, knowledge.distros.keys().cloned().collect())
            .unwrap_or_else(default),
    };
    let Some(distro_data) = knowledge.distros.get(&distro.value) else {
        return (distro, String::new(), None);
    };
    if let Some(s) = stack.filter(|s| !s.data.images.contains_key(&distro.value)) {
        c.error(
            distro.span,
            Kind::NoImages {
                stack: s.name.into(),
                distro: distro.value.clone(),
            },
        );
    }
    let images = stack.and_then(|s| s.data.images.get(&distro.value));
    let published = |release: &str| match (images, version) {
        (Some(images), Some(v)) => images.published(release, &v.value),
        _ => true,
    };
    let release = match base.and_then(|b| b.prop("release")) {
        // the default release, unless the stack's version is not published for it: then the
        // newest release that has it
        None => distro_data
            .preferred_release(published)
            .unwrap_or(&distro_data.default_release)
            .to_string(),
        Some(v) => c
            .matching(
                "base",
                v,
                &distro_data.release_pattern,
                Expected::Release {
                    distro: distro.value.clone(),
                    example: distro_data.default_release.clone(),
                },
            )
            .map(|r| {
                if let (false, Some(s), Some(version)) = (published(&r.value), stack, version) {
                    c.error(
                        r.span,
                        Kind::NotPublished {
                            stack: s.name.into(),
                            version: version.value.clone(),
                            release: r.value.clone(),
                            instead: distro_data.preferred_release(published).map(Box::from),
                            newer: images.is_none_or(|i| {
                                i.since.get(&r.value).is_some_and(|oldest| {
                                    !crate::knowledge::version_at_least(&version.value, oldest)
                                })
                            }),
                        },
                    );
                }
                r.value
            })
            .unwrap_or_default(),
    };
    let registry = base
        .and_then(|b| b.prop("registry"))
        .and_then(|v| c.value("base", v, Expected::Registry));
    (distro, release, registry)
}

/// Nodes only some stacks take (`build`, `spa`), on an app of another stack.
pub fn stack_only_nodes(c: &mut Checker, recipe: &Recipe, knowledge: &Knowledge, stack: &str) {
    for node in &recipe.nodes {
        let takers: Vec<String> = knowledge
            .stacks
            .iter()
            .filter(|(_, d)| d.nodes.contains(&node.name.value))
            .map(|(n, _)| n.clone())
            .collect();
        if !takers.is_empty() && !takers.iter().any(|t| t == stack) {
            c.error(
                node.name.span,
                Kind::NotForThisStack {
                    node: node.name.value.clone(),
                    stack: stack.into(),
                    stacks: takers,
                },
            );
        }
    }
}

/// The final image: nginx for a single-page app, else the stack's default or the recipe's choice.
pub fn runtime(
    c: &mut Checker,
    recipe: &Recipe,
    stack: Option<KnownStack>,
    distro: &Spanned<String>,
    knowledge: &Knowledge,
    static_site: bool,
) -> Runtime {
    let from_debian = knowledge
        .distros
        .get(&distro.value)
        .is_some_and(|d| d.distroless);
    if static_site {
        // nginx's image, or nginx alone on distroless
        let Some(r) = recipe.one("runtime") else {
            return Runtime::Nginx;
        };
        let Some(v) = r.arg(0) else {
            return Runtime::Nginx;
        };
        if !matches!(v.value.as_text().as_str(), "minimal" | "distroless") {
            c.error(v.span, Kind::RuntimeOfSpa);
            return Runtime::Nginx;
        }
        if !from_debian {
            c.error(v.span, Kind::DistrolessNeedsDebian);
        }
        return Runtime::Distroless;
    }
    // which runtimes fit depends on the stack
    let Some(data) = stack.map(|s| s.data) else {
        return Runtime::Slim;
    };
    let chosen = match recipe.one("runtime").and_then(|r| r.arg(0)) {
        None => data.default_runtime.clone(),
        Some(v) => {
            let Some(mut r) = c.one_of("runtime", v, data.runtimes.clone()) else {
                return Runtime::Slim;
            };
            // "minimal": the smallest final image that runs the stack's apps
            r.value = data.runtime_named(Some(&r.value)).to_string();
            if r.value == "distroless" && !from_debian {
                c.error(v.span, Kind::DistrolessNeedsDebian);
            }
            r.value
        }
    };
    match chosen.as_str() {
        "distroless" => Runtime::Distroless,
        "scratch" => Runtime::Scratch,
        _ => Runtime::Slim,
    }
}

/// build-deps and runtime-libs, checked against the distro's package names.
pub fn system_packages(
    c: &mut Checker,
    recipe: &Recipe,
    distro: &str,
    knowledge: &Knowledge,
    stack: Option<KnownStack>,
    runtime: Runtime,
) -> (Vec<String>, Vec<String>) {
    let Some(distro_data) = knowledge.distros.get(distro) else {
        return (vec![], vec![]);
    };
    let mut packages = |node_name: &str| -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for v in recipe.all(node_name).flat_map(|n| &n.args) {
            let expected = Expected::Package {
                distro: distro.into(),
                example: distro_data.package_example.clone(),
            };
            if let Some(p) = c.matching(node_name, v, &distro_data.package_pattern, expected) {
                if !out.contains(&p.value) {
                    out.push(p.value);
                }
            }
        }
        out
    };
    let build_deps = packages("build-deps");
    let runtime_libs = packages("runtime-libs");
    // a distroless image gets them from the stage that gathers its interpreter, if it has one
    let gathered =
        runtime == Runtime::Distroless && stack.is_some_and(|s| s.data.shell_less_runtime_libs);
    if let (false, Some(n)) = (runtime.has_shell() || gathered, recipe.one("runtime-libs")) {
        c.error(
            n.name.span,
            Kind::RuntimeLibsWithoutPackageManager {
                runtime: runtime.name().into(),
            },
        );
    }
    (build_deps, runtime_libs)
}

/// The unprivileged user: the recipe's, the image's own (node), or `app`; nginx's for a SPA.
pub fn user(
    c: &mut Checker,
    recipe: &Recipe,
    stack: Option<KnownStack>,
    knowledge: &Knowledge,
    static_site: bool,
) -> User {
    let spa_uid = knowledge.spa.uid;
    let default = User {
        name: if static_site {
            "nginx".into()
        } else {
            stack
                .and_then(|s| s.data.image_user.clone())
                .unwrap_or_else(|| "app".into())
        },
        uid: if static_site { spa_uid } else { 1000 },
        gid: if static_site { spa_uid } else { 1000 },
    };
    let Some(u) = recipe.one("user") else {
        return default;
    };
    if static_site {
        c.error(u.name.span, Kind::UserOfSpa { uid: spa_uid });
        return default;
    }
    let name = u.arg(0).and_then(|v| {
        let n = c.value("user", v, Expected::UserName)?;
        if n == "root" {
            c.error(v.span, Kind::RootUser);
            return None;
        }
        Some(n)
    });
    let mut id = |key: &str| -> u32 {
        match u.prop(key) {
            None => 1000,
            Some(v) => match v.value {
                Scalar::Int(i) if (1..=2_147_483_647).contains(&i) => i as u32,
                _ => {
                    c.invalid("user", Expected::UserId, v);
                    0
                }
            },
        }
    };
    let (uid, gid) = (id("uid"), id("gid"));
    name.map_or(default, |name| User { name, uid, gid })
}

/// Ports, without duplicates; a single-page app gets nginx's port when it names none.
pub fn ports(
    c: &mut Checker,
    recipe: &Recipe,
    knowledge: &Knowledge,
    static_site: bool,
) -> Vec<Port> {
    let spa_port = knowledge.spa.default_port;
    let mut ports: Vec<Port> = vec![];
    for v in recipe.all("port").flat_map(|n| &n.args) {
        let text = v.value.as_text();
        let parsed = crate::form::pattern(&Expected::Port)
            .and_then(|re| re.captures(&text))
            .and_then(|caps| {
                let number: u16 = caps[1].parse().ok().filter(|n| *n > 0)?;
                Some(Port {
                    number,
                    protocol: caps.get(3).map_or("tcp", |m| m.as_str()).to_string(),
                })
            });
        match parsed {
            Some(p) if static_site && p.number < 1024 => c.error(
                v.span,
                Kind::PrivilegedPort {
                    port: p.number,
                    suggestion: spa_port,
                },
            ),
            Some(p) if !ports.contains(&p) => ports.push(p),
            Some(_) => {}
            None => c.invalid("port", Expected::Port, v),
        }
    }
    if static_site && ports.is_empty() {
        ports.push(Port {
            number: spa_port,
            protocol: "tcp".into(),
        });
    }
    ports
}

/// KEY=value properties of every `node_name` node; a later key replaces an earlier one.
pub fn pairs(
    c: &mut Checker,
    recipe: &Recipe,
    node_name: &str,
    key_form: Expected,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    for node in recipe.all(node_name) {
        for (key, value) in node_pairs(c, node, key_form.clone()) {
            out.retain(|(k, _)| *k != key);
            out.push((key, value));
        }
    }
    out
}

/// One node's KEY="value" properties, each key and value checked.
pub fn node_pairs(c: &mut Checker, node: &Node, key_form: Expected) -> Vec<(String, String)> {
    let node_name = node.name.value.as_str();
    let mut out = vec![];
    for (key, (key_span, v)) in &node.props {
        let key_value = Spanned::new(Scalar::Text(key.clone()), *key_span);
        if c.text(node_name, &key_value, key_form.clone()).is_none() {
            continue;
        }
        if let Some(value) = c.one_line(node_name, v) {
            out.push((key.clone(), value));
        }
    }
    out
}

/// ENTRYPOINT and CMD: the recipe's, else the stack's default; required where there is none.
pub fn command(
    c: &mut Checker,
    recipe: &Recipe,
    shape: Option<&Shape>,
    stack: Option<KnownStack>,
    name: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let mut words = |node_name: &str| -> Vec<String> {
        recipe
            .one(node_name)
            .map(|n| {
                n.args
                    .iter()
                    .filter_map(|v| c.one_line(node_name, v))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut entrypoint = words("entrypoint");
    let cmd = words("cmd");
    // what the app runs is known only when its stack could be validated
    let (Some(shape), Some(stack)) = (shape, stack) else {
        return (entrypoint, cmd);
    };
    match recipe.one("entrypoint") {
        Some(n) if shape.static_site.is_some() => c.error(n.name.span, Kind::EntrypointOfSpa),
        Some(_) => {}
        None if shape.static_site.is_some() => {}
        None if !shape.default_entrypoint.is_empty() => {
            entrypoint = shape.default_entrypoint.clone()
        }
        // a node the parser could not read may be the entrypoint (a misspelt `entrypiont`)
        None if recipe.unreadable.iter().any(|n| n == "entrypoint") => {}
        None => c.error(
            recipe.app.name.span,
            Kind::NoEntrypoint {
                app: name.unwrap_or_default().into(),
                example: stack
                    .data
                    .entrypoint_example
                    .iter()
                    .map(|w| format!("{w:?}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            },
        ),
    }
    (entrypoint, cmd)
}

/// An HTTP healthcheck, with the interpreter of the final image where it has one, else with
/// dslim's static probe.
pub fn healthcheck(
    c: &mut Checker,
    recipe: &Recipe,
    stack: Option<KnownStack>,
    runtime: Runtime,
    static_site: bool,
    ports: &[Port],
) -> Option<Healthcheck> {
    let h = recipe.one("healthcheck")?;
    let path = h.arg(0)?;
    let data = stack?.data;
    // a static site's image has nginx and no interpreter of the stack's
    let has_interpreter = !static_site
        && !data.healthcheck.is_empty()
        && data
            .healthcheck_runtimes
            .iter()
            .any(|r| r == runtime.name());
    let probe = if has_interpreter {
        Probe::Interpreter
    } else {
        Probe::Static
    };
    if ports.is_empty() {
        c.error(h.name.span, Kind::HealthcheckWithoutPort);
    }
    let path = c.value("healthcheck", path, Expected::HttpPath)?;
    let mut duration = |key: &str, default: &str| -> String {
        h.prop(key)
            .and_then(|v| c.value("healthcheck", v, Expected::Duration))
            .unwrap_or_else(|| default.into())
    };
    let (interval, timeout, start_period) = (
        duration("interval", "30s"),
        duration("timeout", "5s"),
        duration("start-period", "10s"),
    );
    let retries = match h.prop("retries") {
        Some(Spanned {
            value: Scalar::Int(i),
            ..
        }) if (1..=100).contains(i) => *i as u32,
        Some(v) => {
            c.invalid("healthcheck", Expected::Retries, v);
            3
        }
        None => 3,
    };
    Some(Healthcheck {
        path,
        probe,
        interval,
        timeout,
        start_period,
        retries,
    })
}
