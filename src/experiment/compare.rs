//! `capsim compare BASE CANDIDATE`: the headline figures of two runs side by side,
//! with absolute and relative change, significance (Welch's t-test at 95% when both
//! sides carry replication statistics) and `--fail-on` regression thresholds.
//!
//! BASE and CANDIDATE are output folders (their `summary.json`), `summary.json`
//! files, or two model files run on the same scenario with the same seed and
//! stream names (common random numbers: both see the same arrivals, so the
//! difference is the models', not noise).

use crate::experiment::run::{load_inputs_with_pricing, RunError};
use crate::experiment::slo_expr::{trim, Metric};
use crate::experiment::stats::{self, ReplicationStats};
use crate::input::{InputError, InputErrors};
use rayon::prelude::*;
use serde_json::Value;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::path::{Path, PathBuf};

/// Options of `capsim compare`.
#[derive(Clone, Debug, Default)]
pub struct CompareOptions {
    /// Scenario, when BASE and CANDIDATE are model files.
    pub scenario: Option<PathBuf>,
    pub seed: Option<u64>,
    /// Replications per side, for model files.
    pub replications: u32,
    pub pricing: Option<PathBuf>,
    pub fail_on: Vec<FailOn>,
}

/// One side of a comparison: its name and its `summary.json`.
pub struct Side {
    pub name: String,
    pub summary: Value,
}

/// Reads one side: a folder with `summary.json`, a `.json` file, or a model file
/// simulated under `opts.scenario`.
pub fn load_side(path: &Path, opts: &CompareOptions) -> Result<Side, RunError> {
    let name = path.display().to_string();
    let json = if path.is_dir() {
        Some(path.join("summary.json"))
    } else if path.extension().is_some_and(|e| e == "json") {
        Some(path.to_path_buf())
    } else {
        None
    };
    if let Some(file) = json {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| InputErrors::from(InputError::new(&file, format!("cannot read: {e}"))))?;
        let summary: Value = serde_json::from_str(&text).map_err(|e| {
            let mut err = InputError::new(&file, format!("not a summary.json: {e}"));
            err.line = Some(e.line());
            err.column = Some(e.column());
            InputErrors::from(err)
        })?;
        if summary.get("latency_ms").is_none() {
            return Err(InputErrors::from(InputError::new(
                &file,
                "not a capsim summary.json: no `latency_ms`",
            ))
            .into());
        }
        return Ok(Side { name, summary });
    }
    let Some(scenario) = &opts.scenario else {
        return Err(RunError::Options(format!(
            "{name} is a model file, not an output folder: give --scenario to run both models on it"
        )));
    };
    Ok(Side {
        name,
        summary: simulate_summary(path, scenario, opts)?,
    })
}

/// Simulates a model (replications in parallel, results in index order), bills it
/// and returns what its `summary.json` would hold.
fn simulate_summary(
    model: &Path,
    scenario: &Path,
    opts: &CompareOptions,
) -> Result<Value, RunError> {
    let (system, sc) = load_inputs_with_pricing(model, scenario, opts.pricing.as_deref())?;
    let seed = opts.seed.unwrap_or(sc.seed);
    let n = u64::from(
        opts.replications
            .clamp(1, crate::experiment::run::REPLICATIONS_LIMIT),
    );
    let mut runs: Vec<_> = (0..n)
        .into_par_iter()
        .map(|i| crate::stack::simulate(&system, &sc, seed, i))
        .collect();
    let bill = |r: &mut crate::stack::RunResult| -> Result<(), RunError> {
        r.cost = crate::billing::bill(&system, &sc, r)
            .map_err(|m| InputErrors::from(InputError::new(model, m)))?;
        Ok(())
    };
    for r in &mut runs {
        bill(r)?;
    }
    let mut result = stats::combine(&runs).ok_or_else(|| RunError::Options("no run".into()))?;
    let rs = (runs.len() > 1).then(|| ReplicationStats::new(&runs));
    if runs.len() > 1 {
        bill(&mut result)?;
    }
    let text = crate::report::run_summary_json(&result, rs.as_ref());
    serde_json::from_str(&text).map_err(|e| RunError::Options(format!("internal: {e}")))
}

