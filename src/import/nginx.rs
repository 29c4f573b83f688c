//! nginx configuration: `upstream` blocks (balancing method, one replica per
//! `server`, weights, `max_fails`, `fail_timeout`), the `proxy_pass` that
//! makes an upstream the entry, `proxy_read_timeout` as the service timeout,
//! and `limit_req_zone` / `limit_req` / `keepalive` recorded as TODOs.
//!
//! nginx's syntax is small (directives end in `;`, blocks in `{}`, `#`
//! comments, quotes), so it is tokenized here; the nginx config crates on
//! the registry are unmaintained or do not keep lines.

use super::draft::{comp_name, int, s, secs, Draft, Src};

#[derive(Debug)]
pub struct Directive {
    pub name: String,
    pub args: Vec<String>,
    pub line: usize,
    pub block: Option<Vec<Directive>>,
}

/// Parses a configuration into its directive tree.
pub fn parse(text: &str) -> Result<Vec<Directive>, (usize, String)> {
    let toks = tokenize(text)?;
    let mut pos = 0;
    let out = block(&toks, &mut pos, 0)?;
    if pos < toks.len() {
        return Err((toks[pos].1, "unexpected `}`".into()));
    }
    Ok(out)
}

/// `(text, line, is_punctuation)`.
type Tok = (String, usize, bool);

fn tokenize(text: &str) -> Result<Vec<Tok>, (usize, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => {
                while chars.peek().is_some_and(|&c| c != '\n') {
                    chars.next();
                }
            }
            '{' | '}' | ';' => out.push((c.to_string(), line, true)),
            '"' | '\'' => {
                let start = line;
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err((start, "unterminated string".into())),
                        Some('\\') => {
                            if let Some(n) = chars.next() {
                                s.push(n);
                            }
                        }
                        Some(q) if q == c => break,
                        Some(ch) => {
                            if ch == '\n' {
                                line += 1;
                            }
                            s.push(ch);
                        }
                    }
                }
                out.push((s, start, false));
            }
            _ => {
                let mut s = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || matches!(n, '{' | '}' | ';') {
                        break;
                    }
                    s.push(n);
                    chars.next();
                }
                out.push((s, line, false));
            }
        }
    }
    Ok(out)
}

fn block(toks: &[Tok], pos: &mut usize, depth: usize) -> Result<Vec<Directive>, (usize, String)> {
    let mut out = Vec::new();
    while *pos < toks.len() {
        let (t, line, punct) = &toks[*pos];
        if *punct && t == "}" {
            if depth == 0 {
                return Err((*line, "unexpected `}`".into()));
            }
            *pos += 1;
            return Ok(out);
        }
        if *punct {
            return Err((*line, format!("unexpected `{t}`")));
        }
        if depth > 32 {
            return Err((*line, "blocks nested too deeply".into()));
        }
        let mut d = Directive {
            name: t.clone(),
            args: Vec::new(),
            line: *line,
            block: None,
        };
        *pos += 1;
        loop {
            let Some((a, l, p)) = toks.get(*pos) else {
                return Err((
                    d.line,
                    format!("`{}` is not terminated by `;` or a block", d.name),
                ));
            };
            *pos += 1;
            if !*p {
                d.args.push(a.clone());
            } else if a == ";" {
                break;
            } else if a == "{" {
                d.block = Some(block(toks, pos, depth + 1)?);
                break;
            } else {
                return Err((*l, format!("unexpected `{a}` in `{}`", d.name)));
            }
        }
        out.push(d);
    }
    if depth > 0 {
        return Err((toks.last().map_or(1, |t| t.1), "missing `}`".into()));
    }
    Ok(out)
}

/// An nginx time (`30s`, `1m`, `500ms`, `30` = seconds) in seconds.
pub fn nginx_secs(t: &str) -> Option<f64> {
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let v: f64 = n.parse().ok()?;
    let k = match unit {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        "w" => 604800.0,
        _ => return None,
    };
    Some(v * k)
}

fn walk<'a>(ds: &'a [Directive], out: &mut Vec<&'a Directive>) {
    for d in ds {
        out.push(d);
        if let Some(b) = &d.block {
            walk(b, out);
        }
    }
}

