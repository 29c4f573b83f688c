//! Model files: the system under study (components, request classes, how
//! requests flow, SLOs).
//!
//! [`raw`] holds the file syntax (serde structs); [`resolve`] checks it and
//! produces a [`System`], the immutable plan the simulator runs.

pub mod dist;
pub mod raw;
pub mod resolve;
pub mod system;

pub use resolve::{load_model, load_model_with_pricing};
pub use system::*;
