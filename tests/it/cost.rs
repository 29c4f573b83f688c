//! End-to-end tests of billing: `sku` keys, `[[costs]]`, `[pricing]`, `--pricing`,
//! the `cost` block of `summary.json`, `cost.csv` and the cost chart.

use crate::support::{capsim, repo, run_cli, write};

use std::fs;
use std::path::Path;

const SKU: &str = "aws.ec2.m7i.large";

fn hourly_price(id: &str) -> f64 {
    let catalog = capsim_cost::Catalog::builtin().expect("shipped catalog is valid");
    let sku = catalog.get(id).expect("SKU in the catalog");
    assert_eq!(sku.unit, capsim_cost::Unit::Hour, "{id} is priced per hour");
    sku.price_usd
}

/// One service of three replicas of `sku`.
fn model(sku: &str, extra: &str) -> String {
    format!(
        r#"name = "priced"
[[classes]]
name = "get"
share = 1
entry = "api"
response_bytes = 10000

[components.api]
kind = "service"
sku = "{sku}"
replicas = 3
cores = 2
cpu = "2ms"
{extra}"#
    )
}

/// One simulated hour of light traffic.
const HOUR: &str = r#"
duration = "1h"
seed = 1
interval = "10m"
[workload]
type = "open"
rate = 5
"#;

