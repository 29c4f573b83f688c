//! `capsim capacity`.

use super::progress::Progress;
use super::{CliError, Ctx, Status};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  capsim capacity models/recete.toml --scenario scenarios/black-friday.toml\n  capsim capacity models/examples/mmc.toml -s scenarios/examples/steady.toml --slo 'p95<50ms' -n 4\n  capsim capacity models/ai-mate.toml --stage Growth --max-factor 20"
)]
pub struct Args {
    /// The model file (TOML).
    pub model: PathBuf,
    /// The scenario whose traffic is multiplied (optional with a --stage that names one).
    #[arg(long, short)]
    pub scenario: Option<PathBuf>,
    /// Run this stage of the model (`[stages.NAME]`) instead of the base model.
    #[arg(long, value_name = "NAME")]
    pub stage: Option<String>,
    /// An SLO to hold, repeatable (as for `capsim check`), besides the model's [slo].
    #[arg(long = "slo", value_name = "EXPR")]
    pub slos: Vec<String>,
    /// The largest load factor tried.
    #[arg(long, value_name = "F", default_value_t = crate::capacity::DEFAULT_MAX_FACTOR)]
    pub max_factor: f64,
    /// Narrow the bracket [holds, breaks] to within this fraction: `2%` or `0.02`.
    #[arg(long, value_name = "PCT", value_parser = super::run::parse_fraction, default_value = "2%")]
    pub resolution: f64,
    /// Replications per probe; each probe's verdict then comes from 95% intervals.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
    pub replications: u32,
    /// Seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Prices merged over the catalog (as for `capsim run`).
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    /// Output directory (default: output/<model>-<scenario>-capacity/).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let opts = crate::capacity::CapacityOptions {
        stage: a.stage,
        slos: super::check::parse_slos(&a.slos)?,
        max_factor: a.max_factor,
        resolution: a.resolution,
        replications: a.replications,
        seed: a.seed,
        out: a.out,
        pricing: a.pricing,
    };
    let progress = Progress::new(ctx, "probes", None);
    let tick = |done: usize, factor: f64, verdict: &str| {
        progress.done(
            done,
            None,
            &format!("{}x {verdict}", crate::capacity::fmt_factor(factor)),
        );
    };
    let outcome =
        crate::capacity::capacity_files(&a.model, a.scenario.as_deref(), &opts, Some(&tick));
    progress.finish();
    let (r, dir) = outcome?;
    ctx.text(&crate::capacity::capacity_text(&r, &dir));
    if ctx.json {
        ctx.json(&serde_json::to_value(&r).unwrap_or(serde_json::Value::Null));
    }
    Ok(Status::Ok)
}
