//! Command-line interface: arguments in, exit code out.
//!
//! This module only parses flags, calls the library, prints what the library returns
//! and maps errors to exit codes, in one place ([`main`]):
//! 0 = success / verified, 1 = verification failed (or some acquisitions failed),
//! 2 = could not run (usage, unreadable input, wrong key or passphrase).
//! A closed stdout ends the command quietly with 0.
//!
//! Flags shared by several commands are defined once in [`args`] and flattened; each
//! command has its own file.

mod add;
mod args;
mod capture;
mod config;
mod convert;
mod custody;
mod demo;
mod export;
mod extract;
mod hashes;
mod key;
mod ls;
mod r#match;
mod output;
mod progress;
mod report;
mod timestamp;
mod verify;

use clap::{Parser, Subcommand};

use crate::error::Error;
use output::errln;

const AFTER_HELP: &str = "Exit codes: 0 success (bundle verified), 1 verification failed or some acquisitions failed, 2 could not run.\nDocumentation: docs/ in the source tree; every bundle explains itself in VERIFY.md.";

/// sigillo: capture digital evidence and seal it into a signed, timestamped,
/// chain-of-custody bundle that a court can check.
#[derive(Parser, Debug)]
#[command(name = "sigillo", version, about, long_about = None, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create or show signing keys.
    #[command(subcommand)]
    Key(key::KeyCmd),
    /// Seal files, folders or a chat export into a bundle as one new item.
    Add(add::AddArgs),
    /// Check a bundle: signatures, hashes, timestamps, custody chain.
    Verify(verify::VerifyArgs),
    /// List a bundle's items and files with their hashes.
    Ls(ls::LsArgs),
    /// Extract a verified bundle (or one item) into a working copy.
    Extract(extract::ExtractArgs),
    /// Export a verified bundle for another system: --p7m, an enveloping CAdES
    /// signature of the whole bundle for court deposit.
    Export(export::ExportArgs),
    /// Write a copy of a bundle with every file encrypted to recipients (age); the
    /// signatures, timestamps and custody stay verifiable.
    Encrypt(convert::EncryptCmdArgs),
    /// Write a decrypted working copy of an encrypted bundle (needs --identity).
    Decrypt(convert::DecryptCmdArgs),
    /// Record or show the chain of custody.
    #[command(subcommand)]
    Custody(custody::CustodyCmd),
    /// Capture web pages with headless Chromium (screenshot, PDF, MHTML, DOM, WARC/WACZ, TLS and DNS facts).
    Capture(Box<capture::CaptureArgs>),
    /// Add RFC 3161 trusted timestamps to items that lack them (or renewal tokens);
    /// with --signer, an X.509 co-signature to every item.
    Timestamp(timestamp::TimestampArgs),
    /// Export hash lists (SHA-256, MD5, PDQ) for takedown and re-upload blocking.
    Hashes(hashes::HashesArgs),
    /// Tell which given images match sealed ones (PDQ distance or exact hash).
    Match(r#match::MatchArgs),
    /// Write the acquisition report (HTML, and PDF through Chromium).
    Report(report::ReportArgs),
    /// Build a sample bundle from the bundled samples/ (offline) and verify it.
    Demo(demo::DemoArgs),
    /// Show the effective configuration (config.toml, key, operator, TSAs).
    #[command(subcommand)]
    Config(config::ConfigCmd),
}

/// Why a command stopped without its normal exit code.
#[derive(Debug)]
enum CliError {
    /// A failure with a problem and a fix; its kind decides the exit code.
    Sigillo(Error),
    /// Stdout was closed by the reader (`| head`): stop quietly, exit 0.
    BrokenPipe,
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Sigillo(e)
    }
}

/// What a command returns: its exit code, or why it stopped.
type CmdResult<T = i32> = std::result::Result<T, CliError>;

/// Run the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(CliError::BrokenPipe) => 0,
        Err(CliError::Sigillo(e)) => {
            print_error(&e);
            e.kind().exit_code()
        }
    }
}

/// Print `error: problem` and, on the next line, `fix: …`.
fn print_error(e: &Error) {
    errln!("error: {e}");
}

fn run(cli: Cli) -> CmdResult {
    match cli.command {
        Command::Key(k) => key::run(k),
        Command::Add(a) => add::run(a),
        Command::Verify(v) => verify::run(v),
        Command::Ls(l) => ls::run(l),
        Command::Extract(x) => extract::run(x),
        Command::Export(x) => export::run(x),
        Command::Encrypt(x) => convert::encrypt(x),
        Command::Decrypt(x) => convert::decrypt(x),
        Command::Custody(c) => custody::run(c),
        Command::Demo(d) => demo::run(d),
        Command::Config(c) => config::run(c),
        Command::Timestamp(t) => timestamp::run(t),
        Command::Capture(c) => capture::run(*c),
        Command::Hashes(h) => hashes::run(h),
        Command::Match(m) => r#match::run(m),
        Command::Report(r) => report::run(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
