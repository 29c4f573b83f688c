//! `capsim capacity`: the largest multiple of a scenario's traffic that a system
//! sustains within its SLOs, and the chain of components that saturate on the way.
//!
//! **Search.** A *load factor* `f` multiplies the scenario's traffic: the open
//! rate curve (every knot × f) or, for closed workloads, every user count (× f,
//! rounded). Each probe is a full run (all replications, billed) with the same seed,
//! so every probe sees the same random streams (common random numbers) and the
//! difference between two probes is the load, not the noise. The search doubles
//! from 1 until an SLO breaks (or `--max-factor`), halves when even 1 breaks, then
//! bisects geometrically until the bracket `[holds, breaks]` is narrower than
//! `--resolution`. It assumes that more load never helps an SLO; a probe that
//! contradicts this is reported.
//!
//! **Uncertainty.** With replications every probe's verdict comes from the 95%
//! interval of each SLO's figure (see [`crate::experiment::slo_expr::judge`]): "too close to
//! call" counts as not holding, so `max_load_factor` is a factor at which every SLO
//! holds with 95% confidence, and `min_failing_factor` the smallest factor at which
//! one fails with 95% confidence; the true breaking point lies between them (up to
//! the search resolution).
//!
//! **Bottlenecks.** For every component and every limit it can reach (CPU or
//! station utilization, queue growth, pool wait, connection limit, job backlog) the
//! probes say at which factor it reached that limit; a utilization that never did is
//! extrapolated linearly from the highest probe (utilization is linear in offered
//! load for CPU, stations, pools and workers at fixed capacity) and marked as an
//! estimate.

mod bottleneck;
mod report;

pub use bottleneck::{bottlenecks, Bottleneck, LimitMetric};
pub use report::{capacity_markdown, capacity_text, write_capacity};

use crate::experiment::run::RunError;
use crate::experiment::slo_expr::{from_model, judge, SloExpr, Status};
use crate::experiment::stats::estimate;
use crate::input::model::System;
use crate::input::scenario::{Scenario, Workload};
use crate::input::{InputError, InputErrors};
use crate::metrics::result::ErrorKind;
use crate::stack::RunResult;
use indexmap::IndexMap;
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// `--max-factor` when not given.
pub const DEFAULT_MAX_FACTOR: f64 = 10.0;
/// `--resolution` when not given: the bracket is narrowed to within 2%.
pub const DEFAULT_RESOLUTION: f64 = 0.02;
/// The smallest factor probed when even the scenario's own load breaks an SLO.
pub const MIN_FACTOR: f64 = 1.0 / 1024.0;
/// The largest factor accepted for `--max-factor`.
pub const MAX_FACTOR_LIMIT: f64 = 1000.0;
/// A probe count that no search can need (doubling to the limit and bisecting to
/// the finest resolution takes about 40): a guard against a search that never ends.
const MAX_PROBES: usize = 64;

/// Options of `capsim capacity`.
#[derive(Clone, Debug)]
pub struct CapacityOptions {
    /// `--stage NAME`: run the model's stage overlay instead of the base model.
    pub stage: Option<String>,
    /// `--slo` expressions, judged with the model's `[slo]`.
    pub slos: Vec<SloExpr>,
    pub max_factor: f64,
    /// Relative width of the final bracket (0.02 = 2%).
    pub resolution: f64,
    pub replications: u32,
    pub seed: Option<u64>,
    pub out: Option<PathBuf>,
    pub pricing: Option<PathBuf>,
}

impl Default for CapacityOptions {
    fn default() -> Self {
        CapacityOptions {
            stage: None,
            slos: Vec::new(),
            max_factor: DEFAULT_MAX_FACTOR,
            resolution: DEFAULT_RESOLUTION,
            replications: 1,
            seed: None,
            out: None,
            pricing: None,
        }
    }
}

/// A figure of a probe: the mean over replications and, with two or more, the
/// half-width of its 95% interval.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Figure {
    pub mean: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci95: Option<f64>,
}

