//! Where pods run: swarm placement (`deploy.placement`) as Kubernetes scheduling
//! (DESIGN.md §4 "Placement").
//!
//! - Equality constraints become `nodeSelector` entries (the simplest thing a reader
//!   understands); inequalities become a required node affinity with `NotIn`.
//! - `node.labels.K` maps to the node label K, `node.hostname` to `kubernetes.io/hostname`,
//!   `node.platform.os|arch` to `kubernetes.io/os|arch` (swarm's `x86_64`/`aarch64` spelled
//!   as Kubernetes' `amd64`/`arm64`), `node.role==manager` to the control-plane node label
//!   (plus the toleration of its taint), `node.role==worker` to its absence.
//! - `node.id` and `engine.labels.*` have no Kubernetes counterpart: a warning.
//! - `preferences: [{spread: node.labels.K}]` → a topologySpreadConstraint on K, `maxSkew: 1`,
//!   `ScheduleAnyway` (swarm spreads as a preference, never refusing to schedule).
//! - `max_replicas_per_node: 1` → required pod anti-affinity on the hostname; a larger limit
//!   has no exact equivalent and becomes a hard spread with that skew, with a warning.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PodAffinityTerm, PodAntiAffinity, Toleration, TopologySpreadConstraint,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::compose::model::Service;
use crate::diagnostic::Diagnostic;

const HOSTNAME: &str = "kubernetes.io/hostname";
const CONTROL_PLANE: &str = "node-role.kubernetes.io/control-plane";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scheduling {
    pub node_selector: BTreeMap<String, String>,
    pub affinity: Option<Affinity>,
    pub topology_spread: Vec<TopologySpreadConstraint>,
    pub tolerations: Vec<Toleration>,
    pub diagnostics: Vec<Diagnostic>,
}

fn node_label(key: &str) -> Option<String> {
    if let Some(label) = key.strip_prefix("node.labels.") {
        return Some(label.to_owned());
    }
    match key {
        "node.hostname" => Some(HOSTNAME.into()),
        "node.platform.os" => Some("kubernetes.io/os".into()),
        "node.platform.arch" => Some("kubernetes.io/arch".into()),
        _ => None,
    }
}

fn arch(value: &str) -> &str {
    match value {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// The scheduling of one service's pod; `pod_labels` select the pod's own replicas.
pub fn scheduling(
    service_name: &str,
    service: &Service,
    pod_labels: &BTreeMap<String, String>,
) -> Scheduling {
    let mut out = Scheduling::default();
    let Some(placement) = service.deploy.as_ref().map(|d| &d.placement) else {
        return out;
    };
    let path = format!("services.{service_name}.deploy.placement");
    let mut requirements: Vec<NodeSelectorRequirement> = Vec::new();
    for (i, constraint) in placement.constraints.iter().enumerate() {
        let path = format!("{path}.constraints[{i}]");
        self::constraint(&path, constraint, &mut requirements, &mut out);
    }
    let mut affinity = Affinity::default();
    if !requirements.is_empty() {
        affinity.node_affinity = Some(NodeAffinity {
            required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(requirements),
                    ..NodeSelectorTerm::default()
                }],
            }),
            ..NodeAffinity::default()
        });
    }
    let selector = LabelSelector {
        match_labels: Some(pod_labels.clone()),
        ..LabelSelector::default()
    };
    for (i, preference) in placement.preferences.iter().enumerate() {
        let Some(spread) = preference.spread.as_deref() else {
            continue;
        };
        match node_label(spread) {
            Some(key) => out.topology_spread.push(TopologySpreadConstraint {
                max_skew: 1,
                topology_key: key,
                when_unsatisfiable: "ScheduleAnyway".into(),
                label_selector: Some(selector.clone()),
                ..TopologySpreadConstraint::default()
            }),
            None => out.diagnostics.push(Diagnostic::warning(
                format!("{path}.preferences[{i}].spread"),
                format!("{spread} has no Kubernetes counterpart; not translated"),
            )),
        }
    }
    if let Some(n) = placement.max_replicas_per_node {
        per_node(&path, n, selector, &mut affinity, &mut out);
    }
    if affinity != Affinity::default() {
        out.affinity = Some(affinity);
    }
    out
}

/// One `key==value` or `key!=value` constraint: a node selector, a node affinity
/// requirement, or for managers a toleration of the control plane too.
fn constraint(
    path: &str,
    constraint: &str,
    requirements: &mut Vec<NodeSelectorRequirement>,
    out: &mut Scheduling,
) {
    let (key, op, value) = if let Some((k, v)) = constraint.split_once("==") {
        (k.trim(), "==", v.trim())
    } else if let Some((k, v)) = constraint.split_once("!=") {
        (k.trim(), "!=", v.trim())
    } else {
        out.diagnostics.push(Diagnostic::warning(
            path,
            format!(
                "\"{constraint}\" is not a constraint (key==value or key!=value); not translated"
            ),
        ));
        return;
    };
    if key == "node.role" {
        match (op, value) {
            ("==", "manager") | ("!=", "worker") => {
                requirement(requirements, CONTROL_PLANE, "Exists", None);
                out.tolerations.push(Toleration {
                    key: Some(CONTROL_PLANE.into()),
                    operator: Some("Exists".into()),
                    effect: Some("NoSchedule".into()),
                    ..Toleration::default()
                });
            }
            _ => requirement(requirements, CONTROL_PLANE, "DoesNotExist", None),
        }
        return;
    }
    let Some(label) = node_label(key) else {
        out.diagnostics.push(Diagnostic::warning(
            path,
            format!("\"{constraint}\": {key} has no Kubernetes counterpart; not translated (use node labels)"),
        ));
        return;
    };
    let value = if key == "node.platform.arch" {
        arch(value)
    } else {
        value
    };
    if op == "==" {
        out.node_selector.insert(label, value.to_owned());
    } else {
        requirement(requirements, &label, "NotIn", Some(value));
    }
}

