//! The encryption layer: in an encrypted item every file is an age file whose stored
//! hash the manifest lists (checked by the items layer like any file); with an identity
//! (`--identity`) each is also decrypted, streaming, and its plaintext checked against
//! the manifest's size and SHA-256. Without one, the verdict says plainly that the
//! content was not decrypted.

use std::collections::BTreeSet;

use crate::bundle::state::{Conversion, Stored};
use crate::evidence::encryption;
use crate::evidence::manifest::{FileEntry, Manifest};
use crate::text::clip;

use super::CheckKind::{File, Item};
use super::{Ctx, Status};

/// What the encryption layer saw, for the report.
#[derive(Debug, Default)]
pub(super) struct Seen {
    pub(super) items: u64,
    pub(super) plain_items: u64,
    pub(super) files: u64,
    pub(super) decrypted: u64,
    pub(super) recipients: BTreeSet<String>,
    /// The custody line of the `decrypted` entry that made this a decrypted copy.
    pub(super) decrypted_copy: Option<usize>,
    /// The custody line of the `encrypted` entry that encrypted sealed items.
    pub(super) converted: Option<usize>,
}

/// With an identity: the plaintext of the encrypted member `p` against `f`'s size and
/// SHA-256 (`None` when it matches, or when there is no identity to check with).
pub(super) fn plaintext_problem(cx: &Ctx, p: &str, f: &FileEntry) -> Option<String> {
    let ids = cx.identities?;
    let got = match cx.plaintexts.get(p) {
        Some(r) => r.clone(),
        // Not decrypted in the archive pass (an age member outside the usual names).
        None => {
            let m = cx.reader.member(p)?;
            cx.reader
                .with_reader(m, |r| {
                    let mut plain = ids.decrypt(std::io::Read::take(r, m.size))?;
                    crate::evidence::hash::sha256_reader(&mut plain)
                })
                .map_err(|e| e.to_string())
        }
    };
    match got {
        Err(e) => Some(format!(
            "cannot be decrypted with the identity given: {}",
            clip(&e, 200)
        )),
        Ok(d) if d.size != f.size || d.sha256 != f.sha256 => Some(format!(
            "decrypted, it holds {} bytes with SHA-256 {}; the manifest says {} bytes, {}",
            d.size,
            d.sha256,
            f.size,
            clip(&f.sha256, 80)
        )),
        Ok(_) => None,
    }
}

/// The item's encryption as a whole: every file encrypted (or none), the private part
/// listed, the recipients named; one line saying what was and was not decrypted.
/// `stored` says how each file is stored now (as sealed, or as `conv`, a later
/// `encrypted`/`decrypted` custody entry, says); `counts` is (files stored encrypted,
/// of those decrypted and matched).
pub(super) fn item(
    cx: &mut Ctx,
    id: &str,
    manifest: &Manifest,
    stored: &[Stored],
    recipients: &[String],
    conv: Option<&Conversion>,
    (encrypted, decrypted): (u64, u64),
) {
    let n = manifest.files.len() as u64;
    let with_age = stored.iter().filter(|s| s.encrypted).count() as u64;
    if let Some(Conversion::Decrypted { line, .. }) = conv {
        cx.encryption.plain_items += 1;
        cx.encryption.decrypted_copy = Some(*line);
        if manifest.encryption.is_some() {
            private_part(cx, id, manifest, stored);
        }
        return;
    }
    if let Some(Conversion::Encrypted { line, .. }) = conv {
        cx.encryption.converted = Some(*line);
    }
    if with_age == 0 {
        cx.encryption.plain_items += 1;
        if manifest.encryption.is_some() {
            cx.checks.fail(
                Item,
                id,
                "the manifest has an encryption block, but no file is stored encrypted",
            );
        }
        return;
    }
    cx.encryption.items += 1;
    cx.encryption.files += n;
    cx.encryption.decrypted += decrypted;
    cx.encryption
        .recipients
        .extend(recipients.iter().map(|r| clip(r, 200)));
    for (f, s) in manifest.files.iter().zip(stored) {
        if !s.encrypted {
            cx.checks.fail(
                File,
                clip(&crate::bundle::layout::item_member(id, &f.path), 1100),
                "stored unencrypted in an encrypted item: its content is readable",
            );
        } else if !s.path.ends_with(encryption::SUFFIX) {
            cx.checks.fail(
                File,
                clip(&crate::bundle::layout::item_member(id, &s.path), 1100),
                "an encrypted member must be named <file>.age",
            );
        }
    }
    if recipients.is_empty() {
        cx.checks.fail(
            Item,
            id,
            "files are stored encrypted, but neither the manifest nor the custody log names their recipients",
        );
    }
    if let Some(enc) = &manifest.encryption {
        if !manifest.files.iter().any(|f| f.path == enc.private) {
            cx.checks.fail(
                Item,
                id,
                format!(
                    "the private part '{}' the manifest names is not among its files",
                    clip(&enc.private, 200)
                ),
            );
        }
        if enc.scheme != "age" || enc.recipients.is_empty() {
            cx.checks.fail(
                Item,
                id,
                "the encryption block must name the scheme `age` and at least one recipient",
            );
        }
    } else if conv.is_none() {
        cx.checks.fail(
            Item,
            id,
            "files are stored encrypted, but the manifest has no encryption block and no custody entry says they were encrypted",
        );
    }
    if cx.identities.is_some() && manifest.encryption.is_some() {
        private_part(cx, id, manifest, stored);
    }
    let who = format!("{} recipient(s)", recipients.len());
    if cx.identities.is_some() {
        if decrypted == encrypted && encrypted == n {
            cx.checks.pass(
                File,
                id,
                format!("{n} encrypted files decrypted with the identity given: every plaintext size and SHA-256 matches the manifest"),
            );
        }
    } else {
        cx.checks.add(
            File,
            Status::Info,
            id,
            format!("{n} files encrypted to {who}: the encrypted members match the manifest; their content was NOT decrypted (give --identity to check the plaintext hashes)"),
        );
    }
}

