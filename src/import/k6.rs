//! A k6 script's `options` → a capsim scenario, and its thresholds → the
//! model's `[slo]`. The options object is read as a literal
//! ([`super::jslit`]); the script is never run.
//!
//! Executors: the `stages` / `vus` + `duration` shorthands and the
//! `ramping-vus` / `constant-vus` executors become a closed workload (virtual
//! users); `constant-arrival-rate` and `ramping-arrival-rate` an open one.

use super::draft::{
    int, num, s, secs, secs_text, Assumed, Draft, Field, Origin, ScenarioDraft, Src,
};
use super::jslit::K6Script;
use super::node::{fmt_num, Node};

/// A k6 duration (`"1m30s"`, `"2h"`, `"500ms"`, a number = milliseconds) in seconds.
pub fn k6_secs(n: &Node) -> Option<f64> {
    if let super::node::Value::Num(v) = n.value {
        n.touch();
        return Some(v / 1000.0);
    }
    parse_k6_duration(&n.text()?)
}

pub fn parse_k6_duration(t: &str) -> Option<f64> {
    let t = t.trim();
    if t.is_empty() {
        return None;
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let split = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (n, tail) = rest.split_at(split);
        let v: f64 = n.parse().ok()?;
        let ulen = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(ulen);
        let k = match unit {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => return None,
        };
        total += v * k;
        rest = next;
    }
    Some(total)
}

/// `(seconds since start, requests/s, where)` of an arrival-rate curve.
type RatePoints = Vec<(f64, f64, Src)>;
/// `(stage duration s, target VUs, where)`.
type Stages = Vec<(f64, u32, Src)>;

fn field(key: &str, value: toml::Value, src: Src) -> Field {
    Field {
        key: key.into(),
        value,
        origin: Origin::From(src),
        elem_src: Vec::new(),
    }
}

