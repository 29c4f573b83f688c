//! `capsim init`: a commented starter model and scenario that validate and run.

use super::{CliError, Ctx, Status};
use std::path::PathBuf;

const MODEL: &str = include_str!("starter/model.toml");
const SCENARIO: &str = include_str!("starter/scenario.toml");

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  capsim init my-system && capsim run my-system/model.toml --scenario my-system/scenario.toml"
)]
pub struct Args {
    /// Folder to write model.toml and scenario.toml into (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Replace files that exist.
    #[arg(long)]
    pub force: bool,
}

pub fn exec(a: Args, ctx: &Ctx) -> Result<Status, CliError> {
    let model = a.dir.join("model.toml");
    let scenario = a.dir.join("scenario.toml");
    for p in [&model, &scenario] {
        if p.exists() && !a.force {
            return Err(CliError::Input(format!(
                "error: {} exists; pass --force to replace it, or choose another folder",
                p.display()
            )));
        }
    }
    std::fs::create_dir_all(&a.dir)
        .map_err(|e| CliError::Failed(format!("cannot create {}: {e}", a.dir.display())))?;
    for (p, text) in [(&model, MODEL), (&scenario, SCENARIO)] {
        super::check::write_file(p, text)?;
    }
    ctx.text(&format!(
        "wrote {} and {}\nnext: capsim run {} --scenario {}\n",
        model.display(),
        scenario.display(),
        model.display(),
        scenario.display()
    ));
    ctx.json(&serde_json::json!({
        "model": model.display().to_string(),
        "scenario": scenario.display().to_string(),
    }));
    Ok(Status::Ok)
}
