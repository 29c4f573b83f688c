//! Observation: one time-series row per reporting interval, and the final
//! figures of the measured window (after warm-up). Reads the state; never
//! changes what the simulation does.

use super::event::Event;
use super::result::*;
use super::sim::{Runtime, ServiceRt, Simulation};
use crate::input::model::{ComponentKind, System};
use crate::input::scenario::{Scenario, Workload};
use crate::metrics::{LatencyHistogram, Mark};
use indexmap::IndexMap;

pub(crate) struct TickState {
    pub offered: u64,
    pub completed: u64,
    pub errors: u64,
    pub latency: LatencyHistogram,
    pub last_ns: u64,
    pub series: TimeSeries,
    /// Edge/cache (hits, misses) at the end of warm-up, per component.
    pub warm_hits: Vec<(u64, u64)>,
    /// Served requests in the first and second half of the measured window,
    /// and requests in the system at its middle (for the saturation test).
    pub in_system_mid: Option<u64>,
    pub served_halves: [u64; 2],
    pub offered_halves: [u64; 2],
    /// p95 of the last reporting interval (an autoscaling metric).
    pub last_p95_ms: Option<f64>,
}

const GLOBAL_COLUMNS: [&str; 9] = [
    "time_s",
    "offered_rps",
    "served_rps",
    "errors",
    "error_rate",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "in_system",
];

/// Per-kind columns, prefixed with `<component>.` in the CSV.
fn component_columns(kind: &ComponentKind) -> &'static [&'static str] {
    match kind {
        ComponentKind::Service(_) => &[
            "replicas_ready",
            "replicas_starting",
            "utilization",
            "in_flight",
            "queue",
            "memory_mib",
        ],
        ComponentKind::Edge(_) => &["hit_ratio"],
        ComponentKind::Cache(_) => &["hit_ratio", "utilization", "queue"],
        ComponentKind::Pool(_) => &["in_use", "waiting", "utilization"],
        ComponentKind::Database(_) => &["utilization", "replica_utilization", "queue"],
        ComponentKind::Queue(_) => &["depth", "utilization", "jobs_done"],
        ComponentKind::External(_) => &["in_flight", "queue"],
    }
}

impl TickState {
    pub fn new(sys: &System, _sc: &Scenario) -> Self {
        let mut columns: Vec<String> = GLOBAL_COLUMNS.iter().map(|s| s.to_string()).collect();
        for c in &sys.components {
            for col in component_columns(&c.kind) {
                columns.push(format!("{}.{col}", c.name));
            }
        }
        TickState {
            offered: 0,
            completed: 0,
            errors: 0,
            latency: LatencyHistogram::new(2),
            last_ns: 0,
            series: TimeSeries {
                columns,
                rows: Vec::new(),
            },
            warm_hits: vec![(0, 0); sys.components.len()],
            in_system_mid: None,
            served_halves: [0; 2],
            offered_halves: [0; 2],
            last_p95_ms: None,
        }
    }
}

/// A service's time-weighted figures since a mark.
struct ServiceLevels {
    /// CPU utilization of the ready replicas.
    utilization: f64,
    /// Requests holding a slot, summed over replicas.
    in_flight: f64,
    /// Requests waiting (accept + core queues), summed over replicas.
    queue: f64,
    /// Mean number of ready replicas.
    ready_mean: f64,
}

fn service_levels(s: &ServiceRt, cores: f64, w: Mark, now: u64, span: u64) -> ServiceLevels {
    let ready_area = s.ready.area_since(w, now) as f64;
    let mut busy = 0.0;
    let (mut in_flight, mut queue) = (0.0, 0.0);
    for r in &s.replicas {
        busy += r.busy_millicores.area_since(w, now) as f64;
        in_flight += r.in_flight.mean_since(w, now, span);
        queue += r.queued.mean_since(w, now, span);
    }
    ServiceLevels {
        utilization: ratio(busy, ready_area * cores * 1000.0).unwrap_or(0.0),
        in_flight,
        queue,
        ready_mean: ready_area / span.max(1) as f64,
    }
}

