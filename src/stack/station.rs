//! A multi-server FCFS station: `servers` requests served at once (or
//! unlimited), the rest wait in a FIFO with an optional bound. Caches,
//! database nodes, external APIs and fixed delays are all stations that
//! differ only in their service times and what happens after service.

use super::request::ReqId;
use crate::metrics::Level;
use crate::model::CompId;
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
}

/// What [`Station::arrive`] decided.
pub enum Admit {
    /// Start service now for this long.
    Start(u64),
    Queued,
    Full,
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
        }
    }

    #[inline]
    pub fn arrive(&mut self, now: u64, req: ReqId, service_ns: u64) -> Admit {
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