impl Figure {
    fn of(values: &[f64]) -> Figure {
        match estimate(values) {
            Some(e) => Figure {
                mean: round6(e.mean),
                ci95: Some(round6(e.half_width)),
            },
            None => Figure {
                mean: round6(values.iter().sum::<f64>() / values.len().max(1) as f64),
                ci95: None,
            },
        }
    }
}

/// What one component showed in one probe (means over replications).
#[derive(Clone, Debug, Serialize)]
pub struct ProbeComponent {
    pub kind: String,
    /// Highest interval utilization after the warm-up, 0..1 (the mean over the
    /// window when the component has no utilization column).
    pub peak_utilization: f64,
    /// Mean utilization over the measured window, 0..1.
    pub utilization: f64,
    /// Requests that failed at this component for lack of capacity (refused,
    /// timeout, pool_timeout, pool_refused, rejected) per offered request.
    pub capacity_error_rate: f64,
    /// Which of those kinds dominated, if any failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominant_error: Option<String>,
    /// Job queues: jobs enqueued but not done by the end, per job enqueued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backlog_fraction: Option<f64>,
    /// Pools: mean number of waiting clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_mean: Option<f64>,
}

/// One factor tried.
#[derive(Clone, Debug, Serialize)]
pub struct Probe {
    pub factor: f64,
    /// Peak offered rate at this factor, requests/s.
    pub peak_rps: f64,
    pub p95_ms: Figure,
    pub p99_ms: Figure,
    pub error_rate: Figure,
    /// `pass`, `fail` or `too close to call`.
    pub verdict: String,
    /// The SLOs that did not pass, as `p95<=200ms (actual 212.4 ms)`.
    pub failing: Vec<String>,
    /// Any replication saturated (a growing queue or shed load).
    pub saturated: bool,
    pub components: IndexMap<String, ProbeComponent>,
    #[serde(skip)]
    pub status: Status,
    /// The first failing SLO's label and how far past its threshold it was
    /// (actual / threshold for `<` SLOs), for choosing the breaking SLO.
    #[serde(skip)]
    worst: Option<(String, f64)>,
}

/// What `capsim capacity` found.
#[derive(Clone, Debug, Serialize)]
pub struct CapacityResult {
    pub model: String,
    pub scenario: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// `open` or `closed`.
    pub workload: String,
    pub slos: Vec<String>,
    /// The largest latency threshold among the SLOs, ms (scales the chart).
    #[serde(skip)]
    pub latency_threshold_ms: Option<f64>,
    pub seed: u64,
    pub replications: u32,
    pub resolution: f64,
    pub max_factor: f64,
    /// The largest factor at which every SLO held; `None` when even
    /// [`MIN_FACTOR`] broke one.
    pub max_load_factor: Option<f64>,
    /// The smallest factor at which an SLO failed; `None` when every probe up to
    /// `max_factor` held.
    pub min_failing_factor: Option<f64>,
    /// Peak offered rate at `max_load_factor`, requests/s.
    pub max_rps: Option<f64>,
    /// Closed workloads, or open ones given in users: users at `max_load_factor`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_users: Option<f64>,
    /// Peak offered rate of the scenario as written (factor 1), requests/s.
    pub base_peak_rps: f64,
    /// The SLO that fails first above `max_load_factor`.
    pub breaking_slo: Option<String>,
    /// Every SLO failing at `min_failing_factor`.
    pub breaking_slos: Vec<String>,
    pub limiting_component: Option<String>,
    pub bottlenecks: Vec<Bottleneck>,
    /// Every probe, in increasing factor.
    pub probes: Vec<Probe>,
    /// The answer in one paragraph.
    pub statement: String,
    pub warnings: Vec<String>,
}

/// A progress callback: `(probes done, factor just probed, its verdict)`.
pub type CapacityProgress<'a> = &'a (dyn Fn(usize, f64, &str) + Sync);