/// How a figure is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Unit {
    Ms,
    Fraction,
    Rps,
    Usd,
    Count,
    Seconds,
}

fn show(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Ms => format!("{} ms", trim(v, 2)),
        Unit::Fraction => format!("{}%", trim(v * 100.0, 3)),
        Unit::Rps => format!("{} req/s", trim(v, 1)),
        Unit::Usd => format!("${}", trim(v, 2)),
        Unit::Count => trim(v, 2),
        Unit::Seconds => format!("{} s", trim(v, 1)),
    }
}

fn show_delta(unit: Unit, d: f64) -> String {
    let sign = if d > 0.0 { "+" } else { "-" };
    match unit {
        Unit::Fraction => format!("{sign}{} pp", trim(d.abs() * 100.0, 3)),
        _ => format!("{sign}{}", show(unit, d.abs())),
    }
}

/// One row of the comparison.
#[derive(Clone, Debug)]
pub struct Row {
    pub figure: String,
    pub base: Option<f64>,
    pub candidate: Option<f64>,
    unit: Unit,
    /// `Some(true)`: significant at 95%; `None`: no statistics on one side.
    pub significant: Option<bool>,
    pub p_value: Option<f64>,
    /// Whether the figure has replication statistics at all (replica counts do not).
    has_stats: bool,
}

impl Row {
    pub fn delta(&self) -> Option<f64> {
        Some(self.candidate? - self.base?)
    }
    pub fn relative(&self) -> Option<f64> {
        let (b, d) = (self.base?, self.delta()?);
        if d == 0.0 {
            Some(0.0)
        } else if b == 0.0 {
            None
        } else {
            Some(d / b.abs())
        }
    }
}

fn at<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |node, k| node.get(k))
}

fn num(v: &Value, dotted: &str) -> Option<f64> {
    at(v, dotted)?.as_f64()
}

fn time_to_capacity(v: &Value) -> Option<f64> {
    at(v, "autoscale.surges")?
        .as_array()?
        .iter()
        .filter_map(|s| s.get("time_to_capacity_s")?.as_f64())
        .reduce(f64::max)
}

/// `(mean, sd, n)` of a figure from the `replications` block.
fn rep_stats(v: &Value, key: &str) -> Option<(f64, f64, f64)> {
    let r = v.get("replications")?;
    let n = r.get("count")?.as_f64()?;
    let f = r.get("figures")?.get(key)?;
    Some((f.get("mean")?.as_f64()?, f.get("sd")?.as_f64()?, n))
}

/// Welch's two-sample t-test: the two-sided p-value of equal means.
pub fn welch_p(a: (f64, f64, f64), b: (f64, f64, f64)) -> Option<f64> {
    let ((m1, s1, n1), (m2, s2, n2)) = (a, b);
    if n1 < 2.0 || n2 < 2.0 {
        return None;
    }
    let (v1, v2) = (s1 * s1 / n1, s2 * s2 / n2);
    let se2 = v1 + v2;
    if se2 == 0.0 {
        return Some(if m1 == m2 { 1.0 } else { 0.0 });
    }
    let t = (m2 - m1) / se2.sqrt();
    let df = se2 * se2 / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * (1.0 - dist.cdf(t.abs()))).clamp(0.0, 1.0))
}

