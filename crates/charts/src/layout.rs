//! Shared look: palette, font sizes, the legend panel and axis-range helpers.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::font::FAMILY;
use crate::render::de;

/// Series colours: Tableau 10 without its grey, then darker companions of the same
/// hues, so eighteen series never share a colour. Grey is kept for [`OTHER`].
pub const PALETTE: [RGBColor; 18] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(16, 60, 110),
    RGBColor(166, 76, 0),
    RGBColor(20, 90, 20),
    RGBColor(130, 16, 18),
    RGBColor(84, 48, 128),
    RGBColor(174, 199, 232),
    RGBColor(255, 187, 120),
    RGBColor(152, 223, 138),
    RGBColor(255, 152, 150),
];

/// The colour of grouped small items ("other").
pub const OTHER: RGBColor = RGBColor(150, 150, 150);

/// Colour of the `i`-th series (repeats only after [`PALETTE`] is used up; line
/// charts then switch to dashed lines, see `line.rs`).
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Font sizes in pixels.
pub const TITLE_PX: u32 = 26;
pub const AXIS_DESC_PX: u32 = 18;
pub const LABEL_PX: u32 = 15;
pub const LEGEND_PX: u32 = 15;

/// Narrowest and widest legend panel; names longer than the panel wrap.
const LEGEND_MIN_WIDTH: u32 = 120;
const LEGEND_MAX_WIDTH: u32 = 290;
/// Room for the swatch left of a legend name, and the margin right of it.
const SWATCH_WIDTH: u32 = 34;
const LEGEND_MARGIN: u32 = 10;

/// A text style in the embedded font.
pub fn text(px: u32) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&BLACK)
}

/// Width in pixels of `s` at `px` (the same layout the PNG renderer uses).
pub fn measure(px: u32, s: &str) -> u32 {
    crate::glyphs::measure(f64::from(px), s).0
}

/// Splits `s` into lines of at most `width` pixels, breaking after separators
/// (space, `_`, `-`, `.`, `@`, `/`, `:`) and, for a run without one, between
/// characters. Never returns an empty list.
pub fn wrap(px: u32, s: &str, width: u32) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        cur.push(c);
        if matches!(c, ' ' | '_' | '-' | '.' | '@' | '/' | ':') {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let candidate = format!("{line}{piece}");
        if line.is_empty() || measure(px, candidate.trim_end()) <= width {
            line = candidate;
        } else {
            lines.push(line.trim_end().to_string());
            line = piece;
        }
        // A piece wider than the line on its own: cut it between characters.
        while measure(px, line.trim_end()) > width && line.chars().count() > 1 {
            let mut head = String::new();
            let mut rest = line.chars().peekable();
            while let Some(&c) = rest.peek() {
                let mut next = head.clone();
                next.push(c);
                if !head.is_empty() && measure(px, &next) > width {
                    break;
                }
                head = next;
                rest.next();
            }
            let tail: String = rest.collect();
            if tail.is_empty() {
                break;
            }
            lines.push(head);
            line = tail;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// The plot area and the legend panel of a chart.
pub type Panels<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// Fills `root`, draws the title and splits the rest into plot area and a legend
/// panel as wide as the longest of `names` needs (within bounds; longer names wrap).
pub fn split<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    names: &[&str],
) -> Result<Panels<DB>, String> {
    root.fill(&WHITE).map_err(de)?;
    let body = root.titled(title, text(TITLE_PX)).map_err(de)?;
    let (w, _) = body.dim_in_pixel();
    let widest = names
        .iter()
        .map(|n| measure(LEGEND_PX, n))
        .max()
        .unwrap_or(0);
    let legend_w =
        (widest + SWATCH_WIDTH + LEGEND_MARGIN).clamp(LEGEND_MIN_WIDTH, LEGEND_MAX_WIDTH);
    let (plot, legend) = body.split_horizontally(w.saturating_sub(legend_w));
    Ok((plot, legend))
}

/// How a legend swatch is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Swatch {
    /// A filled box (bars, bands).
    Box,
    /// A line.
    Line,
    /// A dashed line.
    Dashed,
    /// A dot (points without a line).
    Dot,
    /// A line through a dot.
    LineDot,
}

/// One legend entry: a swatch and a name.
pub struct LegendEntry<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub swatch: Swatch,
    pub opacity: f64,
}

