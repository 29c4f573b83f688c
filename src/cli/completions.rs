//! `capsim completions SHELL`.

use super::{CliError, Ctx, Status};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  capsim completions bash > ~/.local/share/bash-completion/completions/capsim\n  capsim completions zsh > ~/.zfunc/_capsim"
)]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn exec(a: Args, _ctx: &Ctx) -> Result<Status, CliError> {
    let mut cmd = super::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "capsim", &mut out);
    super::output::emit(&String::from_utf8_lossy(&out));
    Ok(Status::Ok)
}
