//! `sigillo encrypt` / `sigillo decrypt`: convert a bundle into a new one whose files are
//! stored encrypted to recipients (or decrypted, for a working copy).

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use serde_json::json;

use super::CmdResult;
use super::args::{EncryptArgs, IdentityArgs, JsonFlag, QuietFlag, SignerArgs, TsaArgs};
use super::output::{errln, outln};
use crate::error::Error;
use crate::seal::{Converted, Direction};

const ENCRYPT_EXAMPLES: &str = "Examples:\n  sigillo encrypt case.zip --encrypt-to age1… -o case-enc.zip\n  sigillo encrypt case.zip --encrypt-to-file recipients.txt -o case-enc.zip --tsa aruba\n  sigillo verify case-enc.zip                      # everything but the content\n  age -d -i court.txt items/0001-…/original/photo.jpg.age > photo.jpg";

const DECRYPT_EXAMPLES: &str = "Examples:\n  sigillo decrypt case-enc.zip --identity lawyer.txt -o working-copy.zip\n  SIGILLO_IDENTITY=lawyer.txt sigillo decrypt case-enc.zip -o working-copy.zip\n  sigillo verify working-copy.zip";

#[derive(Args, Debug)]
#[command(after_help = ENCRYPT_EXAMPLES)]
pub(super) struct EncryptCmdArgs {
    /// The bundle to encrypt (it must verify; it is not changed).
    bundle: PathBuf,
    /// The encrypted bundle to write (a new file).
    #[arg(short = 'o', long = "output", value_name = "case-enc.zip")]
    output: PathBuf,
    #[command(flatten)]
    encrypt: EncryptArgs,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

#[derive(Args, Debug)]
#[command(after_help = DECRYPT_EXAMPLES)]
pub(super) struct DecryptCmdArgs {
    /// The encrypted bundle (it must verify; it is not changed).
    bundle: PathBuf,
    /// The decrypted working copy to write (a new file; its content is readable).
    #[arg(short = 'o', long = "output", value_name = "copy.zip")]
    output: PathBuf,
    #[command(flatten)]
    identity: IdentityArgs,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn encrypt(a: EncryptCmdArgs) -> CmdResult {
    let Some(recipients) = a.encrypt.recipients()? else {
        return Err(Error::input("encrypt needs at least one recipient")
            .with_fix(
                "give --encrypt-to age1… (make one with age-keygen) or --encrypt-to-file FILE",
            )
            .into());
    };
    let signer = a.signer.signer()?;
    let out = crate::seal::convert(
        &a.bundle,
        &a.output,
        &Direction::Encrypt(recipients),
        &signer,
        &a.tsa.endpoints()?,
        a.tsa.require_tsa,
        &super::progress::for_terminal(a.quiet.quiet || a.json.json),
    )?;
    report(&a.output, "encrypted", &out, &signer, a.json.json)
}

pub(super) fn decrypt(a: DecryptCmdArgs) -> CmdResult {
    let Some(ids) = a.identity.load(&a.bundle)? else {
        return Err(
            Error::input("decrypt needs an identity of one of the bundle's recipients")
                .with_fix("give --identity key.txt (or set $SIGILLO_IDENTITY)")
                .into(),
        );
    };
    let signer = a.signer.signer()?;
    let out = crate::seal::convert(
        &a.bundle,
        &a.output,
        &Direction::Decrypt(Arc::clone(&ids)),
        &signer,
        &a.tsa.endpoints()?,
        a.tsa.require_tsa,
        &super::progress::for_terminal(a.quiet.quiet || a.json.json),
    )?;
    report(&a.output, "decrypted", &out, &signer, a.json.json)
}

fn report(
    path: &std::path::Path,
    action: &str,
    out: &Converted,
    signer: &crate::seal::Signer,
    json: bool,
) -> CmdResult {
    for w in &out.warnings {
        errln!("warning: {w}");
    }
    if json {
        outln!(
            "{}",
            json!({
                "bundle": path.display().to_string(),
                "action": action,
                "files": out.files,
                "bytes": out.bytes,
                "custody_entry": out.custody_seq,
                "recipients": out.recipients,
                "signed_by": signer.key.fingerprint(),
            })
        )?;
        return Ok(0);
    }
    outln!(
        "wrote {}: {} file(s) ({} bytes) {action}; custody entry #{} ({action}) signed by {}",
        path.display(),
        out.files,
        out.bytes,
        out.custody_seq,
        signer.key.fingerprint()
    )?;
    if action == "encrypted" {
        outln!("recipients: {}", out.recipients.join(", "))?;
        outln!(
            "the original bundle is unchanged; it still holds the content in clear: delete its copies once the encrypted one is checked (sigillo verify {})",
            path.display()
        )?;
    } else {
        outln!("this working copy holds the content in clear: keep it where only you can read it")?;
    }
    Ok(0)
}
