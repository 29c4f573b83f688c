//! Statistics across replications: Student-t confidence intervals for the
//! headline figures, the combined ("mean") result that `summary.json`,
//! the text summary and the report show, and per-interval bands for charts.
//!
//! Everything here is sequential and reads replications in index order, so
//! the combined figures do not depend on how many threads ran them.

use crate::metrics::result::{round6, ErrorCounts, LatencySummary, TimeSeries};
use crate::metrics::LatencyHistogram;
use crate::metrics::RunResult;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean, sample standard deviation and 95% confidence interval of one figure
/// over `n` replications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub mean: f64,
    pub sd: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub half_width: f64,
}

impl Estimate {
    /// `half_width / |mean|`; infinite when the mean is 0 and the width is not.
    pub fn relative_half_width(&self) -> f64 {
        if self.half_width == 0.0 {
            0.0
        } else if self.mean == 0.0 {
            f64::INFINITY
        } else {
            self.half_width / self.mean.abs()
        }
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (the factor
/// of a two-sided 95% interval). `df` 0 has no interval: infinity.
pub fn t975(df: u64) -> f64 {
    if df == 0 {
        return f64::INFINITY;
    }
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => f64::INFINITY,
    }
}

/// Mean, sd and t-interval of `values` (in order; summed sequentially).
/// `None` with fewer than two values or any non-finite one.
pub fn estimate(values: &[f64]) -> Option<Estimate> {
    let n = values.len();
    if n < 2 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sd = (ss / (n - 1) as f64).sqrt();
    let half = t975(n as u64 - 1) * sd / (n as f64).sqrt();
    Some(Estimate {
        mean: round6(mean),
        sd: round6(sd),
        ci95_low: round6(mean - half),
        ci95_high: round6(mean + half),
        half_width: round6(half),
    })
}

/// A headline figure: its key in `replications.figures` and how to read it.
pub struct Figure {
    pub key: &'static str,
    /// Short name for text output ("p95").
    pub label: &'static str,
    /// Unit for text output ("ms", "" for fractions shown as %).
    pub unit: &'static str,
    pub get: fn(&RunResult) -> Option<f64>,
}

/// The figures that get confidence intervals, in output order.
pub const FIGURES: &[Figure] = &[
    Figure {
        key: "latency_ms.mean",
        label: "mean",
        unit: "ms",
        get: |r| Some(r.latency_ms.mean),
    },
    Figure {
        key: "latency_ms.p50",
        label: "p50",
        unit: "ms",
        get: |r| Some(r.latency_ms.p50),
    },
    Figure {
        key: "latency_ms.p90",
        label: "p90",
        unit: "ms",
        get: |r| Some(r.latency_ms.p90),
    },
    Figure {
        key: "latency_ms.p95",
        label: "p95",
        unit: "ms",
        get: |r| Some(r.latency_ms.p95),
    },
    Figure {
        key: "latency_ms.p99",
        label: "p99",
        unit: "ms",
        get: |r| Some(r.latency_ms.p99),
    },
    Figure {
        key: "latency_ms.p999",
        label: "p99.9",
        unit: "ms",
        get: |r| Some(r.latency_ms.p999),
    },
    Figure {
        key: "error_rate",
        label: "error rate",
        unit: "%",
        get: |r| Some(r.error_rate),
    },
    Figure {
        key: "throughput_rps",
        label: "throughput",
        unit: "req/s",
        get: |r| Some(r.throughput_rps),
    },
    Figure {
        key: "wait_ms.mean",
        label: "wait mean",
        unit: "ms",
        get: |r| Some(r.wait_ms.mean),
    },
    Figure {
        key: "wait_ms.p95",
        label: "wait p95",
        unit: "ms",
        get: |r| Some(r.wait_ms.p95),
    },
    Figure {
        key: "cost.monthly.total_usd",
        label: "cost",
        unit: "USD/month",
        get: |r| r.cost.as_ref().map(|b| b.monthly.total_usd),
    },
];

/// How the warm-up was removed (per replication).
#[derive(Clone, Debug, Serialize)]
pub struct Warmup {
    pub method: &'static str,
    pub seconds: f64,
}

/// `--precision`: the target and whether it was met.
#[derive(Clone, Debug, Serialize)]
pub struct PrecisionReport {
    /// The figure the target applies to.
    pub figure: &'static str,
    /// Target relative half-width (0.02 = 2%).
    pub target: f64,
    /// Reached relative half-width.
    pub achieved: f64,
    pub met: bool,
    pub max_replications: u32,
}

/// The `replications` block of `summary.json`.
#[derive(Clone, Debug, Serialize)]
pub struct ReplicationStats {
    pub count: usize,
    /// Base seed shared by all replications; streams are derived from
    /// (seed, replication index, stream name).
    pub seed: u64,
    pub indices: Vec<u64>,
    pub warmup: Warmup,
    /// How the combined headline fields are formed.
    pub combine: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionReport>,
    pub figures: IndexMap<String, Estimate>,
}

impl ReplicationStats {
    pub fn new(results: &[RunResult]) -> Self {
        let figures = FIGURES
            .iter()
            .filter_map(|f| {
                let values: Option<Vec<f64>> = results.iter().map(|r| (f.get)(r)).collect();
                estimate(&values?).map(|e| (f.key.to_string(), e))
            })
            .collect();
        ReplicationStats {
            count: results.len(),
            seed: results.first().map_or(0, |r| r.seed),
            indices: results.iter().map(|r| r.replication).collect(),
            warmup: Warmup {
                method: "fixed",
                seconds: results.first().map_or(0.0, |r| r.warmup_s),
            },
            combine: "mean over replications (counts rounded; maxima are the largest)",
            precision: None,
            figures,
        }
    }

    pub fn figure(&self, key: &str) -> Option<&Estimate> {
        self.figures.get(key)
    }
}

fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        sum += v;
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        round6(sum / n as f64)
    }
}

