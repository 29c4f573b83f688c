//! A database: a primary station and `read_replicas` replica stations
//! (contiguous after it). Writes go to the primary; reads round-robin over
//! the replicas when `reads_on_replicas`, else to the primary.

use super::part::{Effect, PartOps, Visit};
use super::station::Station;
use crate::input::model::{CompId, Database, Op};
use crate::metrics::result::{round6, ComponentSummary};
use crate::metrics::Mark;
use capsim_des::StreamRng;

pub(crate) struct DatabasePart<'a> {
    cfg: &'a Database,
    primary: u32,
    /// Read replicas serving now (a failover promotes one).
    replicas: u32,
    rr: u32,
    rng: StreamRng,
}

impl<'a> DatabasePart<'a> {
    pub fn new(
        cfg: &'a Database,
        comp: CompId,
        add_station: &mut impl FnMut(CompId, Option<u32>, Option<u32>) -> u32,
        stream: impl Fn(&str) -> StreamRng,
    ) -> Self {
        let primary = add_station(comp, Some(cfg.concurrency), cfg.queue_limit);
        for _ in 0..cfg.read_replicas {
            add_station(comp, Some(cfg.concurrency), cfg.queue_limit);
        }
        DatabasePart {
            cfg,
            primary,
            replicas: cfg.read_replicas,
            rr: 0,
            rng: stream("query"),
        }
    }

    /// The primary's station (a failover takes it down).
    pub fn primary(&self) -> u32 {
        self.primary
    }

    /// A failover promoted a read replica: one fewer serves reads.
    pub fn promote_replica(&mut self) {
        self.replicas = self.replicas.saturating_sub(1);
    }

    /// Primary utilization, mean replica utilization and total queue.
    fn levels(&self, st: &[Station], w: Mark, now: u64, span: u64) -> (f64, Option<f64>, f64) {
        let conc = self.cfg.concurrency as f64;
        let p = &st[self.primary as usize];
        let u = p.busy.mean_since(w, now, span) / conc;
        let mut q = p.queue.mean_since(w, now, span);
        let mut ru_sum = 0.0;
        for k in 0..self.replicas {
            let st = &st[(self.primary + 1 + k) as usize];
            ru_sum += st.busy.mean_since(w, now, span) / conc;
            q += st.queue.mean_since(w, now, span);
        }
        let ru = (self.replicas > 0).then(|| ru_sum / self.replicas as f64);
        (u, ru, q)
    }
}

impl<'a> PartOps<'a> for DatabasePart<'a> {
    fn enter(&mut self, v: &mut Visit<'_>) -> Effect {
        let (station, ns) = match v.op {
            Op::Write => (self.primary, self.cfg.write.sample(&mut self.rng)),
            Op::Read => {
                let node = if self.cfg.reads_on_replicas && self.replicas > 0 {
                    self.rr = (self.rr + 1) % self.replicas;
                    self.primary + 1 + self.rr
                } else {
                    self.primary
                };
                (node, self.cfg.read.sample(&mut self.rng))
            }
        };
        Effect::Serve { station, ns }
    }

    fn columns(&self) -> &'static [&'static str] {
        &["utilization", "replica_utilization", "queue"]
    }

    fn row(&self, st: &[Station], now: u64, span: u64, row: &mut Vec<Option<f64>>) {
        let (u, ru, q) = self.levels(st, Mark::Interval, now, span);
        row.extend([Some(u), ru, Some(q)]);
    }

    fn summary(&self, st: &[Station], w: Mark, end: u64, span: u64, s: &mut ComponentSummary) {
        let (u, ru, q) = self.levels(st, w, end, span);
        let d = self.cfg;
        s.replicas = 1 + d.read_replicas;
        s.utilization = round6(u);
        s.replica_utilization = ru.map(round6);
        s.queue_mean = Some(round6(q));
        s.replication_lag_ms = (d.read_replicas > 0).then(|| d.replication_lag_ns as f64 / 1e6);
    }
}
