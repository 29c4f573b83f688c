//! Threshold rules as PaaS scaling guides write them ("cpu > 70 % for 2 min → +1,
//! cpu < 30 % for 5 min → −1, cooldown 5 min"), evaluated like Azure Monitor autoscale
//! (semantics §3): scale out if any out-rule fires, in only if every in-rule fires,
//! a flapping guard on scale-in, and counts forced back into `[min, max]`.
//!
//! The controller keeps its own history: one sample of each metric per evaluation.

use crate::controller::Controller;
use crate::duration::NS_PER_S;
use crate::observe::{Decision, Observation};
use crate::step::Comparison;

/// How the samples of a window are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Average,
    Max,
    Min,
}

/// What a rule does when it fires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScaleAction {
    /// `+N`.
    Add(u32),
    /// `-N`.
    Remove(u32),
    /// `xF`: multiply (F > 1 scales out, rounded up; F < 1 scales in, rounded up too).
    Multiply(f64),
    /// `+P%` / `-P%` of the current count, at least one instance.
    Percent(f64),
}

impl ScaleAction {
    /// Parses `"+1"`, `"-2"`, `"x2"`, `"+50%"`, `"-25%"`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let bad = || {
            format!(
                "invalid scale action {text:?}: expected \"+N\", \"-N\", \"xF\" or \"+P%\"/\"-P%\""
            )
        };
        if let Some(f) = t.strip_prefix(['x', '*']) {
            let f: f64 = f.parse().map_err(|_| bad())?;
            return if f > 0.0 && f.is_finite() && f != 1.0 {
                Ok(ScaleAction::Multiply(f))
            } else {
                Err(bad())
            };
        }
        if let Some(p) = t.strip_suffix('%') {
            let p: f64 = p.parse().map_err(|_| bad())?;
            return if p != 0.0 && p.is_finite() {
                Ok(ScaleAction::Percent(p))
            } else {
                Err(bad())
            };
        }
        if let Some(n) = t.strip_prefix('+') {
            return n
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .map(ScaleAction::Add)
                .ok_or_else(bad);
        }
        if let Some(n) = t.strip_prefix('-') {
            return n
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .map(ScaleAction::Remove)
                .ok_or_else(bad);
        }
        Err(bad())
    }

    /// True for actions that add capacity.
    pub fn is_out(self) -> bool {
        match self {
            ScaleAction::Add(_) => true,
            ScaleAction::Remove(_) => false,
            ScaleAction::Multiply(f) => f > 1.0,
            ScaleAction::Percent(p) => p > 0.0,
        }
    }

    /// The count after the action from `current`.
    pub fn apply(self, current: u32) -> u32 {
        let c = f64::from(current);
        match self {
            ScaleAction::Add(n) => current.saturating_add(n),
            ScaleAction::Remove(n) => current.saturating_sub(n),
            ScaleAction::Multiply(f) => crate::cloud::ceil_u32(c * f),
            ScaleAction::Percent(p) if p > 0.0 => {
                current.saturating_add(crate::cloud::ceil_u32(c * p / 100.0).max(1))
            }
            ScaleAction::Percent(p) => {
                current.saturating_sub(((c * -p / 100.0).floor() as u32).max(1))
            }
        }
    }
}

/// One rule: `metric op threshold` aggregated over `window_ns` → `action`.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdRule {
    pub metric: String,
    pub comparison: Comparison,
    pub threshold: f64,
    /// "for 2 minutes": the window the samples are aggregated over.
    pub window_ns: u64,
    pub aggregation: Aggregation,
    pub action: ScaleAction,
    /// Time after any scale action before this rule may act (Azure `cooldown`).
    pub cooldown_ns: u64,
}

/// A set of threshold rules with bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdSpec {
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// Evaluation period (60 s).
    pub period_ns: u64,
    pub rules: Vec<ThresholdRule>,
}

impl ThresholdSpec {
    pub fn new(min_replicas: u32, max_replicas: u32, rules: Vec<ThresholdRule>) -> Self {
        ThresholdSpec {
            min_replicas,
            max_replicas,
            period_ns: 60 * NS_PER_S,
            rules,
        }
    }
}

/// A running threshold engine.
#[derive(Debug, Clone)]
pub struct Threshold {
    spec: ThresholdSpec,
    /// Distinct metric names the rules read, in first-use order.
    names: Vec<String>,
    /// `(time, value per name)`, oldest first, pruned to the longest window.
    history: Vec<(u64, Vec<Option<f64>>)>,
    last_scale_ns: Option<u64>,
}

