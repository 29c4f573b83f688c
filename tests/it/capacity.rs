//! `capsim capacity` against queueing theory: the breaking load of an M/M/c with a
//! p95 SLO is where the Erlang C response-time tail meets the target, and in a
//! tandem network the slower station is the limiting component.

use crate::support::*;
use capsim::capacity::{capacity, CapacityOptions, LimitMetric};
use capsim::slo_expr::parse_slo;

/// P(T > t) for the response time T = W + S of an M/M/c FCFS queue: W is 0 with
/// probability 1 − C (Erlang C) and Exp(cμ − λ) otherwise, S is Exp(μ), so
/// T is a mixture of Exp(μ) and the hypoexponential sum of both.
fn mmc_response_tail(t: f64, lambda: f64, mu: f64, c: u32) -> f64 {
    let pw = erlang_c(c, lambda / mu);
    let theta = f64::from(c) * mu - lambda;
    let hypo = if (theta - mu).abs() < 1e-9 {
        (1.0 + mu * t) * (-mu * t).exp()
    } else {
        (theta * (-mu * t).exp() - mu * (-theta * t).exp()) / (theta - mu)
    };
    (1.0 - pw) * (-mu * t).exp() + pw * hypo
}

/// The q-quantile of T, by bisection on the tail.
fn mmc_response_quantile(q: f64, lambda: f64, mu: f64, c: u32) -> f64 {
    let (mut lo, mut hi) = (0.0, 100.0 / mu);
    for _ in 0..200 {
        let m = 0.5 * (lo + hi);
        if mmc_response_tail(m, lambda, mu, c) > 1.0 - q {
            lo = m;
        } else {
            hi = m;
        }
    }
    lo
}

/// The arrival rate at which the p95 response time equals `target` seconds
/// (p95 grows with λ, so bisection finds it).
fn rate_at_p95(target: f64, mu: f64, c: u32) -> f64 {
    let (mut lo, mut hi) = (0.0, f64::from(c) * mu * (1.0 - 1e-9));
    for _ in 0..200 {
        let m = 0.5 * (lo + hi);
        if mmc_response_quantile(0.95, m, mu, c) < target {
            lo = m;
        } else {
            hi = m;
        }
    }
    lo
}

const MMC: &str = r#"
name = "mmc"
[[classes]]
name = "job"
share = 1.0
entry = "server"

[components.server]
kind = "service"
replicas = 1
cores = 8
concurrency = 8
scheduling = "fcfs"
cpu = { dist = "exponential", mean = "10ms" }
"#;

#[test]
fn mmc_breaking_rate_matches_the_erlang_c_response_tail() {
    let (c, mu, target_s) = (8, 100.0, 0.050);
    let theory = rate_at_p95(target_s, mu, c);
    // Sanity of the closed form: at ρ = 0.8 it gives the p95 the engine is already
    // held to elsewhere (about 35 ms), and the breaking rate lies below capacity.
    assert!((mmc_response_quantile(0.95, 640.0, mu, c) - 0.0351).abs() < 5e-4);
    assert!(theory > 640.0 && theory < 800.0, "theory {theory}");

    let base = 640.0;
    let (sys, sc) = load(MMC, &open_scenario(base, 300, 30));
    let opts = CapacityOptions {
        slos: vec![parse_slo("p95<50ms").unwrap()],
        replications: scaled(10) as u32,
        resolution: 0.01,
        ..CapacityOptions::default()
    };
    let r = capacity(&sys, &sc, &opts, None).expect("capacity runs");
    let lo = r.max_load_factor.expect("holds at some factor") * base;
    let hi = r.min_failing_factor.expect("breaks below the max factor") * base;
    // Every probe's verdict comes from 95% intervals, so the true breaking rate
    // lies in [holds, fails] — widened by the search resolution (1%) and the
    // histogram's 2-significant-digit bucket (1% of the p95, ≈ 0.5% of λ here).
    let slack = 0.015;
    assert!(
        lo * (1.0 - slack) <= theory && theory <= hi * (1.0 + slack),
        "theory {theory:.1} req/s outside capsim's bracket [{lo:.1}, {hi:.1}]"
    );
    // And the bracket is informative: within 5% of the theory.
    assert!(hi / lo < 1.05, "bracket [{lo:.1}, {hi:.1}] too wide");
    assert_eq!(r.breaking_slo.as_deref(), Some("p95 < 50 ms"));
    assert_eq!(r.limiting_component.as_deref(), Some("server"));
    // Probes are reported in increasing factor, each with its verdict.
    assert!(r.probes.windows(2).all(|w| w[0].factor < w[1].factor));
    assert!(r.probes.iter().any(|p| p.verdict == "pass"));
    assert!(r.probes.iter().any(|p| p.verdict == "fail"));
}

