//! Autoscaling: controllers from `capsim-autoscale` reconcile on their own
//! clock; their decisions become fleet verbs (`scale_to`), which start
//! replicas (startup + warm-up + readiness probe, reference §6) or drain
//! them (no new requests, in-flight ones finish within a grace period).

use super::event::Event;
use super::part::Part;
use super::Simulation;
use crate::input::model::CompId;
use crate::metrics::result::ScaleRecord;

impl Simulation<'_> {
    /// First reconciles and the schedule changes of every autoscaler.
    pub(crate) fn start_scaling(&mut self) {
        for comp in 0..self.sys.components.len() as CompId {
            let Part::Service(svc) = &mut self.parts[comp as usize] else {
                continue;
            };
            let Some(policy) = &svc.cfg.autoscale else {
                continue;
            };
            svc.fleet.reset_ready();
            let desired = svc.fleet.desired();
            let Some(ctrl) = svc.controller.as_mut() else {
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
                    desired,
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
        let (start_epoch_s, end_ns) = (self.sc.start_epoch_s, self.end_ns);
        let Simulation { parts, q, .. } = self;
        let Part::Service(svc) = &mut parts[comp as usize] else {
            Self::part_kind_error(comp, "service")
        };
        let policy = svc
            .cfg
            .autoscale
            .as_ref()
            .expect("schedule changes come from an autoscale policy");
        let changes =
            capsim_autoscale::schedule::changes(&policy.schedule, start_epoch_s, 0, end_ns);
        let ch = changes
            .get(index as usize)
            .expect("the event indexes the same list of changes");
        let ctrl = svc
            .controller
            .as_mut()
            .expect("a policy builds a controller");
        let current = svc.fleet.desired();
        let (_, base_max) = policy.bounds();
        let target =
            capsim_autoscale::schedule::apply(ctrl.as_mut(), ch.min, ch.max, base_max, current);
        let (min, max) = ctrl.bounds();
        let ready_at = svc.fleet.scale_to(now, target, q);
        self.scale_log.push(ScaleRecord {
            time_s: now as f64 / 1e9,
            component: self.sys.components[comp as usize].name.clone(),
            current,
            proposal: target,
            desired: target,
            reason: format!("schedule: bounds now [{min}, {max}]"),
            metrics: Vec::new(),
            ready_s: ready_at.map(|t| t as f64 / 1e9),
        });
    }

    /// One reconcile: observe, decide, act, record.
    pub(crate) fn on_scaler_tick(&mut self, comp: CompId) {
        let now = self.now();
        let external = self.external_metrics();
        let end_ns = self.end_ns;
        let Simulation { parts, q, .. } = self;
        let Part::Service(svc) = &mut parts[comp as usize] else {
            Self::part_kind_error(comp, "service")
        };
        let obs = svc.fleet.observe(now, svc.last_reconcile_ns, external);
        let ctrl = svc
            .controller
            .as_mut()
            .expect("scaler ticks come from a controller");
        let d = ctrl.reconcile(&obs);
        let next = ctrl.next_tick_ns(now);
        svc.last_reconcile_ns = now;
        svc.fleet.mark_reconciled(now);
        let ready_at = if d.desired != svc.fleet.desired() {
            svc.fleet.scale_to(now, d.desired, q)
        } else {
            None
        };
        crate::metrics::recording::note_peaks(&mut self.scale_peaks[comp as usize], &d.metrics);
        if ready_at.is_none() && d.desired == d.current {
            // A no-op: counted, not logged, so the log grows with changes.
            self.scale_noops += 1;
        } else {
            self.log_decision(comp, now, d, ready_at);
        }
        if next > now && next <= end_ns {
            self.at(next, Event::ScalerTick { comp });
        }
    }

    fn log_decision(
        &mut self,
        comp: CompId,
        now: u64,
        d: capsim_autoscale::Decision,
        ready_at: Option<u64>,
    ) {
        self.scale_log.push(ScaleRecord {
            time_s: now as f64 / 1e9,
            component: self.sys.components[comp as usize].name.clone(),
            current: d.current,
            proposal: d.proposal,
            desired: d.desired,
            reason: d.reason,
            metrics: d.metrics,
            ready_s: ready_at.map(|t| t as f64 / 1e9),
        });
    }

    /// `queue_depth` (jobs waiting, all queues), `p95_latency_ms` (last
    /// reporting interval), `pool_utilization` (highest over pools), and the
    /// same per component as `<name>.depth` / `<name>.utilization`.
    fn external_metrics(&self) -> Vec<(String, Option<f64>)> {
        let mut out = Vec::new();
        let mut depth = 0.0;
        let mut pool_util: Option<f64> = None;
        for (c, part) in self.sys.components.iter().zip(&self.parts) {
            let name = &c.name;
            match part {
                Part::Queue(q) => {
                    depth += q.depth() as f64;
                    out.push((format!("{name}.depth"), Some(q.depth() as f64)));
                }
                Part::Pool(p) => {
                    let u = p.utilization_now();
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

    pub(crate) fn on_replica_ready(&mut self, comp: CompId, replica: u32) {
        let now = self.now();
        self.service(comp).fleet.on_ready(now, replica);
    }

    /// The grace period is over: whatever is still on the replica is cut.
    pub(crate) fn on_drain_deadline(&mut self, comp: CompId, replica: u32) {
        if self.service(comp).fleet.still_draining(replica) {
            self.terminate(comp, replica);
        }
    }
}
