//! The syntax of a scenario file. `docs/scenario-format.md` documents it.

use crate::input::model::dist::{deserialize_opt_dist, DistSpec};
use crate::input::units::Duration;
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
    /// Timed failures and changes (`[[events]]`).
    #[serde(default)]
    pub events: Vec<RawEvent>,
}

/// One timed event; which keys apply depends on `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub at: Duration,
    pub kind: String,
    pub target: String,
    pub count: Option<u32>,
    pub zone: Option<u32>,
    pub downtime: Option<Duration>,
    pub duration: Option<Duration>,
    pub warmup: Option<Duration>,
    pub add: Option<Duration>,
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
    /// Parsed by its `type` with [`parse_curve`].
    pub curve: Option<toml::Table>,
    /// Open: a dimensionless curve the base curve is multiplied by.
    pub multiplier: Option<toml::Table>,
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

/// A rate curve, by `type`.
#[derive(Debug)]
pub enum RawCurve {
    Constant(Constant),
    Ramp(Ramp),
    Step(Step),
    Spike(Spike),
    Diurnal(Diurnal),
    Points(Points),
    Csv(CsvCurve),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constant {
    pub rate: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ramp {
    pub from: f64,
    pub to: f64,
    pub start: Option<Duration>,
    pub duration: Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub rate: f64,
    pub steps: Vec<RawPoint>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spike {
    pub base: f64,
    pub peak: Option<f64>,
    pub factor: Option<f64>,
    pub at: Duration,
    pub ramp: Option<Duration>,
    pub hold: Duration,
    pub decay: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diurnal {
    /// Lowest rate of the day (opposite `peak_at`).
    pub base: f64,
    /// Peak rate = base x peak_factor.
    pub peak_factor: f64,
    /// Time of day of the peak, "HH:MM" (default "18:00").
    pub peak_at: Option<String>,
    pub period: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Points {
    pub points: Vec<RawPoint>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvCurve {
    pub file: String,
    pub time_column: Option<String>,
    pub rate_column: Option<String>,
    /// `linear` (default) or `step`.
    pub interpolate: Option<String>,
}

/// Parses a curve table by its `type` key, with errors located in `src`.
pub fn parse_curve(
    src: &crate::input::SourceFile,
    at: &crate::input::locate::KeyPath,
    mut table: toml::Table,
) -> Result<RawCurve, crate::input::InputError> {
    const TYPES: &str = "constant, ramp, step, spike, diurnal, points, csv";
    let kind = match table.remove("type") {
        Some(toml::Value::String(k)) => k,
        Some(other) => {
            return Err(src.error_at(
                &at.at("type"),
                format!("found {other}, expected one of {TYPES}"),
            ))
        }
        None => return Err(src.error_at(at, format!("missing `type`, expected one of {TYPES}"))),
    };
    Ok(match kind.as_str() {
        "constant" => RawCurve::Constant(src.deserialize_part(at, table)?),
        "ramp" => RawCurve::Ramp(src.deserialize_part(at, table)?),
        "step" => RawCurve::Step(src.deserialize_part(at, table)?),
        "spike" => RawCurve::Spike(src.deserialize_part(at, table)?),
        "diurnal" => RawCurve::Diurnal(src.deserialize_part(at, table)?),
        "points" => RawCurve::Points(src.deserialize_part(at, table)?),
        "csv" => RawCurve::Csv(src.deserialize_part(at, table)?),
        other => {
            return Err(src.error_at(
                &at.at("type"),
                format!("found \"{other}\", expected one of {TYPES}"),
            ))
        }
    })
}
