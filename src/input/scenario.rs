//! Scenario files: what happens to the system — duration, warm-up, seed,
//! reporting interval and the workload (open arrival-rate curve or closed
//! virtual users).

pub mod curve;
pub mod raw;
pub mod resolve;

pub use curve::RateCurve;
pub use resolve::{
    check_events, load_scenario, EventKind, Limits, Scenario, ScenarioEvent, Stage, Workload,
};
