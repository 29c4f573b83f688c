//! From scenario syntax to a checked [`Scenario`].

use super::curve::RateCurve;
use super::raw::*;
use crate::input::locate::KeyPath;
use crate::input::model::dist::{Dist, DistContext};
use crate::input::units::parse_rate;
use crate::input::{InputErrors, SourceFile};
use std::path::{Path, PathBuf};

const NS: u64 = 1_000_000_000;
/// Longest simulated span accepted (a year): bounds run time and output size.
pub const MAX_DURATION_NS: u64 = 366 * 86_400 * NS;
/// Most reporting intervals in one run.
pub const MAX_INTERVALS: u64 = 1_000_000;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub duration_ns: u64,
    pub warmup_ns: u64,
    pub seed: u64,
    pub interval_ns: u64,
    /// Wall-clock start as written (UTC), if given.
    pub start: Option<String>,
    /// Seconds after midnight UTC at which the run starts.
    pub start_time_of_day_s: u64,
    pub workload: Workload,
    pub limits: Limits,
    /// Timed events, in file order.
    pub events: Vec<ScenarioEvent>,
    /// Unix time of `start` (0 when not given), for autoscaling schedules.
    pub start_epoch_s: i64,
}

/// A timed event of the scenario. `origin` locates it in the file, for
/// errors found when it meets a model (an unknown target).
#[derive(Clone, Debug)]
pub struct ScenarioEvent {
    pub at_ns: u64,
    pub target: String,
    pub kind: EventKind,
    pub origin: crate::input::InputError,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// Kill `count` ready replicas of a service; they are replaced through
    /// the startup path.
    Kill { count: u32 },
    /// Lose zone `zone` of a service: its replicas die; replacements start
    /// in the other zones; the zone returns after `duration` (if given).
    ZoneOutage { zone: u32, duration_ns: Option<u64> },
    /// The database primary is down for `downtime`, then a replica is promoted.
    DbFailover { downtime_ns: u64 },
    /// A cache loses its contents and warms back up linearly over `warmup`.
    CacheFlush { warmup_ns: u64 },
    /// A cache node fails: every lookup misses for `duration`.
    CacheFail { duration_ns: u64 },
    /// Adds `add` to every service time of a component for `duration`.
    Latency { add_ns: u64, duration_ns: u64 },
    /// `count` pool connections leak (never return), for `duration` if given.
    PoolLeak {
        count: u32,
        duration_ns: Option<u64>,
    },
    /// A whole region fails (its `target` is a region name), for `duration`
    /// if given; users move to other regions after detection + DNS TTL.
    RegionOutage { duration_ns: Option<u64> },
}

impl EventKind {
    /// The component kinds the event applies to.
    pub fn applies_to(&self) -> &'static [&'static str] {
        match self {
            EventKind::Kill { .. } | EventKind::ZoneOutage { .. } => &["service"],
            EventKind::DbFailover { .. } => &["database"],
            EventKind::CacheFlush { .. } | EventKind::CacheFail { .. } => &["cache"],
            EventKind::Latency { .. } => &["cache", "database", "external", "edge"],
            EventKind::PoolLeak { .. } => &["pool"],
            EventKind::RegionOutage { .. } => &["region"],
        }
    }
}

#[derive(Clone, Debug)]
pub struct Limits {
    pub max_in_flight: u32,
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub duration_ns: u64,
    pub target: u32,
}

#[derive(Clone, Debug)]
pub enum Workload {
    /// Non-homogeneous Poisson arrivals at `rate` requests per second.
    Open {
        rate: RateCurve,
        clients: u32,
        /// Users per request/s when the workload was given in users.
        users_per_rps: Option<f64>,
    },
    /// Virtual users looping request -> response -> think time.
    Closed {
        think: Dist,
        start_users: u32,
        stages: Vec<Stage>,
    },
}

impl Workload {
    pub fn kind(&self) -> &'static str {
        match self {
            Workload::Open { .. } => "open",
            Workload::Closed { .. } => "closed",
        }
    }
}

pub fn load_scenario(path: &Path) -> Result<Scenario, InputErrors> {
    let src = SourceFile::read(path)?;
    let raw: RawScenario = src.deserialize()?;
    resolve_scenario(&src, raw)
}

