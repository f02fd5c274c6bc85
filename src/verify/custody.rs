//! The custody layer: the log's chain (links, signatures, sequence, times), the tokens
//! over its entries, and its agreement with the items.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;

use crate::bundle::layout::{self, CUSTODY};
use crate::evidence::custody::{self, Action, Entry, Event, ItemAddedDetails};
use crate::evidence::stamping;
use crate::text::{clip, short};

use super::CheckKind::{Custody, Item, Timestamp};
use super::{Ctx, Status, TimestampRecord};

/// The custody log: chain, tokens, items recorded, content digests.
/// Read the custody log and check its chain once, with the keys the archive layer
/// found: the items layer needs its `encrypted`/`decrypted` entries before [`chain`]
/// judges it.
pub(super) fn read(cx: &mut Ctx) {
    cx.custody_log = Some(cx.read_meta(CUSTODY).map(|bytes| {
        let keymap: HashMap<String, VerifyingKey> =
            cx.st.keys.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let rep = custody::check_chain(&bytes, &keymap);
        (bytes, rep)
    }));
}

pub(super) fn chain(cx: &mut Ctx) {
    if cx.custody_log.is_none() {
        read(cx);
    }
    let (bytes, rep) = match cx.custody_log.take() {
        Some(Ok(read)) => read,
        Some(Err(why)) => {
            cx.checks
                .fail(Custody, CUSTODY, format!("the custody log {why}"));
            return;
        }
        None => return,
    };
    for (w, m) in &rep.problems {
        cx.checks.fail(Custody, w, m);
    }
    for (w, m) in &rep.warnings {
        cx.checks.add(Custody, Status::Warn, w, m);
    }
    for e in &rep.entries {
        cx.signed_by(e.actor_key(), Some(&e.record.actor.name));
    }
    items_recorded(cx, &rep.entries);
    content_digests(cx, &rep.entries);
    tokens(cx, &rep.entries);
    cosignatures(cx, &rep.entries, &bytes);
    if let Some(Event::Created(d)) = rep.entries.first().map(|e| &e.record.event) {
        cx.st.case_id = d.case.clone();
    }
    if rep.problems.is_empty() {
        cx.checks.pass(
            Custody,
            CUSTODY,
            format!(
                "{} entries, every link and signature verifies",
                rep.entries.len()
            ),
        );
    }
    cx.st.custody = rep.entries;
    cx.st.custody_bytes = bytes;
}

/// RFC 3161 tokens over custody entries' signatures, with their revocation data.
fn tokens(cx: &mut Ctx, entries: &[Entry]) {
    let reader = cx.reader;
    let names: Vec<&str> = reader
        .members
        .iter()
        .map(|m| m.name.as_str())
        .filter(|n| layout::is_custody_member(n))
        .collect();
    for n in &names {
        let belongs = layout::custody_revocation_of(n).is_some_and(|(seq, t, _, _)| {
            names.contains(&layout::custody_token_path(seq, t).as_str())
        }) || layout::custody_cosignature_of(n).is_some();
        if !layout::is_custody_token(n) && !belongs {
            cx.checks.fail(
                Timestamp,
                *n,
                "not a custody token, revocation data of one, or a co-signature: a file was added or a token removed",
            );
        }
    }
    for m in reader
        .members
        .iter()
        .filter(|m| layout::is_custody_token(&m.name))
    {
        let entry = layout::custody_token_seq(&m.name)
            .and_then(|s| entries.iter().find(|e| e.record.seq == s));
        let Some(e) = entry else {
            cx.checks.fail(
                Timestamp,
                &m.name,
                "token for a custody entry that does not exist",
            );
            continue;
        };
        let tsr = match cx.read_meta(&m.name) {
            Ok(t) => t,
            Err(why) => {
                cx.checks.fail(Timestamp, &m.name, format!("token {why}"));
                continue;
            }
        };
        let local = crate::time::rfc3339(&e.record.time);
        let mut stored = Vec::new();
        for n in &names {
            if let Some((seq, tn, k, kind)) = layout::custody_revocation_of(n)
                && layout::custody_token_path(seq, tn) == m.name
            {
                match cx.read_meta(n) {
                    Ok(b) => stored.push((n.to_string(), k, kind, b)),
                    Err(why) => cx
                        .checks
                        .fail(Timestamp, *n, format!("revocation data {why}")),
                }
            }
        }
        let t = stamping::check_stored_with(&tsr, &e.signature, cx.anchors, &local, &stored);
        let status = super::trust::token_status(t.verdict);
        cx.checks.add(Timestamp, status, &m.name, t.message);
        cx.timestamps.push(TimestampRecord {
            item: None,
            custody_seq: Some(e.record.seq),
            token: m.name.clone(),
            info: t.facts,
        });
    }
}

