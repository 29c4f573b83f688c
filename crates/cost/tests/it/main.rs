//! Integration tests of capsim-cost, one binary with a module per topic.
//!
//! Money is f64 USD. Where the figures are binary-exact (prices like 0.5 or 0.75,
//! durations that divide evenly) the tests compare with `==`; elsewhere they use
//! [`close`], a relative tolerance of 1e-9: decimal prices such as 0.096 are not
//! representable in binary, so each multiplication may round in its last bit
//! (~1e-16 relative), and 1e-9 is far above that yet far below a cent on any bill here.

mod ai_mate;
mod billing;
mod catalog;
mod output;

pub const S: u64 = 1_000_000_000;
pub const MIN: u64 = 60 * S;
pub const HOUR: u64 = 3_600 * S;

/// Relative comparison with 1e-9 tolerance (see the module doc for why).
#[track_caller]
pub fn close(actual: f64, expected: f64) {
    let scale = expected.abs().max(1e-12);
    assert!(
        ((actual - expected) / scale).abs() <= 1e-9,
        "expected {expected}, got {actual}"
    );
}

/// The shipped catalog plus a few binary-exact user SKUs for arithmetic tests.
pub fn test_catalog() -> capsim_cost::Catalog {
    let mut catalog = capsim_cost::Catalog::builtin().expect("shipped catalog parses");
    catalog
        .merge_toml_str(
            r#"
[[sku]]
id = "test.vm.second"
price = 0.5
unit = "hour"
granularity = "second"

[[sku]]
id = "test.vm.hour"
price = 0.5
unit = "hour"
granularity = "hour"

[[sku]]
id = "test.vm.flat"
price = 1.0
unit = "hour"
granularity = "second"
minimum_s = 60

[[sku]]
id = "test.plan"
price = 25.0
unit = "month"

[[sku]]
id = "test.egress.gib"
price = 0.5
unit = "gib"
"#,
            "test catalog",
        )
        .expect("test SKUs are valid");
    catalog
}
