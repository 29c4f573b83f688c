//! The web-stack components and the simulation that drives them.
//!
//! [`Simulation`] owns the event queue (from the domain-free kernel), the
//! arena of in-flight requests and the runtime state of every component. It
//! matches one closed [`event::Event`] enum; each handler lives in the
//! module of the concept it belongs to (`service`, `flow`, `workload`, ...).

pub mod balancer;
mod chaos;
pub mod cpu;
pub mod event;
mod flow;
mod observe;
pub mod pool;
mod regions;
pub mod request;
mod scaling;
mod service;
mod sim;
pub mod station;
mod workload;

// The results moved to the metrics layer; these paths stay for callers.
pub use crate::metrics::result;
pub use crate::metrics::RunResult;
pub use sim::{simulate, Simulation};
