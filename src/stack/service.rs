//! A service: a [`Fleet`] of replicas behind a balancer, each with a
//! concurrency limit, an accept queue and a CPU. A request holds its slot
//! (not the CPU) while it waits on downstream calls. This part runs the
//! work on a replica; the fleet owns which replicas exist.

use super::fleet::Fleet;
use super::part::{ratio, Effect, PartOps, Visit};
use super::request::ReqId;
use super::station::Station;
use crate::input::model::{Call, ClassId, CompId, Service};
use crate::metrics::result::{round6, ComponentSummary};
use crate::metrics::Mark;
use capsim_des::StreamRng;

pub(crate) struct ServicePart<'a> {
    pub cfg: &'a Service,
    pub fleet: Fleet<'a>,
    cpu_rng: StreamRng,
    pub(super) call_rng: StreamRng,
    memory_max_mib: f64,
    /// The autoscaler, and when it last reconciled.
    pub controller: Option<Box<dyn capsim_autoscale::Controller + Send>>,
    pub last_reconcile_ns: u64,
}

/// How a request's CPU burst starts on taking a slot.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Burst {
    /// No handler for the class (validation rules it out).
    NoHandler,
    /// Processor sharing: check completions at `.0` under epoch `.1`.
    Shared(Option<(u64, u32)>),
    /// FCFS: a core is free; the burst lasts this long.
    Core(u64),
    /// FCFS: every core is busy; the request waits with this much work.
    WaitCore(u64),
}

impl<'a> ServicePart<'a> {
    pub fn new(cfg: &'a Service, comp: CompId, stream: impl Fn(&str) -> StreamRng) -> Self {
        ServicePart {
            cfg,
            fleet: Fleet::new(cfg, comp, &stream),
            cpu_rng: stream("cpu"),
            call_rng: stream("calls"),
            memory_max_mib: cfg.memory_base_mib,
            controller: cfg.autoscale.as_ref().map(|p| p.build()),
            last_reconcile_ns: 0,
        }
    }

    /// The request `id` of `class` takes a slot on replica `r` and starts
    /// its CPU burst.
    pub fn take_slot(&mut self, now: u64, r: usize, class: ClassId, id: ReqId) -> Burst {
        let cfg = self.cfg;
        let Some(handler) = cfg.handlers[class as usize].as_ref() else {
            return Burst::NoHandler;
        };
        let work = handler.cpu.sample(&mut self.cpu_rng);
        let rep = self.fleet.replica_mut(r);
        let mem =
            cfg.memory_base_mib + cfg.memory_per_request_mib * (rep.in_flight.value() + 1) as f64;
        if mem > self.memory_max_mib {
            self.memory_max_mib = mem;
        }
        rep.in_flight.incr(now);
        if rep.cpu.is_ps() {
            let next = rep.cpu.ps_add(now, id, work).map(|t| {
                rep.busy_millicores.set(now, rep.cpu.busy_millicores());
                (t, rep.cpu.epoch)
            });
            Burst::Shared(next)
        } else if rep.cpu.try_take_core() {
            let d = rep.cpu.fcfs_duration(work);
            rep.busy_millicores.set(now, rep.cpu.busy_millicores());
            Burst::Core(d)
        } else {
            rep.cpu.waiting.push_back(id);
            rep.queued.incr(now);
            Burst::WaitCore(work)
        }
    }

    /// A replica's time-weighted figures since a mark.
    fn levels(&self, w: Mark, now: u64, span: u64) -> Levels {
        let ready_area = self.fleet.ready().area_since(w, now) as f64;
        let mut busy = 0.0;
        let (mut in_flight, mut queue) = (0.0, 0.0);
        for r in self.fleet.replicas() {
            busy += r.busy_millicores.area_since(w, now) as f64;
            in_flight += r.in_flight.mean_since(w, now, span);
            queue += r.queued.mean_since(w, now, span);
        }
        Levels {
            utilization: ratio(busy, ready_area * self.cfg.cores * 1000.0).unwrap_or(0.0),
            in_flight,
            queue,
            ready_mean: ready_area / span.max(1) as f64,
        }
    }

    /// Memory per replica: base + per request x in-flight requests per replica.
    fn memory_mib(&self, l: &Levels) -> f64 {
        self.cfg.memory_base_mib
            + self.cfg.memory_per_request_mib * ratio(l.in_flight, l.ready_mean).unwrap_or(0.0)
    }
}

/// A service's time-weighted figures since a mark.
struct Levels {
    /// CPU utilization of the ready replicas.
    utilization: f64,
    /// Requests holding a slot, summed over replicas.
    in_flight: f64,
    /// Requests waiting (accept + core queues), summed over replicas.
    queue: f64,
    /// Mean number of ready replicas.
    ready_mean: f64,
}

impl<'a> PartOps<'a> for ServicePart<'a> {
    /// The balancer picks a replica and the fleet admits the request.
    fn enter(&mut self, v: &mut Visit<'_>) -> Effect {
        v.tried.clear();
        match self.fleet.admit(v.now, v.client, v.tried) {
            Ok((r, has_slot)) => Effect::Slot {
                replica: r as u32,
                has_slot,
            },
            Err(kind) => Effect::Fail(kind),
        }
    }

    fn calls(&self, class: ClassId) -> &'a [Call] {
        self.cfg.handlers[class as usize]
            .as_ref()
            .map(|h| h.calls.as_slice())
            .unwrap_or(&[])
    }

    fn columns(&self) -> &'static [&'static str] {
        &[
            "replicas_ready",
            "replicas_starting",
            "utilization",
            "in_flight",
            "queue",
            "memory_mib",
        ]
    }

    fn row(&self, _st: &[Station], now: u64, span: u64, row: &mut Vec<Option<f64>>) {
        let l = self.levels(Mark::Interval, now, span);
        row.extend([
            Some(self.fleet.ready().value() as f64),
            Some(self.fleet.starting().value() as f64),
            Some(l.utilization),
            Some(l.in_flight),
            Some(l.queue),
            Some(self.memory_mib(&l)),
        ]);
    }

    fn summary(&self, _st: &[Station], w: Mark, end: u64, span: u64, s: &mut ComponentSummary) {
        let l = self.levels(w, end, span);
        let ready = self.fleet.ready();
        s.replicas = ready.value() as u32;
        s.replicas_min = Some(ready.min() as u32);
        s.replicas_max = Some(ready.max() as u32);
        s.utilization = round6(l.utilization);
        s.cores = Some(self.cfg.cores);
        s.in_flight_mean = Some(round6(l.in_flight));
        s.queue_mean = Some(round6(l.queue));
        s.queue_max = Some(
            self.fleet
                .replicas()
                .iter()
                .map(|r| r.queued.max())
                .max()
                .unwrap_or(0),
        );
        s.memory_mib_mean = Some(round6(self.memory_mib(&l)));
        s.memory_mib_max = Some(round6(self.memory_max_mib));
    }

    fn mark(&mut self, which: Mark, now: u64) {
        self.fleet.mark(which, now);
    }
}