const TANDEM: &str = r#"
name = "tandem"
[[classes]]
name = "req"
share = 1.0
entry = "front"

[components.front]
kind = "service"
replicas = 1
cores = 1
concurrency = 1000
scheduling = "fcfs"

[components.front.handlers.default]
cpu = { dist = "exponential", mean = "4ms" }
calls = [{ to = "back" }]

[components.back]
kind = "service"
replicas = 1
cores = 1
concurrency = 1000
scheduling = "fcfs"
cpu = { dist = "exponential", mean = "7ms" }
"#;

#[test]
fn in_a_tandem_network_the_slower_station_limits() {
    // front: 4 ms, back: 7 ms per request; back saturates at 1/0.007 ≈ 143/s,
    // front at 250/s. At 50/s, back is 35% busy and front 20%.
    let (sys, sc) = load(TANDEM, &open_scenario(50.0, 200, 20));
    let opts = CapacityOptions {
        slos: vec![parse_slo("p95<500ms").unwrap()],
        ..CapacityOptions::default()
    };
    let r = capacity(&sys, &sc, &opts, None).expect("capacity runs");
    assert_eq!(r.limiting_component.as_deref(), Some("back"));
    let first = &r.bottlenecks[0];
    assert_eq!(first.component, "back");
    assert_eq!(first.metric, LimitMetric::Utilization);
    // back reaches 95% utilization near 0.95 × 143/s = 136/s, i.e. factor ≈ 2.71;
    // allow for the interpolation between probes and interval noise.
    let f = first.saturates_at_factor.unwrap();
    assert!((2.4..=2.9).contains(&f), "back saturates at {f}");
    // front is next, later (its own limit is 250/s, so its utilization at the
    // breaking load is extrapolated).
    let front = r
        .bottlenecks
        .iter()
        .find(|b| b.component == "front" && b.metric == LimitMetric::Utilization)
        .expect("front listed");
    assert!(front.saturates_at_factor.unwrap() > f);
    // The system breaks where back saturates: an M/M/1 with ρ → 1.
    let lo = r.max_load_factor.unwrap();
    assert!((2.0..=2.86).contains(&lo), "holds up to {lo}");
}

#[test]
fn a_system_that_holds_to_the_max_factor_says_so() {
    let (sys, sc) = load(MMC, &open_scenario(10.0, 60, 5));
    let opts = CapacityOptions {
        slos: vec![parse_slo("p95<1s").unwrap()],
        max_factor: 4.0,
        ..CapacityOptions::default()
    };
    let r = capacity(&sys, &sc, &opts, None).unwrap();
    assert_eq!(r.max_load_factor, Some(4.0));
    assert_eq!(r.min_failing_factor, None);
    assert_eq!(r.breaking_slo, None);
    assert!(
        r.statement.contains("raise --max-factor"),
        "{}",
        r.statement
    );
}

#[test]
fn a_system_that_breaks_at_any_load_is_not_given_a_capacity() {
    // A p50 below the service time itself cannot be met at any load.
    let (sys, sc) = load(MMC, &open_scenario(100.0, 30, 3));
    let opts = CapacityOptions {
        slos: vec![parse_slo("p50<1ms").unwrap()],
        ..CapacityOptions::default()
    };
    let r = capacity(&sys, &sc, &opts, None).unwrap();
    assert_eq!(r.max_load_factor, None);
    assert!(r.statement.contains("even at"), "{}", r.statement);
}

