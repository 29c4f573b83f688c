//! HPA vectors derived by hand from docs/references.md §1 and the controller source.

use super::*;
use crate::observe::{PodPhase, PodSample};

const S: u64 = 1_000_000_000;

fn cpu(target: i32) -> HpaMetric {
    HpaMetric::Resource {
        name: ResourceName::Cpu,
        target: ResourceTarget::Utilization(target),
    }
}

/// A pod that has been ready for an hour, using `usage` of a 1000m request.
fn pod(usage: u64) -> PodSample {
    let mut p = PodSample::ready_pod(0, 1000, 1 << 30);
    p.cpu_usage_milli = Some(usage);
    p
}

fn obs(now_s: u64, spec: u32, pods: Vec<PodSample>) -> Observation {
    Observation {
        now_ns: 3600 * S + now_s * S,
        spec_replicas: spec,
        pods,
        external: vec![],
    }
}

/// `n` identical pods each at `usage` millicores.
fn uniform(now_s: u64, n: u32, usage: u64) -> Observation {
    obs(now_s, n, (0..n).map(|_| pod(usage)).collect())
}

fn behavior_spec(min: u32, max: u32, metrics: Vec<HpaMetric>, b: Behavior) -> HpaSpec {
    let mut s = HpaSpec::new(min, max, metrics);
    s.behavior = Some(b);
    s
}

#[test]
fn tolerance_band_is_inclusive_at_exactly_1_1() {
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![cpu(50)]));
    // 10 pods at 550m of 1000m → util 55 → ratio 55/50 = 1.1 → inside the band.
    let d = h.reconcile(&uniform(0, 10, 550));
    assert_eq!((d.proposal, d.desired), (10, 10), "{}", d.reason);
    // 560m → util 56 → ratio 1.12 → ceil(1.12 × 10) = 12.
    let d = h.reconcile(&uniform(15, 10, 560));
    assert_eq!((d.proposal, d.desired), (12, 12));
}

#[test]
fn utilization_is_an_integer_percent() {
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![cpu(50)]));
    // Σusage = 5599m over Σrequest 10000m → floor(55.99) = 55 → ratio 1.1 → no change.
    // (With a float utilization the ratio would be 1.1198 → 12 replicas.)
    let mut pods: Vec<PodSample> = (0..10).map(|_| pod(560)).collect();
    pods[0].cpu_usage_milli = Some(559);
    let d = h.reconcile(&obs(0, 10, pods));
    assert_eq!(d.metrics, vec![("cpu".to_string(), 55.0)]);
    assert_eq!(d.desired, 10);
}

#[test]
fn legacy_path_caps_at_2x_or_4_while_empty_behavior_allows_4_pods() {
    // V11/V12: one pod at 500 % of its request, target 50 % → proposal ceil(10 × 1) = 10.
    let mut legacy = Hpa::new(HpaSpec::new(1, 20, vec![cpu(50)]));
    let d = legacy.reconcile(&uniform(0, 1, 5000));
    assert_eq!((d.proposal, d.desired), (10, 4), "{}", d.reason);

    let mut with_behavior = Hpa::new(behavior_spec(1, 20, vec![cpu(50)], Behavior::default()));
    let d = with_behavior.reconcile(&uniform(0, 1, 5000));
    // max(Pods: 1 + 4, Percent: ceil(1 × 2)) = 5.
    assert_eq!((d.proposal, d.desired), (10, 5), "{}", d.reason);
}

#[test]
fn docs_example_80_72_64_57() {
    // Pods 4/60 s and Percent 10/60 s, selectPolicy Max (most change), no window.
    let down = ScalingRules {
        stabilization_window_ns: Some(0),
        select_policy: None,
        policies: Some(vec![
            ScalingPolicy {
                kind: ScalingPolicyType::Pods,
                value: 4,
                period_ns: 60 * S,
            },
            ScalingPolicy {
                kind: ScalingPolicyType::Percent,
                value: 10,
                period_ns: 60 * S,
            },
        ]),
        tolerance: None,
    };
    let b = Behavior {
        scale_up: None,
        scale_down: Some(down),
    };
    let mut h = Hpa::new(behavior_spec(1, 100, vec![cpu(50)], b));
    let mut replicas = 80;
    let mut seen = vec![];
    for tick in 0..=8u64 {
        // Everyone at 1 % → proposal 2; only the rate limit holds replicas up.
        let d = h.reconcile(&uniform(tick * 15, replicas, 10));
        replicas = d.desired;
        seen.push(replicas);
    }
    // t=0: min(76, trunc(72.0)) = 72; held until the t=0 event leaves the 60 s period
    // (strict >), then 64 at t=60 s and trunc(57.6) = 57 at t=120 s.
    assert_eq!(seen, vec![72, 72, 72, 72, 64, 64, 64, 64, 57]);
}

