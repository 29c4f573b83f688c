//! One run end to end: load the files, simulate, write the outputs.

use crate::input::InputError;
use crate::input::InputErrors;
use crate::model::{load_model_with_pricing, System};
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
    /// `--pricing FILE`: prices (TOML `[[sku]]` or catalog CSV) merged over the
    /// catalog after the model's own `[pricing]`.
    pub pricing: Option<PathBuf>,
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

/// `capsim run`: load, simulate, bill, write `summary.json` and `timeseries.csv`
/// (plus `cost.csv`, `cost.png` and `cost.svg` when the model names a SKU).
pub fn run_files(model: &Path, scenario: &Path, opts: &RunOptions) -> Result<RunOutcome, RunError> {
    let (system, scenario_cfg) =
        load_inputs_with_pricing(model, scenario, opts.pricing.as_deref())?;
    let seed = opts.seed.unwrap_or(scenario_cfg.seed);
    let mut result = simulate(&system, &scenario_cfg, seed, 0);
    // Billing reads the finished result; it never runs inside the simulation.
    result.cost = crate::cost::bill(&system, &scenario_cfg, &result)
        .map_err(|m| InputErrors::from(InputError::new(model, m)))?;
    if let Some(bill) = &result.cost {
        let extra = crate::cost::warnings(&system, bill);
        result.warnings.extend(extra);
    }
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
