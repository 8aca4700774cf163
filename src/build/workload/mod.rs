//! Lowering classified services to typed Kubernetes workloads (k8s-openapi), no I/O.
//!
//! This is the first part of `build` (issue 3): the workload objects and their pod templates
//! with the containers' image, command, args, environment, ports, resources and security
//! settings, sidecars as extra containers, one-shot services as initContainers, and
//! restartPolicy valid for each kind. Volumes, probes, Services, ConfigMaps and Secrets come
//! next; until then nothing here refers to an object that is not emitted.

pub mod lifecycle;
pub mod placement;
pub mod probes;

use std::collections::BTreeMap;

use indexmap::IndexMap;
use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, DeploymentStrategy,
    RollingUpdateDeployment, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    AppArmorProfile, Capabilities, Container, ContainerPort, EnvFromSource, EnvVar, HostAlias,
    PersistentVolumeClaim, PodDNSConfig, PodDNSConfigOption, PodSecurityContext, PodSpec,
    PodTemplateSpec, ResourceRequirements, SeccompProfile, SecurityContext, Sysctl, Volume,
    VolumeMount,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::build::names::{NameCollision, check_names, escape, labels, sanitize_name, selector};
use crate::classify::extension::{self, XKubernetes};
use crate::classify::images;
use crate::classify::{Classification, Role};
use crate::compose::model::{DeviceCount, DeviceRequest, Project, Service};
use crate::diagnostic::Diagnostic;
use crate::options::Options;

/// What the other builders (ports, storage, configuration, network policies) give one compose
/// service's container and pod. The defaults stand for "nothing known": declared ports only,
/// `environment` as plain values, no volumes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerParts {
    /// The container's ports; None: its declared `ports` and `expose`.
    pub ports: Option<Vec<ContainerPort>>,
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
}

impl Inputs<'_> {
    fn parts(&self, service: &str) -> &ContainerParts {
        static NONE: std::sync::OnceLock<ContainerParts> = std::sync::OnceLock::new();
        self.parts
            .get(service)
            .unwrap_or_else(|| NONE.get_or_init(ContainerParts::default))
    }
}

/// One workload object, in the order `write` will sort them.
#[derive(Debug, Clone, PartialEq)]
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

    pub fn to_json(&self) -> serde_json::Value {
        let value = match self {
            Workload::Deployment(o) => serde_json::to_value(o),
            Workload::StatefulSet(o) => serde_json::to_value(o),
            Workload::DaemonSet(o) => serde_json::to_value(o),
            Workload::Job(o) => serde_json::to_value(o),
            Workload::CronJob(o) => serde_json::to_value(o),
        };
        value.unwrap_or(serde_json::Value::Null)
    }
}

fn quantity_cpu(cpus: f64) -> Quantity {
    let milli = (cpus * 1000.0).round() as i64;
    if milli % 1000 == 0 {
        Quantity((milli / 1000).to_string())
    } else {
        Quantity(format!("{milli}m"))
    }
}

fn quantity_memory(bytes: i64) -> Quantity {
    const MI: i64 = 1024 * 1024;
    const GI: i64 = 1024 * MI;
    if bytes > 0 && bytes % GI == 0 {
        Quantity(format!("{}Gi", bytes / GI))
    } else if bytes > 0 && bytes % MI == 0 {
        Quantity(format!("{}Mi", bytes / MI))
    } else {
        Quantity(bytes.to_string())
    }
}

