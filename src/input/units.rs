//! Durations (`"20ms"`, `"1.5s"`, `"5m"`) and rates (`"100/s"`, `"6/min"`).
//!
//! Durations are always written with a unit: a bare number is ambiguous
//! (seconds? milliseconds?) and is rejected with a message saying so.

use capsim_des::SimTime;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A non-negative span of simulated time, parsed from a string with a unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(pub SimTime);

impl Duration {
    pub fn nanos(self) -> u64 {
        self.0.as_nanos()
    }
    pub fn secs_f64(self) -> f64 {
        self.0.as_secs_f64()
    }
    pub fn from_secs_f64(s: f64) -> Duration {
        Duration(SimTime::from_secs_f64(s))
    }
}

/// Parses a duration with its unit: `"20ms"`, `"1.5s"`, `"10 sec"`, `"90 seconds"`,
/// `"1h30m"`. The grammar and the units are those of
/// [`capsim_autoscale::duration::parse_duration`], the one duration parser, so a
/// model, a scenario, a flag and a policy accept the same spellings. A bare number
/// (even `0`) is rejected here: in a model it would be ambiguous.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim().replace('_', "");
    if t.is_empty() {
        return Err(format!(
            "found \"{s}\", expected a duration such as \"20ms\", \"1.5s\", \"5m\" or \"2h\""
        ));
    }
    if t.parse::<f64>().is_ok() {
        return Err(format!(
            "found \"{s}\" without a unit, expected e.g. \"{s}ms\" or \"{s}s\" (units: ns, us, ms, s, m, h, d)"
        ));
    }
    let ns = capsim_autoscale::duration::parse_duration(&t).map_err(|m| {
        m.strip_prefix("invalid duration ")
            .map_or(m.clone(), |rest| format!("found {rest}"))
    })?;
    if ns > 10_000_000_000_000_000_000 {
        return Err(format!("found \"{s}\", which is too long (over 300 years)"));
    }
    Ok(Duration(SimTime::from_nanos(ns)))
}

/// Parses a rate per second: a number (per second) or `"N/s"`, `"N/min"`,
/// `"N/h"`, `"N/d"`.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, per) = match t.split_once('/') {
        Some((n, p)) => (n.trim(), p.trim()),
        None => (t, "s"),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("found \"{s}\", expected a rate such as \"100/s\" or \"6/min\""))?;
    let secs = match per {
        "s" | "sec" | "second" => 1.0,
        "m" | "min" | "minute" => 60.0,
        "h" | "hour" => 3600.0,
        "d" | "day" => 86400.0,
        other => {
            return Err(format!(
                "found \"/{other}\" in \"{s}\", expected one of /s, /min, /h, /d"
            ))
        }
    };
    if !v.is_finite() || v < 0.0 {
        return Err(format!("found \"{s}\", expected a rate of zero or more"));
    }
    Ok(v / secs)
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration string such as \"20ms\", \"1.5s\" or \"5m\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "found the number {v} without a unit, expected a string such as \"{v}ms\" or \"{v}s\""
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                self.visit_i64(v.min(i64::MAX as u64) as i64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!(
                    "found the number {v} without a unit, expected a string such as \"{v}s\""
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(*self))
    }
}

/// The shortest exact string for a duration (`"1.5s"`, `"20ms"`).
pub fn format_duration(d: Duration) -> String {
    let ns = d.nanos();
    for (unit, k) in [
        ("h", 3_600_000_000_000u64),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
    ] {
        if ns >= k && ns % k == 0 {
            return format!("{}{unit}", ns / k);
        }
    }
    if ns >= 1_000_000_000 {
        return format!("{}s", ns as f64 / 1e9);
    }
    if ns % 1_000_000 == 0 {
        return format!("{}ms", ns / 1_000_000);
    }
    if ns >= 1_000_000 {
        return format!("{}ms", ns as f64 / 1e6);
    }
    format!("{ns}ns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("20ms").unwrap().nanos(), 20_000_000);
        assert_eq!(parse_duration("1.5s").unwrap().nanos(), 1_500_000_000);
        assert_eq!(parse_duration("5m").unwrap().nanos(), 300_000_000_000);
        assert_eq!(parse_duration("2h").unwrap().nanos(), 7_200_000_000_000);
        assert_eq!(parse_duration("250us").unwrap().nanos(), 250_000);
        // The common spellings, as in the autoscale crate (one parser).
        assert_eq!(parse_duration("10 sec").unwrap().nanos(), 10_000_000_000);
        assert_eq!(
            parse_duration("90 seconds").unwrap().nanos(),
            90_000_000_000
        );
        assert_eq!(parse_duration("1h30m").unwrap().nanos(), 5_400_000_000_000);
        assert_eq!(parse_duration("1_000ms").unwrap().nanos(), 1_000_000_000);
        assert!(parse_duration("20").unwrap_err().contains("without a unit"));
        assert!(parse_duration("5 parsecs")
            .unwrap_err()
            .contains("expected one of"));
        assert!(parse_duration("ms").is_err());
        assert!(parse_duration("-5s").is_err());
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("6/min").unwrap(), 0.1);
        assert_eq!(parse_rate("100/s").unwrap(), 100.0);
        assert_eq!(parse_rate("2").unwrap(), 2.0);
        assert!(parse_rate("3/fortnight").is_err());
    }

    #[test]
    fn formatting_round_trips() {
        for s in ["20ms", "1.5s", "5m", "2h", "15s", "250ns"] {
            let d = parse_duration(s).unwrap();
            assert_eq!(parse_duration(&format_duration(d)).unwrap(), d, "{s}");
        }
    }
}
