//! capsim's own TOML form of a policy: serde structs that hold syntax
//! (`deny_unknown_fields`, durations as strings), and [`PolicyConfig::resolve`] that
//! turns them into a checked [`Policy`]. The simulator can embed [`PolicyConfig`] in its
//! model files; `capsim replay` loads a whole file with [`load_policy_file`].

use std::path::Path;

use serde::Deserialize;

use crate::duration::Duration;
use crate::error::Error;
use crate::hpa::{
    Behavior, HpaMetric, HpaSpec, MetricTarget, ResourceName, ResourceTarget, ScalingPolicy,
    ScalingPolicyType, ScalingRules, SelectPolicy,
};
use crate::k8s::{parse_hpa_manifest, Quantity};
use crate::policy::{Policy, PolicyKind};
use crate::schedule::{parse_daily_cron, parse_time_of_day, ScheduleRule};
use crate::step::{AdjustmentType, Comparison, StepAdjustment, StepAlarm, StepSpec};
use crate::target_tracking::TargetTrackingSpec;
use crate::threshold::{Aggregation, ScaleAction, ThresholdRule, ThresholdSpec};

/// A policy as written in TOML, selected by `kind`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PolicyConfig {
    Hpa(HpaConfig),
    TargetTracking(TargetTrackingConfig),
    Step(StepConfig),
    Threshold(ThresholdConfig),
}

/// `kind = "hpa"`: either inline fields or `manifest = "hpa.yaml"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HpaConfig {
    /// The tag when the struct is read on its own (see [`parse_policy_toml`]).
    #[serde(default)]
    pub kind: Option<String>,
    /// Path of a Kubernetes manifest, resolved by the caller's loader.
    pub manifest: Option<String>,
    pub min_replicas: Option<u32>,
    pub max_replicas: Option<u32>,
    pub metrics: Option<Vec<MetricConfig>>,
    pub behavior: Option<BehaviorConfig>,
    pub sync_period: Option<Duration>,
    pub tolerance: Option<f64>,
    pub cpu_initialization_period: Option<Duration>,
    pub initial_readiness_delay: Option<Duration>,
    pub downscale_stabilization: Option<Duration>,
    pub cpu_metric_window: Option<Duration>,
    #[serde(default)]
    pub schedule: Vec<ScheduleConfig>,
}

/// One HPA metric: `{ type = "cpu", target_utilization = 70 }` and friends.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum MetricConfig {
    Cpu {
        target_utilization: Option<i32>,
        target_average: Option<Quantity>,
    },
    Memory {
        target_utilization: Option<i32>,
        target_average: Option<Quantity>,
    },
    Pods {
        name: String,
        target_average: Quantity,
    },
    Object {
        name: String,
        target_value: Option<Quantity>,
        target_average: Option<Quantity>,
    },
    External {
        name: String,
        target_value: Option<Quantity>,
        target_average: Option<Quantity>,
    },
}

/// `[behavior]`; present (even empty) selects the behavior path.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BehaviorConfig {
    pub scale_up: Option<RulesConfig>,
    pub scale_down: Option<RulesConfig>,
}

/// `[behavior.scale_up]` / `[behavior.scale_down]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    pub stabilization_window: Option<Duration>,
    pub select_policy: Option<SelectPolicyConfig>,
    pub policies: Option<Vec<ScalingPolicyConfig>>,
    pub tolerance: Option<f64>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub enum SelectPolicyConfig {
    Max,
    Min,
    Disabled,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub enum ScalingPolicyTypeConfig {
    Pods,
    Percent,
}

/// `{ type = "Percent", value = 100, period = "15s" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingPolicyConfig {
    #[serde(rename = "type")]
    pub kind: ScalingPolicyTypeConfig,
    pub value: u32,
    pub period: Duration,
}

/// `{ at = "18:00", min = 5, max = 20 }` or `{ cron = "0 18 * * *", min = 5 }` (UTC).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    pub at: Option<String>,
    pub cron: Option<String>,
    pub min: u32,
    pub max: Option<u32>,
}

