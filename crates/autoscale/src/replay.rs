//! `capsim replay`: run a policy over a recorded demand CSV, without the simulator.
//!
//! Input: `time_s` plus one column per metric holding the *total* across replicas
//! (`cpu` in cores, `memory` in MiB, a Pods metric's sum, an External metric's value);
//! an empty cell = unavailable. The controller runs every period from the first row's
//! time and reads the latest row at or before each tick. Per-replica values are the
//! totals divided over the ready replicas (integer millicores/bytes/milli-units spread
//! so that their sum is exact). Replicas added at a tick become ready after `startup`;
//! until then they are Pending (set aside for every metric). Removed replicas go at
//! once, not-ready ones first, then the newest.

use std::io;

use crate::error::Error;
use crate::observe::{Observation, PodPhase, PodSample};
use crate::policy::Policy;
use crate::schedule;

const NS: f64 = 1e9;
/// Initial replicas are taken to have started this long before the first row, so the
/// HPA's CPU-initialization rules do not set them aside.
const ORIGIN_NS: u64 = 3600 * 1_000_000_000;
/// Bound on reconciles in one replay.
pub const MAX_TICKS: u64 = 10_000_000;

/// A demand CSV: metric column names (without `time_s`) and rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DemandSeries {
    pub columns: Vec<String>,
    pub rows: Vec<DemandRow>,
}

/// One row: time and one value per column (`None` = empty cell).
#[derive(Debug, Clone, PartialEq)]
pub struct DemandRow {
    pub time_ns: u64,
    pub values: Vec<Option<f64>>,
}

/// Replay options (the CLI flags).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayOptions {
    /// `--initial-replicas`: ready replicas at the first row.
    pub initial_replicas: u32,
    /// `--cpu-request CORES` per replica.
    pub cpu_request_cores: Option<f64>,
    /// `--memory-request MIB` per replica.
    pub memory_request_mib: Option<f64>,
    /// `--startup`: delay from a scale-up to the new replicas being ready (ns).
    pub startup_ns: u64,
    /// UTC wall-clock time of `time_s = 0`, seconds since the epoch (for schedules).
    pub start_epoch_s: i64,
}

impl ReplayOptions {
    pub fn new(initial_replicas: u32) -> Self {
        ReplayOptions {
            initial_replicas,
            cpu_request_cores: None,
            memory_request_mib: None,
            startup_ns: 0,
            start_epoch_s: 0,
        }
    }
}

/// One output row, per reconcile.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayRow {
    pub time_ns: u64,
    /// What the controller set at this tick.
    pub replicas: u32,
    /// The proposal before stabilization and policies.
    pub desired_replicas: u32,
    /// Ready replicas when the controller observed.
    pub ready_replicas: u32,
    /// Per-replica value of each demand column (External metrics: the value itself).
    pub metrics: Vec<Option<f64>>,
    /// The controller's reason.
    pub reason: String,
}

