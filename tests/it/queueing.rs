//! Queueing theory as the oracle for the simulator: M/M/1, M/M/c (Erlang C),
//! M/D/1 and M/G/1 (Pollaczek–Khinchine), M/M/c/K blocking, Little's law,
//! a connection pool as an M/M/k queue, processor sharing, and common random
//! numbers.
//!
//! Every statistical check is a Student-t interval at 99.9% over
//! independent replications (`support::Ci`), and it also asserts that the
//! interval is narrow enough (`max_rel`) to see an error of a few percent,
//! so a check cannot pass merely because it is weak. Seeds are fixed: the
//! outcome is deterministic. Release builds run the full replications;
//! debug builds run a third of them (see `support::scaled`) with looser
//! power bounds.

use crate::support::{
    assert_ci, erlang_c, load, load_repo_model, mmck_probabilities, open_scenario, replicate,
    scaled, Ci,
};
use capsim::stack::result::ErrorKind;
use capsim::stack::RunResult;

/// How much wider an interval may be in a debug build, which runs a third of
/// the replications: sqrt(3) from the sample size, and a larger t quantile.
fn power(release_max_rel: f64) -> f64 {
    if cfg!(debug_assertions) {
        release_max_rel * 2.2
    } else {
        release_max_rel
    }
}

/// One service, one replica: the single station of the classic queues.
/// `cores` servers (FCFS or PS), `concurrency` slots, an optional accept
/// queue bound, and `cpu` as the service-time distribution.
fn single_station(
    cores: u32,
    concurrency: u32,
    accept_queue: Option<u32>,
    scheduling: &str,
    cpu: &str,
) -> String {
    let accept = accept_queue
        .map(|k| format!("accept_queue = {k}\n"))
        .unwrap_or_default();
    format!(
        r#"name = "station"

[[classes]]
name = "job"
share = 1.0
entry = "server"

[components.server]
kind = "service"
replicas = 1
cores = {cores}
concurrency = {concurrency}
{accept}scheduling = "{scheduling}"
cpu = {cpu}
"#
    )
}

const EXP_10MS: &str = r#"{ dist = "exponential", mean = "10ms" }"#;

fn latency_mean_s(r: &RunResult) -> f64 {
    r.latency.mean_ms() / 1e3
}

fn wait_mean_s(r: &RunResult) -> f64 {
    r.wait.mean_ms() / 1e3
}

/// Fraction of measured requests whose wait exceeded `t_s` seconds.
///
/// The histogram stores whole microseconds with a floor of 1 us, so a wait
/// of zero is stored as 1 us: the probability of waiting at all is read as
/// "wait of 2 us or more" (`t_s = 1e-6`), and the theory is evaluated at
/// 2 us too. Above that the bucket width at 3 significant digits (<= 0.1%
/// of t) moves an exponential tail by under 0.1% at these rates.
fn wait_above(r: &RunResult, t_s: f64) -> f64 {
    r.wait.fraction_above_ns((t_s * 1e9).round() as u64)
}

/// Smallest wait the histogram tells apart from zero (see [`wait_above`]).
const WAIT_EPS_S: f64 = 2e-6;

// ---------------------------------------------------------------- M/M/1

/// M/M/1, lambda = 70/s, mu = 100/s (rho = 0.7), the queue at the CPU
/// (many slots, one core).
///
/// Tolerance: 20 replications x 3,000 s (about 210,000 requests each).
/// The relative standard deviation of a run's mean wait is about
/// 8 / sqrt(requests) at rho = 0.7 (Daley's asymptotic variance of the
/// M/M/1 waiting-time mean), about 5 / sqrt(requests) for the response
/// time, so a 99.9% t interval (t = 3.88 at 19 d.f.) is about +-1.5% for
/// the wait and +-1% for the response. P(wait > 0) and the utilization are
/// per-run figures too, averaged over replications: requests in a queue are
/// correlated, and a binomial interval over all 4.2 million requests would
/// be about 2.4 times too narrow.
#[test]
fn mm1_response_wait_and_probability_of_waiting() {
    let (lambda, mu) = (70.0, 100.0);
    let rho = lambda / mu;
    let (sys, sc) = load(
        &single_station(1, 1000, None, "fcfs", EXP_10MS),
        &open_scenario(lambda, 3_000, 50),
    );
    let runs = replicate(&sys, &sc, 101, scaled(20));

    assert_ci(
        "M/M/1 mean response time (s)",
        &Ci::over(&runs, latency_mean_s),
        1.0 / (mu - lambda),
        power(0.03),
    );
    assert_ci(
        "M/M/1 mean wait (s)",
        &Ci::over(&runs, wait_mean_s),
        rho / (mu - lambda),
        power(0.04),
    );
    // P(W >= eps) = rho e^{-(mu - lambda) eps}.
    assert_ci(
        "M/M/1 P(wait > 0)",
        &Ci::over(&runs, |r| wait_above(r, 1e-6)),
        rho * (-(mu - lambda) * WAIT_EPS_S).exp(),
        power(0.02),
    );
    assert_ci(
        "M/M/1 CPU utilization",
        &Ci::over(&runs, |r| r.components["server"].utilization),
        rho,
        power(0.02),
    );
}

