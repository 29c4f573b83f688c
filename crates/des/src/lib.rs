//! # capsim-des — a domain-free discrete-event kernel
//!
//! This crate is the part of capsim that knows nothing about web systems. It
//! could drive a bank queue or a factory line just as well. It provides three
//! things, each in its own module:
//!
//! * [`time`] — simulated time as integer nanoseconds ([`SimTime`]), so that
//!   no floating-point rounding can reorder events or differ between machines.
//! * [`queue`] — the future-event list ([`EventQueue`]): events are ordered by
//!   `(time, insertion sequence)`, a documented total order that makes every
//!   run reproducible.
//! * [`rng`] — named random streams ([`RngStreams`]) derived from
//!   `(seed, replication, stream name)`, so adding a component never changes
//!   another component's draws.
//!
//! The kernel deliberately has no notion of "process" or "component": the
//! domain layer owns a closed `enum` of events and matches it exhaustively,
//! which keeps the hot loop free of dynamic dispatch and allocation.
//!
//! ```
//! use capsim_des::{EventQueue, SimTime};
//! let mut q = EventQueue::new();
//! q.schedule(SimTime::from_millis(5), "b");
//! q.schedule(SimTime::from_millis(1), "a");
//! q.schedule(SimTime::from_millis(5), "c"); // same time as "b": later insertion, later pop
//! let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
//! assert_eq!(order, ["a", "b", "c"]);
//! ```

pub mod queue;
pub mod rng;
pub mod time;

pub use queue::EventQueue;
pub use rng::{stream_seed, RngStreams, StreamRng};
pub use time::SimTime;
