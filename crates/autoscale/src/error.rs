//! One error type for the crate: every variant carries a message that says what was
//! found and what was expected, so the CLI can print it as is.

use std::fmt;

/// Everything that can go wrong in this crate. Controllers themselves never fail:
/// a metric that cannot be computed is part of a [`crate::Decision`], not an error.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A policy (TOML or Kubernetes YAML) could not be parsed or is invalid.
    /// `location` is `line L, column C` when the parser gave one.
    Config {
        location: Option<String>,
        message: String,
    },
    /// The demand CSV of a replay is malformed (`line` is 1-based, header = line 1).
    Csv {
        line: u64,
        column: Option<String>,
        message: String,
    },
    /// Replay options do not fit the policy or the data.
    Replay(String),
    /// Writing output failed.
    Io(String),
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            location: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config {
                location: Some(loc),
                message,
            } => write!(f, "{loc}: {message}"),
            Error::Config {
                location: None,
                message,
            } => write!(f, "{message}"),
            Error::Csv {
                line,
                column: Some(c),
                message,
            } => {
                write!(f, "line {line}, column `{c}`: {message}")
            }
            Error::Csv {
                line,
                column: None,
                message,
            } => write!(f, "line {line}: {message}"),
            Error::Replay(m) | Error::Io(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}
