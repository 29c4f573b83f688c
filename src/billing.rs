//! Billing after a run: turns the model's SKUs and the run's recorded results into
//! `capsim_cost` usage records and prices them. This module only reads the
//! [`System`], the [`Scenario`] and the finished [`RunResult`]; it never reaches
//! into the running simulation.
//!
//! The billed span is the whole simulated run, warm-up included (`duration`):
//!
//! * replica-time: every service replica, database node (primary + read replicas)
//!   and queue worker lives for `[0, duration)` (replica counts are fixed today), and
//!   is rounded by the SKU's billing granularity and minimum; a per-vCPU SKU on a
//!   service is billed for `cores` per replica;
//! * other components with a time SKU (edge, cache, pool, external): one unit for
//!   `[0, duration)`;
//! * counters (requests, response bytes) are recorded over the measured window
//!   (after warm-up); they are extrapolated to the whole span at the measured rate
//!   (`count x duration / measured`, rounded), so every line covers the same span;
//! * `[[costs]]` fixed items are held for the whole span (monthly prices prorated).

use crate::input::model::{ComponentKind, CostUsage, System};
use crate::input::scenario::{Scenario, Workload};
use crate::stack::RunResult;
use capsim_cost::unit::Dimension;
use capsim_cost::{compute_bill, Bill, BillingOptions, Unit, UsageRecord};

/// Units of a component billed per replica: replicas (services), nodes (databases:
/// primary + read replicas), workers (queues), 1 for every other kind.
pub fn billed_units(kind: &ComponentKind) -> u32 {
    match kind {
        ComponentKind::Service(s) => s.replicas,
        ComponentKind::Database(d) => d.read_replicas.saturating_add(1),
        ComponentKind::Queue(q) => q.workers,
        ComponentKind::Edge(_)
        | ComponentKind::Cache(_)
        | ComponentKind::Pool(_)
        | ComponentKind::External(_) => 1,
    }
}

/// Counters of the measured window, extrapolated to the billed span.
struct Counters {
    requests: u64,
    egress_bytes: u64,
}

fn counters(system: &System, result: &RunResult, scale: f64) -> Counters {
    // Float-to-int `as` casts saturate (and map NaN to 0), so these never panic.
    let requests = (result.requests.total as f64 * scale).round() as u64;
    let mut bytes = 0.0;
    for class in &system.classes {
        if let Some(c) = result.classes.get(&class.name) {
            bytes += c.completed as f64 * class.response_bytes;
        }
    }
    Counters {
        requests,
        egress_bytes: (bytes * scale).round() as u64,
    }
}

/// Users the run serves, for cost per user-month: an open workload given in users
/// counts the mean offered rate over the measured window times users per request/s;
/// a closed workload counts its peak virtual users. `None` otherwise.
fn users(scenario: &Scenario, result: &RunResult) -> Option<u64> {
    match &scenario.workload {
        Workload::Open {
            users_per_rps: Some(k),
            ..
        } => Some((result.workload.offered_rps * k).round() as u64),
        Workload::Open { .. } => None,
        Workload::Closed { .. } => result.workload.peak_users.map(u64::from),
    }
}

