//! The files of `capsim capacity`: `capacity.json` (the [`CapacityResult`]),
//! `capacity.md`, and two charts — latency and errors against load
//! (`capacity.png/svg`) and each component's utilization against load
//! (`capacity_utilization.png/svg`), a dot at each probed factor — plus the
//! text printed on a terminal.

use super::{fmt_factor, fmt_rate, CapacityResult};
use crate::report::atomic;
use capsim_charts::{line_chart, Axis, LineChart, Marker, Series, Style};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Writes every file into `dir` (created if missing).
pub fn write_capacity(dir: &Path, r: &CapacityResult) -> Result<(), (PathBuf, std::io::Error)> {
    std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        atomic::write(&p, bytes).map_err(|e| (p, e))
    };
    let mut json = serde_json::to_string_pretty(r).map_err(|e| {
        (
            dir.join("capacity.json"),
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })?;
    json.push('\n');
    put("capacity.json", json.as_bytes())?;
    put("capacity.md", capacity_markdown(r).as_bytes())?;
    charts(dir, r)
}

fn charts(dir: &Path, r: &CapacityResult) -> Result<(), (PathBuf, std::io::Error)> {
    let chart_err =
        |p: PathBuf| move |e: capsim_charts::ChartError| (p, std::io::Error::other(e.to_string()));
    // Far past the breaking point latency is that of a growing queue (minutes),
    // which would flatten everything of interest: the latency chart leaves out
    // probes whose p99 is beyond 20x the reference (the largest latency SLO, else
    // the p99 at 1x); capacity.md lists every probe.
    let reference = r
        .latency_threshold_ms
        .or_else(|| {
            r.probes
                .iter()
                .find(|p| p.factor == 1.0)
                .map(|p| p.p99_ms.mean)
        })
        .filter(|v| *v > 0.0);
    let shown: Vec<&super::Probe> = r
        .probes
        .iter()
        .filter(|p| reference.map_or(true, |x| p.p99_ms.mean <= 20.0 * x))
        .collect();
    let shown = if shown.len() >= 2 {
        shown
    } else {
        r.probes.iter().collect()
    };
    let at = |f: &dyn Fn(&super::Probe) -> f64| -> Vec<(f64, f64)> {
        shown.iter().map(|p| (p.factor, f(p))).collect()
    };
    let p95 = at(&|p| p.p95_ms.mean);
    let p99 = at(&|p| p.p99_ms.mean);
    let errors = at(&|p| p.error_rate.mean * 100.0);
    let any_errors = errors.iter().any(|&(_, e)| e > 0.0);
    let what = if any_errors {
        "latency and errors"
    } else {
        "latency (no errors)"
    };
    let title = if shown.len() < r.probes.len() {
        format!(
            "{}: {what} against load (probes to {}x)",
            r.model,
            fmt_factor(shown.last().map_or(0.0, |p| p.factor))
        )
    } else {
        format!("{}: {what} against load", r.model)
    };
    let label = r
        .max_load_factor
        .map(|f| format!("holds to {}x", fmt_factor(f)))
        .unwrap_or_default();
    let mut chart = LineChart::new(&title, "load factor (x scenario traffic)", "latency (ms)");
    if any_errors {
        chart.y2_label = Some("errors (%)");
    }
    chart.series = vec![
        Series {
            name: "p95",
            points: &p95,
            axis: Axis::Left,
            style: Style::LinePoints,
            color: None,
        },
        Series {
            name: "p99",
            points: &p99,
            axis: Axis::Left,
            style: Style::LinePoints,
            color: None,
        },
    ];
    if any_errors {
        chart.series.push(Series {
            name: "error rate",
            points: &errors,
            axis: Axis::Right,
            style: Style::LinePoints,
            color: None,
        });
    }
    if let Some(f) = r.max_load_factor {
        chart.markers.push(Marker {
            x: f,
            label: &label,
        });
    }
    let png = dir.join("capacity.png");
    line_chart(&png, &dir.join("capacity.svg"), &chart).map_err(chart_err(png.clone()))?;

    let names: Vec<&String> = r
        .probes
        .first()
        .map(|p| p.components.iter().map(|(n, _)| n).collect())
        .unwrap_or_default();
    let lines: Vec<(String, Vec<(f64, f64)>)> = names
        .iter()
        .map(|n| {
            let pts = r
                .probes
                .iter()
                .filter_map(|p| {
                    p.components
                        .get(*n)
                        .map(|c| (p.factor, c.peak_utilization * 100.0))
                })
                .collect::<Vec<_>>();
            ((*n).clone(), pts)
        })
        .filter(|(_, pts)| pts.iter().any(|&(_, u)| u > 0.0))
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    let title = format!("{}: peak utilization per component against load", r.model);
    let mut chart = LineChart::new(
        &title,
        "load factor (x scenario traffic)",
        "peak utilization (%)",
    );
    chart.series = lines
        .iter()
        .map(|(n, pts)| Series {
            name: n,
            points: pts,
            axis: Axis::Left,
            style: Style::LinePoints,
            color: None,
        })
        .collect();
    if let Some(f) = r.max_load_factor {
        chart.markers.push(Marker {
            x: f,
            label: &label,
        });
    }
    let png = dir.join("capacity_utilization.png");
    line_chart(&png, &dir.join("capacity_utilization.svg"), &chart).map_err(chart_err(png.clone()))
}