/// The table of headline figures.
pub fn rows(base: &Value, cand: &Value) -> Vec<Row> {
    let mut out = Vec::new();
    let mut push =
        |figure: String, key: Option<&str>, unit: Unit, get: &dyn Fn(&Value) -> Option<f64>| {
            let (b, c) = (get(base), get(cand));
            let (mut significant, mut p_value) = (None, None);
            if let Some(k) = key {
                if let (Some(sa), Some(sb)) = (rep_stats(base, k), rep_stats(cand, k)) {
                    p_value = welch_p(sa, sb);
                    significant = p_value.map(|p| p < 0.05);
                }
            }
            out.push(Row {
                figure,
                base: b,
                candidate: c,
                unit,
                significant,
                p_value,
                has_stats: key.is_some(),
            });
        };
    for (label, key) in [
        ("latency mean", "latency_ms.mean"),
        ("latency p50", "latency_ms.p50"),
        ("latency p95", "latency_ms.p95"),
        ("latency p99", "latency_ms.p99"),
    ] {
        push(label.into(), Some(key), Unit::Ms, &|v| num(v, key));
    }
    push(
        "error rate".into(),
        Some("error_rate"),
        Unit::Fraction,
        &|v| num(v, "error_rate"),
    );
    push(
        "throughput".into(),
        Some("throughput_rps"),
        Unit::Rps,
        &|v| num(v, "throughput_rps"),
    );
    push(
        "monthly cost".into(),
        Some("cost.monthly.total_usd"),
        Unit::Usd,
        &|v| num(v, "cost.monthly.total_usd"),
    );
    let mut services: Vec<String> = Vec::new();
    for side in [base, cand] {
        if let Some(m) = side.get("components").and_then(Value::as_object) {
            for (name, c) in m {
                if c.get("kind").and_then(Value::as_str) == Some("service")
                    && !services.contains(name)
                {
                    services.push(name.clone());
                }
            }
        }
    }
    for s in &services {
        let get = |v: &Value| {
            let c = v.get("components")?.get(s.as_str())?;
            c.get("replicas_max")
                .or_else(|| c.get("replicas"))
                .and_then(Value::as_f64)
        };
        push(format!("max replicas {s}"), None, Unit::Count, &get);
    }
    push(
        "time to capacity".into(),
        None,
        Unit::Seconds,
        &time_to_capacity,
    );
    out
}

/// A `--fail-on` threshold: `p95+10%`, `errors+0.5pp`, `monthly_cost+5%`, `p99+50ms`,
/// `throughput-5%`.
#[derive(Clone, Debug, PartialEq)]
pub struct FailOn {
    pub text: String,
    pub metric: Metric,
    /// `+`: an increase beyond the limit fails; `-`: a decrease.
    pub up: bool,
    pub limit: Limit,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Limit {
    /// A fraction of the base value (10% = 0.1).
    Relative(f64),
    /// In the metric's canonical unit (ms, fraction, USD, req/s, s).
    Absolute(f64),
}

/// Parses a `--fail-on` expression.
pub fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    let t = s.trim();
    let expected = "expected METRIC+LIMIT or METRIC-LIMIT such as p95+10%, errors+0.5pp, monthly_cost+5%, p99+50ms";
    let Some(pos) = t.find(['+', '-']) else {
        return Err(format!("found \"{s}\", {expected}"));
    };
    let (name, rest) = t.split_at(pos);
    let up = rest.starts_with('+');
    let value = rest[1..].trim();
    let metric = Metric::parse(name).ok_or_else(|| {
        format!(
            "found metric \"{}\" in \"{s}\", expected one of {}",
            name.trim(),
            crate::experiment::slo_expr::METRIC_LIST
        )
    })?;
    let number = |x: &str| -> Result<f64, String> {
        match x.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(format!("found \"{value}\" in \"{s}\", {expected}")),
        }
    };
    let limit = if let Some(p) = value.strip_suffix('%') {
        Limit::Relative(number(p)? / 100.0)
    } else if let Some(p) = value.strip_suffix("pp") {
        if !matches!(metric, Metric::Errors | Metric::Availability) {
            return Err(format!(
                "found \"{value}\" in \"{s}\": percentage points (pp) apply to errors and availability; use % for a relative change"
            ));
        }
        Limit::Absolute(number(p)? / 100.0)
    } else if metric.is_latency() || metric == Metric::TimeToCapacity {
        let d = crate::input::parse_duration(value).map_err(|m| format!("in \"{s}\": {m}"))?;
        let ns = d.nanos() as f64;
        Limit::Absolute(if metric == Metric::TimeToCapacity {
            ns / 1e9
        } else {
            ns / 1e6
        })
    } else if matches!(metric, Metric::Errors | Metric::Availability) {
        return Err(format!(
            "found \"{value}\" in \"{s}\", expected a relative limit (5%) or percentage points (0.5pp)"
        ));
    } else {
        let v = value.trim_start_matches('$');
        Limit::Absolute(number(v)?)
    };
    Ok(FailOn {
        text: t.to_string(),
        metric,
        up,
        limit,
    })
}

