//! `convert`: the whole pipeline after loading — classify, build, order — and the two
//! renderings of its result (a YAML stream, a JSON `v1 List`).
//!
//! Each builder (ports, storage, configuration, workloads, Services) is a pure function of
//! the loaded project, the roles and the options; only storage and configuration look at the
//! project directory, through [`ProjectFiles`]. Diagnostics of every stage are collected
//! here, sorted by service and key, and returned: the binary prints them.

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::{ContainerPort, Namespace};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::classify::{self, Classification, Role};
use crate::compose::node::Loc;
use crate::compose::{Error, Loaded, render};
use crate::configuration;
use crate::coverage;
use crate::diagnostic::Diagnostic;
use crate::files::ProjectFiles;
use crate::objects::{self, Object};
use crate::options::Options;
use crate::ports::{self, ListeningPort};
use crate::services;
use crate::storage;
use crate::workload::{self, ContainerParts, Inputs, sanitize_name};

/// The result of a conversion.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// In output order.
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
    pub roles: IndexMap<String, Classification>,
    /// Why each service listens on each of its ports, for `explain`.
    pub port_evidence: IndexMap<String, Vec<String>>,
}

/// An error about the project, placed in its first compose file.
fn project_error(loaded: &Loaded, path: &str, message: impl Into<String>) -> Error {
    let loc = Loc {
        file: loaded.files.first().map(|f| f.display().to_string().into()),
        ..Loc::default()
    };
    Error::new(&loc, path, message)
}

/// Places an error that has no location in the first compose file.
fn located(loaded: &Loaded, e: Error) -> Error {
    if e.loc.known() {
        e
    } else {
        project_error(loaded, &e.path, e.message)
    }
}

/// A namespace name is an RFC 1123 label; a wrong one is the user's to fix, not ours to
/// rewrite, because every `kubectl -n` they type must match it.
fn check_namespace(ns: &str) -> Result<(), Error> {
    let valid = !ns.is_empty()
        && ns.len() <= 63
        && ns
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !ns.starts_with('-')
        && !ns.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(Error::project(format!(
            "--namespace {ns}: a namespace must be at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"
        )))
    }
}

