//! The HPA's configuration, resolved: what `spec` says plus the controller-manager
//! flags that shape it (sync period, tolerance, CPU initialization period, ...).

use crate::duration::NS_PER_S;

/// A resource metric of `type: Resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceName {
    /// CPU, in millicores.
    Cpu,
    /// Memory, in bytes.
    Memory,
}

/// Target of a Resource metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ResourceTarget {
    /// `averageUtilization`: percent of the request, an integer.
    Utilization(i32),
    /// `averageValue`: per-pod usage in milli-units (millicores; bytes × 1000).
    AverageValue(i64),
}

/// Target of an Object or External metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricTarget {
    /// `value`: the metric's total, in milli-units.
    Value(i64),
    /// `averageValue`: the total divided by the replicas, in milli-units.
    AverageValue(i64),
}

/// One entry of `spec.metrics`.
#[derive(Debug, Clone, PartialEq)]
pub enum HpaMetric {
    /// `type: Resource` (`cpu` or `memory`).
    Resource {
        name: ResourceName,
        target: ResourceTarget,
    },
    /// `type: Pods`: a per-pod metric averaged over pods; target `averageValue` (milli).
    Pods {
        name: String,
        average_value_milli: i64,
    },
    /// `type: Object`: one value describing another object (read from
    /// [`crate::Observation::external`]).
    Object { name: String, target: MetricTarget },
    /// `type: External`: a value from outside the cluster, e.g. a queue depth.
    External { name: String, target: MetricTarget },
}

impl HpaMetric {
    /// The metric's name as observations and decisions carry it.
    pub fn name(&self) -> &str {
        match self {
            HpaMetric::Resource {
                name: ResourceName::Cpu,
                ..
            } => "cpu",
            HpaMetric::Resource {
                name: ResourceName::Memory,
                ..
            } => "memory",
            HpaMetric::Pods { name, .. }
            | HpaMetric::Object { name, .. }
            | HpaMetric::External { name, .. } => name,
        }
    }
}

/// `selectPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectPolicy {
    /// The policy allowing the most change (default).
    Max,
    /// The policy allowing the least change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// `policies[].type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalingPolicyType {
    /// An absolute number of pods per period.
    Pods,
    /// A percentage of the replicas at the start of the period.
    Percent,
}

/// One rate-limit policy: at most `value` pods/percent per `period_ns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalingPolicy {
    pub kind: ScalingPolicyType,
    pub value: u32,
    pub period_ns: u64,
}

/// `behavior.scaleUp` / `behavior.scaleDown` as written: `None` fields get defaults.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScalingRules {
    pub stabilization_window_ns: Option<u64>,
    pub select_policy: Option<SelectPolicy>,
    pub policies: Option<Vec<ScalingPolicy>>,
    /// Per-direction tolerance (`HPAConfigurableTolerance`), overrides the global one.
    pub tolerance: Option<f64>,
}

/// `spec.behavior` as written. Present (even empty) selects the behavior path.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Behavior {
    pub scale_up: Option<ScalingRules>,
    pub scale_down: Option<ScalingRules>,
}

