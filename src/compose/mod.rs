//! Loading compose projects exactly as `docker compose` does: files, `.env`, interpolation,
//! merging, `extends`, `include`, profiles, YAML anchors and merge keys, `!reset`/`!override`,
//! validation, and the short syntaxes normalised to the long syntax. Nothing here knows about
//! Kubernetes; the result is a typed [`model::Project`].
//!
//! The pipeline follows compose-go's (`load`): each document is parsed into a tree that keeps
//! locations ([`node`]), interpolated ([`interpolate`]), put into long syntax ([`canonical`]),
//! merged ([`merge`]), completed and checked ([`normalize`]), and finally deserialized into the
//! typed model ([`de`], [`model`]).
//!
//! It must not interpret a service: what a service *is* belongs to `classify`, and a value
//! here is kept as compose wrote it (after compose's own normalisation), with its location,
//! so every later error can point at the file.

pub mod canonical;
pub mod de;
pub mod dotenv;
pub mod error;
pub mod interpolate;
pub mod load;
pub mod merge;
pub mod model;
pub mod node;
pub mod normalize;
pub mod render;
pub mod syntax;

pub use error::{Error, Warning};
pub use load::{LoadOptions, Loaded, load};