// ---------------------------------------------------------------- M/M/c

/// The shipped example `models/examples/mmc.toml` (c = 8, mean service
/// 10 ms) at lambda = 640/s (rho = 0.8), the queue in the accept queue
/// (concurrency = c), held to Erlang C.
///
/// Tolerance: 30 replications x 1,000 s (640,000 requests each); the
/// M/M/c relaxation time at rho = 0.8 is well under a second, so runs are
/// long against it and a 99.9% t interval over the 30 run means is about
/// +-0.5% for P(wait), the mean response and L, +-1.5% for the mean wait
/// and P(wait > 5 ms), +-2.5% for P(wait > 10 ms) (a rarer event).
#[test]
fn mmc_erlang_c_wait_probability_mean_and_tail() {
    let (c, lambda, mu) = (8u32, 640.0, 100.0);
    let a = lambda / mu;
    let (sys, sc) = load_repo_model(
        "models/examples/mmc.toml",
        &open_scenario(lambda, 1_000, 20),
    );
    let runs = replicate(&sys, &sc, 202, scaled(30));

    let pw = erlang_c(c, a);
    let theta = c as f64 * mu - lambda; // decay rate of the wait tail
    let wq = pw / theta;
    assert_ci(
        "M/M/8 P(wait > 0) (Erlang C)",
        &Ci::over(&runs, |r| wait_above(r, 1e-6)),
        pw * (-theta * WAIT_EPS_S).exp(),
        power(0.02),
    );
    assert_ci(
        "M/M/8 mean wait (s)",
        &Ci::over(&runs, wait_mean_s),
        wq,
        power(0.03),
    );
    for (t, max_rel) in [(0.005, 0.025), (0.010, 0.04)] {
        assert_ci(
            &format!("M/M/8 P(wait > {} ms)", t * 1e3),
            &Ci::over(&runs, |r| wait_above(r, t)),
            pw * (-theta * t).exp(),
            power(max_rel),
        );
    }
    assert_ci(
        "M/M/8 mean response time (s)",
        &Ci::over(&runs, latency_mean_s),
        wq + 1.0 / mu,
        power(0.01),
    );
    assert_ci(
        "M/M/8 time-average requests in system",
        &Ci::over(&runs, |r| r.in_system_mean),
        lambda * (wq + 1.0 / mu),
        power(0.015),
    );
}

// ------------------------------------------------------- M/D/1 and M/G/1

/// Pollaczek–Khinchine mean wait of an M/G/1 queue: lambda E[S^2] / (2 (1 - rho)).
fn pk_wait(lambda: f64, es: f64, es2: f64) -> f64 {
    let rho = lambda * es;
    lambda * es2 / (2.0 * (1.0 - rho))
}

