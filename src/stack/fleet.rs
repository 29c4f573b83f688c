//! The fleet of one service: its replicas and their life (Starting → Ready
//! → Draining → Stopped), the desired count, nodes, zones and balancer
//! membership. It is the only owner of that state: the autoscaler, chaos
//! and regions change a fleet through its verbs ([`Fleet::scale_to`],
//! [`Fleet::kill`], [`Fleet::replace`], [`Fleet::admit`], ...), never by
//! writing its fields, so "how many replicas, in which state" has one
//! answer in one file.
//!
//! The verbs schedule their own lifecycle events (readiness, drain
//! deadline) on the queue they are handed, in the order the handlers
//! always did, so results do not move. What needs the requests (failing a
//! killed replica's queue, cutting its in-flight visits) is returned to the
//! request router, which alone touches frame stacks.

use super::balancer::Balancer;
use super::cpu::Cpu;
use super::event::Event;
use super::request::ReqId;
use super::Queue;
use crate::input::model::{CompId, Scheduling, Service};
use crate::metrics::result::ErrorKind;
use crate::metrics::{Level, Mark};
use capsim_autoscale::{Observation, PodPhase, PodSample};
use capsim_des::{SimTime, StreamRng};
use std::collections::VecDeque;

const MIB: f64 = 1024.0 * 1024.0;

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

/// One replica. Its lifecycle fields are private to the fleet; the work it
/// does (slots, CPU, queues) is open to the service part that runs it.
pub(crate) struct Replica {
    state: ReplicaState,
    zone: u32,
    /// When it was created (billing starts), and when it stopped.
    created_ns: u64,
    stopped_ns: Option<u64>,
    /// When its container started, and when it became ready.
    started_ns: u64,
    ready_ns: Option<u64>,
    /// Requests completed, and the count at the last autoscaler reconcile.
    pub served: u64,
    served_mark: u64,
    pub cpu: Cpu,
    /// Slots in use (requests admitted past the accept queue).
    pub in_flight: Level,
    pub busy_millicores: Level,
    /// Requests waiting: accept queue plus core queue.
    pub queued: Level,
    pub accept_q: VecDeque<ReqId>,
}

impl Replica {
    fn new(cfg: &Service, zone: u32, decided_ns: u64) -> Self {
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

/// What [`Fleet::kill`] leaves for the router: requests that were waiting
/// in the accept queue (they never took a slot) and must fail.
pub(crate) struct Killed {
    pub queued: Vec<ReqId>,
}

pub(crate) struct Fleet<'a> {
    cfg: &'a Service,
    comp: CompId,
    replicas: Vec<Replica>,
    balancer: Balancer,
    ready: Level,
    starting: Level,
    /// The replica count the controller (or the user) asks for.
    desired: u32,
    /// Zones currently down (zone outage events).
    zones_down: Vec<bool>,
    next_zone: u32,
    /// Free pod slots on ready nodes, and nodes being provisioned as
    /// (ready time, free slots); unused when nodes are not modelled.
    node_free: u32,
    nodes_coming: Vec<(u64, u32)>,
    lb_rng: StreamRng,
    startup_rng: StreamRng,
    node_rng: StreamRng,
    spot_rng: StreamRng,
}

impl<'a> Fleet<'a> {
    /// The initial replicas, all ready at time 0.
    pub fn new(cfg: &'a Service, comp: CompId, stream: impl Fn(&str) -> StreamRng) -> Self {
        let replicas = (0..cfg.replicas)
            .map(|i| Replica::new(cfg, i % cfg.zones.max(1), 0))
            .collect();
        let mut ready = Level::default();
        ready.set(0, cfg.replicas as u64);
        Fleet {
            cfg,
            comp,
            replicas,
            balancer: Balancer::new(&cfg.balancer, cfg.replicas),
            ready,
            starting: Level::default(),
            desired: cfg.replicas,
            zones_down: vec![false; cfg.zones.max(1) as usize],
            next_zone: cfg.replicas,
            node_free: cfg.nodes.as_ref().map_or(0, |(per, _)| {
                cfg.replicas.div_ceil(*per) * per - cfg.replicas
            }),
            nodes_coming: Vec::new(),
            lb_rng: stream("balancer"),
            startup_rng: stream("startup"),
            node_rng: stream("nodes"),
            spot_rng: stream("spot"),
        }
    }

    // ----- reading -----

    pub fn desired(&self) -> u32 {
        self.desired
    }

    pub fn replicas(&self) -> &[Replica] {
        &self.replicas
    }

    /// The work side of replica `r` (slots, CPU, queues).
    pub fn replica_mut(&mut self, r: usize) -> &mut Replica {
        &mut self.replicas[r]
    }

