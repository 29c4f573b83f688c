//! What a run produces: the figures `summary.json` holds (this struct
//! serialised, keys documented in `docs/output-format.md`) and the interval
//! time series behind `timeseries.csv`.

use crate::metrics::LatencyHistogram;
use indexmap::IndexMap;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Why a request failed. The names are the keys of `requests.errors`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A replica's accept queue was full on every peer tried.
    Refused,
    /// The proxy in front of a service gave up waiting.
    Timeout,
    /// A pool waiter waited longer than `wait_timeout`.
    PoolTimeout,
    /// A pool already had `max_clients` clients.
    PoolRefused,
    /// No replica was available (all down, starting or failed).
    Unavailable,
    /// A bounded queue (database, cache, external, job queue) was full.
    Rejected,
    /// capsim's own `limits.max_in_flight` shed the arrival.
    Overload,
}

impl ErrorKind {
    /// The kinds that say a component ran out of room (`unavailable`, nothing
    /// ready, and `overload`, capsim's own guard, are not a component's limit).
    /// Shared by the saturation verdict and `capsim capacity`.
    pub const CAPACITY: [ErrorKind; 5] = [
        ErrorKind::Refused,
        ErrorKind::Timeout,
        ErrorKind::PoolTimeout,
        ErrorKind::PoolRefused,
        ErrorKind::Rejected,
    ];

    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::Refused,
        ErrorKind::Timeout,
        ErrorKind::PoolTimeout,
        ErrorKind::PoolRefused,
        ErrorKind::Unavailable,
        ErrorKind::Rejected,
        ErrorKind::Overload,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Refused => "refused",
            ErrorKind::Timeout => "timeout",
            ErrorKind::PoolTimeout => "pool_timeout",
            ErrorKind::PoolRefused => "pool_refused",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Overload => "overload",
        }
    }
}

/// Counts per [`ErrorKind`], serialised as a map in a fixed order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ErrorCounts(pub [u64; 7]);