#[test]
fn select_policy_max_min_disabled_for_scale_up() {
    let run = |select| {
        let up = ScalingRules {
            select_policy: Some(select),
            ..Default::default()
        };
        let mut h = Hpa::new(behavior_spec(
            1,
            100,
            vec![cpu(50)],
            Behavior {
                scale_up: Some(up),
                scale_down: None,
            },
        ));
        // 10 pods at 150 % vs 50 % → ratio 3 → proposal 30.
        h.reconcile(&uniform(0, 10, 1500)).desired
    };
    // Defaults Pods 4/15 s, Percent 100/15 s: Max → 20, Min → 14, Disabled → 10.
    assert_eq!(run(SelectPolicy::Max), 20);
    assert_eq!(run(SelectPolicy::Min), 14);
    assert_eq!(run(SelectPolicy::Disabled), 10);
}

#[test]
fn legacy_downscale_window_includes_its_edge_behavior_window_excludes_it() {
    // Proposal 10 at t=0, then 5 (util 25 % vs 50 %) forever after.
    let run = |spec: HpaSpec| {
        let mut h = Hpa::new(spec);
        let mut out = vec![];
        for t in [0u64, 15, 285, 300, 315] {
            let d = h.reconcile(&uniform(t, 10, if t == 0 { 500 } else { 250 }));
            out.push(d.desired);
        }
        out
    };
    // Legacy: the t=0 sample is still in the window at t=300 (ts ≥ now − 300 s).
    assert_eq!(
        run(HpaSpec::new(1, 100, vec![cpu(50)])),
        vec![10, 10, 10, 10, 5]
    );
    // Behavior: strict >, so it leaves the window at t=300 exactly.
    assert_eq!(
        run(behavior_spec(1, 100, vec![cpu(50)], Behavior::default())),
        vec![10, 10, 10, 5, 5]
    );
}

#[test]
fn scale_up_stabilization_window_is_strict() {
    let up = ScalingRules {
        stabilization_window_ns: Some(60 * S),
        ..Default::default()
    };
    let mut h = Hpa::new(behavior_spec(
        1,
        100,
        vec![cpu(50)],
        Behavior {
            scale_up: Some(up),
            scale_down: None,
        },
    ));
    // First reconcile records (2, t=0); the proposal of 6 must hold for a full window.
    let mut out = vec![];
    for t in [0u64, 15, 45, 60] {
        out.push(h.reconcile(&uniform(t, 2, 1500)).desired);
    }
    assert_eq!(out, vec![2, 2, 2, 6]);
}

#[test]
fn several_metrics_take_the_max_and_failures_block_only_scale_down() {
    let rps = HpaMetric::Pods {
        name: "rps".into(),
        average_value_milli: 100_000,
    };
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![cpu(50), rps.clone()]));
    let mut o = uniform(0, 4, 250); // cpu ratio 0.5 → 2
    for p in &mut o.pods {
        p.pods_metrics = vec![("rps".into(), Some(200.0))]; // ratio 2 → 8
    }
    let d = h.reconcile(&o);
    assert_eq!(d.proposal, 8);
    assert!(
        d.reason.contains("pods metric rps above target"),
        "{}",
        d.reason
    );

    // rps missing everywhere: that metric is invalid; the CPU proposal (2) is below
    // current, so nothing happens at all.
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![cpu(50), rps.clone()]));
    let d = h.reconcile(&uniform(0, 4, 250));
    assert_eq!(d.desired, 4);
    assert!(
        d.reason.starts_with("invalid metrics (1 invalid out of 2)"),
        "{}",
        d.reason
    );

    // ...but a scale-up from the valid metric still proceeds.
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![cpu(50), rps]));
    let d = h.reconcile(&uniform(0, 4, 1000));
    assert_eq!(d.desired, 8);
}

#[test]
fn missing_pods_count_as_target_on_scale_down_and_zero_on_scale_up() {
    let rps = HpaMetric::Pods {
        name: "rps".into(),
        average_value_milli: 100_000,
    };
    let with_rps = |vals: [Option<f64>; 4]| {
        let mut o = uniform(0, 4, 100);
        for (p, v) in o.pods.iter_mut().zip(vals) {
            p.pods_metrics = vec![("rps".into(), v)];
        }
        o
    };
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![rps.clone()]));
    // 3 × 50 + missing → ratio 0.5 < 1 → missing = 100 → avg 62.5 → ceil(0.625 × 4) = 3.
    let d = h.reconcile(&with_rps([Some(50.0), Some(50.0), Some(50.0), None]));
    assert_eq!(d.proposal, 3);
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![rps]));
    // 3 × 200 + missing → ratio 2 → missing = 0 → avg 150 → ceil(1.5 × 4) = 6.
    let d = h.reconcile(&with_rps([Some(200.0), Some(200.0), Some(200.0), None]));
    assert_eq!(d.proposal, 6);
}

