//! The command line: parses arguments with clap and calls the library. Only this
//! module knows clap, terminals, progress bars and exit codes. One module per
//! command under `cli/`, each with an `Args` struct and an `exec` function;
//! adding a command is one module plus one line in [`commands!`].
//!
//! Flags shared by every command (`--json`, `--quiet`, `--color`) live on
//! [`Cli`] as global options; exit codes come from one map in [`exit`].

use clap::{Parser, Subcommand};

mod exit;
mod output;
pub mod progress;

mod capacity;
mod check;
mod compare;
mod completions;
mod import;
mod init;
mod man;
mod merge;
mod optimize;
mod replay;
mod run;
mod stages;
mod sweep;
mod validate;

pub use exit::{CliError, Status};
pub use output::{ColorChoice, Ctx};

/// Declares the subcommands: `Variant => module` (with the variant's help as doc
/// comment). Generates [`Command`] and its dispatch to `module::exec`.
macro_rules! commands {
    ($($(#[$meta:meta])* $variant:ident => $module:ident,)*) => {
        #[derive(Subcommand, Debug)]
        pub enum Command {
            $($(#[$meta])* $variant($module::Args),)*
        }

        impl Command {
            fn exec(self, ctx: &Ctx) -> Result<Status, CliError> {
                match self {
                    $(Command::$variant(args) => $module::exec(args, ctx),)*
                }
            }
        }
    };
}

commands! {
    /// Simulate a model under a scenario; writes summary.json, timeseries.csv,
    /// charts and report.html.
    Run => run,
    /// Check a model (and a scenario) without running.
    Validate => validate,
    /// Run every stage of a model beside its documented cost ranges and targets;
    /// writes stages.md, stages.csv and the cost chart.
    Stages => stages,
    /// Run an autoscaling policy over a recorded demand series, without the
    /// request-level simulation (same controller code as `run`).
    Replay => replay,
    /// Run a model and hold it to SLOs: exit 0 when all hold, 1 when one breaks.
    Check => check,
    /// Compare two runs (output folders or model files) figure by figure.
    Compare => compare,
    /// Run a grid over model parameters in parallel; writes sweep.csv and a chart.
    Sweep => sweep,
    /// Combine the part files of a sharded sweep into sweep.csv and the chart.
    Merge => merge,
    /// Find the cheapest configuration that meets the SLOs.
    Optimize => optimize,
    /// Find the largest multiple of a scenario's traffic that holds the SLOs, the
    /// SLO that breaks first and the components in the order they saturate.
    Capacity => capacity,
    /// Start a model (and a k6 scenario) from Kubernetes, compose, nginx,
    /// pgbouncer.ini, k6, Railway, Render and ECS configs; or --check a model
    /// against them.
    Import => import,
    /// Write a commented starter model and scenario.
    Init => init,
    /// Print a shell completion script.
    Completions => completions,
    /// Print the man page (roff).
    Man => man,
}

#[derive(Parser, Debug)]
#[command(
    name = "capsim",
    version,
    about = "Deterministic discrete-event capacity planning for web systems",
    after_help = "Examples:\n  capsim init my-system\n  capsim run my-system/model.toml --scenario my-system/scenario.toml\n  capsim validate models/examples/web-stack.toml scenarios/examples/web-day.toml\n\nExit codes: 0 success, 1 a failure while running or a failed verdict, 2 bad input."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Machine-readable output: one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print nothing on stdout and no progress on stderr (errors still go to stderr).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Colour for verdicts: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// The clap command, for completions and the man page.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let ctx = Ctx::new(cli.json, cli.quiet, cli.color);
    exit::code(cli.command.exec(&ctx))
}
