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

/// CSV text of a header and rows, quoted by the csv crate wherever a field
/// needs it (a stage name with a comma stays one field).
pub fn csv_text<H, R, F>(header: &[H], rows: impl IntoIterator<Item = R>) -> String
where
    H: AsRef<str>,
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new()
        .flexible(false)
        .from_writer(Vec::new());
    // Writing into a Vec cannot fail; a row of the wrong width is a programming
    // error caught by the tests, so it is written as it comes rather than dropped.
    let _ = w.write_record(header.iter().map(|h| h.as_ref()));
    for r in rows {
        let _ = w.write_record(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod csv_text_tests {
    #[test]
    fn fields_with_commas_and_quotes_stay_one_field() {
        let text = super::csv_text(
            &["stage", "p95_ms"],
            [["Growth, 10K users", "12.5"], ["say \"hi\"", "3"]],
        );
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("parses")).collect();
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|x| x.len() == 2));
        assert_eq!(&rows[0][0], "Growth, 10K users");
        assert_eq!(&rows[1][0], "say \"hi\"");
    }
}
