//! The input layer: reading user files into the immutable plan the simulator
//! runs. [`model`] (the system under study) and [`scenario`] (what happens to
//! it) are parsed and checked here; [`overlay`] edits a parsed model at dotted
//! paths and [`overrides`] re-resolves a model with such edits. Shared helpers: units, and error messages
//! that point at a line and column.

pub mod error;
pub mod locate;
pub mod model;
pub mod overlay;
pub mod overrides;
pub mod scenario;
pub mod suggest;
pub mod units;

pub use error::{InputError, InputErrors};
pub use locate::SourceFile;
pub use units::{parse_duration, parse_rate, Duration};

/// Largest input file read (64 MiB): far above any model, scenario or
/// traffic export, and small enough that a wrong path fails at once.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a user file as text: regular files only (a FIFO or a device such
/// as `/dev/zero` would block or never end) and at most
/// [`MAX_INPUT_BYTES`]. The message says what is wrong, without the path.
pub fn read_text(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        return Err("cannot read the file: it is not a regular file".into());
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "the file has {} bytes, more than the {MAX_INPUT_BYTES} bytes an input may have",
            meta.len()
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut text = String::new();
    // The file may grow after the check: read one byte past the limit to see it.
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if text.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "the file has more than the {MAX_INPUT_BYTES} bytes an input may have"
        ));
    }
    Ok(text)
}
