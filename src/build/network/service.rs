//! Services: the ClusterIP (or headless) Service of each serving pod, and the
//! `<service>-public` NodePort or LoadBalancer Service of its published ports.

use k8s_openapi::api::core::v1::{Service as KubeService, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::build::names::{sanitize_name, selector};
use crate::classify::extension::{self, ServiceType};
use crate::classify::ports::ListeningPort;
use crate::classify::ports::PortSource;
use crate::compose::Error;
use crate::compose::model::{Project, Service};
use crate::diagnostic::Diagnostic;
use crate::options::Options;

use super::{Pod, meta};

/// A port name: a DNS label of at most 15 characters with a letter, unique in `taken`.
fn port_name(wanted: Option<&str>, port: &ListeningPort, taken: &mut Vec<String>) -> String {
    let base = wanted
        .map(|n| sanitize_name(n).chars().take(15).collect::<String>())
        .map(|n| n.trim_end_matches('-').to_owned())
        .filter(|n| n.chars().any(|c| c.is_ascii_lowercase()))
        .unwrap_or_else(|| format!("{}-{}", port.protocol.to_ascii_lowercase(), port.port));
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        let suffix = format!("-{n}");
        let stem: String = base.chars().take(15 - suffix.len()).collect();
        name = format!("{}{suffix}", stem.trim_end_matches('-'));
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The exposure asked for a service, if any: `x-kubernetes.service` or its labels, else
/// `--expose-published`.
pub(super) fn exposure(service: &Service, options: &Options) -> Option<ServiceType> {
    let x = extension::of(service).unwrap_or_default();
    x.service.or(options.expose_published)
}

/// Settings of the `-public` Service checked against what it will be: a node port needs
/// the nodeport type and exactly one published port (as in kompose), a traffic policy
/// without a NodePort or LoadBalancer Service is a warning.
pub(super) fn check_public_settings(
    pod: &Pod,
    kind: Option<ServiceType>,
    pairs: &[(i32, i32, String)],
    out: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    let x = extension::of(pod.service).unwrap_or_default();
    if let Some(port) = x.node_port {
        let source = x.source("node_port");
        if kind != Some(ServiceType::NodePort) {
            return Err(Error::project(format!(
                "services.{}: {source} ({port}) needs a NodePort Service: set the service type to nodeport",
                pod.owner
            )));
        }
        if pairs.len() != 1 {
            return Err(Error::project(format!(
                "services.{}: {source} ({port}) names the nodePort of one published port, but the service publishes {}",
                pod.owner,
                pairs.len()
            )));
        }
    }
    let has_public = matches!(
        kind,
        Some(ServiceType::NodePort | ServiceType::LoadBalancer)
    ) && !pairs.is_empty();
    if x.external_traffic_policy.is_some() && !has_public {
        out.push(Diagnostic::warning(
            format!("services.{}", pod.owner),
            format!(
                "{} applies to a NodePort or LoadBalancer Service of published ports, and the service has none; not used",
                x.source("external_traffic_policy")
            ),
        ));
    }
    Ok(())
}

/// Published host ports paired with their targets; ranges pair one to one.
pub(super) fn published(
    name: &str,
    service: &Service,
    out: &mut Vec<Diagnostic>,
) -> Vec<(i32, i32, String)> {
    let mut pairs = Vec::new();
    for (i, p) in service.ports.iter().enumerate() {
        let path = format!("services.{name}.ports[{i}]");
        // No host port is compose's random one, still reachable from outside: published on
        // the target's own number, as kompose does.
        let target = p.target.to_string();
        let published = p
            .published
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(&target);
        if p.host_ip.is_some() {
            out.push(Diagnostic::warning(
                path.clone(),
                "the host IP binding is not translated: the ClusterIP Service is reachable from inside the cluster only, and a -public Service, when asked for, on every node address",
            ));
        }
        if p.mode == "host" {
            out.push(Diagnostic::warning(
                path.clone(),
                "mode: host (publishing on the node itself) is not translated; the port is exposed through a Service",
            ));
        }
        let (a, b) = published.split_once('-').unwrap_or((published, published));
        match (a.parse::<i32>(), b.parse::<i32>()) {
            (Ok(a), Ok(b)) if a <= b => {
                // A range published for one target: the first host port carries it.
                pairs.push((a, i32::from(p.target), p.protocol.to_ascii_uppercase()));
            }
            _ => out.push(Diagnostic::warning(
                path,
                format!(
                    "published port \"{published}\" cannot be paired with its target; not exposed"
                ),
            )),
        }
    }
    pairs.dedup();
    pairs
}

fn service_type_name(t: ServiceType) -> &'static str {
    match t {
        ServiceType::ClusterIP => "ClusterIP",
        ServiceType::NodePort => "NodePort",
        ServiceType::LoadBalancer => "LoadBalancer",
    }
}

/// The Service peers reach the pod through, named `name`: ClusterIP on every target port,
/// headless for a StatefulSet (its `serviceName`, ports or not). None when the pod listens on
/// nothing.
pub(super) fn cluster_service(
    project: &Project,
    pod: &Pod,
    name: &str,
) -> Result<Option<KubeService>, Error> {
    let k8s = pod.k8s.as_str();
    check_port_names(pod)?;
    let mut taken = Vec::new();
    let mut service_ports: Vec<ServicePort> = Vec::new();
    for p in pod.ports {
        if service_ports
            .iter()
            .any(|s| s.port == p.port && s.protocol.as_deref() == Some(p.protocol.as_str()))
        {
            continue;
        }
        service_ports.push(ServicePort {
            name: Some(port_name(p.name.as_deref(), p, &mut taken)),
            port: p.port,
            target_port: Some(IntOrString::Int(p.port)),
            protocol: Some(p.protocol.clone()),
            ..ServicePort::default()
        });
    }
    // A StatefulSet's Service is its `serviceName`, headless; others are asked for.
    let headless = pod.stateful
        || extension::of(pod.service)
            .ok()
            .and_then(|x| x.headless)
            .unwrap_or(false);
    if service_ports.is_empty() && !headless {
        return Ok(None);
    }
    Ok(Some(KubeService {
        metadata: meta(project, name, k8s),
        spec: Some(ServiceSpec {
            type_: (!headless).then(|| "ClusterIP".into()),
            cluster_ip: headless.then(|| "None".into()),
            publish_not_ready_addresses: pod.clustered.then_some(true),
            selector: Some(selector(project, k8s)),
            ports: (!service_ports.is_empty()).then_some(service_ports),
            ..ServiceSpec::default()
        }),
        ..KubeService::default()
    }))
}

/// Two ports the user named alike cannot both keep the name; renaming one silently would
/// break whatever refers to it.
fn check_port_names(pod: &Pod) -> Result<(), Error> {
    let mut named: Vec<(&str, i32, &str)> = Vec::new();
    for p in pod.ports {
        if let Some(n) = &p.name {
            let this = (n.as_str(), p.port, p.protocol.as_str());
            if named
                .iter()
                .any(|(m, port, proto)| *m == this.0 && (*port, *proto) != (this.1, this.2))
            {
                return Err(Error::project(format!(
                    "services.{}.ports: two ports of one pod are named \"{n}\"; port names must be unique",
                    pod.owner
                )));
            }
            named.push(this);
        }
    }
    Ok(())
}

/// The `<service>-public` Service of the published ports: each published port to its
/// target, and as nodePort the one `x-kubernetes.node_port` names, else the published port
/// when it is in the NodePort range.
pub(super) fn public_service(
    project: &Project,
    pod: &Pod,
    kind: ServiceType,
    pairs: &[(i32, i32, String)],
) -> KubeService {
    let k8s = pod.k8s.as_str();
    let x = extension::of(pod.service).unwrap_or_default();
    let mut taken = Vec::new();
    let public_ports = pairs
        .iter()
        .map(|(published, target, protocol)| {
            let lp = ListeningPort {
                port: *published,
                protocol: protocol.clone(),
                name: None,
                source: PortSource::Declared,
            };
            ServicePort {
                name: Some(port_name(None, &lp, &mut taken)),
                port: *published,
                target_port: Some(IntOrString::Int(*target)),
                node_port: x
                    .node_port
                    .or((30000..=32767).contains(published).then_some(*published)),
                protocol: Some(protocol.clone()),
                ..ServicePort::default()
            }
        })
        .collect();
    let public = sanitize_name(&format!("{}-public", pod.service_name));
    KubeService {
        metadata: meta(project, &public, k8s),
        spec: Some(ServiceSpec {
            type_: Some(service_type_name(kind).into()),
            external_traffic_policy: x.external_traffic_policy.map(|p| p.as_str().into()),
            selector: Some(selector(project, k8s)),
            ports: Some(public_ports),
            ..ServiceSpec::default()
        }),
        ..KubeService::default()
    }
}
