//! One compose service as a container: image and pull policy, command and args, plain
//! environment, ports, resources (GPUs included) and the container's security context.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::{
    AppArmorProfile, Capabilities, Container, ContainerPort, EnvVar, ResourceRequirements,
    SeccompProfile, SecurityContext, TCPSocketAction,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::build::configuration::distinctive;
use crate::build::names::{escape, sanitize_name};
use crate::classify::extension::XKubernetes;
use crate::classify::{extension, images};
use crate::compose::model::{DeviceCount, DeviceRequest, Project, Service};
use crate::diagnostic::Diagnostic;

use super::Inputs;
use super::{lifecycle, probes};

/// A cluster member's health check asks about the cluster (`/_cluster/health` is 503 while
/// there is no master): as liveness or startup it would restart healthy members one after
/// the other while the cluster forms or has lost its quorum, which restarting cannot
/// restore. Those probes check that the process answers on its port; readiness keeps the
/// health check.
fn member_liveness(
    name: &str,
    probes: &mut probes::Probes,
    port: Option<i32>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(liveness) = probes.liveness.as_ref() else {
        return;
    };
    let port = match &liveness.http_get {
        Some(get) => Some(get.port.clone()),
        None => port.map(IntOrString::Int),
    };
    let Some(port) = port.filter(|_| liveness.tcp_socket.is_none()) else {
        return;
    };
    for probe in [probes.liveness.as_mut(), probes.startup.as_mut()]
        .into_iter()
        .flatten()
    {
        probe.http_get = None;
        probe.exec = None;
        probe.tcp_socket = Some(TCPSocketAction {
            port: port.clone(),
            ..TCPSocketAction::default()
        });
    }
    diagnostics.push(Diagnostic::note(
        format!("services.{name}.healthcheck"),
        "the startup and liveness probes of a cluster member check its port, not its health check: that one fails while the cluster forms or has no quorum, and restarting members cannot help",
    ));
}

/// Secret values of the container's environment kept out of its probe commands.
fn hide_probe_secrets(
    name: &str,
    service: &Service,
    env: &[EnvVar],
    probes: &mut probes::Probes,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // A value that is also a plain variable (airflow's user and password are both
    // `airflow`) is in the manifest anyway, and the word in the command may be the other.
    let plain: Vec<&str> = env.iter().filter_map(|e| e.value.as_deref()).collect();
    let mut secrets: Vec<probes::SecretValue> = env
        .iter()
        .filter(|e| {
            e.value_from
                .as_ref()
                .is_some_and(|v| v.secret_key_ref.is_some())
        })
        .filter_map(|e| {
            let value = service.environment.get(&e.name)?.as_deref()?;
            // A value that is not distinctive is as likely another word of the command as
            // the secret: replaced, that word would change with the Secret.
            (distinctive(value) && !plain.contains(&value)).then_some(probes::SecretValue {
                variable: &e.name,
                value,
            })
        })
        .collect();
    // The longest first, so that a value inside another is not replaced within it.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.value.len()));
    let (used, stuck) = probes::hide_secrets(probes, &secrets);
    if !used.is_empty() {
        diagnostics.push(Diagnostic::note(
            format!("services.{name}.healthcheck.test"),
            format!(
                "the probe reads {} from the container's Secret-backed environment through /bin/sh instead of carrying the value in the manifest",
                used.join(", ")
            ),
        ));
    }
    if stuck {
        diagnostics.push(Diagnostic::warning(
            format!("services.{name}.healthcheck.test"),
            "the probe command holds a secret value inside single quotes, where the shell cannot read it from a variable: it stays in plain text in the manifest; write \"$$VAR\" in the healthcheck so that the shell reads the variable",
        ));
    }
}

