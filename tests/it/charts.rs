//! Every chart kind drawn from a real model: a seed model's run (latency,
//! utilization, queues, distribution, cost), the stages chart of the model with
//! the most cost items, a replicated sweep and an optimize frontier. Each chart
//! must be a valid PNG and SVG, and the SVG must show the properties that broke on
//! real models: legends not cut, small cost items grouped, time in hours for a
//! multi-hour run, dots for the frontier. Set `CAPSIM_CHART_DIR` to keep them.

use crate::support::{capsim, repo, run_cli, write};
use std::path::{Path, PathBuf};

fn out_dir(name: &str) -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("CAPSIM_CHART_DIR") {
        Some(dir) => {
            let d = PathBuf::from(dir).join(name);
            std::fs::create_dir_all(&d).expect("chart dir");
            (None, d)
        }
        None => {
            let tmp = tempfile::tempdir().expect("tempdir");
            let d = tmp.path().to_path_buf();
            (Some(tmp), d)
        }
    }
}

/// Checks `dir/stem.png` and `.svg` and returns the SVG text.
#[track_caller]
fn chart(dir: &Path, stem: &str) -> String {
    let png = std::fs::read(dir.join(format!("{stem}.png")))
        .unwrap_or_else(|e| panic!("{stem}.png: {e}"));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}.png signature");
    assert!(png.len() > 5_000, "{stem}.png is only {} bytes", png.len());
    let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).expect("svg");
    assert!(svg.trim_end().ends_with("</svg>"), "{stem}.svg is complete");
    // A legend that runs out of room says "… and N more"; names are never cut.
    assert!(!svg.contains('…'), "{stem}.svg cut a label");
    svg
}

const FOUR_HOURS: &str = r#"
name = "four-hours"
duration = "4h"
warmup = "1m"
seed = 3
interval = "1m"
[workload]
type = "open"
rate = 8
clients = 1000
"#;

#[test]
fn a_seed_model_run_draws_every_chart() {
    let (_keep, dir) = out_dir("recete-run");
    let tmp = tempfile::tempdir().expect("tempdir");
    let sc = write(tmp.path(), "four-hours.toml", FOUR_HOURS);
    let res = run_cli(&repo("models/recete.toml"), &sc, &dir, &["-q"]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let latency = chart(&dir, "latency");
    assert!(latency.contains("time (h)"), "a 4 h run is drawn in hours");
    assert!(latency.contains("(right axis)"));
    chart(&dir, "utilization");
    chart(&dir, "queues");
    let cdf = chart(&dir, "latency-cdf");
    assert!(cdf.contains("p95") && cdf.contains("p99"));
    let cost = chart(&dir, "cost");
    // Every category name is printed whole (wrapped at `_` when narrow).
    for c in ["cdn", "api", "cache", "egress"] {
        assert!(cost.lines().any(|l| l.trim() == c), "cost.svg names {c}");
    }
}

#[test]
fn the_stages_chart_groups_small_cost_items() {
    // ai-mate's Enterprise stage bills 47 items across 11 regions.
    let (_keep, dir) = out_dir("ai-mate-stages");
    let res = capsim()
        .arg("stages")
        .arg(repo("models/ai-mate.toml"))
        .arg("--out")
        .arg(&dir)
        .output()
        .expect("capsim runs");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let svg = chart(&dir, "stages");
    assert!(
        svg.contains("other ("),
        "small items are grouped into other"
    );
    for stage in ["MVP", "Growth", "Scale", "Global", "Enterprise"] {
        assert!(svg.contains(stage), "{stage}");
    }
}

const SHORT: &str = r#"
name = "short"
duration = "2m"
warmup = "10s"
seed = 11
interval = "10s"
[workload]
type = "open"
rate = 500
"#;

#[test]
fn sweep_and_optimize_charts() {
    let (_keep, dir) = out_dir("mmc-grid");
    let tmp = tempfile::tempdir().expect("tempdir");
    let sc = write(tmp.path(), "short.toml", SHORT);
    let model = repo("models/examples/mmc.toml");
    let res = capsim()
        .arg("sweep")
        .arg(&model)
        .arg("--scenario")
        .arg(&sc)
        .args(["--set", "server.cores=6..9", "-n", "2", "-q", "--out"])
        .arg(dir.join("sweep"))
        .output()
        .expect("capsim runs");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let sweep = chart(&dir.join("sweep"), "sweep");
    assert!(sweep.contains("server.cores"));
    let res = capsim()
        .arg("optimize")
        .arg(&model)
        .arg("--scenario")
        .arg(&sc)
        .args([
            "--param",
            "server.cores=5..12",
            "--slo",
            "p95<40ms",
            "--objective",
            "sum",
            "-q",
            "--out",
        ])
        .arg(dir.join("optimize"))
        .output()
        .expect("capsim runs");
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let frontier = chart(&dir.join("optimize"), "frontier");
    assert!(frontier.contains("chosen"));
    assert!(frontier.contains("<circle"), "configurations are dots");
}
