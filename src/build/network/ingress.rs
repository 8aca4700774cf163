//! Ingresses: asked for by `x-kubernetes.ingress` (which the `compose2kube.ingress.*`
//! labels and kompose's `kompose.service.expose*` labels fill, see `classify::labels`), or
//! by `--ingress-host`.

use std::collections::{BTreeMap, HashSet};

use indexmap::IndexMap;
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::classify::extension;
use crate::classify::ports::ListeningPort;
use crate::compose::Error;
use crate::compose::model::{Project, Service};
use crate::options::Options;

use super::{Pod, meta};

/// Ports published on these are taken for HTTP by `--ingress-host`.
const HTTP_PORTS: &[u16] = &[80, 443, 3000, 5000, 8000, 8080, 8443, 8888];

/// The ingress settings asked for a service, if any.
struct IngressWish {
    host: Option<String>,
    path: String,
    /// More hosts, each `host` or `host/path`.
    hosts: Vec<String>,
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
            // Hosts written out leave none for --ingress-host to add.
            host: i
                .host
                .or_else(|| i.hosts.is_empty().then_some(host_for_flag).flatten()),
            path: i.path.unwrap_or_else(|| "/".into()),
            tls: i.tls,
            class: i.class.or_else(|| options.ingress_class.clone()),
            annotations: i.annotations.into_iter().collect(),
            hosts: i.hosts,
        });
    }
    host_for_flag.map(|host| IngressWish {
        host: Some(host),
        path: "/".into(),
        tls: None,
        class: options.ingress_class.clone(),
        annotations: BTreeMap::new(),
        hosts: Vec::new(),
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

fn ingress(project: &Project, pod: &Pod, port: i32, wish: IngressWish) -> Ingress {
    let backend = IngressBackend {
        service: Some(IngressServiceBackend {
            name: pod.service_name.clone(),
            port: Some(ServiceBackendPort {
                number: Some(port),
                ..ServiceBackendPort::default()
            }),
        }),
        ..IngressBackend::default()
    };
    let rule = |host: Option<String>, path: &str| IngressRule {
        host,
        http: Some(HTTPIngressRuleValue {
            paths: vec![HTTPIngressPath {
                path: Some(if path.starts_with('/') {
                    path.to_owned()
                } else {
                    format!("/{path}")
                }),
                path_type: "Prefix".into(),
                backend: backend.clone(),
            }],
        }),
    };
    let mut rules = Vec::new();
    if wish.host.is_some() || wish.hosts.is_empty() {
        rules.push(rule(wish.host.clone(), &wish.path));
    }
    let mut hosts: Vec<String> = wish.host.iter().cloned().collect();
    for more in &wish.hosts {
        let (host, path) = match more.split_once('/') {
            Some((host, path)) => (host, path),
            None => (more.as_str(), wish.path.as_str()),
        };
        rules.push(rule(Some(host.to_owned()), path));
        hosts.push(host.to_owned());
    }
    Ingress {
        metadata: ObjectMeta {
            annotations: (!wish.annotations.is_empty()).then_some(wish.annotations),
            ..meta(project, &pod.service_name, &pod.k8s)
        },
        spec: Some(IngressSpec {
            ingress_class_name: wish.class,
            tls: wish.tls.map(|secret| {
                vec![IngressTLS {
                    hosts: (!hosts.is_empty()).then_some(hosts),
                    secret_name: Some(secret),
                }]
            }),
            rules: Some(rules),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    }
}

/// The services `--ingress-host` applies to: serving pods that publish an HTTP port.
pub(super) fn flag_hosts<'a>(
    project: &'a Project,
    pods: &IndexMap<&str, Vec<&ListeningPort>>,
    options: &Options,
) -> HashSet<&'a str> {
    match &options.ingress_host {
        Some(_) => project
            .services
            .iter()
            .filter(|(n, s)| pods.contains_key(n.as_str()) && publishes_http(s))
            .map(|(n, _)| n.as_str())
            .collect(),
        None => HashSet::new(),
    }
}

/// The host `--ingress-host` gives a service: the host itself when one service publishes
/// HTTP, `<service>.<host>` when several do.
pub(super) fn host_for_flag(
    options: &Options,
    flag_hosts: &HashSet<&str>,
    owner: &str,
    k8s: &str,
) -> Option<String> {
    options.ingress_host.as_ref().and_then(|h| {
        flag_hosts.contains(owner).then(|| {
            if flag_hosts.len() == 1 {
                h.clone()
            } else {
                format!("{k8s}.{h}")
            }
        })
    })
}

/// The pod's Ingress, when one is asked for.
pub(super) fn ingress_for(
    project: &Project,
    options: &Options,
    pod: &Pod,
    host_for_flag: Option<String>,
) -> Result<Option<Ingress>, Error> {
    let Some(wish) = ingress_wish(pod.service, options, host_for_flag) else {
        return Ok(None);
    };
    let all: Vec<ListeningPort> = pod.ports.iter().map(|p| (*p).clone()).collect();
    let Some(port) = http_port(pod.service, &all) else {
        return Err(Error::project(format!(
            "services.{}: an Ingress was asked for, but the service listens on no TCP port; declare one with ports, expose or x-kubernetes.ports",
            pod.owner
        )));
    };
    Ok(Some(ingress(project, pod, port, wish)))
}
