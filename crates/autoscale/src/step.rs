//! AWS step scaling (semantics §2): alarms with step adjustments relative to the alarm
//! threshold, ChangeInCapacity / PercentChangeInCapacity (with its rounding and
//! MinAdjustmentMagnitude) / ExactCapacity, and a cooldown.

use crate::cloud::{Datapoints, OutCooldown};
use crate::controller::Controller;
use crate::duration::NS_PER_S;
use crate::observe::{Decision, Observation};

/// Alarm comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

impl Comparison {
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Greater => value > threshold,
            Comparison::GreaterOrEqual => value >= threshold,
            Comparison::Less => value < threshold,
            Comparison::LessOrEqual => value <= threshold,
        }
    }

    fn upward(self) -> bool {
        matches!(self, Comparison::Greater | Comparison::GreaterOrEqual)
    }
}

/// `AdjustmentType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentType {
    ChangeInCapacity,
    PercentChangeInCapacity,
    ExactCapacity,
}

/// One step: bounds are offsets from the threshold (`None` = unbounded).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepAdjustment {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub adjustment: f64,
}

/// One alarm with its step policy.
#[derive(Debug, Clone, PartialEq)]
pub struct StepAlarm {
    pub comparison: Comparison,
    pub threshold: f64,
    /// Datapoints that must breach, N of N (1).
    pub datapoints: u32,
    pub adjustment_type: AdjustmentType,
    pub steps: Vec<StepAdjustment>,
    pub min_adjustment_magnitude: Option<u32>,
}

/// A step-scaling configuration: one metric, one or more alarms.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSpec {
    pub min_replicas: u32,
    pub max_replicas: u32,
    pub metric: String,
    pub metric_period_ns: u64,
    pub alarms: Vec<StepAlarm>,
    /// Cooldown (300 s): scale-in waits; a scale-out inside it counts the capacity
    /// already added (EC2 warm-up: "desired 11, a +3 step from base 10 adds 2").
    pub cooldown_ns: u64,
}

impl StepSpec {
    pub fn new(min_replicas: u32, max_replicas: u32, metric: &str, alarms: Vec<StepAlarm>) -> Self {
        StepSpec {
            min_replicas,
            max_replicas,
            metric: metric.into(),
            metric_period_ns: 60 * NS_PER_S,
            alarms,
            cooldown_ns: 300 * NS_PER_S,
        }
    }
}

/// The step containing `offset = value − threshold`. Above the threshold the lower
/// bound is inclusive and the upper exclusive; below it, the reverse.
pub fn select_step(steps: &[StepAdjustment], offset: f64, upward: bool) -> Option<&StepAdjustment> {
    steps.iter().find(|s| {
        let lo = s.lower.unwrap_or(f64::NEG_INFINITY);
        let hi = s.upper.unwrap_or(f64::INFINITY);
        if upward {
            lo <= offset && offset < hi
        } else {
            lo < offset && offset <= hi
        }
    })
}

/// PercentChangeInCapacity: `x = current × pct/100`; `|x| > 1` truncates toward zero,
/// `0 < |x| < 1` becomes ±1, then MinAdjustmentMagnitude raises small steps.
pub fn percent_change(current: u32, pct: f64, min_magnitude: Option<u32>) -> i64 {
    let x = f64::from(current) * pct / 100.0;
    let mut adj = if x.abs() >= 1.0 {
        x.trunc() as i64
    } else if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    };
    if let Some(m) = min_magnitude {
        let m = i64::from(m);
        if adj != 0 && adj.abs() < m {
            adj = adj.signum() * m;
        }
    }
    adj
}

/// A running step-scaling policy.
#[derive(Debug, Clone)]
pub struct StepScaling {
    spec: StepSpec,
    datapoints: Datapoints,
    cooldown: Option<OutCooldown>,
}

impl StepScaling {
    pub fn new(spec: StepSpec) -> Self {
        let keep = spec
            .alarms
            .iter()
            .map(|a| a.datapoints as usize)
            .max()
            .unwrap_or(1);
        StepScaling {
            spec,
            datapoints: Datapoints::new(keep),
            cooldown: None,
        }
    }

    fn apply(&self, alarm: &StepAlarm, base: u32, value: f64) -> Option<i64> {
        let step = select_step(
            &alarm.steps,
            value - alarm.threshold,
            alarm.comparison.upward(),
        )?;
        let b = i64::from(base);
        Some(match alarm.adjustment_type {
            AdjustmentType::ChangeInCapacity => b + step.adjustment.trunc() as i64,
            AdjustmentType::PercentChangeInCapacity => {
                b + percent_change(base, step.adjustment, alarm.min_adjustment_magnitude)
            }
            AdjustmentType::ExactCapacity => step.adjustment.trunc() as i64,
        })
    }
}

