//! The charts of a run, drawn from the recorded results with `capsim-charts`:
//! latency over time (with offered load, ready replicas, autoscale markers
//! and, with replications, 95% bands), utilization, queues and pools, and the
//! latency distribution. Each is written as PNG and SVG.

use crate::metrics::result::TimeSeries;
use crate::metrics::RunResult;
use capsim_charts::{line_chart, Axis, Band, ChartError, LineChart, Marker, Series};
use std::path::{Path, PathBuf};

/// A chart that was written, for the report.
#[derive(Clone, Debug)]
pub struct ChartFile {
    /// File stem: `latency` gives `latency.png` and `latency.svg`.
    pub stem: &'static str,
    pub title: String,
    /// One sentence on how to read it.
    pub caption: String,
}

/// What the charts read.
pub struct ChartInput<'a> {
    /// The time series shown (per-interval means with replications).
    pub series: &'a TimeSeries,
    /// Every replication, for confidence bands (bands need two or more).
    pub runs: &'a [RunResult],
    /// The latency distribution (pooled over replications).
    pub result: &'a RunResult,
    /// `(time_s, label)` of autoscale decisions.
    pub markers: &'a [(f64, String)],
    /// End of the warm-up, marked on the latency chart when above 0.
    pub warmup_s: f64,
}

type WriteError = (PathBuf, std::io::Error);

/// Draws every chart that has data into `dir`; returns those written and
/// notes on charts that could not be drawn.
pub fn write_charts(
    dir: &Path,
    input: &ChartInput,
) -> Result<(Vec<ChartFile>, Vec<String>), WriteError> {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let (scale, x_label) = time_scale(input.series);
    for chart in [
        latency_chart(input, scale, x_label),
        utilization_chart(input.series, scale, x_label),
        queues_chart(input.series, scale, x_label),
    ] {
        let Some((file, spec)) = chart else { continue };
        let chart = spec.chart();
        if draw(dir, file.stem, &mut notes, |png, svg| {
            line_chart(png, svg, &chart)
        })? {
            out.push(file);
        }
    }
    if let Some(file) = cdf_chart(dir, input.result, &mut notes)? {
        out.push(file);
    }
    Ok((out, notes))
}

/// The time unit of the x axis, chosen by the run's span so that the axis reads
/// in small round numbers: seconds up to 20 minutes, minutes up to 3 hours, hours
/// up to 3 days, days beyond.
fn time_scale(ts: &TimeSeries) -> (f64, &'static str) {
    let end = column(ts, "time_s")
        .and_then(|c| ts.rows.last().and_then(|r| r.get(c).copied().flatten()))
        .unwrap_or(0.0);
    time_unit(end)
}

/// `(factor from seconds, axis label)` for a span of `end_s` seconds.
fn time_unit(end_s: f64) -> (f64, &'static str) {
    if end_s <= 1200.0 {
        (1.0, "time (s)")
    } else if end_s <= 3.0 * 3600.0 {
        (1.0 / 60.0, "time (min)")
    } else if end_s <= 3.0 * 86_400.0 {
        (1.0 / 3600.0, "time (h)")
    } else {
        (1.0 / 86_400.0, "time (days)")
    }
}

fn column(ts: &TimeSeries, name: &str) -> Option<usize> {
    ts.columns.iter().position(|c| c == name)
}

/// `(time, value * factor)` for the rows where the column has a value.
fn points(ts: &TimeSeries, col: usize, scale: f64, factor: f64) -> Vec<(f64, f64)> {
    let Some(t) = column(ts, "time_s") else {
        return Vec::new();
    };
    let all: Vec<(f64, f64)> = ts
        .rows
        .iter()
        .filter_map(|r| {
            let x = r.get(t).copied().flatten()?;
            let y = r.get(col).copied().flatten()?;
            (x.is_finite() && y.is_finite()).then_some((x * scale, y * factor))
        })
        .collect();
    thin_points(&all)
}

