//! `explain`: what each service became and why, from a finished [`Conversion`], as a table
//! for people or as JSON for scripts.

use std::collections::HashMap;

use crate::build::object::Object;
use crate::classify::Role;
use crate::convert::Conversion;

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
    /// The other names compose's DNS answered for it, each with the Service answering it.
    pub names: Vec<String>,
    /// The diagnostics about this service, as printed.
    pub diagnostics: Vec<String>,
}

/// One report per service, in the project's order.
pub fn explain(conversion: &Conversion) -> Vec<ServiceReport> {
    let index = Index::new(conversion);
    conversion
        .roles
        .iter()
        .map(|(name, class)| {
            let owner = match &class.role {
                Role::Sidecar { of } | Role::Init { of } => of.as_str(),
                _ => name.as_str(),
            };
            ServiceReport {
                service: name.clone(),
                role: class.role.name(),
                reason: class.reason.clone(),
                objects: index.objects_of(&conversion.k8s_names[owner]),
                ports: conversion
                    .port_evidence
                    .get(name)
                    .cloned()
                    .unwrap_or_default(),
                names: conversion
                    .name_evidence
                    .get(name)
                    .cloned()
                    .unwrap_or_default(),
                diagnostics: index
                    .diagnostics
                    .get(name.as_str())
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The conversion's objects and diagnostics by the names a report looks them up by, built
/// in one pass so that `explain` stays linear in the size of the project.
struct Index<'a> {
    /// `Kind/name` of each object, in the order of the output.
    titles: Vec<String>,
    /// The first workload of each name.
    workloads: HashMap<&'a str, &'a Object>,
    /// Positions of the objects that belong to a pod, by its workload's name.
    owned: HashMap<&'a str, Vec<usize>>,
    /// Positions of the objects of each kind and name.
    named: HashMap<(&'static str, &'a str), Vec<usize>>,
    /// The diagnostics about each service, as printed.
    diagnostics: HashMap<&'a str, Vec<String>>,
}

impl<'a> Index<'a> {
    fn new(conversion: &'a Conversion) -> Self {
        let objects = conversion.objects.as_slice();
        let mut index = Index {
            titles: objects
                .iter()
                .map(|o| format!("{}/{}", o.kind(), o.name()))
                .collect(),
            workloads: HashMap::new(),
            owned: HashMap::with_capacity(objects.len()),
            named: HashMap::with_capacity(objects.len()),
            diagnostics: HashMap::with_capacity(conversion.roles.len()),
        };
        for (i, o) in objects.iter().enumerate() {
            if matches!(o, Object::Workload(_)) {
                index.workloads.entry(o.name()).or_insert(o);
            }
            index.named.entry((o.kind(), o.name())).or_default().push(i);
            for owner in owners(o) {
                index.owned.entry(owner).or_default().push(i);
            }
        }
        for d in &conversion.diagnostics {
            if let Some(service) = d.service() {
                let line = format!("{}: {d}", d.level.as_str());
                index.diagnostics.entry(service).or_default().push(line);
            }
        }
        index
    }

    /// `Kind/name` of the objects that serve the pod of the workload named `owner`, in the
    /// order of the output.
    fn objects_of(&self, owner: &str) -> Vec<String> {
        let referenced = self
            .workloads
            .get(owner)
            .map(|w| references(w))
            .unwrap_or_default();
        let mut positions: Vec<usize> = self.owned.get(owner).cloned().unwrap_or_default();
        for (kind, name) in referenced {
            positions.extend(self.named.get(&(kind, name)).into_iter().flatten());
        }
        positions.sort_unstable();
        positions.dedup();
        positions
            .into_iter()
            .map(|i| self.titles[i].clone())
            .collect()
    }
}

/// The ConfigMaps, Secrets and claims a workload's pod template names: its volumes, and
/// the env and envFrom of its containers and initContainers. Read from the typed spec:
/// rendering each workload to JSON to search it cost more than the rest of `explain`.
fn references(workload: &Object) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    let Some(pod) = (match workload {
        Object::Workload(w) => w.pod_spec(),
        _ => None,
    }) else {
        return out;
    };
    for v in pod.volumes.iter().flatten() {
        if let Some(c) = &v.config_map {
            out.push(("ConfigMap", c.name.as_str()));
        }
        if let Some(name) = v.secret.as_ref().and_then(|s| s.secret_name.as_deref()) {
            out.push(("Secret", name));
        }
        if let Some(c) = &v.persistent_volume_claim {
            out.push(("PersistentVolumeClaim", c.claim_name.as_str()));
        }
    }
    let containers = pod
        .containers
        .iter()
        .chain(pod.init_containers.iter().flatten());
    for c in containers {
        for e in c.env.iter().flatten() {
            let Some(from) = &e.value_from else {
                continue;
            };
            if let Some(r) = &from.config_map_key_ref {
                out.push(("ConfigMap", r.name.as_str()));
            }
            if let Some(r) = &from.secret_key_ref {
                out.push(("Secret", r.name.as_str()));
            }
        }
        for e in c.env_from.iter().flatten() {
            if let Some(r) = &e.config_map_ref {
                out.push(("ConfigMap", r.name.as_str()));
            }
            if let Some(r) = &e.secret_ref {
                out.push(("Secret", r.name.as_str()));
            }
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
        for n in &r.names {
            out.push_str(&format!("{indent}name {n}\n"));
        }
        for d in &r.diagnostics {
            out.push_str(&format!("{indent}{d}\n"));
        }
    }
    out
}

/// The workloads whose pods an object serves: the one it is named after, and the one its
/// `app.kubernetes.io/name` label selects (objects named after it, and what its pod
/// template refers to, are found by name).
fn owners(object: &Object) -> Vec<&str> {
    if matches!(object, Object::Namespace(_)) {
        return Vec::new();
    }
    let mut owners = vec![object.name()];
    let label = object
        .metadata()
        .labels
        .as_ref()
        .and_then(|l| l.get("app.kubernetes.io/name"))
        .map(String::as_str);
    owners.extend(label.filter(|l| *l != object.name()));
    owners
}
