//! # capsim-cost — prices and bills
//!
//! What the month costs, computed from what a run recorded, never from inside the
//! running simulation:
//!
//! * [`catalog`] — the shipped price catalog (`pricing/catalog.csv`, every row with its
//!   source) plus user SKUs and overrides (inline TOML or `--pricing FILE`); an unknown
//!   SKU is an error naming the close matches.
//! * [`unit`] — normalised price units and billing granularity (per started second
//!   with a minimum, per minute, per started hour, prorated).
//! * [`usage`] — the billing input: replica lifetimes, fixed monthly items, request
//!   and byte counters, discounts (reserved, savings plan, spot).
//! * [`bill`] — the bill: lines, span cost, monthly projection (730 h, rule written
//!   beside it), totals per component and SKU, cost per 1,000 requests and per user.
//! * [`output`] — `cost.csv`; the [`Bill`] itself serialises into `summary.json`.
//!
//! ```
//! use capsim_cost::{compute_bill, BillingOptions, Catalog, UsageRecord};
//! const HOUR: u64 = 3_600_000_000_000;
//! let mut catalog = Catalog::builtin().expect("shipped catalog is valid");
//! catalog.merge_toml_str("[[sku]]\nid = \"my.vm\"\nprice = 0.5\nunit = \"hour\"\n", "inline").unwrap();
//! let usage = [UsageRecord::replicas("api", "my.vm", vec![(0, 2 * HOUR), (0, 2 * HOUR)])];
//! let options = BillingOptions { simulated_ns: 2 * HOUR, ..Default::default() };
//! let bill = compute_bill(&catalog, &usage, &options).unwrap();
//! assert_eq!(bill.simulated_usd, 2.0); // 2 replicas x 2 h x $0.5
//! assert_eq!(bill.monthly.rule, "simulated 2 h scaled to 730 h: x365");
//! ```

pub mod bill;
pub mod catalog;
pub mod error;
pub mod output;
pub mod projection;
pub mod sku;
pub mod suggest;
pub mod unit;
pub mod usage;

pub use bill::{compute_bill, Bill, BillLine, Projection, Totals};
pub use catalog::{Catalog, SkuOverride};
pub use error::CostError;
pub use output::{write_cost_csv, CsvBasis};
pub use sku::{Sku, Verified};
pub use unit::{Granularity, Unit};
pub use usage::{BillingOptions, Discount, UsageKind, UsageRecord};
