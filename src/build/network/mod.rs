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

mod ingress;
mod policy;
mod service;

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::Service as KubeService;
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::build::names::{
    k8s_name, labels, name_override, sanitize_name, service_name, service_name_of,
};
use crate::classify::extension::{self, ServiceType};
use crate::classify::peers::{Peers, Reference};
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

/// The services a network is built from: what they are, the ports they listen on, who reaches
/// whom, the members of each pod and the members of clusters ([`clusters`]).
pub struct Inputs<'a> {
    pub project: &'a Project,
    pub roles: &'a IndexMap<String, Classification>,
    pub ports: &'a IndexMap<String, Vec<ListeningPort>>,
    pub peers: &'a Peers,
    pub members: &'a HashMap<&'a str, Vec<&'a str>>,
    pub clustered: &'a HashSet<String>,
    pub options: &'a Options,
}

/// Services, Ingresses and NetworkPolicies of the project.
pub fn network(inputs: &Inputs) -> Result<Network, Error> {
    let Inputs {
        project,
        roles,
        ports,
        peers,
        members,
        clustered,
        options,
    } = *inputs;
    let mut out = Network::default();
    let pods = serving_pods(roles, ports);
    let mut served: Vec<Pod> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    let flag_hosts = ingress::flag_hosts(project, &pods, options);
    for (owner, pod_ports) in &pods {
        let Some(service) = project.services.get(*owner) else {
            continue;
        };
        let pod = Pod {
            owner,
            service,
            ports: pod_ports,
            stateful: matches!(roles.get(*owner).map(|c| &c.role), Some(Role::StatefulSet)),
            clustered: clustered.contains(*owner),
            k8s: k8s_name(project, owner),
            service_name: service_name_of(project, owner),
        };
        let sidecars = members.get(*owner).map_or(&[][..], Vec::as_slice);
        if pod_network(
            project,
            roles,
            sidecars,
            options,
            &pod,
            &flag_hosts,
            &mut out,
        )? {
            taken.insert(pod.service_name.clone());
            served.push(pod);
        } else {
            note_unresolved_names(peers, owner, &mut out);
        }
    }
    alias_services(peers, members, roles, &served, &mut taken, &mut out);
    note_idle_flags(options, &flag_hosts, &mut out);
    if options.network_policies {
        policy::policies(project, roles, &mut out);
    } else {
        policy::note_open_networks(project, &mut out);
    }
    Ok(out)
}

/// Ingress flags that made nothing: said, rather than silently ignored.
fn note_idle_flags(options: &Options, flag_hosts: &HashSet<&str>, out: &mut Network) {
    if let Some(host) = &options.ingress_host
        && flag_hosts.is_empty()
    {
        out.diagnostics.push(Diagnostic::warning(
            "",
            format!(
                "--ingress-host {host}: no service publishes an HTTP port, so no Ingress was made; give one with x-kubernetes.ingress"
            ),
        ));
    }
    if let Some(class) = &options.ingress_class
        && out.ingresses.is_empty()
    {
        out.diagnostics.push(Diagnostic::warning(
            "",
            format!(
                "--ingress-class {class}: there is no Ingress to give it to (Ingresses come from --ingress-host, for services publishing an HTTP port, or from x-kubernetes.ingress)"
            ),
        ));
    }
}

