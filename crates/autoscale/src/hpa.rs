//! Kubernetes HorizontalPodAutoscaler `autoscaling/v2`, reconcile by reconcile.
//!
//! Follows `pkg/controller/podautoscaler/horizontal.go` (`reconcileAutoscaler`,
//! `computeReplicasForMetrics`, the two normalization paths) and
//! `replica_calculator.go`; see `docs/references.md` §1 and this crate's `NOTES.md`.
//! The per-metric arithmetic lives in [`calc`], stabilization and rate limits in
//! [`behavior`].

mod behavior;
mod calc;
mod spec;

pub use behavior::{ResolvedRules, ScaleEvent};
pub use spec::{
    Behavior, HpaMetric, HpaSpec, MetricTarget, ResourceName, ResourceTarget, ScalingPolicy,
    ScalingPolicyType, ScalingRules, SelectPolicy,
};

use crate::controller::Controller;
use crate::observe::{Decision, Observation};
use behavior::Recommendations;
use calc::Tolerances;

/// A running HPA: its spec plus the controller's in-memory state for this object.
#[derive(Debug, Clone)]
pub struct Hpa {
    spec: HpaSpec,
    /// `behavior` with defaults filled field by field (`None` = legacy path).
    rules: Option<(ResolvedRules, ResolvedRules)>,
    recommendations: Option<Recommendations>,
    scale_up_events: Vec<ScaleEvent>,
    scale_down_events: Vec<ScaleEvent>,
}

impl Hpa {
    /// Builds the controller. The spec is assumed valid (see [`HpaSpec::validate`]);
    /// an empty metric list means CPU utilization 80 %, as API defaulting does.
    pub fn new(mut spec: HpaSpec) -> Self {
        if spec.metrics.is_empty() {
            spec.metrics.push(HpaMetric::Resource {
                name: ResourceName::Cpu,
                target: ResourceTarget::Utilization(80),
            });
        }
        spec.max_replicas = spec.max_replicas.max(spec.min_replicas);
        let rules = spec
            .behavior
            .as_ref()
            .map(|b| b.resolve(spec.downscale_stabilization_ns));
        Hpa {
            spec,
            rules,
            recommendations: None,
            scale_up_events: Vec::new(),
            scale_down_events: Vec::new(),
        }
    }

    /// The spec this controller runs.
    pub fn spec(&self) -> &HpaSpec {
        &self.spec
    }

    fn tolerances(&self) -> Tolerances {
        let global = self.spec.tolerance;
        match &self.rules {
            Some((up, down)) => Tolerances {
                up: up.tolerance.unwrap_or(global),
                down: down.tolerance.unwrap_or(global),
            },
            None => Tolerances {
                up: global,
                down: global,
            },
        }
    }
}

impl Controller for Hpa {
    fn kind(&self) -> &'static str {
        "hpa"
    }

    fn first_tick_ns(&self) -> u64 {
        0
    }

    fn period_ns(&self) -> u64 {
        self.spec.sync_period_ns
    }

    fn reconcile(&mut self, obs: &Observation) -> Decision {
        let now = obs.now_ns;
        let current = obs.spec_replicas;
        // §1.2.1: the very first reconcile records (current, now) before any check.
        self.recommendations
            .get_or_insert_with(|| Recommendations::initial(current, now));
        let (min, max) = (self.spec.min_replicas, self.spec.max_replicas);
        let mut metrics = Vec::new();
        let (proposal, desired, reason) = if current == 0 && min != 0 {
            (
                0,
                0,
                "scaling is disabled since the replica count of the target is zero".to_string(),
            )
        } else if current > max {
            (
                max,
                max,
                "current number of replicas above maxReplicas".to_string(),
            )
        } else if current < min {
            (
                min,
                min,
                "current number of replicas below minReplicas".to_string(),
            )
        } else {
            let tol = self.tolerances();
            let mut best: Option<(u32, String)> = None;
            let mut invalid: Vec<String> = Vec::new();
            for m in &self.spec.metrics {
                match calc::proposal(m, obs, tol, &self.spec) {
                    Ok(r) => {
                        metrics.push((m.name().to_string(), r.value));
                        let better = match &best {
                            None => true,
                            Some((b, _)) => *b == 0 || r.replicas > *b,
                        };
                        if better {
                            best = Some((r.replicas, r.label));
                        }
                    }
                    Err(e) => invalid.push(format!("{}: {e}", m.name())),
                }
            }
            let best_replicas = best.as_ref().map_or(0, |b| b.0);
            if invalid.len() >= self.spec.metrics.len()
                || (!invalid.is_empty() && best_replicas < current)
            {
                let reason = format!(
                    "invalid metrics ({} invalid out of {}), first error is: {}; not scaling",
                    invalid.len(),
                    self.spec.metrics.len(),
                    invalid.first().map_or("", String::as_str)
                );
                return Decision {
                    now_ns: now,
                    current,
                    proposal: current,
                    desired: current,
                    reason,
                    metrics,
                };
            }
            let label = best.map_or_else(String::new, |b| b.1);
            let mut reason = if best_replicas > current {
                format!("{label} above target")
            } else if best_replicas < current {
                "all metrics below target".to_string()
            } else {
                "within tolerance".to_string()
            };
            if !invalid.is_empty() {
                reason.push_str(&format!(
                    " (ignored invalid metrics: {})",
                    invalid.join("; ")
                ));
            }
            let recs = self
                .recommendations
                .get_or_insert_with(|| Recommendations::initial(current, now));
            let (desired, limit) = match &self.rules {
                None => behavior::normalize_legacy(
                    recs,
                    now,
                    self.spec.downscale_stabilization_ns,
                    current,
                    best_replicas,
                    min,
                    max,
                ),
                Some((up, down)) => behavior::normalize_with_behavior(
                    recs,
                    &self.scale_up_events,
                    &self.scale_down_events,
                    up,
                    down,
                    now,
                    current,
                    best_replicas,
                    min,
                    max,
                ),
            };
            if !limit.is_empty() {
                reason.push_str("; ");
                reason.push_str(&limit);
            }
            (best_replicas, desired, reason)
        };
        if desired != current {
            if let Some((up, down)) = &self.rules {
                if desired > current {
                    behavior::store_event(&mut self.scale_up_events, up, now, desired - current);
                } else {
                    behavior::store_event(
                        &mut self.scale_down_events,
                        down,
                        now,
                        current - desired,
                    );
                }
            }
        }
        Decision {
            now_ns: now,
            current,
            proposal,
            desired,
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
mod tests;
