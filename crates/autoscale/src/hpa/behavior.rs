//! Normalization of a raw proposal: the legacy path (no `behavior`) and the behavior
//! path (stabilization windows, rate-limit policies, scale-event bookkeeping).
//!
//! Mirrors `normalizeDesiredReplicas`, `stabilizeRecommendation`,
//! `normalizeDesiredReplicasWithBehaviors`, `stabilizeRecommendationWithBehaviors`,
//! `convertDesiredReplicasWithBehaviorRate`, `storeScaleEvent` in `horizontal.go`,
//! including its slot reuse, because which old entries survive changes results.

use super::spec::{Behavior, ScalingPolicy, ScalingPolicyType, ScalingRules, SelectPolicy};
use crate::duration::NS_PER_S;

/// `behavior.scaleUp`/`scaleDown` with every default filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedRules {
    pub stabilization_window_ns: u64,
    pub select_policy: SelectPolicy,
    pub policies: Vec<ScalingPolicy>,
    pub tolerance: Option<f64>,
}

impl Behavior {
    /// Fills defaults field by field (`defaults.go`, `copyHPAScalingRules`); the
    /// scale-down window the API leaves unset is filled by the controller with its
    /// `--horizontal-pod-autoscaler-downscale-stabilization`.
    pub fn resolve(&self, downscale_stabilization_ns: u64) -> (ResolvedRules, ResolvedRules) {
        let p15 = 15 * NS_PER_S;
        let up_default = ResolvedRules {
            stabilization_window_ns: 0,
            select_policy: SelectPolicy::Max,
            policies: vec![
                ScalingPolicy {
                    kind: ScalingPolicyType::Pods,
                    value: 4,
                    period_ns: p15,
                },
                ScalingPolicy {
                    kind: ScalingPolicyType::Percent,
                    value: 100,
                    period_ns: p15,
                },
            ],
            tolerance: None,
        };
        let down_default = ResolvedRules {
            stabilization_window_ns: downscale_stabilization_ns,
            select_policy: SelectPolicy::Max,
            policies: vec![ScalingPolicy {
                kind: ScalingPolicyType::Percent,
                value: 100,
                period_ns: p15,
            }],
            tolerance: None,
        };
        (
            fill(self.scale_up.as_ref(), up_default),
            fill(self.scale_down.as_ref(), down_default),
        )
    }
}

fn fill(from: Option<&ScalingRules>, mut to: ResolvedRules) -> ResolvedRules {
    if let Some(f) = from {
        if let Some(s) = f.select_policy {
            to.select_policy = s;
        }
        if let Some(w) = f.stabilization_window_ns {
            to.stabilization_window_ns = w;
        }
        if let Some(p) = &f.policies {
            to.policies = p.clone();
        }
        if f.tolerance.is_some() {
            to.tolerance = f.tolerance;
        }
    }
    to
}

/// One stored scale event: `change` replicas in one direction at `at_ns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleEvent {
    pub change: u32,
    pub at_ns: u64,
    pub outdated: bool,
}

/// The controller's list of `(recommendation, timestamp)` for one HPA.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Recommendations(Vec<(u32, u64)>);

impl Recommendations {
    pub(crate) fn initial(current: u32, now: u64) -> Self {
        Recommendations(vec![(current, now)])
    }
}

/// `now - window`, or `None` when the window reaches before time zero.
fn cutoff(now: u64, window: u64) -> Option<u64> {
    now.checked_sub(window)
}

/// `ts > cutoff` (Go `After`), true for every sample when the cutoff is before zero.
fn after(ts: u64, cut: Option<u64>) -> bool {
    cut.is_none_or_after(ts)
}

/// `ts < cutoff` (Go `Before`), false for every sample when the cutoff is before zero.
fn before(ts: u64, cut: Option<u64>) -> bool {
    cut.is_some_and(|c| ts < c)
}

trait CutoffExt {
    fn is_none_or_after(&self, ts: u64) -> bool;
}