/// StatefulSets whose members must find each other before they are ready: more than one
/// replica, or StatefulSets that name each other (`es01`, `es02` and `es03` in each other's
/// `discovery.seed_hosts`). Their Services publish pods that are not ready yet: a cluster
/// node becomes ready only once the cluster has formed, which needs its peers' addresses.
pub fn clusters(
    project: &Project,
    roles: &IndexMap<String, Classification>,
    references: &IndexMap<String, Vec<Reference>>,
) -> HashSet<String> {
    let stateful = |n: &str| matches!(roles.get(n).map(|c| &c.role), Some(Role::StatefulSet));
    let names = |target: &str, by: &str| {
        references
            .get(target)
            .is_some_and(|refs| refs.iter().any(|r| r.by == by))
    };
    project
        .services
        .iter()
        .filter(|(name, _)| stateful(name))
        .filter(|(name, service)| {
            let x = extension::of(service).unwrap_or_default();
            // Only the services that name it can be its peers: its references, not the
            // whole project, keep this linear.
            crate::build::workload::replicas(service, &x).is_some_and(|r| r > 1)
                || references.get(*name).is_some_and(|refs| {
                    refs.iter()
                        .any(|r| r.by != **name && stateful(&r.by) && names(&r.by, name))
                })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// A pod that serves: a long-running workload, with the ports of its sidecars.
pub(super) struct Pod<'a> {
    pub owner: &'a str,
    pub service: &'a Service,
    pub ports: &'a [&'a ListeningPort],
    pub stateful: bool,
    /// A member of a cluster: its Service publishes pods before they are ready.
    pub clustered: bool,
    /// The name of its workload and the value of its `app.kubernetes.io/name` label.
    pub k8s: String,
    /// The name of its Service.
    pub service_name: String,
}

/// The ports of every pod that serves, by its host service.
fn serving_pods<'a>(
    roles: &'a IndexMap<String, Classification>,
    ports: &'a IndexMap<String, Vec<ListeningPort>>,
) -> IndexMap<&'a str, Vec<&'a ListeningPort>> {
    let mut pods: IndexMap<&str, Vec<&ListeningPort>> = IndexMap::new();
    for (name, class) in roles {
        let owner = match &class.role {
            Role::Deployment | Role::StatefulSet | Role::DaemonSet => Some(name.as_str()),
            // A Job's sidecar serves nobody: the pod ends with the Job.
            Role::Sidecar { of } => roles
                .get_key_value(of.as_str())
                .filter(|(_, c)| {
                    matches!(
                        c.role,
                        Role::Deployment | Role::StatefulSet | Role::DaemonSet
                    )
                })
                .map(|(k, _)| k.as_str()),
            _ => None,
        };
        if let Some(owner) = owner {
            pods.entry(owner)
                .or_default()
                .extend(ports.get(name).into_iter().flatten());
        }
    }
    pods
}

/// The Services and Ingress of one pod, or the note that its published ports stay inside;
/// whether it got a Service peers reach it through.
fn pod_network(
    project: &Project,
    roles: &IndexMap<String, Classification>,
    members: &[&str],
    options: &Options,
    pod: &Pod,
    flag_hosts: &HashSet<&str>,
    out: &mut Network,
) -> Result<bool, Error> {
    let k8s = &pod.k8s;
    let cluster = service::cluster_service(project, pod, &pod.service_name)?;
    let served = cluster.is_some();
    out.services.extend(cluster);
    // Published ports of the pod's containers (its own and its sidecars').
    let mut pairs = service::published(pod.owner, pod.service, &mut out.diagnostics);
    for name in members {
        if matches!(
            roles.get(*name).map(|c| &c.role),
            Some(Role::Sidecar { .. })
        ) && let Some(sidecar) = project.services.get(*name)
        {
            pairs.extend(service::published(name, sidecar, &mut out.diagnostics));
        }
    }
    let host_for_flag = ingress::host_for_flag(options, flag_hosts, pod.owner, k8s);
    let ingress = ingress::ingress_for(project, options, pod, host_for_flag)?;
    let has_ingress = ingress.is_some();
    out.ingresses.extend(ingress);
    let kind = service::exposure(pod.service, options);
    service::check_public_settings(pod, kind, &pairs, &mut out.diagnostics)?;
    match kind {
        Some(kind @ (ServiceType::NodePort | ServiceType::LoadBalancer)) if !pairs.is_empty() => {
            out.services
                .push(service::public_service(project, pod, kind, &pairs));
        }
        None if !pairs.is_empty() && !has_ingress => {
            let list: Vec<String> = pairs.iter().map(|(p, t, _)| format!("{p}→{t}")).collect();
            out.diagnostics.push(Diagnostic::note(
                format!("services.{}.ports", pod.owner),
                format!(
                    "published ports ({}) are reachable inside the cluster only, through Service {}; to expose them set `x-kubernetes: {{service: nodeport}}` (or loadbalancer), pass --expose-published nodeport|loadbalancer, or add an Ingress",
                    list.join(", "),
                    pod.service_name
                ),
            ));
        }
        _ => {}
    }
    Ok(served)
}

/// A pod without a Service answers none of its other names: a warning when a peer uses one.
fn note_unresolved_names(peers: &Peers, owner: &str, out: &mut Network) {
    let references = &peers.references;
    let names = peers.names(owner);
    let used: Vec<&str> = names[1..]
        .iter()
        .filter(|n| {
            references
                .get(owner)
                .into_iter()
                .flatten()
                .any(|r| r.host_use && &r.name == *n)
        })
        .map(String::as_str)
        .collect();
    if !used.is_empty() {
        out.diagnostics.push(Diagnostic::warning(
            format!("services.{owner}"),
            format!(
                "{owner} listens on no known port, so it gets no Service and {} does not resolve; declare its port with expose or x-kubernetes.ports",
                used.join(", ")
            ),
        ));
    }
}