/// Runs an M/G/1 queue (one core, one slot: the queue is the accept queue)
/// with service `cpu` of mean `es` and second moment `es2`, and checks the
/// mean wait, the mean response time and P(wait > 0) = rho.
///
/// Tolerance: `reps` replications x 3,000 s at rho = 0.7 (210,000 requests
/// each). The variance of the mean wait grows with E[S^3] (Takacs), so the
/// less variable services (constant, uniform) give +-1% with 20 runs, and
/// the gamma with shape 0.5 (squared coefficient of variation 2) needs 30
/// runs for +-2%; `wait_max_rel` bounds each.
fn check_mg1(name: &str, cpu: &str, es: f64, es2: f64, seed: u64, reps: u64, wait_max_rel: f64) {
    let lambda = 70.0;
    let rho = lambda * es;
    let (sys, sc) = load(
        &single_station(1, 1, None, "fcfs", cpu),
        &open_scenario(lambda, 3_000, 50),
    );
    let runs = replicate(&sys, &sc, seed, scaled(reps));
    let wq = pk_wait(lambda, es, es2);
    assert_ci(
        &format!("{name} mean wait (s), Pollaczek–Khinchine"),
        &Ci::over(&runs, wait_mean_s),
        wq,
        power(wait_max_rel),
    );
    assert_ci(
        &format!("{name} mean response time (s)"),
        &Ci::over(&runs, latency_mean_s),
        wq + es,
        power(wait_max_rel * 0.7),
    );
    // An arrival waits iff the server is busy (PASTA), whatever S is; the
    // wait distribution near zero is not exponential here, but a wait in
    // (0, 2 us) needs a departure within 2 us before the arrival: the
    // probability is below lambda x 2 us = 1.4e-4, far inside the interval.
    assert_ci(
        &format!("{name} P(wait > 0) = rho"),
        &Ci::over(&runs, |r| wait_above(r, 1e-6)),
        rho,
        power(0.02),
    );
}