impl CutoffExt for Option<u64> {
    fn is_none_or_after(&self, ts: u64) -> bool {
        match self {
            None => true,
            Some(c) => ts > *c,
        }
    }
}

/// Legacy path: `s = max(proposal, recommendations with ts ≥ now − window)`, store the
/// proposal (reusing the last stale slot), then clamp to `[min, min(max, max(2c, 4))]`.
pub(crate) fn normalize_legacy(
    recs: &mut Recommendations,
    now: u64,
    window: u64,
    current: u32,
    proposal: u32,
    min: u32,
    max: u32,
) -> (u32, String) {
    let cut = cutoff(now, window);
    let mut stabilized = proposal;
    let mut old_index = None;
    for (i, &(rec, ts)) in recs.0.iter().enumerate() {
        if before(ts, cut) {
            old_index = Some(i);
        } else if rec > stabilized {
            stabilized = rec;
        }
    }
    match old_index {
        Some(i) => recs.0[i] = (proposal, now),
        None => recs.0.push((proposal, now)),
    }
    let mut notes = Vec::new();
    if stabilized != proposal {
        notes.push("ScaleDownStabilized: recent recommendations were higher".to_string());
    }
    // int32(math.Max(2*current, 4)), saturating.
    let scale_up_limit = current.saturating_mul(2).max(4);
    let (max_allowed, limit_reason) = if max > scale_up_limit {
        (
            scale_up_limit,
            "ScaleUpLimit: increasing faster than the maximum scale rate (2x or 4)",
        )
    } else {
        (max, "TooManyReplicas: more than maxReplicas")
    };
    let desired = if stabilized < min {
        notes.push("TooFewReplicas: less than minReplicas".into());
        min
    } else if stabilized > max_allowed {
        notes.push(limit_reason.into());
        max_allowed
    } else {
        stabilized
    };
    (desired, notes.join("; "))
}

/// Behavior path: stabilize between the up and down windows, then rate-limit.
#[allow(clippy::too_many_arguments)]
pub(crate) fn normalize_with_behavior(
    recs: &mut Recommendations,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    up: &ResolvedRules,
    down: &ResolvedRules,
    now: u64,
    current: u32,
    proposal: u32,
    min: u32,
    max: u32,
) -> (u32, String) {
    let up_cut = cutoff(now, up.stabilization_window_ns);
    let down_cut = cutoff(now, down.stabilization_window_ns);
    let (mut up_rec, mut down_rec) = (proposal, proposal);
    let mut old_index = None;
    for (i, &(rec, ts)) in recs.0.iter().enumerate() {
        if after(ts, up_cut) {
            up_rec = up_rec.min(rec);
        }
        if after(ts, down_cut) {
            down_rec = down_rec.max(rec);
        }
        if before(ts, up_cut) && before(ts, down_cut) {
            old_index = Some(i);
        }
    }
    let mut r = current;
    if r < up_rec {
        r = up_rec;
    }
    if r > down_rec {
        r = down_rec;
    }
    match old_index {
        Some(i) => recs.0[i] = (proposal, now),
        None => recs.0.push((proposal, now)),
    }
    let mut notes = Vec::new();
    if r != proposal {
        notes.push(if proposal >= current {
            "ScaleUpStabilized: recent recommendations were lower".to_string()
        } else {
            "ScaleDownStabilized: recent recommendations were higher".to_string()
        });
    }
    let (cur, r64) = (i64::from(current), i64::from(r));
    let desired = if r > current {
        let limit = scale_up_limit(cur, up_events, down_events, up, now).max(cur);
        let (max_allowed, why) = if i64::from(max) > limit {
            (
                limit,
                "ScaleUpLimit: increasing faster than the behavior policies allow",
            )
        } else {
            (i64::from(max), "TooManyReplicas: more than maxReplicas")
        };
        if r64 > max_allowed {
            notes.push(why.to_string());
            max_allowed
        } else {
            r64
        }
    } else if r < current {
        let limit = scale_down_limit(cur, up_events, down_events, down, now).min(cur);
        let (min_allowed, why) = if i64::from(min) < limit {
            (
                limit,
                "ScaleDownLimit: decreasing faster than the behavior policies allow",
            )
        } else {
            (i64::from(min), "TooFewReplicas: less than minReplicas")
        };
        if r64 < min_allowed {
            notes.push(why.to_string());
            min_allowed
        } else {
            r64
        }
    } else {
        r64
    };
    (
        u32::try_from(desired.max(0)).unwrap_or(u32::MAX),
        notes.join("; "),
    )
}

