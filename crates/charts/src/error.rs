//! The crate's error type: bad data is reported, never panicked on.

use std::path::PathBuf;

/// What can go wrong while drawing or writing a chart.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The data cannot be drawn (empty, non-finite, mismatched lengths).
    #[error("chart `{chart}`: {message}")]
    Data {
        /// Chart title.
        chart: String,
        /// What is wrong.
        message: String,
    },
    /// The drawing library failed.
    #[error("chart `{chart}`: drawing failed: {message}")]
    Draw {
        /// Chart title.
        chart: String,
        /// The library's message.
        message: String,
    },
    /// The embedded font could not be loaded.
    #[error("embedded font could not be registered")]
    Font,
    /// A file could not be written.
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
}
