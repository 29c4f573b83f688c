//! `report.md` and `report.html`: the page a person reads first. Built once
//! as a list of [`Block`]s, then rendered to Markdown and to a self-contained
//! HTML page (charts inlined as SVG, no external assets).

use super::charts::ChartFile;
use super::RunReport;
use crate::experiment::stats::{Estimate, ReplicationStats};
use crate::input::model::{ComponentKind, Scheduling};
use crate::input::scenario::Workload;
use std::fmt::Write;
use std::path::Path;

/// A piece of the report.
#[derive(Clone, Debug)]
pub enum Block {
    Heading(u8, String),
    Paragraph(String),
    List(Vec<String>),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A chart: `stem.png` in Markdown, `stem.svg` inlined in HTML.
    Figure(ChartFile),
    Code(String),
}

/// Human number: about three significant digits, no exponent.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    let d = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    format!("{x:.d$}")
}

/// Decimals for a value with this half-width: one significant digit of the
/// half-width, two when it starts with 1 or 2 (so 0.14 keeps 0.14, 6.1 is 6).
fn decimals_for(half_width: f64) -> usize {
    if !(half_width.is_finite() && half_width > 0.0) {
        return 1;
    }
    let exp = half_width.log10().floor();
    let lead = half_width / 10f64.powf(exp);
    let digits = if lead < 2.95 { 2 } else { 1 };
    (digits - 1 - exp as i64).clamp(0, 6) as usize
}

/// `182 ± 6` with the precision the interval supports; `factor` scales
/// both (100 for percentages).
pub fn plus_minus(e: &Estimate, factor: f64) -> (String, String) {
    let d = decimals_for(e.half_width * factor);
    (
        format!("{:.d$}", e.mean * factor),
        format!("{:.d$}", e.half_width * factor),
    )
}

/// A figure with its unit and, when known, its 95% interval.
fn value_ci(value: f64, est: Option<&Estimate>, unit: &str, factor: f64) -> (String, String) {
    match est {
        Some(e) => {
            let (m, h) = plus_minus(e, factor);
            let lo_hi = format!(
                "{} – {}",
                num(e.ci95_low * factor),
                num(e.ci95_high * factor)
            );
            (format!("{m} {unit} ± {h}"), lo_hi)
        }
        None => (format!("{} {unit}", num(value * factor)), String::new()),
    }
}

/// Human duration: "90 s", "10 min", "1 h 30 min".
pub fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    if s < 120 {
        if (secs - secs.round()).abs() < 1e-9 {
            format!("{s} s")
        } else {
            format!("{} s", num(secs))
        }
    } else if s % 3600 == 0 {
        format!("{} h", s / 3600)
    } else if s < 7200 {
        if s % 60 == 0 {
            format!("{} min", s / 60)
        } else {
            format!("{} min {} s", s / 60, s % 60)
        }
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}

fn workload_text(rep: &RunReport) -> String {
    let r = rep.result;
    match &rep.scenario.workload {
        Workload::Open {
            rate,
            users_per_rps,
            ..
        } => {
            let knots = rate.knots();
            let lo = knots.iter().map(|k| k.1).fold(f64::INFINITY, f64::min);
            let hi = knots.iter().map(|k| k.1).fold(0.0, f64::max);
            let shape = if knots.is_empty() || (hi - lo).abs() <= 1e-9 * hi.max(1.0) {
                format!("constant Poisson arrivals at {} req/s", num(hi))
            } else {
                format!(
                    "Poisson arrivals following a rate curve between {} and {} req/s",
                    num(lo.min(hi)),
                    num(hi)
                )
            };
            let users = users_per_rps
                .map(|k| format!(" (given in users: {} users per req/s)", num(k)))
                .unwrap_or_default();
            format!(
                "an open workload: {shape}{users}, {} req/s offered on average in the measured window",
                num(r.workload.offered_rps)
            )
        }
        Workload::Closed {
            start_users,
            stages,
            ..
        } => {
            let peak = stages.iter().map(|s| s.target).max().unwrap_or(0);
            format!(
                "a closed workload: virtual users looping request, response, think time; {} at the start, {} stage(s) reaching up to {} users{}",
                start_users,
                stages.len(),
                peak.max(*start_users),
                r.workload
                    .peak_users
                    .map(|p| format!(" ({p} at once at the peak)"))
                    .unwrap_or_default()
            )
        }
    }
}

