//! `capsim sweep` and `capsim merge`: a grid over model parameters, every point a
//! run (with replications), in parallel; `sweep.csv` and a chart of p95 and cost.
//!
//! Every point runs with the same base seed and replication indices, so points see
//! the same arrivals (common random numbers) and differences between points are the
//! parameters', not noise. Points and replications run on rayon's pool and are
//! collected in index order, so the outputs do not depend on the number of threads.
//!
//! `--shard K/N` runs the points with `index % N == K - 1` and writes
//! `sweep.part-K-of-N.json` (the grid and each point's CSV cells and full result);
//! [`merge`] combines the parts into the same `sweep.csv` as an unsharded run, byte
//! for byte, because each row's cells are formatted once, by the shard that ran it.

pub mod grid;
mod part;

pub use grid::{parse_set, Grid, GridDef, Param, MAX_RUNS};
pub use part::{merge, MergeError, MergeOutcome, PartFile, PointRecord};

use crate::experiment::pipeline;
use crate::experiment::run::RunError;
use crate::experiment::stats::estimate;
use crate::input::model::{ComponentKind, System};
use crate::input::overrides::ModelTemplate;
use crate::input::scenario::{load_scenario, Scenario};
use crate::input::{InputError, InputErrors};
use crate::metrics::RunResult;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A progress callback: (runs done, runs planned). Called from worker threads.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Everything a set of grid points is run from.
pub struct Runner {
    pub template: ModelTemplate,
    pub scenario: Scenario,
    pub seed: u64,
    pub replications: u32,
    pub grid: Grid,
    pub model_path: PathBuf,
    pub scenario_path: PathBuf,
}

impl Runner {
    /// Loads the model and scenario and checks every parameter path and the grid
    /// size. `flag` names the option in messages (`--set`, `--param`).
    pub fn new(
        model: &Path,
        scenario: &Path,
        pricing: Option<&Path>,
        seed: Option<u64>,
        replications: u32,
        params: Vec<Param>,
        flag: &str,
    ) -> Result<Runner, RunError> {
        let template = ModelTemplate::read(model, pricing);
        let sc = load_scenario(scenario);
        let (template, sc) = match (template, sc) {
            (Ok(t), Ok(s)) => (t, s),
            (Err(a), Err(b)) => {
                return Err(InputErrors(a.0.into_iter().chain(b.0).collect()).into())
            }
            (Err(a), _) | (_, Err(a)) => return Err(a.into()),
        };
        let mut seen: Vec<String> = Vec::new();
        for p in &params {
            let full = template
                .canonical_path(&p.path)
                .map_err(|m| RunError::Options(format!("{flag} {}: {m}", p.path)))?;
            if seen.contains(&full) {
                return Err(RunError::Options(format!(
                    "{flag} {}: the parameter is given twice",
                    p.path
                )));
            }
            seen.push(full);
        }
        let grid = Grid { params };
        grid.check_size(replications, flag)
            .map_err(RunError::Options)?;
        // The model as written, and with the first point's values, must resolve.
        let system = template.resolve(&grid.overrides(0))?;
        crate::input::scenario::check_events(&system, &sc)?;
        Ok(Runner {
            template,
            seed: seed.unwrap_or(sc.seed),
            scenario: sc,
            replications: replications.max(1),
            grid,
            model_path: model.to_path_buf(),
            scenario_path: scenario.to_path_buf(),
        })
    }

    /// The resolved model of point `index`.
    pub fn system(&self, index: usize) -> Result<System, InputErrors> {
        self.template.resolve(&self.grid.overrides(index))
    }

    /// Runs the points `indices` (every replication of each, billed) in parallel and
    /// maps each point's replications (in index order) with `f`. Results come back
    /// in the order of `indices`. A point whose model does not resolve is an input
    /// error, found before anything runs.
    pub fn run_points<T: Send>(
        &self,
        indices: &[usize],
        progress: Option<Progress>,
        f: &(dyn Fn(usize, &System, Vec<RunResult>) -> T + Sync),
    ) -> Result<Vec<T>, RunError> {
        let mut systems = Vec::with_capacity(indices.len());
        for &i in indices {
            systems.push(self.system(i)?);
        }
        let planned = indices.len() * self.replications as usize;
        let done = AtomicUsize::new(0);
        let results: Vec<Result<T, String>> = indices
            .par_iter()
            .zip(systems.par_iter())
            .map(|(&i, system)| {
                let runs: Vec<Result<RunResult, String>> = (0..u64::from(self.replications))
                    .into_par_iter()
                    .map(|rep| {
                        let r = pipeline::simulate_billed(system, &self.scenario, self.seed, rep)?;
                        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if let Some(p) = progress {
                            p(d, planned);
                        }
                        Ok(r)
                    })
                    .collect();
                let runs: Vec<RunResult> = runs.into_iter().collect::<Result<_, _>>()?;
                Ok(f(i, system, runs))
            })
            .collect();
        results
            .into_iter()
            .map(|r| r.map_err(|m| InputErrors::from(InputError::new(&self.model_path, m)).into()))
            .collect()
    }