/// GPUs asked for by `deploy.resources.reservations.devices` or `gpus`, as the extended
/// resource of the driver's device plugin. Kubernetes counts devices: `count: all` (the
/// whole host) has no equivalent and becomes one, with a warning.
fn gpus(name: &str, service: &Service, out: &mut Vec<Diagnostic>) -> Option<(String, i64)> {
    let reserved = service
        .deploy
        .as_ref()
        .and_then(|d| d.resources.reservations.as_ref())
        .map(|r| r.devices.as_slice())
        .unwrap_or_default();
    let requests: Vec<(&str, &DeviceRequest)> = reserved
        .iter()
        .map(|d| ("deploy.resources.reservations.devices", d))
        .chain(service.gpus.iter().map(|d| ("gpus", d)))
        .filter(|(_, d)| d.capabilities.iter().any(|c| c == "gpu") || d.capabilities.is_empty())
        .collect();
    let mut total: Option<(String, i64)> = None;
    for (key, device) in requests {
        let path = format!("services.{name}.{key}");
        let resource = match device.driver.as_deref() {
            None | Some("nvidia") => "nvidia.com/gpu",
            Some("amd") => "amd.com/gpu",
            Some(other) => {
                out.push(Diagnostic::warning(
                    path,
                    format!("device driver {other} has no known Kubernetes device plugin; not translated"),
                ));
                continue;
            }
        };
        let count = if !device.device_ids.is_empty() {
            out.push(Diagnostic::warning(
                path.clone(),
                "device_ids cannot pick devices in Kubernetes; asking for as many GPUs instead",
            ));
            device.device_ids.len() as i64
        } else {
            match device.count {
                Some(DeviceCount::Count(n)) => n.max(1),
                Some(DeviceCount::All) | None => {
                    out.push(Diagnostic::warning(
                        path.clone(),
                        "count: all has no Kubernetes equivalent (pods ask for a number of GPUs); asking for 1",
                    ));
                    1
                }
            }
        };
        let sum = total.as_ref().map_or(0, |(_, n)| *n) + count;
        total = Some((resource.to_owned(), sum));
    }
    total
}

