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

use crate::build::configuration;
use crate::build::coverage;
use crate::build::names;
use crate::build::network;
use crate::build::object::{self, Object};
use crate::build::storage;
use crate::build::workload::{self, ContainerParts, Inputs};
use crate::classify::ports::{self, ListeningPort};
use crate::classify::{self, Classification, Role};
use crate::compose::node::Loc;
use crate::compose::{Error, Loaded};
use crate::diagnostic::Diagnostic;
use crate::files::ProjectFiles;
use crate::options::Options;

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
    names::check_names(project)
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
        network::network(project, &roles, &listening, options).map_err(|e| located(loaded, e))?;
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
            for net in network::pod_networks(project, name) {
                part.pod_labels
                    .insert(network::network_label(&net), "true".into());
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
    object::sort(&mut out);
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
