//! `convert --chart DIR`: the project as a Helm chart whose default values render exactly
//! the objects `convert` prints.
//!
//! The chart holds `Chart.yaml`, `values.yaml`, `templates/_helpers.tpl`,
//! `templates/NOTES.txt` and one template per object, `templates/<name>-<kind>.yaml`. Those
//! files are rendered with handlebars from the templates under `templates/chart/` of this
//! repository, embedded in the binary; a file of the same name in `--templates DIR`
//! (`chart/Chart.yaml.hbs`, …) replaces the shipped one.
//!
//! Each object template is the object as `convert` writes it, with the settings people
//! change per installation replaced by references to `values.yaml`, under
//! `services.<compose service>`:
//!
//! - `image` (`repository`, `tag`) of every container that is a compose service;
//! - `replicas` of Deployments and StatefulSets;
//! - `resources` of those containers (empty: none, as in the compose file);
//! - `service.type` and `service.ports` of the service's own Service (an empty type keeps
//!   ClusterIP);
//! - `ingress` (`enabled`, `host`, `className`, `tls`) of its Ingress;
//! - `persistence.<claim template>` (`size`, `storageClass`, `accessModes`) of a
//!   StatefulSet's claims;
//!
//! and at the top level `volumes.<claim>` for PersistentVolumeClaims and `secrets.<Secret>`
//! for Secrets: `values.<key>` in plain text (base64 in the Secret), and `existingSecret`.
//! A Secret `convert` embeds has `existingSecret: false` and its values; one `--secrets
//! reference` leaves to the user has a template too, with `existingSecret: true` (nothing
//! rendered) and empty values for the keys the pods read, so that setting it to false and
//! giving the values lets the chart create it.
//! Everything else is literal: names stay the compose names, because peers find each
//! other by them; there is no namespace (not even with `-n`), so the release's applies.
//!
//! One-shot Jobs are hooks run after install and before each upgrade (`post-install,
//! pre-upgrade`, the previous run deleted first): a Job's pod template cannot change, so
//! `helm upgrade` must recreate it, and on a first install the databases it waits for are
//! part of the same release, which a `pre-install` hook would wait for forever.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use handlebars::Handlebars;
use serde_json::{Map, Value, json};

use crate::build::names::sanitize_name;
use crate::build::object::Object;
use crate::classify::Role;
use crate::compose::{Error, Loaded, render};
use crate::convert::Conversion;
use crate::output::directory::{self, File};
use crate::output::templates;

/// The shipped templates, by the name a `--templates` directory overrides them with.
const TEMPLATES: &[templates::Shipped] = &[
    (
        "chart/Chart.yaml.hbs",
        include_str!("../../templates/chart/Chart.yaml.hbs"),
    ),
    (
        "chart/values.yaml.hbs",
        include_str!("../../templates/chart/values.yaml.hbs"),
    ),
    (
        "chart/_helpers.tpl.hbs",
        include_str!("../../templates/chart/_helpers.tpl.hbs"),
    ),
    (
        "chart/NOTES.txt.hbs",
        include_str!("../../templates/chart/NOTES.txt.hbs"),
    ),
    (
        "chart/object.yaml.hbs",
        include_str!("../../templates/chart/object.yaml.hbs"),
    ),
];

/// The annotations that make a Job a Helm hook; the only difference between a rendered
/// chart and `convert`'s objects.
pub const HOOK_ANNOTATIONS: [(&str, &str); 2] = [
    ("helm.sh/hook", "post-install,pre-upgrade"),
    ("helm.sh/hook-delete-policy", "before-hook-creation"),
];