fn mean_count(values: impl Iterator<Item = u64>) -> u64 {
    let (mut sum, mut n) = (0u128, 0u128);
    for v in values {
        sum += u128::from(v);
        n += 1;
    }
    if n == 0 {
        0
    } else {
        // Rounded half up; the mean of u64 values fits in u64.
        u64::try_from((2 * sum + n) / (2 * n)).unwrap_or(u64::MAX)
    }
}

fn mean_opt(values: Vec<Option<f64>>) -> Option<f64> {
    let some: Vec<f64> = values.into_iter().flatten().collect();
    (!some.is_empty()).then(|| mean_of(some.into_iter()))
}

fn mean_errors(all: &[&ErrorCounts]) -> ErrorCounts {
    let mut out = ErrorCounts::default();
    for (k, slot) in out.0.iter_mut().enumerate() {
        *slot = mean_count(all.iter().map(|e| e.0[k]));
    }
    out
}

fn mean_latency(all: &[&LatencySummary]) -> LatencySummary {
    LatencySummary {
        mean: mean_of(all.iter().map(|l| l.mean)),
        p50: mean_of(all.iter().map(|l| l.p50)),
        p90: mean_of(all.iter().map(|l| l.p90)),
        p95: mean_of(all.iter().map(|l| l.p95)),
        p99: mean_of(all.iter().map(|l| l.p99)),
        p999: mean_of(all.iter().map(|l| l.p999)),
        max: all.iter().map(|l| l.max).fold(0.0, f64::max),
    }
}

