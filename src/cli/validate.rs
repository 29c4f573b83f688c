//! `capsim validate`.

use super::{CliError, Ctx, Status};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  capsim validate models/examples/web-stack.toml scenarios/examples/web-day.toml\n  capsim validate models/tikit.toml    # also each stage's own scenario file"
)]
pub struct Args {
    /// The model file (TOML).
    pub model: PathBuf,
    /// A scenario file to check too (TOML).
    pub scenario: Option<PathBuf>,
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let model = crate::model::load_model(&a.model)?;
    let mut report = serde_json::json!({
        "model": a.model.display().to_string(),
        "components": model.components.len(),
        "request_classes": model.classes.len(),
    });
    ctx.text(&format!(
        "{}: ok ({} components, {} request classes)\n",
        a.model.display(),
        model.components.len(),
        model.classes.len()
    ));
    let has_stages = std::fs::read_to_string(&a.model)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .is_some_and(|t| t.contains_key("stages"));
    let stages = if has_stages {
        crate::stages::load_stages(&a.model)?
    } else {
        Vec::new()
    };
    let mut checked = Vec::new();
    let mut errors = crate::input::InputErrors::default();
    let mut check = |path: &std::path::Path, system: &crate::model::System, stage: Option<&str>| {
        let loaded = crate::scenario::load_scenario(path)
            .and_then(|s| crate::scenario::check_events(system, &s).map(|()| s));
        match loaded {
            Ok(s) => {
                let of = stage.map(|n| format!(", stage {n}")).unwrap_or_default();
                ctx.text(&format!(
                    "{}: ok ({} workload, {} s{of})\n",
                    path.display(),
                    s.workload.kind(),
                    s.duration_ns as f64 / 1e9
                ));
                checked.push(serde_json::json!({
                    "scenario": path.display().to_string(),
                    "stage": stage,
                    "workload": s.workload.kind(),
                    "duration_s": s.duration_ns as f64 / 1e9,
                }));
            }
            Err(e) => errors.0.extend(e.0),
        }
    };
    if let Some(path) = &a.scenario {
        check(path, &model, None);
    }
    // Each stage that names its own scenario file: check that file against the
    // stage's system, as `capsim stages` will run it.
    for st in &stages {
        if let Some(p) = &st.scenario {
            check(p, &st.system, Some(&st.name));
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    report["scenarios"] = serde_json::Value::Array(checked);
    report["ok"] = true.into();
    ctx.json(&report);
    Ok(Status::Ok)
}
