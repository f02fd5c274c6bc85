//! The command layer's only writers: stdout through [`outln!`]/[`out!`], stderr
//! through [`errln!`].
//!
//! A closed stdout (`sigillo ls case.zip | head -1`) is not an error: writing stops and
//! the command ends quietly with exit 0, as ripgrep does. Any other write failure is
//! an error with a fix. Messages on stderr are best effort (never a panic).

use std::fmt;
use std::io::{self, Write};

use super::CliError;
use crate::error::Error;

/// Map a failed write to stdout: a broken pipe ends quietly, anything else is `other(e)`.
pub(super) fn stdout_failed(e: io::Error, other: impl FnOnce(io::Error) -> Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::BrokenPipe
    } else {
        CliError::Sigillo(other(e))
    }
}

/// Write to stdout; see [`stdout_failed`].
pub(super) fn write_out(args: fmt::Arguments) -> Result<(), CliError> {
    io::stdout().lock().write_fmt(args).map_err(|e| {
        stdout_failed(e, |e| {
            Error::input(format!("could not write to standard output: {e}"))
                .with_fix("check where the output goes (a full disk, a closed terminal)")
        })
    })
}

/// Write to stderr, ignoring failures (there is nowhere left to report them).
pub(super) fn write_err(args: fmt::Arguments) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// Print a line on stdout; evaluates to `Result<(), CliError>`.
macro_rules! outln {
    () => {
        $crate::cli::output::write_out(format_args!("\n"))
    };
    ($($t:tt)*) => {
        $crate::cli::output::write_out(format_args!("{}\n", format_args!($($t)*)))
    };
}

/// Print on stdout without a newline; evaluates to `Result<(), CliError>`.
macro_rules! out {
    ($($t:tt)*) => {
        $crate::cli::output::write_out(format_args!($($t)*))
    };
}

/// Print a line on stderr (best effort).
macro_rules! errln {
    ($($t:tt)*) => {
        $crate::cli::output::write_err(format_args!("{}\n", format_args!($($t)*)))
    };
}

pub(super) use {errln, out, outln};
