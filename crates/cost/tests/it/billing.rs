//! Billing arithmetic: granularity, minimums, discounts, usage items, projection.

use capsim_cost::{compute_bill, BillingOptions, CostError, Discount, UsageRecord};

use crate::{close, test_catalog, HOUR, MIN, S};

fn options(simulated_ns: u64) -> BillingOptions {
    BillingOptions {
        simulated_ns,
        ..Default::default()
    }
}

#[test]
fn fixed_replicas_times_hours_times_price() {
    // 3 replicas x 2 h x $0.5/h = $3, every figure binary-exact.
    let usage = [UsageRecord::replicas(
        "api",
        "test.vm.second",
        vec![(0, 2 * HOUR); 3],
    )];
    let bill = compute_bill(&test_catalog(), &usage, &options(2 * HOUR)).unwrap();
    assert_eq!(bill.lines[0].quantity, 6.0);
    assert_eq!(bill.lines[0].amount_usd, 3.0);
    assert_eq!(bill.simulated_usd, 3.0);
    assert_eq!(bill.monthly.total_usd, 3.0 * 365.0);
}

#[test]
fn scale_up_mid_run_per_second_vs_per_started_hour() {
    // One replica all 2 h; a second one starts at 30 min 0.5 s and runs to the end:
    // 5,399.5 s of life.
    let timeline = vec![(0, 2 * HOUR), (30 * MIN + S / 2, 2 * HOUR)];
    let usage = [
        UsageRecord::replicas("per_second", "test.vm.second", timeline.clone()),
        UsageRecord::replicas("per_hour", "test.vm.hour", timeline),
    ];
    let bill = compute_bill(&test_catalog(), &usage, &options(2 * HOUR)).unwrap();
    // Per second: 7,200 s + 5,400 s (the half second rounds up) = 3.5 h x $0.5.
    assert_eq!(bill.lines[0].quantity, 3.5);
    assert_eq!(bill.by_component["per_second"].simulated_usd, 1.75);
    // Per started hour: 2 h + 2 h (1.4999 h starts two hours) = 4 h x $0.5.
    assert_eq!(bill.lines[1].quantity, 4.0);
    assert_eq!(bill.by_component["per_hour"].simulated_usd, 2.0);
}

#[test]
fn per_second_with_60_s_minimum() {
    // $1/h SKU, 60 s minimum: lives of 10 s, 59.2 s and 61.3 s bill 60 + 60 + 62 s.
    let usage = [UsageRecord::replicas(
        "burst",
        "test.vm.flat",
        vec![
            (0, 10 * S),
            (MIN, MIN + 59 * S + S / 5),
            (2 * MIN, 3 * MIN + S + 3 * S / 10),
        ],
    )];
    let bill = compute_bill(&test_catalog(), &usage, &options(HOUR)).unwrap();
    close(bill.lines[0].quantity, 182.0 / 3600.0);
    close(bill.simulated_usd, 182.0 / 3600.0);

    // The shipped AWS row carries the same rule: 10 s of m7i.large costs 60 s.
    let usage = [UsageRecord::replicas(
        "api",
        "aws.ec2.m7i.large",
        vec![(0, 10 * S)],
    )];
    let bill = compute_bill(&test_catalog(), &usage, &options(HOUR)).unwrap();
    close(bill.simulated_usd, 0.1008 / 60.0);

    // A replica that never ran is not billed, minimum or not.
    let usage = [UsageRecord::replicas(
        "api",
        "aws.ec2.m7i.large",
        vec![(5 * S, 5 * S)],
    )];
    assert_eq!(
        compute_bill(&test_catalog(), &usage, &options(HOUR))
            .unwrap()
            .simulated_usd,
        0.0
    );
}

