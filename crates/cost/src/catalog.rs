//! The price catalog: the SKUs shipped in `pricing/catalog.csv`, plus whatever the
//! user adds or overrides in the model (an inline `[[pricing.sku]]` table) or with
//! `--pricing FILE` (TOML `[[sku]]` tables, or CSV with the catalog's columns).
//!
//! SKUs are kept in a `BTreeMap` by id so iteration order, and so every output that
//! lists them, is the same on every machine.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::CostError;
use crate::sku::{default_granularity, Sku, Verified};
use crate::suggest::close_matches;
use crate::unit::{Granularity, Unit};

/// The shipped catalog, compiled in so a fresh checkout needs no data files at run time.
pub const BUILTIN_CSV: &str = include_str!("../../../pricing/catalog.csv");

/// How the shipped catalog is named in error messages.
pub const BUILTIN_ORIGIN: &str = "pricing/catalog.csv";

/// A set of SKUs addressed by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    skus: BTreeMap<String, Sku>,
}

/// One user-supplied SKU or override: only `id` is required to override an existing
/// SKU (the fields given replace the catalog's); a new SKU also needs `price` and
/// `unit`. Field names match the columns of `pricing/catalog.csv`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuOverride {
    /// Id of the SKU to add or override.
    pub id: String,
    /// Provider name.
    pub provider: Option<String>,
    /// Product name.
    pub product: Option<String>,
    /// Size or plan name.
    pub sku: Option<String>,
    /// vCPUs per instance.
    pub vcpu: Option<f64>,
    /// Memory per instance, GiB.
    pub memory_gib: Option<f64>,
    /// USD per unit.
    pub price: Option<f64>,
    /// Normalised unit (`hour`, `month`, `gb`, `million_requests`...).
    pub unit: Option<Unit>,
    /// Provider wording of the unit.
    pub unit_label: Option<String>,
    /// Rounding of lifetimes (`prorated`, `second`, `minute`, `hour`, `usage`).
    pub granularity: Option<Granularity>,
    /// Minimum billed seconds per lifetime.
    pub minimum_s: Option<u64>,
    /// Hours in the SKU's month.
    pub month_hours: Option<u32>,
    /// Region.
    pub region: Option<String>,
    /// Where the price comes from.
    pub source_url: Option<String>,
}

/// A `--pricing` TOML file: `[[sku]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PricingFile {
    #[serde(default)]
    sku: Vec<SkuOverride>,
}

/// One CSV row as text; every column but `id`, `price` and `unit` may be missing.
#[derive(Debug, Deserialize)]
struct CsvRow {
    id: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    vcpu: String,
    #[serde(default)]
    memory_gib: String,
    price: String,
    unit: String,
    #[serde(default)]
    unit_label: String,
    #[serde(default)]
    granularity: String,
    #[serde(default)]
    minimum_s: String,
    #[serde(default)]
    month_hours: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    source_url: String,
    #[serde(default)]
    verified: String,
}

impl Catalog {
    /// A catalog with no SKUs.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The shipped catalog. It is validated by this crate's tests, so an error here
    /// means the file was edited badly; it is still returned, not panicked on.
    pub fn builtin() -> Result<Self, CostError> {
        let mut catalog = Self::empty();
        catalog.merge_csv_str(BUILTIN_CSV, BUILTIN_ORIGIN, Verified::Yes)?;
        Ok(catalog)
    }

    /// Number of SKUs.
    pub fn len(&self) -> usize {
        self.skus.len()
    }

    /// True when there are no SKUs.
    pub fn is_empty(&self) -> bool {
        self.skus.is_empty()
    }

