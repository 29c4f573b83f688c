//! A multi-server FCFS station: `servers` requests served at once (or
//! unlimited), the rest wait in a FIFO with an optional bound. Caches,
//! database nodes, external APIs and fixed delays are all stations that
//! differ only in their service times and what happens after service.

use super::request::ReqId;
use crate::input::model::CompId;
use crate::metrics::Level;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct Station {
    pub owner: CompId,
    /// `None`: an infinite-server (pure delay) station.
    pub servers: Option<u32>,
    pub limit: Option<u32>,
    pub busy: Level,
    /// Length of `waiting`, integrated over time.
    pub queue: Level,
    pub waiting: VecDeque<(ReqId, u64)>,
    pub served: u64,
    /// Injected latency added to every service time (scenario events).
    pub extra_ns: u64,
    /// Down (failed over) until this time: arrivals fail.
    pub down_until_ns: u64,
}

/// What [`Station::arrive`] decided.
pub enum Admit {
    /// Start service now for this long.
    Start(u64),
    Queued,
    Full,
    /// The station is down (e.g. a database primary failing over).
    Down,
}

impl Station {
    pub fn new(owner: CompId, servers: Option<u32>, limit: Option<u32>) -> Self {
        Station {
            owner,
            servers,
            limit,
            busy: Level::default(),
            queue: Level::default(),
            waiting: VecDeque::new(),
            served: 0,
            extra_ns: 0,
            down_until_ns: 0,
        }
    }

    #[inline]
    pub fn arrive(&mut self, now: u64, req: ReqId, service_ns: u64) -> Admit {
        if now < self.down_until_ns {
            return Admit::Down;
        }
        let service_ns = service_ns.saturating_add(self.extra_ns);
        match self.servers {
            Some(c) if self.busy.value() >= c as u64 => {
                if let Some(l) = self.limit {
                    if self.waiting.len() >= l as usize {
                        return Admit::Full;
                    }
                }
                self.waiting.push_back((req, service_ns));
                self.queue.incr(now);
                Admit::Queued
            }
            _ => {
                self.busy.incr(now);
                Admit::Start(service_ns)
            }
        }
    }

    /// A service finished; returns the next request to start, which keeps
    /// the server busy.
    #[inline]
    pub fn depart(&mut self, now: u64) -> Option<(ReqId, u64)> {
        self.served += 1;
        match self.waiting.pop_front() {
            Some(next) => {
                self.queue.decr(now);
                Some(next)
            }
            None => {
                self.busy.decr(now);
                None
            }
        }
    }
}
