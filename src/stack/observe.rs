//! Observation: one time-series row per reporting interval, and the final
//! figures of the measured window (after warm-up). Reads the state; never
//! changes what the simulation does.

use super::event::Event;
use super::part::{each_part, ratio, Part, PartOps};
use super::Simulation;
use crate::input::model::System;
use crate::input::scenario::Scenario;
use crate::metrics::recording::{ClassCounts, Recording, SaturationEvidence};
use crate::metrics::result::{ComponentSummary, TimeSeries};
use crate::metrics::{LatencyHistogram, Mark};

pub(crate) struct TickState {
    pub offered: u64,
    pub completed: u64,
    pub errors: u64,
    pub latency: LatencyHistogram,
    pub last_ns: u64,
    pub series: TimeSeries,
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

impl TickState {
    /// The global columns, then each part's prefixed with its name.
    pub(crate) fn new(sys: &System, _sc: &Scenario, parts: &[Part<'_>]) -> Self {
        let mut columns: Vec<String> = GLOBAL_COLUMNS.iter().map(|s| s.to_string()).collect();
        for (c, part) in sys.components.iter().zip(parts) {
            for col in each_part!(part, p => p.columns()) {
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
            in_system_mid: None,
            served_halves: [0; 2],
            offered_halves: [0; 2],
            last_p95_ms: None,
        }
    }
}

impl Simulation<'_> {
    /// Every time-weighted level in the stack, for marking.
    fn mark_all(&mut self, which: Mark, now: u64) {
        self.in_system.mark(which, now);
        for part in &mut self.parts {
            each_part!(part, p => p.mark(which, now));
        }
        for st in &mut self.stations {
            st.busy.mark(which, now);
            st.queue.mark(which, now);
        }
    }

    pub(crate) fn on_warmup_end(&mut self) {
        let now = self.now();
        self.mark_all(Mark::Warmup, now);
        for part in &mut self.parts {
            each_part!(part, p => p.warmup_end());
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
        for part in &self.parts {
            each_part!(part, p => p.row(&self.stations, now, span, &mut row));
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
        for part in &mut self.parts {
            each_part!(part, p => p.end_interval());
        }
        self.mark_all(Mark::Interval, now);
        if now < self.end_ns {
            let next = now.saturating_add(self.sc.interval_ns).min(self.end_ns);
            self.at(next, Event::Tick);
        }
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
        each_part!(&self.parts[i], p => p.summary(&self.stations, w, end, measured_ns, &mut s));
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
            .zip(&self.parts)
            .filter_map(|(c, part)| match part {
                Part::Service(s) => Some((c.name.clone(), s.fleet.lifetimes(end))),
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