fn resources(
    name: &str,
    service: &Service,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ResourceRequirements> {
    let r = service.deploy.as_ref().map(|d| &d.resources);
    let mut limits = BTreeMap::new();
    let mut requests = BTreeMap::new();
    let limit = r.and_then(|r| r.limits.as_ref());
    if let Some(cpus) = limit.and_then(|l| l.cpus).or(service.cpus) {
        limits.insert("cpu".to_owned(), quantity_cpu(cpus));
    }
    if let Some(mem) = limit
        .and_then(|l| l.memory.as_ref())
        .or(service.mem_limit.as_ref())
    {
        limits.insert("memory".to_owned(), quantity_memory(mem.0));
    }
    let reservation = r.and_then(|r| r.reservations.as_ref());
    if let Some(cpus) = reservation.and_then(|l| l.cpus) {
        requests.insert("cpu".to_owned(), quantity_cpu(cpus));
    }
    if let Some(mem) = reservation
        .and_then(|l| l.memory.as_ref())
        .or(service.mem_reservation.as_ref())
    {
        requests.insert("memory".to_owned(), quantity_memory(mem.0));
    }
    // Extended resources are asked for as limits; Kubernetes sets the request equal.
    if let Some((resource, count)) = gpus(name, service, diagnostics) {
        limits.insert(resource, Quantity(count.to_string()));
    }
    // A request above its limit is rejected by the API server; compose lets it through.
    for key in ["cpu", "memory"] {
        if let (Some(req), Some(lim)) = (requests.get(key), limits.get(key))
            && parse_quantity(&req.0) > parse_quantity(&lim.0)
        {
            diagnostics.push(Diagnostic::warning(
                format!("services.{name}.deploy.resources"),
                format!(
                    "the {key} reservation {} is above the limit {}; the request is lowered to the limit",
                    req.0, lim.0
                ),
            ));
            requests.insert(key.to_owned(), lim.clone());
        }
    }
    (!limits.is_empty() || !requests.is_empty()).then(|| ResourceRequirements {
        limits: (!limits.is_empty()).then_some(limits),
        requests: (!requests.is_empty()).then_some(requests),
        ..ResourceRequirements::default()
    })
}

/// The quantities this module writes, as numbers to compare (millicores or bytes).
fn parse_quantity(q: &str) -> f64 {
    let (number, factor) = if let Some(n) = q.strip_suffix('m') {
        (n, 0.001)
    } else if let Some(n) = q.strip_suffix("Gi") {
        (n, 1024.0 * 1024.0 * 1024.0)
    } else if let Some(n) = q.strip_suffix("Mi") {
        (n, 1024.0 * 1024.0)
    } else {
        (q, 1.0)
    };
    number.parse::<f64>().unwrap_or(0.0) * factor
}

fn security_context(
    name: &str,
    service: &Service,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<SecurityContext> {
    let (user, group) = match service
        .user
        .as_deref()
        .map(|u| u.split_once(':').unwrap_or((u, "")))
    {
        Some((u, g)) => {
            // `root` is uid and gid 0 everywhere; other names depend on the image.
            let id = |s: &str| {
                if s == "root" {
                    Some(0)
                } else {
                    s.parse::<i64>().ok()
                }
            };
            let (uid, gid) = (id(u), id(g));
            if uid.is_none() || (!g.is_empty() && gid.is_none()) {
                diagnostics.push(Diagnostic::warning(
                    format!("services.{name}.user"),
                    "Kubernetes takes numeric user and group ids only; names are not translated (the image's user applies)",
                ));
            }
            (uid, gid)
        }
        None => (None, None),
    };
    let caps =
        (!service.cap_add.is_empty() || !service.cap_drop.is_empty()).then(|| Capabilities {
            add: (!service.cap_add.is_empty()).then(|| service.cap_add.clone()),
            drop: (!service.cap_drop.is_empty()).then(|| service.cap_drop.clone()),
        });
    let mut ctx = SecurityContext {
        privileged: service.privileged.then_some(true),
        read_only_root_filesystem: service.read_only.then_some(true),
        run_as_user: user,
        run_as_group: group,
        capabilities: caps,
        ..SecurityContext::default()
    };
    for (i, opt) in service.security_opt.iter().enumerate() {
        let (key, value) = opt.split_once([':', '=']).unwrap_or((opt.as_str(), "true"));
        match (key, value) {
            ("no-new-privileges", "true") => ctx.allow_privilege_escalation = Some(false),
            ("no-new-privileges", "false") => {}
            ("seccomp", "unconfined") => {
                ctx.seccomp_profile = Some(SeccompProfile {
                    type_: "Unconfined".into(),
                    ..SeccompProfile::default()
                });
            }
            ("apparmor", "unconfined") => {
                ctx.app_armor_profile = Some(AppArmorProfile {
                    type_: "Unconfined".into(),
                    ..AppArmorProfile::default()
                });
            }
            _ => diagnostics.push(Diagnostic::warning(
                format!("services.{name}.security_opt[{i}]"),
                format!("\"{opt}\" is not translated (only no-new-privileges and unconfined seccomp/apparmor are)"),
            )),
        }
    }
    (ctx != SecurityContext::default()).then_some(ctx)
}

fn container_ports(service: &Service) -> Vec<ContainerPort> {
    let mut seen: IndexMap<(i32, String), ()> = IndexMap::new();
    for p in &service.ports {
        seen.insert((i32::from(p.target), p.protocol.to_ascii_uppercase()), ());
    }
    for e in &service.expose {
        let (range, proto) = e.split_once('/').unwrap_or((e.as_str(), "tcp"));
        let (a, b) = range.split_once('-').unwrap_or((range, range));
        if let (Ok(a), Ok(b)) = (a.parse::<i32>(), b.parse::<i32>()) {
            for port in a..=b.min(a.saturating_add(1000)) {
                seen.insert((port, proto.to_ascii_uppercase()), ());
            }
        }
    }
    seen.into_keys()
        .map(|(port, protocol)| ContainerPort {
            container_port: port,
            protocol: Some(protocol),
            ..ContainerPort::default()
        })
        .collect()
}

/// The image a service runs. A service with only `build:` gets `<project>-<service>`, the name
/// docker compose gives the image it builds.
fn image(project: &Project, name: &str, service: &Service, out: &mut Vec<Diagnostic>) -> String {
    match (&service.image, &service.build) {
        (Some(image), None) => image.clone(),
        (Some(image), Some(_)) => {
            out.push(Diagnostic::note(
                format!("services.{name}.build"),
                format!("compose builds {image}; build and push it to a registry the cluster can pull from"),
            ));
            image.clone()
        }
        (None, _) => {
            let image = format!("{}-{}", project.name, name);
            out.push(Diagnostic::warning(
                format!("services.{name}.build"),
                format!("Kubernetes does not build images: the pod runs {image}, the name compose gives the built image; build it, push it to a registry and set `image:`"),
            ));
            image
        }
    }
}

/// `pull_policy` as imagePullPolicy. Kubernetes has no periodic refresh: `daily`, `weekly`
/// and `every_<duration>` pull on every start instead.
fn pull_policy(name: &str, service: &Service, out: &mut Vec<Diagnostic>) -> Option<String> {
    let policy = service.pull_policy.as_deref()?;
    Some(
        match policy {
            "always" => "Always",
            "never" => "Never",
            "missing" | "if_not_present" | "build" => "IfNotPresent",
            other => {
                out.push(Diagnostic::warning(
                    format!("services.{name}.pull_policy"),
                    format!("{other}: Kubernetes cannot refresh images on a schedule; pulling on every start (Always)"),
                ));
                "Always"
            }
        }
        .to_owned(),
    )
}

fn plain_env(service: &Service) -> Vec<EnvVar> {
    service
        .environment
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref().map(|v| EnvVar {
                name: k.clone(),
                value: Some(escape(v)),
                ..EnvVar::default()
            })
        })
        .collect()
}