fn scenario_paragraph(rep: &RunReport) -> String {
    let r = rep.result;
    let sc = rep.scenario;
    let mut p = format!(
        "capsim simulated the model {} under the scenario {} for {} of simulated time; the first {} were a warm-up and are left out, so the figures cover the {} after it. The scenario is {}. ",
        quote(&r.model),
        quote(&r.scenario),
        duration(r.duration_s),
        duration(r.warmup_s),
        duration(r.measured_s),
        workload_text(rep),
    );
    match rep.stats {
        Some(s) => {
            let _ = write!(
                p,
                "It ran {} independent replications (seed {}, replication indices {}–{}); headline figures are means over replications with 95% confidence intervals.",
                s.count,
                r.seed,
                s.indices.first().copied().unwrap_or(0),
                s.indices.last().copied().unwrap_or(0)
            );
        }
        None => {
            let _ = write!(
                p,
                "One replication ran with seed {}; re-running with the same seed gives the same bytes.",
                r.seed
            );
        }
    }
    if !sc.description.is_empty() {
        let _ = write!(p, " Scenario: {}.", sc.description.trim_end_matches('.'));
    }
    p
}

fn quote(s: &str) -> String {
    format!("“{s}”")
}

fn headline(rep: &RunReport) -> Block {
    let r = rep.result;
    let st = rep.stats;
    let fig = |k: &str| st.and_then(|s| s.figure(k));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |name: &str, (v, ci): (String, String)| {
        rows.push(vec![name.to_string(), v, ci]);
    };
    let q = &r.requests;
    row(
        "requests offered",
        (
            format!("{} ({} req/s)", q.total, num(r.workload.offered_rps)),
            String::new(),
        ),
    );
    row("completed", (format!("{}", q.completed), String::new()));
    row("failed", (format!("{}", q.failed), String::new()));
    row(
        "error rate",
        value_ci(r.error_rate, fig("error_rate"), "%", 100.0),
    );
    row(
        "throughput",
        value_ci(r.throughput_rps, fig("throughput_rps"), "req/s", 1.0),
    );
    for (key, name, v) in [
        ("latency_ms.mean", "latency mean", r.latency_ms.mean),
        ("latency_ms.p50", "latency p50", r.latency_ms.p50),
        ("latency_ms.p90", "latency p90", r.latency_ms.p90),
        ("latency_ms.p95", "latency p95", r.latency_ms.p95),
        ("latency_ms.p99", "latency p99", r.latency_ms.p99),
        ("latency_ms.p999", "latency p99.9", r.latency_ms.p999),
    ] {
        row(name, value_ci(v, fig(key), "ms", 1.0));
    }
    row(
        "latency max",
        (format!("{} ms", num(r.latency_ms.max)), String::new()),
    );
    row(
        "wait mean",
        value_ci(r.wait_ms.mean, fig("wait_ms.mean"), "ms", 1.0),
    );
    row(
        "wait p95",
        value_ci(r.wait_ms.p95, fig("wait_ms.p95"), "ms", 1.0),
    );
    row("in system (mean)", (num(r.in_system_mean), String::new()));
    row(
        "saturated",
        (if r.saturated { "yes" } else { "no" }.into(), String::new()),
    );
    if let Some(b) = &r.cost {
        row(
            "cost",
            value_ci(
                b.monthly.total_usd,
                fig("cost.monthly.total_usd"),
                "USD/month",
                1.0,
            ),
        );
    }
    let mut head = vec!["figure".to_string(), "value".to_string()];
    if st.is_some() {
        head.push("95% CI".into());
    } else {
        for r in &mut rows {
            r.pop();
        }
    }
    Block::Table { head, rows }
}

/// The figure an SLO metric is judged on.
fn slo_figure(metric: &str) -> Option<String> {
    if metric == "error_rate" {
        return Some("error_rate".into());
    }
    metric
        .strip_suffix("_ms")
        .map(|m| format!("latency_ms.{m}"))
}

