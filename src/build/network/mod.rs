//! Services, Ingresses and NetworkPolicies (DESIGN.md §4 "Services", "Ingress", "Networks").
//!
//! - **Services.** One ClusterIP Service per pod that listens on a port, named after its
//!   compose service, with every *target* port as both `port` and `targetPort`: inside the
//!   compose network clients reach `db:5432` on the container port, whatever is published on
//!   the host, and the Service keeps that true. Sidecar ports join their pod's Service. A
//!   StatefulSet always gets its Service headless (`clusterIP: None`), ports or not: it is
//!   the StatefulSet's `serviceName`. Jobs, CronJobs and initContainers serve nothing.
//! - **Port names**: the long syntax's `name` (made a DNS label of at most 15 characters),
//!   else `<proto>-<port>`; repeats get a numeric suffix. TCP and UDP on one port stay two.
//! - **Exposure.** Published ports are the external face. When asked for
//!   (`x-kubernetes.service`, the label `compose2kube.service.type`, kompose's
//!   `kompose.service.type`, or `--expose-published`), a `<service>-public` Service of that
//!   type maps each published port to its target; a published port in 30000-32767 is also
//!   its nodePort. Otherwise a note says how to expose them.
//! - **Ingress** for `x-kubernetes.ingress`, the `compose2kube.ingress.*` labels, kompose's
//!   `kompose.service.expose*` labels, or `--ingress-host` (every service publishing an HTTP
//!   port — 80, 443, 3000, 5000, 8000, 8080, 8443, 8888 — gets one, on the host itself
//!   when it is the only one, else on `<service>.<host>`). The backend is the target of the
//!   port published on 80, 443 or 8080 (in that order), else the first TCP port.
//! - **NetworkPolicies** (`--network-policies`): pods carry `compose2kube.io/network-<net>:
//!   "true"` per compose network; one policy per network admits ingress from pods of the
//!   same network (egress stays open so DNS keeps working), and a `<service>-published`
//!   policy admits anyone on the targets of published ports.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::{Service as KubeService, ServicePort, ServiceSpec};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, NetworkPolicy, NetworkPolicyIngressRule,
    NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::build::names::{labels, sanitize_name, selector};
use crate::classify::extension::{self, ServiceType};
use crate::classify::ports::ListeningPort;
use crate::classify::{Classification, Role};
use crate::compose::Error;
use crate::compose::model::{Project, Service};
use crate::diagnostic::Diagnostic;
use crate::options::Options;

#[derive(Debug, Clone, Default)]
pub struct Network {
    pub services: Vec<KubeService>,
    pub ingresses: Vec<Ingress>,
    pub policies: Vec<NetworkPolicy>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Ports published on these are taken for HTTP by `--ingress-host`.
const HTTP_PORTS: &[u16] = &[80, 443, 3000, 5000, 8000, 8080, 8443, 8888];

/// The pod label that puts a pod in a compose network.
pub fn network_label(network: &str) -> String {
    let name: String = sanitize_name(&format!("network-{network}"));
    format!("compose2kube.io/{name}")
}

/// The compose networks a service's pod belongs to: its own, or its host's for
/// `network_mode: service:X`; none on the host network.
pub fn pod_networks(project: &Project, service: &str) -> Vec<String> {
    let Some(s) = project.services.get(service) else {
        return Vec::new();
    };
    match s.network_mode.as_deref() {
        Some(mode) if mode.starts_with("service:") => {
            let host = &mode["service:".len()..];
            if host == service {
                Vec::new()
            } else {
                pod_networks(project, host)
            }
        }
        Some("host") | Some("none") => Vec::new(),
        _ if s.networks.is_empty() => vec!["default".into()],
        _ => s.networks.keys().cloned().collect(),
    }
}

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

fn meta(project: &Project, name: &str, owner: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        labels: Some(labels(project, owner)),
        ..ObjectMeta::default()
    }
}

