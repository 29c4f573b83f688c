//! One run end to end: load the files, simulate, write the outputs.

use crate::experiment::stats::{self, PrecisionReport, ReplicationStats};
use crate::input::model::{load_model_with_pricing, System};
use crate::input::scenario::{load_scenario, Scenario};
use crate::input::InputError;
use crate::input::InputErrors;
use crate::report;
use crate::stack::{simulate, RunResult};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// `--max-replications` when not given.
pub const DEFAULT_MAX_REPLICATIONS: u32 = 100;
/// Replications before the first precision check, when `--replications` is not given.
pub const DEFAULT_PILOT_REPLICATIONS: u32 = 5;
/// The most replications any run may ask for (memory holds every result).
pub const REPLICATIONS_LIMIT: u32 = 10_000;

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Output directory; default `output/<model>-<scenario>/`.
    pub out: Option<PathBuf>,
    /// `--pricing FILE`: prices (TOML `[[sku]]` or catalog CSV) merged over the
    /// catalog after the model's own `[pricing]`.
    pub pricing: Option<PathBuf>,
    /// `--replications N`: replications 0..N with the same base seed (0 and 1:
    /// a single run).
    pub replications: u32,
    /// `--precision`: add replications until the 95% interval of the p95
    /// latency is within this fraction of its mean (0.02 = 2%).
    pub precision: Option<f64>,
    /// `--max-replications`: the cap for `--precision` (0: the default, 100).
    pub max_replications: u32,
}

/// What a progress bar shows.
#[derive(Clone, Copy, Debug)]
pub enum ProgressEvent {
    /// A replication finished (called from worker threads, in completion order).
    Replications { done: usize, planned: usize },
    /// A single run reached `now_ns` of `end_ns` simulated nanoseconds.
    SimTime { now_ns: u64, end_ns: u64 },
}

/// A progress callback; it cannot change results.
pub type Progress<'a> = &'a (dyn Fn(ProgressEvent) + Sync);

/// What `run_files` produced.
pub struct RunOutcome {
    /// The run, or with replications the combined result (means; see
    /// [`stats::combine`]).
    pub result: RunResult,
    /// Every replication in index order (one for a single run).
    pub runs: Vec<RunResult>,
    /// Confidence intervals, with two replications or more.
    pub stats: Option<ReplicationStats>,
    /// The command that reproduces the run.
    pub reproduce: String,
    pub out_dir: PathBuf,
    pub system: System,
    pub scenario: Scenario,
}

/// Errors of a run: bad input (exit 2) or a failure to write outputs.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Input(#[from] InputErrors),
    /// Options that cannot be honoured (exit 2).
    #[error("{0}")]
    Options(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Loads both files; all problems of both are reported together.
pub fn load_inputs(model: &Path, scenario: &Path) -> Result<(System, Scenario), InputErrors> {
    load_inputs_with_pricing(model, scenario, None)
}

/// [`load_inputs`] with a `--pricing` file merged over the model's prices.
pub fn load_inputs_with_pricing(
    model: &Path,
    scenario: &Path,
    pricing: Option<&Path>,
) -> Result<(System, Scenario), InputErrors> {
    let m = load_model_with_pricing(model, pricing);
    let s = load_scenario(scenario);
    match (m, s) {
        (Ok(m), Ok(s)) => {
            crate::input::scenario::check_events(&m, &s)?;
            Ok((m, s))
        }
        (Err(a), Err(b)) => Err(InputErrors(a.0.into_iter().chain(b.0).collect())),
        (Err(a), _) | (_, Err(a)) => Err(a),
    }
}

/// The default output folder for a pair of files.
pub fn default_out_dir(model: &Path, scenario: &Path) -> PathBuf {
    let stem = |p: &Path| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into())
    };
    PathBuf::from("output").join(format!("{}-{}", stem(model), stem(scenario)))
}

