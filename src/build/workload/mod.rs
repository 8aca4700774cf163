//! Workloads: each host service as a Deployment, StatefulSet, DaemonSet, Job or CronJob.
//!
//! Takes the roles and the [`ContainerParts`] the other builders give each service (ports,
//! env, volumes, claim templates); gives the workload objects with their pod templates:
//! one container per service of the pod ([`container`]: image, command, env, resources,
//! security, probes from [`probes`], hooks from [`lifecycle`]), the pod's own settings
//! ([`pod`], scheduling from [`placement`]), one-shot services and `wait-for` initContainers
//! ([`wait`]), the rollout strategy, and PodDisruptionBudgets ([`disruption`]).
//!
//! It emits no Service, claim or ConfigMap: it only refers to the ones the other builders
//! emit, by the names they chose.
pub mod autoscale;
pub mod container;
pub mod disruption;
pub mod lifecycle;
pub mod placement;
pub mod pod;
pub mod probes;
pub mod wait;

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, DeploymentStrategy,
    RollingUpdateDeployment, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvFromSource, EnvVar, PersistentVolumeClaim, PodSpec,
    PodTemplateSpec, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::build::names::{
    NameCollision, check_names, k8s_name, labels, sanitize_name, selector, service_name_of,
};
use crate::classify::extension::{self, XKubernetes};
use crate::classify::peers::Peers;
use crate::classify::{Classification, Role};
use crate::compose::model::{Project, Service};
use crate::diagnostic::Diagnostic;
use crate::options::Options;

use container::container;
use wait::push_inits;

pub use autoscale::autoscalers;
pub use disruption::disruption_budgets;
pub use wait::listening_ports;

/// What the other builders (ports, storage, configuration, network policies) give one compose
/// service's container and pod. The defaults stand for "nothing known": declared ports only,
/// `environment` as plain values, no volumes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerParts {
    /// The container's ports; None: its declared `ports` and `expose`.
    pub ports: Option<Vec<ContainerPort>>,
    /// The TCP port a default readiness probe may check: one the process is known to
    /// listen on (declared, or its image's), never one only guessed from a peer's URL.
    pub probe_port: Option<i32>,
    /// The TCP port dependants wait on: the one its healthcheck checks, else a declared
    /// one, else its image's, else one a peer uses.
    pub wait_port: Option<i32>,
    /// The container's whole env; None: `environment` as plain values.
    pub env: Option<Vec<EnvVar>>,
    pub env_from: Vec<EnvFromSource>,
    /// Pod volumes this container needs, merged by name with its pod mates'.
    pub volumes: Vec<Volume>,
    pub mounts: Vec<VolumeMount>,
    /// volumeClaimTemplates, for a StatefulSet's own service.
    pub claim_templates: Vec<PersistentVolumeClaim>,
    /// Writes a ReadWriteOnce claim: a Deployment then replaces pods with `Recreate`.
    pub writes_read_write_once: bool,
    /// Extra pod labels (network membership for NetworkPolicies).
    pub pod_labels: BTreeMap<String, String>,
}

/// Everything the workload builder reads.
pub struct Inputs<'a> {
    pub project: &'a Project,
    pub roles: &'a IndexMap<String, Classification>,
    /// By compose service; a service missing here gets the defaults.
    pub parts: &'a IndexMap<String, ContainerParts>,
    pub options: &'a Options,
    /// Services whose Service publishes pods before they are ready (cluster members).
    pub clustered: &'a HashSet<String>,
    /// Every service's names and who reaches it.
    pub peers: &'a Peers,
    /// The sidecars and initContainers of each pod, by the service whose pod holds them.
    pub members: &'a HashMap<&'a str, Vec<&'a str>>,
}

impl Inputs<'_> {
    fn parts(&self, service: &str) -> &ContainerParts {
        static NONE: std::sync::OnceLock<ContainerParts> = std::sync::OnceLock::new();
        self.parts
            .get(service)
            .unwrap_or_else(|| NONE.get_or_init(ContainerParts::default))
    }
}

/// One workload object, in the order `write` will sort them; serializes as the object itself.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Workload {
    Deployment(Box<Deployment>),
    StatefulSet(Box<StatefulSet>),
    DaemonSet(Box<DaemonSet>),
    Job(Box<Job>),
    CronJob(Box<CronJob>),
}

