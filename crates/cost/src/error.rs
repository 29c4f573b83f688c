//! The one error type of the crate. Every variant names where the problem is (file and
//! line, or component and SKU) and what would be valid, so the CLI can print it as is.

use std::path::PathBuf;

/// Everything that can go wrong while loading prices or computing a bill.
#[derive(Debug, thiserror::Error)]
pub enum CostError {
    /// A usage record names a SKU the catalog does not have.
    #[error("unknown SKU `{id}`{}", suggestion_text(.suggestions))]
    UnknownSku {
        /// The id that was looked up.
        id: String,
        /// Catalog ids that look like it, closest first (at most five).
        suggestions: Vec<String>,
    },
    /// A catalog source (shipped CSV, `--pricing` file, inline table) is malformed.
    #[error("{origin}{}: {message}", line_text(.line))]
    Catalog {
        /// File name or description of the source.
        origin: String,
        /// 1-based line, when known.
        line: Option<u64>,
        /// What was found and what was expected.
        message: String,
    },
    /// A usage record cannot be billed as given.
    #[error("component `{component}`, SKU `{sku}`: {message}")]
    Usage {
        /// Component the record belongs to.
        component: String,
        /// SKU id of the record.
        sku: String,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// The billing options are inconsistent (e.g. an empty simulated span).
    #[error("billing options: {0}")]
    Options(String),
    /// A pricing file could not be read.
    #[error("cannot read pricing file {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        return " (no similar SKU id in the catalog; ids look like `aws.ec2.m7i.large`, see pricing/catalog.csv)".to_string();
    }
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
    format!("; did you mean {}?", quoted.join(", "))
}

fn line_text(line: &Option<u64>) -> String {
    line.map(|l| format!(" line {l}")).unwrap_or_default()
}
