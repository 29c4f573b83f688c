//! `capsim merge`.

use super::{CliError, Ctx, Status};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  capsim merge parts/sweep.part-*-of-4.json --out results")]
pub struct Args {
    /// Every sweep.part-K-of-N.json.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Output directory for sweep.csv and the chart.
    #[arg(long, required = true)]
    pub out: PathBuf,
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let o = crate::sweep::merge(&a.parts, &a.out).map_err(|e| match e {
        crate::sweep::MergeError::Run(e) => CliError::from(e),
        e => CliError::Input(format!("error: {e}")),
    })?;
    ctx.text(&format!(
        "merge: {} points from {} parts; wrote {}/{}\n",
        o.points,
        a.parts.len(),
        o.out_dir.display(),
        o.files.join(", ")
    ));
    for n in &o.notes {
        ctx.text(&format!("note: {n}\n"));
    }
    ctx.json(&serde_json::json!({
        "points": o.points,
        "parts": a.parts.len(),
        "out_dir": o.out_dir.display().to_string(),
        "files": o.files,
        "notes": o.notes,
    }));
    Ok(Status::Ok)
}