/// The container for one compose service (its own, a sidecar's or an initContainer's).
/// Probes only for long-running containers: an initContainer or a Job's container ends.
pub(super) fn container(
    inputs: &Inputs,
    name: &str,
    service: &Service,
    long_running: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Container {
    let parts = inputs.parts(name);
    let x = extension::of(service).unwrap_or_default();
    let env = parts.env.clone().unwrap_or_else(|| plain_env(service));
    let ports = parts
        .ports
        .clone()
        .unwrap_or_else(|| container_ports(service));
    // A default readiness probe only on a port the process is known to listen on: a port
    // guessed from a peer's URL could keep a healthy pod out of its Service forever.
    let probe_port = match &parts.ports {
        Some(_) => parts.probe_port,
        None => ports
            .iter()
            .find(|p| p.protocol.as_deref() == Some("TCP"))
            .map(|p| p.container_port),
    }
    .filter(|_| inputs.options.default_probes);
    let slow = service.image.as_deref().is_some_and(images::starts_slowly);
    let mut probes = if long_running {
        probes::probes(service.healthcheck.as_ref(), probe_port, slow)
    } else {
        probes::Probes::default()
    };
    if inputs.clustered.contains(name) {
        member_liveness(name, &mut probes, parts.wait_port, diagnostics);
    }
    if let Some(wanted) = &x.probes {
        if wanted.startup == Some(false) {
            probes.startup = None;
        }
        if wanted.liveness == Some(false) {
            probes.liveness = None;
        }
        if wanted.readiness == Some(false) {
            probes.readiness = None;
        }
    }
    for (which, spec, key) in [
        (probes::Asked::Liveness, &x.liveness_probe, "liveness_probe"),
        (
            probes::Asked::Readiness,
            &x.readiness_probe,
            "readiness_probe",
        ),
    ] {
        let Some(spec) = spec else { continue };
        if !long_running {
            diagnostics.push(Diagnostic::warning(
                format!("services.{name}"),
                format!(
                    "{}: a container that runs to completion has no probes; not used",
                    x.source(key)
                ),
            ));
            continue;
        }
        let port = ports
            .iter()
            .find(|p| p.protocol.as_deref() == Some("TCP"))
            .map(|p| p.container_port);
        if let Err(e) = probes::apply_asked(&mut probes, which, spec, port) {
            diagnostics.push(Diagnostic::warning(
                format!("services.{name}"),
                format!("{}: {e}; not used", x.source(key)),
            ));
        }
    }
    // Last, so that it also covers the checks `x-kubernetes` asked for.
    hide_probe_secrets(name, service, &env, &mut probes, diagnostics);
    let (lifecycle, hook_diagnostics) = lifecycle::lifecycle(name, service);
    diagnostics.extend(hook_diagnostics);
    Container {
        name: sanitize_name(name),
        image: Some(image(inputs.project, name, service, diagnostics)),
        image_pull_policy: x
            .image_pull_policy
            .map(|p| p.as_str().to_owned())
            .or_else(|| pull_policy(name, service, diagnostics)),
        command: service
            .entrypoint
            .as_ref()
            .map(|c| c.iter().map(|s| escape(s)).collect()),
        args: service
            .command
            .as_ref()
            .map(|c| c.iter().map(|s| escape(s)).collect()),
        env: (!env.is_empty()).then_some(env),
        env_from: (!parts.env_from.is_empty()).then(|| parts.env_from.clone()),
        ports: (!ports.is_empty()).then_some(ports),
        volume_mounts: (!parts.mounts.is_empty()).then(|| parts.mounts.clone()),
        working_dir: service.working_dir.clone(),
        tty: service.tty.then_some(true),
        stdin: service.stdin_open.then_some(true),
        resources: resources(name, service, &x, diagnostics),
        security_context: security_context(name, service, diagnostics),
        lifecycle,
        startup_probe: probes.startup,
        liveness_probe: probes.liveness,
        readiness_probe: probes.readiness,
        ..Container::default()
    }
}

/// The image a service runs. A service with only `build:` gets `<project>-<service>`, the name
/// docker compose gives the image it builds.
fn image(project: &Project, name: &str, service: &Service, out: &mut Vec<Diagnostic>) -> String {
    let image = image_name(project, name, service, out);
    if let Err(why) = images::check_reference(&image) {
        out.push(Diagnostic::warning(
            format!("services.{name}.image"),
            format!("\"{image}\" is not a valid image reference ({why}): no node can pull it"),
        ));
    }
    image
}

fn image_name(
    project: &Project,
    name: &str,
    service: &Service,
    out: &mut Vec<Diagnostic>,
) -> String {
    match (&service.image, &service.build) {
        (Some(image), None) => image.clone(),
        (Some(image), Some(_)) => {
            out.push(Diagnostic::note(
                format!("services.{name}.build"),
                format!("compose builds {image}; build and push it to a registry the cluster can pull from"),
            ));
            image.clone()
        }
        (None, _) => {
            let image = format!("{}-{}", project.name, name);
            out.push(Diagnostic::warning(
                format!("services.{name}.build"),
                format!("Kubernetes does not build images: the pod runs {image}, the name compose gives the built image; build it, push it to a registry and set `image:`"),
            ));
            image
        }
    }
}

/// `pull_policy` as imagePullPolicy. Kubernetes has no periodic refresh: `daily`, `weekly`
/// and `every_<duration>` pull on every start instead. `never` meant "use the image built
/// on this machine"; a node has no such image, so it must be pulled once (`IfNotPresent`).
fn pull_policy(name: &str, service: &Service, out: &mut Vec<Diagnostic>) -> Option<String> {
    let policy = service.pull_policy.as_deref()?;
    Some(
        match policy {
            "always" => "Always",
            "never" => {
                out.push(Diagnostic::note(
                    format!("services.{name}.pull_policy"),
                    "never: nodes have no locally built images; imagePullPolicy IfNotPresent, so push the image to a registry the cluster can pull from",
                ));
                "IfNotPresent"
            }
            "missing" | "if_not_present" | "build" => "IfNotPresent",
            other => {
                out.push(Diagnostic::warning(
                    format!("services.{name}.pull_policy"),
                    format!("{other}: Kubernetes cannot refresh images on a schedule; pulling on every start (Always)"),
                ));
                "Always"
            }
        }
        .to_owned(),
    )
}

fn plain_env(service: &Service) -> Vec<EnvVar> {
    service
        .environment
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref().map(|v| EnvVar {
                name: k.clone(),
                value: Some(escape(v)),
                ..EnvVar::default()
            })
        })
        .collect()
}

