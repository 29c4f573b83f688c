//! Kubernetes resource quantities ("500m", "1Gi", "100", "2.5k", "1e3") in milli-units.
//!
//! The HPA compares every metric as an integer number of milli-units
//! (`Quantity.MilliValue()`, which rounds *up*), so values coming from the simulator as
//! `f64` are converted the same way before any comparison.

/// Converts a plain number to milli-units the way `Quantity.MilliValue()` does: rounded
/// up, after snapping values within 1e-6 milli of an integer (so `0.1` gives `100`, not
/// `101` because of binary floating point). Saturates instead of overflowing.
pub fn to_milli(value: f64) -> i64 {
    let m = value * 1000.0;
    if !m.is_finite() {
        return if m > 0.0 {
            i64::MAX
        } else if m < 0.0 {
            i64::MIN
        } else {
            0
        };
    }
    let r = m.round();
    let v = if (m - r).abs() < 1e-6 { r } else { m.ceil() };
    v as i64 // `as` saturates on overflow
}

/// Parses a Kubernetes quantity string to milli-units (rounded up).
pub fn parse_quantity_milli(text: &str) -> Result<i64, String> {
    let s = text.trim();
    let bad = |why: &str| {
        format!(
            "invalid quantity {text:?}: {why}; expected a number with an optional suffix \
             (m, k, M, G, T, Ki, Mi, Gi, Ti, or an exponent such as 1e3)"
        )
    };
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    if num.is_empty() {
        return Err(bad("missing number"));
    }
    let base: f64 = num.parse().map_err(|_| bad("malformed number"))?;
    let factor: f64 = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e if e.starts_with(['e', 'E']) => {
            let exp: i32 = e[1..].parse().map_err(|_| bad("malformed exponent"))?;
            10f64.powi(exp)
        }
        other => return Err(bad(&format!("unknown suffix {other:?}"))),
    };
    Ok(to_milli(base * factor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milli_rounds_up_but_snaps_float_noise() {
        assert_eq!(to_milli(0.1), 100);
        assert_eq!(to_milli(42.0), 42_000);
        assert_eq!(to_milli(0.0001), 1);
        assert_eq!(to_milli(f64::INFINITY), i64::MAX);
        assert_eq!(to_milli(f64::NAN), 0);
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity_milli("500m"), Ok(500));
        assert_eq!(parse_quantity_milli("1"), Ok(1000));
        assert_eq!(parse_quantity_milli("1Gi"), Ok(1_073_741_824_000));
        assert_eq!(parse_quantity_milli("2.5k"), Ok(2_500_000));
        assert_eq!(parse_quantity_milli("1e3"), Ok(1_000_000));
        assert!(parse_quantity_milli("abc").is_err());
        assert!(parse_quantity_milli("1Zi").is_err());
    }
}
