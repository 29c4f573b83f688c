//! The router's side of pools: a waiter's ticket and timers, handing freed
//! connections to waiters, giving up after `wait_timeout`.

use super::super::event::Event;
use super::super::part::Part;
use super::super::pool::PoolPart;
use super::super::request::ReqId;
use super::super::Simulation;
use crate::input::model::CompId;
use crate::metrics::result::ErrorKind;

impl<'a> Simulation<'a> {
    pub(crate) fn pool(&mut self, comp: CompId) -> &mut PoolPart<'a> {
        match &mut self.parts[comp as usize] {
            Part::Pool(p) => p,
            _ => Self::part_kind_error(comp, "pool"),
        }
    }

    /// The request waits for a connection under `ticket`.
    pub(super) fn parked(
        &mut self,
        id: ReqId,
        comp: CompId,
        ticket: u32,
        timeout_ns: Option<u64>,
        reserve_ns: Option<u64>,
    ) {
        let now = self.now();
        let req = self.reqs.get_mut(id);
        let gen = req.gen;
        req.pool_ticket = ticket;
        req.pool_comp = comp;
        req.queued_at = self.q.now();
        if let Some(t) = timeout_ns {
            self.at(
                now.saturating_add(t),
                Event::PoolTimeout {
                    req: id,
                    gen,
                    ticket,
                },
            );
        }
        if let Some(t) = reserve_ns {
            self.at(now.saturating_add(t), Event::PoolReserve { comp });
        }
    }

    /// Hands free connections to live waiters, oldest first.
    pub(crate) fn pool_dispatch(&mut self, comp: CompId) {
        loop {
            let now = self.now();
            let Simulation { parts, reqs, .. } = &mut *self;
            let Part::Pool(pool) = &mut parts[comp as usize] else {
                Self::part_kind_error(comp, "pool")
            };
            let live = |r: ReqId, g: u32, t: u32| {
                let req = reqs.get(r);
                req.gen == g && req.pool_ticket == t
            };
            let Some((id, effect)) = pool.next_waiter(now, live) else {
                return;
            };
            let req = self.reqs.get_mut(id);
            req.pool_ticket = 0;
            req.wait_ns += now - req.queued_at.as_nanos();
            self.apply(id, comp, effect);
        }
    }

    pub(super) fn release_connection(&mut self, comp: CompId) {
        let now = self.now();
        if self.pool(comp).release(now) {
            self.pool_dispatch(comp);
        }
    }

    pub(crate) fn on_pool_timeout(&mut self, id: ReqId, gen: u32, ticket: u32) {
        let now = self.now();
        let req = self.reqs.get_mut(id);
        if req.gen != gen || req.pool_ticket != ticket || ticket == 0 {
            return;
        }
        req.pool_ticket = 0;
        req.wait_ns += now - req.queued_at.as_nanos();
        let comp = req.pool_comp;
        self.pool(comp).waiter_gone(now);
        self.fail(id, ErrorKind::PoolTimeout, comp);
    }

    /// Opens a reserve connection if the oldest waiter has waited long enough.
    pub(crate) fn on_pool_reserve(&mut self, comp: CompId) {
        let now = self.now();
        let Simulation { parts, reqs, .. } = &mut *self;
        let Part::Pool(pool) = &mut parts[comp as usize] else {
            Self::part_kind_error(comp, "pool")
        };
        let live = |r: ReqId, g: u32, t: u32| {
            let req = reqs.get(r);
            req.gen == g && req.pool_ticket == t
        };
        if pool.open_reserve(now, live, |r| reqs.get(r).queued_at.as_nanos()) {
            self.pool_dispatch(comp);
        }
    }
}
