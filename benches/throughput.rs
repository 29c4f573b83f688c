//! Simulation speed in simulated requests per second of wall time.
//!
//! Two workloads, each over a million requests:
//! - `mmc`: the shipped M/M/c example (`models/examples/mmc.toml`, c = 8,
//!   mean service 10 ms) under Poisson arrivals at 640/s (rho = 0.8) for
//!   1,600 simulated seconds;
//! - `web-stack`: the shipped web-stack example (CDN, three API replicas
//!   behind least_conn, cache, PgBouncer, Postgres with a replica, an email
//!   queue) under a constant 800 requests/s for 1,300 simulated seconds.
//!
//! Only `simulate` is timed (the inputs are loaded once). Criterion reports
//! elements/s, one element being one request that arrived; the bench then
//! prints the rate of three more runs and the events per request.
//!
//! `cargo bench --bench throughput` runs for under a minute once built (the
//! bench profile's thin-LTO build takes about two minutes on two cores).

use capsim::model::System;
use capsim::scenario::Scenario;
use capsim::stack::simulate;
use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::path::Path;
use std::time::{Duration, Instant};

const SEED: u64 = 42;

struct Case {
    name: &'static str,
    model: &'static str,
    rate: u32,
    duration_s: u32,
}

const CASES: [Case; 2] = [
    Case {
        name: "mmc",
        model: "models/examples/mmc.toml",
        rate: 640,
        duration_s: 1_600,
    },
    Case {
        name: "web-stack",
        model: "models/examples/web-stack.toml",
        rate: 800,
        duration_s: 1_300,
    },
];

/// Loads a shipped model with a constant-rate scenario without warm-up, so
/// that every simulated request is counted.
fn load(case: &Case) -> (System, Scenario) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let scenario = dir.path().join("bench.toml");
    std::fs::write(
        &scenario,
        format!(
            "name = \"bench-{name}\"\nduration = \"{d}s\"\nwarmup = \"0s\"\nseed = {SEED}\n\
             interval = \"10s\"\n[workload]\ntype = \"open\"\nrate = {rate}\n",
            name = case.name,
            d = case.duration_s,
            rate = case.rate,
        ),
    )
    .expect("write scenario");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join(case.model);
    capsim::run::load_inputs(&model, &scenario)
        .unwrap_or_else(|e| panic!("bench inputs for {} do not load: {e}", case.name))
}

fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(15));
    let mut summary = Vec::new();
    for case in &CASES {
        let (sys, sc) = load(case);
        // One untimed run: the request count (deterministic for the seed).
        let probe = simulate(&sys, &sc, SEED, 0);
        let requests = probe.requests.total;
        assert!(
            requests >= 1_000_000,
            "{}: only {requests} requests",
            case.name
        );
        let events_per_request = probe.events_processed as f64 / requests as f64;
        group.throughput(Throughput::Elements(requests));
        group.bench_function(case.name, |b| {
            b.iter(|| simulate(black_box(&sys), black_box(&sc), SEED, 0))
        });
        // Criterion's figure is the one to quote; this line repeats it in
        // plain words from three more timed runs.
        let mut rates: Vec<f64> = (0..3)
            .map(|_| {
                let start = Instant::now();
                black_box(simulate(&sys, &sc, SEED, 0));
                requests as f64 / start.elapsed().as_secs_f64()
            })
            .collect();
        rates.sort_by(f64::total_cmp);
        summary.push(format!(
            "{:<10} {requests} requests/run, {events_per_request:.2} events/request: \
             {:.2} M simulated requests/s (median of 3 runs)",
            case.name,
            rates[1] / 1e6
        ));
    }
    group.finish();
    println!("\nsimulated requests per second of wall time (seed {SEED}):");
    for line in summary {
        println!("  {line}");
    }
}

criterion_group!(benches, throughput);
criterion_main!(benches);