#[test]
fn reserved_and_spot_discounts() {
    let four_hours = vec![(0, 4 * HOUR); 2]; // 2 replicas x 4 h x $0.5 = $4 list
    let spot = Discount::Spot {
        percent: 75.0,
        interruptions_per_hour: Some(0.5),
    };
    let usage = [
        UsageRecord::replicas("reserved", "test.vm.second", four_hours.clone())
            .with_discount(Discount::Reserved { percent: 25.0 }),
        UsageRecord::replicas("spot", "test.vm.second", four_hours.clone()).with_discount(spot),
        UsageRecord::replicas("fleet", "test.vm.second", four_hours),
        UsageRecord::fixed("plan", "test.plan", 1.0),
    ];
    let opts = BillingOptions {
        simulated_ns: 4 * HOUR,
        discount: Some(Discount::SavingsPlan { percent: 50.0 }),
        ..Default::default()
    };
    let bill = compute_bill(&test_catalog(), &usage, &opts).unwrap();
    assert_eq!(bill.lines[0].list_usd, 4.0);
    assert_eq!(bill.lines[0].amount_usd, 3.0);
    assert_eq!(bill.lines[1].amount_usd, 1.0);
    // The run-wide savings plan applies to replica records without their own discount...
    assert_eq!(bill.lines[2].amount_usd, 2.0);
    assert_eq!(bill.lines[2].discount, opts.discount);
    // ...but never to fixed items.
    assert_eq!(bill.lines[3].discount, None);
    // The interruption rate is exposed for the simulator, not simulated here.
    assert_eq!(spot.interruption_rate_per_hour(), Some(0.5));
    assert_eq!(spot.mean_time_between_interruptions_ns(), Some(2 * HOUR));

    let bad = [UsageRecord::replicas("x", "test.vm.second", vec![])
        .with_discount(Discount::Reserved { percent: 120.0 })];
    let err = compute_bill(&test_catalog(), &bad, &options(HOUR)).unwrap_err();
    assert!(
        err.to_string().contains("between 0 and 100, found 120"),
        "{err}"
    );
}

#[test]
fn usage_items_from_bytes_and_requests() {
    let usage = [
        // 2^31 bytes = 2 GiB at $0.5/GiB = $1.
        UsageRecord::bytes("api", "test.egress.gib", 1 << 31),
        // 3M CloudFront HTTP requests at $0.75/M = $2.25.
        UsageRecord::requests("cdn", "aws.cloudfront.http-requests", 3_000_000),
        // 2.5 GB (10^9 bytes) of AWS egress at $0.09/GB.
        UsageRecord::bytes("api", "aws.egress.to-10tb", 2_500_000_000),
        // LCU-hours computed by the caller, billed as given.
        UsageRecord::quantity("lb", "aws.alb.lcu", 3.0),
    ];
    let bill = compute_bill(&test_catalog(), &usage, &options(HOUR)).unwrap();
    assert_eq!(bill.lines[0].amount_usd, 1.0);
    assert_eq!(bill.lines[1].amount_usd, 2.25);
    assert_eq!(bill.lines[2].quantity, 2.5);
    close(bill.lines[2].amount_usd, 0.225);
    close(bill.lines[3].amount_usd, 0.024);
    close(bill.by_sku["aws.egress.to-10tb"].monthly_usd, 0.225 * 730.0);
}

#[test]
fn projection_rule_and_unit_costs() {
    let usage = [
        UsageRecord::replicas("api", "test.vm.second", vec![(0, 2 * HOUR)]),
        UsageRecord::fixed("db", "test.plan", 1.0),
    ];
    let opts = BillingOptions {
        simulated_ns: 2 * HOUR,
        requests: Some(4_000),
        users: Some(100),
        ..Default::default()
    };
    let bill = compute_bill(&test_catalog(), &usage, &opts).unwrap();
    assert_eq!(bill.monthly.rule, "simulated 2 h scaled to 730 h: x365");
    assert_eq!(bill.monthly.factor, 365.0);
    assert_eq!(bill.monthly.month_hours, 730);
    // 1 replica x 2 h x $0.5 = $1 in the span, $365 a month.
    assert_eq!(bill.by_component["api"].monthly_usd, 365.0);
    // A $25/month plan prorated over 2 h (25 x 2/730) projects back to $25.
    close(bill.by_component["db"].simulated_usd, 25.0 * 2.0 / 730.0);
    close(bill.by_component["db"].monthly_usd, 25.0);
    close(bill.monthly.total_usd, 390.0);
    // 4,000 requests in the span cost (1 + 25x2/730) USD: per 1,000 = that / 4.
    close(
        bill.cost_per_1k_requests_usd.unwrap(),
        (1.0 + 50.0 / 730.0) / 4.0,
    );
    close(bill.cost_per_user_month_usd.unwrap(), 3.9);
}

