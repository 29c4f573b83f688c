//! End-to-end tests of the CI and planning commands: `check`, `compare`, `sweep`,
//! `merge` and `optimize` (exit codes, JUnit validity, Markdown, the optimizer
//! against brute force, shards merged byte for byte).

use crate::support::{capsim, write};

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

/// Replicas of one FCFS core each (an M/M/c-like service split over replicas),
/// 10 ms mean service time, billed per vCPU.
fn model(replicas: u32, slo: &str) -> String {
    format!(
        r#"
name = "priced"
{slo}
[[classes]]
name = "job"
share = 1.0
entry = "api"

[components.api]
kind = "service"
replicas = {replicas}
cores = 1
concurrency = 4
scheduling = "fcfs"
sku = "railway.compute.vcpu"
cpu = {{ dist = "exponential", mean = "10ms" }}
"#
    )
}

/// 300 requests/s for 30 s: about 8,000 requests per run.
const SCENARIO: &str = r#"
name = "short"
duration = "30s"
warmup = "3s"
seed = 7
interval = "5s"
[workload]
type = "open"
rate = 300
"#;

struct Fixture {
    dir: tempfile::TempDir,
    model: PathBuf,
    scenario: PathBuf,
}

fn fixture(slo: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let model = write(dir.path(), "m.toml", &model(4, slo));
    let scenario = write(dir.path(), "s.toml", SCENARIO);
    Fixture {
        dir,
        model,
        scenario,
    }
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let o = cmd.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn check(f: &Fixture, extra: &[&str]) -> (i32, String, String) {
    run(capsim()
        .arg("check")
        .arg(&f.model)
        .arg("--scenario")
        .arg(&f.scenario)
        .arg("--out")
        .arg(f.dir.path().join("run"))
        .args(extra))
}

#[test]
fn check_exit_codes_junit_and_markdown() {
    let f = fixture("[slo]\nerror_rate = 0.01\n");
    let junit = f.dir.path().join("ci/junit.xml");
    let md = f.dir.path().join("ci/summary.md");
    let (code, out, err) = check(
        &f,
        &[
            "--slo",
            "p95<200ms",
            "--slo",
            "availability>99.9%",
            "--slo",
            "monthly_cost<1500",
            "--slo",
            "time_to_capacity<2m",
            "--slo",
            "throughput>250",
            "--junit",
            junit.to_str().unwrap(),
            "--markdown",
            md.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("reproduce: capsim check"), "{out}");
    assert!(f.dir.path().join("run/summary.json").exists());
    let xml = fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    let suite = doc.root_element();
    assert_eq!(suite.tag_name().name(), "testsuite");
    assert_eq!(suite.attribute("tests"), Some("6"));
    assert_eq!(suite.attribute("failures"), Some("0"));
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 6);
    assert!(cases.iter().all(|c| c.attribute("name").is_some()));
    let text = fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("| SLO | target | actual | verdict |"),
        "{text}"
    );
    assert!(text.contains("✅"), "{text}");
    assert!(text.contains("passes vacuously"), "{text}");
    assert!(text.contains("capsim check"), "{text}");

    // A breach: exit 1, a <failure> with an escaped message.
    let (code, out, _) = check(
        &f,
        &["--slo", "p95<5ms", "--junit", junit.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{out}");
    let xml = fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 1, "{xml}");
    assert!(failures[0]
        .attribute("message")
        .is_some_and(|m| m.starts_with("p95 < 5 ms")));

    // Bad input: exit 2 naming the flag, what was found and what was expected.
    for (slo, needle) in [
        ("p95<200", "without a unit"),
        ("latency<2ms", "found metric \"latency\""),
        ("errors=1%", "expected METRIC<VALUE"),
    ] {
        let (code, _, err) = check(&f, &["--slo", slo]);
        assert_eq!(code, 2, "{slo}");
        assert!(
            err.contains("--slo") && err.contains(needle),
            "{slo}: {err}"
        );
    }
    let (code, _, err) = run(capsim()
        .arg("check")
        .arg(&f.model)
        .arg("--scenario")
        .arg(f.dir.path().join("missing.toml")));
    assert_eq!(code, 2);
    assert!(err.contains("missing.toml"), "{err}");
}

#[test]
fn too_close_to_call_warns_unless_strict() {
    let f = fixture("");
    let (code, out, err) = check(&f, &["--slo", "p95<10s", "-n", "5"]);
    assert_eq!(code, 0, "{out}{err}");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(f.dir.path().join("run/summary.json")).unwrap())
            .unwrap();
    let p95 = &summary["replications"]["figures"]["latency_ms.p95"];
    let (lo, hi) = (
        p95["ci95_low"].as_f64().unwrap(),
        p95["ci95_high"].as_f64().unwrap(),
    );
    assert!(lo < hi, "{p95}");
    // A threshold inside the interval.
    let slo = format!("p95<{}us", ((lo + hi) / 2.0 * 1000.0).round());
    let md = f.dir.path().join("close.md");
    let (code, out, _) = check(
        &f,
        &["--slo", &slo, "-n", "5", "--markdown", md.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("too close to call"), "{out}");
    assert!(fs::read_to_string(&md).unwrap().contains("⚠️"));
    let (code, out, _) = check(&f, &["--slo", &slo, "-n", "5", "--strict"]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn compare_identical_and_regressed() {
    let f = fixture("");
    let half = write(f.dir.path(), "half.toml", &model(2, ""));
    let compare = |base: &Path, cand: &Path, extra: &[&str]| {
        run(capsim()
            .arg("compare")
            .arg(base)
            .arg(cand)
            .arg("--scenario")
            .arg(&f.scenario)
            .args(extra))
    };
    let md = f.dir.path().join("cmp.md");
    let (code, out, err) = compare(
        &f.model,
        &f.model,
        &["--fail-on", "p95+10%", "--markdown", md.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no change"), "{out}");
    assert!(out.contains("| figure | base | candidate |"), "{out}");
    assert!(!out.contains("❌"), "{out}");
    assert_eq!(fs::read_to_string(&md).unwrap(), out);

    let (code, out, _) = compare(&f.model, &half, &["--fail-on", "p95+10%"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("❌ `--fail-on p95+10%`"), "{out}");
    // Without a gate the same change is reported, not failed.
    let (code, _, _) = compare(&f.model, &half, &[]);
    assert_eq!(code, 0);
    // Replications on both sides: Welch's test.
    let (code, out, _) = compare(
        &f.model,
        &half,
        &["-n", "3", "--fail-on", "monthly_cost+5%"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("significant (p"), "{out}");

    // Output folders work too.
    for (name, m) in [("a", &f.model), ("b", &f.model)] {
        let (code, _, err) = run(capsim()
            .arg("run")
            .arg(m)
            .arg("--scenario")
            .arg(&f.scenario)
            .arg("--out")
            .arg(f.dir.path().join(name))
            .arg("-q"));
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, _) = run(capsim()
        .arg("compare")
        .arg(f.dir.path().join("a"))
        .arg(f.dir.path().join("b"))
        .args(["--fail-on", "errors+0.5pp", "--fail-on", "p99+50ms"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no change"), "{out}");
    let (code, _, err) = compare(&f.model, &half, &["--fail-on", "p95*2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--fail-on"), "{err}");
}

/// Reads sweep.csv into a header and rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn optimize_matches_brute_force_with_fewer_runs() {
    let f = fixture("");
    let grid = ["api.replicas=1..12", "api.cores=1,2,3"];
    let target_ms = 50.0;
    let sweep_out = f.dir.path().join("sweep");
    let (code, out, err) = run(capsim()
        .arg("sweep")
        .arg(&f.model)
        .arg("--scenario")
        .arg(&f.scenario)
        .args(["--set", grid[0], "--set", grid[1], "--out"])
        .arg(&sweep_out));
    assert_eq!(code, 0, "{out}{err}");
    assert!(sweep_out.join("sweep.png").exists() && sweep_out.join("sweep.svg").exists());
    let (header, rows) = read_csv(&sweep_out.join("sweep.csv"));
    assert_eq!(rows.len(), 36);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (p95, cost, util) = (
        col("p95_ms"),
        col("monthly_cost_usd"),
        col("utilization_api"),
    );
    // p95 falls as replicas rise (capacity is monotone on this grid).
    let num = |r: &Vec<String>, c: usize| r[c].parse::<f64>().unwrap();
    assert!(num(&rows[0], p95) > num(&rows[35], p95));
    assert!(num(&rows[0], util) > num(&rows[35], util));
    // Brute force: the cheapest point meeting the SLO; ties to lower p95, then index.
    let best = rows
        .iter()
        .filter(|r| num(r, p95) < target_ms)
        .min_by(|a, b| {
            (num(a, cost), num(a, p95))
                .partial_cmp(&(num(b, cost), num(b, p95)))
                .unwrap()
        })
        .unwrap();
    let opt_out = f.dir.path().join("opt");
    let (code, out, err) = run(capsim()
        .arg("optimize")
        .arg(&f.model)
        .arg("--scenario")
        .arg(&f.scenario)
        .args([
            "--param", grid[0], "--param", grid[1], "--slo", "p95<50ms", "--out",
        ])
        .arg(&opt_out));
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(opt_out.join("optimize.json")).unwrap()).unwrap();
    let chosen = &v["chosen"];
    assert_eq!(chosen["params"]["api.replicas"], best[1].as_str(), "{out}");
    assert_eq!(chosen["params"]["api.cores"], best[2].as_str(), "{out}");
    assert!((chosen["objective"].as_f64().unwrap() - num(best, cost)).abs() < 0.01);
    let runs = v["runs"].as_u64().unwrap();
    assert_eq!(v["grid_runs"].as_u64(), Some(36));
    assert!(runs < 18, "optimize used {runs} runs of 36");
    let frontier = fs::read_to_string(opt_out.join("frontier.csv")).unwrap();
    assert!(frontier.starts_with("index,api.replicas,api.cores,monthly_cost_usd,p95_ms"));
    assert_eq!(frontier.lines().filter(|l| l.ends_with(",true")).count(), 1);
    assert!(opt_out.join("frontier.png").exists());

    // No configuration meets an impossible SLO: exit 1.
    let (code, out, _) = run(capsim()
        .arg("optimize")
        .arg(&f.model)
        .arg("--scenario")
        .arg(&f.scenario)
        .args(["--param", "api.replicas=1..3", "--slo", "p95<1ms", "--out"])
        .arg(f.dir.path().join("opt2")));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no configuration"), "{out}");
}

#[test]
fn shards_merge_to_the_unsharded_bytes() {
    let f = fixture("");
    let sets = [
        "--set",
        "api.replicas=3..6",
        "--set",
        "api.cores=1,2",
        "-n",
        "2",
    ];
    let sweep = |out: &Path, extra: &[&str]| {
        run(capsim()
            .arg("sweep")
            .arg(&f.model)
            .arg("--scenario")
            .arg(&f.scenario)
            .args(sets)
            .arg("--out")
            .arg(out)
            .args(extra))
    };
    let full = f.dir.path().join("full");
    let parts = f.dir.path().join("parts");
    assert_eq!(sweep(&full, &[]).0, 0);
    for k in ["1/2", "2/2"] {
        let (code, out, err) = sweep(&parts, &["--shard", k]);
        assert_eq!(code, 0, "{out}{err}");
    }
    let part1 = parts.join("sweep.part-1-of-2.json");
    let part2 = parts.join("sweep.part-2-of-2.json");
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&part1).unwrap()).unwrap();
    assert_eq!(v["points"].as_array().unwrap().len(), 4);
    assert!(v["points"][0]["result"]["latency_ms"]["p95"].is_number());
    assert!(v["points"][0]["result"]["replications"]["count"] == 2);
    let merged = f.dir.path().join("merged");
    let (code, out, err) = run(capsim()
        .arg("merge")
        .arg(&part2)
        .arg(&part1)
        .arg("--out")
        .arg(&merged));
    assert_eq!(code, 0, "{out}{err}");
    let a = fs::read(full.join("sweep.csv")).unwrap();
    let b = fs::read(merged.join("sweep.csv")).unwrap();
    assert_eq!(a, b, "merged sweep.csv differs from the unsharded one");
    // One thread gives the same bytes as many.
    let one = f.dir.path().join("one-thread");
    let (code, _, err) = run(capsim()
        .env("RAYON_NUM_THREADS", "1")
        .arg("sweep")
        .arg(&f.model)
        .arg("--scenario")
        .arg(&f.scenario)
        .args(sets)
        .arg("--out")
        .arg(&one));
    assert_eq!(code, 0, "{err}");
    assert_eq!(a, fs::read(one.join("sweep.csv")).unwrap());
    let text = String::from_utf8(a).unwrap();
    assert!(text.starts_with("index,api.replicas,api.cores,seed,replications,p50_ms,p50_ms_ci95,"));
    assert_eq!(text.lines().count(), 9);

    // A missing shard, and a part of another sweep, are refused.
    let (code, _, err) = run(capsim().arg("merge").arg(&part1).arg("--out").arg(&merged));
    assert_eq!(code, 2);
    assert!(err.contains("missing shard(s) 2/2"), "{err}");
    let other = f.dir.path().join("other");
    let (code, _, _) = run(capsim()
        .arg("sweep")
        .arg(&f.model)
        .arg("--scenario")
        .arg(&f.scenario)
        .args(["--set", "api.replicas=3..5", "--shard", "2/2", "--out"])
        .arg(&other));
    assert_eq!(code, 0);
    let (code, _, err) = run(capsim()
        .arg("merge")
        .arg(&part1)
        .arg(other.join("sweep.part-2-of-2.json"))
        .arg("--out")
        .arg(&merged));
    assert_eq!(code, 2);
    assert!(err.contains("another sweep"), "{err}");
}

#[test]
fn sweep_rejects_bad_grids() {
    let f = fixture("");
    let sweep = |extra: &[&str]| {
        run(capsim()
            .arg("sweep")
            .arg(&f.model)
            .arg("--scenario")
            .arg(&f.scenario)
            .args(extra)
            .arg("--out")
            .arg(f.dir.path().join("bad")))
    };
    for (args, needle) in [
        (
            &["--set", "api.replicas=1..200", "--set", "api.cores=1..100"][..],
            "more than the 10000 runs",
        ),
        (
            &["--set", "apu.replicas=1..3"][..],
            "no component or table `apu`",
        ),
        (&["--set", "api.replicas=5..1"][..], "not above"),
        (
            &["--set", "api.replicas=1..3", "--shard", "3/2"][..],
            "--shard",
        ),
        (&["--set", "api.replicas=x,y"][..], "with api.replicas=x"),
    ] {
        let (code, _, err) = sweep(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
