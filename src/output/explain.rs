//! `explain`: what each service became and why, from a finished [`Conversion`], as a table
//! for people or as JSON for scripts.

use crate::build::names::sanitize_name;
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
                names: conversion
                    .name_evidence
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
        for n in &r.names {
            out.push_str(&format!("{indent}name {n}\n"));
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
