//! Arrival-rate curves as piecewise-linear knots.
//!
//! Every curve type (ramp, spike, diurnal, CSV, ...) compiles to a sorted
//! list of `(time, rate)` knots with linear interpolation between them and
//! the last rate held afterwards. One representation keeps arrival sampling
//! simple and exact: within a knot interval the rate is linear, so its
//! maximum is at an end, which is the bound the thinning sampler needs.

/// A non-negative rate (per second) as a function of simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct RateCurve {
    /// Strictly increasing times (ns) with rates (per second), at least one.
    knots: Vec<(u64, f64)>,
}

impl RateCurve {
    pub fn constant(rate: f64) -> Self {
        RateCurve {
            knots: vec![(0, rate.max(0.0))],
        }
    }

    /// Builds from knots; sorts by time, keeps the last of equal times (a
    /// jump), clamps rates at zero. Empty input gives a zero curve.
    pub fn from_knots(mut knots: Vec<(u64, f64)>) -> Self {
        // Stable sort: knots at the same time keep their written order, and
        // the later one becomes a jump a nanosecond after the earlier.
        knots.sort_by_key(|k| k.0);
        let mut out: Vec<(u64, f64)> = Vec::with_capacity(knots.len());
        for (t, r) in knots {
            let r = if r.is_finite() { r.max(0.0) } else { 0.0 };
            match out.last() {
                Some(&(lt, lr)) if t <= lt => {
                    if r != lr {
                        out.push((lt + 1, r));
                    }
                }
                _ => out.push((t, r)),
            }
        }
        if out.is_empty() {
            out.push((0, 0.0));
        }
        if out[0].0 != 0 {
            let r0 = out[0].1;
            out.insert(0, (0, r0));
        }
        RateCurve { knots: out }
    }

    pub fn knots(&self) -> &[(u64, f64)] {
        &self.knots
    }

    /// Rate at time `t` (ns).
    pub fn rate_at(&self, t: u64) -> f64 {
        let k = &self.knots;
        let i = k.partition_point(|&(kt, _)| kt <= t);
        if i == 0 {
            return k[0].1;
        }
        if i >= k.len() {
            return k[k.len() - 1].1;
        }
        let (t0, r0) = k[i - 1];
        let (t1, r1) = k[i];
        r0 + (r1 - r0) * ((t - t0) as f64 / (t1 - t0) as f64)
    }

    /// The knot interval containing `t`: `(end, max rate on [t, end))`;
    /// `end == u64::MAX` after the last knot.
    pub fn window(&self, t: u64) -> (u64, f64) {
        let k = &self.knots;
        let i = k.partition_point(|&(kt, _)| kt <= t);
        if i >= k.len() {
            return (u64::MAX, k[k.len() - 1].1);
        }
        let end = k[i].0;
        (end, self.rate_at(t).max(k[i].1))
    }

    /// Multiplies by another curve, sampling the product at the union of
    /// both knot sets plus a one-minute grid (the product of two linear
    /// pieces is quadratic; a minute is fine enough for traffic curves).
    pub fn multiply(&self, other: &RateCurve, until_ns: u64) -> RateCurve {
        const GRID: u64 = 60_000_000_000;
        let mut times: Vec<u64> = self
            .knots
            .iter()
            .chain(other.knots.iter())
            .map(|k| k.0)
            .filter(|&t| t <= until_ns)
            .collect();
        let mut t = 0;
        while t <= until_ns {
            times.push(t);
            t = t.saturating_add(GRID);
            if t == u64::MAX {
                break;
            }
        }
        times.sort_unstable();
        times.dedup();
        RateCurve::from_knots(
            times
                .into_iter()
                .map(|t| (t, self.rate_at(t) * other.rate_at(t)))
                .collect(),
        )
    }

    /// Scales every rate (e.g. users x requests per user).
    pub fn scaled(&self, factor: f64) -> RateCurve {
        RateCurve::from_knots(self.knots.iter().map(|&(t, r)| (t, r * factor)).collect())
    }

    /// Expected number of arrivals in `[0, until)`: the integral of the rate.
    pub fn expected_count(&self, until_ns: u64) -> f64 {
        let mut total = 0.0;
        let k = &self.knots;
        for w in k.windows(2) {
            let (t0, r0) = w[0];
            let (t1, _) = w[1];
            if t0 >= until_ns {
                break;
            }
            let te = t1.min(until_ns);
            let re = self.rate_at(te);
            total += (r0 + re) / 2.0 * (te - t0) as f64 * 1e-9;
        }
        let (tl, rl) = k[k.len() - 1];
        if until_ns > tl {
            total += rl * (until_ns - tl) as f64 * 1e-9;
        }
        total
    }

    pub fn max_rate(&self) -> f64 {
        self.knots.iter().map(|k| k.1).fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const S: u64 = 1_000_000_000;

    #[test]
    fn interpolates_and_holds() {
        let c = RateCurve::from_knots(vec![(0, 100.0), (10 * S, 200.0)]);
        assert_eq!(c.rate_at(5 * S), 150.0);
        assert_eq!(c.rate_at(20 * S), 200.0);
        assert_eq!(c.window(2 * S), (10 * S, 200.0));
        assert_eq!(c.window(11 * S), (u64::MAX, 200.0));
        assert!((c.expected_count(20 * S) - (1500.0 + 2000.0)).abs() < 1e-6);
    }

    #[test]
    fn jumps_are_kept() {
        let c = RateCurve::from_knots(vec![(0, 10.0), (5 * S, 10.0), (5 * S, 50.0)]);
        assert_eq!(c.rate_at(4 * S), 10.0);
        assert_eq!(c.rate_at(6 * S), 50.0);
    }

    #[test]
    fn multiply_samples_product() {
        let a = RateCurve::constant(100.0);
        let b = RateCurve::from_knots(vec![(0, 1.0), (60 * S, 10.0)]);
        let p = a.multiply(&b, 120 * S);
        assert_eq!(p.rate_at(60 * S), 1000.0);
        assert_eq!(p.rate_at(30 * S), 550.0);
    }
}