fn metric_value(v: &Value, m: Metric) -> Option<f64> {
    match m {
        Metric::Mean => num(v, "latency_ms.mean"),
        Metric::P50 => num(v, "latency_ms.p50"),
        Metric::P90 => num(v, "latency_ms.p90"),
        Metric::P95 => num(v, "latency_ms.p95"),
        Metric::P99 => num(v, "latency_ms.p99"),
        Metric::P999 => num(v, "latency_ms.p999"),
        Metric::Errors => num(v, "error_rate"),
        Metric::Availability => num(v, "error_rate").map(|e| 1.0 - e),
        Metric::MonthlyCost => num(v, "cost.monthly.total_usd"),
        Metric::TimeToCapacity => time_to_capacity(v),
        Metric::Throughput => num(v, "throughput_rps"),
    }
}

/// The verdict of one `--fail-on`.
#[derive(Clone, Debug)]
pub struct Gate {
    pub rule: FailOn,
    /// `None`: the figure is missing on a side (not judged).
    pub failed: Option<bool>,
    pub detail: String,
}

/// Judges a `--fail-on` on the two sides' (mean) figures.
pub fn gate(rule: &FailOn, base: &Value, cand: &Value) -> Gate {
    let m = rule.metric;
    let (Some(b), Some(c)) = (metric_value(base, m), metric_value(cand, m)) else {
        return Gate {
            rule: rule.clone(),
            failed: None,
            detail: format!("{} is not available on both sides: not judged", m.name()),
        };
    };
    let change = if rule.up { c - b } else { b - c };
    let allowed = match rule.limit {
        Limit::Relative(f) => f * b.abs(),
        Limit::Absolute(a) => a,
    };
    let failed = change > allowed + 1e-12 * b.abs().max(1.0);
    Gate {
        rule: rule.clone(),
        failed: Some(failed),
        detail: format!(
            "{} {} → {} ({})",
            m.name(),
            m.show(b),
            m.show(c),
            if failed { "regression" } else { "within limit" }
        ),
    }
}

/// The whole comparison.
pub struct Comparison {
    pub base: String,
    pub candidate: String,
    pub rows: Vec<Row>,
    pub gates: Vec<Gate>,
}

impl Comparison {
    pub fn failed(&self) -> bool {
        self.gates.iter().any(|g| g.failed == Some(true))
    }
    /// No figure changed.
    pub fn unchanged(&self) -> bool {
        self.rows.iter().all(|r| {
            !matches!(r.delta(), Some(d) if d != 0.0) && r.base.is_some() == r.candidate.is_some()
        })
    }
}

/// Loads both sides and compares them.
pub fn compare(
    base: &Path,
    candidate: &Path,
    opts: &CompareOptions,
) -> Result<Comparison, RunError> {
    let b = load_side(base, opts)?;
    let c = load_side(candidate, opts)?;
    let rows = rows(&b.summary, &c.summary);
    let gates = opts
        .fail_on
        .iter()
        .map(|r| gate(r, &b.summary, &c.summary))
        .collect();
    Ok(Comparison {
        base: b.name,
        candidate: c.name,
        rows,
        gates,
    })
}

fn opt_show(unit: Unit, v: Option<f64>) -> String {
    v.map_or("—".into(), |x| show(unit, x))
}

