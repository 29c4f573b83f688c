//! An edge (CDN): a delay station; a hit answers there, a miss goes on to
//! the origin.

use super::part::{ratio, Effect, PartOps, Visit};
use super::request::Frame;
use super::station::Station;
use crate::input::model::{ClassId, CompId, Edge, Op};
use crate::metrics::result::{round6, ComponentSummary};
use crate::metrics::Mark;
use capsim_des::StreamRng;
use rand::Rng;

pub(crate) struct EdgePart<'a> {
    cfg: &'a Edge,
    comp: CompId,
    station: u32,
    rng: StreamRng,
    /// Hits and misses over the run, this interval, and at the warm-up's end.
    hits: u64,
    misses: u64,
    tick: (u64, u64),
    warm: (u64, u64),
}

impl<'a> EdgePart<'a> {
    pub fn new(
        cfg: &'a Edge,
        comp: CompId,
        add_station: &mut impl FnMut(CompId, Option<u32>, Option<u32>) -> u32,
        stream: impl Fn(&str) -> StreamRng,
    ) -> Self {
        EdgePart {
            cfg,
            comp,
            station: add_station(comp, None, None),
            rng: stream("edge"),
            hits: 0,
            misses: 0,
            tick: (0, 0),
            warm: (0, 0),
        }
    }
}

impl<'a> PartOps<'a> for EdgePart<'a> {
    fn enter(&mut self, _v: &mut Visit<'_>) -> Effect {
        Effect::Serve {
            station: self.station,
            ns: self.cfg.latency.sample(&mut self.rng),
        }
    }

    fn served(&mut self, _now: u64, class: ClassId, _op: Op) -> Effect {
        let hit = self.rng.random::<f64>() < self.cfg.hit_ratio[class as usize];
        match (hit, self.cfg.origin) {
            (false, Some(origin)) => {
                self.misses += 1;
                self.tick.1 += 1;
                Effect::Call {
                    to: origin,
                    frame: Frame::Edge { comp: self.comp },
                }
            }
            _ => {
                self.hits += 1;
                self.tick.0 += 1;
                Effect::Return
            }
        }
    }

    fn columns(&self) -> &'static [&'static str] {
        &["hit_ratio"]
    }

    fn row(&self, _st: &[Station], _now: u64, _span: u64, row: &mut Vec<Option<f64>>) {
        row.push(ratio(
            self.tick.0 as f64,
            (self.tick.0 + self.tick.1) as f64,
        ));
    }

    fn summary(&self, _st: &[Station], _w: Mark, _end: u64, _span: u64, s: &mut ComponentSummary) {
        let (h, m) = (self.hits - self.warm.0, self.misses - self.warm.1);
        s.hit_ratio = ratio(h as f64, (h + m) as f64).map(round6);
    }

    fn end_interval(&mut self) {
        self.tick = (0, 0);
    }

    fn warmup_end(&mut self) {
        self.warm = (self.hits, self.misses);
    }
}
