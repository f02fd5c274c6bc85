//! `sigillo timestamp`: add RFC 3161 tokens to items that lack them (or renew them);
//! `sigillo timestamp verify`: check a standalone token, whoever made it.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::CmdResult;
use super::args::{JsonFlag, QuietFlag, SignerArgs, TsaArgs};
use super::output::{errln, outln};
use crate::error::Error;
use crate::verify::token::{self, Subject, TokenCheckOptions, TokenReport};

const EXAMPLES: &str = "Examples:
  sigillo timestamp case.zip --tsa https://freetsa.org/tsr        # items without a token get one
  sigillo timestamp case.zip --tsa aruba --renew                  # [tsa.aruba] in config.toml
  sigillo timestamp case.zip --signer pkcs12:firma.p12 --tsa aruba   # co-sign each item (CAdES-B-T)
  sigillo timestamp verify photo.jpg.tsr --data photo.jpg --tsa-ca tsa-root.pem";

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print what was added, skipped and failed as JSON")))]
#[command(mut_arg("quiet", |a| a.help("Print only warnings and errors")))]
pub(super) struct TimestampArgs {
    #[command(subcommand)]
    action: Option<TimestampAction>,
    /// The bundle.
    #[arg(required = true)]
    bundle: Option<PathBuf>,
    /// Also add a new token to items that already have one (renewal for long-term validity).
    #[arg(long)]
    renew: bool,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

#[derive(Subcommand, Debug)]
enum TimestampAction {
    /// Verify a standalone RFC 3161 token (.tsr reply or bare token, DER) or an RFC 5544
    /// .tsd file, as `openssl ts -verify` does; the TSA chain is judged at genTime.
    ///
    /// Exit 0: valid and trusted; 1: invalid or untrusted; 2: cannot run.
    #[command(
        after_help = "Examples:\n  sigillo timestamp verify photo.jpg.tsr --data photo.jpg --tsa-ca tsa-root.pem\n  sigillo timestamp verify contract.pdf.tsd --tsa-ca tsa-root.pem\n  sigillo timestamp verify token.tsr --digest 9f86d0…  --certs tsa-chain.pem --json"
    )]
    Verify(VerifyTokenArgs),
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("subject").args(["data", "digest"])))]
struct VerifyTokenArgs {
    /// The token: a TimeStampResp, a TimeStampToken or a TimeStampedData (.tsd), DER.
    token: PathBuf,
    /// The file that was stamped (not needed for a .tsd that holds its data).
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// The stamped data's hash, in hex, with the token's hash algorithm.
    #[arg(long, value_name = "HEX")]
    digest: Option<String>,
    /// Root certificate(s) the TSA must chain to (PEM, repeatable; default: the system
    /// trust store).
    #[arg(long, value_name = "PEM")]
    tsa_ca: Vec<PathBuf>,
    /// Certificates the token does not embed: the TSA's certificate and intermediates
    /// (PEM or DER, repeatable; like openssl's -untrusted).
    #[arg(long, value_name = "PEM")]
    certs: Vec<PathBuf>,
    /// An OCSP response or CRL (DER, repeatable) for the TSA's certificate or its
    /// issuers, as kept with the token: judged at genTime, offline. A token whose data
    /// shows the TSA revoked before genTime is invalid.
    #[arg(long, value_name = "FILE")]
    revocation: Vec<PathBuf>,
    #[command(flatten)]
    json: JsonFlag,
}

pub(super) fn run(t: TimestampArgs) -> CmdResult {
    if let Some(TimestampAction::Verify(v)) = t.action {
        return verify(v);
    }
    let Some(bundle) = t.bundle else {
        return Err(Error::input("no bundle given")
            .with_fix("run `sigillo timestamp BUNDLE`, or `sigillo timestamp verify TOKEN`")
            .into());
    };
    let signer = t.signer.signer()?;
    let endpoints = t.tsa.endpoints()?;
    let (json, quiet) = (t.json.json, t.quiet.quiet || t.json.json);
    let mut cosigned = Vec::new();
    // --signer: every item's manifest gets a co-signature (CAdES-B-T with --tsa).
    if !signer.cosigners.is_empty() {
        let c = crate::seal::add_cosignatures(&bundle, &endpoints, t.tsa.require_tsa, &signer)?;
        for f in &c.added {
            if !quiet {
                errln!("co-signed: {f}");
            }
        }
        for n in &c.notes {
            errln!("warning: {n}");
        }
        cosigned = c.added;
        if endpoints.is_empty() {
            if json {
                outln!(
                    "{}",
                    serde_json::json!({"bundle": bundle.display().to_string(), "cosigned": cosigned,
                                                "timestamped": [], "skipped": [], "failed": []})
                )?;
            }
            return Ok(0);
        }
    }
    let out =
        crate::seal::add_timestamps(&bundle, &endpoints, t.renew, t.tsa.require_tsa, &signer)?;
    if !quiet {
        for (item, file) in &out.added {
            errln!("timestamped {item}: {file}");
        }
        for s in &out.skipped {
            errln!("skipped {s}: it already has a token (use --renew to add another)");
        }
    }
    for f in &out.failed {
        errln!("warning: {f}");
    }
    if json {
        let added: Vec<_> = out
            .added
            .iter()
            .map(|(item, file)| serde_json::json!({"item": item, "file": file}))
            .collect();
        outln!(
            "{}",
            serde_json::json!({"bundle": bundle.display().to_string(), "cosigned": cosigned,
                                        "timestamped": added, "skipped": out.skipped, "failed": out.failed})
        )?;
    }
    if !out.failed.is_empty() && (t.tsa.require_tsa || out.added.is_empty()) {
        return Err(
            Error::partial(format!("{} timestamp request(s) failed", out.failed.len()))
                .with_fix("check the TSA URL and the network, then run `sigillo timestamp` again")
                .into(),
        );
    }
    Ok(0)
}

