//! A connection pool with PgBouncer / HikariCP semantics (reference §5):
//! clients beyond `max_clients` are refused; others take one of `size`
//! connections or wait FIFO; when the oldest waiter has waited
//! `reserve_timeout`, up to `reserve_size` extra connections open; a wait
//! longer than `wait_timeout` fails.

use super::part::{Effect, PartOps, Visit};
use super::request::{Frame, ReqId};
use super::station::Station;
use crate::input::model::{CompId, Pool};
use crate::metrics::result::{round6, ComponentSummary, ErrorKind};
use crate::metrics::{Level, Mark};
use std::collections::VecDeque;

pub(crate) struct PoolPart<'a> {
    cfg: &'a Pool,
    comp: CompId,
    in_use: Level,
    /// Reserve connections currently open.
    reserve_open: u32,
    /// Waiters as (request, generation, ticket); entries whose ticket no
    /// longer matches the request's were cancelled (timed out).
    waiters: VecDeque<(ReqId, u32, u32)>,
    /// Live waiters (the deque may also hold cancelled entries).
    waiting: Level,
    next_ticket: u32,
    acquired: u64,
}

impl<'a> PoolPart<'a> {
    pub fn new(cfg: &'a Pool, comp: CompId) -> Self {
        PoolPart {
            cfg,
            comp,
            in_use: Level::default(),
            reserve_open: 0,
            waiters: VecDeque::new(),
            waiting: Level::default(),
            next_ticket: 1,
            acquired: 0,
        }
    }

    fn capacity(&self) -> u64 {
        (self.cfg.size + self.reserve_open) as u64
    }

    /// Client connections: holding a server connection or waiting for one.
    fn clients(&self) -> u64 {
        self.in_use.value() + self.waiting.value()
    }

    fn has_free_connection(&self) -> bool {
        self.in_use.value() < self.capacity()
    }

    fn ticket(&mut self) -> u32 {
        let t = self.next_ticket;
        self.next_ticket = self.next_ticket.wrapping_add(1).max(1);
        t
    }

    fn acquire(&mut self, now: u64) -> Effect {
        self.in_use.incr(now);
        self.acquired += 1;
        Effect::Call {
            to: self.cfg.target,
            frame: Frame::Pool { comp: self.comp },
        }
    }

    /// Server connections in use over the pool's size (an autoscaling metric).
    pub fn utilization_now(&self) -> f64 {
        self.in_use.value() as f64 / self.cfg.size.max(1) as f64
    }

    /// The next live waiter gets a free connection: returns it with the
    /// effect to apply (call the target), or `None` when no connection is
    /// free or nobody waits. `live(id, gen, ticket)` tells cancelled entries.
    pub fn next_waiter(
        &mut self,
        now: u64,
        live: impl Fn(ReqId, u32, u32) -> bool,
    ) -> Option<(ReqId, Effect)> {
        loop {
            if !self.has_free_connection() || self.waiting.value() == 0 {
                return None;
            }
            let (id, gen, ticket) = self.waiters.pop_front()?;
            if !live(id, gen, ticket) {
                continue; // cancelled by its timeout
            }
            self.waiting.decr(now);
            return Some((id, self.acquire(now)));
        }
    }

    /// A connection comes back. Returns whether waiters may take it (else
    /// an idle reserve connection closes).
    pub fn release(&mut self, now: u64) -> bool {
        self.in_use.decr(now);
        if self.waiting.value() == 0 {
            if self.reserve_open > 0 {
                self.reserve_open -= 1;
            }
            return false;
        }
        true
    }

    /// A waiter gave up (its entry stays in the deque, skipped when reached).
    pub fn waiter_gone(&mut self, now: u64) {
        self.waiting.decr(now);
    }

    /// Opens a reserve connection if the oldest live waiter has waited
    /// `reserve_timeout`; `queued_at(id)` is when it started waiting.
    pub fn open_reserve(
        &mut self,
        now: u64,
        live: impl Fn(ReqId, u32, u32) -> bool,
        queued_at: impl Fn(ReqId) -> u64,
    ) -> bool {
        if self.reserve_open >= self.cfg.reserve_size {
            return false;
        }
        let oldest = self.waiters.iter().find(|&&(r, g, t)| live(r, g, t));
        match oldest {
            Some(&(r, _, _)) if now.saturating_sub(queued_at(r)) >= self.cfg.reserve_timeout_ns => {
                self.reserve_open += 1;
                true
            }
            _ => false,
        }
    }

    /// A scenario leak takes `count` connections (or gives them back).
    pub fn leak(&mut self, now: u64, count: u64) {
        let v = self.in_use.value() + count;
        self.in_use.set(now, v);
    }

    pub fn unleak(&mut self, now: u64, count: u64) {
        let v = self.in_use.value().saturating_sub(count);
        self.in_use.set(now, v);
    }
}

impl<'a> PartOps<'a> for PoolPart<'a> {
    fn enter(&mut self, v: &mut Visit<'_>) -> Effect {
        if matches!(self.cfg.max_clients, Some(m) if self.clients() >= m as u64) {
            return Effect::Fail(ErrorKind::PoolRefused);
        }
        if self.has_free_connection() && self.waiting.value() == 0 {
            return self.acquire(v.now);
        }
        let ticket = self.ticket();
        self.waiters.push_back((v.id, v.gen, ticket));
        self.waiting.incr(v.now);
        Effect::Parked {
            ticket,
            timeout_ns: self.cfg.wait_timeout_ns,
            reserve_ns: (self.cfg.reserve_size > 0).then_some(self.cfg.reserve_timeout_ns),
        }
    }

    fn columns(&self) -> &'static [&'static str] {
        &["in_use", "waiting", "utilization"]
    }

    fn row(&self, _st: &[Station], now: u64, span: u64, row: &mut Vec<Option<f64>>) {
        let w = Mark::Interval;
        let in_use = self.in_use.mean_since(w, now, span);
        row.extend([
            Some(in_use),
            Some(self.waiting.mean_since(w, now, span)),
            Some(in_use / self.cfg.size as f64),
        ]);
    }

    fn summary(&self, _st: &[Station], w: Mark, end: u64, span: u64, s: &mut ComponentSummary) {
        let in_use = self.in_use.mean_since(w, end, span);
        s.size = Some(self.cfg.size);
        s.utilization = round6(in_use / self.cfg.size as f64);
        s.in_use_mean = Some(round6(in_use));
        s.in_use_max = Some(self.in_use.max());
        s.waiting_mean = Some(round6(self.waiting.mean_since(w, end, span)));
        s.waiting_max = Some(self.waiting.max());
    }

    fn mark(&mut self, which: Mark, now: u64) {
        self.in_use.mark(which, now);
        self.waiting.mark(which, now);
    }
}
