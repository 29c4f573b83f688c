//! CPU of one replica: FCFS on whole cores, or processor sharing.
//!
//! *FCFS*: `servers = max(1, floor(cores))` each running one request at a
//! time at speed `cores / servers` (so 0.5 cores is one server at half
//! speed). *Processor sharing*: all `n` requests progress at rate
//! `min(1, cores / n)`. PS is simulated with a virtual clock `v` that
//! advances at that rate; a request finishes when `v` reaches its virtual
//! finish time, so only the earliest finish needs an event (re-armed, with
//! a new epoch, whenever `n` changes).

use super::request::ReqId;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

#[derive(Clone, Debug)]
pub struct Cpu {
    cores: f64,
    /// FCFS: cores able to run a request each.
    servers: u32,
    /// FCFS: CPU time is divided by this (cores / servers).
    speed: f64,
    ps: bool,
    /// FCFS: cores running a request.
    pub busy_servers: u32,
    /// FCFS: requests waiting for a core, with their CPU work.
    pub waiting: VecDeque<ReqId>,
    // Processor sharing state.
    ps_jobs: BinaryHeap<Reverse<(u64, ReqId)>>,
    v: f64,
    last_ns: u64,
    pub epoch: u32,
}

impl Cpu {
    pub fn new(cores: f64, processor_sharing: bool) -> Self {
        let servers = (cores.floor() as u32).max(1);
        Cpu {
            cores,
            servers,
            speed: cores / servers as f64,
            ps: processor_sharing,
            busy_servers: 0,
            waiting: VecDeque::new(),
            ps_jobs: BinaryHeap::new(),
            v: 0.0,
            last_ns: 0,
            epoch: 0,
        }
    }

    pub fn is_ps(&self) -> bool {
        self.ps
    }

    /// Busy CPU in millicores, the integrand of utilization.
    pub fn busy_millicores(&self) -> u64 {
        if self.ps {
            let n = self.ps_jobs.len() as f64;
            (n.min(self.cores) * 1000.0).round() as u64
        } else {
            (self.busy_servers as f64 * self.speed * 1000.0).round() as u64
        }
    }

    /// Requests competing for the CPU (running or waiting).
    pub fn load(&self) -> usize {
        if self.ps {
            self.ps_jobs.len()
        } else {
            self.busy_servers as usize + self.waiting.len()
        }
    }

    /// Requests waiting for a core (FCFS only).
    pub fn queued(&self) -> usize {
        self.waiting.len()
    }

    /// FCFS: wall time a burst of `work_ns` takes on one server.
    #[inline]
    pub fn fcfs_duration(&self, work_ns: u64) -> u64 {
        if self.speed == 1.0 {
            work_ns
        } else {
            (work_ns as f64 / self.speed).round() as u64
        }
    }

    /// FCFS: takes a core if one is free.
    #[inline]
    pub fn try_take_core(&mut self) -> bool {
        if self.busy_servers < self.servers {
            self.busy_servers += 1;
            true
        } else {
            false
        }
    }

    /// FCFS: frees a core; returns the next waiter, which now holds it.
    #[inline]
    pub fn release_core(&mut self) -> Option<ReqId> {
        match self.waiting.pop_front() {
            Some(next) => Some(next),
            None => {
                self.busy_servers -= 1;
                None
            }
        }
    }

    fn ps_rate(&self) -> f64 {
        let n = self.ps_jobs.len() as f64;
        if n <= self.cores {
            1.0
        } else {
            self.cores / n
        }
    }

    fn ps_advance(&mut self, now_ns: u64) {
        if !self.ps_jobs.is_empty() {
            self.v += now_ns.saturating_sub(self.last_ns) as f64 * self.ps_rate();
        }
        self.last_ns = now_ns;
    }

    /// PS: adds a request with `work_ns` of CPU; returns when (absolute ns)
    /// the next completion check must run, under the new epoch.
    pub fn ps_add(&mut self, now_ns: u64, req: ReqId, work_ns: u64) -> Option<u64> {
        self.ps_advance(now_ns);
        let finish = self.v + work_ns as f64;
        self.ps_jobs.push(Reverse((finish.to_bits(), req)));
        self.ps_rearm(now_ns)
    }

    /// PS: at a completion check, moves finished requests into `done` and
    /// returns the time of the next check.
    pub fn ps_complete(&mut self, now_ns: u64, done: &mut Vec<ReqId>) -> Option<u64> {
        self.ps_advance(now_ns);
        // Events land on whole nanoseconds: allow half a nanosecond of
        // virtual time so rounding never leaves a finished job behind.
        while let Some(&Reverse((bits, req))) = self.ps_jobs.peek() {
            if f64::from_bits(bits) <= self.v + 0.5 {
                self.ps_jobs.pop();
                done.push(req);
            } else {
                break;
            }
        }
        self.ps_rearm(now_ns)
    }

    fn ps_rearm(&mut self, now_ns: u64) -> Option<u64> {
        self.epoch = self.epoch.wrapping_add(1);
        let &Reverse((bits, _)) = self.ps_jobs.peek()?;
        let dv = (f64::from_bits(bits) - self.v).max(0.0);
        let dt = (dv / self.ps_rate()).ceil();
        Some(now_ns.saturating_add(if dt >= 1.8e19 {
            u64::MAX / 2
        } else {
            dt as u64
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ps_two_jobs_on_one_core_share_it() {
        let mut cpu = Cpu::new(1.0, true);
        // Job 1: 10 ns, job 2: 10 ns, both at t=0: each runs at half speed
        // and both finish at t=20.
        cpu.ps_add(0, 1, 10);
        let next = cpu.ps_add(0, 2, 10).unwrap();
        assert_eq!(next, 20);
        let mut done = Vec::new();
        assert_eq!(cpu.ps_complete(20, &mut done), None);
        assert_eq!(done, vec![1, 2]);
    }

    #[test]
    fn ps_short_job_overtakes() {
        let mut cpu = Cpu::new(1.0, true);
        cpu.ps_add(0, 1, 100);
        let next = cpu.ps_add(0, 2, 10).unwrap();
        assert_eq!(next, 20); // job 2 at half speed
        let mut done = Vec::new();
        let next = cpu.ps_complete(20, &mut done).unwrap();
        assert_eq!(done, vec![2]);
        // Job 1 had 10 ns of work done; 90 left at full speed.
        assert_eq!(next, 110);
    }

    #[test]
    fn fcfs_fractional_core_runs_slower() {
        let cpu = Cpu::new(0.5, false);
        assert_eq!(cpu.fcfs_duration(10), 20);
        let cpu = Cpu::new(2.0, false);
        assert_eq!(cpu.fcfs_duration(10), 10);
    }
}