#[test]
fn md1_pollaczek_khinchine() {
    // Constant 10 ms: E[S^2] = S^2.
    check_mg1("M/D/1", r#""10ms""#, 0.010, 1e-4, 303, 20, 0.02);
}

#[test]
fn mg1_gamma_pollaczek_khinchine() {
    // Gamma, shape k = 0.5, mean m = 10 ms: E[S^2] = m^2 (1 + 1/k) = 3 m^2.
    let m: f64 = 0.010;
    check_mg1(
        "M/G/1 gamma(0.5)",
        r#"{ dist = "gamma", shape = 0.5, mean = "10ms" }"#,
        m,
        3.0 * m * m,
        404,
        30,
        0.03,
    );
}

#[test]
fn mg1_uniform_pollaczek_khinchine() {
    // Uniform on [5 ms, 15 ms]: E[S^2] = (a^2 + ab + b^2) / 3.
    let (lo, hi): (f64, f64) = (0.005, 0.015);
    check_mg1(
        "M/G/1 uniform(5, 15 ms)",
        r#"{ dist = "uniform", min = "5ms", max = "15ms" }"#,
        (lo + hi) / 2.0,
        (lo * lo + lo * hi + hi * hi) / 3.0,
        505,
        20,
        0.02,
    );
}

// ---------------------------------------------------------------- M/M/c/K

/// M/M/4/8: four cores and four slots (c = 4), an accept queue of K - c = 4,
/// offered load a = 4 Erlangs (lambda = 400/s, mu = 100/s). An arrival that
/// finds K requests in the replica is refused; by PASTA the refused fraction
/// is the stationary p_K of the M/M/c/K birth-death chain.
///
/// Tolerance: 20 replications x 400 s (160,000 arrivals each). Refusals come
/// in bursts (while the queue is full), so the per-run refused fraction is
/// the sample, not each arrival: a binomial interval on the 3.2 million
/// arrivals would claim +-0.5% of p_K, half the true width; the t interval
/// over the runs is about +-1.1%.
#[test]
fn mmck_blocking_probability() {
    let (c, k, lambda, mu) = (4u32, 8u32, 400.0, 100.0);
    let a = lambda / mu;
    let (sys, sc) = load(
        &single_station(c, c, Some(k - c), "fcfs", EXP_10MS),
        &open_scenario(lambda, 400, 20),
    );
    let runs = replicate(&sys, &sc, 606, scaled(20));
    let p = mmck_probabilities(c, k, a);
    let p_block = p[k as usize];
    let mean_n: f64 = p.iter().enumerate().map(|(n, pn)| n as f64 * pn).sum();

    assert_ci(
        "M/M/4/8 refused fraction = p_K",
        &Ci::over(&runs, |r| {
            r.requests.errors.get(ErrorKind::Refused) as f64 / r.requests.total as f64
        }),
        p_block,
        power(0.03),
    );
    for r in &runs {
        // Every failure is a refusal: nothing else can go wrong here.
        assert_eq!(r.requests.failed, r.requests.errors.get(ErrorKind::Refused));
    }
    assert_ci(
        "M/M/4/8 throughput = lambda (1 - p_K) (1/s)",
        &Ci::over(&runs, |r| r.throughput_rps),
        lambda * (1.0 - p_block),
        power(0.01),
    );
    assert_ci(
        "M/M/4/8 time-average requests in system",
        &Ci::over(&runs, |r| r.in_system_mean),
        mean_n,
        power(0.015),
    );
}

// ---------------------------------------------------------- Little's law

/// A multi-tier route: a PS service (2 cores) that calls a cache (70% hits;
/// misses go through a pool of 2 connections to a database) and then an
/// external API with 4 slots. No closed form for the mean response time
/// exists, but Little's law L = lambda W holds on every sample path.
///
/// Checked per replication as the ratio L / (lambda W) with lambda the
/// offered rate: it fluctuates with the Poisson count of arrivals
/// (relative sd about 1 / sqrt(lambda T)) so its t interval is honest, about
/// +-0.3% over 12 runs of 300 s. L / (X W), with X the measured throughput,
/// differs from 1 only by the requests in flight at the window's edges
/// (relative size about W / T, 1e-4 here) and is held to the same interval.
#[test]
fn little_law_on_a_multi_tier_route() {
    let lambda = 400.0;
    let model = r#"name = "multi-tier"

[[classes]]
name = "page"
share = 1.0
entry = "api"

[components.api]
kind = "service"
cores = 2
concurrency = 10000
scheduling = "ps"
cpu = { dist = "exponential", mean = "2ms" }
calls = [{ to = "cache" }, { to = "search" }]

[components.cache]
kind = "cache"
hit_ratio = 0.7
latency = { dist = "exponential", mean = "0.5ms" }
on_miss = "db_pool"

[components.db_pool]
kind = "pool"
size = 2
max_clients = 100000
wait_timeout = "0s"
target = "db"

[components.db]
kind = "database"
concurrency = 2
read = { dist = "exponential", mean = "8ms" }

[components.search]
kind = "external"
concurrency = 4
latency = { dist = "gamma", shape = 2.0, mean = "5ms" }
"#;
    let (sys, sc) = load(model, &open_scenario(lambda, 300, 20));
    let runs = replicate(&sys, &sc, 707, scaled(12));
    for r in &runs {
        assert_eq!(r.requests.failed, 0, "no request may fail on this route");
        assert!(r.wait.mean_ms() > 0.0, "the route must queue somewhere");
    }
    let l_over_lambda_w = Ci::over(&runs, |r| r.in_system_mean / (lambda * latency_mean_s(r)));
    assert_ci("L / (lambda W)", &l_over_lambda_w, 1.0, power(0.01));
    let l_over_xw = Ci::over(&runs, |r| {
        r.in_system_mean / (r.throughput_rps * latency_mean_s(r))
    });
    eprintln!(
        "L / (X W): {:.6} (must be within +-{:.6} of 1)",
        l_over_xw.mean, l_over_lambda_w.half_width
    );
    assert!(
        (l_over_xw.mean - 1.0).abs() <= l_over_lambda_w.half_width,
        "L / (X W) = {} is not 1 within {}",
        l_over_xw.mean,
        l_over_lambda_w.half_width
    );
    assert_ci(
        "throughput = lambda (1/s)",
        &Ci::over(&runs, |r| r.throughput_rps),
        lambda,
        power(0.01),
    );
}

// ------------------------------------------------------ pool as M/M/k

/// A pool of k = 4 connections in front of a database that never queues
/// (concurrency 100), fed by a service with no CPU time: clients wait FIFO
/// for a connection and hold it for the query time (exponential, 10 ms), so
/// the pool is an M/M/4 queue. lambda = 320/s gives a = 3.2 (rho = 0.8).
///
/// Tolerance as in the M/M/c test: 30 replications x 1,000 s (320,000
/// requests each), +-0.5% for P(wait) and +-2% for the mean wait.
#[test]
fn pool_of_k_connections_is_an_mmk_queue() {
    let (k, lambda, mu) = (4u32, 320.0, 100.0);
    let a = lambda / mu;
    let model = format!(
        r#"name = "pool-mmk"

[[classes]]
name = "query"
share = 1.0
entry = "app"

[components.app]
kind = "service"
cores = 64
concurrency = 100000
cpu = "0ms"
calls = [{{ to = "db_pool" }}]

[components.db_pool]
kind = "pool"
size = {k}
max_clients = 100000
wait_timeout = "0s"
target = "db"

[components.db]
kind = "database"
concurrency = 100
read = {EXP_10MS}
"#
    );
    let (sys, sc) = load(&model, &open_scenario(lambda, 1_000, 20));
    let runs = replicate(&sys, &sc, 808, scaled(30));
    let pw = erlang_c(k, a);
    let theta = k as f64 * mu - lambda;
    let wq = pw / theta;
    assert_ci(
        "pool P(wait > 0) (Erlang C, k = 4)",
        &Ci::over(&runs, |r| wait_above(r, 1e-6)),
        pw * (-theta * WAIT_EPS_S).exp(),
        power(0.025),
    );
    assert_ci(
        "pool mean wait (s)",
        &Ci::over(&runs, wait_mean_s),
        wq,
        power(0.04),
    );
    assert_ci(
        "pool time-average waiting clients = lambda Wq",
        &Ci::over(&runs, |r| r.components["db_pool"].waiting_mean.unwrap()),
        lambda * wq,
        power(0.04),
    );
    assert_ci(
        "pool connections in use = a",
        &Ci::over(&runs, |r| r.components["db_pool"].in_use_mean.unwrap()),
        a,
        power(0.01),
    );
    assert_ci(
        "pool route mean response time (s)",
        &Ci::over(&runs, latency_mean_s),
        wq + 1.0 / mu,
        power(0.015),
    );
}

// ------------------------------------------------------ processor sharing

/// M/M/1-PS: lambda = 70/s, mu = 100/s. Under processor sharing nobody
/// waits in a queue, yet the mean response time is the M/M/1 one,
/// 1 / (mu - lambda) (it is insensitive to the discipline), and the CPU is
/// busy a fraction rho of the time.
///
/// Tolerance: 20 replications x 3,000 s as for M/M/1 (FCFS); the PS
/// response time has the same mean and a similar variance, +-1.5%.
#[test]
fn mm1_processor_sharing_mean_response_and_utilization() {
    let (lambda, mu) = (70.0, 100.0);
    let (sys, sc) = load(
        &single_station(1, 100_000, None, "ps", EXP_10MS),
        &open_scenario(lambda, 3_000, 50),
    );
    let runs = replicate(&sys, &sc, 909, scaled(20));
    assert_ci(
        "M/M/1-PS mean response time (s)",
        &Ci::over(&runs, latency_mean_s),
        1.0 / (mu - lambda),
        power(0.03),
    );
    assert_ci(
        "M/M/1-PS CPU utilization",
        &Ci::over(&runs, |r| r.components["server"].utilization),
        lambda / mu,
        power(0.02),
    );
    for r in &runs {
        assert_eq!(r.wait.mean_ms(), 0.0, "processor sharing has no queue");
    }
}

/// M/M/4 with processor sharing on 4 cores: n requests each progress at
/// min(1, 4 / n) of a core, so the number in the replica follows the same
/// birth-death chain as M/M/4 FCFS, and by Little's law the mean response
/// time is Erlang C's Wq + 1/mu. lambda = 320/s, mu = 100/s (rho = 0.8).
///
/// Tolerance: 20 replications x 500 s, +-1.5% (as for M/M/c).
#[test]
fn mmc_processor_sharing_mean_response_equals_mmc() {
    let (c, lambda, mu) = (4u32, 320.0, 100.0);
    let (sys, sc) = load(
        &single_station(c, 100_000, None, "ps", EXP_10MS),
        &open_scenario(lambda, 500, 20),
    );
    let runs = replicate(&sys, &sc, 1010, scaled(20));
    let wq = erlang_c(c, lambda / mu) / (c as f64 * mu - lambda);
    assert_ci(
        "M/M/4-PS mean response time (s)",
        &Ci::over(&runs, latency_mean_s),
        wq + 1.0 / mu,
        power(0.02),
    );
    assert_ci(
        "M/M/4-PS CPU utilization",
        &Ci::over(&runs, |r| r.components["server"].utilization),
        lambda / (c as f64 * mu),
        power(0.01),
    );
}

// ------------------------------------------------ closed workload

/// A closed workload: N = 10 virtual users, exponential think time
/// Z = 90 ms, one FCFS core with exponential 10 ms service (the machine
/// repairman model). It is a product-form network (a delay station and an
/// exponential FCFS station), so exact Mean Value Analysis gives the
/// throughput and response time: for n = 1..N, R(n) = S (1 + Q(n - 1)),
/// X(n) = n / (Z + R(n)), Q(n) = X(n) R(n).
///
/// Tolerance: 20 replications x 1,000 s (about 85,000 requests each). A
/// closed system's throughput varies little (+-0.3%); the response time
/// and the number at the server about +-0.6%.
#[test]
fn closed_users_match_mean_value_analysis() {
    let (users, s, z) = (10u32, 0.010, 0.090);
    let (mut r_n, mut x_n, mut q_n) = (0.0, 0.0, 0.0);
    for n in 1..=users {
        r_n = s * (1.0 + q_n);
        x_n = n as f64 / (z + r_n);
        q_n = x_n * r_n;
    }
    let scenario = format!(
        "name = \"closed\"\nduration = \"1000s\"\nwarmup = \"20s\"\ninterval = \"100s\"\n\
         [workload]\ntype = \"closed\"\nstart_users = {users}\n\
         think = {{ dist = \"exponential\", mean = \"90ms\" }}\n"
    );
    let (sys, sc) = load(&single_station(1, 1000, None, "fcfs", EXP_10MS), &scenario);
    let runs = replicate(&sys, &sc, 1111, scaled(20));
    assert_ci(
        "closed N = 10 throughput (1/s), MVA",
        &Ci::over(&runs, |r| r.throughput_rps),
        x_n,
        power(0.01),
    );
    assert_ci(
        "closed N = 10 mean response time (s), MVA",
        &Ci::over(&runs, latency_mean_s),
        r_n,
        power(0.02),
    );
    assert_ci(
        "closed N = 10 time-average requests at the server, MVA",
        &Ci::over(&runs, |r| r.in_system_mean),
        q_n,
        power(0.02),
    );
}

// ------------------------------------------------ common random numbers

/// Streams are named, so a component that no request reaches changes
/// nothing: with the same seed the results are identical (bit for bit in
/// `summary.json`), wherever the extra component sits in the file. And a
/// variant with a different capacity sees exactly the same arrivals.
#[test]
fn common_random_numbers_across_model_variants() {
    let base = single_station(2, 2, None, "fcfs", EXP_10MS);
    let unreachable = r#"
[components.audit]
kind = "external"
concurrency = 1
latency = { dist = "exponential", mean = "50ms" }
"#;
    let after = format!("{base}{unreachable}");
    // The same component first in the file (ids shift by one).
    let (head, tail) = base.split_at(base.find("[components.server]").unwrap());
    let before = format!("{head}{unreachable}\n{tail}");
    let scenario = open_scenario(150.0, 120, 10);

    let summary = |model: &str, seed: u64| {
        let (sys, sc) = load(model, &scenario);
        let r = capsim::stack::simulate(&sys, &sc, seed, 0);
        let mut v = serde_json::to_value(&r).unwrap();
        v["components"].as_object_mut().unwrap().remove("audit");
        (v, r)
    };
    let (v_base, r_base) = summary(&base, 31);
    let (v_after, _) = summary(&after, 31);
    let (v_before, _) = summary(&before, 31);
    assert!(r_base.requests.completed > 10_000);
    assert!(r_base.wait.mean_ms() > 0.0, "the variant must queue");
    assert_eq!(
        v_base, v_after,
        "an unreachable component appended changed the run"
    );
    assert_eq!(
        v_base, v_before,
        "an unreachable component prepended changed the run"
    );

    // A bigger server changes the outcome but not the arrivals: the
    // offered count per interval is identical.
    let bigger = single_station(3, 3, None, "fcfs", EXP_10MS);
    let (v_big, r_big) = summary(&bigger, 31);
    assert_ne!(v_base["latency_ms"], v_big["latency_ms"]);
    assert_eq!(r_base.requests.total, r_big.requests.total);
    let offered = |r: &RunResult| {
        let col = r
            .timeseries
            .columns
            .iter()
            .position(|c| c == "offered_rps")
            .unwrap();
        r.timeseries
            .rows
            .iter()
            .map(|row| row[col])
            .collect::<Vec<_>>()
    };
    assert_eq!(offered(&r_base), offered(&r_big));

    // And another seed is another sample path.
    let (v_other, _) = summary(&base, 32);
    assert_ne!(v_base["latency_ms"], v_other["latency_ms"]);
}
