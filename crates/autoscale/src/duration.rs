//! Durations written as strings ("15s", "5m", "300ms", "1h30m", "1.5s") and parsed to
//! integer nanoseconds, the crate's only unit of time. Kept here so no other crate is
//! needed and so the error message can name the accepted units.

use serde::{Deserialize, Deserializer};

pub(crate) const NS_PER_S: u64 = 1_000_000_000;

/// Nanoseconds per unit, for every spelling accepted (case-insensitive).
const UNITS: &[(&[&str], u128)] = &[
    (&["ns", "nsec", "nanosecond", "nanoseconds"], 1),
    (&["us", "µs", "usec", "microsecond", "microseconds"], 1_000),
    (
        &["ms", "msec", "msecs", "millisecond", "milliseconds"],
        1_000_000,
    ),
    (&["s", "sec", "secs", "second", "seconds"], 1_000_000_000),
    (&["m", "min", "mins", "minute", "minutes"], 60_000_000_000),
    (&["h", "hr", "hrs", "hour", "hours"], 3_600_000_000_000),
    (&["d", "day", "days"], 86_400_000_000_000),
];

/// Parses a duration string into nanoseconds. This is capsim's one duration
/// parser: model and scenario files, flags and policies all read durations here.
///
/// Grammar: one or more `<number> <unit>` parts, spaces optional (`15s`,
/// `10 sec`, `90 seconds`, `1h30m`, `1h 30m`), number decimal (`1.5`), unit one of
/// `ns`, `us`, `ms`, `s`, `m`, `h`, `d` or a spelling of one (`sec`, `seconds`,
/// `min`, `minutes`, `hr`, `hours`, `days`, ...). `"0"` alone is accepted as zero.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let bad = |why: &str| {
        format!(
            "invalid duration {text:?}: {why}; expected e.g. \"15s\", \"10 sec\", \"5m\", \"300ms\", \"1h30m\""
        )
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(bad("empty"));
    }
    let mut total: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad("a number must come before each unit"));
        }
        let (num, tail) = rest.split_at(num_len);
        let tail = tail.trim_start();
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace())
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let lower = unit.to_lowercase();
        let scale = match UNITS.iter().find(|(names, _)| names.contains(&lower.as_str())) {
            Some((_, k)) => *k,
            None if unit.is_empty() => return Err(bad("missing unit")),
            None => {
                return Err(bad(&format!(
                    "unknown unit {unit:?}, expected one of ns, us, ms, s, m, h, d (or spelt out: sec, seconds, min, minutes, hours, days)"
                )))
            }
        };
        total += decimal_times(num, scale).ok_or_else(|| bad("malformed number"))?;
        rest = next.trim_start();
    }
    u64::try_from(total).map_err(|_| bad("too large"))
}

/// `num × scale` for a decimal `num`, exactly, truncating below one nanosecond.
fn decimal_times(num: &str, scale: u128) -> Option<u128> {
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return None;
    }
    let int_v: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut v = int_v.checked_mul(scale)?;
    let mut denom: u128 = 1;
    let mut frac_v: u128 = 0;
    for c in frac.chars().take(18) {
        frac_v = frac_v * 10 + u128::from(c.to_digit(10)?);
        denom *= 10;
    }
    v = v.checked_add(frac_v.checked_mul(scale)? / denom)?;
    Some(v)
}

/// Formats nanoseconds the way users write them back ("15s", "5m", "1.5s").
pub fn format_duration(ns: u64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    for (unit, scale) in [
        ("h", 3_600 * NS_PER_S),
        ("m", 60 * NS_PER_S),
        ("s", NS_PER_S),
        ("ms", 1_000_000),
    ] {
        if ns % scale == 0 {
            return format!("{}{unit}", ns / scale);
        }
    }
    format!("{}s", ns as f64 / NS_PER_S as f64)
}

/// A duration field in a config file (a string such as `"15s"`), in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub u64);

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a duration string such as \"15s\", \"5m\" or \"300ms\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map(Duration).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings() {
        assert_eq!(parse_duration("10 sec"), Ok(10 * NS_PER_S));
        assert_eq!(parse_duration("90 seconds"), Ok(90 * NS_PER_S));
        assert_eq!(parse_duration("1h30m"), Ok(5400 * NS_PER_S));
        assert_eq!(parse_duration("1h 30m"), Ok(5400 * NS_PER_S));
        assert_eq!(parse_duration("2 Minutes"), Ok(120 * NS_PER_S));
        assert_eq!(parse_duration("1 day"), Ok(86_400 * NS_PER_S));
        assert_eq!(parse_duration("250 msec"), Ok(250_000_000));
        assert!(parse_duration("10 fortnights").is_err());
        assert!(parse_duration("sec").is_err());
    }

    #[test]
    fn parses_units_and_compounds() {
        assert_eq!(parse_duration("15s"), Ok(15 * NS_PER_S));
        assert_eq!(parse_duration("5m"), Ok(300 * NS_PER_S));
        assert_eq!(parse_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400 * NS_PER_S));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("0s"), Ok(0));
    }

    #[test]
    fn rejects_garbage_with_a_hint() {
        for bad in ["", "15", "s", "5x", "1..5s", "-1s", "99999999999999999999d"] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains("expected e.g."), "{bad}: {e}");
        }
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_duration(15 * NS_PER_S), "15s");
        assert_eq!(format_duration(300 * NS_PER_S), "5m");
        assert_eq!(format_duration(300_000_000), "300ms");
    }
}
