//! `sigillo add`: seal files, folders or a chat export into a bundle as one new item.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::json;

use super::CmdResult;
use super::args::{BundleOutput, CaseNote, JsonFlag, QuietFlag, SignerArgs, TsaArgs};
use super::output::{errln, outln};
use crate::acquire::Acquisition;
use crate::acquire::chat::{self, ChatFormat, ChatOptions};
use crate::error::{Error, Result};
use crate::seal::{self, SealOptions, Signer};

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum AddAs {
    /// Detect from the content (default).
    Auto,
    /// Plain files.
    Files,
    /// A WhatsApp export (.txt or .zip).
    ChatWhatsapp,
    /// A Telegram Desktop export (result.json or its folder).
    ChatTelegram,
    /// A Telegram Desktop HTML export (messages.html or its folder).
    ChatTelegramHtml,
    /// An Instagram "Download your information" JSON export (message_1.json, thread folder or zip).
    ChatInstagram,
    /// A Facebook Messenger "Download your information" JSON export (as for Instagram).
    ChatMessenger,
    /// A DiscordChatExporter JSON export.
    ChatDiscord,
    /// A Signal text export.
    ChatSignal,
}

const EXAMPLES: &str = "Examples:
  sigillo add photos/IMG_0042.jpg screenshots/ -o case.zip --case RG-1234/2026 --note \"client\"
  sigillo add \"WhatsApp Chat with Marco.zip\" -o case.zip   # a chat export: detected and transcribed
  sigillo add photos/ -o safe.zip --tsa https://freetsa.org/tsr --encrypt-to-file recipients.txt";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("note", |a| a.help("A note recorded with the item")))]
#[command(mut_arg("json", |a| a.help("Print a JSON summary on stdout")))]
#[command(mut_arg("quiet", |a| a.help("No progress bar and no summary on stderr")))]
pub(super) struct AddArgs {
    /// Files or folders to seal (folders recursively).
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    output: BundleOutput,
    #[command(flatten)]
    item: CaseNote,
    /// What the input is.
    #[arg(long = "as", value_enum, default_value_t = AddAs::Auto)]
    as_: AddAs,
    /// Date order of a WhatsApp export when it cannot be detected (DD/MM/YYYY, MM/DD/YY, YYYY-MM-DD).
    #[arg(long, value_name = "FORMAT")]
    date_format: Option<String>,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    encrypt: super::args::EncryptArgs,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(a: AddArgs) -> CmdResult {
    let output = a.output.checked()?;
    for i in &a.inputs {
        if let (Ok(x), Ok(y)) = (std::fs::canonicalize(i), std::fs::canonicalize(output))
            && x == y
        {
            return Err(Error::input("the bundle cannot contain itself")
                .with_fix("choose another -o path")
                .into());
        }
    }
    let signer = a.signer.signer()?;
    // Refuse early, before any work, if the bundle exists and does not verify.
    if output.exists() {
        seal::open_verified(output)?;
    }
    let acq = acquire(&a, output, &signer)?;
    for w in &acq.warnings {
        errln!("warning: {w}");
    }
    let opts = SealOptions {
        case: a.item.case.clone(),
        note: a.item.note.clone(),
        tsa: a.tsa.endpoints()?,
        require_tsa: a.tsa.require_tsa,
        tsa_timeout: None,
        progress: super::progress::for_terminal(a.json.json || a.quiet.quiet),
        encrypt_to: a.encrypt.recipients()?,
    };
    let s = seal::seal(output, acq, &signer, &opts)?;
    for w in &s.tsa_failures {
        errln!("warning: {w}");
    }
    if a.json.json {
        outln!(
            "{}",
            json!({"bundle": output.display().to_string(), "case": s.case_id, "item": s.item_id, "manifest_sha256": s.manifest_sha256,
                   "files": s.files, "bytes": s.bytes, "timestamps": s.tokens, "signer": signer.key.fingerprint()})
        )?;
    } else if !a.quiet.quiet {
        errln!(
            "sealed item {} ({} files, {} bytes) into {} — case {}, signed by {}{}",
            s.item_id,
            s.files,
            s.bytes,
            output.display(),
            s.case_id,
            signer.key.fingerprint(),
            if s.tokens > 0 {
                format!(", {} trusted timestamp(s)", s.tokens)
            } else {
                String::new()
            }
        );
    }
    Ok(0)
}

/// Acquire the inputs: one chat export (given or detected), or plain files.
fn acquire(a: &AddArgs, output: &Path, signer: &Signer) -> Result<Acquisition> {
    let single = (a.inputs.len() == 1).then(|| a.inputs[0].clone());
    let chat_format = match (a.as_, &single) {
        (AddAs::Files, _) => None,
        (AddAs::ChatWhatsapp, _) => Some(ChatFormat::WhatsApp),
        (AddAs::ChatTelegram, _) => Some(ChatFormat::Telegram),
        (AddAs::ChatTelegramHtml, _) => Some(ChatFormat::TelegramHtml),
        (AddAs::ChatInstagram | AddAs::ChatMessenger, _) => Some(ChatFormat::Meta),
        (AddAs::ChatDiscord, _) => Some(ChatFormat::Discord),
        (AddAs::ChatSignal, _) => Some(ChatFormat::Signal),
        (AddAs::Auto, Some(p)) if p.exists() => chat::detect(p)?,
        (AddAs::Auto, _) => None,
    };
    match (chat_format, &single) {
        (Some(f), Some(p)) => {
            if !a.quiet.quiet && !a.json.json {
                errln!("detected a {} chat export", f.app());
            }
            let opts = ChatOptions {
                date_format: a.date_format.clone(),
            };
            chat::acquire(p, f, &opts)
        }
        (Some(_), None) => Err(Error::input("a chat export is added on its own")
            .with_fix("add one export per command")),
        (None, _) => crate::acquire::files::acquire(
            &a.inputs,
            &[output.to_path_buf(), signer.key.path.clone()],
        ),
    }
}