/// The scenario with its traffic multiplied by `factor`.
pub fn scale_scenario(sc: &Scenario, factor: f64) -> Scenario {
    let mut out = sc.clone();
    out.workload = match &sc.workload {
        Workload::Open {
            rate,
            clients,
            users_per_rps,
        } => Workload::Open {
            rate: rate.scaled(factor),
            clients: *clients,
            users_per_rps: *users_per_rps,
        },
        Workload::Closed {
            think,
            start_users,
            stages,
        } => {
            let scale = |u: u32| -> u32 {
                if u == 0 {
                    0
                } else {
                    // At least one user where the scenario has any, so a small
                    // factor still probes the system.
                    ((f64::from(u) * factor)
                        .round()
                        .clamp(1.0, f64::from(u32::MAX))) as u32
                }
            };
            Workload::Closed {
                think: think.clone(),
                start_users: scale(*start_users),
                stages: stages
                    .iter()
                    .map(|s| crate::input::scenario::Stage {
                        duration_ns: s.duration_ns,
                        target: scale(s.target),
                    })
                    .collect(),
            }
        }
    };
    out
}

/// Loads the model (or its stage) and the scenario and runs the search.
pub fn capacity_files(
    model: &Path,
    scenario: Option<&Path>,
    opts: &CapacityOptions,
    progress: Option<CapacityProgress>,
) -> Result<(CapacityResult, PathBuf), RunError> {
    check_options(opts)?;
    let (system, scenario_path) = match &opts.stage {
        None => {
            let s = scenario.ok_or_else(|| {
                RunError::Options(
                    "--scenario is required (or --stage NAME of a stage that names one)".into(),
                )
            })?;
            (
                crate::input::model::load_model_with_pricing(model, opts.pricing.as_deref())?,
                s.to_path_buf(),
            )
        }
        Some(name) => {
            let stages = crate::experiment::stages::load_stages(model)?;
            let names: Vec<String> = stages.iter().map(|s| s.name.clone()).collect();
            let Some(stage) = stages.into_iter().find(|s| &s.name == name) else {
                return Err(RunError::Options(format!(
                    "--stage {name}: the model has no such stage (stages: {})",
                    names.join(", ")
                )));
            };
            let s = match (scenario, &stage.scenario) {
                (Some(s), _) => s.to_path_buf(),
                (None, Some(s)) => s.clone(),
                (None, None) => {
                    return Err(RunError::Options(format!(
                        "stage `{name}` names no scenario: pass --scenario"
                    )))
                }
            };
            (stage.system, s)
        }
    };
    let sc = crate::input::scenario::load_scenario(&scenario_path)?;
    crate::input::scenario::check_events(&system, &sc)?;
    let result = capacity(&system, &sc, opts, progress)
        .map_err(|m| InputErrors::from(InputError::new(model, m)))?;
    let out_dir = opts.out.clone().unwrap_or_else(|| {
        let stem = |p: &Path| {
            p.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "run".into())
        };
        let mut name = stem(model);
        if let Some(st) = &opts.stage {
            name.push('-');
            name.push_str(
                &st.to_lowercase()
                    .replace(|c: char| !c.is_alphanumeric(), "-"),
            );
        }
        PathBuf::from("output").join(format!("{name}-{}-capacity", stem(&scenario_path)))
    });
    write_capacity(&out_dir, &result).map_err(|(path, source)| RunError::Write { path, source })?;
    Ok((result, out_dir))
}

fn check_options(opts: &CapacityOptions) -> Result<(), RunError> {
    if !(opts.max_factor.is_finite()
        && opts.max_factor > 1.0
        && opts.max_factor <= MAX_FACTOR_LIMIT)
    {
        return Err(RunError::Options(format!(
            "--max-factor {}: expected a factor above 1 and at most {MAX_FACTOR_LIMIT}",
            opts.max_factor
        )));
    }
    if !(opts.resolution.is_finite() && opts.resolution >= 0.001 && opts.resolution <= 0.5) {
        return Err(RunError::Options(format!(
            "--resolution {}: expected a fraction between 0.1% and 50%",
            opts.resolution
        )));
    }
    if opts.replications > crate::experiment::run::REPLICATIONS_LIMIT {
        return Err(RunError::Options(format!(
            "--replications {}: at most {}",
            opts.replications,
            crate::experiment::run::REPLICATIONS_LIMIT
        )));
    }
    Ok(())
}