/// Reads a demand CSV. Errors name the line (header = line 1) and column.
pub fn read_demand_csv<R: io::Read>(reader: R) -> Result<DemandSeries, Error> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(reader);
    let headers = rdr.headers().map_err(|e| csv_error(&e, 1))?.clone();
    let time_col = headers
        .iter()
        .position(|h| h == "time_s")
        .ok_or_else(|| Error::Csv {
            line: 1,
            column: None,
            message: format!(
                "expected a `time_s` column, found {:?}",
                headers.iter().collect::<Vec<_>>()
            ),
        })?;
    let columns: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != time_col)
        .map(|(_, h)| h.to_string())
        .collect();
    let mut rows: Vec<DemandRow> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| csv_error(&e, i as u64 + 2))?;
        let line = rec.position().map_or(i as u64 + 2, |p| p.line());
        let cell_err = |col: &str, msg: String| Error::Csv {
            line,
            column: Some(col.to_string()),
            message: msg,
        };
        let t_text = rec.get(time_col).unwrap_or("");
        let t: f64 = t_text
            .parse()
            .map_err(|_| cell_err("time_s", format!("expected seconds ≥ 0, found {t_text:?}")))?;
        if !(t >= 0.0 && t.is_finite() && t < 1e10) {
            return Err(cell_err(
                "time_s",
                format!("expected seconds in [0, 1e10), found {t_text:?}"),
            ));
        }
        let time_ns = (t * NS).round() as u64;
        if rows.last().is_some_and(|r| r.time_ns >= time_ns) {
            return Err(cell_err(
                "time_s",
                format!("expected times to increase, found {t_text} after an equal or later time"),
            ));
        }
        let mut values = Vec::with_capacity(columns.len());
        for (j, cell) in rec.iter().enumerate().filter(|(j, _)| *j != time_col) {
            let name = headers.get(j).unwrap_or("");
            if cell.is_empty() {
                values.push(None);
                continue;
            }
            let v: f64 = cell.parse().map_err(|_| {
                cell_err(
                    name,
                    format!("expected a number or an empty cell, found {cell:?}"),
                )
            })?;
            if !(v.is_finite() && v >= 0.0) {
                // Demand (load, usage, queue depth) is never negative; a
                // negative cell used to reach the output as -inf.
                return Err(cell_err(
                    name,
                    format!("expected a finite number of 0 or more, found {cell:?}"),
                ));
            }
            values.push(Some(v));
        }
        rows.push(DemandRow { time_ns, values });
    }
    if rows.is_empty() {
        return Err(Error::Csv {
            line: 1,
            column: None,
            message: "expected at least one data row, found none".into(),
        });
    }
    Ok(DemandSeries { columns, rows })
}

fn csv_error(e: &csv::Error, fallback_line: u64) -> Error {
    let line = e.position().map_or(fallback_line, |p| p.line());
    Error::Csv {
        line,
        column: None,
        message: e.to_string(),
    }
}

/// Writes `time_s,replicas,desired_replicas,ready_replicas,<metric columns...>`.
pub fn write_replay_csv<W: io::Write>(
    out: W,
    columns: &[String],
    rows: &[ReplayRow],
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(out);
    let io_err = |e: csv::Error| Error::Io(e.to_string());
    let mut header = vec![
        "time_s".to_string(),
        "replicas".into(),
        "desired_replicas".into(),
        "ready_replicas".into(),
    ];
    header.extend(columns.iter().cloned());
    w.write_record(&header).map_err(io_err)?;
    for r in rows {
        let mut rec = vec![
            fmt_num(r.time_ns as f64 / NS),
            r.replicas.to_string(),
            r.desired_replicas.to_string(),
            r.ready_replicas.to_string(),
        ];
        rec.extend(r.metrics.iter().map(|m| m.map(fmt_num).unwrap_or_default()));
        w.write_record(&rec).map_err(io_err)?;
    }
    w.flush().map_err(|e| Error::Io(e.to_string()))
}

/// Six decimals at most, no trailing zeros: stable across platforms for goldens.
fn fmt_num(v: f64) -> String {
    let r = (v * 1e6).round() / 1e6;
    if r == 0.0 {
        "0".into()
    } else {
        format!("{r}")
    }
}

/// How a demand column maps onto pod samples.
#[derive(Clone, Copy, PartialEq)]
enum ColumnKind {
    Cpu,
    Memory,
    Pods,
    External,
}

struct Replica {
    started_ns: u64,
    ready_at_ns: u64,
}

