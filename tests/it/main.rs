//! capsim's integration tests, one binary with a module per topic (one link
//! step instead of eight, and one place for the shared [`support`] helpers).
//!
//! Run one topic with `cargo test --release --test it queueing::`.

mod assumptions;
mod autoscale;
mod capacity;
mod charts;
mod ci_tools;
mod cli;
mod cli_conventions;
mod cost;
mod docs;
mod fuzz_regressions;
mod hardening;
mod import;
mod queueing;
mod regions;
mod saturation;
mod seeds;
mod stats;
mod support;