/// The search itself, on a loaded model and scenario. `Err` carries a billing
/// problem of the model.
pub fn capacity(
    system: &System,
    sc: &Scenario,
    opts: &CapacityOptions,
    progress: Option<CapacityProgress>,
) -> Result<CapacityResult, String> {
    let mut slos = from_model(&system.slo);
    slos.extend(opts.slos.iter().cloned());
    if slos.is_empty() {
        return Err(
            "capacity is judged against SLOs, and there are none: add `[slo]` to the model or pass --slo (e.g. --slo 'p95<200ms' --slo 'errors<1%')"
                .into(),
        );
    }
    let seed = opts.seed.unwrap_or(sc.seed);
    let reps = opts.replications.max(1);
    let mut search = Search {
        system,
        sc,
        slos: &slos,
        seed,
        reps,
        probes: Vec::new(),
        progress,
    };
    let tol = 1.0 + opts.resolution;
    // Bracket: `lo` holds, `hi` does not.
    let mut lo: Option<f64> = None;
    let mut hi: Option<f64> = None;
    if search.probe(1.0)?.holds() {
        lo = Some(1.0);
        let mut f = 1.0_f64;
        while f < opts.max_factor && search.probes.len() < MAX_PROBES {
            f = (f * 2.0).min(opts.max_factor);
            let p = search.probe(f)?;
            if p.holds() {
                lo = Some(p.factor);
            } else {
                hi = Some(p.factor);
                break;
            }
        }
    } else {
        hi = Some(1.0);
        let mut f = 1.0_f64;
        while f > MIN_FACTOR && search.probes.len() < MAX_PROBES {
            f /= 2.0;
            let p = search.probe(f)?;
            if p.holds() {
                lo = Some(p.factor);
                break;
            }
            hi = Some(p.factor);
        }
    }
    while let (Some(l), Some(h)) = (lo, hi) {
        if h / l <= tol || search.probes.len() >= MAX_PROBES {
            break;
        }
        let m = (l * h).sqrt();
        let p = search.probe(m)?;
        let (f, holds) = (p.factor, p.holds());
        if f <= l || f >= h {
            // The bracket cannot narrow further at 6 decimals.
            break;
        }
        if holds {
            lo = Some(f);
        } else {
            hi = Some(f);
        }
    }
    // With replications the first factor that does not hold may be too close to
    // call: look further up for one that fails outright, so the answer has an
    // upper bound too.
    let sure_fail_above = |probes: &[Probe], l: Option<f64>| {
        probes
            .iter()
            .any(|p| p.status == Status::Fail && l.map_or(true, |l| p.factor > l))
    };
    if let Some(h) = hi {
        if search.at(h).map(|p| p.status) == Some(Status::TooClose)
            && !sure_fail_above(&search.probes, lo)
        {
            let mut f = h;
            for _ in 0..8 {
                if search.probes.len() >= MAX_PROBES {
                    break;
                }
                f = (f * tol * tol).min(opts.max_factor);
                if search.probe(f)?.status == Status::Fail || f >= opts.max_factor {
                    break;
                }
            }
        }
    }
    let mut probes = search.probes;
    probes.sort_by(|a, b| a.factor.total_cmp(&b.factor));
    Ok(conclude(system, sc, opts, &slos, seed, reps, lo, probes))
}

/// Probes run so far.
struct Search<'a> {
    system: &'a System,
    sc: &'a Scenario,
    slos: &'a [SloExpr],
    seed: u64,
    reps: u32,
    probes: Vec<Probe>,
    progress: Option<CapacityProgress<'a>>,
}

