//! No silent loss: every compose key a service sets is either translated by a builder or
//! reported here, with the reason it has no Kubernetes counterpart.
//!
//! The service is walked as data (its serialized form holds exactly the keys that are set),
//! so a key this table does not know is still reported, never skipped. Builders report the
//! keys they translate only in part (a non-numeric `user`, an unknown `security_opt`); this
//! module reports whole keys and the sub-keys of `deploy`, `depends_on`, `networks` and the
//! top-level networks. The names compose's DNS answers (`container_name`, `hostname`,
//! network and `links` aliases) are Services of their own (see `network`).
//!
//! Warnings mark behaviour that is lost; notes mark keys that only ever mattered to docker
//! compose itself (`attach`, `develop`) and keys the cluster handles its own way, so that
//! `--strict` fails only on real loss.

use indexmap::IndexMap;

use crate::classify::{Classification, Role};
use crate::compose::model::{Project, Service};
use crate::diagnostic::Diagnostic;

enum Fate {
    Translated,
    Warning(&'static str),
    Note(&'static str),
}

fn fate(key: &str) -> Fate {
    use Fate::*;
    match key {
        "profiles" | "annotations" | "build" | "cap_add" | "cap_drop" | "command" | "configs"
        | "cpus" | "depends_on" | "deploy" | "dns" | "dns_opt" | "dns_search" | "domainname"
        | "entrypoint" | "environment" | "env_file" | "expose" | "extra_hosts" | "gpus"
        | "group_add" | "healthcheck" | "hostname" | "image" | "ipc" | "labels" | "label_file"
        | "links" | "mem_limit" | "mem_reservation" | "network_mode" | "networks" | "pid"
        | "platform" | "ports" | "privileged" | "pull_policy" | "read_only" | "restart"
        | "scale" | "secrets" | "security_opt" | "shm_size" | "stdin_open"
        | "stop_grace_period" | "sysctls" | "tmpfs" | "tty" | "user" | "volumes"
        | "volumes_from" | "working_dir" | "pre_start" | "post_start" | "pre_stop" | "x-*"
        | "container_name" | "runtime" => Translated,
        "attach" => Note("only affects the log output of docker compose"),
        "develop" => Note("docker compose watch is a development feature; not translated"),
        "blkio_config" => Warning("block I/O weights and limits have no Kubernetes counterpart"),
        "cgroup" | "cgroup_parent" => Warning("the kubelet manages cgroups; not translated"),
        "cpu_count" | "cpu_percent" | "cpu_period" | "cpu_quota" | "cpu_rt_period"
        | "cpu_rt_runtime" | "cpu_shares" => Warning(
            "Kubernetes expresses CPU as requests and limits only; use deploy.resources or cpus",
        ),
        "cpuset" => Warning("CPU pinning needs the kubelet's static CPU manager; not translated"),
        "credential_spec" => Warning("Windows credential specs are not translated"),
        "device_cgroup_rules" => Warning("device cgroup rules have no Kubernetes counterpart"),
        "devices" => Warning(
            "host devices reach pods through device plugins or a privileged hostPath mount; not translated",
        ),
        "external_links" => {
            Warning("links to containers outside the project have no Kubernetes counterpart")
        }
        "init" => Warning(
            "Kubernetes has no init process option; use an image with tini or dumb-init as entrypoint",
        ),
        "isolation" => Warning("container isolation technology is not translated"),
        "logging" => Warning(
            "Kubernetes collects container stdout/stderr itself; logging drivers are not translated",
        ),
        "mac_address" => Warning("pods cannot choose their MAC address"),
        "mem_swappiness" | "memswap_limit" => Warning("swap settings are node-level in Kubernetes"),
        "models" => Warning("compose AI models are not translated"),
        "oom_kill_disable" | "oom_score_adj" => {
            Warning("the kubelet sets OOM scores from the pod's QoS class")
        }
        "pids_limit" => {
            Warning("the PID limit is a kubelet setting (podPidsLimit); not translated")
        }
        "provider" => Warning("compose providers are not translated"),
        "pull_refresh_after" => Warning("Kubernetes cannot refresh images on a schedule"),
        "stop_signal" => Warning(
            "Kubernetes stops containers with SIGTERM; set STOPSIGNAL in the image or use a pre_stop hook",
        ),
        "storage_opt" => Warning("storage driver options are not translated"),
        "ulimits" => {
            Warning("ulimits are set by the container runtime on the node; not translated")
        }
        "use_api_socket" => Warning("pods have no Docker API socket"),
        "userns_mode" => Warning("user namespaces (hostUsers) are not translated"),
        "uts" => Warning("the host UTS namespace is not available to pods"),
        _ => Warning("not translated"),
    }
}

/// Every key of `service` that no builder translates.
fn service_keys(name: &str, service: &Service, role: &Role, out: &mut Vec<Diagnostic>) {
    let Ok(serde_json::Value::Object(keys)) = serde_json::to_value(service) else {
        return;
    };
    for key in keys.keys() {
        let path = || format!("services.{name}.{key}");
        match fate(key) {
            Fate::Translated => {}
            Fate::Warning(why) => out.push(Diagnostic::warning(path(), why)),
            Fate::Note(why) => out.push(Diagnostic::note(path(), why)),
        }
    }
    namespaces(name, service, role, out);
    restart(name, service, role, out);
    deploy(name, service, role, out);
    dependencies(name, service, out);
    if service.healthcheck.is_some()
        && matches!(role, Role::Job | Role::CronJob { .. } | Role::Init { .. })
    {
        out.push(Diagnostic::note(
            format!("services.{name}.healthcheck"),
            "a container that runs to completion gets no probes",
        ));
    }
}

fn namespaces(name: &str, service: &Service, role: &Role, out: &mut Vec<Diagnostic>) {
    for (key, value) in [("ipc", &service.ipc), ("pid", &service.pid)] {
        if let Some(v) = value.as_deref().filter(|v| *v != "host" && *v != "private") {
            out.push(Diagnostic::warning(
                format!("services.{name}.{key}"),
                format!("{key}: {v}: only host is translated (containers of one pod share IPC; use shareProcessNamespace for PIDs)"),
            ));
        }
    }
    if let Some(host) = service
        .network_mode
        .as_deref()
        .and_then(|m| m.strip_prefix("service:"))
        && matches!(role, Role::Job | Role::CronJob { .. })
    {
        out.push(Diagnostic::warning(
            format!("services.{name}.network_mode"),
            format!("service:{host}: a run-once {} has a pod of its own, so it reaches {host} through its Service, not on localhost", role.name()),
        ));
    }
    if let Some(mode) = service.network_mode.as_deref()
        && (mode == "none" || mode.starts_with("container:"))
    {
        out.push(Diagnostic::warning(
            format!("services.{name}.network_mode"),
            format!("network_mode: {mode} is not translated; the pod gets the cluster network"),
        ));
    }
    for (network, settings) in &service.networks {
        let Some(settings) = settings else { continue };
        let path = format!("services.{name}.networks.{network}");
        if settings.ipv4_address.is_some() || settings.ipv6_address.is_some() {
            out.push(Diagnostic::warning(
                path.clone(),
                "pods cannot choose their IP address; not translated",
            ));
        }
        if !settings.driver_opts.is_empty()
            || settings.interface_name.is_some()
            || settings.gw_priority.is_some()
        {
            out.push(Diagnostic::warning(
                path,
                "network driver options, interface names and gateway priorities are not translated",
            ));
        }
    }
}

fn restart(name: &str, service: &Service, role: &Role, out: &mut Vec<Diagnostic>) {
    let long_running = matches!(
        role,
        Role::Deployment | Role::StatefulSet | Role::DaemonSet | Role::Sidecar { .. }
    );
    if let Some(policy) = service.restart.as_deref()
        && long_running
        && (policy == "no" || policy.starts_with("on-failure"))
    {
        out.push(Diagnostic::note(
            format!("services.{name}.restart"),
            format!(
                "restart: {policy}: the containers of a {} are always restarted",
                role.name()
            ),
        ));
    }
}

/// The `deploy` settings swarm acts on and Kubernetes has no place for.
fn deploy(name: &str, service: &Service, role: &Role, out: &mut Vec<Diagnostic>) {
    let Some(deploy) = &service.deploy else {
        return;
    };
    let update = deploy.update_config.as_ref();
    let limits = deploy.resources.limits.as_ref();
    let reservations = deploy.resources.reservations.as_ref();
    let lost: [(bool, &str, &str); 9] = [
        (
            matches!(role, Role::DaemonSet) && deploy.replicas.is_some(),
            "replicas",
            "a DaemonSet runs one pod per node; replicas ignored",
        ),
        (
            deploy.rollback_config.is_some(),
            "rollback_config",
            "Kubernetes rolls back on request (kubectl rollout undo); not translated",
        ),
        (
            deploy.endpoint_mode.as_deref() == Some("dnsrr"),
            "endpoint_mode",
            "dnsrr: the Service keeps a virtual IP (headless Services are used for StatefulSets only)",
        ),
        (
            update.is_some_and(|u| u.delay.is_some() || u.monitor.is_some()),
            "update_config",
            "delay and monitor: use minReadySeconds and progressDeadlineSeconds; not translated",
        ),
        (
            update.is_some_and(|u| u.failure_action.is_some() || u.max_failure_ratio.is_some()),
            "update_config",
            "failure_action and max_failure_ratio: Kubernetes pauses a failing rollout; not translated",
        ),
        (
            update.is_some() && !matches!(role, Role::Deployment),
            "update_config",
            "rolling update settings apply to Deployments only",
        ),
        (
            deploy
                .restart_policy
                .as_ref()
                .is_some_and(|p| p.delay.is_some() || p.window.is_some()),
            "restart_policy",
            "delay and window: Kubernetes restarts with its own back-off; not translated",
        ),
        (
            limits.is_some_and(|l| l.pids.is_some()),
            "resources.limits.pids",
            "the PID limit is a kubelet setting (podPidsLimit); not translated",
        ),
        (
            reservations.is_some_and(|r| !r.generic_resources.is_empty()),
            "resources.reservations.generic_resources",
            "swarm generic resources are not translated; use extended resources",
        ),
    ];
    for (key, why) in lost
        .into_iter()
        .filter_map(|(lost, key, why)| lost.then_some((key, why)))
    {
        out.push(Diagnostic::warning(
            format!("services.{name}.deploy.{key}"),
            why,
        ));
    }
}

fn dependencies(name: &str, service: &Service, out: &mut Vec<Diagnostic>) {
    for (dep, condition) in &service.depends_on {
        // compose adds these dependencies itself, with restart set; they are not the user's.
        let implied = service.network_mode.as_deref() == Some(&format!("service:{dep}"))
            || service
                .volumes_from
                .iter()
                .any(|v| v.split(':').next() == Some(dep.as_str()))
            || service
                .links
                .iter()
                .any(|l| l.split(':').next() == Some(dep.as_str()));
        if condition.restart && !implied {
            out.push(Diagnostic::warning(
                format!("services.{name}.depends_on.{dep}.restart"),
                format!("Kubernetes does not restart {name} when {dep} is updated"),
            ));
        }
    }
}

/// Reports of every service, then of the project's networks.
pub fn untranslated(
    project: &Project,
    roles: &IndexMap<String, Classification>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, service) in &project.services {
        let role = roles.get(name).map_or(Role::Deployment, |c| c.role.clone());
        service_keys(name, service, &role, &mut out);
    }
    for (name, network) in &project.networks {
        let path = format!("networks.{name}");
        if network.internal {
            out.push(Diagnostic::warning(
                format!("{path}.internal"),
                "pods keep their access to the outside: egress restrictions are not translated",
            ));
        }
        if network.ipam.is_some() {
            out.push(Diagnostic::warning(
                format!("{path}.ipam"),
                "the cluster assigns pod addresses; not translated",
            ));
        }
        if network
            .driver
            .as_deref()
            .is_some_and(|d| d != "bridge" && d != "overlay")
            || !network.driver_opts.is_empty()
        {
            out.push(Diagnostic::warning(
                path.clone(),
                "network drivers and their options are not translated; pods use the cluster network",
            ));
        }
    }
    if !project.models.is_empty() {
        out.push(Diagnostic::warning(
            "models",
            "compose AI models are not translated",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostics(service: Service, role: Role) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        service_keys("web", &service, &role, &mut out);
        out
    }

    #[test]
    fn untranslated_keys_are_reported_by_name() {
        let service = Service {
            image: Some("nginx".into()),
            pids_limit: Some(100),
            container_name: Some("my-web".into()),
            ..Service::default()
        };
        let d = diagnostics(service, Role::Deployment);
        let paths: Vec<(&str, crate::diagnostic::Level)> =
            d.iter().map(|d| (d.path.as_str(), d.level)).collect();
        assert_eq!(
            paths,
            [("services.web.pids_limit", crate::diagnostic::Level::Warning)]
        );
    }

    /// Records the field names a derived `Deserialize` asks for.
    struct FieldNames(std::cell::RefCell<Vec<&'static str>>);

    impl<'de> serde::Deserializer<'de> for &FieldNames {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: serde::de::Visitor<'de>>(
            self,
            _: V,
        ) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("only structs"))
        }

        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0.borrow_mut() = fields.to_vec();
            Err(serde::de::Error::custom("recorded"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    #[test]
    fn every_service_key_of_the_model_has_a_fate() {
        let names = FieldNames(Default::default());
        let _ = <Service as serde::Deserialize>::deserialize(&names);
        let fields = names.0.into_inner();
        assert!(fields.len() > 90, "{fields:?}");
        // Each key either translated or with a specific reason: the generic "not
        // translated" exists only for keys added to the model later.
        for key in fields {
            assert!(
                !matches!(fate(key), Fate::Warning("not translated")),
                "{key}"
            );
        }
    }

    #[test]
    fn restart_policies_of_long_running_pods() {
        let service = Service {
            links: vec!["db:database".into(), "cache".into()],
            restart: Some("no".into()),
            ..Service::default()
        };
        let d = diagnostics(service, Role::Deployment);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "services.web.restart");
    }
}
