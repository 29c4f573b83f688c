//! Line charts over time: several named series, an optional second y axis, vertical
//! markers (autoscale decisions) and shaded bands (confidence intervals).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

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

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// A solid line through the points (a series over time).
    #[default]
    Line,
    /// A dashed line.
    Dashed,
    /// A dot per point and no line: the points are separate configurations, and a
    /// line between them would suggest values in between.
    Points,
    /// A line with a dot at each point (a sweep over a grid).
    LinePoints,
    /// A dashed line with a dot at each point.
    DashedPoints,
    /// A large ringed dot per point, for the one point that matters (the chosen
    /// configuration).
    Highlight,
}

/// A named series of `(x, y)` points, drawn in the given order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Series<'a> {
    /// Legend name.
    pub name: &'a str,
    /// `(x, y)` points.
    pub points: &'a [(f64, f64)],
    /// Axis the y values belong to.
    pub axis: Axis,
    /// Line, dots or both.
    pub style: Style,
    /// Palette index; by default the series' position. Two series with the same
    /// index (p95 and cost of one group) share a colour.
    pub color: Option<usize>,
}

impl<'a> Series<'a> {
    /// A solid line in the series' own colour.
    pub fn line(name: &'a str, points: &'a [(f64, f64)], axis: Axis) -> Self {
        Self {
            name,
            points,
            axis,
            style: Style::Line,
            color: None,
        }
    }

    /// The same series drawn another way.
    pub fn styled(self, style: Style) -> Self {
        Self { style, ..self }
    }

    /// The same series in palette colour `i`.
    pub fn colored(self, i: usize) -> Self {
        Self {
            color: Some(i),
            ..self
        }
    }
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
    /// Error bars: `(x, low, high)` whiskers in the colour of their series
    /// (e.g. 95% confidence intervals of replicated points).
    pub error_bars: Vec<Band<'a>>,
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
            error_bars: Vec::new(),
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
    for b in chart.bands.iter().chain(&chart.error_bars) {
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
        band.series
            .map_or(RGBColor(120, 120, 120), |i| self.series_color(i))
    }

    fn series_color(&self, i: usize) -> RGBColor {
        layout::color(self.series.get(i).and_then(|s| s.color).unwrap_or(i))
    }

    /// The style a series is drawn in: beyond the palette, lines turn dashed so
    /// that two series sharing a colour still differ.
    fn series_style(&self, i: usize) -> Style {
        let s = self.series[i];
        let wrapped = s.color.unwrap_or(i) >= layout::PALETTE.len();
        match s.style {
            Style::Line if wrapped => Style::Dashed,
            Style::LinePoints if wrapped => Style::DashedPoints,
            other => other,
        }
    }

    /// (min, max) of x over series, bands and markers.
    fn x_extent(&self) -> (f64, f64) {
        let xs = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .chain(
                self.bands
                    .iter()
                    .chain(&self.error_bars)
                    .flat_map(|b| b.points.iter().map(|p| p.0)),
            )
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
                    .chain(&self.error_bars)
                    .filter(|b| self.band_axis(b) == axis)
                    .flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2])),
            )
            .collect();
        (!ys.is_empty()).then(|| extent(ys))
    }
}

