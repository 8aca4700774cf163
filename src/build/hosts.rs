//! Host names peers use that are not valid Service names (`api_gateway`, `2fa`,
//! `realtime-dev.supabase-realtime`): after every object is built, their uses *as a host*
//! in containers' env, command and args and in the data of ConfigMaps and Secrets are written
//! as the Service name (`api-gateway`, `svc-2fa`), with a note for each place. Done once over
//! the finished objects so that no builder can forget a place a host name may hide in.

use std::collections::{HashMap, HashSet};

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Container;

use crate::build::names::{
    Renames, k8s_name, name_override, rewrite_hosts, sanitize_name, service_name, service_name_of,
};
use crate::build::object::Object;
use crate::classify::peers::Peers;
use crate::compose::model::Project;
use crate::diagnostic::Diagnostic;

/// Every name compose's DNS answered that has a Service under another name in the cluster:
/// an invalid name, or the name of a service whose objects are named otherwise
/// (`x-kubernetes.name`). Names that differ only in case need nothing: DNS ignores case.
pub fn renames(project: &Project, peers: &Peers, services: &[&str]) -> Renames {
    let services: HashSet<&str> = services.iter().copied().collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for (service, names) in &peers.names {
        let overridden = project.services.get(service).and_then(name_override);
        for (i, n) in names.iter().enumerate() {
            let to = match &overridden {
                Some(_) if i == 0 => service_name_of(project, service),
                _ => service_name(n),
            };
            if services.contains(to.as_str())
                && to != n.to_ascii_lowercase()
                && seen.insert(n.as_str())
            {
                out.push((n.clone(), to));
            }
        }
    }
    Renames::new(out)
}

/// Rewrites the host uses of renamed names in place; the notes say where.
pub fn rewrite(project: &Project, objects: &mut [Object], renames: &Renames) -> Vec<Diagnostic> {
    let mut notes = Vec::new();
    if renames.is_empty() {
        return notes;
    }
    // Looked up for every container and key: an index, not a scan per lookup.
    let by_container: HashMap<String, &str> = project
        .services
        .keys()
        .rev()
        .map(|s| (sanitize_name(s), s.as_str()))
        .collect();
    let service_of = |container: &str| {
        by_container
            .get(container)
            .map_or_else(|| container.to_owned(), |s| (*s).to_owned())
    };
    let places = DataPlaces::new(project);
    for object in objects.iter_mut() {
        match object {
            Object::Workload(w) => {
                let Some(pod) = w.pod_spec_mut() else {
                    continue;
                };
                let containers = pod
                    .containers
                    .iter_mut()
                    .chain(pod.init_containers.iter_mut().flatten());
                for c in containers {
                    let service = service_of(&c.name);
                    container(c, &service, renames, &mut notes);
                }
            }
            Object::ConfigMap(cm) => {
                let name = cm.metadata.name.clone().unwrap_or_default();
                for (key, value) in cm.data.iter_mut().flatten() {
                    if let Some((text, names)) = rewrite_hosts(value, renames) {
                        *value = text;
                        notes.push(note(
                            &format!("ConfigMap {name}, key {key}"),
                            &names,
                            renames,
                        ));
                    }
                }
            }
            Object::Secret(secret) => {
                let name = secret.metadata.name.clone().unwrap_or_default();
                for (key, value) in secret.data.iter_mut().flatten() {
                    let Ok(text) = std::str::from_utf8(&value.0) else {
                        continue;
                    };
                    if let Some((text, names)) = rewrite_hosts(text, renames) {
                        *value = ByteString(text.into_bytes());
                        let path = places.path(&name, key, "environment");
                        notes.push(note(&path, &names, renames));
                    }
                }
            }
            _ => {}
        }
    }
    notes
}

