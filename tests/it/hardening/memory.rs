//! Item 7: what a run keeps and writes does not grow with the number of
//! stages or the horizon beyond documented bounds.

use super::ONE_SERVICE;
use crate::support::{run_cli, write};
use std::fmt::Write as _;

/// 300 stages: `capsim stages` used to start one OS thread per stage; on
/// the rayon pool the process never has more than a few per core.
#[cfg(target_os = "linux")]
#[test]
fn stages_run_on_a_bounded_pool_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "s.toml",
        "duration = \"30s\"\n[workload]\ntype = \"open\"\nrate = 200\n",
    );
    let mut model = ONE_SERVICE.to_string();
    for i in 0..300 {
        let _ = write!(
            model,
            "\n[stages.s{i}]\nscenario = \"s.toml\"\nset = {{ \"components.api.replicas\" = {} }}\n",
            1 + i % 4
        );
    }
    let m = write(dir.path(), "m.toml", &model);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("capsim"))
        .arg("stages")
        .arg(&m)
        .arg("--out")
        .arg(dir.path().join("out"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut most = 0usize;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            if let Some(n) = text
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse::<usize>().ok())
            {
                most = most.max(n);
            }
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    assert!(status.success(), "capsim stages failed");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(most > 0, "never saw the process");
    assert!(
        most <= 2 * cores + 8,
        "{most} threads for 300 stages on {cores} cores"
    );
}

/// A three-day run at a 10 s interval has 25,920 intervals; the charts
/// and report.html stay small (the series is thinned to 2,000 points)
/// while timeseries.csv keeps every interval.
#[test]
fn charts_and_report_stay_bounded_at_long_horizons() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.toml", ONE_SERVICE);
    let s = write(
        dir.path(),
        "s.toml",
        "duration = \"3d\"\ninterval = \"10s\"\n[workload]\ntype = \"open\"\nrate = 0.2\n",
    );
    let out = dir.path().join("out");
    let o = run_cli(&m, &s, &out, &["--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv_rows = std::fs::read_to_string(out.join("timeseries.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(csv_rows, 25_920 + 1);
    let size = |f: &str| std::fs::metadata(out.join(f)).unwrap().len();
    assert!(
        size("latency.svg") < 200_000,
        "latency.svg {} bytes",
        size("latency.svg")
    );
    assert!(
        size("utilization.svg") < 100_000,
        "utilization.svg {} bytes",
        size("utilization.svg")
    );
    assert!(
        size("report.html") < 600_000,
        "report.html {} bytes",
        size("report.html")
    );
}
