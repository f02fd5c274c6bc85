//! `sigillo verify`: check a bundle and print the verdict, check by check.

use std::path::{Path, PathBuf};

use clap::Args;

use super::CmdResult;
use super::args::{JsonFlag, QuietFlag};
use super::output::outln;
use super::style::{Tone, paint};
use crate::error::{Error, Result};
use crate::verify::{self, Report, Status, VerifyOptions};

const EXAMPLES: &str = "Examples:
  sigillo verify case.zip --trust rossi.pem.pub              # exit 0 = every check passed
  sigillo verify case.zip --trust-file trusted.txt --tsa-ca tsa-root.pem --json > verify.json
  sigillo verify case.zip.p7m --signer-ca qualified-ca.pem   # the envelope, then the bundle inside";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print the machine-readable report (schema: docs/verify-json.md)")))]
#[command(mut_arg("quiet", |a| a.help("Print only the verdict and failures")))]
pub(super) struct VerifyArgs {
    /// The bundle to check.
    bundle: PathBuf,
    /// A public key file or SHA256:… fingerprint you trust (repeatable).
    #[arg(long, value_name = "PUBKEY_OR_FINGERPRINT")]
    trust: Vec<String>,
    /// A file with one trusted fingerprint per line, optionally followed by a name.
    #[arg(long, value_name = "FILE")]
    trust_file: Option<PathBuf>,
    /// Root certificate(s) for timestamp authorities (PEM, repeatable).
    #[arg(long, value_name = "PEM")]
    tsa_ca: Vec<PathBuf>,
    /// An EU trusted list (ETSI TS 119 612 XML) you downloaded: reports whether each
    /// TSA was a qualified time-stamping service (QTST, granted) at genTime.
    #[arg(long, value_name = "XML")]
    trusted_list: Option<PathBuf>,
    /// Root certificate(s) X.509 co-signers must chain to (PEM, repeatable). A
    /// co-signature whose certificate does not chain to them fails; without this flag
    /// the system store is used and an unchained co-signature is only flagged untrusted.
    #[arg(long, value_name = "PEM")]
    signer_ca: Vec<PathBuf>,
    #[command(flatten)]
    identity: super::args::IdentityArgs,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(a: VerifyArgs) -> CmdResult {
    let opts = VerifyOptions {
        trust: trust_list(&a.trust, a.trust_file.as_deref())?,
        tsa_ca: a.tsa_ca.clone(),
        trusted_list: a.trusted_list.clone(),
        signer_ca: a.signer_ca.clone(),
        identities: a.identity.load(&a.bundle)?,
        progress: super::progress::for_terminal(a.quiet.quiet || a.json.json),
    };
    let rep = verify::verify(&a.bundle, &opts)?;
    if a.json.json {
        let text =
            serde_json::to_string_pretty(&rep).map_err(|e| Error::internal(e.to_string()))?;
        outln!("{text}")?;
    } else {
        print_report(&rep, a.quiet.quiet)?;
    }
    Ok(if rep.ok() { 0 } else { 1 })
}

/// `--trust` values plus the fingerprints of `--trust-file` (one per line, `#` comments).
fn trust_list(args: &[String], file: Option<&Path>) -> Result<Vec<String>> {
    let mut v = args.to_vec();
    if let Some(f) = file {
        let text =
            std::fs::read_to_string(f).map_err(|e| Error::io("read the trust file", f, e))?;
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let fpr = line.split_whitespace().next().unwrap_or("");
            if !fpr.starts_with("SHA256:") {
                return Err(Error::input(format!(
                    "'{}': line '{line}' does not start with a SHA256: fingerprint",
                    f.display()
                ))
                .with_fix("write one fingerprint per line, optionally followed by a name"));
            }
            v.push(fpr.to_string());
        }
    }
    Ok(v)
}

/// Print the checks, signers and verdict (`quiet`: only the verdict and failures).
pub(super) fn print_report(rep: &Report, quiet: bool) -> CmdResult<()> {
    if !quiet {
        print_checks(rep)?;
    }
    if rep.ok() {
        outln!(
            "{} {} — every check passed.",
            paint("VERIFIED:", Tone::Good),
            rep.bundle
        )?;
    } else {
        outln!(
            "{} {} — {} problem(s):",
            paint("NOT VERIFIED:", Tone::Bad),
            rep.bundle,
            rep.failures.len()
        )?;
        for f in &rep.failures {
            outln!("  - {} {}: {}", f.check, f.subject, f.message)?;
        }
    }
    if let Some(e) = &rep.encryption {
        outln!("content: {}", e.statement)?;
    }
    outln!("time: {}", rep.time_basis.statement)?;
    Ok(())
}

/// Every check, then the signers and whether they are pinned.
fn print_checks(rep: &Report) -> CmdResult<()> {
    outln!("bundle  {}\nsha256  {}", rep.bundle, rep.bundle_sha256)?;
    for c in &rep.checks {
        let tag = match c.status {
            Status::Pass => paint("ok  ", Tone::Good),
            Status::Fail => paint("FAIL", Tone::Bad),
            Status::Warn => paint("warn", Tone::Warn),
            Status::Info => paint("info", Tone::Dim),
        };
        outln!("{tag}  {:<9} {}: {}", c.check, c.subject, c.message)?;
    }
    outln!()?;
    outln!("signers:")?;
    for s in &rep.signers {
        if let Some(h) = &s.certificate {
            let t = if s.trusted == Some(true) {
                "trusted certificate"
            } else {
                "certificate NOT TRUSTED"
            };
            outln!("  {}  {}  ({t})", s.fingerprint, s.names.join(", "))?;
            outln!(
                "      subject {}; issuer {}; qualified (QcCompliance): {}",
                h.subject,
                h.issuer,
                if h.qualified { "yes" } else { "no" }
            )?;
            continue;
        }
        let t = match s.trusted {
            Some(true) => "trusted",
            Some(false) => "NOT TRUSTED",
            None => "not pinned",
        };
        outln!("  {}  {}  ({t})", s.fingerprint, s.names.join(", "))?;
    }
    if !rep.trust_pinned {
        outln!(
            "note: no --trust given: the signatures are only self-consistent. Compare the fingerprints above with the\n      ones the operator declared, or run again with --trust <their .pub file>."
        )?;
    }
    Ok(())
}
