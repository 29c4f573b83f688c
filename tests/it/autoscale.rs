//! Autoscaling, provisioning and failure events, end to end through the
//! library: decisions happen on the controller's clock and capacity arrives
//! only after the configured delays.

use crate::support::repo;

use capsim::run::load_inputs;
use capsim::stack::{simulate, RunResult};
use std::fs;

fn run_text(model: &str, scenario: &str) -> RunResult {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    let s = dir.path().join("s.toml");
    fs::write(&m, model).unwrap();
    fs::write(&s, scenario).unwrap();
    let (sys, sc) = load_inputs(&m, &s).unwrap_or_else(|e| panic!("{e}"));
    simulate(&sys, &sc, sc.seed, 0)
}

fn column(r: &RunResult, name: &str) -> Vec<Option<f64>> {
    let i = r
        .timeseries
        .columns
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    r.timeseries.rows.iter().map(|row| row[i]).collect()
}

#[test]
fn hpa_scales_on_a_step_and_capacity_arrives_after_the_configured_delays() {
    let (sys, sc) = load_inputs(
        &repo("models/examples/autoscaled-api.toml"),
        &repo("scenarios/examples/step-5x.toml"),
    )
    .unwrap();
    let r = simulate(&sys, &sc, sc.seed, 0);
    let ups: Vec<_> = r
        .scale_log
        .iter()
        .filter(|d| d.desired > d.current)
        .collect();
    assert!(!ups.is_empty(), "the 5x step must trigger a scale-up");
    // Decisions run on the 15 s sync period.
    for d in &r.scale_log {
        assert_eq!(
            d.time_s % 15.0,
            0.0,
            "reconcile off the sync period at {}",
            d.time_s
        );
    }
    // The first scale-up follows the step (at 300 s) within two sync periods.
    assert!(
        ups[0].time_s > 300.0 && ups[0].time_s <= 330.0,
        "first scale-up at {}",
        ups[0].time_s
    );
    // Ready = decision + startup U(20 s, 40 s) + the first probe at or after
    // max(initial_delay 5 s, warm-up 5 s) on a 10 s period (= 10 s) + 1 s
    // endpoint propagation: between 31 s and 51 s after the decision.
    for d in &ups {
        let delay = d.ready_s.expect("scale-ups record readiness") - d.time_s;
        assert!(
            (31.0..=51.0).contains(&delay),
            "capacity ready {delay} s after the decision"
        );
    }
    // The ready count never jumps before the capacity is ready.
    let ready = column(&r, "api.replicas_ready");
    let times = column(&r, "time_s");
    let first_ready = ups[0].ready_s.unwrap();
    for (t, n) in times.iter().zip(&ready) {
        if t.unwrap() < first_ready {
            assert_eq!(
                n.unwrap(),
                2.0,
                "a replica served before it was ready (t = {t:?})"
            );
        }
    }
    let peak = ready.iter().map(|v| v.unwrap()).fold(0.0, f64::max);
    assert!(
        peak >= 6.0,
        "500 req/s at 10 ms needs >= 5 cores at 100%, >= 8 at 70%; got {peak}"
    );
    // It scales back in after the step, to min_replicas.
    assert_eq!(*ready.last().unwrap(), Some(2.0));
    assert_eq!(r.autoscale.surges.len(), 1);
    let surge = &r.autoscale.surges[0];
    assert!(surge.time_to_capacity_s >= surge.time_to_first_decision_s + 31.0);
    assert!(r.components["api"].replicas_max.unwrap() >= 6);
}

const SERVICE: &str = r#"
[[classes]]
name = "a"
share = 1
entry = "api"

[components.api]
kind = "service"
replicas = 4
cores = 1
concurrency = 20
scheduling = "ps"
cpu = { dist = "exponential", mean = "5ms" }
startup = "30s"
readiness = { period = "10s", endpoint_delay = "0s" }
balancer = { policy = "round_robin", max_fails = 0 }
calls = [{ to = "db_pool" }]

[components.db_pool]
kind = "pool"
size = 10
wait_timeout = "2s"
target = "db"

[components.db]
kind = "database"
concurrency = 50
read = "2ms"
write = "4ms"
read_replicas = 1

[components.cache]
kind = "cache"
hit_ratio = 0.9
"#;

fn chaos(events: &str) -> String {
    format!(
        "duration = \"3m\"\nseed = 5\ninterval = \"10s\"\n[workload]\ntype = \"open\"\nrate = 200\n{events}"
    )
}