/// The other names compose's DNS answered for a pod (`container_name`, `hostname`, network
/// and `links` aliases), each a Service like its main one, so that peers that use them
/// still reach it. A name another Service already has stays that Service's, with a warning.
/// A sidecar's names are the pod's too, when a service outside the pod uses them as a
/// host, and always for a service put in the pod by a group, a whole service in compose:
/// compose's DNS answered them, and no other Service would.
fn alias_services(
    peers: &Peers,
    members: &HashMap<&str, Vec<&str>>,
    roles: &IndexMap<String, Classification>,
    served: &[Pod],
    taken: &mut HashSet<String>,
    out: &mut Network,
) {
    let by_name: HashMap<String, usize> = out
        .services
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((s.metadata.name.clone()?, i)))
        .collect();
    for pod in served {
        // By index: most pods have no alias, and a Service is cloned only for one.
        let Some(&main) = by_name.get(&pod.service_name) else {
            continue;
        };
        let inside = members.get(pod.owner).map_or(&[][..], Vec::as_slice);
        let reached_from_outside = |sidecar: &str| {
            peers.references.get(sidecar).is_some_and(|refs| {
                refs.iter()
                    .any(|r| r.host_use && r.by != pod.owner && !inside.contains(&r.by.as_str()))
            })
        };
        let sidecar_names = inside
            .iter()
            .filter(|m| {
                let grouped = roles
                    .get(**m)
                    .is_some_and(|c| c.grouped && matches!(c.role, Role::Sidecar { .. }));
                grouped || reached_from_outside(m)
            })
            .flat_map(|m| peers.names(m));
        for (i, alias) in peers.names(pod.owner).iter().enumerate() {
            if i == 0 {
                // A name asked for replaces it: the rewriting of peers' uses says so.
                if name_override(pod.service).is_none() {
                    note_invalid_name(pod.owner, alias, out);
                }
                continue;
            }
            alias_service(pod, main, alias, taken, out);
        }
        for alias in sidecar_names {
            note_invalid_name(pod.owner, alias, out);
            alias_service(pod, main, alias, taken, out);
        }
    }
}

fn note_invalid_name(owner: &str, alias: &str, out: &mut Network) {
    let name = service_name(alias);
    if name != alias.to_ascii_lowercase() {
        out.diagnostics.push(Diagnostic::note(
            format!("services.{owner}"),
            format!("{alias} is not a valid Service name: peers reach it as {name} in the cluster (uses in this compose file are rewritten; update files it does not convert, such as a proxy's configuration)"),
        ));
    }
}

fn alias_service(
    pod: &Pod,
    main: usize,
    alias: &str,
    taken: &mut HashSet<String>,
    out: &mut Network,
) {
    let name = service_name(alias);
    if name == pod.service_name {
        return;
    }
    if taken.contains(&name) {
        out.diagnostics.push(Diagnostic::warning(
            format!("services.{}", pod.owner),
            format!(
                "the name {alias} of {} is also another service's; it keeps resolving to that one",
                pod.owner
            ),
        ));
        return;
    }
    taken.insert(name.clone());
    let mut alias_service = out.services[main].clone();
    alias_service.metadata.name = Some(name);
    out.services.push(alias_service);
}

pub(super) fn meta(project: &Project, name: &str, owner: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        labels: Some(labels(project, owner)),
        ..ObjectMeta::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

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
        let peers = crate::classify::peers::peers(&project, &IndexMap::new());
        let ports = crate::classify::ports::listening_ports(&project, &peers);
        let members = crate::classify::role::pod_members(&roles);
        let clustered = clusters(&project, &roles, &peers.references);
        network(&Inputs {
            project: &project,
            roles: &roles,
            ports: &ports,
            peers: &peers,
            members: &members,
            clustered: &clustered,
            options,
        })
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
    fn cluster_members_publish_pods_before_they_are_ready() {
        let n = run(
            "services:\n  a:\n    image: opensearch\n    environment: {seeds: 'a,b'}\n  b:\n    image: opensearch\n    environment: {seeds: 'a,b'}\n  etcd:\n    image: etcd\n    deploy: {replicas: 3}\n  db:\n    image: postgres\n  app:\n    image: app\n    environment: {DB: 'db:5432', SEARCH: 'http://a:9200'}\n",
            &Options::default(),
        )
        .unwrap();
        let publishes = |name: &str| {
            n.services
                .iter()
                .find(|s| s.metadata.name.as_deref() == Some(name))
                .and_then(|s| s.spec.as_ref()?.publish_not_ready_addresses)
        };
        assert_eq!(publishes("a"), Some(true));
        assert_eq!(publishes("b"), Some(true));
        assert_eq!(publishes("etcd"), Some(true));
        // A database that names nobody, and is named only by its clients, serves ready pods.
        assert_eq!(publishes("db"), None);
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
            [8000, 9901, 10000]
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