pub fn import(d: &mut Draft, file: &str, k6: &K6Script, stem: &str) -> Result<(), String> {
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    let o = &k6.options;
    let err = |n: &Node, what: &str| {
        format!(
            "{file}:{}: `{what}` is {}, expected a literal k6 value",
            n.line,
            n.describe()
        )
    };
    let mut sc = ScenarioDraft {
        name: stem.to_string(),
        src: Some(at(o)),
        ..Default::default()
    };
    // Which workload: the first scenario, else the shorthands.
    let scenarios = o.get("scenarios");
    let chosen = scenarios.and_then(|s| s.entries().first());
    if let Some(all) = scenarios {
        for (name, n) in all.entries().iter().skip(1) {
            n.touch_all();
            d.warn(&at(n), format!("k6 scenario `{name}`: capsim runs one workload per scenario; only the first is imported"));
        }
    }
    let mut open_rate: Option<(f64, Src)> = None;
    let mut open_points: Option<(RatePoints, Src)> = None;
    let mut duration: Option<(f64, Src)> = None;
    let mut stages_out: Option<(Stages, u32, Src)> = None;
    if let Some((name, sc_node)) = chosen {
        sc_node.ignore(&["exec", "env", "tags", "gracefulStop", "gracefulRampDown"]);
        let exec = sc_node
            .get("executor")
            .and_then(Node::text)
            .unwrap_or_default();
        if let Some(n) = sc_node.get("startTime") {
            d.warn(
                &at(n),
                format!("k6 scenario `{name}` startTime: the scenario starts at 0"),
            );
        }
        let tu = match sc_node.get("timeUnit") {
            Some(n) => k6_secs(n)
                .filter(|v| *v > 0.0)
                .ok_or_else(|| err(n, "timeUnit"))?,
            None => 1.0,
        };
        for k in ["preAllocatedVUs", "maxVUs"] {
            if let Some(n) = sc_node.get(k) {
                n.touch();
                sc.todos.push(format!(
                    "TODO (not modelled by capsim yet): k6 {k} {} caps the VUs that send arrivals; capsim's open arrivals are not capped ({})",
                    n.describe(),
                    at(n)
                ));
            }
        }
        match exec.as_str() {
            "ramping-vus" => {
                let start = sc_node
                    .get("startVUs")
                    .map(|n| n.count().ok_or_else(|| err(n, "startVUs")))
                    .transpose()?
                    .unwrap_or(1);
                let st = sc_node.get("stages").ok_or(format!(
                    "{file}:{}: ramping-vus needs `stages`",
                    sc_node.line
                ))?;
                stages_out = Some((read_stages(file, st)?, start, at(sc_node)));
            }
            "constant-vus" => {
                let vus = sc_node
                    .get("vus")
                    .map(|n| n.count().ok_or_else(|| err(n, "vus")))
                    .transpose()?
                    .unwrap_or(1);
                let dn = sc_node.get("duration").ok_or(format!(
                    "{file}:{}: constant-vus needs `duration`",
                    sc_node.line
                ))?;
                let dur = k6_secs(dn).ok_or_else(|| err(dn, "duration"))?;
                stages_out = Some((vec![(dur, vus, at(dn))], vus, at(sc_node)));
            }
            "constant-arrival-rate" => {
                let r = sc_node.get("rate").ok_or(format!(
                    "{file}:{}: constant-arrival-rate needs `rate`",
                    sc_node.line
                ))?;
                let rate = r.num().ok_or_else(|| err(r, "rate"))?;
                open_rate = Some((rate / tu, at(r)));
                let dn = sc_node.get("duration").ok_or(format!(
                    "{file}:{}: constant-arrival-rate needs `duration`",
                    sc_node.line
                ))?;
                duration = Some((k6_secs(dn).ok_or_else(|| err(dn, "duration"))?, at(dn)));
            }
            "ramping-arrival-rate" => {
                let start = match sc_node.get("startRate") {
                    Some(n) => n.num().ok_or_else(|| err(n, "startRate"))?,
                    None => 0.0,
                };
                let st = sc_node.get("stages").ok_or(format!(
                    "{file}:{}: ramping-arrival-rate needs `stages`",
                    sc_node.line
                ))?;
                let mut t = 0.0;
                let mut pts = vec![(
                    0.0,
                    start / tu,
                    at(sc_node.get("startRate").unwrap_or(sc_node)),
                )];
                for stg in st.items() {
                    let dn = stg
                        .get("duration")
                        .ok_or(format!("{file}:{}: a stage needs `duration`", stg.line))?;
                    let tg = stg
                        .get("target")
                        .ok_or(format!("{file}:{}: a stage needs `target`", stg.line))?;
                    t += k6_secs(dn).ok_or_else(|| err(dn, "duration"))?;
                    pts.push((t, tg.num().ok_or_else(|| err(tg, "target"))? / tu, at(stg)));
                }
                duration = Some((t, at(st)));
                open_points = Some((pts, at(st)));
            }
            other => {
                sc_node.touch_all();
                return Err(format!(
                    "{file}:{}: k6 executor `{other}` is not supported; capsim imports ramping-vus, constant-vus, constant-arrival-rate and ramping-arrival-rate",
                    sc_node.line
                ));
            }
        }
    } else if let Some(st) = o.get("stages") {
        // The shorthand is a ramping-vus executor starting at `vus` (k6's default 1).
        let start = match o.get("vus") {
            Some(v) => {
                match v.count() {
                    Some(n) => n,
                    None => {
                        d.warn(&at(v), format!("`vus` is {}, not a literal: the ramp starts at k6's default of 1 VU", v.describe()));
                        1
                    }
                }
            }
            None => 1,
        };
        stages_out = Some((
            read_stages(file, st)?,
            start,
            at(o.get("vus").unwrap_or(st)),
        ));
    } else if let Some(v) = o.get("vus") {
        let vus = v.count().ok_or_else(|| err(v, "vus"))?;
        let dn = o.get("duration").ok_or(format!(
            "{file}:{}: `vus` without `duration` or `stages`",
            v.line
        ))?;
        let dur = k6_secs(dn).ok_or_else(|| err(dn, "duration"))?;
        stages_out = Some((vec![(dur, vus, at(dn))], vus, at(v)));
    } else {
        return Err(format!(
            "{file}:{}: the options define no workload (`stages`, `vus` + `duration`, or `scenarios`)",
            o.line
        ));
    }
    if let Some((stages, start, src)) = stages_out {
        sc.workload.push(field("type", s("closed"), src.clone()));
        think(d, file, k6, &mut sc);
        sc.workload.push(field("start_users", int(start), src));
        let vals: Vec<toml::Value> = stages
            .iter()
            .map(|(dur, tg, _)| {
                toml::Value::Table(
                    [
                        ("duration".to_string(), secs(*dur)),
                        ("target".to_string(), int(*tg)),
                    ]
                    .into_iter()
                    .collect(),
                )
            })
            .collect();
        let srcs: Vec<Src> = stages.iter().map(|(_, _, s)| s.clone()).collect();
        let first = srcs[0].clone();
        let mut f = field("stages", toml::Value::Array(vals), first);
        f.elem_src = srcs;
        sc.workload.push(f);
    } else if let Some((rate, src)) = open_rate {
        if let Some((dur, dsrc)) = &duration {
            sc.top.push(field("duration", secs(*dur), dsrc.clone()));
        }
        sc.workload.push(field("type", s("open"), src.clone()));
        sc.workload.push(field("rate", num(rate), src));
    } else if let Some((pts, src)) = open_points {
        if let Some((dur, dsrc)) = &duration {
            sc.top.push(field("duration", secs(*dur), dsrc.clone()));
        }
        sc.workload.push(field("type", s("open"), src.clone()));
        sc.workload.push(field("curve.type", s("points"), src));
        let vals: Vec<toml::Value> = pts
            .iter()
            .map(|(t, r, _)| {
                toml::Value::Table(
                    [
                        ("at".to_string(), s(secs_text(*t))),
                        ("rate".to_string(), num(*r)),
                    ]
                    .into_iter()
                    .collect(),
                )
            })
            .collect();
        let srcs: Vec<Src> = pts.iter().map(|(_, _, s)| s.clone()).collect();
        let first = srcs[0].clone();
        let mut f = field("curve.points", toml::Value::Array(vals), first);
        f.elem_src = srcs;
        sc.workload.push(f);
    }
    if let Some(th) = o.get("thresholds") {
        thresholds(d, file, th);
    }
    o.ignore(&[
        "summaryTrendStats",
        "userAgent",
        "insecureSkipTLSVerify",
        "tags",
        "ext",
        "cloud",
        "noConnectionReuse",
        "discardResponseBodies",
        "setupTimeout",
        "teardownTimeout",
    ]);
    d.warn_unread(file, o, "options", "k6 option");
    d.scenario = Some(sc);
    Ok(())
}