#[test]
fn missing_cpu_pods_use_max_100_target_percent_of_request_on_scale_down() {
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![cpu(50)]));
    let mut pods: Vec<PodSample> = (0..4).map(|_| pod(100)).collect();
    pods[3].cpu_usage_milli = None;
    // ratio 10/50 = 0.2; missing pod counts as 100 % → util (300 + 1000)/4000 = 32 %
    // → ratio 0.64 → ceil(0.64 × 4) = 3 (not ceil(0.2 × 3) = 1).
    let d = h.reconcile(&obs(0, 4, pods));
    assert_eq!(d.proposal, 3);
}

#[test]
fn freshly_ready_pod_is_set_aside_for_cpu_and_counts_zero_on_scale_up() {
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![cpu(50)]));
    let now = 3600 * S;
    let mut fresh = pod(1000);
    fresh.started_ns = now - 20 * S;
    fresh.ready_transition_ns = Some(now - 5 * S); // less than one 15 s window ago
                                                   // Old pod at 100 % vs 50 % → ratio 2 > 1; the fresh pod counts as 0 →
                                                   // util 1000×100/2000 = 50 → ratio 1 → keep 2 (counting it would give 4).
    let d = h.reconcile(&obs(0, 2, vec![pod(1000), fresh.clone()]));
    assert_eq!(d.proposal, 2, "{}", d.reason);
    // A Pending pod is set aside for every metric in the same way.
    let mut pending = fresh;
    pending.phase = PodPhase::Pending;
    pending.cpu_usage_milli = None;
    let mut h = Hpa::new(HpaSpec::new(1, 100, vec![cpu(50)]));
    assert_eq!(
        h.reconcile(&obs(0, 2, vec![pod(1000), pending])).proposal,
        2
    );
}

#[test]
fn prechecks_clamp_without_reading_metrics() {
    let mut h = Hpa::new(HpaSpec::new(3, 20, vec![cpu(50)]));
    let d = h.reconcile(&obs(0, 25, vec![]));
    assert_eq!(d.desired, 20);
    let d = h.reconcile(&obs(15, 1, vec![]));
    assert_eq!(d.desired, 3);
    let d = h.reconcile(&obs(30, 0, vec![]));
    assert_eq!(d.desired, 0, "spec.replicas 0 disables autoscaling");
    // Back in range: the legacy window still holds the first reconcile's (25, t=0)
    // recommendation, which lifts the proposal (V08-like) up to the 2x-or-4 cap.
    let d = h.reconcile(&uniform(45, 3, 10));
    assert_eq!((d.proposal, d.desired), (1, 6), "{}", d.reason);
}

#[test]
fn per_direction_tolerance() {
    let up = ScalingRules {
        tolerance: Some(0.05),
        ..Default::default()
    };
    let mut h = Hpa::new(behavior_spec(
        1,
        100,
        vec![cpu(50)],
        Behavior {
            scale_up: Some(up),
            scale_down: None,
        },
    ));
    // util 54 → ratio 1.08: outside 1.05 → ceil(10.8) = 11.
    assert_eq!(h.reconcile(&uniform(0, 10, 540)).proposal, 11);
    // util 46 → ratio 0.92: inside the default 0.1 down tolerance → 10.
    assert_eq!(h.reconcile(&uniform(15, 10, 460)).proposal, 10);
}

#[test]
fn external_value_and_average_value() {
    let ext = |target| HpaMetric::External {
        name: "queue_depth".into(),
        target,
    };
    let mut o = uniform(0, 2, 100);
    o.external = vec![("queue_depth".into(), Some(250.0))];
    // Value 100: ratio 2.5 × 2 ready pods → 5.
    let mut h = Hpa::new(HpaSpec::new(
        1,
        100,
        vec![ext(MetricTarget::Value(100_000))],
    ));
    assert_eq!(h.reconcile(&o).proposal, 5);
    // AverageValue 30 per pod: 250/(30×2) = 4.17 → ceil(250/30) = 9.
    let mut h = Hpa::new(HpaSpec::new(
        1,
        100,
        vec![ext(MetricTarget::AverageValue(30_000))],
    ));
    assert_eq!(h.reconcile(&o).proposal, 9);
    // No value: the only metric fails, nothing changes.
    o.external[0].1 = None;
    let d = h.reconcile(&o);
    assert_eq!(d.desired, 2);
}

#[test]
fn scale_up_limit_counts_events_in_the_period() {
    // Default scale-up rules: Pods 4/15 s, Percent 100/15 s. Two reconciles 5 s apart
    // (not a real sync period, but the controller allows it): the second sees the first
    // event in its 15 s period, so periodStart is 2 again.
    let mut h = Hpa::new(behavior_spec(1, 100, vec![cpu(50)], Behavior::default()));
    assert_eq!(h.reconcile(&uniform(0, 2, 5000)).desired, 6); // max(2+4, 4)
    let d = h.reconcile(&Observation {
        now_ns: 3605 * S,
        ..uniform(0, 6, 5000)
    });
    assert_eq!(d.desired, 6, "{}", d.reason);
    let d = h.reconcile(&uniform(15, 6, 5000));
    assert_eq!(d.desired, 12);
}
