//! The short human summary `capsim run` prints on stdout.

use crate::stack::result::ErrorKind;
use crate::stack::RunResult;
use std::fmt::Write;

pub fn summary_text(r: &RunResult, out_dir: &std::path::Path) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "capsim {}: model {} x scenario {} (seed {}, {} s measured after {} s warm-up)",
        r.capsim_version, r.model, r.scenario, r.seed, r.measured_s, r.warmup_s
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
    let _ = writeln!(
        s,
        "latency    mean {:.1} ms  p50 {:.1}  p90 {:.1}  p95 {:.1}  p99 {:.1}  p99.9 {:.1}  max {:.1} ms",
        l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max
    );
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
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    let _ = writeln!(
        s,
        "wrote {}/summary.json and timeseries.csv",
        out_dir.display()
    );
    s
}
