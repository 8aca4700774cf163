//! compose2kube: turns Docker Compose projects into the Kubernetes manifests a platform
//! engineer would write by hand.
//!
//! The pipeline, one folder per stage, each depending only on the ones to its left:
//!
//! ```text
//! files ──compose──▶ Project ──classify──▶ roles, ports ──build──▶ [Object] ──output──▶ text
//! ```
//!
//! - [`compose`] loads compose files as docker compose does and knows nothing of Kubernetes;
//! - [`classify`] decides what each service is (its role, the ports it listens on) and why;
//! - [`build`] lowers the classified project to typed k8s-openapi objects, one file per
//!   object family;
//! - [`output`] renders the objects and the explanation; it is the only stage that makes
//!   text for people or for `kubectl`.
//!
//! [`convert`] runs classify and build over a loaded project. [`diagnostic`], [`files`] and
//! [`options`] are shared by every stage and import none of them.
//!
//! The library never prints: every stage returns values and collects diagnostics, and the
//! `compose2kube` binary decides what reaches the terminal.

pub mod allocator;
pub mod build;
pub mod classify;
pub mod compose;
pub mod convert;
pub mod diagnostic;
pub mod files;
pub mod options;
pub mod output;
#[cfg(test)]
mod testing;
