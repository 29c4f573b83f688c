//! The router's side of services: the frame of an admitted request, its
//! proxy timeout, CPU bursts, and the requests a killed replica leaves.

use super::super::event::Event;
use super::super::part::Part;
use super::super::request::{Frame, ReqId};
use super::super::service::{Burst, ServicePart};
use super::super::Simulation;
use crate::input::model::CompId;
use crate::metrics::result::ErrorKind;
use capsim_des::SimTime;

impl<'a> Simulation<'a> {
    pub(crate) fn service(&mut self, comp: CompId) -> &mut ServicePart<'a> {
        match &mut self.parts[comp as usize] {
            Part::Service(s) => s,
            _ => Self::part_kind_error(comp, "service"),
        }
    }

    /// The fleet admitted the request on replica `r`: it enters the
    /// service (a frame, the proxy timeout) and takes a slot or waits in
    /// the accept queue.
    pub(super) fn admitted(&mut self, id: ReqId, comp: CompId, r: u32, has_slot: bool) {
        let now = self.now();
        let timeout = self.service(comp).cfg.timeout_ns;
        let req = self.reqs.get_mut(id);
        let seq = req.next_seq;
        req.next_seq = req.next_seq.wrapping_add(1);
        let depth = req.stack.len() as u16;
        req.stack.push(Frame::Service {
            comp,
            replica: r,
            call_idx: 0,
            reps_left: 0,
            seq,
            conn_released: false,
        });
        if let Some(t) = timeout {
            let gen = req.gen;
            self.at(
                now.saturating_add(t),
                Event::Timeout {
                    req: id,
                    gen,
                    depth,
                    seq,
                },
            );
        }
        if has_slot {
            self.start_slot(id, comp, r as usize);
        } else {
            self.reqs.get_mut(id).queued_at = self.q.now();
            let rep = self.service(comp).fleet.replica_mut(r as usize);
            rep.accept_q.push_back(id);
            rep.queued.incr(now);
        }
    }

    /// The request takes a slot and starts its CPU burst.
    fn start_slot(&mut self, id: ReqId, comp: CompId, r: usize) {
        let now = self.now();
        let class = self.reqs.get(id).class;
        match self.service(comp).take_slot(now, r, class, id) {
            // Validation guarantees a handler for every class that reaches here.
            Burst::NoHandler => self.fail(id, ErrorKind::Unavailable, comp),
            Burst::Shared(Some((t, epoch))) => self.at(
                t,
                Event::PsCheck {
                    comp,
                    replica: r as u32,
                    epoch,
                },
            ),
            Burst::Shared(None) => {}
            Burst::Core(d) => self.at(now.saturating_add(d), Event::CpuDone(id)),
            Burst::WaitCore(work) => {
                let req = self.reqs.get_mut(id);
                req.work_ns = work;
                req.queued_at = self.q.now();
            }
        }
    }

    /// FCFS burst done: the core passes to the next waiter.
    pub(crate) fn on_cpu_done(&mut self, id: ReqId) {
        let now = self.now();
        let top = self.reqs.get(id).stack.last().copied();
        let Some(Frame::Service { comp, replica, .. }) = top else {
            // A CPU burst runs inside its service frame until it is done.
            unreachable!("CpuDone for a request outside a service");
        };
        let Simulation { parts, reqs, q, .. } = self;
        let Part::Service(svc) = &mut parts[comp as usize] else {
            Self::part_kind_error(comp, "service")
        };
        let rep = svc.fleet.replica_mut(replica as usize);
        if let Some(next) = rep.cpu.release_core() {
            rep.queued.decr(now);
            let d = rep.cpu.fcfs_duration(reqs.get(next).work_ns);
            let req = reqs.get_mut(next);
            req.wait_ns += now - req.queued_at.as_nanos();
            q.schedule(SimTime(now.saturating_add(d)), Event::CpuDone(next));
        } else {
            rep.busy_millicores.set(now, rep.cpu.busy_millicores());
        }
        self.continue_calls(id);
    }

    /// Processor sharing: requests whose work is done move on.
    pub(crate) fn on_ps_check(&mut self, comp: CompId, r: u32, epoch: u32) {
        let now = self.now();
        let mut done = std::mem::take(&mut self.scratch);
        done.clear();
        let rep = self.service(comp).fleet.replica_mut(r as usize);
        if rep.cpu.epoch != epoch {
            self.scratch = done;
            return;
        }
        let next = rep.cpu.ps_complete(now, &mut done);
        rep.busy_millicores.set(now, rep.cpu.busy_millicores());
        let epoch = rep.cpu.epoch;
        if let Some(t) = next {
            self.at(
                t,
                Event::PsCheck {
                    comp,
                    replica: r,
                    epoch,
                },
            );
        }
        for &req in &done {
            self.continue_calls(req);
        }
        self.scratch = done;
    }

    /// Frees the slot of the service frame just popped: the next request in
    /// the accept queue takes it.
    pub(crate) fn release_service_slot(
        &mut self,
        comp: CompId,
        r: usize,
        conn_released: bool,
        success: bool,
    ) {
        let now = self.now();
        let next = self
            .service(comp)
            .fleet
            .release(now, r, conn_released, success);
        if let Some(next) = next {
            let req = self.reqs.get_mut(next);
            req.wait_ns += now - req.queued_at.as_nanos();
            self.start_slot(next, comp, r);
        }
    }

    /// The proxy timed out: the client gets an error now; the server keeps
    /// working on the request (an orphan) until it finishes on its own.
    pub(crate) fn on_timeout(&mut self, id: ReqId, gen: u32, depth: u16, seq: u32) {
        let now = self.now();
        let req = self.reqs.get_mut(id);
        if req.gen != gen {
            return;
        }
        let d = depth as usize;
        let (comp, r) = match req.stack.get_mut(d) {
            Some(Frame::Service {
                comp,
                replica,
                seq: s,
                conn_released,
                ..
            }) if *s == seq && !*conn_released => (*comp, *replica as usize),
            _ => return,
        };
        self.service(comp).fleet.peer_failed(r, now);
        self.cut_at(id, d, comp, r, ErrorKind::Timeout);
    }

    /// The replica dies now: queued requests fail, in-flight ones fail for
    /// their clients (their leftover work drains silently).
    pub(crate) fn terminate(&mut self, comp: CompId, replica: u32) {
        let now = self.now();
        let killed = self.service(comp).fleet.kill(now, replica);
        for id in killed.queued {
            // Queued requests never took a slot: drop their service frame
            // without releasing one, then fail the rest.
            let req = self.reqs.get_mut(id);
            if let Some(Frame::Service { conn_released, .. }) = req.stack.pop() {
                if !conn_released {
                    self.service(comp).fleet.disconnect(replica as usize);
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

    /// Kills replicas and lets the fleet replace them.
    pub(crate) fn kill_and_replace(&mut self, comp: CompId, victims: &[u32]) {
        for &r in victims {
            self.terminate(comp, r);
        }
        let now = self.now();
        let Simulation { parts, q, .. } = self;
        if let Part::Service(s) = &mut parts[comp as usize] {
            s.fleet.replace(now, victims.len() as u32, q);
        }
    }

    /// The client of request `id` loses the visit at stack depth `d`: its
    /// callers unwind now and it lives on as an orphan until its work ends.
    pub(crate) fn cut_at(
        &mut self,
        id: ReqId,
        d: usize,
        comp: CompId,
        replica: usize,
        kind: ErrorKind,
    ) {
        if let Some(Frame::Service { conn_released, .. }) = self.reqs.get_mut(id).stack.get_mut(d) {
            if !*conn_released {
                *conn_released = true;
                self.service(comp).fleet.disconnect(replica);
            }
        }
        let below: Vec<Frame> = self.reqs.get_mut(id).stack.drain(..d).collect();
        for f in below.into_iter().rev() {
            self.release_frame(id, f, false);
        }
        self.client_error(id, kind, comp);
    }
}