fn slo_blocks(rep: &RunReport) -> Vec<Block> {
    let r = rep.result;
    if r.slo.is_empty() {
        return vec![Block::Paragraph(
            "The model sets no SLO ([slo] in the model file), so there is nothing to judge.".into(),
        )];
    }
    let rows = r
        .slo
        .iter()
        .map(|v| {
            let is_rate = v.metric == "error_rate";
            let (f, unit) = if is_rate { (100.0, "%") } else { (1.0, "ms") };
            let est = rep
                .stats
                .and_then(|s| slo_figure(&v.metric).and_then(|k| s.figure(&k).cloned()));
            let verdict = match &est {
                Some(e) if e.ci95_low <= v.target && v.target <= e.ci95_high => {
                    format!(
                        "{} (the 95% interval contains the target: not conclusive)",
                        if v.ok { "ok" } else { "BREACHED" }
                    )
                }
                _ => if v.ok { "ok" } else { "BREACHED" }.to_string(),
            };
            vec![
                v.metric.clone(),
                format!("≤ {} {unit}", num(v.target * f)),
                value_ci(v.actual, est.as_ref(), unit, f).0,
                verdict,
            ]
        })
        .collect();
    let breached = r.slo.iter().filter(|v| !v.ok).count();
    vec![
        Block::Paragraph(if breached == 0 {
            format!("All {} SLO(s) met.", r.slo.len())
        } else {
            format!("{breached} of {} SLO(s) BREACHED.", r.slo.len())
        }),
        Block::Table {
            head: ["SLO", "target", "actual", "verdict"]
                .map(String::from)
                .to_vec(),
            rows,
        },
    ]
}

fn autoscale_blocks(rep: &RunReport) -> Vec<Block> {
    let configured: Vec<&str> = rep
        .system
        .components
        .iter()
        .filter(|c| matches!(&c.kind, ComponentKind::Service(s) if s.autoscale.is_some()))
        .map(|c| c.name.as_str())
        .collect();
    let log = &rep.result.scale_log;
    let changes: Vec<_> = log.iter().filter(|d| d.desired != d.current).collect();
    if changes.is_empty() {
        let p = if configured.is_empty() {
            "No autoscaler in the model: replica counts stay as configured for the whole run."
                .to_string()
        } else {
            format!(
                "Autoscalers are configured on {}; they made {} decision(s) and changed no replica count.",
                configured.join(", "),
                log.len()
            )
        };
        return vec![Block::Paragraph(p)];
    }
    let a = &rep.result.autoscale;
    let mut p = format!(
        "{} scaling change(s) ({} up, {} down) out of {} decision(s); every decision is in autoscale.csv.",
        changes.len(),
        changes.iter().filter(|d| d.desired > d.current).count(),
        changes.iter().filter(|d| d.desired < d.current).count(),
        log.len()
    );
    if rep.stats.is_some() {
        p.push_str(" With replications, the timeline is that of replication 0.");
    }
    if a.slo_breach_minutes > 0.0 {
        let _ = write!(
            p,
            " SLOs were breached during {} minute(s) of reporting intervals.",
            num(a.slo_breach_minutes)
        );
    }
    let mut out = vec![Block::Paragraph(p)];
    if !a.surges.is_empty() {
        out.push(Block::Table {
            head: [
                "component",
                "load rose",
                "first decision",
                "capacity ready",
                "replicas",
            ]
            .map(String::from)
            .to_vec(),
            rows: a
                .surges
                .iter()
                .map(|s| {
                    vec![
                        s.component.clone(),
                        duration(s.load_rise_s),
                        format!(
                            "{} (+{})",
                            duration(s.first_decision_s),
                            duration(s.time_to_first_decision_s)
                        ),
                        format!(
                            "{} (+{})",
                            duration(s.capacity_ready_s),
                            duration(s.time_to_capacity_s)
                        ),
                        format!("{} → {}", s.from_replicas, s.to_replicas),
                    ]
                })
                .collect(),
        });
    }
    const SHOWN: usize = 40;
    out.push(Block::Table {
        head: ["time", "component", "replicas", "ready at", "reason"]
            .map(String::from)
            .to_vec(),
        rows: changes
            .iter()
            .take(SHOWN)
            .map(|d| {
                vec![
                    duration(d.time_s),
                    d.component.clone(),
                    format!("{} → {}", d.current, d.desired),
                    d.ready_s.map(duration).unwrap_or_default(),
                    d.reason.clone(),
                ]
            })
            .collect(),
    });
    if changes.len() > SHOWN {
        out.push(Block::Paragraph(format!(
            "… and {} more change(s) in autoscale.csv.",
            changes.len() - SHOWN
        )));
    }
    out
}

