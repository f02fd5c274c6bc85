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
mod completions;
mod config;
mod convert;
mod custody;
mod demo;
mod export;
mod extract;
mod hashes;
mod key;
mod ls;
mod manpage;
mod r#match;
mod notice;
mod output;
mod progress;
mod recheck;
mod report;
mod status;
mod style;
mod timestamp;
mod verify;

use clap::{Parser, Subcommand};

use crate::error::Error;
use output::errln;

const AFTER_HELP: &str = "Examples:
  sigillo key new --name \"Avv. Maria Rossi\"   # once: your signing key; prints its fingerprint
  sigillo add photos/ chat.zip -o case.zip --case RG-1234/2026
  sigillo verify case.zip --trust rossi.pem.pub   # exit 0 = verified

Run `sigillo help COMMAND` (or COMMAND --help) for each command's flags and examples.
Exit codes: 0 success (bundle verified), 1 verification failed or some acquisitions failed, 2 could not run.
Documentation: docs/ in the source tree (man pages: sigillo manpage); every bundle explains itself in VERIFY.md.";

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
    #[command(subcommand, after_help = key::EXAMPLES)]
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
    /// signature of the whole bundle for court deposit; --garante, the pack for a report
    /// to the Italian Garante (Art. 144-bis).
    Export(export::ExportArgs),
    /// Write a copy of a bundle with every file encrypted to recipients (age); the
    /// signatures, timestamps and custody stay verifiable.
    Encrypt(convert::EncryptCmdArgs),
    /// Write a decrypted working copy of an encrypted bundle (needs --identity).
    Decrypt(convert::DecryptCmdArgs),
    /// Record or show the chain of custody.
    #[command(subcommand, after_help = custody::EXAMPLES)]
    Custody(custody::CustodyCmd),
    /// Capture web pages with headless Chromium (screenshot, PDF, MHTML, DOM, WARC/WACZ, TLS and DNS facts).
    Capture(Box<capture::CaptureArgs>),
    /// Load captured URLs again, compare with the capture and seal the result as a
    /// `recheck` item (online-unchanged, online-changed, removed, redirected,
    /// unreachable); with --every, for the removal window.
    Recheck(Box<recheck::RecheckArgs>),
    /// The removal timeline of each captured URL: captured, rechecks, removed at.
    Status(status::StatusArgs),
    /// Add RFC 3161 trusted timestamps to items that lack them (or renewal tokens);
    /// with --signer, an X.509 co-signature to every item.
    Timestamp(timestamp::TimestampArgs),
    /// Export hash lists (SHA-256, MD5, PDQ) for takedown and re-upload blocking.
    Hashes(hashes::HashesArgs),
    /// Tell which given images match sealed ones (PDQ distance or exact hash).
    Match(r#match::MatchArgs),
    /// Write the acquisition report (HTML, and PDF through Chromium).
    Report(report::ReportArgs),
    /// Write a notice of illegal content (DSA Art. 16) for a platform: HTML, PDF, e-mail
    /// or JSON; recorded in the bundle's custody log.
    Notice(Box<notice::NoticeArgs>),
    /// Build a sample bundle from the bundled samples/ (offline) and verify it.
    Demo(demo::DemoArgs),
    /// Show the effective configuration (config.toml, key, operator, TSAs).
    #[command(subcommand, after_help = config::EXAMPLES)]
    Config(config::ConfigCmd),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the manual page, or write one page per command into a folder (-d).
    Manpage(manpage::ManpageArgs),
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
    crate::trace::init();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let r = run(cli);
    crate::trace::cpu();
    match r {
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
        Command::Recheck(r) => recheck::run(*r),
        Command::Status(s) => status::run(s),
        Command::Hashes(h) => hashes::run(h),
        Command::Match(m) => r#match::run(m),
        Command::Report(r) => report::run(r),
        Command::Notice(n) => notice::run(*n),
        Command::Completions(c) => completions::run(c),
        Command::Manpage(m) => manpage::run(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Split an example line as a shell would (quotes only; no expansion).
    fn words(line: &str) -> Vec<String> {
        let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
        for ch in line.chars() {
            match (quote, ch) {
                (None, '"' | '\'') => (quote, any) = (Some(ch), true),
                (Some(q), c) if c == q => quote = None,
                (None, c) if c.is_whitespace() => {
                    if any {
                        out.push(std::mem::take(&mut cur));
                    }
                    any = false;
                }
                (_, c) => {
                    cur.push(c);
                    any = true;
                }
            }
        }
        if any {
            out.push(cur);
        }
        out
    }

    /// The `sigillo …` command lines of an examples block, without comments, pipes and
    /// redirections.
    fn example_lines(help: &str) -> Vec<String> {
        help.lines()
            .filter(|l| l.starts_with("  "))
            .filter_map(|l| l.find("sigillo ").map(|i| &l[i..]))
            .map(|l| {
                let l = l.split("  #").next().unwrap_or(l);
                let l = l.split(" | ").next().unwrap_or(l);
                l.split(" > ").next().unwrap_or(l).trim().to_string()
            })
            .collect()
    }

    /// Every line of an examples block fits in 100 columns, the width clap wraps help at
    /// when it is not on a (narrower) terminal: a wrapped example is no longer one line to
    /// copy.
    fn assert_fits(help: &str, name: &str) {
        for l in help.lines().filter(|l| l.starts_with("  ")) {
            let n = l.chars().count();
            assert!(n <= 100, "an example of `{name}` is {n} columns wide: {l}");
        }
    }

    /// Every command's help ends with at least two examples, and every example parses.
    #[test]
    fn every_command_has_examples_that_parse() {
        fn walk(cmd: &clap::Command, path: &str, seen: &mut usize) {
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let name = format!("{path} {}", sub.get_name());
                let help = sub
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                assert!(help.contains("Examples:"), "`{name}` has no examples");
                assert_fits(&help, &name);
                let lines = example_lines(&help);
                assert!(lines.len() >= 2, "`{name}` has fewer than two examples");
                for l in lines {
                    let argv = words(&l);
                    if let Err(e) = Cli::try_parse_from(&argv) {
                        panic!("example of `{name}` does not parse: {l}\n{e}");
                    }
                    *seen += 1;
                }
                walk(sub, &name, seen);
            }
        }
        let cmd = Cli::command();
        let top = cmd
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert_fits(&top, "sigillo");
        for l in example_lines(&top) {
            assert!(Cli::try_parse_from(words(&l)).is_ok(), "{l}");
        }
        let mut seen = 0;
        walk(&cmd, "sigillo", &mut seen);
        assert!(seen > 40, "{seen} examples");
    }

    #[test]
    fn old_flag_spellings_still_parse() {
        for argv in [
            &["sigillo", "key", "new", "--out", "k.pem"][..],
            &["sigillo", "key", "new", "-o", "k.pem", "--json", "-q"],
            &["sigillo", "demo", "-o", "out"],
            &["sigillo", "demo", "--output", "out"],
            &["sigillo", "demo", "-d", "out"],
            &[
                "sigillo",
                "capture",
                "https://a.example/",
                "-o",
                "c.zip",
                "--delay",
                "2.5",
            ],
            &[
                "sigillo",
                "capture",
                "https://a.example/",
                "-o",
                "c.zip",
                "--delay",
                "2s",
            ],
            &[
                "sigillo",
                "capture",
                "https://a.example/",
                "-o",
                "c.zip",
                "--timeout",
                "1h",
            ],
            &[
                "sigillo", "hashes", "c.zip", "--format", "stopncii", "-o", "h.csv",
            ],
            &["sigillo", "hashes", "c.zip", "--json"],
        ] {
            if let Err(e) = Cli::try_parse_from(argv) {
                panic!("{argv:?}: {e}");
            }
        }
        // The hidden aliases are not advertised.
        let help = Cli::command()
            .find_subcommand_mut("key")
            .and_then(|k| k.find_subcommand_mut("new"))
            .map(|n| n.render_long_help().to_string())
            .unwrap_or_default();
        assert!(
            help.contains("--output") && !help.contains("--out "),
            "{help}"
        );
        assert!(
            Cli::try_parse_from(["sigillo", "hashes", "c.zip", "--json", "--format", "csv"])
                .is_err()
        );
    }
}
