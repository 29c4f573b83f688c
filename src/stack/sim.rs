//! The simulation: state, construction, and the event loop.

use super::event::Event;
use super::part::Part;
use super::request::{Arena, ReqId};
use super::station::Station;
use crate::input::model::{BalancePolicy, ComponentKind, System};
use crate::input::scenario::{Scenario, Workload};
use crate::metrics::result::{ErrorCounts, RunResult};
use crate::metrics::Recording;
use crate::metrics::{LatencyHistogram, Level};
use capsim_des::{EventQueue, RngStreams, SimTime, StreamRng};

/// Per virtual user: whether its loop is running.
pub(crate) struct Vus {
    pub running: Vec<bool>,
    pub target: u32,
    pub peak: u32,
    /// (time, new target) changes, in order, and the next to apply.
    pub plan: Vec<(u64, u32)>,
    pub next: usize,
    pub think_rng: StreamRng,
}

pub struct Simulation<'a> {
    pub(crate) sys: &'a System,
    pub(crate) sc: &'a Scenario,
    pub(crate) q: EventQueue<Event>,
    pub(crate) reqs: Arena,
    /// One part per component, in model order.
    pub(crate) parts: Vec<Part<'a>>,
    pub(crate) stations: Vec<Station>,
    pub(crate) end_ns: u64,
    pub(crate) warmup_ns: u64,
    // Workload.
    pub(crate) arrival_rng: StreamRng,
    pub(crate) class_rng: StreamRng,
    pub(crate) client_rng: StreamRng,
    pub(crate) class_cdf: Vec<f64>,
    pub(crate) arrival_t: u64,
    pub(crate) needs_client: bool,
    pub(crate) vus: Option<Vus>,
    // Measurements.
    pub(crate) in_system: Level,
    pub(crate) latency: LatencyHistogram,
    pub(crate) wait: LatencyHistogram,
    pub(crate) class_latency: Vec<LatencyHistogram>,
    pub(crate) class_counts: Vec<(u64, u64, u64)>,
    pub(crate) offered: u64,
    pub(crate) completed: u64,
    pub(crate) errors: ErrorCounts,
    pub(crate) comp_errors: Vec<ErrorCounts>,
    pub(crate) tick: super::observe::TickState,
    pub(crate) scratch: Vec<ReqId>,
    pub(crate) seed: u64,
    pub(crate) replication: u64,
    /// Every autoscaler decision, in time order.
    pub(crate) scale_log: Vec<crate::metrics::result::ScaleRecord>,
    /// Reconciles that changed nothing: counted, not logged (a short sync
    /// period would otherwise log a row per tick).
    pub(crate) scale_noops: u64,
    /// Per component: the highest value read of each autoscaler metric.
    pub(crate) scale_peaks: Vec<indexmap::IndexMap<String, f64>>,
    /// Pool connections leaked by each scenario event (to give back).
    pub(crate) leaked: Vec<u32>,
    /// Per region: when it failed (`None`: healthy).
    pub(crate) region_down_since: Vec<Option<u64>>,
    pub(crate) region_rng: StreamRng,
    pub(crate) region_cdf: Vec<f64>,
}

/// Runs `sys` under `sc` with `seed` (replication `replication`).
pub fn simulate(sys: &System, sc: &Scenario, seed: u64, replication: u64) -> RunResult {
    Simulation::new(sys, sc, seed, replication).run()
}