    pub fn ready(&self) -> &Level {
        &self.ready
    }

    pub fn starting(&self) -> &Level {
        &self.starting
    }

    /// Replicas in `Ready`, in creation order.
    pub fn ready_ids(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.replicas.len() as u32)
            .filter(|&r| self.replicas[r as usize].state == ReplicaState::Ready)
    }

    /// Replicas not yet stopped, in creation order.
    pub fn live_ids(&self) -> Vec<u32> {
        (0..self.replicas.len() as u32)
            .filter(|&r| self.replicas[r as usize].state != ReplicaState::Stopped)
            .collect()
    }

    /// Each replica's `[created, stopped)` in ns, clipped to `end`.
    pub fn lifetimes(&self, end: u64) -> Vec<(u64, u64)> {
        self.replicas
            .iter()
            .map(|r| (r.created_ns.min(end), r.stopped_ns.unwrap_or(end).min(end)))
            .collect()
    }

    /// Marks every level of the fleet (a reporting interval, the warm-up).
    pub fn mark(&mut self, which: Mark, now: u64) {
        self.ready.mark(which, now);
        for r in &mut self.replicas {
            r.in_flight.mark(which, now);
            r.busy_millicores.mark(which, now);
            r.queued.mark(which, now);
        }
    }

    // ----- requests -----

    /// Picks a replica for a new request and admits it: a slot now
    /// (`true`), or a place in the accept queue (`false`). A full accept
    /// queue refuses the connection and nginx tries the next peer
    /// (`proxy_next_upstream error`), up to `tries`. The replicas refused
    /// are left in `tried`.
    pub fn admit(
        &mut self,
        now: u64,
        client: u32,
        tried: &mut Vec<u32>,
    ) -> Result<(usize, bool), ErrorKind> {
        let max_tries = if self.balancer.tries == 0 {
            self.balancer.len()
        } else {
            self.balancer.tries as usize
        };
        let mut failure = ErrorKind::Unavailable;
        while tried.len() < max_tries {
            let Some(r) = self.balancer.pick(now, &mut self.lb_rng, client, tried) else {
                break;
            };
            let rep = &self.replicas[r];
            let has_slot = rep.in_flight.value() < self.cfg.concurrency as u64;
            let queue_ok = match self.cfg.accept_queue {
                None => true,
                Some(bound) => rep.accept_q.len() < bound as usize,
            };
            if has_slot || queue_ok {
                self.balancer.connect(r);
                return Ok((r, has_slot));
            }
            self.balancer.on_failure(r, now);
            tried.push(r as u32);
            failure = ErrorKind::Refused;
        }
        Err(failure)
    }

    /// The balancer forgets a connection to `r` (answered, cut or dropped).
    pub fn disconnect(&mut self, r: usize) {
        self.balancer.disconnect(r);
    }

    /// A request to `r` failed as nginx counts failures (timeout, refusal).
    pub fn peer_failed(&mut self, r: usize, now: u64) {
        self.balancer.on_failure(r, now);
    }

    /// The request on replica `r` gives its slot back. Returns the next
    /// request of the accept queue, which takes the slot; with none, a
    /// draining replica that is now idle stops.
    pub fn release(
        &mut self,
        now: u64,
        r: usize,
        conn_released: bool,
        success: bool,
    ) -> Option<ReqId> {
        if !conn_released {
            self.balancer.disconnect(r);
            if success {
                self.balancer.on_success(r);
            }
        }
        let rep = &mut self.replicas[r];
        rep.in_flight.decr(now);
        if success {
            rep.served += 1;
        }
        if let Some(next) = rep.accept_q.pop_front() {
            rep.queued.decr(now);
            Some(next)
        } else {
            self.stop_if_drained(now, r);
            None
        }
    }

    // ----- the replica count -----

    /// Moves the fleet toward `desired` replicas. Returns when the last new
    /// replica will be ready (scale-up), if any.
    pub fn scale_to(&mut self, now: u64, desired: u32, q: &mut Queue) -> Option<u64> {
        let current = self.desired;
        self.desired = desired;
        let mut ready = None;
        if desired > current {
            for _ in current..desired {
                let t = self.add_replica(now, q);
                ready = Some(ready.map_or(t, |r: u64| r.max(t)));
            }
        } else {
            for _ in desired..current {
                self.remove_replica(now, q);
            }
        }
        ready
    }

    /// `lost` replicas died (killed, or their region failed): the
    /// ReplicaSet controller starts replacements through the normal
    /// startup path, since the desired count is unchanged.
    pub fn replace(&mut self, now: u64, lost: u32, q: &mut Queue) -> Option<u64> {
        let desired = self.desired;
        self.desired = desired.saturating_sub(lost);
        self.scale_to(now, desired, q)
    }

