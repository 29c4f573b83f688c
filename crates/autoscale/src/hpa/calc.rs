//! Per-metric replica proposals (`replica_calculator.go`): pod grouping, integer
//! utilization, the tolerance band, and the missing/unready pod adjustments.

use super::spec::{HpaMetric, HpaSpec, MetricTarget, ResourceName, ResourceTarget};
use crate::observe::{Observation, PodPhase, PodSample};

/// Scale-down and scale-up tolerances around a usage ratio of 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tolerances {
    pub down: f64,
    pub up: f64,
}

impl Tolerances {
    /// `(1 − down) ≤ ratio ≤ (1 + up)`, inclusive at both ends (`isWithin`).
    pub(crate) fn is_within(self, ratio: f64) -> bool {
        (1.0 - self.down) <= ratio && ratio <= (1.0 + self.up)
    }
}

/// One metric's proposal and the value reported for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MetricProposal {
    pub replicas: u32,
    /// Current value as HPA status shows it (percent for utilization, else units).
    pub value: f64,
    /// Words for the decision's reason, e.g. "cpu resource utilization".
    pub label: String,
}

/// `int32(math.Ceil(x))` made total: NaN → 0, negatives → 0, huge → i32::MAX.
fn ceil_replicas(x: f64) -> u32 {
    let c = x.ceil();
    if c.is_nan() || c <= 0.0 {
        0
    } else if c >= f64::from(i32::MAX) {
        i32::MAX as u32
    } else {
        c as u32
    }
}

/// How one pod counts for one metric (`groupPods`).
enum Group {
    Ready(i64),
    Unready,
    Missing,
    Ignored,
}

fn group(pod: &PodSample, value: Option<i64>, cpu: bool, now: u64, spec: &HpaSpec) -> Group {
    match pod.phase {
        PodPhase::Terminating => return Group::Ignored,
        PodPhase::Pending => return Group::Unready,
        PodPhase::Running => {}
    }
    let Some(v) = value else {
        return Group::Missing;
    };
    if cpu {
        let unready = match pod.ready_transition_ns {
            None => true,
            Some(transition) => {
                if pod
                    .started_ns
                    .saturating_add(spec.cpu_initialization_period_ns)
                    > now
                {
                    // Sample timestamp is `now`: it must be at least one window after
                    // the last readiness transition.
                    !pod.ready || now < transition.saturating_add(spec.cpu_metric_window_ns)
                } else {
                    !pod.ready
                        && pod
                            .started_ns
                            .saturating_add(spec.initial_readiness_delay_ns)
                            > transition
                }
            }
        };
        if unready {
            return Group::Unready;
        }
    }
    Group::Ready(v)
}

/// The proposal of one metric, or the error that makes it invalid.
pub(crate) fn proposal(
    metric: &HpaMetric,
    obs: &Observation,
    tol: Tolerances,
    spec: &HpaSpec,
) -> Result<MetricProposal, String> {
    let current = obs.spec_replicas;
    match metric {
        HpaMetric::Resource { name, target } => {
            let cpu = *name == ResourceName::Cpu;
            let sample = |p: &PodSample| -> (Option<i64>, i64) {
                if cpu {
                    (p.cpu_usage_milli.map(sat_i64), sat_i64(p.cpu_request_milli))
                } else {
                    // Memory quantities are bytes; MilliValue() is bytes × 1000.
                    (
                        p.memory_usage_bytes
                            .map(|b| sat_i64(b).saturating_mul(1000)),
                        sat_i64(p.memory_request_bytes).saturating_mul(1000),
                    )
                }
            };
            let res = if cpu { "cpu" } else { "memory" };
            match target {
                ResourceTarget::Utilization(t) => {
                    let (replicas, util) =
                        utilization_replicas(obs, current, *t, cpu, &sample, tol, spec)?;
                    Ok(MetricProposal {
                        replicas,
                        value: f64::from(util),
                        label: format!("{res} resource utilization (percentage of request)"),
                    })
                }
                ResourceTarget::AverageValue(t) => {
                    let values: Vec<Option<i64>> = obs.pods.iter().map(|p| sample(p).0).collect();
                    let (replicas, usage) =
                        plain_replicas(obs, current, *t, &values, cpu, tol, spec)?;
                    // Milli-units back to cores (cpu) or bytes (memory, stored as bytes × 1000).
                    let unit = 1000.0;
                    Ok(MetricProposal {
                        replicas,
                        value: usage as f64 / unit,
                        label: format!("{res} resource"),
                    })
                }
            }
        }
        HpaMetric::Pods {
            name,
            average_value_milli,
        } => {
            let values: Vec<Option<i64>> = obs
                .pods
                .iter()
                .map(|p| p.pod_metric(name).map(crate::quantity::to_milli))
                .collect();
            let (replicas, usage) = plain_replicas(
                obs,
                current,
                *average_value_milli,
                &values,
                false,
                tol,
                spec,
            )?;
            Ok(MetricProposal {
                replicas,
                value: usage as f64 / 1000.0,
                label: format!("pods metric {name}"),
            })
        }
        HpaMetric::Object { name, target } | HpaMetric::External { name, target } => {
            let raw = obs
                .external(name)
                .ok_or_else(|| format!("unable to get metric {name}: no value"))?;
            let usage = crate::quantity::to_milli(raw);
            let label = format!("external metric {name}");
            match target {
                MetricTarget::Value(t) => {
                    let ratio = usage as f64 / *t as f64;
                    let replicas = if current != 0 {
                        if tol.is_within(ratio) {
                            current
                        } else {
                            if obs.pods.is_empty() {
                                return Err(
                                    "no pods returned by selector while calculating replica count"
                                        .into(),
                                );
                            }
                            ceil_replicas(ratio * f64::from(obs.ready_count()))
                        }
                    } else {
                        ceil_replicas(ratio)
                    };
                    Ok(MetricProposal {
                        replicas,
                        value: usage as f64 / 1000.0,
                        label,
                    })
                }
                MetricTarget::AverageValue(t) => {
                    let status = crate::observe::count_u32(
                        obs.pods.iter().filter(|p| p.phase != PodPhase::Terminating),
                    );
                    let whole = ceil_replicas(usage as f64 / *t as f64);
                    let (replicas, per_pod) = if status == 0 {
                        (whole, usage as f64 / 1000.0)
                    } else {
                        let ratio = usage as f64 / (*t as f64 * f64::from(status));
                        let r = if tol.is_within(ratio) { status } else { whole };
                        (r, (usage as f64 / f64::from(status)).ceil() / 1000.0)
                    };
                    Ok(MetricProposal {
                        replicas,
                        value: per_pod,
                        label,
                    })
                }
            }
        }
    }
}