/// Where the ConfigMaps and Secrets named after compose things came from, indexed once:
/// rewriting looks one up for every key it changes.
struct DataPlaces<'a> {
    /// `<service>-env` → service.
    env: HashMap<String, &'a str>,
    /// A top-level config or secret's object name → (`configs` or `secrets`, its key).
    top_level: HashMap<String, (&'static str, &'a str)>,
    /// A service's name as an object name prefix → the service's place in the project.
    prefixes: HashMap<String, usize>,
    services: Vec<&'a str>,
}

impl<'a> DataPlaces<'a> {
    fn new(project: &'a Project) -> Self {
        let services: Vec<&str> = project.services.keys().map(String::as_str).collect();
        let mut env = HashMap::new();
        let mut prefixes = HashMap::new();
        for (i, name) in services.iter().enumerate() {
            env.entry(format!("{}-env", k8s_name(project, name)))
                .or_insert(*name);
            prefixes.entry(sanitize_name(name)).or_insert(i);
        }
        let mut top_level = HashMap::new();
        for (kind, names) in [
            ("configs", project.configs.keys().collect::<Vec<_>>()),
            ("secrets", project.secrets.keys().collect::<Vec<_>>()),
        ] {
            for n in names {
                top_level
                    .entry(sanitize_name(n))
                    .or_insert((kind, n.as_str()));
            }
        }
        DataPlaces {
            env,
            top_level,
            prefixes,
            services,
        }
    }

    /// The compose place a ConfigMap's or Secret's key came from: a service's environment
    /// or env file (`<service>-env`), a top-level config or secret, or a service's bind
    /// mount (`<service>-<file>`; the first service in the project whose name is a prefix).
    fn path(&self, object: &str, key: &str, env_key: &str) -> String {
        if let Some(name) = self.env.get(object) {
            return format!("services.{name}.{env_key}.{key}");
        }
        if let Some((kind, n)) = self.top_level.get(object) {
            return format!("{kind}.{n}");
        }
        let first = object
            .match_indices('-')
            .filter_map(|(at, _)| self.prefixes.get(&object[..at]))
            .min();
        match first {
            Some(&i) => format!("services.{}.volumes", self.services[i]),
            None => object.to_owned(),
        }
    }
}

fn container(c: &mut Container, service: &str, renames: &Renames, notes: &mut Vec<Diagnostic>) {
    for var in c.env.iter_mut().flatten() {
        if let Some(value) = &mut var.value
            && let Some((text, names)) = rewrite_hosts(value, renames)
        {
            *value = text;
            notes.push(note(
                &format!("services.{service}.environment.{}", var.name),
                &names,
                renames,
            ));
        }
    }
    for (key, words) in [("entrypoint", &mut c.command), ("command", &mut c.args)] {
        let mut rewritten = Vec::new();
        for word in words.iter_mut().flatten() {
            if let Some((text, names)) = rewrite_hosts(word, renames) {
                *word = text;
                rewritten.extend(names);
            }
        }
        if !rewritten.is_empty() {
            rewritten.dedup();
            notes.push(note(
                &format!("services.{service}.{key}"),
                &rewritten,
                renames,
            ));
        }
    }
}

fn note(path: &str, names: &[&str], renames: &Renames) -> Diagnostic {
    let list: Vec<String> = names
        .iter()
        .map(|n| {
            let to = renames.to(n).unwrap_or_default();
            format!("{n} → {to}")
        })
        .collect();
    let invalid = names
        .iter()
        .any(|n| service_name(n) != n.to_ascii_lowercase());
    let overridden = names
        .iter()
        .any(|n| service_name(n) == n.to_ascii_lowercase());
    let why = match (invalid, overridden) {
        (true, false) => "a Service name must be a DNS label",
        (false, _) => "the services' objects are named so (x-kubernetes.name)",
        (true, true) => {
            "a Service name must be a DNS label, and some services' objects are named otherwise (x-kubernetes.name)"
        }
    };
    Diagnostic::note(
        path,
        format!(
            "host names written as the Services peers reach in the cluster ({}): {why}",
            list.join(", ")
        ),
    )
}
