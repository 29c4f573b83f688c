//! The model being imported: components with values that each remember the
//! file and line they came from, the values that had to be assumed, and the
//! warnings. Mappers (one per config format) fill it; [`Draft::complete`]
//! adds what a runnable model needs and no config says, each as an assumption.

use std::fmt;

/// A file and a 1-based line.
#[derive(Clone, Debug, PartialEq)]
pub struct Src {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Where a value of the output comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Read from a config file.
    From(Src),
    /// Assumed: listed in `[[assumptions]]`.
    Assumed,
}

/// One key of a component (or of `[slo]`, or of the scenario).
#[derive(Clone, Debug)]
pub struct Field {
    /// Dotted, relative to its table: `replicas`, `balancer.policy`,
    /// `autoscale.behavior.scale_up.policies`.
    pub key: String,
    pub value: toml::Value,
    pub origin: Origin,
    /// For a list: where each element came from (empty when unknown).
    pub elem_src: Vec<Src>,
}

/// A component of the output model.
#[derive(Clone, Debug)]
pub struct Comp {
    pub name: String,
    /// `service`, `cache`, `pool`, `database`.
    pub kind: &'static str,
    /// Where it was first defined, and as what (`Deployment api`).
    pub src: Src,
    pub what: String,
    pub fields: Vec<Field>,
    /// Comments written above the table: mechanisms capsim does not model yet.
    pub todos: Vec<String>,
    /// Kubernetes pod labels, to match a Service's selector.
    pub labels: Vec<(String, String)>,
}

impl Comp {
    pub fn get(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// An `[[assumptions]]` entry.
#[derive(Clone, Debug)]
pub struct Assumed {
    pub key: String,
    pub value: toml::Value,
    pub why: String,
    pub source: Option<String>,
}

/// The k6-derived scenario.
#[derive(Clone, Debug, Default)]
pub struct ScenarioDraft {
    pub name: String,
    pub src: Option<Src>,
    /// Top-level keys (`duration`, ...).
    pub top: Vec<Field>,
    /// `[workload]` keys.
    pub workload: Vec<Field>,
    pub todos: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub comps: Vec<Comp>,
    pub slo: Vec<Field>,
    pub assumptions: Vec<Assumed>,
    /// `file:line: message`, in the order found.
    pub warnings: Vec<String>,
    pub scenario: Option<ScenarioDraft>,
    /// The component traffic enters (an nginx `proxy_pass`, a k8s Service).
    pub entry_hint: Option<(String, Src)>,
    /// Values for "the service" from configs that do not name it (Railway):
    /// applied to the only service, or to a new `app`.
    pub unnamed: Vec<Field>,
    pub unnamed_what: Option<(String, Src)>,
    /// Calls from `depends_on`: (caller, callee, where).
    pub depends: Vec<(String, String, Src)>,
    /// The files read, in order.
    pub files: Vec<String>,
    /// Component names of the model under `--check`, so a config that does
    /// not name its service (an nginx upstream of `api1`, `api2`) maps onto it.
    pub known: Vec<String>,
}

/// A TOML string value.
pub fn s(v: impl Into<String>) -> toml::Value {
    toml::Value::String(v.into())
}

/// A TOML integer value.
pub fn int(v: u32) -> toml::Value {
    toml::Value::Integer(v as i64)
}

/// A TOML number: an integer when whole.
pub fn num(v: f64) -> toml::Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        toml::Value::Integer(v as i64)
    } else {
        toml::Value::Float(v)
    }
}

/// Seconds as a capsim duration string (`"90s"`, `"0.5s"`, `"250ms"`).
pub fn secs(v: f64) -> toml::Value {
    s(secs_text(v))
}

pub fn secs_text(v: f64) -> String {
    if v != 0.0 && v < 1.0 {
        format!(
            "{}ms",
            super::node::fmt_num((v * 1000.0 * 1000.0).round() / 1000.0)
        )
    } else {
        format!("{}s", super::node::fmt_num(v))
    }
}

impl Draft {
    pub fn warn(&mut self, src: &Src, msg: impl fmt::Display) {
        self.warnings.push(format!("{src}: {msg}"));
    }

    /// Warns about every key of `node` nobody read.
    pub fn warn_unread(&mut self, file: &str, node: &super::node::Node, prefix: &str, what: &str) {
        let mut out = Vec::new();
        node.unread(prefix, &mut out);
        for (key, line) in out {
            let src = Src {
                file: file.to_string(),
                line,
            };
            self.warn(
                &src,
                format!("`{key}` ({what}) is not supported by capsim import: ignored"),
            );
        }
    }