fn run(model: &Path, scenario: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--quiet"];
    args.extend_from_slice(extra);
    run_cli(model, scenario, out, &args)
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn three_replicas_for_an_hour_cost_3_x_730_x_hourly_price() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.toml", &model(SKU, ""));
    let s = write(dir.path(), "s.toml", HOUR);
    let out = dir.path().join("o");
    let o = run(&m, &s, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let price = hourly_price(SKU);
    let v = summary(&out);
    let cost = &v["cost"];
    assert_eq!(
        cost["monthly"]["total_usd"].as_f64().unwrap(),
        3.0 * price * 730.0
    );
    assert_eq!(cost["monthly"]["month_hours"], 730);
    assert_eq!(
        cost["monthly"]["rule"],
        "simulated 1 h scaled to 730 h: x730"
    );
    assert_eq!(cost["simulated_usd"].as_f64().unwrap(), 3.0 * price);
    assert_eq!(
        cost["by_component"]["api"]["monthly_usd"].as_f64().unwrap(),
        3.0 * price * 730.0
    );
    assert_eq!(
        cost["by_sku"][SKU]["monthly_usd"].as_f64().unwrap(),
        3.0 * price * 730.0
    );
    assert!(cost["cost_per_1k_requests_usd"].as_f64().unwrap() > 0.0);

    // cost.csv: monthly basis, one row per bill line.
    let csv = fs::read_to_string(out.join("cost.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("component,sku,quantity,unit,amount"));
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(row[..4], ["api", SKU, "2190", "hour"]);
    let amount: f64 = row[4].parse().unwrap();
    assert!((amount - 3.0 * price * 730.0).abs() < 1e-6, "{amount}");
    assert_eq!(lines.next(), None);

    // The chart, in both formats.
    let png = fs::read(out.join("cost.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "cost.png is a PNG");
    let svg = fs::read_to_string(out.join("cost.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"));
}

#[test]
fn unknown_sku_exits_2_with_a_close_match_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "model.toml", &model("aws.ec2.m7i.larg", ""));
    let s = write(dir.path(), "s.toml", HOUR);
    let o = run(&m, &s, &dir.path().join("o"), &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    // `sku = ...` is on line 10 of the model.
    assert!(err.contains("model.toml:10:"), "{err}");
    assert!(err.contains("components.api.sku"), "{err}");
    assert!(err.contains(&format!("`{SKU}`")), "{err}");
    assert!(!dir.path().join("o").exists(), "nothing is written");

    // Also in [[costs]], and with `capsim validate`.
    let m = write(
        dir.path(),
        "model2.toml",
        &model(
            SKU,
            "\n[[costs]]\nname = \"monitoring\"\nsku = \"aws.alb.hours\"\n",
        ),
    );
    let o = capsim().arg("validate").arg(&m).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("costs[0].sku") || err.contains("costs.0.sku"),
        "{err}"
    );
    assert!(err.contains("`aws.alb.hour`"), "{err}");
}

#[test]
fn pricing_flag_overrides_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.toml", &model(SKU, ""));
    let s = write(dir.path(), "s.toml", HOUR);
    let prices = write(
        dir.path(),
        "prices.toml",
        &format!("[[sku]]\nid = \"{SKU}\"\nprice = 1.5\n"),
    );
    let out = dir.path().join("o");
    let o = run(&m, &s, &out, &["--pricing", prices.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = summary(&out);
    assert_eq!(
        v["cost"]["monthly"]["total_usd"].as_f64().unwrap(),
        3.0 * 1.5 * 730.0
    );
    assert_ne!(hourly_price(SKU), 1.5);

    // A CSV pricing file may define a new SKU the model names.
    let m = write(dir.path(), "m2.toml", &model("my.vm", ""));
    let prices = write(dir.path(), "prices.csv", "id,price,unit\nmy.vm,0.25,hour\n");
    let out = dir.path().join("o2");
    let o = run(&m, &s, &out, &["--pricing", prices.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        summary(&out)["cost"]["monthly"]["total_usd"]
            .as_f64()
            .unwrap(),
        3.0 * 0.25 * 730.0
    );

    // A missing pricing file is bad input.
    let o = run(
        &m,
        &s,
        &dir.path().join("o3"),
        &["--pricing", "/nonexistent/p.toml"],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn costs_items_discounts_inline_pricing_and_users() {
    let dir = tempfile::tempdir().unwrap();
    let extra = r#"discount = { type = "reserved", percent = 50 }

[[costs]]
name = "monitoring"
sku = "my.plan"
quantity = 2

[[costs]]
name = "egress"
sku = "my.egress"
usage = "egress"

[[costs]]
name = "api_calls"
sku = "my.requests"
usage = "requests"

[pricing]
sku = [
  { id = "my.plan", price = 73, unit = "month" },
  { id = "my.egress", price = 0.1, unit = "gb" },
  { id = "my.requests", price = 2, unit = "million_requests" },
]
"#;
    let m = write(dir.path(), "m.toml", &model(SKU, extra));
    let s = write(
        dir.path(),
        "s.toml",
        "duration = \"1h\"\nseed = 2\ninterval = \"10m\"\n[workload]\ntype = \"open\"\nunit = \"users\"\nrate = 1000\nrequests_per_user = \"6/min\"\n",
    );
    let out = dir.path().join("o");
    let o = capsim()
        .arg("run")
        .arg(&m)
        .arg("--scenario")
        .arg(&s)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("cost       $"), "{stdout}");
    assert!(stdout.contains("per 1,000 requests"), "{stdout}");
    let v = summary(&out);
    let cost = &v["cost"];
    let price = hourly_price(SKU);
    let by = &cost["by_component"];
    let api = by["api"]["monthly_usd"].as_f64().unwrap();
    assert!((api - 3.0 * price * 0.5 * 730.0).abs() < 1e-9, "{api}");
    // 2 x $73 per 730 h month, prorated over 1 h, projected back to the month.
    let monitoring = by["monitoring"]["monthly_usd"].as_f64().unwrap();
    assert!((monitoring - 146.0).abs() < 1e-9, "{monitoring}");
    // Egress: completed x 10,000 bytes at $0.1/GB; requests at $2 per million.
    let completed = v["requests"]["completed"].as_f64().unwrap();
    let total = v["requests"]["total"].as_f64().unwrap();
    let egress = by["egress"]["simulated_usd"].as_f64().unwrap();
    assert!(
        (egress - completed * 1e4 / 1e9 * 0.1).abs() < 1e-6,
        "{egress}"
    );
    let calls = by["api_calls"]["simulated_usd"].as_f64().unwrap();
    assert!((calls - total / 1e6 * 2.0).abs() < 1e-9, "{calls}");
    // 1000 users (6 requests a minute each = 100/s), give or take Poisson noise.
    let users = cost["users"].as_u64().unwrap();
    assert!((900..1100).contains(&users), "{users}");
    assert!(cost["cost_per_user_month_usd"].as_f64().unwrap() > 0.0);
    let csv = fs::read_to_string(out.join("cost.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
}

#[test]
fn models_without_skus_have_no_cost_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(
        dir.path(),
        "s.toml",
        "duration = \"10s\"\nseed = 1\n[workload]\ntype = \"open\"\nrate = 50\n",
    );
    let out = dir.path().join("o");
    // The M/M/c example without its SKU line.
    let text: String = fs::read_to_string(repo("models/examples/mmc.toml"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("sku"))
        .map(|l| format!("{l}\n"))
        .collect();
    let m = write(dir.path(), "m.toml", &text);
    let o = run(&m, &s, &out, &[]);
    assert!(o.status.success());
    assert!(summary(&out).get("cost").is_none());
    for f in ["cost.csv", "cost.png", "cost.svg"] {
        assert!(!out.join(f).exists(), "{f}");
    }
}

#[test]
fn web_stack_example_prints_a_bill() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(
        dir.path(),
        "s.toml",
        "duration = \"60s\"\nwarmup = \"5s\"\nseed = 3\n[workload]\ntype = \"open\"\nrate = 200\n",
    );
    let out = dir.path().join("o");
    let o = capsim()
        .arg("run")
        .arg(repo("models/examples/web-stack.toml"))
        .arg("--scenario")
        .arg(&s)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("/month (simulated 1 min scaled to 730 h"),
        "{stdout}"
    );
    let v = summary(&out);
    for c in ["cdn", "api", "cache", "db", "emails"] {
        assert!(
            v["cost"]["by_component"][c]["monthly_usd"]
                .as_f64()
                .unwrap()
                > 0.0,
            "{c}"
        );
    }
    // Same inputs, same cost bytes.
    let out2 = dir.path().join("o2");
    let o = run(&repo("models/examples/web-stack.toml"), &s, &out2, &[]);
    assert!(o.status.success());
    for f in ["cost.csv", "cost.png", "cost.svg"] {
        assert_eq!(
            fs::read(out.join(f)).unwrap(),
            fs::read(out2.join(f)).unwrap(),
            "{f}"
        );
    }
}

/// Autoscaled replicas are billed for the time they actually lived: each
/// replica from its creation to its stop, per second with EC2's 60 s
/// minimum, projected to 730 h.
#[test]
fn autoscaled_replicas_are_billed_from_the_simulated_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let model_text = fs::read_to_string(repo("models/examples/autoscaled-api.toml"))
        .unwrap()
        .replace(
            "sku = \"aws.fargate.x86.vcpu\"",
            &format!("sku = \"{SKU}\""),
        );
    let m = write(dir.path(), "m.toml", &model_text);
    let (sys, sc) = capsim::run::load_inputs(&m, &repo("scenarios/examples/step-5x.toml")).unwrap();
    let r = capsim::stack::simulate(&sys, &sc, sc.seed, 0);
    let bill = capsim::cost::bill(&sys, &sc, &r)
        .unwrap()
        .expect("a SKU is named");
    let lives = &r.replica_lifetimes["api"];
    assert!(lives.len() > 2, "the HPA added replicas: {lives:?}");
    let billed_s: f64 = lives
        .iter()
        .map(|&(a, b)| {
            let secs = (b - a).div_ceil(1_000_000_000);
            if secs == 0 {
                0.0
            } else {
                secs.max(60) as f64
            }
        })
        .sum();
    let span_h = sc.duration_ns as f64 / 3.6e12;
    let expected = billed_s / 3600.0 * hourly_price(SKU) * 730.0 / span_h;
    let got = bill.monthly.total_usd;
    assert!(
        (got - expected).abs() <= 1e-9 * expected,
        "billed {got}, expected {expected}"
    );
    // More than the starting two replicas all month, less than the peak all month.
    let two = 2.0 * hourly_price(SKU) * 730.0;
    let peak = r.components["api"].replicas_max.unwrap() as f64 * hourly_price(SKU) * 730.0;
    assert!(got > two && got < peak, "{two} < {got} < {peak}");
}

/// The AI Mate guide's 100K-user cost breakdown, line by line, against the
/// bill of `models/ai-mate.toml` (its Scale stage, 100K users) on
/// `scenarios/ai-mate-scale.toml`. Each guide line maps to components or
/// `[[costs]]` items of the model; the verdicts are what the simulation
/// says (see docs/results/ai-mate.md for why).
#[test]
fn ai_mate_100k_breakdown_line_by_line() {
    let (sys, sc) = capsim::run::load_inputs(
        &repo("models/ai-mate.toml"),
        &repo("scenarios/ai-mate-scale.toml"),
    )
    .unwrap();
    let r = capsim::stack::simulate(&sys, &sc, sc.seed, 0);
    let bill = capsim::cost::bill(&sys, &sc, &r)
        .unwrap()
        .expect("ai-mate names SKUs");
    let line = |names: &[&str]| -> f64 {
        names
            .iter()
            .map(|n| bill.by_component.get(*n).map_or(0.0, |t| t.monthly_usd))
            .sum()
    };
    // (guide line, low, high, model parts, verdict)
    let table: [(&str, f64, f64, &[&str], &str); 6] = [
        (
            "Compute (10 instances)",
            500.0,
            800.0,
            &["api", "load_balancer"],
            "below",
        ),
        ("Database (PostgreSQL)", 200.0, 400.0, &["db"], "below"),
        ("Redis Cluster", 150.0, 300.0, &["cache"], "below"),
        ("CDN (Cloudflare)", 0.0, 50.0, &["cdn"], "within"),
        ("Monitoring", 50.0, 100.0, &["monitoring"], "within"),
        ("Storage", 20.0, 50.0, &["storage"], "within"),
    ];
    for (name, low, high, parts, verdict) in table {
        let usd = line(parts);
        let got = if usd < low {
            "below"
        } else if usd > high {
            "above"
        } else {
            "within"
        };
        assert_eq!(got, verdict, "{name}: ${usd:.2} against ${low}-{high}");
    }
    // The fixed lines are exactly the catalog's prices.
    // The model's catalog: the shipped one plus its own [[pricing.sku]] entries.
    let price = |id: &str| sys.cost.catalog.get(id).unwrap().price_usd;
    assert_eq!(line(&["cache"]), price("upstash.redis.fixed.5gb"));
    assert_eq!(line(&["monitoring"]), price("azure.appinsights.30gb-month"));
    // Compute: the HPA ran 2-5 replicas for the traffic, not 10 around the clock.
    let ten = 10.0 * 730.0 * price("azure.vm.standard-d2s-v5");
    assert!(line(&["api"]) < ten / 2.0, "{} vs {ten}", line(&["api"]));
}
