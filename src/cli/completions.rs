//! `sigillo completions SHELL`: the shell completion script, on stdout.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::output::stdout_failed;
use super::{Cli, CmdResult};
use crate::error::Error;

const EXAMPLES: &str = "Examples:
  sigillo completions bash > ~/.local/share/bash-completion/completions/sigillo
  sigillo completions zsh > ~/.zfunc/_sigillo   # and fpath+=~/.zfunc before compinit in ~/.zshrc
  sigillo completions fish > ~/.config/fish/completions/sigillo.fish";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub(super) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    shell: Shell,
}

pub(super) fn run(a: CompletionsArgs) -> CmdResult {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "sigillo", &mut script);
    use std::io::Write;
    std::io::stdout().lock().write_all(&script).map_err(|e| {
        stdout_failed(e, |e| {
            Error::input(format!("could not write the completion script: {e}"))
                .with_fix("redirect it to a file: sigillo completions bash > sigillo.bash")
        })
    })?;
    Ok(0)
}
