//! The measurement layer: primitives the stack records into (latency
//! histograms, time-weighted levels), the typed [`Recording`] a run hands
//! over, and [`summarize`], which turns a recording into the [`RunResult`]
//! every output is written from. Nothing here changes what the simulation
//! does; the stack depends on this module, never the other way round.

pub mod headroom;
pub mod latency;
pub mod level;
pub mod number;
pub mod recording;
pub mod result;
pub mod saturation;
pub mod summary;

pub use latency::LatencyHistogram;
pub use level::{Level, Mark};
pub use recording::Recording;
pub use result::RunResult;
pub use summary::summarize;
