//! Service labels that steer the translation: compose2kube's own `compose2kube.*` and
//! kompose's `kompose.*`, read into the [`XKubernetes`] model, so that the rest of the
//! pipeline treats `kompose.service.type: nodeport` exactly as `x-kubernetes: {service:
//! nodeport}`.
//!
//! Precedence: `x-kubernetes` wins over a label that says the same thing, and a
//! `compose2kube.*` label over its `kompose.*` twin. Labels are read from `labels` first,
//! then from `deploy.labels` (where kompose reads `kompose.ephemeral-storage.*`).
//!
//! Every label in either namespace is accounted for: a known one is translated, or
//! reported as not translated; any other is a warning naming the closest known label
//! ([`unknown`]), which `--strict` makes an error, so a typo cannot lose a setting silently.
//! A known label with a value it cannot take is an error naming the accepted values.

use indexmap::IndexMap;

use crate::classify::extension::{
    Autoscale, ConcurrencyPolicy, EphemeralStorage, Ingress, InitContainer, ProbeSpec, PullPolicy,
    ServiceType, TrafficPolicy, VolumeType, XKubernetes,
};
use crate::options::{is_dns_subdomain, is_quantity};

/// What compose2kube does with a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// Sets this `x-kubernetes` key (a dotted path for nested keys).
    Sets(&'static str),
    /// Recognised, not translated: why, or what to do instead.
    NotTranslated(&'static str),
}

pub struct Label {
    pub name: &'static str,
    pub meaning: Meaning,
}

const fn sets(name: &'static str, key: &'static str) -> Label {
    Label {
        name,
        meaning: Meaning::Sets(key),
    }
}

const fn not_yet(name: &'static str, why: &'static str) -> Label {
    Label {
        name,
        meaning: Meaning::NotTranslated(why),
    }
}

/// Every label compose2kube knows, in the order they are applied: ours before kompose's.
pub const LABELS: &[Label] = &[
    sets("compose2kube.kind", "kind"),
    sets("kompose.controller.type", "kind"),
    sets("compose2kube.schedule", "schedule"),
    sets("kompose.cronjob.schedule", "schedule"),
    sets("kompose.cronjob.concurrency_policy", "concurrency_policy"),
    sets("kompose.cronjob.backoff_limit", "backoff_limit"),
    sets("compose2kube.service.type", "service"),
    sets("kompose.service.type", "service"),
    sets("kompose.service.nodeport.port", "node_port"),
    sets(
        "kompose.service.external-traffic-policy",
        "external_traffic_policy",
    ),
    sets("compose2kube.ingress.host", "ingress.host"),
    sets("compose2kube.ingress.path", "ingress.path"),
    sets("compose2kube.ingress.tls", "ingress.tls"),
    sets("compose2kube.ingress.class", "ingress.class"),
    sets("kompose.service.expose", "ingress.host"),
    sets("kompose.service.expose.path", "ingress.path"),
    sets("kompose.service.expose.tls-secret", "ingress.tls"),
    sets("kompose.service.expose.ingress-class-name", "ingress.class"),
    sets("compose2kube.volume.size", "size"),
    sets("kompose.volume.size", "size"),
    sets("compose2kube.volume.storage-class", "storage_class"),
    sets("kompose.volume.storage-class-name", "storage_class"),
    sets("kompose.image-pull-secret", "image_pull_secrets"),
    sets("kompose.image-pull-policy", "image_pull_policy"),
    sets("kompose.serviceaccount-name", "service_account"),
    sets("kompose.security-context.fsgroup", "fs_group"),
    sets(
        "kompose.ephemeral-storage.request",
        "ephemeral_storage.request",
    ),
    sets("kompose.ephemeral-storage.limit", "ephemeral_storage.limit"),
    sets("kompose.service.group", "group"),
    sets("kompose.service.name_override", "name"),
    sets(
        "kompose.service.healthcheck.liveness.http_get_path",
        "liveness_probe.http_get_path",
    ),
    sets(
        "kompose.service.healthcheck.liveness.http_get_port",
        "liveness_probe.http_get_port",
    ),
    sets(
        "kompose.service.healthcheck.liveness.tcp_port",
        "liveness_probe.tcp_port",
    ),
    sets(
        "kompose.service.healthcheck.readiness.test",
        "readiness_probe.test",
    ),
    sets(
        "kompose.service.healthcheck.readiness.http_get_path",
        "readiness_probe.http_get_path",
    ),
    sets(
        "kompose.service.healthcheck.readiness.http_get_port",
        "readiness_probe.http_get_port",
    ),
    sets(
        "kompose.service.healthcheck.readiness.tcp_port",
        "readiness_probe.tcp_port",
    ),
    sets(
        "kompose.service.healthcheck.readiness.interval",
        "readiness_probe.interval",
    ),
    sets(
        "kompose.service.healthcheck.readiness.timeout",
        "readiness_probe.timeout",
    ),
    sets(
        "kompose.service.healthcheck.readiness.retries",
        "readiness_probe.retries",
    ),
    sets(
        "kompose.service.healthcheck.readiness.start_period",
        "readiness_probe.start_period",
    ),
    sets(
        "kompose.service.healthcheck.readiness.disable",
        "readiness_probe.disable",
    ),
    not_yet(
        "kompose.volume.selector",
        "kompose reads it on a top-level volume's labels, where it selects the PersistentVolume of the volume's claim; set it there",
    ),
    sets("kompose.volume.type", "volume_type"),
    sets("kompose.volume.subpath", "volume_subpath"),
    sets("kompose.init.containers.name", "init_containers.name"),
    sets("kompose.init.containers.image", "init_containers.image"),
    sets("kompose.init.containers.command", "init_containers.command"),
    sets("kompose.hpa.cpu", "autoscale.cpu"),
    sets("kompose.hpa.memory", "autoscale.memory"),
    sets("kompose.hpa.replicas.min", "autoscale.min"),
    sets("kompose.hpa.replicas.max", "autoscale.max"),
    not_yet(
        "kompose.controller.port.expose",
        "a hostPort ties the pod to its node; a NodePort or LoadBalancer Service (kompose.service.type) opens the port on every node instead",
    ),
];

/// The namespaces whose labels are ours to read.
const PREFIXES: [&str; 2] = ["compose2kube.", "kompose."];

fn find(name: &str) -> Option<&'static Label> {
    LABELS.iter().find(|l| l.name == name)
}

