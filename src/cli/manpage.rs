//! `sigillo manpage [-d DIR]`: the manual page sigillo.1 on stdout, or, with `-d`, one
//! page per command (sigillo.1, sigillo-verify.1, sigillo-key-new.1 …) in a folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};

use super::args::QuietFlag;
use super::output::{errln, stdout_failed};
use super::{Cli, CmdResult};
use crate::error::Error;

const EXAMPLES: &str = "Examples:
  sigillo manpage | man -l -                   # read it now
  sigillo manpage -d ~/.local/share/man/man1   # one page per command; then: man sigillo-verify
  sudo sigillo manpage -d /usr/local/share/man/man1";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("quiet", |a| a.help("Do not list the pages written")))]
pub(super) struct ManpageArgs {
    /// Write sigillo.1 and one page per command into this folder (made if missing)
    /// instead of printing sigillo.1.
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(a: ManpageArgs) -> CmdResult {
    let cmd = Cli::command();
    let Some(dir) = a.dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut page)
            .map_err(|e| Error::internal(format!("could not render the manual page: {e}")))?;
        std::io::stdout().lock().write_all(&page).map_err(|e| {
            stdout_failed(e, |e| {
                Error::input(format!("could not write the manual page: {e}"))
                    .with_fix("write the pages into a folder instead: sigillo manpage -d DIR")
            })
        })?;
        return Ok(0);
    };
    if dir.exists() && !dir.is_dir() {
        return Err(
            Error::input(format!("-d '{}' is not a folder", dir.display()))
                .with_fix("give a folder, e.g. ~/.local/share/man/man1")
                .into(),
        );
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create the directory", &dir, e))?;
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    write_pages(cmd, &dir, &mut written)
        .map_err(|e| Error::io("write manual pages into", &dir, e))?;
    if !a.quiet.quiet {
        // The pages this run wrote, not whatever else the folder holds.
        let mut names: Vec<String> = written
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        names.sort();
        errln!(
            "wrote {} manual page(s) into {}: {}",
            names.len(),
            dir.display(),
            names.join(" ")
        );
    }
    Ok(0)
}

/// One page per command that is not hidden, as `clap_mangen::generate_to` writes them
/// (sigillo.1, sigillo-key-new.1 …), remembering each file written.
fn write_pages(cmd: clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
        write_pages(sub, dir, written)?;
    }
    written.push(clap_mangen::Man::new(cmd).generate_to(dir)?);
    Ok(())
}