impl LineChart<'_> {
    /// Legend names: right-axis series say so.
    fn legend_names(&self) -> Vec<String> {
        let any_right = self.series.iter().any(|s| s.axis == Axis::Right);
        self.series
            .iter()
            .map(|s| match s.axis {
                Axis::Right if any_right => format!("{} (right axis)", s.name),
                _ => s.name.to_string(),
            })
            .collect()
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
        let names = self.legend_names();
        let mut all_names: Vec<&str> = names.iter().map(String::as_str).collect();
        all_names.extend(self.bands.iter().map(|b| b.name));
        let (plot, legend) = layout::split(root, self.title, &all_names)?;
        let (x0, x1) = self.x_extent();
        let (x0, x1) = x_range(x0, x1);
        // Dots at the ends would be cut in half on the frame: pad point charts.
        let (x0, x1) = if self
            .series
            .iter()
            .any(|s| s.style != Style::Line && s.style != Style::Dashed)
        {
            let pad = (x1 - x0) * 0.04;
            (x0 - pad, x1 + pad)
        } else {
            (x0, x1)
        };
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
        for m in &self.markers {
            let line =
                DashedLineSeries::new([(m.x, y0), (m.x, y1)], 6, 4, marker_color.stroke_width(1));
            chart.draw_series(line).map_err(de)?;
        }

        for (i, s) in self.series.iter().enumerate() {
            let color = self.series_color(i);
            let line_style = color.stroke_width(2);
            let pts = s.points.iter().copied();
            let style = self.series_style(i);
            let result = match style {
                Style::Line | Style::LinePoints => {
                    let line = LineSeries::new(pts, line_style);
                    match s.axis {
                        Axis::Left => chart.draw_series(line).map(|_| ()),
                        Axis::Right => chart.draw_secondary_series(line).map(|_| ()),
                    }
                }
                Style::Dashed | Style::DashedPoints => {
                    let line = DashedLineSeries::new(pts, 8, 5, line_style);
                    match s.axis {
                        Axis::Left => chart.draw_series(line).map(|_| ()),
                        Axis::Right => chart.draw_secondary_series(line).map(|_| ()),
                    }
                }
                Style::Points | Style::Highlight => Ok(()),
            };
            result.map_err(de)?;
            let radius = match style {
                Style::Points => 4,
                Style::LinePoints | Style::DashedPoints => 3,
                Style::Highlight => 8,
                Style::Line | Style::Dashed => continue,
            };
            let dots = s.points.iter().map(|&p| {
                EmptyElement::at(p)
                    + Circle::new((0, 0), radius, color.filled())
                    + Circle::new((0, 0), radius, BLACK.mix(0.6).stroke_width(1))
            });
            let ring = s.points.iter().map(|&p| {
                EmptyElement::at(p) + Circle::new((0, 0), radius + 4, BLACK.stroke_width(2))
            });
            match s.axis {
                Axis::Left => chart.draw_series(dots).map(|_| ()),
                Axis::Right => chart.draw_secondary_series(dots).map(|_| ()),
            }
            .map_err(de)?;
            if style == Style::Highlight {
                match s.axis {
                    Axis::Left => chart.draw_series(ring).map(|_| ()),
                    Axis::Right => chart.draw_secondary_series(ring).map(|_| ()),
                }
                .map_err(de)?;
            }
        }

        for bars in &self.error_bars {
            let color = self.band_color(bars);
            let whiskers = bars.points.iter().map(|&(x, lo, hi)| {
                ErrorBar::new_vertical(x, lo, (lo + hi) / 2.0, hi, color.stroke_width(2), 10)
            });
            match self.band_axis(bars) {
                Axis::Left => chart.draw_series(whiskers).map(|_| ()),
                Axis::Right => chart.draw_secondary_series(whiskers).map(|_| ()),
            }
            .map_err(de)?;
        }

        // Marker labels last, each on a white box just right of its line, so lines
        // and curves do not strike through them; staggered so close markers do not
        // print over each other.
        let base = plot.get_base_pixel();
        for (k, m) in self.markers.iter().enumerate() {
            if m.label.is_empty() {
                continue;
            }
            let (px, py) = chart.backend_coord(&(m.x, y1));
            layout::label_with_background(
                &plot,
                (px - base.0 + 3, py - base.1 + 4 + 18 * (k % 4) as i32),
                m.label,
                13,
                marker_color,
                false,
            )?;
        }

        let mut entries: Vec<LegendEntry> = names
            .iter()
            .enumerate()
            .map(|(i, name)| LegendEntry {
                name,
                color: self.series_color(i),
                swatch: match self.series_style(i) {
                    Style::Line => layout::Swatch::Line,
                    Style::Dashed | Style::DashedPoints => layout::Swatch::Dashed,
                    Style::Points | Style::Highlight => layout::Swatch::Dot,
                    Style::LinePoints => layout::Swatch::LineDot,
                },
                opacity: 1.0,
            })
            .collect();
        entries.extend(self.bands.iter().map(|b| LegendEntry {
            name: b.name,
            color: self.band_color(b),
            swatch: layout::Swatch::Box,
            opacity: 0.3,
        }));
        layout::draw_legend(&legend, &entries)
    }
}