/// Fills what `x` leaves unset from the known labels among `labels`.
pub fn apply(labels: &IndexMap<String, String>, x: &mut XKubernetes) -> Result<(), String> {
    // The model is read many times per service, and most services carry none of our labels:
    // a look at their few keys spares a lookup of every known label.
    if !labels
        .keys()
        .any(|k| PREFIXES.iter().any(|p| k.starts_with(p)))
    {
        return Ok(());
    }
    let had_ingress = x.ingress.is_some();
    for label in LABELS {
        let (Meaning::Sets(key), Some(value)) = (label.meaning, labels.get(label.name)) else {
            continue;
        };
        if is_set(x, key) {
            continue;
        }
        if set(x, key, value.trim()).map_err(|e| format!("labels.{}: {e}", label.name))? {
            x.from.insert(key, label.name);
        }
    }
    if let Some(label) = x
        .from
        .iter()
        .find(|(k, _)| k.starts_with("init_containers."))
        .map(|(_, l)| *l)
        && x.init_containers.first().is_some_and(|c| c.image.is_none())
    {
        return Err(format!(
            "labels.{label}: an init container needs an image: add kompose.init.containers.image"
        ));
    }
    // A path, TLS Secret or class alone asks for no Ingress: kompose refuses it too.
    if !had_ingress && x.ingress.is_some() && !x.from.contains_key("ingress.host") {
        let (key, label) = x
            .from
            .iter()
            .find(|(k, _)| k.starts_with("ingress."))
            .map(|(k, l)| (*k, *l))
            .unwrap_or(("ingress", "kompose.service.expose"));
        return Err(format!(
            "labels.{label}: sets {key} of an Ingress nothing asks for; add kompose.service.expose or compose2kube.ingress.host"
        ));
    }
    Ok(())
}

/// Labels in our namespaces that compose2kube does not translate, each with what to say:
/// `(label, message)`. Unknown names get the closest known one.
pub fn unknown(labels: &IndexMap<String, String>) -> Vec<(&str, String)> {
    labels
        .keys()
        .filter(|k| PREFIXES.iter().any(|p| k.starts_with(p)))
        .filter_map(|k| match find(k).map(|l| l.meaning) {
            Some(Meaning::Sets(_)) => None,
            Some(Meaning::NotTranslated(why)) => {
                Some((k.as_str(), format!("not translated: {why}")))
            }
            None => Some((k.as_str(), unknown_message(k))),
        })
        .collect()
}

