//! Model stages: named overlays of a model (`[stages.MVP]`, `[stages.Growth]`...), and
//! `capsim stages`, which runs every stage and tabulates latency, errors and the
//! monthly bill against the figures the stage documents.
//!
//! A stage table holds documentation (`users`, `cost_range`, `targets`, `description`),
//! an optional default `scenario` (a path relative to the model file; a path that does
//! not exist there is tried relative to the working directory) and the overlay itself:
//!
//! ```toml
//! [stages.Growth]
//! users = 10000
//! cost_range = [100, 300]
//! targets = { p95 = "200ms", error_rate = 0.01 }
//! scenario = "../scenarios/ai-mate-growth.toml"
//! unset = ["components.api.autoscale"]
//! set = { "components.api.replicas" = 2, "components.db.read_replicas" = 0 }
//! ```
//!
//! `set` keys are dotted paths into the model (quoted, so TOML keeps them whole); each
//! replaces the value at its path, creating missing tables. A segment that is a number
//! indexes an array (`"costs.0.quantity"`). `unset` removes keys first. The overlaid
//! table then goes through the same resolution as any model file, with errors located
//! by key path in the model file and prefixed with the stage's name. The base model
//! (without stages) loads exactly as before: `load_model` ignores `[stages]`.

use crate::experiment::pipeline;
use crate::input::locate::KeyPath;
use crate::input::model::raw::RawModel;
use crate::input::model::resolve::resolve_model;
use crate::input::model::{Assumption, ComponentKind, System};
use crate::input::overlay::{set_path, unset_path};
use crate::input::scenario::{load_scenario, Scenario};
use crate::input::units::Duration;
use crate::input::{InputError, InputErrors, SourceFile};
use crate::metrics::RunResult;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The stage table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    description: Option<String>,
    users: Option<u64>,
    cost_range: Option<[f64; 2]>,
    targets: Option<RawTargets>,
    scenario: Option<String>,
    #[serde(default)]
    unset: Vec<String>,
    #[serde(default)]
    set: toml::Table,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    p50: Option<Duration>,
    p95: Option<Duration>,
    p99: Option<Duration>,
    error_rate: Option<f64>,
}

/// A stage's documented targets, in milliseconds and fractions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Targets {
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub error_rate: Option<f64>,
}

/// One stage of a model, resolved into a [`System`].
#[derive(Clone, Debug)]
pub struct Stage {
    pub name: String,
    pub description: Option<String>,
    pub users: Option<u64>,
    pub cost_range: Option<(f64, f64)>,
    pub targets: Targets,
    /// The stage's default scenario, resolved to a path.
    pub scenario: Option<PathBuf>,
    pub system: System,
}

/// Reads a model file and resolves each of its stages. Problems of all stages are
/// reported together.
pub fn load_stages(model: &Path) -> Result<Vec<Stage>, InputErrors> {
    let src = SourceFile::read(model)?;
    let mut table: toml::Table = src.deserialize()?;
    let stages =
        match table.remove("stages") {
            Some(toml::Value::Table(t)) if !t.is_empty() => t,
            Some(toml::Value::Table(_)) | None => return Err(InputError::new(
                model,
                "the model has no stages: add `[stages.NAME]` tables (see `capsim stages --help`)",
            )
            .into()),
            Some(other) => {
                return Err(src
                    .error_at(
                        &KeyPath::root().at("stages"),
                        format!("found {other}, expected a table of stages"),
                    )
                    .into())
            }
        };
    let base_dir = model.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut out = Vec::new();
    let mut errors = InputErrors::default();
    for (name, value) in stages {
        let at = KeyPath::root().at("stages").at(name.as_str());
        let toml::Value::Table(stage_table) = value else {
            errors.push(src.error_at(&at, format!("found {value}, expected a stage table")));
            continue;
        };
        let raw: RawStage = match src.deserialize_part(&at, stage_table) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match stage(&src, &table, &base_dir, &name, &at, raw) {
            Ok(s) => out.push(s),
            Err(es) => errors.0.extend(es.0),
        }
    }
    errors.into_result(out)
}