#[test]
fn killed_replicas_are_replaced_through_the_startup_path() {
    let r = run_text(
        SERVICE,
        &chaos("[[events]]\nat = \"60s\"\nkind = \"kill\"\ntarget = \"api\"\ncount = 2\n"),
    );
    let ready = column(&r, "api.replicas_ready");
    let starting = column(&r, "api.replicas_starting");
    // Rows end at 10 s, 20 s, ...: index 5 ends at 60 s (kill), 8 at 90 s
    // (replacements ready 30 s + first probe at 0 s after start).
    assert_eq!(ready[4], Some(4.0));
    assert_eq!(ready[6], Some(2.0));
    assert_eq!(starting[6], Some(2.0));
    assert_eq!(ready[9], Some(4.0));
    assert_eq!(starting[9], Some(0.0));
    // The requests in flight on the killed replicas failed.
    assert!(
        r.requests
            .errors
            .get(capsim::stack::result::ErrorKind::Unavailable)
            > 0
    );
}

#[test]
fn db_failover_fails_writes_only_during_the_downtime() {
    let model = SERVICE.replace(
        "name = \"a\"\nshare = 1\nentry = \"api\"",
        "name = \"a\"\nshare = 1\nentry = \"api\"\nop = \"write\"",
    );
    let r = run_text(&model, &chaos("[[events]]\nat = \"60s\"\nkind = \"db_failover\"\ntarget = \"db\"\ndowntime = \"20s\"\n"));
    let errors = column(&r, "errors");
    let total: f64 = errors.iter().map(|e| e.unwrap()).sum();
    assert!(
        total > 1000.0,
        "writes fail while the primary is down: {total}"
    );
    for (i, e) in errors.iter().enumerate() {
        let end = (i + 1) * 10;
        if !(60..=90).contains(&end) {
            assert_eq!(
                *e,
                Some(0.0),
                "errors outside the downtime in the interval ending {end}s"
            );
        }
    }
}

#[test]
fn latency_injection_and_pool_leak_show_in_the_latency() {
    let base = run_text(SERVICE, &chaos(""));
    let slow = run_text(SERVICE, &chaos("[[events]]\nat = \"0s\"\nkind = \"latency\"\ntarget = \"db\"\nadd = \"50ms\"\nduration = \"10m\"\n"));
    let diff = slow.latency_ms.mean - base.latency_ms.mean;
    assert!(
        diff > 45.0,
        "50 ms added to every query shows in the mean: +{diff} ms"
    );
    // Leaking every connection for 30 s: waiters time out after 2 s, and
    // only then; when the connections come back the pool recovers.
    let leak = run_text(SERVICE, &chaos("[[events]]\nat = \"30s\"\nkind = \"pool_leak\"\ntarget = \"db_pool\"\ncount = 10\nduration = \"30s\"\n"));
    // Requests hold their service slot while they wait: at most 4 x 20 = 80
    // wait at once, each timing out after 2 s, so about 80 / 2 s x 28 s.
    use capsim::stack::result::ErrorKind;
    let timeouts = leak.requests.errors.get(ErrorKind::PoolTimeout);
    assert!(
        (1000..=1250).contains(&timeouts),
        "{timeouts} pool timeouts"
    );
    let errors = column(&leak, "errors");
    for (i, e) in errors.iter().enumerate() {
        let end = (i + 1) * 10;
        if !(40..=60).contains(&end) {
            assert_eq!(
                *e,
                Some(0.0),
                "errors outside the leak in the interval ending {end}s"
            );
        }
    }
}

#[test]
fn events_naming_unknown_or_wrong_components_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    let s = dir.path().join("s.toml");
    fs::write(&m, SERVICE).unwrap();
    fs::write(&s, chaos("[[events]]\nat = \"60s\"\nkind = \"kill\"\ntarget = \"apii\"\n\n[[events]]\nat = \"60s\"\nkind = \"cache_flush\"\ntarget = \"db\"\n")).unwrap();
    let e = load_inputs(&m, &s).expect_err("must fail").to_string();
    assert!(
        e.contains("s.toml:10:")
            && e.contains("\"apii\"")
            && e.contains("expected one of: api, db_pool, db, cache"),
        "{e}"
    );
    assert!(
        e.contains("s.toml:15:") && e.contains("is a database") && e.contains("applies to: cache"),
        "{e}"
    );
}