fn unknown_message(name: &str) -> String {
    let close = LABELS
        .iter()
        .map(|l| (strsim::levenshtein(name, l.name), l.name))
        .filter(|(d, _)| *d <= 3)
        .min();
    match close {
        Some((_, known)) => {
            format!("unknown label, not translated; did you mean {known}?")
        }
        None => {
            "unknown label, not translated (the README lists the labels compose2kube reads)".into()
        }
    }
}

fn is_set(x: &XKubernetes, key: &str) -> bool {
    let ingress = x.ingress.as_ref();
    let ephemeral = x.ephemeral_storage.as_ref();
    match key {
        "kind" => x.kind.is_some(),
        "schedule" => x.schedule.is_some(),
        "concurrency_policy" => x.concurrency_policy.is_some(),
        "backoff_limit" => x.backoff_limit.is_some(),
        "service" => x.service.is_some() || x.headless.is_some(),
        "node_port" => x.node_port.is_some(),
        "external_traffic_policy" => x.external_traffic_policy.is_some(),
        "ingress.host" => ingress.is_some_and(|i| i.host.is_some() || !i.hosts.is_empty()),
        "ingress.path" => ingress.is_some_and(|i| i.path.is_some()),
        "ingress.tls" => ingress.is_some_and(|i| i.tls.is_some()),
        "ingress.class" => ingress.is_some_and(|i| i.class.is_some()),
        "size" => x.size.is_some(),
        "storage_class" => x.storage_class.is_some(),
        "image_pull_secrets" => !x.image_pull_secrets.is_empty(),
        "image_pull_policy" => x.image_pull_policy.is_some(),
        "service_account" => x.service_account.is_some(),
        "fs_group" => x.fs_group.is_some(),
        "ephemeral_storage.request" => ephemeral.is_some_and(|e| e.request.is_some()),
        "ephemeral_storage.limit" => ephemeral.is_some_and(|e| e.limit.is_some()),
        "autoscale.min" => x.autoscale.as_ref().is_some_and(|a| a.min.is_some()),
        "autoscale.max" => x.autoscale.as_ref().is_some_and(|a| a.max.is_some()),
        "autoscale.cpu" => x.autoscale.as_ref().is_some_and(|a| a.cpu.is_some()),
        "autoscale.memory" => x.autoscale.as_ref().is_some_and(|a| a.memory.is_some()),
        probe if probe.starts_with("liveness_probe.") || probe.starts_with("readiness_probe.") => {
            probe_is_set(x, probe)
        }
        "volume_subpath" => x.volume_subpath.is_some(),
        "volume_type" => x.volume_type.is_some() || x.bind_mounts.is_some(),
        "group" => x.group.is_some(),
        "name" => x.name.is_some(),
        "init_containers.name" => x.init_containers.first().is_some_and(|c| c.name.is_some()),
        "init_containers.image" => x.init_containers.first().is_some_and(|c| c.image.is_some()),
        "init_containers.command" => x
            .init_containers
            .first()
            .is_some_and(|c| !c.command.is_empty()),
        _ => unreachable!("no x-kubernetes key {key}"),
    }
}

