//! The grid of a sweep: parameters (dotted model paths) and their values, parsed
//! from `--set PATH=VALUES`, and the numbering of grid points.
//!
//! Values: `a..b` (integers, inclusive), `a..b:step` (integers or decimals), or a
//! comma list of numbers, booleans and strings (`200ms`, `"least_conn"`). Points are
//! numbered in row-major order: the first parameter varies slowest.

use serde::{Deserialize, Serialize};

/// At most this many runs (grid points x replications) in one sweep or optimize.
pub const MAX_RUNS: usize = 10_000;

/// One swept parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The path as written (`api.replicas`).
    pub path: String,
    pub values: Vec<toml::Value>,
}

impl Param {
    /// The values as written on the command line (`4`, `0.5`, `200ms`).
    pub fn labels(&self) -> Vec<String> {
        self.values
            .iter()
            .map(crate::input::overrides::value_label)
            .collect()
    }
}

/// What a part file records about the grid; equal on every shard of one sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridDef {
    pub model: String,
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub params: Vec<ParamDef>,
    pub points: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamDef {
    pub path: String,
    pub values: Vec<String>,
}

/// The grid: the cartesian product of the parameters' values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    pub params: Vec<Param>,
}

impl Grid {
    /// Number of points (1 for an empty grid: the model as written).
    pub fn len(&self) -> usize {
        self.params.iter().map(|p| p.values.len()).product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value index of each parameter at point `index`.
    pub fn coords(&self, index: usize) -> Vec<usize> {
        let mut rest = index;
        let mut out = vec![0; self.params.len()];
        for (i, p) in self.params.iter().enumerate().rev() {
            let n = p.values.len().max(1);
            out[i] = rest % n;
            rest /= n;
        }
        out
    }

    /// The point with these value indices.
    pub fn index_of(&self, coords: &[usize]) -> usize {
        self.params
            .iter()
            .zip(coords)
            .fold(0, |acc, (p, &c)| acc * p.values.len() + c)
    }

    /// The overrides of point `index`.
    pub fn overrides(&self, index: usize) -> Vec<(String, toml::Value)> {
        self.params
            .iter()
            .zip(self.coords(index))
            .map(|(p, c)| (p.path.clone(), p.values[c].clone()))
            .collect()
    }

    /// The labels of point `index`.
    pub fn labels(&self, index: usize) -> Vec<String> {
        self.overrides(index)
            .iter()
            .map(|(_, v)| crate::input::overrides::value_label(v))
            .collect()
    }

    /// Checks points x replications against [`MAX_RUNS`].
    pub fn check_size(&self, replications: u32, flag: &str) -> Result<(), String> {
        let runs = self
            .params
            .iter()
            .try_fold(1usize, |acc, p| acc.checked_mul(p.values.len()))
            .and_then(|n| n.checked_mul(replications.max(1) as usize));
        match runs {
            Some(r) if r <= MAX_RUNS => Ok(()),
            _ => Err(format!(
                "the grid has {} points x {} replications, more than the {MAX_RUNS} runs allowed: narrow the {flag} ranges (or use a coarser step) or run fewer replications",
                self.params
                    .iter()
                    .map(|p| p.values.len().to_string())
                    .collect::<Vec<_>>()
                    .join(" x "),
                replications.max(1)
            )),
        }
    }

    pub fn def(&self, model: &str, scenario: &str, seed: u64, replications: u32) -> GridDef {
        GridDef {
            model: model.to_string(),
            scenario: scenario.to_string(),
            seed,
            replications,
            params: self
                .params
                .iter()
                .map(|p| ParamDef {
                    path: p.path.clone(),
                    values: p.labels(),
                })
                .collect(),
            points: self.len(),
        }
    }
}

/// Parses `--set PATH=VALUES`.
pub fn parse_set(s: &str) -> Result<Param, String> {
    let Some((path, values)) = s.split_once('=') else {
        return Err(format!(
            "found \"{s}\", expected PATH=VALUES such as api.replicas=2..10, db_pool.size=10,20,40 or api.timeout=200ms,1s"
        ));
    };
    let path = path.trim();
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(format!(
            "found \"{s}\", expected a dotted path before `=` such as api.replicas"
        ));
    }
    let values = parse_values(values.trim()).map_err(|m| format!("in \"{s}\": {m}"))?;
    Ok(Param {
        path: path.to_string(),
        values,
    })
}

/// Parses the values of a parameter.
pub fn parse_values(s: &str) -> Result<Vec<toml::Value>, String> {
    if s.is_empty() {
        return Err("found no values after `=`".into());
    }
    if let Some((a, rest)) = s.split_once("..") {
        return parse_range(a.trim(), rest.trim());
    }
    let mut out = Vec::new();
    for item in s.split(',') {
        let t = item.trim();
        if t.is_empty() {
            return Err(format!("found an empty item in \"{s}\""));
        }
        let v = scalar(t);
        if out.contains(&v) {
            return Err(format!("found `{t}` twice in \"{s}\""));
        }
        out.push(v);
    }
    if out.len() > MAX_RUNS {
        return Err(format!("{} values, more than {MAX_RUNS}", out.len()));
    }
    Ok(out)
}

