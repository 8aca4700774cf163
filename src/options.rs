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

/// What a service's volumes become: kompose's volume types, with compose2kube's own rules
/// as `persistentVolumeClaim`, the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum VolumeType {
    /// Named volumes and data directories → claims, files and small read-only text
    /// directories → ConfigMaps, host system paths → hostPath.
    #[default]
    #[serde(rename = "persistentVolumeClaim", alias = "persistentvolumeclaim")]
    PersistentVolumeClaim,
    /// Every named volume and bind mount → an emptyDir, emptied when the pod goes.
    #[serde(rename = "emptyDir", alias = "emptydir")]
    EmptyDir,
    /// Every bind mount → hostPath (single-node clusters, development).
    #[serde(rename = "hostPath", alias = "hostpath")]
    HostPath,
    /// Every bind mount of a project path → a ConfigMap of its files, whether read-only or
    /// not, directory or file.
    #[serde(rename = "configMap", alias = "configmap")]
    ConfigMap,
}

impl VolumeType {
    pub const ALL: &'static [VolumeType] = &[
        Self::PersistentVolumeClaim,
        Self::EmptyDir,
        Self::HostPath,
        Self::ConfigMap,
    ];

    /// kompose's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PersistentVolumeClaim => "persistentVolumeClaim",
            Self::EmptyDir => "emptyDir",
            Self::HostPath => "hostPath",
            Self::ConfigMap => "configMap",
        }
    }
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
    /// What volumes become, unless a service asks otherwise (`--volumes`, `--bind-mounts`).
    pub volumes: VolumeType,
    /// Read config and secret files outside the project directory.
    pub allow_outside_project: bool,
    /// A NetworkPolicy per compose network.
    pub network_policies: bool,
    /// Image of the `wait-for-<dependency>` initContainers.
    pub wait_image: String,
    /// A tcpSocket readiness probe for services with a port and no healthcheck.
    pub default_probes: bool,
    /// The workload of every long-running service whose kind nothing in the compose file
    /// asks for (kompose's `--controller`).
    pub controller: Option<Controller>,
    /// Replicas of every service whose count the compose file does not give (kompose's
    /// `--replicas`).
    pub replicas: Option<i32>,
    /// Services with exactly the same mounts run as containers of one pod, unless they
    /// are in a group of their own (kompose's `--service-group-mode volume`).
    pub group_by_volumes: bool,
    /// The name of the group `group_by_volumes` makes (kompose's `--service-group-name`).
    pub group_name: Option<String>,
    /// Annotations saying what made each object: `compose2kube.io/version` and, when
    /// given, `compose2kube.io/cmd` with this command line (kompose's
    /// `--with-kompose-annotation`).
    pub provenance: Option<Provenance>,
}

/// A long-running workload kind, as `--controller` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Controller {
    Deployment,
    StatefulSet,
    DaemonSet,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    /// The command line, as the user typed it.
    pub command: Option<String>,
}

impl Options {
    /// The user's values, checked before anything is built: a bad one is blamed on its
    /// flag, not on the compose key that would have used it.
    pub fn check(&self) -> Result<(), String> {
        if let Some(ns) = &self.namespace
            && !is_dns_label(ns)
        {
            // A wrong namespace is the user's to fix, not ours to rewrite: every `kubectl
            // -n` they type must match it.
            return Err(format!(
                "--namespace {ns}: a namespace must be at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"
            ));
        }
        if let Some(name) = &self.group_name
            && !self.group_by_volumes
        {
            return Err(format!(
                "--service-group-name {name}: names the group that --service-group-mode volume makes; add --service-group-mode volume, or group services with the label kompose.service.group"
            ));
        }
        if !is_quantity(&self.default_volume_size) {
            return Err(format!(
                "--default-volume-size {}: not a Kubernetes quantity (such as 10Gi or 500Mi)",
                self.default_volume_size
            ));
        }
        for (flag, value) in [
            ("--storage-class", &self.storage_class),
            ("--ingress-class", &self.ingress_class),
        ] {
            if let Some(v) = value
                && !is_dns_subdomain(v)
            {
                return Err(format!(
                    "{flag} {v}: a class name is lower-case letters, digits, '-' and '.', at most 253, starting and ending with a letter or digit"
                ));
            }
        }
        if let Some(host) = &self.ingress_host
            && !is_dns_subdomain(host.strip_prefix("*.").unwrap_or(host))
        {
            return Err(format!(
                "--ingress-host {host}: a host is a lower-case DNS name such as shop.example.com (optionally *.example.com), without scheme, port or path"
            ));
        }
        if let Some(n) = self.replicas
            && n < 0
        {
            return Err(format!("--replicas {n}: a count of 0 or more"));
        }
        if self.wait_image.is_empty() || self.wait_image.contains(char::is_whitespace) {
            return Err(format!(
                "--wait-image {:?}: an image reference such as busybox:1.36",
                self.wait_image
            ));
        }
        Ok(())
    }

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
            volumes: VolumeType::PersistentVolumeClaim,
            allow_outside_project: false,
            network_policies: false,
            wait_image: "busybox:1.36".into(),
            default_probes: true,
            controller: None,
            replicas: None,
            group_by_volumes: false,
            group_name: None,
            provenance: None,
        }
    }
}

/// A Kubernetes quantity, such as `10Gi`, `500Mi` or `1.5G`.
pub fn is_quantity(s: &str) -> bool {
    let digits_end = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(digits_end);
    !number.is_empty()
        && number.parse::<f64>().is_ok()
        && [
            "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E",
        ]
        .contains(&unit)
}

/// An RFC 1123 label: a namespace.
fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// An RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_values_are_checked_and_blamed_on_their_flag() {
        let ok = Options::default();
        assert_eq!(ok.check(), Ok(()));
        let with = |f: fn(&mut Options)| {
            let mut o = Options::default();
            f(&mut o);
            o.check().unwrap_err()
        };
        assert!(with(|o| o.namespace = Some("Shop".into())).starts_with("--namespace Shop:"));
        assert!(with(|o| o.namespace = Some("-x".into())).starts_with("--namespace"));
        assert!(with(|o| o.namespace = Some("a".repeat(64))).starts_with("--namespace"));
        assert!(
            with(|o| o.default_volume_size = "banana".into())
                .starts_with("--default-volume-size banana:")
        );
        assert!(with(|o| o.storage_class = Some("Fast SSD".into())).starts_with("--storage-class"));
        assert!(with(|o| o.ingress_class = Some("nginx/".into())).starts_with("--ingress-class"));
        assert!(
            with(|o| o.ingress_host = Some("https://shop.example.com".into()))
                .starts_with("--ingress-host")
        );
        assert!(with(|o| o.wait_image = "busy box".into()).starts_with("--wait-image"));
        let fine = Options {
            namespace: Some("shop-prod".into()),
            ingress_host: Some("*.apps.example.com".into()),
            storage_class: Some("fast.ssd-1".into()),
            default_volume_size: "1.5Gi".into(),
            ..Options::default()
        };
        assert_eq!(fine.check(), Ok(()));
    }
}
