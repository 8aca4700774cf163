//! Pod-level settings of a host service: host namespaces, names and DNS, `/etc/hosts`,
//! shutdown grace, platform, scheduling, the pod's security context, its service account
//! and image pull Secrets.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    HostAlias, LocalObjectReference, PodDNSConfig, PodDNSConfigOption, PodSecurityContext, PodSpec,
    Sysctl,
};

use crate::build::names::sanitize_name;
use crate::classify::extension::XKubernetes;
use crate::classify::{images, peers};
use crate::compose::model::{Project, Service};
use crate::diagnostic::Diagnostic;

use super::placement;

/// Sets everything on the pod that compose says of the service's container as a whole.
/// `own_names` are the names compose's DNS answered for it.
pub(super) fn pod_settings(
    pod: &mut PodSpec,
    name: &str,
    service: &Service,
    x: &XKubernetes,
    own_names: &[String],
    selector: &BTreeMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    host_namespaces(pod, service);
    name_resolution(pod, name, service, diagnostics);
    calls_to_itself(pod, service, own_names);
    pod.termination_grace_period_seconds = service
        .stop_grace_period
        .as_ref()
        .map(|d| (d.0.max(0) + 999_999_999) / 1_000_000_000);
    scheduling(pod, name, service, x, selector, diagnostics);
    let security = security_context(name, service, diagnostics);
    pod.security_context = (security != PodSecurityContext::default()).then_some(security);
    pod.service_account_name = x.service_account.clone();
    pod.image_pull_secrets = (!x.image_pull_secrets.is_empty()).then(|| {
        x.image_pull_secrets
            .iter()
            .map(|name| LocalObjectReference { name: name.clone() })
            .collect()
    });
}

/// `network_mode`, `pid` and `ipc: host`.
fn host_namespaces(pod: &mut PodSpec, service: &Service) {
    if service.network_mode.as_deref() == Some("host") {
        pod.host_network = Some(true);
        // Keeps cluster DNS working for a pod on the node's network.
        pod.dns_policy = Some("ClusterFirstWithHostNet".into());
    }
    if service.pid.as_deref() == Some("host") {
        pod.host_pid = Some(true);
    }
    if service.ipc.as_deref() == Some("host") {
        pod.host_ipc = Some(true);
    }
}

/// `hostname`, `domainname`, `extra_hosts` and `dns*`. `host-gateway` is Docker's name for
/// the host; a pod has no such address (and the API server takes only IPs), so it is left
/// out with a warning.
fn name_resolution(
    pod: &mut PodSpec,
    name: &str,
    service: &Service,
    diagnostics: &mut Vec<Diagnostic>,
) {
    pod.hostname = service.hostname.as_deref().map(sanitize_name);
    pod.subdomain = service.domainname.as_deref().map(sanitize_name);
    let mut aliases: Vec<HostAlias> = Vec::new();
    for (host, ips) in &service.extra_hosts {
        for ip in ips {
            if ip.parse::<std::net::IpAddr>().is_ok() {
                aliases.push(HostAlias {
                    ip: ip.clone(),
                    hostnames: Some(vec![host.clone()]),
                });
            } else {
                diagnostics.push(Diagnostic::warning(
                    format!("services.{name}.extra_hosts"),
                    format!("{host}:{ip}: {ip} is not an address a pod can use (host-gateway is Docker's name for its host); not translated, reach the host through a Service or the node's address"),
                ));
            }
        }
    }
    pod.host_aliases = (!aliases.is_empty()).then_some(aliases);
    if service.dns.is_empty() && service.dns_search.is_empty() && service.dns_opt.is_empty() {
        return;
    }
    pod.dns_config = Some(PodDNSConfig {
        nameservers: (!service.dns.is_empty()).then(|| service.dns.clone()),
        searches: (!service.dns_search.is_empty()).then(|| service.dns_search.clone()),
        options: (!service.dns_opt.is_empty()).then(|| {
            service
                .dns_opt
                .iter()
                .map(|o| {
                    let (name, value) = o.split_once(':').unwrap_or((o.as_str(), ""));
                    PodDNSConfigOption {
                        name: Some(name.to_owned()),
                        value: (!value.is_empty()).then(|| value.to_owned()),
                    }
                })
                .collect()
        }),
    });
}

