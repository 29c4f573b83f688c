//! `autoscale.csv`: every autoscaler decision, one row each.

use crate::metrics::result::ScaleRecord;
use crate::report::csv_out::fmt_num;

/// Columns: `time_s,component,current,proposal,desired,ready_s,reason,metrics`.
pub fn autoscale_csv(log: &[ScaleRecord]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail, so the results are ignored safely.
    let _ = w.write_record([
        "time_s",
        "component",
        "current",
        "proposal",
        "desired",
        "ready_s",
        "reason",
        "metrics",
    ]);
    for d in log {
        let _ = w.write_record([
            fmt_num(d.time_s),
            d.component.clone(),
            d.current.to_string(),
            d.proposal.to_string(),
            d.desired.to_string(),
            d.ready_s.map(fmt_num).unwrap_or_default(),
            d.reason.clone(),
            d.metrics
                .iter()
                .map(|(k, v)| format!("{k}={}", fmt_num(*v)))
                .collect::<Vec<_>>()
                .join(";"),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
