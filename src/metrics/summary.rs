//! From a [`Recording`] to the [`RunResult`] every output is written from:
//! the headline figures, the warnings, the SLO verdicts of the model's
//! `[slo]` and the autoscale summary (decisions, surges, breach minutes).
//! Runs after the simulation, from its typed measurements only.

use super::number::fmt_num;
use super::recording::Recording;
use super::result::*;
use crate::input::model::{ComponentKind, System};
use crate::input::scenario::{Scenario, Workload};
use indexmap::IndexMap;

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// Summarises one run. Takes the recording by value: its histograms, series
/// and decision log move into the result instead of being copied.
pub fn summarize(sys: &System, sc: &Scenario, mut rec: Recording) -> RunResult {
    let end = sc.duration_ns;
    let measured_ns = end - sc.warmup_ns;
    let measured_s = measured_ns as f64 / 1e9;
    let mut components: IndexMap<String, ComponentSummary> = sys
        .components
        .iter()
        .map(|c| c.name.clone())
        .zip(std::mem::take(&mut rec.components))
        .collect();
    let mut classes = IndexMap::new();
    for ((c, n), h) in sys.classes.iter().zip(&rec.classes).zip(&rec.class_latency) {
        classes.insert(
            c.name.clone(),
            ClassSummary {
                total: n.total,
                completed: n.completed,
                failed: n.failed,
                latency_ms: LatencySummary::from_hist(h),
            },
        );
    }
    let failed = rec.errors.total();
    let in_flight_at_end = rec.offered.saturating_sub(rec.completed + failed);
    let finished = rec.completed + failed;
    let error_rate = ratio(failed as f64, finished as f64).unwrap_or(0.0);
    let latency_ms = LatencySummary::from_hist(&rec.latency);
    let bottleneck =
        super::headroom::headroom(sys, sc.warmup_ns as f64 / 1e9, &rec.series, &mut components);
    let (warnings, saturated, saturated_by) = warnings(sys, sc, &rec, &components);
    let slo = slo_verdicts(sys, &latency_ms, error_rate, rec.completed);
    let autoscale = autoscale_summary(
        sys,
        &rec.decisions,
        &rec.decision_peaks,
        rec.decision_noops,
        &rec.series,
        sc.warmup_ns,
        sc.interval_ns,
    );
    let offered_rps = rec.offered as f64 / measured_s;
    RunResult {
        capsim_version: env!("CARGO_PKG_VERSION").to_string(),
        model: sys.name.clone(),
        scenario: sc.name.clone(),
        seed: rec.seed,
        replication: rec.replication,
        duration_s: end as f64 / 1e9,
        warmup_s: sc.warmup_ns as f64 / 1e9,
        measured_s,
        workload: WorkloadSummary {
            kind: match sc.workload {
                Workload::Open { .. } => "open".into(),
                Workload::Closed { .. } => "closed".into(),
            },
            offered_rps: round6(offered_rps),
            peak_users: rec.peak_users,
        },
        requests: Requests {
            total: rec.offered,
            completed: rec.completed,
            failed,
            in_flight_at_end,
            errors: rec.errors,
        },
        error_rate: round6(error_rate),
        latency_ms,
        wait_ms: WaitSummary {
            mean: round6(rec.wait.mean_ms()),
            p95: rec.wait.quantile_ms(0.95),
        },
        throughput_rps: round6(rec.completed as f64 / measured_s),
        in_system_mean: round6(rec.in_system_mean),
        saturated,
        saturated_by,
        bottleneck,
        classes,
        components,
        slo,
        autoscale,
        warnings,
        events_processed: rec.events_processed,
        cost: None,
        timeseries: rec.series,
        scale_log: rec.decisions,
        replica_lifetimes: rec.replica_lifetimes,
        latency: rec.latency,
        wait: rec.wait,
    }
}

