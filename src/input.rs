//! Reading user files: units, error messages that point at a line and column,
//! and the parse-then-resolve helpers shared by models and scenarios.

pub mod error;
pub mod locate;
pub mod suggest;
pub mod units;

pub use error::{InputError, InputErrors};
pub use locate::SourceFile;
pub use units::{parse_duration, parse_rate, Duration};
