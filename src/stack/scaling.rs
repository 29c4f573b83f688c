//! Replica lifecycle and autoscaling: controllers from `capsim-autoscale`
//! reconcile on their own clock; the stack turns their decisions into
//! replicas that start (startup + warm-up + readiness probe, reference §6)
//! or drain (no new requests, in-flight ones finish within a grace period).

use super::event::Event;
use super::request::Frame;
use super::result::{ErrorKind, ScaleRecord};
use super::sim::{Replica, ReplicaState, Runtime, ServiceRt, Simulation};
use crate::input::model::{CompId, ComponentKind, Service};
use crate::metrics::Mark;
use capsim_autoscale::{Observation, PodPhase, PodSample};

const MIB: f64 = 1024.0 * 1024.0;

impl Simulation<'_> {
    fn svc_parts(&mut self, comp: CompId) -> Option<(&Service, &mut ServiceRt)> {
        match (
            &self.sys.components[comp as usize].kind,
            &mut self.rt[comp as usize],
        ) {
            (ComponentKind::Service(cfg), Runtime::Service(rt)) => Some((cfg, rt)),
            _ => None,
        }
    }

    /// First reconciles and the schedule changes of every autoscaler.
    pub(crate) fn start_scaling(&mut self) {
        for comp in 0..self.sys.components.len() as CompId {
            let sys = self.sys;
            let ComponentKind::Service(cfg) = &sys.components[comp as usize].kind else {
                continue;
            };
            let Some(policy) = &cfg.autoscale else {
                continue;
            };
            let Runtime::Service(rt) = &mut self.rt[comp as usize] else {
                continue;
            };
            rt.ready.set(0, rt.replicas.len() as u64);
            let Some(ctrl) = rt.controller.as_mut() else {
                continue;
            };
            // Bounds in force at the start (the latest rule before it).
            if let Some(rule) = capsim_autoscale::schedule::in_force_at_start(
                &policy.schedule,
                self.sc.start_epoch_s,
            ) {
                let (_, base_max) = policy.bounds();
                let _ = capsim_autoscale::schedule::apply(
                    ctrl.as_mut(),
                    rule.min,
                    rule.max,
                    base_max,
                    rt.spec,
                );
            }
            let first = ctrl.first_tick_ns();
            self.at(first, Event::ScalerTick { comp });
            let changes = capsim_autoscale::schedule::changes(
                &policy.schedule,
                self.sc.start_epoch_s,
                0,
                self.end_ns,
            );
            for (i, ch) in changes.iter().enumerate() {
                self.at(
                    ch.at_ns,
                    Event::ScheduleChange {
                        comp,
                        index: i as u32,
                    },
                );
            }
        }
    }

    pub(crate) fn on_schedule_change(&mut self, comp: CompId, index: u32) {
        let now = self.now();
        let sys = self.sys;
        let ComponentKind::Service(cfg) = &sys.components[comp as usize].kind else {
            return;
        };
        let Some(policy) = &cfg.autoscale else { return };
        let changes = capsim_autoscale::schedule::changes(
            &policy.schedule,
            self.sc.start_epoch_s,
            0,
            self.end_ns,
        );
        let Some(ch) = changes.get(index as usize) else {
            return;
        };
        let Runtime::Service(rt) = &mut self.rt[comp as usize] else {
            return;
        };
        let Some(ctrl) = rt.controller.as_mut() else {
            return;
        };
        let current = rt.spec;
        let (_, base_max) = policy.bounds();
        let target =
            capsim_autoscale::schedule::apply(ctrl.as_mut(), ch.min, ch.max, base_max, current);
        let (min, max) = ctrl.bounds();
        let ready_at = self.scale_to(comp, target);
        self.scale_log.push(ScaleRecord {
            time_s: now as f64 / 1e9,
            component: sys.components[comp as usize].name.clone(),
            current,
            proposal: target,
            desired: target,
            reason: format!("schedule: bounds now [{min}, {max}]"),
            metrics: String::new(),
            ready_s: ready_at.map(|t| t as f64 / 1e9),
        });
    }

    /// One reconcile: observe, decide, act, record.
    pub(crate) fn on_scaler_tick(&mut self, comp: CompId) {
        let now = self.now();
        let obs = self.observe(comp, now);
        let Some((_, rt)) = self.svc_parts(comp) else {
            return;
        };
        let Some(ctrl) = rt.controller.as_mut() else {
            return;
        };
        let d = ctrl.reconcile(&obs);
        let next = ctrl.next_tick_ns(now);
        rt.last_reconcile_ns = now;
        for r in &mut rt.replicas {
            r.busy_millicores.mark(Mark::Scaler, now);
            r.in_flight.mark(Mark::Scaler, now);
            r.served_mark = r.served;
        }
        let ready_at = if d.desired != rt.spec {
            self.scale_to(comp, d.desired)
        } else {
            None
        };
        let metrics = d
            .metrics
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::report::csv_out::fmt_num(*v)))
            .collect::<Vec<_>>()
            .join(";");
        self.scale_log.push(ScaleRecord {
            time_s: now as f64 / 1e9,
            component: self.sys.components[comp as usize].name.clone(),
            current: d.current,
            proposal: d.proposal,
            desired: d.desired,
            reason: d.reason,
            metrics,
            ready_s: ready_at.map(|t| t as f64 / 1e9),
        });
        if next > now && next <= self.end_ns {
            self.at(next, Event::ScalerTick { comp });
        }
    }

    /// What a controller sees: pods with their phase, readiness and usage
    /// since the last reconcile, and the external metrics.
    fn observe(&self, comp: CompId, now: u64) -> Observation {
        let (ComponentKind::Service(cfg), Runtime::Service(rt)) = (
            &self.sys.components[comp as usize].kind,
            &self.rt[comp as usize],
        ) else {
            return Observation {
                now_ns: now,
                spec_replicas: 0,
                pods: Vec::new(),
                external: Vec::new(),
            };
        };
        let mut pods = Vec::with_capacity(rt.replicas.len());
        for r in &rt.replicas {
            let phase = match r.state {
                ReplicaState::Stopped => continue,
                ReplicaState::Draining => PodPhase::Terminating,
                ReplicaState::Starting if now < r.started_ns => PodPhase::Pending,
                _ => PodPhase::Running,
            };
            // Usage since the last reconcile, over the part of it the pod lived.
            let since = now.saturating_sub(r.started_ns.max(rt.last_reconcile_ns));
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
            spec_replicas: rt.spec,
            pods,
            external: self.external_metrics(),
        }
    }

    /// `queue_depth` (jobs waiting, all queues), `p95_latency_ms` (last
    /// reporting interval), `pool_utilization` (highest over pools), and the
    /// same per component as `<name>.depth` / `<name>.utilization`.
    fn external_metrics(&self) -> Vec<(String, Option<f64>)> {
        let mut out = Vec::new();
        let mut depth = 0.0;
        let mut pool_util: Option<f64> = None;
        for (i, rt) in self.rt.iter().enumerate() {
            let name = &self.sys.components[i].name;
            match rt {
                Runtime::Queue(q) => {
                    depth += q.depth.value() as f64;
                    out.push((format!("{name}.depth"), Some(q.depth.value() as f64)));
                }
                Runtime::Pool(p) => {
                    let u = p.in_use.value() as f64 / p.cfg.size.max(1) as f64;
                    pool_util = Some(pool_util.map_or(u, |x: f64| x.max(u)));
                    out.push((format!("{name}.utilization"), Some(u)));
                }
                _ => {}
            }
        }
        out.push(("queue_depth".into(), Some(depth)));
        out.push(("p95_latency_ms".into(), self.tick.last_p95_ms));
        out.push(("pool_utilization".into(), pool_util));
        out
    }

    /// Moves the service toward `desired` replicas. Returns when the last
    /// new replica will be ready (scale-up), if any.
    pub(crate) fn scale_to(&mut self, comp: CompId, desired: u32) -> Option<u64> {
        let (_, rt) = self.svc_parts(comp)?;
        let current = rt.spec;
        rt.spec = desired;
        let mut ready = None;
        if desired > current {
            for _ in current..desired {
                let t = self.add_replica(comp);
                ready = Some(ready.map_or(t, |r: u64| r.max(t)));
            }
        } else {
            for _ in desired..current {
                self.remove_replica(comp);
            }
        }
        ready
    }

    /// A new replica starts: startup, warm-up, then the readiness probe.
    fn add_replica(&mut self, comp: CompId) -> u64 {
        let now = self.now();
        let Some((cfg, rt)) = self.svc_parts(comp) else {
            return now;
        };
        let p = &cfg.provisioning;
        // A pod needs a node slot: a free one now, one on a node already
        // coming, or a new node (cluster autoscaler) after its provisioning.
        let scheduled = match &cfg.nodes {
            None => now,
            Some((per, provision)) => {
                if rt.node_free > 0 {
                    rt.node_free -= 1;
                    now
                } else if let Some(slot) = rt.nodes_coming.iter_mut().find(|n| n.1 > 0) {
                    slot.1 -= 1;
                    slot.0.max(now)
                } else {
                    let at = now.saturating_add(provision.sample(&mut rt.node_rng));
                    rt.nodes_coming.push((at, per - 1));
                    rt.nodes += 1;
                    at
                }
            }
        };
        let startup = p.startup.sample(&mut rt.startup_rng);
        let warmup = p.warmup.sample(&mut rt.startup_rng);
        let ready_at = p.ready_at(scheduled, startup, warmup);
        let zones = rt.zones_down.len() as u32;
        let mut zone = rt.next_zone % zones;
        for _ in 0..zones {
            if !rt.zones_down[zone as usize] {
                break;
            }
            zone = (zone + 1) % zones;
        }
        rt.next_zone = zone + 1;
        let mut r = Replica::new(cfg, zone, now);
        r.state = ReplicaState::Starting;
        r.started_ns = scheduled.saturating_add(startup);
        r.ready_ns = None;
        rt.replicas.push(r);
        let idx = rt.replicas.len() - 1;
        rt.balancer.add_peer(
            idx as u32,
            cfg.balancer.weights.get(idx).copied().unwrap_or(1),
        );
        rt.starting.incr(now);
        self.at(
            ready_at,
            Event::ReplicaReady {
                comp,
                replica: idx as u32,
            },
        );
        ready_at
    }

    pub(crate) fn on_replica_ready(&mut self, comp: CompId, replica: u32) {
        let now = self.now();
        let Some((_, rt)) = self.svc_parts(comp) else {
            return;
        };
        let r = &mut rt.replicas[replica as usize];
        if r.state != ReplicaState::Starting {
            return;
        }
        r.state = ReplicaState::Ready;
        r.ready_ns = Some(now);
        rt.balancer.set_up(replica as usize, true);
        rt.starting.decr(now);
        rt.ready.incr(now);
    }

    /// Scale-in: starting replicas go first (newest first), then the
    /// newest ready one; it drains.
    fn remove_replica(&mut self, comp: CompId) {
        let now = self.now();
        let Some((cfg, rt)) = self.svc_parts(comp) else {
            return;
        };
        let grace = cfg.provisioning.drain_grace_ns;
        let pick = (0..rt.replicas.len())
            .rev()
            .find(|&i| rt.replicas[i].state == ReplicaState::Starting)
            .or_else(|| {
                (0..rt.replicas.len())
                    .rev()
                    .find(|&i| rt.replicas[i].state == ReplicaState::Ready)
            });
        let Some(i) = pick else { return };
        let was = rt.replicas[i].state;
        rt.balancer.set_up(i, false);
        match was {
            ReplicaState::Starting => {
                rt.starting.decr(now);
                rt.replicas[i].state = ReplicaState::Stopped;
                rt.replicas[i].stopped_ns = Some(now);
                rt.balancer.remove_peer(i);
                rt.node_free += 1;
            }
            _ => {
                rt.ready.decr(now);
                rt.replicas[i].state = ReplicaState::Draining;
                self.at(
                    now.saturating_add(grace),
                    Event::DrainDeadline {
                        comp,
                        replica: i as u32,
                    },
                );
                self.stop_if_drained(comp, i);
            }
        }
    }

    /// A draining replica with nothing in flight stops.
    pub(crate) fn stop_if_drained(&mut self, comp: CompId, i: usize) {
        let now = self.now();
        let Some((_, rt)) = self.svc_parts(comp) else {
            return;
        };
        let r = &mut rt.replicas[i];
        if r.state == ReplicaState::Draining && r.in_flight.value() == 0 && r.accept_q.is_empty() {
            r.state = ReplicaState::Stopped;
            r.stopped_ns = Some(now);
            rt.balancer.remove_peer(i);
            rt.node_free += 1;
        }
    }

    /// The grace period is over: whatever is still on the replica is cut.
    pub(crate) fn on_drain_deadline(&mut self, comp: CompId, replica: u32) {
        let Some((_, rt)) = self.svc_parts(comp) else {
            return;
        };
        if rt.replicas[replica as usize].state != ReplicaState::Draining {
            return;
        }
        self.terminate(comp, replica);
    }

    /// The replica dies now: queued requests fail, in-flight ones fail for
    /// their clients (their leftover work drains silently).
    pub(crate) fn terminate(&mut self, comp: CompId, replica: u32) {
        let now = self.now();
        let Some((_, rt)) = self.svc_parts(comp) else {
            return;
        };
        let r = &mut rt.replicas[replica as usize];
        match r.state {
            ReplicaState::Ready => rt.ready.decr(now),
            ReplicaState::Starting => rt.starting.decr(now),
            _ => {}
        }
        if r.state != ReplicaState::Stopped {
            rt.node_free += 1;
            r.stopped_ns = Some(now);
        }
        r.state = ReplicaState::Stopped;
        rt.balancer.remove_peer(replica as usize);
        let queued: Vec<_> = r.accept_q.drain(..).collect();
        r.queued.set(now, r.cpu.queued() as u64);
        for id in queued {
            // Queued requests never took a slot: drop their service frame
            // without releasing one, then fail the rest.
            let req = self.reqs.get_mut(id);
            if let Some(Frame::Service { conn_released, .. }) = req.stack.pop() {
                if !conn_released {
                    if let Runtime::Service(rt) = &mut self.rt[comp as usize] {
                        rt.balancer.disconnect(replica as usize);
                    }
                }
            }
            self.fail(id, ErrorKind::Unavailable, comp);
        }
        for id in self.reqs.on_replica(comp, replica) {
            let depth = self
                .reqs
                .get(id)
                .stack
                .iter()
                .position(|f| matches!(f, Frame::Service { comp: c, replica: r, .. } if *c == comp && *r == replica));
            if let Some(d) = depth {
                self.cut_at(id, d, comp, replica as usize, ErrorKind::Unavailable);
            }
        }
    }

    /// The client of request `id` loses the visit at stack depth `d`: its
    /// callers unwind now and it lives on as an orphan until its work ends.
    pub(crate) fn cut_at(
        &mut self,
        id: super::request::ReqId,
        d: usize,
        comp: CompId,
        replica: usize,
        kind: ErrorKind,
    ) {
        if let Some(Frame::Service { conn_released, .. }) = self.reqs.get_mut(id).stack.get_mut(d) {
            if !*conn_released {
                *conn_released = true;
                if let Runtime::Service(rt) = &mut self.rt[comp as usize] {
                    rt.balancer.disconnect(replica);
                }
            }
        }
        let below: Vec<Frame> = self.reqs.get_mut(id).stack.drain(..d).collect();
        for f in below.into_iter().rev() {
            self.release_frame(id, f, false);
        }
        self.client_error(id, kind, comp);
    }
}
