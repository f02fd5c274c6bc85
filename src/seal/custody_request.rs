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
    };
    Ok(Prepared::Ready(event))
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
