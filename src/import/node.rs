//! One tree for every input format (YAML, JSON, a JavaScript object literal,
//! TOML, INI): values with the line they were written on, and a "read" mark.
//!
//! The mappers read what they understand; whatever stays unread afterwards is
//! reported as unsupported ([`Node::unread`]), so no key is dropped silently.

use std::cell::Cell;

/// A value and the 1-based line it starts on.
#[derive(Clone, Debug)]
pub struct Node {
    pub line: usize,
    pub value: Value,
    read: Cell<bool>,
}

#[derive(Clone, Debug)]
pub enum Value {
    /// Entries in file order (keys may repeat in broken input; the first wins).
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
    Str(String),
    /// A number (`500m` stays a string, `0.5` is a number).
    Num(f64),
    Bool(bool),
    Null,
    /// Source text that is not a literal (a JavaScript expression).
    Expr(String),
}

impl Node {
    pub fn new(line: usize, value: Value) -> Node {
        Node {
            line,
            value,
            read: Cell::new(false),
        }
    }

    /// Marks this node (not its children) as read.
    pub fn touch(&self) {
        self.read.set(true);
    }

    /// Marks the whole subtree as read (handed over to another parser, or
    /// deliberately ignored).
    pub fn touch_all(&self) {
        self.touch();
        match &self.value {
            Value::Map(m) => m.iter().for_each(|(_, n)| n.touch_all()),
            Value::Seq(s) => s.iter().for_each(Node::touch_all),
            _ => {}
        }
    }

    /// The entry `key` of a map (marking the map read), if any.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => {
                self.touch();
                m.iter().find(|(k, _)| k == key).map(|(_, n)| n)
            }
            _ => None,
        }
    }

    /// Follows a path of map keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// Marks the listed entries of a map as deliberately ignored.
    pub fn ignore(&self, keys: &[&str]) {
        if let Value::Map(m) = &self.value {
            for (k, n) in m {
                // `x-*`: compose extension fields; `//`: JSON comment keys.
                if keys.contains(&k.as_str()) || k.starts_with("x-") || k.starts_with("//") {
                    n.touch_all();
                }
            }
        }
    }

    pub fn entries(&self) -> &[(String, Node)] {
        self.touch();
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        self.touch();
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }

    /// A string, or a number/bool written as text (`replicas: "3"` in a template).
    pub fn text(&self) -> Option<String> {
        self.touch();
        match &self.value {
            Value::Str(s) | Value::Expr(s) => Some(s.clone()),
            Value::Num(v) => Some(fmt_num(*v)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        self.touch();
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A number, also from a numeric string (`"0.5"`, compose's `cpus`).
    pub fn num(&self) -> Option<f64> {
        self.touch();
        match &self.value {
            Value::Num(v) => Some(*v),
            Value::Str(s) => s.trim().parse().ok().filter(|v: &f64| v.is_finite()),
            _ => None,
        }
    }

    /// A whole number of 0 or more that fits in u32.
    pub fn count(&self) -> Option<u32> {
        self.num()
            .filter(|v| *v >= 0.0 && v.fract() == 0.0 && *v <= u32::MAX as f64)
            .map(|v| v as u32)
    }

    pub fn boolean(&self) -> Option<bool> {
        self.touch();
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s == "true" => Some(true),
            Value::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// A short description of what the node holds, for messages.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Map(_) => "a table".into(),
            Value::Seq(_) => "a list".into(),
            Value::Str(s) => format!("\"{s}\""),
            Value::Num(v) => fmt_num(*v),
            Value::Bool(b) => b.to_string(),
            Value::Null => "null".into(),
            Value::Expr(e) => format!("the expression `{e}`"),
        }
    }

    /// Keys of this subtree nobody read: the highest unread node of each
    /// branch, as `(dotted path, line)`, in file order.
    pub fn unread(&self, prefix: &str, out: &mut Vec<(String, usize)>) {
        if !self.any_read() {
            if !prefix.is_empty() {
                out.push((prefix.to_string(), self.line));
            }
            return;
        }
        match &self.value {
            Value::Map(m) => {
                for (k, n) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    n.unread(&p, out);
                }
            }
            Value::Seq(s) => {
                for (i, n) in s.iter().enumerate() {
                    n.unread(&format!("{prefix}[{i}]"), out);
                }
            }
            _ => {}
        }
    }

    fn any_read(&self) -> bool {
        self.read.get()
            || match &self.value {
                Value::Map(m) => m.iter().any(|(_, n)| n.any_read()),
                Value::Seq(s) => s.iter().any(Node::any_read),
                _ => false,
            }
    }
}

/// A number as a person writes it: `3`, `0.5`, `1e21`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            1,
            Value::Map(entries.into_iter().map(|(k, n)| (k.into(), n)).collect()),
        )
    }

    #[test]
    fn unread_reports_the_highest_unread_node_of_each_branch() {
        let tree = map(vec![
            ("a", Node::new(2, Value::Num(1.0))),
            (
                "b",
                map(vec![
                    ("c", Node::new(4, Value::Num(2.0))),
                    ("d", Node::new(5, Value::Str("x".into()))),
                ]),
            ),
            ("e", map(vec![("f", Node::new(7, Value::Null))])),
        ]);
        assert_eq!(tree.get("a").and_then(Node::num), Some(1.0));
        assert_eq!(tree.path(&["b", "c"]).and_then(Node::count), Some(2));
        let mut out = Vec::new();
        tree.unread("", &mut out);
        assert_eq!(out, vec![("b.d".to_string(), 5), ("e".to_string(), 1)]);
    }
}
