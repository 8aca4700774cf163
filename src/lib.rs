//! compose2kube: turns Docker Compose projects into the Kubernetes manifests a platform
//! engineer would write by hand.
//!
//! The library never prints: every stage returns values and collects diagnostics, and the
//! `compose2kube` binary decides what reaches the terminal.

pub mod classify;
pub mod compose;
pub mod diagnostic;
pub mod extension;
pub mod files;
pub mod images;
pub mod objects;
pub mod options;
pub mod probes;
pub mod workload;