/// Runs `policy` over `demand`. See the module docs for the exact semantics.
pub fn replay(
    policy: &Policy,
    demand: &DemandSeries,
    options: &ReplayOptions,
) -> Result<Vec<ReplayRow>, Error> {
    for name in policy.metric_names() {
        let rpm_from_rps = name == "rpm" && demand.columns.iter().any(|c| c == "rps");
        if !(demand.columns.contains(&name) || rpm_from_rps) {
            return Err(Error::Replay(format!(
                "the policy reads metric `{name}` but the CSV has no such column (columns: {:?})",
                demand.columns
            )));
        }
    }
    for (res, given, flag) in [
        (
            "cpu",
            options.cpu_request_cores.is_some(),
            "--cpu-request CORES",
        ),
        (
            "memory",
            options.memory_request_mib.is_some(),
            "--memory-request MIB",
        ),
    ] {
        if policy.needs_request(res) && !given {
            return Err(Error::Replay(format!(
                "the policy compares {res} with the pod request: pass {flag}"
            )));
        }
    }
    let positive = |v: Option<f64>, what: &str| match v {
        Some(x) if !(x > 0.0 && x.is_finite()) => Err(Error::Replay(format!(
            "{what}: expected a positive number, found {x}"
        ))),
        _ => Ok(()),
    };
    positive(options.cpu_request_cores, "--cpu-request")?;
    positive(options.memory_request_mib, "--memory-request")?;
    let kinds: Vec<ColumnKind> = demand
        .columns
        .iter()
        .map(|c| match c.as_str() {
            "cpu" => ColumnKind::Cpu,
            "memory" => ColumnKind::Memory,
            n if policy.is_pods_metric(n) => ColumnKind::Pods,
            _ => ColumnKind::External,
        })
        .collect();
    let cpu_req = options
        .cpu_request_cores
        .map_or(0, |c| (c * 1000.0).round() as u64);
    let mem_req = options
        .memory_request_mib
        .map_or(0, |m| (m * 1_048_576.0).round() as u64);

    let Some(first) = demand.rows.first() else {
        return Ok(Vec::new());
    };
    let t0 = first.time_ns;
    let t_last = demand.rows.last().map_or(t0, |r| r.time_ns);
    let internal = |t: u64| (t - t0).saturating_add(ORIGIN_NS);

    let mut ctrl = policy.build();
    let (base_min, base_max) = policy.bounds();
    let mut spec = options.initial_replicas;
    let mut replicas: Vec<Replica> = (0..spec)
        .map(|_| Replica {
            started_ns: 0,
            ready_at_ns: 0,
        })
        .collect();
    // Bounds in force at the start, then each change in [t0, t_last].
    let day0 = options
        .start_epoch_s
        .saturating_add((t0 / 1_000_000_000) as i64);
    if let Some(r) = schedule::in_force_at_start(&policy.schedule, day0) {
        spec = schedule::apply(ctrl.as_mut(), r.min, r.max, base_max, spec);
    } else {
        ctrl.set_bounds(base_min, base_max);
    }
    resize(&mut replicas, spec, internal(t0), options.startup_ns);
    let changes = schedule::changes(
        &policy.schedule,
        options.start_epoch_s,
        t0,
        t_last.saturating_add(1),
    );
    let mut next_change = changes
        .iter()
        .position(|c| c.at_ns > t0)
        .unwrap_or(changes.len());

    let mut out = Vec::new();
    let mut tick = t0.saturating_add(ctrl.first_tick_ns());
    let mut row_idx = 0;
    let mut count = 0u64;
    while tick <= t_last {
        count += 1;
        if count > MAX_TICKS {
            return Err(Error::Replay(format!(
                "more than {MAX_TICKS} reconciles: shorten the CSV or lengthen the period"
            )));
        }
        while next_change < changes.len() && changes[next_change].at_ns <= tick {
            let c = changes[next_change];
            spec = schedule::apply(ctrl.as_mut(), c.min, c.max, base_max, spec);
            resize(&mut replicas, spec, internal(c.at_ns), options.startup_ns);
            next_change += 1;
        }
        while row_idx + 1 < demand.rows.len() && demand.rows[row_idx + 1].time_ns <= tick {
            row_idx += 1;
        }
        let row = &demand.rows[row_idx];
        let now = internal(tick);
        let ready = crate::observe::count_u32(replicas.iter().filter(|r| r.ready_at_ns <= now));
        let obs = observation(
            now,
            spec,
            &replicas,
            row,
            &demand.columns,
            &kinds,
            cpu_req,
            mem_req,
        );
        let d = ctrl.reconcile(&obs);
        spec = d.desired;
        resize(&mut replicas, spec, now, options.startup_ns);
        let metrics = row
            .values
            .iter()
            .zip(&kinds)
            .map(|(v, k)| match k {
                ColumnKind::External => *v,
                _ => v.filter(|_| ready > 0).map(|x| x / f64::from(ready)),
            })
            .collect();
        out.push(ReplayRow {
            time_ns: tick,
            replicas: d.desired,
            desired_replicas: d.proposal,
            ready_replicas: ready,
            metrics,
            reason: d.reason,
        });
        let step = ctrl.next_tick_ns(now).saturating_sub(now).max(1);
        tick = match tick.checked_add(step) {
            Some(t) => t,
            None => break,
        };
    }
    Ok(out)
}

