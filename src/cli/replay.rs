//! `capsim replay`.

use super::{CliError, Ctx, Status};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  capsim replay --policy docs/examples/replay/hpa-api.yaml --metrics docs/examples/replay/demand.csv --initial-replicas 2 --cpu-request 0.5"
)]
pub struct Args {
    /// Policy: capsim autoscale TOML, or a Kubernetes HPA manifest (.yaml).
    #[arg(long)]
    pub policy: PathBuf,
    /// CSV: `time_s` and one column per metric, totals across replicas.
    #[arg(long)]
    pub metrics: PathBuf,
    /// Replicas at the first row.
    #[arg(long)]
    pub initial_replicas: u32,
    /// CPU request per replica, in cores (for `cpu` utilization).
    #[arg(long)]
    pub cpu_request: Option<f64>,
    /// Memory request per replica, in MiB (for `memory` utilization).
    #[arg(long)]
    pub memory_request: Option<f64>,
    /// Delay before a new replica is ready, e.g. "45s" or "1m30s" (default 0s).
    #[arg(long, default_value = "0s")]
    pub startup: String,
    /// Output CSV (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let startup_ns = crate::input::parse_duration(&a.startup)
        .map_err(|m| CliError::usage("--startup", m))?
        .nanos();
    let args = crate::replay::ReplayArgs {
        policy: a.policy,
        metrics: a.metrics,
        initial_replicas: a.initial_replicas,
        cpu_request_cores: a.cpu_request,
        memory_request_mib: a.memory_request,
        startup_ns,
        out: a.out.clone(),
    };
    let mut buffer = Vec::new();
    crate::replay::run_replay(&args, &mut buffer).map_err(|e| match e {
        // A write failure is a failure while running (exit 1), not bad input.
        e @ crate::replay::ReplayError::Write { .. } => CliError::Failed(e.to_string()),
        e => CliError::Input(format!("error: {e}")),
    })?;
    if ctx.json {
        // The decisions as an array of objects, one per row of the CSV.
        let text = match &a.out {
            Some(p) => std::fs::read_to_string(p)
                .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", p.display())))?,
            None => String::from_utf8_lossy(&buffer).into_owned(),
        };
        ctx.json(&csv_to_json(&text));
    } else if !ctx.quiet {
        super::output::emit(&String::from_utf8_lossy(&buffer));
    }
    Ok(Status::Ok)
}

/// CSV text as a JSON array of objects (numbers where a cell parses as one).
fn csv_to_json(text: &str) -> serde_json::Value {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    let rows = reader
        .records()
        .filter_map(Result::ok)
        .map(|r| {
            let mut obj = serde_json::Map::new();
            for (h, v) in headers.iter().zip(r.iter()) {
                let value = v
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(
                        || serde_json::Value::String(v.to_string()),
                        serde_json::Value::Number,
                    );
                obj.insert(h.to_string(), value);
            }
            serde_json::Value::Object(obj)
        })
        .collect();
    serde_json::Value::Array(rows)
}
