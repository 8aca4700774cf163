//! The `x-kubernetes` service extension: what a compose file can say about its Kubernetes
//! translation without leaving compose (docker compose ignores `x-*` keys).
//!
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16
//!     x-kubernetes:
//!       kind: statefulset            # deployment | statefulset | daemonset | job | cronjob
//!                                    # | sidecar:<service> | init:<service>
//!       schedule: "0 3 * * *"        # cronjob schedule
//!       time_zone: Europe/Madrid     # cronjob timeZone
//!       replicas: 2
//!       service: loadbalancer        # exposure of published ports: clusterip | nodeport | loadbalancer
//!       ports: [5432]                # ports the image listens on that compose does not declare
//!       ingress: {host: db.example.com, path: /, tls: db-tls, class: nginx, annotations: {}}
//!       size: 20Gi                   # claim size of the service's volumes
//!       storage_class: fast-ssd
//!       bind_mounts: hostpath        # this service's bind mounts as hostPath (auto | hostpath)
//!       name: frontend               # the name of its objects, instead of the service's
//!       group: web                   # one pod for every service of the group
//!       volume_type: configMap       # persistentVolumeClaim | emptyDir | hostPath | configMap
//!       tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]
//!       node_selector: {disktype: ssd}
//!       probes: {readiness: true, liveness: true}   # false turns a derived probe off
//!       headless: true               # the Service peers reach has no cluster IP
//!       node_port: 30432             # nodePort of the one published port (service: nodeport)
//!       external_traffic_policy: Local
//!       concurrency_policy: Replace  # CronJob: Allow | Forbid | Replace
//!       backoff_limit: 3
//!       image_pull_secrets: [registry-credentials]
//!       image_pull_policy: Always
//!       service_account: db-backup
//!       fs_group: 999
//!       ephemeral_storage: {request: 1Gi, limit: 2Gi}
//!       init_containers: [{name: migrate, image: app:1, command: [bin/migrate]}]
//!       autoscale: {min: 2, max: 10, cpu: 70, memory: 80}   # a HorizontalPodAutoscaler
//!       volume_subpath: data         # subPath of the service's claims
//!       liveness_probe: {http_get_path: /healthz, http_get_port: 8080}
//!       readiness_probe: {test: [CMD, ready-check], interval: 10s, timeout: 2s, retries: 3,
//!                         start_period: 5s}   # or tcp_port, or disable: true
//! ```
//!
//! Labels fill what `x-kubernetes` leaves unset: see [`labels`].
//!
//! Unknown keys are errors, so a typo does not silently lose a setting.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use k8s_openapi::api::core::v1::Toleration;
use serde::Deserialize;

use crate::classify::labels;
use crate::compose::model::Service;
pub use crate::options::{ServiceType, VolumeType};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XKubernetes {
    pub kind: Option<String>,
    pub schedule: Option<String>,
    pub time_zone: Option<String>,
    pub replicas: Option<i32>,
    pub service: Option<ServiceType>,
    #[serde(default)]
    pub ports: Vec<u16>,
    pub ingress: Option<Ingress>,
    pub size: Option<String>,
    pub storage_class: Option<String>,
    pub bind_mounts: Option<BindMounts>,
    /// What the service's volumes become, over `bind_mounts` and `--volumes`.
    pub volume_type: Option<VolumeType>,
    #[serde(default)]
    pub tolerations: Vec<Toleration>,
    #[serde(default)]
    pub node_selector: IndexMap<String, String>,
    pub probes: Option<Probes>,
    /// The Service peers reach is headless (`clusterIP: None`), with ports or without.
    pub headless: Option<bool>,
    /// The nodePort of the one published port, when `service` is nodeport.
    pub node_port: Option<i32>,
    pub external_traffic_policy: Option<TrafficPolicy>,
    pub concurrency_policy: Option<ConcurrencyPolicy>,
    /// Retries of a Job or of each run of a CronJob.
    pub backoff_limit: Option<i32>,
    #[serde(default)]
    pub image_pull_secrets: Vec<String>,
    pub image_pull_policy: Option<PullPolicy>,
    pub service_account: Option<String>,
    pub fs_group: Option<i64>,
    pub ephemeral_storage: Option<EphemeralStorage>,
    /// Containers that run to completion before the service's, after it waits for its
    /// dependencies.
    #[serde(default)]
    pub init_containers: Vec<InitContainer>,
    /// A HorizontalPodAutoscaler for the Deployment or StatefulSet.
    pub autoscale: Option<Autoscale>,
    /// The subPath of every named volume and data directory the service mounts, unless the
    /// mount gives its own (`volume.subpath`).
    pub volume_subpath: Option<String>,
    /// The liveness probe's check and timing, over what the healthcheck gives.
    pub liveness_probe: Option<ProbeSpec>,
    /// The readiness probe's check and timing, over what the healthcheck gives.
    pub readiness_probe: Option<ProbeSpec>,
    /// The name of the service's workload, Service and the objects named after it
    /// (kompose.service.name_override).
    pub name: Option<String>,
    /// Services of one group run as containers of one pod (kompose.service.group).
    pub group: Option<String>,
    /// Where a setting came from when a label gave it: key → label name (see `labels`).
    #[serde(skip)]
    pub from: BTreeMap<&'static str, &'static str>,
}

