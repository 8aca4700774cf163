//! output: the finished conversion as text.
//!
//! Takes the ordered objects and the conversion's roles and diagnostics; gives the YAML
//! stream or JSON list for `kubectl` ([`stream`]) and the per-service explanation
//! ([`explain`]). The directory, chart and report writers belong here too.
//!
//! It must not decide anything about a service: what an object holds is settled by
//! `build`, and an output only chooses how to write it down.

pub mod directory;
pub mod explain;
pub mod report;
pub mod stream;
