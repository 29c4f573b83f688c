//! A connection pool with PgBouncer / HikariCP semantics (reference §5):
//! clients beyond `max_clients` are refused; others take one of `size`
//! connections or wait FIFO; when the oldest waiter has waited
//! `reserve_timeout`, up to `reserve_size` extra connections open; a wait
//! longer than `wait_timeout` fails.

use super::request::ReqId;
use crate::input::model::Pool;
use crate::metrics::Level;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct PoolState {
    pub cfg: Pool,
    pub in_use: Level,
    /// Reserve connections currently open.
    pub reserve_open: u32,
    /// Waiters as (request, generation, ticket); entries whose ticket no
    /// longer matches the request's were cancelled (timed out).
    pub waiters: VecDeque<(ReqId, u32, u32)>,
    /// Live waiters (the deque may also hold cancelled entries).
    pub waiting: Level,
    pub next_ticket: u32,
    pub acquired: u64,
}

impl PoolState {
    pub fn new(cfg: Pool) -> Self {
        PoolState {
            cfg,
            in_use: Level::default(),
            reserve_open: 0,
            waiters: VecDeque::new(),
            waiting: Level::default(),
            next_ticket: 1,
            acquired: 0,
        }
    }

    pub fn capacity(&self) -> u64 {
        (self.cfg.size + self.reserve_open) as u64
    }

    /// Client connections: holding a server connection or waiting for one.
    pub fn clients(&self) -> u64 {
        self.in_use.value() + self.waiting.value()
    }

    pub fn refuses_new_client(&self) -> bool {
        matches!(self.cfg.max_clients, Some(m) if self.clients() >= m as u64)
    }

    pub fn has_free_connection(&self) -> bool {
        self.in_use.value() < self.capacity()
    }

    pub fn ticket(&mut self) -> u32 {
        let t = self.next_ticket;
        self.next_ticket = self.next_ticket.wrapping_add(1).max(1);
        t
    }
}
