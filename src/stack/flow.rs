//! How a request moves: entering a component, coming back to its caller,
//! failing (which releases everything it holds), and the components whose
//! logic is short enough to live here (edge, cache, database, external,
//! pool, job queue).

use super::event::Event;
use super::request::{Frame, ReqId, ReqKind, NO_VU};
use super::result::ErrorKind;
use super::sim::{Runtime, Simulation};
use super::station::Admit;
use crate::input::model::{Call, CompId, ComponentKind, Op};
use rand::Rng;

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
        let sys = self.sys;
        let op = self.reqs.get(id).op;
        match (
            &sys.components[comp as usize].kind,
            &mut self.rt[comp as usize],
        ) {
            (ComponentKind::Service(_), _) => self.enter_service(id, comp),
            (ComponentKind::Edge(e), Runtime::Edge { station, rng, .. }) => {
                let d = e.latency.sample(rng);
                let st = *station;
                self.station_arrive(id, st, d);
            }
            (ComponentKind::Cache(c), Runtime::Cache { station, rng, .. }) => {
                let d = c.latency.sample(rng);
                let st = *station;
                self.station_arrive(id, st, d);
            }
            (ComponentKind::External(x), Runtime::External { station, rng }) => {
                let d = x.latency.sample(rng);
                let st = *station;
                self.station_arrive(id, st, d);
            }
            (
                ComponentKind::Database(db),
                Runtime::Database {
                    primary,
                    replicas,
                    rr,
                    rng,
                },
            ) => {
                let (node, d) = match op {
                    Op::Write => (*primary, db.write.sample(rng)),
                    Op::Read => {
                        let node = if db.reads_on_replicas && *replicas > 0 {
                            *rr = (*rr + 1) % *replicas;
                            *primary + 1 + *rr
                        } else {
                            *primary
                        };
                        (node, db.read.sample(rng))
                    }
                };
                self.station_arrive(id, node, d);
            }
            (ComponentKind::Queue(qc), Runtime::Queue(q)) => {
                let full = matches!(qc.max_depth, Some(m) if q.depth.value() >= m as u64)
                    || self.reqs.live() >= self.sc.limits.max_in_flight;
                if full {
                    self.fail(id, ErrorKind::Rejected, comp);
                    return;
                }
                let d = qc.enqueue_latency.sample(&mut q.work_rng);
                let st = q.enqueue_station;
                self.station_arrive(id, st, d);
            }
            (ComponentKind::Pool(_), _) => self.enter_pool(id, comp),
            // Runtime and System are built in lockstep from the same list.
            _ => unreachable!("runtime state does not match component {comp}"),
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
        let sys = self.sys;
        let (class, op) = {
            let r = self.reqs.get(id);
            (r.class as usize, r.op)
        };
        match (
            &sys.components[comp as usize].kind,
            &mut self.rt[comp as usize],
        ) {
            (
                ComponentKind::Edge(e),
                Runtime::Edge {
                    rng,
                    hits,
                    misses,
                    tick,
                    ..
                },
            ) => {
                let hit = rng.random::<f64>() < e.hit_ratio[class];
                match (hit, e.origin) {
                    (false, Some(origin)) => {
                        *misses += 1;
                        tick.1 += 1;
                        self.reqs.get_mut(id).stack.push(Frame::Edge { comp });
                        self.enter(id, origin);
                    }
                    _ => {
                        *hits += 1;
                        tick.0 += 1;
                        self.ret(id);
                    }
                }
            }
            (
                ComponentKind::Cache(c),
                Runtime::Cache {
                    rng,
                    hits,
                    misses,
                    tick,
                    flushed,
                    failed_until_ns,
                    ..
                },
            ) => {
                // A write stores the value: it costs the cache's latency only.
                if op == Op::Write {
                    self.ret(id);
                    return;
                }
                // A failed node misses everything; after a flush the hit
                // ratio climbs back linearly over the warm-up.
                let ratio = if now < *failed_until_ns {
                    0.0
                } else {
                    match *flushed {
                        Some((at, warm)) if warm > 0 && now < at + warm => {
                            c.hit_ratio * (now - at) as f64 / warm as f64
                        }
                        _ => c.hit_ratio,
                    }
                };
                let hit = rng.random::<f64>() < ratio;
                if hit {
                    *hits += 1;
                    tick.0 += 1;
                    self.ret(id);
                } else {
                    *misses += 1;
                    tick.1 += 1;
                    match c.on_miss {
                        Some(next) => {
                            self.reqs.get_mut(id).stack.push(Frame::Cache { comp });
                            self.enter(id, next);
                        }
                        None => self.ret(id),
                    }
                }
            }
            (ComponentKind::Queue(_), Runtime::Queue(_)) => {
                self.spawn_job(id, comp);
                self.ret(id);
            }
            _ => self.ret(id),
        }
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
                (r.class as usize, r.stack.last().copied())
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
            let calls: &[Call] = match &sys.components[comp as usize].kind {
                ComponentKind::Service(s) => s.handlers[class]
                    .as_ref()
                    .map(|h| h.calls.as_slice())
                    .unwrap_or(&[]),
                ComponentKind::Queue(q) => &q.calls,
                _ => &[],
            };
            let idx = call_idx as usize;
            if idx >= calls.len() {
                self.finish_visit(id);
                return;
            }
            let call = &calls[idx];
            let (next_idx, next_reps, go) = if reps_left > 0 {
                (call_idx, reps_left - 1, true)
            } else {
                let made = call.probability >= 1.0 || {
                    let rng = match &mut self.rt[comp as usize] {
                        Runtime::Service(s) => &mut s.call_rng,
                        Runtime::Queue(q) => &mut q.call_rng,
                        _ => unreachable!("only services and queues make calls"),
                    };
                    rng.random::<f64>() < call.probability
                };
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
            let default_op = sys.classes[class].op;
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
        let Some(top) = self.reqs.get_mut(id).stack.pop() else {
            return;
        };
        match top {
            Frame::Service {
                comp,
                replica,
                conn_released,
                ..
            } => {
                self.release_service_slot(comp, replica as usize, conn_released, true);
                self.ret(id);
            }
            Frame::Job { comp, .. } => {
                self.release_worker(comp);
                let now = self.now();
                let r = self.reqs.get(id);
                let (born, measured) = (r.born.as_nanos(), r.measured);
                if let Runtime::Queue(q) = &mut self.rt[comp as usize] {
                    q.completed += 1;
                    q.completed_tick += 1;
                    if measured {
                        q.latency.record_ns(now - born);
                    }
                }
                self.reqs.release(id);
            }
            other => {
                // Not reachable: only handler frames make calls.
                self.reqs.get_mut(id).stack.push(other);
            }
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
                if let Runtime::Queue(q) = &mut self.rt[comp as usize] {
                    q.failed += 1;
                }
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

    // ----- pools -----

    fn pool(&mut self, comp: CompId) -> &mut super::pool::PoolState {
        match &mut self.rt[comp as usize] {
            Runtime::Pool(p) => p,
            _ => unreachable!("component {comp} is not a pool"),
        }
    }

    fn enter_pool(&mut self, id: ReqId, comp: CompId) {
        let now = self.now();
        let pool = self.pool(comp);
        if pool.refuses_new_client() {
            self.fail(id, ErrorKind::PoolRefused, comp);
            return;
        }
        if pool.has_free_connection() && pool.waiting.value() == 0 {
            pool.in_use.incr(now);
            pool.acquired += 1;
            let target = pool.cfg.target;
            self.reqs.get_mut(id).stack.push(Frame::Pool { comp });
            self.enter(id, target);
            return;
        }
        let ticket = pool.ticket();
        let wait_timeout = pool.cfg.wait_timeout_ns;
        let reserve = (pool.cfg.reserve_size > 0).then_some(pool.cfg.reserve_timeout_ns);
        let gen = self.reqs.get(id).gen;
        let pool = self.pool(comp);
        pool.waiters.push_back((id, gen, ticket));
        pool.waiting.incr(now);
        let req = self.reqs.get_mut(id);
        req.pool_ticket = ticket;
        req.pool_comp = comp;
        req.queued_at = self.q.now();
        if let Some(t) = wait_timeout {
            self.at(
                now.saturating_add(t),
                Event::PoolTimeout {
                    req: id,
                    gen,
                    ticket,
                },
            );
        }
        if let Some(t) = reserve {
            self.at(now.saturating_add(t), Event::PoolReserve { comp });
        }
    }

    /// Hands free connections to live waiters, oldest first.
    pub(crate) fn pool_dispatch(&mut self, comp: CompId) {
        loop {
            let now = self.now();
            let pool = self.pool(comp);
            if !pool.has_free_connection() || pool.waiting.value() == 0 {
                return;
            }
            let Some((id, gen, ticket)) = pool.waiters.pop_front() else {
                return;
            };
            let req = self.reqs.get(id);
            if req.gen != gen || req.pool_ticket != ticket {
                continue; // cancelled by its timeout
            }
            let pool = self.pool(comp);
            pool.waiting.decr(now);
            pool.in_use.incr(now);
            pool.acquired += 1;
            let target = pool.cfg.target;
            let req = self.reqs.get_mut(id);
            req.pool_ticket = 0;
            req.wait_ns += now - req.queued_at.as_nanos();
            req.stack.push(Frame::Pool { comp });
            self.enter(id, target);
        }
    }

    fn release_connection(&mut self, comp: CompId) {
        let now = self.now();
        let pool = self.pool(comp);
        pool.in_use.decr(now);
        if pool.waiting.value() == 0 {
            // An idle reserve connection closes.
            if pool.reserve_open > 0 {
                pool.reserve_open -= 1;
            }
            return;
        }
        self.pool_dispatch(comp);
    }

    pub(crate) fn on_pool_timeout(&mut self, id: ReqId, gen: u32, ticket: u32) {
        let now = self.now();
        let req = self.reqs.get_mut(id);
        if req.gen != gen || req.pool_ticket != ticket || ticket == 0 {
            return;
        }
        req.pool_ticket = 0;
        req.wait_ns += now - req.queued_at.as_nanos();
        // The waiter entry stays in the deque and is skipped when reached.
        let comp = req.pool_comp;
        self.pool(comp).waiting.decr(now);
        self.fail(id, ErrorKind::PoolTimeout, comp);
    }

    /// Opens a reserve connection if the oldest waiter has waited long enough.
    pub(crate) fn on_pool_reserve(&mut self, comp: CompId) {
        let now = self.now();
        let reqs = &self.reqs;
        let pool = match &mut self.rt[comp as usize] {
            Runtime::Pool(p) => p,
            _ => return,
        };
        if pool.reserve_open >= pool.cfg.reserve_size {
            return;
        }
        let oldest = pool.waiters.iter().find(|&&(r, g, t)| {
            let req = reqs.get(r);
            req.gen == g && req.pool_ticket == t
        });
        if let Some(&(r, _, _)) = oldest {
            if now.saturating_sub(reqs.get(r).queued_at.as_nanos()) >= pool.cfg.reserve_timeout_ns {
                pool.reserve_open += 1;
                self.pool_dispatch(comp);
            }
        }
    }

    // ----- job queues -----

    /// The enqueue finished: a job joins the queue (it keeps the class of
    /// the request that made it).
    fn spawn_job(&mut self, parent: ReqId, comp: CompId) {
        let now = self.now();
        // The job acts for the parent's client: an `ip_hash` service it calls
        // hashes that client, not whatever a previous user of the slot left.
        let (class, region, client) = {
            let p = self.reqs.get(parent);
            (p.class, p.region, p.client)
        };
        let job = self.reqs.alloc();
        {
            let r = self.reqs.get_mut(job);
            r.kind = ReqKind::Job { queue: comp };
            r.class = class;
            r.client = client;
            r.region = region;
            r.home = region;
            r.op = self.sys.classes[class as usize].op;
            r.born = self.q.now();
            r.measured = now >= self.warmup_ns;
        }
        let Runtime::Queue(q) = &mut self.rt[comp as usize] else {
            return;
        };
        q.enqueued += 1;
        if q.busy.value() < q.slots as u64 {
            self.start_job(job, comp);
        } else {
            q.waiting.push_back(job);
            q.depth.incr(now);
            self.reqs.get_mut(job).queued_at = self.q.now();
        }
    }

    fn start_job(&mut self, job: ReqId, comp: CompId) {
        let now = self.now();
        let sys = self.sys;
        let ComponentKind::Queue(qc) = &sys.components[comp as usize].kind else {
            return;
        };
        let Runtime::Queue(q) = &mut self.rt[comp as usize] else {
            return;
        };
        q.busy.incr(now);
        let work = qc.work.sample(&mut q.work_rng);
        self.reqs.get_mut(job).stack.push(Frame::Job {
            comp,
            call_idx: 0,
            reps_left: 0,
        });
        self.at(now.saturating_add(work), Event::JobWorkDone(job));
    }

    fn release_worker(&mut self, comp: CompId) {
        let now = self.now();
        let Runtime::Queue(q) = &mut self.rt[comp as usize] else {
            return;
        };
        q.busy.decr(now);
        if let Some(next) = q.waiting.pop_front() {
            q.depth.decr(now);
            let req = self.reqs.get_mut(next);
            req.wait_ns += now - req.queued_at.as_nanos();
            self.start_job(next, comp);
        }
    }
}
