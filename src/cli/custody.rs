//! `sigillo custody add|show`: record a signed custody entry, or show the timeline.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

use super::CmdResult;
use super::args::{JsonFlag, QuietFlag, SignerArgs, TsaArgs};
use super::output::{errln, outln};
use super::style::{Grid, Tone};
use super::verify::print_report;
use crate::evidence::custody::Entry;
use crate::seal::custody_request::{self, CustodyRequest, Prepared};
use crate::verify::{self, VerifyOptions};

/// Examples of the `custody` commands, shown by `sigillo custody --help`.
pub(super) const EXAMPLES: &str = "Examples:
  sigillo custody add case.zip --action transferred --to \"Isp. Luca Bianchi, Polizia Postale\"
  sigillo custody add case.zip --action received --from \"Avv. Maria Rossi\" --key me.pem
  sigillo custody show case.zip";

const ADD_EXAMPLES: &str = "Examples:
  sigillo custody add case.zip --action transferred --to \"Isp. Luca Bianchi, Polizia Postale\"
  sigillo custody add case.zip --action received --from \"Avv. Maria Rossi\" --key me.pem
  sigillo custody add case.zip --action verified --trust rossi.pem.pub --tsa https://freetsa.org/tsr
  sigillo custody add case.zip --action notice-acknowledged --item 2 --reference T-4815 --file r.eml
  sigillo custody add case.zip --action removal-confirmed --item 2 --note \"post removed\"";

const SHOW_EXAMPLES: &str = "Examples:
  sigillo custody show case.zip   # who held it, when, what they did (exit 1 if it does not verify)
  sigillo custody show case.zip --json";

#[derive(Subcommand, Debug)]
pub(super) enum CustodyCmd {
    /// Append a signed custody entry (verifies the bundle first).
    #[command(after_help = ADD_EXAMPLES)]
    Add(Box<CustodyAddArgs>),
    /// Show the custody timeline.
    #[command(after_help = SHOW_EXAMPLES)]
    Show(CustodyShowArgs),
}