/// The run's warnings, whether it saturated, and the components that caused it.
fn warnings(
    sys: &System,
    sc: &Scenario,
    rec: &Recording,
    components: &IndexMap<String, ComponentSummary>,
) -> (Vec<String>, bool, Vec<String>) {
    let verdict = super::saturation::assess(sys, sc, rec, components);
    let mut warnings = Vec::new();
    let (sat, util): (Vec<String>, Vec<String>) = verdict
        .warnings
        .into_iter()
        .partition(|w| w.starts_with("saturated"));
    warnings.extend(sat);
    if rec.errors.get(ErrorKind::Overload) > 0 {
        warnings.push(format!(
            "{} arrivals were shed by limits.max_in_flight = {}",
            rec.errors.get(ErrorKind::Overload),
            sc.limits.max_in_flight
        ));
    }
    if rec.completed == 0 && rec.offered > 0 {
        warnings.push(format!(
            "nothing completed: all {} measured requests failed or were still in flight at the end; there are no latency figures (0 in summary.json), and latency SLOs fail",
            rec.offered
        ));
    }
    if rec.completed > 0 && rec.completed < 1000 {
        warnings.push(format!(
            "only {} completed requests: p99 and p99.9 rest on few samples; run longer or at a higher rate",
            rec.completed
        ));
    }
    warnings.extend(util);
    (warnings, verdict.saturated, verdict.causes)
}

/// With nothing completed there is no latency to meet a target: latency
/// SLOs fail rather than pass on a 0 ms placeholder.
fn slo_verdicts(
    sys: &System,
    lat: &LatencySummary,
    error_rate: f64,
    completed: u64,
) -> Vec<SloVerdict> {
    let s = &sys.slo;
    let mut out = Vec::new();
    for (name, target, actual) in [
        ("mean", s.mean_ns, lat.mean),
        ("p50", s.p50_ns, lat.p50),
        ("p90", s.p90_ns, lat.p90),
        ("p95", s.p95_ns, lat.p95),
        ("p99", s.p99_ns, lat.p99),
        ("p999", s.p999_ns, lat.p999),
    ] {
        if let Some(t) = target {
            let target_ms = t as f64 / 1e6;
            out.push(SloVerdict {
                metric: format!("{name}_ms"),
                target: target_ms,
                actual,
                ok: completed > 0 && actual <= target_ms,
            });
        }
    }
    if let Some(t) = s.error_rate {
        out.push(SloVerdict {
            metric: "error_rate".into(),
            target: t,
            actual: error_rate,
            ok: error_rate <= t,
        });
    }
    out
}

