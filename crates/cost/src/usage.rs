//! What the simulator (or a user) hands to billing: plain data, no simulator types.
//!
//! The simulator records replica lifetimes and counters while it runs; billing reads
//! them afterwards. Keeping this input free of simulator types lets `capsim replay`,
//! tests and hand-written budgets (like a scaling guide's cost table) use the same path.

use serde::{Deserialize, Serialize};

use crate::unit::NS_PER_HOUR;

/// One billable thing: a component's use of one SKU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageRecord {
    /// The model component the cost belongs to (`api`, `db`, `cdn`).
    pub component: String,
    /// Catalog SKU id.
    pub sku: String,
    /// How much of the SKU was used.
    pub kind: UsageKind,
    /// A discount for this record; replica records without one take
    /// [`BillingOptions::discount`].
    #[serde(default)]
    pub discount: Option<Discount>,
}

/// How much of a SKU was used during the simulated span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum UsageKind {
    /// Replica lifetimes `[start_ns, end_ns)` within the span, one per replica life;
    /// each is rounded by the SKU's granularity and minimum, then multiplied by
    /// `size` (1 for an instance SKU; vCPUs or GB per replica for per-vCPU or per-GB
    /// SKUs such as Fargate).
    Replicas {
        /// `[start_ns, end_ns)` of each replica life.
        intervals: Vec<(u64, u64)>,
        /// SKU units held by one replica (1 when omitted).
        #[serde(default = "one")]
        size: f64,
    },
    /// A quantity held for the whole span: plans, hosts, GB of storage, a cluster.
    /// Monthly prices are prorated over the span.
    Fixed {
        /// Number of SKU units held (1 plan, 3 hosts, 50 GB).
        quantity: f64,
    },
    /// Counted requests (or commands, operations) for per-million SKUs.
    Requests {
        /// Number counted during the span.
        count: u64,
    },
    /// Bytes moved (egress, CDN bandwidth, log ingestion) for per-GB SKUs.
    Bytes {
        /// Bytes counted during the span.
        bytes: u64,
    },
    /// A quantity already in the SKU's unit (LCU-hours, million CPU-ms), billed as is.
    Quantity {
        /// Number of SKU units used during the span.
        amount: f64,
    },
}

fn one() -> f64 {
    1.0
}

impl UsageKind {
    /// The snake_case name used in messages.
    pub fn name(&self) -> &'static str {
        match self {
            UsageKind::Replicas { .. } => "replicas",
            UsageKind::Fixed { .. } => "fixed",
            UsageKind::Requests { .. } => "requests",
            UsageKind::Bytes { .. } => "bytes",
            UsageKind::Quantity { .. } => "quantity",
        }
    }
}

impl UsageRecord {
    fn new(component: &str, sku: &str, kind: UsageKind) -> Self {
        Self {
            component: component.to_string(),
            sku: sku.to_string(),
            kind,
            discount: None,
        }
    }

    /// Instance SKU billed from replica lifetimes (size 1).
    pub fn replicas(component: &str, sku: &str, intervals: Vec<(u64, u64)>) -> Self {
        Self::new(
            component,
            sku,
            UsageKind::Replicas {
                intervals,
                size: 1.0,
            },
        )
    }

    /// Resource SKU (per vCPU-hour, per GB-hour) billed from replica lifetimes.
    pub fn sized_replicas(
        component: &str,
        sku: &str,
        intervals: Vec<(u64, u64)>,
        size: f64,
    ) -> Self {
        Self::new(component, sku, UsageKind::Replicas { intervals, size })
    }

    /// A quantity held for the whole span.
    pub fn fixed(component: &str, sku: &str, quantity: f64) -> Self {
        Self::new(component, sku, UsageKind::Fixed { quantity })
    }

    /// Counted requests.
    pub fn requests(component: &str, sku: &str, count: u64) -> Self {
        Self::new(component, sku, UsageKind::Requests { count })
    }

