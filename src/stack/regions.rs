//! Multi-region routing: users belong to regions; a call goes to the
//! instance of a component in the request's current region, or the nearest
//! healthy one, paying the one-way latency there and back. A failed region
//! keeps receiving its users' requests (which fail) until health checks
//! detect it and DNS TTLs expire; then they go to the nearest healthy region.

use super::event::Event;
use super::part::Part;
use super::request::{Frame, ReqId};
use super::Simulation;
use crate::input::model::{CompId, ComponentKind, Op};
use crate::metrics::result::ErrorKind;
use rand::Rng;

impl Simulation<'_> {
    /// The user's region, drawn by the regions' user shares.
    pub(crate) fn draw_home_region(&mut self) -> u8 {
        if self.region_cdf.len() <= 1 {
            return 0;
        }
        let u: f64 = self.region_rng.random();
        self.region_cdf
            .partition_point(|&c| c <= u)
            .min(self.region_cdf.len() - 1) as u8
    }

    /// Whether clients still send to region `r` (healthy, or failed too
    /// recently for health checks and DNS to have moved them).
    fn region_reachable(&self, r: u8, now: u64) -> bool {
        self.region_up(r) || now < self.region_failover_at(r)
    }

    fn region_up(&self, r: u8) -> bool {
        self.region_down_since
            .get(r as usize)
            .copied()
            .flatten()
            .is_none()
    }

    fn region_failover_at(&self, r: u8) -> u64 {
        match self.region_down_since.get(r as usize).copied().flatten() {
            Some(t) => t.saturating_add(self.sys.regions.failover_ns),
            None => u64::MAX,
        }
    }

    /// Where a call to `comp` from region `from` goes: the instance in
    /// `from` if clients still route there, else the nearest instance whose
    /// region is up. Writes to a database group go to its first instance
    /// (the primary region). `None`: nowhere to go.
    fn pick_instance(&self, comp: CompId, from: u8, op: Op, now: u64) -> Option<CompId> {
        let c = &self.sys.components[comp as usize];
        if c.siblings.is_empty() {
            return Some(comp);
        }
        let region_of_inst = |i: CompId| self.sys.components[i as usize].region.unwrap_or(0);
        if op == Op::Write && matches!(c.kind, ComponentKind::Database(_)) {
            // The primary is in the first region; when that region has
            // failed over, the next region's replica has been promoted.
            return c
                .siblings
                .iter()
                .copied()
                .find(|&i| {
                    self.region_up(region_of_inst(i))
                        || now < self.region_failover_at(region_of_inst(i))
                })
                .or_else(|| c.siblings.first().copied());
        }
        let region_of = |i: CompId| self.sys.components[i as usize].region.unwrap_or(0);
        if let Some(&local) = c.siblings.iter().find(|&&i| region_of(i) == from) {
            if self.region_reachable(from, now) {
                return Some(local);
            }
        }
        let lat = &self.sys.regions.latency_ns;
        c.siblings
            .iter()
            .copied()
            .filter(|&i| self.region_up(region_of(i)))
            .min_by_key(|&i| (lat[from as usize][region_of(i) as usize], i))
    }

    /// Routes a call to `comp` through regions; returns `true` when the
    /// request was handed on (to a hop, or failed), `false` when it should
    /// enter `comp` itself now.
    pub(crate) fn route_region(&mut self, id: ReqId, comp: &mut CompId) -> bool {
        if !self.sys.regions.is_multi() {
            return false;
        }
        let now = self.now();
        let (from, op) = {
            let r = self.reqs.get(id);
            (r.region, r.op)
        };
        // A request still headed to a failed region fails until failover.
        if !self.region_up(from) && now < self.region_failover_at(from) {
            self.fail(id, ErrorKind::Unavailable, *comp);
            return true;
        }
        let Some(target) = self.pick_instance(*comp, from, op, now) else {
            self.fail(id, ErrorKind::Unavailable, *comp);
            return true;
        };
        let to = self.sys.components[target as usize].region.unwrap_or(from);
        *comp = target;
        if to == from {
            return false;
        }
        let d = self.sys.regions.latency_ns[from as usize][to as usize];
        let req = self.reqs.get_mut(id);
        req.stack.push(Frame::Hop { from });
        req.region = to;
        req.hop_to = target;
        self.at(now.saturating_add(d), Event::HopArrive(id));
        true
    }

    pub(crate) fn on_hop_arrive(&mut self, id: ReqId) {
        let target = self.reqs.get(id).hop_to;
        self.enter_here(id, target);
    }

    /// The response crosses back: after the latency, the caller resumes.
    pub(crate) fn hop_back(&mut self, id: ReqId, from: u8) {
        let now = self.now();
        let here = self.reqs.get(id).region;
        let d = self.sys.regions.latency_ns[here as usize][from as usize];
        self.reqs.get_mut(id).region = from;
        self.at(now.saturating_add(d), Event::HopReturn(id));
    }

    pub(crate) fn on_hop_return(&mut self, id: ReqId) {
        self.ret(id);
    }

    /// A region fails: its components go down; users move after failover.
    pub(crate) fn region_outage(&mut self, r: u8, duration_ns: Option<u64>, event: u32) {
        let now = self.now();
        if let Some(slot) = self.region_down_since.get_mut(r as usize) {
            *slot = Some(now);
        }
        for c in 0..self.sys.components.len() {
            if self.sys.components[c].region != Some(r) {
                continue;
            }
            let until = duration_ns.map_or(u64::MAX, |d| now.saturating_add(d));
            for st in self.stations.iter_mut().filter(|s| s.owner == c as CompId) {
                st.down_until_ns = until;
            }
            if let Part::Service(s) = &self.parts[c] {
                for i in s.fleet.live_ids() {
                    self.terminate(c as CompId, i);
                }
            }
        }
        if let Some(d) = duration_ns {
            self.at(now.saturating_add(d), Event::ChaosEnd(event));
        }
    }

    /// The region is back: services restart through the startup path.
    pub(crate) fn region_recover(&mut self, r: u8) {
        let now = self.now();
        if let Some(slot) = self.region_down_since.get_mut(r as usize) {
            *slot = None;
        }
        for c in 0..self.sys.components.len() {
            if self.sys.components[c].region != Some(r) {
                continue;
            }
            let Simulation { parts, q, .. } = &mut *self;
            if let Part::Service(s) = &mut parts[c] {
                let all = s.fleet.desired();
                s.fleet.replace(now, all, q);
            }
        }
    }
}
