//! SLO expressions (`p95<200ms`, `errors<1%`, `availability>99.9%`...) and the
//! verdict of one against a run or against replications of a run.
//!
//! Used by `capsim check` (flags and the model's `[slo]`) and `capsim optimize`.
//! Values are held in one canonical unit per metric: milliseconds for latencies,
//! seconds for `time_to_capacity`, a fraction for `errors` and `availability`,
//! USD per month for `monthly_cost`, requests/s for `throughput`.

use crate::experiment::stats::{estimate, Estimate};
use crate::input::model::Slo;
use crate::stack::RunResult;

/// What an SLO constrains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Mean,
    P50,
    P90,
    P95,
    P99,
    P999,
    /// Failed / offered requests.
    Errors,
    /// 1 − error rate.
    Availability,
    MonthlyCost,
    /// Largest `autoscale.surges[].time_to_capacity_s`.
    TimeToCapacity,
    Throughput,
}

/// Metric names accepted in expressions, and the canonical name of each.
const NAMES: &[(&str, Metric)] = &[
    ("mean", Metric::Mean),
    ("p50", Metric::P50),
    ("p90", Metric::P90),
    ("p95", Metric::P95),
    ("p99", Metric::P99),
    ("p999", Metric::P999),
    ("p99.9", Metric::P999),
    ("errors", Metric::Errors),
    ("error_rate", Metric::Errors),
    ("availability", Metric::Availability),
    ("monthly_cost", Metric::MonthlyCost),
    ("cost", Metric::MonthlyCost),
    ("time_to_capacity", Metric::TimeToCapacity),
    ("throughput", Metric::Throughput),
];

/// The list of metric names for error messages.
pub const METRIC_LIST: &str =
    "mean, p50, p90, p95, p99, p999, errors, availability, monthly_cost, time_to_capacity, throughput";

impl Metric {
    pub fn parse(s: &str) -> Option<Metric> {
        let s = s.trim().to_ascii_lowercase();
        NAMES.iter().find(|(n, _)| *n == s).map(|(_, m)| *m)
    }

    pub fn name(self) -> &'static str {
        match self {
            Metric::Mean => "mean",
            Metric::P50 => "p50",
            Metric::P90 => "p90",
            Metric::P95 => "p95",
            Metric::P99 => "p99",
            Metric::P999 => "p999",
            Metric::Errors => "errors",
            Metric::Availability => "availability",
            Metric::MonthlyCost => "monthly_cost",
            Metric::TimeToCapacity => "time_to_capacity",
            Metric::Throughput => "throughput",
        }
    }

    pub fn is_latency(self) -> bool {
        matches!(
            self,
            Metric::Mean | Metric::P50 | Metric::P90 | Metric::P95 | Metric::P99 | Metric::P999
        )
    }

    /// The value of the metric in a run, in its canonical unit. `None` when the run
    /// has no such figure: no bill (cost), no surge (time to capacity), or no
    /// completed request (latencies).
    pub fn value(self, r: &RunResult) -> Option<f64> {
        let l = &r.latency_ms;
        let lat = |v: f64| (r.requests.completed > 0).then_some(v);
        match self {
            Metric::Mean => lat(l.mean),
            Metric::P50 => lat(l.p50),
            Metric::P90 => lat(l.p90),
            Metric::P95 => lat(l.p95),
            Metric::P99 => lat(l.p99),
            Metric::P999 => lat(l.p999),
            Metric::Errors => Some(r.error_rate),
            Metric::Availability => Some(1.0 - r.error_rate),
            Metric::MonthlyCost => r.cost.as_ref().map(|b| b.monthly.total_usd),
            Metric::TimeToCapacity => r
                .autoscale
                .surges
                .iter()
                .map(|s| s.time_to_capacity_s)
                .reduce(f64::max),
            Metric::Throughput => Some(r.throughput_rps),
        }
    }

    /// A value in the metric's unit, for people: `212.4 ms`, `0.52%`, `$1,234.50`.
    pub fn show(self, v: f64) -> String {
        match self {
            m if m.is_latency() => format!("{} ms", trim(v, 1)),
            Metric::Errors | Metric::Availability => format!("{}%", trim(v * 100.0, 3)),
            Metric::MonthlyCost => format!("${}", trim(v, 2)),
            Metric::TimeToCapacity => format!("{} s", trim(v, 1)),
            _ => format!("{} req/s", trim(v, 1)),
        }
    }
}

/// A number with at most `decimals` decimals, trailing zeros trimmed.
pub fn trim(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// The comparison of an SLO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
    /// Whether `v` is on the good side of `t`.
    pub fn holds(self, v: f64, t: f64) -> bool {
        match self {
            Op::Lt => v < t,
            Op::Le => v <= t,
            Op::Gt => v > t,
            Op::Ge => v >= t,
        }
    }
}

/// One SLO: `metric op threshold`.
#[derive(Clone, Debug, PartialEq)]
pub struct SloExpr {
    pub metric: Metric,
    pub op: Op,
    /// In the metric's canonical unit.
    pub threshold: f64,
    /// `--slo` or `model [slo]`.
    pub source: &'static str,
}

