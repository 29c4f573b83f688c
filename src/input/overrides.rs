//! Parameter overrides: a model file with values replaced at dotted paths
//! (`components.api.replicas = 4`), resolved like any model file. Used by
//! `capsim sweep`, `capsim optimize` and `capsim compare`.
//!
//! Paths are written in full (`components.api.replicas`) or, for a component,
//! without the `components.` prefix (`api.replicas`). The parent of the value
//! must exist in the file (a typo in a component name is an error naming the
//! components there); the value itself may be new (a key left at its default).
//! Setting reuses [`crate::experiment::stages::set_path`], the stages' overlay.

use crate::input::locate::KeyPath;
use crate::input::model::raw::RawModel;
use crate::input::model::resolve::resolve_model_with_pricing;
use crate::input::model::System;
use crate::input::{InputError, InputErrors, SourceFile};
use std::path::{Path, PathBuf};

/// A model file read once, resolved many times with different overrides.
pub struct ModelTemplate {
    src: SourceFile,
    table: toml::Table,
    pricing: Option<PathBuf>,
}

impl ModelTemplate {
    /// Reads and parses (but does not resolve) a model file.
    pub fn read(path: &Path, pricing: Option<&Path>) -> Result<ModelTemplate, InputErrors> {
        let src = SourceFile::read(path)?;
        let table: toml::Table = src.deserialize()?;
        Ok(ModelTemplate {
            src,
            table,
            pricing: pricing.map(Path::to_path_buf),
        })
    }

    pub fn path(&self) -> &Path {
        &self.src.path
    }

    /// The full dotted path for `path` as written on the command line
    /// (`api.replicas` → `components.api.replicas`), or a message saying what
    /// is wrong with it.
    pub fn canonical_path(&self, path: &str) -> Result<String, String> {
        let p = path.trim();
        let segs: Vec<&str> = p.split('.').collect();
        if p.is_empty() || segs.iter().any(|s| s.is_empty()) || segs.len() < 2 {
            return Err(format!(
                "found \"{path}\", expected a dotted path such as api.replicas or components.api.replicas"
            ));
        }
        let full: Vec<&str> = if self.table.contains_key(segs[0]) && segs[0] != "name" {
            segs
        } else {
            let components = self.components();
            if components.iter().any(|c| c == segs[0]) {
                std::iter::once("components").chain(segs).collect()
            } else {
                return Err(format!(
                    "found \"{path}\": the model has no component or table `{}` (components: {})",
                    segs[0],
                    components.join(", ")
                ));
            }
        };
        // Every parent must exist; the last key may be new.
        let mut node: Option<&toml::Value> = None;
        for (i, seg) in full[..full.len() - 1].iter().enumerate() {
            let next = match node {
                None => self.table.get(*seg),
                Some(toml::Value::Table(t)) => t.get(*seg),
                Some(toml::Value::Array(a)) => seg.parse::<usize>().ok().and_then(|k| a.get(k)),
                Some(_) => None,
            };
            match next {
                Some(v) => node = Some(v),
                None => {
                    return Err(format!(
                        "found \"{path}\": `{}` is not in the model",
                        full[..=i].join(".")
                    ))
                }
            }
        }
        Ok(full.join("."))
    }

    /// Component names, in file order.
    pub fn components(&self) -> Vec<String> {
        match self.table.get("components") {
            Some(toml::Value::Table(t)) => t.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The value at a full dotted path, if the file has one.
    pub fn get(&self, full_path: &str) -> Option<&toml::Value> {
        let mut segs = full_path.split('.');
        let mut node = self.table.get(segs.next()?)?;
        for seg in segs {
            node = match node {
                toml::Value::Table(t) => t.get(seg)?,
                toml::Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Resolves the model with `overrides` (full or short dotted paths) applied.
    /// Errors name the file and the overridden key.
    pub fn resolve(&self, overrides: &[(String, toml::Value)]) -> Result<System, InputErrors> {
        let mut table = self.table.clone();
        let mut errors = InputErrors::default();
        for (path, value) in overrides {
            let full = match self.canonical_path(path) {
                Ok(f) => f,
                Err(m) => {
                    errors.push(InputError::new(&self.src.path, m));
                    continue;
                }
            };
            if let Err(m) = crate::experiment::stages::set_path(&mut table, &full, value.clone()) {
                errors.push(InputError::new(&self.src.path, format!("`{full}`: {m}")));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let label = overrides
            .iter()
            .map(|(p, v)| format!("{p}={}", value_label(v)))
            .collect::<Vec<_>>()
            .join(" ");
        let prefix = |mut es: InputErrors| {
            if !label.is_empty() {
                for e in &mut es.0 {
                    e.message = format!("with {label}: {}", e.message);
                }
            }
            es
        };
        let raw: RawModel = self
            .src
            .deserialize_part(&KeyPath::root(), table)
            .map_err(|e| prefix(e.into()))?;
        resolve_model_with_pricing(&self.src, raw, self.pricing.as_deref()).map_err(prefix)
    }
}

/// A TOML value as written on the command line: `4`, `0.5`, `200ms`, `true`.
pub fn value_label(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads a model file and resolves it with `overrides` applied (dotted paths, full
/// or without `components.`), with an optional `--pricing` file.
pub fn load_model_with_overrides(
    path: &Path,
    overrides: &[(String, toml::Value)],
    pricing: Option<&Path>,
) -> Result<System, InputErrors> {
    ModelTemplate::read(path, pricing)?.resolve(overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> ModelTemplate {
        let src = SourceFile::from_text(Path::new("m.toml"), text.to_string());
        // A literal in this test; it parses.
        let table = src.deserialize().unwrap();
        ModelTemplate {
            src,
            table,
            pricing: None,
        }
    }

    const MODEL: &str = "[[classes]]\nname = \"a\"\nshare = 1.0\nentry = \"api\"\n[components.api]\nkind = \"service\"\ncpu = \"5ms\"\n";

    #[test]
    fn short_paths_name_components() {
        let t = template(MODEL);
        assert_eq!(
            t.canonical_path("api.replicas").unwrap(),
            "components.api.replicas"
        );
        assert_eq!(
            t.canonical_path("components.api.cores").unwrap(),
            "components.api.cores"
        );
        let e = t.canonical_path("apu.replicas").unwrap_err();
        assert!(e.contains("components: api"), "{e}");
        assert!(t.canonical_path("api").is_err());
        assert!(t.canonical_path("api.handlers.x.cpu").is_err());
    }

    #[test]
    fn resolves_with_overrides() {
        let t = template(MODEL);
        let s = t
            .resolve(&[("api.replicas".into(), toml::Value::Integer(3))])
            .unwrap();
        assert_eq!(s.components.len(), 1);
        let e = t
            .resolve(&[("api.replicas".into(), toml::Value::String("x".into()))])
            .unwrap_err();
        assert!(e.to_string().contains("api.replicas=x"), "{e}");
    }
}