/// `kind = "target_tracking"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetTrackingConfig {
    /// The tag when the struct is read on its own (see [`parse_policy_toml`]).
    #[serde(default)]
    pub kind: Option<String>,
    pub min_replicas: u32,
    pub max_replicas: u32,
    pub metric: String,
    pub target: f64,
    pub metric_period: Option<Duration>,
    pub high_datapoints: Option<u32>,
    pub low_datapoints: Option<u32>,
    pub scale_in_ratio: Option<f64>,
    pub scale_out_cooldown: Option<Duration>,
    pub scale_in_cooldown: Option<Duration>,
    pub warmup: Option<Duration>,
    #[serde(default)]
    pub disable_scale_in: bool,
    #[serde(default)]
    pub schedule: Vec<ScheduleConfig>,
}

/// `kind = "step"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepConfig {
    /// The tag when the struct is read on its own (see [`parse_policy_toml`]).
    #[serde(default)]
    pub kind: Option<String>,
    pub min_replicas: u32,
    pub max_replicas: u32,
    pub metric: String,
    pub metric_period: Option<Duration>,
    pub cooldown: Option<Duration>,
    pub alarms: Vec<StepAlarmConfig>,
    #[serde(default)]
    pub schedule: Vec<ScheduleConfig>,
}

/// One alarm of a step policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepAlarmConfig {
    /// `">"`, `">="`, `"<"`, `"<="`.
    pub comparison: String,
    pub threshold: f64,
    pub datapoints: Option<u32>,
    /// `ChangeInCapacity` (default), `PercentChangeInCapacity`, `ExactCapacity`.
    pub adjustment_type: Option<String>,
    pub min_adjustment_magnitude: Option<u32>,
    pub steps: Vec<StepConfigItem>,
}

/// `{ lower = 0, upper = 10, adjustment = 1 }` (bounds relative to the threshold).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepConfigItem {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub adjustment: f64,
}

/// `kind = "threshold"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdConfig {
    /// The tag when the struct is read on its own (see [`parse_policy_toml`]).
    #[serde(default)]
    pub kind: Option<String>,
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// Evaluation period (60 s).
    pub period: Option<Duration>,
    /// Default cooldown of the rules (5 min).
    pub cooldown: Option<Duration>,
    pub rules: Vec<ThresholdRuleConfig>,
    #[serde(default)]
    pub schedule: Vec<ScheduleConfig>,
}

/// `{ metric = "cpu", above = 70, for = "2m", scale = "+1" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdRuleConfig {
    pub metric: String,
    pub above: Option<f64>,
    pub below: Option<f64>,
    #[serde(rename = "for")]
    pub window: Duration,
    /// `average` (default), `max`, `min`.
    pub statistic: Option<String>,
    /// `"+1"`, `"-1"`, `"x2"`, `"+50%"`.
    pub scale: String,
    pub cooldown: Option<Duration>,
}

