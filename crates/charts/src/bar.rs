//! Stacked bars: the cost breakdown per stage (category) and component (series).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::ChartError;
use crate::layout::{self, LegendEntry};
use crate::render::{de, render, Drawable, DEFAULT_SIZE};

struct StackedBar {
    title: String,
    categories: Vec<String>,
    series: Vec<(String, Vec<f64>)>,
    y_label: String,
}

/// Draws one bar per category, stacked from the series' values (positive values
/// stack up from zero, negative ones such as credits stack down), with each bar's
/// total above it and a legend on the right. Every series must have one value per
/// category.
pub fn stacked_bar<C, N, V>(
    png: &Path,
    svg: &Path,
    title: &str,
    categories: &[C],
    series: &[(N, V)],
    y_label: &str,
) -> Result<(), ChartError>
where
    C: AsRef<str>,
    N: AsRef<str>,
    V: AsRef<[f64]>,
{
    let chart = StackedBar {
        title: title.to_string(),
        categories: categories.iter().map(|c| c.as_ref().to_string()).collect(),
        series: series
            .iter()
            .map(|(n, v)| (n.as_ref().to_string(), v.as_ref().to_vec()))
            .collect(),
        y_label: y_label.to_string(),
    };
    chart.check().map_err(|message| ChartError::Data {
        chart: title.to_string(),
        message,
    })?;
    render(png, svg, DEFAULT_SIZE, &chart)
}

impl StackedBar {
    fn check(&self) -> Result<(), String> {
        if self.categories.is_empty() {
            return Err("no categories".to_string());
        }
        if self.categories.len() > 1000 {
            return Err(format!(
                "{} categories; at most 1000 can be drawn",
                self.categories.len()
            ));
        }
        if self.series.is_empty() {
            return Err("no series".to_string());
        }
        for (name, values) in &self.series {
            if values.len() != self.categories.len() {
                return Err(format!(
                    "series `{name}` has {} values for {} categories",
                    values.len(),
                    self.categories.len()
                ));
            }
            for (i, v) in values.iter().enumerate() {
                layout::check_value(&format!("series `{name}` value #{}", i + 1), *v)?;
            }
        }
        Ok(())
    }

    /// Sum of positive and of negative values per category.
    fn stacks(&self) -> Vec<(f64, f64)> {
        (0..self.categories.len())
            .map(|i| {
                self.series.iter().fold((0.0, 0.0), |(up, down), (_, v)| {
                    if v[i] >= 0.0 {
                        (up + v[i], down)
                    } else {
                        (up, down + v[i])
                    }
                })
            })
            .collect()
    }
}

impl Drawable for StackedBar {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (plot, legend) = layout::split(root, &self.title)?;
        let n = self.categories.len() as u32;
        let stacks = self.stacks();
        let top = stacks.iter().map(|s| s.0).fold(0.0, f64::max);
        let bottom = stacks.iter().map(|s| s.1).fold(0.0, f64::min);
        // Extra headroom for the total printed above each bar.
        let (lo, hi) = layout::padded(bottom, top + (top - bottom) * 0.06);

        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(80)
            // Integer ranges are inclusive in plotters: `0..n - 1` gives exactly n segments.
            .build_cartesian_2d((0u32..n - 1).into_segmented(), lo..hi)
            .map_err(de)?;
        let labels = &self.categories;
        let x_fmt = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.12))
            .x_labels(n as usize)
            .x_label_formatter(&x_fmt)
            .y_desc(self.y_label.as_str())
            .y_label_formatter(&|v| layout::short_number(*v))
            .label_style(layout::text(layout::LABEL_PX))
            .axis_desc_style(layout::text(layout::AXIS_DESC_PX))
            .draw()
            .map_err(de)?;

        // Gap between bars: 14 px, less when many categories make bars narrow.
        let (plot_w, _) = plot.dim_in_pixel();
        let slot = plot_w.saturating_sub(100) / n.max(1);
        let gap = (slot / 7).min(14);
        let mut up = vec![0.0; n as usize];
        let mut down = vec![0.0; n as usize];
        for (s, (_, values)) in self.series.iter().enumerate() {
            let style = layout::color(s).filled();
            let bars = values.iter().enumerate().map(|(i, &v)| {
                let base = if v >= 0.0 { &mut up[i] } else { &mut down[i] };
                let from = *base;
                *base += v;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i as u32), from),
                        (SegmentValue::Exact(i as u32 + 1), *base),
                    ],
                    style,
                );
                bar.set_margin(0, 0, gap, gap);
                bar
            });
            chart.draw_series(bars).map_err(de)?;
        }
        let totals = stacks.iter().enumerate().map(|(i, (p, m))| {
            Text::new(
                layout::short_number(p + m),
                (SegmentValue::CenterOf(i as u32), *p),
                layout::text(layout::LABEL_PX).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
        });
        chart.draw_series(totals).map_err(de)?;

        let entries: Vec<LegendEntry> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, (name, _))| LegendEntry {
                name,
                color: layout::color(i),
                filled: true,
                opacity: 1.0,
            })
            .collect();
        // Top series first in the legend, matching the stack order on screen.
        let entries: Vec<LegendEntry> = entries.into_iter().rev().collect();
        layout::draw_legend(&legend, &entries)
    }
}
