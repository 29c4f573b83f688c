//! The one orchestration every command goes through: simulate → bill →
//! combine. `run` and `check` (through [`super::run::run_files`]), `sweep`
//! and `optimize` (through `Sweep::run_points`), `compare` and `stages` call
//! these functions, so a run means the same thing everywhere: billing always
//! reads the finished result, never the running simulation, and the combined
//! result of replications is billed on its mean counts.
//!
//! Loading is [`super::run::load_inputs_with_pricing`] (or a
//! [`crate::input::overrides::ModelTemplate`] for grids).

use super::stats::{self, ReplicationStats};
use crate::input::model::System;
use crate::input::scenario::Scenario;
use crate::metrics::RunResult;

/// Bills a finished run in place. The error is a message about the model's
/// SKUs (the caller locates it).
pub fn bill(system: &System, sc: &Scenario, r: &mut RunResult) -> Result<(), String> {
    r.cost = crate::billing::bill(system, sc, r)?;
    Ok(())
}

/// Replication `replication` of `system` under `sc`, simulated and billed.
pub fn simulate_billed(
    system: &System,
    sc: &Scenario,
    seed: u64,
    replication: u64,
) -> Result<RunResult, String> {
    let mut r = crate::stack::simulate(system, sc, seed, replication);
    bill(system, sc, &mut r)?;
    Ok(r)
}

/// Replications combined into one result.
pub struct Combined {
    /// The run itself (one replication) or the mean result
    /// ([`stats::combine`]), billed on its mean counts.
    pub result: RunResult,
    /// Confidence intervals, with two replications or more.
    pub stats: Option<ReplicationStats>,
}

/// Combines billed replications (index order). `None` when `runs` is empty.
pub fn combine_billed(
    system: &System,
    sc: &Scenario,
    runs: &[RunResult],
) -> Option<Result<Combined, String>> {
    let mut result = stats::combine(runs)?;
    let several = runs.len() > 1;
    let stats = several.then(|| ReplicationStats::new(runs));
    if several {
        // The combined bill is the bill of the mean counts.
        if let Err(m) = bill(system, sc, &mut result) {
            return Some(Err(m));
        }
    }
    Some(Ok(Combined { result, stats }))
}
