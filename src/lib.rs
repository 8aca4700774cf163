//! compose2kube: turns Docker Compose projects into the Kubernetes manifests a platform
//! engineer would write by hand.
//!
//! The library never prints: every stage returns values and collects diagnostics, and the
//! `compose2kube` binary decides what reaches the terminal.

pub mod classify;
pub mod compose;
pub mod configuration;
pub mod convert;
pub mod coverage;
pub mod diagnostic;
pub mod extension;
pub mod files;
pub mod images;
pub mod lifecycle;
pub mod objects;
pub mod options;
pub mod placement;
pub mod ports;
pub mod probes;
pub mod services;
pub mod storage;
pub mod workload;