    /// Bytes moved.
    pub fn bytes(component: &str, sku: &str, bytes: u64) -> Self {
        Self::new(component, sku, UsageKind::Bytes { bytes })
    }

    /// A quantity in the SKU's own unit.
    pub fn quantity(component: &str, sku: &str, amount: f64) -> Self {
        Self::new(component, sku, UsageKind::Quantity { amount })
    }

    /// The same record with a discount.
    pub fn with_discount(mut self, discount: Discount) -> Self {
        self.discount = Some(discount);
        self
    }
}

/// A price reduction for committed or interruptible capacity. Percentages are off the
/// list price (30 means pay 70%).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Discount {
    /// Reserved instances / reserved nodes / committed use.
    Reserved {
        /// Percent off list price, 0..=100.
        percent: f64,
    },
    /// Savings plans.
    SavingsPlan {
        /// Percent off list price, 0..=100.
        percent: f64,
    },
    /// Spot / preemptible capacity.
    Spot {
        /// Percent off list price, 0..=100.
        percent: f64,
        /// Expected interruptions per replica-hour. Billing does not simulate them;
        /// the simulator may read [`Discount::interruption_rate_per_hour`] and turn it
        /// into failure events.
        #[serde(default)]
        interruptions_per_hour: Option<f64>,
    },
}

impl Discount {
    /// Percent off list price.
    pub fn percent(&self) -> f64 {
        match *self {
            Discount::Reserved { percent }
            | Discount::SavingsPlan { percent }
            | Discount::Spot { percent, .. } => percent,
        }
    }

    /// The snake_case name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            Discount::Reserved { .. } => "reserved",
            Discount::SavingsPlan { .. } => "savings_plan",
            Discount::Spot { .. } => "spot",
        }
    }

    /// The fraction of list price paid.
    pub fn multiplier(&self) -> f64 {
        1.0 - self.percent() / 100.0
    }

    /// Spot interruptions per replica-hour, if given.
    pub fn interruption_rate_per_hour(&self) -> Option<f64> {
        match *self {
            Discount::Spot {
                interruptions_per_hour,
                ..
            } => interruptions_per_hour,
            _ => None,
        }
    }

    /// Mean time between spot interruptions of one replica, in nanoseconds, for a
    /// simulator that draws exponential interruption times. `None` without a rate or
    /// with a rate of zero (never interrupted).
    pub fn mean_time_between_interruptions_ns(&self) -> Option<u64> {
        let rate = self.interruption_rate_per_hour()?;
        if !(rate.is_finite() && rate > 0.0) {
            return None;
        }
        // Saturating float-to-int cast: a tiny rate gives u64::MAX, i.e. "never".
        Some((NS_PER_HOUR as f64 / rate) as u64)
    }

    /// Checks the ranges; the message says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let p = self.percent();
        if !(p.is_finite() && (0.0..=100.0).contains(&p)) {
            return Err(format!(
                "{} discount percent must be between 0 and 100, found {p}",
                self.name()
            ));
        }
        if let Some(r) = self.interruption_rate_per_hour() {
            if !(r.is_finite() && r >= 0.0) {
                return Err(format!(
                    "spot interruptions_per_hour must be a number >= 0, found {r}"
                ));
            }
        }
        Ok(())
    }
}

/// Run-wide billing inputs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingOptions {
    /// Length of the simulated span the usage covers, ns (> 0).
    pub simulated_ns: u64,
    /// Discount applied to `replicas` records that carry none (reserved fleet, spot
    /// workers). Fixed and usage records are never discounted implicitly.
    #[serde(default)]
    pub discount: Option<Discount>,
    /// Requests served during the span, for cost per 1,000 requests.
    #[serde(default)]
    pub requests: Option<u64>,
    /// Users the system serves, for cost per user-month.
    #[serde(default)]
    pub users: Option<u64>,
}
