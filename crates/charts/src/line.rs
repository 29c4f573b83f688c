//! Line charts over time: several named series, an optional second y axis, vertical
//! markers (autoscale decisions) and shaded bands (confidence intervals).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::ChartError;
use crate::layout::{self, LegendEntry};
use crate::render::{de, render, ChartSize, Drawable, DEFAULT_SIZE};

/// Which y axis a series or band is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Axis {
    /// The left (primary) axis.
    #[default]
    Left,
    /// The right (secondary) axis, labelled with [`LineChart::y2_label`].
    Right,
}

/// A named line of `(x, y)` points, drawn in the given order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Series<'a> {
    /// Legend name.
    pub name: &'a str,
    /// `(x, y)` points.
    pub points: &'a [(f64, f64)],
    /// Axis the y values belong to.
    pub axis: Axis,
}

/// A vertical line at `x` with a short label (e.g. "api 3→5").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker<'a> {
    /// Position on the x axis.
    pub x: f64,
    /// Text beside the line; may be empty.
    pub label: &'a str,
}

/// A shaded region between `low` and `high` along x: `(x, low, high)` points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band<'a> {
    /// Legend name.
    pub name: &'a str,
    /// `(x, low, high)` points.
    pub points: &'a [(f64, f64, f64)],
    /// Index of the series whose colour and axis the band takes; grey on the left
    /// axis when `None`.
    pub series: Option<usize>,
}

/// Everything a line chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart<'a> {
    /// Title above the chart.
    pub title: &'a str,
    /// X axis description (e.g. "time (min)").
    pub x_label: &'a str,
    /// Left y axis description.
    pub y_label: &'a str,
    /// Right y axis description; the right axis is drawn when any series uses it.
    pub y2_label: Option<&'a str>,
    /// Lines.
    pub series: Vec<Series<'a>>,
    /// Vertical markers.
    pub markers: Vec<Marker<'a>>,
    /// Shaded bands, drawn under the lines.
    pub bands: Vec<Band<'a>>,
    /// Pixel size.
    pub size: ChartSize,
}

impl<'a> LineChart<'a> {
    /// A chart with labels and nothing in it yet.
    pub fn new(title: &'a str, x_label: &'a str, y_label: &'a str) -> Self {
        Self {
            title,
            x_label,
            y_label,
            y2_label: None,
            series: Vec::new(),
            markers: Vec::new(),
            bands: Vec::new(),
            size: DEFAULT_SIZE,
        }
    }
}

/// Draws the chart into a PNG and an SVG file.
pub fn line_chart(png: &Path, svg: &Path, chart: &LineChart) -> Result<(), ChartError> {
    check(chart).map_err(|message| ChartError::Data {
        chart: chart.title.to_string(),
        message,
    })?;
    render(png, svg, chart.size, chart)
}

fn check(chart: &LineChart) -> Result<(), String> {
    let mut points = 0usize;
    for s in &chart.series {
        for (i, &(x, y)) in s.points.iter().enumerate() {
            layout::check_value(&format!("series `{}` point #{} x", s.name, i + 1), x)?;
            layout::check_value(&format!("series `{}` point #{} y", s.name, i + 1), y)?;
        }
        points += s.points.len();
    }
    if points == 0 {
        return Err("no series with points".to_string());
    }
    for b in &chart.bands {
        if let Some(i) = b.series {
            if i >= chart.series.len() {
                return Err(format!(
                    "band `{}` refers to series #{i}, which does not exist",
                    b.name
                ));
            }
        }
        for (i, &(x, lo, hi)) in b.points.iter().enumerate() {
            for (what, v) in [("x", x), ("low", lo), ("high", hi)] {
                layout::check_value(&format!("band `{}` point #{} {what}", b.name, i + 1), v)?;
            }
        }
    }
    for (i, m) in chart.markers.iter().enumerate() {
        layout::check_value(&format!("marker #{} x", i + 1), m.x)?;
    }
    Ok(())
}

impl LineChart<'_> {
    fn band_axis(&self, band: &Band) -> Axis {
        band.series
            .and_then(|i| self.series.get(i))
            .map_or(Axis::Left, |s| s.axis)
    }

    fn band_color(&self, band: &Band) -> RGBColor {
        band.series.map_or(RGBColor(120, 120, 120), layout::color)
    }

    /// (min, max) of x over series, bands and markers.
    fn x_extent(&self) -> (f64, f64) {
        let xs = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .chain(self.bands.iter().flat_map(|b| b.points.iter().map(|p| p.0)))
            .chain(self.markers.iter().map(|m| m.x));
        extent(xs)
    }

    /// (min, max) of y on one axis over series and bands.
    fn y_extent(&self, axis: Axis) -> Option<(f64, f64)> {
        let ys: Vec<f64> = self
            .series
            .iter()
            .filter(|s| s.axis == axis)
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(
                self.bands
                    .iter()
                    .filter(|b| self.band_axis(b) == axis)
                    .flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2])),
            )
            .collect();
        (!ys.is_empty()).then(|| extent(ys))
    }
}

fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

fn x_range(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    }
}

impl Drawable for LineChart<'_> {
    fn title(&self) -> &str {
        self.title
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (plot, legend) = layout::split(root, self.title)?;
        let (x0, x1) = self.x_extent();
        let (x0, x1) = x_range(x0, x1);
        let left = self.y_extent(Axis::Left);
        let right = self.y_extent(Axis::Right);
        let (y0, y1) = left
            .or(right)
            .map_or((0.0, 1.0), |(lo, hi)| layout::padded(lo.min(0.0), hi));
        let (r0, r1) = right.map_or((y0, y1), |(lo, hi)| layout::padded(lo.min(0.0), hi));
        let has_right = right.is_some();

        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .right_y_label_area_size(if has_right { 80 } else { 0 })
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(de)?
            .set_secondary_coord(x0..x1, r0..r1);
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.12))
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .x_label_formatter(&|v| layout::short_number(*v))
            .y_label_formatter(&|v| layout::short_number(*v))
            .label_style(layout::text(layout::LABEL_PX))
            .axis_desc_style(layout::text(layout::AXIS_DESC_PX))
            .draw()
            .map_err(de)?;
        if has_right {
            chart
                .configure_secondary_axes()
                .y_desc(self.y2_label.unwrap_or(""))
                .y_label_formatter(&|v| layout::short_number(*v))
                .label_style(layout::text(layout::LABEL_PX))
                .axis_desc_style(layout::text(layout::AXIS_DESC_PX))
                .draw()
                .map_err(de)?;
        }

        for band in &self.bands {
            let mut outline: Vec<(f64, f64)> = band.points.iter().map(|p| (p.0, p.2)).collect();
            outline.extend(band.points.iter().rev().map(|p| (p.0, p.1)));
            let fill = self.band_color(band).mix(0.22).filled();
            match self.band_axis(band) {
                Axis::Left => chart
                    .draw_series(std::iter::once(Polygon::new(outline, fill)))
                    .map(|_| ()),
                Axis::Right => chart
                    .draw_secondary_series(std::iter::once(Polygon::new(outline, fill)))
                    .map(|_| ()),
            }
            .map_err(de)?;
        }

        let marker_color = RGBColor(90, 90, 90);
        for (k, m) in self.markers.iter().enumerate() {
            let line =
                DashedLineSeries::new([(m.x, y0), (m.x, y1)], 6, 4, marker_color.stroke_width(1));
            chart.draw_series(line).map_err(de)?;
            if !m.label.is_empty() {
                // Staggered so that labels of close markers do not print over each other.
                let y = y1 - (y1 - y0) * (0.02 + 0.055 * (k % 4) as f64);
                let style = layout::text(13)
                    .color(&marker_color)
                    .pos(Pos::new(HPos::Left, VPos::Top));
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!(" {}", m.label),
                        (m.x, y),
                        style,
                    )))
                    .map_err(de)?;
            }
        }

        for (i, s) in self.series.iter().enumerate() {
            let style = layout::color(i).stroke_width(2);
            let line = LineSeries::new(s.points.iter().copied(), style);
            match s.axis {
                Axis::Left => chart.draw_series(line).map(|_| ()),
                Axis::Right => chart.draw_secondary_series(line).map(|_| ()),
            }
            .map_err(de)?;
        }

        let right_names: Vec<String> = self
            .series
            .iter()
            .map(|s| match s.axis {
                Axis::Left => s.name.to_string(),
                Axis::Right => format!("{} (right)", s.name),
            })
            .collect();
        let mut entries: Vec<LegendEntry> = right_names
            .iter()
            .enumerate()
            .map(|(i, name)| LegendEntry {
                name,
                color: layout::color(i),
                filled: false,
                opacity: 1.0,
            })
            .collect();
        entries.extend(self.bands.iter().map(|b| LegendEntry {
            name: b.name,
            color: self.band_color(b),
            filled: true,
            opacity: 0.3,
        }));
        layout::draw_legend(&legend, &entries)
    }
}
