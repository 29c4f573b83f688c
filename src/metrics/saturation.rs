//! When a run counts as saturated, and which components caused it.
//!
//! A run is **saturated** when any of these holds, each naming its components:
//! - capsim shed arrivals (`limits.max_in_flight`), or the number of requests in
//!   the system kept growing while the second half of the window served clearly
//!   less than was offered;
//! - requests failed for lack of capacity (refused, timeout, pool_timeout,
//!   pool_refused, rejected, overload) at a rate above the model's SLO error rate
//!   (1% without one);
//! - a queue or job backlog grew through the final part of the run: over the last
//!   [`TAIL`] of the measured intervals, the mean of the second half exceeds the
//!   first half's by more than [`GROWTH_MIN`] and a tenth, and the last interval
//!   is above the second half's mean (judged only with at least ten measured
//!   intervals, so that the tail holds four);
//! - a component was at its limit: a mean utilization of [`AT_LIMIT`] or more.
//!
//! Warnings also flag a mean utilization of 80% or more and a busiest interval
//! at 95% or more.

use super::recording::Recording;
use super::result::{ComponentSummary, ErrorKind, TimeSeries};
use crate::input::model::{ComponentKind, System};
use indexmap::IndexMap;

/// Fraction of the measured intervals, at the end, in which growth is judged.
pub const TAIL: f64 = 0.4;
/// Least absolute growth of a queue's mean (requests or jobs) that counts.
pub const GROWTH_MIN: f64 = 5.0;
/// Mean utilization at which a component is at its limit.
pub const AT_LIMIT: f64 = 0.98;
/// The error kinds that mean "out of capacity" for the run: a component's
/// limits, and capsim's own shedding.
const CAPACITY_ERRORS: [ErrorKind; 6] = {
    let c = ErrorKind::CAPACITY;
    [c[0], c[1], c[2], c[3], c[4], ErrorKind::Overload]
};

/// The verdict, the components that caused it, and the warnings.
pub struct Assessment {
    pub saturated: bool,
    pub causes: Vec<String>,
    pub warnings: Vec<String>,
}

pub fn assess(
    sys: &System,
    sc: &crate::input::scenario::Scenario,
    rec: &Recording,
    components: &IndexMap<String, ComponentSummary>,
) -> Assessment {
    let mut saturated = false;
    let mut causes: Vec<String> = Vec::new();
    let mut warnings = Vec::new();
    let cause = |c: &str, causes: &mut Vec<String>| {
        if !causes.iter().any(|x| x == c) {
            causes.push(c.to_string());
        }
    };
    // Shed load, or a system that keeps filling up.
    let ev = &rec.saturation;
    let [_, s2] = ev.served_halves;
    let [_, o2] = ev.offered_halves;
    let mid = ev.in_system_mid.unwrap_or(0);
    let now_in = ev.in_system_end;
    let growing = now_in > 100 && now_in > 2 * mid.max(1) && (o2 as f64) > 1.02 * s2 as f64;
    if rec.errors.get(ErrorKind::Overload) > 0 || growing {
        saturated = true;
        warnings.push(format!(
            "saturated: offered load exceeds capacity ({now_in} requests in the system at the end, {mid} at mid-run); latency figures describe a growing queue, not a steady state"
        ));
    }
    // Capacity errors above the SLO error rate.
    let finished = rec.completed + rec.errors.total();
    let cap: u64 = CAPACITY_ERRORS.iter().map(|k| rec.errors.get(*k)).sum();
    let allowed = sys.slo.error_rate.unwrap_or(0.01);
    if finished > 0 && cap as f64 / finished as f64 > allowed {
        saturated = true;
        let mut at: Vec<(&String, u64)> = components
            .iter()
            .map(|(n, c)| (n, CAPACITY_ERRORS.iter().map(|k| c.errors.get(*k)).sum()))
            .filter(|(_, e)| *e > 0)
            .collect();
        at.sort_by_key(|x| std::cmp::Reverse(x.1));
        for (n, _) in &at {
            cause(n, &mut causes);
        }
        let names: Vec<String> = at.iter().map(|(n, e)| format!("{n} ({e})")).collect();
        warnings.push(format!(
            "saturated: {:.2}% of requests failed for lack of capacity, above the {}% the SLO allows; at {}",
            100.0 * cap as f64 / finished as f64,
            crate::metrics::number::fmt_num(allowed * 100.0),
            if names.is_empty() {
                "capsim's limits.max_in_flight".to_string()
            } else {
                names.join(", ")
            }
        ));
    }
    // Queues and backlogs still growing at the end.
    let warm_s = sc.warmup_ns as f64 / 1e9;
    for c in &sys.components {
        let col = match c.kind {
            ComponentKind::Queue(_) => "depth",
            ComponentKind::Pool(_) => "waiting",
            ComponentKind::Edge(_) => continue,
            _ => "queue",
        };
        if let Some((a, b)) = growth(&rec.series, &format!("{}.{col}", c.name), warm_s) {
            saturated = true;
            cause(&c.name, &mut causes);
            let what = if col == "depth" {
                "job backlog"
            } else {
                "queue"
            };
            warnings.push(format!(
                "saturated: the {what} of {} grew through the end of the run (mean {} then {} over the last {:.0}% of the measured intervals)",
                c.name,
                crate::metrics::number::fmt_num((a * 10.0).round() / 10.0),
                crate::metrics::number::fmt_num((b * 10.0).round() / 10.0),
                TAIL * 100.0
            ));
        }
    }
    // Utilization.
    for (name, comp) in components {
        let u = comp.utilization;
        if u >= AT_LIMIT {
            saturated = true;
            cause(name, &mut causes);
        }
        if u > 0.95 {
            warnings.push(format!(
                "{name} is at {:.0}% utilization: it is the bottleneck",
                u * 100.0
            ));
        } else if u >= 0.8 {
            warnings.push(format!(
                "{name} is at {:.0}% mean utilization: 80% or more leaves little headroom",
                u * 100.0
            ));
        } else if let Some(p) = rec.series.peak(&format!("{name}.utilization"), warm_s) {
            if p >= 0.95 {
                warnings.push(format!(
                    "{name} reached {:.0}% utilization in its busiest interval",
                    p * 100.0
                ));
            }
        }
    }
    Assessment {
        saturated,
        causes,
        warnings,
    }
}

/// `(first-half mean, second-half mean)` of the final [`TAIL`] of a column
/// when it grew there (see the module doc), else `None`.
fn growth(ts: &TimeSeries, column: &str, warm_s: f64) -> Option<(f64, f64)> {
    let v = ts.measured(column, warm_s);
    let n = ((v.len() as f64) * TAIL).floor() as usize;
    if n < 4 {
        return None;
    }
    let tail = &v[v.len() - n..];
    let (a, b) = tail.split_at(n / 2);
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let (ma, mb) = (mean(a), mean(b));
    let last = *tail.last()?;
    (mb > ma + GROWTH_MIN.max(0.1 * ma) && last > mb).then_some((ma, mb))
}
