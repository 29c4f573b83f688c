//! A job queue: an enqueue station (the producer's latency); each accepted
//! enqueue becomes a job that waits FIFO for one of `workers x concurrency`
//! slots, does its own work, then makes its calls. The producer returns as
//! soon as the enqueue is done.

use super::part::{Effect, PartOps, Visit};
use super::request::ReqId;
use super::station::Station;
use crate::input::model::{Call, ClassId, CompId, JobQueue};
use crate::metrics::result::{round6, ComponentSummary, JobSummary, LatencySummary};
use crate::metrics::{LatencyHistogram, Level, Mark};
use capsim_des::StreamRng;
use std::collections::VecDeque;

pub(crate) struct QueuePart<'a> {
    cfg: &'a JobQueue,
    /// Station modelling the enqueue latency.
    enqueue_station: u32,
    slots: u32,
    busy: Level,
    depth: Level,
    waiting: VecDeque<ReqId>,
    work_rng: StreamRng,
    pub(super) call_rng: StreamRng,
    enqueued: u64,
    completed: u64,
    completed_tick: u64,
    failed: u64,
    latency: LatencyHistogram,
}

impl<'a> QueuePart<'a> {
    pub fn new(
        cfg: &'a JobQueue,
        comp: CompId,
        add_station: &mut impl FnMut(CompId, Option<u32>, Option<u32>) -> u32,
        stream: impl Fn(&str) -> StreamRng,
    ) -> Self {
        QueuePart {
            cfg,
            enqueue_station: add_station(comp, None, None),
            slots: cfg.workers.saturating_mul(cfg.concurrency),
            busy: Level::default(),
            depth: Level::default(),
            waiting: VecDeque::new(),
            work_rng: stream("work"),
            call_rng: stream("calls"),
            enqueued: 0,
            completed: 0,
            completed_tick: 0,
            failed: 0,
            latency: LatencyHistogram::default(),
        }
    }

    /// Jobs waiting for a worker now.
    pub fn depth(&self) -> u64 {
        self.depth.value()
    }

    /// A new job: it takes a worker now (returns its work, ns) or waits.
    pub fn offer(&mut self, now: u64, job: ReqId) -> Option<u64> {
        self.enqueued += 1;
        if self.busy.value() < self.slots as u64 {
            Some(self.take_worker(now))
        } else {
            self.waiting.push_back(job);
            self.depth.incr(now);
            None
        }
    }

    fn take_worker(&mut self, now: u64) -> u64 {
        self.busy.incr(now);
        self.cfg.work.sample(&mut self.work_rng)
    }

    /// A job gives its worker back; the oldest waiting job takes it
    /// (returned with its work, ns).
    pub fn release_worker(&mut self, now: u64) -> Option<(ReqId, u64)> {
        self.busy.decr(now);
        let next = self.waiting.pop_front()?;
        self.depth.decr(now);
        Some((next, self.take_worker(now)))
    }

    /// A job finished all its calls; `latency_ns` counts if measured.
    pub fn job_done(&mut self, latency_ns: Option<u64>) {
        self.completed += 1;
        self.completed_tick += 1;
        if let Some(l) = latency_ns {
            self.latency.record_ns(l);
        }
    }

    pub fn job_failed(&mut self) {
        self.failed += 1;
    }
}

impl<'a> PartOps<'a> for QueuePart<'a> {
    fn enter(&mut self, v: &mut Visit<'_>) -> Effect {
        let full =
            matches!(self.cfg.max_depth, Some(m) if self.depth.value() >= m as u64) || v.crowded;
        if full {
            return Effect::Fail(crate::metrics::result::ErrorKind::Rejected);
        }
        Effect::Serve {
            station: self.enqueue_station,
            ns: self.cfg.enqueue_latency.sample(&mut self.work_rng),
        }
    }

    fn served(&mut self, _now: u64, _class: ClassId, _op: crate::input::model::Op) -> Effect {
        Effect::Enqueue
    }

    fn calls(&self, _class: ClassId) -> &'a [Call] {
        &self.cfg.calls
    }

    fn columns(&self) -> &'static [&'static str] {
        &["depth", "utilization", "jobs_done"]
    }

    fn row(&self, _st: &[Station], now: u64, span: u64, row: &mut Vec<Option<f64>>) {
        let w = Mark::Interval;
        row.extend([
            Some(self.depth.mean_since(w, now, span)),
            Some(self.busy.mean_since(w, now, span) / self.slots.max(1) as f64),
            Some(self.completed_tick as f64),
        ]);
    }

    fn summary(&self, _st: &[Station], w: Mark, end: u64, span: u64, s: &mut ComponentSummary) {
        s.replicas = self.cfg.workers;
        s.utilization = round6(self.busy.mean_since(w, end, span) / self.slots.max(1) as f64);
        s.queue_mean = Some(round6(self.depth.mean_since(w, end, span)));
        s.queue_max = Some(self.depth.max());
        s.jobs = Some(JobSummary {
            enqueued: self.enqueued,
            completed: self.completed,
            failed: self.failed,
            latency_ms: LatencySummary::from_hist(&self.latency),
        });
    }

    fn mark(&mut self, which: Mark, now: u64) {
        self.busy.mark(which, now);
        self.depth.mark(which, now);
    }

    fn end_interval(&mut self) {
        self.completed_tick = 0;
    }
}
