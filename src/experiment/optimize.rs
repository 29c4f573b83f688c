//! `capsim optimize`: the cheapest configuration of a parameter grid that meets the
//! SLOs, found with far fewer runs than the full grid.
//!
//! **Assumption: capacity is monotone.** Every `--param` is a capacity knob (replicas,
//! cores, pool size, workers...): raising one never breaks an SLO that held, and never
//! lowers the cost. Then, for each combination of the other parameters (a "slice"),
//! the feasible values of the first parameter form an upper interval, and its
//! smallest feasible value is the slice's cheapest point: a binary search finds it
//! in about log2(n) runs instead of n. Slices are visited in increasing order, and a
//! slice's answer bounds the search in every slice that dominates it (more of every
//! other parameter never needs more of the first). The best slice answer wins;
//! ties go to the lower p95, then to the lower grid index.
//!
//! Every reported answer was run: an answer inherited from a bound but never run is
//! run before it is accepted; if it fails (the assumption does not hold for this
//! model) the search walks up from it and says so. A point is feasible when every
//! SLO passes; with replications, "too close to call" counts as infeasible.

use crate::experiment::run::RunError;
use crate::experiment::slo_expr::{from_model, judge, Metric, SloExpr, Status};
use crate::experiment::sweep::{grid, Param, Runner};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What is minimised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Objective {
    /// The monthly bill (needs SKUs in the model).
    #[default]
    MonthlyCost,
    /// The sum of the parameters' values (e.g. total replicas), for models without prices.
    Sum,
}

impl Objective {
    pub fn parse(s: &str) -> Result<Objective, String> {
        match s.trim() {
            "monthly_cost" | "cost" => Ok(Objective::MonthlyCost),
            "sum" => Ok(Objective::Sum),
            other => Err(format!(
                "found \"{other}\", expected monthly_cost (the bill; the model needs SKUs) or sum (the sum of the parameters' values)"
            )),
        }
    }
    pub fn column(self) -> &'static str {
        match self {
            Objective::MonthlyCost => "monthly_cost_usd",
            Objective::Sum => "sum_of_parameters",
        }
    }
}

/// Options of `capsim optimize`.
#[derive(Clone, Debug, Default)]
pub struct OptimizeOptions {
    /// `--slo` expressions (the model's `[slo]` is added).
    pub slos: Vec<SloExpr>,
    pub objective: Objective,
    pub seed: Option<u64>,
    pub replications: u32,
    pub out: Option<PathBuf>,
    pub pricing: Option<PathBuf>,
}

/// One evaluated grid point.
#[derive(Clone, Debug)]
pub struct Eval {
    pub index: usize,
    pub labels: Vec<String>,
    pub objective: Option<f64>,
    /// Mean p95 over replications, ms.
    pub p95_ms: Option<f64>,
    pub feasible: bool,
    /// The first SLO that did not pass, if any.
    pub why: Option<String>,
}

/// What `capsim optimize` found.
pub struct OptimizeOutcome {
    pub params: Vec<String>,
    pub objective: Objective,
    pub slos: Vec<SloExpr>,
    pub chosen: Option<Eval>,
    /// Every evaluated point, in grid order.
    pub evaluated: Vec<Eval>,
    pub grid_points: usize,
    pub replications: u32,
    pub out_dir: PathBuf,
    pub files: Vec<String>,
    pub notes: Vec<String>,
}

impl OptimizeOutcome {
    pub fn runs(&self) -> usize {
        self.evaluated.len() * self.replications as usize
    }
    pub fn grid_runs(&self) -> usize {
        self.grid_points * self.replications as usize
    }
}

/// Called after each evaluated point with the number evaluated so far; it cannot
/// change results.
pub type PointProgress<'a> = &'a (dyn Fn(usize, &Eval) + Sync);

struct Search<'a> {
    progress: Option<PointProgress<'a>>,
    runner: &'a Runner,
    slos: &'a [SloExpr],
    objective: Objective,
    cache: BTreeMap<usize, Eval>,
}

