//! What compose-go does once every file is merged: defaults (`SetDefaultValues`,
//! `Normalize`), profiles, and the consistency checks that need the whole project (undefined
//! references, dependency cycles, mutually exclusive attributes).

use std::path::Path;

use indexmap::{IndexMap, IndexSet};

use super::error::{Error, Result, Warning, index, join};
use super::node::{Loc, Map, Node, Value};

pub struct Context<'a> {
    pub project_name: &'a str,
    pub project_dir: &'a Path,
    pub environment: &'a IndexMap<String, String>,
    pub profiles: &'a [String],
}

pub struct Outcome {
    pub disabled_services: Vec<String>,
}

pub fn normalize(
    model: &mut Node,
    ctx: &Context<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Outcome> {
    let loc = model.loc.clone();
    let Some(root) = model.as_map_mut() else {
        return Err(Error::project("top-level object must be a mapping"));
    };
    for kind in [
        "services", "networks", "volumes", "configs", "secrets", "models",
    ] {
        match root.get_mut(kind) {
            Some(n) if n.is_null() => n.value = Value::Map(Map::new()),
            Some(n) if !matches!(n.value, Value::Map(_)) => {
                return Err(Error::new(
                    &n.loc,
                    kind,
                    format!("must be a mapping, found {}", n.kind()),
                ));
            }
            _ => {}
        }
    }
    for kind in ["services", "networks", "volumes", "configs", "secrets"] {
        if let Some(map) = root.get(kind).and_then(Node::as_map) {
            for (name, node) in map {
                let valid = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
                if !valid {
                    return Err(Error::new(
                        &node.key_loc,
                        kind,
                        format!(
                            "invalid name \"{name}\": use only letters, digits, '.', '_' and '-'"
                        ),
                    ));
                }
            }
        }
    }
    let disabled = apply_profiles(root, ctx.profiles)?;
    let mut services = root
        .shift_remove("services")
        .unwrap_or_else(|| Node::map(Map::new(), &loc));
    if let Some(map) = services.as_map_mut() {
        for (name, service) in map.iter_mut() {
            service_defaults(name, service, ctx)?;
        }
        implicit_dependencies(map);
    }
    let uses_default_network = services.as_map().is_some_and(|m| {
        m.values()
            .any(|s| s.get("networks").and_then(|n| n.get("default")).is_some())
    });
    if uses_default_network {
        let networks = root
            .entry("networks".into())
            .or_insert_with(|| Node::map(Map::new(), &Loc::default()));
        if let Some(n) = networks.as_map_mut() {
            n.entry("default".into())
                .or_insert_with(|| Node::map(Map::new(), &Loc::default()));
        }
    }
    for kind in ["networks", "volumes", "configs", "secrets"] {
        if let Some(resources) = root.get_mut(kind).and_then(Node::as_map_mut) {
            for (key, resource) in resources.iter_mut() {
                resource_defaults(kind, key, resource, ctx.project_name)?;
            }
        }
    }
    // Services come right after `name`, as compose prints them.
    root.insert("services".into(), services);
    check(root, warnings)?;
    Ok(Outcome {
        disabled_services: disabled,
    })
}

/// Removes the services none of whose profiles is active; `*` activates all.
fn apply_profiles(root: &mut Map, active: &[String]) -> Result<Vec<String>> {
    let all = active.iter().any(|p| p == "*");
    let Some(services) = root.get_mut("services").and_then(Node::as_map_mut) else {
        return Ok(Vec::new());
    };
    let mut disabled = Vec::new();
    services.retain(|name, service| {
        let profiles: Vec<String> = service
            .get("profiles")
            .and_then(Node::as_seq)
            .map(|v| v.iter().filter_map(Node::scalar_text).collect())
            .unwrap_or_default();
        let enabled = profiles.is_empty() || all || profiles.iter().any(|p| active.contains(p));
        if !enabled {
            disabled.push(name.clone());
        }
        enabled
    });
    // A dependency on a disabled service is dropped when it is not required; otherwise the
    // consistency check reports it with a hint about the profile.
    for service in services.values_mut() {
        if let Some(deps) = service.get_mut("depends_on").and_then(Node::as_map_mut) {
            deps.retain(|dep, entry| {
                !(disabled.contains(dep)
                    && matches!(
                        entry.get("required").map(|n| &n.value),
                        Some(Value::Bool(false))
                    ))
            });
        }
    }
    let _ = &disabled;
    Ok(disabled)
}

fn bool_node(b: bool) -> Node {
    Node::new(Value::Bool(b), Loc::default())
}

/// compose-go's per-service defaults, each its own step over the service's mapping.
fn service_defaults(name: &str, service: &mut Node, ctx: &Context<'_>) -> Result<()> {
    let path = join("services", name);
    if service.is_null() {
        service.value = Value::Map(Map::new());
    }
    let loc = service.loc.clone();
    let Some(s) = service.as_map_mut() else {
        return Err(Error::new(&loc, path, "a service must be a mapping"));
    };
    dependency_defaults(s);
    build_defaults(s, &loc, &path, ctx)?;
    if let Some(env) = s.get_mut("environment").and_then(Node::as_map_mut) {
        for (k, v) in env.iter_mut() {
            if v.is_null()
                && let Some(val) = ctx.environment.get(k)
            {
                v.value = Value::Str(val.clone());
            }
        }
    }
    let has_network_setting =
        s.contains_key("networks") || s.contains_key("network_mode") || s.contains_key("provider");
    if !has_network_setting {
        let mut n = Map::new();
        n.insert("default".into(), Node::null(&Loc::default()));
        s.insert("networks".into(), Node::map(n, &Loc::default()));
    }
    scale_to_replicas(s, &path)?;
    secret_and_hook_defaults(s);
    if let Some(devs) = s
        .get_mut("deploy")
        .and_then(|d| d.get_mut("resources"))
        .and_then(|r| r.get_mut("reservations"))
        .and_then(|r| r.get_mut("devices"))
    {
        device_defaults(devs, &join(&path, "deploy.resources.reservations.devices"))?;
    }
    if let Some(gpus) = s.get_mut("gpus") {
        device_defaults(gpus, &join(&path, "gpus"))?;
    }
    Ok(())
}

/// `depends_on` entries start, and are required, unless they say otherwise.
fn dependency_defaults(s: &mut Map) {
    if let Some(deps) = s.get_mut("depends_on").and_then(Node::as_map_mut) {
        for dep in deps.values_mut() {
            if let Some(d) = dep.as_map_mut() {
                d.entry("condition".into())
                    .or_insert_with(|| Node::str("service_started", &Loc::default()));
                d.entry("required".into())
                    .or_insert_with(|| bool_node(true));
            }
        }
    }
}

/// `build`: the project directory as context, `Dockerfile` unless inline, args without a
/// value taken from the environment (or dropped).
fn build_defaults(s: &mut Map, loc: &Loc, path: &str, ctx: &Context<'_>) -> Result<()> {
    let Some(build) = s.get_mut("build").and_then(Node::as_map_mut) else {
        return Ok(());
    };
    build
        .entry("context".into())
        .or_insert_with(|| Node::str(ctx.project_dir.display().to_string(), &Loc::default()));
    let inline = build.contains_key("dockerfile_inline");
    if inline && build.contains_key("dockerfile") {
        return Err(Error::new(
            loc,
            join(path, "build"),
            "dockerfile and dockerfile_inline are mutually exclusive: use one of them",
        ));
    }
    if !inline {
        build
            .entry("dockerfile".into())
            .or_insert_with(|| Node::str("Dockerfile", &Loc::default()));
    }
    if let Some(args) = build.get_mut("args").and_then(Node::as_map_mut) {
        args.retain(|k, v| {
            if v.is_null() {
                match ctx.environment.get(k) {
                    Some(val) => {
                        v.value = Value::Str(val.clone());
                        true
                    }
                    None => false,
                }
            } else {
                true
            }
        });
    }
    Ok(())
}

/// `scale` is `deploy.replicas`; the two must agree.
fn scale_to_replicas(s: &mut Map, path: &str) -> Result<()> {
    let Some(scale) = s.get("scale").cloned() else {
        return Ok(());
    };
    let replicas = s.get("deploy").and_then(|d| d.get("replicas")).cloned();
    if let Some(r) = &replicas
        && r.value != scale.value
    {
        return Err(Error::new(
            &scale.loc,
            path,
            "can't set distinct values on 'scale' and 'deploy.replicas'",
        ));
    }
    if let Value::Int(n) = scale.value
        && n < 0
    {
        return Err(Error::new(
            &scale.loc,
            join(path, "scale"),
            "must be greater than or equal to 0",
        ));
    }
    let deploy = s
        .entry("deploy".into())
        .or_insert_with(|| Node::map(Map::new(), &Loc::default()));
    if deploy.is_null() {
        deploy.value = Value::Map(Map::new());
    }
    if let Some(d) = deploy.as_map_mut() {
        d.insert("replicas".into(), scale);
    }
    Ok(())
}

/// Secrets mount at `/run/secrets/<source>`; `pre_start` hooks run the service's image.
fn secret_and_hook_defaults(s: &mut Map) {
    if let Some(secrets) = s.get_mut("secrets").and_then(|n| match &mut n.value {
        Value::Seq(v) => Some(v),
        _ => None,
    }) {
        for secret in secrets.iter_mut() {
            if let Some(m) = secret.as_map_mut()
                && !m.contains_key("target")
                && let Some(source) = m.get("source").and_then(Node::as_str)
            {
                let target = format!("/run/secrets/{source}");
                m.insert("target".into(), Node::str(target, &Loc::default()));
            }
        }
    }
    let image = s.get("image").cloned();
    if let Some(hooks) = s.get_mut("pre_start").and_then(|n| match &mut n.value {
        Value::Seq(v) => Some(v),
        _ => None,
    }) {
        for hook in hooks.iter_mut() {
            if let (Some(m), Some(image)) = (hook.as_map_mut(), &image) {
                m.entry("image".into()).or_insert_with(|| image.clone());
            }
        }
    }
}

fn device_defaults(list: &mut Node, path: &str) -> Result<()> {
    let Value::Seq(items) = &mut list.value else {
        return Ok(());
    };
    for (i, item) in items.iter_mut().enumerate() {
        let loc = item.loc.clone();
        let Some(m) = item.as_map_mut() else { continue };
        match (m.contains_key("count"), m.contains_key("device_ids")) {
            (true, true) => {
                return Err(Error::new(
                    &loc,
                    index(path, i),
                    "\"count\" and \"device_ids\" attributes are exclusive",
                ));
            }
            (false, false) => {
                m.insert("count".into(), Node::str("all", &Loc::default()));
            }
            _ => {}
        }
    }
    Ok(())
}

/// links, `service:` namespaces and volumes_from imply a dependency (compose-go `Normalize`).
fn implicit_dependencies(services: &mut Map) {
    for service in services.values_mut() {
        let mut implied: Vec<(String, bool)> = Vec::new();
        if let Some(links) = service.get("links").and_then(Node::as_seq) {
            for link in links.iter().filter_map(Node::as_str) {
                let target = link.split(':').next().unwrap_or(link);
                implied.push((target.to_owned(), true));
            }
        }
        for key in ["network_mode", "ipc", "pid", "uts", "cgroup"] {
            if let Some(target) = service
                .get(key)
                .and_then(Node::as_str)
                .and_then(|v| v.strip_prefix("service:"))
            {
                implied.push((target.to_owned(), true));
            }
        }
        if let Some(from) = service.get("volumes_from").and_then(Node::as_seq) {
            for entry in from.iter().filter_map(Node::as_str) {
                if entry.starts_with("container:") {
                    continue;
                }
                let target = entry.split(':').next().unwrap_or(entry);
                implied.push((target.to_owned(), false));
            }
        }
        if implied.is_empty() {
            continue;
        }
        let Some(s) = service.as_map_mut() else {
            continue;
        };
        let deps = s
            .entry("depends_on".into())
            .or_insert_with(|| Node::map(Map::new(), &Loc::default()));
        let Some(deps) = deps.as_map_mut() else {
            continue;
        };
        for (target, restart) in implied {
            deps.entry(target).or_insert_with(|| {
                let mut m = Map::new();
                m.insert(
                    "condition".into(),
                    Node::str("service_started", &Loc::default()),
                );
                m.insert("required".into(), bool_node(true));
                if restart {
                    m.insert("restart".into(), bool_node(true));
                }
                Node::map(m, &Loc::default())
            });
        }
    }
}

fn resource_defaults(kind: &str, key: &str, resource: &mut Node, project: &str) -> Result<()> {
    let path = format!("{kind}.{key}");
    let loc = resource.loc.clone();
    let Some(m) = resource.as_map_mut() else {
        return Err(Error::new(&loc, path, "must be a mapping"));
    };
    let external = matches!(m.get("external").map(|n| &n.value), Some(Value::Bool(true)));
    if external && kind == "volumes" && m.contains_key("driver") {
        return Err(Error::new(
            &loc,
            path,
            "conflicting parameters \"external\" and \"driver\" specified",
        ));
    }
    if !m.contains_key("name") {
        let name = if external {
            key.to_owned()
        } else {
            format!("{project}_{key}")
        };
        m.insert("name".into(), Node::str(name, &Loc::default()));
    }
    if kind == "configs" || kind == "secrets" {
        let sources: Vec<&str> = ["file", "environment", "content"]
            .into_iter()
            .filter(|k| m.contains_key(*k))
            .collect();
        let delegated = external || m.contains_key("driver");
        if sources.len() > 1 {
            return Err(Error::new(
                &loc,
                path,
                format!(
                    "{} are mutually exclusive: use one of them",
                    sources.join(" and ")
                ),
            ));
        }
        if sources.is_empty() && !delegated {
            let valid = if kind == "configs" {
                "file, environment or content"
            } else {
                "file or environment"
            };
            return Err(Error::new(
                &loc,
                path,
                format!("one of {valid} must be set (or external: true)"),
            ));
        }
        if kind == "secrets" && sources == ["content"] {
            return Err(Error::new(
                &loc,
                path,
                "a secret must declare either file or environment, not content",
            ));
        }
    }
    Ok(())
}

/// What the top level defines, for the references services make.
struct Defined<'a> {
    services: &'a Map,
    networks: IndexSet<String>,
    volumes: IndexSet<String>,
    secrets: IndexSet<String>,
    configs: IndexSet<String>,
    models: IndexSet<String>,
}