/// Most points drawn per line (and per band). A chart is under 1,000
/// pixels wide, so more points add bytes, not detail: a 115-day run at a
/// 10 s interval made a 48 MB SVG and a 126 MB report.html. The full series
/// stays in `timeseries.csv`.
pub const MAX_CHART_POINTS: usize = 2000;
/// Most autoscale markers drawn; beyond, every k-th is kept.
pub const MAX_CHART_MARKERS: usize = 100;

/// Bucket size that brings `n` points to at most [`MAX_CHART_POINTS`].
fn bucket(n: usize) -> usize {
    n.div_ceil(MAX_CHART_POINTS).max(1)
}

/// Consecutive points merged into one per bucket: the bucket's first x and
/// its largest y, so peaks (latency spikes, full queues) stay visible.
pub fn thin_points(p: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let k = bucket(p.len());
    if k == 1 {
        return p.to_vec();
    }
    p.chunks(k)
        .map(|c| (c[0].0, c.iter().map(|q| q.1).fold(f64::MIN, f64::max)))
        .collect()
}

/// A band thinned like [`thin_points`]: the bucket's lowest low and
/// highest high, so the band still covers every interval's.
pub fn thin_band(b: &[(f64, f64, f64)]) -> Vec<(f64, f64, f64)> {
    let k = bucket(b.len());
    if k == 1 {
        return b.to_vec();
    }
    b.chunks(k)
        .map(|c| {
            (
                c[0].0,
                c.iter().map(|q| q.1).fold(f64::MAX, f64::min),
                c.iter().map(|q| q.2).fold(f64::MIN, f64::max),
            )
        })
        .collect()
}

/// Every k-th marker, at most [`MAX_CHART_MARKERS`].
fn thin_markers(m: impl Iterator<Item = (f64, String)>) -> Vec<(f64, String)> {
    let all: Vec<_> = m.collect();
    let k = all.len().div_ceil(MAX_CHART_MARKERS).max(1);
    all.into_iter().step_by(k).collect()
}

/// A named line and its axis.
type OwnedSeries = (String, Vec<(f64, f64)>, Axis);
/// A named band of `(x, low, high)` and the index of its series.
type OwnedBand = (String, Vec<(f64, f64, f64)>, usize);

/// Owned data behind a [`LineChart`] (which borrows).
struct Spec {
    title: String,
    x_label: &'static str,
    y_label: &'static str,
    y2_label: Option<&'static str>,
    series: Vec<OwnedSeries>,
    bands: Vec<OwnedBand>,
    markers: Vec<(f64, String)>,
}

impl Spec {
    fn chart(&self) -> LineChart<'_> {
        let mut c = LineChart::new(&self.title, self.x_label, self.y_label);
        c.y2_label = self.y2_label;
        c.series = self
            .series
            .iter()
            .map(|(name, points, axis)| Series::line(name, points, *axis))
            .collect();
        c.bands = self
            .bands
            .iter()
            .map(|(name, points, i)| Band {
                name,
                points,
                series: Some(*i),
            })
            .collect();
        c.markers = self
            .markers
            .iter()
            .map(|(x, label)| Marker { x: *x, label })
            .collect();
        c
    }

    fn has_points(&self) -> bool {
        self.series.iter().any(|s| !s.1.is_empty())
    }
}

