//! `cost.csv`: one row per bill line, columns `component,sku,quantity,unit,amount`.
//!
//! Numbers are rounded (quantity to 9 decimals, amount to 6, i.e. micro-dollars) and
//! trailing zeros trimmed, so a last-bit float difference never changes the file.

use std::io::Write;

use crate::bill::Bill;
use crate::projection::trim_decimals;

/// Which figures the rows carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvBasis {
    /// Quantities and amounts of the simulated span.
    Simulated,
    /// Both scaled to a 730 h month (see `Bill::monthly.rule`).
    Monthly,
}

/// Writes the bill's lines as CSV to any writer.
pub fn write_cost_csv<W: Write>(bill: &Bill, basis: CsvBasis, out: W) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["component", "sku", "quantity", "unit", "amount"])?;
    let scale = match basis {
        CsvBasis::Simulated => 1.0,
        CsvBasis::Monthly => bill.monthly.factor,
    };
    for line in &bill.lines {
        let (quantity, amount) = match basis {
            CsvBasis::Simulated => (line.quantity, line.amount_usd),
            CsvBasis::Monthly => (line.quantity * scale, line.monthly_usd),
        };
        writer.write_record([
            line.component.as_str(),
            line.sku.as_str(),
            &trim_decimals(quantity, 9),
            line.unit.as_str(),
            &trim_decimals(amount, 6),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
