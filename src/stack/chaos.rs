//! Scenario events: failures and disturbances at given times (kill
//! replicas, lose a zone, fail over a database, flush or fail a cache,
//! inject latency, leak pool connections).

use super::event::Event;
use super::sim::{ReplicaState, Runtime, Simulation};
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
        let Runtime::Service(rt) = &mut self.rt[comp as usize] else {
            return;
        };
        let up = rt
            .replicas
            .iter()
            .filter(|r| r.state == ReplicaState::Ready)
            .count()
            .max(1) as f64;
        let e: f64 = rand::Rng::sample(&mut rt.spot_rng, rand_distr::Exp1);
        let gap = e / (per_ns * up);
        if gap.is_finite() && gap < (self.end_ns - now.min(self.end_ns)) as f64 {
            self.at(now + gap as u64, Event::SpotInterrupt { comp });
        }
    }

    pub(crate) fn on_spot_interrupt(&mut self, comp: CompId) {
        let victim = match &mut self.rt[comp as usize] {
            Runtime::Service(rt) => {
                let ready: Vec<u32> = (0..rt.replicas.len() as u32)
                    .filter(|&r| rt.replicas[r as usize].state == ReplicaState::Ready)
                    .collect();
                if ready.is_empty() {
                    None
                } else {
                    let i = rand::Rng::random_range(&mut rt.spot_rng, 0..ready.len());
                    Some(ready[i])
                }
            }
            _ => None,
        };
        if let Some(v) = victim {
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
                let victims: Vec<u32> = match &self.rt[comp as usize] {
                    Runtime::Service(rt) => (0..rt.replicas.len() as u32)
                        .filter(|&r| rt.replicas[r as usize].state == ReplicaState::Ready)
                        .take(count as usize)
                        .collect(),
                    _ => Vec::new(),
                };
                self.kill_and_replace(comp, &victims);
            }
            EventKind::ZoneOutage { zone, duration_ns } => {
                let victims: Vec<u32> = match &mut self.rt[comp as usize] {
                    Runtime::Service(rt) => {
                        let z = zone as usize % rt.zones_down.len();
                        rt.zones_down[z] = true;
                        (0..rt.replicas.len() as u32)
                            .filter(|&r| {
                                let rep = &rt.replicas[r as usize];
                                rep.zone as usize == z
                                    && matches!(
                                        rep.state,
                                        ReplicaState::Ready | ReplicaState::Starting
                                    )
                            })
                            .collect()
                    }
                    _ => Vec::new(),
                };
                self.kill_and_replace(comp, &victims);
                if let Some(d) = duration_ns {
                    self.at(now.saturating_add(d), Event::ChaosEnd(i));
                }
            }
            EventKind::DbFailover { downtime_ns } => {
                if let Runtime::Database { primary, .. } = &self.rt[comp as usize] {
                    let st = *primary as usize;
                    self.stations[st].down_until_ns = now.saturating_add(downtime_ns);
                    self.at(now.saturating_add(downtime_ns), Event::ChaosEnd(i));
                }
            }
            EventKind::CacheFlush { warmup_ns } => {
                if let Runtime::Cache { flushed, .. } = &mut self.rt[comp as usize] {
                    *flushed = Some((now, warmup_ns));
                }
            }
            EventKind::CacheFail { duration_ns } => {
                if let Runtime::Cache {
                    failed_until_ns, ..
                } = &mut self.rt[comp as usize]
                {
                    *failed_until_ns = now.saturating_add(duration_ns);
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
                if let Runtime::Pool(p) = &mut self.rt[comp as usize] {
                    let v = p.in_use.value() + count as u64;
                    p.in_use.set(now, v);
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
                if let Runtime::Service(rt) = &mut self.rt[comp as usize] {
                    let z = zone as usize % rt.zones_down.len();
                    rt.zones_down[z] = false;
                }
            }
            EventKind::DbFailover { .. } => {
                // A read replica was promoted: one fewer replica serves reads.
                if let Runtime::Database { replicas, .. } = &mut self.rt[comp as usize] {
                    *replicas = replicas.saturating_sub(1);
                }
            }
            EventKind::Latency { add_ns, .. } => {
                for st in self.stations.iter_mut().filter(|s| s.owner == comp) {
                    st.extra_ns = st.extra_ns.saturating_sub(add_ns);
                }
            }
            EventKind::PoolLeak { .. } => {
                let n = std::mem::take(&mut self.leaked[i as usize]) as u64;
                if let Runtime::Pool(p) = &mut self.rt[comp as usize] {
                    let v = p.in_use.value().saturating_sub(n);
                    p.in_use.set(now, v);
                }
                self.pool_dispatch(comp);
            }
            EventKind::Kill { .. } | EventKind::CacheFlush { .. } | EventKind::CacheFail { .. } => {
            }
        }
    }

    /// Kills replicas; the controller (ReplicaSet) starts replacements
    /// through the normal startup path, since the desired count is unchanged.
    fn kill_and_replace(&mut self, comp: CompId, victims: &[u32]) {
        for &r in victims {
            self.terminate(comp, r);
        }
        if let Runtime::Service(rt) = &mut self.rt[comp as usize] {
            let spec = rt.spec;
            rt.spec = spec.saturating_sub(victims.len() as u32);
            self.scale_to(comp, spec);
        }
    }
}