fn latency_chart(
    input: &ChartInput,
    scale: f64,
    x_label: &'static str,
) -> Option<(ChartFile, Spec)> {
    let ts = input.series;
    let n = input.runs.len();
    let mut series = Vec::new();
    let mut bands = Vec::new();
    for (col, name) in [
        ("latency_p50_ms", "p50"),
        ("latency_p95_ms", "p95"),
        ("latency_p99_ms", "p99"),
    ] {
        let Some(c) = column(ts, col) else { continue };
        let p = points(ts, c, scale, 1.0);
        if p.is_empty() {
            continue;
        }
        if n > 1 {
            let b: Vec<(f64, f64, f64)> = crate::experiment::stats::band(input.runs, col)
                .into_iter()
                .map(|(t, lo, hi)| (t * scale, lo.max(0.0), hi))
                .collect();
            let b = thin_band(&b);
            if !b.is_empty() {
                bands.push((format!("{name} 95% CI"), b, series.len()));
            }
        }
        series.push((format!("{name} latency"), p, Axis::Left));
    }
    if let Some(c) = column(ts, "offered_rps") {
        series.push((
            "offered req/s".to_string(),
            points(ts, c, scale, 1.0),
            Axis::Right,
        ));
    }
    // Replicas share the right axis with the offered load; scaled by a
    // round factor (named in the legend) so they are readable beside it.
    let peak_offered = column(ts, "offered_rps")
        .map(|c| {
            points(ts, c, scale, 1.0)
                .iter()
                .map(|p| p.1)
                .fold(0.0, f64::max)
        })
        .unwrap_or(0.0);
    for (i, name) in ts.columns.iter().enumerate() {
        if let Some(svc) = name.strip_suffix(".replicas_ready") {
            let raw = points(ts, i, scale, 1.0);
            let peak = raw.iter().map(|p| p.1).fold(0.0, f64::max);
            let factor = replica_factor(peak, peak_offered);
            let label = if factor > 1.0 {
                format!("{svc} replicas x{factor}")
            } else {
                format!("{svc} replicas")
            };
            series.push((
                label,
                raw.into_iter().map(|(x, y)| (x, y * factor)).collect(),
                Axis::Right,
            ));
        }
    }
    series.retain(|s| !s.1.is_empty());
    let title = if n > 1 {
        format!("Latency over time (mean of {n} replications, 95% bands)")
    } else {
        "Latency over time".to_string()
    };
    let spec = Spec {
        title: title.clone(),
        x_label,
        y_label: "latency (ms)",
        y2_label: Some("offered req/s, ready replicas"),
        series,
        bands,
        markers: (input.warmup_s > 0.0)
            .then(|| (input.warmup_s * scale, "end of warm-up".to_string()))
            .into_iter()
            .chain(thin_markers(
                input.markers.iter().map(|(t, l)| (t * scale, l.clone())),
            ))
            .collect(),
    };
    let caption = format!(
        "Latency percentiles of the requests completed in each interval (left axis), \
         with the offered load and the replicas ready to serve (right axis){}{}.",
        if n > 1 {
            "; shaded: the 95% confidence band of each percentile's mean over replications"
        } else {
            ""
        },
        if input.markers.is_empty() {
            ""
        } else {
            "; dashed lines: autoscale decisions"
        }
    );
    spec.has_points().then_some((
        ChartFile {
            stem: "latency",
            title,
            caption,
        },
        spec,
    ))
}

fn utilization_chart(
    ts: &TimeSeries,
    scale: f64,
    x_label: &'static str,
) -> Option<(ChartFile, Spec)> {
    let series: Vec<_> = ts
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.ends_with(".utilization") || c.ends_with(".replica_utilization"))
        .map(|(i, c)| {
            let name = c
                .strip_suffix(".utilization")
                .map(str::to_string)
                .unwrap_or_else(|| c.replace(".replica_utilization", " read replicas"));
            (name, points(ts, i, scale, 100.0), Axis::Left)
        })
        .filter(|s| !s.1.is_empty())
        .collect();
    let title = "Utilization per component".to_string();
    let spec = Spec {
        title: title.clone(),
        x_label,
        y_label: "utilization (%)",
        y2_label: None,
        series,
        bands: Vec::new(),
        markers: Vec::new(),
    };
    spec.has_points().then_some((
        ChartFile {
            stem: "utilization",
            title,
            caption: "Busy fraction of each component's capacity per interval: CPU of ready \
                      replicas for services, busy servers for caches and databases, \
                      connections in use for pools, busy worker slots for queues."
                .into(),
        },
        spec,
    ))
}

