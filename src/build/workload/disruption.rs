//! PodDisruptionBudgets for replicated workloads.

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::build::names::{labels, selector};
use crate::compose::model::Project;

use super::Workload;

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