fn read_stages(file: &str, st: &Node) -> Result<Stages, String> {
    let mut out = Vec::new();
    for stg in st.items() {
        let dn = stg
            .get("duration")
            .ok_or(format!("{file}:{}: a stage needs `duration`", stg.line))?;
        let tg = stg
            .get("target")
            .ok_or(format!("{file}:{}: a stage needs `target`", stg.line))?;
        let dur = k6_secs(dn).ok_or(format!(
            "{file}:{}: stage duration {} is not a k6 duration such as \"1m30s\"",
            dn.line,
            dn.describe()
        ))?;
        let target = tg.count().ok_or(format!(
            "{file}:{}: stage target {} is not a whole number of VUs",
            tg.line,
            tg.describe()
        ))?;
        out.push((
            dur,
            target,
            Src {
                file: file.to_string(),
                line: stg.line,
            },
        ));
    }
    if out.is_empty() {
        return Err(format!("{file}:{}: `stages` is empty", st.line));
    }
    Ok(out)
}

/// Think time between a VU's requests: the script's `sleep(N)` calls per
/// request made, when they are literal; otherwise an assumption.
fn think(d: &mut Draft, file: &str, k6: &K6Script, sc: &mut ScenarioDraft) {
    let literal = !k6.sleeps.is_empty() && k6.sleeps.iter().all(|(v, _)| v.is_finite());
    let requests = k6.requests.len().max(1) as f64;
    if literal {
        let total: f64 = k6.sleeps.iter().map(|(v, _)| v).sum();
        let src = Src {
            file: file.to_string(),
            line: k6.sleeps[0].1,
        };
        sc.workload
            .push(field("think", secs(total / requests), src.clone()));
        if k6.requests.len() > 1 {
            d.warn(&src, format!("the script makes {} requests per iteration: each virtual user's think time is its sleep time divided among them ({} s each)", k6.requests.len(), fmt_num(total / requests)));
        }
    } else {
        sc.workload.push(Field {
            key: "think".into(),
            value: s("1s"),
            origin: Origin::Assumed,
            elem_src: Vec::new(),
        });
        d.assumptions.push(Assumed {
            key: "scenario.workload.think".into(),
            value: s("1s"),
            why: "the k6 script has no literal sleep(N): the think time between a virtual user's requests is assumed".into(),
            source: Some("capsim import".into()),
        });
    }
}

