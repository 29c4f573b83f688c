//! pgbouncer.ini (and the same settings from a PgBouncer container's
//! environment) → a `pool`.
//!
//! The INI reader is a dozen lines: PgBouncer's format is `[section]` and
//! `key = value` with `;`/`#` comments, and the importer needs each value's
//! line, which the INI crates we looked at (rust-ini, configparser) do not
//! keep.

use super::draft::{comp_name, int, s, secs, Draft, Src};

/// `(section, key, value, line)`.
pub type Setting = (String, String, String, usize);

/// Every setting, in file order.
pub fn parse_ini(text: &str) -> Result<Vec<Setting>, (usize, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.strip_suffix(']').ok_or((
                i + 1,
                format!("`{line}`: a section header needs a closing `]`"),
            ))?;
            section = name.trim().to_string();
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .ok_or((i + 1, format!("`{line}`: expected `key = value`")))?;
        out.push((
            section.clone(),
            k.trim().to_string(),
            v.trim().to_string(),
            i + 1,
        ));
    }
    Ok(out)
}

pub fn import(d: &mut Draft, file: &str, text: &str) -> Result<(), String> {
    let entries = parse_ini(text).map_err(|(l, m)| format!("{file}:{l}: {m}"))?;
    let first = Src {
        file: file.to_string(),
        line: entries.first().map_or(1, |e| e.3),
    };
    let c = d.comp("pgbouncer", "pool", &first, "pgbouncer.ini");
    d.set(c, "flavor", s("pgbouncer"), &first);
    for (section, key, value, line) in entries {
        let src = Src {
            file: file.to_string(),
            line,
        };
        match section.as_str() {
            "databases" => {
                // `name = host=... port=... dbname=...`: the server is the host.
                let host = value
                    .split_whitespace()
                    .find_map(|kv| kv.strip_prefix("host="))
                    .unwrap_or("");
                if host.is_empty() {
                    d.warn(&src, format!("database `{key}` names no host=: no target"));
                } else {
                    d.depends_pool_target(c, host, &src);
                }
            }
            "pgbouncer" => setting(d, c, &key, &value, &src, false),
            other => d.warn(
                &src,
                format!("section [{other}] is not supported by capsim import: `{key}` ignored"),
            ),
        }
    }
    Ok(())
}

/// Settings without a capacity effect, skipped silently.
const IGNORED: &[&str] = &[
    "listen_addr",
    "listen_port",
    "auth_type",
    "auth_file",
    "auth_user",
    "auth_query",
    "admin_users",
    "stats_users",
    "logfile",
    "pidfile",
    "unix_socket_dir",
    "ignore_startup_parameters",
    "log_connections",
    "log_disconnections",
    "log_pooler_errors",
    "stats_period",
    "server_tls_sslmode",
    "client_tls_sslmode",
];

/// One PgBouncer setting (lower-case key) onto pool `c`. `from_env`: the
/// value came from a container environment variable.
pub fn setting(d: &mut Draft, c: usize, key: &str, value: &str, src: &Src, from_env: bool) {
    let count = |v: &str| v.trim().parse::<u32>().ok();
    let seconds = |v: &str| {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
    };
    let bad = |d: &mut Draft, what: &str| {
        d.warn(src, format!("`{key} = {value}`: expected {what}; ignored"));
    };
    match key {
        "pool_mode" => match value.trim() {
            "transaction" | "statement" => {}
            "session" => d.todo(
                c,
                src,
                "pool_mode session: a client holds its server connection until it disconnects; capsim holds it per request (transaction pooling)",
            ),
            _ => bad(d, "session, transaction or statement"),
        },
        "max_client_conn" => match count(value) {
            Some(v) => d.set(c, "max_clients", int(v), src),
            None => bad(d, "a whole number"),
        },
        "default_pool_size" => match count(value) {
            Some(v) => d.set(c, "size", int(v), src),
            None => bad(d, "a whole number"),
        },
        "reserve_pool_size" => match count(value) {
            Some(v) => d.set(c, "reserve_size", int(v), src),
            None => bad(d, "a whole number"),
        },
        // PgBouncer times are seconds (fractions allowed).
        "reserve_pool_timeout" => match seconds(value) {
            Some(v) => d.set(c, "reserve_timeout", secs(v), src),
            None => bad(d, "seconds"),
        },
        "query_wait_timeout" => match seconds(value) {
            Some(v) => d.set(c, "wait_timeout", secs(v), src),
            None => bad(d, "seconds"),
        },
        "min_pool_size" | "max_db_connections" | "max_user_connections" | "server_lifetime"
        | "server_idle_timeout" | "query_timeout" | "client_idle_timeout"
        | "idle_transaction_timeout" | "server_connect_timeout" | "server_login_retry" => {
            d.todo(c, src, format!("pgbouncer {key} = {value}"))
        }
        k if IGNORED.contains(&k) => {}
        _ if from_env => {
            // Other environment variables (passwords, hosts) are not settings.
        }
        _ => d.warn(
            src,
            format!("pgbouncer setting `{key}` is not supported by capsim import: ignored"),
        ),
    }
}

impl Draft {
    /// The pool's server: a database component named after the host's first
    /// label (`postgres.railway.internal` → `postgres`), created at
    /// [`Draft::complete`] if nothing else defines it.
    pub fn depends_pool_target(&mut self, c: usize, host: &str, src: &Src) {
        let first = host.split('.').next().unwrap_or(host);
        let name = comp_name(first);
        self.set(c, "target", s(name), src);
    }
}
