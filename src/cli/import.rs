//! `capsim import`: the library prints its own output and errors (each with
//! the config file and line); this module maps its exit code.

use super::{CliError, Ctx, Status};

pub use crate::import::Args;

pub fn exec(a: Args, _ctx: &Ctx) -> Result<Status, CliError> {
    match crate::import::run(a) {
        0 => Ok(Status::Ok),
        1 => Ok(Status::Failed),
        _ => Err(CliError::Reported),
    }
}
