//! The simulation: state, construction, and the event loop.

use super::balancer::Balancer;
use super::cpu::Cpu;
use super::event::Event;
use super::pool::PoolState;
use super::request::{Arena, ReqId};
use super::result::{ErrorCounts, RunResult};
use super::station::Station;
use crate::input::model::{ComponentKind, Scheduling, System};
use crate::input::scenario::{Scenario, Workload};
use crate::metrics::{LatencyHistogram, Level};
use capsim_des::{EventQueue, RngStreams, SimTime, StreamRng};
use std::collections::VecDeque;

/// One replica of a service.
/// Where a replica is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReplicaState {
    /// Decided, not yet ready (image pull, boot, warm-up, readiness probe).
    Starting,
    Ready,
    /// Removed from the balancer, finishing its in-flight requests.
    Draining,
    Stopped,
}

pub(crate) struct Replica {
    pub state: ReplicaState,
    pub zone: u32,
    /// When it was created (billing starts), and when it stopped.
    pub created_ns: u64,
    pub stopped_ns: Option<u64>,
    /// When its container started, and when it became ready.
    pub started_ns: u64,
    pub ready_ns: Option<u64>,
    /// Requests completed, and the count at the last autoscaler reconcile.
    pub served: u64,
    pub served_mark: u64,
    pub cpu: Cpu,
    /// Slots in use (requests admitted past the accept queue).
    pub in_flight: Level,
    pub busy_millicores: Level,
    /// Requests waiting: accept queue plus core queue.
    pub queued: Level,
    pub accept_q: VecDeque<ReqId>,
}

pub(crate) struct ServiceRt {
    pub replicas: Vec<Replica>,
    pub balancer: Balancer,
    pub ready: Level,
    pub cpu_rng: StreamRng,
    pub lb_rng: StreamRng,
    pub call_rng: StreamRng,
    pub startup_rng: StreamRng,
    pub memory_max_mib: f64,
    /// The replica count the controller (or the user) asks for.
    pub spec: u32,
    pub starting: Level,
    pub controller: Option<Box<dyn capsim_autoscale::Controller + Send>>,
    /// Zones currently down (zone outage events).
    pub zones_down: Vec<bool>,
    pub next_zone: u32,
    pub last_reconcile_ns: u64,
    /// Free pod slots on ready nodes, and nodes being provisioned as
    /// (ready time, free slots); unused when nodes are not modelled.
    pub node_free: u32,
    pub nodes_coming: Vec<(u64, u32)>,
    pub nodes: u32,
    pub node_rng: StreamRng,
    pub spot_rng: StreamRng,
}

impl Replica {
    pub fn new(cfg: &crate::input::model::Service, zone: u32, decided_ns: u64) -> Self {
        Replica {
            state: ReplicaState::Ready,
            zone,
            created_ns: decided_ns,
            stopped_ns: None,
            started_ns: decided_ns,
            ready_ns: Some(decided_ns),
            served: 0,
            served_mark: 0,
            cpu: Cpu::new(cfg.cores, cfg.scheduling == Scheduling::ProcessorSharing),
            in_flight: Level::default(),
            busy_millicores: Level::default(),
            queued: Level::default(),
            accept_q: VecDeque::new(),
        }
    }
}

pub(crate) struct QueueRt {
    /// Station modelling the enqueue latency.
    pub enqueue_station: u32,
    pub slots: u32,
    pub busy: Level,
    pub depth: Level,
    pub waiting: VecDeque<ReqId>,
    pub work_rng: StreamRng,
    pub call_rng: StreamRng,
    pub enqueued: u64,
    pub completed: u64,
    pub completed_tick: u64,
    pub failed: u64,
    pub latency: LatencyHistogram,
}

