//! User-facing input errors.
//!
//! Every problem with a file names the file, the line and column, the key
//! path, what was found and what would have been valid. The CLI turns these
//! into exit code 2; nothing in the input path panics.

use std::fmt;
use std::path::PathBuf;

/// One problem in one input file.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    pub file: PathBuf,
    /// 1-based line and column, when the location is known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Dotted key path, e.g. `components.api.balancer.max_fails`.
    pub key: Option<String>,
    /// What was wrong, including what was found and what was expected.
    pub message: String,
}

impl InputError {
    pub fn new(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for InputError {}

/// All the problems found in one pass over the inputs, so a user fixes them
/// in one go rather than one per run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputErrors(pub Vec<InputError>);

impl InputErrors {
    pub fn push(&mut self, e: InputError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(value)` when no error was recorded.
    pub fn into_result<T>(self, value: T) -> Result<T, InputErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors(vec![e])
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}