/// compose-go's `checkConsistency`, with messages that say where and what would be valid.
fn check(root: &Map, warnings: &mut Vec<Warning>) -> Result<()> {
    let empty = Map::new();
    let services = root
        .get("services")
        .and_then(Node::as_map)
        .unwrap_or(&empty);
    let defined = |kind: &str| -> IndexSet<String> {
        root.get(kind)
            .and_then(Node::as_map)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let defined = Defined {
        services,
        networks: defined("networks"),
        volumes: defined("volumes"),
        secrets: defined("secrets"),
        configs: defined("configs"),
        models: defined("models"),
    };
    for (name, service) in services {
        let path = join("services", name);
        check_runnable(name, service, &path)?;
        check_networks(service, &path, &defined)?;
        check_volumes(name, service, &path, &defined)?;
        check_references(service, &path, &defined)?;
        check_depends_on(name, service, &path, &defined, warnings)?;
        check_healthcheck(service, &path)?;
        check_container_name(service, &path)?;
        for (key, deploy) in [
            ("cpus", ["deploy", "resources", "limits", "cpus"]),
            ("mem_limit", ["deploy", "resources", "limits", "memory"]),
            (
                "mem_reservation",
                ["deploy", "resources", "reservations", "memory"],
            ),
            ("pids_limit", ["deploy", "resources", "limits", "pids"]),
        ] {
            check_equal(service, &path, key, &deploy)?;
        }
    }
    dependency_cycles(services)?;
    Ok(())
}

/// A service needs something to run.
fn check_runnable(name: &str, service: &Node, path: &str) -> Result<()> {
    if service.get("image").is_none()
        && service.get("build").is_none()
        && service.get("provider").is_none()
    {
        return Err(Error::new(
            &service.loc,
            path,
            format!(
                "service \"{name}\" has neither an image nor a build context specified: add image: or build:"
            ),
        ));
    }
    Ok(())
}

/// `network_mode` excludes `networks`, names a defined service, and networks are defined.
fn check_networks(service: &Node, path: &str, defined: &Defined) -> Result<()> {
    if service.get("network_mode").is_some() && service.get("networks").is_some() {
        return Err(Error::new(
            &service.loc,
            path,
            "network_mode and networks are mutually exclusive: use one of them",
        ));
    }
    if let Some(mode) = service.get("network_mode").and_then(Node::as_str)
        && let Some(target) = mode.strip_prefix("service:")
        && !defined.services.contains_key(target)
    {
        return Err(Error::new(
            &service
                .get("network_mode")
                .map(|n| n.loc.clone())
                .unwrap_or_default(),
            join(path, "network_mode"),
            format!("service \"{target}\" not found for network_mode 'service:{target}'"),
        ));
    }
    if let Some(nets) = service.get("networks").and_then(Node::as_map) {
        for (net, n) in nets {
            if !defined.networks.contains(net) {
                return Err(undefined(
                    n,
                    &join(path, &format!("networks.{net}")),
                    "network",
                    net,
                    &defined.networks,
                ));
            }
        }
    }
    Ok(())
}

/// Named volumes are defined, binds have a source, every mount a target not also a tmpfs.
fn check_volumes(name: &str, service: &Node, path: &str, defined: &Defined) -> Result<()> {
    let Some(vols) = service.get("volumes").and_then(Node::as_seq) else {
        return Ok(());
    };
    let tmpfs: Vec<String> = service
        .get("tmpfs")
        .and_then(Node::as_seq)
        .map(|v| {
            v.iter()
                .filter_map(Node::as_str)
                .map(|s| s.split(':').next().unwrap_or(s).to_owned())
                .collect()
        })
        .unwrap_or_default();
    for (i, v) in vols.iter().enumerate() {
        let vp = index(&join(path, "volumes"), i);
        let kind = v.get("type").and_then(Node::as_str).unwrap_or("volume");
        if kind == "volume"
            && let Some(src) = v.get("source").and_then(Node::as_str)
            && !defined.volumes.contains(src)
        {
            return Err(undefined(v, &vp, "volume", src, &defined.volumes));
        }
        if kind == "bind"
            && v.get("source")
                .and_then(Node::as_str)
                .is_none_or(str::is_empty)
        {
            return Err(Error::new(
                &v.loc,
                &vp,
                "invalid mount config for type \"bind\": field source must not be empty",
            ));
        }
        let Some(target) = v.get("target").and_then(Node::as_str) else {
            return Err(Error::new(&v.loc, &vp, "target is required"));
        };
        if let Some(j) = tmpfs.iter().position(|t| t == target) {
            return Err(Error::new(
                &v.loc,
                &vp,
                format!("target {target} already mounted as services.{name}.tmpfs[{j}]"),
            ));
        }
    }
    Ok(())
}

/// Secrets, configs, build secrets and models a service uses are defined.
fn check_references(service: &Node, path: &str, defined: &Defined) -> Result<()> {
    let build_secrets = service.get("build").and_then(|b| b.get("secrets"));
    for (refs, kind, what, set) in [
        (
            service.get("secrets"),
            "secrets",
            "secret",
            &defined.secrets,
        ),
        (
            service.get("configs"),
            "configs",
            "config",
            &defined.configs,
        ),
        (
            build_secrets,
            "build.secrets",
            "build secret",
            &defined.secrets,
        ),
    ] {
        let Some(refs) = refs.and_then(Node::as_seq) else {
            continue;
        };
        for (i, r) in refs.iter().enumerate() {
            if let Some(src) = r.get("source").and_then(Node::as_str)
                && !set.contains(src)
            {
                return Err(undefined(r, &index(&join(path, kind), i), what, src, set));
            }
        }
    }
    if let Some(m) = service.get("models").and_then(Node::as_map) {
        for (model, n) in m {
            if !defined.models.contains(model) {
                return Err(undefined(
                    n,
                    &join(path, &format!("models.{model}")),
                    "model",
                    model,
                    &defined.models,
                ));
            }
        }
    }
    Ok(())
}

/// Dependencies exist (an optional one may be missing, with a warning) and have a valid
/// condition.
fn check_depends_on(
    name: &str,
    service: &Node,
    path: &str,
    defined: &Defined,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let Some(deps) = service.get("depends_on").and_then(Node::as_map) else {
        return Ok(());
    };
    for (dep, n) in deps {
        let dep_path = join(path, &format!("depends_on.{dep}"));
        if !defined.services.contains_key(dep) {
            let required = !matches!(
                n.get("required").map(|r| &r.value),
                Some(Value::Bool(false))
            );
            if required {
                return Err(Error::new(
                    &n.key_loc,
                    dep_path,
                    format!(
                        "service \"{name}\" depends on undefined service \"{dep}\" (not defined, or not enabled by the active profiles)"
                    ),
                ));
            }
            warnings.push(Warning::new(
                &n.key_loc,
                dep_path.clone(),
                format!("optional dependency \"{dep}\" is not defined or not enabled; ignored"),
            ));
        }
        if let Some(c) = n.get("condition").and_then(Node::as_str)
            && !matches!(
                c,
                "service_started" | "service_healthy" | "service_completed_successfully"
            )
        {
            return Err(Error::new(
                &n.get("condition")
                    .map(|x| x.loc.clone())
                    .unwrap_or_default(),
                join(&dep_path, "condition"),
                format!(
                    "invalid condition \"{c}\": expected service_started, service_healthy or service_completed_successfully"
                ),
            ));
        }
    }
    Ok(())
}

fn check_healthcheck(service: &Node, path: &str) -> Result<()> {
    if let Some(test) = service.get("healthcheck").and_then(|h| h.get("test"))
        && let Some(first) = test.as_seq().and_then(|v| v.first()).and_then(Node::as_str)
        && !matches!(first, "CMD" | "CMD-SHELL" | "NONE")
    {
        return Err(Error::new(
            &test.loc,
            join(path, "healthcheck.test"),
            format!(
                "healthcheck.test must start with \"CMD\", \"CMD-SHELL\" or \"NONE\", not \"{first}\""
            ),
        ));
    }
    Ok(())
}

/// One container name cannot name several replicas.
fn check_container_name(service: &Node, path: &str) -> Result<()> {
    if service.get("container_name").is_none() {
        return Ok(());
    }
    let replicas = service
        .get("deploy")
        .and_then(|d| d.get("replicas"))
        .and_then(|r| match r.value {
            Value::Int(n) => Some(n),
            _ => None,
        })
        .unwrap_or(1);
    if replicas > 1 {
        return Err(Error::new(
            &service.loc,
            join(path, "container_name"),
            "container_name cannot be used with more than one replica: remove one of them",
        ));
    }
    Ok(())
}

fn check_equal(service: &Node, path: &str, key: &str, deploy: &[&str]) -> Result<()> {
    let Some(a) = service.get(key) else {
        return Ok(());
    };
    let mut b = Some(service);
    for k in deploy {
        b = b.and_then(|n| n.get(k));
    }
    if let Some(b) = b {
        let same = match (&a.value, &b.value) {
            (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
                (*x as f64 - y).abs() < 1e-9
            }
            (x, y) => x == y,
        };
        if !same {
            return Err(Error::new(
                &a.loc,
                join(path, key),
                format!(
                    "can't set distinct values on '{key}' and '{}'",
                    deploy.join(".")
                ),
            ));
        }
    }
    Ok(())
}

fn undefined(node: &Node, path: &str, what: &str, name: &str, defined: &IndexSet<String>) -> Error {
    let hint = if defined.is_empty() {
        format!("declare it in the top-level {what}s section")
    } else {
        format!(
            "defined {what}s: {}",
            defined.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    };
    let loc = if node.key_loc.known() {
        &node.key_loc
    } else {
        &node.loc
    };
    Error::new(
        loc,
        path,
        format!("refers to undefined {what} {name}: {hint}"),
    )
}

/// compose-go's cycle message: `dependency cycle detected: a -> b -> a`.
///
/// Iterative depth-first search: a file may chain thousands of services, and recursion would
/// overflow the stack.
fn dependency_cycles(services: &Map) -> Result<()> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Visiting,
        Done,
    }
    let deps_of = |name: &str| -> Vec<&str> {
        services
            .get(name)
            .and_then(|s| s.get("depends_on"))
            .and_then(Node::as_map)
            .map(|d| {
                d.keys()
                    .map(String::as_str)
                    .filter(|k| services.contains_key(*k))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut state: IndexMap<&str, State> = IndexMap::new();
    for root in services.keys() {
        if state.contains_key(root.as_str()) {
            continue;
        }
        // Each frame: a service and the index of its next dependency to visit.
        let mut stack: Vec<(&str, Vec<&str>, usize)> = vec![(root, deps_of(root), 0)];
        state.insert(root, State::Visiting);
        while let Some((name, deps, next)) = stack.last_mut() {
            let Some(&dep) = deps.get(*next) else {
                state.insert(name, State::Done);
                stack.pop();
                continue;
            };
            *next += 1;
            match state.get(dep) {
                Some(State::Done) => {}
                Some(State::Visiting) => {
                    let start = stack.iter().position(|(n, _, _)| *n == dep).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[start..].iter().map(|(n, _, _)| *n).collect();
                    cycle.push(dep);
                    let first = cycle[0];
                    let loc = services
                        .get(first)
                        .and_then(|s| s.get("depends_on"))
                        .map(|d| d.loc.clone())
                        .unwrap_or_default();
                    return Err(Error::new(
                        &loc,
                        format!("services.{first}.depends_on"),
                        format!("dependency cycle detected: {}", cycle.join(" -> ")),
                    ));
                }
                None => {
                    state.insert(dep, State::Visiting);
                    stack.push((dep, deps_of(dep), 0));
                }
            }
        }
    }
    Ok(())
}