impl SloExpr {
    /// `p95 < 200 ms`.
    pub fn label(&self) -> String {
        format!("{} {}", self.metric.name(), self.target())
    }
    /// `< 200 ms`.
    pub fn target(&self) -> String {
        format!("{} {}", self.op.symbol(), self.metric.show(self.threshold))
    }
    /// The flag that states this SLO (`p95<200ms`).
    pub fn flag(&self) -> String {
        let t = self.threshold;
        let v = match self.metric {
            m if m.is_latency() => format!("{}ms", trim(t, 6)),
            Metric::Errors | Metric::Availability => format!("{}%", trim(t * 100.0, 6)),
            Metric::TimeToCapacity => format!("{}s", trim(t, 6)),
            _ => trim(t, 6),
        };
        format!("{}{}{v}", self.metric.name(), self.op.symbol())
    }
}

/// Parses `p95<200ms`, `errors<1%`, `monthly_cost<1500`, `availability>99.9%`,
/// `time_to_capacity<2m`, `throughput>900`. The error says what was found and
/// what was expected (the caller names the flag).
pub fn parse_slo(s: &str) -> Result<SloExpr, String> {
    let t = s.trim();
    let Some(pos) = t.find(['<', '>']) else {
        return Err(format!(
            "found \"{s}\", expected METRIC<VALUE or METRIC>VALUE such as p95<200ms, errors<1%, availability>99.9% (metrics: {METRIC_LIST})"
        ));
    };
    let (name, rest) = t.split_at(pos);
    let (op, value) = if let Some(v) = rest.strip_prefix("<=") {
        (Op::Le, v)
    } else if let Some(v) = rest.strip_prefix(">=") {
        (Op::Ge, v)
    } else if let Some(v) = rest.strip_prefix('<') {
        (Op::Lt, v)
    } else {
        (Op::Gt, &rest[1..])
    };
    let metric = Metric::parse(name).ok_or_else(|| {
        format!(
            "found metric \"{}\" in \"{s}\", expected one of {METRIC_LIST}",
            name.trim()
        )
    })?;
    let threshold = parse_value(metric, value).map_err(|m| format!("in \"{s}\": {m}"))?;
    Ok(SloExpr {
        metric,
        op,
        threshold,
        source: "--slo",
    })
}

/// A threshold in the metric's canonical unit.
pub fn parse_value(metric: Metric, s: &str) -> Result<f64, String> {
    let v = s.trim();
    if v.is_empty() {
        return Err("found no value after the comparison".into());
    }
    let number = |x: &str, what: &str| -> Result<f64, String> {
        match x.trim().replace('_', "").parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
            _ => Err(format!("found \"{v}\", expected {what}")),
        }
    };
    match metric {
        m if m.is_latency() || m == Metric::TimeToCapacity => {
            let d = crate::input::parse_duration(v)?;
            let ns = d.nanos() as f64;
            Ok(if m == Metric::TimeToCapacity {
                ns / 1e9
            } else {
                ns / 1e6
            })
        }
        Metric::Errors | Metric::Availability => {
            let f = match v.strip_suffix('%') {
                Some(p) => number(p, "a percentage such as 1% or a fraction such as 0.01")? / 100.0,
                None => number(v, "a percentage such as 1% or a fraction such as 0.01")?,
            };
            if f > 1.0 {
                return Err(format!("found \"{v}\", expected at most 100%"));
            }
            Ok(f)
        }
        Metric::MonthlyCost => {
            let x = v.trim_start_matches('$');
            let x = x
                .strip_suffix("USD")
                .or_else(|| x.strip_suffix("usd"))
                .unwrap_or(x);
            number(x, "US dollars per month such as 1500")
        }
        _ => {
            let x = v
                .strip_suffix("rps")
                .or_else(|| v.strip_suffix("/s"))
                .unwrap_or(v);
            number(x, "requests per second such as 900")
        }
    }
}

/// The model's `[slo]` as expressions (`<=`, as `summary.json`'s verdicts judge them).
pub fn from_model(slo: &Slo) -> Vec<SloExpr> {
    let ms = |ns: Option<u64>| ns.map(|n| n as f64 / 1e6);
    let mut out = Vec::new();
    for (metric, v) in [
        (Metric::Mean, ms(slo.mean_ns)),
        (Metric::P50, ms(slo.p50_ns)),
        (Metric::P90, ms(slo.p90_ns)),
        (Metric::P95, ms(slo.p95_ns)),
        (Metric::P99, ms(slo.p99_ns)),
        (Metric::P999, ms(slo.p999_ns)),
        (Metric::Errors, slo.error_rate),
    ] {
        if let Some(threshold) = v {
            out.push(SloExpr {
                metric,
                op: Op::Le,
                threshold,
                source: "model [slo]",
            });
        }
    }
    out
}

/// The outcome of one SLO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    /// The 95% interval straddles the threshold.
    TooClose,
}

impl Status {
    pub fn emoji(self) -> &'static str {
        match self {
            Status::Pass => "✅",
            Status::Fail => "❌",
            Status::TooClose => "⚠️",
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::TooClose => "too close to call",
        }
    }
}

