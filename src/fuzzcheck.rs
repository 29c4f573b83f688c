//! The checks behind the fuzz targets in `fuzz/`, kept in the library so
//! that the normal test suite runs every saved crash input
//! (`fuzz/regressions/`) through exactly the code the fuzzer runs.
//!
//! Two inputs:
//! - [`check_files`]: raw bytes, split at the first NUL byte into a model
//!   and a scenario file, loaded as `capsim run` would; an accepted pair
//!   that is small enough is simulated and held to the oracles.
//! - [`check_shape`]: bytes decoded into a [`Shape`], a small model and
//!   scenario generated from it (always valid by construction), simulated
//!   and held to the oracles.
//!
//! Oracles: no panic; the same seed gives the same `summary.json`; total =
//! completed + failed + in flight; failed = the sum of errors by kind; a
//! simulation of at most [`MAX_EVENTS`] events finishes within
//! [`WALL_LIMIT`] (memory is bounded by the generated limits and, in the
//! fuzzer, by its `-rss_limit_mb`).

use crate::stack::RunResult;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Longest simulation a check runs (simulated seconds).
pub const MAX_SIM_S: f64 = 20.0;
/// Most expected arrivals in a simulated input.
pub const MAX_EVENTS: f64 = 20_000.0;
/// Wall-time bound of one simulation of such an input (debug builds are
/// several times slower than release, the bound allows for it).
pub const WALL_LIMIT: Duration = Duration::from_secs(20);

/// Why a check failed: a broken oracle (the fuzzer turns it into a crash).
#[derive(Debug)]
pub struct Violation(pub String);

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Loads `data` (model, NUL, scenario) and, when accepted and small,
/// simulates it under the oracles. Rejected input is fine: it must only
/// not panic or hang.
pub fn check_files(data: &[u8]) -> Result<(), Violation> {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (model, scenario) = (&data[..split], data.get(split + 1..).unwrap_or(&[]));
    let dir = tempfile::tempdir().map_err(|e| Violation(format!("tempdir: {e}")))?;
    let m = dir.path().join("model.toml");
    let s = dir.path().join("scenario.toml");
    std::fs::write(&m, model).map_err(|e| Violation(format!("write: {e}")))?;
    std::fs::write(&s, scenario).map_err(|e| Violation(format!("write: {e}")))?;
    let Ok((sys, sc)) = crate::run::load_inputs(&m, &s) else {
        return Ok(());
    };
    if !small_enough(&sys, &sc) {
        return Ok(());
    }
    simulate_checked(&sys, &sc)
}

fn small_enough(sys: &crate::model::System, sc: &crate::scenario::Scenario) -> bool {
    use crate::scenario::Workload;
    let secs = sc.duration_ns as f64 / 1e9;
    let load_ok = match &sc.workload {
        Workload::Open { rate, .. } => rate.expected_count(sc.duration_ns) <= MAX_EVENTS,
        Workload::Closed {
            start_users,
            stages,
            ..
        } => {
            stages
                .iter()
                .map(|s| s.target)
                .chain([*start_users])
                .max()
                .unwrap_or(0)
                <= 50
        }
    };
    secs <= MAX_SIM_S
        && load_ok
        && sys.components.len() <= 64
        && sc.limits.max_in_flight <= 1_000_000
}

/// Runs `sys` x `sc` twice with its seed and checks the oracles.
pub fn simulate_checked(
    sys: &crate::model::System,
    sc: &crate::scenario::Scenario,
) -> Result<(), Violation> {
    let t0 = Instant::now();
    let a = crate::stack::simulate(sys, sc, sc.seed, 0);
    let elapsed = t0.elapsed();
    if elapsed > WALL_LIMIT {
        return Err(Violation(format!(
            "a small simulation took {elapsed:?}, over {WALL_LIMIT:?}"
        )));
    }
    let b = crate::stack::simulate(sys, sc, sc.seed, 0);
    let (ja, jb) = (
        crate::report::summary_json(&a),
        crate::report::summary_json(&b),
    );
    if ja != jb {
        return Err(Violation("the same seed gave different results".into()));
    }
    conservation(&a)
}

/// total = completed + failed + in flight, failed = sum of errors.
pub fn conservation(r: &RunResult) -> Result<(), Violation> {
    let q = &r.requests;
    if q.total != q.completed + q.failed + q.in_flight_at_end {
        return Err(Violation(format!(
            "total {} != completed {} + failed {} + in flight {}",
            q.total, q.completed, q.failed, q.in_flight_at_end
        )));
    }
    if q.failed != q.errors.total() {
        return Err(Violation(format!(
            "failed {} != sum of errors {}",
            q.failed,
            q.errors.total()
        )));
    }
    Ok(())
}

/// The structure a generated input is built from: every field is drawn
/// from the bytes, and every combination is a valid model.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub services: u8,
    pub replicas: u8,
    pub cores_milli: u16,
    pub concurrency: u8,
    pub cpu_us: u16,
    pub timeout_ms: u16,
    pub accept_queue: u8,
    pub balancer: u8,
    pub with_cache: bool,
    pub with_pool: bool,
    pub autoscale: bool,
    pub rate: u16,
    pub duration_s: u8,
    pub kill_at_s: Option<u8>,
    pub seed: u64,
}