impl Workload {
    pub fn kind(&self) -> &'static str {
        match self {
            Workload::Deployment(_) => "Deployment",
            Workload::StatefulSet(_) => "StatefulSet",
            Workload::DaemonSet(_) => "DaemonSet",
            Workload::Job(_) => "Job",
            Workload::CronJob(_) => "CronJob",
        }
    }

    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Workload::Deployment(o) => &o.metadata,
            Workload::StatefulSet(o) => &o.metadata,
            Workload::DaemonSet(o) => &o.metadata,
            Workload::Job(o) => &o.metadata,
            Workload::CronJob(o) => &o.metadata,
        }
    }

    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Workload::Deployment(o) => &mut o.metadata,
            Workload::StatefulSet(o) => &mut o.metadata,
            Workload::DaemonSet(o) => &mut o.metadata,
            Workload::Job(o) => &mut o.metadata,
            Workload::CronJob(o) => &mut o.metadata,
        }
    }

    /// The pod template's spec, whatever the kind.
    pub fn pod_spec_mut(&mut self) -> Option<&mut PodSpec> {
        let template = match self {
            Workload::Deployment(o) => &mut o.spec.as_mut()?.template,
            Workload::StatefulSet(o) => &mut o.spec.as_mut()?.template,
            Workload::DaemonSet(o) => &mut o.spec.as_mut()?.template,
            Workload::Job(o) => &mut o.spec.as_mut()?.template,
            Workload::CronJob(o) => &mut o.spec.as_mut()?.job_template.spec.as_mut()?.template,
        };
        template.spec.as_mut()
    }

    /// The pod template's spec, whatever the kind.
    pub fn pod_spec(&self) -> Option<&PodSpec> {
        let template = match self {
            Workload::Deployment(o) => &o.spec.as_ref()?.template,
            Workload::StatefulSet(o) => &o.spec.as_ref()?.template,
            Workload::DaemonSet(o) => &o.spec.as_ref()?.template,
            Workload::Job(o) => &o.spec.as_ref()?.template,
            Workload::CronJob(o) => &o.spec.as_ref()?.job_template.spec.as_ref()?.template,
        };
        template.spec.as_ref()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// `update_config` as a rolling update: `start-first` surges new pods before stopping old
/// ones, `stop-first` (compose's default) stops first; `parallelism` is how many at a time.
fn strategy(service: &Service) -> Option<DeploymentStrategy> {
    let update = service.deploy.as_ref()?.update_config.as_ref()?;
    let n = update
        .parallelism
        .filter(|p| *p > 0)
        .and_then(|p| i32::try_from(p).ok())
        .unwrap_or(1);
    let (surge, unavailable) = match update.order.as_deref() {
        Some("start-first") => (n, 0),
        _ => (0, n),
    };
    Some(DeploymentStrategy {
        type_: Some("RollingUpdate".into()),
        rolling_update: Some(RollingUpdateDeployment {
            max_surge: Some(IntOrString::Int(surge)),
            max_unavailable: Some(IntOrString::Int(unavailable)),
        }),
    })
}

fn restart_policy_for_job(service: &Service) -> &'static str {
    let on_failure = service
        .restart
        .as_deref()
        .is_some_and(|r| r.starts_with("on-failure"))
        || service
            .deploy
            .as_ref()
            .and_then(|d| d.restart_policy.as_ref())
            .and_then(|p| p.condition.as_deref())
            == Some("on-failure");
    if on_failure { "OnFailure" } else { "Never" }
}

/// The replicas compose asks for: `x-kubernetes.replicas`, `deploy.replicas`, or `scale`.
pub fn replicas(service: &Service, x: &XKubernetes) -> Option<i32> {
    x.replicas.or_else(|| {
        service
            .deploy
            .as_ref()
            .and_then(|d| d.replicas)
            .or(service.scale)
            .and_then(|r| i32::try_from(r).ok())
    })
}

/// The init containers `x-kubernetes.init_containers` (or kompose's labels) ask for: after
/// the waits, so that what they run finds the dependencies up.
fn asked_init_containers(x: &XKubernetes) -> Vec<Container> {
    x.init_containers
        .iter()
        .enumerate()
        .map(|(i, c)| Container {
            name: c
                .name
                .as_deref()
                .map_or_else(|| format!("init-{}", i + 1), sanitize_name),
            image: c.image.clone(),
            command: (!c.command.is_empty()).then(|| c.command.clone()),
            ..Container::default()
        })
        .collect()
}