/// An SLO judged against one run or several replications.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub slo: SloExpr,
    pub status: Status,
    /// The value (the mean over replications), if any.
    pub actual: Option<f64>,
    /// The 95% interval, with two replications or more.
    pub ci: Option<Estimate>,
    /// Why the verdict is what it is, when that is not obvious.
    pub note: Option<String>,
}

impl Verdict {
    /// `212.4 ms` or `212.4 ms (95% CI 205.1–219.7)`.
    pub fn actual_text(&self) -> String {
        let m = self.slo.metric;
        match (&self.ci, self.actual) {
            (Some(e), _) => format!(
                "{} (95% CI {} – {})",
                m.show(e.mean),
                m.show(e.ci95_low),
                m.show(e.ci95_high)
            ),
            (None, Some(v)) => m.show(v),
            (None, None) => "n/a".into(),
        }
    }
}

/// Judges `slo` against replications `runs` (in index order). One run: the value
/// against the threshold. Several: the 95% Student-t interval of the mean — pass
/// if all of it is on the good side, fail if all of it is on the bad side, too
/// close to call otherwise.
pub fn judge(slo: &SloExpr, runs: &[RunResult]) -> Verdict {
    let m = slo.metric;
    let values: Vec<Option<f64>> = runs.iter().map(|r| m.value(r)).collect();
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let verdict = |status, actual, ci, note: Option<String>| Verdict {
        slo: slo.clone(),
        status,
        actual,
        ci,
        note,
    };
    if present.is_empty() {
        return match m {
            Metric::TimeToCapacity => verdict(
                Status::Pass,
                None,
                None,
                Some("no autoscaling surge in the run: passes vacuously".into()),
            ),
            Metric::MonthlyCost => verdict(
                Status::Fail,
                None,
                None,
                Some("the model names no SKU, so there is no bill: add `sku` to components (see docs/model-format.md, \"Cost\")".into()),
            ),
            _ => verdict(
                Status::Fail,
                None,
                None,
                Some("no request completed".into()),
            ),
        };
    }
    let mut note = None;
    if m.is_latency() && present.len() < values.len() {
        // A replication without any completion has no latency: it breaks the SLO.
        return verdict(
            Status::Fail,
            None,
            None,
            Some("a replication completed no request".into()),
        );
    }
    if m == Metric::TimeToCapacity && present.len() < values.len() {
        note = Some(format!(
            "{} of {} replications had a surge; judged on those",
            present.len(),
            values.len()
        ));
    }
    let Some(e) = estimate(&present) else {
        let v = present.iter().copied().fold(f64::NAN, |a, b| {
            if a.is_nan() {
                b
            } else if matches!(slo.op, Op::Lt | Op::Le) {
                a.max(b)
            } else {
                a.min(b)
            }
        });
        let status = if slo.op.holds(v, slo.threshold) {
            Status::Pass
        } else {
            Status::Fail
        };
        return verdict(status, Some(v), None, note);
    };
    let (low_ok, high_ok) = (
        slo.op.holds(e.ci95_low, slo.threshold),
        slo.op.holds(e.ci95_high, slo.threshold),
    );
    let status = match (low_ok, high_ok) {
        (true, true) => Status::Pass,
        (false, false) => Status::Fail,
        _ => Status::TooClose,
    };
    if status == Status::TooClose && note.is_none() {
        note = Some(format!(
            "the 95% interval straddles {}: run more replications to decide",
            m.show(slo.threshold)
        ));
    }
    let mean = e.mean;
    verdict(status, Some(mean), Some(e), note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let p = |s: &str| parse_slo(s).unwrap();
        assert_eq!(p("p95<200ms").threshold, 200.0);
        assert_eq!(p("p99<1s").threshold, 1000.0);
        assert_eq!(p("mean<50ms").metric, Metric::Mean);
        assert!((p("errors<1%").threshold - 0.01).abs() < 1e-12);
        assert_eq!(p("monthly_cost<1500").threshold, 1500.0);
        assert_eq!(p("time_to_capacity<2m").threshold, 120.0);
        let a = p("availability>99.9%");
        assert_eq!(a.op, Op::Gt);
        assert!((a.threshold - 0.999).abs() < 1e-12);
        assert_eq!(p("throughput>900").threshold, 900.0);
        assert_eq!(p(" p95 <= 200ms ").op, Op::Le);
        assert_eq!(parse_slo(&p("p95<200ms").flag()).unwrap(), p("p95<200ms"));
    }

    #[test]
    fn rejects_with_what_was_found() {
        for (s, needle) in [
            ("p95=200ms", "expected METRIC<VALUE"),
            ("p96<200ms", "found metric \"p96\""),
            ("p95<200", "without a unit"),
            ("errors<abc", "expected a percentage"),
            ("errors<150%", "at most 100%"),
            ("p95<", "no value"),
            ("throughput>-3", "requests per second"),
        ] {
            let e = parse_slo(s).unwrap_err();
            assert!(e.contains(needle), "{s}: {e}");
        }
    }
}
