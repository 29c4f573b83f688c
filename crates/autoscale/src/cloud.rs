//! Pieces shared by the AWS-style policies: the alarm's datapoint history and the
//! conservative proportional rounding.

use std::collections::VecDeque;

/// The last datapoints of one metric, newest last; `None` = missing (INSUFFICIENT_DATA).
#[derive(Debug, Clone, Default)]
pub(crate) struct Datapoints {
    points: VecDeque<Option<f64>>,
    keep: usize,
}

impl Datapoints {
    pub(crate) fn new(keep: usize) -> Self {
        Datapoints {
            points: VecDeque::new(),
            keep: keep.max(1),
        }
    }

    pub(crate) fn push(&mut self, v: Option<f64>) {
        self.points.push_back(v);
        while self.points.len() > self.keep {
            self.points.pop_front();
        }
    }

    /// True when the newest `n` datapoints all exist and satisfy `breach` ("N of N").
    pub(crate) fn last_n_all(&self, n: usize, breach: impl Fn(f64) -> bool) -> bool {
        n > 0
            && self.points.len() >= n
            && self
                .points
                .iter()
                .rev()
                .take(n)
                .all(|p| p.is_some_and(&breach))
    }

    pub(crate) fn latest(&self) -> Option<f64> {
        self.points.back().copied().flatten()
    }
}

/// `ceil(x)` after snapping float noise within 1e-9 of an integer, clamped to `u32`.
pub(crate) fn ceil_u32(x: f64) -> u32 {
    let r = x.round();
    let v = if (x - r).abs() < 1e-9 { r } else { x.ceil() };
    if v.is_nan() || v <= 0.0 {
        0
    } else {
        v.min(f64::from(u32::MAX)) as u32
    }
}

/// A cooldown during which scale-outs are computed from the capacity it started from.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OutCooldown {
    pub until_ns: u64,
    pub base: u32,
}
