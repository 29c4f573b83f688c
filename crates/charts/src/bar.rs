//! Stacked bars: the cost breakdown per stage (category) and component (series).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

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

/// At most this many series get their own colour and legend entry; the rest are
/// summed into one grey "other" segment.
const MAX_SERIES: usize = 12;
/// Series below this share of the chart's total are grouped into "other" too
/// (when at least two are), so slivers do not each take a legend row.
const SMALL_SHARE: f64 = 0.005;

/// The series as drawn: the largest ones by total magnitude in their given order,
/// then "other (N items)" holding the rest, flagged `true`.
fn grouped(series: &[(String, Vec<f64>)]) -> Vec<(String, Vec<f64>, bool)> {
    let magnitude = |v: &[f64]| v.iter().map(|x| x.abs()).sum::<f64>();
    let total: f64 = series.iter().map(|(_, v)| magnitude(v)).sum();
    let mut order: Vec<usize> = (0..series.len()).collect();
    // Stable: equal magnitudes keep their given order, so output is deterministic.
    order.sort_by(|&a, &b| magnitude(&series[b].1).total_cmp(&magnitude(&series[a].1)));
    let mut keep = vec![false; series.len()];
    for (rank, &i) in order.iter().enumerate() {
        keep[i] = rank < MAX_SERIES - 1 && magnitude(&series[i].1) >= SMALL_SHARE * total;
    }
    let rest = keep.iter().filter(|k| !**k).count();
    if rest < 2 {
        // Grouping one item saves nothing (and at most MAX_SERIES - 1 are kept, so
        // this only happens when all fit).
        return series
            .iter()
            .map(|(n, v)| (n.clone(), v.clone(), false))
            .collect();
    }
    grouped_all(series, &keep)
}

fn grouped_all(series: &[(String, Vec<f64>)], keep: &[bool]) -> Vec<(String, Vec<f64>, bool)> {
    let n = series.first().map_or(0, |s| s.1.len());
    let mut out: Vec<(String, Vec<f64>, bool)> = series
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|((name, v), _)| (name.clone(), v.clone(), false))
        .collect();
    let rest: Vec<&Vec<f64>> = series
        .iter()
        .zip(keep)
        .filter(|(_, k)| !**k)
        .map(|((_, v), _)| v)
        .collect();
    if !rest.is_empty() {
        let sum = (0..n).map(|i| rest.iter().map(|v| v[i]).sum()).collect();
        out.push((format!("other ({} items)", rest.len()), sum, true));
    }
    out
}

/// How category labels under the bars are set: on one line, wrapped onto a few
/// lines, or turned to read upwards when even wrapped they would collide.
enum XLabels {
    Lines(Vec<Vec<String>>),
    Upright(Vec<String>),
}

const LABEL_LINE_PX: u32 = layout::LABEL_PX + 3;
const MAX_LABEL_LINES: usize = 3;
const MAX_UPRIGHT_PX: u32 = 150;

impl XLabels {
    fn new(categories: &[String], slot: u32) -> Self {
        let width = slot.saturating_sub(8).max(10);
        let wrapped: Vec<Vec<String>> = categories
            .iter()
            .map(|c| layout::wrap(layout::LABEL_PX, c, width))
            .collect();
        if wrapped.iter().all(|l| l.len() <= MAX_LABEL_LINES) && slot >= 3 * layout::LABEL_PX {
            return XLabels::Lines(wrapped);
        }
        XLabels::Upright(
            categories
                .iter()
                .map(|c| {
                    let mut s = c.clone();
                    while layout::measure(layout::LABEL_PX, &s) > MAX_UPRIGHT_PX
                        && s.chars().count() > 2
                    {
                        s.pop();
                        s.pop();
                        s.push('…');
                    }
                    s
                })
                .collect(),
        )
    }

    /// Height of the label area under the axis.
    fn height(&self) -> u32 {
        match self {
            XLabels::Lines(l) => {
                let lines = l.iter().map(Vec::len).max().unwrap_or(1) as u32;
                lines * LABEL_LINE_PX + 14
            }
            XLabels::Upright(l) => {
                l.iter()
                    .map(|s| layout::measure(layout::LABEL_PX, s))
                    .max()
                    .unwrap_or(0)
                    + 16
            }
        }
    }
}

