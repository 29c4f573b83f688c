//! One run end to end: load the files, simulate, write the outputs.

use crate::input::InputErrors;
use crate::model::{load_model, System};
use crate::report;
use crate::scenario::{load_scenario, Scenario};
use crate::stack::{simulate, RunResult};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Output directory; default `output/<model>-<scenario>/`.
    pub out: Option<PathBuf>,
}

/// What `run_files` produced.
pub struct RunOutcome {
    pub result: RunResult,
    pub out_dir: PathBuf,
    pub system: System,
    pub scenario: Scenario,
}

/// Errors of a run: bad input (exit 2) or a failure to write outputs.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Loads both files; all problems of both are reported together.
pub fn load_inputs(model: &Path, scenario: &Path) -> Result<(System, Scenario), InputErrors> {
    let m = load_model(model);
    let s = load_scenario(scenario);
    match (m, s) {
        (Ok(m), Ok(s)) => Ok((m, s)),
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

/// `capsim run`: load, simulate, write `summary.json` and `timeseries.csv`.
pub fn run_files(model: &Path, scenario: &Path, opts: &RunOptions) -> Result<RunOutcome, RunError> {
    let (system, scenario_cfg) = load_inputs(model, scenario)?;
    let seed = opts.seed.unwrap_or(scenario_cfg.seed);
    let result = simulate(&system, &scenario_cfg, seed, 0);
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(model, scenario));
    report::write_outputs(&out_dir, &result)
        .map_err(|(path, source)| RunError::Write { path, source })?;
    Ok(RunOutcome {
        result,
        out_dir,
        system,
        scenario: scenario_cfg,
    })
}
