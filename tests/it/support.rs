//! Helpers shared by the integration tests: model and scenario text written
//! to a temporary directory and loaded through the public API, independent
//! replications of a run, and Student-t confidence intervals over them.
//!
//! Why replications and not one long run with a binomial or normal interval
//! per request: successive requests in a queue are strongly correlated (a
//! request that waits makes the next one likely to wait), so an interval
//! that treats them as independent is far too narrow. Replications `0..n`
//! of the same seed use independent random streams (the kernel derives every
//! stream from seed, replication and name), so their per-run estimates are
//! i.i.d. and approximately normal, which is what a t interval needs.

use capsim::model::System;
use capsim::scenario::Scenario;
use capsim::stack::{simulate, RunResult};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Two-sided confidence level of every interval in the tests. At 99.9% a
/// correct simulator fails a given check for about one seed in a thousand,
/// and the seeds are fixed, so a passing test stays passing.
pub const CONFIDENCE: f64 = 0.999;

/// Writes `model` and `scenario` into a temporary directory and loads them
/// as `capsim run` would; panics with the input errors if either is bad.
pub fn load(model: &str, scenario: &str) -> (System, Scenario) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let m = dir.path().join("model.toml");
    let s = dir.path().join("scenario.toml");
    std::fs::write(&m, model).expect("write model");
    std::fs::write(&s, scenario).expect("write scenario");
    match capsim::run::load_inputs(&m, &s) {
        Ok(inputs) => inputs,
        Err(e) => panic!(
            "test inputs do not load:\n{e}\n--- model ---\n{model}\n--- scenario ---\n{scenario}"
        ),
    }
}

/// Loads a model file that ships with the repository (path relative to the
/// crate root) with a scenario given as text.
pub fn load_repo_model(model_rel: &str, scenario: &str) -> (System, Scenario) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(model_rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    load(&text, scenario)
}

/// An open workload at a constant Poisson `rate` (requests/s), run for
/// `duration_s` simulated seconds of which the first `warmup_s` are not
/// measured.
pub fn open_scenario(rate: f64, duration_s: u64, warmup_s: u64) -> String {
    // Few reporting intervals: the tests read the totals, not the series.
    let interval_s = (duration_s / 10).max(1);
    format!(
        "name = \"queueing-test\"\n\
         duration = \"{duration_s}s\"\n\
         warmup = \"{warmup_s}s\"\n\
         seed = 1\n\
         interval = \"{interval_s}s\"\n\
         [workload]\n\
         type = \"open\"\n\
         rate = {rate}\n"
    )
}

/// Runs replications `0..n` of `seed`.
pub fn replicate(sys: &System, sc: &Scenario, seed: u64, n: u64) -> Vec<RunResult> {
    (0..n).map(|rep| simulate(sys, sc, seed, rep)).collect()
}

/// Replications scale down in debug builds (about 8x slower) so that a
/// plain `cargo test` stays usable; every interval is computed from the
/// replications actually run, so the checks stay valid, only wider.
pub fn scaled(release_reps: u64) -> u64 {
    if cfg!(debug_assertions) {
        (release_reps / 3).max(6)
    } else {
        release_reps
    }
}

/// Student-t confidence interval of a mean from i.i.d. samples.
#[derive(Clone, Debug)]
pub struct Ci {
    pub mean: f64,
    pub half_width: f64,
    pub n: usize,
}

impl Ci {
    /// The [`CONFIDENCE`] interval of the mean of `xs` (at least 2 values):
    /// mean +- t(1 - alpha/2, n - 1) * s / sqrt(n).
    pub fn of(xs: &[f64]) -> Ci {
        let n = xs.len();
        assert!(n >= 2, "a confidence interval needs at least 2 samples");
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
            .expect("valid Student t")
            .inverse_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0);
        Ci {
            mean,
            half_width: t * (var / n as f64).sqrt(),
            n,
        }
    }

    /// The interval of `f` over a set of runs.
    pub fn over(runs: &[RunResult], f: impl Fn(&RunResult) -> f64) -> Ci {
        let xs: Vec<f64> = runs.iter().map(f).collect();
        Ci::of(&xs)
    }

    pub fn contains(&self, x: f64) -> bool {
        (self.mean - x).abs() <= self.half_width
    }
}

/// Asserts that the interval contains `expected` and that it is narrow
/// enough to be a real test: its half-width must not exceed `max_rel` of
/// `expected` (so an error of that size or larger would be seen).
#[track_caller]
pub fn assert_ci(what: &str, ci: &Ci, expected: f64, max_rel: f64) {
    let rel_hw = ci.half_width / expected.abs();
    let mut msg = String::new();
    let _ = write!(
        msg,
        "{what}: simulated {:.6} +- {:.6} ({:.1}% CI, {} replications, +-{:.2}%), theory {:.6} (off by {:+.2}%)",
        ci.mean,
        ci.half_width,
        CONFIDENCE * 100.0,
        ci.n,
        rel_hw * 100.0,
        expected,
        (ci.mean / expected - 1.0) * 100.0
    );
    eprintln!("{msg}");
    assert!(
        rel_hw <= max_rel,
        "{msg}\n  the interval is too wide to detect a {:.0}% error: run more replications",
        max_rel * 100.0
    );
    assert!(
        ci.contains(expected),
        "{msg}\n  theory is outside the interval"
    );
}

// ----- queueing formulas -----

/// Erlang B blocking probability for `c` servers and offered load `a`
/// (Erlangs), by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (k as f64 + a * b))
}

/// Erlang C: probability that an arrival waits in an M/M/c queue with
/// offered load `a = lambda / mu < c`.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    assert!(a < c as f64, "Erlang C needs a < c");
    let b = erlang_b(c, a);
    c as f64 * b / (c as f64 - a * (1.0 - b))
}

/// Stationary distribution p_0..=p_K of the M/M/c/K queue.
pub fn mmck_probabilities(c: u32, k: u32, a: f64) -> Vec<f64> {
    let mut p = Vec::with_capacity(k as usize + 1);
    let mut term = 1.0;
    p.push(term);
    for n in 1..=k {
        term *= a / (n.min(c) as f64);
        p.push(term);
    }
    let total: f64 = p.iter().sum();
    p.iter().map(|x| x / total).collect()
}

/// The `capsim` binary built for these tests.
pub fn capsim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("capsim").expect("binary built")
}

/// A path in the repository.
pub fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test file");
    p
}

/// `capsim run MODEL --scenario SCENARIO --out OUT EXTRA...`, its output.
pub fn run_cli(model: &Path, scenario: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    capsim()
        .arg("run")
        .arg(model)
        .arg("--scenario")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("capsim runs")
}
