//! Headroom: the load multiplier at which each component would reach its limit,
//! from its measured demand in the busiest reporting interval after the warm-up.
//! Utilization is linear in offered load while capacity is fixed, so a component
//! whose busiest interval used a fraction `u` of its capacity reaches it at `1/u`
//! times the load:
//! - a service's capacity is `max_replicas × cores` (its autoscaler's maximum, or
//!   its fixed replica count), its demand the busy cores of its ready replicas;
//! - a pool's capacity is its `size` connections (the reserve pool is not
//!   counted), a database's its primary's and its replicas' servers (the busier
//!   of the two), a cache's its servers, a job queue's its workers;
//! - edges and external APIs have no capacity of their own in the model.
//!
//! A factor from one interval is an estimate: queueing makes latency grow well
//! before utilization reaches 1, and limits other than capacity (concurrency,
//! accept queues, timeouts) are not in it. `capsim capacity` measures the real
//! breaking point by running the load.

use super::result::{ComponentSummary, HeadroomBottleneck, TimeSeries};
use crate::input::model::{ComponentKind, System};
use indexmap::IndexMap;

/// Sets `headroom_factor` on every component that has a capacity and showed
/// load, and returns the tightest (the bottleneck).
pub fn headroom(
    sys: &System,
    warmup_s: f64,
    ts: &TimeSeries,
    components: &mut IndexMap<String, ComponentSummary>,
) -> Option<HeadroomBottleneck> {
    let col = |name: &str| ts.columns.iter().position(|c| c == name);
    let time = col("time_s");
    // The largest value of `f(row)` over the intervals after the warm-up.
    let peak = |f: &dyn Fn(&[Option<f64>]) -> Option<f64>| -> Option<f64> {
        ts.rows
            .iter()
            .filter(|r| time.and_then(|t| r[t]).is_some_and(|t| t > warmup_s))
            .filter_map(|r| f(r))
            .reduce(f64::max)
    };
    let cell = |c: Option<usize>| move |r: &[Option<f64>]| c.and_then(|c| r[c]);
    for c in &sys.components {
        let util = col(&format!("{}.utilization", c.name));
        let used = match &c.kind {
            ComponentKind::Service(cfg) => {
                let ready = col(&format!("{}.replicas_ready", c.name));
                let max = cfg
                    .autoscale
                    .as_ref()
                    .map_or(cfg.replicas, |p| p.bounds().1)
                    .max(1);
                // Busy replicas' worth of CPU, against the most replicas allowed.
                peak(&|r| Some(cell(util)(r)? * cell(ready)(r)?)).map(|busy| busy / f64::from(max))
            }
            ComponentKind::Database(_) => {
                let replicas = col(&format!("{}.replica_utilization", c.name));
                match (peak(&cell(util)), peak(&cell(replicas))) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                }
            }
            ComponentKind::Pool(_) | ComponentKind::Cache(_) | ComponentKind::Queue(_) => {
                peak(&cell(util))
            }
            ComponentKind::Edge(_) | ComponentKind::External(_) => None,
        };
        if let (Some(u), Some(s)) = (used, components.get_mut(&c.name)) {
            s.headroom_factor = (u > 0.0).then(|| super::result::round6(1.0 / u));
        }
    }
    tightest(components)
}

/// The component with the smallest headroom factor (the first in model order
/// on a tie).
pub fn tightest(components: &IndexMap<String, ComponentSummary>) -> Option<HeadroomBottleneck> {
    components
        .iter()
        .filter_map(|(n, c)| c.headroom_factor.map(|h| (n, h)))
        .reduce(|a, b| if b.1 < a.1 { b } else { a })
        .map(|(n, h)| HeadroomBottleneck {
            component: n.clone(),
            headroom_factor: h,
        })
}
