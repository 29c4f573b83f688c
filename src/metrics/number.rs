//! How numbers are printed in every CSV and text figure: at most 6
//! decimals, no trailing zeros, so files diff cleanly and identical runs give
//! identical bytes.

/// Formats a number compactly and deterministically (non-finite: empty).
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// `x` as [`fmt_num`] prints it, read back (`None` when not finite): the
/// value a reader of `autoscale.csv` sees, which the summary quotes.
pub fn as_printed(x: f64) -> Option<f64> {
    fmt_num(x).parse().ok()
}