impl Drawable for StackedBar {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let drawn = grouped(&self.series);
        let names: Vec<&str> = drawn.iter().map(|(n, _, _)| n.as_str()).collect();
        let (plot, legend) = layout::split(root, &self.title, &names)?;
        let n = self.categories.len() as u32;
        let stacks = self.stacks();
        let top = stacks.iter().map(|s| s.0).fold(0.0, f64::max);
        let bottom = stacks.iter().map(|s| s.1).fold(0.0, f64::min);
        // Extra headroom for the total printed above each bar.
        let (lo, hi) = layout::padded(bottom, top + (top - bottom) * 0.06);

        let (plot_w, _) = plot.dim_in_pixel();
        let y_area = 80;
        let slot = plot_w.saturating_sub(24 + y_area) / n.max(1);
        let labels = XLabels::new(&self.categories, slot);
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(labels.height())
            .y_label_area_size(y_area)
            // Integer ranges are inclusive in plotters: `0..n - 1` gives exactly n segments.
            .build_cartesian_2d((0u32..n - 1).into_segmented(), lo..hi)
            .map_err(de)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.12))
            .x_labels(n as usize)
            // Category names are set below, wrapped or upright as they fit.
            .x_label_formatter(&|_| String::new())
            .y_desc(self.y_label.as_str())
            .y_label_formatter(&|v| layout::short_number(*v))
            .label_style(layout::text(layout::LABEL_PX))
            .axis_desc_style(layout::text(layout::AXIS_DESC_PX))
            .draw()
            .map_err(de)?;

        // Gap between bars: 14 px, less when many categories make bars narrow.
        let gap = (slot / 7).min(14);
        let mut up = vec![0.0; n as usize];
        let mut down = vec![0.0; n as usize];
        let mut colour = 0;
        let mut colours = Vec::with_capacity(drawn.len());
        for (_, _, other) in &drawn {
            colours.push(if *other {
                layout::OTHER
            } else {
                colour += 1;
                layout::color(colour - 1)
            });
        }
        for ((_, values, _), c) in drawn.iter().zip(&colours) {
            let style = c.filled();
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

        // Category labels, in pixels of the plot area below the x axis.
        let base = plot.get_base_pixel();
        let axis_y = chart.backend_coord(&(SegmentValue::CenterOf(0), lo)).1 - base.1 + 6;
        for i in 0..n {
            let x = chart.backend_coord(&(SegmentValue::CenterOf(i), lo)).0 - base.0;
            match &labels {
                XLabels::Lines(all) => {
                    for (k, line) in all[i as usize].iter().enumerate() {
                        plot.draw(&Text::new(
                            line.clone(),
                            (x, axis_y + k as i32 * LABEL_LINE_PX as i32),
                            layout::text(layout::LABEL_PX).pos(Pos::new(HPos::Center, VPos::Top)),
                        ))
                        .map_err(de)?;
                    }
                }
                XLabels::Upright(all) => {
                    let style = layout::text(layout::LABEL_PX)
                        .transform(FontTransform::Rotate270)
                        .pos(Pos::new(HPos::Right, VPos::Center));
                    plot.draw(&Text::new(all[i as usize].clone(), (x, axis_y), style))
                        .map_err(de)?;
                }
            }
        }

        let entries: Vec<LegendEntry> = drawn
            .iter()
            .zip(&colours)
            .map(|((name, _, _), c)| LegendEntry {
                name,
                color: *c,
                swatch: layout::Swatch::Box,
                opacity: 1.0,
            })
            .collect();
        // Top series first in the legend, matching the stack order on screen.
        let entries: Vec<LegendEntry> = entries.into_iter().rev().collect();
        layout::draw_legend(&legend, &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(n: usize) -> Vec<(String, Vec<f64>)> {
        (0..n)
            .map(|i| (format!("s{i}"), vec![(i + 1) as f64, 1.0]))
            .collect()
    }

    #[test]
    fn few_series_are_kept_many_are_grouped() {
        let few = grouped(&series(5));
        assert_eq!(few.len(), 5);
        assert!(few.iter().all(|s| !s.2));
        let many = grouped(&series(47));
        assert_eq!(many.len(), MAX_SERIES);
        let other = many.last().unwrap();
        assert!(other.2);
        assert_eq!(other.0, "other (36 items)");
        // Totals are preserved: nothing is lost by grouping.
        let sum = |s: &[(String, Vec<f64>, bool)]| s.iter().map(|x| x.1[0]).sum::<f64>();
        assert_eq!(sum(&many), (1..=47).sum::<usize>() as f64);
        // The kept ones are the largest, in their given order.
        assert_eq!(many[0].0, "s36");
        assert_eq!(many[10].0, "s46");
    }
}
