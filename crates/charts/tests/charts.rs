//! Each chart function writes a valid PNG and SVG. Set `CAPSIM_CHART_DIR=/some/dir` to
//! keep the sample charts for a look; otherwise they go to a temporary directory.

use std::path::{Path, PathBuf};

use capsim_charts::{
    cdf_chart, line_chart, stacked_bar, Axis, Band, ChartError, LineChart, Marker, Series, Style,
};

fn out_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("CAPSIM_CHART_DIR") {
        Some(dir) => {
            std::fs::create_dir_all(&dir).unwrap();
            (None, PathBuf::from(dir))
        }
        None => {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().to_path_buf();
            (Some(tmp), path)
        }
    }
}

#[track_caller]
fn assert_valid(png: &Path, svg: &Path) {
    let bytes = std::fs::read(png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert!(
        bytes.len() > 5_000,
        "PNG of {} bytes is suspiciously small",
        bytes.len()
    );
    let text = std::fs::read_to_string(svg).unwrap();
    assert!(
        text.starts_with("<svg") || text.starts_with("<?xml"),
        "SVG start: {}",
        &text[..40.min(text.len())]
    );
    assert!(text.trim_end().ends_with("</svg>"));
    assert!(text.contains("<text"), "SVG has no text");
    assert!(!png.with_extension("png.tmp").exists());
}

#[test]
fn stacked_bar_cost_breakdown() {
    let (_keep, dir) = out_dir();
    let (png, svg) = (dir.join("cost_by_stage.png"), dir.join("cost_by_stage.svg"));
    let stages = [
        "MVP (0-1K)",
        "Growth (1K-10K)",
        "Scale (10K-100K)",
        "Large (100K-1M)",
        "Enterprise (1M+)",
    ];
    let series: Vec<(&str, Vec<f64>)> = vec![
        ("compute", vec![5.0, 70.08, 700.8, 2803.2, 8409.6]),
        ("database", vec![0.0, 24.82, 24.82, 540.0, 1460.0]),
        ("redis", vec![0.0, 10.0, 100.0, 400.0, 800.0]),
        ("cdn", vec![0.0, 0.0, 0.0, 200.0, 250.0]),
        ("monitoring", vec![0.0, 0.0, 69.0, 230.0, 690.0]),
        ("storage", vec![0.0, 5.0, 29.44, 115.0, 460.0]),
        ("free-tier credit", vec![-5.0, 0.0, 0.0, 0.0, 0.0]),
    ];
    stacked_bar(
        &png,
        &svg,
        "AI Mate: monthly cost by stage",
        &stages,
        &series,
        "USD / month",
    )
    .unwrap();
    assert_valid(&png, &svg);
}

#[test]
fn line_chart_with_second_axis_markers_and_bands() {
    let (_keep, dir) = out_dir();
    let (png, svg) = (dir.join("latency.png"), dir.join("latency.svg"));
    let minutes: Vec<f64> = (0..=120).map(f64::from).collect();
    let rate: Vec<(f64, f64)> = minutes
        .iter()
        .map(|&m| (m, 100.0 + 900.0 * (-((m - 60.0) / 20.0).powi(2)).exp()))
        .collect();
    let p95: Vec<(f64, f64)> = rate.iter().map(|&(m, r)| (m, 80.0 + r * 0.25)).collect();
    let p50: Vec<(f64, f64)> = rate.iter().map(|&(m, r)| (m, 40.0 + r * 0.08)).collect();
    let replicas: Vec<(f64, f64)> = minutes
        .iter()
        .map(|&m| {
            (
                m,
                if (42.0..95.0).contains(&m) {
                    6.0
                } else if (35.0..110.0).contains(&m) {
                    4.0
                } else {
                    2.0
                },
            )
        })
        .collect();
    let ci: Vec<(f64, f64, f64)> = p95.iter().map(|&(m, v)| (m, v * 0.9, v * 1.1)).collect();
    let mut chart = LineChart::new(
        "Black Friday: latency and replicas",
        "time (min)",
        "latency (ms)",
    );
    chart.y2_label = Some("replicas");
    chart.series = vec![
        Series::line("p50 latency", &p50, Axis::Left),
        Series::line("p95 latency", &p95, Axis::Left),
        Series::line("api replicas", &replicas, Axis::Right),
    ];
    chart.bands = vec![Band {
        name: "p95 95% CI",
        points: &ci,
        series: Some(1),
    }];
    chart.markers = vec![
        Marker {
            x: 35.0,
            label: "api 2→4",
        },
        Marker {
            x: 42.0,
            label: "api 4→6",
        },
        Marker {
            x: 95.0,
            label: "api 6→4",
        },
        Marker {
            x: 110.0,
            label: "api 4→2",
        },
    ];
    line_chart(&png, &svg, &chart).unwrap();
    assert_valid(&png, &svg);

    // A plain chart: one series, no second axis, no markers.
    let (png, svg) = (dir.join("plain.png"), dir.join("plain.svg"));
    let mut plain = LineChart::new("Offered load", "time (s)", "requests / s");
    plain.series = vec![Series::line("offered", &rate, Axis::Left)];
    line_chart(&png, &svg, &plain).unwrap();
    assert_valid(&png, &svg);
}

#[test]
fn cdf_of_latencies() {
    let (_keep, dir) = out_dir();
    let (png, svg) = (dir.join("latency_cdf.png"), dir.join("latency_cdf.svg"));
    // Deterministic pseudo-samples: exponential-ish via a fixed LCG.
    let mut state: u64 = 42;
    let mut draw = |scale: f64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        -scale * u.ln()
    };
    let round_robin: Vec<f64> = (0..20_000).map(|_| 20.0 + draw(60.0)).collect();
    let least_conn: Vec<f64> = (0..20_000).map(|_| 20.0 + draw(40.0)).collect();
    cdf_chart(
        &png,
        &svg,
        "Latency CDF",
        "latency (ms)",
        &[("round robin", round_robin), ("least_conn", least_conn)],
    )
    .unwrap();
    assert_valid(&png, &svg);
}

