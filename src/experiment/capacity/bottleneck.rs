//! Which component reaches which limit at which load factor, from the probes of
//! a capacity search.
//!
//! A limit is *reached* in a probe when:
//! - `utilization`: the busiest interval after the warm-up is at
//!   [`UTILIZATION_LIMIT`] or above (CPU of ready replicas, busy servers of a
//!   station, connections in use of a pool, busy workers of a queue);
//! - `queue_growth`: requests failed at the component because its accept queue
//!   filled (`refused`) or they waited past the proxy timeout (`timeout`), or a
//!   station's bounded queue filled (`rejected`);
//! - `pool_wait`: pool clients waited past `wait_timeout` (`pool_timeout`);
//! - `connection_limit`: a pool refused clients beyond `max_clients` (`pool_refused`);
//! - `backlog`: a job queue ended the run with more than [`BACKLOG_LIMIT`] of its
//!   jobs still waiting;
//!
//! with the error-based limits counted from [`ERROR_LIMIT`] of offered requests.
//! The factor at which a utilization reaches its limit is interpolated between
//! the last probe below and the first at or above it; one that no probe reached
//! is extrapolated from the highest probe (utilization grows in proportion to
//! offered load while capacity is fixed) and marked `observed = false`.

use super::{fmt_factor, Probe};
use serde::Serialize;

/// Utilization at which a component counts as saturated: above it a queue's
/// waiting time grows without bound as load approaches capacity.
pub const UTILIZATION_LIMIT: f64 = 0.95;
/// Capacity errors at a component, per offered request, that count as a limit.
pub const ERROR_LIMIT: f64 = 0.001;
/// Fraction of a job queue's jobs left undone at the end that counts as a
/// growing backlog.
pub const BACKLOG_LIMIT: f64 = 0.05;

/// The kind of limit a component reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitMetric {
    Utilization,
    QueueGrowth,
    PoolWait,
    ConnectionLimit,
    Backlog,
}

impl LimitMetric {
    pub fn name(self) -> &'static str {
        match self {
            LimitMetric::Utilization => "utilization",
            LimitMetric::QueueGrowth => "queue_growth",
            LimitMetric::PoolWait => "pool_wait",
            LimitMetric::ConnectionLimit => "connection_limit",
            LimitMetric::Backlog => "backlog",
        }
    }
}

/// One component's limit and the load factor at which it is reached.
#[derive(Clone, Debug, Serialize)]
pub struct Bottleneck {
    pub component: String,
    pub metric: LimitMetric,
    /// The metric's value at the first probe that reached the limit (or at the
    /// highest probe when none did): a utilization or a fraction of requests
    /// (0..1), or the fraction of jobs left in the backlog.
    pub value: f64,
    /// The load factor at which the limit is reached; `None` when the component
    /// shows no load to extrapolate from.
    pub saturates_at_factor: Option<f64>,
    /// `true`: a probe reached the limit; `false`: extrapolated.
    pub observed: bool,
}

impl Bottleneck {
    /// "at 3.4x" or "estimated at 12x".
    pub fn describe_factor(&self) -> String {
        match (self.saturates_at_factor, self.observed) {
            (Some(f), true) => format!("at {}x", fmt_factor(f)),
            (Some(f), false) => format!("estimated at {}x", fmt_factor(f)),
            (None, _) => "no load seen".into(),
        }
    }
}

/// Every component's limits, ordered by the factor at which each is reached
/// (observed before estimated at equal factors; components with no estimate last).
/// `probes` must be in increasing factor.
pub fn bottlenecks(probes: &[Probe]) -> Vec<Bottleneck> {
    let Some(first) = probes.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for name in first.components.keys() {
        if let Some(b) = utilization(name, probes) {
            out.push(b);
        }
        for metric in [
            LimitMetric::QueueGrowth,
            LimitMetric::PoolWait,
            LimitMetric::ConnectionLimit,
            LimitMetric::Backlog,
        ] {
            if let Some(b) = first_reached(name, metric, probes) {
                out.push(b);
            }
        }
    }
    out.sort_by(|a, b| {
        let key = |x: &Bottleneck| x.saturates_at_factor.unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b)).then(b.observed.cmp(&a.observed))
    });
    out
}

fn utilization(name: &str, probes: &[Probe]) -> Option<Bottleneck> {
    let util = |p: &Probe| p.components.get(name).map(|c| c.peak_utilization);
    let mut below: Option<(f64, f64)> = None;
    for p in probes {
        let u = util(p)?;
        if u >= UTILIZATION_LIMIT {
            let at = match below {
                // Linear between the two probes that bracket the limit.
                Some((f0, u0)) if u > u0 => {
                    f0 + (UTILIZATION_LIMIT - u0) / (u - u0) * (p.factor - f0)
                }
                _ => p.factor,
            };
            return Some(Bottleneck {
                component: name.to_string(),
                metric: LimitMetric::Utilization,
                value: u,
                saturates_at_factor: Some(round6(at.min(p.factor))),
                observed: true,
            });
        }
        below = Some((p.factor, u));
    }
    let (f, u) = below?;
    // Components that do no measurable work have no utilization to speak of.
    if u <= 0.0 {
        return None;
    }
    Some(Bottleneck {
        component: name.to_string(),
        metric: LimitMetric::Utilization,
        value: u,
        saturates_at_factor: (u >= 1e-4).then(|| round6(f * UTILIZATION_LIMIT / u)),
        observed: false,
    })
}

fn first_reached(name: &str, metric: LimitMetric, probes: &[Probe]) -> Option<Bottleneck> {
    probes.iter().find_map(|p| {
        let c = p.components.get(name)?;
        let value = match metric {
            LimitMetric::Backlog => c.backlog_fraction.filter(|&b| b > BACKLOG_LIMIT)?,
            _ => {
                let kind = c.dominant_error.as_deref()?;
                let matches = match metric {
                    LimitMetric::QueueGrowth => {
                        matches!(kind, "refused" | "timeout" | "rejected")
                    }
                    LimitMetric::PoolWait => kind == "pool_timeout",
                    LimitMetric::ConnectionLimit => kind == "pool_refused",
                    _ => false,
                };
                if !matches || c.capacity_error_rate < ERROR_LIMIT {
                    return None;
                }
                c.capacity_error_rate
            }
        };
        Some(Bottleneck {
            component: name.to_string(),
            metric,
            value,
            saturates_at_factor: Some(p.factor),
            observed: true,
        })
    })
}

fn round6(x: f64) -> f64 {
    crate::stack::result::round6(x)
}