impl<'a> Simulation<'a> {
    pub fn new(sys: &'a System, sc: &'a Scenario, seed: u64, replication: u64) -> Self {
        let streams = RngStreams::new(seed, replication);
        let mut stations: Vec<Station> = Vec::new();
        let mut add_station = |owner: u32, servers: Option<u32>, limit: Option<u32>| {
            stations.push(Station::new(owner, servers, limit));
            (stations.len() - 1) as u32
        };
        let needs_client = sys.components.iter().any(|c| {
            matches!(&c.kind, ComponentKind::Service(svc) if svc.balancer.policy == BalancePolicy::IpHash)
        });
        let parts: Vec<Part> = sys
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let stream = |suffix: &str| streams.stream(&format!("{}.{suffix}", c.name));
                Part::resolve(&c.kind, i as u32, &mut add_station, stream)
            })
            .collect();
        let mut acc = 0.0;
        let class_cdf = sys
            .classes
            .iter()
            .map(|c| {
                acc += c.probability;
                acc
            })
            .collect();
        let vus = match &sc.workload {
            Workload::Closed { .. } => Some(Vus {
                running: Vec::new(),
                target: 0,
                peak: 0,
                plan: super::workload::vu_plan(&sc.workload),
                next: 0,
                think_rng: streams.stream("think"),
            }),
            Workload::Open { .. } => None,
        };
        let n_classes = sys.classes.len();
        let tick = super::observe::TickState::new(sys, sc, &parts);
        Simulation {
            sys,
            sc,
            q: EventQueue::with_capacity(1024),
            reqs: Arena::default(),
            parts,
            stations,
            end_ns: sc.duration_ns,
            warmup_ns: sc.warmup_ns,
            arrival_rng: streams.stream("arrivals"),
            class_rng: streams.stream("classes"),
            client_rng: streams.stream("clients"),
            class_cdf,
            arrival_t: 0,
            needs_client,
            vus,
            in_system: Level::default(),
            latency: LatencyHistogram::default(),
            wait: LatencyHistogram::default(),
            // Two significant digits (1%): a tenth of the memory of the
            // run-wide histogram, which keeps three.
            class_latency: (0..n_classes).map(|_| LatencyHistogram::new(2)).collect(),
            class_counts: vec![(0, 0, 0); n_classes],
            offered: 0,
            completed: 0,
            errors: ErrorCounts::default(),
            comp_errors: vec![ErrorCounts::default(); sys.components.len()],
            tick,
            scratch: Vec::new(),
            seed,
            replication,
            scale_log: Vec::new(),
            scale_noops: 0,
            scale_peaks: vec![Default::default(); sys.components.len()],
            leaked: vec![0; sc.events.len()],
            region_down_since: vec![None; sys.regions.names.len()],
            region_rng: streams.stream("regions"),
            region_cdf: sys
                .regions
                .users
                .iter()
                .scan(0.0, |acc, p| {
                    *acc += p;
                    Some(*acc)
                })
                .collect(),
        }
    }

    #[inline]
    pub(crate) fn now(&self) -> u64 {
        self.q.now().as_nanos()
    }

    #[inline]
    pub(crate) fn at(&mut self, t_ns: u64, ev: Event) {
        self.q.schedule(SimTime(t_ns), ev);
    }

    /// Runs to the end of the scenario and returns the results.
    pub fn run(self) -> RunResult {
        self.run_with_progress(None)
    }

    /// [`Self::run`], calling `progress` with the simulated time (ns) after
    /// each reporting interval (for a progress bar; it cannot change results).
    pub fn run_with_progress(self, progress: Option<&dyn Fn(u64)>) -> RunResult {
        let (sys, sc) = (self.sys, self.sc);
        crate::metrics::summarize(sys, sc, self.record(progress))
    }

    /// Runs to the end of the scenario and returns its measurements, not
    /// yet summarised.
    pub fn record(mut self, progress: Option<&dyn Fn(u64)>) -> Recording {
        self.start_workload();
        self.start_scaling();
        self.schedule_chaos();
        let first_tick = self.sc.interval_ns.min(self.end_ns);
        self.at(first_tick, Event::Tick);
        if self.warmup_ns > 0 {
            self.at(self.warmup_ns, Event::WarmupEnd);
        }
        while let Some((t, ev)) = self.q.pop() {
            if t.as_nanos() > self.end_ns {
                break;
            }
            let tick = matches!(ev, Event::Tick);
            self.handle(ev);
            if let (true, Some(p)) = (tick, progress) {
                p(t.as_nanos());
            }
        }
        self.into_recording()
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Arrival => self.on_arrival(),
            Event::VuWake(vu) => self.on_vu_wake(vu),
            Event::VuTarget => self.on_vu_target(),
            Event::CpuDone(req) => self.on_cpu_done(req),
            Event::PsCheck {
                comp,
                replica,
                epoch,
            } => self.on_ps_check(comp, replica, epoch),
            Event::StationDone { req, station } => self.on_station_done(req, station),
            Event::Timeout {
                req,
                gen,
                depth,
                seq,
            } => self.on_timeout(req, gen, depth, seq),
            Event::PoolTimeout { req, gen, ticket } => self.on_pool_timeout(req, gen, ticket),
            Event::PoolReserve { comp } => self.on_pool_reserve(comp),
            Event::JobWorkDone(req) => self.continue_calls(req),
            Event::ScalerTick { comp } => self.on_scaler_tick(comp),
            Event::ReplicaReady { comp, replica } => self.on_replica_ready(comp, replica),
            Event::DrainDeadline { comp, replica } => self.on_drain_deadline(comp, replica),
            Event::ScheduleChange { comp, index } => self.on_schedule_change(comp, index),
            Event::SpotInterrupt { comp } => self.on_spot_interrupt(comp),
            Event::Chaos(i) => self.on_chaos(i),
            Event::ChaosEnd(i) => self.on_chaos_end(i),
            Event::HopArrive(req) => self.on_hop_arrive(req),
            Event::HopReturn(req) => self.on_hop_return(req),
            Event::Tick => self.on_tick(),
            Event::WarmupEnd => self.on_warmup_end(),
        }
    }
}
