//! The embedded font. plotters' `ab_glyph` renderer only knows fonts registered at run
//! time, so the first chart registers DejaVu Sans as the `sans-serif` family.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

use crate::error::ChartError;

/// DejaVu Sans (Bitstream Vera license, see `assets/fonts/DejaVuSans-LICENSE.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The embedded font file, for the PNG text renderer.
pub(crate) fn font_bytes() -> &'static [u8] {
    DEJAVU_SANS
}

/// The family name charts ask for.
pub const FAMILY: &str = "sans-serif";

/// Registers the font once; later calls return the first outcome.
pub fn ensure_registered() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}