fn verify(a: VerifyTokenArgs) -> CmdResult {
    let subject = match (&a.data, &a.digest) {
        (Some(p), _) => {
            Subject::Data(std::fs::read(p).map_err(|e| Error::io("read the data", p, e))?)
        }
        (None, Some(h)) => Subject::Digest(hex::decode(h.trim()).map_err(|e| {
            Error::input(format!(
                "--digest '{}' is not hexadecimal ({e})",
                crate::text::clip(h, 80)
            ))
            .with_fix("give the hash as hex digits, e.g. the output of sha256sum")
        })?),
        (None, None) => Subject::Inside,
    };
    let opts = TokenCheckOptions {
        tsa_ca: a.tsa_ca,
        certs: a.certs,
        revocation: a.revocation,
    };
    let rep = token::check_token_file(&a.token, &subject, &opts)?;
    if a.json.json {
        let text =
            serde_json::to_string_pretty(&rep).map_err(|e| Error::internal(e.to_string()))?;
        outln!("{text}")?;
    } else {
        print_token_report(&rep)?;
    }
    Ok(if rep.trusted() { 0 } else { 1 })
}

fn print_token_report(rep: &TokenReport) -> Result<(), super::CliError> {
    let none = "-";
    for t in &rep.tokens {
        let status = match t.status {
            token::TokenVerdictName::Trusted => "TRUSTED",
            token::TokenVerdictName::Untrusted => "UNTRUSTED",
            token::TokenVerdictName::Invalid => "INVALID",
        };
        if rep.tokens.len() > 1 {
            outln!("token {} of {}: {status}", t.index, rep.tokens.len())?;
        } else {
            outln!("token: {status}")?;
        }
        if let Some(r) = &t.reason {
            outln!("  reason:      {r}")?;
        }
        outln!("  genTime:     {}", t.gen_time.as_deref().unwrap_or(none))?;
        outln!("  TSA name:    {}", t.tsa_name.as_deref().unwrap_or(none))?;
        outln!("  signer:      {}", t.signer.as_deref().unwrap_or(none))?;
        outln!("  policy:      {}", t.policy.as_deref().unwrap_or(none))?;
        outln!("  serial:      {}", t.serial.as_deref().unwrap_or(none))?;
        outln!(
            "  accuracy:    {}",
            t.accuracy_ms
                .map_or_else(|| "not stated".to_string(), |ms| format!("{ms} ms"))
        )?;
        outln!(
            "  hash:        {}",
            t.hash_algorithm.as_deref().unwrap_or(none)
        )?;
        if t.chain.is_empty() {
            outln!("  chain:       {none}")?;
        } else {
            outln!(
                "  chain:       {} (validated at genTime)",
                t.chain.join(" <- ")
            )?;
        }
        if let Some(e) = &t.signer_expired {
            outln!("  note:        {e}")?;
        }
        outln!(
            "  revocation:  {}",
            match (&t.revocation.source, &t.revocation.produced_at) {
                _ if t.revocation.status == "none" =>
                    "none (no revocation data given: --revocation FILE)".to_string(),
                (Some(src), Some(at)) => format!("{} ({src} of {at})", t.revocation.status),
                _ => t.revocation.status.clone(),
            }
        )?;
        if let Some(l) = &t.lenient {
            outln!("  encoding:    {l}")?;
        }
    }
    let verdict = match rep.verdict {
        token::TokenVerdictName::Trusted => {
            "TRUSTED: every token is valid and chains to a trusted root"
        }
        token::TokenVerdictName::Untrusted => "UNTRUSTED: valid, but no chain to a trusted root",
        token::TokenVerdictName::Invalid => {
            "INVALID: a token is broken, altered or not over this data"
        }
    };
    outln!("{} ({}; anchors: {})", verdict, rep.kind, rep.anchors)?;
    Ok(())
}
