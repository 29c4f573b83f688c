//! Latency distributions: an HDR histogram (3 significant digits, 1 µs to
//! 30 days) for percentiles, plus an exact sum for the mean.

use hdrhistogram::Histogram;

/// Recorded in microseconds; the top of the range bounds memory whatever the
/// input (longer values saturate at it).
const HIGHEST_US: u64 = 30 * 86_400 * 1_000_000;

#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    hist: Histogram<u64>,
    sum_ns: u128,
    count: u64,
    max_ns: u64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new(3)
    }
}

impl LatencyHistogram {
    /// `sigfig` significant digits (1 to 5); 3 keeps percentiles within 0.1%.
    pub fn new(sigfig: u8) -> Self {
        LatencyHistogram {
            // Bounds and sigfig are constants within the crate's documented
            // limits (low 1, high > 2 x low, sigfig <= 5), so this cannot fail.
            hist: Histogram::new_with_bounds(1, HIGHEST_US, sigfig.clamp(1, 5))
                .expect("valid histogram bounds"),
            sum_ns: 0,
            count: 0,
            max_ns: 0,
        }
    }

    #[inline]
    pub fn record_ns(&mut self, ns: u64) {
        self.hist.saturating_record(ns / 1_000);
        self.sum_ns += ns as u128;
        self.count += 1;
        if ns > self.max_ns {
            self.max_ns = ns;
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Exact mean in milliseconds (0 when empty).
    pub fn mean_ms(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum_ns as f64 / self.count as f64 / 1e6
        }
    }

    /// The `q` quantile (0..=1) in milliseconds, from the histogram, never
    /// above the exact maximum: the histogram reports a bucket's highest
    /// equivalent value, which can lie above every value recorded in it.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let v = self.hist.value_at_quantile(q.clamp(0.0, 1.0)) as f64 / 1e3;
        v.min(self.max_ms())
    }

    /// Exact maximum in milliseconds.
    pub fn max_ms(&self) -> f64 {
        self.max_ns as f64 / 1e6
    }

    /// Fraction of recorded values strictly above `ns` (histogram precision).
    pub fn fraction_above_ns(&self, ns: u64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let us = ns / 1_000;
        let at_or_below = self.hist.count_between(0, us);
        1.0 - at_or_below as f64 / self.hist.len() as f64
    }

    /// Adds another histogram's values (e.g. interval into total).
    pub fn merge(&mut self, other: &LatencyHistogram) {
        // Same bounds on both sides, so addition cannot fail.
        let _ = self.hist.add(&other.hist);
        self.sum_ns += other.sum_ns;
        self.count += other.count;
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    pub fn reset(&mut self) {
        self.hist.reset();
        self.sum_ns = 0;
        self.count = 0;
        self.max_ns = 0;
    }

    /// The underlying histogram, for CDF plots.
    pub fn hdr(&self) -> &Histogram<u64> {
        &self.hist
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_never_exceed_the_maximum() {
        let mut h = LatencyHistogram::default();
        // 1000.123456 ms sits in a bucket whose top is above it.
        for _ in 0..1000 {
            h.record_ns(1_000_123_456);
        }
        assert!(h.hdr().value_at_quantile(0.999) as f64 / 1e3 > h.max_ms());
        assert_eq!(h.quantile_ms(0.999), h.max_ms());
        assert_eq!(h.quantile_ms(0.5), h.max_ms());
        // Beyond the 30-day range values saturate, the maximum stays exact.
        h.record_ns(40 * 86_400 * 1_000_000_000);
        assert!(h.quantile_ms(1.0) <= h.max_ms());
    }

    #[test]
    fn exact_mean_and_close_percentiles() {
        let mut h = LatencyHistogram::default();
        for i in 1..=1000u64 {
            h.record_ns(i * 1_000_000);
        }
        assert_eq!(h.mean_ms(), 500.5);
        assert!((h.quantile_ms(0.95) - 950.0).abs() / 950.0 < 1e-3);
        assert_eq!(h.max_ms(), 1000.0);
        assert!((h.fraction_above_ns(900_000_000) - 0.1).abs() < 2e-3);
    }
}