#[test]
fn provider_months_and_per_minute_billing() {
    let catalog = test_catalog();
    // Fly.io prices a 30-day (720 h) month: 720 h of a $6.70 Machine cost $6.70,
    // and the 730 h projection is 6.70 x 730/720.
    let usage = [UsageRecord::replicas(
        "app",
        "fly.machine.shared-cpu-1x-1gb",
        vec![(0, 720 * HOUR)],
    )];
    let bill = compute_bill(&catalog, &usage, &options(720 * HOUR)).unwrap();
    close(bill.simulated_usd, 6.7);
    close(bill.monthly.total_usd, 6.7 * 730.0 / 720.0);
    // Railway: per started minute of a 2-vCPU replica, $20 per vCPU-month of 720 h.
    let usage = [UsageRecord::sized_replicas(
        "api",
        "railway.compute.vcpu",
        vec![(0, 90 * S + S / 2)],
        2.0,
    )];
    let bill = compute_bill(&catalog, &usage, &options(HOUR)).unwrap();
    close(bill.lines[0].quantity, 2.0 * 120.0 / (720.0 * 3600.0));
}

#[test]
fn invalid_usage_is_an_error_not_a_panic() {
    let catalog = test_catalog();
    let check = |usage: UsageRecord, span: u64, expect: &str| {
        let err = compute_bill(&catalog, &[usage], &options(span)).unwrap_err();
        assert!(err.to_string().contains(expect), "{err}");
    };
    check(
        UsageRecord::replicas("api", "test.vm.second", vec![(0, 2 * HOUR)]),
        HOUR,
        "must satisfy start <= end <= simulated span",
    );
    check(
        UsageRecord::replicas("api", "test.vm.second", vec![(10, 5)]),
        HOUR,
        "[10, 5)",
    );
    check(
        UsageRecord::bytes("api", "test.vm.second", 5),
        HOUR,
        "`bytes` usage cannot be billed in unit `hour`; use replicas or fixed",
    );
    check(
        UsageRecord::replicas("api", "test.egress.gib", vec![]),
        HOUR,
        "use bytes",
    );
    check(
        UsageRecord::fixed("db", "test.plan", -1.0),
        HOUR,
        "quantity must be a number >= 0, found -1",
    );
    check(
        UsageRecord::fixed("db", "test.plan", f64::NAN),
        HOUR,
        "found NaN",
    );
    check(
        UsageRecord::fixed("db", "test.plan", 1.0),
        0,
        "simulated_ns is 0",
    );
    let err = compute_bill(
        &catalog,
        &[UsageRecord::fixed("db", "aws.rds.db.t4g.micr", 1.0)],
        &options(HOUR),
    )
    .unwrap_err();
    assert!(matches!(err, CostError::UnknownSku { .. }));
    assert!(err.to_string().contains("`aws.rds.db.t4g.micro`"), "{err}");
}

#[test]
fn huge_fleets_do_not_overflow() {
    // 10,000 replicas for a year would overflow u64 nanoseconds when summed.
    let year = 8_760 * HOUR;
    let usage = [UsageRecord::replicas(
        "api",
        "test.vm.second",
        vec![(0, year); 10_000],
    )];
    let bill = compute_bill(&test_catalog(), &usage, &options(year)).unwrap();
    assert_eq!(bill.lines[0].quantity, 87_600_000.0);
}
