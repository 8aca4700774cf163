//! Every Kubernetes object the conversion emits, in one type, and the one order they are
//! written in (DESIGN.md §2): Namespace, ConfigMaps, Secrets, PVCs, Services, workloads,
//! Ingresses, PodDisruptionBudgets, HorizontalPodAutoscalers, NetworkPolicies; by name within
//! a kind.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::build::workload::Workload;

/// Serializes as the object itself (untagged), as `kubectl` reads it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Object {
    Namespace(Box<Namespace>),
    ConfigMap(Box<ConfigMap>),
    Secret(Box<Secret>),
    PersistentVolumeClaim(Box<PersistentVolumeClaim>),
    Service(Box<Service>),
    Workload(Workload),
    Ingress(Box<Ingress>),
    PodDisruptionBudget(Box<PodDisruptionBudget>),
    HorizontalPodAutoscaler(Box<HorizontalPodAutoscaler>),
    NetworkPolicy(Box<NetworkPolicy>),
}

impl Object {
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Namespace(_) => "Namespace",
            Object::ConfigMap(_) => "ConfigMap",
            Object::Secret(_) => "Secret",
            Object::PersistentVolumeClaim(_) => "PersistentVolumeClaim",
            Object::Service(_) => "Service",
            Object::Workload(w) => w.kind(),
            Object::Ingress(_) => "Ingress",
            Object::PodDisruptionBudget(_) => "PodDisruptionBudget",
            Object::HorizontalPodAutoscaler(_) => "HorizontalPodAutoscaler",
            Object::NetworkPolicy(_) => "NetworkPolicy",
        }
    }

    /// Position of the kind in the output.
    fn rank(&self) -> u8 {
        match self {
            Object::Namespace(_) => 0,
            Object::ConfigMap(_) => 1,
            Object::Secret(_) => 2,
            Object::PersistentVolumeClaim(_) => 3,
            Object::Service(_) => 4,
            Object::Workload(Workload::Deployment(_)) => 5,
            Object::Workload(Workload::StatefulSet(_)) => 6,
            Object::Workload(Workload::DaemonSet(_)) => 7,
            Object::Workload(Workload::Job(_)) => 8,
            Object::Workload(Workload::CronJob(_)) => 9,
            Object::Ingress(_) => 10,
            Object::PodDisruptionBudget(_) => 11,
            Object::HorizontalPodAutoscaler(_) => 12,
            Object::NetworkPolicy(_) => 13,
        }
    }

    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Object::Namespace(o) => &o.metadata,
            Object::ConfigMap(o) => &o.metadata,
            Object::Secret(o) => &o.metadata,
            Object::PersistentVolumeClaim(o) => &o.metadata,
            Object::Service(o) => &o.metadata,
            Object::Workload(w) => w.metadata(),
            Object::Ingress(o) => &o.metadata,
            Object::PodDisruptionBudget(o) => &o.metadata,
            Object::HorizontalPodAutoscaler(o) => &o.metadata,
            Object::NetworkPolicy(o) => &o.metadata,
        }
    }

    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Object::Namespace(o) => &mut o.metadata,
            Object::ConfigMap(o) => &mut o.metadata,
            Object::Secret(o) => &mut o.metadata,
            Object::PersistentVolumeClaim(o) => &mut o.metadata,
            Object::Service(o) => &mut o.metadata,
            Object::Workload(w) => w.metadata_mut(),
            Object::Ingress(o) => &mut o.metadata,
            Object::PodDisruptionBudget(o) => &mut o.metadata,
            Object::HorizontalPodAutoscaler(o) => &mut o.metadata,
            Object::NetworkPolicy(o) => &mut o.metadata,
        }
    }

    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or_default()
    }

    /// The object as JSON, `apiVersion` and `kind` first.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Sorts objects into the output order: by kind, then name, stably.
///
/// The keys are read once into one contiguous list and sorted there; comparing objects
/// directly would reach into two boxed objects per comparison, n log n times.
pub fn sort(objects: &mut Vec<Object>) {
    let mut keys: Vec<(u8, &str, usize)> = objects
        .iter()
        .enumerate()
        .map(|(i, o)| (o.rank(), o.name(), i))
        .collect();
    // The index makes every key distinct, so an unstable sort keeps equal objects in order.
    keys.sort_unstable();
    let order: Vec<usize> = keys.into_iter().map(|(_, _, i)| i).collect();
    let mut slots: Vec<Option<Object>> = objects.drain(..).map(Some).collect();
    objects.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        }
    }

    #[test]
    fn output_order_is_kind_then_name() {
        let mut objects = vec![
            Object::Service(Box::new(Service {
                metadata: meta("b"),
                ..Service::default()
            })),
            Object::ConfigMap(Box::new(ConfigMap {
                metadata: meta("z"),
                ..ConfigMap::default()
            })),
            Object::Service(Box::new(Service {
                metadata: meta("a"),
                ..Service::default()
            })),
            Object::Namespace(Box::new(Namespace {
                metadata: meta("ns"),
                ..Namespace::default()
            })),
        ];
        sort(&mut objects);
        let order: Vec<(&str, &str)> = objects.iter().map(|o| (o.kind(), o.name())).collect();
        assert_eq!(
            order,
            [
                ("Namespace", "ns"),
                ("ConfigMap", "z"),
                ("Service", "a"),
                ("Service", "b")
            ]
        );
    }

    #[test]
    fn json_carries_api_version_and_kind() {
        let object = Object::ConfigMap(Box::new(ConfigMap {
            metadata: meta("x"),
            ..ConfigMap::default()
        }));
        let json = object.to_json();
        assert_eq!(json["apiVersion"], "v1");
        assert_eq!(json["kind"], "ConfigMap");
    }
}

/// Every object kind but the workloads (which are an enum of their own) boxes into [`Object`].
macro_rules! boxed_object {
    ($($kind:ident),*) => {
        $(impl From<$kind> for Object {
            fn from(o: $kind) -> Object {
                Object::$kind(Box::new(o))
            }
        })*
    };
}

boxed_object!(
    Namespace,
    ConfigMap,
    Secret,
    PersistentVolumeClaim,
    Service,
    Ingress,
    PodDisruptionBudget,
    HorizontalPodAutoscaler,
    NetworkPolicy
);
