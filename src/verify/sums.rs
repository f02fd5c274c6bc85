//! The sums layer: `SHA256SUMS` lists every other member with its SHA-256 — a member that
//! cannot be read fails here too — and `SHA256SUMS.sig` is by the last custodian.

use std::collections::BTreeMap;

use crate::bundle::layout::{SUMS, SUMS_SIG};
use crate::evidence::keys;
use crate::text::clip;

use super::CheckKind::Sums;
use super::{Ctx, MemberRead, unreadable_message};

/// SHA256SUMS and its signature. "ok" only when every member was read and matches.
pub(super) fn sums(cx: &mut Ctx) {
    let bytes = match cx.read_meta(SUMS) {
        Ok(b) => b,
        Err(why) => {
            cx.checks.fail(Sums, SUMS, format!("SHA256SUMS {why}"));
            return;
        }
    };
    let (listed, mut ok) = parse(cx, &bytes);
    ok &= members_listed(cx, &listed);
    signature(cx, &bytes);
    if ok {
        cx.checks.pass(
            Sums,
            SUMS,
            format!("{} members listed with matching SHA-256", listed.len()),
        );
    }
}

/// Name → hash; false when a line is malformed or a name repeats.
fn parse(cx: &mut Ctx, bytes: &[u8]) -> (BTreeMap<String, String>, bool) {
    let text = String::from_utf8_lossy(bytes);
    let mut listed = BTreeMap::new();
    let mut ok = true;
    for (i, line) in text.lines().enumerate() {
        let place = format!("SHA256SUMS line {}", i + 1);
        let Some((h, name)) = line.split_once("  ") else {
            cx.checks.fail(Sums, place, "malformed line");
            ok = false;
            continue;
        };
        if listed.insert(name.to_string(), h.to_string()).is_some() {
            cx.checks
                .fail(Sums, place, format!("'{}' listed twice", clip(name, 200)));
            ok = false;
        }
    }
    (listed, ok)
}

/// Every member is listed with the hash of what it holds, and every listed name exists.
fn members_listed(cx: &mut Ctx, listed: &BTreeMap<String, String>) -> bool {
    let mut ok = true;
    let reader = cx.reader;
    for m in &reader.members {
        if m.name == SUMS || m.name == SUMS_SIG {
            continue;
        }
        let Some(want) = listed.get(&m.name) else {
            cx.checks.fail(
                Sums,
                &m.name,
                "not listed in SHA256SUMS: the file was added after sealing",
            );
            ok = false;
            continue;
        };
        let problem = match cx.reads.get(&m.name) {
            Some(MemberRead::Ok(d)) if d.sha256 == *want => None,
            Some(MemberRead::Ok(d)) => Some(format!(
                "SHA256SUMS says {}, actual {}",
                clip(want, 80),
                d.sha256
            )),
            Some(MemberRead::Unreadable { reason, actual }) => {
                Some(unreadable_message(reason, want, actual.as_deref()))
            }
            None => Some("was not read".into()),
        };
        if let Some(p) = problem {
            cx.checks.fail(Sums, &m.name, p);
            ok = false;
        }
    }
    for name in listed.keys() {
        if reader.member(name).is_none() {
            cx.checks.fail(
                Sums,
                clip(name, 1100),
                "listed in SHA256SUMS but missing from the bundle",
            );
            ok = false;
        }
    }
    ok
}

/// SHA256SUMS.sig verifies with the key of the last custody entry's actor.
fn signature(cx: &mut Ctx, sums: &[u8]) {
    let signer = cx
        .st
        .custody
        .last()
        .map(|e| e.actor_key().to_string())
        .unwrap_or_default();
    let shown = clip(&signer, 60);
    let sig = match cx.read_meta(SUMS_SIG) {
        Ok(s) => s,
        Err(why) => {
            cx.checks
                .fail(Sums, SUMS_SIG, format!("SHA256SUMS.sig {why}"));
            return;
        }
    };
    let Some(vk) = cx.st.keys.get(&signer) else {
        cx.checks.fail(
            Sums,
            SUMS_SIG,
            "no key to check SHA256SUMS.sig with (the custody log names no known last actor)",
        );
        return;
    };
    if keys::verify_raw(vk, sums, &sig) {
        cx.checks.pass(
            Sums,
            SUMS_SIG,
            format!("SHA256SUMS is signed by the last custodian {shown}"),
        );
    } else {
        cx.checks.fail(Sums, SUMS_SIG, format!("the signature over SHA256SUMS does not verify with the last custodian's key {shown}"));
    }
}
