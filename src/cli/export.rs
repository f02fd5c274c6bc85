//! `sigillo export`: the bundle in a form another system takes: `--p7m`, an enveloping
//! CAdES signature of the whole bundle for court deposit; `--garante`, the pack for a
//! report to the Italian Garante (Art. 144-bis privacy code).

use std::path::PathBuf;

use clap::Args;

use super::CmdResult;
use super::args::{CosignerArgs, JsonFlag, QuietFlag, TsaArgs};
use super::output::{errln, outln};
use crate::error::Error;

const EXAMPLES: &str = "Examples:
  SIGILLO_PIN=… sigillo export case.zip --p7m -o case.zip.p7m --signer pkcs12:/home/rossi/firma.p12
  sigillo export case.zip --p7m -o c.p7m --signer 'pkcs11:token=ROSSI;object=firma' --tsa aruba
  sigillo verify case.zip.p7m --signer-ca ca.pem      # checks the envelope, then the bundle inside
  # the bundle back, byte for byte:
  openssl cms -verify -binary -inform DER -in case.zip.p7m -CAfile ca.pem -out case.zip
  sigillo export case.zip --garante -o garante.zip --item 2   # media, hashes.csv, riepilogo
  sigillo export safe.zip --garante -o garante.zip --identity me.age   # an encrypted bundle";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["p7m", "garante"])))]
#[command(mut_arg("json", |a| a.help("Print the file written, its signer and level as JSON")))]
#[command(mut_arg("quiet", |a| a.help("Print nothing but warnings and errors")))]
pub(super) struct ExportArgs {
    /// The bundle to export (it must verify).
    bundle: PathBuf,
    /// Write an enveloping CAdES-BES signature (DER .p7m) holding the whole bundle, byte for
    /// byte: the form court deposit systems accept for signed documents.
    #[arg(long)]
    p7m: bool,
    /// Write the pack for a report to the Italian Garante (Art. 144-bis d.lgs. 196/2003):
    /// the original media byte for byte, hashes.csv (SHA-256, MD5, PDQ) and a one-page
    /// summary in Italian (HTML, and PDF when Chromium is there). Nothing is sent.
    #[arg(long, conflicts_with = "p7m")]
    garante: bool,
    /// With --garante: only this item (repeatable; id or number) [default: every item
    /// with media].
    #[arg(long, value_name = "ID", requires = "garante")]
    item: Vec<String>,
    /// The file to write (never replaced if it exists).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    #[command(flatten)]
    identity: super::args::IdentityArgs,
    /// Chromium executable for the --garante summary's PDF [default: $CHROME, else
    /// /usr/bin/chromium].
    #[arg(long, value_name = "PATH")]
    browser: Option<PathBuf>,
    #[command(flatten)]
    signer: CosignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(a: ExportArgs) -> CmdResult {
    super::args::not_the_bundle(&a.output, &a.bundle, "-o")?;
    if a.garante {
        return garante(a);
    }
    if a.signer.signer.len() != 1 {
        return Err(Error::input(format!(
            "export --p7m needs exactly one --signer (got {})",
            a.signer.signer.len()
        ))
        .with_fix("name the certificate that signs the envelope: --signer pkcs12:FILE or --signer pkcs11:URI")
        .into());
    }
    let endpoints = a.tsa.endpoints()?;
    let signers = a.signer.open()?;
    let out = crate::export::export_p7m(
        &a.bundle,
        &a.output,
        signers[0].as_ref(),
        &endpoints,
        a.tsa.require_tsa,
    )?;
    for n in &out.notes {
        errln!("warning: {n}");
    }
    let who = out
        .signer
        .common_name
        .clone()
        .unwrap_or_else(|| out.signer.subject.clone());
    if a.json.json {
        outln!(
            "{}",
            serde_json::json!({"bundle": a.bundle.display().to_string(), "output": out.path.display().to_string(),
                               "bytes": out.bytes, "level": format!("CAdES-{}", out.level), "signer": who,
                               "signer_serial_number": out.signer.serial_number, "bundle_sha256": out.bundle_sha256,
                               "warnings": out.notes})
        )?;
        return Ok(0);
    }
    if a.quiet.quiet {
        return Ok(0);
    }
    outln!(
        "wrote {} ({} bytes): CAdES-{} enveloping signature by {who}{} over {} (SHA-256 {})",
        out.path.display(),
        out.bytes,
        out.level,
        out.signer
            .serial_number
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default(),
        a.bundle.display(),
        out.bundle_sha256
    )?;
    outln!(
        "check it: sigillo verify {} --signer-ca CA.pem   or   openssl cms -verify -binary -inform DER -in {} -CAfile CA.pem -out bundle.zip",
        out.path.display(),
        out.path.display()
    )?;
    Ok(0)
}

fn garante(a: ExportArgs) -> CmdResult {
    if !a.signer.signer.is_empty() {
        return Err(Error::input("--signer goes with --p7m, not --garante")
            .with_fix("leave them out: the Garante pack is not signed (its files are the sealed originals)")
            .into());
    }
    let ids = a.identity.load(&a.bundle)?;
    let out = crate::export::garante::export_garante(
        &a.bundle,
        &a.output,
        &a.item,
        ids.as_deref(),
        a.browser.as_deref(),
    )?;
    for n in &out.notes {
        errln!("warning: {n}");
    }
    if a.json.json {
        outln!(
            "{}",
            serde_json::json!({"bundle": a.bundle.display().to_string(), "output": out.path.display().to_string(),
                               "bytes": out.bytes, "items": out.items, "media": out.media, "pdf": out.pdf,
                               "warnings": out.notes})
        )?;
        return Ok(0);
    }
    if !a.quiet.quiet {
        outln!(
            "wrote {} ({} bytes): {} media file(s) of {} item(s), each SHA-256 checked, hashes.csv, riepilogo.html{}. Nothing was sent: upload it with the report to the Garante.",
            out.path.display(),
            out.bytes,
            out.media,
            out.items.len(),
            if out.pdf { " and riepilogo.pdf" } else { "" }
        )?;
    }
    Ok(0)
}
