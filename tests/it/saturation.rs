//! `saturated` says what it means: a growing job backlog, capacity errors
//! above the SLO error rate and a component at its limit each make a run
//! saturated and name the component; a comfortable run is not.

use crate::support::{load, open_scenario};

/// Constant Poisson arrivals with 5 s reporting intervals: growth is judged
/// over the last 40% of the measured intervals, so it needs at least ten.
fn fine_scenario(rate: f64, duration_s: u64) -> String {
    format!(
        "name = \"fine\"\nduration = \"{duration_s}s\"\nwarmup = \"20s\"\ninterval = \"5s\"\nseed = 11\n\n[workload]\ntype = \"open\"\nrate = {rate}\n"
    )
}
use capsim::stack::simulate;

/// An API that enqueues one job per request onto `workers` workers of 1 job
/// each, 50 ms per job: they drain 20 × workers jobs/s.
fn jobs_model(workers: u32) -> String {
    format!(
        r#"
name = "jobs"
[[classes]]
name = "req"
share = 1.0
entry = "api"

[components.api]
kind = "service"
replicas = 1
cores = 4
concurrency = 1000

[components.api.handlers.default]
cpu = {{ dist = "exponential", mean = "1ms" }}
calls = [{{ to = "jobs" }}]

[components.jobs]
kind = "queue"
workers = {workers}
concurrency = 1
work = {{ dist = "exponential", mean = "50ms" }}
"#
    )
}

#[test]
fn a_growing_job_backlog_is_saturated_and_names_the_queue() {
    // 100 jobs/s offered against 2 workers draining 40/s: the backlog grows by
    // about 60 jobs/s for the whole run. Requests themselves are fast and
    // error-free, so only the backlog can say "saturated".
    let (sys, sc) = load(&jobs_model(2), &fine_scenario(100.0, 200));
    let r = simulate(&sys, &sc, sc.seed, 0);
    assert_eq!(r.requests.failed, 0);
    assert!(r.saturated, "warnings: {:?}", r.warnings);
    assert_eq!(r.saturated_by, vec!["jobs".to_string()]);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("job backlog of jobs grew")),
        "{:?}",
        r.warnings
    );
    // With 10 workers (200 jobs/s, 50% busy) the same traffic is comfortable.
    let (sys, sc) = load(&jobs_model(10), &fine_scenario(100.0, 200));
    let r = simulate(&sys, &sc, sc.seed, 0);
    assert!(!r.saturated, "warnings: {:?}", r.warnings);
    assert!(r.saturated_by.is_empty());
}

#[test]
fn capacity_errors_above_the_slo_error_rate_are_saturation() {
    // One core, 10 ms per request, an accept queue of 5: at 150/s (ρ = 1.5)
    // about a third of the requests are refused, far above a 1% error SLO.
    let model = r#"
name = "small"
[slo]
error_rate = 0.01
[[classes]]
name = "req"
share = 1.0
entry = "api"

[components.api]
kind = "service"
replicas = 1
cores = 1
concurrency = 1
accept_queue = 5
scheduling = "fcfs"
cpu = { dist = "exponential", mean = "10ms" }
"#;
    let (sys, sc) = load(model, &open_scenario(150.0, 60, 5));
    let r = simulate(&sys, &sc, sc.seed, 0);
    assert!(r.error_rate > 0.2, "error rate {}", r.error_rate);
    assert!(r.saturated, "warnings: {:?}", r.warnings);
    assert_eq!(r.saturated_by.first().map(String::as_str), Some("api"));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("failed for lack of capacity")));
}

#[test]
fn high_mean_utilization_is_warned_about_before_it_saturates() {
    // M/M/1 at ρ = 0.85: stable, but 80% or more is little headroom.
    let model = r#"
name = "mm1"
[[classes]]
name = "req"
share = 1.0
entry = "api"

[components.api]
kind = "service"
replicas = 1
cores = 1
concurrency = 1
scheduling = "fcfs"
cpu = { dist = "exponential", mean = "10ms" }
"#;
    let (sys, sc) = load(model, &open_scenario(85.0, 300, 30));
    let r = simulate(&sys, &sc, sc.seed, 0);
    assert!(!r.saturated, "warnings: {:?}", r.warnings);
    assert!(
        r.warnings.iter().any(|w| w.contains("little headroom")),
        "{:?}",
        r.warnings
    );
}