/// The files of the chart of a conversion.
pub fn files(
    loaded: &Loaded,
    conversion: &Conversion,
    templates: Option<&Path>,
) -> Result<Vec<File>, Error> {
    static SHIPPED: OnceLock<Handlebars<'static>> = OnceLock::new();
    let engine = templates::engine(&SHIPPED, TEMPLATES, templates)?;
    let project = loaded.project.name.clone();
    let chart = sanitize_name(&project);
    let mut values = Values::new(conversion);
    values.note_references(conversion);
    let extra = values.referenced_secrets(&project);
    let mut out = Vec::new();
    // The release's namespace applies: `-n` shapes the stream and the directory only.
    let objects = conversion
        .objects
        .iter()
        .chain(&extra)
        .filter(|o| !matches!(o, Object::Namespace(_)));
    for object in objects {
        out.push(object_template(&engine, &mut values, object, &chart)?);
    }
    let data = json!({
        "chart": chart,
        "project": project,
        "appVersion": app_version(conversion, &values),
        "values": render::to_yaml(&values.tree())?,
        "secrets": values.secret_names(),
        "builds": builds(loaded),
        "ingresses": values.ingress_hosts(),
    });
    let mut head = vec![
        File {
            name: "Chart.yaml".into(),
            content: templates::render(&engine, "chart/Chart.yaml.hbs", &data)?,
            secret: false,
        },
        File {
            name: "values.yaml".into(),
            content: templates::render(&engine, "chart/values.yaml.hbs", &data)?,
            // Placeholders of Secrets the user creates are not secret.
            secret: values
                .secrets
                .values()
                .any(|s| s["existingSecret"] == Value::Bool(false)),
        },
        File {
            name: "templates/_helpers.tpl".into(),
            content: templates::render(&engine, "chart/_helpers.tpl.hbs", &data)?,
            secret: false,
        },
        File {
            name: "templates/NOTES.txt".into(),
            content: templates::render(&engine, "chart/NOTES.txt.hbs", &data)?,
            secret: false,
        },
    ];
    head.append(&mut out);
    Ok(directory::marked(head))
}

/// The template of one object: its YAML with the values spliced in, the variables it
/// binds, and the `if` of an object values can turn off.
fn object_template(
    engine: &Handlebars,
    values: &mut Values,
    object: &Object,
    chart: &str,
) -> Result<File, Error> {
    let mut slots = Slots::default();
    let (mut body, bindings) = values.parameterise(object, &mut slots)?;
    if let Some(metadata) = body.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("namespace");
    }
    if object.kind() == "Job" {
        hook(&mut body);
    }
    let text = slots.splice(&render::to_yaml(&body)?, chart);
    let mut prelude: String = bindings
        .iter()
        .map(|b| format!("{{{{- {b} }}}}\n"))
        .collect();
    let mut epilogue = String::new();
    if let Some(condition) = values.condition(object) {
        prelude.push_str(&format!("{{{{- if {condition} }}}}\n"));
        epilogue.push_str("{{- end }}\n");
    }
    let data = json!({
        "kind": object.kind(),
        "name": object.name(),
        "prelude": prelude,
        "body": text,
        "epilogue": epilogue,
    });
    Ok(File {
        name: format!(
            "templates/{}-{}.yaml",
            object.name(),
            object.kind().to_ascii_lowercase()
        ),
        content: templates::render(engine, "chart/object.yaml.hbs", &data)?,
        secret: false,
    })
}

/// The tag of the first Deployment's image (else the first service's): what the chart
/// installs, in Helm's words.
fn app_version(conversion: &Conversion, values: &Values) -> String {
    let first = conversion
        .roles
        .iter()
        .find(|(_, c)| matches!(c.role, Role::Deployment))
        .or_else(|| conversion.roles.first())
        .map(|(name, _)| name.as_str());
    first
        .and_then(|name| values.services.get(name))
        .and_then(|v| v.get("image"))
        .and_then(|i| i.get("tag"))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or("latest")
        .to_owned()
}

/// Services built from source: their images must be built and pushed before installing.
fn builds(loaded: &Loaded) -> Vec<Value> {
    loaded
        .project
        .services
        .iter()
        .filter(|(_, s)| s.build.is_some())
        .map(|(name, s)| json!({"service": name, "image": s.image.clone().unwrap_or_default()}))
        .collect()
}