impl Shape {
    /// Decodes bytes (missing ones read as 0), each field reduced to its
    /// range, so any byte string is a shape.
    pub fn from_bytes(data: &[u8]) -> Shape {
        let mut it = data.iter().copied().chain(std::iter::repeat(0));
        let mut byte = || it.next().unwrap_or(0);
        let u16_ = |b: &mut dyn FnMut() -> u8| (u16::from(b()) << 8) | u16::from(b());
        let services = byte() % 4 + 1;
        let replicas = byte() % 6;
        let cores_milli = u16_(&mut byte) % 4000 + 1;
        let concurrency = byte() % 32 + 1;
        let cpu_us = u16_(&mut byte) % 20_000 + 1;
        let timeout_ms = u16_(&mut byte) % 5000 + 1;
        let accept_queue = byte();
        let balancer = byte() % 5;
        let flags = byte();
        let rate = u16_(&mut byte) % 2000;
        let duration_s = byte() % 20 + 1;
        let kill = byte();
        let seed = u64::from(byte()) | (u64::from(byte()) << 8);
        Shape {
            services,
            replicas,
            cores_milli,
            concurrency,
            cpu_us,
            timeout_ms,
            accept_queue,
            balancer,
            with_cache: flags & 1 != 0,
            with_pool: flags & 2 != 0,
            autoscale: flags & 4 != 0,
            rate,
            duration_s,
            kill_at_s: (kill & 1 != 0).then_some((kill >> 1) % duration_s),
            seed,
        }
    }

    /// The model and scenario text of this shape.
    pub fn files(&self) -> (String, String) {
        let policies = ["round_robin", "least_conn", "random", "p2c", "ip_hash"];
        let mut m = String::from("[[classes]]\nname = \"req\"\nshare = 1\nentry = \"s0\"\n");
        for i in 0..self.services {
            let mut calls = Vec::new();
            if i + 1 < self.services {
                calls.push(format!("{{ to = \"s{}\" }}", i + 1));
            } else {
                if self.with_cache {
                    calls.push("{ to = \"cache\" }".to_string());
                }
                if self.with_pool {
                    calls.push("{ to = \"pool\" }".to_string());
                }
            }
            let _ = write!(
                m,
                "\n[components.s{i}]\nkind = \"service\"\nreplicas = {}\ncores = {}\nconcurrency = {}\naccept_queue = {}\ntimeout = \"{}ms\"\ncpu = {{ dist = \"exponential\", mean = \"{}us\" }}\nbalancer = {{ policy = \"{}\" }}\ncalls = [{}]\n",
                self.replicas,
                f64::from(self.cores_milli) / 1000.0,
                self.concurrency,
                self.accept_queue,
                self.timeout_ms,
                self.cpu_us,
                policies[self.balancer as usize % policies.len()],
                calls.join(", "),
            );
            if self.autoscale && i == 0 {
                m.push_str("autoscale = { kind = \"hpa\", min_replicas = 1, max_replicas = 8, sync_period = \"1s\", metrics = [{ type = \"cpu\", target_utilization = 60 }] }\n");
            }
        }
        if self.with_cache {
            m.push_str(
                "\n[components.cache]\nkind = \"cache\"\nhit_ratio = 0.8\nlatency = \"1ms\"\n",
            );
        }
        if self.with_pool {
            m.push_str("\n[components.pool]\nkind = \"pool\"\nsize = 4\nmax_clients = 50\nwait_timeout = \"500ms\"\ntarget = \"db\"\n\n[components.db]\nkind = \"database\"\nconcurrency = 8\nread = \"2ms\"\nwrite = \"4ms\"\n");
        }
        let mut s = format!(
            "duration = \"{}s\"\nseed = {}\ninterval = \"1s\"\n[limits]\nmax_in_flight = 5000\n[workload]\ntype = \"open\"\nrate = {}\n",
            self.duration_s, self.seed, self.rate
        );
        if let Some(at) = self.kill_at_s {
            let _ = write!(
                s,
                "\n[[events]]\nat = \"{at}s\"\nkind = \"kill\"\ntarget = \"s0\"\ncount = 1\n"
            );
        }
        (m, s)
    }
}

/// Builds the shape's files, loads them (they must load: the generator
/// only makes valid models) and simulates them under the oracles.
pub fn check_shape(data: &[u8]) -> Result<(), Violation> {
    let (model, scenario) = Shape::from_bytes(data).files();
    let dir = tempfile::tempdir().map_err(|e| Violation(format!("tempdir: {e}")))?;
    let m = dir.path().join("model.toml");
    let s = dir.path().join("scenario.toml");
    std::fs::write(&m, &model).map_err(|e| Violation(format!("write: {e}")))?;
    std::fs::write(&s, &scenario).map_err(|e| Violation(format!("write: {e}")))?;
    let (sys, sc) = crate::run::load_inputs(&m, &s).map_err(|e| {
        Violation(format!(
            "a generated input was rejected:\n{e}\n--- model ---\n{model}\n--- scenario ---\n{scenario}"
        ))
    })?;
    simulate_checked(&sys, &sc)
}
