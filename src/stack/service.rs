//! Services: a balancer in front of replicas, each with a concurrency
//! limit, an accept queue and a CPU. A request holds its slot (not the CPU)
//! while it waits on downstream calls.

use super::event::Event;
use super::request::{Frame, ReqId};
use super::result::ErrorKind;
use super::sim::{Runtime, ServiceRt, Simulation};
use crate::input::model::{CompId, ComponentKind};

impl Simulation<'_> {
    fn service_rt(&mut self, comp: CompId) -> &mut ServiceRt {
        match &mut self.rt[comp as usize] {
            Runtime::Service(s) => s,
            _ => unreachable!("component {comp} is not a service"),
        }
    }

    /// The balancer picks a replica; a full accept queue refuses the
    /// connection and nginx tries the next peer (`proxy_next_upstream error`).
    pub(crate) fn enter_service(&mut self, id: ReqId, comp: CompId) {
        let now = self.now();
        let sys = self.sys;
        let svc = match &sys.components[comp as usize].kind {
            ComponentKind::Service(s) => s,
            _ => unreachable!("component {comp} is not a service"),
        };
        let mut tried = std::mem::take(&mut self.reqs.get_mut(id).tried);
        tried.clear();
        let client = self.reqs.get(id).client;
        let rt = self.service_rt(comp);
        let max_tries = if rt.balancer.tries == 0 {
            rt.balancer.len()
        } else {
            rt.balancer.tries as usize
        };
        let mut admitted: Option<(usize, bool)> = None;
        let mut failure = ErrorKind::Unavailable;
        while tried.len() < max_tries {
            let Some(r) = rt.balancer.pick(now, &mut rt.lb_rng, client, &tried) else {
                break;
            };
            let rep = &rt.replicas[r];
            let has_slot = rep.in_flight.value() < svc.concurrency as u64;
            let queue_ok = match svc.accept_queue {
                None => true,
                Some(bound) => rep.accept_q.len() < bound as usize,
            };
            if has_slot || queue_ok {
                admitted = Some((r, has_slot));
                break;
            }
            rt.balancer.on_failure(r, now);
            tried.push(r as u32);
            failure = ErrorKind::Refused;
        }
        self.reqs.get_mut(id).tried = tried;
        let Some((r, has_slot)) = admitted else {
            self.fail(id, failure, comp);
            return;
        };
        let rt = self.service_rt(comp);
        rt.balancer.connect(r);
        let req = self.reqs.get_mut(id);
        let seq = req.next_seq;
        req.next_seq = req.next_seq.wrapping_add(1);
        let depth = req.stack.len() as u16;
        req.stack.push(Frame::Service {
            comp,
            replica: r as u32,
            call_idx: 0,
            reps_left: 0,
            seq,
            conn_released: false,
        });
        if let Some(t) = svc.timeout_ns {
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
            self.start_slot(id, comp, r);
        } else {
            self.reqs.get_mut(id).queued_at = self.q.now();
            let rt = self.service_rt(comp);
            let rep = &mut rt.replicas[r];
            rep.accept_q.push_back(id);
            rep.queued.incr(now);
        }
    }

    /// The request takes a slot and starts its CPU burst.
    fn start_slot(&mut self, id: ReqId, comp: CompId, r: usize) {
        let now = self.now();
        let sys = self.sys;
        let class = self.reqs.get(id).class as usize;
        let svc = match &sys.components[comp as usize].kind {
            ComponentKind::Service(s) => s,
            _ => unreachable!("component {comp} is not a service"),
        };
        // Validation guarantees a handler for every class that reaches here.
        let Some(handler) = svc.handlers[class].as_ref() else {
            self.fail(id, ErrorKind::Unavailable, comp);
            return;
        };
        let rt = self.service_rt(comp);
        let work = handler.cpu.sample(&mut rt.cpu_rng);
        let mem = svc.memory_base_mib
            + svc.memory_per_request_mib * (rt.replicas[r].in_flight.value() + 1) as f64;
        if mem > rt.memory_max_mib {
            rt.memory_max_mib = mem;
        }
        let rep = &mut rt.replicas[r];
        rep.in_flight.incr(now);
        if rep.cpu.is_ps() {
            if let Some(t) = rep.cpu.ps_add(now, id, work) {
                let epoch = rep.cpu.epoch;
                rep.busy_millicores.set(now, rep.cpu.busy_millicores());
                self.at(
                    t,
                    Event::PsCheck {
                        comp,
                        replica: r as u32,
                        epoch,
                    },
                );
            }
        } else if rep.cpu.try_take_core() {
            let d = rep.cpu.fcfs_duration(work);
            rep.busy_millicores.set(now, rep.cpu.busy_millicores());
            self.at(now.saturating_add(d), Event::CpuDone(id));
        } else {
            rep.cpu.waiting.push_back(id);
            rep.queued.incr(now);
            let req = self.reqs.get_mut(id);
            req.work_ns = work;
            req.queued_at = self.q.now();
        }
    }

    fn top_service(&self, id: ReqId) -> Option<(CompId, usize)> {
        match self.reqs.get(id).stack.last() {
            Some(Frame::Service { comp, replica, .. }) => Some((*comp, *replica as usize)),
            _ => None,
        }
    }

    /// FCFS burst done: the core passes to the next waiter.
    pub(crate) fn on_cpu_done(&mut self, id: ReqId) {
        let now = self.now();
        let Some((comp, r)) = self.top_service(id) else {
            return;
        };
        let Runtime::Service(rt) = &mut self.rt[comp as usize] else {
            return;
        };
        let rep = &mut rt.replicas[r];
        if let Some(next) = rep.cpu.release_core() {
            rep.queued.decr(now);
            let d = rep.cpu.fcfs_duration(self.reqs.get(next).work_ns);
            let req = self.reqs.get_mut(next);
            req.wait_ns += now - req.queued_at.as_nanos();
            self.at(now.saturating_add(d), Event::CpuDone(next));
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
        let rt = self.service_rt(comp);
        let rep = &mut rt.replicas[r as usize];
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
        let rt = self.service_rt(comp);
        if !conn_released {
            rt.balancer.disconnect(r);
            if success {
                rt.balancer.on_success(r);
            }
        }
        let rep = &mut rt.replicas[r];
        rep.in_flight.decr(now);
        if success {
            rep.served += 1;
        }
        if let Some(next) = rep.accept_q.pop_front() {
            rep.queued.decr(now);
            let req = self.reqs.get_mut(next);
            req.wait_ns += now - req.queued_at.as_nanos();
            self.start_slot(next, comp, r);
        } else {
            self.stop_if_drained(comp, r);
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
        self.service_rt(comp).balancer.on_failure(r, now);
        self.cut_at(id, d, comp, r, ErrorKind::Timeout);
    }
}
