//! What one simulation hands over when it ends: every measurement, typed,
//! and nothing that needs the running simulation to interpret. The stack
//! fills a [`Recording`] from its counters and levels; [`super::summarize`]
//! turns it into a [`super::RunResult`] (warnings, SLO verdicts, autoscale
//! summary) without reaching back into the stack.

use super::result::{ComponentSummary, ErrorCounts, ScaleRecord, TimeSeries};
use super::LatencyHistogram;
use indexmap::IndexMap;

/// Counts of one request class over the measured window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassCounts {
    pub total: u64,
    pub completed: u64,
    pub failed: u64,
}

/// The evidence the saturation test reads: the measured window's two
/// halves, and the requests in the system at its middle and at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SaturationEvidence {
    pub served_halves: [u64; 2],
    pub offered_halves: [u64; 2],
    pub in_system_mid: Option<u64>,
    pub in_system_end: u64,
}

/// Every measurement of one run (one replication).
#[derive(Clone, Debug, Default)]
pub struct Recording {
    pub seed: u64,
    pub replication: u64,
    /// Requests that arrived after the warm-up, completed, failed by kind.
    pub offered: u64,
    pub completed: u64,
    pub errors: ErrorCounts,
    /// Per request class, in model order.
    pub classes: Vec<ClassCounts>,
    pub class_latency: Vec<LatencyHistogram>,
    pub latency: LatencyHistogram,
    pub wait: LatencyHistogram,
    /// Time-average number of requests in the system over the measured window.
    pub in_system_mean: f64,
    pub saturation: SaturationEvidence,
    /// Per component, in model order: the figures measured from its levels.
    pub components: Vec<ComponentSummary>,
    /// One row per reporting interval.
    pub series: TimeSeries,
    /// Every autoscaler decision that changed something, in time order.
    pub decisions: Vec<ScaleRecord>,
    /// Reconciles that changed nothing: counted, not logged.
    pub decision_noops: u64,
    /// Per component, in model order: the highest value each autoscaler metric
    /// was read at, over every reconcile (logged or not), as `autoscale.csv`
    /// prints it.
    pub decision_peaks: Vec<IndexMap<String, f64>>,
    /// Per service, each replica's `[created, stopped)` in ns.
    pub replica_lifetimes: IndexMap<String, Vec<(u64, u64)>>,
    /// Closed workloads: most virtual users at once.
    pub peak_users: Option<u32>,
    pub events_processed: u64,
}

/// Raises `peaks` to a reconcile's metric values, as `autoscale.csv` prints
/// them (see [`super::number::as_printed`]), so the summary and the decision
/// log agree digit for digit.
pub fn note_peaks(peaks: &mut IndexMap<String, f64>, metrics: &[(String, f64)]) {
    for (k, v) in metrics {
        if let Some(v) = super::number::as_printed(*v) {
            let e = peaks.entry(k.clone()).or_insert(v);
            *e = e.max(v);
        }
    }
}