impl Controller for StepScaling {
    fn kind(&self) -> &'static str {
        "step"
    }

    fn first_tick_ns(&self) -> u64 {
        self.spec.metric_period_ns
    }

    fn period_ns(&self) -> u64 {
        self.spec.metric_period_ns
    }

    fn reconcile(&mut self, obs: &Observation) -> Decision {
        let now = obs.now_ns;
        let current = obs.spec_replicas;
        let value = obs.aggregate(&self.spec.metric, |p| p.in_service());
        self.datapoints.push(value);
        let cooling = self.cooldown.filter(|c| now < c.until_ns);
        let mut best: Option<(i64, usize)> = None;
        for (i, a) in self.spec.alarms.iter().enumerate() {
            if !self.datapoints.last_n_all(a.datapoints as usize, |v| {
                a.comparison.holds(v, a.threshold)
            }) {
                continue;
            }
            let Some(v) = value else { continue };
            // Inside the cooldown, steps are taken from the capacity it started from.
            let base = cooling.map_or(current, |c| c.base);
            if let Some(target) = self.apply(a, base, v) {
                if best.is_none_or_less(target) {
                    best = Some((target, i));
                }
            }
        }
        let metrics = value
            .map(|v| vec![(self.spec.metric.clone(), v)])
            .unwrap_or_default();
        let (min, max) = (
            self.spec.min_replicas,
            self.spec.max_replicas.max(self.spec.min_replicas),
        );
        let Some((target, alarm)) = best else {
            let desired = current.clamp(min, max);
            let reason = if value.is_none() {
                "metric unavailable"
            } else {
                "no alarm"
            };
            return Decision {
                now_ns: now,
                current,
                proposal: current,
                desired,
                reason: reason.into(),
                metrics,
            };
        };
        let proposal = u32::try_from(target.max(0)).unwrap_or(u32::MAX);
        let mut desired = current;
        let mut reason = format!("alarm {alarm} in breach");
        if proposal > current {
            desired = proposal;
            if cooling.is_none() {
                self.cooldown = Some(OutCooldown {
                    until_ns: now.saturating_add(self.spec.cooldown_ns),
                    base: current,
                });
            }
        } else if proposal < current {
            if cooling.is_some() {
                reason.push_str(", scale-in waits for the cooldown");
            } else {
                desired = proposal;
                self.cooldown = Some(OutCooldown {
                    until_ns: now.saturating_add(self.spec.cooldown_ns),
                    base: proposal,
                });
            }
        }
        Decision {
            now_ns: now,
            current,
            proposal,
            desired: desired.clamp(min, max),
            reason,
            metrics,
        }
    }

    fn bounds(&self) -> (u32, u32) {
        (self.spec.min_replicas, self.spec.max_replicas)
    }

    fn set_bounds(&mut self, min: u32, max: u32) {
        self.spec.min_replicas = min;
        self.spec.max_replicas = max.max(min);
    }
}

trait BestExt {
    fn is_none_or_less(&self, target: i64) -> bool;
}

impl BestExt for Option<(i64, usize)> {
    /// Of competing actions, the largest resulting capacity wins.
    fn is_none_or_less(&self, target: i64) -> bool {
        self.map_or(true, |(b, _)| target > b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::PodSample;

    #[test]
    fn percent_rounding() {
        assert_eq!(percent_change(100, 12.7, None), 12);
        assert_eq!(percent_change(100, -6.67, None), -6);
        assert_eq!(percent_change(10, 5.0, None), 1); // 0.5 → 1
        assert_eq!(percent_change(10, -5.0, None), -1);
        assert_eq!(percent_change(10, 20.0, Some(3)), 3); // 2 → MinAdjustmentMagnitude 3
    }

    #[test]
    fn bound_inclusivity_depends_on_side() {
        let steps = [
            StepAdjustment {
                lower: Some(0.0),
                upper: Some(10.0),
                adjustment: 1.0,
            },
            StepAdjustment {
                lower: Some(10.0),
                upper: None,
                adjustment: 3.0,
            },
        ];
        assert_eq!(
            select_step(&steps, 10.0, true).map(|s| s.adjustment),
            Some(3.0)
        );
        assert_eq!(
            select_step(&steps, 0.0, true).map(|s| s.adjustment),
            Some(1.0)
        );
        let below = [
            StepAdjustment {
                lower: None,
                upper: Some(-10.0),
                adjustment: -2.0,
            },
            StepAdjustment {
                lower: Some(-10.0),
                upper: Some(0.0),
                adjustment: -1.0,
            },
        ];
        assert_eq!(
            select_step(&below, -10.0, false).map(|s| s.adjustment),
            Some(-2.0)
        );
        assert_eq!(
            select_step(&below, 0.0, false).map(|s| s.adjustment),
            Some(-1.0)
        );
    }

    #[test]
    fn cooldown_counts_capacity_already_added() {
        let alarm = StepAlarm {
            comparison: Comparison::GreaterOrEqual,
            threshold: 70.0,
            datapoints: 1,
            adjustment_type: AdjustmentType::ChangeInCapacity,
            steps: vec![
                StepAdjustment {
                    lower: Some(0.0),
                    upper: Some(10.0),
                    adjustment: 1.0,
                },
                StepAdjustment {
                    lower: Some(10.0),
                    upper: None,
                    adjustment: 3.0,
                },
            ],
            min_adjustment_magnitude: None,
        };
        let mut s = StepScaling::new(StepSpec::new(1, 50, "cpu", vec![alarm]));
        let obs = |t: u64, n: u32, pct: u64| Observation {
            now_ns: t * NS_PER_S,
            spec_replicas: n,
            pods: (0..10)
                .map(|_| {
                    let mut p = PodSample::ready_pod(0, 1000, 1);
                    p.cpu_usage_milli = Some(pct * 10);
                    p
                })
                .collect(),
            external: vec![],
        };
        assert_eq!(s.reconcile(&obs(60, 10, 75)).desired, 11); // +1 step
                                                               // Worse breach inside the cooldown: +3 from base 10 → 13 (adds only 2 to 11).
        assert_eq!(s.reconcile(&obs(120, 11, 85)).desired, 13);
        // Same step again: 13 is not more than 13, nothing added.
        assert_eq!(s.reconcile(&obs(180, 13, 85)).desired, 13);
    }
}
