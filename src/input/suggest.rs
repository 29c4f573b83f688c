//! "Did you mean": the closest valid name for a misspelt key, kind or file.

use std::path::Path;

/// The candidate closest to `found` when it is close enough to be a typo
/// (Levenshtein distance at most 2, and under half the length), else `None`.
pub fn closest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (found.chars().count() / 2).clamp(1, 2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(found, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// serde's "unknown field `x`, expected one of `a`, `b`" (or "unknown variant",
/// or "expected `a` or `b`") with "; did you mean `a`?" when one is close.
pub fn with_suggestion(message: &str) -> String {
    let Some(rest) = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))
    else {
        return message.to_string();
    };
    let Some((found, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match closest(found, names) {
        Some(c) => format!("{message}; did you mean `{c}`?"),
        None => message.to_string(),
    }
}

/// For a file that does not exist: "did you mean DIR/NAME?" from the files
/// beside it (sorted, so the suggestion is deterministic).
pub fn file_suggestion(path: &Path) -> Option<String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name()?.to_str()?;
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    let best = closest(name, names.iter().map(String::as_str))?;
    Some(format!(
        "did you mean {}?",
        path.with_file_name(best).display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            with_suggestion("unknown field `replcas`, expected one of `replicas`, `cores`"),
            "unknown field `replcas`, expected one of `replicas`, `cores`; did you mean `replicas`?"
        );
        assert_eq!(
            with_suggestion("unknown field `zzz`, expected `replicas` or `cores`"),
            "unknown field `zzz`, expected `replicas` or `cores`"
        );
        assert_eq!(with_suggestion("invalid type"), "invalid type");
        // A swapped pair is two edits: still a typo on a 7-letter word.
        assert_eq!(closest("srevice", ["service", "cache"]), Some("service"));
        assert_eq!(closest("db", ["cdn", "api"]), None);
    }
}