    /// The grid's description for part files.
    pub fn def(&self) -> GridDef {
        self.grid.def(
            &self.model_path.display().to_string(),
            &self.scenario_path.display().to_string(),
            self.seed,
            self.replications,
        )
    }

    /// The CSV header: index, the parameters, then the figures (with their 95%
    /// half-widths when there are replications).
    pub fn columns(&self, services: &[String]) -> Vec<String> {
        let mut cols = vec!["index".to_string()];
        cols.extend(self.grid.params.iter().map(|p| p.path.clone()));
        cols.push("seed".into());
        cols.push("replications".into());
        for f in figure_names(services) {
            if self.replications > 1 {
                cols.push(f.clone());
                cols.push(format!("{f}_ci95"));
            } else {
                cols.push(f);
            }
        }
        cols
    }
}

/// Services of a model, in model order (their utilization goes in the CSV).
pub fn services(system: &System) -> Vec<String> {
    system
        .components
        .iter()
        .filter(|c| matches!(c.kind, ComponentKind::Service(_)))
        .map(|c| c.name.clone())
        .collect()
}

fn figure_names(services: &[String]) -> Vec<String> {
    let mut v: Vec<String> = [
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "error_rate",
        "throughput_rps",
        "monthly_cost_usd",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(services.iter().map(|s| format!("utilization_{s}")));
    v
}

/// The figures of one replication, in [`figure_names`] order, with the decimals
/// each is written with.
fn figures(r: &RunResult, services: &[String]) -> Vec<(Option<f64>, usize)> {
    let l = &r.latency_ms;
    let mut v = vec![
        (Some(l.p50), 3),
        (Some(l.p95), 3),
        (Some(l.p99), 3),
        (Some(r.error_rate), 6),
        (Some(r.throughput_rps), 3),
        (r.cost.as_ref().map(|b| b.monthly.total_usd), 2),
    ];
    for s in services {
        v.push((r.components.get(s.as_str()).map(|c| c.utilization), 4));
    }
    v
}

fn fixed(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let s = format!("{x:.decimals$}");
            // No "-0.000".
            if s.trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                s.trim_start_matches('-').to_string()
            } else {
                s
            }
        }
        _ => String::new(),
    }
}

/// The CSV cells after the parameters of one point: seed, replications, then each
/// figure (the mean over replications) and, with replications, its half-width.
pub fn cells(runs: &[RunResult], services: &[String], seed: u64) -> Vec<String> {
    let mut out = vec![seed.to_string(), runs.len().to_string()];
    let per_run: Vec<Vec<(Option<f64>, usize)>> =
        runs.iter().map(|r| figures(r, services)).collect();
    let nfig = per_run.first().map_or(0, Vec::len);
    for k in 0..nfig {
        let decimals = per_run[0][k].1;
        let values: Option<Vec<f64>> = per_run.iter().map(|f| f[k].0).collect();
        if runs.len() > 1 {
            match values.as_deref().and_then(estimate) {
                Some(e) => {
                    out.push(fixed(Some(e.mean), decimals));
                    out.push(fixed(Some(e.half_width), decimals));
                }
                None => {
                    out.push(String::new());
                    out.push(String::new());
                }
            }
        } else {
            out.push(fixed(values.and_then(|v| v.first().copied()), decimals));
        }
    }
    out
}