fn queues_chart(ts: &TimeSeries, scale: f64, x_label: &'static str) -> Option<(ChartFile, Spec)> {
    let series: Vec<_> = ts
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            [".queue", ".depth", ".waiting", ".in_use"]
                .iter()
                .any(|s| c.ends_with(s))
        })
        .map(|(i, c)| {
            let label = match c.rsplit_once('.') {
                Some((comp, "queue")) => format!("{comp} queued"),
                Some((comp, "depth")) => format!("{comp} jobs waiting"),
                Some((comp, "waiting")) => format!("{comp} waiters"),
                Some((comp, "in_use")) => format!("{comp} in use"),
                _ => c.clone(),
            };
            (label, points(ts, i, scale, 1.0), Axis::Left)
        })
        .filter(|s| !s.1.is_empty())
        .collect();
    let title = "Queues and pools".to_string();
    let spec = Spec {
        title: title.clone(),
        x_label,
        y_label: "requests / connections (time-average)",
        y2_label: None,
        series,
        bands: Vec::new(),
        markers: Vec::new(),
    };
    spec.has_points().then_some((
        ChartFile {
            stem: "queues",
            title,
            caption: "Time-average number waiting at each component per interval (accept and \
                      core queues of services, database and cache queues, job queue depth), \
                      and pool connections in use and clients waiting for one."
                .into(),
        },
        spec,
    ))
}

/// Quantiles drawn for the distribution chart: the CDF is exact at these.
const CDF_POINTS: usize = 4000;

fn cdf_chart(
    dir: &Path,
    r: &RunResult,
    notes: &mut Vec<String>,
) -> Result<Option<ChartFile>, WriteError> {
    if r.latency.is_empty() {
        return Ok(None);
    }
    let samples: Vec<f64> = (0..CDF_POINTS)
        .map(|i| r.latency.quantile_ms((i as f64 + 0.5) / CDF_POINTS as f64))
        .collect();
    let title = "Latency distribution (measured window)".to_string();
    let series = [("completed requests", samples)];
    let written = draw(dir, "latency-cdf", notes, |png, svg| {
        capsim_charts::cdf_chart(png, svg, &title, "latency (ms)", &series)
    })?;
    Ok(written.then(|| ChartFile {
        stem: "latency-cdf",
        title: title.clone(),
        caption: "Share of completed requests answered within x ms (from the run's latency \
                  histogram, pooled over replications); read a percentile where a dashed \
                  guide meets the curve."
            .into(),
    }))
}

/// Runs one chart. A file that cannot be written is an error; a chart that
/// cannot be drawn is skipped with a note (a run's figures do not depend on
/// its pictures).
fn draw(
    dir: &Path,
    stem: &str,
    notes: &mut Vec<String>,
    f: impl FnOnce(&Path, &Path) -> Result<(), ChartError>,
) -> Result<bool, WriteError> {
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    match f(&png, &svg) {
        Ok(()) => Ok(true),
        Err(ChartError::Io { path, source }) => Err((path, source)),
        Err(e) => {
            notes.push(format!("{stem}.png not drawn: {e}"));
            Ok(false)
        }
    }
}

/// A round factor (1, 2, 5, 10, 20, 50, ...) that brings a replica count to
/// about half the peak offered load, so both read on one axis.
fn replica_factor(peak_replicas: f64, peak_offered: f64) -> f64 {
    if peak_replicas <= 0.0 || peak_offered <= 0.0 {
        return 1.0;
    }
    let want = peak_offered / 2.0 / peak_replicas;
    let mut f = 1.0;
    for step in [2.0, 2.5, 2.0].iter().cycle().take(30) {
        if f * step > want {
            break;
        }
        f *= step;
    }
    f
}

#[cfg(test)]
mod factor_tests {
    #[test]
    fn time_units_follow_the_span() {
        assert_eq!(super::time_unit(600.0).1, "time (s)");
        assert_eq!(super::time_unit(3600.0).1, "time (min)");
        assert_eq!(super::time_unit(86_400.0), (1.0 / 3600.0, "time (h)"));
        assert_eq!(super::time_unit(7.0 * 86_400.0).1, "time (days)");
    }

    #[test]
    fn round_factors() {
        assert_eq!(super::replica_factor(8.0, 500.0), 20.0);
        assert_eq!(super::replica_factor(3.0, 2.0), 1.0);
        assert_eq!(super::replica_factor(0.0, 100.0), 1.0);
    }
}
