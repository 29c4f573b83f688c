//! `capsim sweep`.

use super::progress::Progress;
use super::{CliError, Ctx, Status};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  capsim sweep models/examples/web-stack.toml -s scenarios/examples/web-day.toml --set api.replicas=2..10 --set db_pool.size=10,20,40 -n 5\n  capsim sweep m.toml -s s.toml --set api.replicas=2..20 --shard 1/4 --out parts"
)]
pub struct Args {
    /// The model file (TOML).
    pub model: PathBuf,
    /// The scenario file (TOML).
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// PATH=VALUES, repeatable: api.replicas=2..10, db_pool.size=10,20,40,
    /// api.cores=0.5..2:0.5, api.timeout=200ms,1s.
    #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
    pub sets: Vec<String>,
    /// Replications per point; sweep.csv then has 95% interval columns.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
    pub replications: u32,
    /// Seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory (default: output/<model>-<scenario>-sweep/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only the points with index % N == K-1 and write a part file.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Prices merged over the catalog (as for `capsim run`).
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
}

/// Parses `PATH=VALUES` items of `flag`.
pub fn parse_params(flag: &str, items: &[String]) -> Result<Vec<crate::sweep::Param>, CliError> {
    items
        .iter()
        .map(|s| crate::sweep::parse_set(s).map_err(|m| CliError::usage(flag, m)))
        .collect()
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let params = parse_params("--set", &a.sets)?;
    let shard = a
        .shard
        .as_deref()
        .map(crate::sweep::parse_shard)
        .transpose()
        .map_err(|m| CliError::usage("--shard", m))?;
    let opts = crate::sweep::SweepOptions {
        seed: a.seed,
        replications: a.replications,
        out: a.out,
        pricing: a.pricing,
        shard,
    };
    let progress = Progress::new(ctx, "runs", None);
    let tick = |done: usize, planned: usize| progress.done(done, Some(planned), "");
    let outcome = crate::sweep::sweep(&a.model, &a.scenario, params, &opts, Some(&tick));
    progress.finish();
    let o = outcome?;
    ctx.text(&format!(
        "sweep: {} points, {} runs; wrote {}/{}\n",
        o.points,
        o.runs,
        o.out_dir.display(),
        o.files.join(", ")
    ));
    for n in &o.notes {
        ctx.text(&format!("note: {n}\n"));
    }
    ctx.json(&serde_json::json!({
        "points": o.points,
        "runs": o.runs,
        "out_dir": o.out_dir.display().to_string(),
        "files": o.files,
        "notes": o.notes,
    }));
    Ok(Status::Ok)
}
