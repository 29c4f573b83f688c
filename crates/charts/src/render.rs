//! Running one chart description through both backends and writing the files.

use std::io::Write;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::ChartError;
use crate::font;
use crate::glyphs::GlyphBitmap;

/// Pixel size of a chart (the SVG uses the same user units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartSize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// 1000 x 600: readable in a Markdown report and on a slide.
pub const DEFAULT_SIZE: ChartSize = ChartSize {
    width: 1000,
    height: 600,
};

/// A chart that can draw itself on any plotters backend.
pub(crate) trait Drawable {
    /// Title, for error messages.
    fn title(&self) -> &str;
    /// Draws the whole chart on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Stringifies a plotters error (their types differ per backend).
pub(crate) fn de<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Draws `chart` into a PNG and an SVG file.
pub(crate) fn render(
    png: &Path,
    svg: &Path,
    size: ChartSize,
    chart: &impl Drawable,
) -> Result<(), ChartError> {
    font::ensure_registered()?;
    let draw_err = |message: String| ChartError::Draw {
        chart: chart.title().to_string(),
        message,
    };
    // Bounded both ways: too small cannot hold axes, too large would exhaust memory.
    let (w, h) = (size.width.clamp(200, 8000), size.height.clamp(150, 8000));

    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let backend = GlyphBitmap::new(&mut pixels, (w, h))
            .ok_or_else(|| draw_err("the embedded font does not parse".to_string()))?;
        let root = backend.into_drawing_area();
        chart.draw(&root).map_err(draw_err)?;
        root.present().map_err(|e| draw_err(de(e)))?;
    }
    let png_bytes = encode_png(&pixels, w, h).map_err(draw_err)?;

    let mut svg_text = String::new();
    {
        let root = SVGBackend::with_string(&mut svg_text, (w, h)).into_drawing_area();
        chart.draw(&root).map_err(draw_err)?;
        root.present().map_err(|e| draw_err(de(e)))?;
    }
    write_atomic(png, &png_bytes)?;
    write_atomic(svg, svg_text.as_bytes())
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(de)?;
    writer.write_image_data(rgb).map_err(de)?;
    writer.finish().map_err(de)?;
    Ok(out)
}

/// Writes `bytes` next to `path` under a temporary name, then renames it into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ChartError> {
    let io_err = |source| ChartError::Io {
        path: path.to_path_buf(),
        source,
    };
    // A unique temporary name (two runs into one folder never collide),
    // removed if anything fails before the rename.
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}