/// The full result of one point, as its `summary.json` would hold it.
pub fn full_result(runs: &[RunResult], system: &System, sc: &Scenario) -> serde_json::Value {
    // The points' models were billed per replication already, so billing the
    // mean cannot fail here; a failure would leave the mean unbilled.
    let Some(Ok(combined)) = pipeline::combine_billed(system, sc, runs) else {
        return serde_json::Value::Null;
    };
    let text = crate::report::run_summary_json(&combined.result, combined.stats.as_ref());
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

/// `sweep.csv` from the header and the rows (index order).
pub fn sweep_csv(columns: &[String], rows: &[PointRecord]) -> String {
    let mut s = columns
        .iter()
        .map(|c| csv_field(c))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    for r in rows {
        let mut fields = vec![r.index.to_string()];
        fields.extend(r.params.iter().map(|p| csv_field(p)));
        fields.extend(r.cells.iter().map(|c| csv_field(c)));
        s.push_str(&fields.join(","));
        s.push('\n');
    }
    s
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Options of `capsim sweep`.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    pub seed: Option<u64>,
    pub replications: u32,
    pub out: Option<PathBuf>,
    pub pricing: Option<PathBuf>,
    /// `(k, n)`, 1-based k.
    pub shard: Option<(usize, usize)>,
}

/// Parses `--shard K/N`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("found \"{s}\", expected K/N with 1 <= K <= N, such as 1/4");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n) = (
        k.trim().parse::<usize>().map_err(|_| bad())?,
        n.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// What `capsim sweep` wrote.
pub struct SweepOutcome {
    pub out_dir: PathBuf,
    /// Files written, relative to `out_dir`.
    pub files: Vec<String>,
    pub points: usize,
    pub runs: usize,
    pub notes: Vec<String>,
}

/// The default output folder of a sweep.
pub fn default_out_dir(model: &Path, scenario: &Path) -> PathBuf {
    let mut d = crate::experiment::run::default_out_dir(model, scenario).into_os_string();
    d.push("-sweep");
    PathBuf::from(d)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), RunError> {
    let path = dir.join(name);
    crate::report::atomic::write(&path, bytes).map_err(|source| RunError::Write { path, source })
}

/// `capsim sweep`: runs the grid (or one shard of it) and writes `sweep.csv` and the
/// chart, or `sweep.part-K-of-N.json`.
pub fn sweep(
    model: &Path,
    scenario: &Path,
    params: Vec<Param>,
    opts: &SweepOptions,
    progress: Option<Progress>,
) -> Result<SweepOutcome, RunError> {
    let runner = Runner::new(
        model,
        scenario,
        opts.pricing.as_deref(),
        opts.seed,
        opts.replications,
        params,
        "--set",
    )?;
    let services = services(&runner.system(0)?);
    let columns = runner.columns(&services);
    let indices: Vec<usize> = match opts.shard {
        Some((k, n)) => (0..runner.grid.len()).filter(|i| i % n == k - 1).collect(),
        None => (0..runner.grid.len()).collect(),
    };
    let keep_full = opts.shard.is_some();
    let sc = &runner.scenario;
    let seed = runner.seed;
    let records = runner.run_points(&indices, progress, &|i, system, runs| PointRecord {
        index: i,
        params: runner.grid.labels(i),
        cells: cells(&runs, &services, seed),
        result: if keep_full {
            full_result(&runs, system, sc)
        } else {
            serde_json::Value::Null
        },
    })?;
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(model, scenario));
    std::fs::create_dir_all(&out_dir).map_err(|source| RunError::Write {
        path: out_dir.clone(),
        source,
    })?;
    let runs = indices.len() * runner.replications as usize;
    if let Some((k, n)) = opts.shard {
        let part = PartFile::new(runner.def(), columns, (k, n), records);
        let name = part::part_name(k, n);
        write(&out_dir, &name, part.to_json().as_bytes())?;
        return Ok(SweepOutcome {
            out_dir,
            files: vec![name],
            points: indices.len(),
            runs,
            notes: Vec::new(),
        });
    }
    let def = runner.def();
    let (files, notes) = write_outputs(&out_dir, &def, &columns, &records)?;
    Ok(SweepOutcome {
        out_dir,
        files,
        points: indices.len(),
        runs,
        notes,
    })
}

/// Writes `sweep.csv`, `sweep.png` and `sweep.svg` (shared by sweep and merge).
pub(crate) fn write_outputs(
    out_dir: &Path,
    def: &GridDef,
    columns: &[String],
    records: &[PointRecord],
) -> Result<(Vec<String>, Vec<String>), RunError> {
    write(out_dir, "sweep.csv", sweep_csv(columns, records).as_bytes())?;
    let mut files = vec!["sweep.csv".to_string()];
    let mut notes = Vec::new();
    match chart(out_dir, def, columns, records) {
        Ok(true) => files.extend(["sweep.png".to_string(), "sweep.svg".to_string()]),
        Ok(false) => notes.push("no chart: no point has a p95 value to draw".into()),
        Err(m) => notes.push(format!("no chart: {m}")),
    }
    Ok((files, notes))
}

/// A named line of a chart and its axis.
/// `(x, low, high)` of the 95% intervals of one line's points.
type Whiskers = Vec<(f64, f64, f64)>;

/// The last field is the group (value of the second parameter): p95 and cost of one
/// group share a colour, p95 solid and cost dashed.
type ChartLine = (String, Vec<(f64, f64)>, capsim_charts::Axis, usize);

