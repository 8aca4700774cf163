//! build: the classified project lowered to typed Kubernetes objects (k8s-openapi).
//!
//! Takes the loaded project, each service's role and listening ports, and the options;
//! gives [`Object`](object::Object)s and diagnostics. One folder or file per object family,
//! so that the translation of a compose key lives in exactly one place:
//!
//! - [`workload`]: Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and their pod
//!   templates: containers, resources, security, probes ([`workload::probes`]), placement
//!   ([`workload::placement`]), hooks ([`workload::lifecycle`]), wait-for initContainers,
//!   PodDisruptionBudgets;
//! - [`network`]: Services, Ingresses, NetworkPolicies;
//! - [`storage`]: claims, claim templates, emptyDirs, ConfigMaps from bind-mounted files,
//!   hostPaths;
//! - [`configuration`]: environment, env files, `configs` and `secrets` as ConfigMaps and
//!   Secrets;
//! - [`coverage`]: every compose key no builder translates, as a diagnostic;
//! - [`names`]: names, labels and selectors shared by all of them; [`object`]: the one type
//!   of every emitted object, and their order.
//!
//! Builders do no I/O except through [`ProjectFiles`](crate::files::ProjectFiles) (storage
//! and configuration read the files they turn into ConfigMaps and Secrets), print nothing
//! and render no YAML.

pub mod configuration;
pub mod coverage;
pub mod names;
pub mod network;
pub mod object;
pub mod storage;
pub mod workload;
