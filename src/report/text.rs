//! The short human summary `capsim run` prints on stdout.

use crate::experiment::stats::{ReplicationStats, FIGURES};
use crate::metrics::result::ErrorKind;
use crate::metrics::RunResult;
use std::fmt::Write;

pub fn summary_text(r: &RunResult, out_dir: &std::path::Path) -> String {
    summary_text_with(r, out_dir, None)
}

/// The summary; with replications the figures are means and each headline
/// figure gets a line with its 95% confidence interval.
pub fn summary_text_with(
    r: &RunResult,
    out_dir: &std::path::Path,
    stats: Option<&ReplicationStats>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "capsim {}: model {} x scenario {} (seed {}, {} s measured after {} s warm-up{})",
        r.capsim_version,
        r.model,
        r.scenario,
        r.seed,
        crate::report::csv_out::fmt_num(r.measured_s),
        crate::report::csv_out::fmt_num(r.warmup_s),
        stats.map_or(String::new(), |st| format!(
            ", {} replications, figures are means",
            st.count
        ))
    );
    let q = &r.requests;
    let _ = writeln!(
        s,
        "requests   {} offered ({:.1}/s), {} completed ({:.1}/s), {} failed ({:.3}%), {} in flight at end",
        q.total,
        r.workload.offered_rps,
        q.completed,
        r.throughput_rps,
        q.failed,
        r.error_rate * 100.0,
        q.in_flight_at_end
    );
    if q.failed > 0 {
        let parts: Vec<String> = ErrorKind::ALL
            .iter()
            .filter(|k| q.errors.get(**k) > 0)
            .map(|k| format!("{} {}", k.name(), q.errors.get(*k)))
            .collect();
        let _ = writeln!(s, "errors     {}", parts.join(", "));
    }
    let l = &r.latency_ms;
    if q.completed == 0 {
        let _ = writeln!(s, "latency    none: nothing completed");
    } else {
        let _ = writeln!(
            s,
            "latency    mean {:.1} ms  p50 {:.1}  p90 {:.1}  p95 {:.1}  p99 {:.1}  p99.9 {:.1}  max {:.1} ms",
            l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max
        );
    }
    let _ = writeln!(
        s,
        "waiting    mean {:.2} ms  p95 {:.2} ms",
        r.wait_ms.mean, r.wait_ms.p95
    );
    for (name, c) in &r.components {
        let _ = write!(
            s,
            "{:<10} {:<9} x{:<3} util {:>5.1}%",
            name,
            c.kind,
            c.replicas,
            c.utilization * 100.0
        );
        if let Some(h) = c.hit_ratio {
            let _ = write!(s, "  hit {:.1}%", h * 100.0);
        }
        if let Some(w) = c.waiting_mean {
            let _ = write!(s, "  waiting {w:.2}");
        }
        if let Some(qm) = c.queue_mean {
            let _ = write!(s, "  queue {qm:.2}");
        }
        let _ = writeln!(s);
    }
    // The three components nearest their capacity, tightest first.
    let mut tight: Vec<(&String, f64)> = r
        .components
        .iter()
        .filter_map(|(n, c)| c.headroom_factor.map(|h| (n, h)))
        .collect();
    tight.sort_by(|a, b| a.1.total_cmp(&b.1));
    if !tight.is_empty() {
        let list: Vec<String> = tight
            .iter()
            .take(3)
            .map(|(n, h)| {
                format!(
                    "{n} {}x",
                    crate::metrics::number::fmt_num((h * 100.0).round() / 100.0)
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "headroom   {} (load multiplier at which each reaches its capacity, from its busiest interval)",
            list.join(", ")
        );
    }
    for a in &r.autoscale.services {
        let _ = writeln!(
            s,
            "autoscale  {}: {}..{} ready (bounds {}..{}); {}",
            a.component, a.ready_min, a.ready_max, a.min_replicas, a.max_replicas, a.verdict
        );
    }
    for surge in &r.autoscale.surges {
        let _ = writeln!(
            s,
            "surge      {} {} -> {} replicas: first decision {:.0} s after the load rose, capacity ready after {:.0} s",
            surge.component, surge.from_replicas, surge.to_replicas, surge.time_to_first_decision_s, surge.time_to_capacity_s
        );
    }
    if r.autoscale.slo_breach_minutes > 0.0 {
        let _ = writeln!(
            s,
            "slo        breached during {:.1} minutes",
            r.autoscale.slo_breach_minutes
        );
    }
    for v in &r.slo {
        let _ = writeln!(
            s,
            "slo        {} {} (target {}, actual {:.3})",
            v.metric,
            if v.ok { "ok" } else { "BREACHED" },
            v.target,
            v.actual
        );
    }
    if let Some(bill) = &r.cost {
        let _ = write!(
            s,
            "cost       ${:.2}/month ({})",
            bill.monthly.total_usd, bill.monthly.rule
        );
        if let Some(k) = bill.cost_per_1k_requests_usd {
            let _ = write!(s, ", ${} per 1,000 requests", money_small(k));
        }
        if let Some(u) = bill.cost_per_user_month_usd {
            let _ = write!(s, ", ${} per user-month", money_small(u));
        }
        let _ = writeln!(s);
        let mut seen: Vec<&str> = Vec::new();
        for line in &bill.lines {
            if seen.contains(&line.component.as_str()) {
                continue;
            }
            seen.push(&line.component);
            let skus: Vec<&str> = bill
                .lines
                .iter()
                .filter(|l| l.component == line.component)
                .map(|l| l.sku.as_str())
                .collect();
            let monthly = bill
                .by_component
                .get(&line.component)
                .map_or(0.0, |t| t.monthly_usd);
            let _ = writeln!(
                s,
                "  {:<16} ${:>10.2}/month  {}",
                line.component,
                monthly,
                skus.join(", ")
            );
        }
    }
    if let Some(st) = stats {
        s.push_str(&replication_text(st));
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    let _ = writeln!(
        s,
        "wrote {}/summary.json, timeseries.csv{}{}, charts, report.md and report.html",
        out_dir.display(),
        if stats.is_some() {
            ", timeseries-replications.csv"
        } else {
            ""
        },
        if r.cost.is_some() {
            ", cost.csv, cost.png, cost.svg"
        } else {
            ""
        }
    );
    s
}

/// One line per headline figure: `p95 182 ms ± 6 ms (95% CI, 10 runs)`,
/// then the `--precision` outcome.
pub fn replication_text(st: &ReplicationStats) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "replications {} (seed {}, indices {}..{}), warm-up removed per replication ({} s, fixed):",
        st.count,
        st.seed,
        st.indices.first().copied().unwrap_or(0),
        st.indices.last().copied().unwrap_or(0),
        crate::report::csv_out::fmt_num(st.warmup.seconds)
    );
    for f in FIGURES {
        let Some(e) = st.figure(f.key) else { continue };
        let (factor, unit) = if f.unit == "%" {
            (100.0, "%")
        } else {
            (1.0, f.unit)
        };
        let (m, h) = crate::report::document::plus_minus(e, factor);
        let sep = if unit == "%" { "" } else { " " };
        let _ = writeln!(
            s,
            "  {:<11}{m}{sep}{unit} ± {h}{sep}{unit} (95% CI, {} runs)",
            f.label, st.count
        );
    }
    if let Some(p) = &st.precision {
        let _ = writeln!(
            s,
            "precision  p95 half-width {} of the mean, target {}: {} with {} replications (cap {})",
            if p.achieved >= 0.0 {
                format!("{:.2}%", p.achieved * 100.0)
            } else {
                "n/a".into()
            },
            format_args!("{}%", crate::report::csv_out::fmt_num(p.target * 100.0)),
            if p.met { "met" } else { "NOT met" },
            st.count,
            p.max_replications
        );
    }
    s
}

/// Small dollar amounts with three significant decimals at least ("0.031", "12.50").
fn money_small(x: f64) -> String {
    if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        let text = format!("{x:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
