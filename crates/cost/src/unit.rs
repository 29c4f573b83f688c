//! Price units and billing granularity.
//!
//! The research table quotes prices "per cluster-hour", "per 30-day month (720 h)",
//! "per million ECPUs"... This module folds those labels into a small closed set of
//! units the billing arithmetic understands, and says how time is rounded before it is
//! multiplied by a price. The original label is kept on each SKU for people.

use serde::{Deserialize, Serialize};

/// Nanoseconds in one second.
pub const NS_PER_S: u64 = 1_000_000_000;
/// Nanoseconds in one hour.
pub const NS_PER_HOUR: u64 = 3_600 * NS_PER_S;

/// What one unit of a price buys. Time units are billed per replica (times its `size`),
/// byte units from transferred bytes, count units from counted operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Per second of an instance (or of any billed thing).
    Second,
    /// Per minute.
    Minute,
    /// Per hour; also cluster-hour, LCU-hour, rule-hour, MU-hour, container-hour.
    Hour,
    /// Per month of the SKU's `month_hours`; also plans, hosts, seats, metrics.
    Month,
    /// Per vCPU-hour: `size` is the vCPUs of one replica.
    VcpuHour,
    /// Per vCPU-month (Railway).
    VcpuMonth,
    /// Per GB-hour of memory or data held: `size` is GB per replica.
    GbHour,
    /// Per GB-month of storage or memory held.
    GbMonth,
    /// Per GB (10^9 bytes) transferred or ingested.
    Gb,
    /// Per GiB (2^30 bytes) transferred.
    Gib,
    /// Per block of 100 GB (10^11 bytes) transferred, billed pro rata.
    HundredGb,
    /// Per million requests, commands, operations, events or ECPUs.
    MillionRequests,
    /// Per single request.
    Request,
    /// Per million CPU-milliseconds (Cloudflare Workers).
    MillionCpuMs,
}

/// The kind of quantity a unit measures, which decides which usage can be billed in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Held over time: billed from replica lifetimes or fixed quantities.
    Time,
    /// Bytes moved.
    Bytes,
    /// Counted operations.
    Count,
    /// Anything else (CPU-ms): only a direct quantity can be billed.
    Other,
}

impl Unit {
    /// Every unit, in declaration order (for messages listing valid values).
    pub const ALL: [Unit; 14] = [
        Unit::Second,
        Unit::Minute,
        Unit::Hour,
        Unit::Month,
        Unit::VcpuHour,
        Unit::VcpuMonth,
        Unit::GbHour,
        Unit::GbMonth,
        Unit::Gb,
        Unit::Gib,
        Unit::HundredGb,
        Unit::MillionRequests,
        Unit::Request,
        Unit::MillionCpuMs,
    ];

    /// The snake_case name used in catalog files and `cost.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Second => "second",
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Month => "month",
            Unit::VcpuHour => "vcpu_hour",
            Unit::VcpuMonth => "vcpu_month",
            Unit::GbHour => "gb_hour",
            Unit::GbMonth => "gb_month",
            Unit::Gb => "gb",
            Unit::Gib => "gib",
            Unit::HundredGb => "hundred_gb",
            Unit::MillionRequests => "million_requests",
            Unit::Request => "request",
            Unit::MillionCpuMs => "million_cpu_ms",
        }
    }

    /// Parses the snake_case name; `None` for anything else.
    pub fn parse(text: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.as_str() == text)
    }

    /// What the unit measures.
    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Second
            | Unit::Minute
            | Unit::Hour
            | Unit::Month
            | Unit::VcpuHour
            | Unit::VcpuMonth
            | Unit::GbHour
            | Unit::GbMonth => Dimension::Time,
            Unit::Gb | Unit::Gib | Unit::HundredGb => Dimension::Bytes,
            Unit::MillionRequests | Unit::Request => Dimension::Count,
            Unit::MillionCpuMs => Dimension::Other,
        }
    }

    /// Nanoseconds in one unit of a time unit (a month is `month_hours` long);
    /// `None` for units that are not time.
    pub fn period_ns(self, month_hours: u32) -> Option<u64> {
        let month = u64::from(month_hours) * NS_PER_HOUR;
        match self {
            Unit::Second => Some(NS_PER_S),
            Unit::Minute => Some(60 * NS_PER_S),
            Unit::Hour | Unit::VcpuHour | Unit::GbHour => Some(NS_PER_HOUR),
            Unit::Month | Unit::VcpuMonth | Unit::GbMonth => Some(month),
            _ => None,
        }
    }

    /// Bytes in one unit of a byte unit; `None` otherwise.
    pub fn bytes_per_unit(self) -> Option<f64> {
        match self {
            Unit::Gb => Some(1e9),
            Unit::Gib => Some(1_073_741_824.0),
            Unit::HundredGb => Some(1e11),
            _ => None,
        }
    }

    /// Items in one unit of a count unit; `None` otherwise.
    pub fn items_per_unit(self) -> Option<f64> {
        match self {
            Unit::MillionRequests => Some(1e6),
            Unit::Request => Some(1.0),
            _ => None,
        }
    }
}

