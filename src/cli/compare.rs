//! `capsim compare`.

use super::progress::Progress;
use super::{CliError, Ctx, Status};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  capsim compare output/before output/after --fail-on p95+10%\n  capsim compare base.toml candidate.toml -s scenarios/examples/steady.toml -n 5"
)]
pub struct Args {
    /// The base: an output folder of `run`/`check`, a summary.json, or a model file.
    pub base: PathBuf,
    /// The candidate, of the same kind as BASE.
    pub candidate: PathBuf,
    /// Scenario, when BASE and CANDIDATE are model files.
    #[arg(long, short)]
    pub scenario: Option<PathBuf>,
    /// Exit 1 on a regression beyond a limit, repeatable: p95+10%, errors+0.5pp,
    /// monthly_cost+5%, p99+50ms, throughput-5%.
    #[arg(long = "fail-on", value_name = "EXPR")]
    pub fail_on: Vec<String>,
    /// Write the Markdown table to a file too.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Replications per model (model files only); enables the Welch t-test.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
    pub replications: u32,
    /// Seed for both models (model files only).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Prices merged over the catalog (model files only).
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let mut rules = Vec::new();
    for f in &a.fail_on {
        rules.push(crate::compare::parse_fail_on(f).map_err(|m| CliError::usage("--fail-on", m))?);
    }
    let opts = crate::compare::CompareOptions {
        scenario: a.scenario,
        seed: a.seed,
        replications: a.replications,
        pricing: a.pricing,
        fail_on: rules,
    };
    // Two sides: each is a unit (a model run, or a summary read).
    let progress = Progress::new(ctx, "sides", Some(2));
    let base = crate::compare::load_side(&a.base, &opts)?;
    progress.done(1, Some(2), &base.name);
    let cand = crate::compare::load_side(&a.candidate, &opts)?;
    progress.done(2, Some(2), &cand.name);
    progress.finish();
    let c = crate::compare::Comparison {
        rows: crate::compare::rows(&base.summary, &cand.summary),
        gates: opts
            .fail_on
            .iter()
            .map(|r| crate::compare::gate(r, &base.summary, &cand.summary))
            .collect(),
        base: base.name,
        candidate: cand.name,
    };
    let md = crate::compare::markdown(&c);
    if let Some(p) = &a.markdown {
        super::check::write_file(p, &md)?;
    }
    ctx.markdown(&md);
    let rows: Vec<serde_json::Value> = c
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "figure": r.figure,
                "base": r.base,
                "candidate": r.candidate,
                "delta": r.delta(),
                "relative": r.relative(),
                "significant": r.significant,
                "p_value": r.p_value,
            })
        })
        .collect();
    let gates: Vec<serde_json::Value> = c
        .gates
        .iter()
        .map(|g| serde_json::json!({"failed": g.failed, "detail": g.detail}))
        .collect();
    ctx.json(&serde_json::json!({
        "base": c.base,
        "candidate": c.candidate,
        "unchanged": c.unchanged(),
        "failed": c.failed(),
        "rows": rows,
        "gates": gates,
    }));
    Ok(if c.failed() {
        Status::Failed
    } else {
        Status::Ok
    })
}
