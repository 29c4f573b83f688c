//! Turning results into files and text: `summary.json`, `timeseries.csv`
//! and the human summary on stdout. Files are written atomically.

pub mod atomic;
pub mod csv_out;
pub mod text;

use crate::stack::RunResult;
use std::path::{Path, PathBuf};

/// Writes every output of a run into `dir` (created if needed).
pub fn write_outputs(dir: &Path, result: &RunResult) -> Result<(), (PathBuf, std::io::Error)> {
    std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
    let summary = summary_json(result);
    let p = dir.join("summary.json");
    atomic::write(&p, summary.as_bytes()).map_err(|e| (p.clone(), e))?;
    let p = dir.join("timeseries.csv");
    let csv = csv_out::timeseries_csv(&result.timeseries);
    atomic::write(&p, csv.as_bytes()).map_err(|e| (p.clone(), e))?;
    Ok(())
}

/// `summary.json` as text (pretty-printed, trailing newline).
pub fn summary_json(result: &RunResult) -> String {
    // Serialising plain structs with finite floats cannot fail.
    let mut s = serde_json::to_string_pretty(result).expect("summary serialises");
    s.push('\n');
    s
}
