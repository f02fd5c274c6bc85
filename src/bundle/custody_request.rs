//! What a new custody entry records: turn a requested action into the entry's
//! [`Action`] and `details`, checking what each action needs.
//!
//! `verified` runs a full verification first and records its verdict; a bundle that
//! does not verify is refused (the caller shows the report and records nothing).

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::evidence::custody::Action;
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

/// A custody entry ready to be appended.
#[derive(Debug)]
pub struct CustodyEvent {
    /// The action.
    pub action: Action,
    /// The entry's `details`.
    pub details: Map<String, Value>,
}

/// The outcome of preparing an entry.
#[derive(Debug)]
pub enum Prepared {
    /// Ready to append.
    Ready(CustodyEvent),
    /// `verified` was asked but the bundle does not verify: nothing may be recorded.
    Refused(Box<Report>),
}

/// Build the entry for `req` on `bundle` (with `note`); see [`Prepared`].
pub fn prepare(bundle: &Path, req: &CustodyRequest, note: Option<&str>) -> Result<Prepared> {
    let mut details = Map::new();
    let action = match req {
        CustodyRequest::Transferred { to } => {
            let to = to.clone().ok_or_else(|| {
                Error::input("--action transferred needs --to \"Recipient Name, Organisation\"")
                    .with_fix("add --to")
            })?;
            details.insert("to".into(), json!(to));
            Action::Transferred
        }
        CustodyRequest::Received { from } => {
            if let Some(f) = from {
                details.insert("from".into(), json!(f));
            }
            Action::Received
        }
        CustodyRequest::Verified { trust } => {
            let rep = verify::verify(
                bundle,
                &VerifyOptions {
                    trust: trust.clone(),
                    tsa_ca: Vec::new(),
                },
            )?;
            if !rep.ok() {
                return Ok(Prepared::Refused(Box::new(rep)));
            }
            details = verified_details(&rep);
            Action::Verified
        }
        CustodyRequest::Exported => Action::Exported,
        CustodyRequest::Note => {
            if note.is_none() {
                return Err(
                    Error::input("--action note needs --note TEXT").with_fix("add --note \"…\"")
                );
            }
            Action::Note
        }
    };
    Ok(Prepared::Ready(CustodyEvent { action, details }))
}

/// The `details` of a `verified` entry: what the verification found.
fn verified_details(rep: &Report) -> Map<String, Value> {
    let mut d = Map::new();
    d.insert("verdict".into(), json!(rep.verdict));
    d.insert("bundle_sha256".into(), json!(rep.bundle_sha256));
    d.insert("checks".into(), json!(rep.checks.len()));
    d.insert("failures".into(), json!(rep.failures.len()));
    d
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