fn scalar(t: &str) -> toml::Value {
    let unquoted = t
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')));
    if let Some(u) = unquoted {
        return toml::Value::String(u.to_string());
    }
    if let Ok(i) = t.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    match t {
        "true" => return toml::Value::Boolean(true),
        "false" => return toml::Value::Boolean(false),
        _ => {}
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() => toml::Value::Float(f),
        _ => toml::Value::String(t.to_string()),
    }
}

fn parse_range(a: &str, rest: &str) -> Result<Vec<toml::Value>, String> {
    let (b, step) = match rest.split_once(':') {
        Some((b, st)) => (b.trim(), Some(st.trim())),
        None => (rest, None),
    };
    let expected = "expected a range a..b or a..b:step of numbers, such as 2..10 or 5..50:5";
    let ints = |x: &str| x.parse::<i64>().ok();
    if let (Some(lo), Some(hi), Some(st)) = (ints(a), ints(b), step.map_or(Some(1), ints)) {
        if st <= 0 {
            return Err(format!("found step {st}, expected a step above 0"));
        }
        if lo > hi {
            return Err(format!(
                "found {a}..{b}, expected the first bound not above the second"
            ));
        }
        let count = (hi - lo) / st + 1;
        if count as u64 > MAX_RUNS as u64 {
            return Err(format!("{count} values, more than {MAX_RUNS}"));
        }
        return Ok((0..count)
            .map(|i| toml::Value::Integer(lo + i * st))
            .collect());
    }
    let float = |x: &str| match x.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("found \"{x}\", {expected}")),
    };
    let (lo, hi) = (float(a)?, float(b)?);
    let Some(st) = step else {
        return Err(format!(
            "found {a}..{b}: a range of decimals needs a step, e.g. {a}..{b}:0.1"
        ));
    };
    let st = float(st)?;
    if st <= 0.0 {
        return Err(format!("found step {st}, expected a step above 0"));
    }
    if lo > hi {
        return Err(format!(
            "found {a}..{b}, expected the first bound not above the second"
        ));
    }
    let count = ((hi - lo) / st + 1e-9).floor() + 1.0;
    if count > MAX_RUNS as f64 {
        return Err(format!("{count} values, more than {MAX_RUNS}"));
    }
    // lo + i*step, rounded to 9 decimals so 0.1 steps read as written.
    Ok((0..count as usize)
        .map(|i| toml::Value::Float(((lo + i as f64 * st) * 1e9).round() / 1e9))
        .collect())
}

/// A number for the x axis of a chart from a value label: the number, a duration
/// in ms, or `None` for text.
pub fn numeric(label: &str) -> Option<f64> {
    if let Ok(v) = label.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    crate::input::parse_duration(label)
        .ok()
        .map(|d| d.nanos() as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(p: &Param) -> Vec<i64> {
        p.values.iter().filter_map(|v| v.as_integer()).collect()
    }

    #[test]
    fn ranges_and_lists() {
        assert_eq!(ints(&parse_set("api.replicas=2..5").unwrap()), [2, 3, 4, 5]);
        assert_eq!(ints(&parse_set("p.size=5..20:5").unwrap()), [5, 10, 15, 20]);
        assert_eq!(ints(&parse_set("p.size=10,20,40").unwrap()), [10, 20, 40]);
        let f = parse_set("api.cores=0.5..1:0.25").unwrap();
        assert_eq!(f.labels(), ["0.5", "0.75", "1.0"]);
        let d = parse_set("api.timeout=200ms,1s").unwrap();
        assert_eq!(d.labels(), ["200ms", "1s"]);
        assert_eq!(
            parse_set("api.balancer.algorithm=\"least_conn\",random")
                .unwrap()
                .labels(),
            ["least_conn", "random"]
        );
    }

    #[test]
    fn bad_values_say_what_is_expected() {
        for (s, needle) in [
            ("api.replicas", "expected PATH=VALUES"),
            ("=3", "dotted path"),
            ("a.b=5..2", "not above"),
            ("a.b=1..5:0", "step above 0"),
            ("a.b=1..x", "expected a range"),
            ("a.b=0.5..1", "needs a step"),
            ("a.b=1,,2", "empty item"),
            ("a.b=1,1", "twice"),
            ("a.b=0..100000000", "more than"),
        ] {
            let e = parse_set(s).unwrap_err();
            assert!(e.contains(needle), "{s}: {e}");
        }
    }

    #[test]
    fn numbering_is_row_major() {
        let g = Grid {
            params: vec![
                parse_set("a.x=1..3").unwrap(),
                parse_set("b.y=10,20").unwrap(),
            ],
        };
        assert_eq!(g.len(), 6);
        assert_eq!(g.coords(0), [0, 0]);
        assert_eq!(g.coords(1), [0, 1]);
        assert_eq!(g.coords(5), [2, 1]);
        assert_eq!(g.index_of(&[2, 1]), 5);
        assert_eq!(g.labels(3), ["2", "20"]);
        assert!(g.check_size(1000, "--set").is_ok());
        assert!(g.check_size(2000, "--set").is_err());
    }
}