/// `capsim run`: load, simulate (one run or replications), bill, write
/// `summary.json`, `timeseries.csv`, charts and the report (plus `cost.csv`,
/// `cost.png` and `cost.svg` when the model names a SKU).
pub fn run_files(model: &Path, scenario: &Path, opts: &RunOptions) -> Result<RunOutcome, RunError> {
    run_files_with_progress(model, scenario, opts, None)
}

/// [`run_files`] reporting finished replications to `progress`.
pub fn run_files_with_progress(
    model: &Path,
    scenario: &Path,
    opts: &RunOptions,
    progress: Option<Progress>,
) -> Result<RunOutcome, RunError> {
    check_options(opts)?;
    let (system, scenario_cfg) =
        load_inputs_with_pricing(model, scenario, opts.pricing.as_deref())?;
    let seed = opts.seed.unwrap_or(scenario_cfg.seed);
    let bill = |r: &mut RunResult| -> Result<(), RunError> {
        // Billing reads the finished result; it never runs inside the simulation.
        r.cost = crate::billing::bill(&system, &scenario_cfg, r)
            .map_err(|m| InputErrors::from(InputError::new(model, m)))?;
        Ok(())
    };
    let (mut runs, precision) = replicate_all(&system, &scenario_cfg, seed, opts, progress);
    for r in &mut runs {
        bill(r)?;
    }
    let stats = (runs.len() > 1).then(|| {
        let mut s = ReplicationStats::new(&runs);
        s.precision = precision;
        s
    });
    // `runs` is never empty: at least one replication always runs.
    let mut result = stats::combine(&runs).ok_or_else(|| RunError::Options("no run".into()))?;
    if runs.len() > 1 {
        // The combined bill is the bill of the mean counts.
        bill(&mut result)?;
    }
    if let Some(bill) = &result.cost {
        let extra = crate::billing::warnings(&system, bill);
        result.warnings.extend(extra);
    }
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(model, scenario));
    let reproduce = reproduce_command(model, scenario, seed, opts);
    // Autoscale changes (replication 0's with replications) mark the charts.
    let markers: Vec<(f64, String)> = result
        .scale_log
        .iter()
        .filter(|d| d.desired != d.current)
        .map(|d| {
            (
                d.time_s,
                format!("{} {}→{}", d.component, d.current, d.desired),
            )
        })
        .collect();
    report::write_run(
        &out_dir,
        &report::RunReport {
            result: &result,
            runs: &runs,
            stats: stats.as_ref(),
            system: &system,
            scenario: &scenario_cfg,
            markers: &markers,
            reproduce: &reproduce,
        },
    )
    .map_err(|(path, source)| RunError::Write { path, source })?;
    Ok(RunOutcome {
        result,
        runs,
        stats,
        reproduce,
        out_dir,
        system,
        scenario: scenario_cfg,
    })
}

fn check_options(opts: &RunOptions) -> Result<(), RunError> {
    if opts.replications > REPLICATIONS_LIMIT {
        return Err(RunError::Options(format!(
            "--replications {}: at most {REPLICATIONS_LIMIT} replications can be run at once",
            opts.replications
        )));
    }
    if opts.max_replications > REPLICATIONS_LIMIT {
        return Err(RunError::Options(format!(
            "--max-replications {}: at most {REPLICATIONS_LIMIT}",
            opts.max_replications
        )));
    }
    if let Some(p) = opts.precision {
        if !(p.is_finite() && p > 0.0 && p < 1.0) {
            return Err(RunError::Options(format!(
                "--precision {p}: expected a fraction between 0 and 1, e.g. 2% or 0.02"
            )));
        }
        if opts.max_replications == 1 {
            return Err(RunError::Options(
                "--max-replications 1: a confidence interval needs at least 2 replications".into(),
            ));
        }
    }
    Ok(())
}

