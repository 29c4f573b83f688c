//! Empirical CDF: the share of samples at or below each value, one step line per
//! series, with guides at p50, p95 and p99 (where latency targets are read).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::ChartError;
use crate::layout::{self, LegendEntry};
use crate::render::{de, render, Drawable, DEFAULT_SIZE};

/// At most this many steps are drawn per series; larger samples are thinned evenly
/// (the curve is unchanged at screen resolution, the files stay small).
const MAX_STEPS: usize = 4000;

struct Cdf {
    title: String,
    x_label: String,
    /// Per series: name and sorted samples.
    series: Vec<(String, Vec<f64>)>,
}

/// Draws the empirical CDF of each series of samples (order does not matter).
pub fn cdf_chart<N, V>(
    png: &Path,
    svg: &Path,
    title: &str,
    x_label: &str,
    series: &[(N, V)],
) -> Result<(), ChartError>
where
    N: AsRef<str>,
    V: AsRef<[f64]>,
{
    let data_err = |message: String| ChartError::Data {
        chart: title.to_string(),
        message,
    };
    let mut sorted = Vec::with_capacity(series.len());
    for (name, values) in series {
        let name = name.as_ref();
        let mut v = values.as_ref().to_vec();
        for (i, x) in v.iter().enumerate() {
            layout::check_value(&format!("series `{name}` sample #{}", i + 1), *x)
                .map_err(data_err)?;
        }
        v.sort_by(f64::total_cmp);
        sorted.push((name.to_string(), v));
    }
    if sorted.iter().all(|(_, v)| v.is_empty()) {
        return Err(data_err("no samples".to_string()));
    }
    let chart = Cdf {
        title: title.to_string(),
        x_label: x_label.to_string(),
        series: sorted,
    };
    render(png, svg, DEFAULT_SIZE, &chart)
}

/// Step-line vertices of the CDF of sorted samples, thinned to about `MAX_STEPS`.
fn steps(sorted: &[f64]) -> Vec<(f64, f64)> {
    let n = sorted.len();
    let stride = n.div_ceil(MAX_STEPS).max(1);
    let mut out = Vec::with_capacity(2 * n / stride + 4);
    let mut prev = 0.0;
    let mut i = 0;
    while i < n {
        let end = (i + stride).min(n);
        let x = sorted[end - 1];
        let y = end as f64 / n as f64;
        out.push((x, prev));
        out.push((x, y));
        prev = y;
        i = end;
    }
    out
}

impl Drawable for Cdf {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let names: Vec<&str> = self.series.iter().map(|(n, _)| n.as_str()).collect();
        let (plot, legend) = layout::split(root, &self.title, &names)?;
        let lo = self
            .series
            .iter()
            .filter_map(|(_, v)| v.first())
            .copied()
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .series
            .iter()
            .filter_map(|(_, v)| v.last())
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let (x0, x1) = layout::padded(lo.min(0.0), hi);

        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, 0.0..1.02)
            .map_err(de)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.12))
            .x_desc(self.x_label.as_str())
            .y_desc("share of samples ≤ x")
            .x_label_formatter(&|v| layout::short_number(*v))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .label_style(layout::text(layout::LABEL_PX))
            .axis_desc_style(layout::text(layout::AXIS_DESC_PX))
            .draw()
            .map_err(de)?;

        let guide = RGBColor(110, 110, 110);
        for q in [0.5, 0.95, 0.99] {
            chart
                .draw_series(DashedLineSeries::new(
                    [(x0, q), (x1, q)],
                    5,
                    5,
                    guide.stroke_width(1),
                ))
                .map_err(de)?;
        }
        for (i, (_, samples)) in self.series.iter().enumerate() {
            let line = LineSeries::new(steps(samples), layout::color(i).stroke_width(2));
            chart.draw_series(line).map_err(de)?;
        }

        // Guide labels last, on a white box left of the plot's right edge and just
        // above their line, so neither the guide nor a curve strikes through them.
        let base = plot.get_base_pixel();
        for (q, name) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
            let (x, y) = chart.backend_coord(&(x1, q));
            // p95 sits just under its line, the others just over: p95 and p99 are close.
            let above = if q == 0.95 { -2 } else { 17 };
            layout::label_with_background(
                &plot,
                (x - base.0 - 2, y - base.1 - above),
                name,
                13,
                guide,
                true,
            )?;
        }

        let entries: Vec<LegendEntry> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, (name, _))| LegendEntry {
                name,
                color: layout::color(i),
                swatch: layout::Swatch::Line,
                opacity: 1.0,
            })
            .collect();
        layout::draw_legend(&legend, &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_reach_one_and_thin_large_samples() {
        assert_eq!(
            steps(&[1.0, 2.0]),
            [(1.0, 0.0), (1.0, 0.5), (2.0, 0.5), (2.0, 1.0)]
        );
        let big: Vec<f64> = (0..100_000).map(f64::from).collect();
        let s = steps(&big);
        assert!(s.len() <= 2 * MAX_STEPS + 2);
        assert_eq!(*s.last().unwrap(), (99_999.0, 1.0));
    }
}
