//! Multi-region routing: latency between regions, the nearest healthy
//! region, failover after detection + DNS TTL, writes to the primary region.

use capsim::run::load_inputs;
use capsim::stack::result::ErrorKind;
use capsim::stack::{simulate, RunResult};
use std::fs;

fn run(model: &str, scenario: &str) -> RunResult {
    let dir = tempfile::tempdir().unwrap();
    let (m, s) = (dir.path().join("m.toml"), dir.path().join("s.toml"));
    fs::write(&m, model).unwrap();
    fs::write(&s, scenario).unwrap();
    let (sys, sc) = load_inputs(&m, &s).unwrap_or_else(|e| panic!("{e}"));
    simulate(&sys, &sc, sc.seed, 0)
}

fn model(db: &str, op: &str) -> String {
    format!(
        r#"
[regions]
users = {{ us = 0.5, eu = 0.5 }}
latency = {{ "us:eu" = "40ms" }}
detection = "10s"
dns_ttl = "20s"

[[classes]]
name = "a"
share = 1
entry = "api"
op = "{op}"

[components.api]
kind = "service"
regions = ["us", "eu"]
replicas = 2
cores = 64
concurrency = 1000
cpu = "1ms"
balancer = {{ max_fails = 0 }}
calls = [{{ to = "db" }}]

[components.db]
kind = "database"
{db}
concurrency = 1000
read = "2ms"
write = "2ms"
"#
    )
}

const STEADY: &str =
    "duration = \"2m\"\nseed = 9\ninterval = \"10s\"\n[workload]\ntype = \"open\"\nrate = 100\n";

#[test]
fn calls_pay_the_inter_region_latency_there_and_back() {
    // US users: 1 + 2 ms locally. EU users: api in the EU, the database in
    // the US: + 40 ms there and 40 ms back = 83 ms. Half the users each.
    let r = run(&model("region = \"us\"", "read"), STEADY);
    assert_eq!(r.requests.failed, 0);
    let mean = r.latency_ms.mean;
    // 12,000 requests: the EU share has sd 0.0046, i.e. 0.37 ms on the mean.
    assert!((mean - 43.0).abs() < 2.0, "mean {mean} ms");
    assert!((r.latency_ms.p50 - 3.0).abs() < 0.1 || (r.latency_ms.p50 - 83.0).abs() < 0.2);
    assert!(r.components.contains_key("api@us") && r.components.contains_key("api@eu"));
}

#[test]
fn reads_stay_local_and_writes_go_to_the_primary_region() {
    let both = "regions = [\"us\", \"eu\"]";
    let reads = run(&model(both, "read"), STEADY);
    assert!(
        reads.latency_ms.max < 10.0,
        "local reads: max {}",
        reads.latency_ms.max
    );
    let writes = run(&model(both, "write"), STEADY);
    assert!(
        (writes.latency_ms.mean - 43.0).abs() < 2.0,
        "writes from the EU cross to the US primary: {}",
        writes.latency_ms.mean
    );
}

#[test]
fn a_failed_region_fails_its_users_until_detection_and_dns_ttl_then_fails_over() {
    let scenario =
        format!("{STEADY}\n[[events]]\nat = \"60s\"\nkind = \"region_outage\"\ntarget = \"eu\"\n");
    let both = "regions = [\"us\", \"eu\"]";
    let r = run(&model(both, "read"), &scenario);
    let cols = &r.timeseries.columns;
    let (ti, ei) = (
        cols.iter().position(|c| c == "time_s").unwrap(),
        cols.iter().position(|c| c == "errors").unwrap(),
    );
    for row in &r.timeseries.rows {
        let (t, e) = (row[ti].unwrap(), row[ei].unwrap());
        if t <= 60.0 || t > 90.0 {
            assert_eq!(e, 0.0, "errors at {t}s outside the failover window");
        } else {
            assert!(
                e > 300.0,
                "EU users (~50/s) fail until detection + TTL: {e} at {t}s"
            );
        }
    }
    assert!(r.requests.errors.get(ErrorKind::Unavailable) > 1000);
    // After failover EU users reach the US: 40 ms each way on top of 3 ms.
    assert!(r.latency_ms.max >= 83.0);
}

#[test]
fn bad_regions_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    fs::write(&m, model("region = \"mars\"", "read")).unwrap();
    let s = dir.path().join("s.toml");
    fs::write(
        &s,
        format!("{STEADY}\n[[events]]\nat = \"1s\"\nkind = \"region_outage\"\ntarget = \"moon\"\n"),
    )
    .unwrap();
    let e = load_inputs(&m, &s).expect_err("unknown region").to_string();
    assert!(
        e.contains("m.toml:") && e.contains("\"mars\"") && e.contains("us, eu"),
        "{e}"
    );
    fs::write(&m, model("region = \"us\"", "read")).unwrap();
    let e = load_inputs(&m, &s).expect_err("unknown region").to_string();
    assert!(e.contains("s.toml:") && e.contains("\"moon\""), "{e}");
}
