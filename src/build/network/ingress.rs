//! Ingresses: asked for by `x-kubernetes.ingress`, the `compose2kube.ingress.*` labels,
//! kompose's `kompose.service.expose*` labels, or `--ingress-host`.

use std::collections::BTreeMap;

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

fn ingress(project: &Project, pod: &Pod, port: i32, wish: IngressWish) -> Ingress {
    let path = if wish.path.starts_with('/') {
        wish.path
    } else {
        format!("/{}", wish.path)
    };
    Ingress {
        metadata: ObjectMeta {
            annotations: (!wish.annotations.is_empty()).then_some(wish.annotations),
            ..meta(project, &pod.service_name, &pod.k8s)
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
                                name: pod.service_name.clone(),
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

/// The services `--ingress-host` applies to: serving pods that publish an HTTP port.
pub(super) fn flag_hosts<'a>(
    project: &'a Project,
    pods: &IndexMap<&str, Vec<&ListeningPort>>,
    options: &Options,
) -> Vec<&'a str> {
    match &options.ingress_host {
        Some(_) => project
            .services
            .iter()
            .filter(|(n, s)| pods.contains_key(n.as_str()) && publishes_http(s))
            .map(|(n, _)| n.as_str())
            .collect(),
        None => Vec::new(),
    }
}

/// The host `--ingress-host` gives a service: the host itself when one service publishes
/// HTTP, `<service>.<host>` when several do.
pub(super) fn host_for_flag(
    options: &Options,
    flag_hosts: &[&str],
    owner: &str,
    k8s: &str,
) -> Option<String> {
    options.ingress_host.as_ref().and_then(|h| {
        flag_hosts.contains(&owner).then(|| {
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
