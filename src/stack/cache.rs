//! A cache: a station; a read hits with the hit ratio (zero while the node
//! has failed, climbing back linearly after a flush) or goes on to
//! `on_miss`; a write costs the cache's latency only.

use super::part::{ratio, Effect, PartOps, Visit};
use super::request::Frame;
use super::station::Station;
use crate::input::model::{Cache, ClassId, CompId, Op};
use crate::metrics::result::{round6, ComponentSummary};
use crate::metrics::Mark;
use capsim_des::StreamRng;
use rand::Rng;

pub(crate) struct CachePart<'a> {
    cfg: &'a Cache,
    comp: CompId,
    station: u32,
    rng: StreamRng,
    /// Hits and misses over the run, this interval, and at the warm-up's end.
    hits: u64,
    misses: u64,
    tick: (u64, u64),
    warm: (u64, u64),
    /// A flush at `.0` warming back up over `.1` ns.
    flushed: Option<(u64, u64)>,
    /// Every lookup misses until this time (a failed node).
    failed_until_ns: u64,
}

impl<'a> CachePart<'a> {
    pub fn new(
        cfg: &'a Cache,
        comp: CompId,
        add_station: &mut impl FnMut(CompId, Option<u32>, Option<u32>) -> u32,
        stream: impl Fn(&str) -> StreamRng,
    ) -> Self {
        CachePart {
            cfg,
            comp,
            station: add_station(comp, cfg.concurrency, None),
            rng: stream("cache"),
            hits: 0,
            misses: 0,
            tick: (0, 0),
            warm: (0, 0),
            flushed: None,
            failed_until_ns: 0,
        }
    }

    /// A scenario flush at `now`: the hit ratio climbs back over `warmup_ns`.
    pub fn flush(&mut self, now: u64, warmup_ns: u64) {
        self.flushed = Some((now, warmup_ns));
    }

    /// A failed node: every lookup misses until `until_ns`.
    pub fn fail_until(&mut self, until_ns: u64) {
        self.failed_until_ns = until_ns;
    }

    fn hit_ratio_at(&self, now: u64) -> f64 {
        if now < self.failed_until_ns {
            return 0.0;
        }
        match self.flushed {
            Some((at, warm)) if warm > 0 && now < at.saturating_add(warm) => {
                self.cfg.hit_ratio * (now - at) as f64 / warm as f64
            }
            _ => self.cfg.hit_ratio,
        }
    }
}

impl<'a> PartOps<'a> for CachePart<'a> {
    fn enter(&mut self, _v: &mut Visit<'_>) -> Effect {
        Effect::Serve {
            station: self.station,
            ns: self.cfg.latency.sample(&mut self.rng),
        }
    }

    fn served(&mut self, now: u64, _class: ClassId, op: Op) -> Effect {
        if op == Op::Write {
            return Effect::Return;
        }
        let ratio = self.hit_ratio_at(now);
        if self.rng.random::<f64>() < ratio {
            self.hits += 1;
            self.tick.0 += 1;
            return Effect::Return;
        }
        self.misses += 1;
        self.tick.1 += 1;
        match self.cfg.on_miss {
            Some(next) => Effect::Call {
                to: next,
                frame: Frame::Cache { comp: self.comp },
            },
            None => Effect::Return,
        }
    }

    fn columns(&self) -> &'static [&'static str] {
        &["hit_ratio", "utilization", "queue"]
    }

    fn row(&self, st: &[Station], now: u64, span: u64, row: &mut Vec<Option<f64>>) {
        let st = &st[self.station as usize];
        let w = Mark::Interval;
        row.push(ratio(
            self.tick.0 as f64,
            (self.tick.0 + self.tick.1) as f64,
        ));
        row.push(
            self.cfg
                .concurrency
                .map(|k| st.busy.mean_since(w, now, span) / k as f64),
        );
        row.push(Some(st.queue.mean_since(w, now, span)));
    }

    fn summary(&self, st: &[Station], w: Mark, end: u64, span: u64, s: &mut ComponentSummary) {
        let st = &st[self.station as usize];
        let (h, m) = (self.hits - self.warm.0, self.misses - self.warm.1);
        s.hit_ratio = ratio(h as f64, (h + m) as f64).map(round6);
        s.utilization = round6(
            self.cfg
                .concurrency
                .map(|k| st.busy.mean_since(w, end, span) / k as f64)
                .unwrap_or(0.0),
        );
        s.queue_mean = Some(round6(st.queue.mean_since(w, end, span)));
        s.queue_max = Some(st.queue.max());
    }

    fn end_interval(&mut self) {
        self.tick = (0, 0);
    }

    fn warmup_end(&mut self) {
        self.warm = (self.hits, self.misses);
    }
}