    pub fn comp_index(&self, name: &str) -> Option<usize> {
        self.comps.iter().position(|c| c.name == name)
    }

    /// The component `name`, created as `kind` if new. A kind conflict keeps
    /// the first and warns.
    pub fn comp(&mut self, name: &str, kind: &'static str, src: &Src, what: &str) -> usize {
        if let Some(i) = self.comp_index(name) {
            if self.comps[i].kind != kind {
                let first = self.comps[i].src.clone();
                let k = self.comps[i].kind;
                self.warn(
                    src,
                    format!("{what} `{name}` is a {kind} here but a {k} at {first}; kept the {k}"),
                );
            }
            return i;
        }
        self.comps.push(Comp {
            name: name.to_string(),
            kind,
            src: src.clone(),
            what: what.to_string(),
            fields: Vec::new(),
            todos: Vec::new(),
            labels: Vec::new(),
        });
        self.comps.len() - 1
    }

    /// Sets `key` of component `c` from `src`. A second, different value for
    /// the same key keeps the first and warns.
    pub fn set(&mut self, c: usize, key: &str, value: toml::Value, src: &Src) {
        self.set_list(c, key, value, src, Vec::new());
    }

    pub fn set_list(
        &mut self,
        c: usize,
        key: &str,
        value: toml::Value,
        src: &Src,
        elem_src: Vec<Src>,
    ) {
        if let Some(f) = self.comps[c].get(key) {
            if f.value != value {
                let (name, old, at) = (
                    self.comps[c].name.clone(),
                    f.value.clone(),
                    f.origin.clone(),
                );
                let at = match at {
                    Origin::From(s) => s.to_string(),
                    Origin::Assumed => "an assumption".into(),
                };
                self.warn(
                    src,
                    format!(
                        "`components.{name}.{key}` = {value} here, but {old} at {at}; kept {old}"
                    ),
                );
            }
            return;
        }
        self.comps[c].fields.push(Field {
            key: key.to_string(),
            value,
            origin: Origin::From(src.clone()),
            elem_src,
        });
    }

    pub fn todo(&mut self, c: usize, src: &Src, text: impl fmt::Display) {
        let line = format!("TODO (not modelled by capsim yet): {text} ({src})");
        self.warnings.push(format!(
            "{src}: {text}: not modelled by capsim yet; recorded as a TODO in the model"
        ));
        self.comps[c].todos.push(line);
    }

    /// Assumes `key` of component `c` (unless set) and lists it.
    pub fn assume(&mut self, c: usize, key: &str, value: toml::Value, why: &str) {
        if self.comps[c].get(key).is_some() {
            return;
        }
        self.comps[c].fields.push(Field {
            key: key.to_string(),
            value: value.clone(),
            origin: Origin::Assumed,
            elem_src: Vec::new(),
        });
        let full = format!("components.{}.{key}", self.comps[c].name);
        self.assumptions.push(Assumed {
            key: full,
            value,
            why: why.to_string(),
            source: Some("capsim import".into()),
        });
    }

    pub fn set_slo(&mut self, key: &str, value: toml::Value, src: &Src) {
        if let Some(f) = self.slo.iter().find(|f| f.key == key) {
            if f.value != value {
                let old = f.value.clone();
                self.warn(
                    src,
                    format!("`slo.{key}` = {value} here, but {old} earlier; kept {old}"),
                );
            }
            return;
        }
        self.slo.push(Field {
            key: key.to_string(),
            value,
            origin: Origin::From(src.clone()),
            elem_src: Vec::new(),
        });
    }

    /// Renames component `from` to `to` (`--rename`), merging into `to` when
    /// it exists; references (pool targets, depends_on, the entry) follow.
    pub fn rename(&mut self, from: &str, to: &str) -> bool {
        let Some(i) = self.comp_index(from) else {
            return false;
        };
        match self.comp_index(to) {
            None => self.comps[i].name = to.to_string(),
            Some(j) => {
                let moved = self.comps.remove(i);
                let j = if i < j { j - 1 } else { j };
                for f in moved.fields {
                    if let Origin::From(src) = &f.origin {
                        let src = src.clone();
                        self.set_list(j, &f.key, f.value, &src, f.elem_src);
                    }
                }
                self.comps[j].todos.extend(moved.todos);
                self.comps[j].labels.extend(moved.labels);
            }
        }
        for c in &mut self.comps {
            for f in &mut c.fields {
                if f.key == "target" && f.value.as_str() == Some(from) {
                    f.value = s(to);
                }
            }
        }
        for (a, b, _) in &mut self.depends {
            for x in [a, b] {
                if x == from {
                    *x = to.to_string();
                }
            }
        }
        if let Some((e, _)) = &mut self.entry_hint {
            if e == from {
                *e = to.to_string();
            }
        }
        true
    }

