//! The future-event list.
//!
//! Events are kept in a binary min-heap keyed by `(time, seq)`, where `seq` is
//! a counter incremented on every [`EventQueue::schedule`]. That key is the
//! kernel's one documented total order:
//!
//! 1. an earlier time pops first;
//! 2. at equal times, the event scheduled first pops first (FIFO).
//!
//! The second rule is what makes simultaneous events deterministic without any
//! reference to memory addresses or hash order. Cancellation is left to the
//! domain layer (a generation counter checked when the event pops), which is
//! cheaper than removing entries from the heap.

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, because `BinaryHeap` is a max-heap and we want the earliest
    /// `(time, seq)` on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// A priority queue of events ordered by `(time, insertion sequence)`.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: SimTime,
    popped: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(64)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
            now: SimTime::ZERO,
            popped: 0,
        }
    }

    /// The time of the event popped last (the simulation clock).
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at absolute time `at`.
    ///
    /// # Panics
    /// If `at` is earlier than [`now`](Self::now): the past cannot be changed,
    /// and a caller that computes such a time has a bug that silently moving
    /// the event to `now` would hide. Also if the insertion sequence would
    /// overflow (2^64 events; unreachable in practice, checked so that the
    /// FIFO tie-break can never wrap).
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) {
        assert!(
            at >= self.now,
            "event scheduled in the past: at {} ns, now {} ns",
            at.0,
            self.now.0
        );
        let seq = self.next_seq;
        self.next_seq = seq
            .checked_add(1)
            .expect("event sequence overflow (2^64 events scheduled)");
        self.heap.push(Entry {
            time: at,
            seq,
            event,
        });
    }

    /// Schedules `event` at `now + delay`.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        self.schedule(self.now.saturating_add(delay), event);
    }

    /// Removes the next event and advances the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let entry = self.heap.pop()?;
        self.now = entry.time;
        self.popped += 1;
        Some((entry.time, entry.event))
    }

    /// The time of the next event, without removing it.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Number of events popped so far (a cheap work counter for limits and
    /// benchmarks).
    pub fn events_processed(&self) -> u64 {
        self.popped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_insertion() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(30), 'x');
        q.schedule(SimTime(10), 'a');
        q.schedule(SimTime(20), 'c');
        q.schedule(SimTime(10), 'b');
        q.schedule(SimTime(20), 'd');
        let got: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            got,
            vec![
                (SimTime(10), 'a'),
                (SimTime(10), 'b'),
                (SimTime(20), 'c'),
                (SimTime(20), 'd'),
                (SimTime(30), 'x')
            ]
        );
    }

    #[test]
    fn many_ties_stay_fifo() {
        let mut q = EventQueue::new();
        for i in 0..1000u32 {
            q.schedule(SimTime(7), i);
        }
        for i in 0..1000u32 {
            assert_eq!(q.pop(), Some((SimTime(7), i)));
        }
        assert!(q.is_empty());
    }

    #[test]
    fn clock_is_monotone() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(100), 1);
        assert_eq!(q.pop(), Some((SimTime(100), 1)));
        q.schedule(SimTime(100), 2);
        assert_eq!(q.pop(), Some((SimTime(100), 2)));
        q.schedule_in(SimTime(5), 3);
        assert_eq!(q.peek_time(), Some(SimTime(105)));
        assert_eq!(q.events_processed(), 2);
    }

    #[test]
    #[should_panic(expected = "event scheduled in the past")]
    fn scheduling_in_the_past_is_a_bug() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(100), 1);
        q.pop();
        q.schedule(SimTime(50), 2);
    }
}
