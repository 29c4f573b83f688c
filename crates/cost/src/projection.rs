//! Scaling a simulated span to a month, and saying how, next to the figure.
//!
//! A month is 730 hours (8,760 h / 12), the convention of the price research. The
//! projection is linear: every line of the span's bill is multiplied by
//! 730 h / span. That is exact for prorated monthly items and for steady load, and an
//! over-estimate when the span is a peak; the rule string makes that visible.

use crate::unit::{NS_PER_HOUR, NS_PER_S};

/// Hours in the projected month.
pub const MONTH_HOURS: u32 = 730;
/// Nanoseconds in the projected month.
pub const MONTH_NS: u64 = MONTH_HOURS as u64 * NS_PER_HOUR;

/// The factor from the span to a 730 h month. `simulated_ns` must be > 0.
pub fn month_factor(simulated_ns: u64) -> f64 {
    MONTH_NS as f64 / simulated_ns as f64
}

/// "simulated 2 h scaled to 730 h: x365".
pub fn rule(simulated_ns: u64) -> String {
    format!(
        "simulated {} scaled to {MONTH_HOURS} h: x{}",
        human_duration(simulated_ns),
        trim_decimals(month_factor(simulated_ns), 4)
    )
}

/// A duration in the largest whole unit that divides it (h, min, s), else seconds
/// with three decimals.
pub fn human_duration(ns: u64) -> String {
    let minute = 60 * NS_PER_S;
    if ns >= NS_PER_HOUR && ns % NS_PER_HOUR == 0 {
        format!("{} h", ns / NS_PER_HOUR)
    } else if ns >= minute && ns % minute == 0 {
        format!("{} min", ns / minute)
    } else if ns % NS_PER_S == 0 {
        format!("{} s", ns / NS_PER_S)
    } else {
        format!("{} s", trim_decimals(ns as f64 / NS_PER_S as f64, 3))
    }
}

/// `value` with at most `decimals` decimals and no trailing zeros ("365", "0.9812").
pub fn trim_decimals(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_text() {
        assert_eq!(rule(2 * NS_PER_HOUR), "simulated 2 h scaled to 730 h: x365");
        assert_eq!(rule(MONTH_NS), "simulated 730 h scaled to 730 h: x1");
        assert_eq!(
            rule(90 * 60 * NS_PER_S),
            "simulated 90 min scaled to 730 h: x486.6667"
        );
        assert_eq!(human_duration(45 * NS_PER_S), "45 s");
        assert_eq!(human_duration(1_500_000), "0.002 s");
        assert_eq!(trim_decimals(-0.0000001, 3), "0");
    }
}
