//! `capsim optimize`.

use super::progress::Progress;
use super::{CliError, Ctx, Status};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  capsim optimize models/examples/web-stack.toml -s scenarios/examples/web-day.toml --param api.replicas=1..20 --param db_pool.size=5..50:5 --slo 'p95<200ms'"
)]
pub struct Args {
    /// The model file (TOML).
    pub model: PathBuf,
    /// The scenario file (TOML).
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// PATH=VALUES of increasing numbers, repeatable; the first is searched.
    #[arg(long = "param", value_name = "PATH=VALUES", required = true)]
    pub params: Vec<String>,
    /// An SLO to meet, repeatable (as for `capsim check`), besides the model's [slo].
    #[arg(long = "slo", value_name = "EXPR")]
    pub slos: Vec<String>,
    /// monthly_cost (default) or sum (of the parameters' values).
    #[arg(long, default_value = "monthly_cost")]
    pub objective: String,
    /// Replications per evaluated point.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
    pub replications: u32,
    /// Seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory (default: output/<model>-<scenario>-optimize/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Prices merged over the catalog (as for `capsim run`).
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let params = super::sweep::parse_params("--param", &a.params)?;
    let opts = crate::optimize::OptimizeOptions {
        slos: super::check::parse_slos(&a.slos)?,
        objective: crate::optimize::Objective::parse(&a.objective)
            .map_err(|m| CliError::usage("--objective", m))?,
        seed: a.seed,
        replications: a.replications,
        out: a.out,
        pricing: a.pricing,
    };
    let names: Vec<String> = params.iter().map(|p| p.path.clone()).collect();
    let progress = Progress::new(ctx, "points", None);
    let tick = |done: usize, e: &crate::optimize::Eval| {
        let cfg: Vec<String> = names
            .iter()
            .zip(&e.labels)
            .map(|(p, l)| format!("{p}={l}"))
            .collect();
        let verdict = if e.feasible {
            "meets the SLOs"
        } else {
            "misses"
        };
        progress.done(done, None, &format!("{} {verdict}", cfg.join(" ")));
    };
    let outcome =
        crate::optimize::optimize_with_progress(&a.model, &a.scenario, params, &opts, Some(&tick));
    progress.finish();
    let o = outcome?;
    ctx.text(&crate::optimize::text(&o));
    if ctx.json {
        super::output::emit(&crate::optimize::json(&o));
    }
    Ok(if o.chosen.is_some() {
        Status::Ok
    } else {
        Status::Failed
    })
}
