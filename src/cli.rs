//! The command line: parses arguments with clap and calls the library. The
//! only place that knows about exit codes: 0 success, 1 a failure while
//! running (e.g. an output that cannot be written), 2 bad input.

use crate::report;
use crate::run::{load_inputs, run_files, RunError, RunOptions};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "capsim",
    version,
    about = "Deterministic discrete-event capacity planning for web systems"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a model under a scenario and write summary.json and timeseries.csv.
    Run {
        /// The model file (TOML).
        model: PathBuf,
        /// The scenario file (TOML).
        #[arg(long, short)]
        scenario: PathBuf,
        /// Seed (overrides the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (default: output/<model>-<scenario>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the summary as JSON on stdout instead of text.
        #[arg(long)]
        json: bool,
        /// Print nothing on stdout.
        #[arg(long, short)]
        quiet: bool,
        /// Prices merged over the catalog (TOML `[[sku]]` tables, or CSV with the
        /// columns of pricing/catalog.csv), after the model's own `[pricing]`.
        #[arg(long, value_name = "FILE")]
        pricing: Option<PathBuf>,
    },
    /// Check a model (and optionally a scenario) without running.
    Validate {
        model: PathBuf,
        scenario: Option<PathBuf>,
    },
}

/// Writes to stdout; a closed pipe (`capsim run ... | head`) is not an
/// error worth a panic, so write failures are ignored.
fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            model,
            scenario,
            seed,
            out,
            json,
            quiet,
            pricing,
        } => match run_files(&model, &scenario, &RunOptions { seed, out, pricing }) {
            Ok(o) => {
                if json {
                    emit(&report::summary_json(&o.result));
                } else if !quiet {
                    emit(&report::text::summary_text(&o.result, &o.out_dir));
                    emit(&format!(
                        "reproduce: capsim run {} --scenario {} --seed {}\n",
                        model.display(),
                        scenario.display(),
                        o.result.seed
                    ));
                }
                0
            }
            Err(RunError::Input(e)) => {
                eprintln!("{e}");
                2
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
        Command::Validate { model, scenario } => {
            let result = match &scenario {
                Some(s) => load_inputs(&model, s).map(|(m, s)| (m, Some(s))),
                None => crate::model::load_model(&model).map(|m| (m, None)),
            };
            match result {
                Ok((m, s)) => {
                    emit(&format!(
                        "{}: ok ({} components, {} request classes)\n",
                        model.display(),
                        m.components.len(),
                        m.classes.len()
                    ));
                    if let (Some(path), Some(s)) = (&scenario, s) {
                        emit(&format!(
                            "{}: ok ({} workload, {} s)\n",
                            path.display(),
                            s.workload.kind(),
                            s.duration_ns as f64 / 1e9
                        ));
                    }
                    0
                }
                Err(e) => {
                    eprintln!("{e}");
                    2
                }
            }
        }
    }
}
