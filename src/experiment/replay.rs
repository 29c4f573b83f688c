//! `capsim replay`: run an autoscaling policy over a recorded demand series
//! (e.g. last Black Friday exported from Prometheus) without the
//! request-level simulation. It calls the same controller code as `run`.

use capsim_autoscale::replay::{read_demand_csv, replay, write_replay_csv, ReplayOptions};
use std::path::{Path, PathBuf};

/// Arguments of `capsim replay`.
#[derive(Clone, Debug)]
pub struct ReplayArgs {
    /// A policy TOML (capsim's autoscale format) or a Kubernetes HPA manifest (.yaml/.yml).
    pub policy: PathBuf,
    /// CSV with `time_s` and one column per metric (totals across replicas).
    pub metrics: PathBuf,
    pub initial_replicas: u32,
    pub cpu_request_cores: Option<f64>,
    pub memory_request_mib: Option<f64>,
    pub startup_ns: u64,
    /// Output CSV; `None` writes to stdout.
    pub out: Option<PathBuf>,
}

/// Why a replay could not run: bad input (exit 2) or a failure to write
/// the output (exit 1, as for every command).
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("{0}")]
    Input(String),
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ReplayError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            ReplayError::Input(_) => 2,
            ReplayError::Write { .. } => 1,
        }
    }
}

fn located(path: &Path, e: impl std::fmt::Display) -> ReplayError {
    ReplayError::Input(format!("{}: {e}", path.display()))
}

/// Runs the replay and writes its CSV (atomically to a file, or to `sink`).
pub fn run_replay(args: &ReplayArgs, sink: &mut dyn std::io::Write) -> Result<(), ReplayError> {
    let policy = capsim_autoscale::load_policy_file(&args.policy)
        .map_err(|e| ReplayError::Input(e.to_string()))?;
    let file = std::fs::File::open(&args.metrics)
        .map_err(|e| located(&args.metrics, format!("cannot read the file: {e}")))?;
    let demand = read_demand_csv(file).map_err(|e| located(&args.metrics, e))?;
    let mut opts = ReplayOptions::new(args.initial_replicas);
    opts.cpu_request_cores = args.cpu_request_cores;
    opts.memory_request_mib = args.memory_request_mib;
    opts.startup_ns = args.startup_ns;
    let rows = replay(&policy, &demand, &opts).map_err(|e| located(&args.metrics, e))?;
    let columns: Vec<String> = demand.columns.clone();
    let mut buf = Vec::new();
    // Into memory: no I/O can fail here.
    write_replay_csv(&mut buf, &columns, &rows).map_err(|e| ReplayError::Input(e.to_string()))?;
    match &args.out {
        Some(p) => crate::report::atomic::write(p, &buf).map_err(|source| ReplayError::Write {
            path: p.clone(),
            source,
        }),
        None => {
            // A closed pipe is not an error worth reporting.
            let _ = sink.write_all(&buf);
            Ok(())
        }
    }
}
