//! The notices recorded in a bundle's custody log, per item: what `sigillo status` shows
//! next to each URL's rechecks.
//!
//! A `notice-sent` entry names the items the notice is about; `notice-acknowledged` and
//! `removal-confirmed` entries (a platform's replies, recorded with `custody add`) name
//! items too. [`notices_by_item`] groups all three by item id, in log order. Call it on
//! the entries of a bundle that verified (`verify::verified_state(..)?.custody`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::evidence::custody::{self, Entry, Event, NoticeFormat, ReplyFile};
use crate::time::Clock;

/// A removal notice written for an item (a `notice-sent` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The custody entry's number.
    pub seq: u64,
    /// The item this listing is for.
    pub item: String,
    /// Every item the notice names (this one among them).
    pub items: Vec<String>,
    /// The recipient platform.
    pub recipient: String,
    /// The URLs the notice names.
    pub urls: Vec<String>,
    /// When the notice was written (the entry's time) and by which clock.
    pub sent_at: DateTime<Utc>,
    /// The clock of `sent_at`.
    pub clock: Clock,
    /// SHA-256 of the notice file.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its format.
    pub format: NoticeFormat,
    /// Its file name.
    pub file: String,
    /// The notifier named in it.
    pub notifier: String,
    /// Who recorded it: the entry's actor ("Name (role, organisation)").
    pub recorded_by: String,
}

/// A platform's reply recorded for an item (`notice-acknowledged`, `removal-confirmed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformReply {
    /// The custody entry's number.
    pub seq: u64,
    /// When it was recorded (the entry's time).
    pub at: DateTime<Utc>,
    /// The clock of `at`.
    pub clock: Clock,
    /// The platform's reference, if given.
    pub reference: Option<String>,
    /// The reply file, if given (name, size, SHA-256).
    pub file: Option<ReplyFile>,
    /// The entry's note.
    pub note: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
}

/// Everything about notices for one item, in custody-log order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemNotices {
    /// Notices sent.
    pub notices: Vec<Notice>,
    /// The platforms' acknowledgements.
    pub acknowledgements: Vec<PlatformReply>,
    /// The platforms' confirmations of removal.
    pub removal_confirmations: Vec<PlatformReply>,
}

/// The notices, acknowledgements and removal confirmations in `entries` (a verified
/// bundle's custody log), by item id; items without any are absent.
pub fn notices_by_item(entries: &[Entry]) -> BTreeMap<String, ItemNotices> {
    let mut out: BTreeMap<String, ItemNotices> = BTreeMap::new();
    for e in entries {
        let r = &e.record;
        let reply = |d: &custody::PlatformReplyDetails| PlatformReply {
            seq: r.seq,
            at: r.time,
            clock: r.clock,
            reference: d.reference.clone(),
            file: d.file.clone(),
            note: r.note.clone(),
            recorded_by: r.actor.display(),
        };
        match &r.event {
            Event::NoticeSent(d) => {
                for item in &d.items {
                    out.entry(item.clone()).or_default().notices.push(Notice {
                        seq: r.seq,
                        item: item.clone(),
                        items: d.items.clone(),
                        recipient: d.recipient.clone(),
                        urls: d.urls.clone(),
                        sent_at: r.time,
                        clock: r.clock,
                        sha256: d.sha256.clone(),
                        size: d.size,
                        format: d.format,
                        file: d.file.clone(),
                        notifier: d.notifier.clone(),
                        recorded_by: r.actor.display(),
                    });
                }
            }
            Event::NoticeAcknowledged(d) => {
                for item in &d.items {
                    out.entry(item.clone())
                        .or_default()
                        .acknowledgements
                        .push(reply(d));
                }
            }
            Event::RemovalConfirmed(d) => {
                for item in &d.items {
                    out.entry(item.clone())
                        .or_default()
                        .removal_confirmations
                        .push(reply(d));
                }
            }
            _ => {}
        }
    }
    out
}
