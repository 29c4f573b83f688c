//! Item 8: accepted nonsense becomes a located error, and a run in which
//! nothing completed says so.

use super::{load_error, ONE_SERVICE};
use crate::support::{load, run_cli, write};
use capsim::stack::simulate;

const SC: &str = "duration = \"10s\"\n[workload]\ntype = \"open\"\nrate = 10\n";

fn model_error(model: &str) -> String {
    load_error(model, SC)
}

fn scenario_error(scenario: &str) -> String {
    load_error(ONE_SERVICE, scenario)
}

#[test]
fn model_nonsense_is_located() {
    let cases = [
        (
            ONE_SERVICE.replace("cores = 1\n", "cores = 1e-300\n"),
            "expected 0.001 to 1024 cores",
        ),
        (
            ONE_SERVICE.replace("cores = 1\n", "cores = 1\nbalancer = { weights = [1, 2, 3] }\n"),
            "found 3 weights for at most 2 replicas",
        ),
        (
            format!("{ONE_SERVICE}\n[[pricing.sku]]\nid = \"my.box\"\nprice = -5\nunit = \"hour\"\n"),
            "is a credit and needs unit = \"month\"",
        ),
        (
            format!("[regions]\nusers = {{ us = 0, eu = 0 }}\nlatency = {{ \"us:eu\" = \"40ms\" }}\n{ONE_SERVICE}"),
            "every region's user share is 0",
        ),
        (
            ONE_SERVICE.replace("name = \"req\"", "name = \"re\\u0007q\""),
            "without control characters",
        ),
        (
            ONE_SERVICE.replace("name = \"req\"", &format!("name = \"{}\"", "x".repeat(65))),
            "1 to 64 characters",
        ),
    ];
    for (model, msg) in cases {
        let e = model_error(&model);
        assert!(e.contains("model.toml:"), "{e}");
        assert!(e.contains(msg), "{msg}\n{e}");
    }
    let many: String = (0..1001)
        .map(|i| format!("[[classes]]\nname = \"c{i}\"\nshare = 1\nentry = \"api\"\n"))
        .collect();
    let e = model_error(&format!(
        "{many}\n[components.api]\nkind = \"service\"\ncpu = \"1ms\"\n"
    ));
    assert!(e.contains("expected at most 1000"), "{e}");
}

#[test]
fn scenario_nonsense_is_located() {
    let open = "duration = \"10m\"\n[workload]\ntype = \"open\"\n";
    let cases = [
        (
            format!("{open}curve = {{ type = \"points\", points = [{{ at = \"5m\", rate = 1 }}, {{ at = \"1m\", rate = 2 }}] }}\n"),
            "not in time order",
        ),
        (
            format!("{open}curve = {{ type = \"step\", rate = 1, steps = [{{ at = \"5m\", rate = 1 }}, {{ at = \"1m\", rate = 2 }}] }}\n"),
            "not in time order",
        ),
        (
            format!("{open}rate = 1\n[[events]]\nat = \"1m\"\nkind = \"kill\"\ntarget = \"api\"\ndowntime = \"30s\"\n"),
            "`downtime` does not apply to kind = \"kill\"",
        ),
        (
            format!("{open}rate = 1\n[[events]]\nat = \"1m\"\nkind = \"zone_outage\"\ntarget = \"api\"\nzone = 3\n"),
            "zone 3 does not exist",
        ),
    ];
    for (sc, msg) in cases {
        let e = scenario_error(&sc);
        assert!(e.contains("scenario.toml:"), "{e}");
        assert!(e.contains(msg), "{msg}\n{e}");
    }
}

#[test]
fn negative_replay_cells_are_errors() {
    let e = capsim_autoscale::replay::read_demand_csv("time_s,cpu\n0,1.0\n15,-2\n".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3") && e.contains("0 or more"), "{e}");
}

/// replicas = 0 on the entry service: every request fails. The summary
/// must not present 0 ms as a latency or pass a latency SLO on it.
#[test]
fn a_run_where_nothing_completed_says_so() {
    let model = format!(
        "[slo]\np95 = \"100ms\"\n{}",
        ONE_SERVICE.replace("replicas = 2", "replicas = 0")
    );
    let (sys, sc) = load(&model, SC);
    let r = simulate(&sys, &sc, sc.seed, 0);
    assert_eq!(r.requests.completed, 0);
    assert!(r.requests.failed > 0);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.starts_with("nothing completed")),
        "{:?}",
        r.warnings
    );
    let p95 = r.slo.iter().find(|v| v.metric == "p95_ms").unwrap();
    assert!(!p95.ok, "a p95 SLO cannot pass with nothing completed");

    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.toml", &model);
    let s = write(dir.path(), "s.toml", SC);
    let o = run_cli(&m, &s, &dir.path().join("out"), &[]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("latency    none: nothing completed"),
        "{text}"
    );
    assert!(!text.contains("mean 0.0 ms"), "{text}");
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("nothing completed"));
}
