//! Every saved fuzz input runs as a regression test: the crash inputs in
//! `fuzz/regressions/` (one per bug the fuzz targets found or would find)
//! and the seed corpus in `fuzz/corpus/`, through the same checks as the
//! cargo-fuzz targets (`capsim::fuzzcheck`), each under a wall-time bound.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Each input gets this long (a hang is a failure, not a stuck suite).
const LIMIT: Duration = Duration::from_secs(60);

fn inputs(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = crate::support::repo(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn run_all(dir: &str, check: fn(&[u8]) -> Result<(), capsim::fuzzcheck::Violation>) -> usize {
    let files = inputs(dir);
    for path in &files {
        let data = std::fs::read(path).expect("read input");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(check(&data).map_err(|v| v.to_string()));
        });
        match rx.recv_timeout(LIMIT) {
            Ok(Ok(())) => {}
            Ok(Err(v)) => panic!("{}: {v}", show(path)),
            Err(_) => panic!("{}: no result within {LIMIT:?} (hang or panic)", show(path)),
        }
    }
    files.len()
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn saved_load_inputs_pass() {
    assert!(run_all("fuzz/regressions/load", capsim::fuzzcheck::check_files) >= 8);
    assert!(run_all("fuzz/corpus/load", capsim::fuzzcheck::check_files) >= 8);
}

#[test]
fn saved_simulate_inputs_pass() {
    assert!(run_all("fuzz/regressions/simulate", capsim::fuzzcheck::check_shape) >= 2);
    assert!(run_all("fuzz/corpus/simulate", capsim::fuzzcheck::check_shape) >= 2);
}

/// The generator makes valid models from any bytes: a sweep of simple
/// byte patterns loads and passes the oracles.
#[test]
fn generated_shapes_are_valid_and_hold_the_oracles() {
    for i in 0u8..24 {
        let data: Vec<u8> = (0..20u8)
            .map(|j| i.wrapping_mul(37).wrapping_add(j.wrapping_mul(11)))
            .collect();
        if let Err(v) = capsim::fuzzcheck::check_shape(&data) {
            panic!("pattern {i}: {v}");
        }
    }
}
