//! A small reader of JavaScript object literals (a k6 script's `options`)
//! and of JSON (its subset), into [`Node`]s with line numbers. Nothing is run.
//!
//! Why not a JSON5 crate: k6 options are JavaScript, not JSON5 — they hold
//! comments, trailing commas, unquoted keys, template strings, and sometimes
//! expressions (`__ENV.VUS || 10`, `60 * 5`). This reader accepts literals
//! (objects, arrays, strings, numbers, booleans, `null`), evaluates nothing,
//! and keeps any other value as [`Value::Expr`] with its source text, so the
//! importer can say which value it could not read instead of guessing.

use super::node::{Node, Value};

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Punct(char),
    Str(String),
    /// A template string with `${...}` in it: not a literal.
    Template(String),
    Num(f64),
    Ident(String),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    line: usize,
    /// Byte range in the source (for the text of expressions).
    start: usize,
    end: usize,
}

/// Splits JavaScript source into tokens; comments are skipped. Regular
/// expression literals are not recognised (options never hold them; in the
/// rest of a script a stray `/` only yields a punctuation token).
fn tokenize(src: &str) -> Result<Vec<Token>, (usize, String)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            i += 1;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let start_line = line;
            i += 2;
            loop {
                if i + 1 >= b.len() {
                    return Err((start_line, "unterminated /* comment".into()));
                }
                if b[i] == b'*' && b[i + 1] == b'/' {
                    i += 2;
                    break;
                }
                if b[i] == b'\n' {
                    line += 1;
                }
                i += 1;
            }
        } else if c == b'"' || c == b'\'' || c == b'`' {
            let (start, start_line) = (i, line);
            let mut s = String::new();
            let mut interpolated = false;
            i += 1;
            loop {
                let Some(&d) = b.get(i) else {
                    return Err((start_line, "unterminated string".into()));
                };
                if d == c {
                    i += 1;
                    break;
                }
                if d == b'\n' {
                    if c != b'`' {
                        return Err((start_line, "unterminated string".into()));
                    }
                    line += 1;
                }
                if d == b'\\' {
                    let esc = b.get(i + 1).copied().unwrap_or(b'\\');
                    s.push(match esc {
                        b'n' => '\n',
                        b't' => '\t',
                        other => other as char,
                    });
                    i += 2;
                    continue;
                }
                if c == b'`' && d == b'$' && b.get(i + 1) == Some(&b'{') {
                    interpolated = true;
                }
                // Copy a whole UTF-8 character.
                let len = utf8_len(d);
                s.push_str(src.get(i..i + len).unwrap_or("?"));
                i += len;
            }
            let tok = if interpolated {
                Tok::Template(s)
            } else {
                Tok::Str(s)
            };
            out.push(Token {
                tok,
                line: start_line,
                start,
                end: i,
            });
        } else if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'.'
                    || b[i] == b'_'
                    || ((b[i] == b'-' || b[i] == b'+') && matches!(b[i - 1], b'e' | b'E')))
            {
                i += 1;
            }
            let text = src[start..i].replace('_', "");
            let v = if let Some(hex) = text.strip_prefix("0x").or(text.strip_prefix("0X")) {
                i64::from_str_radix(hex, 16).ok().map(|v| v as f64)
            } else {
                text.parse::<f64>().ok()
            };
            let v = v.ok_or((line, format!("`{}` is not a number", &src[start..i])))?;
            out.push(Token {
                tok: Tok::Num(v),
                line,
                start,
                end: i,
            });
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(src[start..i].to_string()),
                line,
                start,
                end: i,
            });
        } else {
            let len = utf8_len(c);
            let ch = src[i..].chars().next().unwrap_or('?');
            out.push(Token {
                tok: Tok::Punct(ch),
                line,
                start: i,
                end: i + len,
            });
            i += len;
        }
    }
    Ok(out)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

struct P<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

/// Deepest nesting accepted, so a hostile file cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

