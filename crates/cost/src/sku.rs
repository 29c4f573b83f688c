//! One priced item of the catalog, and the checks that make it safe to bill with.

use serde::{Deserialize, Serialize};

use crate::unit::{Dimension, Granularity, Unit};

/// Where a price came from, so reports can flag figures that need refreshing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verified {
    /// Read in a stored official or third-party source.
    Yes,
    /// An estimate; refresh before trusting it.
    Unverified,
    /// Given or overridden by the user (model file or `--pricing`).
    User,
}

impl Verified {
    /// The word used in catalog files.
    pub fn as_str(self) -> &'static str {
        match self {
            Verified::Yes => "yes",
            Verified::Unverified => "unverified",
            Verified::User => "user",
        }
    }

    /// Parses the catalog word; `None` for anything else.
    pub fn parse(text: &str) -> Option<Verified> {
        [Verified::Yes, Verified::Unverified, Verified::User]
            .into_iter()
            .find(|v| v.as_str() == text)
    }
}

/// A priced item: an instance size, a plan, a per-GB transfer rate...
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sku {
    /// Stable id such as `aws.ec2.m7i.large`; what models refer to.
    pub id: String,
    /// Provider name as published (`AWS`, `Fly.io`).
    pub provider: String,
    /// Product name as published.
    pub product: String,
    /// Size or plan name as published.
    pub sku: String,
    /// vCPUs of one instance, when it is an instance.
    pub vcpu: Option<f64>,
    /// Memory of one instance in GiB, when it is an instance.
    pub memory_gib: Option<f64>,
    /// List price in USD per one `unit`; negative for credits.
    pub price_usd: f64,
    /// What one unit of the price buys.
    pub unit: Unit,
    /// The provider's own wording of the unit (`per cluster-hour`).
    pub unit_label: String,
    /// How lifetimes are rounded before pricing.
    pub granularity: Granularity,
    /// Minimum billed length of each lifetime, in seconds (AWS EC2: 60).
    pub minimum_s: u64,
    /// Hours in the SKU's month (730, or 720 for Fly.io and Railway).
    pub month_hours: u32,
    /// Region the price applies to.
    pub region: String,
    /// Where the price was read; empty for estimates.
    pub source_url: String,
    /// Provenance of the price.
    pub verified: Verified,
}

impl Sku {
    /// Checks the invariants billing relies on; the message says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.id.is_empty() || self.id.chars().any(|c| c.is_whitespace() || c == '`') {
            return Err(format!(
                "SKU id `{}` must be non-empty and contain no spaces or backticks",
                self.id
            ));
        }
        if !self.price_usd.is_finite() {
            return Err(format!("SKU `{}`: price must be a finite number", self.id));
        }
        // A negative price is a credit (GKE's free tier, Supabase compute
        // credits): a fixed amount per month. Per usage it would pay the
        // user for every hour, request or byte, which no provider does.
        if self.price_usd < 0.0 && self.unit != crate::unit::Unit::Month {
            return Err(format!(
                "SKU `{}`: a negative price ({}) is a credit and needs unit = \"month\"",
                self.id, self.price_usd
            ));
        }
        for (name, value) in [("vcpu", self.vcpu), ("memory_gib", self.memory_gib)] {
            if let Some(v) = value {
                if !v.is_finite() || v < 0.0 {
                    return Err(format!(
                        "SKU `{}`: {name} must be a number >= 0, found {v}",
                        self.id
                    ));
                }
            }
        }
        if !(1..=744).contains(&self.month_hours) {
            return Err(format!(
                "SKU `{}`: month_hours must be between 1 and 744, found {}",
                self.id, self.month_hours
            ));
        }
        let time_unit = self.unit.dimension() == Dimension::Time;
        let usage_granularity = self.granularity == Granularity::Usage;
        if time_unit == usage_granularity {
            return Err(format!(
                "SKU `{}`: granularity `{}` does not fit unit `{}` (time units take prorated, \
                 second, minute or hour; other units take usage)",
                self.id,
                self.granularity.as_str(),
                self.unit.as_str()
            ));
        }
        if self.minimum_s > 31 * 24 * 3600 {
            return Err(format!(
                "SKU `{}`: minimum_s {} is longer than a month",
                self.id, self.minimum_s
            ));
        }
        Ok(())
    }

    /// "provider product sku", for people reading a bill.
    pub fn description(&self) -> String {
        format!("{} {} {}", self.provider, self.product, self.sku)
    }
}

/// The default granularity for a unit when a user SKU does not give one.
pub fn default_granularity(unit: Unit) -> Granularity {
    if unit.dimension() == Dimension::Time {
        Granularity::Prorated
    } else {
        Granularity::Usage
    }
}