impl Search<'_> {
    fn at(&self, factor: f64) -> Option<&Probe> {
        self.probes.iter().find(|p| p.factor == factor)
    }

    /// Runs every replication at `factor` (once: a factor already probed is
    /// looked up) and judges the SLOs.
    fn probe(&mut self, factor: f64) -> Result<&Probe, String> {
        // Factors are kept to 6 decimals, as written in capacity.json, so that
        // every lookup by factor is exact.
        let factor = round6(factor);
        if let Some(i) = self.probes.iter().position(|p| p.factor == factor) {
            return Ok(&self.probes[i]);
        }
        let scaled = scale_scenario(self.sc, factor);
        let (system, seed) = (self.system, self.seed);
        let runs: Vec<Result<RunResult, String>> = (0..u64::from(self.reps))
            .into_par_iter()
            .map(|rep| {
                let mut r = crate::stack::simulate(system, &scaled, seed, rep);
                r.cost = crate::billing::bill(system, &scaled, &r)?;
                Ok(r)
            })
            .collect();
        let runs: Vec<RunResult> = runs.into_iter().collect::<Result<_, _>>()?;
        let probe = summarize_probe(system, &scaled, factor, self.slos, &runs);
        if let Some(p) = self.progress {
            p(self.probes.len() + 1, factor, &probe.verdict);
        }
        self.probes.push(probe);
        // Just pushed, so the vector is not empty.
        Ok(self.probes.last().expect("a probe was just pushed"))
    }
}

impl Probe {
    /// Every SLO held (with 95% confidence when there are replications).
    pub fn holds(&self) -> bool {
        self.status == Status::Pass
    }
}

/// The peak offered rate of a (scaled) scenario: the curve's maximum for open
/// workloads, the busiest reporting interval for closed ones.
fn peak_rps(sc: &Scenario, runs: &[RunResult]) -> f64 {
    match &sc.workload {
        Workload::Open { rate, .. } => rate.max_rate(),
        Workload::Closed { .. } => {
            let peaks: Vec<f64> = runs.iter().map(peak_offered_interval).collect();
            peaks.iter().sum::<f64>() / peaks.len().max(1) as f64
        }
    }
}

fn peak_offered_interval(r: &RunResult) -> f64 {
    let warm = r.warmup_s;
    r.timeseries
        .peak("offered_rps", warm)
        .unwrap_or(r.workload.offered_rps)
}

fn summarize_probe(
    system: &System,
    sc: &Scenario,
    factor: f64,
    slos: &[SloExpr],
    runs: &[RunResult],
) -> Probe {
    let fig = |f: &dyn Fn(&RunResult) -> f64| Figure::of(&runs.iter().map(f).collect::<Vec<_>>());
    let verdicts: Vec<_> = slos.iter().map(|s| judge(s, runs)).collect();
    let status = if verdicts.iter().any(|v| v.status == Status::Fail) {
        Status::Fail
    } else if verdicts.iter().any(|v| v.status == Status::TooClose) {
        Status::TooClose
    } else {
        Status::Pass
    };
    let failing: Vec<String> = verdicts
        .iter()
        .filter(|v| v.status != Status::Pass)
        .map(|v| format!("{} (actual {})", v.slo.label(), v.actual_text()))
        .collect();
    let worst = verdicts
        .iter()
        .filter(|v| v.status != Status::Pass)
        .map(|v| {
            let excess = match v.actual {
                Some(a) if v.slo.threshold > 0.0 => {
                    if matches!(
                        v.slo.op,
                        crate::experiment::slo_expr::Op::Lt | crate::experiment::slo_expr::Op::Le
                    ) {
                        a / v.slo.threshold
                    } else if a > 0.0 {
                        v.slo.threshold / a
                    } else {
                        f64::INFINITY
                    }
                }
                _ => f64::INFINITY,
            };
            (v.slo.label(), excess)
        })
        .reduce(|a, b| if b.1 > a.1 { b } else { a });
    let n = runs.len().max(1) as f64;
    let mut components = IndexMap::new();
    for c in &system.components {
        let mut peak = 0.0;
        let mut util = 0.0;
        let mut cap_err = 0.0;
        let mut by_kind = [0u64; ErrorKind::CAPACITY.len()];
        let mut backlog: Option<f64> = None;
        let mut waiting: Option<f64> = None;
        for r in runs {
            let Some(s) = r.components.get(&c.name) else {
                continue;
            };
            util += s.utilization / n;
            peak += r
                .timeseries
                .peak(&format!("{}.utilization", c.name), r.warmup_s)
                .unwrap_or(s.utilization)
                .max(s.utilization)
                / n;
            let mut errs = 0u64;
            for (i, k) in ErrorKind::CAPACITY.iter().enumerate() {
                let e = s.errors.get(*k);
                by_kind[i] += e;
                errs += e;
            }
            cap_err += errs as f64 / r.requests.total.max(1) as f64 / n;
            if let Some(j) = &s.jobs {
                let left = j.enqueued.saturating_sub(j.completed + j.failed);
                *backlog.get_or_insert(0.0) += left as f64 / j.enqueued.max(1) as f64 / n;
            }
            if let Some(w) = s.waiting_mean {
                *waiting.get_or_insert(0.0) += w / n;
            }
        }
        let dominant = by_kind
            .iter()
            .enumerate()
            .filter(|(_, &v)| v > 0)
            .max_by_key(|(_, &v)| v)
            .map(|(i, _)| ErrorKind::CAPACITY[i].name().to_string());
        components.insert(
            c.name.clone(),
            ProbeComponent {
                kind: c.kind_name().to_string(),
                peak_utilization: round6(peak),
                utilization: round6(util),
                capacity_error_rate: round6(cap_err),
                dominant_error: dominant,
                backlog_fraction: backlog.map(round6),
                waiting_mean: waiting.map(round6),
            },
        );
    }
    Probe {
        factor,
        peak_rps: round6(peak_rps(sc, runs)),
        p95_ms: fig(&|r| r.latency_ms.p95),
        p99_ms: fig(&|r| r.latency_ms.p99),
        error_rate: fig(&|r| r.error_rate),
        verdict: match status {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::TooClose => "too close to call",
        }
        .into(),
        failing,
        saturated: runs.iter().any(|r| r.saturated),
        components,
        status,
        worst,
    }
}