fn cost_blocks(rep: &RunReport, dir: &Path) -> Vec<Block> {
    let Some(b) = &rep.result.cost else {
        return vec![Block::Paragraph(
            "The model names no SKU, so the run was not billed.".into(),
        )];
    };
    let mut p = format!(
        "About {} USD per month ({}); the simulated span itself costs {} USD.",
        num(b.monthly.total_usd),
        b.monthly.rule,
        num(b.simulated_usd)
    );
    if let Some(k) = b.cost_per_1k_requests_usd {
        let _ = write!(p, " {} USD per 1,000 requests.", num(k));
    }
    if let Some(u) = b.cost_per_user_month_usd {
        let _ = write!(p, " {} USD per user and month.", num(u));
    }
    if rep.stats.is_some() {
        p.push_str(" With replications, the bill is that of the mean request counts.");
    }
    let rows = b
        .lines
        .iter()
        .map(|l| {
            vec![
                l.component.clone(),
                l.sku.clone(),
                format!("{} {}", num(l.quantity), l.unit.as_str()),
                format!("{:.2}", l.monthly_usd),
            ]
        })
        .collect();
    let mut out = vec![
        Block::Paragraph(p),
        Block::Table {
            head: ["component", "SKU", "billed over the span", "USD / month"]
                .map(String::from)
                .to_vec(),
            rows,
        },
    ];
    if dir.join("cost.svg").exists() {
        out.push(Block::Figure(ChartFile {
            stem: "cost",
            title: "Monthly cost".into(),
            caption: "Monthly cost per component, one segment per SKU.".into(),
        }));
    }
    out
}