    /// All SKUs, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Sku> {
        self.skus.values()
    }

    /// Looks a SKU up; an unknown id is an error naming the closest ids.
    pub fn get(&self, id: &str) -> Result<&Sku, CostError> {
        self.skus.get(id).ok_or_else(|| CostError::UnknownSku {
            id: id.to_string(),
            suggestions: close_matches(id, self.skus.keys().map(String::as_str), 5),
        })
    }

    /// Adds or replaces a SKU after validating it; returns the one it replaced.
    pub fn insert(&mut self, sku: Sku) -> Result<Option<Sku>, String> {
        sku.validate()?;
        Ok(self.skus.insert(sku.id.clone(), sku))
    }

    /// Adds the rows of a CSV text with the catalog's columns (`id`, `price` and `unit`
    /// required). Rows whose `verified` column is empty get `default_verified`.
    pub fn merge_csv_str(
        &mut self,
        text: &str,
        origin: &str,
        default_verified: Verified,
    ) -> Result<(), CostError> {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| catalog_error(origin, Some(1), format!("cannot read the header: {e}")))?
            .clone();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line());
                catalog_error(origin, line, format!("malformed CSV: {e}"))
            })?;
            let line = record.position().map(|p| p.line());
            let row: CsvRow = record
                .deserialize(Some(&headers))
                .map_err(|e| catalog_error(origin, line, format!("{e}")))?;
            let sku =
                row_to_sku(row, default_verified).map_err(|m| catalog_error(origin, line, m))?;
            self.insert(sku)
                .map_err(|m| catalog_error(origin, line, m))?;
        }
        Ok(())
    }

    /// Applies user SKUs: overrides of existing ids keep the fields not given; new ids
    /// need `price` and `unit`. Every SKU touched is marked [`Verified::User`].
    pub fn apply_overrides(
        &mut self,
        overrides: &[SkuOverride],
        origin: &str,
    ) -> Result<(), CostError> {
        for (index, o) in overrides.iter().enumerate() {
            let at = |m: String| {
                catalog_error(
                    origin,
                    None,
                    format!("[[sku]] #{} (id = \"{}\"): {m}", index + 1, o.id),
                )
            };
            let sku = match self.skus.get(&o.id) {
                Some(existing) => merge_override(existing.clone(), o),
                None => new_sku(o).map_err(at)?,
            };
            self.insert(sku).map_err(at)?;
        }
        Ok(())
    }

    /// Applies a TOML text of `[[sku]]` tables (see [`SkuOverride`]).
    pub fn merge_toml_str(&mut self, text: &str, origin: &str) -> Result<(), CostError> {
        let file: PricingFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| {
                // Count bytes, not chars: a span never needs a char boundary here.
                let before = &text.as_bytes()[..span.start.min(text.len())];
                1 + before.iter().filter(|&&b| b == b'\n').count() as u64
            });
            catalog_error(origin, line, e.message().to_string())
        })?;
        self.apply_overrides(&file.sku, origin)
    }

    /// Applies a `--pricing` file: `.csv` is read as catalog rows, anything else as TOML.
    pub fn merge_file(&mut self, path: &Path) -> Result<(), CostError> {
        let text = std::fs::read_to_string(path).map_err(|source| CostError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let origin = path.display().to_string();
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv {
            self.merge_csv_str(&text, &origin, Verified::User)
        } else {
            self.merge_toml_str(&text, &origin)
        }
    }
}

fn catalog_error(origin: &str, line: Option<u64>, message: String) -> CostError {
    CostError::Catalog {
        origin: origin.to_string(),
        line,
        message,
    }
}