impl Search<'_> {
    fn eval(&mut self, index: usize) -> Result<&Eval, RunError> {
        if !self.cache.contains_key(&index) {
            let slos = self.slos;
            let objective = self.objective;
            let labels = self.runner.grid.labels(index);
            let mut out = self.runner.run_points(&[index], None, &|i, _sys, runs| {
                let verdicts: Vec<_> = slos.iter().map(|s| judge(s, &runs)).collect();
                let failing = verdicts.iter().find(|v| v.status != Status::Pass);
                let mean = |m: Metric| {
                    let v: Vec<f64> = runs.iter().filter_map(|r| m.value(r)).collect();
                    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
                };
                Eval {
                    index: i,
                    labels: labels.clone(),
                    objective: match objective {
                        Objective::MonthlyCost => mean(Metric::MonthlyCost),
                        Objective::Sum => {
                            Some(labels.iter().filter_map(|l| grid::numeric(l)).sum())
                        }
                    },
                    p95_ms: mean(Metric::P95),
                    feasible: failing.is_none(),
                    why: failing.map(|v| {
                        format!("{} {}: {}", v.slo.label(), v.status.word(), v.actual_text())
                    }),
                }
            })?;
            let e = out
                .pop()
                .ok_or_else(|| RunError::Options("internal: a point did not run".into()))?;
            if let Some(p) = self.progress {
                p(self.cache.len() + 1, &e);
            }
            self.cache.insert(index, e);
        }
        self.cache
            .get(&index)
            .ok_or_else(|| RunError::Options("internal: a point was lost".into()))
    }

    fn feasible(&mut self, index: usize) -> Result<bool, RunError> {
        Ok(self.eval(index)?.feasible)
    }
}

fn check_params(params: &[Param]) -> Result<(), String> {
    for p in params {
        let nums: Vec<Option<f64>> = p
            .values
            .iter()
            .map(|v| v.as_integer().map(|i| i as f64).or_else(|| v.as_float()))
            .collect();
        if nums.iter().any(Option::is_none) {
            return Err(format!(
                "--param {}: optimize needs numeric values (a capacity such as replicas or a pool size)",
                p.path
            ));
        }
        let nums: Vec<f64> = nums.into_iter().flatten().collect();
        if nums.windows(2).any(|w| w[0] >= w[1]) {
            return Err(format!(
                "--param {}: the values must increase (more capacity later), e.g. 1..20",
                p.path
            ));
        }
    }
    if params.is_empty() {
        return Err("give at least one --param, e.g. --param api.replicas=1..20".into());
    }
    Ok(())
}

/// `capsim optimize`.
pub fn optimize(
    model: &Path,
    scenario: &Path,
    params: Vec<Param>,
    opts: &OptimizeOptions,
) -> Result<OptimizeOutcome, RunError> {
    optimize_with_progress(model, scenario, params, opts, None)
}

