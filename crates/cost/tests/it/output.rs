//! cost.csv and the serialised bill.

use capsim_cost::{compute_bill, write_cost_csv, BillingOptions, CsvBasis, UsageRecord};

use crate::{test_catalog, HOUR};

fn sample_bill() -> capsim_cost::Bill {
    let usage = [
        UsageRecord::replicas("api", "test.vm.second", vec![(0, 2 * HOUR), (0, HOUR)]),
        UsageRecord::requests("cdn, edge", "aws.cloudfront.http-requests", 3_000_000),
    ];
    let opts = BillingOptions {
        simulated_ns: 2 * HOUR,
        requests: Some(3_000_000),
        ..Default::default()
    };
    compute_bill(&test_catalog(), &usage, &opts).unwrap()
}

#[test]
fn cost_csv_columns_and_rounding() {
    let bill = sample_bill();
    let mut out = Vec::new();
    write_cost_csv(&bill, CsvBasis::Simulated, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "component,sku,quantity,unit,amount\n\
         api,test.vm.second,3,hour,1.5\n\
         \"cdn, edge\",aws.cloudfront.http-requests,3,million_requests,2.25\n"
    );
    let mut out = Vec::new();
    write_cost_csv(&bill, CsvBasis::Monthly, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "component,sku,quantity,unit,amount\n\
         api,test.vm.second,1095,hour,547.5\n\
         \"cdn, edge\",aws.cloudfront.http-requests,1095,million_requests,821.25\n"
    );
}

#[test]
fn bill_serialises_for_summary_json() {
    let json: serde_json::Value = serde_json::to_value(sample_bill()).unwrap();
    assert_eq!(
        json["monthly"]["rule"],
        "simulated 2 h scaled to 730 h: x365"
    );
    assert_eq!(json["simulated_usd"], 3.75);
    assert_eq!(json["lines"][1]["unit"], "million_requests");
    assert_eq!(json["by_component"]["api"]["monthly_usd"], 547.5);
    crate::close(json["cost_per_1k_requests_usd"].as_f64().unwrap(), 0.00125);
    assert!(json["cost_per_user_month_usd"].is_null());
}

#[test]
fn usage_records_round_trip_through_json() {
    let json = r#"[
        {"component": "api", "sku": "test.vm.second",
         "kind": {"type": "replicas", "intervals": [[0, 7200000000000]]},
         "discount": {"kind": "spot", "percent": 60.0, "interruptions_per_hour": 0.1}},
        {"component": "db", "sku": "test.plan", "kind": {"type": "fixed", "quantity": 1.0}}
    ]"#;
    let usage: Vec<UsageRecord> = serde_json::from_str(json).unwrap();
    assert_eq!(
        usage[0].kind,
        capsim_cost::UsageKind::Replicas {
            intervals: vec![(0, 2 * HOUR)],
            size: 1.0
        }
    );
    assert_eq!(
        usage[0].discount.unwrap().interruption_rate_per_hour(),
        Some(0.1)
    );
    let back: Vec<UsageRecord> =
        serde_json::from_str(&serde_json::to_string(&usage).unwrap()).unwrap();
    assert_eq!(back, usage);
    let bad =
        r#"{"component": "a", "sku": "b", "kind": {"type": "fixed", "quantity": 1.0, "qty": 2}}"#;
    assert!(serde_json::from_str::<UsageRecord>(bad).is_err());
}
