//! Part files of a sharded sweep (`sweep.part-K-of-N.json`) and `capsim merge`.
//!
//! A part holds the grid definition, the CSV header, and for each of its points the
//! parameter labels, the CSV cells (formatted by the shard that ran the point) and
//! the point's full result (its `summary.json`). Merging checks that every part is
//! of the same grid and that the shards are exactly 1..N, then writes the rows in
//! index order: the same `sweep.csv` as an unsharded run, byte for byte.

use super::grid::GridDef;
use crate::experiment::run::RunError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The format tag of part files.
pub const FORMAT: &str = "capsim-sweep-part/1";

/// One grid point's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointRecord {
    pub index: usize,
    /// Parameter values as written.
    pub params: Vec<String>,
    /// The CSV cells after the parameters.
    pub cells: Vec<String>,
    /// The point's `summary.json` (in part files; `null` otherwise).
    #[serde(default)]
    pub result: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

/// `sweep.part-K-of-N.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartFile {
    pub format: String,
    pub capsim_version: String,
    pub shard: Shard,
    pub grid: GridDef,
    pub columns: Vec<String>,
    pub points: Vec<PointRecord>,
}

pub fn part_name(k: usize, n: usize) -> String {
    format!("sweep.part-{k}-of-{n}.json")
}

impl PartFile {
    pub fn new(
        grid: GridDef,
        columns: Vec<String>,
        (k, n): (usize, usize),
        points: Vec<PointRecord>,
    ) -> Self {
        PartFile {
            format: FORMAT.into(),
            capsim_version: env!("CARGO_PKG_VERSION").into(),
            shard: Shard { k, n },
            grid,
            columns,
            points,
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Plain structs of strings, numbers and JSON values always serialise.
            format!("{{\"error\": \"{e}\"}}")
        });
        s.push('\n');
        s
    }
}

/// Errors of `capsim merge`: all are bad input (exit 2) except writing.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{path}: {message}")]
    Part { path: PathBuf, message: String },
    #[error("{0}")]
    Parts(String),
    #[error("{0}")]
    Run(#[from] RunError),
}

/// What `capsim merge` wrote.
pub struct MergeOutcome {
    pub out_dir: PathBuf,
    pub files: Vec<String>,
    pub points: usize,
    pub notes: Vec<String>,
}

fn read_part(path: &Path) -> Result<PartFile, MergeError> {
    let err = |message: String| MergeError::Part {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let part: PartFile = serde_json::from_str(&text).map_err(|e| {
        err(format!(
            "line {}, column {}: not a sweep part file ({e})",
            e.line(),
            e.column()
        ))
    })?;
    if part.format != FORMAT {
        return Err(err(format!(
            "found format \"{}\", expected \"{FORMAT}\"",
            part.format
        )));
    }
    Ok(part)
}

/// Checks that a part's grid is consistent and bounded (a part file is input).
fn check_grid(path: &Path, part: &PartFile) -> Result<(), MergeError> {
    let bad = |message: String| MergeError::Part {
        path: path.to_path_buf(),
        message,
    };
    let g = &part.grid;
    let product = g
        .params
        .iter()
        .try_fold(1usize, |acc, p| acc.checked_mul(p.values.len()));
    if g.params.iter().any(|p| p.values.is_empty()) || product != Some(g.points) {
        return Err(bad(format!(
            "the grid's `points` ({}) is not the product of its parameters' value counts",
            g.points
        )));
    }
    if g.points > super::MAX_RUNS || part.shard.n > super::MAX_RUNS {
        return Err(bad(format!(
            "{} points in {} shards: more than the {} a sweep may have",
            g.points,
            part.shard.n,
            super::MAX_RUNS
        )));
    }
    let width = part.columns.len();
    for p in &part.points {
        if p.params.len() != g.params.len() || 1 + p.params.len() + p.cells.len() != width {
            return Err(bad(format!(
                "point {} has {} values and {} cells, expected {} and {}",
                p.index,
                p.params.len(),
                p.cells.len(),
                g.params.len(),
                width.saturating_sub(1 + g.params.len())
            )));
        }
    }
    Ok(())
}

/// `capsim merge PARTS... --out DIR`.
pub fn merge(parts: &[PathBuf], out_dir: &Path) -> Result<MergeOutcome, MergeError> {
    if parts.is_empty() {
        return Err(MergeError::Parts(
            "no part files given: pass every sweep.part-K-of-N.json".into(),
        ));
    }
    let mut files = Vec::new();
    for p in parts {
        files.push((p.clone(), read_part(p)?));
    }
    let (first_path, first) = &files[0];
    check_grid(first_path, first)?;
    let n = first.shard.n;
    let mut seen = vec![None::<&Path>; n];
    for (path, part) in &files {
        let bad = |message: String| MergeError::Part {
            path: path.clone(),
            message,
        };
        check_grid(path, part)?;
        if part.grid != first.grid || part.columns != first.columns {
            return Err(bad(format!(
                "is a part of another sweep than {} (model, scenario, seed, replications or grid differ)",
                first_path.display()
            )));
        }
        if part.shard.n != n || part.shard.k == 0 || part.shard.k > n {
            return Err(bad(format!(
                "is shard {}/{}, expected a shard K/{n} like {}",
                part.shard.k,
                part.shard.n,
                first_path.display()
            )));
        }
        if let Some(other) = seen[part.shard.k - 1] {
            return Err(bad(format!(
                "shard {}/{n} is also given as {}",
                part.shard.k,
                other.display()
            )));
        }
        seen[part.shard.k - 1] = Some(path);
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(k, _)| format!("{}/{n}", k + 1))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Parts(format!(
            "missing shard(s) {}: run `capsim sweep ... --shard K/{n}` for each and pass every part",
            missing.join(", ")
        )));
    }
    let total = first.grid.points;
    let mut rows: Vec<Option<super::PointRecord>> = vec![None; total];
    for (path, part) in files.iter() {
        for p in &part.points {
            let bad = |message: String| MergeError::Part {
                path: path.clone(),
                message,
            };
            if p.index >= total || p.index % n != part.shard.k - 1 {
                return Err(bad(format!(
                    "point {} does not belong to shard {}/{n} of a {total}-point grid",
                    p.index, part.shard.k
                )));
            }
            if rows[p.index].is_some() {
                return Err(bad(format!("point {} appears twice", p.index)));
            }
            rows[p.index] = Some(p.clone());
        }
    }
    let absent: Vec<String> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_none())
        .map(|(i, _)| i.to_string())
        .take(10)
        .collect();
    if !absent.is_empty() {
        return Err(MergeError::Parts(format!(
            "the parts lack point(s) {}: a part file is incomplete",
            absent.join(", ")
        )));
    }
    let rows: Vec<super::PointRecord> = rows.into_iter().flatten().collect();
    std::fs::create_dir_all(out_dir).map_err(|source| RunError::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let (files, notes) = super::write_outputs(out_dir, &first.grid, &first.columns, &rows)?;
    Ok(MergeOutcome {
        out_dir: out_dir.to_path_buf(),
        files,
        points: rows.len(),
        notes,
    })
}
