//! Hardening: every accepted input finishes in bounded time and memory,
//! outputs form one consistent set, and no time arithmetic overflows. Each
//! module holds the regression tests of one class of problem.

mod arrivals;
mod inputs;
mod memory;
mod nonsense;
mod outputs;
mod overflow;
mod periods;
mod spot;

use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on its own thread and panics if it has not returned within
/// `limit`: a livelock becomes a failing test instead of a hung suite.
pub fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(_) => panic!("did not finish within {limit:?}"),
    }
}

/// Loads `scenario` against `model` and returns the error text (panics if
/// the inputs are accepted).
pub fn load_error(model: &str, scenario: &str) -> String {
    let dir = tempfile::tempdir().expect("temporary directory");
    let m = crate::support::write(dir.path(), "model.toml", model);
    let s = crate::support::write(dir.path(), "scenario.toml", scenario);
    match capsim::run::load_inputs(&m, &s) {
        Ok(_) => panic!("accepted:\n{model}\n---\n{scenario}"),
        Err(e) => e.to_string(),
    }
}

/// A single-service model, small enough that every test runs in
/// milliseconds.
pub const ONE_SERVICE: &str = r#"
[[classes]]
name = "req"
share = 1.0
entry = "api"

[components.api]
kind = "service"
replicas = 2
cores = 1
concurrency = 10
cpu = { dist = "exponential", mean = "5ms" }
"#;