/// [`optimize`], reporting each evaluated point to `progress`.
pub fn optimize_with_progress(
    model: &Path,
    scenario: &Path,
    params: Vec<Param>,
    opts: &OptimizeOptions,
    progress: Option<PointProgress>,
) -> Result<OptimizeOutcome, RunError> {
    check_params(&params).map_err(RunError::Options)?;
    let runner = Runner::new(
        model,
        scenario,
        opts.pricing.as_deref(),
        opts.seed,
        opts.replications,
        params,
        "--param",
    )?;
    let base = runner.system(0)?;
    let mut slos = from_model(&base.slo);
    slos.extend(opts.slos.iter().cloned());
    if slos.is_empty() {
        return Err(RunError::Options(
            "no SLO to meet: the model has no [slo] and no --slo was given (e.g. --slo 'p95<200ms')"
                .into(),
        ));
    }
    if opts.objective == Objective::MonthlyCost && !base.has_cost() {
        return Err(RunError::Options(format!(
            "--objective monthly_cost: the model {} names no SKU, so runs have no bill; add `sku` to its components or use --objective sum",
            model.display()
        )));
    }
    let grid = runner.grid.clone();
    let m = grid.params[0].values.len();
    let others: Vec<usize> = grid.params[1..].iter().map(|p| p.values.len()).collect();
    let slices: usize = others.iter().product();
    let coords_of = |s: usize| -> Vec<usize> {
        let mut rest = s;
        let mut c = vec![0; others.len()];
        for (i, n) in others.iter().enumerate().rev() {
            c[i] = rest % n;
            rest /= n;
        }
        c
    };
    let mut search = Search {
        runner: &runner,
        slos: &slos,
        objective: opts.objective,
        cache: BTreeMap::new(),
        progress,
    };
    let mut notes = Vec::new();
    // Per slice: its other-parameter coordinates and its answer (first-parameter index).
    let mut answers: Vec<(Vec<usize>, Option<usize>)> = Vec::new();
    for s in 0..slices {
        let rest = coords_of(s);
        let bound = answers
            .iter()
            .filter(|(t, a)| a.is_some() && t.iter().zip(&rest).all(|(x, y)| x <= y))
            .filter_map(|(_, a)| *a)
            .min();
        let point = |i: usize| {
            let mut c = vec![i];
            c.extend(&rest);
            grid.index_of(&c)
        };
        let (mut lo, mut hi) = (0, bound.unwrap_or(m));
        while lo < hi {
            let mid = (lo + hi) / 2;
            if search.feasible(point(mid))? {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let mut answer = (hi < m).then_some(hi);
        // Run an inherited answer; walk up if the assumption fails here.
        while let Some(a) = answer {
            if search.feasible(point(a))? {
                break;
            }
            notes.push(format!(
                "monotonicity does not hold at {}: more of another parameter needed more of {}; searched upwards",
                grid.labels(point(a)).join(", "),
                grid.params[0].path
            ));
            answer = (a + 1 < m).then_some(a + 1);
        }
        answers.push((rest, answer));
    }
    let mut best: Option<Eval> = None;
    for (rest, a) in &answers {
        let Some(a) = a else { continue };
        let mut c = vec![*a];
        c.extend(rest);
        let e = search.eval(grid.index_of(&c))?.clone();
        let key = |e: &Eval| {
            (
                e.objective.unwrap_or(f64::INFINITY),
                e.p95_ms.unwrap_or(f64::INFINITY),
                e.index,
            )
        };
        let better = match &best {
            None => true,
            Some(b) => {
                let (x, y) = (key(&e), key(b));
                x.0 < y.0 || (x.0 == y.0 && (x.1 < y.1 || (x.1 == y.1 && x.2 < y.2)))
            }
        };
        if better {
            best = Some(e);
        }
    }
    let evaluated: Vec<Eval> = search.cache.into_values().collect();
    let out_dir = opts.out.clone().unwrap_or_else(|| {
        let mut d = crate::experiment::run::default_out_dir(model, scenario).into_os_string();
        d.push("-optimize");
        PathBuf::from(d)
    });
    let mut outcome = OptimizeOutcome {
        params: grid.params.iter().map(|p| p.path.clone()).collect(),
        objective: opts.objective,
        slos,
        chosen: best,
        evaluated,
        grid_points: grid.len(),
        replications: runner.replications,
        out_dir,
        files: Vec::new(),
        notes,
    };
    write_outputs(&mut outcome)?;
    Ok(outcome)
}

/// Indices (into `evaluated`) of points no other point beats on both objective and p95.
fn pareto(evaluated: &[Eval]) -> Vec<bool> {
    evaluated
        .iter()
        .map(|a| match (a.objective, a.p95_ms) {
            (Some(ca), Some(pa)) => !evaluated.iter().any(|b| match (b.objective, b.p95_ms) {
                (Some(cb), Some(pb)) => cb <= ca && pb <= pa && (cb < ca || pb < pa),
                _ => false,
            }),
            _ => false,
        })
        .collect()
}

fn num(v: Option<f64>, decimals: usize) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| format!("{x:.decimals$}"))
        .unwrap_or_default()
}

