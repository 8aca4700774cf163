//! The consistency check of issue 4: the objects of one conversion fit together as the API
//! server and the controllers will need them to. Works on the JSON `v1 List` that
//! `convert --format json` prints, and the diagnostics printed next to it.
//!
//! - every ConfigMap, Secret and PVC a pod refers to is emitted, or named in a diagnostic
//!   (external objects, `--secrets reference`, ConfigMaps for files that were not found);
//! - every secretKeyRef/configMapKeyRef key exists in the object emitted;
//! - every volumeMount names a pod volume or a volumeClaimTemplate;
//! - every Service selects some pod template and targets a port its containers declare;
//! - every Ingress backend is a port of an emitted Service;
//! - every StatefulSet's serviceName is a headless Service.

use serde_json::Value;

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

fn items<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// The pod template of a workload, or None for other kinds.
fn pod_template(object: &Value) -> Option<&Value> {
    let spec = object.get("spec")?;
    match object.get("kind")?.as_str()? {
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => spec.get("template"),
        "CronJob" => spec.get("jobTemplate")?.get("spec")?.get("template"),
        _ => None,
    }
}

pub fn check(list: &Value, diagnostics: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let objects: Vec<&Value> = items(list, "items").collect();
    let find = |kind: &str, name: &str| {
        objects.iter().copied().find(|o| {
            str_at(o, &["kind"]) == Some(kind) && str_at(o, &["metadata", "name"]) == Some(name)
        })
    };
    let mentioned = |name: &str| diagnostics.contains(name);
    let refer = |errors: &mut Vec<String>,
                 owner: &str,
                 kind: &str,
                 name: &str,
                 key: Option<&str>| {
        match find(kind, name) {
            Some(object) => {
                if let Some(key) = key {
                    let has = ["data", "binaryData", "stringData"]
                        .iter()
                        .any(|d| object.get(*d).and_then(|m| m.get(key)).is_some());
                    if !has {
                        errors.push(format!("{owner}: {kind} {name} has no key {key}"));
                    }
                }
            }
            None if mentioned(name) => {}
            None => errors.push(format!(
                "{owner}: refers to {kind} {name}, which is neither emitted nor named in a diagnostic"
            )),
        }
    };
    for object in &objects {
        let Some(template) = pod_template(object) else {
            continue;
        };
        let owner = format!(
            "{}/{}",
            str_at(object, &["kind"]).unwrap_or("?"),
            str_at(object, &["metadata", "name"]).unwrap_or("?")
        );
        let Some(pod) = template.get("spec") else {
            errors.push(format!("{owner}: no pod spec"));
            continue;
        };
        let mut volume_names: Vec<&str> = items(pod, "volumes")
            .filter_map(|v| str_at(v, &["name"]))
            .collect();
        if let Some(templates) = object.get("spec").map(|s| items(s, "volumeClaimTemplates")) {
            volume_names.extend(templates.filter_map(|t| str_at(t, &["metadata", "name"])));
        }
        for volume in items(pod, "volumes") {
            if let Some(name) = str_at(volume, &["configMap", "name"]) {
                refer(&mut errors, &owner, "ConfigMap", name, None);
            }
            if let Some(name) = str_at(volume, &["secret", "secretName"]) {
                refer(&mut errors, &owner, "Secret", name, None);
            }
            if let Some(name) = str_at(volume, &["persistentVolumeClaim", "claimName"]) {
                refer(&mut errors, &owner, "PersistentVolumeClaim", name, None);
            }
        }
        for container in items(pod, "containers").chain(items(pod, "initContainers")) {
            for mount in items(container, "volumeMounts") {
                let name = str_at(mount, &["name"]).unwrap_or_default();
                if !volume_names.contains(&name) {
                    errors.push(format!("{owner}: mounts {name}, which is not a pod volume"));
                }
            }
            for from in items(container, "envFrom") {
                if let Some(name) = str_at(from, &["configMapRef", "name"]) {
                    refer(&mut errors, &owner, "ConfigMap", name, None);
                }
                if let Some(name) = str_at(from, &["secretRef", "name"]) {
                    refer(&mut errors, &owner, "Secret", name, None);
                }
            }
            for env in items(container, "env") {
                for (kind, field) in [("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")]
                {
                    if let Some(r) = env.get("valueFrom").and_then(|v| v.get(field)) {
                        let name = str_at(r, &["name"]).unwrap_or_default();
                        refer(&mut errors, &owner, kind, name, str_at(r, &["key"]));
                    }
                }
            }
        }
        if str_at(object, &["kind"]) == Some("StatefulSet") {
            let service = str_at(object, &["spec", "serviceName"]).unwrap_or_default();
            match find("Service", service) {
                Some(s) if str_at(s, &["spec", "clusterIP"]) == Some("None") => {}
                _ => errors.push(format!(
                    "{owner}: serviceName {service} is not a headless Service"
                )),
            }
        }
    }
    for service in objects
        .iter()
        .filter(|o| str_at(o, &["kind"]) == Some("Service"))
    {
        let name = str_at(service, &["metadata", "name"]).unwrap_or("?");
        let Some(selector) = service
            .get("spec")
            .and_then(|s| s.get("selector"))
            .and_then(Value::as_object)
        else {
            errors.push(format!("Service/{name}: no selector"));
            continue;
        };
        let pods: Vec<&Value> = objects
            .iter()
            .filter_map(|o| pod_template(o))
            .filter(|t| {
                selector.iter().all(|(k, v)| {
                    t.get("metadata")
                        .and_then(|m| m.get("labels"))
                        .and_then(|l| l.get(k))
                        == Some(v)
                })
            })
            .collect();
        if pods.is_empty() {
            errors.push(format!("Service/{name}: selects no pod template"));
            continue;
        }
        for port in service
            .get("spec")
            .map(|s| items(s, "ports"))
            .into_iter()
            .flatten()
        {
            let target = port.get("targetPort").or_else(|| port.get("port"));
            let declared = pods.iter().any(|t| {
                t.get("spec")
                    .map(|s| items(s, "containers"))
                    .into_iter()
                    .flatten()
                    .any(|c| {
                        items(c, "ports").any(|p| match target {
                            Some(Value::Number(n)) => {
                                p.get("containerPort") == Some(&Value::Number(n.clone()))
                            }
                            Some(Value::String(s)) => str_at(p, &["name"]) == Some(s),
                            _ => false,
                        })
                    })
            });
            if !declared {
                errors.push(format!(
                    "Service/{name}: targets port {target:?}, which no container declares"
                ));
            }
        }
    }
    for ingress in objects
        .iter()
        .filter(|o| str_at(o, &["kind"]) == Some("Ingress"))
    {
        let name = str_at(ingress, &["metadata", "name"]).unwrap_or("?");
        let rules = ingress
            .get("spec")
            .map(|s| items(s, "rules"))
            .into_iter()
            .flatten();
        for rule in rules {
            let paths = rule
                .get("http")
                .map(|h| items(h, "paths"))
                .into_iter()
                .flatten();
            for path in paths {
                let backend = path.get("backend").and_then(|b| b.get("service"));
                let service = backend
                    .and_then(|b| str_at(b, &["name"]))
                    .unwrap_or_default();
                let port = backend.and_then(|b| b.get("port"));
                let ok = find("Service", service).is_some_and(|s| {
                    s.get("spec")
                        .map(|s| items(s, "ports"))
                        .into_iter()
                        .flatten()
                        .any(|p| {
                            port.and_then(|q| q.get("number"))
                                .is_some_and(|n| p.get("port") == Some(n))
                                || port
                                    .and_then(|q| q.get("name"))
                                    .is_some_and(|n| p.get("name") == Some(n))
                        })
                });
                if !ok {
                    errors.push(format!(
                        "Ingress/{name}: backend {service} {port:?} is not a Service port"
                    ));
                }
            }
        }
    }
    errors
}