/// Memory per replica: base + per request x in-flight requests per replica.
fn memory_mib(cfg: &crate::input::model::Service, l: &ServiceLevels) -> f64 {
    cfg.memory_base_mib
        + cfg.memory_per_request_mib * ratio(l.in_flight, l.ready_mean).unwrap_or(0.0)
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

impl Simulation<'_> {
    /// Every time-weighted level in the stack, for marking.
    fn mark_all(&mut self, which: Mark, now: u64) {
        self.in_system.mark(which, now);
        for rt in &mut self.rt {
            match rt {
                Runtime::Service(s) => {
                    s.ready.mark(which, now);
                    for r in &mut s.replicas {
                        r.in_flight.mark(which, now);
                        r.busy_millicores.mark(which, now);
                        r.queued.mark(which, now);
                    }
                }
                Runtime::Pool(p) => {
                    p.in_use.mark(which, now);
                    p.waiting.mark(which, now);
                }
                Runtime::Queue(q) => {
                    q.busy.mark(which, now);
                    q.depth.mark(which, now);
                }
                _ => {}
            }
        }
        for st in &mut self.stations {
            st.busy.mark(which, now);
            st.queue.mark(which, now);
        }
    }

    pub(crate) fn on_warmup_end(&mut self) {
        let now = self.now();
        self.mark_all(Mark::Warmup, now);
        for (i, rt) in self.rt.iter().enumerate() {
            if let Runtime::Edge { hits, misses, .. } | Runtime::Cache { hits, misses, .. } = rt {
                self.tick.warm_hits[i] = (*hits, *misses);
            }
        }
    }

    pub(crate) fn on_tick(&mut self) {
        let now = self.now();
        let span = now.saturating_sub(self.tick.last_ns);
        if span == 0 {
            return;
        }
        let secs = span as f64 / 1e9;
        let mut row: Vec<Option<f64>> = Vec::with_capacity(self.tick.series.columns.len());
        let t = &self.tick;
        let lat = |q: f64| (!t.latency.is_empty()).then(|| t.latency.quantile_ms(q));
        let finished = t.completed + t.errors;
        row.extend([
            Some(now as f64 / 1e9),
            Some(t.offered as f64 / secs),
            Some(t.completed as f64 / secs),
            Some(t.errors as f64),
            ratio(t.errors as f64, finished as f64).or(Some(0.0)),
            lat(0.50),
            lat(0.95),
            lat(0.99),
            Some(self.in_system.mean_since(Mark::Interval, now, span)),
        ]);
        for (i, c) in self.sys.components.iter().enumerate() {
            self.component_row(i, &c.kind, now, span, &mut row);
        }
        // Saturation evidence: the measured window's two halves.
        let measured = self.end_ns - self.warmup_ns;
        if now > self.warmup_ns {
            let half = usize::from(now > self.warmup_ns + measured / 2);
            self.tick.served_halves[half] += self.tick.completed;
            self.tick.offered_halves[half] += self.tick.offered;
            if half == 1 && self.tick.in_system_mid.is_none() {
                self.tick.in_system_mid = Some(self.in_system.value());
            }
        }
        if !self.tick.latency.is_empty() {
            self.tick.last_p95_ms = Some(self.tick.latency.quantile_ms(0.95));
        }
        self.tick.series.rows.push(row);
        self.tick.offered = 0;
        self.tick.completed = 0;
        self.tick.errors = 0;
        self.tick.latency.reset();
        self.tick.last_ns = now;
        for rt in &mut self.rt {
            if let Runtime::Edge { tick, .. } | Runtime::Cache { tick, .. } = rt {
                *tick = (0, 0);
            }
            if let Runtime::Queue(q) = rt {
                q.completed_tick = 0;
            }
        }
        self.mark_all(Mark::Interval, now);
        if now < self.end_ns {
            let next = now.saturating_add(self.sc.interval_ns).min(self.end_ns);
            self.at(next, Event::Tick);
        }
    }

    fn component_row(
        &self,
        i: usize,
        kind: &ComponentKind,
        now: u64,
        span: u64,
        row: &mut Vec<Option<f64>>,
    ) {
        let w = Mark::Interval;
        match (kind, &self.rt[i]) {
            (ComponentKind::Service(cfg), Runtime::Service(s)) => {
                let l = service_levels(s, cfg.cores, w, now, span);
                row.extend([
                    Some(s.ready.value() as f64),
                    Some(s.starting.value() as f64),
                    Some(l.utilization),
                    Some(l.in_flight),
                    Some(l.queue),
                    Some(memory_mib(cfg, &l)),
                ]);
            }
            (ComponentKind::Edge(_), Runtime::Edge { tick, .. }) => {
                row.push(ratio(tick.0 as f64, (tick.0 + tick.1) as f64));
            }
            (ComponentKind::Cache(c), Runtime::Cache { tick, station, .. }) => {
                let st = &self.stations[*station as usize];
                row.push(ratio(tick.0 as f64, (tick.0 + tick.1) as f64));
                row.push(
                    c.concurrency
                        .map(|k| st.busy.mean_since(w, now, span) / k as f64),
                );
                row.push(Some(st.queue.mean_since(w, now, span)));
            }
            (ComponentKind::Pool(_), Runtime::Pool(p)) => {
                let in_use = p.in_use.mean_since(w, now, span);
                row.extend([
                    Some(in_use),
                    Some(p.waiting.mean_since(w, now, span)),
                    Some(in_use / p.cfg.size as f64),
                ]);
            }
            (
                ComponentKind::Database(d),
                Runtime::Database {
                    primary, replicas, ..
                },
            ) => {
                let (u, ru, q) = self.db_levels(*primary, *replicas, d.concurrency, w, now, span);
                row.extend([Some(u), ru, Some(q)]);
            }
            (ComponentKind::Queue(_), Runtime::Queue(q)) => {
                row.extend([
                    Some(q.depth.mean_since(w, now, span)),
                    Some(q.busy.mean_since(w, now, span) / q.slots.max(1) as f64),
                    Some(q.completed_tick as f64),
                ]);
            }
            (ComponentKind::External(_), Runtime::External { station, .. }) => {
                let st = &self.stations[*station as usize];
                row.extend([
                    Some(st.busy.mean_since(w, now, span)),
                    Some(st.queue.mean_since(w, now, span)),
                ]);
            }
            // Runtime and System are built in lockstep.
            _ => unreachable!("runtime state does not match component {i}"),
        }
    }

    /// Primary utilization, mean replica utilization and total queue.
    fn db_levels(
        &self,
        primary: u32,
        replicas: u32,
        conc: u32,
        w: Mark,
        now: u64,
        span: u64,
    ) -> (f64, Option<f64>, f64) {
        let p = &self.stations[primary as usize];
        let u = p.busy.mean_since(w, now, span) / conc as f64;
        let mut q = p.queue.mean_since(w, now, span);
        let mut ru_sum = 0.0;
        for k in 0..replicas {
            let st = &self.stations[(primary + 1 + k) as usize];
            ru_sum += st.busy.mean_since(w, now, span) / conc as f64;
            q += st.queue.mean_since(w, now, span);
        }
        let ru = (replicas > 0).then(|| ru_sum / replicas as f64);
        (u, ru, q)
    }

    /// Builds the run's results from the recorded measurements.
    pub(crate) fn finish(mut self) -> RunResult {
        let end = self.end_ns;
        if self.warmup_ns == 0 {
            // Marks default to zero area: nothing to do.
        }
        let measured_ns = end - self.warmup_ns;
        let measured_s = measured_ns as f64 / 1e9;
        let w = Mark::Warmup;
        let mut components = IndexMap::new();
        for (i, c) in self.sys.components.iter().enumerate() {
            let mut s = ComponentSummary {
                kind: c.kind_name().to_string(),
                replicas: 1,
                errors: self.comp_errors[i],
                ..Default::default()
            };
            match (&c.kind, &self.rt[i]) {
                (ComponentKind::Service(cfg), Runtime::Service(rt)) => {
                    let l = service_levels(rt, cfg.cores, w, end, measured_ns);
                    s.replicas = rt.ready.value() as u32;
                    s.replicas_min = Some(rt.ready.min() as u32);
                    s.replicas_max = Some(rt.ready.max() as u32);
                    s.utilization = round6(l.utilization);
                    s.cores = Some(cfg.cores);
                    s.in_flight_mean = Some(round6(l.in_flight));
                    s.queue_mean = Some(round6(l.queue));
                    s.queue_max = Some(
                        rt.replicas
                            .iter()
                            .map(|r| r.queued.max())
                            .max()
                            .unwrap_or(0),
                    );
                    s.memory_mib_mean = Some(round6(memory_mib(cfg, &l)));
                    s.memory_mib_max = Some(round6(rt.memory_max_mib));
                }
                (ComponentKind::Edge(_), Runtime::Edge { hits, misses, .. }) => {
                    let (h0, m0) = self.tick.warm_hits[i];
                    s.hit_ratio =
                        ratio((hits - h0) as f64, (hits - h0 + misses - m0) as f64).map(round6);
                }
                (
                    ComponentKind::Cache(cfg),
                    Runtime::Cache {
                        hits,
                        misses,
                        station,
                        ..
                    },
                ) => {
                    let (h0, m0) = self.tick.warm_hits[i];
                    let st = &self.stations[*station as usize];
                    s.hit_ratio =
                        ratio((hits - h0) as f64, (hits - h0 + misses - m0) as f64).map(round6);
                    s.utilization = round6(
                        cfg.concurrency
                            .map(|k| st.busy.mean_since(w, end, measured_ns) / k as f64)
                            .unwrap_or(0.0),
                    );
                    s.queue_mean = Some(round6(st.queue.mean_since(w, end, measured_ns)));
                    s.queue_max = Some(st.queue.max());
                }
                (ComponentKind::Pool(_), Runtime::Pool(p)) => {
                    let in_use = p.in_use.mean_since(w, end, measured_ns);
                    s.size = Some(p.cfg.size);
                    s.utilization = round6(in_use / p.cfg.size as f64);
                    s.in_use_mean = Some(round6(in_use));
                    s.in_use_max = Some(p.in_use.max());
                    s.waiting_mean = Some(round6(p.waiting.mean_since(w, end, measured_ns)));
                    s.waiting_max = Some(p.waiting.max());
                }
                (
                    ComponentKind::Database(d),
                    Runtime::Database {
                        primary, replicas, ..
                    },
                ) => {
                    let (u, ru, q) =
                        self.db_levels(*primary, *replicas, d.concurrency, w, end, measured_ns);
                    s.replicas = 1 + d.read_replicas;
                    s.utilization = round6(u);
                    s.replica_utilization = ru.map(round6);
                    s.queue_mean = Some(round6(q));
                    s.replication_lag_ms =
                        (d.read_replicas > 0).then(|| d.replication_lag_ns as f64 / 1e6);
                }
                (ComponentKind::Queue(qc), Runtime::Queue(q)) => {
                    s.replicas = qc.workers;
                    s.utilization =
                        round6(q.busy.mean_since(w, end, measured_ns) / q.slots.max(1) as f64);
                    s.queue_mean = Some(round6(q.depth.mean_since(w, end, measured_ns)));
                    s.queue_max = Some(q.depth.max());
                    s.jobs = Some(JobSummary {
                        enqueued: q.enqueued,
                        completed: q.completed,
                        failed: q.failed,
                        latency_ms: LatencySummary::from_hist(&q.latency),
                    });
                }
                (ComponentKind::External(x), Runtime::External { station, .. }) => {
                    let st = &self.stations[*station as usize];
                    s.utilization = round6(
                        x.concurrency
                            .map(|k| st.busy.mean_since(w, end, measured_ns) / k as f64)
                            .unwrap_or(0.0),
                    );
                    s.in_flight_mean = Some(round6(st.busy.mean_since(w, end, measured_ns)));
                    s.queue_mean = Some(round6(st.queue.mean_since(w, end, measured_ns)));
                }
                _ => unreachable!("runtime state does not match component {i}"),
            }
            components.insert(c.name.clone(), s);
        }
        let mut classes = IndexMap::new();
        for (i, c) in self.sys.classes.iter().enumerate() {
            let (total, completed, failed) = self.class_counts[i];
            classes.insert(
                c.name.clone(),
                ClassSummary {
                    total,
                    completed,
                    failed,
                    latency_ms: LatencySummary::from_hist(&self.class_latency[i]),
                },
            );
        }
        let failed = self.errors.total();
        let in_flight_at_end = self.offered.saturating_sub(self.completed + failed);
        let finished = self.completed + failed;
        let error_rate = ratio(failed as f64, finished as f64).unwrap_or(0.0);
        let latency_ms = LatencySummary::from_hist(&self.latency);
        let in_system_mean = self.in_system.mean_since(w, end, measured_ns);
        let mut warnings = Vec::new();
        // Saturated: capsim shed load, or the second half of the measured
        // window served clearly less than was offered while the number of
        // requests in the system kept growing.
        let [s1, s2] = self.tick.served_halves;
        let [_, o2] = self.tick.offered_halves;
        let mid = self.tick.in_system_mid.unwrap_or(0);
        let now_in = self.in_system.value();
        let growing = now_in > 100 && now_in > 2 * mid.max(1) && (o2 as f64) > 1.02 * s2 as f64;
        let saturated = self.errors.get(ErrorKind::Overload) > 0 || growing;
        let _ = s1;
        if saturated {
            warnings.push(format!(
                "saturated: offered load exceeds capacity ({now_in} requests in the system at the end, {mid} at mid-run); latency figures describe a growing queue, not a steady state"
            ));
        }
        if self.errors.get(ErrorKind::Overload) > 0 {
            warnings.push(format!(
                "{} arrivals were shed by limits.max_in_flight = {}",
                self.errors.get(ErrorKind::Overload),
                self.sc.limits.max_in_flight
            ));
        }
        if self.completed > 0 && self.completed < 1000 {
            warnings.push(format!(
                "only {} completed requests: p99 and p99.9 rest on few samples; run longer or at a higher rate",
                self.completed
            ));
        }
        for (name, comp) in &components {
            if comp.utilization > 0.95 {
                warnings.push(format!(
                    "{name} is at {:.0}% utilization: it is the bottleneck",
                    comp.utilization * 100.0
                ));
            }
        }
        let slo = slo_verdicts(self.sys, &latency_ms, error_rate);
        let scale_log = std::mem::take(&mut self.scale_log);
        let autoscale = autoscale_summary(
            self.sys,
            &scale_log,
            &self.tick.series,
            self.warmup_ns,
            self.sc.interval_ns,
        );
        let peak_users = self.vus.as_ref().map(|v| v.peak);
        let offered_rps = self.offered as f64 / measured_s;
        RunResult {
            capsim_version: env!("CARGO_PKG_VERSION").to_string(),
            model: self.sys.name.clone(),
            scenario: self.sc.name.clone(),
            seed: self.seed,
            replication: self.replication,
            duration_s: end as f64 / 1e9,
            warmup_s: self.warmup_ns as f64 / 1e9,
            measured_s,
            workload: WorkloadSummary {
                kind: match self.sc.workload {
                    Workload::Open { .. } => "open".into(),
                    Workload::Closed { .. } => "closed".into(),
                },
                offered_rps: round6(offered_rps),
                peak_users,
            },
            requests: Requests {
                total: self.offered,
                completed: self.completed,
                failed,
                in_flight_at_end,
                errors: self.errors,
            },
            error_rate: round6(error_rate),
            latency_ms,
            wait_ms: WaitSummary {
                mean: round6(self.wait.mean_ms()),
                p95: self.wait.quantile_ms(0.95),
            },
            throughput_rps: round6(self.completed as f64 / measured_s),
            in_system_mean: round6(in_system_mean),
            saturated,
            classes,
            components,
            slo,
            autoscale,
            warnings,
            events_processed: self.q.events_processed(),
            cost: None,
            timeseries: std::mem::take(&mut self.tick.series),
            scale_log,
            replica_lifetimes: self
                .sys
                .components
                .iter()
                .zip(&self.rt)
                .filter_map(|(c, rt)| match rt {
                    Runtime::Service(s) => Some((
                        c.name.clone(),
                        s.replicas
                            .iter()
                            .map(|r| (r.created_ns.min(end), r.stopped_ns.unwrap_or(end).min(end)))
                            .collect(),
                    )),
                    _ => None,
                })
                .collect(),
            latency: std::mem::take(&mut self.latency),
            wait: std::mem::take(&mut self.wait),
        }
    }
}