/// `frontier.csv`: every evaluated point by objective, p95 and index.
pub fn frontier_csv(o: &OptimizeOutcome) -> String {
    let flags = pareto(&o.evaluated);
    let mut order: Vec<usize> = (0..o.evaluated.len()).collect();
    let key = |e: &Eval| {
        (
            e.objective.unwrap_or(f64::INFINITY),
            e.p95_ms.unwrap_or(f64::INFINITY),
        )
    };
    order.sort_by(|&a, &b| {
        let (x, y) = (&o.evaluated[a], &o.evaluated[b]);
        key(x)
            .partial_cmp(&key(y))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(x.index.cmp(&y.index))
    });
    let mut header = vec!["index".to_string()];
    header.extend(o.params.iter().cloned());
    header.extend(
        [
            o.objective.column(),
            "p95_ms",
            "feasible",
            "pareto",
            "chosen",
        ]
        .map(String::from),
    );
    let chosen = o.chosen.as_ref().map(|c| c.index);
    let records = order.into_iter().map(|i| {
        let e = &o.evaluated[i];
        let mut r = vec![e.index.to_string()];
        r.extend(e.labels.iter().cloned());
        r.extend([
            num(e.objective, 2),
            num(e.p95_ms, 3),
            e.feasible.to_string(),
            flags[i].to_string(),
            (chosen == Some(e.index)).to_string(),
        ]);
        r
    });
    crate::report::csv_out::csv_text(&header, records)
}

fn write_outputs(o: &mut OptimizeOutcome) -> Result<(), RunError> {
    let dir = o.out_dir.clone();
    std::fs::create_dir_all(&dir).map_err(|source| RunError::Write {
        path: dir.clone(),
        source,
    })?;
    let put = |name: &str, text: &str| {
        let path = dir.join(name);
        crate::report::atomic::write(&path, text.as_bytes())
            .map_err(|source| RunError::Write { path, source })
    };
    put("frontier.csv", &frontier_csv(o))?;
    put("optimize.json", &json(o))?;
    o.files = vec!["frontier.csv".into(), "optimize.json".into()];
    match chart(o) {
        Ok(true) => o
            .files
            .extend(["frontier.png".into(), "frontier.svg".into()]),
        Ok(false) => {}
        Err(m) => o.notes.push(format!("no chart: {m}")),
    }
    Ok(())
}

