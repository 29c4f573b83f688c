//! The command line: parses arguments with clap and calls the library. The
//! only place that knows about exit codes: 0 success, 1 a failure while
//! running (e.g. an output that cannot be written), 2 bad input.

use crate::report;
use crate::run::{load_inputs, run_files_with_progress, ProgressEvent, RunError, RunOptions};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

mod ci_tools;

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
        /// Independent replications (indices 0..N, same base seed), run in
        /// parallel; summary.json then holds means and 95% confidence intervals.
        #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
        replications: u32,
        /// Add replications until the 95% interval of the p95 latency is
        /// within this fraction of its mean: `2%` or `0.02`.
        #[arg(long, value_name = "PCT", value_parser = parse_fraction)]
        precision: Option<f64>,
        /// The most replications `--precision` may run.
        #[arg(long, value_name = "N", default_value_t = crate::run::DEFAULT_MAX_REPLICATIONS)]
        max_replications: u32,
    },
    /// Run every stage of a model (`[stages.NAME]` overlays) and tabulate latency,
    /// errors and the monthly bill against each stage's documented figures; writes
    /// stages.md, stages.csv, stages.png and stages.svg.
    Stages {
        /// The model file (TOML) with `[stages.*]` tables.
        model: PathBuf,
        /// Scenario for stages that name none.
        #[arg(long, short)]
        scenario: Option<PathBuf>,
        /// Output directory (default: output/<model>-stages/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Find the largest multiple of a scenario's traffic that the model sustains
    /// within its SLOs, and the components that saturate on the way; writes
    /// capacity.json, capacity.md and charts.
    #[command(
        after_help = "Example:\n  capsim capacity models/recete.toml --scenario scenarios/black-friday.toml --slo 'p95<200ms' --replications 3"
    )]
    Capacity {
        /// The model file (TOML).
        model: PathBuf,
        /// The scenario whose traffic is multiplied (optional with a --stage that names one).
        #[arg(long, short)]
        scenario: Option<PathBuf>,
        /// Run this stage of the model (`[stages.NAME]`) instead of the base model.
        #[arg(long, value_name = "NAME")]
        stage: Option<String>,
        /// An SLO to hold, e.g. `p95<200ms`, `errors<1%` (repeatable; added to the model's `[slo]`).
        #[arg(long, value_name = "EXPR")]
        slo: Vec<String>,
        /// The largest load factor tried.
        #[arg(long, value_name = "F", default_value_t = crate::capacity::DEFAULT_MAX_FACTOR)]
        max_factor: f64,
        /// Narrow the bracket [holds, breaks] to within this fraction: `2%` or `0.02`.
        #[arg(long, value_name = "PCT", value_parser = parse_fraction, default_value = "2%")]
        resolution: f64,
        /// Replications per probe; each probe's verdict then comes from 95% intervals.
        #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
        replications: u32,
        /// Seed (overrides the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Prices merged over the catalog (see `capsim run --pricing`).
        #[arg(long, value_name = "FILE")]
        pricing: Option<PathBuf>,
        /// Output directory (default: output/<model>-<scenario>-capacity/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print capacity.json on stdout instead of text.
        #[arg(long)]
        json: bool,
        /// Print nothing on stdout and no progress on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    #[command(flatten)]
    Ci(ci_tools::CiCommand),
    /// Start a model (and a scenario) from existing configs: Kubernetes, docker-compose,
    /// nginx, pgbouncer.ini, k6, Railway, Render, ECS; `--check` keeps a model in sync.
    Import(crate::import::Args),
    /// Check a model (and optionally a scenario) without running.
    Validate {
        model: PathBuf,
        scenario: Option<PathBuf>,
    },
    /// Run an autoscaling policy over a recorded demand series, without the
    /// request-level simulation (same controller code as `run`).
    Replay {
        /// Policy: capsim autoscale TOML, or a Kubernetes HPA manifest (.yaml).
        #[arg(long)]
        policy: PathBuf,
        /// CSV: `time_s` and one column per metric, totals across replicas.
        #[arg(long)]
        metrics: PathBuf,
        /// Replicas at the first row.
        #[arg(long)]
        initial_replicas: u32,
        /// CPU request per replica, in cores (for `cpu` utilization).
        #[arg(long)]
        cpu_request: Option<f64>,
        /// Memory request per replica, in MiB (for `memory` utilization).
        #[arg(long)]
        memory_request: Option<f64>,
        /// Delay before a new replica is ready, e.g. "45s" (default 0s).
        #[arg(long, default_value = "0s")]
        startup: String,
        /// Output CSV (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `2%`, `2.5 %` or `0.02` as a fraction.
fn parse_fraction(s: &str) -> Result<f64, String> {
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

/// A progress bar on stderr (replications done, or simulated time of a
/// single run), or `None` when stderr is not a terminal or with `--quiet`.
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} {pos}/{len} [{bar:30}] {rate} elapsed {elapsed} ETA {eta}",
    ) {
        let rate = |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.1}/s", state.per_sec());
        };
        bar.set_style(style.with_key("rate", rate).progress_chars("=> "));
    }
    Some(bar)
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
            replications,
            precision,
            max_replications,
        } => {
            let opts = RunOptions {
                seed,
                out,
                pricing,
                replications,
                precision,
                max_replications,
            };
            let bar = progress_bar(quiet);
            let tick = |event: ProgressEvent| {
                let Some(b) = &bar else { return };
                match event {
                    ProgressEvent::Replications { done, planned } => {
                        b.set_message("replications");
                        b.set_length(planned as u64);
                        b.set_position(done as u64);
                    }
                    ProgressEvent::SimTime { now_ns, end_ns } => {
                        b.set_message("simulated s");
                        b.set_length(end_ns / 1_000_000_000);
                        b.set_position(now_ns / 1_000_000_000);
                    }
                }
            };
            let outcome = run_files_with_progress(&model, &scenario, &opts, Some(&tick));
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            match outcome {
                Ok(o) => {
                    if json {
                        emit(&report::run_summary_json(&o.result, o.stats.as_ref()));
                    } else if !quiet {
                        emit(&report::text::summary_text_with(
                            &o.result,
                            &o.out_dir,
                            o.stats.as_ref(),
                        ));
                        emit(&format!("reproduce: {}\n", o.reproduce));
                    }
                    0
                }
                Err(RunError::Input(e)) => {
                    eprintln!("{e}");
                    2
                }
                Err(RunError::Options(e)) => {
                    eprintln!("error: {e}");
                    2
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    1
                }
            }
        }
        Command::Replay {
            policy,
            metrics,
            initial_replicas,
            cpu_request,
            memory_request,
            startup,
            out,
        } => {
            let startup_ns = match crate::input::parse_duration(&startup) {
                Ok(d) => d.nanos(),
                Err(m) => {
                    eprintln!("error: --startup: {m}");
                    return 2;
                }
            };
            let args = crate::replay::ReplayArgs {
                policy,
                metrics,
                initial_replicas,
                cpu_request_cores: cpu_request,
                memory_request_mib: memory_request,
                startup_ns,
                out,
            };
            match crate::replay::run_replay(&args, &mut std::io::stdout().lock()) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: {e}");
                    e.exit_code()
                }
            }
        }
        Command::Stages {
            model,
            scenario,
            out,
        } => match crate::stages::run_stages(&model, scenario.as_deref(), out.as_deref()) {
            Ok(o) => {
                emit(&o.markdown);
                emit(&format!(
                    "wrote {}/stages.md, stages.csv, stages.png and stages.svg\n",
                    o.out_dir.display()
                ));
                0
            }
            Err(crate::stages::StagesError::Input(e)) => {
                eprintln!("{e}");
                2
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
        Command::Capacity {
            model,
            scenario,
            stage,
            slo,
            max_factor,
            resolution,
            replications,
            seed,
            pricing,
            out,
            json,
            quiet,
        } => {
            let mut slos = Vec::new();
            for s in &slo {
                match crate::slo_expr::parse_slo(s) {
                    Ok(e) => slos.push(e),
                    Err(m) => {
                        eprintln!("error: --slo {s}: {m}");
                        return 2;
                    }
                }
            }
            let opts = crate::capacity::CapacityOptions {
                stage,
                slos,
                max_factor,
                resolution,
                replications,
                seed,
                out,
                pricing,
            };
            let bar = progress_bar(quiet);
            if let Some(b) = &bar {
                b.set_message("capacity probes");
            }
            let lines = !quiet && bar.is_none();
            let tick = |done: usize, factor: f64, verdict: &str| {
                if let Some(b) = &bar {
                    b.set_length(done as u64 + 1);
                    b.set_position(done as u64);
                    b.set_message(format!(
                        "capacity probes (last: {}x {verdict})",
                        crate::capacity::fmt_factor(factor)
                    ));
                } else if lines {
                    eprintln!(
                        "probe {done}: {}x -> {verdict}",
                        crate::capacity::fmt_factor(factor)
                    );
                }
            };
            let outcome =
                crate::capacity::capacity_files(&model, scenario.as_deref(), &opts, Some(&tick));
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            match outcome {
                Ok((r, dir)) => {
                    if json {
                        let mut j = serde_json::to_string_pretty(&r).unwrap_or_default();
                        j.push('\n');
                        emit(&j);
                    } else if !quiet {
                        emit(&crate::capacity::capacity_text(&r, &dir));
                    }
                    0
                }
                Err(RunError::Input(e)) => {
                    eprintln!("{e}");
                    2
                }
                Err(RunError::Options(e)) => {
                    eprintln!("error: {e}");
                    2
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    1
                }
            }
        }
        Command::Ci(cmd) => ci_tools::main(cmd),
        Command::Import(args) => crate::import::run(args),
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
