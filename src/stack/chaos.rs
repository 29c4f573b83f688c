//! Scenario events: failures and disturbances at given times (kill
//! replicas, lose a zone, fail over a database, flush or fail a cache,
//! inject latency, leak pool connections).

use super::event::Event;
use super::part::Part;
use super::Simulation;
use crate::input::model::CompId;
use crate::input::scenario::EventKind;

impl Simulation<'_> {
    /// Spot interruptions per replica-hour, for services billed as spot
    /// with `interruptions_per_hour` (an optional failure, off otherwise).
    fn spot_rate_per_ns(&self, comp: CompId) -> Option<f64> {
        let c = &self.sys.components[comp as usize];
        let rate = c
            .cost
            .as_ref()?
            .discount
            .as_ref()?
            .interruption_rate_per_hour()?;
        (rate.is_finite()
            && rate > 0.0
            && matches!(c.kind, crate::input::model::ComponentKind::Service(_)))
        .then_some(rate / 3.6e12)
    }

    /// Next interruption: exponential with rate (per-replica rate x replicas
    /// up now), so it tracks the fleet as it scales.
    fn schedule_spot(&mut self, comp: CompId) {
        let now = self.now();
        let Some(per_ns) = self.spot_rate_per_ns(comp) else {
            return;
        };
        let gap = self.service(comp).fleet.spot_gap_ns(per_ns);
        if gap.is_finite() && gap < (self.end_ns - now.min(self.end_ns)) as f64 {
            self.at(now + gap as u64, Event::SpotInterrupt { comp });
        }
    }

    pub(crate) fn on_spot_interrupt(&mut self, comp: CompId) {
        if let Some(v) = self.service(comp).fleet.spot_victim() {
            self.kill_and_replace(comp, &[v]);
        }
        self.schedule_spot(comp);
    }

    pub(crate) fn schedule_chaos(&mut self) {
        for comp in 0..self.sys.components.len() as CompId {
            self.schedule_spot(comp);
        }
        for i in 0..self.sc.events.len() {
            let at = self.sc.events[i].at_ns;
            self.at(at, Event::Chaos(i as u32));
        }
    }

    fn chaos_target(&self, i: u32) -> Option<CompId> {
        let e = self.sc.events.get(i as usize)?;
        self.sys.component_id(&e.target)
    }

    fn chaos_region(&self, i: u32) -> Option<u8> {
        let e = self.sc.events.get(i as usize)?;
        self.sys
            .regions
            .names
            .iter()
            .position(|n| *n == e.target)
            .map(|r| r as u8)
    }

    pub(crate) fn on_chaos(&mut self, i: u32) {
        let now = self.now();
        if let Some(EventKind::RegionOutage { duration_ns }) =
            self.sc.events.get(i as usize).map(|e| e.kind.clone())
        {
            if let Some(r) = self.chaos_region(i) {
                self.region_outage(r, duration_ns, i);
            }
            return;
        }
        let Some(comp) = self.chaos_target(i) else {
            return;
        };
        let kind = self.sc.events[i as usize].kind.clone();
        match kind {
            // Handled above: its target is a region, not a component.
            EventKind::RegionOutage { .. } => {}
            EventKind::Kill { count } => {
                let victims: Vec<u32> = match &self.parts[comp as usize] {
                    Part::Service(s) => s.fleet.ready_ids().take(count as usize).collect(),
                    _ => Vec::new(),
                };
                self.kill_and_replace(comp, &victims);
            }
            EventKind::ZoneOutage { zone, duration_ns } => {
                let victims: Vec<u32> = match &mut self.parts[comp as usize] {
                    Part::Service(s) => s.fleet.set_zone_down(zone, true),
                    _ => Vec::new(),
                };
                self.kill_and_replace(comp, &victims);
                if let Some(d) = duration_ns {
                    self.at(now.saturating_add(d), Event::ChaosEnd(i));
                }
            }
            EventKind::DbFailover { downtime_ns } => {
                if let Part::Database(db) = &self.parts[comp as usize] {
                    let st = db.primary() as usize;
                    self.stations[st].down_until_ns = now.saturating_add(downtime_ns);
                    self.at(now.saturating_add(downtime_ns), Event::ChaosEnd(i));
                }
            }
            EventKind::CacheFlush { warmup_ns } => {
                if let Part::Cache(c) = &mut self.parts[comp as usize] {
                    c.flush(now, warmup_ns);
                }
            }
            EventKind::CacheFail { duration_ns } => {
                if let Part::Cache(c) = &mut self.parts[comp as usize] {
                    c.fail_until(now.saturating_add(duration_ns));
                }
            }
            EventKind::Latency {
                add_ns,
                duration_ns,
            } => {
                for st in self.stations.iter_mut().filter(|s| s.owner == comp) {
                    st.extra_ns = st.extra_ns.saturating_add(add_ns);
                }
                self.at(now.saturating_add(duration_ns), Event::ChaosEnd(i));
            }
            EventKind::PoolLeak { count, duration_ns } => {
                if let Part::Pool(p) = &mut self.parts[comp as usize] {
                    p.leak(now, count as u64);
                    self.leaked[i as usize] = count;
                }
                if let Some(d) = duration_ns {
                    self.at(now.saturating_add(d), Event::ChaosEnd(i));
                }
            }
        }
    }

    pub(crate) fn on_chaos_end(&mut self, i: u32) {
        let now = self.now();
        if let Some(EventKind::RegionOutage { .. }) =
            self.sc.events.get(i as usize).map(|e| &e.kind)
        {
            if let Some(r) = self.chaos_region(i) {
                self.region_recover(r);
            }
            return;
        }
        let Some(comp) = self.chaos_target(i) else {
            return;
        };
        let kind = self.sc.events[i as usize].kind.clone();
        match kind {
            // Handled above: its target is a region, not a component.
            EventKind::RegionOutage { .. } => {}
            EventKind::ZoneOutage { zone, .. } => {
                if let Part::Service(s) = &mut self.parts[comp as usize] {
                    s.fleet.set_zone_down(zone, false);
                }
            }
            EventKind::DbFailover { .. } => {
                // A read replica was promoted: one fewer replica serves reads.
                if let Part::Database(db) = &mut self.parts[comp as usize] {
                    db.promote_replica();
                }
            }
            EventKind::Latency { add_ns, .. } => {
                for st in self.stations.iter_mut().filter(|s| s.owner == comp) {
                    st.extra_ns = st.extra_ns.saturating_sub(add_ns);
                }
            }
            EventKind::PoolLeak { .. } => {
                let n = std::mem::take(&mut self.leaked[i as usize]) as u64;
                if let Part::Pool(p) = &mut self.parts[comp as usize] {
                    p.unleak(now, n);
                }
                self.pool_dispatch(comp);
            }
            EventKind::Kill { .. } | EventKind::CacheFlush { .. } | EventKind::CacheFail { .. } => {
            }
        }
    }
}
