//! YAML (Kubernetes manifests, docker-compose, render.yaml) into [`Node`]s
//! with line numbers, from yaml-rust2's marked event stream.
//!
//! A multi-document file is split at its `---` lines first, so each document
//! keeps its own text (the HPA parser of `capsim-autoscale` reads that text).

use super::node::{Node, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One YAML document: its text, the line it starts on, and its tree.
pub struct Doc {
    pub text: String,
    pub first_line: usize,
    pub root: Node,
}

/// Parses every non-empty document of `text`; an error names the line.
pub fn parse_docs(text: &str) -> Result<Vec<Doc>, (usize, String)> {
    let mut docs = Vec::new();
    for (first_line, chunk) in split_documents(text) {
        let root = parse_one(&chunk, first_line)?;
        if let Some(root) = root {
            docs.push(Doc {
                text: chunk,
                first_line,
                root,
            });
        }
    }
    Ok(docs)
}

/// `(first line, text)` of each document, split at lines that start with `---`.
fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    for (i, line) in text.lines().enumerate() {
        let is_sep =
            line.starts_with("---") && line[3..].chars().next().map_or(true, char::is_whitespace);
        if is_sep {
            out.push((start, std::mem::take(&mut cur)));
            // A document may start on the `---` line itself (`--- !tag`): keep
            // the rest of that line as the document's first line.
            start = i + 1;
            cur.push_str(&line[3..]);
            cur.push('\n');
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    out.push((start, cur));
    out
}

fn parse_one(text: &str, first_line: usize) -> Result<Option<Node>, (usize, String)> {
    let mut b = Builder {
        offset: first_line - 1,
        stack: Vec::new(),
        roots: Vec::new(),
        anchors: Vec::new(),
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut b, true).map_err(|e| {
        let m = e.marker();
        (m.line() + b.offset, e.info().to_string())
    })?;
    if let Some(e) = b.error {
        return Err(e);
    }
    Ok(b.roots
        .into_iter()
        .find(|n| !matches!(n.value, Value::Null)))
}

enum Frame {
    Map {
        line: usize,
        anchor: usize,
        entries: Vec<(String, Node)>,
        key: Option<Node>,
    },
    Seq {
        line: usize,
        anchor: usize,
        items: Vec<Node>,
    },
}

struct Builder {
    offset: usize,
    stack: Vec<Frame>,
    roots: Vec<Node>,
    anchors: Vec<(usize, Node)>,
    error: Option<(usize, String)>,
}

impl Builder {
    fn add(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => self.roots.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let name = match &k.value {
                        Value::Str(s) => s.clone(),
                        Value::Num(v) => super::node::fmt_num(*v),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => String::new(),
                        _ => {
                            if self.error.is_none() {
                                self.error =
                                    Some((k.line, "a table or list used as a key".to_string()));
                            }
                            String::new()
                        }
                    };
                    if name == "<<" {
                        // Merge key: copy entries not already present.
                        let merged: Vec<(String, Node)> = match node.value {
                            Value::Map(m) => m,
                            Value::Seq(s) => s
                                .into_iter()
                                .flat_map(|n| match n.value {
                                    Value::Map(m) => m,
                                    _ => Vec::new(),
                                })
                                .collect(),
                            _ => Vec::new(),
                        };
                        for (mk, mv) in merged {
                            if !entries.iter().any(|(e, _)| *e == mk) {
                                entries.push((mk, mv));
                            }
                        }
                    } else {
                        // A key after a merge overrides the merged value.
                        entries.retain(|(e, _)| *e != name);
                        // An entry is cited at its key's line (a block
                        // table's own marker is on its first child).
                        let mut node = node;
                        node.line = k.line;
                        entries.push((name, node));
                    }
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line() + self.offset;
        match ev {
            Event::Scalar(text, style, anchor, _tag) => {
                let value = if style == TScalarStyle::Plain {
                    plain_scalar(text)
                } else {
                    Value::Str(text)
                };
                self.add(Node::new(line, value), anchor);
            }
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                line,
                anchor,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                line,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingEnd | Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Map {
                    line,
                    anchor,
                    entries,
                    ..
                }) => self.add(Node::new(line, Value::Map(entries)), anchor),
                Some(Frame::Seq {
                    line,
                    anchor,
                    items,
                }) => self.add(Node::new(line, Value::Seq(items)), anchor),
                None => {}
            },
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| Node::new(line, Value::Null));
                self.add(node, 0);
            }
            _ => {}
        }
    }
}

/// YAML 1.2 core schema for plain scalars: null, booleans, numbers, else text.
fn plain_scalar(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && text.chars().any(|c| c.is_ascii_digit());
    match text.parse::<f64>() {
        Ok(v) if numeric && v.is_finite() => Value::Num(v),
        _ => Value::Str(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_lines_are_file_lines() {
        let text = "a: 1\n---\n# c\nkind: X\nspec:\n  replicas: 3\n  cpu: 500m\n  q: \"5\"\n---\n";
        let docs = parse_docs(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].root.get("a").unwrap().line, 1);
        let spec = docs[1].root.get("spec").unwrap();
        let r = spec.get("replicas").unwrap();
        assert_eq!((r.line, r.num()), (6, Some(3.0)));
        assert_eq!(spec.get("cpu").unwrap().str(), Some("500m"));
        // A quoted number stays text, but still reads as a number.
        assert!(matches!(spec.get("q").unwrap().value, Value::Str(_)));
        assert_eq!(spec.get("q").unwrap().num(), Some(5.0));
        assert_eq!(docs[1].first_line, 2);
    }

    #[test]
    fn anchors_and_merge_keys() {
        let text = "x: &d\n  cpus: 0.5\n  mem: 1G\nsvc:\n  <<: *d\n  mem: 2G\n";
        let docs = parse_docs(text).unwrap();
        let svc = docs[0].root.get("svc").unwrap();
        assert_eq!(svc.get("cpus").unwrap().num(), Some(0.5));
        assert_eq!(svc.get("mem").unwrap().str(), Some("2G"));
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let err = parse_docs("a: 1\n---\nb: [1, 2\nc: 3\n").err().unwrap();
        assert!(err.0 >= 3, "{err:?}");
    }
}
