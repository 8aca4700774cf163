//! classify: what each compose service *is*, and the evidence for it.
//!
//! Takes the loaded [`Project`](crate::compose::model::Project); gives, per service, a
//! [`Role`] with the reason `explain` prints ([`role`]) and the ports it listens on, each
//! with its evidence ([`ports`]). The knowledge it decides with lives beside it: the tables
//! of known images ([`images`]) and the `x-kubernetes` extension a user can override it with
//! ([`extension`]).
//!
//! It must not build Kubernetes objects nor touch the disk: a role is a decision, not a
//! manifest, so the same decision can feed the stream, a chart or a report.

pub mod extension;
pub mod images;
pub mod labels;
pub mod peers;
pub mod ports;
pub mod role;

pub use role::{Classification, ClassifyError, Grouping, Role, classify, classify_grouped};