/// Σ changes of events with `ts > now − period` (`getReplicasChangePerPeriod`).
fn change_in_period(events: &[ScaleEvent], period: u64, now: u64) -> i64 {
    let cut = cutoff(now, period);
    events
        .iter()
        .filter(|e| after(e.at_ns, cut))
        .map(|e| i64::from(e.change))
        .sum()
}

fn period_start(cur: i64, up: &[ScaleEvent], down: &[ScaleEvent], period: u64, now: u64) -> i64 {
    cur - change_in_period(up, period, now) + change_in_period(down, period, now)
}

fn scale_up_limit(
    cur: i64,
    up: &[ScaleEvent],
    down: &[ScaleEvent],
    rules: &ResolvedRules,
    now: u64,
) -> i64 {
    let pick: fn(i64, i64) -> i64 = match rules.select_policy {
        SelectPolicy::Disabled => return cur,
        SelectPolicy::Min => i64::min,
        SelectPolicy::Max => i64::max,
    };
    let mut result: Option<i64> = None;
    for p in &rules.policies {
        let start = period_start(cur, up, down, p.period_ns, now);
        let proposed = match p.kind {
            ScalingPolicyType::Pods => start + i64::from(p.value),
            ScalingPolicyType::Percent => {
                (start as f64 * (1.0 + f64::from(p.value) / 100.0)).ceil() as i64
            }
        };
        result = Some(result.map_or(proposed, |r| pick(r, proposed)));
    }
    // No policies (only possible with Disabled, rejected otherwise): no limit.
    result.unwrap_or(i64::from(i32::MAX))
}

fn scale_down_limit(
    cur: i64,
    up: &[ScaleEvent],
    down: &[ScaleEvent],
    rules: &ResolvedRules,
    now: u64,
) -> i64 {
    let pick: fn(i64, i64) -> i64 = match rules.select_policy {
        SelectPolicy::Disabled => return cur,
        SelectPolicy::Min => i64::max,
        SelectPolicy::Max => i64::min,
    };
    let mut result: Option<i64> = None;
    for p in &rules.policies {
        let start = period_start(cur, up, down, p.period_ns, now);
        let proposed = match p.kind {
            ScalingPolicyType::Pods => start - i64::from(p.value),
            // int32(float64(start) * (1 - value/100)): truncation toward zero.
            ScalingPolicyType::Percent => {
                (start as f64 * (1.0 - f64::from(p.value) / 100.0)) as i64
            }
        };
        result = Some(result.map_or(proposed, |r| pick(r, proposed)));
    }
    result.unwrap_or(i64::from(i32::MIN))
}

/// Stores a scale event: marks events older than the direction's longest policy period
/// outdated, then overwrites the last outdated slot or appends (`storeScaleEvent`).
pub(crate) fn store_event(
    events: &mut Vec<ScaleEvent>,
    rules: &ResolvedRules,
    now: u64,
    change: u32,
) {
    let longest = rules
        .policies
        .iter()
        .map(|p| p.period_ns)
        .max()
        .unwrap_or(0);
    let cut = cutoff(now, longest);
    let mut old_index = None;
    for (i, e) in events.iter_mut().enumerate() {
        if before(e.at_ns, cut) {
            e.outdated = true;
        }
        if e.outdated {
            old_index = Some(i);
        }
    }
    let ev = ScaleEvent {
        change,
        at_ns: now,
        outdated: false,
    };
    match old_index {
        Some(i) => events[i] = ev,
        None => events.push(ev),
    }
}
