//! The archive layer: structure, every member read once (in parallel with the whole-file
//! hash), and the public keys in `keys/`.

use crate::bundle::layout;
use crate::evidence::hash::Digest256;
use crate::evidence::keys;
use crate::text::clip;

use super::{CheckKind::Archive, CheckKind::Keys, Ctx, MemberRead};

/// Structural problems, then one read verdict per member. Returns the SHA-256 of the
/// whole bundle file (of the bundle inside it, for a `.p7m`).
pub(super) fn members(cx: &mut Ctx, progress: &crate::progress::Progress) -> String {
    let reader = cx.reader;
    for p in &reader.problems {
        cx.checks.fail(Archive, clip(&p.subject, 1100), &p.message);
    }
    let ids = cx.identities;
    let is_age = |m: &crate::bundle::reader::Member| {
        m.name.starts_with(layout::ITEMS_DIR)
            && m.name.ends_with(crate::evidence::encryption::SUFFIX)
    };
    let (hashes, bundle_sha256) = rayon::join(
        || match ids {
            Some(ids) => reader.hash_all_decrypting(progress, &is_age, ids),
            None => reader
                .hash_all_with(progress)
                .into_iter()
                .map(|h| (h, None))
                .collect(),
        },
        || {
            crate::evidence::hash::sha256_reader(&mut reader.whole())
                .map(|d| d.sha256)
                .unwrap_or_default()
        },
    );
    let mut unreadable = 0;
    for (m, (h, plain)) in reader.members.iter().zip(hashes) {
        if let Some(p) = plain {
            cx.plaintexts.insert(m.name.clone(), p);
        }
        let read = match h {
            Ok(d) if d.size == m.size => MemberRead::Ok(d),
            Ok(d) => MemberRead::Unreadable {
                reason: format!("holds {} bytes but its header declares {}", d.size, m.size),
                // Fewer bytes than declared: what it holds is known. More: we stopped reading.
                actual: (d.size < m.size).then_some(d.sha256),
            },
            Err(e) => MemberRead::Unreadable {
                reason: clip(&e, 200),
                actual: reader
                    .sha256_unchecked(m)
                    .ok()
                    .filter(|d: &Digest256| d.size == m.size)
                    .map(|d| d.sha256),
            },
        };
        match &read {
            MemberRead::Ok(d) => {
                cx.st.hashes.insert(m.name.clone(), d.sha256.clone());
            }
            MemberRead::Unreadable { reason, actual } => {
                unreadable += 1;
                let actual = actual
                    .as_ref()
                    .map(|a| format!(" (its bytes, read without the CRC check, hash to {a})"))
                    .unwrap_or_default();
                cx.checks.fail(
                    Archive,
                    &m.name,
                    format!("cannot be read: {reason}{actual}"),
                );
            }
        }
        cx.reads.insert(m.name.clone(), read);
    }
    if reader.problems.is_empty() && unreadable == 0 {
        cx.checks.pass(
            Archive,
            "(archive)",
            format!(
                "{} members, safe names, no duplicates, every member readable",
                reader.members.len()
            ),
        );
    }
    bundle_sha256
}

/// Every `keys/*.pub.pem` parses and is named after its fingerprint.
pub(super) fn keys(cx: &mut Ctx) {
    let reader = cx.reader;
    for m in reader
        .members
        .iter()
        .filter(|m| layout::is_key_member(&m.name))
    {
        cx.key_files.insert(m.name.clone());
        let text = match cx.read_meta(&m.name) {
            Ok(b) => String::from_utf8(b).unwrap_or_default(),
            Err(why) => {
                cx.checks.fail(Keys, &m.name, why);
                continue;
            }
        };
        match keys::parse_public_pem(&text) {
            None => cx
                .checks
                .fail(Keys, &m.name, "not an Ed25519 public key (SPKI PEM)"),
            Some(vk) => {
                let fpr = keys::fingerprint(&vk);
                if layout::key_path(&fpr) != m.name {
                    cx.checks.fail(Keys, &m.name, format!("the key in this file has fingerprint {fpr}, which does not match its name: the key was replaced"));
                } else {
                    cx.st.keys.insert(fpr, vk);
                }
            }
        }
    }
}

/// Every stored key signed something (checked once items and custody are known).
pub(super) fn keys_used(cx: &mut Ctx) {
    for f in &cx.key_files {
        let used = cx
            .st
            .keys
            .keys()
            .any(|fpr| layout::key_path(fpr) == *f && cx.used_keys.contains(fpr));
        if !used && !cx.checks.0.iter().any(|x| x.subject == *f) {
            cx.checks.fail(
                Keys,
                f,
                "public key not used by any signature in the bundle: an extra file was added",
            );
        }
    }
}
