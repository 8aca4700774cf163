//! HorizontalPodAutoscalers (autoscaling/v2) asked for by `x-kubernetes.autoscale` or
//! kompose's `kompose.hpa.*` labels.
//!
//! The workload it scales loses its `replicas`: an HPA owns the count, and a `replicas` in a
//! re-applied manifest would reset it on every apply. Utilisation targets are percentages
//! of the container's requests, so a metric whose request the service does not set
//! (`deploy.resources.reservations`) cannot work: a warning says so.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::build::names::{k8s_name, labels};
use crate::classify::extension;
use crate::compose::model::Project;
use crate::diagnostic::Diagnostic;

use super::Workload;

/// The autoscalers of the project's services, taking `replicas` from the workloads they
/// scale.
pub fn autoscalers(
    project: &Project,
    workloads: &mut [Workload],
    out: &mut Vec<Diagnostic>,
) -> Vec<HorizontalPodAutoscaler> {
    let mut hpas = Vec::new();
    for (name, service) in &project.services {
        let x = extension::of(service).unwrap_or_default();
        let Some(wanted) = &x.autoscale else {
            continue;
        };
        let source = x.source("autoscale");
        let k8s = k8s_name(project, name);
        let target = workloads.iter_mut().find_map(|w| match w {
            Workload::Deployment(d) if d.metadata.name.as_deref() == Some(&k8s) => {
                d.spec.as_mut().map(|s| {
                    s.replicas = None;
                    ("apps/v1", "Deployment")
                })
            }
            Workload::StatefulSet(s) if s.metadata.name.as_deref() == Some(&k8s) => {
                s.spec.as_mut().map(|s| {
                    s.replicas = None;
                    ("apps/v1", "StatefulSet")
                })
            }
            _ => None,
        });
        let Some((api_version, kind)) = target else {
            out.push(Diagnostic::warning(
                format!("services.{name}"),
                format!("{source} scales a Deployment or a StatefulSet, and the service is neither; not used"),
            ));
            continue;
        };
        let min = wanted.min.unwrap_or(1);
        let max = wanted.max.unwrap_or(3.max(min));
        let cpu = match (wanted.cpu, wanted.memory) {
            (None, None) => Some(50),
            (cpu, _) => cpu,
        };
        let reservations = service
            .deploy
            .as_ref()
            .and_then(|d| d.resources.reservations.as_ref());
        let mut metrics = Vec::new();
        for (resource, percent, requested) in [
            ("cpu", cpu, reservations.is_some_and(|r| r.cpus.is_some())),
            (
                "memory",
                wanted.memory,
                reservations.is_some_and(|r| r.memory.is_some())
                    || service.mem_reservation.is_some(),
            ),
        ] {
            let Some(percent) = percent else { continue };
            if !requested {
                out.push(Diagnostic::warning(
                    format!("services.{name}"),
                    format!(
                        "{source}: the {resource} target is a share of the container's {resource} request, and the service sets none (deploy.resources.reservations); the autoscaler cannot act on {resource} until it does"
                    ),
                ));
            }
            metrics.push(MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: resource.into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(percent),
                        ..MetricTarget::default()
                    },
                }),
                ..MetricSpec::default()
            });
        }
        hpas.push(HorizontalPodAutoscaler {
            metadata: ObjectMeta {
                name: Some(k8s.clone()),
                labels: Some(labels(project, &k8s)),
                ..ObjectMeta::default()
            },
            spec: Some(HorizontalPodAutoscalerSpec {
                scale_target_ref: CrossVersionObjectReference {
                    api_version: Some(api_version.into()),
                    kind: kind.into(),
                    name: k8s,
                },
                min_replicas: Some(min),
                max_replicas: max,
                metrics: Some(metrics),
                ..HorizontalPodAutoscalerSpec::default()
            }),
            ..HorizontalPodAutoscaler::default()
        });
    }
    hpas
}
