//! # capsim — capacity planning by discrete-event simulation
//!
//! capsim reads a **model** (a web system: CDN, balancers, service replicas,
//! caches, connection pools, databases, job queues) and a **scenario** (a
//! traffic curve or virtual users over a duration), simulates every request,
//! and reports latency percentiles, errors, utilization and more. The same
//! inputs and seed give the same output bytes on any machine.
//!
//! Layers, in the order data flows through them. `input` and `stack` import
//! nothing from the layers after them except the measurement primitives of
//! `metrics` (the stack records into them):
//!
//! ```text
//! input/       model, scenario, overrides: files -> System, Scenario
//!   |
//! stack/       the simulation: components driven by the capsim-des kernel
//!   |          (hands over a typed metrics::Recording when it ends)
//! metrics/     histograms, levels, Recording -> summarize -> RunResult
//!   |
//! billing      the bill of a run, from its RunResult (capsim-cost)
//!   |
//! experiment/  run (load -> simulate -> bill -> combine), stats, sweep,
//!   |          optimize, compare, stages, check, slo_expr, replay
//! report/      summary.json, CSVs, charts, report.md/html, text
//!   |
//! cli          a thin clap shell over the library
//! ```
//!
//! The crates below the main one: `capsim-des` (time, event queue, random
//! streams), `capsim-autoscale` (controllers as decision objects),
//! `capsim-cost` (catalog and billing arithmetic), `capsim-charts`.

pub mod billing;
pub mod cli;
pub mod experiment;
pub mod fuzzcheck;
pub mod import;
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
