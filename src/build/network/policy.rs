//! NetworkPolicies: one per compose network, and one per pod with published ports.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::build::names::{sanitize_name, selector};
use crate::classify::{Classification, Role};
use crate::compose::model::Project;
use crate::diagnostic::Diagnostic;

use super::{Network, meta, network_label, pod_networks};

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
    let part_of = sanitize_name(&project.name);
    for network in networks {
        let label = network_label(&network);
        let members = LabelSelector {
            match_labels: Some(BTreeMap::from([(label, "true".to_owned())])),
            ..LabelSelector::default()
        };
        out.policies.push(NetworkPolicy {
            metadata: ObjectMeta {
                name: Some(sanitize_name(&format!("network-{network}"))),
                labels: Some(BTreeMap::from([
                    ("app.kubernetes.io/part-of".to_owned(), part_of.clone()),
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
        });
    }
    for (name, service) in &project.services {
        let owner = match roles.get(name).map(|c| &c.role) {
            Some(Role::Sidecar { of }) => of.as_str(),
            Some(Role::Deployment | Role::StatefulSet | Role::DaemonSet) => name.as_str(),
            _ => continue,
        };
        let targets: Vec<NetworkPolicyPort> = service
            .ports
            .iter()
            .filter(|p| p.published.is_some())
            .map(|p| NetworkPolicyPort {
                port: Some(IntOrString::Int(i32::from(p.target))),
                protocol: Some(p.protocol.to_ascii_uppercase()),
                ..NetworkPolicyPort::default()
            })
            .collect();
        if targets.is_empty() {
            continue;
        }
        let k8s = sanitize_name(owner);
        out.policies.push(NetworkPolicy {
            metadata: meta(
                project,
                &sanitize_name(&format!("{}-published", sanitize_name(name))),
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
        });
    }
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
