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
use crate::compose::model::{Project, Service};
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
    /// The name of each service's objects: its compose name as a Kubernetes name, or the
    /// one it asks for (`x-kubernetes.name`).
    pub k8s_names: IndexMap<String, String>,
}

/// Classifies and builds a loaded project: the objects in output order, every diagnostic
/// sorted by service and key, and the evidence `explain` shows.
pub fn convert(
    loaded: &Loaded,
    files: &dyn ProjectFiles,
    options: &Options,
) -> Result<Conversion, Error> {
    options.check().map_err(Error::project)?;
    let grouping = classify::Grouping {
        by_volumes: options.group_by_volumes,
        name: options.group_name.clone(),
    };
    let classify_error = |e: classify::ClassifyError| {
        // A label's error is placed at the label: `services.web.labels.kompose.…`.
        match e.message.split_once(": ") {
            // A flag's error is the command line's, not the service's.
            _ if e.message.starts_with("--") => Error::project(e.message),
            Some((at, rest)) if at.starts_with("labels.") || at.starts_with("deploy.labels.") => {
                loaded.error(&format!("services.{}.{at}", e.service), rest)
            }
            _ => loaded.error(&format!("services.{}", e.service), e.message),
        }
    };
    let owner =
        classify::role::named_group_owner(&loaded.project, &grouping).map_err(classify_error)?;
    let adjusted;
    let loaded = if options.replicas.is_some() || owner.is_some() {
        adjusted = adjust(loaded, options.replicas, owner.as_deref(), &grouping);
        &adjusted
    } else {
        loaded
    };
    let project = &loaded.project;
    let mut roles = classify::classify_grouped(project, &grouping).map_err(classify_error)?;
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
    if project.services.is_empty() {
        // Empty output with nothing said looks like success to a script.
        diagnostics.push(Diagnostic::warning(
            "services",
            "no service selected, so nothing to convert: services in profiles run only when a profile is given (--profile NAME)",
        ));
    }
    diagnostics.extend(ports::unreachable(&listening, &peers.references));
    // In the order of (service, path, message): two stable sorts, so that each diagnostic's
    // service is looked up once rather than twice per comparison.
    diagnostics.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    diagnostics.sort_by_cached_key(|d| service_rank(project, d));
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
        .map(|name| {
            (
                name.clone(),
                name_evidence(project, &peers, name, &selected),
            )
        })
        .collect();
    let k8s_names = project
        .services
        .keys()
        .map(|name| (name.clone(), names::k8s_name(project, name)))
        .collect();
    Ok(Conversion {
        k8s_names,
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
/// A service whose objects are named otherwise answers its own name by that Service too.
fn name_evidence(
    project: &Project,
    peers: &Peers,
    name: &str,
    selected: &HashMap<&str, &str>,
) -> Vec<String> {
    let pod = names::k8s_name(project, name);
    let overridden = names::name_override(&project.services[name]).is_some();
    peers
        .names(name)
        .iter()
        .enumerate()
        .filter(|(i, _)| *i > 0 || overridden)
        .filter_map(|(i, alias)| {
            let service = if i == 0 {
                names::service_name_of(project, name)
            } else {
                names::service_name(alias)
            };
            let answered = selected.get(service.as_str()) == Some(&pod.as_str());
            answered.then(|| format!("{alias}: Service {service}"))
        })
        .collect()
}

/// The project as the command line changes it: `--replicas N` is `x-kubernetes.replicas`
/// for every service that gives no count of its own (`deploy.replicas`, `scale`,
/// `x-kubernetes.replicas`); `--service-group-name` names the objects of the group's main
/// service, unless it names them itself.
fn adjust(
    loaded: &Loaded,
    replicas: Option<i32>,
    group_owner: Option<&str>,
    grouping: &classify::Grouping,
) -> Loaded {
    let mut loaded = loaded.clone();
    if let (Some(owner), Some(name)) = (group_owner, &grouping.name)
        && let Some(service) = loaded.project.services.get_mut(owner)
        && names::name_override(service).is_none()
        && let Some(x) = x_kubernetes(service)
    {
        x.insert("name".into(), serde_json::json!(name));
    }
    let Some(n) = replicas else {
        return loaded;
    };
    for service in loaded.project.services.values_mut() {
        let own = service
            .deploy
            .as_ref()
            .is_some_and(|d| d.replicas.is_some())
            || service.scale.is_some();
        if !own && let Some(x) = x_kubernetes(service) {
            x.entry("replicas").or_insert(serde_json::json!(n));
        }
    }
    loaded
}

/// A service's `x-kubernetes` mapping, made one if absent or null. Anything else is left
/// as written, for classification to report.
fn x_kubernetes(service: &mut Service) -> Option<&mut serde_json::Map<String, serde_json::Value>> {
    let x = service
        .extensions
        .entry("x-kubernetes".to_owned())
        .or_insert_with(|| serde_json::json!({}));
    if x.is_null() {
        *x = serde_json::json!({});
    }
    x.as_object_mut()
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

/// Every object in the namespace, and the Namespace object itself.
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

/// Where a diagnostic's service stands in the file; diagnostics of no service come last.
fn service_rank(project: &Project, d: &Diagnostic) -> usize {
    d.service()
        .and_then(|s| project.services.get_index_of(s))
        .map_or(usize::MAX, |i| i)
}