pub(super) fn container_ports(service: &Service) -> Vec<ContainerPort> {
    let mut seen: IndexMap<(i32, String), ()> = IndexMap::new();
    for p in &service.ports {
        seen.insert((i32::from(p.target), p.protocol.to_ascii_uppercase()), ());
    }
    for e in &service.expose {
        let (range, proto) = e.split_once('/').unwrap_or((e.as_str(), "tcp"));
        let (a, b) = range.split_once('-').unwrap_or((range, range));
        if let (Ok(a), Ok(b)) = (a.parse::<i32>(), b.parse::<i32>()) {
            for port in a..=b.min(a.saturating_add(1000)) {
                seen.insert((port, proto.to_ascii_uppercase()), ());
            }
        }
    }
    seen.into_keys()
        .map(|(port, protocol)| ContainerPort {
            container_port: port,
            protocol: Some(protocol),
            ..ContainerPort::default()
        })
        .collect()
}

fn resources(
    name: &str,
    service: &Service,
    x: &XKubernetes,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ResourceRequirements> {
    let r = service.deploy.as_ref().map(|d| &d.resources);
    let mut limits = BTreeMap::new();
    let mut requests = BTreeMap::new();
    let limit = r.and_then(|r| r.limits.as_ref());
    if let Some(cpus) = limit.and_then(|l| l.cpus).or(service.cpus) {
        limits.insert("cpu".to_owned(), quantity_cpu(cpus));
    }
    if let Some(mem) = limit
        .and_then(|l| l.memory.as_ref())
        .or(service.mem_limit.as_ref())
    {
        limits.insert("memory".to_owned(), quantity_memory(mem.0));
    }
    let reservation = r.and_then(|r| r.reservations.as_ref());
    if let Some(cpus) = reservation.and_then(|l| l.cpus) {
        requests.insert("cpu".to_owned(), quantity_cpu(cpus));
    }
    if let Some(mem) = reservation
        .and_then(|l| l.memory.as_ref())
        .or(service.mem_reservation.as_ref())
    {
        requests.insert("memory".to_owned(), quantity_memory(mem.0));
    }
    if let Some(e) = &x.ephemeral_storage {
        if let Some(q) = &e.limit {
            limits.insert("ephemeral-storage".to_owned(), Quantity(q.clone()));
        }
        if let Some(q) = &e.request {
            requests.insert("ephemeral-storage".to_owned(), Quantity(q.clone()));
        }
    }
    // Extended resources are asked for as limits; Kubernetes sets the request equal.
    if let Some((resource, count)) = gpus(name, service, diagnostics) {
        limits.insert(resource, Quantity(count.to_string()));
    }
    // A request above its limit is rejected by the API server; compose lets it through.
    for key in ["cpu", "memory", "ephemeral-storage"] {
        if let (Some(req), Some(lim)) = (requests.get(key), limits.get(key))
            && parse_quantity(&req.0) > parse_quantity(&lim.0)
        {
            diagnostics.push(Diagnostic::warning(
                format!("services.{name}.deploy.resources"),
                format!(
                    "the {key} reservation {} is above the limit {}; the request is lowered to the limit",
                    req.0, lim.0
                ),
            ));
            requests.insert(key.to_owned(), lim.clone());
        }
    }
    (!limits.is_empty() || !requests.is_empty()).then(|| ResourceRequirements {
        limits: (!limits.is_empty()).then_some(limits),
        requests: (!requests.is_empty()).then_some(requests),
        ..ResourceRequirements::default()
    })
}

/// GPUs asked for by `deploy.resources.reservations.devices` or `gpus`, as the extended
/// resource of the driver's device plugin. Kubernetes counts devices: `count: all` (the
/// whole host) has no equivalent and becomes one, with a warning.
fn gpus(name: &str, service: &Service, out: &mut Vec<Diagnostic>) -> Option<(String, i64)> {
    let reserved = service
        .deploy
        .as_ref()
        .and_then(|d| d.resources.reservations.as_ref())
        .map(|r| r.devices.as_slice())
        .unwrap_or_default();
    let requests: Vec<(&str, &DeviceRequest)> = reserved
        .iter()
        .map(|d| ("deploy.resources.reservations.devices", d))
        .chain(service.gpus.iter().map(|d| ("gpus", d)))
        .filter(|(_, d)| d.capabilities.iter().any(|c| c == "gpu") || d.capabilities.is_empty())
        .collect();
    let mut total: Option<(String, i64)> = None;
    for (key, device) in requests {
        let path = format!("services.{name}.{key}");
        let resource = match device.driver.as_deref() {
            None | Some("nvidia") => "nvidia.com/gpu",
            Some("amd") => "amd.com/gpu",
            Some(other) => {
                out.push(Diagnostic::warning(
                    path,
                    format!("device driver {other} has no known Kubernetes device plugin; not translated"),
                ));
                continue;
            }
        };
        let count = if !device.device_ids.is_empty() {
            out.push(Diagnostic::warning(
                path.clone(),
                "device_ids cannot pick devices in Kubernetes; asking for as many GPUs instead",
            ));
            device.device_ids.len() as i64
        } else {
            match device.count {
                Some(DeviceCount::Count(n)) => n.max(1),
                Some(DeviceCount::All) | None => {
                    out.push(Diagnostic::warning(
                        path.clone(),
                        "count: all has no Kubernetes equivalent (pods ask for a number of GPUs); asking for 1",
                    ));
                    1
                }
            }
        };
        let sum = total.as_ref().map_or(0, |(_, n)| *n) + count;
        total = Some((resource.to_owned(), sum));
    }
    total
}

/// The quantities this module writes, as numbers to compare (millicores or bytes).
fn parse_quantity(q: &str) -> f64 {
    let (number, factor) = if let Some(n) = q.strip_suffix('m') {
        (n, 0.001)
    } else if let Some(n) = q.strip_suffix("Gi") {
        (n, 1024.0 * 1024.0 * 1024.0)
    } else if let Some(n) = q.strip_suffix("Mi") {
        (n, 1024.0 * 1024.0)
    } else {
        (q, 1.0)
    };
    number.parse::<f64>().unwrap_or(0.0) * factor
}

fn quantity_cpu(cpus: f64) -> Quantity {
    let milli = (cpus * 1000.0).round() as i64;
    if milli % 1000 == 0 {
        Quantity((milli / 1000).to_string())
    } else {
        Quantity(format!("{milli}m"))
    }
}

fn quantity_memory(bytes: i64) -> Quantity {
    const MI: i64 = 1024 * 1024;
    const GI: i64 = 1024 * MI;
    if bytes > 0 && bytes % GI == 0 {
        Quantity(format!("{}Gi", bytes / GI))
    } else if bytes > 0 && bytes % MI == 0 {
        Quantity(format!("{}Mi", bytes / MI))
    } else {
        Quantity(bytes.to_string())
    }
}

fn security_context(
    name: &str,
    service: &Service,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<SecurityContext> {
    let (user, group) = match service
        .user
        .as_deref()
        .map(|u| u.split_once(':').unwrap_or((u, "")))
    {
        Some((u, g)) => {
            // `root` is uid and gid 0 everywhere; other names depend on the image.
            let id = |s: &str| {
                if s == "root" {
                    Some(0)
                } else {
                    s.parse::<i64>().ok()
                }
            };
            let (uid, gid) = (id(u), id(g));
            if uid.is_none() || (!g.is_empty() && gid.is_none()) {
                diagnostics.push(Diagnostic::warning(
                    format!("services.{name}.user"),
                    "Kubernetes takes numeric user and group ids only; names are not translated (the image's user applies)",
                ));
            }
            (uid, gid)
        }
        None => (None, None),
    };
    let caps =
        (!service.cap_add.is_empty() || !service.cap_drop.is_empty()).then(|| Capabilities {
            add: (!service.cap_add.is_empty()).then(|| service.cap_add.clone()),
            drop: (!service.cap_drop.is_empty()).then(|| service.cap_drop.clone()),
        });
    let mut ctx = SecurityContext {
        privileged: service.privileged.then_some(true),
        read_only_root_filesystem: service.read_only.then_some(true),
        run_as_user: user,
        run_as_group: group,
        capabilities: caps,
        ..SecurityContext::default()
    };
    for (i, opt) in service.security_opt.iter().enumerate() {
        let (key, value) = opt.split_once([':', '=']).unwrap_or((opt.as_str(), "true"));
        match (key, value) {
            ("no-new-privileges", "true") => ctx.allow_privilege_escalation = Some(false),
            ("no-new-privileges", "false") => {}
            ("seccomp", "unconfined") => {
                ctx.seccomp_profile = Some(SeccompProfile {
                    type_: "Unconfined".into(),
                    ..SeccompProfile::default()
                });
            }
            ("apparmor", "unconfined") => {
                ctx.app_armor_profile = Some(AppArmorProfile {
                    type_: "Unconfined".into(),
                    ..AppArmorProfile::default()
                });
            }
            _ => diagnostics.push(Diagnostic::warning(
                format!("services.{name}.security_opt[{i}]"),
                format!("\"{opt}\" is not translated (only no-new-privileges and unconfined seccomp/apparmor are)"),
            )),
        }
    }
    (ctx != SecurityContext::default()).then_some(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_built_here_are_pulled_once() {
        let service = Service {
            pull_policy: Some("never".into()),
            ..Service::default()
        };
        let mut out = Vec::new();
        assert_eq!(
            pull_policy("app", &service, &mut out).as_deref(),
            Some("IfNotPresent")
        );
        assert!(out[0].message.contains("push the image"));
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity_cpu(0.5).0, "500m");
        assert_eq!(quantity_cpu(2.0).0, "2");
        assert_eq!(quantity_memory(512 * 1024 * 1024).0, "512Mi");
        assert_eq!(quantity_memory(1024 * 1024 * 1024).0, "1Gi");
        assert_eq!(quantity_memory(1000).0, "1000");
    }
}
