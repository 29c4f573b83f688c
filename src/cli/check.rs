//! `capsim check`.

use super::progress::Progress;
use super::{CliError, Ctx, Status};
use crate::run::RunOptions;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  capsim check models/examples/mmc.toml -s scenarios/examples/steady.toml --slo 'p95<50ms' --slo 'errors<0.1%'\n  capsim check m.toml -s s.toml -n 5 --junit junit.xml --markdown comment.md"
)]
pub struct Args {
    /// The model file (TOML).
    pub model: PathBuf,
    /// The scenario file (TOML).
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// An SLO, repeatable: p95<200ms, p99<1s, mean<50ms, errors<1%,
    /// monthly_cost<1500, time_to_capacity<2m, availability>99.9%, throughput>900.
    #[arg(long = "slo", value_name = "EXPR")]
    pub slos: Vec<String>,
    /// Replications; verdicts then use the 95% confidence interval.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
    pub replications: u32,
    /// Seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Write a JUnit XML report (one test case per SLO).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a Markdown summary (for a pull-request comment).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Treat "too close to call" (the CI straddles the threshold) as a failure.
    #[arg(long)]
    pub strict: bool,
    /// Output directory of the run (default: output/<model>-<scenario>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Prices merged over the catalog (as for `capsim run`).
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
}

/// Parses every `--slo`.
pub fn parse_slos(slos: &[String]) -> Result<Vec<crate::slo_expr::SloExpr>, CliError> {
    slos.iter()
        .map(|s| crate::slo_expr::parse_slo(s).map_err(|m| CliError::usage("--slo", m)))
        .collect()
}

/// Writes a report file, creating its folder.
pub fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    let fail =
        |e: std::io::Error| CliError::Failed(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    crate::report::atomic::write(path, text.as_bytes()).map_err(fail)
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let opts = crate::check::CheckOptions {
        slos: parse_slos(&a.slos)?,
        run: RunOptions {
            seed: a.seed,
            out: a.out,
            pricing: a.pricing,
            replications: a.replications,
            ..RunOptions::default()
        },
        strict: a.strict,
    };
    let progress = Progress::new(ctx, "replications", None);
    let tick = |event: crate::run::ProgressEvent| {
        if let crate::run::ProgressEvent::Replications { done, planned } = event {
            progress.done(done, Some(planned), "");
        }
    };
    let outcome = crate::check::check(&a.model, &a.scenario, &opts, Some(&tick));
    progress.finish();
    let o = outcome?;
    if let Some(p) = &a.junit {
        write_file(p, &crate::check::junit_xml(&o))?;
    }
    if let Some(p) = &a.markdown {
        write_file(p, &crate::check::markdown(&o))?;
    }
    ctx.text(&crate::check::text(&o));
    let verdicts: Vec<serde_json::Value> = o
        .verdicts
        .iter()
        .map(|v| {
            serde_json::json!({
                "slo": v.slo.label(),
                "source": v.slo.source,
                "status": v.status.word(),
                "actual": v.actual,
                "ci95": v.ci.as_ref().map(|e| [e.ci95_low, e.ci95_high]),
                "note": v.note,
            })
        })
        .collect();
    ctx.json(&serde_json::json!({
        "model": o.model,
        "scenario": o.scenario,
        "seed": o.seed,
        "replications": o.replications,
        "out_dir": o.out_dir.display().to_string(),
        "failed": o.failed(),
        "verdicts": verdicts,
        "warnings": o.warnings,
        "reproduce": o.reproduce,
    }));
    Ok(if o.failed() {
        Status::Failed
    } else {
        Status::Ok
    })
}
