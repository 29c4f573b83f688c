//! `capsim run`.

use super::progress::Progress;
use super::{CliError, Ctx, Status};
use crate::report;
use crate::run::{run_files_with_progress, ProgressEvent, RunOptions};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  capsim run models/examples/mmc.toml --scenario scenarios/examples/steady.toml\n  capsim run models/examples/mmc.toml -s scenarios/examples/steady.toml -n 10\n  capsim run models/recete.toml -s scenarios/black-friday.toml --json > summary.json"
)]
pub struct Args {
    /// The model file (TOML).
    pub model: PathBuf,
    /// The scenario file (TOML).
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory (default: output/<model>-<scenario>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Prices merged over the catalog (TOML `[[sku]]` tables, or CSV with the
    /// columns of pricing/catalog.csv), after the model's own `[pricing]`.
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    /// Independent replications (indices 0..N, same base seed), run in
    /// parallel; summary.json then holds means and 95% confidence intervals.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
    pub replications: u32,
    /// Add replications until the 95% interval of the p95 latency is
    /// within this fraction of its mean: `2%` or `0.02`.
    #[arg(long, value_name = "PCT", value_parser = parse_fraction)]
    pub precision: Option<f64>,
    /// The most replications `--precision` may run.
    #[arg(long, value_name = "N", default_value_t = crate::run::DEFAULT_MAX_REPLICATIONS)]
    pub max_replications: u32,
}

/// `2%`, `2.5 %` or `0.02` as a fraction.
pub(super) fn parse_fraction(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 0.01),
        None => (t, 1.0),
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v * scale > 0.0 && v * scale < 1.0 => Ok(v * scale),
        _ => Err(format!(
            "found \"{s}\", expected a percentage above 0 and below 100 such as 2% (or a fraction such as 0.02)"
        )),
    }
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let opts = RunOptions {
        seed: a.seed,
        out: a.out,
        pricing: a.pricing,
        replications: a.replications,
        precision: a.precision,
        max_replications: a.max_replications,
    };
    let progress = Progress::new(ctx, "replications", None);
    let tick = |event: ProgressEvent| match event {
        ProgressEvent::Replications { done, planned } => {
            progress.done(done, Some(planned), "");
        }
        ProgressEvent::SimTime { now_ns, end_ns } => {
            progress.position(
                now_ns / 1_000_000_000,
                end_ns / 1_000_000_000,
                "simulated s",
            );
        }
    };
    let outcome = run_files_with_progress(&a.model, &a.scenario, &opts, Some(&tick));
    progress.finish();
    let o = outcome?;
    if ctx.json {
        super::output::emit(&report::run_summary_json(&o.result, o.stats.as_ref()));
    } else {
        ctx.text(&report::text::summary_text_with(
            &o.result,
            &o.out_dir,
            o.stats.as_ref(),
        ));
        ctx.text(&format!("reproduce: {}\n", o.reproduce));
    }
    Ok(Status::Ok)
}
