//! What a pod waits for before its containers start: one-shot services run as
//! initContainers, and `wait-for-<dependency>` initContainers for `depends_on`.

use k8s_openapi::api::core::v1::Container;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::build::names::{sanitize_name, service_name_of};
use crate::classify::Role;
use crate::classify::images;
use crate::compose::model::Service;
use crate::diagnostic::Diagnostic;

use super::container::{container, container_ports};
use super::{Inputs, probes};

pub(super) fn push_inits(
    inputs: &Inputs,
    name: &str,
    service: &Service,
    out: &mut Vec<Container>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let run_once = |init: &str,
                    init_service: &Service,
                    out: &mut Vec<Container>,
                    diagnostics: &mut Vec<Diagnostic>| {
        for (dep_dep, dep_condition) in &init_service.depends_on {
            push_wait(inputs, init, dep_dep, dep_condition, out, diagnostics);
        }
        out.push(container(inputs, init, init_service, false, diagnostics));
    };
    for (dep, condition) in &service.depends_on {
        let (Some(dep_class), Some(dep_service)) =
            (inputs.roles.get(dep), inputs.project.services.get(dep))
        else {
            continue;
        };
        match &dep_class.role {
            Role::Init { of } if of == name => run_once(dep, dep_service, out, diagnostics),
            _ => push_wait(inputs, name, dep, condition, out, diagnostics),
        }
    }
    // The pod's one-shot members it does not depend on (asked for by a kind or a group) run
    // after those it does.
    for member in inputs.members.get(name).into_iter().flatten() {
        if service.depends_on.contains_key(*member)
            || !matches!(
                inputs.roles.get(*member).map(|c| &c.role),
                Some(Role::Init { .. })
            )
        {
            continue;
        }
        if let Some(member_service) = inputs.project.services.get(*member) {
            run_once(member, member_service, out, diagnostics);
        }
    }
}

/// The service whose pod holds `name`'s container, when that is another's.
fn own_pod<'a>(inputs: &'a Inputs, name: &str) -> Option<&'a String> {
    match inputs.roles.get(name).map(|c| &c.role) {
        Some(Role::Sidecar { of } | Role::Init { of }) => Some(of),
        _ => None,
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
        // In the pod that waits: its containers start together, after every initContainer,
        // so a wait for it would hold the pod back forever.
        Some(Role::Sidecar { of }) if of == name || own_pod(inputs, name) == Some(of) => {
            diagnostics.push(Diagnostic::note(
                path,
                format!("{dep} runs in the same pod: their containers start together, so {name} does not wait for it"),
            ));
            return;
        }
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
    let parts = inputs.parts(dep);
    let first_tcp = match &parts.ports {
        Some(_) => parts.wait_port,
        None => container_ports(dep_service)
            .iter()
            .find(|p| p.protocol.as_deref() == Some("TCP"))
            .map(|p| p.container_port),
    }
    .or_else(|| listening_ports(dep_service).first().copied());
    let Some(port) = first_tcp else {
        diagnostics.push(Diagnostic::warning(
            path,
            format!("{dep} listens on no known port, so {name} cannot wait for it; declare the port with `expose` or `x-kubernetes.ports`"),
        ));
        return;
    };
    let check = if inputs.clustered.contains(host) {
        ready_check(dep, dep_service, &path, diagnostics)
    } else {
        None
    };
    let host = service_name_of(inputs.project, host);
    let wait = wait_for(&inputs.options.wait_image, dep, &host, port, check);
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

/// How a dependant waits for a cluster member to be healthy: its Service publishes pods
/// before they are ready (so peers find each other), so an open port proves nothing; the
/// dependency's own HTTP health check does. Without one, the wait is for the port, with a
/// note.
fn ready_check(
    dep: &str,
    dep_service: &Service,
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(i32, String)> {
    let readiness = probes::probes(dep_service.healthcheck.as_ref(), None, false).readiness;
    let http = readiness
        .and_then(|p| p.http_get)
        .and_then(|get| match get.port {
            IntOrString::Int(port) => Some((port, get.path.unwrap_or_else(|| "/".into()))),
            IntOrString::String(_) => None,
        });
    if http.is_none() {
        diagnostics.push(Diagnostic::note(
            path,
            format!("{dep}'s Service publishes its pods before they are ready (its cluster forms through it), and {dep} has no HTTP health check to ask: the wait is for its port only"),
        ));
    }
    http
}

/// Waits until the dependency's Service accepts connections. A ClusterIP only forwards to
/// ready pods, so with readiness derived from the healthcheck this waits for "healthy"; for a
/// cluster member, whose Service does not wait for readiness, `check` is its HTTP health
/// check, asked until it answers.
fn wait_for(
    image: &str,
    dependency: &str,
    host: &str,
    port: i32,
    check: Option<(i32, String)>,
) -> Container {
    let script = match check {
        Some((port, path)) => format!(
            "until wget -q -O /dev/null http://{host}:{port}{path}; do echo waiting for {host} to be ready; sleep 2; done"
        ),
        None => {
            format!("until nc -z {host} {port}; do echo waiting for {host}:{port}; sleep 2; done")
        }
    };
    Container {
        name: sanitize_name(&format!("wait-for-{dependency}")),
        image: Some(image.into()),
        command: Some(vec!["sh".into(), "-c".into(), script]),
        ..Container::default()
    }
}
