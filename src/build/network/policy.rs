//! NetworkPolicies: one per compose network, and one per pod with published ports.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::build::names::{k8s_name, sanitize_name, selector};
use crate::classify::{Classification, Role};
use crate::compose::model::{Project, Service};
use crate::diagnostic::Diagnostic;

use super::{Network, meta, network_label, pod_networks};

/// One policy per compose network, and one per pod that publishes ports.
pub(super) fn policies(
    project: &Project,
    roles: &IndexMap<String, Classification>,
    out: &mut Network,
) {
    let mut networks: Vec<String> = Vec::new();
    for (name, class) in roles {
        if matches!(class.role, Role::Sidecar { .. } | Role::Init { .. }) {
            continue;
        }
        for n in pod_networks(project, name) {
            if !networks.contains(&n) {
                networks.push(n);
            }
        }
    }
    for network in networks {
        out.policies.push(network_policy(project, &network));
    }
    for (name, service) in &project.services {
        let owner = match roles.get(name).map(|c| &c.role) {
            Some(Role::Sidecar { of }) => of.as_str(),
            Some(Role::Deployment | Role::StatefulSet | Role::DaemonSet) => name.as_str(),
            _ => continue,
        };
        out.policies
            .extend(published_policy(project, name, service, owner));
    }
}

/// Ingress from the pods of the same compose network; egress stays open so DNS works.
fn network_policy(project: &Project, network: &str) -> NetworkPolicy {
    let members = LabelSelector {
        match_labels: Some(BTreeMap::from([(
            network_label(network),
            "true".to_owned(),
        )])),
        ..LabelSelector::default()
    };
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some(sanitize_name(&format!("network-{network}"))),
            labels: Some(BTreeMap::from([
                (
                    "app.kubernetes.io/part-of".to_owned(),
                    sanitize_name(&project.name),
                ),
                (
                    "app.kubernetes.io/managed-by".to_owned(),
                    "compose2kube".to_owned(),
                ),
            ])),
            ..ObjectMeta::default()
        },
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(members.clone()),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    pod_selector: Some(members),
                    ..NetworkPolicyPeer::default()
                }]),
                ..NetworkPolicyIngressRule::default()
            }]),
            ..NetworkPolicySpec::default()
        }),
    }
}

/// Published ports were reachable from outside compose's networks: anyone may reach their
/// targets on the pod.
fn published_policy(
    project: &Project,
    name: &str,
    service: &Service,
    owner: &str,
) -> Option<NetworkPolicy> {
    let targets: Vec<NetworkPolicyPort> = service
        .ports
        .iter()
        .map(|p| NetworkPolicyPort {
            port: Some(IntOrString::Int(i32::from(p.target))),
            protocol: Some(p.protocol.to_ascii_uppercase()),
            ..NetworkPolicyPort::default()
        })
        .collect();
    if targets.is_empty() {
        return None;
    }
    let k8s = k8s_name(project, owner);
    Some(NetworkPolicy {
        metadata: meta(
            project,
            &sanitize_name(&format!("{}-published", k8s_name(project, name))),
            &k8s,
        ),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector(project, &k8s)),
                ..LabelSelector::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                ports: Some(targets),
                ..NetworkPolicyIngressRule::default()
            }]),
            ..NetworkPolicySpec::default()
        }),
    })
}

/// Without NetworkPolicies every pod reaches every other: say so when compose kept
/// networks apart.
pub(super) fn note_open_networks(project: &Project, out: &mut Network) {
    let mut networks: Vec<String> = project
        .services
        .keys()
        .flat_map(|name| pod_networks(project, name))
        .collect();
    networks.sort();
    networks.dedup();
    if networks.len() > 1 {
        out.diagnostics.push(Diagnostic::note(
            "networks",
            format!(
                "every pod can reach every other: the separation of networks {} is kept only with --network-policies",
                networks.join(", ")
            ),
        ));
    }
}
