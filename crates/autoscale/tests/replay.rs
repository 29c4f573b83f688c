//! Replay golden: a small demand CSV whose decisions are derived by hand below.

use capsim_autoscale::config::parse_policy_toml;
use capsim_autoscale::replay::{read_demand_csv, replay, write_replay_csv, ReplayOptions};
use capsim_autoscale::Error;

const POLICY: &str = r#"
kind = "hpa"
min_replicas = 1
max_replicas = 10
metrics = [ { type = "cpu", target_utilization = 50 } ]
"#;

const DEMAND: &str = "time_s,cpu\n0,1.0\n15,3.0\n30,3.0\n45,1.0\n60,\n330,1.0\n345,1.0\n";

fn policy() -> capsim_autoscale::Policy {
    parse_policy_toml(POLICY, &mut |p| Err(format!("no {p}"))).unwrap_or_else(|e| panic!("{e}"))
}

fn options(startup_s: u64) -> ReplayOptions {
    let mut o = ReplayOptions::new(2);
    o.cpu_request_cores = Some(1.0);
    o.startup_ns = startup_s * 1_000_000_000;
    o
}

/// Legacy HPA (no behavior), target 50 % of a 1-core request, 2 replicas, startup 0:
/// - t=0: 1.0 core / 2 → util 50 → ratio 1 → keep 2.
/// - t=15: 3.0 / 2 → util 150 → ratio 3 → ceil(3×2) = 6, legacy cap max(2×2, 4) = 4.
/// - t=30: 4 ready (the new pods became ready at 15, one 15 s window ago, so they count
///   for CPU) → util 75 → ceil(1.5×4) = 6; cap 8 → 6.
/// - t=45: 1.0 / 6 → util 16 → ceil(0.32×6) = 2, but the 300 s window holds 6.
/// - t=60…315: cpu empty → the only metric is invalid → no change, nothing recorded.
/// - t=330: proposal 2; the (6, t=30) recommendation is still in the window (ts ≥
///   now − 300 s) → 6. t=345: only 2s remain in the window → 2.
#[test]
fn golden_legacy_hpa() {
    let demand = read_demand_csv(DEMAND.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let rows = replay(&policy(), &demand, &options(0)).unwrap_or_else(|e| panic!("{e}"));
    let mut buf = Vec::new();
    write_replay_csv(&mut buf, &demand.columns, &rows).unwrap_or_else(|e| panic!("{e}"));
    let got = String::from_utf8(buf).unwrap_or_default();

    let mut want = String::from("time_s,replicas,desired_replicas,ready_replicas,cpu\n");
    want.push_str("0,2,2,2,0.5\n15,4,6,2,1.5\n30,6,6,4,0.75\n45,6,2,6,0.166667\n");
    for t in (60..=315).step_by(15) {
        want.push_str(&format!("{t},6,6,6,\n"));
    }
    want.push_str("330,6,2,6,0.166667\n345,2,2,6,0.166667\n");
    assert_eq!(got, want);
}

/// With a 20 s startup the replicas added at t=15 are Pending at t=30: ratio 3 with
/// unready pods → they count as 0 → util 3000×100/4000 = 75 → ceil(1.5×4) = 6.
#[test]
fn startup_delay_keeps_new_replicas_pending() {
    let demand = read_demand_csv(DEMAND.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let rows = replay(&policy(), &demand, &options(20)).unwrap_or_else(|e| panic!("{e}"));
    let r = &rows[2];
    assert_eq!(
        (r.time_ns, r.replicas, r.desired_replicas, r.ready_replicas),
        (30_000_000_000, 6, 6, 2)
    );
    assert_eq!(r.metrics, vec![Some(1.5)]);
}

#[test]
fn bad_input_is_an_error_naming_line_and_column() {
    let e = read_demand_csv("time_s,cpu\n0,1\n15,lots\n".as_bytes()).unwrap_err();
    assert!(
        matches!(&e, Error::Csv { line: 3, column: Some(c), .. } if c == "cpu"),
        "{e}"
    );
    let e = read_demand_csv("time_s,cpu\n15,1\n0,1\n".as_bytes()).unwrap_err();
    assert!(e.to_string().contains("line 3"), "{e}");
    let e = read_demand_csv("t,cpu\n0,1\n".as_bytes()).unwrap_err();
    assert!(e.to_string().contains("time_s"), "{e}");
    let demand = read_demand_csv("time_s,rps\n0,1\n".as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let e = replay(&policy(), &demand, &options(0)).unwrap_err();
    assert!(e.to_string().contains("`cpu`"), "{e}");
    let demand = read_demand_csv(DEMAND.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let e = replay(&policy(), &demand, &ReplayOptions::new(2)).unwrap_err();
    assert!(e.to_string().contains("--cpu-request"), "{e}");
}
