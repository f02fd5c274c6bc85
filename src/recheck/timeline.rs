//! The removal timeline of a bundle's captured URLs (`sigillo status`): when each was
//! captured, every re-check and its result, the notices sent, when it was first found
//! removed (and last found online before that), and the hours from notice to removal
//! against a deadline. [`Status`] is the one type of `status --json`.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::compare::{self, Outcome, RecheckFile};
use crate::bundle::layout;
use crate::bundle::reader::BundleReader;
use crate::bundle::state::BundleState;
use crate::error::{Error, Result};
use crate::evidence::custody::Entry;
use crate::evidence::hash::sha256_hex;
use crate::evidence::manifest::ItemKind;
use crate::time::rfc3339;

/// `sigillo status --json`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "sigillo status: the removal timeline of a bundle's URLs")]
pub struct Status {
    /// The bundle's case id.
    pub case: String,
    /// When this timeline was computed (UTC, RFC 3339, local clock).
    pub generated_at: String,
    /// The deadline from notice to removal, in hours (`--deadline`).
    pub deadline_hours: f64,
    /// One entry per captured URL (web item), in item order.
    pub urls: Vec<UrlTimeline>,
}

/// One captured URL.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct UrlTimeline {
    /// The URL as captured.
    pub url: String,
    /// The web item that captured it.
    pub item: String,
    /// When it was captured (the item's `acquired.started`, UTC RFC 3339).
    pub first_captured: String,
    /// Every re-check of the item, oldest first.
    pub rechecks: Vec<RecheckEntry>,
    /// Notices sent about it (custody entries `notice-sent` naming the item), oldest
    /// first. See [`notices_for`].
    pub notices: Vec<Notice>,
    /// The result of the newest re-check (`null`: never re-checked).
    pub latest: Option<Outcome>,
    /// The first re-check that found it removed (`null`: never found removed).
    pub removed_at: Option<String>,
    /// The last time it was found online before `removed_at` (or at all, when it was
    /// never found removed): a re-check, or the capture itself.
    pub last_seen_online: Option<String>,
    /// Notice to removal against the deadline (`null` when no notice was sent).
    pub deadline: Option<DeadlineCheck>,
}

/// One re-check, as its item's `recheck.json` records it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RecheckEntry {
    /// The recheck item.
    pub item: String,
    /// When it was made.
    pub checked_at: String,
    /// What it found.
    pub result: Outcome,
    /// The HTTP status then.
    pub http_status: Option<u16>,
}

/// A notice sent to a platform about the item.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Notice {
    /// The custody entry that records it.
    pub custody_seq: u64,
    /// When it was sent (the entry's time).
    pub sent_at: String,
    /// The clock of `sent_at` (the custody entry's: local, unless a TSA stamped it).
    pub clock: crate::time::Clock,
    /// To whom.
    pub to: Option<String>,
    /// SHA-256 of the notice as sent.
    pub sha256: Option<String>,
}

/// Hours from the first notice to the first removal, against the deadline.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DeadlineCheck {
    /// The first notice.
    pub notice_sent_at: String,
    /// Notice time plus the deadline.
    pub deadline_at: String,
    /// Hours from notice to `removed_at` (`null`: not removed yet). Negative when the
    /// content was found removed before the notice.
    pub hours_to_removal: Option<f64>,
    /// `true`: removed within the deadline; `false`: removed late, or still not found
    /// removed after the deadline; `null`: not removed and the deadline has not passed.
    pub met: Option<bool>,
}

/// The deadline `status` and the report use unless told otherwise: 48 hours.
pub fn default_deadline() -> chrono::Duration {
    chrono::Duration::hours(48)
}

/// The notices about `item` in the custody log: its `notice-sent` entries (`sigillo
/// notice`), oldest first, as [`crate::notice::notices_by_item`] lists them.
pub fn notices_for(custody: &[Entry], item: &str) -> Vec<Notice> {
    crate::notice::notices_by_item(custody)
        .remove(item)
        .map(|n| n.notices)
        .unwrap_or_default()
        .into_iter()
        .map(|n| Notice {
            custody_seq: n.seq,
            sent_at: rfc3339(&n.sent_at),
            clock: n.clock,
            to: Some(n.recipient),
            sha256: Some(n.sha256),
        })
        .collect()
}