    /// A new replica starts: startup, warm-up, then the readiness probe.
    fn add_replica(&mut self, now: u64, q: &mut Queue) -> u64 {
        let cfg = self.cfg;
        let p = &cfg.provisioning;
        // A pod needs a node slot: a free one now, one on a node already
        // coming, or a new node (cluster autoscaler) after its provisioning.
        let scheduled = match &cfg.nodes {
            None => now,
            Some((per, provision)) => {
                if self.node_free > 0 {
                    self.node_free -= 1;
                    now
                } else if let Some(slot) = self.nodes_coming.iter_mut().find(|n| n.1 > 0) {
                    slot.1 -= 1;
                    slot.0.max(now)
                } else {
                    let at = now.saturating_add(provision.sample(&mut self.node_rng));
                    self.nodes_coming.push((at, per - 1));
                    at
                }
            }
        };
        let startup = p.startup.sample(&mut self.startup_rng);
        let warmup = p.warmup.sample(&mut self.startup_rng);
        let ready_at = p.ready_at(scheduled, startup, warmup);
        let zones = self.zones_down.len() as u32;
        let mut zone = self.next_zone % zones;
        for _ in 0..zones {
            if !self.zones_down[zone as usize] {
                break;
            }
            zone = (zone + 1) % zones;
        }
        self.next_zone = zone + 1;
        let mut r = Replica::new(cfg, zone, now);
        r.state = ReplicaState::Starting;
        r.started_ns = scheduled.saturating_add(startup);
        r.ready_ns = None;
        self.replicas.push(r);
        let idx = self.replicas.len() - 1;
        self.balancer.add_peer(
            idx as u32,
            cfg.balancer.weights.get(idx).copied().unwrap_or(1),
        );
        self.starting.incr(now);
        q.schedule(
            SimTime(ready_at),
            Event::ReplicaReady {
                comp: self.comp,
                replica: idx as u32,
            },
        );
        ready_at
    }

    /// A starting replica passed its readiness probe and joins the balancer
    /// (a replica stopped meanwhile stays stopped).
    pub fn on_ready(&mut self, now: u64, replica: u32) {
        let r = &mut self.replicas[replica as usize];
        if r.state != ReplicaState::Starting {
            return;
        }
        r.state = ReplicaState::Ready;
        r.ready_ns = Some(now);
        self.balancer.set_up(replica as usize, true);
        self.starting.decr(now);
        self.ready.incr(now);
    }

    /// Scale-in: starting replicas go first (newest first), then the
    /// newest ready one; it drains.
    fn remove_replica(&mut self, now: u64, q: &mut Queue) {
        let grace = self.cfg.provisioning.drain_grace_ns;
        let n = self.replicas.len();
        let pick = (0..n)
            .rev()
            .find(|&i| self.replicas[i].state == ReplicaState::Starting)
            .or_else(|| {
                (0..n)
                    .rev()
                    .find(|&i| self.replicas[i].state == ReplicaState::Ready)
            });
        let Some(i) = pick else { return };
        let was = self.replicas[i].state;
        self.balancer.set_up(i, false);
        match was {
            ReplicaState::Starting => {
                self.starting.decr(now);
                self.replicas[i].state = ReplicaState::Stopped;
                self.replicas[i].stopped_ns = Some(now);
                self.balancer.remove_peer(i);
                self.node_free += 1;
            }
            _ => {
                self.ready.decr(now);
                self.replicas[i].state = ReplicaState::Draining;
                q.schedule(
                    SimTime(now.saturating_add(grace)),
                    Event::DrainDeadline {
                        comp: self.comp,
                        replica: i as u32,
                    },
                );
                self.stop_if_drained(now, i);
            }
        }
    }

    /// A draining replica with nothing in flight stops.
    fn stop_if_drained(&mut self, now: u64, i: usize) {
        let r = &mut self.replicas[i];
        if r.state == ReplicaState::Draining && r.in_flight.value() == 0 && r.accept_q.is_empty() {
            r.state = ReplicaState::Stopped;
            r.stopped_ns = Some(now);
            self.balancer.remove_peer(i);
            self.node_free += 1;
        }
    }

    /// Whether the drain deadline of `replica` still finds it draining
    /// (then whatever is left on it is cut).
    pub fn still_draining(&self, replica: u32) -> bool {
        self.replicas[replica as usize].state == ReplicaState::Draining
    }

