//! `convert`: the pipeline after loading — classify, build, order — as one call.
//!
//! It takes a [`Loaded`] project and gives a [`Conversion`]: the objects in output order,
//! the diagnostics of every stage sorted by service and key, and what `explain` needs. It
//! renders nothing (that is [`crate::output`]) and prints nothing: the binary does.

use std::collections::HashMap;

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::build;
use crate::build::names;
use crate::build::object::{self, Object};
use crate::classify::peers::{self, Peers};
use crate::classify::ports::{self, ListeningPort};
use crate::classify::{self, Classification, Role};
use crate::compose::model::Project;
use crate::compose::{Error, Loaded};
use crate::diagnostic::Diagnostic;
use crate::files::ProjectFiles;
use crate::options::{Controller, Options, Provenance};

/// The result of a conversion.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// In output order.
    pub objects: Vec<Object>,
    pub diagnostics: Vec<Diagnostic>,
    pub roles: IndexMap<String, Classification>,
    /// Why each service listens on each of its ports, for `explain`.
    pub port_evidence: IndexMap<String, Vec<String>>,
    /// The other names compose's DNS answered for each service, and the Service that
    /// answers each in the cluster, for `explain`.
    pub name_evidence: IndexMap<String, Vec<String>>,
}

/// Classifies and builds a loaded project: the objects in output order, every diagnostic
/// sorted by service and key, and the evidence `explain` shows.
pub fn convert(
    loaded: &Loaded,
    files: &dyn ProjectFiles,
    options: &Options,
) -> Result<Conversion, Error> {
    options.check().map_err(Error::project)?;
    let defaulted;
    let loaded = match options.replicas {
        Some(n) => {
            defaulted = with_default_replicas(loaded, n);
            &defaulted
        }
        None => loaded,
    };
    let project = &loaded.project;
    let mut roles = classify::classify(project).map_err(|e| {
        // A label's error is placed at the label: `services.web.labels.kompose.…`.
        match e.message.split_once(": ") {
            Some((at, rest)) if at.starts_with("labels.") || at.starts_with("deploy.labels.") => {
                loaded.error(&format!("services.{}.{at}", e.service), rest)
            }
            _ => loaded.error(&format!("services.{}", e.service), e.message),
        }
    })?;
    if let Some(controller) = options.controller {
        apply_controller(&mut roles, controller);
    }
    names::check_names(project)
        .map_err(|e| loaded.error(&format!("services.{}", e.second), e.to_string()))?;
    let peers = peers::peers(project, &loaded.env_files);
    let listening = listening_ports(project, &roles, &peers);
    let built = build::build(&build::Inputs {
        loaded,
        files,
        options,
        roles: &roles,
        listening: &listening,
        peers: &peers,
    })?;
    let mut objects = built.objects;
    if let Some(ns) = &options.namespace {
        place_in_namespace(&mut objects, ns);
    }
    if let Some(provenance) = &options.provenance {
        annotate_provenance(&mut objects, provenance);
    }
    object::sort(&mut objects);
    check_unique(loaded, &objects)?;
    let mut diagnostics = built.diagnostics;
    diagnostics.extend(ports::unreachable(&listening, &peers.references));
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
    let selected = selected_pods(&objects);
    let name_evidence = project
        .services
        .keys()
        .map(|name| (name.clone(), name_evidence(&peers, name, &selected)))
        .collect();
    Ok(Conversion {
        objects,
        diagnostics,
        roles,
        port_evidence,
        name_evidence,
    })
}

/// The ports each service listens on. A batch container that happens to use a server image
/// (pg_dump in postgres:16) does not serve that image's port.
fn listening_ports(
    project: &Project,
    roles: &IndexMap<String, Classification>,
    peers: &Peers,
) -> IndexMap<String, Vec<ListeningPort>> {
    let mut listening = ports::listening_ports(project, peers);
    for (name, ports) in listening.iter_mut() {
        if matches!(
            roles.get(name).map(|c| &c.role),
            Some(Role::Job | Role::CronJob { .. } | Role::Init { .. })
        ) {
            ports.retain(|p| p.source != ports::PortSource::KnownImage);
        }
    }
    listening
}

