//! `capsim stages`.

use super::progress::Progress;
use super::{CliError, Ctx, Status};
use crate::stages::{run_stages_with_progress, StagesError};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  capsim stages models/ai-mate.toml\n  capsim stages models/recete.toml --scenario scenarios/peak-hours.toml"
)]
pub struct Args {
    /// The model file (TOML) with `[stages.*]` tables.
    pub model: PathBuf,
    /// Scenario for stages that name none.
    #[arg(long, short)]
    pub scenario: Option<PathBuf>,
    /// Output directory (default: output/<model>-stages/).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let progress = Progress::new(ctx, "stages", None);
    let tick = |done: usize, planned: usize, name: &str| progress.done(done, Some(planned), name);
    let outcome = run_stages_with_progress(
        &a.model,
        a.scenario.as_deref(),
        a.out.as_deref(),
        Some(&tick),
    );
    progress.finish();
    let o = outcome.map_err(|e| match e {
        StagesError::Input(e) => CliError::Input(e.to_string()),
        e => CliError::Failed(e.to_string()),
    })?;
    ctx.markdown(&o.markdown);
    ctx.text(&format!(
        "wrote {}/stages.md, stages.csv, stages.png and stages.svg\n",
        o.out_dir.display()
    ));
    let rows: Vec<serde_json::Value> = o
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "stage": r.stage,
                "scenario": r.scenario,
                "users": r.users,
                "replicas_min": r.replicas_min,
                "replicas_max": r.replicas_max,
                "p50_ms": r.p50_ms,
                "p95_ms": r.p95_ms,
                "p99_ms": r.p99_ms,
                "error_rate": r.error_rate,
                "completed": r.completed,
                "saturated": r.saturated,
                "monthly_cost_usd": r.monthly_cost_usd,
                "cost_range_usd": r.cost_range.map(|(lo, hi)| [lo, hi]),
                "cost_verdict": r.cost_verdict(),
                "p95_verdict": r.p95_verdict(),
                "other_verdicts": r.other_verdicts,
            })
        })
        .collect();
    ctx.json(&serde_json::json!({
        "out_dir": o.out_dir.display().to_string(),
        "stages": rows,
    }));
    Ok(Status::Ok)
}
