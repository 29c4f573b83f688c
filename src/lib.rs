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

pub mod capacity;
pub mod check;
pub mod cli;
pub mod compare;
pub mod cost;
pub mod input;
pub mod metrics;
pub mod model;
pub mod optimize;
pub mod overrides;
pub mod replay;
pub mod report;
pub mod run;
pub mod scenario;
pub mod slo_expr;
pub mod stack;
pub mod stages;
pub mod stats;
pub mod sweep;

pub use run::{run_files, RunOptions};
