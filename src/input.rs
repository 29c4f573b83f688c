//! The input layer: reading user files into the immutable plan the simulator
//! runs. [`model`] (the system under study) and [`scenario`] (what happens to
//! it) are parsed and checked here; [`overrides`] re-resolves a model with
//! values replaced at dotted paths. Shared helpers: units, and error messages
//! that point at a line and column.

pub mod error;
pub mod locate;
pub mod model;
pub mod overrides;
pub mod scenario;
pub mod units;

pub use error::{InputError, InputErrors};
pub use locate::SourceFile;
pub use units::{parse_duration, parse_rate, Duration};