/// Decision counts, scale-up episodes and SLO breach minutes.
fn autoscale_summary(
    sys: &System,
    log: &[ScaleRecord],
    peaks: &[IndexMap<String, f64>],
    noops: u64,
    ts: &TimeSeries,
    warmup_ns: u64,
    interval_ns: u64,
) -> AutoscaleSummary {
    let col = |name: &str| ts.columns.iter().position(|c| c == name);
    let mut services = Vec::new();
    for (i, comp) in sys.components.iter().enumerate() {
        let ComponentKind::Service(cfg) = &comp.kind else {
            continue;
        };
        let Some(policy) = &cfg.autoscale else {
            continue;
        };
        let (min, max) = policy.bounds();
        // Every reconcile's values, logged or not (no-ops are only counted).
        let peak = peaks.get(i).cloned().unwrap_or_default();
        let ready = col(&format!("{}.replicas_ready", comp.name));
        let series: Vec<f64> = ready
            .map(|c| ts.rows.iter().filter_map(|r| r[c]).collect())
            .unwrap_or_default();
        let ready_min = series.iter().copied().fold(f64::INFINITY, f64::min);
        let ready_max = series.iter().copied().fold(0.0, f64::max);
        let peaks = peak
            .iter()
            .map(|(k, v)| format!("{k} {}", fmt_num(*v)))
            .collect::<Vec<_>>()
            .join(", ");
        let verdict = if ready_max as u32 >= max {
            format!("reached its maximum of {max} replicas; the highest metrics it read: {peaks}")
        } else {
            format!(
                "peaked at {} of its {max} replicas, so {max} were never needed; the highest metrics it read: {peaks}",
                ready_max as u32
            )
        };
        services.push(ServiceScaling {
            component: comp.name.clone(),
            min_replicas: min,
            max_replicas: max,
            ready_min: if ready_min.is_finite() {
                ready_min as u32
            } else {
                0
            },
            ready_max: ready_max as u32,
            peak_metrics: peak,
            verdict,
        });
    }
    let mut out = AutoscaleSummary {
        services,
        decisions: log.len() as u64 + noops,
        scale_ups: log.iter().filter(|d| d.desired > d.current).count() as u64,
        scale_downs: log.iter().filter(|d| d.desired < d.current).count() as u64,
        ..Default::default()
    };
    // Episodes: scale-ups of a component with less than 5 minutes between them.
    const GAP_S: f64 = 300.0;
    let (t_col, offered_col) = (col("time_s"), col("offered_rps"));
    let offered_at = |t0: f64, t1: f64| -> Vec<(f64, f64)> {
        match (t_col, offered_col) {
            (Some(tc), Some(oc)) => ts
                .rows
                .iter()
                .filter_map(|r| Some((r[tc]?, r[oc]?)))
                .filter(|&(t, _)| t > t0 && t <= t1)
                .collect(),
            _ => Vec::new(),
        }
    };
    for comp in &sys.components {
        let ups: Vec<&ScaleRecord> = log
            .iter()
            .filter(|d| d.component == comp.name && d.desired > d.current)
            .collect();
        let mut i = 0;
        while i < ups.len() {
            let mut j = i;
            while j + 1 < ups.len() && ups[j + 1].time_s - ups[j].time_s < GAP_S {
                j += 1;
            }
            let first = ups[i];
            let ready = ups[i..=j]
                .iter()
                .filter_map(|d| d.ready_s)
                .fold(first.time_s, f64::max);
            // Load rise: the first interval in the 5 minutes before the
            // decision whose offered rate exceeds 1.1x the 5 minutes before.
            let base: Vec<(f64, f64)> =
                offered_at(first.time_s - 2.0 * GAP_S, first.time_s - GAP_S);
            let rise = if base.is_empty() {
                first.time_s
            } else {
                let level = base.iter().map(|p| p.1).sum::<f64>() / base.len() as f64;
                offered_at(first.time_s - GAP_S, first.time_s)
                    .into_iter()
                    .find(|&(_, o)| o > 1.1 * level)
                    .map(|(t, _)| t - interval_ns as f64 / 1e9)
                    .unwrap_or(first.time_s)
                    .min(first.time_s)
            };
            out.surges.push(Surge {
                component: comp.name.clone(),
                load_rise_s: round6(rise),
                first_decision_s: round6(first.time_s),
                capacity_ready_s: round6(ready),
                from_replicas: first.current,
                to_replicas: ups[j].desired,
                time_to_first_decision_s: round6(first.time_s - rise),
                time_to_capacity_s: round6(ready - rise),
            });
            i = j + 1;
        }
    }
    // SLO breach minutes over the measured intervals.
    let slo = &sys.slo;
    let checks: Vec<(usize, f64)> = [
        ("latency_p95_ms", slo.p95_ns.map(|t| t as f64 / 1e6)),
        ("latency_p99_ms", slo.p99_ns.map(|t| t as f64 / 1e6)),
        ("error_rate", slo.error_rate),
    ]
    .into_iter()
    .filter_map(|(name, target)| Some((col(name)?, target?)))
    .collect();
    if let Some(tc) = t_col {
        let mut breached_s = 0.0;
        let mut prev_t = 0.0;
        for r in &ts.rows {
            let t = r[tc].unwrap_or(prev_t);
            let span = t - prev_t;
            if t * 1e9 > warmup_ns as f64
                && checks
                    .iter()
                    .any(|&(c, target)| r[c].is_some_and(|v| v > target))
            {
                breached_s += span;
            }
            prev_t = t;
        }
        out.slo_breach_minutes = round6(breached_s / 60.0);
    }
    out
}