/// The pod (its `app.kubernetes.io/name`) behind each Service, by the Service's name.
fn selected_pods(objects: &[Object]) -> HashMap<&str, &str> {
    objects
        .iter()
        .filter(|o| matches!(o, Object::Service(_)))
        .filter_map(|o| {
            let labels = o.metadata().labels.as_ref()?;
            Some((o.name(), labels.get("app.kubernetes.io/name")?.as_str()))
        })
        .collect()
}

/// Each other name of a service with the Service that answers it.
fn name_evidence(peers: &Peers, name: &str, selected: &HashMap<&str, &str>) -> Vec<String> {
    let pod = names::sanitize_name(name);
    peers
        .names(name)
        .iter()
        .skip(1)
        .filter_map(|alias| {
            let service = names::service_name(alias);
            let answered = selected.get(service.as_str()) == Some(&pod.as_str());
            answered.then(|| format!("{alias}: Service {service}"))
        })
        .collect()
}

/// Every object in the namespace, and the Namespace object itself.
/// `--replicas N`: `x-kubernetes.replicas` for every service that gives no count of its
/// own (`deploy.replicas`, `scale`, `x-kubernetes.replicas`).
fn with_default_replicas(loaded: &Loaded, n: i32) -> Loaded {
    let mut loaded = loaded.clone();
    for service in loaded.project.services.values_mut() {
        let own = service
            .deploy
            .as_ref()
            .is_some_and(|d| d.replicas.is_some())
            || service.scale.is_some();
        let x = service
            .extensions
            .entry("x-kubernetes".to_owned())
            .or_insert_with(|| serde_json::json!({}));
        if x.is_null() {
            *x = serde_json::json!({});
        }
        if let Some(map) = x.as_object_mut()
            && !own
        {
            map.entry("replicas").or_insert(serde_json::json!(n));
        }
    }
    loaded
}

/// `--controller KIND`: the workload of every long-running service whose kind was guessed,
/// not asked for. Batch tasks, sidecars and initContainers keep theirs: a Job made a
/// Deployment would restart for ever.
fn apply_controller(roles: &mut IndexMap<String, Classification>, controller: Controller) {
    let role = match controller {
        Controller::Deployment => Role::Deployment,
        Controller::StatefulSet => Role::StatefulSet,
        Controller::DaemonSet => Role::DaemonSet,
    };
    for class in roles.values_mut() {
        let long_running = matches!(
            class.role,
            Role::Deployment | Role::StatefulSet | Role::DaemonSet
        );
        if long_running && !class.reason.starts_with("explicit") && class.role != role {
            class.reason = format!(
                "--controller {} (else {}: {})",
                role.name().to_ascii_lowercase(),
                class.role.name(),
                class.reason
            );
            class.role = role.clone();
        }
    }
}

/// `--with-provenance`: what made each object, in its annotations.
fn annotate_provenance(objects: &mut [Object], provenance: &Provenance) {
    for object in objects {
        let annotations = object
            .metadata_mut()
            .annotations
            .get_or_insert_with(Default::default);
        annotations.insert(
            "compose2kube.io/version".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        );
        if let Some(command) = &provenance.command {
            annotations.insert("compose2kube.io/cmd".to_owned(), command.clone());
        }
    }
}

fn place_in_namespace(objects: &mut Vec<Object>, ns: &str) {
    for object in objects.iter_mut() {
        object.metadata_mut().namespace = Some(ns.to_owned());
    }
    objects.push(Object::Namespace(Box::new(Namespace {
        metadata: ObjectMeta {
            name: Some(ns.to_owned()),
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

/// Two objects of one kind and name would silently replace each other on apply; `objects`
/// is sorted, so they are neighbours.
fn check_unique(loaded: &Loaded, objects: &[Object]) -> Result<(), Error> {
    match objects
        .windows(2)
        .find(|w| w[0].kind() == w[1].kind() && w[0].name() == w[1].name())
    {
        Some(pair) => Err(loaded.error(
            "",
            format!(
                "two {} objects would be named {}; rename one of the compose services, volumes or files behind them",
                pair[0].kind(),
                pair[0].name()
            ),
        )),
        None => Ok(()),
    }
}

/// Diagnostics in the order of the services in the file, then by key.
fn order_key<'a>(project: &Project, d: &'a Diagnostic) -> (usize, &'a str, &'a str) {
    let service = d
        .service()
        .and_then(|s| project.services.get_index_of(s))
        .map_or(usize::MAX, |i| i);
    (service, d.path.as_str(), d.message.as_str())
}