/// Applies one stage to the base model table and resolves it.
fn stage(
    src: &SourceFile,
    base: &toml::Table,
    base_dir: &Path,
    name: &str,
    at: &KeyPath,
    raw: RawStage,
) -> Result<Stage, InputErrors> {
    let mut errors = InputErrors::default();
    let mut table = base.clone();
    for (i, path) in raw.unset.iter().enumerate() {
        if let Err(m) = unset_path(&mut table, path) {
            errors.push(src.error_at(&at.at("unset").at(i), m));
        }
    }
    for (path, value) in &raw.set {
        if let Err(m) = set_path(&mut table, path, value.clone()) {
            errors.push(src.error_at(&at.at("set").at(path.as_str()), m));
        }
    }
    if let Some([lo, hi]) = raw.cost_range {
        if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi) {
            errors.push(src.error_at(
                &at.at("cost_range"),
                format!("found [{lo}, {hi}], expected [low, high] with 0 <= low <= high"),
            ));
        }
    }
    let targets = raw.targets.unwrap_or_default();
    if let Some(e) = targets.error_rate {
        if !(0.0..=1.0).contains(&e) {
            errors.push(src.error_at(
                &at.at("targets").at("error_rate"),
                format!("found {e}, expected a fraction between 0 and 1"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let prefix = |mut es: InputErrors| {
        for e in &mut es.0 {
            e.message = format!("stage `{name}`: {}", e.message);
        }
        es
    };
    let raw_model: RawModel = src
        .deserialize_part(&KeyPath::root(), table)
        .map_err(|e| prefix(e.into()))?;
    let system = resolve_model(src, raw_model).map_err(prefix)?;
    let ms = |d: Option<Duration>| d.map(|d| d.nanos() as f64 / 1e6);
    Ok(Stage {
        name: name.to_string(),
        description: raw.description,
        users: raw.users,
        cost_range: raw.cost_range.map(|[lo, hi]| (lo, hi)),
        targets: Targets {
            p50_ms: ms(targets.p50),
            p95_ms: ms(targets.p95),
            p99_ms: ms(targets.p99),
            error_rate: targets.error_rate,
        },
        scenario: raw.scenario.map(|s| {
            let beside = base_dir.join(&s);
            if beside.exists() {
                beside
            } else {
                PathBuf::from(s)
            }
        }),
        system,
    })
}

/// One row of the stage table.
#[derive(Clone, Debug)]
pub struct StageRow {
    pub stage: String,
    pub scenario: String,
    pub users: Option<u64>,
    pub replicas_min: Option<u32>,
    pub replicas_max: Option<u32>,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub error_rate: f64,
    pub completed: u64,
    pub saturated: bool,
    pub monthly_cost_usd: Option<f64>,
    /// Monthly cost by component (bill lines), for the chart.
    pub cost_by_component: Vec<(String, f64)>,
    pub cost_range: Option<(f64, f64)>,
    pub targets: Targets,
    /// Targets other than p95, as "p99 ok", "error_rate breached"...
    pub other_verdicts: Vec<String>,
}

impl StageRow {
    pub fn cost_verdict(&self) -> &'static str {
        match (self.monthly_cost_usd, self.cost_range) {
            (Some(c), Some((lo, _))) if c < lo => "below",
            (Some(c), Some((_, hi))) if c > hi => "above",
            (Some(_), Some(_)) => "within",
            _ => "",
        }
    }
    pub fn p95_verdict(&self) -> &'static str {
        match self.targets.p95_ms {
            Some(t) => verdict(self.completed > 0 && self.p95_ms <= t),
            None => "",
        }
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "breached"
    }
}

/// The replica range of the `api` service, or of the first service.
fn replicas(system: &System, result: &RunResult) -> (Option<u32>, Option<u32>) {
    let services: Vec<&str> = system
        .components
        .iter()
        .filter(|c| matches!(c.kind, ComponentKind::Service(_)))
        .map(|c| c.name.as_str())
        .collect();
    let name = services
        .iter()
        .find(|n| **n == "api")
        .or(services.first())
        .copied();
    match name.and_then(|n| result.components.get(n)) {
        Some(c) => (
            Some(c.replicas_min.unwrap_or(c.replicas)),
            Some(c.replicas_max.unwrap_or(c.replicas)),
        ),
        None => (None, None),
    }
}

/// Simulates one stage under a scenario and bills it.
pub fn run_stage(
    stage: &Stage,
    scenario: &Scenario,
    scenario_name: &str,
) -> Result<StageRow, String> {
    let result = pipeline::simulate_billed(&stage.system, scenario, scenario.seed, 0)
        .map_err(|m| format!("stage `{}`: {m}", stage.name))?;
    let bill = &result.cost;
    let (replicas_min, replicas_max) = replicas(&stage.system, &result);
    let l = &result.latency_ms;
    let completed = result.requests.completed;
    let mut other = Vec::new();
    let t = &stage.targets;
    if let Some(x) = t.p50_ms {
        other.push(format!(
            "p50 < {} ms {}",
            fmt_num(x),
            verdict(completed > 0 && l.p50 <= x)
        ));
    }
    if let Some(x) = t.p99_ms {
        other.push(format!(
            "p99 < {} ms {}",
            fmt_num(x),
            verdict(completed > 0 && l.p99 <= x)
        ));
    }
    if let Some(x) = t.error_rate {
        other.push(format!(
            "errors < {}% {}",
            fmt_num(x * 100.0),
            verdict(result.error_rate <= x)
        ));
    }
    Ok(StageRow {
        stage: stage.name.clone(),
        scenario: scenario_name.to_string(),
        users: stage.users,
        replicas_min,
        replicas_max,
        p50_ms: l.p50,
        p95_ms: l.p95,
        p99_ms: l.p99,
        error_rate: result.error_rate,
        completed,
        saturated: result.saturated,
        monthly_cost_usd: bill.as_ref().map(|b| b.monthly.total_usd),
        cost_by_component: bill
            .as_ref()
            .map(|b| {
                b.lines
                    .iter()
                    .map(|l| (l.component.clone(), l.monthly_usd))
                    .collect()
            })
            .unwrap_or_default(),
        cost_range: stage.cost_range,
        targets: stage.targets.clone(),
        other_verdicts: other,
    })
}

/// A number without float noise: at most 4 significant decimals, trailing zeros trimmed.
fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let s = if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// Milliseconds for people: one decimal.
fn ms1(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        String::new()
    }
}

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// `stages.csv`: one row per stage, in model order.
pub fn stages_csv(rows: &[StageRow]) -> String {
    let header = [
        "stage",
        "users",
        "replicas_min",
        "replicas_max",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "error_rate",
        "monthly_cost_usd",
        "cost_range_low",
        "cost_range_high",
        "cost_verdict",
        "p95_target_ms",
        "p95_verdict",
    ];
    let records = rows.iter().map(|r| {
        [
            r.stage.clone(),
            opt(r.users),
            opt(r.replicas_min),
            opt(r.replicas_max),
            fmt_num(r.p50_ms),
            fmt_num(r.p95_ms),
            fmt_num(r.p99_ms),
            format!("{:.6}", r.error_rate)
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string(),
            r.monthly_cost_usd
                .map(|c| format!("{c:.2}"))
                .unwrap_or_default(),
            r.cost_range.map(|c| fmt_num(c.0)).unwrap_or_default(),
            r.cost_range.map(|c| fmt_num(c.1)).unwrap_or_default(),
            r.cost_verdict().to_string(),
            r.targets.p95_ms.map(fmt_num).unwrap_or_default(),
            r.p95_verdict().to_string(),
        ]
    });
    crate::report::csv_out::csv_text(&header, records)
}

fn thousands(n: u64) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The Markdown table printed by `capsim stages` and written to `stages.md`.
/// After the table: the base model's `[[assumptions]]`, once (see
/// `crate::report::assumptions`).
pub fn stages_markdown(model: &str, rows: &[StageRow], assumptions: &[Assumption]) -> String {
    let mut s = format!("# Stages of `{model}`\n\n");
    s.push_str("| stage | scenario | users | replicas | p50 ms | p95 ms | p99 ms | errors | $/month | guide $/month | cost | p95 target | p95 | other targets |\n");
    s.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|\n");
    for r in rows {
        let replicas = match (r.replicas_min, r.replicas_max) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a}-{b}"),
            _ => String::new(),
        };
        let cost = r
            .monthly_cost_usd
            .map(|c| format!("{:.0}", c))
            .unwrap_or_default();
        let range = r
            .cost_range
            .map(|(lo, hi)| format!("{}-{}", fmt_num(lo), fmt_num(hi)))
            .unwrap_or_default();
        let mut p95 = ms1(r.p95_ms);
        if r.saturated {
            p95.push_str(" (saturated)");
        }
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {}% | {} | {} | {} | {} | {} | {} |\n",
            r.stage,
            r.scenario,
            r.users.map(thousands).unwrap_or_default(),
            replicas,
            ms1(r.p50_ms),
            p95,
            ms1(r.p99_ms),
            fmt_num(r.error_rate * 100.0),
            cost,
            range,
            r.cost_verdict(),
            r.targets
                .p95_ms
                .map(|t| format!("{} ms", fmt_num(t)))
                .unwrap_or_default(),
            r.p95_verdict(),
            r.other_verdicts.join(", "),
        ));
    }
    let list = crate::report::assumptions::blocks(
        assumptions,
        2,
        "Assumptions",
        crate::report::assumptions::STAGES_LEAD,
    );
    if !list.is_empty() {
        s.push('\n');
        s.push_str(&crate::report::document::markdown(&list));
    }
    s
}