/// Adds volumes to a pod's, once per name.
fn merge_volumes(into: &mut Vec<Volume>, volumes: &[Volume]) {
    for v in volumes {
        if !into.iter().any(|have| have.name == v.name) {
            into.push(v.clone());
        }
    }
}

/// Builds every workload; sidecars and init services join their host's pod.
pub fn workloads(inputs: &Inputs) -> Result<(Vec<Workload>, Vec<Diagnostic>), NameCollision> {
    check_names(inputs.project)?;
    let mut diagnostics = Vec::new();
    let mut out = Vec::new();
    for (name, service) in &inputs.project.services {
        let Some(class) = inputs.roles.get(name) else {
            continue;
        };
        if let Some(w) = workload(inputs, name, service, &class.role, &mut diagnostics) {
            out.push(w);
        }
    }
    Ok((out, diagnostics))
}

/// The pod of a host service: its container and its sidecars', the volumes of every
/// service in it, and whether any of them writes a ReadWriteOnce claim.
struct Pod {
    spec: PodSpec,
    writes_read_write_once: bool,
}

fn pod(
    inputs: &Inputs,
    name: &str,
    service: &Service,
    role: &Role,
    x: &XKubernetes,
    out: &mut Vec<Diagnostic>,
) -> Pod {
    let parts = inputs.parts(name);
    let long_running = !matches!(role, Role::Job | Role::CronJob { .. });
    let mut volumes = parts.volumes.clone();
    let mut rwo = parts.writes_read_write_once;
    let mut containers = vec![container(inputs, name, service, long_running, out)];
    // A Job ends when its containers do: its sidecars are native sidecars (initContainers
    // that restart always), which Kubernetes stops once the main container completes.
    let mut native_sidecars: Vec<Container> = Vec::new();
    for other in inputs.members.get(name).into_iter().flatten() {
        let Some(other_service) = inputs.project.services.get(*other) else {
            continue;
        };
        if matches!(
            inputs.roles.get(*other).map(|c| &c.role),
            Some(Role::Sidecar { .. })
        ) {
            let mut sidecar = container(inputs, other, other_service, true, out);
            if long_running {
                containers.push(sidecar);
            } else {
                sidecar.restart_policy = Some("Always".into());
                native_sidecars.push(sidecar);
            }
        }
        merge_volumes(&mut volumes, &inputs.parts(other).volumes);
        rwo |= inputs.parts(other).writes_read_write_once;
    }
    // One-shot services and waits for dependencies, in depends_on order; a one-shot
    // service's own dependencies are waited for before it runs. pre_start hooks last:
    // compose runs them once the dependencies are up.
    let mut init_containers: Vec<Container> = native_sidecars;
    push_inits(inputs, name, service, &mut init_containers, out);
    let main_image = containers[0].image.clone().unwrap_or_default();
    init_containers.extend(lifecycle::pre_start(name, service, &main_image));
    for mut asked in asked_init_containers(x) {
        // Container names are unique across a pod's containers and initContainers.
        let taken = |n: &str| {
            containers
                .iter()
                .chain(&init_containers)
                .any(|c| c.name == n)
        };
        let base = asked.name.clone();
        let mut n = 2;
        while taken(&asked.name) {
            asked.name = format!("{base}-{n}");
            n += 1;
        }
        init_containers.push(asked);
    }
    let mut spec = PodSpec {
        containers,
        init_containers: (!init_containers.is_empty()).then_some(init_containers),
        volumes: (!volumes.is_empty()).then_some(volumes),
        ..PodSpec::default()
    };
    let selector_labels = selector(inputs.project, &k8s_name(inputs.project, name));
    let own_names = inputs.peers.names(name);
    pod::pod_settings(
        &mut spec,
        name,
        service,
        x,
        own_names,
        &selector_labels,
        out,
    );
    let claims = !inputs.parts(name).claim_templates.is_empty()
        || spec
            .volumes
            .iter()
            .flatten()
            .any(|v| v.persistent_volume_claim.is_some());
    // The group asked for wins over the one guessed for writable claims.
    let group = x.fs_group.or_else(|| {
        claims
            .then(|| pod::writable_claims(inputs.project, name, out))
            .flatten()
    });
    if let Some(gid) = group {
        let security = spec.security_context.get_or_insert_with(Default::default);
        security.fs_group = Some(gid);
        security.fs_group_change_policy = Some("OnRootMismatch".into());
    }
    Pod {
        spec,
        writes_read_write_once: rwo,
    }
}