#[allow(clippy::too_many_arguments)]
fn conclude(
    system: &System,
    sc: &Scenario,
    opts: &CapacityOptions,
    slos: &[SloExpr],
    seed: u64,
    reps: u32,
    lo: Option<f64>,
    probes: Vec<Probe>,
) -> CapacityResult {
    let min_failing = probes
        .iter()
        .filter(|p| p.status == Status::Fail && lo.map_or(true, |l| p.factor > l))
        .map(|p| p.factor)
        .reduce(f64::min);
    let first_not_holding = probes
        .iter()
        .filter(|p| !p.holds() && lo.map_or(true, |l| p.factor > l))
        .min_by(|a, b| a.factor.total_cmp(&b.factor));
    let breaking_probe = probes
        .iter()
        .find(|p| Some(p.factor) == min_failing)
        .or(first_not_holding);
    let breaking_slo = breaking_probe.and_then(|p| p.worst.as_ref().map(|w| w.0.clone()));
    let breaking_slos = breaking_probe
        .map(|p| p.failing.clone())
        .unwrap_or_default();
    let at_lo = lo.and_then(|l| probes.iter().find(|p| p.factor == l));
    let max_rps = at_lo.map(|p| p.peak_rps);
    let base = probes.iter().find(|p| p.factor == 1.0);
    let base_peak_rps = base.map(|p| p.peak_rps).unwrap_or(0.0);
    let max_users = lo.and_then(|l| match &sc.workload {
        Workload::Open { users_per_rps, .. } => {
            users_per_rps.zip(max_rps).map(|(u, r)| round6(u * r))
        }
        Workload::Closed {
            start_users,
            stages,
            ..
        } => {
            let peak = stages
                .iter()
                .map(|s| s.target)
                .chain([*start_users])
                .max()?;
            Some(round6(f64::from(peak) * l))
        }
    });
    let bottlenecks = bottlenecks(&probes);
    let limiting_component = bottlenecks.first().map(|b| b.component.clone());
    let mut warnings = Vec::new();
    if let Some(l) = lo {
        for p in probes.iter().filter(|p| p.factor > l && p.holds()) {
            warnings.push(format!(
                "the SLOs hold at {}x but not at a lower factor: more load did better, so the search's answer rests on a non-monotone system (look at the probes)",
                fmt_factor(p.factor)
            ));
        }
    }
    if probes.len() >= MAX_PROBES {
        warnings.push(format!(
            "the search stopped after {MAX_PROBES} probes before reaching the resolution"
        ));
    }
    let mut result = CapacityResult {
        model: system.name.clone(),
        scenario: sc.name.clone(),
        stage: opts.stage.clone(),
        workload: sc.workload.kind().into(),
        slos: slos.iter().map(SloExpr::label).collect(),
        latency_threshold_ms: slos
            .iter()
            .filter(|s| s.metric.is_latency())
            .map(|s| s.threshold)
            .reduce(f64::max),
        seed,
        replications: reps,
        resolution: opts.resolution,
        max_factor: opts.max_factor,
        max_load_factor: lo.map(round6),
        min_failing_factor: min_failing.map(round6),
        max_rps,
        max_users,
        base_peak_rps,
        breaking_slo,
        breaking_slos,
        limiting_component,
        bottlenecks,
        probes,
        statement: String::new(),
        warnings,
    };
    result.statement = statement(&result);
    result
}

