//! # capsim — capacity planning by discrete-event simulation
//!
//! capsim reads a **model** (a web system: CDN, balancers, service replicas,
//! caches, connection pools, databases, job queues) and a **scenario** (a
//! traffic curve or virtual users over a duration), simulates every request,
//! and reports latency percentiles, errors, utilization and more. The same
//! inputs and seed give the same output bytes on any machine.
//!
//! Flow of data, one direction:
//!
//! ```text
//! model/ scenario/ (parse, check)  ->  stack/ (components, driven by the
//! capsim-des kernel)  ->  metrics/  ->  report/ (json, csv, text)
//! ```
//!
//! The `cli` module is a thin shell over [`run`].

pub mod billing;
pub mod cli;
pub mod experiment;
pub mod input;
pub mod metrics;
pub mod report;
pub mod stack;

// The paths the crate had before it was layered, kept so that the binary's
// callers, benches and integration tests keep compiling; new code uses the
// layered paths above.
pub use billing as cost;
pub use experiment::{
    capacity, check, compare, optimize, replay, run, slo_expr, stages, stats, sweep,
};
pub use input::{model, overrides, scenario};

pub use experiment::run::{run_files, RunOptions};
