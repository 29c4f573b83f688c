//! Turning usage records and a catalog into a bill: one line per record, the cost of
//! the simulated span, its monthly projection, and totals per component and per SKU.
//!
//! Sums run sequentially in record order, so the same input gives the same bits.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::CostError;
use crate::projection::{self, MONTH_HOURS};
use crate::sku::Sku;
use crate::unit::{Dimension, Unit};
use crate::usage::{BillingOptions, Discount, UsageKind, UsageRecord};

/// One priced line: a component's use of a SKU over the simulated span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillLine {
    /// Model component.
    pub component: String,
    /// SKU id.
    pub sku: String,
    /// "provider product sku", for people.
    pub description: String,
    /// Billed quantity in `unit` over the span (after rounding and minimums).
    pub quantity: f64,
    /// The SKU's unit.
    pub unit: Unit,
    /// List price per unit.
    pub unit_price_usd: f64,
    /// Quantity x list price.
    pub list_usd: f64,
    /// Discount applied, if any.
    pub discount: Option<Discount>,
    /// What is paid for the span: list minus discount.
    pub amount_usd: f64,
    /// `amount_usd` projected to a 730 h month.
    pub monthly_usd: f64,
}

/// Span and month totals of a group of lines.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Totals {
    /// Paid for the simulated span.
    pub simulated_usd: f64,
    /// Projected to a 730 h month.
    pub monthly_usd: f64,
}

/// The monthly figure and how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    /// Hours in the month (730).
    pub month_hours: u32,
    /// Multiplier from the span to the month.
    pub factor: f64,
    /// The rule in words, e.g. "simulated 2 h scaled to 730 h: x365".
    pub rule: String,
    /// Projected monthly total.
    pub total_usd: f64,
}

/// A priced bill (serialises into `summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bill {
    /// Lines in usage-record order.
    pub lines: Vec<BillLine>,
    /// Length of the simulated span, ns.
    pub simulated_ns: u64,
    /// Total paid for the span.
    pub simulated_usd: f64,
    /// The monthly projection.
    pub monthly: Projection,
    /// Totals by component, ordered by name.
    pub by_component: BTreeMap<String, Totals>,
    /// Totals by SKU id, ordered by id.
    pub by_sku: BTreeMap<String, Totals>,
    /// Requests served in the span, when given.
    pub requests: Option<u64>,
    /// Span cost per 1,000 served requests (same as month cost per 1,000 month requests
    /// under the linear projection); `None` without requests.
    pub cost_per_1k_requests_usd: Option<f64>,
    /// Users served, when given.
    pub users: Option<u64>,
    /// Monthly cost per user; `None` without users.
    pub cost_per_user_month_usd: Option<f64>,
}

/// Prices every record against the catalog. Errors name the record that cannot be
/// billed (unknown SKU with close matches, unit mismatch, interval outside the span).
pub fn compute_bill(
    catalog: &Catalog,
    usage: &[UsageRecord],
    options: &BillingOptions,
) -> Result<Bill, CostError> {
    let span = options.simulated_ns;
    if span == 0 {
        return Err(CostError::Options(
            "simulated_ns is 0; a bill needs a simulated span longer than zero".to_string(),
        ));
    }
    if let Some(d) = &options.discount {
        d.validate().map_err(CostError::Options)?;
    }
    let factor = projection::month_factor(span);
    let mut lines = Vec::with_capacity(usage.len());
    for record in usage {
        let sku = catalog.get(&record.sku)?;
        lines.push(price_record(record, sku, options, factor)?);
    }

    let mut simulated_usd = 0.0;
    let mut monthly_usd = 0.0;
    let mut by_component: BTreeMap<String, Totals> = BTreeMap::new();
    let mut by_sku: BTreeMap<String, Totals> = BTreeMap::new();
    for line in &lines {
        simulated_usd += line.amount_usd;
        monthly_usd += line.monthly_usd;
        for totals in [
            by_component.entry(line.component.clone()).or_default(),
            by_sku.entry(line.sku.clone()).or_default(),
        ] {
            totals.simulated_usd += line.amount_usd;
            totals.monthly_usd += line.monthly_usd;
        }
    }

    let cost_per_1k_requests_usd = options
        .requests
        .filter(|&r| r > 0)
        .map(|r| simulated_usd / r as f64 * 1000.0);
    let cost_per_user_month_usd = options
        .users
        .filter(|&u| u > 0)
        .map(|u| monthly_usd / u as f64);

    Ok(Bill {
        lines,
        simulated_ns: span,
        simulated_usd,
        monthly: Projection {
            month_hours: MONTH_HOURS,
            factor,
            rule: projection::rule(span),
            total_usd: monthly_usd,
        },
        by_component,
        by_sku,
        requests: options.requests,
        cost_per_1k_requests_usd,
        users: options.users,
        cost_per_user_month_usd,
    })
}