/// `optimize.json` (also what `--json` prints).
pub fn json(o: &OptimizeOutcome) -> String {
    let chosen = o.chosen.as_ref().map(|c| {
        let params: serde_json::Map<String, serde_json::Value> = o
            .params
            .iter()
            .zip(&c.labels)
            .map(|(p, l)| (p.clone(), serde_json::Value::String(l.clone())))
            .collect();
        serde_json::json!({
            "index": c.index,
            "params": params,
            "objective": c.objective,
            "p95_ms": c.p95_ms,
            "verified_by_run": true,
        })
    });
    let v = serde_json::json!({
        "objective": o.objective.column(),
        "slos": o.slos.iter().map(|s| s.label()).collect::<Vec<_>>(),
        "params": o.params,
        "replications": o.replications,
        "grid_points": o.grid_points,
        "grid_runs": o.grid_runs(),
        "points_evaluated": o.evaluated.len(),
        "runs": o.runs(),
        "chosen": chosen,
        "assumption": "capacity is monotone: raising any parameter never breaks an SLO that held and never lowers the cost",
        "notes": o.notes,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// `frontier.png` / `.svg`: p95 against the objective along the Pareto frontier of
/// the evaluated points, with the p95 SLO as a horizontal line.
fn chart(o: &OptimizeOutcome) -> Result<bool, String> {
    let flags = pareto(&o.evaluated);
    let mut pts: Vec<(f64, f64)> = o
        .evaluated
        .iter()
        .zip(&flags)
        .filter(|(_, f)| **f)
        .filter_map(|(e, _)| Some((e.objective?, e.p95_ms?)))
        .collect();
    pts.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if pts.is_empty() {
        return Ok(false);
    }
    let feasible: Vec<(f64, f64)> = {
        let mut v: Vec<(f64, f64)> = o
            .evaluated
            .iter()
            .filter(|e| e.feasible)
            .filter_map(|e| Some((e.objective?, e.p95_ms?)))
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        v
    };
    // The SLO line spans every point drawn, not just the frontier.
    let (x0, x1) = pts
        .iter()
        .chain(&feasible)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let target: Vec<(f64, f64)> = o
        .slos
        .iter()
        .filter(|s| s.metric == Metric::P95)
        .map(|s| s.threshold)
        .reduce(f64::min)
        .map(|t| vec![(x0, t), (x1, t)])
        .unwrap_or_default();
    let chosen: Vec<(f64, f64)> = o
        .chosen
        .iter()
        .filter_map(|c| Some((c.objective?, c.p95_ms?)))
        .collect();
    let x_label = match o.objective {
        Objective::MonthlyCost => "USD per month",
        Objective::Sum => "sum of parameters",
    };
    let mut chart = capsim_charts::LineChart::new(
        "optimize: p95 against cost (evaluated points)",
        x_label,
        "p95 latency (ms)",
    );
    // Dots, not lines: the points are separate configurations, and a line
    // between two would suggest configurations that were not evaluated. The
    // SLO is the one line; the chosen point is ringed, drawn last on top.
    use capsim_charts::{Axis, Series, Style};
    let series = [
        ("feasible points", &feasible, Style::Points, 1),
        ("Pareto frontier", &pts, Style::Points, 0),
        ("p95 SLO", &target, Style::Dashed, 3),
        ("chosen", &chosen, Style::Highlight, 2),
    ];
    chart.series = series
        .iter()
        .filter(|(_, p, _, _)| !p.is_empty())
        .map(|(name, p, style, color)| {
            Series::line(name, p, Axis::Left)
                .styled(*style)
                .colored(*color)
        })
        .collect();
    capsim_charts::line_chart(
        &o.out_dir.join("frontier.png"),
        &o.out_dir.join("frontier.svg"),
        &chart,
    )
    .map_err(|e| e.to_string())?;
    Ok(true)
}

/// The text printed on stdout.
pub fn text(o: &OptimizeOutcome) -> String {
    let mut s = String::new();
    match &o.chosen {
        Some(c) => {
            let cfg: Vec<String> = o
                .params
                .iter()
                .zip(&c.labels)
                .map(|(p, l)| format!("{p}={l}"))
                .collect();
            s.push_str(&format!("optimum: {}\n", cfg.join(" ")));
            let obj = match o.objective {
                Objective::MonthlyCost => c
                    .objective
                    .map(|v| format!("${v:.2}/month"))
                    .unwrap_or_default(),
                Objective::Sum => c
                    .objective
                    .map(|v| format!("sum {}", crate::experiment::slo_expr::trim(v, 3)))
                    .unwrap_or_default(),
            };
            s.push_str(&format!(
                "  {obj}, p95 {} ms, meets {} (verified by a run)\n",
                c.p95_ms.map_or("n/a".into(), |p| format!("{p:.1}")),
                o.slos
                    .iter()
                    .map(|s| s.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        None => s.push_str(&format!(
            "no configuration of the grid meets {}\n",
            o.slos
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    s.push_str(&format!(
        "runs: {} of {} for the full grid ({} of {} points, {} replication{} each)\n",
        o.runs(),
        o.grid_runs(),
        o.evaluated.len(),
        o.grid_points,
        o.replications,
        if o.replications == 1 { "" } else { "s" }
    ));
    for n in &o.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s.push_str(&format!(
        "wrote {}/{}\n",
        o.out_dir.display(),
        o.files.join(", ")
    ));
    s
}
