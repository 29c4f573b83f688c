//! Replications, confidence intervals, charts and the report: interval
//! coverage on an M/M/1 queue whose answers are known, byte-identical
//! results whatever the thread count, and the files a person reads.

use crate::support::{capsim, write};

use capsim::run::load_inputs;
use capsim::stats::estimate;
use rayon::prelude::*;
use statrs::distribution::{Binomial, DiscreteCDF};
use std::fs;
use std::path::Path;

/// M/M/1: one server, exponential service with mean 10 ms (mu = 100/s).
const MM1: &str = r#"
name = "mm1"
description = "M/M/1, mean service time 10 ms"
[[classes]]
name = "job"
share = 1.0
entry = "server"
[components.server]
kind = "service"
replicas = 1
cores = 1
concurrency = 1
scheduling = "fcfs"
cpu = { dist = "exponential", mean = "10ms" }
"#;

/// lambda = 50/s, so rho = 0.5 and the mean response time is
/// 1 / (mu - lambda) = 20 ms. Short runs with a warm-up of 5 s: the empty
/// queue relaxes in about 1 / (mu (1 - sqrt(rho))^2) = 0.12 s, so 5 s leaves
/// no measurable start-up bias.
const MM1_SHORT: &str = r#"
duration = "45s"
warmup = "5s"
seed = 1
interval = "5s"
[workload]
type = "open"
rate = 50
"#;

/// Smallest k with P(X <= k) >= p for X ~ Binomial(n, 0.95).
fn binomial_quantile(n: u64, p: f64) -> u64 {
    let b = Binomial::new(0.95, n).unwrap();
    (0..=n).find(|&k| b.cdf(k) >= p).unwrap_or(n)
}

/// Over 400 independent batches of 10 replications, the 95% Student-t
/// intervals of the mean response time (truth 20 ms) and of the throughput
/// (truth 50/s, an unbiased estimator) contain the truth about 95% of the
/// time: the count lies in the central 99.9% of Binomial(400, 0.95).
#[test]
fn confidence_intervals_cover_mm1_truth() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "mm1.toml", MM1);
    let s = write(dir.path(), "short.toml", MM1_SHORT);
    let (sys, sc) = load_inputs(&m, &s).unwrap();
    const BATCHES: u64 = 400;
    const N: u64 = 10;
    // Every replication has its own streams: (seed 1, index 0..2000).
    let runs: Vec<(f64, f64)> = (0..BATCHES * N)
        .into_par_iter()
        .map(|i| {
            let r = capsim::stack::simulate(&sys, &sc, 1, i);
            (r.latency_ms.mean, r.throughput_rps)
        })
        .collect();
    let mut covered = (0u64, 0u64);
    for batch in runs.chunks(N as usize) {
        let lat: Vec<f64> = batch.iter().map(|x| x.0).collect();
        let thr: Vec<f64> = batch.iter().map(|x| x.1).collect();
        let (l, t) = (estimate(&lat).unwrap(), estimate(&thr).unwrap());
        covered.0 += u64::from(l.ci95_low <= 20.0 && 20.0 <= l.ci95_high);
        covered.1 += u64::from(t.ci95_low <= 50.0 && 50.0 <= t.ci95_high);
    }
    let (lo, hi) = (
        binomial_quantile(BATCHES, 0.0005),
        binomial_quantile(BATCHES, 0.9995),
    );
    eprintln!(
        "coverage over {BATCHES} batches of {N}: mean response {}/{BATCHES}, throughput {}/{BATCHES} (band {lo}..={hi})",
        covered.0, covered.1
    );
    assert!(
        (lo..=hi).contains(&covered.0),
        "mean response time: {}/{BATCHES} intervals contain 20 ms, expected {lo}..={hi}",
        covered.0
    );
    assert!(
        (lo..=hi).contains(&covered.1),
        "throughput: {}/{BATCHES} intervals contain 50/s, expected {lo}..={hi}",
        covered.1
    );
}

