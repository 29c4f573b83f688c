//! Item 4: user durations are added with saturating arithmetic, so two
//! long ones mean "never", not a sum that wraps around.

use crate::support::load;
use capsim::stack::result::ErrorKind;
use capsim::stack::simulate;

fn regions_model(detection: &str, dns_ttl: &str) -> String {
    format!(
        r#"
[regions]
users = {{ us = 0.5, eu = 0.5 }}
latency = {{ "us:eu" = "40ms" }}
detection = "{detection}"
dns_ttl = "{dns_ttl}"

[[classes]]
name = "a"
share = 1
entry = "api"

[components.api]
kind = "service"
regions = ["us", "eu"]
replicas = 2
cores = 64
concurrency = 1000
cpu = "1ms"
balancer = {{ max_fails = 0 }}
"#
    )
}

const OUTAGE: &str = "duration = \"2m\"\nseed = 9\ninterval = \"10s\"\n[workload]\ntype = \"open\"\nrate = 100\n\n[[events]]\nat = \"60s\"\nkind = \"region_outage\"\ntarget = \"eu\"\n";

/// detection + dns_ttl = 2^64 ns + 20 s: a wrapping sum would fail over
/// 20 s after the outage; saturated, the EU users fail for the rest of the
/// run, exactly as with a failover delay longer than the run.
#[test]
fn region_failover_delay_saturates_instead_of_wrapping() {
    let (sys, sc) = load(&regions_model("100000d", "9806744093709551616ns"), OUTAGE);
    let huge = simulate(&sys, &sc, sc.seed, 0);
    let (sys, sc) = load(&regions_model("1d", "1d"), OUTAGE);
    let never = simulate(&sys, &sc, sc.seed, 0);
    let unavailable = huge.requests.errors.get(ErrorKind::Unavailable);
    // About 50/s for the last 60 s.
    assert!(unavailable > 2500, "{unavailable}");
    assert_eq!(
        unavailable,
        never.requests.errors.get(ErrorKind::Unavailable)
    );
    assert_eq!(huge.requests.failed, never.requests.failed);
}

/// Closed-workload stages whose durations add past u64::MAX are a located
/// error (too long), not a wrapped total duration. (With overflow checks
/// on, as in this suite's builds, the unchecked sum panicked.)
#[test]
fn stage_durations_that_add_past_the_range_are_too_long() {
    let e = super::load_error(
        super::ONE_SERVICE,
        "[workload]\ntype = \"closed\"\nstages = [{ duration = \"100000d\", target = 1 }, { duration = \"100000d\", target = 1 }]\n",
    );
    assert!(e.contains("at most 366 days"), "{e}");
}