impl XKubernetes {
    /// How `explain` names the origin of the setting `key`.
    pub fn source(&self, key: &str) -> String {
        // A nested key (`autoscale.max`) set by a label stands for its parent too.
        let label = self.from.get(key).or_else(|| {
            self.from
                .iter()
                .find(|(k, _)| k.strip_prefix(key).is_some_and(|r| r.starts_with('.')))
                .map(|(_, l)| l)
        });
        match label {
            Some(label) => format!("label {label}"),
            None => format!("x-kubernetes.{key}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum TrafficPolicy {
    #[serde(alias = "cluster")]
    Cluster,
    #[serde(alias = "local")]
    Local,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ConcurrencyPolicy {
    Allow,
    Forbid,
    Replace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

macro_rules! variant_names {
    ($($t:ty => $($v:ident),+;)+) => {$(
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),+];
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => stringify!($v)),+ }
            }
        }
    )+};
}
variant_names! {
    TrafficPolicy => Cluster, Local;
    ConcurrencyPolicy => Allow, Forbid, Replace;
    PullPolicy => Always, IfNotPresent, Never;
}

/// A probe asked for: one check (`test` as a compose healthcheck writes it, an HTTP GET,
/// or a TCP connection), its timing as compose durations, or `disable`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    pub test: Option<Vec<String>>,
    pub http_get_path: Option<String>,
    pub http_get_port: Option<u16>,
    pub tcp_port: Option<u16>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub retries: Option<i32>,
    pub start_period: Option<String>,
    pub disable: Option<bool>,
}