/// The service an upstream stands for: a service already imported under the
/// servers' host name without its number (`api1`, `backend-2` → `api`,
/// `backend`), or under the upstream's name without `_backend`/`_servers`;
/// else a new service named after the upstream.
fn upstream_service(d: &Draft, name: &str, hosts: &[String]) -> String {
    let strip = |h: &str| {
        let host = h.split(':').next().unwrap_or(h);
        let host = host.split('.').next().unwrap_or(host);
        comp_name(
            host.trim_end_matches(|c: char| c.is_ascii_digit())
                .trim_end_matches(['-', '_']),
        )
    };
    let mut candidates: Vec<String> = hosts.iter().map(|h| strip(h)).collect();
    for suffix in [
        "_backend",
        "-backend",
        "_servers",
        "_upstream",
        "-upstream",
        "_cluster",
    ] {
        if let Some(base) = name.strip_suffix(suffix) {
            candidates.push(comp_name(base));
        }
    }
    candidates
        .into_iter()
        .find(|c| {
            d.comps.iter().any(|x| x.name == *c && x.kind == "service") || d.known.contains(c)
        })
        .unwrap_or_else(|| comp_name(name))
}

pub fn import(d: &mut Draft, file: &str, text: &str) -> Result<(), String> {
    let tree = parse(text).map_err(|(l, m)| format!("{file}:{l}: {m}"))?;
    let at = |line: usize| Src {
        file: file.to_string(),
        line,
    };
    let mut all = Vec::new();
    walk(&tree, &mut all);
    let mut upstreams: Vec<(String, usize)> = Vec::new();
    for u in all.iter().filter(|x| x.name == "upstream") {
        let uname = u.args.first().cloned().unwrap_or_default();
        let body = u.block.as_deref().unwrap_or(&[]);
        let servers: Vec<&Directive> = body.iter().filter(|x| x.name == "server").collect();
        let hosts: Vec<String> = servers
            .iter()
            .filter_map(|x| x.args.first().cloned())
            .collect();
        let name = upstream_service(d, &uname, &hosts);
        let c = d.comp(
            &name,
            "service",
            &at(u.line),
            &format!("nginx upstream {uname}"),
        );
        upstreams.push((uname.clone(), c));
        let mut weights = Vec::new();
        let mut weight_src = Vec::new();
        let mut fails: Option<(String, usize)> = None;
        let mut timeout: Option<(String, usize)> = None;
        let mut counted = 0u32;
        for srv in &servers {
            let mut w = 1u32;
            let mut backup = false;
            for a in srv.args.iter().skip(1) {
                let (k, v) = a.split_once('=').unwrap_or((a.as_str(), ""));
                match k {
                    "weight" => w = v.parse().unwrap_or(1),
                    "max_fails" | "fail_timeout" => {
                        let slot = if k == "max_fails" {
                            &mut fails
                        } else {
                            &mut timeout
                        };
                        match slot {
                            Some((old, _)) if old != v => d.warn(
                                &at(srv.line),
                                format!("{k}={v} differs from {k}={old} on an earlier server: capsim uses one value per upstream, the first"),
                            ),
                            Some(_) => {}
                            None => *slot = Some((v.to_string(), srv.line)),
                        }
                    }
                    "backup" => backup = true,
                    "down" => {
                        backup = true;
                        d.warn(
                            &at(srv.line),
                            "a server marked `down` is not counted as a replica",
                        );
                    }
                    other => d.warn(
                        &at(srv.line),
                        format!(
                            "server parameter `{other}` is not supported by capsim import: ignored"
                        ),
                    ),
                }
            }
            if backup {
                if !srv.args.iter().any(|a| a == "down") {
                    d.todo(
                        c,
                        &at(srv.line),
                        format!(
                            "backup server {}",
                            srv.args.first().cloned().unwrap_or_default()
                        ),
                    );
                }
                continue;
            }
            counted += 1;
            weights.push(int(w));
            weight_src.push(at(srv.line));
        }
        if let Some(first) = servers.first() {
            d.set_list(c, "replicas", int(counted), &at(first.line), Vec::new());
        }
        if weights.iter().any(|w| *w != int(1)) {
            let first = weight_src[0].clone();
            d.set_list(
                c,
                "balancer.weights",
                toml::Value::Array(weights),
                &first,
                weight_src,
            );
        }
        let mut policy = ("round_robin".to_string(), u.line);
        for x in body {
            match x.name.as_str() {
                "server" => {}
                "least_conn" => policy = ("least_conn".into(), x.line),
                "ip_hash" => policy = ("ip_hash".into(), x.line),
                "random" => {
                    // `random two [least_conn]`: power of two choices; plain
                    // `random`: weighted random.
                    let two = x.args.first().is_some_and(|a| a == "two");
                    if x.args.iter().any(|a| a == "least_time") {
                        d.warn(&at(x.line), "`random two least_time` is nginx Plus: imported as `random two least_conn`");
                    }
                    policy = (if two { "p2c" } else { "random" }.into(), x.line);
                }
                "keepalive" | "keepalive_requests" | "keepalive_timeout" | "keepalive_time" => {
                    d.todo(
                        c,
                        &at(x.line),
                        format!(
                            "nginx {} {} (upstream connection reuse)",
                            x.name,
                            x.args.join(" ")
                        ),
                    );
                }
                "zone" => {}
                other => d.warn(
                    &at(x.line),
                    format!(
                        "upstream directive `{other}` is not supported by capsim import: ignored"
                    ),
                ),
            }
        }
        d.set(c, "balancer.policy", s(policy.0), &at(policy.1));
        if let Some((v, line)) = fails {
            match v.parse::<u32>() {
                Ok(n) => d.set(c, "balancer.max_fails", int(n), &at(line)),
                Err(_) => d.warn(&at(line), format!("max_fails={v}: expected a whole number")),
            }
        }
        if let Some((v, line)) = timeout {
            match nginx_secs(&v) {
                Some(t) => d.set(c, "balancer.fail_timeout", secs(t), &at(line)),
                None => d.warn(
                    &at(line),
                    format!("fail_timeout={v}: expected an nginx time such as 30s"),
                ),
            }
        }
    }
    // Locations: proxy_pass to an upstream, its timeouts, rate limits.
    for x in &all {
        match x.name.as_str() {
            "limit_req_zone" => {
                let rate = x
                    .args
                    .iter()
                    .find_map(|a| a.strip_prefix("rate="))
                    .unwrap_or("?");
                let zone = x
                    .args
                    .iter()
                    .find_map(|a| a.strip_prefix("zone="))
                    .unwrap_or("?");
                d.warn(&at(x.line), format!("limit_req_zone {zone} rate={rate}: rate limits are not modelled by capsim yet"));
            }
            // `limit_req` is recorded on the location's service below.
            "limit_conn" | "limit_conn_zone" => {
                d.warn(
                    &at(x.line),
                    format!(
                        "{} {}: not modelled by capsim yet",
                        x.name,
                        x.args.join(" ")
                    ),
                );
            }
            "location" | "server" => {
                let body = x.block.as_deref().unwrap_or(&[]);
                let pass = body.iter().find(|b| b.name == "proxy_pass");
                let Some(pass) = pass else { continue };
                let target = pass.args.first().map(String::as_str).unwrap_or("");
                let host = target.split("://").nth(1).unwrap_or(target);
                let host = host.split(['/', ':']).next().unwrap_or(host);
                let Some(&(_, c)) = upstreams.iter().find(|(u, _)| u == host) else {
                    continue;
                };
                let name = d.comps[c].name.clone();
                if d.entry_hint.is_none() {
                    d.entry_hint = Some((name, at(pass.line)));
                }
                for b in body {
                    match b.name.as_str() {
                        "proxy_read_timeout" => {
                            if let Some(t) = b.args.first().and_then(|a| nginx_secs(a)) {
                                d.set(c, "timeout", secs(t), &at(b.line));
                            }
                        }
                        "proxy_next_upstream_tries" => {
                            if let Some(n) = b.args.first().and_then(|a| a.parse::<u32>().ok()) {
                                d.set(c, "balancer.tries", int(n), &at(b.line));
                            }
                        }
                        "limit_req" => {
                            let c2 = c;
                            d.todo(
                                c2,
                                &at(b.line),
                                format!("nginx limit_req {}", b.args.join(" ")),
                            );
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if upstreams.is_empty() {
        d.warn(
            &at(1),
            "no `upstream` block: nothing imported from this nginx config",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_comments_and_quotes() {
        let t = parse("http {\n  # c\n  upstream u { least_conn; server a:1 weight=2; }\n  log_format x 'a b;c';\n}\n").unwrap();
        let up = &t[0].block.as_ref().unwrap()[0];
        assert_eq!((up.name.as_str(), up.line), ("upstream", 3));
        assert_eq!(up.block.as_ref().unwrap()[1].args, vec!["a:1", "weight=2"]);
        assert_eq!(t[0].block.as_ref().unwrap()[1].args, vec!["x", "a b;c"]);
        assert!(parse("upstream u {\n server a;\n").is_err());
        assert!(parse("server a\n").is_err());
    }

    #[test]
    fn nginx_times() {
        assert_eq!(nginx_secs("30s"), Some(30.0));
        assert_eq!(nginx_secs("30"), Some(30.0));
        assert_eq!(nginx_secs("1m"), Some(60.0));
        assert_eq!(nginx_secs("500ms"), Some(0.5));
        assert_eq!(nginx_secs("x"), None);
    }
}