impl P<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn is_punct(&self, c: char) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Punct(p), .. }) if *p == c)
    }

    fn last_line(&self) -> usize {
        self.toks.last().map_or(1, |t| t.line)
    }

    fn expect(&mut self, c: char) -> Result<(), (usize, String)> {
        if self.is_punct(c) {
            self.pos += 1;
            Ok(())
        } else {
            let (line, found) = match self.peek() {
                Some(t) => (t.line, format!("`{}`", &self.src[t.start..t.end])),
                None => (self.last_line(), "the end of the file".into()),
            };
            Err((line, format!("expected `{c}`, found {found}")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, (usize, String)> {
        if depth > MAX_DEPTH {
            return Err((self.last_line(), "nested too deeply".into()));
        }
        let Some(t) = self.peek().cloned() else {
            return Err((self.last_line(), "expected a value, found the end".into()));
        };
        let literal = match &t.tok {
            Tok::Punct('{') => return self.object(depth),
            Tok::Punct('[') => return self.array(depth),
            Tok::Str(s) => Some(Value::Str(s.clone())),
            Tok::Num(v) => Some(Value::Num(*v)),
            Tok::Ident(id) if id == "true" => Some(Value::Bool(true)),
            Tok::Ident(id) if id == "false" => Some(Value::Bool(false)),
            Tok::Ident(id) if id == "null" || id == "undefined" => Some(Value::Null),
            _ => None,
        };
        // A literal followed by the end of the value is a literal; `-5` is a
        // number; anything else is an expression up to the next `,` `}` `]`.
        if let Some(v) = literal {
            if self.ends_value(self.pos + 1) {
                self.pos += 1;
                return Ok(Node::new(t.line, v));
            }
        }
        if t.tok == Tok::Punct('-') {
            if let Some(Token {
                tok: Tok::Num(v), ..
            }) = self.toks.get(self.pos + 1).cloned()
            {
                if self.ends_value(self.pos + 2) {
                    self.pos += 2;
                    return Ok(Node::new(t.line, Value::Num(-v)));
                }
            }
        }
        self.expression(t.line)
    }

    fn ends_value(&self, at: usize) -> bool {
        match self.toks.get(at) {
            None => true,
            Some(t) => matches!(t.tok, Tok::Punct(',' | '}' | ']' | ')' | ';')),
        }
    }

    /// Source text up to the next `,` `}` `]` `;` at depth 0.
    fn expression(&mut self, line: usize) -> Result<Node, (usize, String)> {
        let start = self.pos;
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            match t.tok {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') if depth > 0 => depth -= 1,
                Tok::Punct(',' | '}' | ']' | ')' | ';') if depth == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err((line, "expected a value".into()));
        }
        let (a, b) = (self.toks[start].start, self.toks[self.pos - 1].end);
        let text = self.src[a..b]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Node::new(line, Value::Expr(text)))
    }

    fn object(&mut self, depth: usize) -> Result<Node, (usize, String)> {
        let line = self.peek().map_or(1, |t| t.line);
        self.expect('{')?;
        let mut entries: Vec<(String, Node)> = Vec::new();
        loop {
            if self.is_punct('}') {
                self.pos += 1;
                break;
            }
            let Some(t) = self.peek().cloned() else {
                return Err((line, "unterminated object: missing `}`".into()));
            };
            // Spread (`...base`) or computed keys cannot be read without running code.
            let key = match &t.tok {
                Tok::Ident(s) | Tok::Str(s) => s.clone(),
                Tok::Num(v) => super::node::fmt_num(*v),
                _ => {
                    let e = self.expression(t.line)?;
                    entries.push((format!("<{}>", e.describe()), e));
                    if self.is_punct(',') {
                        self.pos += 1;
                    }
                    continue;
                }
            };
            self.pos += 1;
            let node = if self.is_punct(':') {
                self.pos += 1;
                self.value(depth + 1)?
            } else if self.is_punct(',') || self.is_punct('}') {
                // Shorthand `{ stages }`: the value is a variable.
                Node::new(t.line, Value::Expr(key.clone()))
            } else {
                // A method (`setup() {...}`) or something else: keep its text.
                self.expression(t.line)?
            };
            // The entry's line is its key's line.
            let node = Node::new(t.line, node.value);
            entries.push((key, node));
            if self.is_punct(',') {
                self.pos += 1;
            } else if !self.is_punct('}') {
                self.expect('}')?;
            }
        }
        Ok(Node::new(line, Value::Map(entries)))
    }

    fn array(&mut self, depth: usize) -> Result<Node, (usize, String)> {
        let line = self.peek().map_or(1, |t| t.line);
        self.expect('[')?;
        let mut items = Vec::new();
        loop {
            if self.is_punct(']') {
                self.pos += 1;
                break;
            }
            if self.peek().is_none() {
                return Err((line, "unterminated list: missing `]`".into()));
            }
            items.push(self.value(depth + 1)?);
            if self.is_punct(',') {
                self.pos += 1;
            } else if !self.is_punct(']') {
                self.expect(']')?;
            }
        }
        Ok(Node::new(line, Value::Seq(items)))
    }
}

/// Parses a whole file holding one value (JSON, or a JS literal).
pub fn parse_value(src: &str) -> Result<Node, (usize, String)> {
    let mut p = P {
        src,
        toks: tokenize(src)?,
        pos: 0,
    };
    let v = p.value(0)?;
    if let Some(t) = p.peek() {
        return Err((
            t.line,
            format!(
                "expected the end of the file after the value, found `{}`",
                &src[t.start..t.end]
            ),
        ));
    }
    Ok(v)
}

/// What a k6 script exports as `options`, and the `sleep(...)` and request
/// calls its code makes (read, not run).
pub struct K6Script {
    pub options: Node,
    /// `sleep(N)` calls with a literal N, seconds, with their lines.
    pub sleeps: Vec<(f64, usize)>,
    /// `http.get(` / `post` / `put` / `patch` / `del` / `request` / `batch(` calls.
    pub requests: Vec<(String, usize)>,
}

/// Finds `export const|let|var options = { ... }` (or `export const options
/// = {...}` written as `export let options: Options = {...}` in TypeScript)
/// and parses the object.
pub fn parse_k6(src: &str) -> Result<K6Script, (usize, String)> {
    let toks = tokenize(src)?;
    let ident = |i: usize, name: &str| matches!(toks.get(i), Some(Token { tok: Tok::Ident(s), .. }) if s == name);
    let mut found = None;
    for i in 0..toks.len() {
        if ident(i, "export")
            && (ident(i + 1, "const") || ident(i + 1, "let") || ident(i + 1, "var"))
            && ident(i + 2, "options")
        {
            // Skip a TypeScript annotation up to `=`.
            let mut j = i + 3;
            while j < toks.len() && toks[j].tok != Tok::Punct('=') && j < i + 8 {
                j += 1;
            }
            if toks.get(j).map(|t| &t.tok) == Some(&Tok::Punct('=')) {
                found = Some(j + 1);
                break;
            }
        }
    }
    let Some(start) = found else {
        return Err((
            1,
            "no `export const options = { ... }` in this script; capsim reads the options object without running the script".into(),
        ));
    };
    let mut sleeps = Vec::new();
    let mut requests = Vec::new();
    for i in 0..toks.len() {
        if ident(i, "sleep") && toks.get(i + 1).map(|t| &t.tok) == Some(&Tok::Punct('(')) {
            if let (Some(Tok::Num(v)), Some(Tok::Punct(')'))) = (
                toks.get(i + 2).map(|t| &t.tok),
                toks.get(i + 3).map(|t| &t.tok),
            ) {
                sleeps.push((*v, toks[i].line));
            } else {
                sleeps.push((f64::NAN, toks[i].line));
            }
        }
        if ident(i, "http") && toks.get(i + 1).map(|t| &t.tok) == Some(&Tok::Punct('.')) {
            if let Some(Tok::Ident(m)) = toks.get(i + 2).map(|t| &t.tok) {
                if matches!(
                    m.as_str(),
                    "get"
                        | "post"
                        | "put"
                        | "patch"
                        | "del"
                        | "head"
                        | "options"
                        | "request"
                        | "batch"
                ) {
                    requests.push((m.clone(), toks[i].line));
                }
            }
        }
    }
    let mut p = P {
        src,
        toks,
        pos: start,
    };
    let options = p.value(0)?;
    if !matches!(options.value, Value::Map(_)) {
        return Err((
            options.line,
            format!(
                "`options` is {}, expected an object literal `{{ ... }}`",
                options.describe()
            ),
        ));
    }
    Ok(K6Script {
        options,
        sleeps,
        requests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_k6_options_object_with_comments_and_expressions() {
        let src = r#"import http from 'k6/http';
// options below
export const options = {
  stages: [
    { duration: '1m30s', target: 100 },   // ramp
    { duration: "5m", target: 100, },
  ],
  /* block
     comment */
  vus: __ENV.VUS || 10,
  thresholds: { 'http_req_duration{kind:api}': ['p(95)<500'], http_req_failed: [`rate<0.01`] },
  neg: -2,
};
export default function () { http.get(`${BASE}/x`); sleep(1); }
"#;
        let k6 = parse_k6(src).unwrap();
        let stages = k6.options.get("stages").unwrap().items();
        assert_eq!(stages.len(), 2);
        assert_eq!(stages[0].line, 5);
        assert_eq!(stages[0].get("duration").unwrap().str(), Some("1m30s"));
        assert_eq!(stages[1].get("target").unwrap().num(), Some(100.0));
        let vus = k6.options.get("vus").unwrap();
        assert!(matches!(&vus.value, Value::Expr(e) if e == "__ENV.VUS || 10"));
        assert_eq!(vus.line, 10);
        let th = k6.options.get("thresholds").unwrap();
        assert!(th.get("http_req_duration{kind:api}").is_some());
        assert_eq!(k6.options.get("neg").unwrap().num(), Some(-2.0));
        assert_eq!(k6.sleeps, vec![(1.0, 14)]);
        assert_eq!(k6.requests.len(), 1);
    }

    #[test]
    fn json_is_read_with_lines() {
        let v = parse_value("{\n  \"deploy\": {\n    \"numReplicas\": 2\n  }\n}\n").unwrap();
        let n = v.path(&["deploy", "numReplicas"]).unwrap();
        assert_eq!((n.line, n.count()), (3, Some(2)));
    }

    #[test]
    fn errors_name_a_line() {
        assert_eq!(parse_value("{\n \"a\": [1,\n").err().unwrap().0, 2);
        assert!(parse_k6("export default function () {}").is_err());
        assert!(parse_value("'abc").is_err());
    }
}