/// Reads a policy file: `.yaml`/`.yml` is a Kubernetes manifest, anything else capsim
/// TOML. A `manifest = "..."` path is resolved relative to the file's directory.
pub fn load_policy_file(path: &Path) -> Result<Policy, Error> {
    let read = |p: &Path| {
        // Regular files of bounded size only: a FIFO or /dev/zero would
        // block or never end.
        const MAX_BYTES: u64 = 64 * 1024 * 1024;
        let fail = |m: String| Error::config(format!("cannot read {}: {m}", p.display()));
        let meta = std::fs::metadata(p).map_err(|e| fail(e.to_string()))?;
        if !meta.is_file() || meta.len() > MAX_BYTES {
            return Err(fail(format!(
                "expected a regular file of at most {MAX_BYTES} bytes"
            )));
        }
        std::fs::read_to_string(p).map_err(|e| fail(e.to_string()))
    };
    let text = read(path)?;
    let in_file = |e: Error| match e {
        Error::Config { location, message } => Error::Config {
            location: Some(match location {
                Some(l) => format!("{}: {l}", path.display()),
                None => path.display().to_string(),
            }),
            message,
        },
        other => other,
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext == "yaml" || ext == "yml" {
        let spec = parse_hpa_manifest(&text).map_err(in_file)?;
        return Ok(Policy {
            kind: PolicyKind::Hpa(spec),
            schedule: vec![],
        });
    }
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut loader = |rel: &str| read(&dir.join(rel)).map_err(|e| e.to_string());
    parse_policy_toml(&text, &mut loader).map_err(in_file)
}

/// Parses a TOML policy. `load_manifest` returns the text of a `manifest = "..."` path.
pub fn parse_policy_toml(
    text: &str,
    load_manifest: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Policy, Error> {
    // Read the tag first, then the variant straight from the text: going through the
    // internally tagged enum would lose the line/column of errors inside the variant.
    #[derive(Deserialize)]
    struct Head {
        kind: Option<String>,
    }
    let de = |e: toml::de::Error| toml_error(text, &e);
    let head: Head = toml::from_str(text).map_err(de)?;
    let cfg = match head.kind.as_deref() {
        Some("hpa") => PolicyConfig::Hpa(toml::from_str(text).map_err(de)?),
        Some("target_tracking") => PolicyConfig::TargetTracking(toml::from_str(text).map_err(de)?),
        Some("step") => PolicyConfig::Step(toml::from_str(text).map_err(de)?),
        Some("threshold") => PolicyConfig::Threshold(toml::from_str(text).map_err(de)?),
        other => {
            return Err(Error::config(format!(
            "kind: expected one of \"hpa\", \"target_tracking\", \"step\", \"threshold\", found {}",
            other.map_or("nothing".to_string(), |k| format!("{k:?}"))
        )))
        }
    };
    cfg.resolve(load_manifest)
}

fn toml_error(text: &str, e: &toml::de::Error) -> Error {
    let location = e.span().map(|s| {
        // Spans are byte offsets at token boundaries; `get` keeps a bad one harmless.
        let before = text.get(..s.start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        format!("line {line}, column {col}")
    });
    Error::Config {
        location,
        message: e.message().to_string(),
    }
}

impl PolicyConfig {
    /// Checks and resolves the configuration (defaults, units, cross-field rules).
    pub fn resolve(
        self,
        load_manifest: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<Policy, Error> {
        let (kind, schedule) = match self {
            PolicyConfig::Hpa(c) => {
                let sched = c.schedule.clone();
                (PolicyKind::Hpa(resolve_hpa(c, load_manifest)?), sched)
            }
            PolicyConfig::TargetTracking(c) => {
                let mut s =
                    TargetTrackingSpec::new(c.min_replicas, c.max_replicas, &c.metric, c.target);
                set(&mut s.metric_period_ns, c.metric_period);
                s.high_datapoints = c.high_datapoints.unwrap_or(s.high_datapoints);
                s.low_datapoints = c.low_datapoints.unwrap_or(s.low_datapoints);
                s.scale_in_ratio = c.scale_in_ratio.unwrap_or(s.scale_in_ratio);
                set(&mut s.scale_out_cooldown_ns, c.scale_out_cooldown);
                set(&mut s.scale_in_cooldown_ns, c.scale_in_cooldown);
                set(&mut s.warmup_ns, c.warmup);
                s.disable_scale_in = c.disable_scale_in;
                check_bounds(s.min_replicas, s.max_replicas)?;
                cloudwatch_period("metric_period", s.metric_period_ns)?;
                if !(s.target > 0.0 && s.target.is_finite()) {
                    return Err(Error::config(format!(
                        "target: expected a positive number, found {}",
                        s.target
                    )));
                }
                if s.high_datapoints == 0 || s.low_datapoints == 0 {
                    return Err(Error::config(
                        "high_datapoints and low_datapoints must be at least 1",
                    ));
                }
                (PolicyKind::TargetTracking(s), c.schedule)
            }
            PolicyConfig::Step(c) => {
                let alarms = c
                    .alarms
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        step_alarm(a).map_err(|e| Error::config(format!("alarms[{i}]: {e}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let mut s = StepSpec::new(c.min_replicas, c.max_replicas, &c.metric, alarms);
                set(&mut s.metric_period_ns, c.metric_period);
                set(&mut s.cooldown_ns, c.cooldown);
                check_bounds(s.min_replicas, s.max_replicas)?;
                cloudwatch_period("metric_period", s.metric_period_ns)?;
                (PolicyKind::Step(s), c.schedule)
            }
            PolicyConfig::Threshold(c) => {
                let default_cooldown = c.cooldown.map_or(300 * crate::duration::NS_PER_S, |d| d.0);
                let rules = c
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        threshold_rule(r, default_cooldown)
                            .map_err(|e| Error::config(format!("rules[{i}]: {e}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let mut s = ThresholdSpec::new(c.min_replicas, c.max_replicas, rules);
                set(&mut s.period_ns, c.period);
                check_bounds(s.min_replicas, s.max_replicas)?;
                at_least_1s("period", s.period_ns)?;
                (PolicyKind::Threshold(s), c.schedule)
            }
        };
        let schedule = schedule
            .iter()
            .enumerate()
            .map(|(i, s)| {
                schedule_rule(s).map_err(|e| Error::config(format!("schedule[{i}]: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy { kind, schedule })
    }
}

fn set(field: &mut u64, v: Option<Duration>) {
    if let Some(d) = v {
        *field = d.0;
    }
}

/// CloudWatch alarm periods: 10 s or 30 s (high-resolution metrics) or a
/// multiple of 60 s; AWS accepts no others, and a shorter one would make
/// the controller evaluate without end.
fn cloudwatch_period(name: &str, ns: u64) -> Result<(), Error> {
    let s = crate::duration::NS_PER_S;
    if ns == 10 * s || ns == 30 * s || (ns > 0 && ns % (60 * s) == 0) {
        return Ok(());
    }
    Err(Error::config(format!(
        "{name}: expected 10s, 30s or a multiple of 60s (CloudWatch alarm periods), found {}",
        crate::duration::format_duration(ns)
    )))
}

/// Threshold rules (PaaS autoscalers) evaluate at most once a second.
fn at_least_1s(name: &str, ns: u64) -> Result<(), Error> {
    if ns < crate::duration::NS_PER_S {
        return Err(Error::config(format!(
            "{name}: expected a duration of at least 1s, found {}",
            crate::duration::format_duration(ns)
        )));
    }
    Ok(())
}

fn check_bounds(min: u32, max: u32) -> Result<(), Error> {
    if max < 1 || min > max {
        return Err(Error::config(format!(
            "min_replicas/max_replicas: expected 0 ≤ min ≤ max and max ≥ 1, found min {min}, max {max}"
        )));
    }
    Ok(())
}

fn resolve_hpa(
    c: HpaConfig,
    load: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<HpaSpec, Error> {
    let mut spec = if let Some(path) = &c.manifest {
        if c.min_replicas.is_some()
            || c.max_replicas.is_some()
            || c.metrics.is_some()
            || c.behavior.is_some()
        {
            return Err(Error::config(
                "manifest: a manifest already sets min/max/metrics/behavior; remove them from the TOML",
            ));
        }
        let text = load(path).map_err(|e| Error::config(format!("manifest {path:?}: {e}")))?;
        parse_hpa_manifest(&text).map_err(|e| match e {
            Error::Config { location, message } => Error::Config {
                location: Some(match location {
                    Some(l) => format!("{path}: {l}"),
                    None => path.clone(),
                }),
                message,
            },
            other => other,
        })?
    } else {
        let max = c
            .max_replicas
            .ok_or_else(|| Error::config("max_replicas: required (or give manifest = \"...\")"))?;
        let metrics = c
            .metrics
            .clone()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, m)| hpa_metric(m).map_err(|e| Error::config(format!("metrics[{i}]: {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        if metrics.is_empty() {
            // Without a metric the controller never recommends anything.
            return Err(Error::config(
                "metrics: expected at least one metric, e.g. [{ type = \"cpu\", target_utilization = 70 }]",
            ));
        }
        let mut s = HpaSpec::new(c.min_replicas.unwrap_or(1), max, metrics);
        if let Some(b) = &c.behavior {
            s.behavior = Some(Behavior {
                scale_up: b.scale_up.as_ref().map(rules),
                scale_down: b.scale_down.as_ref().map(rules),
            });
        }
        s
    };
    set(&mut spec.sync_period_ns, c.sync_period);
    spec.tolerance = c.tolerance.unwrap_or(spec.tolerance);
    set(
        &mut spec.cpu_initialization_period_ns,
        c.cpu_initialization_period,
    );
    set(
        &mut spec.initial_readiness_delay_ns,
        c.initial_readiness_delay,
    );
    set(
        &mut spec.downscale_stabilization_ns,
        c.downscale_stabilization,
    );
    set(&mut spec.cpu_metric_window_ns, c.cpu_metric_window);
    spec.validate().map_err(Error::config)?;
    Ok(spec)
}

fn rules(r: &RulesConfig) -> ScalingRules {
    ScalingRules {
        stabilization_window_ns: r.stabilization_window.map(|d| d.0),
        select_policy: r.select_policy.map(|s| match s {
            SelectPolicyConfig::Max => SelectPolicy::Max,
            SelectPolicyConfig::Min => SelectPolicy::Min,
            SelectPolicyConfig::Disabled => SelectPolicy::Disabled,
        }),
        policies: r.policies.as_ref().map(|ps| {
            ps.iter()
                .map(|p| ScalingPolicy {
                    kind: match p.kind {
                        ScalingPolicyTypeConfig::Pods => ScalingPolicyType::Pods,
                        ScalingPolicyTypeConfig::Percent => ScalingPolicyType::Percent,
                    },
                    value: p.value,
                    period_ns: p.period.0,
                })
                .collect()
        }),
        tolerance: r.tolerance,
    }
}

fn hpa_metric(m: MetricConfig) -> Result<HpaMetric, String> {
    let resource = |name, util: Option<i32>, avg: Option<Quantity>| match (util, avg) {
        (Some(u), None) => Ok(HpaMetric::Resource {
            name,
            target: ResourceTarget::Utilization(u),
        }),
        (None, Some(q)) => Ok(HpaMetric::Resource {
            name,
            target: ResourceTarget::AverageValue(q.milli()?),
        }),
        _ => Err(
            "expected exactly one of target_utilization (percent) or target_average (quantity)"
                .to_string(),
        ),
    };
    let value = |v: Option<Quantity>, a: Option<Quantity>| match (v, a) {
        (Some(q), None) => Ok(MetricTarget::Value(q.milli()?)),
        (None, Some(q)) => Ok(MetricTarget::AverageValue(q.milli()?)),
        _ => Err("expected exactly one of target_value or target_average".to_string()),
    };
    match m {
        MetricConfig::Cpu {
            target_utilization,
            target_average,
        } => resource(ResourceName::Cpu, target_utilization, target_average),
        MetricConfig::Memory {
            target_utilization,
            target_average,
        } => resource(ResourceName::Memory, target_utilization, target_average),
        MetricConfig::Pods {
            name,
            target_average,
        } => Ok(HpaMetric::Pods {
            name,
            average_value_milli: target_average.milli()?,
        }),
        MetricConfig::Object {
            name,
            target_value,
            target_average,
        } => Ok(HpaMetric::Object {
            name,
            target: value(target_value, target_average)?,
        }),
        MetricConfig::External {
            name,
            target_value,
            target_average,
        } => Ok(HpaMetric::External {
            name,
            target: value(target_value, target_average)?,
        }),
    }
}

fn comparison(s: &str) -> Result<Comparison, String> {
    match s {
        ">" => Ok(Comparison::Greater),
        ">=" => Ok(Comparison::GreaterOrEqual),
        "<" => Ok(Comparison::Less),
        "<=" => Ok(Comparison::LessOrEqual),
        other => Err(format!(
            "comparison: expected \">\", \">=\", \"<\" or \"<=\", found {other:?}"
        )),
    }
}

fn step_alarm(a: &StepAlarmConfig) -> Result<StepAlarm, String> {
    let adjustment_type = match a.adjustment_type.as_deref().unwrap_or("ChangeInCapacity") {
        "ChangeInCapacity" => AdjustmentType::ChangeInCapacity,
        "PercentChangeInCapacity" => AdjustmentType::PercentChangeInCapacity,
        "ExactCapacity" => AdjustmentType::ExactCapacity,
        other => {
            return Err(format!(
                "adjustment_type: expected ChangeInCapacity, PercentChangeInCapacity or ExactCapacity, found {other:?}"
            ))
        }
    };
    if a.steps.is_empty() {
        return Err("steps: expected at least one step".into());
    }
    Ok(StepAlarm {
        comparison: comparison(&a.comparison)?,
        threshold: a.threshold,
        datapoints: a.datapoints.unwrap_or(1).max(1),
        adjustment_type,
        steps: a
            .steps
            .iter()
            .map(|s| StepAdjustment {
                lower: s.lower,
                upper: s.upper,
                adjustment: s.adjustment,
            })
            .collect(),
        min_adjustment_magnitude: a.min_adjustment_magnitude,
    })
}

fn threshold_rule(r: &ThresholdRuleConfig, default_cooldown: u64) -> Result<ThresholdRule, String> {
    let (comparison, threshold) = match (r.above, r.below) {
        (Some(t), None) => (Comparison::Greater, t),
        (None, Some(t)) => (Comparison::Less, t),
        _ => return Err("expected exactly one of `above` or `below`".into()),
    };
    let aggregation = match r.statistic.as_deref().unwrap_or("average") {
        "average" => Aggregation::Average,
        "max" => Aggregation::Max,
        "min" => Aggregation::Min,
        other => {
            return Err(format!(
                "statistic: expected average, max or min, found {other:?}"
            ))
        }
    };
    Ok(ThresholdRule {
        metric: r.metric.clone(),
        comparison,
        threshold,
        window_ns: r.window.0,
        aggregation,
        action: ScaleAction::parse(&r.scale)?,
        cooldown_ns: r.cooldown.map_or(default_cooldown, |d| d.0),
    })
}

fn schedule_rule(s: &ScheduleConfig) -> Result<ScheduleRule, String> {
    let at_s = match (&s.at, &s.cron) {
        (Some(a), None) => parse_time_of_day(a)?,
        (None, Some(c)) => parse_daily_cron(c)?,
        _ => {
            return Err("expected exactly one of `at = \"HH:MM\"` or `cron = \"M H * * *\"`".into())
        }
    };
    if let Some(max) = s.max {
        if max < s.min || max == 0 {
            return Err(format!(
                "expected 0 ≤ min ≤ max and max ≥ 1, found min {}, max {max}",
                s.min
            ));
        }
    }
    Ok(ScheduleRule {
        at_s,
        min: s.min,
        max: s.max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_files(p: &str) -> Result<String, String> {
        Err(format!("no file {p}"))
    }

    #[test]
    fn the_readme_example_parses() {
        let text = r#"
kind = "hpa"
min_replicas = 3
max_replicas = 20
sync_period = "15s"
metrics = [ { type = "cpu", target_utilization = 70 }, { type = "memory", target_utilization = 80 },
            { type = "pods", name = "rps", target_average = 100 }, { type = "external", name = "queue_depth", target_value = 100 } ]
schedule = [ { at = "18:00", min = 5 }, { at = "00:00", min = 2 } ]

[behavior.scale_up]
stabilization_window = "0s"
select_policy = "Max"
policies = [ { type = "Percent", value = 100, period = "15s" }, { type = "Pods", value = 4, period = "15s" } ]
"#;
        let p = parse_policy_toml(text, &mut no_files).unwrap_or_else(|e| panic!("{e}"));
        let PolicyKind::Hpa(s) = &p.kind else {
            panic!("hpa")
        };
        assert_eq!(s.metrics.len(), 4);
        assert_eq!(
            s.metrics[2],
            HpaMetric::Pods {
                name: "rps".into(),
                average_value_milli: 100_000
            }
        );
        assert!(s.behavior.as_ref().is_some_and(|b| b.scale_down.is_none()));
        assert_eq!(p.schedule.len(), 2);
    }

    #[test]
    fn errors_carry_position_found_and_expected() {
        let e = parse_policy_toml(
            "kind = \"hpa\"\nmax_replicas = 5\nsync_perod = \"15s\"\n",
            &mut no_files,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("sync_perod") && e.contains("expected"), "{e}");
        let e = parse_policy_toml(
            "kind = \"hpa\"\nmax_replicas = 5\nsync_period = \"15\"\n",
            &mut no_files,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 3") && e.contains("missing unit"), "{e}");
        let e = parse_policy_toml("kind = \"hpq\"\n", &mut no_files)
            .unwrap_err()
            .to_string();
        assert!(e.contains("hpq") && e.contains("target_tracking"), "{e}");
    }

    #[test]
    fn manifest_indirection_and_other_kinds() {
        let mut load = |p: &str| {
            assert_eq!(p, "hpa.yaml");
            Ok("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: a}\nspec:\n  scaleTargetRef: {kind: Deployment, name: a}\n  maxReplicas: 7\n".to_string())
        };
        let p = parse_policy_toml(
            "kind = \"hpa\"\nmanifest = \"hpa.yaml\"\nsync_period = \"30s\"\n",
            &mut load,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.bounds(), (1, 7));
        let tt = "kind = \"target_tracking\"\nmin_replicas = 2\nmax_replicas = 10\nmetric = \"cpu\"\ntarget = 70\nscale_out_cooldown = \"60s\"\nscale_in_cooldown = \"300s\"\n";
        assert!(matches!(
            parse_policy_toml(tt, &mut no_files).map(|p| p.kind),
            Ok(PolicyKind::TargetTracking(_))
        ));
        let th = r#"
kind = "threshold"
min_replicas = 2
max_replicas = 10
cooldown = "5m"
rules = [ { metric = "cpu", above = 70, for = "2m", scale = "+1" },
          { metric = "cpu", below = 30, for = "5m", scale = "-1" },
          { metric = "queue_depth", above = 100, for = "1m", scale = "x2", cooldown = "30s" } ]
schedule = [ { cron = "0 18 * * *", min = 5, max = 10 }, { cron = "0 0 * * *", min = 2, max = 5 } ]
"#;
        let p = parse_policy_toml(th, &mut no_files).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            p.metric_names(),
            vec!["cpu".to_string(), "queue_depth".to_string()]
        );
        let st = r#"
kind = "step"
min_replicas = 1
max_replicas = 10
metric = "cpu"
[[alarms]]
comparison = ">="
threshold = 70
adjustment_type = "PercentChangeInCapacity"
steps = [ { lower = 0, upper = 10, adjustment = 10 }, { lower = 10, adjustment = 30 } ]
"#;
        assert!(matches!(
            parse_policy_toml(st, &mut no_files).map(|p| p.kind),
            Ok(PolicyKind::Step(_))
        ));
    }
}