pub fn convert(
    loaded: &Loaded,
    files: &dyn ProjectFiles,
    options: &Options,
) -> Result<Conversion, Error> {
    if let Some(ns) = &options.namespace {
        check_namespace(ns)?;
    }
    let project = &loaded.project;
    let roles = classify::classify(project)
        .map_err(|e| project_error(loaded, &format!("services.{}", e.service), e.message))?;
    workload::check_names(project)
        .map_err(|e| project_error(loaded, &format!("services.{}", e.second), e.to_string()))?;
    let mut diagnostics = coverage::untranslated(project, &roles);
    // A batch container that happens to use a server image (pg_dump in postgres:16) does
    // not serve that image's port.
    let mut listening = ports::listening_ports(project);
    for (name, ports) in listening.iter_mut() {
        if matches!(
            roles.get(name).map(|c| &c.role),
            Some(Role::Job | Role::CronJob { .. } | Role::Init { .. })
        ) {
            ports.retain(|p| p.source != ports::PortSource::KnownImage);
        }
    }
    let network =
        services::network(project, &roles, &listening, options).map_err(|e| located(loaded, e))?;
    diagnostics.extend(network.diagnostics);
    let config = configuration::configuration(loaded, files, options)?;
    let volumes = storage::storage(project, &roles, &loaded.project_dir, files, options)
        .map_err(|e| located(loaded, e))?;
    diagnostics.extend(volumes.diagnostics);
    diagnostics.extend(config.diagnostics);
    let mut parts: IndexMap<String, ContainerParts> = IndexMap::new();
    for (name, c) in config.containers {
        let part = parts.entry(name).or_default();
        part.env = Some(c.env);
        part.env_from = c.env_from;
        part.volumes.extend(c.volumes);
        part.mounts.extend(c.mounts);
    }
    for (name, c) in volumes.containers {
        let part = parts.entry(name).or_default();
        part.volumes.extend(c.volumes);
        part.mounts.extend(c.mounts);
        part.claim_templates = c.claim_templates;
        part.writes_read_write_once = c.writes_read_write_once;
    }
    for (name, ports) in &listening {
        let part = parts.entry(name.clone()).or_default();
        part.ports = Some(container_ports(ports));
        if options.network_policies {
            for net in services::pod_networks(project, name) {
                part.pod_labels
                    .insert(services::network_label(&net), "true".into());
            }
        }
    }
    let inputs = Inputs {
        project,
        roles: &roles,
        parts: &parts,
        options,
    };
    let (workloads, workload_diagnostics) = workload::workloads(&inputs)
        .map_err(|e| project_error(loaded, &format!("services.{}", e.second), e.to_string()))?;
    diagnostics.extend(workload_diagnostics);
    let mut out: Vec<Object> = Vec::new();
    out.extend(
        volumes
            .config_maps
            .into_iter()
            .map(|c| Object::ConfigMap(Box::new(c))),
    );
    out.extend(
        volumes
            .claims
            .into_iter()
            .map(|c| Object::PersistentVolumeClaim(Box::new(c))),
    );
    out.extend(
        config
            .config_maps
            .into_iter()
            .map(|c| Object::ConfigMap(Box::new(c))),
    );
    out.extend(
        config
            .secrets
            .into_iter()
            .map(|c| Object::Secret(Box::new(c))),
    );
    out.extend(
        network
            .services
            .into_iter()
            .map(|s| Object::Service(Box::new(s))),
    );
    out.extend(
        network
            .ingresses
            .into_iter()
            .map(|i| Object::Ingress(Box::new(i))),
    );
    out.extend(
        network
            .policies
            .into_iter()
            .map(|p| Object::NetworkPolicy(Box::new(p))),
    );
    for pdb in workload::disruption_budgets(project, &workloads) {
        out.push(Object::PodDisruptionBudget(Box::new(pdb)));
    }
    out.extend(workloads.into_iter().map(Object::Workload));
    if let Some(ns) = &options.namespace {
        for object in &mut out {
            object.metadata_mut().namespace = Some(ns.clone());
        }
        out.push(Object::Namespace(Box::new(Namespace {
            metadata: ObjectMeta {
                name: Some(ns.clone()),
                labels: Some(
                    [(
                        "app.kubernetes.io/managed-by".to_owned(),
                        "compose2kube".to_owned(),
                    )]
                    .into(),
                ),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        })));
    }
    objects::sort(&mut out);
    // Two objects of one kind and name would silently replace each other on apply.
    if let Some(pair) = out
        .windows(2)
        .find(|w| w[0].kind() == w[1].kind() && w[0].name() == w[1].name())
    {
        return Err(project_error(
            loaded,
            "",
            format!(
                "two {} objects would be named {}; rename one of the compose services, volumes or files behind them",
                pair[0].kind(),
                pair[0].name()
            ),
        ));
    }
    diagnostics.sort_by(|a, b| order_key(project, a).cmp(&order_key(project, b)));
    diagnostics.dedup();
    let port_evidence = listening
        .iter()
        .map(|(name, ports)| {
            let service = &project.services[name];
            (
                name.clone(),
                ports.iter().map(|p| p.evidence(service)).collect(),
            )
        })
        .collect();
    Ok(Conversion {
        objects: out,
        diagnostics,
        roles,
        port_evidence,
    })
}

/// The containerPorts of a service's container; the long syntax's name is not repeated here
/// (container port names have stricter rules, and the Service targets numbers).
fn container_ports(ports: &[ListeningPort]) -> Vec<ContainerPort> {
    ports
        .iter()
        .map(|p| ContainerPort {
            container_port: p.port,
            protocol: Some(p.protocol.clone()),
            ..ContainerPort::default()
        })
        .collect()
}

/// Diagnostics in the order of the services in the file, then by key.
fn order_key<'a>(
    project: &crate::compose::model::Project,
    d: &'a Diagnostic,
) -> (usize, &'a str, &'a str) {
    let service = d
        .service()
        .and_then(|s| project.services.get_index_of(s))
        .map_or(usize::MAX, |i| i);
    (service, d.path.as_str(), d.message.as_str())
}

/// The objects as a multi-document YAML stream for `kubectl apply -f -`.
pub fn to_yaml_stream(objects: &[Object]) -> Result<String, Error> {
    let mut out = String::new();
    for object in objects {
        out.push_str("---\n");
        out.push_str(&render::to_yaml(&object.to_json())?);
    }
    Ok(out)
}

/// The objects as one `v1 List`, the JSON form `kubectl apply -f` also reads.
pub fn to_json_list(objects: &[Object]) -> Result<String, Error> {
    let list = serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": objects.iter().map(Object::to_json).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&list)
        .map(|s| s + "\n")
        .map_err(|e| Error::project(format!("cannot render JSON: {e}")))
}

/// What each service became, for `explain`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceReport {
    pub service: String,
    pub role: String,
    pub reason: String,
    /// `Kind/name` of the objects that carry the service.
    pub objects: Vec<String>,
    /// The ports it listens on, each with its evidence.
    pub ports: Vec<String>,
    /// The diagnostics about this service, as printed.
    pub diagnostics: Vec<String>,
}