/// The combined result of several replications of one run: headline figures
/// are means over replications (counts rounded to integers, maxima the
/// largest, `saturated` if any replication saturated), SLO verdicts are
/// re-judged on the means, the time series is the per-interval mean and the
/// latency histograms are pooled. Other fields come from replication 0.
/// `cost` is left for the caller to re-bill from the combined counts.
pub fn combine(results: &[RunResult]) -> Option<RunResult> {
    let first = results.first()?;
    let mut c = first.clone();
    if results.len() == 1 {
        return Some(c);
    }
    let all = |f: fn(&RunResult) -> f64| mean_of(results.iter().map(f));
    c.duration_s = first.duration_s;
    c.workload.offered_rps = all(|r| r.workload.offered_rps);
    c.workload.peak_users = first.workload.peak_users.map(|_| {
        let v = mean_count(
            results
                .iter()
                .map(|r| u64::from(r.workload.peak_users.unwrap_or(0))),
        );
        u32::try_from(v).unwrap_or(u32::MAX)
    });
    c.requests.total = mean_count(results.iter().map(|r| r.requests.total));
    c.requests.completed = mean_count(results.iter().map(|r| r.requests.completed));
    c.requests.failed = mean_count(results.iter().map(|r| r.requests.failed));
    c.requests.in_flight_at_end = mean_count(results.iter().map(|r| r.requests.in_flight_at_end));
    let errs: Vec<&ErrorCounts> = results.iter().map(|r| &r.requests.errors).collect();
    c.requests.errors = mean_errors(&errs);
    c.error_rate = all(|r| r.error_rate);
    let lats: Vec<&LatencySummary> = results.iter().map(|r| &r.latency_ms).collect();
    c.latency_ms = mean_latency(&lats);
    c.wait_ms.mean = all(|r| r.wait_ms.mean);
    c.wait_ms.p95 = all(|r| r.wait_ms.p95);
    c.throughput_rps = all(|r| r.throughput_rps);
    c.in_system_mean = all(|r| r.in_system_mean);
    c.saturated = results.iter().any(|r| r.saturated);
    c.saturated_by = Vec::new();
    for r in results {
        for n in &r.saturated_by {
            if !c.saturated_by.contains(n) {
                c.saturated_by.push(n.clone());
            }
        }
    }
    c.events_processed = mean_count(results.iter().map(|r| r.events_processed));
    c.autoscale.decisions = mean_count(results.iter().map(|r| r.autoscale.decisions));
    c.autoscale.scale_ups = mean_count(results.iter().map(|r| r.autoscale.scale_ups));
    c.autoscale.scale_downs = mean_count(results.iter().map(|r| r.autoscale.scale_downs));
    c.autoscale.slo_breach_minutes = all(|r| r.autoscale.slo_breach_minutes);

    for (j, (name, cls)) in c.classes.iter_mut().enumerate() {
        let same: Vec<_> = results
            .iter()
            .filter_map(|r| {
                r.classes
                    .get(name)
                    .or_else(|| r.classes.get_index(j).map(|x| x.1))
            })
            .collect();
        cls.total = mean_count(same.iter().map(|x| x.total));
        cls.completed = mean_count(same.iter().map(|x| x.completed));
        cls.failed = mean_count(same.iter().map(|x| x.failed));
        let l: Vec<&LatencySummary> = same.iter().map(|x| &x.latency_ms).collect();
        cls.latency_ms = mean_latency(&l);
    }

    for (name, comp) in c.components.iter_mut() {
        let same: Vec<_> = results
            .iter()
            .filter_map(|r| r.components.get(name))
            .collect();
        comp.utilization = mean_of(same.iter().map(|x| x.utilization));
        comp.headroom_factor = mean_opt(same.iter().map(|x| x.headroom_factor).collect());
        comp.in_flight_mean = mean_opt(same.iter().map(|x| x.in_flight_mean).collect());
        comp.queue_mean = mean_opt(same.iter().map(|x| x.queue_mean).collect());
        comp.memory_mib_mean = mean_opt(same.iter().map(|x| x.memory_mib_mean).collect());
        comp.hit_ratio = mean_opt(same.iter().map(|x| x.hit_ratio).collect());
        comp.in_use_mean = mean_opt(same.iter().map(|x| x.in_use_mean).collect());
        comp.waiting_mean = mean_opt(same.iter().map(|x| x.waiting_mean).collect());
        comp.replica_utilization = mean_opt(same.iter().map(|x| x.replica_utilization).collect());
        comp.queue_max = same.iter().filter_map(|x| x.queue_max).max();
        comp.in_use_max = same.iter().filter_map(|x| x.in_use_max).max();
        comp.waiting_max = same.iter().filter_map(|x| x.waiting_max).max();
        comp.memory_mib_max = same
            .iter()
            .filter_map(|x| x.memory_mib_max)
            .reduce(f64::max);
        comp.replicas_max = same.iter().filter_map(|x| x.replicas_max).max();
        comp.replicas_min = same.iter().filter_map(|x| x.replicas_min).min();
        let errs: Vec<&ErrorCounts> = same.iter().map(|x| &x.errors).collect();
        comp.errors = mean_errors(&errs);
        if let Some(jobs) = comp.jobs.as_mut() {
            let js: Vec<_> = same.iter().filter_map(|x| x.jobs.as_ref()).collect();
            jobs.enqueued = mean_count(js.iter().map(|j| j.enqueued));
            jobs.completed = mean_count(js.iter().map(|j| j.completed));
            jobs.failed = mean_count(js.iter().map(|j| j.failed));
            let l: Vec<&LatencySummary> = js.iter().map(|j| &j.latency_ms).collect();
            jobs.latency_ms = mean_latency(&l);
        }
    }

    c.bottleneck = crate::metrics::headroom::tightest(&c.components);

    for (j, v) in c.slo.iter_mut().enumerate() {
        v.actual = mean_of(
            results
                .iter()
                .filter_map(|r| r.slo.get(j))
                .map(|x| x.actual),
        );
        v.ok = v.actual <= v.target;
    }

    let mut warnings: Vec<String> = Vec::new();
    for r in results {
        for w in &r.warnings {
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
    }
    c.warnings = warnings;
    c.timeseries = mean_timeseries(results);
    c.latency = pooled(results.iter().map(|r| &r.latency));
    c.wait = pooled(results.iter().map(|r| &r.wait));
    Some(c)
}

fn pooled<'a>(hists: impl Iterator<Item = &'a LatencyHistogram>) -> LatencyHistogram {
    let mut out = LatencyHistogram::default();
    for h in hists {
        out.merge(h);
    }
    out
}

