//! `capsim man`: the man page, generated from the same definitions as `--help`.

use super::{CliError, Ctx, Status};

#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  capsim man > capsim.1 && man ./capsim.1")]
pub struct Args {}

pub fn exec(_a: Args, _ctx: &Ctx) -> Result<Status, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(super::command())
        .render(&mut out)
        .map_err(|e| CliError::Failed(format!("cannot render the man page: {e}")))?;
    super::output::emit(&String::from_utf8_lossy(&out));
    Ok(Status::Ok)
}
