//! Shared look: palette, font sizes, the legend panel and axis-range helpers.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::font::FAMILY;
use crate::render::de;

/// Tableau 10: distinguishable, and readable for most colour-blind readers.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Colour of the `i`-th series.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Font sizes in pixels.
pub const TITLE_PX: u32 = 26;
pub const AXIS_DESC_PX: u32 = 18;
pub const LABEL_PX: u32 = 15;
pub const LEGEND_PX: u32 = 15;

/// Width of the legend panel to the right of the plot.
pub const LEGEND_WIDTH: u32 = 210;

/// A text style in the embedded font.
pub fn text(px: u32) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&BLACK)
}

/// The plot area and the legend panel of a chart.
pub type Panels<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// Fills `root`, draws the title and splits the rest into plot area and legend panel.
pub fn split<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<Panels<DB>, String> {
    root.fill(&WHITE).map_err(de)?;
    let body = root.titled(title, text(TITLE_PX)).map_err(de)?;
    let (w, _) = body.dim_in_pixel();
    let (plot, legend) = body.split_horizontally(w.saturating_sub(LEGEND_WIDTH));
    Ok((plot, legend))
}

/// One legend entry: a swatch (filled box or line) and a name.
pub struct LegendEntry<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub filled: bool,
    pub opacity: f64,
}

/// Draws the entries top-down in the legend panel; long names are cut with "…".
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> Result<(), String> {
    let row = 26;
    let mut y = 30;
    let max_chars = 22;
    for e in entries {
        let swatch = e.color.mix(e.opacity);
        if e.filled {
            area.draw(&Rectangle::new([(8, y), (26, y + 16)], swatch.filled()))
                .map_err(de)?;
        } else {
            area.draw(&PathElement::new(
                vec![(6, y + 8), (28, y + 8)],
                swatch.stroke_width(3),
            ))
            .map_err(de)?;
        }
        let name: String = if e.name.chars().count() > max_chars {
            e.name
                .chars()
                .take(max_chars - 1)
                .chain(std::iter::once('…'))
                .collect()
        } else {
            e.name.to_string()
        };
        area.draw(&Text::new(name, (34, y), text(LEGEND_PX)))
            .map_err(de)?;
        y += row;
    }
    Ok(())
}

/// A y range covering `lo..=hi` with 5% headroom, never empty.
pub fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (
        if lo >= 0.0 {
            (lo - pad).max(0.0)
        } else {
            lo - pad
        },
        hi + pad,
    )
}

/// A number for a label: thousands without decimals, small values with up to three.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    let text = if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Values beyond this cannot be laid out (ranges would overflow); refuse them.
pub const MAX_ABS: f64 = 1e15;

/// Checks a value is drawable.
pub fn check_value(what: &str, v: f64) -> Result<(), String> {
    if v.is_finite() && v.abs() <= MAX_ABS {
        Ok(())
    } else {
        Err(format!(
            "{what} is {v}; values must be finite and within ±1e15"
        ))
    }
}
