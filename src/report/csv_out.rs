//! `timeseries.csv`: one row per reporting interval. Numbers are printed
//! with at most 6 decimals and no trailing zeros, so files diff cleanly.

use crate::metrics::result::TimeSeries;

pub use crate::metrics::number::fmt_num;

pub fn timeseries_csv(ts: &TimeSeries) -> String {
    let mut out = String::new();
    out.push_str(&ts.columns.join(","));
    out.push('\n');
    for row in &ts.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|v| v.map(fmt_num).unwrap_or_default())
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// `timeseries-replications.csv`: every replication's rows, in replication
/// order, with `seed` and `replication` columns first.
pub fn replications_csv(runs: &[crate::metrics::RunResult]) -> String {
    let mut out = String::new();
    let Some(first) = runs.first() else {
        return out;
    };
    out.push_str("seed,replication,");
    out.push_str(&first.timeseries.columns.join(","));
    out.push('\n');
    for r in runs {
        for row in &r.timeseries.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|v| v.map(fmt_num).unwrap_or_default())
                .collect();
            out.push_str(&format!(
                "{},{},{}\n",
                r.seed,
                r.replication,
                cells.join(",")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_numbers() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(1.0 / 3.0), "0.333333");
        assert_eq!(fmt_num(-0.0000001), "0");
        assert_eq!(fmt_num(f64::NAN), "");
    }
}
