//! Overlays on a parsed model file: values replaced, created or removed at
//! dotted paths (`components.api.replicas`, `costs.0.quantity`) before the
//! table is resolved. Used by the stages (`[[stages]]` overrides) and by
//! sweeps, optimize and compare (`--set`, through [`super::overrides`]).

fn split_path(path: &str) -> Result<Vec<&str>, String> {
    let segs: Vec<&str> = path.split('.').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "`{path}` is not a dotted path such as \"components.api.replicas\""
        ));
    }
    if segs.len() == 1 && segs[0] == "components" {
        return Err("replacing every component is not a stage; write each change as a quoted dotted key, e.g. \"components.api.replicas\" = 4".into());
    }
    Ok(segs)
}

/// The child of `node` named by `seg`: a table key, or an array index.
fn child<'a>(node: &'a mut toml::Value, seg: &str) -> Option<&'a mut toml::Value> {
    match node {
        toml::Value::Table(t) => t.get_mut(seg),
        toml::Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    }
}

/// Replaces (or creates) the value at a dotted path; missing tables are created.
pub fn set_path(root: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), String> {
    let segs = split_path(path)?;
    let (last, parents) = segs
        .split_last()
        .ok_or_else(|| format!("`{path}` is empty"))?;
    let mut node = root
        .entry(segs[0])
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if parents.is_empty() {
        *node = value;
        return Ok(());
    }
    for (i, seg) in parents.iter().enumerate().skip(1) {
        if let toml::Value::Table(t) = node {
            node = t
                .entry(*seg)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        } else {
            node = child(node, seg).ok_or_else(|| {
                format!(
                    "`{}` is not a table or has no item `{seg}`",
                    segs[..i].join(".")
                )
            })?;
        }
    }
    match node {
        toml::Value::Table(t) => {
            t.insert((*last).to_string(), value);
            Ok(())
        }
        toml::Value::Array(a) => match last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(format!("`{}` has no item `{last}`", parents.join("."))),
        },
        other => Err(format!(
            "`{}` is {}, not a table",
            parents.join("."),
            other.type_str()
        )),
    }
}

/// Removes the value at a dotted path; a path that does not exist is an error (a typo).
pub fn unset_path(root: &mut toml::Table, path: &str) -> Result<(), String> {
    let segs = split_path(path)?;
    let (last, parents) = segs
        .split_last()
        .ok_or_else(|| format!("`{path}` is empty"))?;
    let missing = || format!("`{path}` is not in the model");
    if parents.is_empty() {
        return root.remove(*last).map(|_| ()).ok_or_else(missing);
    }
    let mut node = root.get_mut(parents[0]).ok_or_else(missing)?;
    for seg in &parents[1..] {
        node = child(node, seg).ok_or_else(missing)?;
    }
    match node {
        toml::Value::Table(t) => t.remove(*last).map(|_| ()).ok_or_else(missing),
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> toml::Table {
        // A literal in this test module; it parses.
        toml::from_str(s).unwrap()
    }

    #[test]
    fn set_creates_and_replaces() {
        let mut t =
            table("[components.api]\nreplicas = 2\n[[costs]]\nname = \"a\"\nquantity = 1\n");
        set_path(&mut t, "components.api.replicas", toml::Value::Integer(5)).unwrap();
        set_path(&mut t, "components.api.autoscale.kind", "hpa".into()).unwrap();
        set_path(&mut t, "costs.0.quantity", toml::Value::Integer(3)).unwrap();
        assert_eq!(t["components"]["api"]["replicas"].as_integer(), Some(5));
        assert_eq!(
            t["components"]["api"]["autoscale"]["kind"].as_str(),
            Some("hpa")
        );
        assert_eq!(t["costs"][0]["quantity"].as_integer(), Some(3));
        assert!(set_path(&mut t, "components.api.replicas.x", 1.into()).is_err());
        assert!(set_path(&mut t, "costs.7.quantity", 1.into()).is_err());
        assert!(set_path(&mut t, "components", 1.into()).is_err());
        assert!(set_path(&mut t, "components..x", 1.into()).is_err());
    }

    #[test]
    fn unset_removes_and_rejects_typos() {
        let mut t = table("[components.api]\nreplicas = 2\nsku = \"x\"\n");
        unset_path(&mut t, "components.api.sku").unwrap();
        assert!(t["components"]["api"].get("sku").is_none());
        assert!(unset_path(&mut t, "components.api.sku").is_err());
        assert!(unset_path(&mut t, "components.nope.sku").is_err());
    }
}
