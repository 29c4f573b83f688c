//! A bitmap backend that draws text itself. plotters' `ab_glyph` text path places
//! each glyph at its advance without its left side bearing and rounds the baseline
//! per glyph, which gives uneven letter spacing ("sup abase") and dots raised
//! above the baseline ("aws·rds"). This wrapper lays a string out once, on one
//! baseline, with bearings and kerning, and delegates everything else to
//! [`BitMapBackend`].

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use crate::font::font_bytes;

type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

/// [`BitMapBackend`] with correct glyph placement.
pub(crate) struct GlyphBitmap<'a> {
    inner: BitMapBackend<'a>,
    font: FontRef<'static>,
}

impl<'a> GlyphBitmap<'a> {
    /// Wraps an RGB buffer of `size`; fails when the embedded font does not parse.
    pub(crate) fn new(buffer: &'a mut [u8], size: (u32, u32)) -> Option<Self> {
        Some(Self {
            inner: BitMapBackend::with_buffer(buffer, size),
            font: font()?.clone(),
        })
    }
}

/// The embedded font, parsed once.
fn font() -> Option<&'static FontRef<'static>> {
    static FONT: std::sync::OnceLock<Option<FontRef<'static>>> = std::sync::OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(font_bytes()).ok())
        .as_ref()
}

/// Width and height in pixels of `text` at `size` px, as the PNG renderer lays it
/// out (`(0, 0)` if the font does not parse, which `render` reports first).
pub(crate) fn measure(size: f64, text: &str) -> (u32, u32) {
    match font() {
        Some(f) => {
            let l = layout(f, size, text);
            (l.width.ceil() as u32, l.height.ceil() as u32)
        }
        None => (0, 0),
    }
}

/// One laid-out string: glyph positions on a baseline at `ascent`, and its box.
struct Layout {
    glyphs: Vec<ab_glyph::Glyph>,
    width: f32,
    height: f32,
}

fn layout(font: &FontRef<'static>, size: f64, text: &str) -> Layout {
    let scaled = font.as_scaled(PxScale::from(size as f32));
    let ascent = scaled.ascent();
    let mut x = 0.0f32;
    let mut prev = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(scaled.scale(), point(x, ascent)));
        x += scaled.h_advance(id);
        prev = Some(id);
    }
    Layout {
        glyphs,
        width: x,
        height: scaled.ascent() - scaled.descent(),
    }
}

impl DrawingBackend for GlyphBitmap<'_> {
    type ErrorType = BitmapError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let l = layout(&self.font, style.size(), text);
        Ok((l.width.ceil() as u32, l.height.ceil() as u32))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let l = layout(&self.font, style.size(), text);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Right => -l.width,
            HPos::Center => -l.width / 2.0,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0.0,
            VPos::Center => -l.height / 2.0,
            VPos::Bottom => -l.height,
        };
        let trans = style.transform();
        let mut pixels = Vec::new();
        for g in l.glyphs {
            let Some(outline) = self.font.outline_glyph(g) else {
                continue; // a space: nothing to draw
            };
            let b = outline.px_bounds();
            outline.draw(|x, y, coverage| {
                if coverage > 0.0 {
                    let gx = (b.min.x + dx).round() as i32 + x as i32;
                    let gy = (b.min.y + dy).round() as i32 + y as i32;
                    pixels.push((gx, gy, coverage));
                }
            });
        }
        for (x, y, coverage) in pixels {
            let (x, y) = trans.transform(x, y);
            let c = BackendColor {
                alpha: color.alpha * f64::from(coverage.min(1.0)),
                rgb: color.rgb,
            };
            self.inner.draw_pixel((pos.0 + x, pos.1 + y), c)?;
        }
        Ok(())
    }
}