impl Threshold {
    pub fn new(spec: ThresholdSpec) -> Self {
        let mut names: Vec<String> = Vec::new();
        for r in &spec.rules {
            if !names.contains(&r.metric) {
                names.push(r.metric.clone());
            }
        }
        Threshold {
            spec,
            names,
            history: Vec::new(),
            last_scale_ns: None,
        }
    }

    /// The aggregate of `metric` over the rule's window, if the window is fully covered
    /// (at least `window / period` samples, none missing).
    fn window_value(&self, rule: &ThresholdRule, now: u64) -> Option<f64> {
        let idx = self.names.iter().position(|n| *n == rule.metric)?;
        let cut = now.checked_sub(rule.window_ns);
        let vals: Vec<Option<f64>> = self
            .history
            .iter()
            .filter(|(t, _)| cut.is_none_or_before(*t))
            .map(|(_, v)| v.get(idx).copied().flatten())
            .collect();
        let needed = (rule.window_ns / self.spec.period_ns.max(1)).max(1) as usize;
        if vals.len() < needed || vals.iter().any(Option::is_none) {
            return None;
        }
        let v: Vec<f64> = vals.into_iter().flatten().collect();
        Some(match rule.aggregation {
            Aggregation::Average => v.iter().sum::<f64>() / v.len() as f64,
            Aggregation::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Aggregation::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
        })
    }

    fn cooled(&self, rule: &ThresholdRule, now: u64) -> bool {
        self.last_scale_ns
            .map_or(true, |t| now >= t.saturating_add(rule.cooldown_ns))
    }
}

trait CutExt {
    fn is_none_or_before(&self, t: u64) -> bool;
}

impl CutExt for Option<u64> {
    fn is_none_or_before(&self, t: u64) -> bool {
        self.map_or(true, |c| t > c)
    }
}

