//! Item 1: arrival generation cannot livelock.

use super::{load_error, within, ONE_SERVICE};
use crate::support::load;
use capsim::scenario::{RateCurve, Workload};
use std::time::Duration;

#[test]
fn offered_rates_above_the_maximum_are_located_errors() {
    for workload in [
        "rate = 1e9",
        "rate = 1e18",
        "curve = { type = \"step\", rate = 1, steps = [{ at = \"5s\", rate = 1e12 }] }",
        "curve = { type = \"spike\", base = 10, factor = 1e300, at = \"1s\", hold = \"1s\" }",
    ] {
        let sc = format!("duration = \"10s\"\n[workload]\ntype = \"open\"\n{workload}\n");
        let e = load_error(ONE_SERVICE, &sc);
        assert!(e.contains("scenario.toml:4:"), "{workload}: {e}");
        assert!(e.contains("above the maximum of 1e7 requests/s"), "{e}");
    }
}

#[test]
fn the_maximum_rate_itself_is_accepted() {
    let (_, sc) = load(
        ONE_SERVICE,
        "duration = \"1s\"\n[workload]\ntype = \"open\"\nrate = 1e7\n",
    );
    assert!(matches!(sc.workload, Workload::Open { .. }));
}

/// A jump to a huge rate puts a 1-ns knot window whose bound is that rate
/// while the rate inside is 1/s: every candidate gap rounds to 0 ns and is
/// rejected. The loader refuses such rates, so this builds the curve
/// directly to prove the arrival loop itself still advances.
#[test]
fn a_one_ns_window_with_a_huge_bound_does_not_livelock() {
    let (sys, mut sc) = load(
        ONE_SERVICE,
        "duration = \"1s\"\n[workload]\ntype = \"open\"\nrate = 1\n",
    );
    let end = sc.duration_ns;
    if let Workload::Open { rate, .. } = &mut sc.workload {
        *rate = RateCurve::from_knots(vec![(0, 1.0), (end, 1.0), (end, 1e12)]);
    }
    let r = within(Duration::from_secs(20), move || {
        capsim::stack::simulate(&sys, &sc, 1, 0)
    });
    assert!(r.requests.total < 10, "total {}", r.requests.total);
}
