//! Turning results into files and text: `summary.json`, `timeseries.csv`,
//! charts, `report.md` / `report.html` and the human summary on stdout.
//! Files are written atomically.

pub mod atomic;
pub mod autoscale_csv;
pub mod charts;
pub mod csv_out;
pub mod document;
pub mod text;

use crate::experiment::stats::ReplicationStats;
use crate::input::model::System;
use crate::input::scenario::Scenario;
use crate::stack::RunResult;
use std::path::{Path, PathBuf};

/// Everything the outputs of one `capsim run` are made from.
pub struct RunReport<'a> {
    /// The run, or the combined result of the replications.
    pub result: &'a RunResult,
    /// Every replication, in index order.
    pub runs: &'a [RunResult],
    /// Confidence intervals (two replications or more).
    pub stats: Option<&'a ReplicationStats>,
    pub system: &'a System,
    pub scenario: &'a Scenario,
    /// Autoscale decisions as `(time_s, label)`, for charts and the report.
    pub markers: &'a [(f64, String)],
    /// The command that reproduces the run.
    pub reproduce: &'a str,
}

type WriteError = (PathBuf, std::io::Error);

fn put(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), WriteError> {
    let p = dir.join(name);
    atomic::write(&p, bytes).map_err(|e| (p, e))
}

/// Writes every output of a run into `dir` (created if needed):
/// `summary.json`, `timeseries.csv` (per-interval means with replications,
/// plus `timeseries-replications.csv`), the cost files, the charts and
/// `report.md` / `report.html`.
pub fn write_run(dir: &Path, rep: &RunReport) -> Result<(), WriteError> {
    std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
    put(
        dir,
        "summary.json",
        run_summary_json(rep.result, rep.stats).as_bytes(),
    )?;
    let csv = csv_out::timeseries_csv(&rep.result.timeseries);
    put(dir, "timeseries.csv", csv.as_bytes())?;
    if !rep.result.scale_log.is_empty() {
        let csv = autoscale_csv::autoscale_csv(&rep.result.scale_log);
        put(dir, "autoscale.csv", csv.as_bytes())?;
    }
    let per_rep = dir.join("timeseries-replications.csv");
    if rep.runs.len() > 1 {
        put(
            dir,
            "timeseries-replications.csv",
            csv_out::replications_csv(rep.runs).as_bytes(),
        )?;
    } else if per_rep.exists() {
        // A stale file from an earlier run with replications would mislead.
        std::fs::remove_file(&per_rep).map_err(|e| (per_rep.clone(), e))?;
    }
    if let Some(bill) = &rep.result.cost {
        write_cost(dir, bill)?;
    }
    let (files, notes) = charts::write_charts(
        dir,
        &charts::ChartInput {
            series: &rep.result.timeseries,
            runs: rep.runs,
            result: rep.result,
            markers: rep.markers,
            warmup_s: rep.result.warmup_s,
        },
    )?;
    let blocks = document::build(rep, dir, &files, &notes);
    put(dir, "report.md", document::markdown(&blocks).as_bytes())?;
    put(dir, "report.html", document::html(&blocks, dir).as_bytes())?;
    Ok(())
}

/// `summary.json` with the `replications` block when there is one.
pub fn run_summary_json(result: &RunResult, stats: Option<&ReplicationStats>) -> String {
    let Some(stats) = stats else {
        return summary_json(result);
    };
    let value = serde_json::to_value(result).and_then(|mut v| {
        let block = serde_json::to_value(stats)?;
        if let Some(map) = v.as_object_mut() {
            map.insert("replications".into(), block);
        }
        Ok(v)
    });
    match value.and_then(|v| serde_json::to_string_pretty(&v)) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Plain structs with string keys always serialise; keep the figures anyway.
        Err(_) => summary_json(result),
    }
}

/// Writes every output of a run into `dir` (created if needed).
pub fn write_outputs(dir: &Path, result: &RunResult) -> Result<(), (PathBuf, std::io::Error)> {
    std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
    let summary = summary_json(result);
    let p = dir.join("summary.json");
    atomic::write(&p, summary.as_bytes()).map_err(|e| (p.clone(), e))?;
    let p = dir.join("timeseries.csv");
    let csv = csv_out::timeseries_csv(&result.timeseries);
    atomic::write(&p, csv.as_bytes()).map_err(|e| (p.clone(), e))?;
    if let Some(bill) = &result.cost {
        write_cost(dir, bill)?;
    }
    Ok(())
}

/// `cost.csv` (monthly basis) and the breakdown chart `cost.png` / `cost.svg`.
fn write_cost(dir: &Path, bill: &capsim_cost::Bill) -> Result<(), (PathBuf, std::io::Error)> {
    let p = dir.join("cost.csv");
    let mut csv = Vec::new();
    capsim_cost::write_cost_csv(bill, capsim_cost::CsvBasis::Monthly, &mut csv)
        .map_err(|e| (p.clone(), e))?;
    atomic::write(&p, &csv).map_err(|e| (p.clone(), e))?;
    let (categories, series) = cost_chart_data(bill);
    if categories.is_empty() {
        return Ok(());
    }
    let png = dir.join("cost.png");
    let svg = dir.join("cost.svg");
    let title = format!("Monthly cost ({})", bill.monthly.rule);
    capsim_charts::stacked_bar(&png, &svg, &title, &categories, &series, "USD / month")
        .map_err(|e| (png.clone(), std::io::Error::other(e.to_string())))?;
    Ok(())
}

/// One category per component (bill order), one series per SKU (id order), monthly USD.
pub fn cost_chart_data(bill: &capsim_cost::Bill) -> (Vec<String>, Vec<(String, Vec<f64>)>) {
    let mut categories: Vec<String> = Vec::new();
    for line in &bill.lines {
        if !categories.contains(&line.component) {
            categories.push(line.component.clone());
        }
    }
    let series = bill
        .by_sku
        .keys()
        .map(|sku| {
            let values = categories
                .iter()
                .map(|c| {
                    bill.lines
                        .iter()
                        .filter(|l| &l.component == c && &l.sku == sku)
                        .map(|l| l.monthly_usd)
                        .sum()
                })
                .collect();
            (sku.clone(), values)
        })
        .collect();
    (categories, series)
}

/// `summary.json` as text (pretty-printed, trailing newline).
pub fn summary_json(result: &RunResult) -> String {
    // Serialising plain structs with finite floats cannot fail.
    let mut s = serde_json::to_string_pretty(result).expect("summary serialises");
    s.push('\n');
    s
}