impl ErrorCounts {
    #[inline]
    pub fn add(&mut self, kind: ErrorKind) {
        self.0[kind as usize] += 1;
    }
    pub fn get(&self, kind: ErrorKind) -> u64 {
        self.0[kind as usize]
    }
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

impl Serialize for ErrorCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(7))?;
        for k in ErrorKind::ALL {
            m.serialize_entry(k.name(), &self.get(k))?;
        }
        m.end()
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct LatencySummary {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

impl LatencySummary {
    pub fn from_hist(h: &LatencyHistogram) -> Self {
        LatencySummary {
            mean: round6(h.mean_ms()),
            p50: h.quantile_ms(0.50),
            p90: h.quantile_ms(0.90),
            p95: h.quantile_ms(0.95),
            p99: h.quantile_ms(0.99),
            p999: h.quantile_ms(0.999),
            max: round6(h.max_ms()),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct WaitSummary {
    pub mean: f64,
    pub p95: f64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Requests {
    /// Requests that arrived after the warm-up (offered).
    pub total: u64,
    /// Of those, answered successfully before the end.
    pub completed: u64,
    /// Of those, failed (sum of `errors`).
    pub failed: u64,
    /// Of those, still in the system when the run ended.
    pub in_flight_at_end: u64,
    pub errors: ErrorCounts,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct WorkloadSummary {
    #[serde(rename = "type")]
    pub kind: String,
    /// Mean offered rate over the measured window, requests/s.
    pub offered_rps: f64,
    /// Closed workloads: most virtual users at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_users: Option<u32>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ClassSummary {
    pub total: u64,
    pub completed: u64,
    pub failed: u64,
    pub latency_ms: LatencySummary,
}

/// Per-component figures over the measured window. Every component has
/// `kind`, `replicas` and `utilization`; the rest depend on the kind.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ComponentSummary {
    pub kind: String,
    /// Replicas (services), nodes (databases), workers (queues), 1 otherwise.
    pub replicas: u32,
    /// Busy fraction of capacity (CPU for services, servers for stations,
    /// connections for pools, worker slots for queues), 0..1.
    pub utilization: f64,
    /// The load multiplier at which the component would reach its capacity,
    /// from its busiest interval (see [`super::headroom`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headroom_factor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas_min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas_max: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cores: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_flight_mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_max: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_mib_mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_mib_max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_ratio: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_use_mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_use_max: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_max: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica_utilization: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_lag_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs: Option<JobSummary>,
    /// Requests that failed at this component, by kind.
    pub errors: ErrorCounts,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct JobSummary {
    pub enqueued: u64,
    pub completed: u64,
    pub failed: u64,
    pub latency_ms: LatencySummary,
}

#[derive(Clone, Debug, Serialize)]
pub struct SloVerdict {
    /// `mean`, `p50`, ..., `p999` (ms) or `error_rate` (fraction).
    pub metric: String,
    pub target: f64,
    pub actual: f64,
    pub ok: bool,
}

/// The component nearest its limit, and the load multiplier that reaches it.
#[derive(Clone, Debug, Serialize)]
pub struct HeadroomBottleneck {
    pub component: String,
    pub headroom_factor: f64,
}

/// One autoscaler decision (a row of `autoscale.csv`).
#[derive(Clone, Debug, Serialize)]
pub struct ScaleRecord {
    pub time_s: f64,
    pub component: String,
    /// Replicas the controller started from.
    pub current: u32,
    /// The raw recommendation, before stabilization and policies.
    pub proposal: u32,
    /// What the controller set.
    pub desired: u32,
    pub reason: String,
    /// What the controller read, in its order (`autoscale.csv` prints them
    /// as `name=value` pairs separated by `;`).
    pub metrics: Vec<(String, f64)>,
    /// When the capacity added by this decision was ready (scale-ups).
    pub ready_s: Option<f64>,
}

/// A scale-up episode: consecutive scale-ups of one component.
#[derive(Clone, Debug, Serialize)]
pub struct Surge {
    pub component: String,
    /// When offered load first rose above 1.1x its level before the episode.
    pub load_rise_s: f64,
    pub first_decision_s: f64,
    /// When the last replica added in the episode was ready.
    pub capacity_ready_s: f64,
    pub from_replicas: u32,
    pub to_replicas: u32,
    pub time_to_first_decision_s: f64,
    pub time_to_capacity_s: f64,
}

/// How one autoscaled service used its range, and why.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceScaling {
    pub component: String,
    /// The policy's `[min, max]` (before any schedule).
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// Ready replicas reached over the run.
    pub ready_min: u32,
    pub ready_max: u32,
    /// Highest value the controller read of each metric.
    pub peak_metrics: IndexMap<String, f64>,
    /// In words: whether it reached its maximum, and if not, why not.
    pub verdict: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct AutoscaleSummary {
    /// One entry per autoscaled service.
    pub services: Vec<ServiceScaling>,
    pub decisions: u64,
    pub scale_ups: u64,
    pub scale_downs: u64,
    pub surges: Vec<Surge>,
    /// Minutes of reporting intervals in which an SLO (p95, p99, error
    /// rate) was breached, after the warm-up.
    pub slo_breach_minutes: f64,
}

/// One column per figure, one row per reporting interval.
#[derive(Clone, Debug, Default)]
pub struct TimeSeries {
    pub columns: Vec<String>,
    /// `None` = no value (e.g. a latency percentile in an interval with no
    /// completions); written as an empty cell.
    pub rows: Vec<Vec<Option<f64>>>,
}

impl TimeSeries {
    /// The values of `column` in the intervals ending after `after_s`
    /// (the warm-up), in time order; empty when there is no such column.
    pub fn measured(&self, column: &str, after_s: f64) -> Vec<f64> {
        let pos = |name: &str| self.columns.iter().position(|c| c == name);
        let (Some(t), Some(c)) = (pos("time_s"), pos(column)) else {
            return Vec::new();
        };
        self.rows
            .iter()
            .filter(|r| r.get(t).copied().flatten().is_some_and(|t| t > after_s))
            .filter_map(|r| r.get(c).copied().flatten())
            .collect()
    }

    /// The largest value of `column` after `after_s`.
    pub fn peak(&self, column: &str, after_s: f64) -> Option<f64> {
        self.measured(column, after_s).into_iter().reduce(f64::max)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    pub capsim_version: String,
    pub model: String,
    pub scenario: String,
    pub seed: u64,
    pub replication: u64,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub measured_s: f64,
    pub workload: WorkloadSummary,
    pub requests: Requests,
    pub error_rate: f64,
    pub latency_ms: LatencySummary,
    pub wait_ms: WaitSummary,
    pub throughput_rps: f64,
    /// Time-average number of requests in the system (Little's L).
    pub in_system_mean: f64,
    pub saturated: bool,
    /// The components that made the run saturated, most to blame first
    /// (see [`super::saturation`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub saturated_by: Vec<String>,
    /// The component nearest its limit: the smallest `headroom_factor`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bottleneck: Option<HeadroomBottleneck>,
    pub classes: IndexMap<String, ClassSummary>,
    pub components: IndexMap<String, ComponentSummary>,
    pub slo: Vec<SloVerdict>,
    pub autoscale: AutoscaleSummary,
    pub warnings: Vec<String>,
    pub events_processed: u64,
    /// The bill of the run, when the model names any SKU (filled after the run by
    /// [`crate::billing`]; the simulation itself never sets it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<capsim_cost::Bill>,
    #[serde(skip)]
    pub timeseries: TimeSeries,
    /// Every autoscaler decision (`autoscale.csv`).
    #[serde(skip)]
    pub scale_log: Vec<ScaleRecord>,
    /// Per service, each replica's `[created, stopped)` in ns (billing).
    #[serde(skip)]
    pub replica_lifetimes: IndexMap<String, Vec<(u64, u64)>>,
    #[serde(skip)]
    pub latency: LatencyHistogram,
    #[serde(skip)]
    pub wait: LatencyHistogram,
}

/// Rounds to 6 decimals, so outputs do not carry float noise in the last
/// bits (the values are deterministic either way).
pub fn round6(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e6).round() / 1e6
    } else {
        0.0
    }
}
