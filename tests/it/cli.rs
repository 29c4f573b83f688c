//! End-to-end tests of the `capsim` binary: exit codes, messages, output
//! files, determinism.

use crate::support::{capsim, repo, run_cli, write};

use std::fs;

/// A short scenario so tests stay fast.
const SHORT: &str = r#"
duration = "60s"
warmup = "5s"
seed = 3
interval = "5s"
[workload]
type = "open"
rate = 400
"#;

#[test]
fn run_writes_summary_with_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write(dir.path(), "short.toml", SHORT);
    let out = dir.path().join("out");
    let o = run_cli(&repo("models/examples/web-stack.toml"), &sc, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("latency"), "{stdout}");
    assert!(stdout.contains("reproduce: capsim run"), "{stdout}");
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in ["total", "completed", "failed", "errors"] {
        assert!(v["requests"].get(key).is_some(), "requests.{key}");
    }
    for kind in [
        "refused",
        "timeout",
        "pool_timeout",
        "pool_refused",
        "unavailable",
        "rejected",
        "overload",
    ] {
        assert!(v["requests"]["errors"].get(kind).is_some(), "errors.{kind}");
    }
    for key in ["mean", "p50", "p90", "p95", "p99", "p999", "max"] {
        assert!(v["latency_ms"][key].is_number(), "latency_ms.{key}");
    }
    assert!(v["wait_ms"]["mean"].is_number() && v["wait_ms"]["p95"].is_number());
    assert!(v["throughput_rps"].as_f64().unwrap() > 300.0);
    for (name, comp) in v["components"].as_object().unwrap() {
        assert!(comp["utilization"].is_number(), "{name}.utilization");
        assert!(comp["replicas"].is_number(), "{name}.replicas");
    }
    assert_eq!(v["components"]["api"]["replicas"], 3);
    let csv = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("time_s,offered_rps,served_rps"));
    assert!(header.contains("api.utilization") && header.contains("db_pool.in_use"));
    assert_eq!(lines.count(), 12, "60 s / 5 s intervals");
}

#[test]
fn same_seed_same_bytes_different_seed_differs() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write(dir.path(), "short.toml", SHORT);
    let model = repo("models/examples/web-stack.toml");
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    assert!(run_cli(&model, &sc, &a, &["--quiet"]).status.success());
    assert!(run_cli(&model, &sc, &b, &["--quiet"]).status.success());
    assert!(run_cli(&model, &sc, &c, &["--quiet", "--seed", "4"])
        .status
        .success());
    for f in ["summary.json", "timeseries.csv"] {
        let (fa, fb, fc) = (
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            fs::read(c.join(f)).unwrap(),
        );
        assert_eq!(fa, fb, "{f} differs between two runs with the same seed");
        assert_ne!(fa, fc, "{f} is the same for different seeds");
    }
}

#[test]
fn json_flag_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write(dir.path(), "short.toml", SHORT);
    let o = run_cli(
        &repo("models/examples/mmc.toml"),
        &sc,
        &dir.path().join("o"),
        &["--json"],
    );
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(v["model"], "mmc");
    assert_eq!(v["seed"], 3);
}