/// Errors of `capsim stages`: bad input (exit 2) or an output that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum StagesError {
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
}

/// What `capsim stages` produced.
pub struct StagesOutcome {
    pub rows: Vec<StageRow>,
    pub markdown: String,
    pub out_dir: PathBuf,
}

/// `capsim stages MODEL [--scenario S] [--out DIR]`: runs every stage (its own
/// `scenario`, else `scenario`), writes `stages.md`, `stages.csv`, `stages.png` and
/// `stages.svg`. Stages run in parallel; results do not depend on it.
pub fn run_stages(
    model: &Path,
    scenario: Option<&Path>,
    out: Option<&Path>,
) -> Result<StagesOutcome, StagesError> {
    run_stages_with_progress(model, scenario, out, None)
}

/// Called with (stages done, stages planned, name of the stage that finished),
/// from the stages' threads in completion order; it cannot change results.
pub type StageProgress<'a> = &'a (dyn Fn(usize, usize, &str) + Sync);

/// [`run_stages`], reporting each finished stage to `progress`.
pub fn run_stages_with_progress(
    model: &Path,
    scenario: Option<&Path>,
    out: Option<&Path>,
    progress: Option<StageProgress>,
) -> Result<StagesOutcome, StagesError> {
    let stages = load_stages(model)?;
    let mut errors = InputErrors::default();
    let mut plans: Vec<(&Stage, Scenario, String)> = Vec::new();
    for st in &stages {
        let Some(path) = st.scenario.as_deref().or(scenario) else {
            errors.push(InputError::new(
                model,
                format!(
                    "stage `{}` has no `scenario`; give one with --scenario",
                    st.name
                ),
            ));
            continue;
        };
        match load_scenario(path) {
            Ok(sc) => {
                let name = sc.name.clone();
                plans.push((st, sc, name));
            }
            Err(es) => errors.0.extend(es.0),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    // On the rayon pool (as many threads as cores, not one per stage: a
    // model with thousands of stages used to start thousands of threads);
    // the indexed collect keeps stage order.
    use rayon::prelude::*;
    let planned = plans.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<StageRow, String>> = plans
        .par_iter()
        .map(|(st, sc, name)| {
            let row =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_stage(st, sc, name)))
                    .unwrap_or_else(|_| Err("a stage's simulation panicked".to_string()));
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(d, planned, &st.name);
            }
            row
        })
        .collect();
    let mut rows = Vec::new();
    for r in results {
        match r {
            Ok(row) => rows.push(row),
            Err(m) => errors.push(InputError::new(model, m)),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let stem = model
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    let out_dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{stem}-stages")));
    let write_err = |path: &Path, e: String| StagesError::Write {
        path: path.to_path_buf(),
        message: e,
    };
    std::fs::create_dir_all(&out_dir).map_err(|e| write_err(&out_dir, e.to_string()))?;
    let model_name = stages
        .first()
        .map(|s| s.system.name.clone())
        .unwrap_or(stem);
    // Every stage resolves the base model's `[[assumptions]]` unchanged (a
    // stage's `set` changes values, not the list), so the first stage's list
    // is the base model's.
    let assumptions = stages
        .first()
        .map(|s| s.system.assumptions.as_slice())
        .unwrap_or_default();
    let markdown = stages_markdown(&model_name, &rows, assumptions);
    for (file, text) in [("stages.md", &markdown), ("stages.csv", &stages_csv(&rows))] {
        let path = out_dir.join(file);
        crate::report::atomic::write(&path, text.as_bytes())
            .map_err(|e| write_err(&path, e.to_string()))?;
    }
    write_chart(&model_name, &rows, &out_dir)?;
    Ok(StagesOutcome {
        rows,
        markdown,
        out_dir,
    })
}

/// `stages.png` / `stages.svg`: monthly cost per stage, stacked by component. Skipped
/// when no stage has a bill.
fn write_chart(model: &str, rows: &[StageRow], out_dir: &Path) -> Result<(), StagesError> {
    if rows.iter().all(|r| r.monthly_cost_usd.is_none()) {
        return Ok(());
    }
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        for (c, _) in &r.cost_by_component {
            if !names.contains(c) {
                names.push(c.clone());
            }
        }
    }
    let series: Vec<(String, Vec<f64>)> = names
        .iter()
        .map(|n| {
            let values = rows
                .iter()
                .map(|r| {
                    r.cost_by_component
                        .iter()
                        .filter(|(c, _)| c == n)
                        .map(|(_, v)| *v)
                        .sum::<f64>()
                })
                .collect();
            (n.clone(), values)
        })
        .collect();
    let categories: Vec<&str> = rows.iter().map(|r| r.stage.as_str()).collect();
    let png = out_dir.join("stages.png");
    let svg = out_dir.join("stages.svg");
    capsim_charts::stacked_bar(
        &png,
        &svg,
        &format!("{model}: monthly cost per stage"),
        &categories,
        &series,
        "USD per month",
    )
    .map_err(|e| StagesError::Write {
        path: png.clone(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_trimmed() {
        assert_eq!(fmt_num(12.5), "12.5");
        assert_eq!(fmt_num(0.1 + 0.2), "0.3");
        assert_eq!(fmt_num(1234.56), "1234.6");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
