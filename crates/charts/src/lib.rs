//! # capsim-charts — chart files for reports
//!
//! Data in, PNG and SVG files out, `Result` back. Charts are drawn with plotters
//! without its default features: text comes from DejaVu Sans embedded in the binary
//! (`assets/fonts/`) and rendered by the pure-Rust `ab_glyph` crate, and PNGs are
//! encoded by the `png` crate, so the crate builds and runs with cargo alone — no
//! fontconfig, no system libraries.
//!
//! * [`stacked_bar`] — cost breakdown: one stacked bar per category (stage), one
//!   segment per series (component), totals on top, legend beside.
//! * [`line_chart`] — series over time, optional second y axis, vertical markers
//!   (autoscale decisions) and shaded bands (confidence intervals).
//! * [`cdf_chart`] — empirical CDF of samples (latencies), with p50/p95/p99 guides.
//!
//! Files are written atomically (temporary file, then rename), so a crash never
//! leaves a half chart that looks whole. The same input gives the same bytes.

mod bar;
mod cdf;
mod error;
mod font;
mod glyphs;
mod layout;
mod line;
mod render;

pub use bar::stacked_bar;
pub use cdf::cdf_chart;
pub use error::ChartError;
pub use line::{line_chart, Axis, Band, LineChart, Marker, Series, Style};
pub use render::{ChartSize, DEFAULT_SIZE};