impl Controller for Threshold {
    fn kind(&self) -> &'static str {
        "threshold"
    }

    fn first_tick_ns(&self) -> u64 {
        self.spec.period_ns
    }

    fn period_ns(&self) -> u64 {
        self.spec.period_ns
    }

    fn reconcile(&mut self, obs: &Observation) -> Decision {
        let now = obs.now_ns;
        let current = obs.spec_replicas;
        let sample: Vec<Option<f64>> = self
            .names
            .iter()
            .map(|n| obs.aggregate(n, |p| p.in_service()))
            .collect();
        let metrics: Vec<(String, f64)> = self
            .names
            .iter()
            .zip(&sample)
            .filter_map(|(n, v)| v.map(|v| (n.clone(), v)))
            .collect();
        self.history.push((now, sample));
        let longest = self
            .spec
            .rules
            .iter()
            .map(|r| r.window_ns)
            .max()
            .unwrap_or(0);
        if let Some(cut) = now.checked_sub(longest) {
            self.history.retain(|(t, _)| *t > cut);
        }
        let (min, max) = (
            self.spec.min_replicas,
            self.spec.max_replicas.max(self.spec.min_replicas),
        );
        if current < min || current > max {
            let desired = current.clamp(min, max);
            self.last_scale_ns = Some(now);
            return Decision {
                now_ns: now,
                current,
                proposal: desired,
                desired,
                reason: "forced into [min, max]".into(),
                metrics,
            };
        }
        let fires = |r: &ThresholdRule| {
            self.window_value(r, now)
                .is_some_and(|v| r.comparison.holds(v, r.threshold))
        };
        let (out_rules, in_rules): (Vec<&ThresholdRule>, Vec<&ThresholdRule>) =
            self.spec.rules.iter().partition(|r| r.action.is_out());
        // Scale out if any out-rule fires (the largest result wins).
        let out = out_rules
            .iter()
            .filter(|r| fires(r) && self.cooled(r, now))
            .map(|r| (r.action.apply(current), *r))
            .max_by_key(|(n, _)| *n);
        if let Some((proposal, rule)) = out {
            let desired = proposal.clamp(min, max);
            if desired != current {
                self.last_scale_ns = Some(now);
            }
            let reason = format!(
                "{} {:?} {} over {}: {:?}",
                rule.metric,
                rule.comparison,
                rule.threshold,
                crate::duration::format_duration(rule.window_ns),
                rule.action
            );
            return Decision {
                now_ns: now,
                current,
                proposal,
                desired,
                reason,
                metrics,
            };
        }
        // Scale in only if every in-rule fires; the one leaving the most instances wins.
        let all_in =
            !in_rules.is_empty() && in_rules.iter().all(|r| fires(r) && self.cooled(r, now));
        if !all_in {
            return Decision {
                now_ns: now,
                current,
                proposal: current,
                desired: current,
                reason: "no rule fired".into(),
                metrics,
            };
        }
        let proposal = in_rules
            .iter()
            .map(|r| r.action.apply(current))
            .max()
            .unwrap_or(current);
        let mut target = proposal.max(min);
        // Flapping guard: project per-instance metrics to the smaller count and back off
        // while an out-rule would fire.
        while target < current {
            let factor = f64::from(current) / f64::from(target.max(1));
            let trips = out_rules.iter().any(|r| {
                let per_instance = obs.external(&r.metric).is_none();
                self.window_value(r, now).is_some_and(|v| {
                    let projected = if per_instance { v * factor } else { v };
                    r.comparison.holds(projected, r.threshold)
                })
            });
            if !trips {
                break;
            }
            target += 1;
        }
        let reason = if target == current {
            "scale-in skipped by the flapping guard".to_string()
        } else {
            format!("all scale-in rules fired ({} rules)", in_rules.len())
        };
        if target != current {
            self.last_scale_ns = Some(now);
        }
        Decision {
            now_ns: now,
            current,
            proposal,
            desired: target,
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

    const M: u64 = 60 * NS_PER_S;

    fn rule(cmp: Comparison, threshold: f64, window_min: u64, action: &str) -> ThresholdRule {
        ThresholdRule {
            metric: "cpu".into(),
            comparison: cmp,
            threshold,
            window_ns: window_min * M,
            aggregation: Aggregation::Average,
            action: ScaleAction::parse(action).unwrap_or(ScaleAction::Add(1)),
            cooldown_ns: 5 * M,
        }
    }

    fn obs(minute: u64, n: u32, cpu_pct: u64) -> Observation {
        let pods = (0..n)
            .map(|_| {
                let mut p = PodSample::ready_pod(0, 1000, 1);
                p.cpu_usage_milli = Some(cpu_pct * 10);
                p
            })
            .collect();
        Observation {
            now_ns: minute * M,
            spec_replicas: n,
            pods,
            external: vec![],
        }
    }

    fn guide_rules() -> ThresholdSpec {
        // Tikit: cpu > 70 for 2 min → +1; cpu < 30 for 5 min → −1; cooldown 5 min.
        ThresholdSpec::new(
            2,
            10,
            vec![
                rule(Comparison::Greater, 70.0, 2, "+1"),
                rule(Comparison::Less, 30.0, 5, "-1"),
            ],
        )
    }

    #[test]
    fn for_two_minutes_then_cooldown() {
        let mut t = Threshold::new(guide_rules());
        let mut n = 2;
        let mut seen = vec![];
        for minute in 1..=8 {
            let d = t.reconcile(&obs(minute, n, 90));
            n = d.desired;
            seen.push(n);
        }
        // Window needs 2 samples (minutes 1, 2) → +1 at minute 2; cooldown 5 min → next at 7.
        assert_eq!(seen, vec![2, 3, 3, 3, 3, 3, 4, 4]);
    }

    #[test]
    fn scale_in_needs_a_full_window_and_the_flapping_guard_can_stop_it() {
        let mut t = Threshold::new(guide_rules());
        let d: Vec<u32> = (1..=5)
            .map(|m| t.reconcile(&obs(m, 4, 20)).desired)
            .collect();
        assert_eq!(d, vec![4, 4, 4, 4, 3]);
        // Guard: out ≥ 60 / in < 60 at 2 instances with 50 % → projected 100 % on 1 → skip.
        let spec = ThresholdSpec::new(
            1,
            10,
            vec![
                rule(Comparison::GreaterOrEqual, 60.0, 1, "+1"),
                rule(Comparison::Less, 60.0, 1, "-1"),
            ],
        );
        let mut t = Threshold::new(spec);
        let d = t.reconcile(&obs(1, 2, 50));
        assert_eq!(d.desired, 2, "{}", d.reason);
        assert!(d.reason.contains("flapping"));
    }

    #[test]
    fn actions_parse_and_apply() {
        assert_eq!(ScaleAction::parse("x2").map(|a| a.apply(3)), Ok(6));
        assert_eq!(ScaleAction::parse("+50%").map(|a| a.apply(3)), Ok(5));
        assert_eq!(ScaleAction::parse("-25%").map(|a| a.apply(3)), Ok(2));
        assert!(ScaleAction::parse("2").is_err());
        assert!(ScaleAction::parse("x1").is_err());
    }
}