#[test]
fn bad_data_is_an_error_not_a_panic() {
    let (_keep, dir) = out_dir();
    let (png, svg) = (dir.join("bad.png"), dir.join("bad.svg"));
    let _ = (std::fs::remove_file(&png), std::fs::remove_file(&svg));
    let empty: [&str; 0] = [];
    let no_series: [(&str, Vec<f64>); 0] = [];
    let cases = [
        stacked_bar(&png, &svg, "t", &empty, &[("a", vec![1.0])], "y"),
        stacked_bar(&png, &svg, "t", &["a"], &no_series, "y"),
        stacked_bar(&png, &svg, "t", &["a", "b"], &[("s", vec![1.0])], "y"),
        stacked_bar(&png, &svg, "t", &["a"], &[("s", vec![f64::NAN])], "y"),
        stacked_bar(&png, &svg, "t", &["a"], &[("s", vec![1e300])], "y"),
        line_chart(&png, &svg, &LineChart::new("t", "x", "y")),
        cdf_chart(&png, &svg, "t", "x", &[("s", Vec::<f64>::new())]),
        cdf_chart(&png, &svg, "t", "x", &[("s", vec![1.0, f64::INFINITY])]),
    ];
    for result in cases {
        assert!(matches!(result, Err(ChartError::Data { .. })), "{result:?}");
    }
    let points = [(0.0, 1.0)];
    let mut chart = LineChart::new("t", "x", "y");
    chart.series = vec![Series::line("s", &points, Axis::Left)];
    chart.bands = vec![Band {
        name: "b",
        points: &[],
        series: Some(3),
    }];
    assert!(matches!(
        line_chart(&png, &svg, &chart),
        Err(ChartError::Data { .. })
    ));
    assert!(!png.exists() && !svg.exists());

    // Degenerate but valid data still draws: one point, all-zero bars.
    chart.bands = vec![Band {
        name: "empty band",
        points: &[],
        series: None,
    }];
    chart.markers = vec![Marker { x: 0.0, label: "" }];
    chart.size = capsim_charts::ChartSize {
        width: 0,
        height: u32::MAX,
    };
    line_chart(&png, &svg, &chart).unwrap();
    let many: Vec<String> = (0..1000).map(|i| format!("c{i}")).collect();
    let values: Vec<f64> = (0..1000).map(f64::from).collect();
    stacked_bar(
        &png,
        &svg,
        "many <&> categories",
        &many,
        &[("s", values)],
        "y",
    )
    .unwrap();
    assert!(std::fs::read_to_string(&svg)
        .unwrap()
        .contains("many &lt;&amp;&gt; categories"));
    stacked_bar(&png, &svg, "zeros", &["a"], &[("s", vec![0.0])], "y").unwrap();
    let missing = dir.join("no/such/dir/x.png");
    assert!(matches!(
        stacked_bar(&missing, &svg, "t", &["a"], &[("s", vec![1.0])], "y"),
        Err(ChartError::Io { .. })
    ));
}