/// A health check is about the container itself: an own name used as a host in the
/// healthcheck, command or entrypoint (`http://storage:5000` inside `storage`) resolves to
/// the pod, through `hostAliases`. Through its Service it would wait for the pod to be ready,
/// which it cannot be before its check passes. Other uses keep going through the Service.
fn calls_to_itself(pod: &mut PodSpec, service: &Service, own_names: &[String]) {
    let texts: Vec<&str> = service
        .healthcheck
        .iter()
        .flat_map(|h| h.test.iter().skip(1))
        .chain(service.command.iter().flatten())
        .chain(service.entrypoint.iter().flatten())
        .map(String::as_str)
        .collect();
    let called: Vec<String> = own_names
        .iter()
        .filter(|n| is_host_alias_name(n))
        .filter(|n| {
            // A whole word alone is not enough here: `celery -A app worker` names a queue.
            texts.iter().any(|t| {
                peers::occurrences(t, n)
                    .iter()
                    .any(|o| o.host_use && (o.port.is_some() || o.end - o.start < t.len()))
            })
        })
        .cloned()
        .collect();
    if called.is_empty() {
        return;
    }
    pod.host_aliases
        .get_or_insert_with(Vec::new)
        .push(HostAlias {
            ip: "127.0.0.1".into(),
            hostnames: Some(called),
        });
}

/// hostAliases take DNS-1123 subdomains only.
fn is_host_alias_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Node selector, affinity, spread and tolerations from `platform`, `deploy.placement` and
/// `x-kubernetes`.
fn scheduling(
    pod: &mut PodSpec,
    name: &str,
    service: &Service,
    x: &XKubernetes,
    selector: &BTreeMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut node_selector: BTreeMap<String, String> = x
        .node_selector
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(platform) = service.platform.as_deref().filter(|p| !is_wasm(p)) {
        let mut parts = platform.split('/');
        if let Some(os) = parts.next().filter(|s| !s.is_empty()) {
            node_selector.insert("kubernetes.io/os".into(), os.to_owned());
        }
        if let Some(arch) = parts.next().filter(|s| !s.is_empty()) {
            node_selector.insert("kubernetes.io/arch".into(), arch.to_owned());
        }
    }
    runtime_class(pod, name, service, diagnostics);
    let scheduling = placement::scheduling(name, service, selector);
    node_selector.extend(scheduling.node_selector);
    diagnostics.extend(scheduling.diagnostics);
    pod.node_selector = (!node_selector.is_empty()).then_some(node_selector);
    pod.affinity = scheduling.affinity;
    pod.topology_spread_constraints =
        (!scheduling.topology_spread.is_empty()).then_some(scheduling.topology_spread);
    let mut tolerations = x.tolerations.clone();
    tolerations.extend(scheduling.tolerations);
    pod.tolerations = (!tolerations.is_empty()).then_some(tolerations);
}

/// `platform: wasi/wasm` names no node OS: WebAssembly runs on a node's containerd shim.
fn is_wasm(platform: &str) -> bool {
    let mut parts = platform.split('/');
    parts.next() == Some("wasi") || parts.next() == Some("wasm")
}

/// `runtime` (and WebAssembly's platform) as `runtimeClassName`: containerd's shim
/// `io.containerd.wasmedge.v1` is the handler `wasmedge`, the name the usual RuntimeClass
/// installers (the KWasm operator, Spin's) give it. The cluster must have that RuntimeClass.
fn runtime_class(
    pod: &mut PodSpec,
    name: &str,
    service: &Service,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let wasm = service.platform.as_deref().is_some_and(is_wasm);
    let class = match service.runtime.as_deref() {
        Some("runc" | "io.containerd.runc.v2") | None if !wasm => return,
        Some(runtime) => {
            let shim = runtime.strip_prefix("io.containerd.").unwrap_or(runtime);
            let shim = match shim.rsplit_once('.') {
                Some((handler, version)) if version.starts_with('v') => handler,
                _ => shim,
            };
            sanitize_name(shim)
        }
        None => "wasmedge".to_owned(),
    };
    let why = if wasm {
        "WebAssembly runs on a containerd shim, not on a node OS"
    } else {
        "docker's runtime becomes the pod's RuntimeClass"
    };
    diagnostics.push(Diagnostic::note(
        format!("services.{name}.runtime"),
        format!("runtimeClassName {class}: {why}; the cluster needs a RuntimeClass of that name"),
    ));
    pod.runtime_class_name = Some(class);
}

/// `sysctls` and numeric `group_add`.
fn security_context(
    name: &str,
    service: &Service,
    diagnostics: &mut Vec<Diagnostic>,
) -> PodSecurityContext {
    let sysctls: Vec<Sysctl> = service
        .sysctls
        .iter()
        .map(|(k, v)| Sysctl {
            name: k.clone(),
            value: v.clone(),
        })
        .collect();
    let mut groups = Vec::new();
    for group in &service.group_add {
        match group.parse::<i64>() {
            Ok(gid) => groups.push(gid),
            Err(_) => diagnostics.push(Diagnostic::warning(
                format!("services.{name}.group_add"),
                format!("group {group}: Kubernetes takes numeric group ids only; not translated"),
            )),
        }
    }
    PodSecurityContext {
        sysctls: (!sysctls.is_empty()).then_some(sysctls),
        supplemental_groups: (!groups.is_empty()).then_some(groups),
        ..PodSecurityContext::default()
    }
}

