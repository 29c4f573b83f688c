//! "Did you mean" for SKU ids: a mistyped id should name the ids the user meant.
//!
//! Ids are dotted paths (`aws.ec2.m7i.large`), and people often type only the tail
//! (`m7i.large`) or a near miss (`aws.ec2.m7i.larg`). So a candidate is scored by the
//! smallest edit distance between the needle and the candidate or any of its dotted
//! suffixes, and kept when that score is small for the needle's length or when one
//! string contains the other.

/// At most `limit` candidates close to `needle`, best first, ties by id.
pub fn close_matches<'a>(
    needle: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<String> {
    let needle = needle.trim().to_ascii_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let threshold = (needle.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|cand| {
            let lower = cand.to_ascii_lowercase();
            let score = suffixes(&lower)
                .map(|s| strsim::levenshtein(&needle, s))
                .min()
                .unwrap_or(usize::MAX);
            let contains =
                needle.len() >= 3 && (lower.contains(&needle) || needle.contains(&lower));
            (score <= threshold || contains).then_some((score, cand))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(limit)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// The id itself and every suffix that starts after a dot.
fn suffixes(id: &str) -> impl Iterator<Item = &str> {
    std::iter::once(id).chain(id.match_indices('.').map(move |(i, _)| &id[i + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: [&str; 5] = [
        "aws.ec2.m7i.large",
        "aws.ec2.m7g.large",
        "aws.ec2.m6i.large",
        "render.web.standard",
        "aws.rds.db.t4g.micro",
    ];

    #[test]
    fn near_miss_and_tail() {
        assert_eq!(
            close_matches("aws.ec2.m7i.larg", IDS, 5)[0],
            "aws.ec2.m7i.large"
        );
        let tail = close_matches("m7i.large", IDS, 5);
        assert_eq!(tail[0], "aws.ec2.m7i.large");
        assert!(tail.contains(&"aws.ec2.m7g.large".to_string()));
        assert_eq!(
            close_matches("render.standard", IDS, 5),
            ["render.web.standard"]
        );
        assert!(close_matches("zzzzzzzzzzzz", IDS, 5).is_empty());
        assert!(close_matches("", IDS, 5).is_empty());
    }
}
