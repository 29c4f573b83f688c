//! Item 2: periods have the real controllers' minimums, and the decision
//! log grows with changes, not with reconciles.

use super::{load_error, ONE_SERVICE};
use crate::support::load;
use capsim::stack::simulate;

const SCENARIO: &str = "duration = \"10m\"\nseed = 4\n[workload]\ntype = \"open\"\nrate = 100\n";

fn with_autoscale(policy: &str) -> String {
    format!("{ONE_SERVICE}\n[components.api.autoscale]\n{policy}\n")
}

#[test]
fn periods_below_the_controllers_limits_are_located_errors() {
    for (policy, msg) in [
        (
            "kind = \"hpa\"\nmax_replicas = 5\nsync_period = \"1ns\"\nmetrics = [{ type = \"cpu\", target_utilization = 70 }]",
            "sync_period must be at least 1s",
        ),
        (
            "kind = \"hpa\"\nmax_replicas = 5\nmetrics = [{ type = \"cpu\", target_utilization = 70 }]\nbehavior = { scale_up = { policies = [{ type = \"Pods\", value = 1, period = \"1ms\" }] } }",
            "periodSeconds must be in 1..=1800",
        ),
        (
            "kind = \"target_tracking\"\nmin_replicas = 1\nmax_replicas = 5\nmetric = \"cpu\"\ntarget = 50\nmetric_period = \"1s\"",
            "expected 10s, 30s or a multiple of 60s",
        ),
        (
            "kind = \"step\"\nmin_replicas = 1\nmax_replicas = 5\nmetric = \"cpu\"\nmetric_period = \"45s\"\nalarms = [{ comparison = \">\", threshold = 70, steps = [{ lower = 0, adjustment = 1 }] }]",
            "expected 10s, 30s or a multiple of 60s",
        ),
        (
            "kind = \"threshold\"\nmin_replicas = 1\nmax_replicas = 5\nperiod = \"1ms\"\nrules = [{ metric = \"cpu\", above = 70, for = \"1m\", scale = \"+1\" }]",
            "period: expected a duration of at least 1s",
        ),
        (
            "kind = \"hpa\"\nmax_replicas = 5",
            "metrics: expected at least one metric",
        ),
    ] {
        let e = load_error(&with_autoscale(policy), SCENARIO);
        assert!(e.contains("model.toml:"), "{e}");
        assert!(e.contains(msg), "{policy}\n{e}");
    }
    let probe = ONE_SERVICE.replace(
        "cores = 1\n",
        "cores = 1\nreadiness = { period = \"100ms\" }\n",
    );
    let e = load_error(&probe, SCENARIO);
    assert!(e.contains("a probe period of at least 1s"), "{e}");
}

#[test]
fn the_real_controllers_periods_are_accepted() {
    for period in ["10s", "30s", "60s", "300s"] {
        load(
            &with_autoscale(&format!("kind = \"target_tracking\"\nmin_replicas = 1\nmax_replicas = 5\nmetric = \"cpu\"\ntarget = 50\nmetric_period = \"{period}\"")),
            SCENARIO,
        );
    }
}

/// At the shortest sync period, a steady load reconciles 600 times in 10
/// minutes but changes the count a few times: only changes are logged,
/// every reconcile is counted.
#[test]
fn no_op_reconciles_are_counted_not_logged() {
    let (sys, sc) = load(
        &with_autoscale("kind = \"hpa\"\nmin_replicas = 1\nmax_replicas = 5\nsync_period = \"1s\"\nmetrics = [{ type = \"cpu\", target_utilization = 70 }]"),
        SCENARIO,
    );
    let r = simulate(&sys, &sc, sc.seed, 0);
    assert!(r.autoscale.decisions >= 590, "{}", r.autoscale.decisions);
    assert!(!r.scale_log.is_empty());
    assert!(r.scale_log.len() < 60, "{} rows", r.scale_log.len());
    assert!(r.scale_log.iter().all(|d| d.desired != d.current));
    assert_eq!(
        r.autoscale.scale_ups + r.autoscale.scale_downs,
        r.scale_log.len() as u64
    );
    assert!(r.autoscale.services[0].peak_metrics.contains_key("cpu"));
}