/// A complete HPA configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct HpaSpec {
    /// `minReplicas` (default 1).
    pub min_replicas: u32,
    /// `maxReplicas`.
    pub max_replicas: u32,
    /// `metrics`; empty means CPU utilization 80 %.
    pub metrics: Vec<HpaMetric>,
    /// `behavior`; `None` selects the legacy normalization path.
    pub behavior: Option<Behavior>,
    /// `--horizontal-pod-autoscaler-sync-period` (15 s).
    pub sync_period_ns: u64,
    /// `--horizontal-pod-autoscaler-tolerance` (0.1).
    pub tolerance: f64,
    /// `--horizontal-pod-autoscaler-cpu-initialization-period` (5 min).
    pub cpu_initialization_period_ns: u64,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay` (30 s).
    pub initial_readiness_delay_ns: u64,
    /// `--horizontal-pod-autoscaler-downscale-stabilization` (5 min): the legacy window
    /// and the default of `behavior.scaleDown.stabilizationWindowSeconds`.
    pub downscale_stabilization_ns: u64,
    /// Window of a CPU sample (metrics-server resolution, 15 s): a pod that became
    /// ready less than one window ago is still set aside for CPU.
    pub cpu_metric_window_ns: u64,
}

impl HpaSpec {
    /// A spec with the controller-manager defaults.
    pub fn new(min_replicas: u32, max_replicas: u32, metrics: Vec<HpaMetric>) -> Self {
        HpaSpec {
            min_replicas,
            max_replicas,
            metrics,
            behavior: None,
            sync_period_ns: 15 * NS_PER_S,
            tolerance: 0.1,
            cpu_initialization_period_ns: 300 * NS_PER_S,
            initial_readiness_delay_ns: 30 * NS_PER_S,
            downscale_stabilization_ns: 300 * NS_PER_S,
            cpu_metric_window_ns: 15 * NS_PER_S,
        }
    }

    /// Checks what the API server's validation checks, plus our own limits.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_replicas < 1 {
            return Err(format!(
                "maxReplicas must be at least 1, found {}",
                self.max_replicas
            ));
        }
        if self.min_replicas > self.max_replicas {
            return Err(format!(
                "minReplicas ({}) must be at most maxReplicas ({})",
                self.min_replicas, self.max_replicas
            ));
        }
        // Kubernetes sets no floor on --horizontal-pod-autoscaler-sync-period
        // (managed clusters allow 10-15 s); 1 s keeps the reconcile count
        // bounded by the run length.
        if self.sync_period_ns < NS_PER_S {
            return Err(format!(
                "sync_period must be at least 1s, found {}",
                crate::duration::format_duration(self.sync_period_ns)
            ));
        }
        if !(self.tolerance >= 0.0 && self.tolerance.is_finite()) {
            return Err(format!(
                "tolerance must be a non-negative number, found {}",
                self.tolerance
            ));
        }
        for m in &self.metrics {
            match m {
                HpaMetric::Resource {
                    target: ResourceTarget::Utilization(u),
                    ..
                } if *u <= 0 => {
                    return Err(format!(
                        "{}: averageUtilization must be positive, found {u}",
                        m.name()
                    ))
                }
                HpaMetric::Resource {
                    target: ResourceTarget::AverageValue(v),
                    ..
                }
                | HpaMetric::Pods {
                    average_value_milli: v,
                    ..
                }
                | HpaMetric::Object {
                    target: MetricTarget::AverageValue(v) | MetricTarget::Value(v),
                    ..
                }
                | HpaMetric::External {
                    target: MetricTarget::AverageValue(v) | MetricTarget::Value(v),
                    ..
                } if *v <= 0 => {
                    return Err(format!(
                        "{}: the target must be positive, found {}",
                        m.name(),
                        *v as f64 / 1000.0
                    ))
                }
                _ => {}
            }
        }
        if let Some(b) = &self.behavior {
            for (dir, r) in [("scaleUp", &b.scale_up), ("scaleDown", &b.scale_down)] {
                let Some(r) = r else { continue };
                if let Some(w) = r.stabilization_window_ns {
                    if w > 3600 * NS_PER_S {
                        return Err(format!(
                            "behavior.{dir}.stabilizationWindowSeconds must be at most 3600"
                        ));
                    }
                }
                if let Some(t) = r.tolerance {
                    if !(t >= 0.0 && t.is_finite()) {
                        return Err(format!(
                            "behavior.{dir}.tolerance must be non-negative, found {t}"
                        ));
                    }
                }
                if let Some(ps) = &r.policies {
                    if ps.is_empty() && r.select_policy != Some(SelectPolicy::Disabled) {
                        return Err(format!(
                            "behavior.{dir}.policies: must specify at least one policy"
                        ));
                    }
                    for p in ps {
                        if p.value == 0 {
                            return Err(format!(
                                "behavior.{dir}.policies: value must be greater than zero"
                            ));
                        }
                        if p.period_ns < NS_PER_S || p.period_ns > 1800 * NS_PER_S {
                            return Err(format!(
                                "behavior.{dir}.policies: periodSeconds must be in 1..=1800, found {}",
                                p.period_ns as f64 / NS_PER_S as f64
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