/// One report per service, in the project's order.
pub fn explain(conversion: &Conversion) -> Vec<ServiceReport> {
    conversion
        .roles
        .iter()
        .map(|(name, class)| {
            let owner = match &class.role {
                Role::Sidecar { of } | Role::Init { of } => of.as_str(),
                _ => name.as_str(),
            };
            let owner_k8s = sanitize_name(owner);
            let referenced = conversion
                .objects
                .iter()
                .find(|o| matches!(o, Object::Workload(_)) && o.name() == owner_k8s)
                .map(|w| references(&w.to_json()))
                .unwrap_or_default();
            let objects = conversion
                .objects
                .iter()
                .filter(|o| {
                    belongs_to(o, &owner_k8s)
                        || referenced
                            .iter()
                            .any(|(kind, name)| o.kind() == *kind && o.name() == name)
                })
                .map(|o| format!("{}/{}", o.kind(), o.name()))
                .collect();
            let diagnostics = conversion
                .diagnostics
                .iter()
                .filter(|d| d.service() == Some(name.as_str()))
                .map(|d| format!("{}: {d}", d.level.as_str()))
                .collect();
            ServiceReport {
                service: name.clone(),
                role: class.role.name(),
                reason: class.reason.clone(),
                objects,
                ports: conversion
                    .port_evidence
                    .get(name)
                    .cloned()
                    .unwrap_or_default(),
                diagnostics,
            }
        })
        .collect()
}

/// The ConfigMaps, Secrets and claims a workload's pod template names.
fn references(workload: &serde_json::Value) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut visit = vec![workload];
    // The pod spec is nested differently per kind; the reference fields are unambiguous
    // wherever they sit, so the whole object is walked.
    while let Some(value) = visit.pop() {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    let found = match key.as_str() {
                        "configMap" | "configMapRef" | "configMapKeyRef" => {
                            v.get("name").map(|n| ("ConfigMap", n))
                        }
                        "secret" => v.get("secretName").map(|n| ("Secret", n)),
                        "secretRef" | "secretKeyRef" => v.get("name").map(|n| ("Secret", n)),
                        "persistentVolumeClaim" => {
                            v.get("claimName").map(|n| ("PersistentVolumeClaim", n))
                        }
                        _ => None,
                    };
                    if let Some((kind, serde_json::Value::String(name))) = found {
                        out.push((kind, name.clone()));
                    }
                    visit.push(v);
                }
            }
            serde_json::Value::Array(items) => visit.extend(items),
            _ => {}
        }
    }
    out
}

/// The reports as a table for people: one block per service, its role and objects on the
/// first line, the reason and the diagnostics indented below.
pub fn explain_table(reports: &[ServiceReport]) -> String {
    let width = |f: fn(&ServiceReport) -> usize, header: &str| {
        reports.iter().map(f).max().unwrap_or(0).max(header.len())
    };
    let service_w = width(|r| r.service.chars().count(), "SERVICE");
    let role_w = width(|r| r.role.chars().count(), "ROLE");
    let mut out = format!("{:service_w$}  {:role_w$}  OBJECTS\n", "SERVICE", "ROLE");
    let indent = " ".repeat(service_w + 2);
    for r in reports {
        let objects = if r.objects.is_empty() {
            "-".to_owned()
        } else {
            r.objects.join(", ")
        };
        out.push_str(&format!(
            "{:service_w$}  {:role_w$}  {objects}\n",
            r.service, r.role
        ));
        out.push_str(&format!("{indent}why: {}\n", r.reason));
        for p in &r.ports {
            out.push_str(&format!("{indent}port {p}\n"));
        }
        for d in &r.diagnostics {
            out.push_str(&format!("{indent}{d}\n"));
        }
    }
    out
}

/// Whether an object serves the pod of the workload named `owner`: the workload itself, the
/// objects named after it, and what its pod template refers to.
fn belongs_to(object: &Object, owner: &str) -> bool {
    if object.name() == owner {
        return !matches!(object, Object::Namespace(_));
    }
    let selected = object
        .metadata()
        .labels
        .as_ref()
        .and_then(|l| l.get("app.kubernetes.io/name"))
        .is_some_and(|n| n == owner);
    selected && !matches!(object, Object::Namespace(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_checked() {
        assert!(check_namespace("shop-prod").is_ok());
        assert!(check_namespace("Shop").is_err());
        assert!(check_namespace("-x").is_err());
        assert!(check_namespace(&"a".repeat(64)).is_err());
    }
}