/// How the length of one replica lifetime (or of the simulated span, for fixed items)
/// is rounded before it is priced. A SKU's `minimum_s` is applied after rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Exact to the nanosecond: monthly plans prorated, or no published rounding.
    Prorated,
    /// Each started second is billed (AWS EC2, Fargate, Fly.io, Render).
    Second,
    /// Each started minute is billed (Railway).
    Minute,
    /// Each started hour is billed (AWS ALB, Supabase compute, Atlas).
    Hour,
    /// Not time-based: bytes, requests and other metered quantities.
    Usage,
}

impl Granularity {
    /// Every granularity, for messages listing valid values.
    pub const ALL: [Granularity; 5] = [
        Granularity::Prorated,
        Granularity::Second,
        Granularity::Minute,
        Granularity::Hour,
        Granularity::Usage,
    ];

    /// The snake_case name used in catalog files.
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Prorated => "prorated",
            Granularity::Second => "second",
            Granularity::Minute => "minute",
            Granularity::Hour => "hour",
            Granularity::Usage => "usage",
        }
    }

    /// Parses the snake_case name; `None` for anything else.
    pub fn parse(text: &str) -> Option<Granularity> {
        Granularity::ALL.into_iter().find(|g| g.as_str() == text)
    }

    /// The rounding step in nanoseconds (1 for prorated); `None` for usage.
    fn step_ns(self) -> Option<u64> {
        match self {
            Granularity::Prorated => Some(1),
            Granularity::Second => Some(NS_PER_S),
            Granularity::Minute => Some(60 * NS_PER_S),
            Granularity::Hour => Some(NS_PER_HOUR),
            Granularity::Usage => None,
        }
    }

    /// The billed length of one lifetime of `length_ns`: rounded up to the step, then
    /// raised to `minimum_s`. A lifetime of zero length is not billed at all (the
    /// replica never ran). `Usage` granularity bills time exactly (it is not meant
    /// for time units; validation rejects that pairing).
    pub fn billed_ns(self, length_ns: u64, minimum_s: u64) -> u128 {
        if length_ns == 0 {
            return 0;
        }
        let step = u128::from(self.step_ns().unwrap_or(1));
        let length = u128::from(length_ns);
        let rounded = length.div_ceil(step) * step;
        rounded.max(u128::from(minimum_s) * u128::from(NS_PER_S))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for u in Unit::ALL {
            assert_eq!(Unit::parse(u.as_str()), Some(u));
        }
        for g in Granularity::ALL {
            assert_eq!(Granularity::parse(g.as_str()), Some(g));
        }
        assert_eq!(Unit::parse("per hour"), None);
    }

    #[test]
    fn rounding_rules() {
        let s = NS_PER_S;
        assert_eq!(Granularity::Prorated.billed_ns(1, 0), 1);
        assert_eq!(Granularity::Second.billed_ns(1, 0), u128::from(s));
        assert_eq!(
            Granularity::Second.billed_ns(10 * s + 1, 0),
            u128::from(11 * s)
        );
        assert_eq!(
            Granularity::Second.billed_ns(10 * s, 60),
            u128::from(60 * s)
        );
        assert_eq!(
            Granularity::Minute.billed_ns(61 * s, 0),
            u128::from(120 * s)
        );
        assert_eq!(Granularity::Hour.billed_ns(1, 0), u128::from(NS_PER_HOUR));
        assert_eq!(Granularity::Hour.billed_ns(0, 60), 0);
        assert_eq!(
            Granularity::Second.billed_ns(u64::MAX, 0),
            u128::from(u64::MAX).div_ceil(u128::from(s)) * u128::from(s)
        );
    }
}
