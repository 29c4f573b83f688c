//! In-flight requests and jobs, kept in an arena.
//!
//! A request is a small struct addressed by a `u32` id; its slot (and the
//! capacity of its vectors) is reused when it finishes, so the steady state
//! allocates nothing per request. Its *frame stack* records which components
//! it currently holds (a service slot, a pool connection) in call order, so
//! an error can release them all and a response can resume the caller.

use crate::input::model::{ClassId, CompId, Op};
use capsim_des::SimTime;

pub type ReqId = u32;

/// Sentinel for "no virtual user".
pub const NO_VU: u32 = u32::MAX;

/// A component the request is inside of, innermost last.
#[derive(Clone, Copy, Debug)]
pub enum Frame {
    /// Holding (or queued for) a slot on a replica of a service.
    Service {
        comp: CompId,
        replica: u32,
        /// Next call of the handler to make, and repetitions left of the
        /// current one.
        call_idx: u16,
        reps_left: u32,
        /// Identifies this visit for its timeout event.
        seq: u32,
        /// The balancer has already forgotten this request (it timed out).
        conn_released: bool,
    },
    /// A job holding a worker slot of a queue component.
    Job {
        comp: CompId,
        call_idx: u16,
        reps_left: u32,
    },
    /// Waiting for the origin behind an edge miss.
    Edge { comp: CompId },
    /// Waiting for the component behind a cache miss.
    Cache { comp: CompId },
    /// Holding a pool connection while the target serves the request.
    Pool { comp: CompId },
    /// Crossed from region `from` to another; the response crosses back.
    Hop { from: u8 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReqKind {
    /// A user-facing request.
    Request,
    /// An asynchronous job enqueued on queue component `queue`.
    Job { queue: CompId },
}

#[derive(Clone, Debug)]
pub struct Request {
    /// Bumped on every reuse of the slot; stale events compare it.
    pub gen: u32,
    /// The slot holds a live request (not on the free list).
    pub live: bool,
    pub kind: ReqKind,
    pub class: ClassId,
    /// Operation of the call in progress.
    pub op: Op,
    pub client: u32,
    pub vu: u32,
    /// Region the request is being served in now, and the user's region.
    pub region: u8,
    pub home: u8,
    /// Component to enter when the current inter-region hop lands.
    pub hop_to: CompId,
    pub born: SimTime,
    /// Time spent queued (slot, core, connection, database).
    pub wait_ns: u64,
    /// When the request joined the queue it is in, if any.
    pub queued_at: SimTime,
    /// CPU work waiting for a core (FCFS).
    pub work_ns: u64,
    /// Arrived after the warm-up: counts in the summary.
    pub measured: bool,
    /// The client already got an error (timeout); the rest is server work.
    pub orphan: bool,
    /// Waiting for a pool connection under this ticket (0 = not waiting).
    pub pool_ticket: u32,
    /// The pool waited on, while `pool_ticket` is set.
    pub pool_comp: CompId,
    pub next_seq: u32,
    pub stack: Vec<Frame>,
    /// Replicas already tried for the current service visit.
    pub tried: Vec<u32>,
}

impl Request {
    fn blank() -> Self {
        Request {
            gen: 0,
            live: true,
            kind: ReqKind::Request,
            class: 0,
            op: Op::Read,
            client: 0,
            vu: NO_VU,
            region: 0,
            home: 0,
            hop_to: 0,
            born: SimTime::ZERO,
            wait_ns: 0,
            queued_at: SimTime::ZERO,
            work_ns: 0,
            measured: false,
            orphan: false,
            pool_ticket: 0,
            pool_comp: 0,
            next_seq: 0,
            stack: Vec::new(),
            tried: Vec::new(),
        }
    }
}

/// Slab of requests with a free list.
#[derive(Default)]
pub struct Arena {
    slots: Vec<Request>,
    free: Vec<ReqId>,
    live: u32,
}

impl Arena {
    /// A cleared request slot; its id is valid until [`Arena::release`].
    pub fn alloc(&mut self) -> ReqId {
        self.live += 1;
        if let Some(id) = self.free.pop() {
            let r = &mut self.slots[id as usize];
            r.gen = r.gen.wrapping_add(1);
            r.live = true;
            r.kind = ReqKind::Request;
            r.vu = NO_VU;
            r.wait_ns = 0;
            r.work_ns = 0;
            r.orphan = false;
            r.pool_ticket = 0;
            r.next_seq = 0;
            r.stack.clear();
            r.tried.clear();
            id
        } else {
            self.slots.push(Request::blank());
            (self.slots.len() - 1) as ReqId
        }
    }

    pub fn release(&mut self, id: ReqId) {
        self.live -= 1;
        self.slots[id as usize].live = false;
        self.free.push(id);
    }

    /// Requests and jobs currently alive.
    pub fn live(&self) -> u32 {
        self.live
    }

    /// Ids of live requests holding a slot on replica `replica` of `comp`.
    pub fn on_replica(&self, comp: CompId, replica: u32) -> Vec<ReqId> {
        (0..self.slots.len() as ReqId)
            .filter(|&id| {
                let r = &self.slots[id as usize];
                r.live
                    && r.stack.iter().any(|f| {
                        matches!(f, Frame::Service { comp: c, replica: rr, .. } if *c == comp && *rr == replica)
                    })
            })
            .collect()
    }

    #[inline]
    pub fn get(&self, id: ReqId) -> &Request {
        &self.slots[id as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, id: ReqId) -> &mut Request {
        &mut self.slots[id as usize]
    }
}
