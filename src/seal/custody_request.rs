//! What a new custody entry records: turn a requested action into the entry's typed
//! [`Event`] (action and details), checking what each action needs.
//!
//! `verified` runs a full verification first and records its verdict; a bundle that
//! does not verify is refused (the caller shows the report and records nothing).

use std::path::Path;

use crate::error::{Error, Result};
use crate::evidence::custody::{self, Event};
use crate::verify::{self, Report, VerifyOptions};

/// The custody action a user asked to record, with what it needs.
#[derive(Debug, Clone)]
pub enum CustodyRequest {
    /// Handed over to `to` (required).
    Transferred {
        /// Recipient.
        to: Option<String>,
    },
    /// Received from `from` (optional).
    Received {
        /// Sender.
        from: Option<String>,
    },
    /// Verified against these trusted keys.
    Verified {
        /// Public key files or `SHA256:` fingerprints.
        trust: Vec<String>,
    },
    /// A working copy was exported.
    Exported,
    /// A free-text note (the entry's note is required).
    Note,
    /// A platform's reply to a notice: `notice-acknowledged` or `removal-confirmed`.
    PlatformReply {
        /// Which reply.
        reply: Reply,
        /// The items it is about (`--item`, at least one; ids or numbers).
        items: Vec<String>,
        /// The platform's reference (ticket or case number).
        reference: Option<String>,
        /// The reply file (an e-mail, a screenshot of the ticket): its name, size and
        /// SHA-256 are recorded, the file is not stored.
        file: Option<std::path::PathBuf>,
    },
}

/// A platform's reply to a removal notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// `notice-acknowledged`: the platform received the notice.
    Acknowledged,
    /// `removal-confirmed`: the platform says the content was removed.
    RemovalConfirmed,
}

/// The outcome of preparing an entry.
#[derive(Debug)]
pub enum Prepared {
    /// Ready to append.
    Ready(Event),
    /// `verified` was asked but the bundle does not verify: nothing may be recorded.
    Refused(Box<Report>),
}

/// Build the entry for `req` on `bundle` (with `note`); see [`Prepared`].
pub fn prepare(bundle: &Path, req: &CustodyRequest, note: Option<&str>) -> Result<Prepared> {
    let event = match req {
        CustodyRequest::Transferred { to } => {
            let to = to.clone().ok_or_else(|| {
                Error::input("--action transferred needs --to \"Recipient Name, Organisation\"")
                    .with_fix("add --to")
            })?;
            Event::Transferred(custody::TransferredDetails { to })
        }
        CustodyRequest::Received { from } => {
            Event::Received(custody::ReceivedDetails { from: from.clone() })
        }
        CustodyRequest::Verified { trust } => {
            let rep = verify::verify(
                bundle,
                &VerifyOptions {
                    trust: trust.clone(),
                    tsa_ca: Vec::new(),
                    ..Default::default()
                },
            )?;
            if !rep.ok() {
                return Ok(Prepared::Refused(Box::new(rep)));
            }
            Event::Verified(rep.custody_details())
        }
        CustodyRequest::Exported => Event::Exported(custody::NoDetails {}),
        CustodyRequest::Note => {
            if note.is_none() {
                return Err(
                    Error::input("--action note needs --note TEXT").with_fix("add --note \"…\"")
                );
            }
            Event::Note(custody::NoDetails {})
        }
        CustodyRequest::PlatformReply {
            reply,
            items,
            reference,
            file,
        } => platform_reply(
            bundle,
            *reply,
            items,
            reference.clone(),
            file.as_deref(),
            note,
        )?,
    };
    Ok(Prepared::Ready(event))
}

/// The entry for a platform's reply: the items resolved to their ids in the (verified)
/// bundle, the reply file hashed.
fn platform_reply(
    bundle: &Path,
    reply: Reply,
    items: &[String],
    reference: Option<String>,
    file: Option<&Path>,
    note: Option<&str>,
) -> Result<Event> {
    let name = match reply {
        Reply::Acknowledged => "notice-acknowledged",
        Reply::RemovalConfirmed => "removal-confirmed",
    };
    if items.is_empty() {
        return Err(Error::input(format!(
            "--action {name} needs --item ID (the item the platform's reply is about)"
        ))
        .with_fix("add --item (repeatable); `sigillo ls` lists the items"));
    }
    if reference.is_none() && note.is_none() {
        return Err(Error::input(format!(
            "--action {name} needs --reference TEXT (the platform's ticket or case number) or --note TEXT"
        ))
        .with_fix("add --reference \"…\" or --note \"…\""));
    }
    let state = verify::verified_state(bundle)?;
    let mut ids = Vec::with_capacity(items.len());
    for want in items {
        let id = state.find_item(want)?.id.clone();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let file = match file {
        Some(p) => {
            if p.is_dir() {
                return Err(
                    Error::input(format!("--file '{}' is a folder", p.display()))
                        .with_fix("give the reply file itself (an .eml, a PDF, a screenshot)"),
                );
            }
            let d = crate::evidence::hash::sha256_file(p)?;
            Some(custody::ReplyFile {
                name: p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                size: d.size,
                sha256: d.sha256,
            })
        }
        None => None,
    };
    let details = custody::PlatformReplyDetails {
        items: ids,
        reference,
        file,
    };
    Ok(match reply {
        Reply::Acknowledged => Event::NoticeAcknowledged(details),
        Reply::RemovalConfirmed => Event::RemovalConfirmed(details),
    })
}

/// The error for a `verified` entry refused because `bundle` does not verify.
pub fn refused_error(bundle: &Path) -> Error {
    Error::not_verified(format!(
        "'{}' does not verify; nothing was recorded",
        bundle.display()
    ))
    .with_fix(
        "a bundle that fails verification cannot take new custody entries; report the problems",
    )
}