fn run_cli(model: &Path, scenario: &Path, out: &Path, threads: &str, extra: &[&str]) -> String {
    let o = capsim()
        .env("RAYON_NUM_THREADS", threads)
        .arg("run")
        .arg(model)
        .arg("--scenario")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Not a terminal: no bar, only one progress line per finished replication.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.lines()
            .all(|l| l.starts_with("replications ") && l.ends_with(" done")),
        "{err}"
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn replications_are_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "mm1.toml", MM1);
    let s = write(dir.path(), "short.toml", MM1_SHORT);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let stdout = run_cli(&m, &s, &a, "1", &["--replications", "6"]);
    run_cli(&m, &s, &b, "2", &["--replications", "6"]);
    for f in [
        "summary.json",
        "timeseries.csv",
        "timeseries-replications.csv",
        "report.md",
        "report.html",
        "latency.svg",
        "latency.png",
    ] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
    assert!(stdout.contains("(95% CI, 6 runs)"), "{stdout}");
    assert!(stdout.contains("--replications 6"), "{stdout}");
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(a.join("summary.json")).unwrap()).unwrap();
    let reps = &v["replications"];
    assert_eq!(reps["count"], 6);
    assert_eq!(reps["indices"], serde_json::json!([0, 1, 2, 3, 4, 5]));
    assert_eq!(reps["warmup"]["method"], "fixed");
    assert_eq!(reps["warmup"]["seconds"], 5.0);
    let p95 = &reps["figures"]["latency_ms.p95"];
    for k in ["mean", "sd", "ci95_low", "ci95_high", "half_width"] {
        assert!(p95[k].is_f64(), "latency_ms.p95.{k}");
    }
    // The headline keys hold the means.
    assert_eq!(v["latency_ms"]["p95"], p95["mean"]);
    assert_eq!(
        v["throughput_rps"],
        reps["figures"]["throughput_rps"]["mean"]
    );
    assert!(p95["ci95_low"].as_f64() < p95["ci95_high"].as_f64());
}

#[test]
fn precision_adds_replications_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "mm1.toml", MM1);
    let s = write(dir.path(), "short.toml", MM1_SHORT);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let args = ["--precision", "4%", "--max-replications", "40", "--json"];
    let ja = run_cli(&m, &s, &a, "1", &args);
    let jb = run_cli(&m, &s, &b, "2", &args);
    assert_eq!(ja, jb);
    let v: serde_json::Value = serde_json::from_str(&ja).unwrap();
    let reps = &v["replications"];
    let n = reps["count"].as_u64().unwrap();
    assert!((2..=40).contains(&n), "{n}");
    let p = &reps["precision"];
    assert_eq!(p["target"], 0.04);
    let fig = &reps["figures"]["latency_ms.p95"];
    let rel = fig["half_width"].as_f64().unwrap() / fig["mean"].as_f64().unwrap();
    if p["met"].as_bool().unwrap() {
        assert!(rel <= 0.04 + 1e-6, "{rel}");
    } else {
        assert_eq!(n, 40);
    }
    assert_eq!(fs::read_to_string(a.join("summary.json")).unwrap(), ja);
}

#[test]
fn single_run_has_no_replications_block_and_bad_options_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "mm1.toml", MM1);
    let s = write(dir.path(), "short.toml", MM1_SHORT);
    let out = dir.path().join("one");
    let json = run_cli(&m, &s, &out, "2", &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v.get("replications").is_none());
    for bad in [
        &["--precision", "0%"][..],
        &["--precision", "abc"],
        &["--replications", "100000"],
        &["--precision", "2%", "--max-replications", "1"],
    ] {
        let o = capsim()
            .arg("run")
            .arg(&m)
            .arg("--scenario")
            .arg(&s)
            .arg("--out")
            .arg(&out)
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(!o.stderr.is_empty(), "{bad:?}");
    }
}

#[test]
fn charts_and_report_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(
        dir.path(),
        "short.toml",
        "duration = \"60s\"\nwarmup = \"10s\"\nseed = 3\ninterval = \"5s\"\n[workload]\ntype = \"open\"\nrate = 300\n",
    );
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/examples/web-stack.toml");
    let out = dir.path().join("out");
    run_cli(&model, &s, &out, "2", &["--replications", "3", "-q"]);
    for stem in ["latency", "utilization", "queues", "latency-cdf"] {
        let png = fs::read(out.join(format!("{stem}.png"))).unwrap();
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{stem}.png signature"
        );
        assert!(
            (5_000..10_000_000).contains(&png.len()),
            "{stem}.png size {}",
            png.len()
        );
        let svg = fs::read_to_string(out.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
            "{stem}.svg"
        );
        assert!(
            (1_000..10_000_000).contains(&svg.len()),
            "{stem}.svg size {}",
            svg.len()
        );
    }
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let p95 = v["latency_ms"]["p95"].as_f64().unwrap();
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for text in [&md, &html] {
        for needle in [
            "Headline",
            "latency p95",
            "95% CI",
            "SLO verdicts",
            "Autoscaling timeline",
            "Cost",
            "Assumptions",
            "3 independent replications",
        ] {
            assert!(text.contains(needle), "report lacks {needle:?}");
        }
    }
    // The p95 mean as the report prints it (precision from its interval).
    let e: capsim::stats::Estimate =
        serde_json::from_value(v["replications"]["figures"]["latency_ms.p95"].clone()).unwrap();
    assert_eq!(e.mean, p95);
    let (m, h) = capsim::report::document::plus_minus(&e, 1.0);
    let shown = format!("{m} ms ± {h}");
    assert!(md.contains(&shown), "report.md lacks {shown:?}");
    assert!(md.contains("![Latency over time"), "{md}");
    // Self-contained: the charts are inline SVG, nothing is fetched.
    assert_eq!(html.matches("<svg").count(), 5, "4 charts + cost");
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
}