#[test]
fn cli_writes_capacity_files_and_rejects_bad_options() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.toml", MMC);
    let s = write(dir.path(), "s.toml", &open_scenario(640.0, 60, 5));
    let out = dir.path().join("out");
    let o = capsim()
        .args(["capacity"])
        .arg(&m)
        .arg("--scenario")
        .arg(&s)
        .args(["--slo", "p95<50ms", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("bottlenecks"), "{text}");
    for f in [
        "capacity.json",
        "capacity.md",
        "capacity.png",
        "capacity_utilization.png",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("capacity.json")).unwrap()).unwrap();
    for key in [
        "max_load_factor",
        "max_rps",
        "breaking_slo",
        "limiting_component",
        "bottlenecks",
        "probes",
    ] {
        assert!(json.get(key).is_some(), "capacity.json lacks {key}");
    }
    let b = &json["bottlenecks"][0];
    for key in ["component", "metric", "value", "saturates_at_factor"] {
        assert!(b.get(key).is_some(), "bottleneck lacks {key}");
    }
    let p = &json["probes"][0];
    for key in ["factor", "p95_ms", "p99_ms", "error_rate", "verdict"] {
        assert!(p.get(key).is_some(), "probe lacks {key}");
    }
    // Same inputs, same bytes.
    let out2 = dir.path().join("out2");
    let o2 = capsim()
        .args(["capacity"])
        .arg(&m)
        .arg("--scenario")
        .arg(&s)
        .args(["--slo", "p95<50ms", "--quiet", "--out"])
        .arg(&out2)
        .output()
        .unwrap();
    assert!(o2.status.success());
    assert!(o2.stdout.is_empty() && o2.stderr.is_empty());
    assert_eq!(
        std::fs::read(out.join("capacity.json")).unwrap(),
        std::fs::read(out2.join("capacity.json")).unwrap()
    );
    // Bad options are exit 2 with a message.
    for (args, needle) in [
        (vec!["--max-factor", "0.5"], "--max-factor"),
        (vec!["--slo", "p96<1s"], "--slo"),
        (vec!["--stage", "Nope"], "stage"),
    ] {
        let o = capsim()
            .args(["capacity"])
            .arg(&m)
            .arg("--scenario")
            .arg(&s)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // A model without SLOs and no --slo cannot be judged.
    let o = capsim()
        .args(["capacity"])
        .arg(&m)
        .arg("--scenario")
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no"));
}

/// One reporting interval spanning the whole run, so the busiest interval is
/// the run itself and headroom is exactly capacity / mean demand.
fn one_interval_scenario(rate: f64, duration_s: u64) -> String {
    format!(
        "name = \"one-interval\"\nduration = \"{duration_s}s\"\nwarmup = \"0s\"\ninterval = \"{duration_s}s\"\nseed = 7\n\n[workload]\ntype = \"open\"\nrate = {rate}\n"
    )
}

#[test]
fn headroom_is_capacity_over_demand_and_names_the_tighter_station() {
    // Tandem at 50/s: back is 35% busy (headroom 1/0.35 = 2.857), front 20%
    // (5.0). Over 600 s the busy-time estimate has a relative error of about
    // 1% (30,000 requests, correlated), so 4% is a wide but failing-capable band.
    let (sys, sc) = load(TANDEM, &one_interval_scenario(50.0, 600));
    let r = capsim::stack::simulate(&sys, &sc, sc.seed, 0);
    let back = r.components["back"].headroom_factor.unwrap();
    let front = r.components["front"].headroom_factor.unwrap();
    assert!(
        (back / (1.0 / 0.35) - 1.0).abs() < 0.04,
        "back headroom {back}"
    );
    assert!((front / 5.0 - 1.0).abs() < 0.04, "front headroom {front}");
    let b = r.bottleneck.as_ref().expect("a bottleneck");
    assert_eq!(b.component, "back");
    assert_eq!(b.headroom_factor, back);
    // M/M/8 at ρ = 0.8: headroom 1.25.
    let (sys, sc) = load(MMC, &one_interval_scenario(640.0, 300));
    let r = capsim::stack::simulate(&sys, &sc, sc.seed, 0);
    let h = r.components["server"].headroom_factor.unwrap();
    assert!((h / 1.25 - 1.0).abs() < 0.02, "M/M/8 headroom {h}");
}