/// A reference to a value in place of a field: the sentinel the field holds while the
/// object is rendered to YAML, and what replaces it.
enum Slot {
    /// Replaces the sentinel in its line.
    Inline(String),
    /// `key: sentinel` becomes `key:` and the value's YAML below it, or no key at all when
    /// the value is empty.
    Block(String),
    /// The line becomes the chart's common labels.
    Labels,
}

#[derive(Default)]
struct Slots(Vec<Slot>);

impl Slots {
    fn sentinel(i: usize) -> String {
        format!("c2kslot{i:06}x")
    }

    fn add(&mut self, slot: Slot) -> Value {
        self.0.push(slot);
        Value::String(Self::sentinel(self.0.len() - 1))
    }

    /// Takes the fields `(key, value expression, empty value)` out of `map` and puts block
    /// references in their place, at the end and in this order; gives the values taken
    /// (the empty value where a field was absent), for `values.yaml`.
    fn blocks<const N: usize>(
        &mut self,
        map: &mut Map<String, Value>,
        fields: [(&str, String, Value); N],
    ) -> [Value; N] {
        let taken = fields
            .each_ref()
            .map(|(key, _, empty)| map.remove(*key).unwrap_or_else(|| empty.clone()));
        for (key, expr, _) in fields {
            map.insert(key.to_owned(), self.add(Slot::Block(expr)));
        }
        taken
    }

    /// The object's YAML as a Go template: literal `{{` escaped, the sentinels replaced.
    fn splice(&self, yaml: &str, chart: &str) -> String {
        let mut out = String::with_capacity(yaml.len() + 64 * self.0.len());
        for line in yaml.lines() {
            let line = line.replace("{{", "{{ \"{{\" }}");
            let found = line.find("c2kslot").and_then(|at| {
                let i: usize = line.get(at + 7..at + 13)?.parse().ok()?;
                Some((at, i))
            });
            let Some((at, i)) = found.filter(|(_, i)| *i < self.0.len()) else {
                out.push_str(&line);
                out.push('\n');
                continue;
            };
            let sentinel = Self::sentinel(i);
            let indent = line.len() - line.trim_start().len();
            let pad = " ".repeat(indent);
            match &self.0[i] {
                Slot::Inline(text) => out.push_str(&line.replacen(&sentinel, text, 1)),
                Slot::Block(expr) => {
                    let key = line[..at].trim_end().trim_end_matches(':').trim_start();
                    out.push_str(&format!(
                        "{pad}{{{{- with {expr} }}}}\n{pad}{key}:\n{pad}  {{{{- toYaml . | nindent {} }}}}\n{pad}{{{{- end }}}}",
                        indent + 2
                    ));
                }
                Slot::Labels => out.push_str(&format!(
                    "{pad}{{{{- include \"{chart}.labels\" . | nindent {indent} }}}}"
                )),
            }
            out.push('\n');
        }
        out
    }
}

