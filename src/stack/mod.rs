//! The web-stack components and the simulation that drives them.
//!
//! [`Simulation`] owns the event queue (from the domain-free kernel), the
//! arena of in-flight requests and one [`part::Part`] per component (its
//! runtime, holding its configuration). It matches one closed
//! [`event::Event`] enum and hands each event to its owner:
//!
//! - `flow` (the request router) moves requests between parts and alone
//!   touches frame stacks and request measurements;
//! - the per-kind parts (`edge`, `cache`, `pool`, `database`, `queue`,
//!   `external`, `service` with its `fleet`) decide what happens to a
//!   request and return an effect;
//! - `scaling` (autoscalers), `chaos` (scenario events) and `regions`
//!   change fleets only through fleet verbs;
//! - `workload` makes arrivals and virtual users; `observe` samples the
//!   interval rows and hands the recording over.

pub mod balancer;
mod cache;
mod chaos;
pub mod cpu;
mod database;
mod edge;
pub mod event;
mod external;
mod fleet;
mod flow;
mod observe;
mod part;
mod pool;
mod queue;
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

/// The kernel's queue of stack events (fleet verbs schedule on it).
pub(crate) type Queue = capsim_des::EventQueue<event::Event>;
