//! The migration report (`convert --report FILE.md`, `explain --format markdown`): what each
//! service became and why, every warning and note, and a checklist of what a human must do —
//! images to build and push, Secrets and ConfigMaps to create (with the `kubectl` command, in
//! the right namespace), objects that must already exist, hostPaths and ReadWriteMany
//! storage to review, start orders Kubernetes does not keep.
//!
//! The text comes from the handlebars template `templates/report.md.hbs`, embedded in the
//! binary; a `report.md.hbs` in the directory given with `--templates` replaces it. This
//! module builds the template's data from the conversion; the template decides the words.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use handlebars::Handlebars;
use serde_json::{Value, json};

use crate::build::object::Object;
use crate::compose::{Error, Loaded};
use crate::convert::Conversion;
use crate::diagnostic::{Diagnostic, Level};
use crate::output::{explain, templates};

/// The template as shipped.
const REPORT_TEMPLATE: templates::Shipped = (
    "report.md.hbs",
    include_str!("../../templates/report.md.hbs"),
);

/// The report of a conversion; `diagnostics` are all of them, the loader's included.
pub fn render(
    loaded: &Loaded,
    conversion: &Conversion,
    diagnostics: &[Diagnostic],
    namespace: Option<&str>,
    templates: Option<&Path>,
) -> Result<String, Error> {
    static SHIPPED: OnceLock<Handlebars<'static>> = OnceLock::new();
    let engine = templates::engine(&SHIPPED, &[REPORT_TEMPLATE], templates)?;
    templates::render(
        &engine,
        REPORT_TEMPLATE.0,
        &data(loaded, conversion, diagnostics, namespace),
    )
}

fn diagnostic(d: &Diagnostic) -> Value {
    json!({"level": d.level.as_str(), "path": d.path, "message": d.message})
}

/// The template's data.
fn data(
    loaded: &Loaded,
    conversion: &Conversion,
    diagnostics: &[Diagnostic],
    namespace: Option<&str>,
) -> Value {
    // Grouped once: a scan of every diagnostic per service grows with the square of the
    // project (a 10,000-service report took a second).
    let mut by_service: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
    for d in diagnostics {
        if let Some(service) = d.service() {
            by_service.entry(service).or_default().push(d);
        }
    }
    let services: Vec<Value> = explain::explain(conversion)
        .into_iter()
        .map(|r| {
            let mine = by_service.remove(r.service.as_str()).unwrap_or_default();
            let (warnings, notes): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
                mine.into_iter().partition(|d| d.level == Level::Warning);
            json!({
                "service": r.service,
                "role": r.role,
                "reason": r.reason,
                "objects": r.objects,
                "ports": r.ports,
                "names": r.names,
                "warnings": warnings.into_iter().map(diagnostic).collect::<Vec<_>>(),
                "notes": notes.into_iter().map(diagnostic).collect::<Vec<_>>(),
            })
        })
        .collect();
    let files: Vec<String> = loaded
        .files
        .iter()
        .map(|f| {
            f.strip_prefix(&loaded.project_dir)
                .unwrap_or(f)
                .display()
                .to_string()
        })
        .collect();
    json!({
        "project": loaded.project.name,
        "namespace": namespace,
        "files": files,
        "checklist": checklist(loaded, conversion, diagnostics),
        "services": services,
        "project_diagnostics": diagnostics
            .iter()
            .filter(|d| d.service().is_none())
            .map(diagnostic)
            .collect::<Vec<_>>(),
    })
}

/// The `kubectl … create …` command a diagnostic gives; the builders already put it in the
/// namespace of the output (`kubectl -n NS create …`).
fn command(d: &Diagnostic, kind: &str) -> Option<String> {
    let at = d.message.find("kubectl ")?;
    let command = d.message[at..].trim_end_matches(['.', ')']);
    command
        .contains(&format!(" create {kind} "))
        .then(|| command.to_owned())
}

fn checklist(loaded: &Loaded, conversion: &Conversion, diagnostics: &[Diagnostic]) -> Value {
    let project = &loaded.project;
    let images: Vec<Value> = project
        .services
        .iter()
        .filter_map(|(name, s)| {
            let image = s
                .image
                .clone()
                .unwrap_or_else(|| format!("{}-{name}", project.name));
            let why = if s.build.is_some() {
                "compose builds it from the project"
            } else if s.pull_policy.as_deref() == Some("never") {
                "pull_policy: never, so it was built on the machine that ran compose"
            } else {
                return None;
            };
            Some(json!({"service": name, "image": image, "why": why}))
        })
        .collect();
    let commands = |kind: &str| -> Vec<String> {
        let mut out: Vec<String> = diagnostics
            .iter()
            .filter_map(|d| command(d, kind))
            .collect();
        out.dedup();
        out
    };
    let messages = |needle: &str| -> Vec<String> {
        diagnostics
            .iter()
            .filter(|d| d.message.contains(needle))
            .map(|d| format!("`{}`: {}", d.path, d.message))
            .collect()
    };
    let (host_paths, read_write_many) = storage_to_review(&conversion.objects);
    let list = json!({
        "images": images,
        "secrets": commands("secret"),
        "config": commands("configmap"),
        "external": messages("must exist in the namespace"),
        "host_paths": host_paths,
        "read_write_many": read_write_many,
        "ordering": messages("does not hold"),
    });
    let empty = list
        .as_object()
        .is_some_and(|m| m.values().all(|v| v.as_array().is_some_and(Vec::is_empty)));
    let mut list = list;
    list["empty"] = json!(empty);
    list
}

/// The hostPaths of every workload and the ReadWriteMany claims.
fn storage_to_review(objects: &[Object]) -> (Vec<Value>, Vec<String>) {
    let mut host_paths = Vec::new();
    let mut shared = Vec::new();
    for object in objects {
        match object {
            Object::Workload(w) => {
                let Some(pod) = w.pod_spec() else { continue };
                for v in pod.volumes.iter().flatten() {
                    if let Some(h) = &v.host_path {
                        host_paths.push(json!({
                            "path": h.path,
                            "workload": format!("{}/{}", w.kind(), object.name()),
                        }));
                    }
                }
            }
            Object::PersistentVolumeClaim(c) => {
                let modes = c.spec.as_ref().and_then(|s| s.access_modes.as_ref());
                if modes.is_some_and(|m| m.iter().any(|m| m == "ReadWriteMany")) {
                    shared.push(object.name().to_owned());
                }
            }
            _ => {}
        }
    }
    (host_paths, shared)
}
