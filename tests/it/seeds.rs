//! The five seed systems (models/*.toml) and the bundled scenarios (scenarios/*.toml):
//! every pair validates, every model runs, `capsim stages` tabulates ai-mate's five
//! stages, and a few pairs match golden summaries under `tests/golden/seeds/`.
//!
//! Goldens hold figures rounded to 4 significant digits. After an intended change of
//! the engine or the models, bless them with `UPDATE_GOLDEN=1 cargo test --release
//! --test it seeds::` and review the diff.

use crate::support::{capsim, repo};

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

const MODELS: [&str; 5] = [
    "seisoai",
    "ai-mate",
    "recete",
    "tikit",
    "credibility-analyzer",
];

fn model(name: &str) -> PathBuf {
    repo(&format!("models/{name}.toml"))
}

/// Every `scenarios/*.toml` (not the examples), sorted.
fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(repo("scenarios"))
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_model_validates_with_every_scenario() {
    let scenarios = scenarios();
    assert!(scenarios.len() >= 15, "found {} scenarios", scenarios.len());
    let mut failures = Vec::new();
    for m in MODELS {
        for s in &scenarios {
            let out = capsim()
                .arg("validate")
                .arg(model(m))
                .arg(s)
                .output()
                .expect("capsim runs");
            if !out.status.success() {
                failures.push(format!(
                    "{m} x {}: {}",
                    s.display(),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A two-minute constant load, so every model runs quickly.
const SHORT: &str = r#"
name = "short"
duration = "2m"
warmup = "10s"
seed = 5
interval = "10s"
[workload]
type = "open"
rate = 100
clients = 1000
"#;

#[test]
fn every_model_runs_a_short_scenario() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = dir.path().join("short.toml");
    fs::write(&sc, SHORT).expect("write scenario");
    for m in MODELS {
        let out = dir.path().join(m);
        let res = capsim()
            .args(["run", "--quiet"])
            .arg(model(m))
            .arg("--scenario")
            .arg(&sc)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("capsim runs");
        assert!(
            res.status.success(),
            "{m}: {}",
            String::from_utf8_lossy(&res.stderr)
        );
        let summary: Value =
            serde_json::from_slice(&fs::read(out.join("summary.json")).expect("summary.json"))
                .expect("valid JSON");
        let completed = summary["requests"]["completed"].as_u64().unwrap_or(0);
        assert!(
            completed > 5_000,
            "{m}: only {completed} requests completed"
        );
        assert!(
            summary["cost"]["monthly"]["total_usd"]
                .as_f64()
                .unwrap_or(0.0)
                > 0.0,
            "{m}: no bill"
        );
    }
}

#[test]
fn stages_of_ai_mate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let res = capsim()
        .arg("stages")
        .arg(model("ai-mate"))
        .arg("--out")
        .arg(dir.path())
        .current_dir(repo("."))
        .output()
        .expect("capsim runs");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let stdout = String::from_utf8_lossy(&res.stdout);
    let stages = ["MVP", "Growth", "Scale", "Global", "Enterprise"];
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| stages.iter().any(|s| l.starts_with(&format!("| {s} |"))))
        .collect();
    assert_eq!(rows.len(), 5, "{stdout}");
    let csv = fs::read_to_string(dir.path().join("stages.csv")).expect("stages.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("stage,users,replicas_min,replicas_max,p50_ms,p95_ms,p99_ms,error_rate,monthly_cost_usd,cost_range_low,cost_range_high,cost_verdict,p95_target_ms,p95_verdict")
    );
    let names: Vec<&str> = lines.filter_map(|l| l.split(',').next()).collect();
    assert_eq!(names, stages);
    for f in ["stages.md", "stages.png", "stages.svg"] {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
}

#[test]
fn stages_without_a_scenario_is_an_input_error() {
    // recete's stages (but one) name no scenario: without --scenario, exit 2.
    let res = capsim()
        .arg("stages")
        .arg(model("recete"))
        .arg("--out")
        .arg(tempfile::tempdir().expect("tempdir").path())
        .output()
        .expect("capsim runs");
    assert_eq!(res.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&res.stderr).contains("has no `scenario`"));
}

/// Rounds to 4 significant digits, so last-bit noise never changes a golden.
fn sig4(x: f64) -> Value {
    if x == 0.0 || !x.is_finite() {
        return serde_json::json!(0.0);
    }
    let mag = 10f64.powi(3 - x.abs().log10().floor() as i32);
    serde_json::json!((x * mag).round() / mag)
}

/// The figures a golden holds, rounded.
fn digest(summary: &Value) -> Value {
    let num = |v: &Value| sig4(v.as_f64().unwrap_or(0.0));
    let mut comps = serde_json::Map::new();
    if let Some(cs) = summary["components"].as_object() {
        for (name, c) in cs {
            comps.insert(
                name.clone(),
                serde_json::json!({
                    "replicas_min": c.get("replicas_min").cloned().unwrap_or(Value::Null),
                    "replicas_max": c.get("replicas_max").cloned().unwrap_or(Value::Null),
                    "utilization": num(&c["utilization"]),
                }),
            );
        }
    }
    serde_json::json!({
        "requests": summary["requests"],
        "error_rate": num(&summary["error_rate"]),
        "latency_ms": {
            "p50": num(&summary["latency_ms"]["p50"]),
            "p95": num(&summary["latency_ms"]["p95"]),
            "p99": num(&summary["latency_ms"]["p99"]),
        },
        "saturated": summary["saturated"],
        "components": comps,
        "monthly_usd": num(&summary["cost"]["monthly"]["total_usd"]),
    })
}

fn golden(model_name: &str, scenario: &Path, tag: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let res = capsim()
        .args(["run", "--quiet"])
        .arg(model(model_name))
        .arg("--scenario")
        .arg(scenario)
        .arg("--out")
        .arg(dir.path())
        .output()
        .expect("capsim runs");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let summary: Value =
        serde_json::from_slice(&fs::read(dir.path().join("summary.json")).expect("summary.json"))
            .expect("valid JSON");
    let got = serde_json::to_string_pretty(&digest(&summary)).expect("serialises") + "\n";
    let path = repo(&format!("tests/golden/seeds/{model_name}-{tag}.json"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs::write(&path, &got).expect("write golden");
        return;
    }
    let want = fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no golden {}; create it with UPDATE_GOLDEN=1 cargo test --release --test it seeds::",
            path.display()
        )
    });
    assert_eq!(
        got,
        want,
        "{model_name} x {tag} differs from {}; if intended, bless with UPDATE_GOLDEN=1",
        path.display()
    );
}

#[test]
fn golden_seisoai_short() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sc = dir.path().join("short.toml");
    fs::write(&sc, SHORT).expect("write scenario");
    golden("seisoai", &sc, "short");
}

#[test]
fn golden_recete_kill_instance() {
    golden(
        "recete",
        &repo("scenarios/kill-instance.toml"),
        "kill-instance",
    );
}

#[test]
fn golden_tikit_k6() {
    golden(
        "tikit",
        &repo("scenarios/k6-load-test.toml"),
        "k6-load-test",
    );
}

#[test]
fn golden_credibility_cache_failover() {
    golden(
        "credibility-analyzer",
        &repo("scenarios/cache-failover.toml"),
        "cache-failover",
    );
}
