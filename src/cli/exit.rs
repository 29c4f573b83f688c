//! The one map from outcomes to exit codes: 0 success, 1 a failure while running
//! (an output that cannot be written) or a failed verdict (an SLO breached, a
//! `--fail-on` gate, no configuration meeting the SLOs), 2 bad input or arguments.

use crate::run::RunError;

/// How a command that ran to the end came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Ok,
    /// Exit 1: the command worked and its verdict is "fail".
    Failed,
}

/// Why a command stopped. Each is printed once, on stderr.
#[derive(Debug)]
pub enum CliError {
    /// Bad input files: the message already names file:line:col and key (exit 2).
    Input(String),
    /// A bad flag value (exit 2).
    Usage { flag: String, message: String },
    /// A failure while running, such as an unwritable output (exit 1).
    Failed(String),
    /// Bad input that the command has already reported on stderr (exit 2).
    Reported,
}

impl CliError {
    /// A bad value of `flag`.
    pub fn usage(flag: &str, message: impl Into<String>) -> Self {
        CliError::Usage {
            flag: flag.to_string(),
            message: message.into(),
        }
    }
}

impl From<RunError> for CliError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Input(e) => CliError::Input(e.to_string()),
            RunError::Options(m) => CliError::Input(format!("error: {m}")),
            e @ RunError::Write { .. } => CliError::Failed(e.to_string()),
        }
    }
}

impl From<crate::input::InputErrors> for CliError {
    fn from(e: crate::input::InputErrors) -> Self {
        CliError::Input(e.to_string())
    }
}

/// Prints the error (if any) and returns the exit code.
pub fn code(result: Result<Status, CliError>) -> i32 {
    match result {
        Ok(Status::Ok) => 0,
        Ok(Status::Failed) => 1,
        Err(CliError::Input(m)) => {
            eprintln!("{}", m.trim_end());
            2
        }
        Err(CliError::Usage { flag, message }) => {
            eprintln!("error: {flag}: {message}");
            2
        }
        Err(CliError::Failed(m)) => {
            eprintln!("error: {m}");
            1
        }
        Err(CliError::Reported) => 2,
    }
}