/// `http_req_duration: ['p(95)<500']` → `[slo] p95 = "500ms"`;
/// `http_req_failed: ['rate<0.01']` → `error_rate = 0.01`.
fn thresholds(d: &mut Draft, file: &str, th: &Node) {
    for (metric, list) in th.entries() {
        let exprs: Vec<&Node> = match &list.value {
            super::node::Value::Seq(items) => {
                list.touch();
                items.iter().collect()
            }
            _ => vec![list],
        };
        for e in exprs {
            let text_node = e.get("threshold").unwrap_or(e);
            if let Some(a) = e.get("abortOnFail") {
                a.touch();
            }
            if let Some(a) = e.get("delayAbortEval") {
                a.touch();
            }
            let src = Src {
                file: file.to_string(),
                line: e.line,
            };
            let Some(text) = text_node.str().map(str::to_string) else {
                d.warn(
                    &src,
                    format!(
                        "threshold of `{metric}` is {}, not a literal string: ignored",
                        text_node.describe()
                    ),
                );
                continue;
            };
            match parse_threshold(metric, &text) {
                Ok((key, value)) => d.set_slo(key, value, &src),
                Err(m) => d.warn(&src, m),
            }
        }
    }
}

fn parse_threshold(metric: &str, text: &str) -> Result<(&'static str, toml::Value), String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (lhs, rhs) = t
        .split_once("<=")
        .or_else(|| t.split_once('<'))
        .ok_or_else(|| {
            format!(
                "threshold `{metric}: {text}`: only upper bounds (`<`, `<=`) become SLOs; ignored"
            )
        })?;
    let v: f64 = rhs
        .parse()
        .map_err(|_| format!("threshold `{metric}: {text}`: `{rhs}` is not a number; ignored"))?;
    match metric {
        "http_req_duration" | "http_req_waiting" => {
            let key = match lhs {
                "avg" => "mean",
                "med" | "p(50)" => "p50",
                "p(90)" => "p90",
                "p(95)" => "p95",
                "p(99)" => "p99",
                "p(99.9)" => "p999",
                _ => return Err(format!("threshold `{metric}: {text}`: capsim's [slo] has mean, p50, p90, p95, p99, p999; ignored")),
            };
            Ok((key, s(format!("{}ms", fmt_num(v)))))
        }
        "http_req_failed" if lhs == "rate" => Ok(("error_rate", num(v))),
        _ => Err(format!("threshold on `{metric}` has no capsim SLO (only http_req_duration and http_req_failed do); ignored")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k6_durations() {
        assert_eq!(parse_k6_duration("1m30s"), Some(90.0));
        assert_eq!(parse_k6_duration("2h"), Some(7200.0));
        assert_eq!(parse_k6_duration("500ms"), Some(0.5));
        assert_eq!(parse_k6_duration("1h30m15s"), Some(5415.0));
        assert_eq!(parse_k6_duration("10"), None);
        assert_eq!(parse_k6_duration("5x"), None);
    }

    #[test]
    fn thresholds_to_slos() {
        assert_eq!(
            parse_threshold("http_req_duration", "p(95)<500").unwrap(),
            ("p95", s("500ms"))
        );
        assert_eq!(
            parse_threshold("http_req_duration", "p(99.9) <= 1500").unwrap(),
            ("p999", s("1500ms"))
        );
        assert_eq!(
            parse_threshold("http_req_duration", "avg<200").unwrap(),
            ("mean", s("200ms"))
        );
        assert_eq!(
            parse_threshold("http_req_failed", "rate<0.01").unwrap(),
            ("error_rate", num(0.01))
        );
        assert!(parse_threshold("http_req_duration", "p(95)>5").is_err());
        assert!(parse_threshold("checks", "rate>0.9").is_err());
    }
}
