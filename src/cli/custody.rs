//! `sigillo custody add|show`: record a signed custody entry, or show the timeline.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

use super::CmdResult;
use super::args::{JsonFlag, SignerArgs, TsaArgs};
use super::output::{errln, outln};
use super::verify::print_report;
use crate::evidence::custody::Entry;
use crate::seal::custody_request::{self, CustodyRequest, Prepared};
use crate::verify::{self, VerifyOptions};

#[derive(Subcommand, Debug)]
pub(super) enum CustodyCmd {
    /// Append a signed custody entry (verifies the bundle first).
    Add(Box<CustodyAddArgs>),
    /// Show the custody timeline.
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
}

#[derive(Args, Debug)]
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
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    /// For `verified`: trusted keys to check against.
    #[arg(long, value_name = "PUBKEY_OR_FINGERPRINT")]
    trust: Vec<String>,
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
    Ok(if rep.ok() { 0 } else { 1 })
}

fn print_timeline(entries: &[Entry]) -> CmdResult<()> {
    outln!(
        "{:>3}  {:<24}  {:<12}  {:<10}  by",
        "#",
        "time (UTC)",
        "action",
        "signature"
    )?;
    for e in entries {
        let r = &e.record;
        let who = r.actor.display();
        let what = r
            .event
            .subject()
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        outln!(
            "{:>3}  {:<24}  {:<12}  {:<10}  {who} [{}]{}{what}",
            r.seq,
            crate::time::rfc3339(&r.time),
            r.event.action(),
            if e.signature_ok { "valid" } else { "INVALID" },
            r.actor.key,
            r.note
                .as_ref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
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
    };
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
    errln!(
        "recorded custody entry #{seq} ({}) in {}, signed by {}",
        action,
        a.bundle.display(),
        signer.key.fingerprint()
    );
    Ok(0)
}