/// Compose labels and annotations become the pod's annotations, except directives to
/// compose tooling, already acted on.
fn pod_annotations(
    name: &str,
    service: &Service,
    out: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut annotations: BTreeMap<String, String> = service
        .labels
        .iter()
        .chain(service.annotations.iter())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    annotations.retain(|k, _| !is_directive(k));
    keep_valid_keys(&mut annotations, &format!("services.{name}.labels"), out);
    annotations
}

/// A label meant for compose tooling (docker compose's own, ours, kompose's): already acted
/// on or reported, not copied.
fn is_directive(key: &str) -> bool {
    ["com.docker.compose.", "compose2kube.", "kompose."]
        .iter()
        .any(|p| key.starts_with(p))
}

/// Annotation keys the API server accepts: an optional DNS-subdomain prefix and `/`, then a
/// name of at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter
/// or digit. Compose labels have no such limits; the others are left out with a warning.
fn keep_valid_keys(map: &mut BTreeMap<String, String>, path: &str, out: &mut Vec<Diagnostic>) {
    map.retain(|key, _| {
        let valid = valid_annotation_key(key);
        if !valid {
            out.push(Diagnostic::warning(
                path,
                format!("{key} is not a valid Kubernetes annotation key (a name of at most 63 characters, after an optional DNS prefix and /); not copied"),
            ));
        }
        valid
    });
}

fn valid_annotation_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && alnum(name.chars().next())
        && alnum(name.chars().last())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let prefix_ok = prefix.is_none_or(|p| {
        p.len() <= 253
            && p.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
    });
    name_ok && prefix_ok
}