/// Adds (ready after `startup`) or removes (not-ready first, then newest) replicas.
fn resize(replicas: &mut Vec<Replica>, target: u32, now: u64, startup: u64) {
    let target = target as usize;
    while replicas.len() < target {
        replicas.push(Replica {
            started_ns: now,
            ready_at_ns: now.saturating_add(startup),
        });
    }
    if replicas.len() > target {
        // Stable order: ready ones first (oldest first), so truncation drops the
        // not-ready and then the newest.
        replicas.sort_by_key(|r| (r.ready_at_ns > now, r.started_ns));
        replicas.truncate(target);
    }
}

/// Spreads an integer total over `n` parts whose sum is exactly the total.
fn spread(total: u64, n: usize, i: usize) -> u64 {
    let n64 = n as u64;
    total / n64 + u64::from((i as u64) < total % n64)
}

#[allow(clippy::too_many_arguments)]
fn observation(
    now: u64,
    spec: u32,
    replicas: &[Replica],
    row: &DemandRow,
    columns: &[String],
    kinds: &[ColumnKind],
    cpu_req: u64,
    mem_req: u64,
) -> Observation {
    let n_ready = replicas.iter().filter(|r| r.ready_at_ns <= now).count();
    let mut ready_i = 0;
    let mut pods = Vec::with_capacity(replicas.len());
    for r in replicas {
        let mut p = PodSample::ready_pod(r.started_ns, cpu_req, mem_req);
        if r.ready_at_ns > now {
            p.phase = PodPhase::Pending;
            p.ready = false;
            p.ready_transition_ns = None;
        } else {
            p.ready_transition_ns = Some(r.ready_at_ns);
            for ((name, kind), v) in columns.iter().zip(kinds).zip(&row.values) {
                let total = |scale: f64| v.map(|x| (x.max(0.0) * scale).round() as u64);
                match kind {
                    ColumnKind::Cpu => {
                        p.cpu_usage_milli = total(1000.0).map(|t| spread(t, n_ready, ready_i))
                    }
                    ColumnKind::Memory => {
                        p.memory_usage_bytes =
                            total(1_048_576.0).map(|t| spread(t, n_ready, ready_i))
                    }
                    ColumnKind::Pods => p.pods_metrics.push((
                        name.clone(),
                        total(1000.0).map(|t| spread(t, n_ready, ready_i) as f64 / 1000.0),
                    )),
                    ColumnKind::External => {}
                }
            }
            ready_i += 1;
        }
        pods.push(p);
    }
    let external = columns
        .iter()
        .zip(kinds)
        .zip(&row.values)
        .filter(|((_, k), _)| **k == ColumnKind::External)
        .map(|((n, _), v)| (n.clone(), *v))
        .collect();
    Observation {
        now_ns: now,
        spec_replicas: spec,
        pods,
        external,
    }
}