fn row_to_sku(row: CsvRow, default_verified: Verified) -> Result<Sku, String> {
    let price_usd = parse_number("price", &row.price)?
        .ok_or_else(|| format!("SKU `{}`: column `price` is empty", row.id))?;
    let unit = Unit::parse(row.unit.trim()).ok_or_else(|| {
        let valid: Vec<&str> = Unit::ALL.iter().map(|u| u.as_str()).collect();
        format!(
            "SKU `{}`: unknown unit `{}`; expected one of {}",
            row.id,
            row.unit,
            valid.join(", ")
        )
    })?;
    let granularity = match row.granularity.trim() {
        "" => default_granularity(unit),
        g => Granularity::parse(g).ok_or_else(|| {
            let valid: Vec<&str> = Granularity::ALL.iter().map(|g| g.as_str()).collect();
            format!(
                "SKU `{}`: unknown granularity `{g}`; expected one of {}",
                row.id,
                valid.join(", ")
            )
        })?,
    };
    let verified = match row.verified.trim() {
        "" => default_verified,
        v => Verified::parse(v).ok_or_else(|| {
            format!(
                "SKU `{}`: verified must be yes, unverified or user, found `{v}`",
                row.id
            )
        })?,
    };
    let minimum_s = parse_integer("minimum_s", &row.minimum_s)?.unwrap_or(0);
    let month_hours = parse_integer("month_hours", &row.month_hours)?.unwrap_or(730);
    let month_hours = u32::try_from(month_hours)
        .map_err(|_| format!("month_hours {month_hours} is too large"))?;
    Ok(Sku {
        id: row.id.trim().to_string(),
        provider: row.provider,
        product: row.product,
        sku: row.sku,
        vcpu: parse_number("vcpu", &row.vcpu)?,
        memory_gib: parse_number("memory_gib", &row.memory_gib)?,
        price_usd,
        unit,
        unit_label: row.unit_label,
        granularity,
        minimum_s,
        month_hours,
        region: row.region,
        source_url: row.source_url,
        verified,
    })
}

fn parse_number(column: &str, text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| format!("column `{column}`: expected a number, found `{text}`"))
}

fn parse_integer(column: &str, text: &str) -> Result<Option<u64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u64>()
        .map(Some)
        .map_err(|_| format!("column `{column}`: expected a whole number >= 0, found `{text}`"))
}

fn merge_override(mut sku: Sku, o: &SkuOverride) -> Sku {
    let unit_changed = o.unit.is_some_and(|u| u != sku.unit);
    if let Some(v) = &o.provider {
        sku.provider.clone_from(v);
    }
    if let Some(v) = &o.product {
        sku.product.clone_from(v);
    }
    if let Some(v) = &o.sku {
        sku.sku.clone_from(v);
    }
    if o.vcpu.is_some() {
        sku.vcpu = o.vcpu;
    }
    if o.memory_gib.is_some() {
        sku.memory_gib = o.memory_gib;
    }
    if let Some(v) = o.price {
        sku.price_usd = v;
    }
    if let Some(v) = o.unit {
        sku.unit = v;
    }
    // A new unit makes the old wording and rounding meaningless unless given again.
    sku.unit_label = o.unit_label.clone().unwrap_or_else(|| {
        if unit_changed {
            format!("per {}", sku.unit.as_str())
        } else {
            sku.unit_label.clone()
        }
    });
    sku.granularity = o.granularity.unwrap_or(if unit_changed {
        default_granularity(sku.unit)
    } else {
        sku.granularity
    });
    if let Some(v) = o.minimum_s {
        sku.minimum_s = v;
    }
    if let Some(v) = o.month_hours {
        sku.month_hours = v;
    }
    if let Some(v) = &o.region {
        sku.region.clone_from(v);
    }
    if let Some(v) = &o.source_url {
        sku.source_url.clone_from(v);
    }
    sku.verified = Verified::User;
    sku
}

fn new_sku(o: &SkuOverride) -> Result<Sku, String> {
    let price_usd = o.price.ok_or("a new SKU needs `price` (USD per unit)")?;
    let unit = o
        .unit
        .ok_or("a new SKU needs `unit` (e.g. \"hour\", \"month\", \"gb\")")?;
    Ok(Sku {
        id: o.id.clone(),
        provider: o.provider.clone().unwrap_or_else(|| "user".to_string()),
        product: o.product.clone().unwrap_or_default(),
        sku: o.sku.clone().unwrap_or_default(),
        vcpu: o.vcpu,
        memory_gib: o.memory_gib,
        price_usd,
        unit,
        unit_label: o
            .unit_label
            .clone()
            .unwrap_or_else(|| format!("per {}", unit.as_str())),
        granularity: o.granularity.unwrap_or(default_granularity(unit)),
        minimum_s: o.minimum_s.unwrap_or(0),
        month_hours: o.month_hours.unwrap_or(730),
        region: o.region.clone().unwrap_or_default(),
        source_url: o.source_url.clone().unwrap_or_default(),
        verified: Verified::User,
    })
}