/// Runs replications `range` in parallel; results in index order whatever
/// the number of threads.
fn replicate(
    system: &System,
    sc: &Scenario,
    seed: u64,
    range: std::ops::Range<u64>,
    done: &AtomicUsize,
    planned: usize,
    progress: Option<Progress>,
) -> Vec<RunResult> {
    if range.end - range.start == 1 && planned == 1 {
        // A single run: report simulated time instead.
        let end_ns = sc.duration_ns;
        let tick = |now_ns: u64| {
            if let Some(p) = progress {
                p(ProgressEvent::SimTime { now_ns, end_ns });
            }
        };
        let sim = crate::stack::Simulation::new(system, sc, seed, range.start);
        return vec![sim.run_with_progress(progress.is_some().then_some(&tick as &dyn Fn(u64)))];
    }
    range
        .into_par_iter()
        .map(|i| {
            let r = simulate(system, sc, seed, i);
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(ProgressEvent::Replications { done: d, planned });
            }
            r
        })
        .collect()
}

/// All replications of a run: a fixed number, or with `--precision` batches
/// until the target is met. The batch sizes depend only on results, never
/// on timing or threads, so the count used is reproducible.
fn replicate_all(
    system: &System,
    sc: &Scenario,
    seed: u64,
    opts: &RunOptions,
    progress: Option<Progress>,
) -> (Vec<RunResult>, Option<PrecisionReport>) {
    let done = AtomicUsize::new(0);
    let Some(target) = opts.precision else {
        let n = opts.replications.max(1);
        let runs = replicate(
            system,
            sc,
            seed,
            0..u64::from(n),
            &done,
            n as usize,
            progress,
        );
        return (runs, None);
    };
    let max = match opts.max_replications {
        0 => DEFAULT_MAX_REPLICATIONS,
        m => m,
    };
    let first = if opts.replications >= 2 {
        opts.replications
    } else {
        DEFAULT_PILOT_REPLICATIONS
    }
    .min(max);
    let mut runs = replicate(
        system,
        sc,
        seed,
        0..u64::from(first),
        &done,
        first as usize,
        progress,
    );
    loop {
        let p95: Vec<f64> = runs.iter().map(|r| r.latency_ms.p95).collect();
        let achieved = stats::estimate(&p95).map_or(f64::INFINITY, |e| e.relative_half_width());
        let n = runs.len() as u32;
        if achieved <= target || n >= max {
            let report = PrecisionReport {
                figure: "latency_ms.p95",
                target,
                achieved: if achieved.is_finite() {
                    crate::stack::result::round6(achieved)
                } else {
                    -1.0
                },
                met: achieved <= target,
                max_replications: max,
            };
            return (runs, Some(report));
        }
        // The half-width shrinks as 1/sqrt(n): aim for the count that would meet
        // the target, at least one more, at most the cap.
        let ratio = if achieved.is_finite() {
            achieved / target
        } else {
            2.0
        };
        let wanted = (f64::from(n) * ratio * ratio).ceil();
        let next = if wanted.is_finite() && wanted < f64::from(max) {
            (wanted as u32).max(n + 1)
        } else {
            max
        };
        let more = replicate(
            system,
            sc,
            seed,
            u64::from(n)..u64::from(next),
            &done,
            next as usize,
            progress,
        );
        runs.extend(more);
    }
}

/// The command line that reproduces a run.
pub fn reproduce_command(model: &Path, scenario: &Path, seed: u64, opts: &RunOptions) -> String {
    let mut s = format!(
        "capsim run {} --scenario {} --seed {seed}",
        model.display(),
        scenario.display()
    );
    if opts.replications > 1 {
        s.push_str(&format!(" --replications {}", opts.replications));
    }
    if let Some(p) = opts.precision {
        s.push_str(&format!(
            " --precision {}%",
            crate::report::csv_out::fmt_num(p * 100.0)
        ));
        if opts.max_replications != 0 {
            s.push_str(&format!(" --max-replications {}", opts.max_replications));
        }
    }
    if let Some(p) = &opts.pricing {
        s.push_str(&format!(" --pricing {}", p.display()));
    }
    s
}
