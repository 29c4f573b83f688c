//! `capsim import`: a model (and a scenario) from the configs a team already
//! has — Kubernetes manifests, docker-compose, nginx, pgbouncer.ini, a k6
//! script, Railway, Render, ECS scaling policies — and `--check`, which
//! holds an existing model to those configs in CI.
//!
//! Every config is read into one line-numbered tree ([`node`]), mapped onto a
//! [`draft::Draft`] by its format's module, completed with explicit
//! assumptions, then written as commented TOML ([`emit`]). See docs/import.md.

pub mod check;
pub mod compose;
pub mod draft;
pub mod emit;
pub mod jslit;
pub mod k6;
pub mod k8s;
pub mod nginx;
pub mod node;
pub mod paas;
pub mod pgbouncer;
pub mod yaml;

use draft::Draft;
use std::path::{Path, PathBuf};

/// `capsim import FILE... [--out MODEL.toml] [--scenario-out S.toml]`, or
/// `capsim import --check MODEL FILE...`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  capsim import k8s/deployment.yaml k8s/hpa.yaml nginx.conf pgbouncer.ini --out model.toml\n  capsim import load-test.js --out model.toml --scenario-out scenario.toml\n  capsim import --check models/recete.toml k8s/*.yaml"
)]
pub struct Args {
    /// Config files: Kubernetes YAML, docker-compose, nginx, pgbouncer.ini,
    /// a k6 script, railway.toml/json, render.yaml, an ECS scaling policy JSON.
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Where to write the model (default: stdout).
    #[arg(long, value_name = "MODEL.toml", conflicts_with = "check")]
    pub out: Option<PathBuf>,
    /// Where to write the scenario from a k6 script (default: beside --out,
    /// `<name>-scenario.toml`).
    #[arg(long, value_name = "S.toml", conflicts_with = "check")]
    pub scenario_out: Option<PathBuf>,
    /// Compare MODEL with the configs instead of writing one: exit 1 when
    /// they disagree, 0 when in sync.
    #[arg(long, value_name = "MODEL")]
    pub check: Option<PathBuf>,
    /// Name a config's component as the model does: `backend_servers=api`
    /// (repeatable; applied after reading, before writing or checking).
    #[arg(long, value_name = "CONFIG=MODEL")]
    pub rename: Vec<String>,
}

/// The file formats `capsim import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Kubernetes,
    Compose,
    Render,
    Nginx,
    Pgbouncer,
    K6,
    Railway,
    Ecs,
}

/// Which format a file is, from its name and then its content.
pub fn detect(path: &Path, text: &str) -> Result<Format, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.starts_with("railway.") {
        return Ok(Format::Railway);
    }
    if name.starts_with("render.") {
        return Ok(Format::Render);
    }
    match ext.as_str() {
        "ini" => return Ok(Format::Pgbouncer),
        "conf" | "nginx" => return Ok(Format::Nginx),
        "js" | "mjs" | "ts" => return Ok(Format::K6),
        "json" => return Ok(Format::Ecs),
        "yaml" | "yml" => {
            if name.contains("compose") {
                return Ok(Format::Compose);
            }
            let has = |k: &str| text.lines().any(|l| l.starts_with(k));
            return Ok(if has("apiVersion:") || has("kind:") {
                Format::Kubernetes
            } else if has("services:") {
                if text.lines().any(|l| l.trim_start().starts_with("- type:")) {
                    Format::Render
                } else {
                    Format::Compose
                }
            } else {
                Format::Kubernetes
            });
        }
        _ => {}
    }
    if text.contains("upstream ") {
        return Ok(Format::Nginx);
    }
    if text.contains("[pgbouncer]") {
        return Ok(Format::Pgbouncer);
    }
    Err(format!(
        "{}: cannot tell what config this is; capsim import reads Kubernetes YAML, docker-compose*.yml, render.yaml, nginx *.conf, pgbouncer *.ini, k6 *.js, railway.toml/json and ECS scaling policy *.json",
        path.display()
    ))
}

/// Reads every file into one draft (not yet completed). Errors are
/// `file:line: message`.
pub fn read_files(paths: &[PathBuf]) -> Result<Draft, Vec<String>> {
    read_files_into(Draft::default(), paths)
}

/// [`read_files`] into a draft that may already know component names.
pub fn read_files_into(mut d: Draft, paths: &[PathBuf]) -> Result<Draft, Vec<String>> {
    let mut errors = Vec::new();
    for path in paths {
        let file = path.display().to_string();
        d.files.push(file.clone());
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!("{file}: cannot read: {e}"));
                continue;
            }
        };
        if let Err(e) = read_one(&mut d, path, &file, &text) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(d)
    } else {
        Err(errors)
    }
}

