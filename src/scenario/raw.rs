//! The syntax of a scenario file. `docs/scenario-format.md` documents it.

use crate::input::units::Duration;
use crate::model::dist::{deserialize_opt_dist, DistSpec};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub duration: Option<Duration>,
    pub warmup: Option<Duration>,
    pub seed: Option<u64>,
    pub interval: Option<Duration>,
    /// Wall-clock start, `YYYY-MM-DDTHH:MM:SSZ` (UTC): lines up diurnal
    /// curves and schedules with the time of day.
    pub start: Option<String>,
    pub workload: RawWorkload,
    pub limits: Option<RawLimits>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    /// Requests in the system at once before new arrivals are shed.
    pub max_in_flight: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    /// `open` (arrival-rate curve) or `closed` (virtual users).
    #[serde(rename = "type")]
    pub kind: String,
    /// Open: constant rate shorthand (requests/s, or users with unit = "users").
    pub rate: Option<f64>,
    pub curve: Option<RawCurve>,
    /// Open: a dimensionless curve the base curve is multiplied by.
    pub multiplier: Option<RawCurve>,
    /// `rps` (default) or `users`.
    pub unit: Option<String>,
    /// With unit = "users": requests per second per user (a number) or "6/min".
    pub requests_per_user: Option<toml::Value>,
    /// Size of the client population (client ids drive ip_hash).
    pub clients: Option<u32>,
    /// Closed: think time between a response and the next request.
    #[serde(default, deserialize_with = "deserialize_opt_dist")]
    pub think: Option<DistSpec>,
    pub start_users: Option<u32>,
    #[serde(default)]
    pub stages: Vec<RawStage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub duration: Duration,
    pub target: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoint {
    pub at: Duration,
    pub rate: f64,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawCurve {
    Constant {
        rate: f64,
    },
    Ramp {
        from: f64,
        to: f64,
        start: Option<Duration>,
        duration: Duration,
    },
    Step {
        rate: f64,
        steps: Vec<RawPoint>,
    },
    Spike {
        base: f64,
        peak: Option<f64>,
        factor: Option<f64>,
        at: Duration,
        ramp: Option<Duration>,
        hold: Duration,
        decay: Option<Duration>,
    },
    Diurnal {
        /// Lowest rate of the day (at the opposite of `peak_at`).
        base: f64,
        /// Peak rate = base x peak_factor.
        peak_factor: f64,
        /// Time of day of the peak, "HH:MM" (default "18:00").
        peak_at: Option<String>,
        period: Option<Duration>,
    },
    Points {
        points: Vec<RawPoint>,
    },
    Csv {
        file: String,
        time_column: Option<String>,
        rate_column: Option<String>,
        /// `linear` (default) or `step`.
        interpolate: Option<String>,
    },
}
