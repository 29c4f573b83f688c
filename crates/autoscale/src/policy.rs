//! A resolved, checked policy of any kind, and the one place that builds its controller.

use crate::controller::Controller;
use crate::hpa::{Hpa, HpaMetric, HpaSpec, ResourceName, ResourceTarget};
use crate::schedule::ScheduleRule;
use crate::step::{StepScaling, StepSpec};
use crate::target_tracking::{TargetTracking, TargetTrackingSpec};
use crate::threshold::{Threshold, ThresholdSpec};

/// Which controller, with its resolved configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyKind {
    Hpa(HpaSpec),
    TargetTracking(TargetTrackingSpec),
    Step(StepSpec),
    Threshold(ThresholdSpec),
}

/// A policy ready to run: a controller configuration plus an optional daily schedule
/// of bounds (applied by the caller, see [`crate::schedule`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub kind: PolicyKind,
    pub schedule: Vec<ScheduleRule>,
}

impl Policy {
    /// A fresh controller for one run (controllers carry state; build one per run).
    pub fn build(&self) -> Box<dyn Controller + Send> {
        match &self.kind {
            PolicyKind::Hpa(s) => Box::new(Hpa::new(s.clone())),
            PolicyKind::TargetTracking(s) => Box::new(TargetTracking::new(s.clone())),
            PolicyKind::Step(s) => Box::new(StepScaling::new(s.clone())),
            PolicyKind::Threshold(s) => Box::new(Threshold::new(s.clone())),
        }
    }

    /// The configured `(min, max)` before any schedule.
    pub fn bounds(&self) -> (u32, u32) {
        match &self.kind {
            PolicyKind::Hpa(s) => (s.min_replicas, s.max_replicas),
            PolicyKind::TargetTracking(s) => (s.min_replicas, s.max_replicas),
            PolicyKind::Step(s) => (s.min_replicas, s.max_replicas),
            PolicyKind::Threshold(s) => (s.min_replicas, s.max_replicas),
        }
    }

    /// Names of the metrics the policy reads, in order, without duplicates.
    pub fn metric_names(&self) -> Vec<String> {
        let names: Vec<String> = match &self.kind {
            PolicyKind::Hpa(s) if s.metrics.is_empty() => vec!["cpu".into()],
            PolicyKind::Hpa(s) => s.metrics.iter().map(|m| m.name().to_string()).collect(),
            PolicyKind::TargetTracking(s) => vec![s.metric.clone()],
            PolicyKind::Step(s) => vec![s.metric.clone()],
            PolicyKind::Threshold(s) => s.rules.iter().map(|r| r.metric.clone()).collect(),
        };
        let mut out: Vec<String> = Vec::new();
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }

    /// True when a metric is per replica (a Pods metric): HPA Pods metrics, and `rps` /
    /// `rpm` for the other kinds. Everything else but `cpu`/`memory` is External.
    pub fn is_pods_metric(&self, name: &str) -> bool {
        match &self.kind {
            PolicyKind::Hpa(s) => s
                .metrics
                .iter()
                .any(|m| matches!(m, HpaMetric::Pods { name: n, .. } if n == name)),
            _ => name == "rps" || name == "rpm",
        }
    }

    /// True when the policy compares `resource` (`cpu`/`memory`) against pod requests.
    pub fn needs_request(&self, resource: &str) -> bool {
        match &self.kind {
            PolicyKind::Hpa(s) => {
                let all = if s.metrics.is_empty() {
                    vec![ResourceName::Cpu]
                } else {
                    s.metrics
                        .iter()
                        .filter_map(|m| match m {
                            HpaMetric::Resource {
                                name,
                                target: ResourceTarget::Utilization(_),
                            } => Some(*name),
                            _ => None,
                        })
                        .collect()
                };
                all.iter().any(|r| {
                    matches!(
                        (r, resource),
                        (ResourceName::Cpu, "cpu") | (ResourceName::Memory, "memory")
                    )
                })
            }
            _ => self.metric_names().iter().any(|n| n == resource),
        }
    }
}
