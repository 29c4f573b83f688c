//! Observation: one time-series row per reporting interval, and the final
//! figures of the measured window (after warm-up). Reads the state; never
//! changes what the simulation does.

use super::event::Event;
use super::sim::{Runtime, ServiceRt, Simulation};
use crate::input::model::{ComponentKind, System};
use crate::input::scenario::Scenario;
use crate::metrics::recording::{ClassCounts, Recording, SaturationEvidence};
use crate::metrics::result::{round6, ComponentSummary, JobSummary, LatencySummary, TimeSeries};
use crate::metrics::{LatencyHistogram, Mark};

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

    /// The figures component `i` measured over the window since `w`,
    /// from its own levels and counters.
    fn component_summary(&self, i: usize, w: Mark, end: u64, measured_ns: u64) -> ComponentSummary {
        let c = &self.sys.components[i];
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
        s
    }

    /// Ends the run: hands every measurement over, typed, for
    /// [`crate::metrics::summarize`].
    pub(crate) fn into_recording(mut self) -> Recording {
        let end = self.end_ns;
        let measured_ns = end - self.warmup_ns;
        let w = Mark::Warmup;
        let components = (0..self.sys.components.len())
            .map(|i| self.component_summary(i, w, end, measured_ns))
            .collect();
        let replica_lifetimes = self
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
            .collect();
        Recording {
            seed: self.seed,
            replication: self.replication,
            offered: self.offered,
            completed: self.completed,
            errors: self.errors,
            classes: self
                .class_counts
                .iter()
                .map(|&(total, completed, failed)| ClassCounts {
                    total,
                    completed,
                    failed,
                })
                .collect(),
            class_latency: std::mem::take(&mut self.class_latency),
            latency: std::mem::take(&mut self.latency),
            wait: std::mem::take(&mut self.wait),
            in_system_mean: self.in_system.mean_since(w, end, measured_ns),
            saturation: SaturationEvidence {
                served_halves: self.tick.served_halves,
                offered_halves: self.tick.offered_halves,
                in_system_mid: self.tick.in_system_mid,
                in_system_end: self.in_system.value(),
            },
            components,
            series: std::mem::take(&mut self.tick.series),
            decisions: std::mem::take(&mut self.scale_log),
            decision_noops: self.scale_noops,
            decision_peaks: std::mem::take(&mut self.scale_peaks),
            replica_lifetimes,
            peak_users: self.vus.as_ref().map(|v| v.peak),
            events_processed: self.q.events_processed(),
        }
    }
}