fn read_one(d: &mut Draft, path: &Path, file: &str, text: &str) -> Result<(), String> {
    let located = |(l, m): (usize, String)| format!("{file}:{l}: {m}");
    match detect(path, text)? {
        Format::Kubernetes => {
            let docs = yaml::parse_docs(text).map_err(located)?;
            k8s::import(d, file, &docs)
        }
        Format::Compose | Format::Render => {
            let docs = yaml::parse_docs(text).map_err(located)?;
            let Some(doc) = docs.first() else {
                return Err(format!("{file}:1: empty file"));
            };
            if detect(path, text)? == Format::Compose {
                compose::import(d, file, &doc.root)
            } else {
                paas::render(d, file, &doc.root);
                Ok(())
            }
        }
        Format::Nginx => nginx::import(d, file, text),
        Format::Pgbouncer => pgbouncer::import(d, file, text),
        Format::K6 => {
            let script = jslit::parse_k6(text).map_err(located)?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "k6".into());
            k6::import(d, file, &script, &draft::comp_name(&stem))
        }
        Format::Railway => {
            let root = if path.extension().is_some_and(|e| e == "toml") {
                toml_node(text).map_err(located)?
            } else {
                jslit::parse_value(text).map_err(located)?
            };
            paas::railway(d, file, &root);
            Ok(())
        }
        Format::Ecs => {
            let root = jslit::parse_value(text).map_err(located)?;
            paas::ecs(d, file, &root);
            Ok(())
        }
    }
}

/// A TOML file as a [`node::Node`] tree with line numbers (from toml_edit's spans).
fn toml_node(text: &str) -> Result<node::Node, (usize, String)> {
    let doc: toml_edit::Document<&str> = toml_edit::Document::parse(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        (line, e.message().to_string())
    })?;
    let line_of = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1)
    };
    fn item(
        i: &toml_edit::Item,
        line_of: &dyn Fn(Option<std::ops::Range<usize>>) -> usize,
    ) -> node::Node {
        use node::{Node, Value};
        match i {
            toml_edit::Item::Table(t) => Node::new(
                line_of(t.span()),
                Value::Map(
                    t.iter()
                        .map(|(k, v)| (k.to_string(), item(v, line_of)))
                        .collect(),
                ),
            ),
            toml_edit::Item::Value(v) => value(v, line_of),
            toml_edit::Item::ArrayOfTables(a) => Node::new(
                line_of(a.span()),
                Value::Seq(
                    a.iter()
                        .map(|t| item(&toml_edit::Item::Table(t.clone()), line_of))
                        .collect(),
                ),
            ),
            toml_edit::Item::None => Node::new(1, Value::Null),
        }
    }
    fn value(
        v: &toml_edit::Value,
        line_of: &dyn Fn(Option<std::ops::Range<usize>>) -> usize,
    ) -> node::Node {
        use node::{Node, Value};
        let line = line_of(v.span());
        let val = match v {
            toml_edit::Value::String(s) => Value::Str(s.value().clone()),
            toml_edit::Value::Integer(i) => Value::Num(*i.value() as f64),
            toml_edit::Value::Float(f) => Value::Num(*f.value()),
            toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
            toml_edit::Value::Datetime(d) => Value::Str(d.value().to_string()),
            toml_edit::Value::Array(a) => Value::Seq(a.iter().map(|x| value(x, line_of)).collect()),
            toml_edit::Value::InlineTable(t) => Value::Map(
                t.iter()
                    .map(|(k, x)| (k.to_string(), value(x, line_of)))
                    .collect(),
            ),
        };
        Node::new(line, val)
    }
    Ok(item(doc.as_item(), &line_of))
}

/// The command: import or check; returns the exit code (0 ok, 1 `--check`
/// found disagreements or an output could not be written, 2 bad input).
pub fn run(args: Args) -> i32 {
    let mut start = Draft::default();
    if let Some(model) = &args.check {
        start.known = check::component_names(model);
    }
    let draft = match read_files_into(start, &args.files) {
        Ok(d) => d,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return 2;
        }
    };
    let mut draft = draft;
    for r in &args.rename {
        let Some((from, to)) = r.split_once('=') else {
            eprintln!("error: --rename {r}: expected CONFIG_NAME=MODEL_NAME");
            return 2;
        };
        let to = draft::comp_name(to.trim());
        if !draft.rename(from.trim(), &to) {
            eprintln!(
                "error: --rename {r}: no imported component is named `{}`",
                from.trim()
            );
            return 2;
        }
    }
    if let Some(model) = &args.check {
        return check::run(model, draft);
    }
    draft.complete();
    for w in &draft.warnings {
        eprintln!("warning: {w}");
    }
    let model_text = emit::model(&draft);
    match &args.out {
        None => print!("{model_text}"),
        Some(p) => {
            if let Err(e) = std::fs::write(p, &model_text) {
                eprintln!("error: cannot write {}: {e}", p.display());
                return 1;
            }
            eprintln!(
                "wrote {} ({} components, {} assumptions, {} warnings)",
                p.display(),
                draft.comps.len(),
                draft.assumptions.len(),
                draft.warnings.len()
            );
        }
    }
    if let Some(sc) = &draft.scenario {
        let target = args.scenario_out.clone().or_else(|| {
            args.out.as_ref().map(|o| {
                let stem = o
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                o.with_file_name(format!("{stem}-scenario.toml"))
            })
        });
        match target {
            Some(p) => {
                if let Err(e) = std::fs::write(&p, emit::scenario(sc, &draft.files)) {
                    eprintln!("error: cannot write {}: {e}", p.display());
                    return 1;
                }
                eprintln!("wrote {}", p.display());
            }
            None => eprintln!(
                "warning: a k6 scenario was imported; give --scenario-out (or --out) to write it"
            ),
        }
    } else if args.scenario_out.is_some() {
        eprintln!("warning: no k6 script among the files: no scenario written");
    }
    0
}