/// X.509 co-signatures over custody entries' lines (`custody/<seq>[.N].p7s`), numbered
/// without gaps.
fn cosignatures(cx: &mut Ctx, entries: &[Entry], log: &[u8]) {
    let reader = cx.reader;
    let found: Vec<(u64, usize, String)> = reader
        .members
        .iter()
        .filter_map(|m| {
            layout::custody_cosignature_of(&m.name).map(|(s, n)| (s, n, m.name.clone()))
        })
        .collect();
    let lines: Vec<&[u8]> = log.split(|b| *b == b'\n').collect();
    for (seq, n, name) in &found {
        if *n > 1 && !found.iter().any(|(s, k, _)| s == seq && *k == n - 1) {
            cx.checks.fail(
                super::CheckKind::Cosignature,
                layout::custody_cosignature_path(*seq, n - 1),
                "co-signature missing: the co-signatures after it remain, so one was removed",
            );
        }
        let Some(e) = entries.iter().find(|e| e.record.seq == *seq) else {
            cx.checks.fail(
                super::CheckKind::Cosignature,
                name,
                "co-signature of a custody entry that does not exist",
            );
            continue;
        };
        let Some(line) = e.line_no.checked_sub(1).and_then(|i| lines.get(i)) else {
            continue;
        };
        let p7s = match cx.read_meta(name) {
            Ok(b) => b,
            Err(why) => {
                cx.checks.fail(
                    super::CheckKind::Cosignature,
                    name,
                    format!("co-signature {why}"),
                );
                continue;
            }
        };
        let v = crate::evidence::cades::verify_detached(
            &p7s,
            line,
            cx.signer_anchors,
            cx.anchors.trust(),
        );
        super::cosign::record(cx, super::cosign::Of::Custody(*seq), name, &v);
    }
}

/// Every item recorded exactly once by an item-added entry, in order, by its signer; and
/// no entry for an item that is not there.
fn items_recorded(cx: &mut Ctx, entries: &[Entry]) {
    let added: Vec<(&Entry, &ItemAddedDetails)> = entries
        .iter()
        .filter_map(|e| match &e.record.event {
            Event::ItemAdded(d) => Some((e, d)),
            _ => None,
        })
        .collect();
    for (i, it) in cx.st.items.iter().enumerate() {
        let recs: Vec<usize> = (0..added.len())
            .filter(|&k| added[k].1.item == it.id)
            .collect();
        let c = &mut cx.checks;
        match recs.as_slice() {
            [] => c.fail(
                Custody,
                &it.id,
                "this item was never recorded in the custody log: it was added outside sigillo",
            ),
            [k] => {
                let (e, d) = added[*k];
                if d.manifest_sha256 != it.manifest_sha256 {
                    c.fail(Custody, e.place(), format!("records manifest {} for {}, but the bundle's manifest hashes to {}: the item was replaced", short(&d.manifest_sha256), it.id, short(&it.manifest_sha256)));
                }
                if e.actor_key() != it.manifest.operator.key {
                    c.fail(Custody, e.place(), format!("item {} was sealed by {}, but its custody entry is signed by {}: the entry was re-signed", it.id, clip(&it.manifest.operator.key, 60), clip(e.actor_key(), 60)));
                }
                if *k != i {
                    c.fail(
                        Custody,
                        e.place(),
                        format!("item {} is recorded out of order", it.id),
                    );
                }
            }
            _ => c.fail(
                Custody,
                &it.id,
                "recorded more than once in the custody log",
            ),
        }
    }
    for (e, d) in &added {
        if !cx.st.items.iter().any(|it| it.id == d.item) {
            cx.checks.fail(
                Custody,
                e.place(),
                format!(
                    "records item '{}', which is not in the bundle: an item was removed",
                    clip(&d.item, 80)
                ),
            );
        }
    }
}

/// Each entry's content digest matches the items that existed at that point, and the
/// last entry seals the current content.
fn content_digests(cx: &mut Ctx, entries: &[Entry]) {
    let st = &cx.st;
    let mut n_items = 0usize;
    for e in entries {
        if e.action() == Action::ItemAdded {
            n_items += 1;
        }
        let content = &e.record.content;
        if n_items <= st.items.len()
            && (content.digest != custody::content_digest(&st.item_digests(n_items))
                || content.items != n_items as u64)
        {
            cx.checks.fail(Custody, e.place(), format!("content digest {} does not match the items present at that point: items were changed after this entry", short(&content.digest)));
        }
    }
    let Some(last) = entries.last() else {
        return;
    };
    if last.record.content.digest == st.content_digest()
        && last.record.content.items == st.items.len() as u64
    {
        cx.checks.pass(
            Custody,
            CUSTODY,
            format!(
                "the last entry (#{}) seals the current content ({} items)",
                last.record.seq,
                st.items.len()
            ),
        );
    } else {
        cx.checks.fail(Custody, CUSTODY, "the last custody entry does not seal the bundle's current content: the log was truncated or items changed");
    }
}

/// Every item belongs to the bundle's case (named by the `created` entry).
pub(super) fn items_belong_to_case(cx: &mut Ctx) {
    let st = &cx.st;
    for it in &st.items {
        if !st.case_id.is_empty() && it.manifest.case != st.case_id {
            cx.checks.fail(
                Item,
                &it.id,
                format!(
                    "belongs to case '{}', but the bundle is case '{}'",
                    clip(&it.manifest.case, 80),
                    clip(&st.case_id, 80)
                ),
            );
        }
    }
}
