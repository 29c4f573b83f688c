//! Scheduled scaling: at a time of day, replace `[min, max]` and clamp the current
//! count at once (AWS scheduled actions, Render/K8s cron scalers; semantics §2/§3).
//!
//! Wall-clock time is UTC only: the run's start is a `YYYY-MM-DDTHH:MM:SSZ` string and
//! simulation time 0 maps to it. Daylight saving and time zones are deliberately out of
//! scope (write the rule times in UTC). No datetime crate is needed for this.

use crate::controller::Controller;

const DAY_S: i64 = 86_400;
const NS: u64 = 1_000_000_000;
/// Upper bound on the changes one call returns, so an absurd range cannot exhaust memory.
pub const MAX_CHANGES: usize = 1_000_000;

/// One rule: every day at `at_s` seconds after UTC midnight, bounds become
/// `[min, max]` (`max: None` keeps the policy's own `max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRule {
    pub at_s: u32,
    pub min: u32,
    pub max: Option<u32>,
}

/// One scheduled change inside a simulated time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleChange {
    /// Simulation time of the change, ns.
    pub at_ns: u64,
    pub min: u32,
    pub max: Option<u32>,
    /// Index of the rule in the schedule, to break ties deterministically.
    pub rule: usize,
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (UTC) into seconds since the Unix epoch.
pub fn parse_utc(text: &str) -> Result<i64, String> {
    let bad = || {
        format!("invalid start time {text:?}: expected UTC as YYYY-MM-DDTHH:MM:SSZ, e.g. \"2026-11-27T00:00:00Z\"")
    };
    let b = text.trim().as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        let s = std::str::from_utf8(&b[r]).map_err(|_| bad())?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<i64>().map_err(|_| bad())
    };
    let (y, mo, d, h, mi, s) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo)
        || d < 1
        || d > days_in[(mo - 1) as usize]
        || h > 23
        || mi > 59
        || s > 59
    {
        return Err(bad());
    }
    Ok(days_from_civil(y, mo, d) * DAY_S + h * 3600 + mi * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses a time of day `HH:MM` or `HH:MM:SS` into seconds after midnight.
pub fn parse_time_of_day(text: &str) -> Result<u32, String> {
    let bad =
        || format!("invalid time of day {text:?}: expected \"HH:MM\" (24 h, UTC), e.g. \"18:00\"");
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|c| c.is_ascii_digit()))
    {
        return Err(bad());
    }
    let v: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(99)).collect();
    let (h, m, s) = (v[0], v[1], v.get(2).copied().unwrap_or(0));
    if h > 23 || m > 59 || s > 59 {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60 + s)
}

/// Parses a daily cron expression `M H * * *` (the only form a daily rule needs).
pub fn parse_daily_cron(text: &str) -> Result<u32, String> {
    let bad = || {
        format!("unsupported cron {text:?}: expected a daily \"M H * * *\", e.g. \"0 18 * * *\"")
    };
    let f: Vec<&str> = text.split_whitespace().collect();
    if f.len() != 5 || f[2..].iter().any(|x| *x != "*") {
        return Err(bad());
    }
    let m: u32 = f[0].parse().map_err(|_| bad())?;
    let h: u32 = f[1].parse().map_err(|_| bad())?;
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60)
}

/// The schedule changes with `start_ns ≤ at_ns < end_ns`, in time order (ties by rule
/// index), for a run whose simulation time 0 is `start_epoch_s` (UTC).
pub fn changes(
    rules: &[ScheduleRule],
    start_epoch_s: i64,
    start_ns: u64,
    end_ns: u64,
) -> Vec<ScheduleChange> {
    let mut out = Vec::new();
    if rules.is_empty() || end_ns <= start_ns {
        return out;
    }
    let day_ns = DAY_S as u64 * NS;
    let sod = start_epoch_s.rem_euclid(DAY_S) as u64; // seconds of day at sim time 0
    for (i, r) in rules.iter().enumerate() {
        // First occurrence at or after sim time 0.
        let first = ((i64::from(r.at_s) - sod as i64).rem_euclid(DAY_S) as u64) * NS;
        let mut t = if first >= start_ns {
            first
        } else {
            let k = (start_ns - first).div_ceil(day_ns);
            first.saturating_add(k.saturating_mul(day_ns))
        };
        while t < end_ns && out.len() < MAX_CHANGES {
            out.push(ScheduleChange {
                at_ns: t,
                min: r.min,
                max: r.max,
                rule: i,
            });
            match t.checked_add(day_ns) {
                Some(n) => t = n,
                None => break,
            }
        }
    }
    out.sort_by_key(|c| (c.at_ns, c.rule));
    out.truncate(MAX_CHANGES);
    out
}

/// The rule in force at sim time 0: the latest one at or before the start's time of
/// day, else (wrapping to the previous day) the latest of the day. `None` if no rules.
pub fn in_force_at_start(rules: &[ScheduleRule], start_epoch_s: i64) -> Option<ScheduleRule> {
    let sod = start_epoch_s.rem_euclid(DAY_S) as u32;
    let key = |r: &&ScheduleRule| r.at_s;
    rules
        .iter()
        .filter(|r| r.at_s <= sod)
        .max_by_key(key)
        .or_else(|| rules.iter().max_by_key(key))
        .copied()
}

/// Applies a change to a controller and returns the clamped replica count the caller
/// must set at once. `base_max` is the policy's own max, used when the rule has none.
pub fn apply(
    ctrl: &mut dyn Controller,
    min: u32,
    max: Option<u32>,
    base_max: u32,
    current: u32,
) -> u32 {
    let max = max.unwrap_or(base_max).max(min);
    ctrl.set_bounds(min, max);
    current.clamp(min, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_times() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_utc("2026-11-27T00:00:00Z"), Ok(1_795_737_600));
        assert_eq!(parse_utc("2000-02-29T12:30:15Z"), Ok(951_827_415));
        assert!(parse_utc("2026-02-29T00:00:00Z").is_err());
        assert!(parse_utc("2026-11-27 00:00:00").is_err());
        assert_eq!(parse_time_of_day("18:00"), Ok(64_800));
        assert!(parse_time_of_day("24:00").is_err());
        assert_eq!(parse_daily_cron("0 18 * * *"), Ok(64_800));
        assert!(parse_daily_cron("0 18 * * 1").is_err());
    }

    #[test]
    fn changes_over_two_days_from_a_midday_start() {
        let rules = [
            ScheduleRule {
                at_s: 18 * 3600,
                min: 5,
                max: Some(10),
            },
            ScheduleRule {
                at_s: 0,
                min: 2,
                max: Some(5),
            },
        ];
        let start = parse_utc("2026-11-27T12:00:00Z").unwrap_or(0);
        let h = 3600 * NS;
        let got = changes(&rules, start, 0, 48 * h);
        let at: Vec<(u64, u32)> = got.iter().map(|c| (c.at_ns / h, c.min)).collect();
        assert_eq!(at, vec![(6, 5), (12, 2), (30, 5), (36, 2)]);
        // At 12:00 the 00:00 rule is the latest one before the start.
        assert_eq!(in_force_at_start(&rules, start).map(|r| r.min), Some(2));
        // At 20:00 it is the 18:00 one; at 00:00 exactly, the 00:00 one.
        assert_eq!(
            in_force_at_start(&rules, start + 8 * 3600).map(|r| r.min),
            Some(5)
        );
        assert_eq!(
            in_force_at_start(&rules, start + 12 * 3600).map(|r| r.min),
            Some(2)
        );
    }
}