/// The group a pod's claims must belong to for its processes to write them, when they run
/// as a user other than root: the gid of `user:` (else its uid), or the group of a known
/// non-root image. Docker copied the image's directory, with its owner, into a new named
/// volume; a fresh claim is root-owned. A note says why.
pub(super) fn writable_claims(
    project: &Project,
    name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<i64> {
    let service = project.services.get(name)?;
    let (gid, why) = match service.user.as_deref() {
        Some(user) => {
            let (uid, gid) = user.split_once(':').unwrap_or((user, ""));
            if uid == "root" || uid == "0" {
                return None;
            }
            // An explicit group counts even when it is 0 (airflow runs as 50000:0): fsGroup
            // also makes the claim group-writable.
            let id = gid
                .parse::<i64>()
                .ok()
                .or_else(|| uid.parse::<i64>().ok())
                .filter(|id| *id >= 0)?;
            (id, format!("it runs as user {user}"))
        }
        None => {
            let image = service.image.as_deref()?;
            let gid = images::non_root_group(image)?;
            (
                gid,
                format!(
                    "the {} image runs as a non-root user of group {gid}",
                    images::repository_name(image)
                ),
            )
        }
    };
    diagnostics.push(Diagnostic::note(
        format!("services.{name}.volumes"),
        format!(
            "fsGroup {gid}: {why}, and a fresh claim belongs to root until the pod's group owns it"
        ),
    ));
    Some(gid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::project;

    #[test]
    fn claims_of_non_root_pods_get_their_group() {
        let p = project(
            "services:\n  a: {image: app, user: '1000'}\n  b: {image: app, user: '50000:0'}\n  c: {image: 'grafana/grafana:11'}\n  d: {image: 'grafana/grafana:11', user: root}\n  e: {image: postgres}\n  f: {image: app, user: node}\n",
        );
        let gid = |s: &str| writable_claims(&p, s, &mut Vec::new());
        assert_eq!(gid("a"), Some(1000));
        assert_eq!(gid("b"), Some(0));
        assert_eq!(gid("c"), Some(472));
        assert_eq!(gid("d"), None, "root needs none");
        assert_eq!(gid("e"), None, "the image starts as root");
        assert_eq!(gid("f"), None, "a user name cannot be resolved");
    }

    #[test]
    fn a_pod_calling_its_own_name_reaches_itself() {
        let p = project(
            "services:\n  storage:\n    image: app\n    container_name: store\n    healthcheck:\n      test: [CMD, wget, -q, 'http://store:5000/status']\n  worker:\n    image: app\n    command: [celery, -A, app, worker]\n",
        );
        let aliases = |s: &str| {
            let mut pod = PodSpec::default();
            calls_to_itself(&mut pod, &p.services[s], &peers::names_of(&p, s));
            pod.host_aliases
        };
        let storage = aliases("storage").unwrap();
        assert_eq!(storage[0].ip, "127.0.0.1");
        assert_eq!(
            storage[0].hostnames.as_deref(),
            Some(&["store".to_owned()][..])
        );
        // A queue named like the service is not a call to itself.
        assert_eq!(aliases("worker"), None);
    }

    #[test]
    fn webassembly_runs_on_a_runtime_class_not_a_node_os() {
        let p = project(
            "services:\n  a: {image: app, platform: wasi/wasm, runtime: io.containerd.wasmedge.v1}\n  b: {image: app, platform: wasi/wasm}\n  c: {image: app, platform: linux/arm64}\n  d: {image: app, runtime: runsc}\n",
        );
        let pod = |s: &str| {
            let mut pod = PodSpec::default();
            scheduling(
                &mut pod,
                s,
                &p.services[s],
                &XKubernetes::default(),
                &BTreeMap::new(),
                &mut Vec::new(),
            );
            (
                pod.runtime_class_name,
                pod.node_selector.unwrap_or_default(),
            )
        };
        assert_eq!(pod("a"), (Some("wasmedge".into()), BTreeMap::new()));
        assert_eq!(pod("b").0.as_deref(), Some("wasmedge"));
        let (class, selector) = pod("c");
        assert_eq!(class, None);
        assert_eq!(selector["kubernetes.io/arch"], "arm64");
        assert_eq!(pod("d").0.as_deref(), Some("runsc"));
    }
}