/// Sets `key` from a label's value; false when the value asks for nothing
/// (`kompose.service.expose: "false"`).
fn set(x: &mut XKubernetes, key: &str, value: &str) -> Result<bool, String> {
    match key {
        "kind" => x.kind = Some(value.to_owned()),
        "schedule" => x.schedule = Some(value.to_owned()),
        "concurrency_policy" => {
            x.concurrency_policy = Some(one_of(value, ConcurrencyPolicy::ALL, |p| p.as_str())?)
        }
        "backoff_limit" => x.backoff_limit = Some(number(value, 0, i64::from(i32::MAX))? as i32),
        "service" => match value.to_ascii_lowercase().as_str() {
            "clusterip" => x.service = Some(ServiceType::ClusterIP),
            "nodeport" => x.service = Some(ServiceType::NodePort),
            "loadbalancer" => x.service = Some(ServiceType::LoadBalancer),
            "headless" => x.headless = Some(true),
            _ => {
                return Err(format!(
                    "\"{value}\" is not a Service type (clusterip, nodeport, loadbalancer or headless)"
                ));
            }
        },
        // The API server's default range: a port outside it is refused on apply.
        "node_port" => x.node_port = Some(number(value, 30000, 32767)? as i32),
        "external_traffic_policy" => {
            x.external_traffic_policy = Some(one_of(value, TrafficPolicy::ALL, |p| p.as_str())?)
        }
        "ingress.host" => return Ok(expose(x, value)),
        "ingress.path" => ingress(x).path = Some(value.to_owned()),
        "ingress.tls" => ingress(x).tls = Some(value.to_owned()),
        "ingress.class" => ingress(x).class = Some(value.to_owned()),
        "size" => x.size = Some(quantity(value)?),
        "storage_class" => x.storage_class = Some(name(value)?),
        "image_pull_secrets" => x.image_pull_secrets = vec![name(value)?],
        "image_pull_policy" => {
            x.image_pull_policy = Some(one_of(value, PullPolicy::ALL, |p| p.as_str())?)
        }
        "service_account" => x.service_account = Some(name(value)?),
        "fs_group" => x.fs_group = Some(number(value, 0, i64::from(u32::MAX))?),
        "ephemeral_storage.request" => ephemeral(x).request = Some(quantity(value)?),
        "ephemeral_storage.limit" => ephemeral(x).limit = Some(quantity(value)?),
        "autoscale.min" => autoscale(x).min = Some(number(value, 1, 10_000)? as i32),
        "autoscale.max" => autoscale(x).max = Some(number(value, 1, 10_000)? as i32),
        "autoscale.cpu" => autoscale(x).cpu = Some(number(value, 1, 100)? as i32),
        "autoscale.memory" => autoscale(x).memory = Some(number(value, 1, 100)? as i32),
        probe if probe.starts_with("liveness_probe.") || probe.starts_with("readiness_probe.") => {
            set_probe(x, probe, value)?
        }
        "volume_subpath" => x.volume_subpath = Some(value.to_owned()),
        "name" if value.is_empty() => return Err("a name cannot be empty".into()),
        "name" => x.name = Some(value.to_owned()),
        "group" if value.is_empty() => return Err("a group needs a name".into()),
        "group" => x.group = Some(value.to_owned()),
        "volume_type" => x.volume_type = Some(one_of(value, VolumeType::ALL, |t| t.as_str())?),
        "init_containers.name" => init(x).name = Some(name(value)?),
        "init_containers.image" => init(x).image = Some(value.to_owned()),
        "init_containers.command" => init(x).command = command(value)?,
        _ => unreachable!("no x-kubernetes key {key}"),
    }
    Ok(true)
}

fn ingress(x: &mut XKubernetes) -> &mut Ingress {
    x.ingress.get_or_insert_with(Ingress::default)
}

fn probe_spec<'a>(x: &'a mut XKubernetes, which: &str) -> &'a mut ProbeSpec {
    let slot = if which == "liveness_probe" {
        &mut x.liveness_probe
    } else {
        &mut x.readiness_probe
    };
    slot.get_or_insert_with(ProbeSpec::default)
}

fn probe_is_set(x: &XKubernetes, key: &str) -> bool {
    let (which, field) = key.split_once('.').unwrap_or((key, ""));
    let spec = if which == "liveness_probe" {
        x.liveness_probe.as_ref()
    } else {
        x.readiness_probe.as_ref()
    };
    spec.is_some_and(|p| match field {
        "test" => p.test.is_some(),
        "http_get_path" => p.http_get_path.is_some(),
        "http_get_port" => p.http_get_port.is_some(),
        "tcp_port" => p.tcp_port.is_some(),
        "interval" => p.interval.is_some(),
        "timeout" => p.timeout.is_some(),
        "retries" => p.retries.is_some(),
        "start_period" => p.start_period.is_some(),
        _ => p.disable.is_some(),
    })
}