/// The workload's own metadata: its name, the recommended labels, and `deploy.labels` as
/// annotations.
fn workload_meta(
    project: &Project,
    name: &str,
    service: &Service,
    out: &mut Vec<Diagnostic>,
) -> ObjectMeta {
    let k8s = k8s_name(project, name);
    let mut deploy_labels: BTreeMap<String, String> = service
        .deploy
        .as_ref()
        .map(|d| {
            d.labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    deploy_labels.retain(|k, _| !is_directive(k));
    keep_valid_keys(
        &mut deploy_labels,
        &format!("services.{name}.deploy.labels"),
        out,
    );
    ObjectMeta {
        name: Some(k8s.clone()),
        labels: Some(labels(project, &k8s)),
        annotations: (!deploy_labels.is_empty()).then_some(deploy_labels),
        ..ObjectMeta::default()
    }
}

/// The workload of one service, or None for services that live in another's pod.
fn workload(
    inputs: &Inputs,
    name: &str,
    service: &Service,
    role: &Role,
    out: &mut Vec<Diagnostic>,
) -> Option<Workload> {
    let x = extension::of(service).unwrap_or_default();
    unused_settings(name, service, role, &x, out);
    if matches!(role, Role::Sidecar { .. } | Role::Init { .. }) {
        return None;
    }
    let project = inputs.project;
    let k8s = k8s_name(project, name);
    let pod = pod(inputs, name, service, role, &x, out);
    let mut pod_labels = labels(project, &k8s);
    pod_labels.extend(inputs.parts(name).pod_labels.clone());
    let annotations = pod_annotations(name, service, out);
    let shell = Shell {
        metadata: workload_meta(project, name, service, out),
        selector: LabelSelector {
            match_labels: Some(selector(project, &k8s)),
            ..LabelSelector::default()
        },
        template_meta: ObjectMeta {
            labels: Some(pod_labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..ObjectMeta::default()
        },
        replicas: replicas(service, &x),
    };
    Some(match role {
        Role::Deployment => deployment(shell, pod, service),
        Role::StatefulSet => shell.stateful_set(
            pod.spec,
            &service_name_of(project, name),
            &inputs.parts(name).claim_templates,
        ),
        Role::DaemonSet => shell.daemon_set(pod.spec),
        Role::Job => Workload::Job(Box::new(Job {
            spec: Some(job_spec(&shell, pod.spec, service, &x)),
            metadata: shell.metadata,
            ..Job::default()
        })),
        Role::CronJob { schedule } => cron_job(shell, pod.spec, service, schedule, &x),
        Role::Sidecar { .. } | Role::Init { .. } => return None,
    })
}

/// Labels in compose2kube's and kompose's namespaces that are not translated, and settings
/// the service's role has no place for: warnings, so that `--strict` stops on them.
fn unused_settings(
    name: &str,
    service: &Service,
    role: &Role,
    x: &XKubernetes,
    out: &mut Vec<Diagnostic>,
) {
    let deploy_labels = service.deploy.as_ref().map(|d| &d.labels);
    for (path, labels) in [
        ("labels", Some(&service.labels)),
        ("deploy.labels", deploy_labels),
    ] {
        for (label, message) in labels
            .map(crate::classify::labels::unknown)
            .unwrap_or_default()
        {
            out.push(Diagnostic::warning(
                format!("services.{name}.{path}.{label}"),
                message,
            ));
        }
    }
    let mut unused = |key: &str, set: bool, wants: &str| {
        if set {
            out.push(Diagnostic::warning(
                format!("services.{name}"),
                format!(
                    "{} applies to {wants}, and the service is a {}; not used",
                    x.source(key),
                    role.name()
                ),
            ));
        }
    };
    let batch = matches!(role, Role::Job | Role::CronJob { .. });
    unused(
        "concurrency_policy",
        x.concurrency_policy.is_some() && !matches!(role, Role::CronJob { .. }),
        "a CronJob",
    );
    unused(
        "backoff_limit",
        x.backoff_limit.is_some() && !batch,
        "a Job or a CronJob",
    );
    if let Role::Sidecar { of } | Role::Init { of } = role {
        let pod = format!("the whole pod (set it on {of})");
        unused("service_account", x.service_account.is_some(), &pod);
        unused("image_pull_secrets", !x.image_pull_secrets.is_empty(), &pod);
        unused("fs_group", x.fs_group.is_some(), &pod);
    }
}

/// What every kind of workload has: its metadata, selector, pod template metadata and
/// replicas.
struct Shell {
    metadata: ObjectMeta,
    selector: LabelSelector,
    template_meta: ObjectMeta,
    replicas: Option<i32>,
}

impl Shell {
    fn template(&self, pod: PodSpec) -> PodTemplateSpec {
        PodTemplateSpec {
            metadata: Some(self.template_meta.clone()),
            spec: Some(pod),
        }
    }

    fn stateful_set(
        self,
        pod: PodSpec,
        service_name: &str,
        claims: &[PersistentVolumeClaim],
    ) -> Workload {
        Workload::StatefulSet(Box::new(StatefulSet {
            spec: Some(StatefulSetSpec {
                replicas: self.replicas,
                selector: self.selector.clone(),
                service_name: Some(service_name.to_owned()),
                template: self.template(pod),
                volume_claim_templates: (!claims.is_empty()).then(|| claims.to_vec()),
                ..StatefulSetSpec::default()
            }),
            metadata: self.metadata,
            ..StatefulSet::default()
        }))
    }

    fn daemon_set(self, pod: PodSpec) -> Workload {
        Workload::DaemonSet(Box::new(DaemonSet {
            spec: Some(DaemonSetSpec {
                selector: self.selector.clone(),
                template: self.template(pod),
                ..DaemonSetSpec::default()
            }),
            metadata: self.metadata,
            ..DaemonSet::default()
        }))
    }
}

fn deployment(shell: Shell, pod: Pod, service: &Service) -> Workload {
    let strategy = if pod.writes_read_write_once {
        // A ReadWriteOnce claim attaches to one node: a new pod elsewhere could not start
        // while the old one holds it.
        Some(DeploymentStrategy {
            type_: Some("Recreate".into()),
            rolling_update: None,
        })
    } else {
        strategy(service)
    };
    Workload::Deployment(Box::new(Deployment {
        spec: Some(DeploymentSpec {
            replicas: shell.replicas,
            selector: shell.selector.clone(),
            strategy,
            template: shell.template(pod.spec),
            ..DeploymentSpec::default()
        }),
        metadata: shell.metadata,
        ..Deployment::default()
    }))
}

fn job_spec(shell: &Shell, mut pod: PodSpec, service: &Service, x: &XKubernetes) -> JobSpec {
    pod.restart_policy = Some(restart_policy_for_job(service).into());
    let backoff = x.backoff_limit.or_else(|| {
        service
            .deploy
            .as_ref()
            .and_then(|d| d.restart_policy.as_ref())
            .and_then(|p| p.max_attempts)
            .and_then(|n| i32::try_from(n).ok())
    });
    JobSpec {
        backoff_limit: backoff,
        template: shell.template(pod),
        ..JobSpec::default()
    }
}

fn cron_job(
    shell: Shell,
    pod: PodSpec,
    service: &Service,
    schedule: &str,
    x: &XKubernetes,
) -> Workload {
    Workload::CronJob(Box::new(CronJob {
        spec: Some(CronJobSpec {
            schedule: schedule.to_owned(),
            time_zone: x.time_zone.clone(),
            // A run still going when the next is due is most often a stuck one: compose
            // ran one container per service, never two.
            concurrency_policy: Some(x.concurrency_policy.map_or("Forbid", |p| p.as_str()).into()),
            job_template: JobTemplateSpec {
                metadata: None,
                spec: Some(job_spec(&shell, pod, service, x)),
            },
            ..CronJobSpec::default()
        }),
        metadata: shell.metadata,
        ..CronJob::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_settings_from_compose_and_x_kubernetes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "services:\n  web:\n    image: nginx\n    hostname: Web_1\n    extra_hosts: ['db=10.0.0.5']\n    dns: 1.1.1.1\n    dns_opt: ['ndots:2']\n    stop_grace_period: 1500ms\n    platform: linux/arm64\n    x-kubernetes:\n      replicas: 3\n      node_selector: {disk: ssd}\n      tolerations: [{key: dedicated, operator: Exists}]\n",
        )
        .unwrap();
        let loaded = crate::compose::load(&crate::compose::LoadOptions {
            working_dir: dir.path().to_path_buf(),
            ..Default::default()
        })
        .unwrap();
        let roles = crate::classify::classify(&loaded.project).unwrap();
        let (objects, _) = workloads(&Inputs {
            project: &loaded.project,
            roles: &roles,
            parts: &IndexMap::new(),
            options: &Options::default(),
            clustered: &HashSet::new(),
            peers: &Peers::default(),
            members: &HashMap::new(),
        })
        .unwrap();
        let Workload::Deployment(d) = &objects[0] else {
            panic!("expected a Deployment")
        };
        let spec = d.spec.as_ref().unwrap();
        assert_eq!(spec.replicas, Some(3));
        let pod = spec.template.spec.as_ref().unwrap();
        assert_eq!(pod.hostname.as_deref(), Some("web-1"));
        assert_eq!(pod.host_aliases.as_ref().unwrap()[0].ip, "10.0.0.5");
        let dns = pod.dns_config.as_ref().unwrap();
        assert_eq!(
            dns.nameservers.as_deref(),
            Some(&["1.1.1.1".to_owned()][..])
        );
        assert_eq!(dns.options.as_ref().unwrap()[0].value.as_deref(), Some("2"));
        assert_eq!(pod.termination_grace_period_seconds, Some(2));
        let selector = pod.node_selector.as_ref().unwrap();
        assert_eq!(selector["kubernetes.io/arch"], "arm64");
        assert_eq!(selector["disk"], "ssd");
        assert_eq!(
            pod.tolerations.as_ref().unwrap()[0].key.as_deref(),
            Some("dedicated")
        );
    }

    #[test]
    fn annotation_keys_the_api_server_refuses_are_left_out() {
        assert!(valid_annotation_key("traefik.enable"));
        assert!(valid_annotation_key("example.com/owner"));
        assert!(!valid_annotation_key(
            "traefik.http.services.appwrite_realtime.loadbalancer.server.port"
        ));
        assert!(!valid_annotation_key("Bad_Prefix/x"));
        assert!(!valid_annotation_key("-x"));
    }

    #[test]
    fn update_config_becomes_a_rolling_update() {
        let mut service = Service::default();
        assert!(strategy(&service).is_none());
        service.deploy = Some(Box::new(crate::compose::model::Deploy {
            update_config: Some(crate::compose::model::UpdateConfig {
                parallelism: Some(2),
                order: Some("start-first".into()),
                ..Default::default()
            }),
            ..Default::default()
        }));
        let r = strategy(&service).unwrap().rolling_update.unwrap();
        assert_eq!(r.max_surge, Some(IntOrString::Int(2)));
        assert_eq!(r.max_unavailable, Some(IntOrString::Int(0)));
    }
}
