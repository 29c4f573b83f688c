//! Items 7 (reading inputs) and 9: what capsim reads is bounded, malformed
//! summaries are exit 2, and validation is linear in the number of events.

use super::{within, ONE_SERVICE};
use crate::support::{capsim, write};
use std::fmt::Write as _;
use std::time::Duration;

#[test]
fn a_device_or_a_fifo_as_a_model_fails_fast() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("model.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    for path in [std::path::PathBuf::from("/dev/zero"), fifo] {
        let o = within(Duration::from_secs(20), move || {
            capsim().arg("validate").arg(&path).output().unwrap()
        });
        assert_eq!(o.status.code(), Some(2));
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains("not a regular file"), "{e}");
    }
}

#[test]
fn an_input_above_the_size_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(capsim::input::MAX_INPUT_BYTES + 1).unwrap(); // sparse
    let o = capsim().arg("validate").arg(&big).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("more than the 67108864 bytes"), "{e}");
}

#[test]
fn compare_fail_on_a_malformed_figure_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "base.json", r#"{"latency_ms": {"p95": 100}}"#);
    for bad in ["\"abc\"", "null", "-5"] {
        let cand = write(
            dir.path(),
            "cand.json",
            &format!(r#"{{"latency_ms": {{"p95": {bad}}}}}"#),
        );
        let o = capsim()
            .args(["compare"])
            .arg(&base)
            .arg(&cand)
            .args(["--fail-on", "p95+10%"])
            .output()
            .unwrap();
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad}: {e}");
        assert!(
            e.contains("cand.json") && e.contains("latency_ms.p95"),
            "{e}"
        );
    }
    // A well-formed pair is judged as before.
    let cand = write(dir.path(), "cand.json", r#"{"latency_ms": {"p95": 105}}"#);
    let o = capsim()
        .args(["compare"])
        .arg(&base)
        .arg(&cand)
        .args(["--fail-on", "p95+10%"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
}

/// Every scenario event keeps its location for later messages; finding a
/// line used to rescan the file (30,000 events took 23 s).
#[test]
fn validation_is_linear_in_the_number_of_events() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "model.toml", ONE_SERVICE);
    let mut sc = String::from("duration = \"10h\"\n[workload]\ntype = \"open\"\nrate = 1\n");
    for i in 0..30_000 {
        let _ = write!(
            sc,
            "\n[[events]]\nat = \"{}s\"\nkind = \"kill\"\ntarget = \"api\"\ncount = 1\n",
            i
        );
    }
    let s = write(dir.path(), "scenario.toml", &sc);
    let (sys, scen) = within(Duration::from_secs(10), move || {
        capsim::run::load_inputs(&m, &s).map_err(|e| e.to_string())
    })
    .unwrap();
    assert_eq!(scen.events.len(), 30_000);
    assert_eq!(sys.components.len(), 1);
}