#[derive(Args, Debug)]
pub(super) struct CustodyShowArgs {
    /// The bundle.
    bundle: PathBuf,
    #[command(flatten)]
    json: JsonFlag,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum CustodyAction {
    Transferred,
    Received,
    Verified,
    Exported,
    Note,
    NoticeAcknowledged,
    RemovalConfirmed,
}

#[derive(Args, Debug)]
#[command(mut_arg("json", |a| a.help("Print the new entry's number, action and signer as JSON")))]
#[command(mut_arg("quiet", |a| a.help("Print no summary on stderr")))]
pub(super) struct CustodyAddArgs {
    /// The bundle.
    bundle: PathBuf,
    /// What happened.
    #[arg(long, value_enum)]
    action: CustodyAction,
    /// Recipient (for `transferred`).
    #[arg(long)]
    to: Option<String>,
    /// Sender (for `received`).
    #[arg(long)]
    from: Option<String>,
    /// Free text.
    #[arg(long)]
    note: Option<String>,
    /// For `notice-acknowledged`/`removal-confirmed`: the item the reply is about
    /// (repeatable; id or number).
    #[arg(long, value_name = "ID")]
    item: Vec<String>,
    /// For `notice-acknowledged`/`removal-confirmed`: the platform's ticket or case number.
    #[arg(long, value_name = "TEXT")]
    reference: Option<String>,
    /// For `notice-acknowledged`/`removal-confirmed`: the platform's reply file (e-mail,
    /// PDF, screenshot); its name, size and SHA-256 are recorded, the file is not stored.
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    /// For `verified`: trusted keys to check against.
    #[arg(long, value_name = "PUBKEY_OR_FINGERPRINT")]
    trust: Vec<String>,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(c: CustodyCmd) -> CmdResult {
    match c {
        CustodyCmd::Show(s) => show(s),
        CustodyCmd::Add(a) => add(*a),
    }
}

fn show(s: CustodyShowArgs) -> CmdResult {
    let rep = verify::verify(&s.bundle, &VerifyOptions::default())?;
    if s.json.json {
        let v: Vec<Value> = rep
            .state
            .custody
            .iter()
            .map(|e| {
                let mut o = serde_json::to_value(&e.record).unwrap_or(Value::Null);
                if let Some(m) = o.as_object_mut() {
                    m.insert("signature_ok".into(), json!(e.signature_ok));
                }
                o
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
    } else {
        print_timeline(&rep.state.custody)?;
        let failing: Vec<&str> = rep
            .failures
            .iter()
            .filter(|f| f.check == crate::verify::CheckKind::Custody)
            .map(|f| f.subject.as_str())
            .collect();
        if !failing.is_empty() {
            outln!(
                "\nthe custody chain does NOT verify: {}",
                failing.join("; ")
            )?;
        }
    }
    if !rep.ok() {
        errln!(
            "warning: the bundle does NOT verify ({} problem(s)); run `sigillo verify {}`",
            rep.failures.len(),
            s.bundle.display()
        );
        return Ok(1);
    }
    Ok(0)
}

/// The timeline as a table: one labelled column per fact (subject and note apart).
fn print_timeline(entries: &[Entry]) -> CmdResult<()> {
    let mut g = Grid::new(&[
        "#",
        "time (UTC)",
        "action",
        "signature",
        "by",
        "key",
        "subject",
        "note",
    ])
    .right(0);
    for e in entries {
        let r = &e.record;
        let (sig, tone) = if e.signature_ok {
            ("valid", Tone::Good)
        } else {
            ("INVALID", Tone::Bad)
        };
        g.row_toned(
            &[
                r.seq.to_string(),
                crate::time::rfc3339(&r.time),
                r.event.action().to_string(),
                sig.to_string(),
                r.actor.display(),
                r.actor.key.clone(),
                r.event.subject().unwrap_or("-").to_string(),
                r.note.clone().unwrap_or_else(|| "-".into()),
            ],
            (3, tone),
        );
    }
    g.print("")
}

fn add(a: CustodyAddArgs) -> CmdResult {
    let signer = a.signer.signer()?;
    let req = match a.action {
        CustodyAction::Transferred => CustodyRequest::Transferred { to: a.to.clone() },
        CustodyAction::Received => CustodyRequest::Received {
            from: a.from.clone(),
        },
        CustodyAction::Verified => CustodyRequest::Verified {
            trust: a.trust.clone(),
        },
        CustodyAction::Exported => CustodyRequest::Exported,
        CustodyAction::Note => CustodyRequest::Note,
        CustodyAction::NoticeAcknowledged | CustodyAction::RemovalConfirmed => {
            CustodyRequest::PlatformReply {
                reply: if matches!(a.action, CustodyAction::NoticeAcknowledged) {
                    custody_request::Reply::Acknowledged
                } else {
                    custody_request::Reply::RemovalConfirmed
                },
                items: a.item.clone(),
                reference: a.reference.clone(),
                file: a.file.clone(),
            }
        }
    };
    if !matches!(
        a.action,
        CustodyAction::NoticeAcknowledged | CustodyAction::RemovalConfirmed
    ) && (!a.item.is_empty() || a.reference.is_some() || a.file.is_some())
    {
        return Err(crate::error::Error::input(
            "--item, --reference and --file go with --action notice-acknowledged or removal-confirmed",
        )
        .with_fix("leave them out, or choose one of those actions")
        .into());
    }
    let event = match custody_request::prepare(&a.bundle, &req, a.note.as_deref())? {
        Prepared::Ready(e) => e,
        Prepared::Refused(rep) => {
            print_report(&rep, true)?;
            return Err(custody_request::refused_error(&a.bundle).into());
        }
    };
    let action = event.action();
    let (seq, warnings) = crate::seal::append_custody(
        &a.bundle,
        event,
        a.note.as_deref(),
        &signer,
        &a.tsa.endpoints()?,
        a.tsa.require_tsa,
    )?;
    for w in &warnings {
        errln!("warning: {w}");
    }
    if a.json.json {
        outln!(
            "{}",
            json!({"bundle": a.bundle.display().to_string(), "seq": seq, "action": action.to_string(),
                   "signer": signer.key.fingerprint(), "warnings": warnings})
        )?;
    } else if !a.quiet.quiet {
        errln!(
            "recorded custody entry #{seq} ({}) in {}, signed by {}",
            action,
            a.bundle.display(),
            signer.key.fingerprint()
        );
    }
    Ok(0)
}
