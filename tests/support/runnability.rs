//! The runnability check of issue 9: what would keep a converted project from coming up on a
//! real cluster, as far as the compose file and the output show it (DESIGN.md §4b). It reads
//! the loaded project, the JSON `v1 List` that `convert --format json` prints and the
//! diagnostics next to it, and reports each problem as `object: what`:
//!
//! - a peer's `name:port` (env, command, args) with no Service of that name and port;
//! - one project directory mounted as several claims;
//! - a probe calling the pod's own name without a hostAlias for it;
//! - a StatefulSet with several replicas, or naming another that names it, whose Service
//!   hides pods that are not ready;
//! - claims on a pod whose process runs as a non-root user, without fsGroup;
//! - a database data directory at a claim's root;
//! - `imagePullPolicy: Never`;
//! - an image reference that is not valid, without a diagnostic naming it;
//! - a node selector for an OS no node has.

use std::path::Path;

use compose2kube::classify::{images, peers};
use compose2kube::compose::Loaded;
use compose2kube::compose::model::{Project, Service};
use serde_json::Value;

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

fn items(v: Option<&Value>) -> impl Iterator<Item = &Value> {
    v.and_then(Value::as_array).into_iter().flatten()
}

/// A workload of the output with its pod spec.
struct Workload<'a> {
    object: &'a Value,
    id: String,
    pod: &'a Value,
}

fn workloads<'a>(objects: &[&'a Value]) -> Vec<Workload<'a>> {
    let mut out = Vec::new();
    for object in objects {
        let Some(spec) = object.get("spec") else {
            continue;
        };
        let template = match str_at(object, &["kind"]) {
            Some("Deployment" | "StatefulSet" | "DaemonSet" | "Job") => spec.get("template"),
            Some("CronJob") => spec
                .get("jobTemplate")
                .and_then(|j| j.get("spec"))
                .and_then(|s| s.get("template")),
            _ => None,
        };
        if let Some(pod) = template.and_then(|t| t.get("spec")) {
            out.push(Workload {
                object,
                id: format!(
                    "{}/{}",
                    str_at(object, &["kind"]).unwrap_or("?"),
                    str_at(object, &["metadata", "name"]).unwrap_or("?")
                ),
                pod,
            });
        }
    }
    out
}

fn containers(pod: &Value) -> impl Iterator<Item = &Value> {
    items(pod.get("containers")).chain(items(pod.get("initContainers")))
}

/// The compose service a container was made from.
fn service_of<'a>(project: &'a Project, container: &Value) -> Option<(&'a str, &'a Service)> {
    let name = str_at(container, &["name"])?;
    project
        .services
        .iter()
        .find(|(n, _)| sanitize(n) == name)
        .map(|(n, s)| (n.as_str(), s))
}

fn sanitize(name: &str) -> String {
    compose2kube::build::names::sanitize_name(name)
}

fn service_ports<'a>(objects: &'a [&'a Value], name: &str) -> Option<Vec<i64>> {
    objects
        .iter()
        .find(|o| {
            str_at(o, &["kind"]) == Some("Service")
                && str_at(o, &["metadata", "name"]) == Some(name)
        })
        .map(|s| {
            items(s.get("spec").and_then(|s| s.get("ports")))
                .filter_map(|p| p.get("port").and_then(Value::as_i64))
                .collect()
        })
}

/// The texts of a container a peer's name may stand in.
fn texts(container: &Value) -> Vec<&str> {
    let env = items(container.get("env")).filter_map(|e| str_at(e, &["value"]));
    let words = items(container.get("command"))
        .chain(items(container.get("args")))
        .filter_map(Value::as_str);
    env.chain(words).collect()
}

pub fn check(loaded: &Loaded, list: &Value, diagnostics: &str) -> Vec<String> {
    let project = &loaded.project;
    let project_dir = loaded.project_dir.as_path();
    let objects: Vec<&Value> = items(list.get("items")).collect();
    let workloads = workloads(&objects);
    let mut findings = Vec::new();
    peers_resolve(project, &objects, &workloads, &mut findings);
    one_claim_per_directory(project, project_dir, &workloads, &mut findings);
    for w in &workloads {
        own_names_in_probes(project, w, &mut findings);
        writable_claims(project, w, &mut findings);
        data_directories(project, w, &mut findings);
        images_and_nodes(w, diagnostics, &mut findings);
    }
    clusters_find_peers(loaded, &objects, &workloads, &mut findings);
    findings
}