#[test]
fn output_is_deterministic() {
    let (_keep, dir) = out_dir();
    let run = |name: &str| {
        let (png, svg) = (
            dir.join(format!("{name}.png")),
            dir.join(format!("{name}.svg")),
        );
        stacked_bar(
            &png,
            &svg,
            "same",
            &["a", "b"],
            &[("x", vec![1.0, 2.0]), ("y", vec![3.0, 0.5])],
            "USD",
        )
        .unwrap();
        (std::fs::read(png).unwrap(), std::fs::read(svg).unwrap())
    };
    assert_eq!(run("det1"), run("det2"));
}

/// The shapes real models produce: 47 cost items over five stages, long and
/// colliding category names, points that are separate configurations, and
/// replicated sweep points with intervals. Each still draws (look at them with
/// `CAPSIM_CHART_DIR`); the grouping and wrapping rules are unit-tested in the crate.
#[test]
fn real_model_shapes_draw() {
    let (_keep, dir) = out_dir();
    let stages = ["MVP", "Growth", "Scale", "Global", "Enterprise"];
    let series: Vec<(String, Vec<f64>)> = (0..47)
        .map(|i| {
            let f = (i % 7 + 1) as f64;
            (
                format!("component_{i}@region-{}", i % 11),
                vec![0.5 * f, 2.0 * f, 9.0 * f, 80.0 * f, 300.0 * f],
            )
        })
        .collect();
    let (png, svg) = (dir.join("many_items.png"), dir.join("many_items.svg"));
    stacked_bar(&png, &svg, "47 items", &stages, &series, "USD per month").unwrap();
    assert_valid(&png, &svg);
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.contains("other (36 items)"), "small items grouped");

    let names = [
        "cdn",
        "api",
        "supabase_plan",
        "supabase_compute_credit",
        "load_balancer",
        "egress",
        "cache",
        "jobs",
        "db",
    ];
    let values: Vec<f64> = (0..names.len()).map(|i| 10.0 + i as f64).collect();
    let (png, svg) = (dir.join("long_labels.png"), dir.join("long_labels.svg"));
    stacked_bar(&png, &svg, "long labels", &names, &[("sku", values)], "USD").unwrap();
    assert_valid(&png, &svg);

    let frontier = [(100.0, 400.0), (150.0, 180.0), (230.0, 90.0), (400.0, 70.0)];
    let feasible = [(230.0, 90.0), (400.0, 70.0), (300.0, 85.0)];
    let chosen = [(230.0, 90.0)];
    let mut chart = LineChart::new("frontier", "USD per month", "p95 latency (ms)");
    chart.series = vec![
        Series::line("Pareto frontier", &frontier, Axis::Left).styled(Style::Points),
        Series::line("feasible", &feasible, Axis::Left).styled(Style::Points),
        Series::line("chosen", &chosen, Axis::Left).styled(Style::Highlight),
    ];
    let (png, svg) = (dir.join("frontier.png"), dir.join("frontier.svg"));
    line_chart(&png, &svg, &chart).unwrap();
    assert_valid(&png, &svg);

    let a = [(2.0, 300.0), (4.0, 120.0), (6.0, 80.0)];
    let b = [(2.0, 250.0), (4.0, 100.0), (6.0, 70.0)];
    let ci_a = [(2.0, 280.0, 320.0), (4.0, 110.0, 130.0), (6.0, 75.0, 85.0)];
    let cost = [(2.0, 50.0), (4.0, 100.0), (6.0, 150.0)];
    let mut chart = LineChart::new("sweep", "api.replicas", "p95 latency (ms)");
    chart.y2_label = Some("USD per month");
    chart.series = vec![
        Series::line("p95 (pool=10)", &a, Axis::Left).styled(Style::LinePoints),
        Series::line("p95 (pool=20)", &b, Axis::Left).styled(Style::LinePoints),
        Series::line("cost (pool=10)", &cost, Axis::Right)
            .styled(Style::DashedPoints)
            .colored(0),
    ];
    chart.error_bars = vec![Band {
        name: "95% CI",
        points: &ci_a,
        series: Some(0),
    }];
    let (png, svg) = (dir.join("sweep.png"), dir.join("sweep.svg"));
    line_chart(&png, &svg, &chart).unwrap();
    assert_valid(&png, &svg);

    // An error bar naming a series that does not exist is bad data.
    chart.error_bars[0].series = Some(9);
    assert!(matches!(
        line_chart(&png, &svg, &chart),
        Err(ChartError::Data { .. })
    ));
}