/// The sentence the text output prints after the verdict (`content: …`), when any item
/// is encrypted.
pub(super) fn statement(seen: &Seen, decrypting: bool) -> Option<String> {
    if seen.items == 0 {
        return seen.decrypted_copy.map(|line| {
            format!("a decrypted working copy (custody.jsonl line {line}): the content is NOT encrypted; every plaintext was checked against its manifest")
        });
    }
    let who: Vec<&str> = seen.recipients.iter().map(String::as_str).collect();
    let mut s = format!(
        "{} of {} item(s) encrypted (age) to {}",
        seen.items,
        seen.items + seen.plain_items,
        who.join(", ")
    );
    if decrypting {
        s.push_str(&format!(
            "; {} of {} file(s) decrypted and checked",
            seen.decrypted, seen.files
        ));
    } else {
        s.push_str(
            "; content not decrypted: the plaintext hashes in the manifests were not checked",
        );
    }
    if seen.plain_items > 0 {
        s.push_str(&format!("; {} item(s) are NOT encrypted", seen.plain_items));
    }
    if let Some(line) = seen.converted {
        s.push_str(&format!("; encrypted after sealing (custody.jsonl line {line}): the manifests signed before stay readable (file names, paths, metadata facts)"));
    }
    Some(s)
}

/// The private part parses (`sigillo-private/1`, strictly) and names exactly the item's
/// other files: decrypted with the identity, or read as it is in a decrypted copy.
fn private_part(cx: &mut Ctx, id: &str, manifest: &Manifest, stored: &[Stored]) {
    let Some(enc) = &manifest.encryption else {
        return;
    };
    let path = enc.private.as_str();
    let Some(s) = manifest
        .files
        .iter()
        .zip(stored)
        .find(|(f, _)| f.path == path)
        .map(|(_, s)| s)
    else {
        return;
    };
    let member = crate::bundle::layout::item_member(id, &s.path);
    let Some(m) = cx.reader.member(&member) else {
        return;
    };
    let bytes = match (s.encrypted, cx.identities) {
        (true, Some(ids)) => cx.reader.read_decrypted(m, ids).ok(),
        (true, None) => None,
        (false, _) => cx.reader.read_small(&member).ok(),
    };
    // Unreadable: the file check already says why.
    let Some(bytes) = bytes else { return };
    let shown = clip(&member, 1100);
    let part: encryption::PrivatePart = match serde_json::from_slice(&bytes) {
        Ok(p) => p,
        Err(e) => {
            cx.checks.fail(
                Item,
                shown,
                format!(
                    "the private part is not sigillo-private/1 ({})",
                    clip(&e.to_string(), 200)
                ),
            );
            return;
        }
    };
    let named: BTreeSet<&str> = part.files.iter().map(|f| f.path.as_str()).collect();
    let listed: BTreeSet<&str> = manifest
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| *p != path)
        .collect();
    if part.format != encryption::PRIVATE_FORMAT || named != listed {
        cx.checks.fail(
            Item,
            shown,
            "the private part does not name exactly the item's files",
        );
    }
}