/// The exposure asked for a service, if any.
fn exposure(
    name: &str,
    service: &Service,
    options: &Options,
) -> Result<Option<ServiceType>, String> {
    let x = extension::of(service).unwrap_or_default();
    if let Some(t) = x.service {
        return Ok(Some(t));
    }
    for label in ["compose2kube.service.type", "kompose.service.type"] {
        if let Some(value) = service.labels.get(label) {
            return match value.to_ascii_lowercase().as_str() {
                "clusterip" => Ok(Some(ServiceType::ClusterIP)),
                "nodeport" => Ok(Some(ServiceType::NodePort)),
                "loadbalancer" => Ok(Some(ServiceType::LoadBalancer)),
                other => Err(format!(
                    "services.{name}.labels.{label}: \"{other}\" is not a Service type (clusterip, nodeport or loadbalancer)"
                )),
            };
        }
    }
    Ok(options.expose_published)
}

/// Published host ports paired with their targets; ranges pair one to one.
fn published(name: &str, service: &Service, out: &mut Vec<Diagnostic>) -> Vec<(i32, i32, String)> {
    let mut pairs = Vec::new();
    for (i, p) in service.ports.iter().enumerate() {
        let path = format!("services.{name}.ports[{i}]");
        let Some(published) = p.published.as_deref().filter(|s| !s.is_empty()) else {
            continue;
        };
        if p.host_ip.is_some() {
            out.push(Diagnostic::warning(
                path.clone(),
                "the host IP binding is not translated: Services listen on every address",
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

/// The ingress settings asked for a service, if any: (host, path, tls, class, annotations).
struct IngressWish {
    host: Option<String>,
    path: String,
    tls: Option<String>,
    class: Option<String>,
    annotations: BTreeMap<String, String>,
}

fn ingress_wish(
    service: &Service,
    options: &Options,
    host_for_flag: Option<String>,
) -> Option<IngressWish> {
    let x = extension::of(service).unwrap_or_default();
    if let Some(i) = x.ingress {
        return Some(IngressWish {
            host: i.host.or(host_for_flag),
            path: i.path.unwrap_or_else(|| "/".into()),
            tls: i.tls,
            class: i.class.or_else(|| options.ingress_class.clone()),
            annotations: i.annotations.into_iter().collect(),
        });
    }
    let label = |k: &str| service.labels.get(k).cloned();
    if let Some(host) = label("compose2kube.ingress.host") {
        return Some(IngressWish {
            host: Some(host),
            path: label("compose2kube.ingress.path").unwrap_or_else(|| "/".into()),
            tls: label("compose2kube.ingress.tls"),
            class: label("compose2kube.ingress.class").or_else(|| options.ingress_class.clone()),
            annotations: BTreeMap::new(),
        });
    }
    if let Some(expose) = label("kompose.service.expose")
        && expose != "false"
    {
        let host = (expose != "true")
            .then(|| {
                expose
                    .split(',')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            })
            .filter(|h| !h.is_empty());
        return Some(IngressWish {
            host: host.or(host_for_flag),
            path: "/".into(),
            tls: label("kompose.service.expose.tls-secret"),
            class: label("kompose.service.expose.ingress-class-name")
                .or_else(|| options.ingress_class.clone()),
            annotations: BTreeMap::new(),
        });
    }
    host_for_flag.map(|host| IngressWish {
        host: Some(host),
        path: "/".into(),
        tls: None,
        class: options.ingress_class.clone(),
        annotations: BTreeMap::new(),
    })
}

/// The port an Ingress sends traffic to: the target of the port published on 80, 443 or
/// 8080, else the first TCP port of the Service.
fn http_port(service: &Service, ports: &[ListeningPort]) -> Option<i32> {
    for wanted in ["80", "443", "8080"] {
        if let Some(p) = service
            .ports
            .iter()
            .find(|p| p.published.as_deref() == Some(wanted) && p.protocol == "tcp")
        {
            return Some(i32::from(p.target));
        }
    }
    ports.iter().find(|p| p.protocol == "TCP").map(|p| p.port)
}

fn publishes_http(service: &Service) -> bool {
    service.ports.iter().any(|p| {
        p.published
            .as_deref()
            .and_then(|s| s.parse::<u16>().ok())
            .is_some_and(|port| HTTP_PORTS.contains(&port))
            || HTTP_PORTS.contains(&p.target) && p.published.is_some()
    })
}

pub fn network(
    project: &Project,
    roles: &IndexMap<String, Classification>,
    ports: &IndexMap<String, Vec<ListeningPort>>,
    options: &Options,
) -> Result<Network, Error> {
    let mut out = Network::default();
    // Pods that serve: every long-running workload, with the ports of its sidecars.
    let mut pods: IndexMap<&str, Vec<&ListeningPort>> = IndexMap::new();
    for (name, class) in roles {
        match &class.role {
            Role::Deployment | Role::StatefulSet | Role::DaemonSet => {
                pods.entry(name.as_str())
                    .or_default()
                    .extend(ports.get(name).into_iter().flatten());
            }
            Role::Sidecar { of } => {
                if let Some(owner) = roles.get_key_value(of.as_str()).map(|(k, _)| k.as_str()) {
                    pods.entry(owner)
                        .or_default()
                        .extend(ports.get(name).into_iter().flatten());
                }
            }
            _ => {}
        }
    }
    let flag_hosts: Vec<&str> = match &options.ingress_host {
        Some(_) => project
            .services
            .iter()
            .filter(|(n, s)| pods.contains_key(n.as_str()) && publishes_http(s))
            .map(|(n, _)| n.as_str())
            .collect(),
        None => Vec::new(),
    };
    for (owner, pod_ports) in &pods {
        let Some(service) = project.services.get(*owner) else {
            continue;
        };
        let k8s = sanitize_name(owner);
        let stateful = matches!(roles.get(*owner).map(|c| &c.role), Some(Role::StatefulSet));
        let mut taken = Vec::new();
        let mut service_ports: Vec<ServicePort> = Vec::new();
        // Two ports the user named alike cannot both keep the name; renaming one silently
        // would break whatever refers to it.
        let mut named: Vec<(&str, i32, &str)> = Vec::new();
        for p in pod_ports {
            if let Some(n) = &p.name {
                let this = (n.as_str(), p.port, p.protocol.as_str());
                if named
                    .iter()
                    .any(|(m, port, proto)| *m == this.0 && (*port, *proto) != (this.1, this.2))
                {
                    return Err(Error::project(format!(
                        "services.{owner}.ports: two ports of one pod are named \"{n}\"; port names must be unique"
                    )));
                }
                named.push(this);
            }
        }
        for p in pod_ports {
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
        if service_ports.is_empty() && !stateful {
            continue;
        }
        out.services.push(KubeService {
            metadata: meta(project, &k8s, &k8s),
            spec: Some(ServiceSpec {
                type_: (!stateful).then(|| "ClusterIP".into()),
                cluster_ip: stateful.then(|| "None".into()),
                selector: Some(selector(project, &k8s)),
                ports: (!service_ports.is_empty()).then_some(service_ports),
                ..ServiceSpec::default()
            }),
            ..KubeService::default()
        });
        // Published ports of the pod's containers (its own and its sidecars').
        let mut pairs = published(owner, service, &mut out.diagnostics);
        for (name, class) in roles {
            if matches!(&class.role, Role::Sidecar { of } if of == owner)
                && let Some(sidecar) = project.services.get(name)
            {
                pairs.extend(published(name, sidecar, &mut out.diagnostics));
            }
        }
        let mut has_ingress = false;
        let host_for_flag = options.ingress_host.as_ref().and_then(|h| {
            flag_hosts.contains(owner).then(|| {
                if flag_hosts.len() == 1 {
                    h.clone()
                } else {
                    format!("{k8s}.{h}")
                }
            })
        });
        if let Some(wish) = ingress_wish(service, options, host_for_flag) {
            let all: Vec<ListeningPort> = pod_ports.iter().map(|p| (*p).clone()).collect();
            let Some(port) = http_port(service, &all) else {
                return Err(Error::project(format!(
                    "services.{owner}: an Ingress was asked for, but the service listens on no TCP port; declare one with ports, expose or x-kubernetes.ports"
                )));
            };
            out.ingresses.push(ingress(project, &k8s, port, wish));
            has_ingress = true;
        }
        let kind = exposure(owner, service, options).map_err(Error::project)?;
        match kind {
            Some(ServiceType::NodePort | ServiceType::LoadBalancer) if !pairs.is_empty() => {
                let kind = kind.unwrap_or(ServiceType::NodePort);
                let mut taken = Vec::new();
                let public_ports = pairs
                    .iter()
                    .map(|(published, target, protocol)| {
                        let lp = ListeningPort {
                            port: *published,
                            protocol: protocol.clone(),
                            name: None,
                            source: crate::classify::ports::PortSource::Declared,
                        };
                        ServicePort {
                            name: Some(port_name(None, &lp, &mut taken)),
                            port: *published,
                            target_port: Some(IntOrString::Int(*target)),
                            node_port: (30000..=32767).contains(published).then_some(*published),
                            protocol: Some(protocol.clone()),
                            ..ServicePort::default()
                        }
                    })
                    .collect();
                let public = sanitize_name(&format!("{k8s}-public"));
                out.services.push(KubeService {
                    metadata: meta(project, &public, &k8s),
                    spec: Some(ServiceSpec {
                        type_: Some(service_type_name(kind).into()),
                        selector: Some(selector(project, &k8s)),
                        ports: Some(public_ports),
                        ..ServiceSpec::default()
                    }),
                    ..KubeService::default()
                });
            }
            Some(_) => {}
            None if !pairs.is_empty() && !has_ingress => {
                let list: Vec<String> = pairs.iter().map(|(p, t, _)| format!("{p}→{t}")).collect();
                out.diagnostics.push(Diagnostic::note(
                    format!("services.{owner}.ports"),
                    format!(
                        "published ports ({}) are reachable inside the cluster only, through Service {k8s}; to expose them set `x-kubernetes: {{service: nodeport}}` (or loadbalancer), pass --expose-published nodeport|loadbalancer, or add an Ingress",
                        list.join(", ")
                    ),
                ));
            }
            None => {}
        }
    }
    if options.network_policies {
        policies(project, roles, &mut out);
    } else {
        let mut networks: Vec<String> = project
            .services
            .keys()
            .flat_map(|name| pod_networks(project, name))
            .collect();
        networks.sort();
        networks.dedup();
        if networks.len() > 1 {
            out.diagnostics.push(Diagnostic::note(
                "networks",
                format!(
                    "every pod can reach every other: the separation of networks {} is kept only with --network-policies",
                    networks.join(", ")
                ),
            ));
        }
    }
    Ok(out)
}

fn ingress(project: &Project, name: &str, port: i32, wish: IngressWish) -> Ingress {
    let path = if wish.path.starts_with('/') {
        wish.path
    } else {
        format!("/{}", wish.path)
    };
    Ingress {
        metadata: ObjectMeta {
            annotations: (!wish.annotations.is_empty()).then_some(wish.annotations),
            ..meta(project, name, name)
        },
        spec: Some(IngressSpec {
            ingress_class_name: wish.class,
            tls: wish.tls.map(|secret| {
                vec![IngressTLS {
                    hosts: wish.host.clone().map(|h| vec![h]),
                    secret_name: Some(secret),
                }]
            }),
            rules: Some(vec![IngressRule {
                host: wish.host,
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some(path),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: name.to_owned(),
                                port: Some(ServiceBackendPort {
                                    number: Some(port),
                                    ..ServiceBackendPort::default()
                                }),
                            }),
                            ..IngressBackend::default()
                        },
                    }],
                }),
            }]),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    }
}

fn policies(project: &Project, roles: &IndexMap<String, Classification>, out: &mut Network) {
    let mut networks: Vec<String> = Vec::new();
    for (name, class) in roles {
        if matches!(class.role, Role::Sidecar { .. } | Role::Init { .. }) {
            continue;
        }
        for n in pod_networks(project, name) {
            if !networks.contains(&n) {
                networks.push(n);
            }
        }
    }
    let part_of = sanitize_name(&project.name);
    for network in networks {
        let label = network_label(&network);
        let members = LabelSelector {
            match_labels: Some(BTreeMap::from([(label, "true".to_owned())])),
            ..LabelSelector::default()
        };
        out.policies.push(NetworkPolicy {
            metadata: ObjectMeta {
                name: Some(sanitize_name(&format!("network-{network}"))),
                labels: Some(BTreeMap::from([
                    ("app.kubernetes.io/part-of".to_owned(), part_of.clone()),
                    (
                        "app.kubernetes.io/managed-by".to_owned(),
                        "compose2kube".to_owned(),
                    ),
                ])),
                ..ObjectMeta::default()
            },
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(members.clone()),
                policy_types: Some(vec!["Ingress".into()]),
                ingress: Some(vec![NetworkPolicyIngressRule {
                    from: Some(vec![NetworkPolicyPeer {
                        pod_selector: Some(members),
                        ..NetworkPolicyPeer::default()
                    }]),
                    ..NetworkPolicyIngressRule::default()
                }]),
                ..NetworkPolicySpec::default()
            }),
        });
    }
    for (name, service) in &project.services {
        let owner = match roles.get(name).map(|c| &c.role) {
            Some(Role::Sidecar { of }) => of.as_str(),
            Some(Role::Deployment | Role::StatefulSet | Role::DaemonSet) => name.as_str(),
            _ => continue,
        };
        let targets: Vec<NetworkPolicyPort> = service
            .ports
            .iter()
            .filter(|p| p.published.is_some())
            .map(|p| NetworkPolicyPort {
                port: Some(IntOrString::Int(i32::from(p.target))),
                protocol: Some(p.protocol.to_ascii_uppercase()),
                ..NetworkPolicyPort::default()
            })
            .collect();
        if targets.is_empty() {
            continue;
        }
        let k8s = sanitize_name(owner);
        out.policies.push(NetworkPolicy {
            metadata: meta(
                project,
                &sanitize_name(&format!("{}-published", sanitize_name(name))),
                &k8s,
            ),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector {
                    match_labels: Some(selector(project, &k8s)),
                    ..LabelSelector::default()
                }),
                policy_types: Some(vec!["Ingress".into()]),
                ingress: Some(vec![NetworkPolicyIngressRule {
                    ports: Some(targets),
                    ..NetworkPolicyIngressRule::default()
                }]),
                ..NetworkPolicySpec::default()
            }),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(yaml: &str, options: &Options) -> Result<Network, Error> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), yaml).unwrap();
        let project = crate::compose::load(&crate::compose::LoadOptions {
            working_dir: dir.path().to_path_buf(),
            ..Default::default()
        })
        .unwrap()
        .project;
        let roles = crate::classify::classify(&project).unwrap();
        let ports = crate::classify::ports::listening_ports(&project);
        network(&project, &roles, &ports, options)
    }

    fn ports_of(s: &KubeService) -> Vec<(String, i32, String)> {
        s.spec
            .as_ref()
            .unwrap()
            .ports
            .iter()
            .flatten()
            .map(|p| (p.name.clone().unwrap(), p.port, p.protocol.clone().unwrap()))
            .collect()
    }

    #[test]
    fn target_ports_named_and_split_by_protocol() {
        let n = run(
            "services:\n  dns:\n    image: coredns\n    ports: ['5353:53/udp', '5353:53/tcp', {target: 8080, published: '80', name: http-admin-console}]\n",
            &Options::default(),
        )
        .unwrap();
        assert_eq!(n.services.len(), 1);
        assert_eq!(
            ports_of(&n.services[0]),
            [
                ("udp-53".into(), 53, "UDP".into()),
                ("tcp-53".into(), 53, "TCP".into()),
                ("http-admin-cons".into(), 8080, "TCP".into()),
            ]
        );
        assert_eq!(n.diagnostics.len(), 1, "{:?}", n.diagnostics);
        assert!(n.diagnostics[0].message.contains("--expose-published"));
    }

    #[test]
    fn ports_named_alike_are_an_error() {
        let e = run(
            "services:\n  web:\n    image: app\n    ports: [{target: 80, name: web}, {target: 81, name: web}]\n",
            &Options::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("named \"web\""), "{e}");
    }

    #[test]
    fn stateful_sets_get_headless_services_even_without_ports() {
        let n = run(
            "services:\n  db:\n    image: postgres\n  q:\n    image: example/queue\n    x-kubernetes: {kind: statefulset}\n",
            &Options::default(),
        )
        .unwrap();
        let spec = |i: usize| n.services[i].spec.as_ref().unwrap();
        assert_eq!(spec(0).cluster_ip.as_deref(), Some("None"));
        assert_eq!(
            ports_of(&n.services[0]),
            [("tcp-5432".into(), 5432, "TCP".into())]
        );
        assert_eq!(n.services[1].metadata.name.as_deref(), Some("q"));
        assert!(spec(1).ports.is_none());
    }

    #[test]
    fn sidecar_ports_join_their_pod() {
        let n = run(
            "services:\n  web:\n    image: app\n    expose: ['8000']\n  proxy:\n    image: envoyproxy/envoy\n    network_mode: service:web\n    expose: ['9901']\n",
            &Options::default(),
        )
        .unwrap();
        assert_eq!(n.services.len(), 1);
        assert_eq!(
            ports_of(&n.services[0])
                .iter()
                .map(|p| p.1)
                .collect::<Vec<_>>(),
            [8000, 9901]
        );
    }

    #[test]
    fn public_services_and_node_ports() {
        let n = run(
            "services:\n  web:\n    image: app\n    ports: ['30080:80', '8443:443']\n    labels: {kompose.service.type: NodePort}\n",
            &Options::default(),
        )
        .unwrap();
        let public = &n.services[1];
        assert_eq!(public.metadata.name.as_deref(), Some("web-public"));
        let spec = public.spec.as_ref().unwrap();
        assert_eq!(spec.type_.as_deref(), Some("NodePort"));
        let ports = spec.ports.as_ref().unwrap();
        assert_eq!(ports[0].port, 30080);
        assert_eq!(ports[0].target_port, Some(IntOrString::Int(80)));
        assert_eq!(ports[0].node_port, Some(30080));
        assert_eq!(ports[1].node_port, None);
        assert!(n.diagnostics.is_empty());
    }

    #[test]
    fn bad_service_type_label_is_an_error() {
        let e = run(
            "services:\n  web:\n    image: app\n    ports: ['80:80']\n    labels: {compose2kube.service.type: public}\n",
            &Options::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("is not a Service type"), "{e}");
    }

    #[test]
    fn ingress_backend_is_the_http_port() {
        let n = run(
            "services:\n  web:\n    image: app\n    ports: ['9090:9090', '80:8080']\n    x-kubernetes: {ingress: {host: shop.example.com, tls: shop-tls}}\n",
            &Options::default(),
        )
        .unwrap();
        let spec = n.ingresses[0].spec.as_ref().unwrap();
        let rule = &spec.rules.as_ref().unwrap()[0];
        assert_eq!(rule.host.as_deref(), Some("shop.example.com"));
        let path = &rule.http.as_ref().unwrap().paths[0];
        assert_eq!(path.path_type, "Prefix");
        let backend = path.backend.service.as_ref().unwrap();
        assert_eq!(backend.port.as_ref().unwrap().number, Some(8080));
        assert_eq!(
            spec.tls.as_ref().unwrap()[0].secret_name.as_deref(),
            Some("shop-tls")
        );
    }

    #[test]
    fn ingress_host_flag_names_hosts_per_service_when_several() {
        let options = Options {
            ingress_host: Some("example.com".into()),
            ..Options::default()
        };
        let one = run(
            "services:\n  web:\n    image: app\n    ports: ['80:80']\n",
            &options,
        )
        .unwrap();
        let host = |n: &Network, i: usize| {
            n.ingresses[i]
                .spec
                .as_ref()
                .unwrap()
                .rules
                .as_ref()
                .unwrap()[0]
                .host
                .clone()
        };
        assert_eq!(host(&one, 0).as_deref(), Some("example.com"));
        let two = run(
            "services:\n  web:\n    image: app\n    ports: ['80:80']\n  api:\n    image: app\n    ports: ['8000:8000']\n  db:\n    image: postgres\n",
            &options,
        )
        .unwrap();
        assert_eq!(two.ingresses.len(), 2);
        assert_eq!(host(&two, 0).as_deref(), Some("web.example.com"));
    }

    #[test]
    fn separate_networks_without_policies_get_a_note() {
        let n = run(
            "services:\n  web:\n    image: app\n    networks: [front]\n  db:\n    image: postgres\n    networks: [back]\nnetworks:\n  front:\n  back:\n",
            &Options::default(),
        )
        .unwrap();
        assert_eq!(n.diagnostics.len(), 1);
        assert_eq!(n.diagnostics[0].path, "networks");
        assert!(n.diagnostics[0].message.contains("back, front"));
    }

    #[test]
    fn network_policies_per_network_and_for_published_ports() {
        let options = Options {
            network_policies: true,
            ..Options::default()
        };
        let n = run(
            "services:\n  web:\n    image: app\n    ports: ['80:80']\n    networks: [front, back]\n  db:\n    image: postgres\n    networks: [back]\nnetworks:\n  front:\n  back:\n",
            &options,
        )
        .unwrap();
        let names: Vec<&str> = n
            .policies
            .iter()
            .map(|p| p.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(names, ["network-front", "network-back", "web-published"]);
        assert_eq!(network_label("back"), "compose2kube.io/network-back");
    }
}
