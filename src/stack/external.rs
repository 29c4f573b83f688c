//! An external API: a station with an optional concurrency limit and
//! queue bound; it answers after its latency.

use super::part::{Effect, PartOps, Visit};
use super::station::Station;
use crate::input::model::{CompId, External};
use crate::metrics::result::{round6, ComponentSummary};
use crate::metrics::Mark;
use capsim_des::StreamRng;

pub(crate) struct ExternalPart<'a> {
    cfg: &'a External,
    station: u32,
    rng: StreamRng,
}

impl<'a> ExternalPart<'a> {
    pub fn new(
        cfg: &'a External,
        comp: CompId,
        add_station: &mut impl FnMut(CompId, Option<u32>, Option<u32>) -> u32,
        stream: impl Fn(&str) -> StreamRng,
    ) -> Self {
        ExternalPart {
            cfg,
            station: add_station(comp, cfg.concurrency, cfg.queue_limit),
            rng: stream("latency"),
        }
    }
}

impl<'a> PartOps<'a> for ExternalPart<'a> {
    fn enter(&mut self, _v: &mut Visit<'_>) -> Effect {
        Effect::Serve {
            station: self.station,
            ns: self.cfg.latency.sample(&mut self.rng),
        }
    }

    fn columns(&self) -> &'static [&'static str] {
        &["in_flight", "queue"]
    }

    fn row(&self, st: &[Station], now: u64, span: u64, row: &mut Vec<Option<f64>>) {
        let st = &st[self.station as usize];
        let w = Mark::Interval;
        row.extend([
            Some(st.busy.mean_since(w, now, span)),
            Some(st.queue.mean_since(w, now, span)),
        ]);
    }

    fn summary(&self, st: &[Station], w: Mark, end: u64, span: u64, s: &mut ComponentSummary) {
        let st = &st[self.station as usize];
        s.utilization = round6(
            self.cfg
                .concurrency
                .map(|k| st.busy.mean_since(w, end, span) / k as f64)
                .unwrap_or(0.0),
        );
        s.in_flight_mean = Some(round6(st.busy.mean_since(w, end, span)));
        s.queue_mean = Some(round6(st.queue.mean_since(w, end, span)));
    }
}