/// Every `name:port` of a peer in a container's env, command or args is a Service port.
fn peers_resolve(
    project: &Project,
    objects: &[&Value],
    workloads: &[Workload],
    findings: &mut Vec<String>,
) {
    let all_names: Vec<(String, String)> = project
        .services
        .keys()
        .flat_map(|s| {
            peers::names_of(project, s)
                .into_iter()
                .map(move |n| (s.clone(), n))
        })
        .chain(
            project
                .services
                .keys()
                .map(|s| (s.clone(), compose2kube::build::names::service_name(s))),
        )
        .collect();
    for w in workloads {
        for c in containers(w.pod) {
            let own = service_of(project, c).map(|(n, _)| n);
            for text in texts(c) {
                for (target, name) in &all_names {
                    if Some(target.as_str()) == own {
                        continue;
                    }
                    for o in peers::occurrences(text, name) {
                        let (true, Some(port)) = (o.host_use, o.port) else {
                            continue;
                        };
                        let ok = service_ports(objects, name)
                            .is_some_and(|ports| ports.contains(&i64::from(port)));
                        if !ok {
                            findings.push(format!(
                                "{}: {} reaches {name}:{port}, which no Service answers",
                                w.id,
                                str_at(c, &["name"]).unwrap_or("?")
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// The claim a mount of a container reads, by the pod's volumes or the claim templates.
fn claim_of<'a>(w: &'a Workload, mount: &'a Value) -> Option<&'a str> {
    let volume = str_at(mount, &["name"])?;
    let from_pod = items(w.pod.get("volumes"))
        .find(|v| str_at(v, &["name"]) == Some(volume))
        .and_then(|v| str_at(v, &["persistentVolumeClaim", "claimName"]));
    let from_template = items(
        w.object
            .get("spec")
            .and_then(|s| s.get("volumeClaimTemplates")),
    )
    .find(|t| str_at(t, &["metadata", "name"]) == Some(volume))
    .map(|_| volume);
    from_pod.or(from_template)
}

/// A project directory several services mount is one claim, as they shared the directory.
fn one_claim_per_directory(
    project: &Project,
    project_dir: &Path,
    workloads: &[Workload],
    findings: &mut Vec<String>,
) {
    let mut claims: Vec<(String, String)> = Vec::new();
    for w in workloads {
        for c in containers(w.pod) {
            let Some((_, service)) = service_of(project, c) else {
                continue;
            };
            for v in service.volumes.iter().filter(|v| v.r#type == "bind") {
                let Some(source) = v.source.as_deref() else {
                    continue;
                };
                if !Path::new(source).starts_with(project_dir) {
                    continue;
                }
                let mount = items(c.get("volumeMounts"))
                    .find(|m| str_at(m, &["mountPath"]) == Some(v.target.as_str()));
                if let Some(claim) = mount.and_then(|m| claim_of(w, m)) {
                    claims.push((source.to_owned(), claim.to_owned()));
                }
            }
        }
    }
    claims.sort();
    claims.dedup();
    for pair in claims.windows(2) {
        if pair[0].0 == pair[1].0 {
            findings.push(format!(
                "PersistentVolumeClaim/{}: {} is also the claim {}",
                pair[0].1, pair[0].0, pair[1].1
            ));
        }
    }
}

/// A probe calling the pod's own name resolves it to the pod itself.
fn own_names_in_probes(project: &Project, w: &Workload, findings: &mut Vec<String>) {
    let aliases: Vec<&str> = items(w.pod.get("hostAliases"))
        .filter(|a| str_at(a, &["ip"]) == Some("127.0.0.1"))
        .flat_map(|a| items(a.get("hostnames")).filter_map(Value::as_str))
        .collect();
    for c in containers(w.pod) {
        let Some((name, _)) = service_of(project, c) else {
            continue;
        };
        for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
            let words: Vec<&str> = items(
                c.get(probe)
                    .and_then(|p| p.get("exec"))
                    .and_then(|e| e.get("command")),
            )
            .filter_map(Value::as_str)
            .collect();
            for own in peers::names_of(project, name) {
                let calls = words.iter().any(|t| {
                    peers::occurrences(t, &own)
                        .iter()
                        .any(|o| o.host_use && o.port.is_some())
                });
                if calls && !aliases.contains(&own.as_str()) {
                    findings.push(format!(
                        "{}: the {probe} of {name} calls {own}, which does not resolve to the pod itself",
                        w.id
                    ));
                }
            }
        }
    }
}

fn has_claims(w: &Workload) -> bool {
    items(w.pod.get("volumes")).any(|v| v.get("persistentVolumeClaim").is_some())
        || items(
            w.object
                .get("spec")
                .and_then(|s| s.get("volumeClaimTemplates")),
        )
        .count()
            > 0
}

/// Claims of a pod running as a non-root user belong to its group.
fn writable_claims(project: &Project, w: &Workload, findings: &mut Vec<String>) {
    if !has_claims(w) {
        return;
    }
    let Some((name, service)) = items(w.pod.get("containers"))
        .next()
        .and_then(|c| service_of(project, c))
    else {
        return;
    };
    let non_root = match service.user.as_deref() {
        Some(user) => {
            let uid = user.split(':').next().unwrap_or(user);
            uid.parse::<i64>().is_ok_and(|u| u > 0)
        }
        None => service
            .image
            .as_deref()
            .is_some_and(|i| images::non_root_group(i).is_some()),
    };
    let fs_group = w
        .pod
        .get("securityContext")
        .and_then(|s| s.get("fsGroup"))
        .is_some();
    if non_root && !fs_group {
        findings.push(format!(
            "{}: {name} runs as a non-root user and mounts claims, without fsGroup",
            w.id
        ));
    }
}

/// A database's data directory is not a claim's root (it holds lost+found).
fn data_directories(project: &Project, w: &Workload, findings: &mut Vec<String>) {
    for c in containers(w.pod) {
        let Some((name, service)) = service_of(project, c) else {
            continue;
        };
        let Some(recipe) = str_at(c, &["image"]).and_then(images::data_dir) else {
            continue;
        };
        let moved = service
            .environment
            .get("PGDATA")
            .and_then(Option::as_deref)
            .is_some_and(|d| d.trim_end_matches('/') != recipe.path);
        for m in items(c.get("volumeMounts")) {
            if str_at(m, &["mountPath"]).is_some_and(|p| recipe.holds(p))
                && m.get("subPath").is_none()
                && !moved
                && claim_of(w, m).is_some()
            {
                findings.push(format!(
                    "{}: {name} keeps its data at the root of claim {}",
                    w.id,
                    claim_of(w, m).unwrap_or("?")
                ));
            }
        }
    }
}

/// Images can be pulled and nodes exist for the pod.
fn images_and_nodes(w: &Workload, diagnostics: &str, findings: &mut Vec<String>) {
    for c in containers(w.pod) {
        let name = str_at(c, &["name"]).unwrap_or("?");
        if str_at(c, &["imagePullPolicy"]) == Some("Never") {
            findings.push(format!("{}: {name} has imagePullPolicy Never", w.id));
        }
        if let Some(image) = str_at(c, &["image"])
            && images::check_reference(image).is_err()
            && !diagnostics.contains(&format!("\"{image}\""))
        {
            findings.push(format!(
                "{}: {name} runs the invalid image {image}, and no diagnostic says so",
                w.id
            ));
        }
    }
    if let Some(os) = str_at(w.pod, &["nodeSelector", "kubernetes.io/os"])
        && os != "linux"
        && os != "windows"
    {
        findings.push(format!("{}: no node has the OS {os}", w.id));
    }
}

/// Members of a cluster find each other before they are ready.
fn clusters_find_peers(
    loaded: &Loaded,
    objects: &[&Value],
    workloads: &[Workload],
    findings: &mut Vec<String>,
) {
    let project = &loaded.project;
    let references = peers::references(project, &loaded.env_files);
    let stateful: Vec<(&str, &Workload)> = workloads
        .iter()
        .filter(|w| str_at(w.object, &["kind"]) == Some("StatefulSet"))
        .filter_map(|w| {
            let c = items(w.pod.get("containers")).next()?;
            service_of(project, c).map(|(n, _)| (n, w))
        })
        .collect();
    let names = |target: &str, by: &str| {
        references
            .get(target)
            .is_some_and(|refs| refs.iter().any(|r| r.by == by))
    };
    for (name, w) in &stateful {
        let replicas = w
            .object
            .get("spec")
            .and_then(|s| s.get("replicas"))
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let mutual = stateful
            .iter()
            .any(|(other, _)| other != name && names(name, other) && names(other, name));
        if replicas < 2 && !mutual {
            continue;
        }
        let Some(service) = str_at(w.object, &["spec", "serviceName"]) else {
            continue;
        };
        let publishes = objects.iter().any(|o| {
            str_at(o, &["kind"]) == Some("Service")
                && str_at(o, &["metadata", "name"]) == Some(service)
                && o.get("spec")
                    .and_then(|s| s.get("publishNotReadyAddresses"))
                    .and_then(Value::as_bool)
                    == Some(true)
        });
        if !publishes {
            findings.push(format!(
                "Service/{service}: the members of {name}'s cluster cannot find each other before they are ready"
            ));
        }
    }
}