/// `max_replicas_per_node`: 1 is a required anti-affinity; more can only be approached with
/// a spread.
fn per_node(
    path: &str,
    n: u64,
    selector: LabelSelector,
    affinity: &mut Affinity,
    out: &mut Scheduling,
) {
    match n {
        1 => {
            affinity.pod_anti_affinity = Some(PodAntiAffinity {
                required_during_scheduling_ignored_during_execution: Some(vec![PodAffinityTerm {
                    label_selector: Some(selector),
                    topology_key: HOSTNAME.into(),
                    ..PodAffinityTerm::default()
                }]),
                ..PodAntiAffinity::default()
            });
        }
        n if n > 1 => {
            out.topology_spread.push(TopologySpreadConstraint {
                max_skew: i32::try_from(n).unwrap_or(i32::MAX),
                topology_key: HOSTNAME.into(),
                when_unsatisfiable: "DoNotSchedule".into(),
                label_selector: Some(selector),
                ..TopologySpreadConstraint::default()
            });
            out.diagnostics.push(Diagnostic::warning(
                format!("{path}.max_replicas_per_node"),
                format!("Kubernetes cannot cap replicas per node at {n}; translated as a spread across nodes with maxSkew {n}"),
            ));
        }
        _ => {}
    }
}

fn requirement(out: &mut Vec<NodeSelectorRequirement>, key: &str, op: &str, value: Option<&str>) {
    out.push(NodeSelectorRequirement {
        key: key.to_owned(),
        operator: op.to_owned(),
        values: value.map(|v| vec![v.to_owned()]),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::model::{Deploy, Placement, PlacementPreference};

    fn service(constraints: &[&str], spread: Option<&str>, max: Option<u64>) -> Service {
        Service {
            deploy: Some(Box::new(Deploy {
                placement: Placement {
                    constraints: constraints.iter().map(|s| s.to_string()).collect(),
                    preferences: spread
                        .map(|s| PlacementPreference {
                            spread: Some(s.into()),
                            ..Default::default()
                        })
                        .into_iter()
                        .collect(),
                    max_replicas_per_node: max,
                    ..Default::default()
                },
                ..Default::default()
            })),
            ..Service::default()
        }
    }

    fn labels() -> BTreeMap<String, String> {
        BTreeMap::from([("app.kubernetes.io/name".to_owned(), "web".to_owned())])
    }

    #[test]
    fn equality_constraints_become_a_node_selector() {
        let s = scheduling(
            "web",
            &service(
                &[
                    "node.labels.disk == ssd",
                    "node.hostname==n1",
                    "node.platform.arch==x86_64",
                ],
                None,
                None,
            ),
            &labels(),
        );
        assert_eq!(s.node_selector["disk"], "ssd");
        assert_eq!(s.node_selector[HOSTNAME], "n1");
        assert_eq!(s.node_selector["kubernetes.io/arch"], "amd64");
        assert!(s.affinity.is_none());
        assert!(s.diagnostics.is_empty());
    }

    #[test]
    fn inequalities_and_roles_become_node_affinity() {
        let s = scheduling(
            "web",
            &service(
                &["node.labels.zone!=eu-1", "node.role==manager"],
                None,
                None,
            ),
            &labels(),
        );
        let terms = s
            .affinity
            .unwrap()
            .node_affinity
            .unwrap()
            .required_during_scheduling_ignored_during_execution
            .unwrap()
            .node_selector_terms;
        let reqs = terms[0].match_expressions.clone().unwrap();
        assert_eq!(reqs[0].key, "zone");
        assert_eq!(reqs[0].operator, "NotIn");
        assert_eq!(reqs[0].values, Some(vec!["eu-1".to_owned()]));
        assert_eq!(reqs[1].key, CONTROL_PLANE);
        assert_eq!(reqs[1].operator, "Exists");
        assert_eq!(s.tolerations.len(), 1);
    }

    #[test]
    fn unknown_constraints_are_reported() {
        let s = scheduling(
            "web",
            &service(
                &["node.id==abc", "engine.labels.x==y", "nonsense"],
                None,
                None,
            ),
            &labels(),
        );
        assert_eq!(s.diagnostics.len(), 3);
        assert_eq!(
            s.diagnostics[0].path,
            "services.web.deploy.placement.constraints[0]"
        );
    }

    #[test]
    fn spread_and_one_replica_per_node() {
        let s = scheduling(
            "web",
            &service(&[], Some("node.labels.zone"), Some(1)),
            &labels(),
        );
        assert_eq!(s.topology_spread[0].topology_key, "zone");
        assert_eq!(s.topology_spread[0].when_unsatisfiable, "ScheduleAnyway");
        let anti = s.affinity.unwrap().pod_anti_affinity.unwrap();
        assert_eq!(
            anti.required_during_scheduling_ignored_during_execution
                .unwrap()[0]
                .topology_key,
            HOSTNAME
        );
    }

    #[test]
    fn several_replicas_per_node_is_a_spread_with_a_warning() {
        let s = scheduling("web", &service(&[], None, Some(3)), &labels());
        assert_eq!(s.topology_spread[0].max_skew, 3);
        assert_eq!(s.diagnostics.len(), 1);
    }
}
