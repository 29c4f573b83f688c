//! The one interface the simulator and replay drive every controller through.

use crate::observe::{Decision, Observation};

/// An autoscaling controller: a deterministic decision object with its own memory
/// (recommendation history, scale events, alarm datapoints, cooldowns), and no clock or
/// knowledge of the simulator. The caller calls [`Controller::reconcile`] at
/// `first_tick_ns()` and then at each `next_tick_ns(now)`, and applies `desired`.
pub trait Controller {
    /// Short name of the controller kind, e.g. `"hpa"`, for logs and CSVs.
    fn kind(&self) -> &'static str;
    /// Time of the first reconcile, relative to the start of the run (ns).
    fn first_tick_ns(&self) -> u64;
    /// Reconcile period (ns): the HPA sync period, the metric period, ...
    fn period_ns(&self) -> u64;
    /// Time of the reconcile after one at `now_ns`.
    fn next_tick_ns(&self, now_ns: u64) -> u64 {
        now_ns.saturating_add(self.period_ns().max(1))
    }
    /// Reads one observation and decides. Never panics, never fails: a metric that
    /// cannot be computed leaves the count unchanged and says so in `reason`.
    fn reconcile(&mut self, obs: &Observation) -> Decision;
    /// Current `(min, max)` replica bounds.
    fn bounds(&self) -> (u32, u32);
    /// Replaces the bounds (a schedule does this). `max` is raised to `min` if lower.
    fn set_bounds(&mut self, min: u32, max: u32);
}
