//! Writes a [`Draft`] as capsim model (and scenario) TOML: every imported
//! value commented with its file and line, every assumed value marked and
//! listed in `[[assumptions]]`, warnings and TODOs as comments on top.

use super::draft::{Assumed, Draft, Field, Origin, ScenarioDraft};
use std::fmt::Write as _;

/// The model file's text.
pub fn model(d: &Draft) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Imported by `capsim import` from: {}",
        d.files.join(", ")
    );
    o.push_str("# Each value says the file:line it came from; ASSUMED values are listed in\n");
    o.push_str("# [[assumptions]] at the end: replace them with measured figures.\n");
    if !d.warnings.is_empty() {
        o.push_str("#\n# Warnings:\n");
        for w in &d.warnings {
            let _ = writeln!(o, "#   {}", one_line(w));
        }
    }
    o.push('\n');
    let name = d
        .comps
        .iter()
        .find(|c| c.kind == "service")
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "imported".into());
    let _ = writeln!(
        o,
        "name = {}",
        toml::Value::String(format!("{name}-imported"))
    );
    let _ = writeln!(
        o,
        "description = {}",
        toml::Value::String(format!("imported from {}", d.files.join(", ")))
    );
    if !d.slo.is_empty() {
        o.push_str("\n[slo]\n");
        for f in &d.slo {
            write_field(&mut o, &f.key, f);
        }
    }
    if let Some(class) = d.assumptions.iter().find(|a| a.key == "classes[0]") {
        o.push_str("\n[[classes]]  # ASSUMED: see [[assumptions]] classes[0]\n");
        if let Some(t) = class.value.as_table() {
            for (k, v) in t {
                let _ = writeln!(o, "{k} = {v}");
            }
        }
    }
    for c in &d.comps {
        let _ = writeln!(o, "\n# {} `{}` ({})", c.what, c.name, c.src);
        for t in &c.todos {
            let _ = writeln!(o, "# {}", one_line(t));
        }
        let base = format!("components.{}", c.name);
        let _ = writeln!(o, "[{base}]");
        let _ = writeln!(o, "kind = \"{}\"", c.kind);
        write_table(&mut o, &base, &c.fields);
    }
    if !d.assumptions.is_empty() {
        o.push_str("\n# ---- values no config states: measure them and replace ----\n");
        for a in &d.assumptions {
            write_assumption(&mut o, a);
        }
    }
    o
}

/// The fields of table `base`: its own keys first, then each sub-table (a
/// dotted key's prefix) in order of first appearance.
fn write_table(o: &mut String, base: &str, fields: &[Field]) {
    let mut tables: Vec<&str> = Vec::new();
    for f in fields {
        match f.key.rsplit_once('.') {
            None => write_field(o, &f.key, f),
            Some((t, _)) => {
                if !tables.contains(&t) {
                    tables.push(t);
                }
            }
        }
    }
    for t in tables {
        let _ = writeln!(o, "[{base}.{t}]");
        for f in fields {
            if let Some((ft, k)) = f.key.rsplit_once('.') {
                if ft == t {
                    write_field(o, k, f);
                }
            }
        }
    }
}

fn write_assumption(o: &mut String, a: &Assumed) {
    o.push_str("[[assumptions]]\n");
    let _ = writeln!(o, "key = {}", toml::Value::String(a.key.clone()));
    let _ = writeln!(o, "value = {}", a.value);
    let _ = writeln!(o, "why = {}", toml::Value::String(a.why.clone()));
    if let Some(s) = &a.source {
        let _ = writeln!(o, "source = {}", toml::Value::String(s.clone()));
    }
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

fn comment(origin: &Origin) -> String {
    match origin {
        Origin::From(src) => format!("# {src}"),
        Origin::Assumed => "# ASSUMED: see [[assumptions]]".into(),
    }
}

/// `key = value  # file:line`; a list with per-element sources is written
/// one element per line, each with its own comment.
fn write_field(o: &mut String, key: &str, f: &Field) {
    match (&f.value, f.elem_src.is_empty()) {
        (toml::Value::Array(items), false) if items.len() == f.elem_src.len() => {
            let _ = writeln!(o, "{key} = [  {}", comment(&f.origin));
            for (v, src) in items.iter().zip(&f.elem_src) {
                let _ = writeln!(o, "  {v},  # {src}");
            }
            o.push_str("]\n");
        }
        _ => {
            let _ = writeln!(o, "{key} = {}  {}", f.value, comment(&f.origin));
        }
    }
}

/// The scenario file's text.
pub fn scenario(sc: &ScenarioDraft, files: &[String]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Imported by `capsim import` from: {}",
        files.join(", ")
    );
    if let Some(src) = &sc.src {
        let _ = writeln!(o, "# k6 options at {src}");
    }
    for t in &sc.todos {
        let _ = writeln!(o, "# {}", one_line(t));
    }
    o.push('\n');
    let _ = writeln!(o, "name = {}", toml::Value::String(sc.name.clone()));
    for f in &sc.top {
        write_field(&mut o, &f.key, f);
    }
    o.push_str("\n[workload]\n");
    write_table(&mut o, "workload", &sc.workload);
    o
}