/// The chart's values, gathered while the objects are turned into templates.
struct Values<'a> {
    /// By compose service, in the project's order.
    services: BTreeMap<&'a str, Map<String, Value>>,
    /// The services in the project's order; a service's position names its variable.
    order: &'a indexmap::IndexMap<String, crate::classify::Classification>,
    /// Compose service by the name of its container and workload.
    by_k8s: BTreeMap<String, &'a str>,
    /// The name of each compose service's objects.
    k8s_names: &'a indexmap::IndexMap<String, String>,
    volumes: Map<String, Value>,
    secrets: Map<String, Value>,
    /// Secrets the pods read that the conversion leaves to the user, with their keys.
    referenced: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl<'a> Values<'a> {
    fn new(conversion: &'a Conversion) -> Self {
        Values {
            services: BTreeMap::new(),
            k8s_names: &conversion.k8s_names,
            by_k8s: conversion
                .k8s_names
                .iter()
                .map(|(s, k8s)| (k8s.clone(), s.as_str()))
                .collect(),
            order: &conversion.roles,
            volumes: Map::new(),
            secrets: Map::new(),
            referenced: BTreeMap::new(),
        }
    }

    fn tree(&self) -> Value {
        const ORDER: [&str; 6] = [
            "image",
            "replicas",
            "resources",
            "service",
            "ingress",
            "persistence",
        ];
        let services: Map<String, Value> = self
            .order
            .keys()
            .filter_map(|s| {
                let values = self.services.get(s.as_str())?;
                let ordered: Map<String, Value> = ORDER
                    .iter()
                    .filter_map(|k| Some(((*k).to_owned(), values.get(*k)?.clone())))
                    .collect();
                Some((s.clone(), Value::Object(ordered)))
            })
            .collect();
        json!({"services": services, "volumes": self.volumes, "secrets": self.secrets})
    }

    fn secret_names(&self) -> Vec<Value> {
        self.secrets
            .iter()
            .map(|(name, v)| json!({"name": name, "existing": v["existingSecret"]}))
            .collect()
    }

    fn ingress_hosts(&self) -> Vec<Value> {
        self.order
            .keys()
            .filter_map(|s| {
                let host = self.services.get(s.as_str())?.get("ingress")?.get("host")?;
                Some(json!({"service": s, "host": host}))
            })
            .collect()
    }

    /// The values of one service, created on first use.
    fn service(&mut self, name: &'a str) -> &mut Map<String, Value> {
        self.services.entry(name).or_default()
    }

    /// `$name` for a compose service in the templates: its name where Go accepts it.
    fn variable(service: &str, index: usize) -> String {
        let ident = service
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && service.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
        if ident {
            format!("${service}")
        } else {
            format!("$s{index}")
        }
    }

    /// The wrapping `if` of an object that values can turn off: an Ingress.
    fn condition(&self, object: &Object) -> Option<String> {
        if let Object::Secret(_) = object {
            return Some("not $secret.existingSecret".into());
        }
        let Object::Ingress(_) = object else {
            return None;
        };
        let service = self.owner(object)?;
        Some(format!("{}.ingress.enabled", self.var(service)))
    }

    /// The compose service whose pod an object serves (its `app.kubernetes.io/name`).
    fn owner(&self, object: &Object) -> Option<&'a str> {
        let labels = object.metadata().labels.as_ref()?;
        self.by_k8s
            .get(labels.get("app.kubernetes.io/name")?.as_str())
            .copied()
    }

    /// The object's JSON with value references in place, and the `$var := index …`
    /// bindings its template needs.
    fn parameterise(
        &mut self,
        object: &Object,
        slots: &mut Slots,
    ) -> Result<(Value, Vec<String>), Error> {
        let mut body = object.to_json();
        let mut used: Vec<&'a str> = Vec::new();
        if let Some(labels) = body
            .pointer_mut("/metadata/labels")
            .and_then(Value::as_object_mut)
        {
            let common = ["app.kubernetes.io/managed-by", "app.kubernetes.io/part-of"];
            if common.iter().all(|k| labels.contains_key(*k)) {
                for k in common {
                    labels.remove(k);
                }
                labels.insert(
                    slots.add(Slot::Labels).as_str().unwrap_or_default().into(),
                    "".into(),
                );
            }
        }
        match object {
            Object::Workload(w) => self.workload(w.kind(), &mut body, slots, &mut used),
            Object::Service(_) => self.service_ports(object, &mut body, slots, &mut used),
            Object::Ingress(_) => self.ingress(object, &mut body, slots, &mut used),
            Object::PersistentVolumeClaim(_) => {
                let name = object.name().to_owned();
                let spec = body.get_mut("spec");
                let entry = claim(spec, &format!("(index .Values.volumes {name:?})"), slots);
                self.volumes.insert(name, entry);
            }
            Object::Secret(_) => self.secret(object, &mut body, slots),
            _ => {}
        }
        let mut bindings: Vec<String> = used
            .iter()
            .map(|s| format!("{} := index .Values.services {s:?}", self.var(s)))
            .collect();
        if let Object::Secret(_) = object {
            bindings.push(format!(
                "$secret := index .Values.secrets {:?}",
                object.name()
            ));
        }
        Ok((body, bindings))
    }

    fn var(&self, service: &str) -> String {
        let i = self.order.get_index_of(service).unwrap_or_default();
        Self::variable(service, i)
    }

    fn workload(
        &mut self,
        kind: &str,
        body: &mut Value,
        slots: &mut Slots,
        used: &mut Vec<&'a str>,
    ) {
        let name = body
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let owner = self.by_k8s.get(&name).copied();
        if let Some(service) = owner
            && matches!(kind, "Deployment" | "StatefulSet")
            && let Some(replicas) = body.pointer_mut("/spec/replicas")
        {
            self.service(service)
                .insert("replicas".into(), replicas.clone());
            *replicas = slots.add(Slot::Inline(format!(
                "{{{{ {}.replicas }}}}",
                self.var(service)
            )));
            push_unique(used, service);
        }
        let pod = if kind == "CronJob" {
            "/spec/jobTemplate/spec/template/spec"
        } else {
            "/spec/template/spec"
        };
        for list in ["containers", "initContainers"] {
            let count = body
                .pointer(&format!("{pod}/{list}"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..count {
                let Some(container) = body.pointer_mut(&format!("{pod}/{list}/{i}")) else {
                    continue;
                };
                self.container(container, slots, used);
            }
        }
        if let (Some(service), Some(templates)) = (
            owner,
            body.pointer_mut("/spec/volumeClaimTemplates")
                .and_then(Value::as_array_mut),
        ) {
            let var = self.var(service);
            let mut persistence = Map::new();
            for t in templates {
                let claim_name = t
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let path = format!("(index {var}.persistence {claim_name:?})");
                persistence.insert(claim_name, claim(t.get_mut("spec"), &path, slots));
            }
            self.service(service)
                .insert("persistence".into(), Value::Object(persistence));
            push_unique(used, service);
        }
    }

    fn container(&mut self, container: &mut Value, slots: &mut Slots, used: &mut Vec<&'a str>) {
        let Some(name) = container.get("name").and_then(Value::as_str) else {
            return;
        };
        let Some(service) = self.by_k8s.get(name).copied() else {
            return;
        };
        let var = self.var(service);
        let Some(map) = container.as_object_mut() else {
            return;
        };
        // An image without a repository (`:` from unset variables) stays as written.
        if let Some(image) = map
            .get_mut("image")
            .filter(|i| !split_image(i.as_str().unwrap_or_default()).0.is_empty())
        {
            let (repository, tag) = split_image(image.as_str().unwrap_or_default());
            self.service(service).insert(
                "image".into(),
                json!({"repository": repository, "tag": tag}),
            );
            *image = slots.add(Slot::Inline(format!(
                "\"{{{{ {var}.image.repository }}}}{{{{ with {var}.image.tag }}}}:{{{{ . }}}}{{{{ end }}}}\""
            )));
        }
        let [resources] = slots.blocks(map, [("resources", format!("{var}.resources"), json!({}))]);
        self.service(service).insert("resources".into(), resources);
        push_unique(used, service);
    }

    fn service_ports(
        &mut self,
        object: &Object,
        body: &mut Value,
        slots: &mut Slots,
        used: &mut Vec<&'a str>,
    ) {
        let Some(service) = self.owner(object) else {
            return;
        };
        // Only the service's own Service: aliases and `-public` Services stay literal.
        if object.name() != crate::build::names::service_name(&self.k8s_names[service]) {
            return;
        }
        let var = self.var(service);
        let Some(spec) = body.get_mut("spec").and_then(Value::as_object_mut) else {
            return;
        };
        let [kind, ports] = slots.blocks(
            spec,
            [
                ("type", format!("{var}.service.type"), json!("")),
                ("ports", format!("{var}.service.ports"), json!([])),
            ],
        );
        self.service(service)
            .insert("service".into(), json!({"type": kind, "ports": ports}));
        push_unique(used, service);
    }

    fn ingress(
        &mut self,
        object: &Object,
        body: &mut Value,
        slots: &mut Slots,
        used: &mut Vec<&'a str>,
    ) {
        let Some(service) = self.owner(object) else {
            return;
        };
        let var = self.var(service);
        let Some(spec) = body.get_mut("spec").and_then(Value::as_object_mut) else {
            return;
        };
        let [class, tls] = slots.blocks(
            spec,
            [
                (
                    "ingressClassName",
                    format!("{var}.ingress.className"),
                    json!(""),
                ),
                ("tls", format!("{var}.ingress.tls"), json!([])),
            ],
        );
        let mut host = json!("");
        if let Some(h) = spec.get_mut("rules").and_then(|r| r.pointer_mut("/0/host")) {
            host = h.clone();
            *h = slots.add(Slot::Inline(format!(
                "{{{{ {var}.ingress.host | quote }}}}"
            )));
        }
        self.service(service).insert(
            "ingress".into(),
            json!({"enabled": true, "host": host, "className": class, "tls": tls}),
        );
        push_unique(used, service);
    }

    /// A Secret's values; `existingSecret: true` (the default for the Secrets `convert
    /// --secrets reference` leaves to the user) renders no Secret.
    fn secret(&mut self, object: &Object, body: &mut Value, slots: &mut Slots) {
        let name = object.name().to_owned();
        let existing = self.referenced.contains_key(&name);
        let mut values = Map::new();
        if let Some(data) = body.get_mut("data").and_then(Value::as_object_mut) {
            for (key, value) in data.iter_mut() {
                let Some(plain) = value.as_str().and_then(decode_base64) else {
                    continue;
                };
                values.insert(key.clone(), Value::String(plain));
                *value = slots.add(Slot::Inline(format!(
                    "{{{{ index $secret.values {key:?} | b64enc | quote }}}}"
                )));
            }
        }
        self.secrets
            .insert(name, json!({"existingSecret": existing, "values": values}));
    }

    /// The Secrets the pods read that the conversion does not hold (`--secrets
    /// reference`), with the keys they read, for the chart to create on request.
    fn note_references(&mut self, conversion: &Conversion) {
        let held: HashSet<&str> = conversion
            .objects
            .iter()
            .filter(|o| matches!(o, Object::Secret(_)))
            .map(Object::name)
            .collect();
        for object in &conversion.objects {
            let Object::Workload(w) = object else {
                continue;
            };
            let mut visit = vec![w.to_json()];
            while let Some(value) = visit.pop() {
                match value {
                    Value::Object(map) => {
                        let named = |k: &str, field: &str| {
                            map.get(k)
                                .and_then(|v| v.get(field))
                                .and_then(Value::as_str)
                                .map(str::to_owned)
                        };
                        if let Some(name) = named("secretKeyRef", "name") {
                            let key = named("secretKeyRef", "key").unwrap_or_default();
                            self.referenced.entry(name).or_default().insert(key);
                        }
                        for name in [named("secretRef", "name"), named("secret", "secretName")]
                            .into_iter()
                            .flatten()
                        {
                            self.referenced.entry(name).or_default();
                        }
                        visit.extend(map.into_iter().map(|(_, v)| v));
                    }
                    Value::Array(items) => visit.extend(items),
                    _ => {}
                }
            }
        }
        self.referenced
            .retain(|name, _| !held.contains(&name.as_str()));
    }

    /// A Secret for each reference the conversion leaves to the user.
    fn referenced_secrets(&self, project: &str) -> Vec<Object> {
        self.referenced
            .iter()
            .map(|(name, keys)| {
                Object::Secret(Box::new(k8s_openapi::api::core::v1::Secret {
                    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                        name: Some(name.clone()),
                        labels: Some(
                            [
                                ("app.kubernetes.io/managed-by", "compose2kube"),
                                ("app.kubernetes.io/part-of", project),
                            ]
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .collect(),
                        ),
                        ..Default::default()
                    },
                    data: Some(
                        keys.iter()
                            .filter(|k| !k.is_empty())
                            .map(|k| (k.clone(), k8s_openapi::ByteString(Vec::new())))
                            .collect(),
                    ),
                    type_: Some("Opaque".into()),
                    ..Default::default()
                }))
            })
            .collect()
    }
}