/// Values of one time-series column per replication, by interval: `[row][rep]`.
fn column_values(results: &[RunResult], col: usize) -> Vec<Vec<f64>> {
    let rows = results
        .iter()
        .map(|r| r.timeseries.rows.len())
        .min()
        .unwrap_or(0);
    (0..rows)
        .map(|i| {
            results
                .iter()
                .filter_map(|r| r.timeseries.rows[i].get(col).copied().flatten())
                .collect()
        })
        .collect()
}

/// The per-interval mean of every column (cells empty in every replication
/// stay empty). Replications of one run share their columns and intervals.
pub fn mean_timeseries(results: &[RunResult]) -> TimeSeries {
    let Some(first) = results.first() else {
        return TimeSeries::default();
    };
    let ncols = first.timeseries.columns.len();
    let per_col: Vec<Vec<Vec<f64>>> = (0..ncols).map(|c| column_values(results, c)).collect();
    let nrows = per_col.first().map_or(0, Vec::len);
    let rows = (0..nrows)
        .map(|i| {
            per_col
                .iter()
                .map(|col| {
                    let v = &col[i];
                    (!v.is_empty()).then(|| mean_of(v.iter().copied()))
                })
                .collect()
        })
        .collect();
    TimeSeries {
        columns: first.timeseries.columns.clone(),
        rows,
    }
}

/// Per interval of column `name`: `(time_s, low, high)` of the 95% interval
/// of the mean over replications (intervals with fewer than two values are
/// left out).
pub fn band(results: &[RunResult], name: &str) -> Vec<(f64, f64, f64)> {
    let Some(first) = results.first() else {
        return Vec::new();
    };
    let cols = &first.timeseries.columns;
    let (Some(col), Some(tcol)) = (
        cols.iter().position(|c| c == name),
        cols.iter().position(|c| c == "time_s"),
    ) else {
        return Vec::new();
    };
    let times = column_values(results, tcol);
    column_values(results, col)
        .iter()
        .zip(times)
        .filter_map(|(v, t)| {
            let e = estimate(v)?;
            Some((*t.first()?, e.ci95_low, e.ci95_high))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t975(1) - 12.706).abs() < 1e-3);
        assert!((t975(9) - 2.262).abs() < 1e-3);
        assert!((t975(1000) - 1.962).abs() < 1e-3);
        assert!(t975(0).is_infinite());
    }

    #[test]
    fn estimate_of_known_values() {
        let e = estimate(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(e.mean, 2.5);
        assert!((e.sd - 1.290994).abs() < 1e-6);
        // t(3) = 3.182446; 3.182446 * sqrt(5/3) / 2 = 2.054265
        assert!((e.half_width - 2.054265).abs() < 1e-5, "{e:?}");
        assert!(estimate(&[1.0]).is_none());
        assert!(estimate(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn counts_round_half_up() {
        assert_eq!(mean_count([1, 2].into_iter()), 2);
        assert_eq!(mean_count([1, 1, 2].into_iter()), 1);
        assert_eq!(mean_count(std::iter::empty()), 0);
    }
}
