//! The request router: how a request moves between parts. It asks the
//! part a request enters for an [`Effect`] and applies it; it is the only
//! code that touches frame stacks (entering, returning to the caller,
//! failing — which releases everything a request holds) and the
//! measurements of requests.
//!
//! Hook points for new mechanisms: [`Simulation::enter_here`] (a request
//! reaches a component), [`Simulation::apply`] (a part's decision),
//! [`Simulation::ret`] (a call returned), [`Simulation::fail`] (a call
//! failed).

mod jobs;
mod pool;
mod service;

use super::event::Event;
use super::part::{each_part, Effect, Part, PartOps, Visit};
use super::request::{Frame, ReqId, ReqKind, NO_VU};
use super::station::Admit;
use super::Simulation;
use crate::input::model::CompId;
use crate::metrics::result::ErrorKind;

impl Simulation<'_> {
    /// The request calls component `comp` (through regions, if any).
    pub(crate) fn enter(&mut self, id: ReqId, comp: CompId) {
        let mut comp = comp;
        if self.route_region(id, &mut comp) {
            return;
        }
        self.enter_here(id, comp);
    }

    /// The request enters `comp` in the region it is in.
    pub(crate) fn enter_here(&mut self, id: ReqId, comp: CompId) {
        let crowded = self.reqs.live() >= self.sc.limits.max_in_flight;
        let now = self.now();
        let req = self.reqs.get_mut(id);
        let mut v = Visit {
            now,
            id,
            gen: req.gen,
            op: req.op,
            client: req.client,
            tried: &mut req.tried,
            crowded,
        };
        let effect = each_part!(&mut self.parts[comp as usize], p => p.enter(&mut v));
        self.apply(id, comp, effect);
    }

    /// Carries out what part `comp` decided about request `id`.
    pub(crate) fn apply(&mut self, id: ReqId, comp: CompId, effect: Effect) {
        match effect {
            Effect::Return => self.ret(id),
            Effect::Call { to, frame } => {
                self.reqs.get_mut(id).stack.push(frame);
                self.enter(id, to);
            }
            Effect::Fail(kind) => self.fail(id, kind, comp),
            Effect::Serve { station, ns } => self.station_arrive(id, station, ns),
            Effect::Slot { replica, has_slot } => self.admitted(id, comp, replica, has_slot),
            Effect::Parked {
                ticket,
                timeout_ns,
                reserve_ns,
            } => self.parked(id, comp, ticket, timeout_ns, reserve_ns),
            Effect::Enqueue => {
                self.spawn_job(id, comp);
                self.ret(id);
            }
        }
    }

    fn station_arrive(&mut self, id: ReqId, st: u32, service_ns: u64) {
        let now = self.now();
        let station = &mut self.stations[st as usize];
        match station.arrive(now, id, service_ns) {
            Admit::Start(d) => self.at(
                now.saturating_add(d),
                Event::StationDone {
                    req: id,
                    station: st,
                },
            ),
            Admit::Queued => self.reqs.get_mut(id).queued_at = self.q.now(),
            Admit::Full => {
                let owner = station.owner;
                self.fail(id, ErrorKind::Rejected, owner)
            }
            Admit::Down => {
                let owner = station.owner;
                self.fail(id, ErrorKind::Unavailable, owner)
            }
        }
    }

    pub(crate) fn on_station_done(&mut self, id: ReqId, st: u32) {
        let now = self.now();
        if let Some((next, d)) = self.stations[st as usize].depart(now) {
            let req = self.reqs.get_mut(next);
            req.wait_ns += now - req.queued_at.as_nanos();
            self.at(
                now.saturating_add(d),
                Event::StationDone {
                    req: next,
                    station: st,
                },
            );
        }
        let comp = self.stations[st as usize].owner;
        let (class, op) = {
            let r = self.reqs.get(id);
            (r.class, r.op)
        };
        let effect = each_part!(&mut self.parts[comp as usize], p => p.served(now, class, op));
        self.apply(id, comp, effect);
    }

    /// The current call returned successfully: resume the caller.
    pub(crate) fn ret(&mut self, id: ReqId) {
        let top = self.reqs.get(id).stack.last().copied();
        match top {
            None => self.complete(id),
            Some(Frame::Service { .. }) | Some(Frame::Job { .. }) => self.continue_calls(id),
            Some(Frame::Hop { from }) => {
                self.reqs.get_mut(id).stack.pop();
                self.hop_back(id, from);
            }
            Some(f @ (Frame::Edge { .. } | Frame::Cache { .. } | Frame::Pool { .. })) => {
                self.reqs.get_mut(id).stack.pop();
                self.release_frame(id, f, true);
                self.ret(id);
            }
        }
    }

    /// Makes the next downstream call of the handler on top of the stack,
    /// or finishes the visit when none is left.
    pub(crate) fn continue_calls(&mut self, id: ReqId) {
        let sys = self.sys;
        loop {
            let (class, top) = {
                let r = self.reqs.get(id);
                (r.class, r.stack.last().copied())
            };
            let (comp, call_idx, reps_left) = match top {
                Some(Frame::Service {
                    comp,
                    call_idx,
                    reps_left,
                    ..
                }) => (comp, call_idx, reps_left),
                Some(Frame::Job {
                    comp,
                    call_idx,
                    reps_left,
                }) => (comp, call_idx, reps_left),
                _ => return,
            };
            let part = &mut self.parts[comp as usize];
            let calls = each_part!(&*part, p => p.calls(class));
            let idx = call_idx as usize;
            if idx >= calls.len() {
                self.finish_visit(id);
                return;
            }
            let call = &calls[idx];
            let (next_idx, next_reps, go) = if reps_left > 0 {
                (call_idx, reps_left - 1, true)
            } else {
                let made = call.probability >= 1.0 || part.call_draw() < call.probability;
                if made && call.count > 0 {
                    (call_idx, call.count - 1, true)
                } else {
                    (call_idx + 1, 0, false)
                }
            };
            // Advance past this call once its repetitions are used up.
            let (store_idx, store_reps) = if go && next_reps == 0 {
                (next_idx + 1, 0)
            } else {
                (next_idx, next_reps)
            };
            let default_op = sys.classes[class as usize].op;
            let req = self.reqs.get_mut(id);
            if let Some(
                Frame::Service {
                    call_idx,
                    reps_left,
                    ..
                }
                | Frame::Job {
                    call_idx,
                    reps_left,
                    ..
                },
            ) = req.stack.last_mut()
            {
                *call_idx = store_idx;
                *reps_left = store_reps;
            }
            if go {
                req.op = call.op.unwrap_or(default_op);
                let to = call.to;
                self.enter(id, to);
                return;
            }
        }
    }

    /// All calls of the frame on top are done.
    fn finish_visit(&mut self, id: ReqId) {
        let top = self.reqs.get_mut(id).stack.pop();
        match top {
            Some(Frame::Service {
                comp,
                replica,
                conn_released,
                ..
            }) => {
                self.release_service_slot(comp, replica as usize, conn_released, true);
                self.ret(id);
            }
            Some(Frame::Job { comp, .. }) => self.job_finished(id, comp),
            // `continue_calls` only finishes the handler frame it read.
            other => unreachable!("finish_visit without a handler frame: {other:?}"),
        }
    }

    /// Releases what a frame holds. `success` tells the balancer.
    pub(crate) fn release_frame(&mut self, _id: ReqId, frame: Frame, success: bool) {
        match frame {
            Frame::Service {
                comp,
                replica,
                conn_released,
                ..
            } => self.release_service_slot(comp, replica as usize, conn_released, success),
            Frame::Job { comp, .. } => {
                self.release_worker(comp);
                self.queue(comp).job_failed();
            }
            Frame::Pool { comp } => self.release_connection(comp),
            Frame::Edge { .. } | Frame::Cache { .. } | Frame::Hop { .. } => {}
        }
    }

    /// The request failed at `comp`: unwind every frame and report it.
    pub(crate) fn fail(&mut self, id: ReqId, kind: ErrorKind, comp: CompId) {
        while let Some(f) = self.reqs.get_mut(id).stack.pop() {
            self.release_frame(id, f, false);
        }
        let r = self.reqs.get(id);
        if r.kind == ReqKind::Request && !r.orphan {
            self.client_error(id, kind, comp);
        }
        self.reqs.release(id);
    }

    /// The client receives an error (the request may live on as an orphan).
    pub(crate) fn client_error(&mut self, id: ReqId, kind: ErrorKind, comp: CompId) {
        let now = self.now();
        let r = self.reqs.get_mut(id);
        if r.orphan {
            return;
        }
        r.orphan = true;
        let (measured, class, vu, is_req) = (
            r.measured,
            r.class as usize,
            r.vu,
            r.kind == ReqKind::Request,
        );
        if !is_req {
            return;
        }
        self.tick.errors += 1;
        if measured {
            self.errors.add(kind);
            self.comp_errors[comp as usize].add(kind);
            self.class_counts[class].2 += 1;
        }
        self.in_system.decr(now);
        if vu != NO_VU {
            self.vu_done(vu);
        }
    }

    /// The request's last frame returned: a success, unless it was orphaned.
    fn complete(&mut self, id: ReqId) {
        let now = self.now();
        let r = self.reqs.get(id);
        if r.orphan {
            self.reqs.release(id);
            return;
        }
        let (born, wait, measured, class, vu) = (
            r.born.as_nanos(),
            r.wait_ns,
            r.measured,
            r.class as usize,
            r.vu,
        );
        let latency = now - born;
        self.tick.completed += 1;
        self.tick.latency.record_ns(latency);
        if measured {
            self.completed += 1;
            self.latency.record_ns(latency);
            self.wait.record_ns(wait);
            self.class_latency[class].record_ns(latency);
            self.class_counts[class].1 += 1;
        }
        self.in_system.decr(now);
        self.reqs.release(id);
        if vu != NO_VU {
            self.vu_done(vu);
        }
    }

    /// Which part an event addressed to `comp` names: an event only ever
    /// carries the id of a component of the kind that scheduled it.
    pub(crate) fn part_kind_error(comp: CompId, want: &str) -> ! {
        unreachable!("component {comp} is not a {want}: events name their scheduler's kind")
    }
}

impl<'a> Simulation<'a> {
    pub(crate) fn queue(&mut self, comp: CompId) -> &mut super::queue::QueuePart<'a> {
        match &mut self.parts[comp as usize] {
            Part::Queue(q) => q,
            _ => Self::part_kind_error(comp, "job queue"),
        }
    }
}