fn component_table(rep: &RunReport) -> Block {
    let rows = rep
        .result
        .components
        .iter()
        .map(|(name, c)| {
            let mut notes = Vec::new();
            if let Some(q) = c.queue_mean {
                notes.push(format!("queue {}", num(q)));
            }
            if let Some(h) = c.hit_ratio {
                notes.push(format!("hit {}%", num(h * 100.0)));
            }
            if let Some(w) = c.waiting_mean {
                notes.push(format!("waiting {}", num(w)));
            }
            let errors = c.errors.total();
            if errors > 0 {
                notes.push(format!("{errors} errors"));
            }
            vec![
                name.clone(),
                c.kind.clone(),
                match (c.replicas_min, c.replicas_max) {
                    (Some(lo), Some(hi)) if lo != hi => {
                        format!("{} ({lo}–{hi} during the run)", c.replicas)
                    }
                    _ => c.replicas.to_string(),
                },
                format!("{}%", num(c.utilization * 100.0)),
                notes.join(", "),
            ]
        })
        .collect();
    Block::Table {
        head: ["component", "kind", "replicas", "utilization", "notes"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

fn assumptions(rep: &RunReport, notes: &[String]) -> Block {
    let r = rep.result;
    let mut items = vec![format!(
        "Warm-up: fixed; the first {} of {} are discarded (figures cover requests that arrived after it). Cost covers the whole span.",
        duration(r.warmup_s),
        if rep.stats.is_some() { "each replication" } else { "the run" }
    )];
    if !rep.system.description.is_empty() {
        items.push(format!("Model: {}", rep.system.description));
    }
    for c in &rep.system.components {
        if let ComponentKind::Service(s) = &c.kind {
            items.push(format!(
                "{}: {} replica(s) of {} core(s), {} scheduling, concurrency {}, accept queue {}, timeout {}, balancer {}.",
                c.name,
                s.replicas,
                num(s.cores),
                match s.scheduling {
                    Scheduling::Fcfs => "FCFS",
                    Scheduling::ProcessorSharing => "processor-sharing",
                },
                s.concurrency,
                s.accept_queue.map_or("unbounded".into(), |q| q.to_string()),
                s.timeout_ns
                    .map_or("none".into(), |t| format!("{} ms", num(t as f64 / 1e6))),
                s.balancer.policy.name()
            ));
        }
    }
    items.push(format!(
        "Randomness: every stream is derived from (seed {}, replication, stream name); the same inputs give the same bytes on any machine and thread count.",
        r.seed
    ));
    items.push(format!(
        "Latency percentiles come from an HDR histogram with 3 significant digits; the time series uses intervals of {}.",
        duration(rep.scenario.interval_ns as f64 / 1e9)
    ));
    if let Some(s) = rep.stats {
        items.push(replication_note(s));
    }
    for w in &r.warnings {
        items.push(format!("Warning: {w}"));
    }
    for n in notes {
        items.push(format!("Chart: {n}"));
    }
    Block::List(items)
}

fn replication_note(s: &ReplicationStats) -> String {
    let mut t = format!(
        "Replications: {}; the headline figures are means over replications, the intervals are mean ± t(0.975, n−1)·sd/√n (Student t); counts are rounded means, maxima the largest seen.",
        s.count
    );
    if let Some(p) = &s.precision {
        let _ = write!(
            t,
            " Precision target: p95 half-width within {}% of its mean, {} ({}% reached, cap {} replications).",
            num(p.target * 100.0),
            if p.met { "met" } else { "NOT met" },
            if p.achieved >= 0.0 { num(p.achieved * 100.0) } else { "n/a".into() },
            p.max_replications
        );
    }
    t
}

/// The whole report as blocks.
pub fn build(rep: &RunReport, dir: &Path, charts: &[ChartFile], notes: &[String]) -> Vec<Block> {
    let r = rep.result;
    let mut b = vec![
        Block::Heading(1, format!("capsim report: {} × {}", r.model, r.scenario)),
        Block::Paragraph(scenario_paragraph(rep)),
        Block::Heading(2, "Headline".into()),
        headline(rep),
        Block::Heading(2, "SLO verdicts".into()),
    ];
    b.extend(slo_blocks(rep));
    b.push(Block::Heading(2, "Autoscaling timeline".into()));
    b.extend(autoscale_blocks(rep));
    b.push(Block::Heading(2, "Cost".into()));
    b.extend(cost_blocks(rep, dir));
    b.push(Block::Heading(2, "Charts".into()));
    if charts.is_empty() {
        b.push(Block::Paragraph(
            "No chart could be drawn (no data).".into(),
        ));
    }
    b.extend(charts.iter().cloned().map(Block::Figure));
    b.push(Block::Heading(2, "Components".into()));
    b.push(component_table(rep));
    b.push(Block::Heading(2, "Assumptions".into()));
    b.push(assumptions(rep, notes));
    b.push(Block::Heading(2, "Reproduce".into()));
    b.push(Block::Code(rep.reproduce.to_string()));
    b.push(Block::Paragraph(
        "Every figure here is in summary.json; per-interval values are in timeseries.csv (keys in docs/output-format.md).".into(),
    ));
    b
}

fn md_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(
            ch,
            '\\' | '`' | '*' | '_' | '|' | '<' | '>' | '[' | ']' | '#'
        ) {
            o.push('\\');
        }
        o.push(ch);
    }
    o
}

/// Markdown text of the blocks.
pub fn markdown(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, t) => {
                let _ = writeln!(s, "{} {}\n", "#".repeat(*level as usize), md_escape(t));
            }
            Block::Paragraph(t) => {
                let _ = writeln!(s, "{}\n", md_escape(t));
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(s, "- {}", md_escape(i));
                }
                s.push('\n');
            }
            Block::Table { head, rows } => {
                let cells = |r: &[String]| {
                    r.iter()
                        .map(|c| md_escape(c))
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                let _ = writeln!(s, "| {} |", cells(head));
                let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
                for r in rows {
                    let _ = writeln!(s, "| {} |", cells(r));
                }
                s.push('\n');
            }
            Block::Figure(c) => {
                let _ = writeln!(
                    s,
                    "![{}]({}.png)\n\n*{}* ([SVG]({}.svg))\n",
                    md_escape(&c.title),
                    c.stem,
                    md_escape(&c.caption),
                    c.stem
                );
            }
            Block::Code(t) => {
                let _ = writeln!(s, "```sh\n{t}\n```\n");
            }
        }
    }
    s
}

fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            _ => o.push(ch),
        }
    }
    o
}

/// The SVG file's `<svg>` element, with a `viewBox` so it scales, or `None`.
fn inline_svg(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let start = text.find("<svg")?;
    let svg = &text[start..];
    if svg.contains("viewBox") {
        return Some(svg.to_string());
    }
    let attr = |name: &str| -> Option<String> {
        let head = &svg[..svg.find('>')?];
        let i = head.find(&format!(" {name}=\""))? + name.len() + 3;
        let rest = &head[i..];
        Some(rest[..rest.find('"')?].to_string())
    };
    let (w, h) = (attr("width")?, attr("height")?);
    Some(svg.replacen("<svg", &format!("<svg viewBox=\"0 0 {w} {h}\""), 1))
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1060px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
table{border-collapse:collapse;margin:0.5em 0 1.2em}th,td{border:1px solid #ccc;padding:0.3em 0.7em;text-align:left}\
th{background:#f3f3f3}td:nth-child(n+2){font-variant-numeric:tabular-nums}\
figure{margin:1em 0 2em}figure svg{width:100%;height:auto;border:1px solid #eee}\
figcaption{color:#555;font-size:0.92em}pre{background:#f6f6f6;padding:0.7em;overflow-x:auto}\
.bad{color:#b00020;font-weight:600}.good{color:#1b7f3b;font-weight:600}";

/// A self-contained HTML page of the blocks; charts are read from `dir`.
pub fn html(blocks: &[Block], dir: &Path) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading(1, t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("capsim report");
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        html_escape(title)
    );
    for b in blocks {
        match b {
            Block::Heading(level, t) => {
                let _ = writeln!(s, "<h{level}>{}</h{level}>", html_escape(t));
            }
            Block::Paragraph(t) => {
                let _ = writeln!(s, "<p>{}</p>", html_escape(t));
            }
            Block::List(items) => {
                s.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(s, "<li>{}</li>", html_escape(i));
                }
                s.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                s.push_str("<table>\n<tr>");
                for h in head {
                    let _ = write!(s, "<th>{}</th>", html_escape(h));
                }
                s.push_str("</tr>\n");
                for r in rows {
                    s.push_str("<tr>");
                    for c in r {
                        let class = if c.starts_with("BREACHED") {
                            " class=\"bad\""
                        } else if c.starts_with("ok") {
                            " class=\"good\""
                        } else {
                            ""
                        };
                        let _ = write!(s, "<td{class}>{}</td>", html_escape(c));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</table>\n");
            }
            Block::Figure(c) => {
                let body = inline_svg(&dir.join(format!("{}.svg", c.stem)))
                    .unwrap_or_else(|| format!("<p>(chart {}.svg could not be read)</p>", c.stem));
                let _ = writeln!(
                    s,
                    "<figure>\n{body}\n<figcaption><strong>{}.</strong> {}</figcaption>\n</figure>",
                    html_escape(&c.title),
                    html_escape(&c.caption)
                );
            }
            Block::Code(t) => {
                let _ = writeln!(s, "<pre><code>{}</code></pre>", html_escape(t));
            }
        }
    }
    s.push_str("</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_intervals_read_well() {
        assert_eq!(num(182.4), "182");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(0.01234), "0.012");
        assert_eq!(duration(600.0), "10 min");
        assert_eq!(duration(3600.0), "1 h");
        assert_eq!(duration(60.0), "60 s");
        let e = Estimate {
            mean: 182.4,
            sd: 8.0,
            ci95_low: 176.3,
            ci95_high: 188.5,
            half_width: 6.1,
        };
        assert_eq!(plus_minus(&e, 1.0), ("182".into(), "6".into()));
        let e = Estimate {
            half_width: 0.14,
            mean: 12.871,
            ..e
        };
        assert_eq!(plus_minus(&e, 1.0), ("12.87".into(), "0.14".into()));
    }

    #[test]
    fn escapes() {
        assert_eq!(md_escape("a_b|c"), "a\\_b\\|c");
        assert_eq!(html_escape("<a&\">"), "&lt;a&amp;&quot;&gt;");
    }
}