fn sat_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// `GetResourceReplicas`: integer utilization against requests.
fn utilization_replicas(
    obs: &Observation,
    current: u32,
    target: i32,
    cpu: bool,
    sample: &dyn Fn(&PodSample) -> (Option<i64>, i64),
    tol: Tolerances,
    spec: &HpaSpec,
) -> Result<(u32, i32), String> {
    if obs.pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let res = if cpu { "cpu" } else { "memory" };
    // (value, request) of pods with a metric; requests of missing/unready pods.
    let mut ready: Vec<(i64, i64)> = Vec::new();
    let mut missing: Vec<i64> = Vec::new();
    let mut unready: Vec<i64> = Vec::new();
    for (i, p) in obs.pods.iter().enumerate() {
        let (value, request) = sample(p);
        if request <= 0 {
            return Err(format!("missing request for {res} in pod #{i}"));
        }
        match group(p, value, cpu, obs.now_ns, spec) {
            Group::Ready(v) => ready.push((v, request)),
            Group::Missing => missing.push(request),
            Group::Unready => unready.push(request),
            Group::Ignored => {}
        }
    }
    if ready.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let ratio_of = |m: &[(i64, i64)]| -> (f64, i32) {
        let used: i128 = m.iter().map(|&(v, _)| i128::from(v)).sum();
        let req: i128 = m.iter().map(|&(_, r)| i128::from(r)).sum();
        // Requests are positive, so req > 0 here.
        let util = i32::try_from(used * 100 / req.max(1)).unwrap_or(i32::MAX);
        (f64::from(util) / f64::from(target), util)
    };
    let (ratio, util) = ratio_of(&ready);
    let ready_count = ready.len();
    let scale_up_with_unready = !unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && missing.is_empty() {
        if tol.is_within(ratio) {
            return Ok((current, util));
        }
        return Ok((ceil_replicas(ratio * ready_count as f64), util));
    }
    let mut all = ready;
    if !missing.is_empty() {
        if ratio < 1.0 {
            let fallback = i64::from(target.max(100));
            all.extend(
                missing
                    .iter()
                    .map(|&r| (r.saturating_mul(fallback) / 100, r)),
            );
        } else if ratio > 1.0 {
            all.extend(missing.iter().map(|&r| (0, r)));
        }
    }
    if scale_up_with_unready {
        all.extend(unready.iter().map(|&r| (0, r)));
    }
    let (new_ratio, _) = ratio_of(&all);
    Ok((adjusted(current, ratio, new_ratio, all.len(), tol), util))
}

/// The common tail of both calculators once missing/unready pods are filled in.
fn adjusted(current: u32, ratio: f64, new_ratio: f64, n: usize, tol: Tolerances) -> u32 {
    if tol.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return current;
    }
    let new_replicas = ceil_replicas(new_ratio * n as f64);
    if (new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current) {
        return current;
    }
    new_replicas
}

/// `calcPlainMetricReplicas`: Pods metrics and resource AverageValue targets.
fn plain_replicas(
    obs: &Observation,
    current: u32,
    target: i64,
    values: &[Option<i64>],
    cpu: bool,
    tol: Tolerances,
    spec: &HpaSpec,
) -> Result<(u32, i64), String> {
    if obs.pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let mut ready: Vec<i64> = Vec::new();
    let (mut missing, mut unready) = (0usize, 0usize);
    for (p, v) in obs.pods.iter().zip(values) {
        match group(p, *v, cpu, obs.now_ns, spec) {
            Group::Ready(v) => ready.push(v),
            Group::Missing => missing += 1,
            Group::Unready => unready += 1,
            Group::Ignored => {}
        }
    }
    if ready.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let usage_of = |m: &[i64]| -> (f64, i64) {
        let total: i128 = m.iter().map(|&v| i128::from(v)).sum();
        let avg = i64::try_from(total / m.len().max(1) as i128).unwrap_or(i64::MAX);
        (avg as f64 / target as f64, avg)
    };
    let (ratio, usage) = usage_of(&ready);
    let ready_count = ready.len();
    let scale_up_with_unready = unready > 0 && ratio > 1.0;
    if !scale_up_with_unready && missing == 0 {
        if tol.is_within(ratio) {
            return Ok((current, usage));
        }
        return Ok((ceil_replicas(ratio * ready_count as f64), usage));
    }
    let mut all = ready;
    if missing > 0 {
        if ratio < 1.0 {
            all.extend(std::iter::repeat(target).take(missing));
        } else if ratio > 1.0 {
            all.extend(std::iter::repeat(0).take(missing));
        }
    }
    if scale_up_with_unready {
        all.extend(std::iter::repeat(0).take(unready));
    }
    let (new_ratio, _) = usage_of(&all);
    Ok((adjusted(current, ratio, new_ratio, all.len(), tol), usage))
}
