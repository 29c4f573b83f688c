//! Measurement primitives: latency histograms and time-weighted levels.
//! The stack records into these; reports read them after the run.

pub mod latency;
pub mod level;

pub use latency::LatencyHistogram;
pub use level::{Level, Mark};
