//! Mapping key paths back to line and column.
//!
//! Files are deserialized with serde into plain structs; checks that need
//! more than one field (a route naming a missing component, a probability
//! above 1) run afterwards on those structs and know only the *key path* of
//! the offending value. [`SourceFile`] keeps a span-preserving parse of the
//! same text so that such an error can still point at `file:line:col`.

use super::error::InputError;
use serde::de::DeserializeOwned;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One element of a key path: a table key or an array index.
#[derive(Clone, Debug, PartialEq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

impl From<&str> for PathSeg {
    fn from(s: &str) -> Self {
        PathSeg::Key(s.to_string())
    }
}
impl From<String> for PathSeg {
    fn from(s: String) -> Self {
        PathSeg::Key(s)
    }
}
impl From<&String> for PathSeg {
    fn from(s: &String) -> Self {
        PathSeg::Key(s.clone())
    }
}
impl From<usize> for PathSeg {
    fn from(i: usize) -> Self {
        PathSeg::Index(i)
    }
}

/// A key path under construction, e.g. `components.api.handlers.page.cpu`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyPath(pub Vec<PathSeg>);

impl KeyPath {
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }
    /// This path extended by one segment.
    pub fn at(&self, seg: impl Into<PathSeg>) -> KeyPath {
        let mut v = self.0.clone();
        v.push(seg.into());
        KeyPath(v)
    }
    pub fn dotted(&self) -> String {
        let mut s = String::new();
        for seg in &self.0 {
            match seg {
                PathSeg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                PathSeg::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }
}

/// The text of one input file, kept for locating errors.
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    doc: Option<toml_edit::Document<String>>,
    /// Byte offset of the start of every line, so that locating an error is
    /// a binary search: a file with tens of thousands of located items (one
    /// per scenario event) validates in linear time.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Reads a file; an unreadable file is an [`InputError`] naming it.
    pub fn read(path: &Path) -> Result<SourceFile, InputError> {
        let text = super::read_text(path).map_err(|m| {
            let hint = (!path.exists())
                .then(|| super::suggest::file_suggestion(path))
                .flatten()
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            InputError::new(path, format!("{m}{hint}"))
        })?;
        Ok(SourceFile::from_text(path, text))
    }

    pub fn from_text(path: &Path, text: String) -> SourceFile {
        let doc = toml_edit::Document::parse(text.clone()).ok();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path: path.to_path_buf(),
            text,
            doc,
            line_starts,
        }
    }

    /// Deserializes the whole file, turning serde's message and span into an
    /// [`InputError`] with line and column.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, InputError> {
        toml::from_str(&self.text).map_err(|e| {
            let message = super::suggest::with_suggestion(e.message().trim());
            let mut err = InputError::new(&self.path, message);
            if let Some(span) = e.span() {
                let (l, c) = self.line_col(span.start);
                err.line = Some(l);
                err.column = Some(c);
            }
            err
        })
    }

    /// Deserializes one sub-table (e.g. a component, kept as a plain table
    /// because its type depends on its `kind`), locating errors by the key
    /// path serde reports inside it.
    pub fn deserialize_part<T: DeserializeOwned>(
        &self,
        at: &KeyPath,
        table: toml::Table,
    ) -> Result<T, InputError> {
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            let mut path = at.clone();
            for seg in e.path().iter() {
                match seg {
                    serde_path_to_error::Segment::Seq { index } => path = path.at(*index),
                    serde_path_to_error::Segment::Map { key } => path = path.at(key.as_str()),
                    serde_path_to_error::Segment::Enum { variant } => {
                        path = path.at(variant.as_str())
                    }
                    serde_path_to_error::Segment::Unknown => {}
                }
            }
            // toml appends "in `key`" on a second line; the key path says it.
            let msg = e.inner().to_string();
            let first = msg.lines().next().unwrap_or("").trim();
            self.error_at(&path, super::suggest::with_suggestion(first))
        })
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        // line_starts[0] == 0 <= offset, so the partition point is >= 1.
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.text[start..offset].chars().count() + 1;
        (line, col)
    }

    /// The span of the value at `path`, or of its closest existing ancestor.
    pub fn span_of(&self, path: &KeyPath) -> Option<Range<usize>> {
        let doc = self.doc.as_ref()?;
        let mut item: &toml_edit::Item = doc.as_item();
        let mut best = None;
        for seg in &path.0 {
            let next = match seg {
                PathSeg::Key(k) => item.get(k.as_str()),
                PathSeg::Index(i) => item.get(*i),
            };
            match next {
                Some(n) => {
                    item = n;
                    if let Some(s) = item_span(item) {
                        best = Some(s);
                    }
                }
                None => break,
            }
        }
        best
    }

    /// An error about the value at `path`, located in this file.
    pub fn error_at(&self, path: &KeyPath, message: impl Into<String>) -> InputError {
        let mut err = InputError::new(&self.path, message);
        if !path.0.is_empty() {
            err.key = Some(path.dotted());
        }
        if let Some(span) = self.span_of(path) {
            let (l, c) = self.line_col(span.start);
            err.line = Some(l);
            err.column = Some(c);
        }
        err
    }
}

fn item_span(item: &toml_edit::Item) -> Option<Range<usize>> {
    match item {
        toml_edit::Item::Value(v) => v.span(),
        toml_edit::Item::Table(t) => t.span(),
        toml_edit::Item::ArrayOfTables(a) => a.span(),
        toml_edit::Item::None => None,
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys_and_array_items() {
        let text = "a = 1\n[t]\nx = \"hi\"\n[[arr]]\nv = 1\n[[arr]]\nv = 2\n".to_string();
        let f = SourceFile::from_text(Path::new("m.toml"), text);
        let e = f.error_at(&KeyPath::root().at("t").at("x"), "bad");
        assert_eq!((e.line, e.column), (Some(3), Some(5)));
        let e = f.error_at(&KeyPath::root().at("arr").at(1usize).at("v"), "bad");
        assert_eq!(e.line, Some(7));
        assert_eq!(e.to_string(), "m.toml:7:5: `arr[1].v`: bad");
    }

    #[test]
    fn missing_key_falls_back_to_parent() {
        let f = SourceFile::from_text(Path::new("m.toml"), "[t]\nx = 1\n".into());
        let e = f.error_at(&KeyPath::root().at("t").at("nope"), "missing");
        assert_eq!(e.line, Some(1));
    }
}