/// kompose's healthcheck labels: a test as one shell-like line (`CMD curl -f …`, `NONE`),
/// ports, durations (`10s`), retries, `disable` as a boolean.
fn set_probe(x: &mut XKubernetes, key: &str, value: &str) -> Result<(), String> {
    let (which, field) = key.split_once('.').unwrap_or((key, ""));
    let port = |v: &str| number(v, 1, 65535).map(|n| n as u16);
    let duration = |v: &str| {
        crate::compose::syntax::parse_duration(v)
            .map(|_| v.to_owned())
            .map_err(|_| format!("\"{v}\" is not a duration (such as 10s or 1m30s)"))
    };
    match field {
        "test" => {
            let mut words = shell_words::split(value)
                .map_err(|e| format!("\"{value}\" is not a command line: {e}"))?;
            if !matches!(
                words.first().map(String::as_str),
                Some("CMD" | "CMD-SHELL" | "NONE")
            ) {
                words.insert(0, "CMD".into());
            }
            if words.first().map(String::as_str) == Some("NONE") {
                probe_spec(x, which).disable = Some(true);
            } else {
                probe_spec(x, which).test = Some(words);
            }
        }
        "http_get_path" => probe_spec(x, which).http_get_path = Some(value.to_owned()),
        "http_get_port" => probe_spec(x, which).http_get_port = Some(port(value)?),
        "tcp_port" => probe_spec(x, which).tcp_port = Some(port(value)?),
        "interval" => probe_spec(x, which).interval = Some(duration(value)?),
        "timeout" => probe_spec(x, which).timeout = Some(duration(value)?),
        "start_period" => probe_spec(x, which).start_period = Some(duration(value)?),
        "retries" => probe_spec(x, which).retries = Some(number(value, 1, 1000)? as i32),
        _ => {
            probe_spec(x, which).disable = Some(match value.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => return Err(format!("\"{value}\" is not true or false")),
            })
        }
    }
    Ok(())
}

fn autoscale(x: &mut XKubernetes) -> &mut Autoscale {
    x.autoscale.get_or_insert_with(Autoscale::default)
}

fn init(x: &mut XKubernetes) -> &mut InitContainer {
    if x.init_containers.is_empty() {
        x.init_containers.push(InitContainer::default());
    }
    &mut x.init_containers[0]
}

/// A command as kompose's label writes it: a list (`["bundle", "exec", "thin"]`, or its
/// items separated by commas), else one shell-like line split into words (kompose would
/// run the whole line as the name of one program).
fn command(value: &str) -> Result<Vec<String>, String> {
    let inner = value.strip_prefix('[').and_then(|v| v.strip_suffix(']'));
    if inner.is_some() || value.contains(',') {
        return Ok(inner
            .unwrap_or(value)
            .split(',')
            .map(|w| w.trim().trim_matches(|c| c == '"' || c == '\'').to_owned())
            .filter(|w| !w.is_empty())
            .collect());
    }
    shell_words::split(value).map_err(|e| format!("\"{value}\" is not a command line: {e}"))
}

fn ephemeral(x: &mut XKubernetes) -> &mut EphemeralStorage {
    x.ephemeral_storage
        .get_or_insert_with(EphemeralStorage::default)
}

/// `compose2kube.ingress.host` or kompose's `kompose.service.expose`: `true` (an Ingress
/// whose host comes from `--ingress-host`, else any host), `false` (none), or hosts
/// separated by commas, each `host` or `host/path`.
fn expose(x: &mut XKubernetes, value: &str) -> bool {
    match value {
        "false" => return false,
        "true" => {
            ingress(x);
            return true;
        }
        _ => {}
    }
    // Each host keeps its own path; a host without one gets `ingress.path` (kompose's
    // `kompose.service.expose.path`), else `/`.
    let hosts = value
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned);
    ingress(x).hosts.extend(hosts);
    true
}

fn number(value: &str, min: i64, max: i64) -> Result<i64, String> {
    value
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("\"{value}\" is not a whole number from {min} to {max}"))
}

fn one_of<T: Copy>(value: &str, all: &[T], name: impl Fn(T) -> &'static str) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| name(*v).eq_ignore_ascii_case(value))
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            format!("\"{value}\" is not one of {}", names.join(", "))
        })
}

fn quantity(value: &str) -> Result<String, String> {
    if is_quantity(value) {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "\"{value}\" is not a Kubernetes quantity (such as 10Gi or 500Mi)"
        ))
    }
}