/// The timeline of every web item of a verified bundle.
pub fn status(
    reader: &BundleReader,
    state: &BundleState,
    deadline: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Status> {
    let mut urls = Vec::new();
    let mut rechecks: Vec<(String, RecheckEntry)> = Vec::new();
    for it in state
        .items
        .iter()
        .filter(|i| i.manifest.kind == ItemKind::Recheck)
    {
        let f = read_recheck(reader, it)?;
        rechecks.push((
            f.rechecks.clone(),
            RecheckEntry {
                item: it.id.clone(),
                checked_at: f.checked_at,
                result: f.result,
                http_status: f.http_status,
            },
        ));
    }
    for it in state
        .items
        .iter()
        .filter(|i| i.manifest.kind == ItemKind::Web)
    {
        let m = &it.manifest;
        let url = m
            .input
            .get("url")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let first_captured = rfc3339(&m.acquired.started);
        let mut mine: Vec<RecheckEntry> = rechecks
            .iter()
            .filter(|(of, _)| of == &it.id)
            .map(|(_, e)| e.clone())
            .collect();
        mine.sort_by(|a, b| a.checked_at.cmp(&b.checked_at));
        let removed = mine.iter().find(|e| e.result == Outcome::Removed);
        let removed_at = removed.map(|e| e.checked_at.clone());
        let last_seen_online = mine
            .iter()
            .filter(|e| e.result.is_online())
            .filter(|e| removed_at.as_ref().is_none_or(|r| &e.checked_at < r))
            .map(|e| e.checked_at.clone())
            .next_back()
            .or_else(|| Some(first_captured.clone()));
        let notices = notices_for(&state.custody, &it.id);
        let deadline = notices
            .first()
            .and_then(|n| deadline_check(n, removed_at.as_deref(), deadline, now));
        urls.push(UrlTimeline {
            url,
            item: it.id.clone(),
            first_captured,
            latest: mine.last().map(|e| e.result),
            rechecks: mine,
            notices,
            removed_at,
            last_seen_online,
            deadline,
        });
    }
    Ok(Status {
        case: state.case_id.clone(),
        generated_at: rfc3339(&now),
        deadline_hours: deadline.num_seconds() as f64 / 3600.0,
        urls,
    })
}

fn deadline_check(
    n: &Notice,
    removed_at: Option<&str>,
    deadline: chrono::Duration,
    now: DateTime<Utc>,
) -> Option<DeadlineCheck> {
    let sent = crate::time::parse(&n.sent_at)?;
    let due = sent + deadline;
    let removed = removed_at.and_then(crate::time::parse);
    let hours = removed.map(|r| ((r - sent).num_seconds() as f64 / 3600.0 * 100.0).round() / 100.0);
    let met = match removed {
        Some(r) => Some(r <= due),
        None if now > due => Some(false),
        None => None,
    };
    Some(DeadlineCheck {
        notice_sent_at: n.sent_at.clone(),
        deadline_at: rfc3339(&due),
        hours_to_removal: hours,
        met,
    })
}

/// The `recheck.json` of a recheck item, hash-checked against its manifest.
pub fn read_recheck(
    reader: &BundleReader,
    it: &crate::bundle::state::ItemState,
) -> Result<RecheckFile> {
    let f = it.manifest.file(compare::PATH).ok_or_else(|| {
        Error::not_verified(format!("recheck item '{}' has no {}", it.id, compare::PATH))
    })?;
    let name = layout::item_member(&it.id, &f.path);
    let bytes = reader.read_small(&name)?;
    if sha256_hex(&bytes) != f.sha256 {
        return Err(
            Error::not_verified(format!("'{name}' does not match its manifest entry"))
                .with_fix("run `sigillo verify` on the bundle"),
        );
    }
    let file =
        RecheckFile::parse(&bytes).map_err(|e| Error::not_verified(format!("'{name}': {e}")))?;
    if Some(&file.rechecks) != it.manifest.rechecks.as_ref() {
        return Err(Error::not_verified(format!(
            "'{name}' re-checks '{}', but its manifest says '{}'",
            crate::text::clip(&file.rechecks, 80),
            crate::text::clip(it.manifest.rechecks.as_deref().unwrap_or(""), 80)
        )));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines() {
        let n = Notice {
            custody_seq: 3,
            sent_at: "2026-01-01T00:00:00.000Z".into(),
            clock: crate::time::Clock::Local,
            to: None,
            sha256: None,
        };
        let d = chrono::Duration::hours(48);
        let now = crate::time::parse("2026-01-02T00:00:00Z").unwrap();
        let c = deadline_check(&n, Some("2026-01-01T12:30:00.000Z"), d, now).unwrap();
        assert_eq!((c.hours_to_removal, c.met), (Some(12.5), Some(true)));
        let c = deadline_check(&n, None, d, now).unwrap();
        assert_eq!((c.hours_to_removal, c.met), (None, None));
        let later = crate::time::parse("2026-01-04T00:00:00Z").unwrap();
        assert_eq!(deadline_check(&n, None, d, later).unwrap().met, Some(false));
        let c = deadline_check(&n, Some("2026-01-03T06:00:00.000Z"), d, later).unwrap();
        assert_eq!(c.met, Some(false));
        assert_eq!(c.deadline_at, "2026-01-03T00:00:00.000Z");
    }
}