/// Draws the entries top-down in the legend panel. Long names wrap onto more lines;
/// when the panel is full, the last row says how many entries were left out.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let text_w = w.saturating_sub(SWATCH_WIDTH + LEGEND_MARGIN).max(40);
    let line_h = LEGEND_PX as i32 + 4;
    let gap = 7;
    let bottom = h as i32 - 8;
    let mut y = 30;
    for (k, e) in entries.iter().enumerate() {
        let lines = wrap(LEGEND_PX, e.name, text_w);
        let need = lines.len() as i32 * line_h;
        // Keep one row for the "more" note unless this is the last entry.
        let reserve = if k + 1 < entries.len() {
            line_h + gap
        } else {
            0
        };
        if y + need + reserve > bottom {
            let more = format!("… and {} more", entries.len() - k);
            area.draw(&Text::new(more, (8, y), text(LEGEND_PX)))
                .map_err(de)?;
            break;
        }
        let swatch = e.color.mix(e.opacity);
        let mid = y + line_h / 2 - 1;
        match e.swatch {
            Swatch::Box => area
                .draw(&Rectangle::new([(8, y + 1), (26, y + 17)], swatch.filled()))
                .map_err(de)?,
            Swatch::Line | Swatch::LineDot => area
                .draw(&PathElement::new(
                    vec![(6, mid), (28, mid)],
                    swatch.stroke_width(3),
                ))
                .map_err(de)?,
            Swatch::Dashed => {
                for x in [6, 15, 24] {
                    area.draw(&PathElement::new(
                        vec![(x, mid), (x + 5, mid)],
                        swatch.stroke_width(3),
                    ))
                    .map_err(de)?;
                }
            }
            Swatch::Dot => {}
        }
        if matches!(e.swatch, Swatch::Dot | Swatch::LineDot) {
            area.draw(&Circle::new((17, mid), 5, swatch.filled()))
                .map_err(de)?;
        }
        for (i, line) in lines.iter().enumerate() {
            area.draw(&Text::new(
                line.clone(),
                (SWATCH_WIDTH as i32, y + i as i32 * line_h),
                text(LEGEND_PX),
            ))
            .map_err(de)?;
        }
        y += need + gap;
    }
    Ok(())
}

/// Text with a white box behind it, so that a grid or reference line it sits on
/// does not strike through it. `anchor` says which corner of the box is at `at`.
pub fn label_with_background<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    label: &str,
    px: u32,
    color: RGBColor,
    right_aligned: bool,
) -> Result<(), String> {
    let (w, h) = crate::glyphs::measure(f64::from(px), label);
    let (w, h) = (w as i32, h as i32);
    let x = if right_aligned { at.0 - w - 4 } else { at.0 };
    area.draw(&Rectangle::new(
        [(x, at.1), (x + w + 4, at.1 + h)],
        WHITE.mix(0.85).filled(),
    ))
    .map_err(de)?;
    area.draw(&Text::new(
        label.to_string(),
        (x + 2, at.1),
        text(px).color(&color),
    ))
    .map_err(de)
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

/// A number for a label: no decimals from 100 up (with thousands separators from
/// 10,000), small values with up to three.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 10_000.0 {
        return thousands(v);
    }
    let text = if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

/// `v` rounded to an integer with `,` between thousands: `32,134`.
pub fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 && digits != "0" {
        out.insert(0, '-');
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(short_number(32134.4), "32,134");
        assert_eq!(short_number(-1_234_567.0), "-1,234,567");
        assert_eq!(short_number(1440.0), "1440");
        assert_eq!(short_number(2.5), "2.5");
        assert_eq!(short_number(0.0), "0");
        assert_eq!(short_number(-0.0001), "-0");
    }

    #[test]
    fn wrap_breaks_after_separators_and_fits() {
        let lines = wrap(15, "api replicas x200 (right)", 120);
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), "apireplicasx200(right)");
        for l in &lines {
            assert!(measure(15, l) <= 120, "{l}");
        }
        let long = wrap(15, "supabase_compute_credit", 60);
        assert!(long.iter().all(|l| measure(15, l) <= 60), "{long:?}");
        assert_eq!(long.concat(), "supabase_compute_credit");
        assert_eq!(wrap(15, "", 50), vec![String::new()]);
    }
}