/// Makes a Job a Helm hook.
fn hook(body: &mut Value) {
    let Some(metadata) = body.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
    if let Some(map) = annotations.as_object_mut() {
        for (k, v) in HOOK_ANNOTATIONS {
            map.insert(k.into(), v.into());
        }
    }
}

/// A claim's settings as values, and references to them in its spec.
fn claim(spec: Option<&mut Value>, path: &str, slots: &mut Slots) -> Value {
    let Some(spec) = spec.and_then(Value::as_object_mut) else {
        return json!({});
    };
    let [modes, class] = slots.blocks(
        spec,
        [
            ("accessModes", format!("{path}.accessModes"), json!([])),
            (
                "storageClassName",
                format!("{path}.storageClass"),
                json!(""),
            ),
        ],
    );
    let mut size = json!("");
    if let Some(s) = spec
        .get_mut("resources")
        .and_then(|r| r.pointer_mut("/requests/storage"))
    {
        size = s.clone();
        *s = slots.add(Slot::Inline(format!("{{{{ {path}.size | quote }}}}")));
    }
    json!({"size": size, "storageClass": class, "accessModes": modes})
}

fn push_unique<'a>(used: &mut Vec<&'a str>, service: &'a str) {
    if !used.contains(&service) {
        used.push(service);
    }
}