/// A factor for people: three significant digits.
pub fn fmt_factor(f: f64) -> String {
    let s = if f >= 100.0 {
        format!("{f:.0}")
    } else if f >= 10.0 {
        format!("{f:.1}")
    } else if f >= 0.1 {
        format!("{f:.2}")
    } else {
        format!("{f:.4}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A count or rate for people, with thousands separators: `1,720`, `12.5`.
pub fn fmt_rate(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x.abs() < 100.0 {
        return crate::experiment::slo_expr::trim(x, 1);
    }
    let n = x.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn statement(r: &CapacityResult) -> String {
    let base = fmt_rate(r.base_peak_rps);
    let uncertainty = if r.replications > 1 {
        format!(
            " (each verdict from the 95% intervals of {} replications)",
            r.replications
        )
    } else {
        " (one run per probe: pass --replications N for intervals)".into()
    };
    let main = match (r.max_load_factor, r.min_failing_factor) {
        (Some(lo), Some(hi)) => format!(
            "The system holds its SLOs up to {}x the scenario's traffic (peak {} req/s) and breaks them at {}x (peak {} req/s); the breaking point lies between the two{uncertainty}.",
            fmt_factor(lo),
            r.max_rps.map(fmt_rate).unwrap_or_default(),
            fmt_factor(hi),
            r.probes
                .iter()
                .find(|p| p.factor == hi)
                .map(|p| fmt_rate(p.peak_rps))
                .unwrap_or_default(),
        ),
        (Some(lo), None) => {
            if lo >= r.max_factor {
                format!(
                    "The system holds its SLOs at every factor tried, up to --max-factor {}x (peak {} req/s){uncertainty}: raise --max-factor to find where it breaks.",
                    fmt_factor(lo),
                    r.max_rps.map(fmt_rate).unwrap_or_default()
                )
            } else {
                format!(
                    "The system holds its SLOs up to {}x (peak {} req/s); above it the verdict is too close to call at the factors tried{uncertainty}.",
                    fmt_factor(lo),
                    r.max_rps.map(fmt_rate).unwrap_or_default()
                )
            }
        }
        (None, _) => format!(
            "The system breaks its SLOs even at {}x the scenario's traffic (scenario peak {base} req/s){uncertainty}: something other than load is at fault (look at the probes' failing SLOs).",
            fmt_factor(r.probes.first().map(|p| p.factor).unwrap_or(MIN_FACTOR))
        ),
    };
    let mut s = main;
    if let Some(b) = &r.breaking_slo {
        s.push_str(&format!(" The SLO that breaks first is {b}."));
    }
    if let Some(first) = r.bottlenecks.first() {
        s.push_str(&format!(
            " The first component to reach a limit is {} ({}, {}).",
            first.component,
            first.metric.name(),
            first.describe_factor()
        ));
    }
    s
}

fn round6(x: f64) -> f64 {
    crate::stack::result::round6(x)
}
