//! `capsim import --check MODEL FILE...`: every value the configs state,
//! compared with the model's value at the same key (or capsim's default
//! when the model leaves the key out). Exit 1 on any disagreement.

use super::draft::{Draft, Origin};
use crate::input::locate::{KeyPath, SourceFile};
use std::path::Path;

/// capsim's defaults for keys an import can set, so a model that leaves a
/// key out agrees with a config that states the default.
fn default_of(kind: &str, key: &str) -> Option<toml::Value> {
    use toml::Value::{Integer as I, String as S};
    Some(match (kind, key) {
        ("service", "replicas") => I(1),
        ("service", "cores") => I(1),
        ("service", "balancer.policy") => S("round_robin".into()),
        ("service", "balancer.max_fails") => I(1),
        ("service", "balancer.fail_timeout") => S("10s".into()),
        ("service", "readiness.initial_delay") => S("0s".into()),
        ("service", "readiness.period") => S("10s".into()),
        ("service", "readiness.success_threshold") => I(1),
        ("service", "drain_grace") => S("30s".into()),
        ("pool", "flavor") => S("pgbouncer".into()),
        ("pool", "size") => I(20),
        ("pool", "max_clients") => I(100),
        ("pool", "reserve_size") => I(0),
        ("pool", "reserve_timeout") => S("5s".into()),
        ("pool", "wait_timeout") => S("120s".into()),
        ("database", "read_replicas") => I(0),
        _ => return None,
    })
}

/// Equal as capsim reads them: numbers by value, durations by length,
/// lists and tables element by element.
pub fn same(a: &toml::Value, b: &toml::Value) -> bool {
    use toml::Value as V;
    let n = |v: &V| match v {
        V::Integer(i) => Some(*i as f64),
        V::Float(f) => Some(*f),
        _ => None,
    };
    match (a, b) {
        (V::String(x), V::String(y)) => {
            x == y
                || matches!(
                    (crate::input::units::parse_duration(x), crate::input::units::parse_duration(y)),
                    (Ok(p), Ok(q)) if p == q
                )
        }
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (V::Table(x), V::Table(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => match (n(a), n(b)) {
            (Some(p), Some(q)) => (p - q).abs() <= 1e-9 * p.abs().max(q.abs()).max(1.0),
            _ => a == b,
        },
    }
}

fn lookup<'a>(t: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Value> {
    let (first, rest) = path.split_first()?;
    let v = t.get(*first)?;
    if rest.is_empty() {
        return Some(v);
    }
    lookup(v.as_table()?, rest)
}

fn keypath(parts: &[&str]) -> KeyPath {
    parts.iter().fold(KeyPath::root(), |p, k| p.at(*k))
}

/// The model's component names (empty when it cannot be read: the check
/// then reports that itself).
pub fn component_names(model: &Path) -> Vec<String> {
    std::fs::read_to_string(model)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| {
            t.get("components")
                .and_then(|c| c.as_table())
                .map(|c| c.keys().cloned().collect())
        })
        .unwrap_or_default()
}

/// Runs the check; prints each disagreement and returns the exit code.
pub fn run(model: &Path, draft: Draft) -> i32 {
    let src = match SourceFile::read(model) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let table: toml::Table = match src.deserialize() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let here = |parts: &[&str]| {
        let e = src.error_at(&keypath(parts), "");
        match e.line {
            Some(l) => format!("{}:{l}", model.display()),
            None => model.display().to_string(),
        }
    };
    let mut diffs: Vec<String> = Vec::new();
    let checked = std::cell::Cell::new(0usize);
    for w in &draft.warnings {
        eprintln!("warning: {w}");
    }
    let compare = |parts: Vec<&str>,
                   kind: &str,
                   rel: &str,
                   value: &toml::Value,
                   at: String,
                   diffs: &mut Vec<String>| {
        checked.set(checked.get() + 1);
        let dotted = parts.join(".");
        let model_value = lookup(&table, &parts).cloned();
        match model_value {
            Some(m) if same(&m, value) => {}
            Some(m) => diffs.push(format!(
                "{}: `{dotted}` = {m}, but {at} says {value}",
                here(&parts)
            )),
            None => match default_of(kind, rel) {
                Some(def) if same(&def, value) => {}
                Some(def) => diffs.push(format!(
                    "{}: `{dotted}` is not set (capsim's default {def}), but {at} says {value}",
                    here(&parts[..2])
                )),
                None => diffs.push(format!(
                    "{}: `{dotted}` is not set, but {at} says {value}",
                    here(&parts[..2])
                )),
            },
        }
    };
    for c in &draft.comps {
        let model_comp = lookup(&table, &["components", &c.name]);
        if model_comp.is_none() {
            diffs.push(format!(
                "{}: the model has no component `{}`, which {} defines ({})",
                model.display(),
                c.name,
                c.src,
                c.what
            ));
            continue;
        }
        // A model that reads its autoscaler from a file: compare the bounds
        // that policy resolves to.
        let auto_file = lookup(&table, &["components", &c.name, "autoscale", "file"])
            .and_then(|v| v.as_str().map(String::from));
        for f in &c.fields {
            let Origin::From(at) = &f.origin else {
                continue;
            };
            // What a request calls is topology the model refines (pools,
            // caches in between); depends_on does not decide it.
            if f.key == "calls" || f.key == "target" {
                continue;
            }
            if f.key.starts_with("autoscale.") {
                if let Some(file) = &auto_file {
                    let path = model.parent().unwrap_or(Path::new(".")).join(file);
                    let bound = match f.key.as_str() {
                        "autoscale.min_replicas" => Some(0),
                        "autoscale.max_replicas" => Some(1),
                        _ => None,
                    };
                    if let Some(which) = bound {
                        checked.set(checked.get() + 1);
                        match capsim_autoscale::load_policy_file(&path) {
                            Ok(p) => {
                                let b = p.bounds();
                                let got = if which == 0 { b.0 } else { b.1 };
                                if !same(&toml::Value::Integer(got as i64), &f.value) {
                                    diffs.push(format!(
                                        "{}: `components.{}.{}` is {got} (from {file}), but {at} says {}",
                                        here(&["components", &c.name, "autoscale", "file"]),
                                        c.name,
                                        f.key,
                                        f.value
                                    ));
                                }
                            }
                            Err(e) => {
                                diffs.push(format!("{}: cannot read {file}: {e}", model.display()))
                            }
                        }
                    }
                    continue;
                }
            }
            let mut parts: Vec<&str> = vec!["components", &c.name];
            parts.extend(f.key.split('.'));
            compare(parts, c.kind, &f.key, &f.value, at.to_string(), &mut diffs);
        }
    }
    for f in &draft.slo {
        let Origin::From(at) = &f.origin else {
            continue;
        };
        compare(
            vec!["slo", &f.key],
            "slo",
            &f.key,
            &f.value,
            at.to_string(),
            &mut diffs,
        );
    }
    for d in &diffs {
        println!("{d}");
    }
    if diffs.is_empty() {
        println!(
            "{}: in sync with {} ({} values checked)",
            model.display(),
            draft.files.join(", "),
            checked.get()
        );
        0
    } else {
        println!(
            "{} disagreement(s) between {} and {}",
            diffs.len(),
            model.display(),
            draft.files.join(", ")
        );
        1
    }
}