#[test]
fn validate_accepts_the_examples() {
    for (m, s) in [
        ("models/examples/mmc.toml", "scenarios/examples/steady.toml"),
        (
            "models/examples/web-stack.toml",
            "scenarios/examples/web-day.toml",
        ),
    ] {
        let o = capsim()
            .arg("validate")
            .arg(repo(m))
            .arg(repo(s))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{m}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

const CLASS: &str = "[[classes]]\nname = \"a\"\nshare = 1\nentry = \"api\"\n\n";

/// Each bad input: exit 2, and a message with file:line:col, the key, what
/// was found and what was expected.
#[test]
fn bad_models_get_located_messages_and_exit_2() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "unknown key",
            "[components.api]\nkind = \"service\"\ncpu = \"5ms\"\ncolour = \"blue\"\n",
            &["m.toml:9:", "colour", "expected one of"],
        ),
        (
            "wrong type",
            "[components.api]\nkind = \"service\"\ncpu = \"5ms\"\nreplicas = \"three\"\n",
            &["m.toml:9:12", "components.api.replicas", "expected u32"],
        ),
        (
            "negative",
            "[components.api]\nkind = \"service\"\ncpu = \"5ms\"\nreplicas = -2\n",
            &["m.toml:9:", "replicas", "-2"],
        ),
        (
            "zero where it cannot be",
            "[components.api]\nkind = \"service\"\ncpu = \"5ms\"\nconcurrency = 0\n",
            &["m.toml:9:", "concurrency", "found 0"],
        ),
        (
            "route to a missing component",
            "[components.api]\nkind = \"service\"\ncpu = \"5ms\"\ncalls = [{ to = \"db\" }]\n",
            &["m.toml:9:", "calls[0].to", "\"db\"", "expected one of: api"],
        ),
        (
            "probability above 1",
            "[components.api]\nkind = \"service\"\ncpu = \"5ms\"\ncalls = [{ to = \"c\", probability = 1.5 }]\n[components.c]\nkind = \"cache\"\nhit_ratio = 0.5\n",
            &["m.toml:9:", "probability", "found 1.5", "between 0 and 1"],
        ),
        (
            "unreadable CSV",
            "[components.api]\nkind = \"service\"\ncpu = { dist = \"empirical\", file = \"nope.csv\" }\n",
            &["m.toml:8:", "components.api.cpu", "nope.csv"],
        ),
        (
            "duration without unit",
            "[components.api]\nkind = \"service\"\ncpu = { dist = \"exponential\", mean = 5 }\n",
            &["m.toml:8:", "cpu.mean", "without a unit"],
        ),
        (
            "unknown kind",
            "[components.api]\nkind = \"servce\"\n",
            &["m.toml:7:", "servce", "expected one of edge, service"],
        ),
        (
            "syntax error",
            "[components.api\nkind = \"service\"\n",
            &["m.toml:6:"],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (what, body, needles) in cases {
        let m = write(dir.path(), "m.toml", &format!("{CLASS}{body}"));
        let o = capsim().arg("validate").arg(&m).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{what}: expected exit 2");
        let err = String::from_utf8_lossy(&o.stderr);
        for n in *needles {
            assert!(err.contains(n), "{what}: message lacks {n:?}:\n{err}");
        }
        assert!(!err.contains("panicked"), "{what}: {err}");
    }
}

#[test]
fn bad_scenarios_and_missing_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let model = repo("models/examples/mmc.toml");
    let cases: &[(&str, &[&str])] = &[
        ("duration = \"1m\"\n[workload]\ntype = \"open\"\nrate = -5\n", &["s.toml:4:", "rate", "-5"]),
        ("duration = \"1m\"\n[workload]\ntype = \"opne\"\nrate = 5\n", &["s.toml:3:", "workload.type", "\"open\" or \"closed\""]),
        (
            "duration = \"1m\"\n[workload]\ntype = \"open\"\ncurve = { type = \"csv\", file = \"gone.csv\" }\n",
            &["s.toml:4:", "gone.csv"],
        ),
        ("duration = \"1m\"\nwarmup = \"2m\"\n[workload]\ntype = \"open\"\nrate = 5\n", &["warmup", "shorter"]),
    ];
    for (body, needles) in cases {
        let s = write(dir.path(), "s.toml", body);
        let o = capsim()
            .arg("validate")
            .arg(&model)
            .arg(&s)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{body}");
        let err = String::from_utf8_lossy(&o.stderr);
        for n in *needles {
            assert!(err.contains(n), "message lacks {n:?}:\n{err}");
        }
    }
    let o = capsim()
        .arg("run")
        .arg(dir.path().join("absent.toml"))
        .arg("--scenario")
        .arg(dir.path().join("s.toml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("absent.toml"));
}

#[test]
fn overload_is_reported_as_saturated_within_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.toml",
        &format!("{CLASS}[components.api]\nkind = \"service\"\ncores = 1\nconcurrency = 1\ncpu = \"10ms\"\n"),
    );
    // Offered 500/s against a capacity of 100/s, with an unbounded queue.
    let s = write(
        dir.path(),
        "s.toml",
        "duration = \"2m\"\nseed = 1\n[limits]\nmax_in_flight = 5000\n[workload]\ntype = \"open\"\nrate = 500\n",
    );
    let out = dir.path().join("o");
    let o = run_cli(&m, &s, &out, &["--quiet"]);
    assert!(o.status.success());
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["saturated"], true);
    assert!(v["requests"]["errors"]["overload"].as_u64().unwrap() > 0);
    let served = v["throughput_rps"].as_f64().unwrap();
    assert!(
        (served - 100.0).abs() < 2.0,
        "a saturated server serves at capacity, got {served}"
    );
    assert!(v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().starts_with("saturated")));
}

#[test]
fn closed_workload_runs_k6_style_stages() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(
        dir.path(),
        "s.toml",
        "seed = 1\ninterval = \"10s\"\n[workload]\ntype = \"closed\"\nthink = \"1s\"\nstages = [{ duration = \"30s\", target = 100 }, { duration = \"60s\", target = 100 }, { duration = \"10s\", target = 0 }]\n",
    );
    let out = dir.path().join("o");
    let o = run_cli(&repo("models/examples/mmc.toml"), &s, &out, &["--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["duration_s"], 100.0);
    assert_eq!(v["workload"]["peak_users"], 100);
    // 100 users, 1 s think, ~12 ms response: close to 100/s while at target.
    let total = v["requests"]["total"].as_u64().unwrap();
    assert!((7000..9000).contains(&total), "{total}");
}