/// Runtime state per component, parallel to `System::components`.
pub(crate) enum Runtime {
    Edge {
        station: u32,
        rng: StreamRng,
        hits: u64,
        misses: u64,
        tick: (u64, u64),
    },
    Service(Box<ServiceRt>),
    Cache {
        station: u32,
        rng: StreamRng,
        hits: u64,
        misses: u64,
        tick: (u64, u64),
        /// A flush at `.0` warming back up over `.1` ns.
        flushed: Option<(u64, u64)>,
        /// Every lookup misses until this time (a failed node).
        failed_until_ns: u64,
    },
    Pool(Box<PoolState>),
    Database {
        primary: u32,
        replicas: u32,
        rr: u32,
        rng: StreamRng,
    },
    Queue(Box<QueueRt>),
    External {
        station: u32,
        rng: StreamRng,
    },
}

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
    pub(crate) rt: Vec<Runtime>,
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
    pub(crate) scale_log: Vec<super::result::ScaleRecord>,
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
        let mut needs_client = false;
        let mut rt = Vec::with_capacity(sys.components.len());
        for (i, c) in sys.components.iter().enumerate() {
            let id = i as u32;
            let s = |suffix: &str| streams.stream(&format!("{}.{suffix}", c.name));
            rt.push(match &c.kind {
                ComponentKind::Edge(_) => Runtime::Edge {
                    station: add_station(id, None, None),
                    rng: s("edge"),
                    hits: 0,
                    misses: 0,
                    tick: (0, 0),
                },
                ComponentKind::Service(svc) => {
                    if svc.balancer.policy == crate::input::model::BalancePolicy::IpHash {
                        needs_client = true;
                    }
                    let replicas = (0..svc.replicas)
                        .map(|i| Replica::new(svc, i % svc.zones.max(1), 0))
                        .collect();
                    let mut ready = Level::default();
                    ready.set(0, svc.replicas as u64);
                    Runtime::Service(Box::new(ServiceRt {
                        replicas,
                        balancer: Balancer::new(&svc.balancer, svc.replicas),
                        ready,
                        cpu_rng: s("cpu"),
                        lb_rng: s("balancer"),
                        call_rng: s("calls"),
                        startup_rng: s("startup"),
                        memory_max_mib: svc.memory_base_mib,
                        spec: svc.replicas,
                        starting: Level::default(),
                        controller: svc.autoscale.as_ref().map(|p| p.build()),
                        zones_down: vec![false; svc.zones.max(1) as usize],
                        next_zone: svc.replicas,
                        last_reconcile_ns: 0,
                        node_free: svc.nodes.as_ref().map_or(0, |(per, _)| {
                            svc.replicas.div_ceil(*per) * per - svc.replicas
                        }),
                        nodes_coming: Vec::new(),
                        nodes: svc
                            .nodes
                            .as_ref()
                            .map_or(0, |(per, _)| svc.replicas.div_ceil(*per)),
                        node_rng: s("nodes"),
                        spot_rng: s("spot"),
                    }))
                }
                ComponentKind::Cache(k) => Runtime::Cache {
                    station: add_station(id, k.concurrency, None),
                    rng: s("cache"),
                    hits: 0,
                    misses: 0,
                    tick: (0, 0),
                    flushed: None,
                    failed_until_ns: 0,
                },
                ComponentKind::Pool(p) => Runtime::Pool(Box::new(PoolState::new(p.clone()))),
                ComponentKind::Database(d) => {
                    let primary = add_station(id, Some(d.concurrency), d.queue_limit);
                    for _ in 0..d.read_replicas {
                        add_station(id, Some(d.concurrency), d.queue_limit);
                    }
                    Runtime::Database {
                        primary,
                        replicas: d.read_replicas,
                        rr: 0,
                        rng: s("query"),
                    }
                }
                ComponentKind::Queue(qc) => Runtime::Queue(Box::new(QueueRt {
                    enqueue_station: add_station(id, None, None),
                    slots: qc.workers.saturating_mul(qc.concurrency),
                    busy: Level::default(),
                    depth: Level::default(),
                    waiting: VecDeque::new(),
                    work_rng: s("work"),
                    call_rng: s("calls"),
                    enqueued: 0,
                    completed: 0,
                    completed_tick: 0,
                    failed: 0,
                    latency: LatencyHistogram::default(),
                })),
                ComponentKind::External(x) => Runtime::External {
                    station: add_station(id, x.concurrency, x.queue_limit),
                    rng: s("latency"),
                },
            });
        }
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
        let tick = super::observe::TickState::new(sys, sc);
        Simulation {
            sys,
            sc,
            q: EventQueue::with_capacity(1024),
            reqs: Arena::default(),
            rt,
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
            class_latency: (0..n_classes)
                .map(|_| LatencyHistogram::default())
                .collect(),
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
    pub fn run_with_progress(mut self, progress: Option<&dyn Fn(u64)>) -> RunResult {
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
        self.finish()
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
