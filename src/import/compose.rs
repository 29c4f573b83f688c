//! docker-compose files: services (by image: Redis-like caches, databases,
//! PgBouncer pools, else application services), `deploy.replicas`,
//! `deploy.resources`, `depends_on`; PgBouncer's settings from its
//! environment (the images take `POOL_MODE`, `MAX_CLIENT_CONN`, ...).

use super::draft::{comp_name, int, num, Draft, Src};
use super::node::Node;

/// Service keys with no capacity effect (documented in docs/import.md).
const IGNORED: &[&str] = &[
    "image",
    "build",
    "command",
    "entrypoint",
    "env_file",
    "ports",
    "expose",
    "volumes",
    "networks",
    "labels",
    "container_name",
    "restart",
    "logging",
    "working_dir",
    "user",
    "hostname",
    "profiles",
    "secrets",
    "configs",
    "platform",
    "stdin_open",
    "tty",
    "extra_hosts",
    "dns",
    "init",
];

/// What a compose service is, from its image name.
fn kind_of(image: &str) -> &'static str {
    let base = image.rsplit('/').next().unwrap_or(image);
    let base = base.split([':', '@']).next().unwrap_or(base);
    let full = image.to_ascii_lowercase();
    if full.contains("pgbouncer") {
        "pool"
    } else if ["redis", "valkey", "keydb", "memcached", "dragonfly"]
        .iter()
        .any(|k| base.contains(k))
    {
        "cache"
    } else if [
        "postgres",
        "mysql",
        "mariadb",
        "mongo",
        "cockroach",
        "timescale",
    ]
    .iter()
    .any(|k| base.contains(k))
    {
        "database"
    } else {
        "service"
    }
}

pub fn import(d: &mut Draft, file: &str, root: &Node) -> Result<(), String> {
    let at = |n: &Node| Src {
        file: file.to_string(),
        line: n.line,
    };
    root.ignore(&[
        "version", "name", "networks", "volumes", "secrets", "configs",
    ]);
    let services = root
        .get("services")
        .ok_or(format!("{file}:1: no `services:` table"))?;
    for (raw_name, svc) in services.entries() {
        let name = comp_name(raw_name);
        svc.ignore(IGNORED);
        let image = svc.get("image").and_then(Node::text).unwrap_or_default();
        let kind = kind_of(&image);
        let what = if image.is_empty() {
            "compose service".to_string()
        } else {
            format!("compose service ({image})")
        };
        let c = d.comp(&name, kind, &at(svc), &what);
        let deploy = svc.get("deploy");
        let replicas = deploy
            .and_then(|dp| dp.get("replicas"))
            .or_else(|| svc.get("scale"));
        if let Some(r) = replicas {
            let v = r.count().ok_or(format!(
                "{file}:{}: replicas is {}, expected a whole number",
                r.line,
                r.describe()
            ))?;
            match kind {
                "service" => d.set(c, "replicas", int(v), &at(r)),
                "database" if v > 1 => {
                    d.set(c, "read_replicas", int(v - 1), &at(r));
                    d.warn(
                        &at(r),
                        format!(
                            "{v} database containers read as a primary and {} read replicas",
                            v - 1
                        ),
                    );
                }
                _ => d.warn(
                    &at(r),
                    format!("replicas of a {kind} are not modelled: ignored"),
                ),
            }
        }
        if let Some(res) = deploy.and_then(|dp| dp.get("resources")) {
            let lim = res.path(&["limits", "cpus"]);
            let resv = res.path(&["reservations", "cpus"]);
            if kind == "service" {
                if let Some(n) = lim.or(resv) {
                    let v = n.num().ok_or(format!(
                        "{file}:{}: cpus is {}, expected a number",
                        n.line,
                        n.describe()
                    ))?;
                    d.set(c, "cores", num(v), &at(n));
                }
                if let Some(n) = resv {
                    if let Some(v) = n.num() {
                        d.set(c, "cpu_request", num(v), &at(n));
                    }
                }
                if let Some(n) = res.path(&["reservations", "memory"]) {
                    let v = bytes_mib(&n.text().unwrap_or_default()).ok_or(format!(
                        "{file}:{}: memory is {}, expected e.g. 512M or 1G",
                        n.line,
                        n.describe()
                    ))?;
                    d.set(c, "memory_request_mib", num(v), &at(n));
                }
                if let Some(n) = res.path(&["limits", "memory"]) {
                    let v = n.text().unwrap_or_default();
                    d.todo(
                        c,
                        &at(n),
                        format!("memory limit {v} (an OOM kill above it)"),
                    );
                }
            } else {
                res.touch_all();
                d.warn(
                    &at(res),
                    format!("resources of a {kind} are not modelled: ignored"),
                );
            }
        }
        if let Some(dp) = deploy {
            for k in [
                "update_config",
                "rollback_config",
                "restart_policy",
                "placement",
                "mode",
            ] {
                if let Some(n) = dp.get(k) {
                    n.touch_all();
                    d.todo(c, &at(n), format!("deploy.{k}"));
                }
            }
        }
        // SIGTERM to SIGKILL: the time a stopping replica has to finish.
        if let Some(n) = svc.get("stop_grace_period") {
            match n.text().and_then(|t| super::k6::parse_k6_duration(&t)) {
                Some(v) if kind == "service" => {
                    d.set(c, "drain_grace", super::draft::secs(v), &at(n))
                }
                Some(_) => {}
                None => d.warn(
                    &at(n),
                    format!(
                        "stop_grace_period {} is not a duration such as 1m30s: ignored",
                        n.describe()
                    ),
                ),
            }
        }
        if let Some(hc) = svc.get("healthcheck") {
            hc.touch_all();
            d.todo(
                c,
                &at(hc),
                "healthcheck (compose restarts on it; no balancer reads it)",
            );
        }
        if let Some(dep) = svc.get("depends_on") {
            let names: Vec<(String, usize)> = match &dep.value {
                super::node::Value::Seq(items) => items
                    .iter()
                    .filter_map(|n| n.text().map(|t| (t, n.line)))
                    .collect(),
                super::node::Value::Map(m) => {
                    dep.touch_all();
                    m.iter().map(|(k, n)| (k.clone(), n.line)).collect()
                }
                _ => Vec::new(),
            };
            for (to, line) in names {
                d.depends.push((
                    name.clone(),
                    comp_name(&to),
                    Src {
                        file: file.to_string(),
                        line,
                    },
                ));
            }
        }
        match kind {
            "pool" => pgbouncer_env(d, file, c, svc.get("environment")),
            _ => {
                if let Some(e) = svc.get("environment") {
                    e.touch_all();
                }
            }
        }
    }
    d.warn_unread(file, root, "", "docker-compose");
    Ok(())
}

