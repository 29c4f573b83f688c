//! The CI and planning commands: `check`, `compare`, `sweep`, `merge`,
//! `optimize`. Argument parsing, progress bars and exit codes only; the work is in
//! [`crate::check`], [`crate::compare`], [`crate::sweep`] and [`crate::optimize`].

use super::{emit, progress_bar};
use crate::run::{RunError, RunOptions};
use crate::slo_expr::SloExpr;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum CiCommand {
    /// Run a model and hold it to SLOs (the model's [slo] and --slo): exit 0 when
    /// all hold, 1 when one breaks, 2 on bad input. Writes the run's outputs, and
    /// optionally JUnit XML and a Markdown summary for a pull request.
    Check {
        /// The model file (TOML).
        model: PathBuf,
        /// The scenario file (TOML).
        #[arg(long, short)]
        scenario: PathBuf,
        /// An SLO, repeatable: p95<200ms, p99<1s, mean<50ms, errors<1%,
        /// monthly_cost<1500, time_to_capacity<2m, availability>99.9%, throughput>900.
        #[arg(long = "slo", value_name = "EXPR")]
        slos: Vec<String>,
        /// Replications; verdicts then use the 95% confidence interval.
        #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
        replications: u32,
        /// Seed (overrides the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Write a JUnit XML report (one test case per SLO).
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Write a Markdown summary (for a pull-request comment).
        #[arg(long, value_name = "FILE")]
        markdown: Option<PathBuf>,
        /// Treat "too close to call" (the CI straddles the threshold) as a failure.
        #[arg(long)]
        strict: bool,
        /// Output directory of the run (default: output/<model>-<scenario>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Prices merged over the catalog (as for `capsim run`).
        #[arg(long, value_name = "FILE")]
        pricing: Option<PathBuf>,
        /// Print nothing on stdout.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Compare two runs: output folders (their summary.json), or two model files
    /// run on the same --scenario with the same seed (common random numbers).
    Compare {
        base: PathBuf,
        candidate: PathBuf,
        /// Scenario, when BASE and CANDIDATE are model files.
        #[arg(long, short)]
        scenario: Option<PathBuf>,
        /// Exit 1 on a regression beyond a limit, repeatable: p95+10%, errors+0.5pp,
        /// monthly_cost+5%, p99+50ms, throughput-5%.
        #[arg(long = "fail-on", value_name = "EXPR")]
        fail_on: Vec<String>,
        /// Write the Markdown table to a file too.
        #[arg(long, value_name = "FILE")]
        markdown: Option<PathBuf>,
        /// Replications per model (model files only); enables the Welch t-test.
        #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
        replications: u32,
        /// Seed for both models (model files only).
        #[arg(long)]
        seed: Option<u64>,
        /// Prices merged over the catalog (model files only).
        #[arg(long, value_name = "FILE")]
        pricing: Option<PathBuf>,
        /// Print nothing on stdout.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run a grid over model parameters (in parallel) and write sweep.csv and a
    /// chart of p95 and cost; with --shard K/N, one shard's sweep.part-K-of-N.json.
    Sweep {
        model: PathBuf,
        #[arg(long, short)]
        scenario: PathBuf,
        /// PATH=VALUES, repeatable: api.replicas=2..10, db_pool.size=10,20,40,
        /// api.cores=0.5..2:0.5, api.timeout=200ms,1s.
        #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
        sets: Vec<String>,
        #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
        replications: u32,
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (default: output/<model>-<scenario>-sweep/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run only the points with index % N == K-1 and write a part file.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        #[arg(long, value_name = "FILE")]
        pricing: Option<PathBuf>,
        #[arg(long, short)]
        quiet: bool,
    },
    /// Combine the part files of a sharded sweep into sweep.csv and the chart.
    Merge {
        /// Every sweep.part-K-of-N.json.
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        #[arg(long, required = true)]
        out: PathBuf,
        #[arg(long, short)]
        quiet: bool,
    },
    /// Find the cheapest configuration meeting the SLOs, assuming more capacity
    /// never hurts (binary search per slice); writes frontier.csv and a chart.
    Optimize {
        model: PathBuf,
        #[arg(long, short)]
        scenario: PathBuf,
        /// PATH=VALUES of increasing numbers, repeatable; the first is searched.
        #[arg(long = "param", value_name = "PATH=VALUES", required = true)]
        params: Vec<String>,
        #[arg(long = "slo", value_name = "EXPR")]
        slos: Vec<String>,
        /// monthly_cost (default) or sum (of the parameters' values).
        #[arg(long, default_value = "monthly_cost")]
        objective: String,
        #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
        replications: u32,
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (default: output/<model>-<scenario>-optimize/).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        pricing: Option<PathBuf>,
        #[arg(long, short)]
        quiet: bool,
    },
}

/// Prints a bad-argument message and returns exit code 2.
fn bad(flag: &str, message: &str) -> i32 {
    eprintln!("error: {flag}: {message}");
    2
}

fn parse_slos(slos: &[String]) -> Result<Vec<SloExpr>, i32> {
    slos.iter()
        .map(|s| crate::slo_expr::parse_slo(s).map_err(|m| bad("--slo", &m)))
        .collect()
}

fn parse_params(flag: &str, items: &[String]) -> Result<Vec<crate::sweep::Param>, i32> {
    items
        .iter()
        .map(|s| crate::sweep::parse_set(s).map_err(|m| bad(flag, &m)))
        .collect()
}

/// Exit code of a run error: 2 for input, 1 for writing.
fn run_error(e: RunError) -> i32 {
    match e {
        RunError::Input(e) => {
            eprintln!("{e}");
            2
        }
        RunError::Options(m) => {
            eprintln!("error: {m}");
            2
        }
        e @ RunError::Write { .. } => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), i32> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return Err(1);
        }
    }
    crate::report::atomic::write(path, text.as_bytes()).map_err(|e| {
        eprintln!("error: cannot write {}: {e}", path.display());
        1
    })
}

/// A progress bar for `done` of `planned` runs.
fn runs_bar(quiet: bool, what: &str) -> Option<indicatif::ProgressBar> {
    let bar = progress_bar(quiet)?;
    bar.set_message(what.to_string());
    Some(bar)
}

pub fn main(cmd: CiCommand) -> i32 {
    match cmd {
        CiCommand::Check {
            model,
            scenario,
            slos,
            replications,
            seed,
            junit,
            markdown,
            strict,
            out,
            pricing,
            quiet,
        } => {
            let slos = match parse_slos(&slos) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let opts = crate::check::CheckOptions {
                slos,
                run: RunOptions {
                    seed,
                    out,
                    pricing,
                    replications,
                    ..RunOptions::default()
                },
                strict,
            };
            let bar = runs_bar(quiet, "replications");
            let tick = |event: crate::run::ProgressEvent| {
                let Some(b) = &bar else { return };
                if let crate::run::ProgressEvent::Replications { done, planned } = event {
                    b.set_length(planned as u64);
                    b.set_position(done as u64);
                }
            };
            let outcome = crate::check::check(&model, &scenario, &opts, Some(&tick));
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            let o = match outcome {
                Ok(o) => o,
                Err(e) => return run_error(e),
            };
            if let Some(p) = &junit {
                if let Err(code) = write_file(p, &crate::check::junit_xml(&o)) {
                    return code;
                }
            }
            if let Some(p) = &markdown {
                if let Err(code) = write_file(p, &crate::check::markdown(&o)) {
                    return code;
                }
            }
            if !quiet {
                emit(&crate::check::text(&o));
            }
            if o.failed() {
                1
            } else {
                0
            }
        }
        CiCommand::Compare {
            base,
            candidate,
            scenario,
            fail_on,
            markdown,
            replications,
            seed,
            pricing,
            quiet,
        } => {
            let mut rules = Vec::new();
            for f in &fail_on {
                match crate::compare::parse_fail_on(f) {
                    Ok(r) => rules.push(r),
                    Err(m) => return bad("--fail-on", &m),
                }
            }
            let opts = crate::compare::CompareOptions {
                scenario,
                seed,
                replications,
                pricing,
                fail_on: rules,
            };
            let c = match crate::compare::compare(&base, &candidate, &opts) {
                Ok(c) => c,
                Err(e) => return run_error(e),
            };
            let md = crate::compare::markdown(&c);
            if let Some(p) = &markdown {
                if let Err(code) = write_file(p, &md) {
                    return code;
                }
            }
            if !quiet {
                emit(&md);
            }
            if c.failed() {
                1
            } else {
                0
            }
        }
        CiCommand::Sweep {
            model,
            scenario,
            sets,
            replications,
            seed,
            out,
            shard,
            pricing,
            quiet,
        } => {
            let params = match parse_params("--set", &sets) {
                Ok(p) => p,
                Err(code) => return code,
            };
            let shard = match shard.as_deref().map(crate::sweep::parse_shard) {
                None => None,
                Some(Ok(s)) => Some(s),
                Some(Err(m)) => return bad("--shard", &m),
            };
            let opts = crate::sweep::SweepOptions {
                seed,
                replications,
                out,
                pricing,
                shard,
            };
            let bar = runs_bar(quiet, "runs");
            let tick = |done: usize, planned: usize| {
                if let Some(b) = &bar {
                    b.set_length(planned as u64);
                    b.set_position(done as u64);
                }
            };
            let outcome = crate::sweep::sweep(&model, &scenario, params, &opts, Some(&tick));
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            match outcome {
                Ok(o) => {
                    if !quiet {
                        emit(&format!(
                            "sweep: {} points, {} runs; wrote {}/{}\n",
                            o.points,
                            o.runs,
                            o.out_dir.display(),
                            o.files.join(", ")
                        ));
                        for n in &o.notes {
                            emit(&format!("note: {n}\n"));
                        }
                    }
                    0
                }
                Err(e) => run_error(e),
            }
        }
        CiCommand::Merge { parts, out, quiet } => match crate::sweep::merge(&parts, &out) {
            Ok(o) => {
                if !quiet {
                    emit(&format!(
                        "merge: {} points from {} parts; wrote {}/{}\n",
                        o.points,
                        parts.len(),
                        o.out_dir.display(),
                        o.files.join(", ")
                    ));
                    for n in &o.notes {
                        emit(&format!("note: {n}\n"));
                    }
                }
                0
            }
            Err(crate::sweep::MergeError::Run(e)) => run_error(e),
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        },
        CiCommand::Optimize {
            model,
            scenario,
            params,
            slos,
            objective,
            replications,
            seed,
            out,
            pricing,
            quiet,
        } => {
            let params = match parse_params("--param", &params) {
                Ok(p) => p,
                Err(code) => return code,
            };
            let slos = match parse_slos(&slos) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let objective = match crate::optimize::Objective::parse(&objective) {
                Ok(o) => o,
                Err(m) => return bad("--objective", &m),
            };
            let opts = crate::optimize::OptimizeOptions {
                slos,
                objective,
                seed,
                replications,
                out,
                pricing,
            };
            match crate::optimize::optimize(&model, &scenario, params, &opts) {
                Ok(o) => {
                    if !quiet {
                        emit(&crate::optimize::text(&o));
                    }
                    if o.chosen.is_some() {
                        0
                    } else {
                        1
                    }
                }
                Err(e) => run_error(e),
            }
        }
    }
}