/// The container for one compose service (its own, a sidecar's or an initContainer's).
/// Probes only for long-running containers: an initContainer or a Job's container ends.
pub fn container(
    inputs: &Inputs,
    name: &str,
    service: &Service,
    long_running: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Container {
    let parts = inputs.parts(name);
    let x = extension::of(service).unwrap_or_default();
    let env = parts.env.clone().unwrap_or_else(|| plain_env(service));
    let ports = parts
        .ports
        .clone()
        .unwrap_or_else(|| container_ports(service));
    let first_tcp = ports
        .iter()
        .find(|p| p.protocol.as_deref() == Some("TCP"))
        .map(|p| p.container_port)
        .filter(|_| inputs.options.default_probes);
    let mut probes = if long_running {
        probes::probes(service.healthcheck.as_ref(), first_tcp)
    } else {
        probes::Probes::default()
    };
    if let Some(wanted) = &x.probes {
        if wanted.startup == Some(false) {
            probes.startup = None;
        }
        if wanted.liveness == Some(false) {
            probes.liveness = None;
        }
        if wanted.readiness == Some(false) {
            probes.readiness = None;
        }
    }
    let (lifecycle, hook_diagnostics) = lifecycle::lifecycle(name, service);
    diagnostics.extend(hook_diagnostics);
    Container {
        name: sanitize_name(name),
        image: Some(image(inputs.project, name, service, diagnostics)),
        image_pull_policy: pull_policy(name, service, diagnostics),
        command: service
            .entrypoint
            .as_ref()
            .map(|c| c.iter().map(|s| escape(s)).collect()),
        args: service
            .command
            .as_ref()
            .map(|c| c.iter().map(|s| escape(s)).collect()),
        env: (!env.is_empty()).then_some(env),
        env_from: (!parts.env_from.is_empty()).then(|| parts.env_from.clone()),
        ports: (!ports.is_empty()).then_some(ports),
        volume_mounts: (!parts.mounts.is_empty()).then(|| parts.mounts.clone()),
        working_dir: service.working_dir.clone(),
        tty: service.tty.then_some(true),
        stdin: service.stdin_open.then_some(true),
        resources: resources(name, service, diagnostics),
        security_context: security_context(name, service, diagnostics),
        lifecycle,
        startup_probe: probes.startup,
        liveness_probe: probes.liveness,
        readiness_probe: probes.readiness,
        ..Container::default()
    }
}

/// Pod-level settings of the main service: host namespaces, names, DNS, /etc/hosts,
/// shutdown grace, platform and the scheduling hints of `x-kubernetes`.
fn pod_settings(
    pod: &mut PodSpec,
    name: &str,
    service: &Service,
    x: &XKubernetes,
    selector: &BTreeMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if service.network_mode.as_deref() == Some("host") {
        pod.host_network = Some(true);
        // Keeps cluster DNS working for a pod on the node's network.
        pod.dns_policy = Some("ClusterFirstWithHostNet".into());
    }
    if service.pid.as_deref() == Some("host") {
        pod.host_pid = Some(true);
    }
    if service.ipc.as_deref() == Some("host") {
        pod.host_ipc = Some(true);
    }
    pod.hostname = service.hostname.as_deref().map(sanitize_name);
    pod.subdomain = service.domainname.as_deref().map(sanitize_name);
    let aliases: Vec<HostAlias> = service
        .extra_hosts
        .iter()
        .flat_map(|(host, ips)| {
            ips.iter().map(move |ip| HostAlias {
                ip: ip.clone(),
                hostnames: Some(vec![host.clone()]),
            })
        })
        .collect();
    pod.host_aliases = (!aliases.is_empty()).then_some(aliases);
    if !service.dns.is_empty() || !service.dns_search.is_empty() || !service.dns_opt.is_empty() {
        pod.dns_config = Some(PodDNSConfig {
            nameservers: (!service.dns.is_empty()).then(|| service.dns.clone()),
            searches: (!service.dns_search.is_empty()).then(|| service.dns_search.clone()),
            options: (!service.dns_opt.is_empty()).then(|| {
                service
                    .dns_opt
                    .iter()
                    .map(|o| {
                        let (name, value) = o.split_once(':').unwrap_or((o.as_str(), ""));
                        PodDNSConfigOption {
                            name: Some(name.to_owned()),
                            value: (!value.is_empty()).then(|| value.to_owned()),
                        }
                    })
                    .collect()
            }),
        });
    }
    pod.termination_grace_period_seconds = service
        .stop_grace_period
        .as_ref()
        .map(|d| (d.0.max(0) + 999_999_999) / 1_000_000_000);
    let mut node_selector: BTreeMap<String, String> = x
        .node_selector
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(platform) = &service.platform {
        let mut parts = platform.split('/');
        if let Some(os) = parts.next().filter(|s| !s.is_empty()) {
            node_selector.insert("kubernetes.io/os".into(), os.to_owned());
        }
        if let Some(arch) = parts.next().filter(|s| !s.is_empty()) {
            node_selector.insert("kubernetes.io/arch".into(), arch.to_owned());
        }
    }
    let scheduling = placement::scheduling(name, service, selector);
    node_selector.extend(scheduling.node_selector);
    diagnostics.extend(scheduling.diagnostics);
    pod.node_selector = (!node_selector.is_empty()).then_some(node_selector);
    pod.affinity = scheduling.affinity;
    pod.topology_spread_constraints =
        (!scheduling.topology_spread.is_empty()).then_some(scheduling.topology_spread);
    let mut tolerations = x.tolerations.clone();
    tolerations.extend(scheduling.tolerations);
    pod.tolerations = (!tolerations.is_empty()).then_some(tolerations);
    let sysctls: Vec<Sysctl> = service
        .sysctls
        .iter()
        .map(|(k, v)| Sysctl {
            name: k.clone(),
            value: v.clone(),
        })
        .collect();
    let mut groups = Vec::new();
    for group in &service.group_add {
        match group.parse::<i64>() {
            Ok(gid) => groups.push(gid),
            Err(_) => diagnostics.push(Diagnostic::warning(
                format!("services.{name}.group_add"),
                format!("group {group}: Kubernetes takes numeric group ids only; not translated"),
            )),
        }
    }
    let security = PodSecurityContext {
        sysctls: (!sysctls.is_empty()).then_some(sysctls),
        supplemental_groups: (!groups.is_empty()).then_some(groups),
        ..PodSecurityContext::default()
    };
    pod.security_context = (security != PodSecurityContext::default()).then_some(security);
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

/// A PodDisruptionBudget (`maxUnavailable: 1`) for every replicated Deployment or
/// StatefulSet, so voluntary disruptions such as node drains keep most replicas up.
pub fn disruption_budgets(project: &Project, workloads: &[Workload]) -> Vec<PodDisruptionBudget> {
    workloads
        .iter()
        .filter_map(|w| {
            let (meta, replicas) = match w {
                Workload::Deployment(d) => (&d.metadata, d.spec.as_ref()?.replicas),
                Workload::StatefulSet(s) => (&s.metadata, s.spec.as_ref()?.replicas),
                _ => return None,
            };
            let name = meta.name.clone()?;
            (replicas? >= 2).then(|| PodDisruptionBudget {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    labels: Some(labels(project, &name)),
                    ..ObjectMeta::default()
                },
                spec: Some(PodDisruptionBudgetSpec {
                    max_unavailable: Some(IntOrString::Int(1)),
                    selector: Some(LabelSelector {
                        match_labels: Some(selector(project, &name)),
                        ..LabelSelector::default()
                    }),
                    ..PodDisruptionBudgetSpec::default()
                }),
                ..PodDisruptionBudget::default()
            })
        })
        .collect()
}

fn push_inits(
    inputs: &Inputs,
    name: &str,
    service: &Service,
    out: &mut Vec<Container>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (dep, condition) in &service.depends_on {
        let (Some(dep_class), Some(dep_service)) =
            (inputs.roles.get(dep), inputs.project.services.get(dep))
        else {
            continue;
        };
        match &dep_class.role {
            Role::Init { of } if of == name => {
                for (dep_dep, dep_condition) in &dep_service.depends_on {
                    push_wait(inputs, dep, dep_dep, dep_condition, out, diagnostics);
                }
                out.push(container(inputs, dep, dep_service, false, diagnostics));
            }
            _ => push_wait(inputs, name, dep, condition, out, diagnostics),
        }
    }
}

/// A `wait-for-<dep>` initContainer for a dependency that serves, or the diagnostic saying
/// why the order is not kept.
fn push_wait(
    inputs: &Inputs,
    name: &str,
    dep: &str,
    condition: &crate::compose::model::DependsOn,
    out: &mut Vec<Container>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let path = format!("services.{name}.depends_on.{dep}");
    let Some(dep_service) = inputs.project.services.get(dep) else {
        return;
    };
    if !condition.required {
        return;
    }
    // The Service a dependency answers on is its pod's: a sidecar's is its host's.
    let host = match inputs.roles.get(dep).map(|c| &c.role) {
        Some(Role::Deployment | Role::StatefulSet | Role::DaemonSet) => dep,
        Some(Role::Sidecar { of }) => of.as_str(),
        Some(Role::Job | Role::CronJob { .. }) => {
            if condition.condition == "service_completed_successfully" {
                diagnostics.push(Diagnostic::warning(
                    path,
                    format!("{dep} runs as a separate Job (more than one service waits for it), so Kubernetes does not hold {name} back until it completes; make {name} tolerate starting first"),
                ));
            }
            return;
        }
        _ => return,
    };
    if condition.condition == "service_completed_successfully" {
        diagnostics.push(Diagnostic::warning(
            path.clone(),
            format!(
                "{dep} is a long-running workload; waiting for it to start instead of to complete"
            ),
        ));
    }
    let ports = inputs
        .parts(dep)
        .ports
        .clone()
        .unwrap_or_else(|| container_ports(dep_service));
    let first_tcp = ports
        .iter()
        .find(|p| p.protocol.as_deref() == Some("TCP"))
        .map(|p| p.container_port)
        .or_else(|| listening_ports(dep_service).first().copied());
    let Some(port) = first_tcp else {
        diagnostics.push(Diagnostic::warning(
            path,
            format!("{dep} listens on no known port, so {name} cannot wait for it; declare the port with `expose` or `x-kubernetes.ports`"),
        ));
        return;
    };
    let wait = wait_for(&inputs.options.wait_image, dep, host, port);
    if !out.iter().any(|c| c.name == wait.name) {
        out.push(wait);
    }
}

/// The TCP ports a service listens on: its `ports` targets and `expose`, else its known
/// image's defaults. (The ports module adds ports other services use in URLs.)
pub fn listening_ports(service: &Service) -> Vec<i32> {
    let declared: Vec<i32> = container_ports(service)
        .into_iter()
        .filter(|p| p.protocol.as_deref() == Some("TCP"))
        .map(|p| p.container_port)
        .collect();
    if !declared.is_empty() {
        return declared;
    }
    service
        .image
        .as_deref()
        .and_then(images::lookup)
        .map(|k| {
            k.ports
                .iter()
                .filter(|p| !p.udp)
                .map(|p| i32::from(p.port))
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until the dependency's Service accepts connections. A ClusterIP only forwards to
/// ready pods, so with readiness derived from the healthcheck this waits for "healthy".
fn wait_for(image: &str, dependency: &str, service: &str, port: i32) -> Container {
    let host = sanitize_name(service);
    Container {
        name: sanitize_name(&format!("wait-for-{dependency}")),
        image: Some(image.into()),
        command: Some(vec![
            "sh".into(),
            "-c".into(),
            format!("until nc -z {host} {port}; do echo waiting for {host}:{port}; sleep 2; done"),
        ]),
        ..Container::default()
    }
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
    let project = inputs.project;
    check_names(project)?;
    let mut diagnostics = Vec::new();
    let mut out = Vec::new();
    for (name, service) in &project.services {
        let Some(class) = inputs.roles.get(name) else {
            continue;
        };
        if matches!(class.role, Role::Sidecar { .. } | Role::Init { .. }) {
            continue;
        }
        let k8s = sanitize_name(name);
        let parts = inputs.parts(name);
        let long_running = !matches!(class.role, Role::Job | Role::CronJob { .. });
        let mut volumes = parts.volumes.clone();
        let mut rwo = parts.writes_read_write_once;
        let mut containers = vec![container(
            inputs,
            name,
            service,
            long_running,
            &mut diagnostics,
        )];
        for (other, other_class) in inputs.roles {
            let Some(other_service) = project.services.get(other) else {
                continue;
            };
            match &other_class.role {
                Role::Sidecar { of } if of == name => {
                    containers.push(container(
                        inputs,
                        other,
                        other_service,
                        long_running,
                        &mut diagnostics,
                    ));
                    merge_volumes(&mut volumes, &inputs.parts(other).volumes);
                    rwo |= inputs.parts(other).writes_read_write_once;
                }
                Role::Init { of } if of == name => {
                    merge_volumes(&mut volumes, &inputs.parts(other).volumes);
                    rwo |= inputs.parts(other).writes_read_write_once;
                }
                _ => {}
            }
        }
        // One-shot services and waits for dependencies, in depends_on order; a one-shot
        // service's own dependencies are waited for before it runs. pre_start hooks last:
        // compose runs them once the dependencies are up.
        let mut init_containers: Vec<Container> = Vec::new();
        push_inits(
            inputs,
            name,
            service,
            &mut init_containers,
            &mut diagnostics,
        );
        let main_image = containers[0].image.clone().unwrap_or_default();
        init_containers.extend(lifecycle::pre_start(name, service, &main_image));
        let mut annotations: BTreeMap<String, String> = service
            .labels
            .iter()
            .chain(service.annotations.iter())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // Directives to compose tooling, already acted on, are not the pod's business.
        annotations.retain(|k, _| {
            !["com.docker.compose.", "compose2kube.", "kompose."]
                .iter()
                .any(|p| k.starts_with(p))
        });
        let selector_labels = selector(project, &k8s);
        let mut pod = PodSpec {
            containers,
            init_containers: (!init_containers.is_empty()).then_some(init_containers),
            volumes: (!volumes.is_empty()).then_some(volumes),
            ..PodSpec::default()
        };
        let x = extension::of(service).unwrap_or_default();
        pod_settings(
            &mut pod,
            name,
            service,
            &x,
            &selector_labels,
            &mut diagnostics,
        );
        let mut pod_labels = labels(project, &k8s);
        pod_labels.extend(parts.pod_labels.clone());
        let template = |pod: PodSpec| PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(pod_labels.clone()),
                annotations: (!annotations.is_empty()).then(|| annotations.clone()),
                ..ObjectMeta::default()
            }),
            spec: Some(pod),
        };
        let deploy_labels: BTreeMap<String, String> = service
            .deploy
            .as_ref()
            .map(|d| {
                d.labels
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let metadata = ObjectMeta {
            name: Some(k8s.clone()),
            labels: Some(labels(project, &k8s)),
            annotations: (!deploy_labels.is_empty()).then_some(deploy_labels),
            ..ObjectMeta::default()
        };
        let selector = LabelSelector {
            match_labels: Some(selector_labels.clone()),
            ..LabelSelector::default()
        };
        let replicas = replicas(service, &x);
        let workload = match &class.role {
            Role::Deployment => {
                let strategy = if rwo {
                    // A ReadWriteOnce claim attaches to one node: a new pod elsewhere could
                    // not start while the old one holds it.
                    Some(DeploymentStrategy {
                        type_: Some("Recreate".into()),
                        rolling_update: None,
                    })
                } else {
                    strategy(service)
                };
                Workload::Deployment(Box::new(Deployment {
                    metadata,
                    spec: Some(DeploymentSpec {
                        replicas,
                        selector,
                        strategy,
                        template: template(pod),
                        ..DeploymentSpec::default()
                    }),
                    ..Deployment::default()
                }))
            }
            Role::StatefulSet => Workload::StatefulSet(Box::new(StatefulSet {
                metadata,
                spec: Some(StatefulSetSpec {
                    replicas,
                    selector,
                    service_name: Some(k8s.clone()),
                    template: template(pod),
                    volume_claim_templates: (!parts.claim_templates.is_empty())
                        .then(|| parts.claim_templates.clone()),
                    ..StatefulSetSpec::default()
                }),
                ..StatefulSet::default()
            })),
            Role::DaemonSet => Workload::DaemonSet(Box::new(DaemonSet {
                metadata,
                spec: Some(DaemonSetSpec {
                    selector,
                    template: template(pod),
                    ..DaemonSetSpec::default()
                }),
                ..DaemonSet::default()
            })),
            Role::Job | Role::CronJob { .. } => {
                pod.restart_policy = Some(restart_policy_for_job(service).into());
                let backoff = service
                    .deploy
                    .as_ref()
                    .and_then(|d| d.restart_policy.as_ref())
                    .and_then(|p| p.max_attempts)
                    .and_then(|n| i32::try_from(n).ok());
                let spec = JobSpec {
                    backoff_limit: backoff,
                    template: template(pod),
                    ..JobSpec::default()
                };
                match &class.role {
                    Role::CronJob { schedule } => Workload::CronJob(Box::new(CronJob {
                        metadata,
                        spec: Some(CronJobSpec {
                            schedule: schedule.clone(),
                            time_zone: x.time_zone.clone(),
                            concurrency_policy: Some("Forbid".into()),
                            job_template: JobTemplateSpec {
                                metadata: None,
                                spec: Some(spec),
                            },
                            ..CronJobSpec::default()
                        }),
                        ..CronJob::default()
                    })),
                    _ => Workload::Job(Box::new(Job {
                        metadata,
                        spec: Some(spec),
                        ..Job::default()
                    })),
                }
            }
            Role::Sidecar { .. } | Role::Init { .. } => continue,
        };
        out.push(workload);
    }
    Ok((out, diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_rfc1123_labels() {
        assert_eq!(sanitize_name("My_Service.v2"), "my-service-v2");
        assert_eq!(sanitize_name("_x_"), "x");
        assert_eq!(sanitize_name("ünï"), "n");
        assert_eq!(sanitize_name(&"a".repeat(70)).len(), 63);
        assert_eq!(sanitize_name("!!!"), "service");
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity_cpu(0.5).0, "500m");
        assert_eq!(quantity_cpu(2.0).0, "2");
        assert_eq!(quantity_memory(512 * 1024 * 1024).0, "512Mi");
        assert_eq!(quantity_memory(1024 * 1024 * 1024).0, "1Gi");
        assert_eq!(quantity_memory(1000).0, "1000");
    }

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
    fn update_config_becomes_a_rolling_update() {
        let mut service = Service::default();
        assert!(strategy(&service).is_none());
        service.deploy = Some(crate::compose::model::Deploy {
            update_config: Some(crate::compose::model::UpdateConfig {
                parallelism: Some(2),
                order: Some("start-first".into()),
                ..Default::default()
            }),
            ..Default::default()
        });
        let r = strategy(&service).unwrap().rolling_update.unwrap();
        assert_eq!(r.max_surge, Some(IntOrString::Int(2)));
        assert_eq!(r.max_unavailable, Some(IntOrString::Int(0)));
    }

    #[test]
    fn dollar_parens_are_escaped() {
        assert_eq!(escape("echo $(date) $HOME"), "echo $$(date) $HOME");
    }
}