struct Ctx<'a> {
    src: &'a SourceFile,
    errors: InputErrors,
    base_dir: PathBuf,
}

impl Ctx<'_> {
    fn err(&mut self, path: &KeyPath, msg: impl Into<String>) {
        let e = self.src.error_at(path, msg);
        self.errors.push(e);
    }
    fn rate(&mut self, path: &KeyPath, v: f64) -> f64 {
        if !(v.is_finite() && v >= 0.0) {
            self.err(path, format!("found {v}, expected a rate of zero or more"));
            return 0.0;
        }
        v
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` and returns seconds after midnight.
pub fn parse_start(s: &str) -> Result<u64, String> {
    let b = s.as_bytes();
    let ok = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u64>().ok());
    match (
        ok,
        num(11..13),
        num(14..16),
        num(17..19),
        num(5..7),
        num(8..10),
        num(0..4),
    ) {
        (true, Some(h), Some(m), Some(sec), Some(mo), Some(d), Some(_))
            if h < 24 && m < 60 && sec < 60 && (1..=12).contains(&mo) && (1..=31).contains(&d) =>
        {
            Ok(h * 3600 + m * 60 + sec)
        }
        _ => Err(format!(
            "found \"{s}\", expected a UTC date-time such as \"2026-11-27T00:00:00Z\""
        )),
    }
}

/// Parses "HH:MM" into seconds after midnight.
pub fn parse_time_of_day(s: &str) -> Result<u64, String> {
    let (h, m) = s
        .split_once(':')
        .ok_or_else(|| format!("found \"{s}\", expected a time of day such as \"18:00\""))?;
    match (h.parse::<u64>(), m.parse::<u64>()) {
        (Ok(h), Ok(m)) if h < 24 && m < 60 => Ok(h * 3600 + m * 60),
        _ => Err(format!(
            "found \"{s}\", expected a time of day such as \"18:00\""
        )),
    }
}

pub fn resolve_scenario(src: &SourceFile, raw: RawScenario) -> Result<Scenario, InputErrors> {
    let mut c = Ctx {
        src,
        errors: InputErrors::default(),
        base_dir: src.path.parent().unwrap_or(Path::new(".")).to_path_buf(),
    };
    let root = KeyPath::root();
    let start_tod = match &raw.start {
        Some(s) => parse_start(s).unwrap_or_else(|m| {
            c.err(&root.at("start"), m);
            0
        }),
        None => 0,
    };
    let w = &raw.workload;
    let wp = root.at("workload");
    let stages_total: u64 = w.stages.iter().map(|s| s.duration.nanos()).sum();
    let duration_ns = match (raw.duration, w.kind.as_str()) {
        (Some(d), _) => d.nanos(),
        (None, "closed") if stages_total > 0 => stages_total,
        _ => {
            c.err(&root, "missing `duration` (e.g. duration = \"1h\")");
            NS
        }
    };
    if duration_ns == 0 || duration_ns > MAX_DURATION_NS {
        c.err(
            &root.at("duration"),
            format!(
                "found {} s, expected a duration above 0 and at most 366 days",
                duration_ns / NS
            ),
        );
    }
    let warmup_ns = raw.warmup.map(|d| d.nanos()).unwrap_or(0);
    if warmup_ns >= duration_ns {
        c.err(
            &root.at("warmup"),
            "the warm-up must be shorter than the duration",
        );
    }
    let interval_ns = raw.interval.map(|d| d.nanos()).unwrap_or(10 * NS);
    if interval_ns == 0 {
        c.err(
            &root.at("interval"),
            "found 0, expected a reporting interval above zero such as \"10s\"",
        );
    } else if duration_ns / interval_ns > MAX_INTERVALS {
        c.err(&root.at("interval"), format!("the run would have {} intervals; expected at most {MAX_INTERVALS} (use a longer interval)", duration_ns / interval_ns));
    }
    let workload = match w.kind.as_str() {
        "open" => open_workload(&mut c, &wp, w, duration_ns, start_tod),
        "closed" => closed_workload(&mut c, &wp, w),
        other => {
            c.err(
                &wp.at("type"),
                format!("found \"{other}\", expected \"open\" or \"closed\""),
            );
            Workload::Open {
                rate: RateCurve::constant(0.0),
                clients: 1,
                users_per_rps: None,
            }
        }
    };
    let max_in_flight = raw
        .limits
        .as_ref()
        .and_then(|l| l.max_in_flight)
        .unwrap_or(1_000_000);
    if max_in_flight == 0 {
        c.err(
            &root.at("limits").at("max_in_flight"),
            "found 0, expected 1 or more",
        );
    }
    let events = resolve_events(&mut c, &root, &raw.events, duration_ns);
    let start_epoch_s = match &raw.start {
        Some(s) => capsim_autoscale::schedule::parse_utc(s).unwrap_or(0),
        None => 0,
    };
    let scenario = Scenario {
        events,
        start_epoch_s,
        name: raw.name.unwrap_or_else(|| {
            src.path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".into())
        }),
        description: raw.description.unwrap_or_default(),
        duration_ns,
        warmup_ns,
        seed: raw.seed.unwrap_or(1),
        interval_ns: interval_ns.max(1),
        start: raw.start.clone(),
        start_time_of_day_s: start_tod,
        workload,
        limits: Limits {
            max_in_flight: max_in_flight.max(1),
        },
    };
    c.errors.into_result(scenario)
}

fn open_workload(
    c: &mut Ctx,
    wp: &KeyPath,
    w: &RawWorkload,
    duration_ns: u64,
    start_tod: u64,
) -> Workload {
    for (key, present) in [
        ("think", w.think.is_some()),
        ("start_users", w.start_users.is_some()),
        ("stages", !w.stages.is_empty()),
    ] {
        if present {
            c.err(
                &wp.at(key),
                format!("`{key}` belongs to a closed workload; this one is type = \"open\""),
            );
        }
    }
    let base = match (&w.rate, &w.curve) {
        (Some(r), None) => RateCurve::constant(c.rate(&wp.at("rate"), *r)),
        (None, Some(curve)) => build_curve(c, &wp.at("curve"), curve, duration_ns, start_tod),
        (Some(_), Some(_)) => {
            c.err(wp, "give either `rate` (constant) or `curve`, not both");
            RateCurve::constant(0.0)
        }
        (None, None) => {
            c.err(
                wp,
                "an open workload needs `rate` (requests per second) or a `curve`",
            );
            RateCurve::constant(0.0)
        }
    };
    let mut rate = match &w.multiplier {
        Some(m) => {
            let m = build_curve(c, &wp.at("multiplier"), m, duration_ns, start_tod);
            base.multiply(&m, duration_ns)
        }
        None => base,
    };
    let mut users_per_rps = None;
    match w.unit.as_deref() {
        None | Some("rps") => {
            if w.requests_per_user.is_some() {
                c.err(
                    &wp.at("requests_per_user"),
                    "`requests_per_user` needs unit = \"users\"",
                );
            }
        }
        Some("users") => {
            let per_user = match &w.requests_per_user {
                Some(toml::Value::Float(f)) => Ok(*f),
                Some(toml::Value::Integer(i)) => Ok(*i as f64),
                Some(toml::Value::String(s)) => parse_rate(s),
                Some(other) => Err(format!(
                    "found {other}, expected a number (per second) or a rate such as \"6/min\""
                )),
                None => Err(
                    "unit = \"users\" needs `requests_per_user` (per second, or e.g. \"6/min\")"
                        .into(),
                ),
            };
            match per_user {
                Ok(p) if p.is_finite() && p > 0.0 => {
                    rate = rate.scaled(p);
                    users_per_rps = Some(1.0 / p);
                }
                Ok(p) => c.err(
                    &wp.at("requests_per_user"),
                    format!("found {p}, expected a rate above zero"),
                ),
                Err(m) => c.err(&wp.at("requests_per_user"), m),
            }
        }
        Some(other) => c.err(
            &wp.at("unit"),
            format!("found \"{other}\", expected \"rps\" or \"users\""),
        ),
    }
    let clients = match w.clients {
        Some(0) => {
            c.err(
                &wp.at("clients"),
                "found 0, expected a client population of 1 or more",
            );
            1
        }
        Some(n) => n,
        None => 10_000,
    };
    Workload::Open {
        rate,
        clients,
        users_per_rps,
    }
}

fn closed_workload(c: &mut Ctx, wp: &KeyPath, w: &RawWorkload) -> Workload {
    for (key, present) in [
        ("rate", w.rate.is_some()),
        ("curve", w.curve.is_some()),
        ("multiplier", w.multiplier.is_some()),
        ("requests_per_user", w.requests_per_user.is_some()),
    ] {
        if present {
            c.err(
                &wp.at(key),
                format!("`{key}` belongs to an open workload; this one is type = \"closed\""),
            );
        }
    }
    let think = match &w.think {
        Some(spec) => {
            let ctx = DistContext {
                base_dir: &c.base_dir,
            };
            match spec.resolve(&ctx) {
                Ok(d) => d,
                Err(m) => {
                    c.err(&wp.at("think"), m);
                    Dist::Constant(0)
                }
            }
        }
        None => Dist::Constant(NS),
    };
    if w.stages.is_empty() && w.start_users.unwrap_or(0) == 0 {
        c.err(wp, "a closed workload needs `stages` (e.g. [{ duration = \"1m\", target = 100 }]) or `start_users`");
    }
    let stages = w
        .stages
        .iter()
        .map(|s| Stage {
            duration_ns: s.duration.nanos(),
            target: s.target,
        })
        .collect::<Vec<_>>();
    let peak = stages
        .iter()
        .map(|s| s.target)
        .chain(std::iter::once(w.start_users.unwrap_or(0)))
        .max()
        .unwrap_or(0);
    if peak > 10_000_000 {
        c.err(
            &wp.at("stages"),
            format!("found {peak} virtual users, expected at most 10000000"),
        );
    }
    Workload::Closed {
        think,
        start_users: w.start_users.unwrap_or(0),
        stages,
    }
}

fn build_curve(
    c: &mut Ctx,
    p: &KeyPath,
    table: &toml::Table,
    duration_ns: u64,
    start_tod: u64,
) -> RateCurve {
    let curve = match parse_curve(c.src, p, table.clone()) {
        Ok(curve) => curve,
        Err(e) => {
            c.errors.push(e);
            return RateCurve::constant(0.0);
        }
    };
    match &curve {
        RawCurve::Constant(Constant { rate }) => RateCurve::constant(c.rate(&p.at("rate"), *rate)),
        RawCurve::Ramp(Ramp {
            from,
            to,
            start,
            duration,
        }) => {
            let s = start.map(|d| d.nanos()).unwrap_or(0);
            let from = c.rate(&p.at("from"), *from);
            let to = c.rate(&p.at("to"), *to);
            RateCurve::from_knots(vec![
                (0, from),
                (s, from),
                (s.saturating_add(duration.nanos()), to),
            ])
        }
        RawCurve::Step(Step { rate, steps }) => {
            let mut knots = vec![(0, c.rate(&p.at("rate"), *rate))];
            let mut last = *rate;
            for (i, st) in steps.iter().enumerate() {
                let r = c.rate(&p.at("steps").at(i).at("rate"), st.rate);
                knots.push((st.at.nanos(), last));
                knots.push((st.at.nanos(), r));
                last = r;
            }
            RateCurve::from_knots(knots)
        }
        RawCurve::Spike(Spike {
            base,
            peak,
            factor,
            at,
            ramp,
            hold,
            decay,
        }) => {
            let base = c.rate(&p.at("base"), *base);
            let peak = match (peak, factor) {
                (Some(pk), None) => c.rate(&p.at("peak"), *pk),
                (None, Some(f)) => c.rate(&p.at("factor"), *f) * base,
                _ => {
                    c.err(
                        p,
                        "a spike needs either `peak` (a rate) or `factor` (times base)",
                    );
                    base
                }
            };
            let t0 = at.nanos();
            let t1 = t0.saturating_add(ramp.map(|d| d.nanos()).unwrap_or(0));
            let t2 = t1.saturating_add(hold.nanos());
            let t3 = t2.saturating_add(decay.map(|d| d.nanos()).unwrap_or(0));
            RateCurve::from_knots(vec![
                (0, base),
                (t0, base),
                (t1, peak),
                (t2, peak),
                (t3, base),
            ])
        }
        RawCurve::Diurnal(Diurnal {
            base,
            peak_factor,
            peak_at,
            period,
        }) => {
            let base = c.rate(&p.at("base"), *base);
            if !(peak_factor.is_finite() && *peak_factor >= 1.0) {
                c.err(
                    &p.at("peak_factor"),
                    format!("found {peak_factor}, expected a factor of 1 or more"),
                );
            }
            let peak_tod = match peak_at {
                Some(s) => super::resolve::parse_time_of_day(s).unwrap_or_else(|m| {
                    c.err(&p.at("peak_at"), m);
                    0
                }),
                None => 18 * 3600,
            };
            let period_ns = period.map(|d| d.nanos()).unwrap_or(86_400 * NS);
            if period_ns < 60 * NS {
                c.err(
                    &p.at("period"),
                    "found a period under a minute, expected e.g. \"24h\"",
                );
                return RateCurve::constant(base);
            }
            let peak = base * peak_factor.max(1.0);
            // Cosine with its maximum at `peak_at` (wall clock), sampled
            // every minute into knots.
            let step = 60 * NS;
            let mut knots = Vec::new();
            let mut t = 0u64;
            loop {
                let clock_s = (start_tod as f64 + t as f64 * 1e-9) - peak_tod as f64;
                let phase = 2.0 * std::f64::consts::PI * clock_s / (period_ns as f64 * 1e-9);
                knots.push((t, base + (peak - base) * (1.0 + phase.cos()) / 2.0));
                if t >= duration_ns {
                    break;
                }
                t += step;
            }
            RateCurve::from_knots(knots)
        }
        RawCurve::Points(Points { points }) => {
            if points.is_empty() {
                c.err(
                    &p.at("points"),
                    "found no points, expected e.g. [{ at = \"0s\", rate = 100 }]",
                );
            }
            let knots = points
                .iter()
                .enumerate()
                .map(|(i, pt)| {
                    (
                        pt.at.nanos(),
                        c.rate(&p.at("points").at(i).at("rate"), pt.rate),
                    )
                })
                .collect();
            RateCurve::from_knots(knots)
        }
        RawCurve::Csv(CsvCurve {
            file,
            time_column,
            rate_column,
            interpolate,
        }) => {
            let step = match interpolate.as_deref() {
                None | Some("linear") => false,
                Some("step") => true,
                Some(other) => {
                    c.err(
                        &p.at("interpolate"),
                        format!("found \"{other}\", expected \"linear\" or \"step\""),
                    );
                    false
                }
            };
            let path = c.base_dir.join(file);
            match read_rate_csv(
                &path,
                time_column.as_deref().unwrap_or("time_s"),
                rate_column.as_deref().unwrap_or("rate"),
                step,
            ) {
                Ok(curve) => curve,
                Err(m) => {
                    c.err(&p.at("file"), m);
                    RateCurve::constant(0.0)
                }
            }
        }
    }
}

/// Reads a `(time_s, rate)` CSV, e.g. a traffic export.
pub fn read_rate_csv(
    path: &Path,
    time_col: &str,
    rate_col: &str,
    step: bool,
) -> Result<RateCurve, String> {
    let mut rdr =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let headers = rdr
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                format!(
                    "{}: no column \"{name}\", found columns {:?}",
                    path.display(),
                    headers.iter().collect::<Vec<_>>()
                )
            })
    };
    let (ti, ri) = (find(time_col)?, find(rate_col)?);
    let mut knots: Vec<(u64, f64)> = Vec::new();
    let mut last_t = -1.0f64;
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("{}:{line}: {e}", path.display()))?;
        let cell = |j: usize, what: &str| -> Result<f64, String> {
            let s = rec.get(j).unwrap_or("").trim();
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    format!(
                        "{}:{line}:{}: found \"{s}\", expected {what}",
                        path.display(),
                        j + 1
                    )
                })
        };
        let t = cell(ti, "a time in seconds of zero or more")?;
        let r = cell(ri, "a rate of zero or more")?;
        if t <= last_t {
            return Err(format!(
                "{}:{line}: times must increase, found {t} after {last_t}",
                path.display()
            ));
        }
        let tn = (t * 1e9).round() as u64;
        if step {
            if let Some(&(_, prev)) = knots.last() {
                knots.push((tn, prev));
            }
        }
        knots.push((tn, r));
        last_t = t;
    }
    if knots.is_empty() {
        return Err(format!("{}: no rows", path.display()));
    }
    Ok(RateCurve::from_knots(knots))
}

fn resolve_events(
    c: &mut Ctx,
    root: &KeyPath,
    raw: &[RawEvent],
    duration_ns: u64,
) -> Vec<ScenarioEvent> {
    let mut out = Vec::new();
    for (i, e) in raw.iter().enumerate() {
        let p = root.at("events").at(i);
        let need = |c: &mut Ctx, key: &str, v: Option<crate::input::units::Duration>| -> u64 {
            match v {
                Some(d) => d.nanos(),
                None => {
                    c.err(
                        &p.at(key),
                        format!("kind = \"{}\" needs `{key}` (a duration)", e.kind),
                    );
                    0
                }
            }
        };
        let kind = match e.kind.as_str() {
            "kill" => EventKind::Kill {
                count: e.count.unwrap_or(1),
            },
            "zone_outage" => EventKind::ZoneOutage {
                zone: e.zone.unwrap_or(0),
                duration_ns: e.duration.map(|d| d.nanos()),
            },
            "db_failover" => EventKind::DbFailover {
                downtime_ns: need(c, "downtime", e.downtime),
            },
            "cache_flush" => EventKind::CacheFlush {
                warmup_ns: e.warmup.map(|d| d.nanos()).unwrap_or(0),
            },
            "cache_fail" => EventKind::CacheFail {
                duration_ns: need(c, "duration", e.duration),
            },
            "latency" => EventKind::Latency {
                add_ns: need(c, "add", e.add),
                duration_ns: need(c, "duration", e.duration),
            },
            "region_outage" => EventKind::RegionOutage {
                duration_ns: e.duration.map(|d| d.nanos()),
            },
            "pool_leak" => EventKind::PoolLeak {
                count: e.count.unwrap_or(1),
                duration_ns: e.duration.map(|d| d.nanos()),
            },
            other => {
                c.err(
                    &p.at("kind"),
                    format!("found \"{other}\", expected one of kill, zone_outage, db_failover, cache_flush, cache_fail, latency, pool_leak, region_outage"),
                );
                continue;
            }
        };
        if e.at.nanos() > duration_ns {
            c.err(&p.at("at"), "the event is after the end of the scenario");
        }
        out.push(ScenarioEvent {
            at_ns: e.at.nanos(),
            target: e.target.clone(),
            kind,
            origin: c.src.error_at(&p.at("target"), ""),
        });
    }
    out
}

/// Checks a scenario's events against a model: targets exist and are of a
/// kind the event applies to.
pub fn check_events(sys: &crate::input::model::System, sc: &Scenario) -> Result<(), InputErrors> {
    let mut errors = InputErrors::default();
    for e in &sc.events {
        let mut err = e.origin.clone();
        if matches!(e.kind, EventKind::RegionOutage { .. }) {
            if !sys.regions.names.contains(&e.target) {
                err.message = if sys.regions.names.is_empty() {
                    format!(
                        "region_outage needs a model with [regions]; model {} has none",
                        sys.name
                    )
                } else {
                    format!(
                        "found \"{}\", which is not a region of model {}; expected one of: {}",
                        e.target,
                        sys.name,
                        sys.regions.names.join(", ")
                    )
                };
                errors.push(err);
            }
            continue;
        }
        match sys
            .component_id(&e.target)
            .map(|i| &sys.components[i as usize])
        {
            None => {
                let names: Vec<&str> = sys.components.iter().map(|c| c.name.as_str()).collect();
                err.message = format!(
                    "found \"{}\", which is not a component of model {}; expected one of: {}",
                    e.target,
                    sys.name,
                    names.join(", ")
                );
                errors.push(err);
            }
            Some(comp) if !e.kind.applies_to().contains(&comp.kind_name()) => {
                err.message = format!(
                    "\"{}\" is a {}; this event applies to: {}",
                    e.target,
                    comp.kind_name(),
                    e.kind.applies_to().join(", ")
                );
                errors.push(err);
            }
            Some(_) => {}
        }
    }
    errors.into_result(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_and_time_of_day() {
        assert_eq!(
            parse_start("2026-11-27T18:30:00Z").unwrap(),
            18 * 3600 + 1800
        );
        assert!(parse_start("2026-11-27 18:30").is_err());
        assert_eq!(parse_time_of_day("00:00").unwrap(), 0);
        assert!(parse_time_of_day("25:00").is_err());
    }
}
