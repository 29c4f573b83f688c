//! The experiment layer: everything that runs the simulation more than once
//! or judges its results. [`run`] is the one orchestration (load → simulate →
//! bill → combine) every command goes through; [`stats`] combines
//! replications; [`pipeline`] is simulate → bill → combine, written once;
//! [`sweep`], [`optimize`], [`compare`] and [`stages`] vary the inputs;
//! [`capacity`] finds the load at which the SLOs break; [`check`] and
//! [`slo_expr`] hold results to SLOs; [`replay`] drives
//! an autoscaler over a recorded series without the request-level simulation.

pub mod capacity;
pub mod check;
pub mod compare;
pub mod optimize;
pub mod pipeline;
pub mod replay;
pub mod run;
pub mod slo_expr;
pub mod stages;
pub mod stats;
pub mod sweep;