    /// The replica dies now. Returns its accept queue (to fail); the
    /// requests holding its slots are the router's to cut.
    pub fn kill(&mut self, now: u64, replica: u32) -> Killed {
        let r = &mut self.replicas[replica as usize];
        match r.state {
            ReplicaState::Ready => self.ready.decr(now),
            ReplicaState::Starting => self.starting.decr(now),
            _ => {}
        }
        if r.state != ReplicaState::Stopped {
            self.node_free += 1;
            r.stopped_ns = Some(now);
        }
        r.state = ReplicaState::Stopped;
        self.balancer.remove_peer(replica as usize);
        let queued: Vec<_> = r.accept_q.drain(..).collect();
        r.queued.set(now, r.cpu.queued() as u64);
        Killed { queued }
    }

    // ----- zones and failures -----

    /// Zone `zone` (modulo the fleet's zones) goes down or comes back.
    /// Going down returns the replicas in it that are starting or ready.
    pub fn set_zone_down(&mut self, zone: u32, down: bool) -> Vec<u32> {
        let z = zone as usize % self.zones_down.len();
        self.zones_down[z] = down;
        if !down {
            return Vec::new();
        }
        (0..self.replicas.len() as u32)
            .filter(|&r| {
                let rep = &self.replicas[r as usize];
                rep.zone as usize == z
                    && matches!(rep.state, ReplicaState::Ready | ReplicaState::Starting)
            })
            .collect()
    }

    /// A spot interruption's victim: a ready replica drawn uniformly.
    pub fn spot_victim(&mut self) -> Option<u32> {
        let ready: Vec<u32> = self.ready_ids().collect();
        if ready.is_empty() {
            return None;
        }
        let i = rand::Rng::random_range(&mut self.spot_rng, 0..ready.len());
        Some(ready[i])
    }

    /// The gap to the next spot interruption: exponential with rate
    /// (per-replica rate x ready replicas, at least one).
    pub fn spot_gap_ns(&mut self, per_ns: f64) -> f64 {
        let up = self.ready_ids().count().max(1) as f64;
        let e: f64 = rand::Rng::sample(&mut self.spot_rng, rand_distr::Exp1);
        e / (per_ns * up)
    }

    // ----- the autoscaler's view -----

    /// The ready count at the start, as the autoscaler's first reconcile
    /// sees it.
    pub fn reset_ready(&mut self) {
        self.ready.set(0, self.replicas.len() as u64);
    }

    /// What a controller sees: pods with their phase, readiness and usage
    /// since the last reconcile (`since_ns`), and the external metrics.
    pub fn observe(
        &self,
        now: u64,
        since_ns: u64,
        external: Vec<(String, Option<f64>)>,
    ) -> Observation {
        let cfg = self.cfg;
        let mut pods = Vec::with_capacity(self.replicas.len());
        for r in &self.replicas {
            let phase = match r.state {
                ReplicaState::Stopped => continue,
                ReplicaState::Draining => PodPhase::Terminating,
                ReplicaState::Starting if now < r.started_ns => PodPhase::Pending,
                _ => PodPhase::Running,
            };
            // Usage since the last reconcile, over the part of it the pod lived.
            let since = now.saturating_sub(r.started_ns.max(since_ns));
            let span = since.max(1);
            let cpu = (r.busy_millicores.area_since(Mark::Scaler, now) / span as u128) as u64;
            let in_flight = r.in_flight.mean_since(Mark::Scaler, now, span);
            let mem = cfg.memory_base_mib + cfg.memory_per_request_mib * in_flight;
            let rps = (r.served - r.served_mark) as f64 / (span as f64 / 1e9);
            let running = phase == PodPhase::Running;
            pods.push(PodSample {
                phase,
                ready: r.state == ReplicaState::Ready,
                started_ns: r.started_ns,
                ready_transition_ns: r.ready_ns,
                cpu_usage_milli: running.then_some(cpu),
                cpu_request_milli: cfg.cpu_request_milli,
                memory_usage_bytes: running.then_some((mem * MIB) as u64),
                memory_request_bytes: (cfg.memory_request_mib * MIB) as u64,
                pods_metrics: vec![
                    ("rps".into(), running.then_some(rps)),
                    ("in_flight".into(), running.then_some(in_flight)),
                ],
            });
        }
        Observation {
            now_ns: now,
            spec_replicas: self.desired,
            pods,
            external,
        }
    }

    /// A reconcile happened now: usage is measured from here next time.
    pub fn mark_reconciled(&mut self, now: u64) {
        for r in &mut self.replicas {
            r.busy_millicores.mark(Mark::Scaler, now);
            r.in_flight.mark(Mark::Scaler, now);
            r.served_mark = r.served;
        }
    }
}
