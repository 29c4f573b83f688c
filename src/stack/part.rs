//! Per-kind parts: the runtime of one component, holding its own
//! configuration (a `&'a` reference into the `System`), so configuration and
//! state can never disagree and no code matches `sys.components[i].kind`
//! against a parallel runtime array.
//!
//! A part takes a request visit and returns a small `Copy` [`Effect`]
//! (serve at a station, return, call downstream, fail with a kind, parked);
//! the request router (`flow.rs`) applies it: only the router touches frame
//! stacks and the measurements. Dispatch is a `match` over the closed
//! [`Part`] enum (the [`each_part!`] macro), so every call is static.
//!
//! Adding a component kind: one part file implementing [`PartOps`], one
//! variant line in [`Part`] plus one arm in [`each_part!`] (the router's
//! dispatch), and one line in [`Part::resolve`] (the resolver).

use super::cache::CachePart;
use super::database::DatabasePart;
use super::edge::EdgePart;
use super::external::ExternalPart;
use super::pool::PoolPart;
use super::queue::QueuePart;
use super::request::{Frame, ReqId};
use super::service::ServicePart;
use super::station::Station;
use crate::input::model::{Call, ClassId, CompId, ComponentKind, Op};
use crate::metrics::result::{ComponentSummary, ErrorKind};
use crate::metrics::Mark;
use capsim_des::StreamRng;
use rand::Rng;

/// What a part decided about a request (applied by the router).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Effect {
    /// The visit ends successfully: resume the caller.
    Return,
    /// Push `frame` and call component `to`.
    Call { to: CompId, frame: Frame },
    /// The request fails here.
    Fail(ErrorKind),
    /// Occupy station `station` for `ns`; [`PartOps::served`] follows.
    Serve { station: u32, ns: u64 },
    /// A service admitted the request on `replica`: a slot now, or its
    /// accept queue.
    Slot { replica: u32, has_slot: bool },
    /// Waiting in the part under `ticket` (a pool), with its timers.
    Parked {
        ticket: u32,
        timeout_ns: Option<u64>,
        reserve_ns: Option<u64>,
    },
    /// A job queue accepted the work: spawn a job, then return.
    Enqueue,
}

/// What a part may read of the request entering it.
pub(crate) struct Visit<'r> {
    pub now: u64,
    pub id: ReqId,
    pub gen: u32,
    pub op: Op,
    pub client: u32,
    /// Replicas already tried for this visit (a service's retries).
    pub tried: &'r mut Vec<u32>,
    /// The simulation holds `limits.max_in_flight` requests and jobs.
    pub crowded: bool,
}

/// The interface every part offers the router and the observer.
pub(crate) trait PartOps<'a> {
    /// A request enters the component.
    fn enter(&mut self, v: &mut Visit<'_>) -> Effect;

    /// The request finished its time at one of the part's stations.
    fn served(&mut self, _now: u64, _class: ClassId, _op: Op) -> Effect {
        Effect::Return
    }

    /// The downstream calls the part makes for `class` (services, queues).
    fn calls(&self, _class: ClassId) -> &'a [Call] {
        &[]
    }

    /// Its columns in the time series, prefixed with `<component>.`.
    fn columns(&self) -> &'static [&'static str];

    /// Its values for the interval since `Mark::Interval`, in column order.
    fn row(&self, st: &[Station], now: u64, span: u64, row: &mut Vec<Option<f64>>);

    /// Its figures over the window since `w` (errors are the router's).
    fn summary(&self, st: &[Station], w: Mark, end: u64, span: u64, s: &mut ComponentSummary);

    /// Marks its own time-weighted levels (stations are marked apart).
    fn mark(&mut self, _which: Mark, _now: u64) {}

    /// A reporting interval ended: reset per-interval counters.
    fn end_interval(&mut self) {}

    /// The warm-up ended: remember counters the summary subtracts.
    fn warmup_end(&mut self) {}
}

/// The runtime of one component.
pub(crate) enum Part<'a> {
    Edge(EdgePart<'a>),
    Service(Box<ServicePart<'a>>),
    Cache(CachePart<'a>),
    Pool(Box<PoolPart<'a>>),
    Database(DatabasePart<'a>),
    Queue(Box<QueuePart<'a>>),
    External(ExternalPart<'a>),
}

/// Calls `$body` with `$p` bound to the part inside `$part`, whatever its
/// kind: the one static dispatch over [`Part`].
macro_rules! each_part {
    ($part:expr, $p:ident => $body:expr) => {
        match $part {
            Part::Edge($p) => $body,
            Part::Service($p) => $body,
            Part::Cache($p) => $body,
            Part::Pool($p) => $body,
            Part::Database($p) => $body,
            Part::Queue($p) => $body,
            Part::External($p) => $body,
        }
    };
}
pub(crate) use each_part;

impl<'a> Part<'a> {
    /// The resolver: the part for component `id` of kind `kind`; its
    /// stations are added through `add_station(owner, servers, limit)`, its
    /// random streams named by `stream(suffix)`.
    pub fn resolve(
        kind: &'a ComponentKind,
        id: CompId,
        add_station: &mut impl FnMut(CompId, Option<u32>, Option<u32>) -> u32,
        stream: impl Fn(&str) -> StreamRng,
    ) -> Self {
        match kind {
            ComponentKind::Edge(c) => Part::Edge(EdgePart::new(c, id, add_station, stream)),
            ComponentKind::Service(c) => Part::Service(Box::new(ServicePart::new(c, id, stream))),
            ComponentKind::Cache(c) => Part::Cache(CachePart::new(c, id, add_station, stream)),
            ComponentKind::Pool(c) => Part::Pool(Box::new(PoolPart::new(c, id))),
            ComponentKind::Database(c) => {
                Part::Database(DatabasePart::new(c, id, add_station, stream))
            }
            ComponentKind::Queue(c) => {
                Part::Queue(Box::new(QueuePart::new(c, id, add_station, stream)))
            }
            ComponentKind::External(c) => {
                Part::External(ExternalPart::new(c, id, add_station, stream))
            }
        }
    }

    /// A draw deciding whether a probabilistic call is made. Only parts
    /// whose [`PartOps::calls`] is non-empty are asked.
    pub fn call_draw(&mut self) -> f64 {
        match self {
            Part::Service(s) => s.call_rng.random(),
            Part::Queue(q) => q.call_rng.random(),
            _ => unreachable!("only services and queues make calls"),
        }
    }
}

/// `num / den`, or `None` when there is nothing to divide by.
pub(crate) fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}