/// Replicas between `min` (default 1) and `max` (default 3, or `min` if more), scaled to
/// keep the average CPU and memory use at the given percentages of the requests (CPU at
/// 50 % when neither is given).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscale {
    pub min: Option<i32>,
    pub max: Option<i32>,
    pub cpu: Option<i32>,
    pub memory: Option<i32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitContainer {
    /// Default `init-<n>`, counted from 1.
    pub name: Option<String>,
    pub image: Option<String>,
    #[serde(default)]
    pub command: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EphemeralStorage {
    pub request: Option<String>,
    pub limit: Option<String>,
}

/// What a service's bind mounts become, overriding `--bind-mounts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BindMounts {
    Auto,
    HostPath,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ingress {
    pub host: Option<String>,
    pub path: Option<String>,
    /// The name of the TLS Secret for the host.
    pub tls: Option<String>,
    pub class: Option<String>,
    #[serde(default)]
    pub annotations: IndexMap<String, String>,
    /// More hosts served the same way, each `host` or `host/path`.
    #[serde(default)]
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    pub startup: Option<bool>,
    pub liveness: Option<bool>,
    pub readiness: Option<bool>,
}

/// The service's `x-kubernetes`, or the default when it has none. The error starts with
/// `x-kubernetes:`; the caller names the service.
///
/// The service's labels fill what `x-kubernetes` leaves unset ([`labels`]); a label with a
/// value it cannot take is an error starting with `labels.<name>:`.
pub fn of(service: &Service) -> Result<XKubernetes, String> {
    let mut x = match service.extensions.get("x-kubernetes") {
        None | Some(serde_json::Value::Null) => XKubernetes::default(),
        Some(value) => XKubernetes::deserialize(value).map_err(|e| format!("x-kubernetes: {e}"))?,
    };
    labels::apply(&service.labels, &mut x)?;
    if let Some(deploy) = &service.deploy {
        labels::apply(&deploy.labels, &mut x).map_err(|e| format!("deploy.{e}"))?;
    }
    if let Some(a) = &x.autoscale {
        let source = x.source("autoscale");
        let (min, max) = (
            a.min.unwrap_or(1),
            a.max.unwrap_or(3.max(a.min.unwrap_or(1))),
        );
        if min < 1 || max < min {
            return Err(format!(
                "{source}: replicas from {min} to {max}: min must be 1 or more and max at least min"
            ));
        }
        for (metric, value) in [("cpu", a.cpu), ("memory", a.memory)] {
            if let Some(v) = value
                && !(1..=100).contains(&v)
            {
                return Err(format!(
                    "{source}: {metric} {v}: a target use between 1 and 100 (percent of the request)"
                ));
            }
        }
    }
    for (key, spec) in [
        ("liveness_probe", &x.liveness_probe),
        ("readiness_probe", &x.readiness_probe),
    ] {
        let Some(spec) = spec else { continue };
        for (field, value) in [
            ("interval", &spec.interval),
            ("timeout", &spec.timeout),
            ("start_period", &spec.start_period),
        ] {
            if let Some(v) = value
                && crate::compose::syntax::parse_duration(v).is_err()
            {
                return Err(format!(
                    "{}: {field} \"{v}\" is not a duration (such as 10s or 1m30s)",
                    x.source(key)
                ));
            }
        }
    }
    if let Some(sub) = &x.volume_subpath
        && (sub.is_empty() || sub.starts_with('/') || sub.split('/').any(|p| p == ".."))
    {
        return Err(format!(
            "{}: \"{sub}\" is not a relative path inside the volume (no leading / and no ..)",
            x.source("volume_subpath")
        ));
    }
    if let Some(i) = x.init_containers.iter().position(|c| c.image.is_none()) {
        return Err(format!(
            "x-kubernetes.init_containers[{i}]: an init container needs an image"
        ));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(x: serde_json::Value) -> Service {
        let mut s = Service::default();
        s.extensions.insert("x-kubernetes".into(), x);
        s
    }

    #[test]
    fn reads_the_documented_schema() {
        let x = of(&service(serde_json::json!({
                "kind": "statefulset", "schedule": "@daily", "time_zone": "UTC", "replicas": 2,
                "service": "loadbalancer", "ports": [5432],
                "ingress": {"host": "db.example.com", "path": "/", "tls": "db-tls", "class": "nginx"},
                "size": "20Gi", "storage_class": "fast",
                "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}],
                "node_selector": {"disktype": "ssd"},
                "probes": {"liveness": false}
            })),
        )
        .unwrap();
        assert_eq!(x.service, Some(ServiceType::LoadBalancer));
        assert_eq!(x.tolerations[0].key.as_deref(), Some("dedicated"));
        assert_eq!(x.ingress.unwrap().tls.as_deref(), Some("db-tls"));
        assert_eq!(x.probes.unwrap().liveness, Some(false));
        assert!(of(&Service::default()).unwrap().kind.is_none());
    }

    #[test]
    fn unknown_keys_and_values_are_errors() {
        let e = of(&service(serde_json::json!({"replica": 2}))).unwrap_err();
        assert!(
            e.starts_with("x-kubernetes: unknown field `replica`"),
            "{e}"
        );
        let e = of(&service(serde_json::json!({"service": "public"}))).unwrap_err();
        assert!(e.contains("unknown variant `public`"), "{e}");
    }
}