/// `512M`, `1G`, `1gb`, `256m`, bytes: compose's byte units, in MiB.
pub fn bytes_mib(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let v: f64 = n.parse().ok()?;
    let k = match unit {
        "" => 1.0 / 1048576.0,
        "k" => 1.0 / 1024.0,
        "m" => 1.0,
        "g" => 1024.0,
        "t" => 1048576.0,
        _ => return None,
    };
    Some((v * k * 1000.0).round() / 1000.0)
}

/// PgBouncer container images read their settings from the environment
/// (`POOL_MODE`, `MAX_CLIENT_CONN`, ...): the same keys as pgbouncer.ini.
fn pgbouncer_env(d: &mut Draft, file: &str, c: usize, env: Option<&Node>) {
    let Some(env) = env else { return };
    let mut pairs: Vec<(String, String, usize)> = Vec::new();
    match &env.value {
        super::node::Value::Map(m) => {
            for (k, v) in m {
                pairs.push((k.clone(), v.text().unwrap_or_default(), v.line));
            }
        }
        super::node::Value::Seq(items) => {
            for n in items {
                if let Some((k, v)) = n.text().and_then(|t| {
                    t.split_once('=')
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                }) {
                    pairs.push((k, v, n.line));
                }
            }
        }
        _ => {}
    }
    env.touch_all();
    for (k, v, line) in pairs {
        let key = k.to_ascii_lowercase();
        let key = key.strip_prefix("pgbouncer_").unwrap_or(&key).to_string();
        let src = Src {
            file: file.to_string(),
            line,
        };
        if key.starts_with("databases_") || key.starts_with("db_") {
            if key == "databases_host" || key == "db_host" {
                d.depends_pool_target(c, &v, &src);
            }
            continue;
        }
        super::pgbouncer::setting(d, c, &key, &v, &src, true);
    }
}
