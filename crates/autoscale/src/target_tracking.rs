//! AWS target tracking (Application Auto Scaling / EC2 Auto Scaling), semantics §2:
//! two owned alarms (high: N of N datapoints above target; low: M of M below
//! `scale_in_ratio × target`), proportional scale-out with conservative rounding,
//! cooldowns, instance warm-up and disable-scale-in.

use crate::cloud::{ceil_u32, Datapoints, OutCooldown};
use crate::controller::Controller;
use crate::duration::NS_PER_S;
use crate::observe::{Decision, Observation};

/// A target-tracking policy for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetTrackingSpec {
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// Metric name (`cpu`, `memory`, a Pods metric such as `rps`, or an External one).
    pub metric: String,
    /// `TargetValue`.
    pub target: f64,
    /// Datapoint period (60 s; 10/30 s for high resolution).
    pub metric_period_ns: u64,
    /// High alarm: this many of this many datapoints above target (3).
    pub high_datapoints: u32,
    /// Low alarm: this many of this many datapoints below the low threshold (15).
    pub low_datapoints: u32,
    /// Low threshold as a fraction of the target (0.9; EC2 consoles show 0.7).
    pub scale_in_ratio: f64,
    /// `ScaleOutCooldown` (300 s).
    pub scale_out_cooldown_ns: u64,
    /// `ScaleInCooldown` (300 s).
    pub scale_in_cooldown_ns: u64,
    /// EC2 instance warm-up (0 = none): warming instances are left out of the metric
    /// and of the capacity a scale-out starts from.
    pub warmup_ns: u64,
    /// `DisableScaleIn`.
    pub disable_scale_in: bool,
}

impl TargetTrackingSpec {
    /// A policy with the documented/observed defaults.
    pub fn new(min_replicas: u32, max_replicas: u32, metric: &str, target: f64) -> Self {
        TargetTrackingSpec {
            min_replicas,
            max_replicas,
            metric: metric.to_string(),
            target,
            metric_period_ns: 60 * NS_PER_S,
            high_datapoints: 3,
            low_datapoints: 15,
            scale_in_ratio: 0.9,
            scale_out_cooldown_ns: 300 * NS_PER_S,
            scale_in_cooldown_ns: 300 * NS_PER_S,
            warmup_ns: 0,
            disable_scale_in: false,
        }
    }
}

/// A running target-tracking policy.
#[derive(Debug, Clone)]
pub struct TargetTracking {
    spec: TargetTrackingSpec,
    datapoints: Datapoints,
    out_cooldown: Option<OutCooldown>,
    in_cooldown_until_ns: Option<u64>,
}

impl TargetTracking {
    pub fn new(spec: TargetTrackingSpec) -> Self {
        let keep = spec.high_datapoints.max(spec.low_datapoints) as usize;
        TargetTracking {
            spec,
            datapoints: Datapoints::new(keep),
            out_cooldown: None,
            in_cooldown_until_ns: None,
        }
    }
}

