//! output: the finished conversion as text and files.
//!
//! Takes the ordered objects and the conversion's roles and diagnostics; gives the YAML
//! stream or JSON list for `kubectl` ([`stream`]), the per-service explanation
//! ([`explain`]), the directory of one file per object with its kustomization, written
//! atomically and checked for drift ([`directory`]), and the migration report rendered from
//! a handlebars template ([`report`]), and the Helm chart whose default values render those
//! same objects ([`chart`]). It is the
//! only stage that touches files it writes; it never prints.
//!
//! It must not decide anything about a service: what an object holds is settled by
//! `build`, and an output only chooses how to write it down.

pub mod chart;
pub mod directory;
pub mod explain;
pub mod report;
pub mod stream;
pub mod templates;
