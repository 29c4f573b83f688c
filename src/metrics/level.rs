//! A quantity that changes at discrete instants (requests in flight, busy
//! cores, connections in use), with its exact time integral so that the
//! time-average over any span is available without sampling error.

/// A piecewise-constant level and its running integral (value x ns).
#[derive(Clone, Debug, Default)]
pub struct Level {
    value: u64,
    last_ns: u64,
    area: u128,
    max: u64,
    /// Smallest value set after the first `set` (`None` before it).
    min: Option<u64>,
    /// Area at the last [`Level::mark`] of each kind (warm-up end, interval start).
    marks: [u128; 3],
}

/// Which mark: the end of the warm-up, or the start of the current interval.
#[derive(Clone, Copy, Debug)]
pub enum Mark {
    Warmup = 0,
    Interval = 1,
    /// The last autoscaler reconcile (per-replica metrics).
    Scaler = 2,
}

impl Level {
    #[inline]
    pub fn value(&self) -> u64 {
        self.value
    }

    #[inline]
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Sets the level at time `now_ns` (not before the last change).
    #[inline]
    pub fn set(&mut self, now_ns: u64, value: u64) {
        let dt = now_ns.saturating_sub(self.last_ns);
        self.area += dt as u128 * self.value as u128;
        self.last_ns = now_ns.max(self.last_ns);
        self.value = value;
        if value > self.max {
            self.max = value;
        }
        self.min = Some(self.min.map_or(value, |m| m.min(value)));
    }

    /// Smallest value ever set (0 if never set).
    pub fn min(&self) -> u64 {
        self.min.unwrap_or(0)
    }

    #[inline]
    pub fn incr(&mut self, now_ns: u64) {
        self.set(now_ns, self.value + 1);
    }

    #[inline]
    pub fn decr(&mut self, now_ns: u64) {
        self.set(now_ns, self.value.saturating_sub(1));
    }

    /// Integral of the level from time zero to `now_ns`, in value x ns.
    #[inline]
    pub fn area_at(&self, now_ns: u64) -> u128 {
        self.area + now_ns.saturating_sub(self.last_ns) as u128 * self.value as u128
    }
}

impl Level {
    /// Remembers the area now, for a later [`Level::mean_since`].
    pub fn mark(&mut self, which: Mark, now_ns: u64) {
        self.marks[which as usize] = self.area_at(now_ns);
    }

    /// Time-average of the level since the mark, over `span_ns`.
    pub fn mean_since(&self, which: Mark, now_ns: u64, span_ns: u64) -> f64 {
        mean_between(self.marks[which as usize], self.area_at(now_ns), span_ns)
    }

    /// Integral since the mark (value x ns).
    pub fn area_since(&self, which: Mark, now_ns: u64) -> u128 {
        self.area_at(now_ns)
            .saturating_sub(self.marks[which as usize])
    }
}

/// Time-average of a level between two snapshots of its area.
pub fn mean_between(area_start: u128, area_end: u128, span_ns: u64) -> f64 {
    if span_ns == 0 {
        return 0.0;
    }
    area_end.saturating_sub(area_start) as f64 / span_ns as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_exactly() {
        let mut l = Level::default();
        l.set(0, 2);
        l.set(10, 5);
        l.decr(20);
        assert_eq!(l.area_at(30), 2 * 10 + 5 * 10 + 4 * 10);
        assert_eq!(l.max(), 5);
        assert_eq!(mean_between(0, l.area_at(30), 30), 110.0 / 30.0);
    }
}
