//! build: the classified project lowered to typed Kubernetes objects (k8s-openapi).
//!
//! Takes the loaded project, each service's role and listening ports, and the options;
//! gives [`Object`]s and diagnostics. One folder or file per object family,
//! so that the translation of a compose key lives in exactly one place:
//!
//! - [`workload`]: Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and their pod
//!   templates: containers, resources, security, probes ([`workload::probes`]), placement
//!   ([`workload::placement`]), hooks ([`workload::lifecycle`]), wait-for initContainers,
//!   PodDisruptionBudgets;
//! - [`network`]: Services, Ingresses, NetworkPolicies;
//! - [`storage`]: claims, claim templates, emptyDirs, ConfigMaps from bind-mounted files,
//!   hostPaths;
//! - [`configuration`]: environment, env files, `configs` and `secrets` as ConfigMaps and
//!   Secrets;
//! - [`coverage`]: every compose key no builder translates, as a diagnostic;
//! - [`names`]: names, labels and selectors shared by all of them; [`object`]: the one type
//!   of every emitted object, and their order.
//!
//! Builders do no I/O except through [`ProjectFiles`] (storage
//! and configuration read the files they turn into ConfigMaps and Secrets), print nothing
//! and render no YAML.

pub mod configuration;
pub mod coverage;
pub mod hosts;
pub mod names;
pub mod network;
pub mod object;
pub mod storage;
pub mod workload;

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::ContainerPort;

use crate::classify::Classification;
use crate::classify::peers::Peers;
use crate::classify::ports::{ListeningPort, PortSource};
use crate::compose::{Error, Loaded};
use crate::diagnostic::Diagnostic;
use crate::files::ProjectFiles;
use crate::options::Options;
use object::Object;
use workload::ContainerParts;

/// What every builder reads: the project, its classification and the user's choices.
pub struct Inputs<'a> {
    pub loaded: &'a Loaded,
    pub files: &'a dyn ProjectFiles,
    pub options: &'a Options,
    pub roles: &'a IndexMap<String, Classification>,
    /// The ports each service listens on, by service.
    pub listening: &'a IndexMap<String, Vec<ListeningPort>>,
    /// Every service's names and who reaches it by which.
    pub peers: &'a Peers,
}

/// The objects of a project, in no particular order, and what the builders had to say.
pub struct Built {
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs every builder. Network, storage and configuration each give whole objects and, per
/// service, the parts of its container; the workload builder then assembles the pods.
pub fn build(inputs: &Inputs) -> Result<Built, Error> {
    let Inputs {
        loaded,
        files,
        options,
        roles,
        listening,
        ..
    } = *inputs;
    let project = &loaded.project;
    let mut diagnostics = coverage::untranslated(project, roles);
    let members = crate::classify::role::pod_members(roles);
    let clustered = network::clusters(project, roles, &inputs.peers.references);
    let network = network::network(&network::Inputs {
        project,
        roles,
        ports: listening,
        peers: inputs.peers,
        members: &members,
        clustered: &clustered,
        options,
    })
    .map_err(|e| loaded.locate(e))?;
    diagnostics.extend(network.diagnostics);
    let config = configuration::configuration(loaded, files, options)?;
    let volumes = storage::storage(project, roles, &loaded.project_dir, files, options)
        .map_err(|e| loaded.locate(e))?;
    diagnostics.extend(volumes.diagnostics);
    diagnostics.extend(config.diagnostics);
    let parts = container_parts(inputs, config.containers, volumes.containers);
    let (workloads, workload_diagnostics) = workload::workloads(&workload::Inputs {
        project,
        roles,
        parts: &parts,
        options,
        clustered: &clustered,
        peers: inputs.peers,
        members: &members,
    })
    .map_err(|e| loaded.error(&format!("services.{}", e.second), e.to_string()))?;
    diagnostics.extend(workload_diagnostics);
    let mut objects: Vec<Object> = Vec::new();
    objects.extend(volumes.config_maps.into_iter().map(Object::from));
    objects.extend(volumes.claims.into_iter().map(Object::from));
    objects.extend(config.config_maps.into_iter().map(Object::from));
    objects.extend(config.secrets.into_iter().map(Object::from));
    objects.extend(network.services.into_iter().map(Object::from));
    objects.extend(network.ingresses.into_iter().map(Object::from));
    objects.extend(network.policies.into_iter().map(Object::from));
    objects.extend(
        workload::disruption_budgets(project, &workloads)
            .into_iter()
            .map(Object::from),
    );
    // After the budgets, which count the replicas an autoscaler takes over.
    let mut workloads = workloads;
    objects.extend(
        workload::autoscalers(project, &mut workloads, &mut diagnostics)
            .into_iter()
            .map(Object::from),
    );
    objects.extend(workloads.into_iter().map(Object::Workload));
    let service_names: Vec<&str> = objects
        .iter()
        .filter(|o| matches!(o, Object::Service(_)))
        .map(Object::name)
        .collect();
    let renames = hosts::renames(project, inputs.peers, &service_names);
    diagnostics.extend(hosts::rewrite(project, &mut objects, &renames));
    Ok(Built {
        objects,
        diagnostics,
    })
}

/// The port that proves a dependency up: the one its own healthcheck checks (an image's
/// default port may not be the one this configuration serves on), else the first declared,
/// else its image's, else one a peer uses.
fn wait_port(ports: &[ListeningPort]) -> Option<i32> {
    let rank = |p: &ListeningPort| match p.source {
        PortSource::Healthcheck => 0,
        PortSource::Declared
        | PortSource::Exposed
        | PortSource::Extension
        | PortSource::ProxyLabel => 1,
        PortSource::KnownImage => 2,
        PortSource::Referenced { .. } => 3,
    };
    ports
        .iter()
        .filter(|p| p.protocol == "TCP")
        .min_by_key(|p| rank(p))
        .map(|p| p.port)
}

/// Each service's container parts, from what configuration, storage and the listening ports
/// give it.
fn container_parts(
    inputs: &Inputs,
    config: IndexMap<String, configuration::ContainerConfig>,
    volumes: IndexMap<String, storage::ContainerStorage>,
) -> IndexMap<String, ContainerParts> {
    let project = &inputs.loaded.project;
    let mut parts: IndexMap<String, ContainerParts> = IndexMap::new();
    for (name, c) in config {
        let part = parts.entry(name).or_default();
        part.env = Some(c.env);
        part.env_from = c.env_from;
        part.volumes.extend(c.volumes);
        part.mounts.extend(c.mounts);
    }
    for (name, c) in volumes {
        let part = parts.entry(name).or_default();
        part.volumes.extend(c.volumes);
        part.mounts.extend(c.mounts);
        part.claim_templates = c.claim_templates;
        part.writes_read_write_once = c.writes_read_write_once;
    }
    for (name, ports) in inputs.listening {
        let part = parts.entry(name.clone()).or_default();
        part.ports = Some(container_ports(ports));
        part.probe_port = ports
            .iter()
            .find(|p| p.protocol == "TCP" && p.known())
            .map(|p| p.port);
        part.wait_port = wait_port(ports);
        if inputs.options.network_policies {
            for net in network::pod_networks(project, name) {
                part.pod_labels
                    .insert(network::network_label(&net), "true".into());
            }
        }
    }
    parts
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
