//! The choices a user makes on the `convert` command line, as the library sees them.

use serde::Deserialize;

/// The type of the Service that exposes published ports (`x-kubernetes.service`,
/// `--expose-published`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

/// How Secret values reach the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretsMode {
    /// Values in the Secret objects (base64 in `data`).
    #[default]
    Embed,
    /// No values in the output: pods refer to Secrets the user creates, and a note gives
    /// the `kubectl create secret` command for each.
    Reference,
}

/// What bind mounts of project directories become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BindMounts {
    /// Files and small read-only text directories → ConfigMaps, data directories → PVCs,
    /// host system paths → hostPath.
    #[default]
    Auto,
    /// Every bind mount → hostPath (single-node clusters, development).
    HostPath,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `metadata.namespace` of every object, and a Namespace object.
    pub namespace: Option<String>,
    /// A `<service>-public` Service of this type for every service with published ports.
    pub expose_published: Option<ServiceType>,
    /// An Ingress for every service with an HTTP port, on this host.
    pub ingress_host: Option<String>,
    pub ingress_class: Option<String>,
    /// Claim size when nothing in the compose file gives one.
    pub default_volume_size: String,
    /// `storageClassName` of claims when nothing in the compose file gives one.
    pub storage_class: Option<String>,
    pub secrets: SecretsMode,
    pub bind_mounts: BindMounts,
    /// Read config and secret files outside the project directory.
    pub allow_outside_project: bool,
    /// A NetworkPolicy per compose network.
    pub network_policies: bool,
    /// Image of the `wait-for-<dependency>` initContainers.
    pub wait_image: String,
    /// A tcpSocket readiness probe for services with a port and no healthcheck.
    pub default_probes: bool,
}

impl Options {
    /// `kubectl`, with `-n NS` under `--namespace`: the start of every command a
    /// diagnostic tells the user to run, so that what it creates lands beside the objects.
    pub fn kubectl(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("kubectl -n {ns}"),
            None => "kubectl".to_owned(),
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            namespace: None,
            expose_published: None,
            ingress_host: None,
            ingress_class: None,
            default_volume_size: "1Gi".into(),
            storage_class: None,
            secrets: SecretsMode::Embed,
            bind_mounts: BindMounts::Auto,
            allow_outside_project: false,
            network_policies: false,
            wait_image: "busybox:1.36".into(),
            default_probes: true,
        }
    }
}