/// `capsim replay` on the documented example reproduces its golden output
/// (bless with UPDATE_GOLDEN=1 after a deliberate change).
#[test]
fn replay_example_matches_its_golden_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("replay.csv");
    let status = assert_cmd::Command::cargo_bin("capsim")
        .unwrap()
        .args(["replay", "--policy"])
        .arg(repo("docs/examples/replay/hpa-api.yaml"))
        .arg("--metrics")
        .arg(repo("docs/examples/replay/demand.csv"))
        .args([
            "--initial-replicas",
            "2",
            "--cpu-request",
            "0.5",
            "--memory-request",
            "512",
            "--startup",
            "45s",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let got = fs::read_to_string(&out).unwrap();
    let golden = repo("tests/golden/replay-hpa-api.csv");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&golden, &got).unwrap();
    }
    assert_eq!(
        got,
        fs::read_to_string(&golden).unwrap(),
        "replay output changed"
    );
    // The surge at 30 min scales 2 -> 10 (max), and the policy limits the
    // scale-down to 10% per minute after the 300 s window.
    let rows: Vec<Vec<String>> = got
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let max = rows
        .iter()
        .map(|r| r[1].parse::<u32>().unwrap())
        .max()
        .unwrap();
    assert_eq!(max, 10);
    // A bad CSV is exit 2 with the line named.
    let bad = dir.path().join("bad.csv");
    fs::write(&bad, "time_s,cpu\n0,1.0\n15,lots\n").unwrap();
    let o = assert_cmd::Command::cargo_bin("capsim")
        .unwrap()
        .args(["replay", "--policy"])
        .arg(repo("docs/examples/replay/hpa-api.yaml"))
        .arg("--metrics")
        .arg(&bad)
        .args([
            "--initial-replicas",
            "2",
            "--cpu-request",
            "0.5",
            "--memory-request",
            "512",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("line 3"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The same API under three documented policies, against a spike: an HPA
/// manifest (Credibility Analyzer), Railway/Render-style threshold rules
/// (Tikit) and target tracking with cooldowns (AI Mate).
fn spike_model(autoscale: &str) -> String {
    format!(
        r#"
[[classes]]
name = "a"
share = 1
entry = "api"

[components.api]
kind = "service"
replicas = 2
cores = 1
concurrency = 100
scheduling = "ps"
cpu = {{ dist = "exponential", mean = "10ms" }}
memory_base_mib = 200
memory_request_mib = 512
startup = "30s"
readiness = {{ period = "10s", endpoint_delay = "0s" }}
balancer = {{ policy = "least_conn", max_fails = 0 }}

[components.api.autoscale]
{autoscale}
"#
    )
}

const SPIKE: &str = r#"
duration = "40m"
seed = 3
interval = "15s"
[workload]
type = "open"
curve = { type = "spike", base = 80, peak = 400, at = "5m", ramp = "1m", hold = "15m", decay = "1m" }
"#;

#[test]
fn documented_policies_react_to_a_spike_with_their_own_timing() {
    let manifest = repo("docs/examples/replay/hpa-api.yaml");
    let hpa = run_text(
        &spike_model(&format!("file = {:?}", manifest.to_str().unwrap())),
        SPIKE,
    );
    let threshold = run_text(
        &spike_model(
            r#"kind = "threshold"
min_replicas = 2
max_replicas = 10
period = "60s"
cooldown = "5m"
rules = [
  { metric = "cpu", above = 70, for = "2m", scale = "+1" },
  { metric = "cpu", below = 30, for = "5m", scale = "-1" },
]"#,
        ),
        SPIKE,
    );
    let tracking = run_text(
        &spike_model(
            r#"kind = "target_tracking"
min_replicas = 2
max_replicas = 20
metric = "cpu"
target = 70
scale_out_cooldown = "60s"
scale_in_cooldown = "300s""#,
        ),
        SPIKE,
    );
    let ups = |r: &RunResult| -> Vec<f64> {
        r.scale_log
            .iter()
            .filter(|d| d.desired > d.current)
            .map(|d| d.time_s)
            .collect()
    };
    let (h, t, k) = (ups(&hpa), ups(&threshold), ups(&tracking));
    assert!(
        !h.is_empty() && !t.is_empty() && !k.is_empty(),
        "every policy scales up: {h:?} {t:?} {k:?}"
    );
    // The spike starts at 300 s. HPA reacts at its next 15 s sync...
    assert!(
        h[0] > 300.0 && h[0] <= 345.0,
        "HPA first scale-up at {}",
        h[0]
    );
    // ...the threshold rule needs 2 minutes above 70% on a 60 s period...
    assert!(t[0] >= 420.0, "threshold first scale-up at {}", t[0]);
    // ...and then waits out its 5-minute cooldown between actions, one step each.
    for w in t.windows(2) {
        assert!(
            w[1] - w[0] >= 300.0,
            "threshold actions {w:?} closer than the cooldown"
        );
    }
    assert!(threshold
        .scale_log
        .iter()
        .filter(|d| d.desired != d.current)
        .all(|d| d.desired.abs_diff(d.current) == 1));
    // Target tracking fires after 3 one-minute datapoints above target.
    assert!(
        k[0] >= 300.0 + 180.0,
        "target tracking first scale-out at {}",
        k[0]
    );
    // The slower policies leave users slow for longer.
    assert!(
        threshold.latency_ms.p99 > hpa.latency_ms.p99,
        "threshold p99 {} vs HPA {}",
        threshold.latency_ms.p99,
        hpa.latency_ms.p99
    );
}

/// With nodes modelled, a pod beyond the free node slots waits for a new
/// node (cluster autoscaler) before its own startup begins.
#[test]
fn pods_wait_for_new_nodes_when_the_nodes_are_full() {
    let model = std::fs::read_to_string(repo("models/examples/autoscaled-api.toml"))
        .unwrap()
        .replace(
            "drain_grace = \"30s\"",
            "drain_grace = \"30s\"\nnodes = { pods_per_node = 2, provision = \"2m\" }",
        );
    let scenario = std::fs::read_to_string(repo("scenarios/examples/step-5x.toml")).unwrap();
    let r = run_text(&model, &scenario);
    let ups: Vec<_> = r
        .scale_log
        .iter()
        .filter(|d| d.desired > d.current)
        .collect();
    assert!(!ups.is_empty());
    // 2 replicas fill one node exactly: the first added pod needs a new
    // node, ready 120 s + startup (20-40 s) + 10 s probe + 1 s after the
    // decision. Later pods may share a node already coming, but none can
    // serve before the first new node exists.
    let first = ups[0].ready_s.unwrap() - ups[0].time_s;
    assert!(
        (151.0..=171.0).contains(&first),
        "ready {first} s after the decision"
    );
    let first_node = ups[0].time_s + 120.0;
    for d in &ups {
        assert!(d.ready_s.unwrap() >= first_node + 31.0, "{d:?}");
    }
}

/// `capsim replay` over the demand a simulated run recorded (total CPU in
/// use every 15 s) makes the same first scale-up decision as the run: both
/// call the same controller code.
#[test]
fn replay_of_a_simulated_runs_demand_makes_the_same_first_decision() {
    let (sys, sc) = load_inputs(
        &repo("models/examples/autoscaled-api.toml"),
        &repo("scenarios/examples/step-5x.toml"),
    )
    .unwrap();
    let r = simulate(&sys, &sc, sc.seed, 0);
    let (t, u, n) = (
        column(&r, "time_s"),
        column(&r, "api.utilization"),
        column(&r, "api.replicas_ready"),
    );
    let mut csv = String::from("time_s,cpu\n");
    // The controller's first tick is at 0 s; the series starts at 15 s.
    csv.push_str("0,1.0\n");
    for i in 0..t.len() {
        csv.push_str(&format!(
            "{},{}\n",
            t[i].unwrap(),
            u[i].unwrap() * n[i].unwrap()
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let demand = dir.path().join("demand.csv");
    fs::write(&demand, csv).unwrap();
    let policy = dir.path().join("policy.toml");
    let model = fs::read_to_string(repo("models/examples/autoscaled-api.toml")).unwrap();
    let table = model
        .split("[components.api.autoscale]")
        .nth(1)
        .unwrap()
        .replace("[components.api.autoscale.", "[");
    fs::write(&policy, table).unwrap();
    let out = assert_cmd::Command::cargo_bin("capsim")
        .unwrap()
        .args(["replay", "--policy"])
        .arg(&policy)
        .arg("--metrics")
        .arg(&demand)
        .args([
            "--initial-replicas",
            "2",
            "--cpu-request",
            "1",
            "--startup",
            "45s",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let first_replay = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
        .find(|c| c[1] != "2")
        .expect("the replay scales up");
    let first_sim = r.scale_log.iter().find(|d| d.desired > d.current).unwrap();
    assert_eq!(first_replay[0].parse::<f64>().unwrap(), first_sim.time_s);
    assert_eq!(first_replay[1].parse::<u32>().unwrap(), first_sim.desired);
}

/// Time-of-day schedules line up with the scenario's start date-time.
#[test]
fn schedules_raise_the_floor_at_their_time_of_day() {
    let model = SERVICE.replace(
        "calls = [{ to = \"db_pool\" }]",
        "calls = [{ to = \"db_pool\" }]\n\n[components.api.autoscale]\nkind = \"hpa\"\nmin_replicas = 2\nmax_replicas = 10\nmetrics = [{ type = \"cpu\", target_utilization = 70 }]\nschedule = [{ at = \"18:00\", min = 6 }, { at = \"00:00\", min = 2 }]",
    );
    let r = run_text(
        &model,
        "duration = \"10m\"\nseed = 5\ninterval = \"10s\"\nstart = \"2026-11-27T17:55:00Z\"\n[workload]\ntype = \"open\"\nrate = 50\n",
    );
    let sched: Vec<_> = r
        .scale_log
        .iter()
        .filter(|d| d.reason.starts_with("schedule"))
        .collect();
    assert_eq!(sched.len(), 1, "one schedule change in the run");
    assert_eq!(
        sched[0].time_s, 300.0,
        "18:00 is 5 minutes after a 17:55 start"
    );
    assert_eq!(sched[0].desired, 6);
    // 50 req/s at 5 ms is far below the CPU target: without the schedule the
    // HPA would scale 4 -> 2; with it the count stays at the floor of 6.
    let ready = column(&r, "api.replicas_ready");
    assert_eq!(*ready.last().unwrap(), Some(6.0));
}

#[test]
fn zone_outage_and_cache_flush() {
    let model = SERVICE
        .replace("replicas = 4\n", "replicas = 4\nzones = 2\n")
        .replace(
            "calls = [{ to = \"db_pool\" }]",
            "calls = [{ to = \"cache\" }]",
        )
        .replace(
            "[components.cache]\nkind = \"cache\"\nhit_ratio = 0.9\n",
            "[components.cache]\nkind = \"cache\"\nhit_ratio = 0.9\non_miss = \"db_pool\"\n",
        );
    let r = run_text(
        &model,
        &chaos("[[events]]\nat = \"60s\"\nkind = \"zone_outage\"\ntarget = \"api\"\nzone = 1\nduration = \"5m\"\n\n[[events]]\nat = \"60s\"\nkind = \"cache_flush\"\ntarget = \"cache\"\nwarmup = \"60s\"\n"),
    );
    let ready = column(&r, "api.replicas_ready");
    // Replicas 1 and 3 (zone 1) die at 60 s; replacements in zone 0 are
    // ready 30 s later.
    assert_eq!(ready[6], Some(2.0));
    assert_eq!(ready[9], Some(4.0));
    let hit = column(&r, "cache.hit_ratio");
    // Cold right after the flush, warm again after the 60 s warm-up.
    assert!(hit[6].unwrap() < 0.3, "{:?}", hit[6]);
    assert!((hit[14].unwrap() - 0.9).abs() < 0.05, "{:?}", hit[14]);
}

/// Spot capacity with an interruption rate loses replicas as a Poisson
/// process (rate x replicas up), each replaced through the startup path.
#[test]
fn spot_interruptions_are_an_optional_failure_event() {
    let model = SERVICE.replace(
        "kind = \"service\"\nreplicas = 4\n",
        "kind = \"service\"\nreplicas = 4\nsku = \"aws.ec2.m7i.large\"\ndiscount = { type = \"spot\", percent = 70, interruptions_per_hour = 6 }\n",
    );
    let r = run_text(
        &model,
        "duration = \"1h\"\nseed = 5\ninterval = \"1m\"\n[workload]\ntype = \"open\"\nrate = 100\n",
    );
    let lives = &r.replica_lifetimes["api"];
    let interruptions = lives.len() - 4;
    // 4 replicas x 6 per hour x 1 h = 24 expected (minus the ~30 s each
    // replacement is not yet up); Poisson sd ~5: allow 3 sd.
    assert!(
        (9..=39).contains(&interruptions),
        "{interruptions} interruptions"
    );
    // Without the rate, none.
    let calm = run_text(
        &SERVICE.replace("kind = \"service\"\nreplicas = 4\n", "kind = \"service\"\nreplicas = 4\nsku = \"aws.ec2.m7i.large\"\ndiscount = { type = \"spot\", percent = 70 }\n"),
        "duration = \"1h\"\nseed = 5\ninterval = \"1m\"\n[workload]\ntype = \"open\"\nrate = 100\n",
    );
    assert_eq!(calm.replica_lifetimes["api"].len(), 4);
}