/// `capacity.md`: the answer, the bottleneck chain and every probe.
pub fn capacity_markdown(r: &CapacityResult) -> String {
    let mut s = String::new();
    let stage = r
        .stage
        .as_ref()
        .map(|st| format!(", stage {st}"))
        .unwrap_or_default();
    let _ = writeln!(s, "# Capacity of {}{stage} under {}\n", r.model, r.scenario);
    let _ = writeln!(s, "{}\n", r.statement);
    let _ = writeln!(s, "SLOs: {}.\n", r.slos.join(", "));
    let _ = writeln!(
        s,
        "| figure | value |\n|---|---|\n| max load factor | {} |\n| smallest failing factor | {} |\n| max rps (peak offered) | {} |\n| scenario peak rps (1x) | {} |\n| breaking SLO | {} |\n| limiting component | {} |",
        r.max_load_factor.map(fmt_factor).unwrap_or_else(|| "—".into()),
        r.min_failing_factor.map(fmt_factor).unwrap_or_else(|| "—".into()),
        r.max_rps.map(fmt_rate).unwrap_or_else(|| "—".into()),
        fmt_rate(r.base_peak_rps),
        r.breaking_slo.as_deref().unwrap_or("—"),
        r.limiting_component.as_deref().unwrap_or("—"),
    );
    if let Some(u) = r.max_users {
        let _ = writeln!(s, "| max users | {} |", fmt_rate(u));
    }
    let _ = writeln!(s, "\n## Bottlenecks, in the order they saturate\n");
    if r.bottlenecks.is_empty() {
        let _ = writeln!(s, "No component showed load.");
    } else {
        let _ = writeln!(
            s,
            "| # | component | limit | value | saturates |\n|---|---|---|---|---|"
        );
        for (i, b) in r.bottlenecks.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                i + 1,
                b.component,
                b.metric.name(),
                pct(b.value),
                b.describe_factor()
            );
        }
    }
    let _ = writeln!(s, "\n## Probes\n");
    let _ = writeln!(
        s,
        "Each probe is a full run of the scenario with its traffic multiplied by the factor, with the same seed ({}) and {} replication(s).\n",
        r.seed, r.replications
    );
    let _ = writeln!(
        s,
        "| factor | peak rps | p95 ms | p99 ms | errors | verdict | failing SLOs |\n|---|---|---|---|---|---|---|"
    );
    for p in &r.probes {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            fmt_factor(p.factor),
            fmt_rate(p.peak_rps),
            figure(p.p95_ms, 1.0, 1),
            figure(p.p99_ms, 1.0, 1),
            figure(p.error_rate, 100.0, 3) + "%",
            p.verdict,
            if p.failing.is_empty() {
                "—".to_string()
            } else {
                p.failing.join("; ")
            }
        );
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(s, "\n## Warnings\n");
        for w in &r.warnings {
            let _ = writeln!(s, "- {w}");
        }
    }
    let _ = writeln!(
        s,
        "\n![latency and errors against load](capacity.png)\n\n![utilization against load](capacity_utilization.png)"
    );
    s
}

/// The text printed by `capsim capacity` on a terminal.
pub fn capacity_text(r: &CapacityResult, out_dir: &Path) -> String {
    let mut s = String::new();
    let stage = r
        .stage
        .as_ref()
        .map(|st| format!(" (stage {st})"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "capacity of {}{stage} under {} — SLOs: {}",
        r.model,
        r.scenario,
        r.slos.join(", ")
    );
    let _ = writeln!(s, "  {}", r.statement);
    if !r.bottlenecks.is_empty() {
        let _ = writeln!(s, "  bottlenecks, in the order they saturate:");
        for (i, b) in r.bottlenecks.iter().take(5).enumerate() {
            let _ = writeln!(
                s,
                "    {}. {:<24} {:<17} {:>7}  {}",
                i + 1,
                b.component,
                b.metric.name(),
                pct(b.value),
                b.describe_factor()
            );
        }
    }
    for w in &r.warnings {
        let _ = writeln!(s, "  warning: {w}");
    }
    let _ = writeln!(
        s,
        "  {} probes; wrote {}/capacity.json, capacity.md and charts",
        r.probes.len(),
        out_dir.display()
    );
    s
}

fn pct(v: f64) -> String {
    format!("{}%", crate::experiment::slo_expr::trim(v * 100.0, 1))
}

fn figure(f: super::Figure, scale: f64, decimals: usize) -> String {
    let m = crate::experiment::slo_expr::trim(f.mean * scale, decimals);
    match f.ci95 {
        Some(h) => format!(
            "{m} ± {}",
            crate::experiment::slo_expr::trim(h * scale, decimals)
        ),
        None => m,
    }
}
