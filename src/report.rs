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