/// The usage records of a run, in model order: components, then `[[costs]]` items.
pub fn usage_records(system: &System, scenario: &Scenario, result: &RunResult) -> Vec<UsageRecord> {
    let span = scenario.duration_ns;
    let measured = scenario.duration_ns.saturating_sub(scenario.warmup_ns);
    let scale = if measured > 0 {
        span as f64 / measured as f64
    } else {
        1.0
    };
    let counts = counters(system, result, scale);
    let mut records = Vec::new();
    for comp in &system.components {
        let Some(cost) = &comp.cost else { continue };
        // Resolve checked the SKU against this catalog; an unknown one would fail
        // in `compute_bill` with a message, so any unit here is fine.
        let unit = system.cost.catalog.get(&cost.sku).map(|s| s.unit).ok();
        let dimension = unit.map_or(Dimension::Time, Unit::dimension);
        let record = match dimension {
            Dimension::Bytes => UsageRecord::bytes(&comp.name, &cost.sku, counts.egress_bytes),
            Dimension::Count => UsageRecord::requests(&comp.name, &cost.sku, counts.requests),
            Dimension::Time | Dimension::Other => {
                // All units live for the whole span, so one interval of `n` units
                // (not `n` intervals: `n` comes from the model and may be huge).
                let mut size = f64::from(billed_units(&comp.kind));
                if let (Some(Unit::VcpuHour | Unit::VcpuMonth), ComponentKind::Service(s)) =
                    (unit, &comp.kind)
                {
                    size *= s.cores;
                }
                match result.replica_lifetimes.get(&comp.name) {
                    // Services: each replica from creation to stop, as the
                    // simulation ran them (autoscaling, kills, drains).
                    Some(lives) if matches!(comp.kind, ComponentKind::Service(_)) => {
                        let size = match (unit, &comp.kind) {
                            (Some(Unit::VcpuHour | Unit::VcpuMonth), ComponentKind::Service(s)) => {
                                s.cores
                            }
                            _ => 1.0,
                        };
                        UsageRecord::sized_replicas(&comp.name, &cost.sku, lives.clone(), size)
                    }
                    _ => UsageRecord::sized_replicas(&comp.name, &cost.sku, vec![(0, span)], size),
                }
            }
        };
        records.push(match cost.discount {
            Some(d) => record.with_discount(d),
            None => record,
        });
    }
    for item in &system.cost.items {
        let record = match item.usage {
            CostUsage::Fixed(q) => UsageRecord::fixed(&item.name, &item.sku, q),
            CostUsage::Egress => UsageRecord::bytes(&item.name, &item.sku, counts.egress_bytes),
            CostUsage::Requests => UsageRecord::requests(&item.name, &item.sku, counts.requests),
        };
        records.push(match item.discount {
            Some(d) => record.with_discount(d),
            None => record,
        });
    }
    records
}

/// Prices a finished run. `Ok(None)` when the model names no SKU.
pub fn bill(
    system: &System,
    scenario: &Scenario,
    result: &RunResult,
) -> Result<Option<Bill>, String> {
    if !system.has_cost() {
        return Ok(None);
    }
    let records = usage_records(system, scenario, result);
    let span = scenario.duration_ns;
    let measured = span.saturating_sub(scenario.warmup_ns);
    let scale = if measured > 0 {
        span as f64 / measured as f64
    } else {
        1.0
    };
    let options = BillingOptions {
        simulated_ns: span,
        discount: None,
        requests: Some(counters(system, result, scale).requests),
        users: users(scenario, result),
    };
    compute_bill(&system.cost.catalog, &records, &options)
        .map(Some)
        .map_err(|e| format!("cannot bill the run: {e}"))
}

/// Warnings about a bill: lines whose SKU rounds the run up (per started hour, or a
/// minimum billed time longer than the run), which the monthly projection then
/// scales up with everything else.
pub fn warnings(system: &System, bill: &Bill) -> Vec<String> {
    let span = bill.simulated_ns;
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for line in &bill.lines {
        if seen.contains(&line.sku.as_str()) {
            continue;
        }
        seen.push(&line.sku);
        let Ok(sku) = system.cost.catalog.get(&line.sku) else {
            continue;
        };
        if sku.unit.dimension() != Dimension::Time {
            continue;
        }
        let billed = sku.granularity.billed_ns(span, sku.minimum_s);
        if billed > u128::from(span) {
            out.push(format!(
                "cost: SKU `{}` is billed per {} with a minimum of {} s, so the {} run is billed as {} per unit and the monthly projection scales that up; simulate at least {} for a faithful projection",
                sku.id,
                match sku.granularity {
                    capsim_cost::Granularity::Hour => "started hour",
                    capsim_cost::Granularity::Minute => "started minute",
                    capsim_cost::Granularity::Second => "started second",
                    _ => "period",
                },
                sku.minimum_s,
                capsim_cost::projection::human_duration(span),
                capsim_cost::projection::human_duration(u64::try_from(billed).unwrap_or(u64::MAX)),
                capsim_cost::projection::human_duration(u64::try_from(billed).unwrap_or(u64::MAX)),
            ));
        }
    }
    out
}