/// `sweep.png` / `sweep.svg`: p95 (left axis) and monthly cost (right axis) against
/// the first parameter, one line per value of the second. Further parameters are
/// held at their first value. `Ok(false)`: nothing to draw.
fn chart(
    out_dir: &Path,
    def: &GridDef,
    columns: &[String],
    records: &[PointRecord],
) -> Result<bool, String> {
    let Some(first) = def.params.first() else {
        return Ok(false);
    };
    let col = |name: &str| columns.iter().position(|c| c == name);
    let nparams = def.params.len();
    // Cells start after index and the parameters.
    let cell = |r: &PointRecord, c: Option<usize>| -> Option<f64> {
        let c = c?.checked_sub(1 + nparams)?;
        r.cells.get(c)?.parse::<f64>().ok()
    };
    let (p95_col, cost_col) = (col("p95_ms"), col("monthly_cost_usd"));
    let x_of = |label: &str| -> f64 {
        if first.values.iter().all(|v| grid::numeric(v).is_some()) {
            grid::numeric(label).unwrap_or(0.0)
        } else {
            first.values.iter().position(|v| v == label).unwrap_or(0) as f64
        }
    };
    let groups: Vec<Option<String>> = match def.params.get(1) {
        Some(p) => p.values.iter().cloned().map(Some).collect(),
        None => vec![None],
    };
    let held: Vec<&str> = def
        .params
        .iter()
        .skip(2)
        .map(|p| p.values.first().map_or("", String::as_str))
        .collect();
    let ci_col = col("p95_ms_ci95");
    let mut lines: Vec<ChartLine> = Vec::new();
    // Per p95 line: its index in `lines` and `(x, low, high)` of its 95% intervals.
    let mut whiskers: Vec<(usize, Whiskers)> = Vec::new();
    for (what, c, axis) in [
        ("p95", p95_col, capsim_charts::Axis::Left),
        ("cost", cost_col, capsim_charts::Axis::Right),
    ] {
        for (gi, g) in groups.iter().enumerate() {
            let rows: Vec<&PointRecord> = records
                .iter()
                .filter(|r| g.is_none() || r.params.get(1) == g.as_ref())
                .filter(|r| {
                    r.params
                        .iter()
                        .skip(2)
                        .map(String::as_str)
                        .eq(held.iter().copied())
                })
                .collect();
            let pts: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|r| Some((x_of(r.params.first()?), cell(r, c)?)))
                .collect();
            if pts.is_empty() {
                continue;
            }
            let name = match (g, def.params.get(1)) {
                (Some(v), Some(p)) => format!("{what} ({}={v})", p.path),
                _ => what.to_string(),
            };
            if what == "p95" {
                let bars: Vec<(f64, f64, f64)> = rows
                    .iter()
                    .filter_map(|r| {
                        let (x, m, h) = (x_of(r.params.first()?), cell(r, c)?, cell(r, ci_col)?);
                        Some((x, (m - h).max(0.0), m + h))
                    })
                    .collect();
                if !bars.is_empty() {
                    whiskers.push((lines.len(), bars));
                }
            }
            lines.push((name, pts, axis, gi));
        }
    }
    if !lines.iter().any(|l| l.2 == capsim_charts::Axis::Left) {
        return Ok(false);
    }
    let mut title = format!("sweep: p95 and monthly cost against {}", first.path);
    if !held.is_empty() {
        let rest: Vec<String> = def
            .params
            .iter()
            .skip(2)
            .map(|p| format!("{}={}", p.path, p.values.first().map_or("", String::as_str)))
            .collect();
        title.push_str(&format!(" ({})", rest.join(", ")));
    }
    let x_label = first.path.clone();
    let mut chart = capsim_charts::LineChart::new(&title, &x_label, "p95 latency (ms)");
    if lines.iter().any(|l| l.2 == capsim_charts::Axis::Right) {
        chart.y2_label = Some("USD per month");
    }
    chart.series = lines
        .iter()
        .map(|(name, pts, axis, group)| {
            let style = match axis {
                capsim_charts::Axis::Left => capsim_charts::Style::LinePoints,
                capsim_charts::Axis::Right => capsim_charts::Style::DashedPoints,
            };
            capsim_charts::Series::line(name, pts, *axis)
                .styled(style)
                .colored(*group)
        })
        .collect();
    chart.error_bars = whiskers
        .iter()
        .map(|(i, bars)| capsim_charts::Band {
            name: "p95 95% CI",
            points: bars,
            series: Some(*i),
        })
        .collect();
    capsim_charts::line_chart(
        &out_dir.join("sweep.png"),
        &out_dir.join("sweep.svg"),
        &chart,
    )
    .map_err(|e| e.to_string())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse() {
        assert_eq!(parse_shard("1/2"), Ok((1, 2)));
        assert_eq!(parse_shard(" 3 / 3 "), Ok((3, 3)));
        for bad in ["0/2", "3/2", "1", "a/b", "1/0"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fixed_decimals_without_negative_zero() {
        assert_eq!(fixed(Some(-0.0000001), 3), "0.000");
        assert_eq!(fixed(Some(1.23456), 2), "1.23");
        assert_eq!(fixed(None, 2), "");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