fn slo_verdicts(sys: &System, lat: &LatencySummary, error_rate: f64) -> Vec<SloVerdict> {
    let s = &sys.slo;
    let mut out = Vec::new();
    for (name, target, actual) in [
        ("mean", s.mean_ns, lat.mean),
        ("p50", s.p50_ns, lat.p50),
        ("p90", s.p90_ns, lat.p90),
        ("p95", s.p95_ns, lat.p95),
        ("p99", s.p99_ns, lat.p99),
        ("p999", s.p999_ns, lat.p999),
    ] {
        if let Some(t) = target {
            let target_ms = t as f64 / 1e6;
            out.push(SloVerdict {
                metric: format!("{name}_ms"),
                target: target_ms,
                actual,
                ok: actual <= target_ms,
            });
        }
    }
    if let Some(t) = s.error_rate {
        out.push(SloVerdict {
            metric: "error_rate".into(),
            target: t,
            actual: error_rate,
            ok: error_rate <= t,
        });
    }
    out
}

/// Decision counts, scale-up episodes and SLO breach minutes.
fn autoscale_summary(
    sys: &System,
    log: &[ScaleRecord],
    ts: &TimeSeries,
    warmup_ns: u64,
    interval_ns: u64,
) -> AutoscaleSummary {
    let col = |name: &str| ts.columns.iter().position(|c| c == name);
    let mut services = Vec::new();
    for comp in &sys.components {
        let ComponentKind::Service(cfg) = &comp.kind else {
            continue;
        };
        let Some(policy) = &cfg.autoscale else {
            continue;
        };
        let (min, max) = policy.bounds();
        let mut peak: IndexMap<String, f64> = IndexMap::new();
        for d in log.iter().filter(|d| d.component == comp.name) {
            for pair in d.metrics.split(';').filter(|p| !p.is_empty()) {
                if let Some((k, v)) = pair.split_once('=') {
                    if let Ok(v) = v.parse::<f64>() {
                        let e = peak.entry(k.to_string()).or_insert(v);
                        *e = e.max(v);
                    }
                }
            }
        }
        let ready = col(&format!("{}.replicas_ready", comp.name));
        let series: Vec<f64> = ready
            .map(|c| ts.rows.iter().filter_map(|r| r[c]).collect())
            .unwrap_or_default();
        let ready_min = series.iter().copied().fold(f64::INFINITY, f64::min);
        let ready_max = series.iter().copied().fold(0.0, f64::max);
        let peaks = peak
            .iter()
            .map(|(k, v)| format!("{k} {}", crate::report::csv_out::fmt_num(*v)))
            .collect::<Vec<_>>()
            .join(", ");
        let verdict = if ready_max as u32 >= max {
            format!("reached its maximum of {max} replicas; the highest metrics it read: {peaks}")
        } else {
            format!(
                "peaked at {} of its {max} replicas, so {max} were never needed; the highest metrics it read: {peaks}",
                ready_max as u32
            )
        };
        services.push(ServiceScaling {
            component: comp.name.clone(),
            min_replicas: min,
            max_replicas: max,
            ready_min: if ready_min.is_finite() {
                ready_min as u32
            } else {
                0
            },
            ready_max: ready_max as u32,
            peak_metrics: peak,
            verdict,
        });
    }
    let mut out = AutoscaleSummary {
        services,
        decisions: log.len() as u64,
        scale_ups: log.iter().filter(|d| d.desired > d.current).count() as u64,
        scale_downs: log.iter().filter(|d| d.desired < d.current).count() as u64,
        ..Default::default()
    };
    // Episodes: scale-ups of a component with less than 5 minutes between them.
    const GAP_S: f64 = 300.0;
    let (t_col, offered_col) = (col("time_s"), col("offered_rps"));
    let offered_at = |t0: f64, t1: f64| -> Vec<(f64, f64)> {
        match (t_col, offered_col) {
            (Some(tc), Some(oc)) => ts
                .rows
                .iter()
                .filter_map(|r| Some((r[tc]?, r[oc]?)))
                .filter(|&(t, _)| t > t0 && t <= t1)
                .collect(),
            _ => Vec::new(),
        }
    };
    for comp in &sys.components {
        let ups: Vec<&ScaleRecord> = log
            .iter()
            .filter(|d| d.component == comp.name && d.desired > d.current)
            .collect();
        let mut i = 0;
        while i < ups.len() {
            let mut j = i;
            while j + 1 < ups.len() && ups[j + 1].time_s - ups[j].time_s < GAP_S {
                j += 1;
            }
            let first = ups[i];
            let ready = ups[i..=j]
                .iter()
                .filter_map(|d| d.ready_s)
                .fold(first.time_s, f64::max);
            // Load rise: the first interval in the 5 minutes before the
            // decision whose offered rate exceeds 1.1x the 5 minutes before.
            let base: Vec<(f64, f64)> =
                offered_at(first.time_s - 2.0 * GAP_S, first.time_s - GAP_S);
            let rise = if base.is_empty() {
                first.time_s
            } else {
                let level = base.iter().map(|p| p.1).sum::<f64>() / base.len() as f64;
                offered_at(first.time_s - GAP_S, first.time_s)
                    .into_iter()
                    .find(|&(_, o)| o > 1.1 * level)
                    .map(|(t, _)| t - interval_ns as f64 / 1e9)
                    .unwrap_or(first.time_s)
                    .min(first.time_s)
            };
            out.surges.push(Surge {
                component: comp.name.clone(),
                load_rise_s: round6(rise),
                first_decision_s: round6(first.time_s),
                capacity_ready_s: round6(ready),
                from_replicas: first.current,
                to_replicas: ups[j].desired,
                time_to_first_decision_s: round6(first.time_s - rise),
                time_to_capacity_s: round6(ready - rise),
            });
            i = j + 1;
        }
    }
    // SLO breach minutes over the measured intervals.
    let slo = &sys.slo;
    let checks: Vec<(usize, f64)> = [
        ("latency_p95_ms", slo.p95_ns.map(|t| t as f64 / 1e6)),
        ("latency_p99_ms", slo.p99_ns.map(|t| t as f64 / 1e6)),
        ("error_rate", slo.error_rate),
    ]
    .into_iter()
    .filter_map(|(name, target)| Some((col(name)?, target?)))
    .collect();
    if let Some(tc) = t_col {
        let mut breached_s = 0.0;
        let mut prev_t = 0.0;
        for r in &ts.rows {
            let t = r[tc].unwrap_or(prev_t);
            let span = t - prev_t;
            if t * 1e9 > warmup_ns as f64
                && checks
                    .iter()
                    .any(|&(c, target)| r[c].is_some_and(|v| v > target))
            {
                breached_s += span;
            }
            prev_t = t;
        }
        out.slo_breach_minutes = round6(breached_s / 60.0);
    }
    out
}