fn name(value: &str) -> Result<String, String> {
    if is_dns_subdomain(value) && !value.is_empty() {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "\"{value}\" is not a Kubernetes object name (lowercase letters, digits, '-' and '.')"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn read(pairs: &[(&str, &str)]) -> Result<XKubernetes, String> {
        let mut x = XKubernetes::default();
        apply(&labels(pairs), &mut x)?;
        Ok(x)
    }

    #[test]
    fn every_key_a_label_sets_is_one_the_model_has() {
        for label in LABELS {
            if let Meaning::Sets(key) = label.meaning {
                // is_set panics on a key it does not know.
                let _ = is_set(&XKubernetes::default(), key);
            }
        }
        let mut names: Vec<&str> = LABELS.iter().map(|l| l.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), LABELS.len(), "a label is listed twice");
    }

    #[test]
    fn ours_win_over_kompose_and_x_kubernetes_over_both() {
        let x = read(&[
            ("kompose.service.type", "loadbalancer"),
            ("compose2kube.service.type", "nodeport"),
        ])
        .unwrap();
        assert_eq!(x.service, Some(ServiceType::NodePort));
        assert_eq!(x.source("service"), "label compose2kube.service.type");
        let mut x = XKubernetes {
            service: Some(ServiceType::ClusterIP),
            ..XKubernetes::default()
        };
        apply(&labels(&[("kompose.service.type", "headless")]), &mut x).unwrap();
        assert_eq!(
            (x.service, x.headless),
            (Some(ServiceType::ClusterIP), None)
        );
        assert_eq!(x.source("service"), "x-kubernetes.service");
    }

    #[test]
    fn values_are_checked_and_canonical() {
        let x = read(&[
            ("kompose.service.type", "Headless"),
            ("kompose.image-pull-policy", "ifnotpresent"),
            ("kompose.cronjob.concurrency_policy", "Replace"),
            ("kompose.service.external-traffic-policy", "local"),
            ("kompose.security-context.fsgroup", "1000"),
        ])
        .unwrap();
        assert_eq!(x.headless, Some(true));
        assert_eq!(x.image_pull_policy, Some(PullPolicy::IfNotPresent));
        assert_eq!(x.concurrency_policy, Some(ConcurrencyPolicy::Replace));
        assert_eq!(x.external_traffic_policy, Some(TrafficPolicy::Local));
        assert_eq!(x.fs_group, Some(1000));
        let e = read(&[("kompose.service.nodeport.port", "8080")]).unwrap_err();
        assert_eq!(
            e,
            "labels.kompose.service.nodeport.port: \"8080\" is not a whole number from 30000 to 32767"
        );
        let e = read(&[("kompose.image-pull-policy", "sometimes")]).unwrap_err();
        assert!(
            e.ends_with("is not one of Always, IfNotPresent, Never"),
            "{e}"
        );
        let e = read(&[("kompose.volume.size", "lots")]).unwrap_err();
        assert!(e.contains("not a Kubernetes quantity"), "{e}");
    }

    #[test]
    fn kompose_expose_takes_hosts_with_paths() {
        let x = read(&[("kompose.service.expose", "a.example.com/api, b.example.com")]).unwrap();
        let i = x.ingress.unwrap();
        assert_eq!((i.host, i.path), (None, None));
        assert_eq!(i.hosts, ["a.example.com/api", "b.example.com"]);
        let x = read(&[("kompose.service.expose", "true")]).unwrap();
        assert!(x.ingress.is_some_and(|i| i.host.is_none()));
        let x = read(&[("kompose.service.expose", "false")]).unwrap();
        assert!(x.ingress.is_none());
    }

    #[test]
    fn unknown_labels_get_the_closest_name() {
        let l = labels(&[
            ("compose2kube.knd", "statefulset"),
            ("kompose.service.typ", "nodeport"),
            ("kompose.service.type", "nodeport"),
            ("kompose.controller.port.expose", "true"),
            ("kompose.whatever.else.entirely", "x"),
            ("traefik.enable", "true"),
        ]);
        let u = unknown(&l);
        assert_eq!(u.len(), 4, "{u:?}");
        assert!(u[0].1.contains("did you mean compose2kube.kind?"), "{u:?}");
        assert!(
            u[1].1.contains("did you mean kompose.service.type?"),
            "{u:?}"
        );
        assert!(u[2].1.contains("not translated: a hostPort"), "{u:?}");
        assert!(u[3].1.contains("README lists"), "{u:?}");
    }
}