fn price_record(
    record: &UsageRecord,
    sku: &Sku,
    options: &BillingOptions,
    factor: f64,
) -> Result<BillLine, CostError> {
    let fail = |message: String| CostError::Usage {
        component: record.component.clone(),
        sku: record.sku.clone(),
        message,
    };
    let quantity = quantity(&record.kind, sku, options.simulated_ns).map_err(fail)?;
    let discount = match (&record.kind, record.discount) {
        (_, Some(d)) => Some(d),
        (UsageKind::Replicas { .. }, None) => options.discount,
        _ => None,
    };
    if let Some(d) = &discount {
        d.validate().map_err(fail)?;
    }
    let list_usd = quantity * sku.price_usd;
    let amount_usd = discount.map_or(list_usd, |d| list_usd * d.multiplier());
    Ok(BillLine {
        component: record.component.clone(),
        sku: sku.id.clone(),
        description: sku.description(),
        quantity,
        unit: sku.unit,
        unit_price_usd: sku.price_usd,
        list_usd,
        discount,
        amount_usd,
        monthly_usd: amount_usd * factor,
    })
}

/// The billed quantity of one record in the SKU's unit, or why it cannot be billed.
fn quantity(kind: &UsageKind, sku: &Sku, span: u64) -> Result<f64, String> {
    let dimension = sku.unit.dimension();
    let mismatch = || {
        let fits = match dimension {
            Dimension::Time => "replicas or fixed",
            Dimension::Bytes => "bytes",
            Dimension::Count => "requests",
            Dimension::Other => "quantity",
        };
        format!(
            "`{}` usage cannot be billed in unit `{}`; use {fits} (or quantity)",
            kind.name(),
            sku.unit.as_str()
        )
    };
    match kind {
        UsageKind::Replicas { intervals, size } => {
            let period = sku.unit.period_ns(sku.month_hours).ok_or_else(mismatch)?;
            check_amount("size", *size)?;
            let mut billed: u128 = 0;
            for &(start, end) in intervals {
                if start > end || end > span {
                    return Err(format!(
                        "replica interval [{start}, {end}) ns must satisfy start <= end <= \
                         simulated span ({span} ns)"
                    ));
                }
                billed += sku.granularity.billed_ns(end - start, sku.minimum_s);
            }
            Ok(billed as f64 / period as f64 * size)
        }
        UsageKind::Fixed { quantity } => {
            let period = sku.unit.period_ns(sku.month_hours).ok_or_else(mismatch)?;
            check_amount("quantity", *quantity)?;
            let billed = sku.granularity.billed_ns(span, sku.minimum_s);
            Ok(billed as f64 / period as f64 * quantity)
        }
        UsageKind::Requests { count } => {
            let per_unit = sku.unit.items_per_unit().ok_or_else(mismatch)?;
            Ok(*count as f64 / per_unit)
        }
        UsageKind::Bytes { bytes } => {
            let per_unit = sku.unit.bytes_per_unit().ok_or_else(mismatch)?;
            Ok(*bytes as f64 / per_unit)
        }
        UsageKind::Quantity { amount } => {
            check_amount("amount", *amount)?;
            Ok(*amount)
        }
    }
}

fn check_amount(name: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(format!("{name} must be a number >= 0, found {value}"))
    }
}
