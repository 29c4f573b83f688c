//! `[[assumptions]]` in the outputs: report.md, report.html and stages.md list
//! a model's assumptions (and a model without any gets no such section), and
//! every assumption of the seed models names the value the model really uses.

use crate::support::{capsim, repo, run_cli, write};

use std::fs;

const SCENARIO: &str = r#"
name = "short"
duration = "20s"
warmup = "2s"
seed = 5
interval = "5s"
[workload]
type = "open"
rate = 50
"#;

/// One service; `extra` is appended (assumptions, stages).
fn model(extra: &str) -> String {
    format!(
        r#"
name = "tiny"
[[classes]]
name = "get"
share = 1.0
entry = "api"

[components.api]
kind = "service"
replicas = 2
cores = 1

[components.api.handlers.default]
cpu = "5ms"
{extra}
"#
    )
}

const ASSUMED: &str = r#"
[[assumptions]]
key = "components.api.handlers.default.cpu"
value = "5ms"
why = "no profile of the handler exists"
source = "a guess for the test"

[[assumptions]]
key = "components.api.replicas"
value = 2
why = "the smallest pool that survives one failure"

[stages.Big]
set = { "components.api.replicas" = 4 }
"#;

const NO_ASSUMPTIONS: &str = r#"
[stages.Big]
set = { "components.api.replicas" = 4 }
"#;

/// `capsim run` and `capsim stages` on the model; (report.md, report.html, stages.md).
fn outputs(extra: &str) -> (String, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = write(dir.path(), "model.toml", &model(extra));
    let sc = write(dir.path(), "short.toml", SCENARIO);
    let out = dir.path().join("run");
    let o = run_cli(&m, &sc, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let st = dir.path().join("stages");
    let o = capsim()
        .arg("stages")
        .arg(&m)
        .arg("--scenario")
        .arg(&sc)
        .arg("--out")
        .arg(&st)
        .output()
        .expect("capsim runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |p: std::path::PathBuf| {
        fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    (
        read(out.join("report.md")),
        read(out.join("report.html")),
        read(st.join("stages.md")),
    )
}

#[test]
fn assumptions_are_listed_in_report_and_stages() {
    let (md, html, stages) = outputs(ASSUMED);
    // report.md: the table under the Assumptions section, in file order.
    let section = md.find("## Assumptions").expect("Assumptions section");
    let table = md.find("### Assumed values").expect("Assumed values table");
    assert!(table > section, "{md}");
    assert!(md.contains("| key | value | why | source |"), "{md}");
    let first = md
        .find("| components.api.handlers.default.cpu | 5ms | no profile of the handler exists | a guess for the test |")
        .expect("first assumption row");
    let second = md
        .find("| components.api.replicas | 2 | the smallest pool that survives one failure |  |")
        .expect("second assumption row, empty source");
    assert!(first < second && first > table, "{md}");
    // report.html: the same table.
    assert!(html.contains("<h3>Assumed values</h3>"), "{html}");
    assert!(
        html.contains("<tr><th>key</th><th>value</th><th>why</th><th>source</th></tr>"),
        "{html}"
    );
    assert!(html.contains("<td>components.api.handlers.default.cpu</td><td>5ms</td><td>no profile of the handler exists</td><td>a guess for the test</td>"), "{html}");
    // stages.md: once, after the stage table; the stage sets an assumed key
    // (replicas = 4) and the list still shows the base model's value.
    assert_eq!(stages.matches("## Assumptions").count(), 1, "{stages}");
    let row = stages.find("| Big |").expect("stage row");
    let list = stages.find("## Assumptions").expect("assumptions");
    assert!(row < list, "{stages}");
    assert!(
        stages.contains(
            "| components.api.replicas | 2 | the smallest pool that survives one failure |  |"
        ),
        "{stages}"
    );
}

#[test]
fn no_assumptions_no_section() {
    let (md, html, stages) = outputs(NO_ASSUMPTIONS);
    // The run-method list (warm-up, scheduling...) stays; the table does not.
    assert!(md.contains("## Assumptions"), "{md}");
    assert!(!md.contains("Assumed values"), "{md}");
    assert!(!md.contains("| key | value | why | source |"), "{md}");
    assert!(!html.contains("Assumed values"), "{html}");
    assert!(!stages.contains("Assumptions"), "{stages}");
    assert!(stages.contains("| Big |"), "{stages}");
}

/// The value at a dotted key path (`classes[0].share`, `components.api.cpu`).
fn at<'a>(root: &'a toml::Value, key: &str) -> Option<&'a toml::Value> {
    let mut node = root;
    for seg in key.split('.') {
        let (name, idx) = match seg.split_once('[') {
            Some((n, rest)) => (n, Some(rest.trim_end_matches(']').parse::<usize>().ok()?)),
            None => (seg, None),
        };
        node = node.get(name)?;
        if let Some(i) = idx {
            node = node.get(i)?;
        }
    }
    Some(node)
}

/// The seed models keep each assumed value as text (`value = "0.30"`): that
/// text, read as TOML (or as a plain string, for durations and names), must be
/// the value the model has at `key`, so the list cannot drift from the model.
#[test]
fn seed_assumptions_match_the_model() {
    let models = [
        "seisoai",
        "ai-mate",
        "recete",
        "tikit",
        "credibility-analyzer",
    ];
    for m in models {
        let path = repo(&format!("models/{m}.toml"));
        let text = fs::read_to_string(&path).expect("seed model");
        let root: toml::Value = toml::from_str(&text).expect("seed model is TOML");
        let list = root
            .get("assumptions")
            .and_then(|a| a.as_array())
            .unwrap_or_else(|| panic!("{m}: no [[assumptions]]"));
        assert!(list.len() >= 10, "{m}: only {} assumptions", list.len());
        for a in list {
            let key = a["key"].as_str().expect("key is a string");
            let assumed = a["value"]
                .as_str()
                .expect("seed values are written as text");
            let actual = at(&root, key).unwrap_or_else(|| panic!("{m}: no value at `{key}`"));
            let parsed = toml::from_str::<toml::Table>(&format!("v = {assumed}"))
                .ok()
                .and_then(|mut t| t.remove("v"));
            let same = match (&parsed, actual) {
                (Some(v), _) if v == actual => true,
                (_, toml::Value::String(s)) => s == assumed,
                _ => false,
            };
            assert!(
                same,
                "{m}: `{key}` assumes {assumed}, the model has {actual}"
            );
        }
        let o = capsim()
            .arg("validate")
            .arg(&path)
            .output()
            .expect("capsim runs");
        assert!(
            o.status.success(),
            "{m}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