/// `repository` and `tag` of an image reference; a digest stays in the repository.
fn split_image(image: &str) -> (String, String) {
    if image.contains('@') {
        return (image.to_owned(), String::new());
    }
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(colon) => (
            image[..slash + colon].to_owned(),
            image[slash + colon + 1..].to_owned(),
        ),
        None => (image.to_owned(), String::new()),
    }
}

/// The text of a base64 value when it is UTF-8 text; binary values stay in the template.
fn decode_base64(encoded: &str) -> Option<String> {
    let bytes: k8s_openapi::ByteString =
        serde_json::from_value(Value::String(encoded.to_owned())).ok()?;
    String::from_utf8(bytes.0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_split_into_repository_and_tag() {
        let split = |s| split_image(s);
        assert_eq!(split("nginx:1.27"), ("nginx".into(), "1.27".into()));
        assert_eq!(split("nginx"), ("nginx".into(), String::new()));
        assert_eq!(
            split("localhost:5000/team/app:2"),
            ("localhost:5000/team/app".into(), "2".into())
        );
        assert_eq!(
            split("localhost:5000/team/app"),
            ("localhost:5000/team/app".into(), String::new())
        );
        assert_eq!(
            split("redis@sha256:abc"),
            ("redis@sha256:abc".into(), String::new())
        );
    }

    #[test]
    fn literal_braces_are_escaped_and_slots_spliced() {
        let mut slots = Slots::default();
        let a = slots.add(Slot::Inline("{{ $web.replicas }}".into()));
        let b = slots.add(Slot::Block("$web.resources".into()));
        let yaml = format!(
            "spec:\n  replicas: {}\n  note: a {{{{ b\n  resources: {}\n",
            a.as_str().unwrap(),
            b.as_str().unwrap()
        );
        assert_eq!(
            slots.splice(&yaml, "blog"),
            "spec:\n  replicas: {{ $web.replicas }}\n  note: a {{ \"{{\" }} b\n  {{- with $web.resources }}\n  resources:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\n"
        );
    }
}