/// The Markdown table (also printed on stdout).
pub fn markdown(c: &Comparison) -> String {
    let mut s = String::from("### capsim compare\n\n");
    s.push_str(&format!(
        "Base `{}` → candidate `{}`{}\n\n",
        c.base,
        c.candidate,
        if c.unchanged() {
            " — **no change**"
        } else {
            ""
        }
    ));
    s.push_str("| figure | base | candidate | change | relative | significance |\n");
    s.push_str("|---|---:|---:|---:|---:|---|\n");
    for r in &c.rows {
        let change = r.delta().map_or("—".into(), |d| {
            if d == 0.0 {
                "no change".into()
            } else {
                show_delta(r.unit, d)
            }
        });
        let rel = match (r.relative(), r.delta()) {
            (Some(x), _) => {
                let sign = if x > 0.0 { "+" } else { "" };
                format!("{sign}{}%", trim(x * 100.0, 1))
            }
            (None, Some(_)) => "new".into(),
            (None, None) => "—".into(),
        };
        let sig = match (r.significant, r.p_value) {
            (Some(true), Some(p)) if p < 0.0001 => "significant (p < 0.0001)".into(),
            (Some(true), Some(p)) => format!("significant (p = {})", trim(p, 4)),
            (Some(false), Some(p)) => format!("not significant (p = {})", trim(p, 4)),
            _ if !r.has_stats => "—".into(),
            _ if r.delta() == Some(0.0) => "single run (identical)".into(),
            _ => "single run".into(),
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.figure,
            opt_show(r.unit, r.base),
            opt_show(r.unit, r.candidate),
            change,
            rel,
            sig
        ));
    }
    if !c.gates.is_empty() {
        s.push_str("\n**Regression gates**\n\n");
        for g in &c.gates {
            let mark = match g.failed {
                Some(true) => "❌",
                Some(false) => "✅",
                None => "⚠️",
            };
            s.push_str(&format!(
                "- {mark} `--fail-on {}`: {}\n",
                g.rule.text, g.detail
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_forms() {
        let f = parse_fail_on("p95+10%").unwrap();
        assert_eq!(f.limit, Limit::Relative(0.1));
        assert!(f.up);
        let f = parse_fail_on("errors+0.5pp").unwrap();
        assert_eq!(f.limit, Limit::Absolute(0.005));
        assert_eq!(
            parse_fail_on("p99+50ms").unwrap().limit,
            Limit::Absolute(50.0)
        );
        assert_eq!(
            parse_fail_on("monthly_cost+5%").unwrap().limit,
            Limit::Relative(0.05)
        );
        assert!(!parse_fail_on("throughput-5%").unwrap().up);
        assert!(parse_fail_on("p95*2").is_err());
        assert!(parse_fail_on("p95+10")
            .unwrap_err()
            .contains("without a unit"));
        assert!(parse_fail_on("p95+2pp").is_err());
        assert!(parse_fail_on("errors+2").is_err());
    }

    #[test]
    fn gates_judge_means() {
        let base = serde_json::json!({"latency_ms": {"p95": 100.0}, "error_rate": 0.01});
        let worse = serde_json::json!({"latency_ms": {"p95": 111.0}, "error_rate": 0.014});
        let rule = parse_fail_on("p95+10%").unwrap();
        assert_eq!(gate(&rule, &base, &worse).failed, Some(true));
        assert_eq!(gate(&rule, &base, &base).failed, Some(false));
        let rule = parse_fail_on("errors+0.5pp").unwrap();
        assert_eq!(gate(&rule, &base, &worse).failed, Some(false));
        let rule = parse_fail_on("monthly_cost+5%").unwrap();
        assert_eq!(gate(&rule, &base, &worse).failed, None);
    }

    #[test]
    fn welch_matches_a_textbook_case() {
        // Equal means: p = 1; well separated: tiny p.
        assert_eq!(welch_p((10.0, 1.0, 10.0), (10.0, 1.0, 10.0)), Some(1.0));
        let p = welch_p((10.0, 1.0, 10.0), (12.0, 1.0, 10.0)).unwrap();
        // t = 2 / sqrt(0.2) = 4.472, df = 18: p ≈ 0.0003
        assert!(p > 0.0001 && p < 0.001, "{p}");
        assert_eq!(welch_p((1.0, 0.0, 5.0), (2.0, 0.0, 5.0)), Some(0.0));
        assert_eq!(welch_p((1.0, 0.0, 1.0), (2.0, 0.0, 5.0)), None);
    }
}