    /// Fills in what a runnable model needs and no config gave: a service
    /// to enter, CPU time per request, cache hit ratios, query times, a
    /// database behind each pool, the calls of the entry service, and one
    /// request class. Each is an `[[assumptions]]` entry.
    pub fn complete(&mut self) {
        self.apply_unnamed();
        let has_service = self.comps.iter().any(|c| c.kind == "service");
        if !has_service {
            let src = Src {
                file: "capsim import".into(),
                line: 0,
            };
            let c = self.comp("app", "service", &src, "assumed service");
            self.assume(
                c,
                "replicas",
                int(1),
                "no config defines an application service; one replica stands in for it",
            );
        }
        // A pool's server named by its config (a host) but defined by no
        // file: a database of that name.
        for i in 0..self.comps.len() {
            if self.comps[i].kind != "pool" {
                continue;
            }
            let Some(f) = self.comps[i].get("target") else {
                continue;
            };
            let (Some(t), Origin::From(src)) =
                (f.value.as_str().map(String::from), f.origin.clone())
            else {
                continue;
            };
            if self.comp_index(&t).is_none() {
                let pool = self.comps[i].name.clone();
                self.comp(&t, "database", &src, &format!("database behind {pool}"));
            }
        }
        // An autoscaler needs bounds.
        for i in 0..self.comps.len() {
            if self.comps[i].get("autoscale.kind").is_some()
                && self.comps[i].get("autoscale.max_replicas").is_none()
            {
                self.assume(
                    i,
                    "autoscale.max_replicas",
                    int(10),
                    "no config gives the autoscaler's maximum replica count",
                );
            }
        }
        // Pools need a target database.
        let dbs: Vec<String> = self
            .comps
            .iter()
            .filter(|c| c.kind == "database")
            .map(|c| c.name.clone())
            .collect();
        for i in 0..self.comps.len() {
            if self.comps[i].kind == "pool" && self.comps[i].get("target").is_none() {
                let target = match dbs.as_slice() {
                    [one] => one.clone(),
                    _ => {
                        let src = self.comps[i].src.clone();
                        self.comp("db", "database", &src, "assumed database");
                        "db".to_string()
                    }
                };
                self.assume(
                    i,
                    "target",
                    s(target),
                    "the pool's config does not say which database component serves it",
                );
            }
        }
        // Calls from depends_on.
        let depends = std::mem::take(&mut self.depends);
        let mut callers: Vec<(String, Vec<(String, Src)>)> = Vec::new();
        for (from, to, src) in depends {
            if self.comp_index(&to).is_none() {
                self.warn(
                    &src,
                    format!("`{from}` depends on `{to}`, which is not defined: no call"),
                );
                continue;
            }
            match callers.iter_mut().find(|(f, _)| *f == from) {
                Some((_, v)) => v.push((to, src)),
                None => callers.push((from, vec![(to, src)])),
            }
        }
        for (from, tos) in callers {
            if let Some(c) = self.comp_index(&from) {
                if self.comps[c].kind != "service" {
                    continue;
                }
                let calls: Vec<toml::Value> = tos.iter().map(|(t, _)| call(t)).collect();
                let srcs: Vec<Src> = tos.iter().map(|(_, s)| s.clone()).collect();
                let first = srcs[0].clone();
                self.set_list(c, "calls", toml::Value::Array(calls), &first, srcs);
            }
        }
        // Per-kind values no config states.
        for i in 0..self.comps.len() {
            match self.comps[i].kind {
                "service" => self.assume(
                    i,
                    "cpu",
                    toml::Value::Table(
                        [("dist".to_string(), s("exponential")), ("mean".to_string(), s("10ms"))]
                            .into_iter()
                            .collect(),
                    ),
                    "no config states the CPU time per request; measure it (a profile, or CPU seconds / requests from metrics) and replace this",
                ),
                "cache" => self.assume(
                    i,
                    "hit_ratio",
                    num(0.8),
                    "no config states the cache hit ratio; read it from the cache's stats (keyspace_hits / (hits + misses))",
                ),
                "database" => {
                    self.assume(
                        i,
                        "read",
                        s("2ms"),
                        "no config states the query time; read it from the database's statement statistics",
                    );
                    self.assume(
                        i,
                        "write",
                        s("5ms"),
                        "no config states the write time; read it from the database's statement statistics",
                    );
                }
                _ => {}
            }
        }
        // The entry: the balancer's or Service's target, else the first service.
        let entry = match self.entry_hint.clone() {
            Some((name, _)) if self.comp_index(&name).is_some() => name,
            _ => self
                .comps
                .iter()
                .find(|c| c.kind == "service")
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "app".into()),
        };
        // The entry service calls the data tier nobody else calls.
        if let Some(e) = self.comp_index(&entry) {
            if self.comps[e].get("calls").is_none() {
                let called: Vec<String> = self
                    .comps
                    .iter()
                    .flat_map(|c| {
                        let mut v: Vec<String> = c
                            .get("calls")
                            .and_then(|f| f.value.as_array())
                            .map(|a| {
                                a.iter()
                                    .filter_map(|t| {
                                        t.get("to").and_then(|x| x.as_str()).map(String::from)
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        if let Some(t) = c.get("target").and_then(|f| f.value.as_str()) {
                            v.push(t.to_string());
                        }
                        v
                    })
                    .collect();
                let data: Vec<toml::Value> = self
                    .comps
                    .iter()
                    .filter(|c| {
                        matches!(c.kind, "pool" | "cache" | "database") && !called.contains(&c.name)
                    })
                    .map(|c| call(&c.name))
                    .collect();
                if !data.is_empty() {
                    self.assume(
                        e,
                        "calls",
                        toml::Value::Array(data),
                        "no config says what a request does downstream; each request calls every data component once, in file order",
                    );
                }
            }
        }
        self.assumptions.push(Assumed {
            key: "classes[0]".into(),
            value: toml::Value::Table(
                [
                    ("name".to_string(), s("default")),
                    ("share".to_string(), int(1)),
                    ("entry".to_string(), s(entry.clone())),
                ]
                .into_iter()
                .collect(),
            ),
            why: "configs do not describe the request mix; one class enters the service the traffic reaches first".into(),
            source: Some("capsim import".into()),
        });
        if self.scenario.is_none() {
            self.assumptions.push(Assumed {
                key: "scenario".into(),
                value: s("none"),
                why: "no load-test script was imported: traffic (rate or users) must come from a scenario you write or from production metrics".into(),
                source: None,
            });
        }
    }

    /// The name of the class's entry (after [`Draft::complete`]).
    pub fn entry(&self) -> String {
        self.assumptions
            .iter()
            .find(|a| a.key == "classes[0]")
            .and_then(|a| a.value.get("entry"))
            .and_then(|v| v.as_str())
            .unwrap_or("app")
            .to_string()
    }

    fn apply_unnamed(&mut self) {
        if self.unnamed.is_empty() {
            return;
        }
        let fields = std::mem::take(&mut self.unnamed);
        let (what, src) = self.unnamed_what.clone().unwrap_or_else(|| {
            (
                "config".into(),
                Src {
                    file: "?".into(),
                    line: 1,
                },
            )
        });
        let services: Vec<usize> = (0..self.comps.len())
            .filter(|&i| self.comps[i].kind == "service")
            .collect();
        let c = match services.as_slice() {
            [one] => *one,
            _ => {
                if !services.is_empty() {
                    self.warn(
                        &src,
                        format!("{what} does not name its service and several are defined: its values go to a new service `app`"),
                    );
                }
                self.comp("app", "service", &src, &what)
            }
        };
        for f in fields {
            if let Origin::From(src) = &f.origin {
                let src = src.clone();
                self.set_list(c, &f.key, f.value, &src, f.elem_src);
            }
        }
    }
}

fn call(to: &str) -> toml::Value {
    toml::Value::Table([("to".to_string(), s(to))].into_iter().collect())
}

/// A component name capsim accepts (letters, digits, `_`, `-`), from any
/// config name.
pub fn comp_name(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    out.truncate(64);
    if out.is_empty() {
        "app".into()
    } else {
        out
    }
}