impl Controller for TargetTracking {
    fn kind(&self) -> &'static str {
        "target_tracking"
    }

    /// The first datapoint exists one metric period after the start.
    fn first_tick_ns(&self) -> u64 {
        self.spec.metric_period_ns
    }

    fn period_ns(&self) -> u64 {
        self.spec.metric_period_ns
    }

    fn reconcile(&mut self, obs: &Observation) -> Decision {
        let s = &self.spec;
        let now = obs.now_ns;
        let current = obs.spec_replicas;
        let warm = |p: &crate::PodSample| {
            s.warmup_ns == 0 || p.started_ns.saturating_add(s.warmup_ns) <= now
        };
        let value = obs.aggregate(&s.metric, |p| p.in_service() && warm(p));
        self.datapoints.push(value);
        let warming = obs
            .pods
            .iter()
            .filter(|p| p.phase != crate::PodPhase::Terminating && !warm(p))
            .count();
        let in_service_warm =
            crate::observe::count_u32(obs.pods.iter().filter(|p| p.in_service() && warm(p)));
        let high = self
            .datapoints
            .last_n_all(s.high_datapoints as usize, |v| v > s.target);
        let low_threshold = s.scale_in_ratio * s.target;
        let low = self
            .datapoints
            .last_n_all(s.low_datapoints as usize, |v| v < low_threshold);
        let latest = self.datapoints.latest().unwrap_or(s.target);
        let metrics = value
            .map(|v| vec![(s.metric.clone(), v)])
            .unwrap_or_default();
        let mut proposal = current;
        let mut desired = current;
        let mut reason = match value {
            None => format!("{} unavailable (INSUFFICIENT_DATA)", s.metric),
            Some(_) => "no alarm".to_string(),
        };
        let cooling_out = self.out_cooldown.filter(|c| now < c.until_ns);
        if high {
            // Warming instances do not count as capacity; during the scale-out cooldown
            // the capacity added by the scale-out that started it counts toward this one.
            let base = match cooling_out {
                Some(c) => c.base,
                None if s.warmup_ns > 0 => in_service_warm.max(1),
                None => current,
            };
            proposal = ceil_u32(f64::from(base) * latest / s.target);
            if proposal > current {
                desired = proposal.min(s.max_replicas);
                reason = format!(
                    "high alarm: {} {latest:.2} > {} for {} datapoints",
                    s.metric, s.target, s.high_datapoints
                );
                if cooling_out.is_none() {
                    self.out_cooldown = Some(OutCooldown {
                        until_ns: now.saturating_add(s.scale_out_cooldown_ns),
                        base,
                    });
                }
                self.in_cooldown_until_ns = None; // a scale-out cancels the scale-in cooldown
            } else {
                reason = "high alarm, but the capacity already added covers it".into();
            }
        } else if low {
            proposal = ceil_u32(f64::from(current) * latest / s.target);
            if s.disable_scale_in {
                reason = "low alarm, scale-in disabled".into();
            } else if self.in_cooldown_until_ns.is_some_and(|u| now < u) {
                reason = "low alarm, in scale-in cooldown".into();
            } else if warming > 0 {
                reason = "low alarm, a scale-out is still warming up".into();
            } else if proposal < current {
                desired = proposal.max(s.min_replicas);
                reason = format!(
                    "low alarm: {} {latest:.2} < {low_threshold} for {} datapoints",
                    s.metric, s.low_datapoints
                );
                self.in_cooldown_until_ns = Some(now.saturating_add(s.scale_in_cooldown_ns));
            }
        }
        let clamped = desired.clamp(s.min_replicas, s.max_replicas.max(s.min_replicas));
        if clamped != desired {
            reason.push_str("; clamped to [min, max]");
        }
        Decision {
            now_ns: now,
            current,
            proposal,
            desired: clamped,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::PodSample;

    const S: u64 = NS_PER_S;

    fn obs(t_s: u64, n: u32, cpu_pct: u64) -> Observation {
        let pods = (0..n)
            .map(|_| {
                let mut p = PodSample::ready_pod(0, 1000, 1);
                p.cpu_usage_milli = Some(cpu_pct * 10);
                p
            })
            .collect();
        Observation {
            now_ns: t_s * S,
            spec_replicas: n,
            pods,
            external: vec![],
        }
    }

    #[test]
    fn high_alarm_needs_three_datapoints_then_scales_proportionally() {
        let mut tt = TargetTracking::new(TargetTrackingSpec::new(1, 100, "cpu", 70.0));
        let d: Vec<u32> = (1..=3)
            .map(|m| tt.reconcile(&obs(m * 60, 4, 90)).desired)
            .collect();
        // ceil(4 × 90/70) = ceil(5.14) = 6 on the third datapoint.
        assert_eq!(d, vec![4, 4, 6]);
    }

    #[test]
    fn scale_out_cooldown_counts_added_capacity_and_scale_in_needs_15_low_points() {
        let mut spec = TargetTrackingSpec::new(1, 100, "cpu", 50.0);
        spec.high_datapoints = 1;
        let mut tt = TargetTracking::new(spec);
        assert_eq!(tt.reconcile(&obs(60, 4, 100)).desired, 8); // base 4 → 8
                                                               // Still 100 % (new capacity not serving yet): base stays 4 → 8, nothing more.
        assert_eq!(tt.reconcile(&obs(120, 8, 100)).desired, 8);
        // A larger breach in the cooldown scales further: ceil(4 × 150/50) = 12.
        assert_eq!(tt.reconcile(&obs(180, 8, 150)).desired, 12);
        // Low alarm needs 15 datapoints below 45.
        let mut last = 0;
        for i in 0..15 {
            last = tt.reconcile(&obs(600 + i * 60, 12, 20)).desired;
            if i < 14 {
                assert_eq!(last, 12, "datapoint {i}");
            }
        }
        // ceil(12 × 20/50) = ceil(4.8) = 5 (conservative: removes 7, not 8).
        assert_eq!(last, 5);
        // Scale-in cooldown: another low alarm right after does nothing.
        assert_eq!(tt.reconcile(&obs(600 + 15 * 60, 5, 10)).desired, 5);
    }

    #[test]
    fn missing_data_never_alarms_and_disable_scale_in_holds() {
        let mut spec = TargetTrackingSpec::new(1, 100, "rps", 100.0);
        spec.low_datapoints = 1;
        spec.disable_scale_in = true;
        let mut tt = TargetTracking::new(spec);
        assert_eq!(tt.reconcile(&obs(60, 4, 10)).desired, 4); // no rps samples at all
        let mut o = obs(120, 4, 10);
        o.pods
            .iter_mut()
            .for_each(|p| p.pods_metrics = vec![("rps".into(), Some(10.0))]);
        let d = tt.reconcile(&o);
        assert_eq!(d.desired, 4, "{}", d.reason);
    }
}
