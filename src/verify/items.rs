//! The items layer: for each item folder, its manifest, the signature over it, the
//! trusted timestamps over that signature, and its files.

use std::collections::{BTreeMap, BTreeSet};

use crate::bundle::layout;
use crate::bundle::state::{Conversion, ItemState, Stored};
use crate::evidence::hash::sha256_hex;
use crate::evidence::keys;
use crate::evidence::manifest::{FileEntry, FileRole, ItemKind, Manifest};
use crate::evidence::stamping;
use crate::text::clip;

use super::CheckKind::{Archive, File, Item, Signature, Timestamp};
use super::{Ctx, MemberRead, Status, TimestampRecord, unreadable_message};

/// Every item folder, in sequence.
pub(super) fn all(cx: &mut Ctx) {
    cx.st.conversions = conversions(cx);
    let folders = item_folders(cx);
    for (n, (id, files)) in folders.iter().enumerate() {
        item(cx, n as u64 + 1, id, files);
    }
    if folders.is_empty() {
        cx.checks.add(
            Item,
            Status::Info,
            "(bundle)",
            "the bundle holds no items yet",
        );
    }
}

/// The `encrypted`/`decrypted` entries of the custody log (read by `custody::read`,
/// judged later by the custody layer): they say how the items' files are stored now.
fn conversions(cx: &Ctx) -> Vec<Conversion> {
    match &cx.custody_log {
        Some(Ok((_, rep))) => Conversion::from_entries(&rep.entries),
        _ => Vec::new(),
    }
}

/// Item id → the file names in its folder (archive order).
fn item_folders(cx: &mut Ctx) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &cx.reader.members {
        match layout::split_item_member(&m.name) {
            Some(Ok((id, file))) => out
                .entry(id.to_string())
                .or_default()
                .push(file.to_string()),
            Some(Err(())) => cx.checks.fail(
                Archive,
                &m.name,
                "file directly under items/ (not in an item folder)",
            ),
            None => {}
        }
    }
    out
}

/// One item: its number, manifest, signature and tokens, files.
fn item(cx: &mut Ctx, want_seq: u64, id: &str, files: &[String]) {
    if !id.starts_with(&format!("{want_seq:04}-")) {
        cx.checks.fail(
            Item,
            id,
            format!(
                "item folder should be number {want_seq:04}: an item was removed, added or renamed"
            ),
        );
    }
    let Some((manifest, mbytes)) = manifest(cx, want_seq, id) else {
        return;
    };
    rechecked(cx, id, &manifest);
    followed(cx, id, &manifest);
    if let Some(sig) = signature(cx, id, &manifest, &mbytes) {
        timestamps(cx, id, files, &manifest, &sig);
    }
    super::cosign::item(cx, id, files, &mbytes);
    let conv = Conversion::governing(&cx.st.conversions, want_seq).cloned();
    let (stored, recipients) = match Conversion::storage(conv.as_ref(), id, &manifest) {
        Ok(s) => s,
        Err(why) => {
            cx.checks.fail(File, id, why);
            // Judge the files as sealed: each is then reported missing or mismatched.
            Conversion::storage(None, id, &manifest).unwrap_or_default()
        }
    };
    let counts = item_files(cx, id, files, &manifest, &stored);
    super::encrypted::item(
        cx,
        id,
        &manifest,
        &stored,
        &recipients,
        conv.as_ref(),
        counts,
    );
    cx.st.items.push(ItemState {
        id: id.to_string(),
        manifest,
        manifest_sha256: sha256_hex(&mbytes),
        stored,
        recipients,
    });
}

/// A `recheck` item names an earlier item it re-checks, and only a recheck names one.
fn rechecked(cx: &mut Ctx, id: &str, manifest: &Manifest) {
    let shown = layout::manifest_path(id);
    match (&manifest.rechecks, manifest.kind == ItemKind::Recheck) {
        (None, false) => {}
        (None, true) => cx.checks.fail(
            Item,
            &shown,
            "a recheck item must name the item it re-checks (`rechecks`)",
        ),
        (Some(_), false) => cx.checks.fail(
            Item,
            &shown,
            format!(
                "only a recheck item names an item it re-checks, not a {} item",
                manifest.kind
            ),
        ),
        (Some(r), true) => match cx.st.items.iter().find(|i| &i.id == r) {
            None => cx.checks.fail(
                Item,
                &shown,
                format!(
                    "re-checks item '{}', which is not an earlier item of the bundle",
                    clip(r, 80)
                ),
            ),
            Some(i) if i.manifest.kind != ItemKind::Web => cx.checks.fail(
                Item,
                &shown,
                format!(
                    "re-checks item '{}', which is a {} item, not a captured web page",
                    clip(r, 80),
                    i.manifest.kind
                ),
            ),
            Some(_) => {}
        },
    }
}

/// A later page of a thread (`follows`) is a web item reached from an earlier web item
/// of the same thread, by the link it names.
fn followed(cx: &mut Ctx, id: &str, manifest: &Manifest) {
    let Some(f) = &manifest.follows else { return };
    let shown = layout::manifest_path(id);
    if manifest.kind != ItemKind::Web {
        cx.checks.fail(
            Item,
            &shown,
            format!(
                "only a captured web page follows a next-page link, not a {} item",
                manifest.kind
            ),
        );
        return;
    }
    let earlier = |want: &str| cx.st.items.iter().find(|i| i.id == want);
    let problem = match (earlier(&f.item), earlier(&f.first_item)) {
        (None, _) => Some(format!(
            "follows the next-page link of item '{}', which is not an earlier item of the bundle",
            clip(&f.item, 80)
        )),
        (_, None) => Some(format!(
            "names item '{}' as its thread's first page, which is not an earlier item of the bundle",
            clip(&f.first_item, 80)
        )),
        (Some(prev), Some(first)) => {
            // The thread's first page as the previous page records it.
            let prev_first = prev
                .manifest
                .follows
                .as_ref()
                .map_or(prev.id.as_str(), |p| p.first_item.as_str());
            if prev.manifest.kind != ItemKind::Web || first.manifest.kind != ItemKind::Web {
                Some(format!(
                    "follows item '{}' of a thread starting at item '{}', which are not both captured web pages",
                    clip(&f.item, 80),
                    clip(&f.first_item, 80)
                ))
            } else if prev_first != f.first_item {
                Some(format!(
                    "names item '{}' as its thread's first page, but the page it follows ('{}') belongs to the thread starting at item '{}'",
                    clip(&f.first_item, 80),
                    clip(&f.item, 80),
                    clip(prev_first, 80)
                ))
            } else {
                None
            }
        }
    };
    let url = manifest.input.get("url").and_then(|v| v.as_str());
    let problem = problem.or_else(|| match url {
        Some(u) if u != f.link => Some(format!(
            "says it followed the link '{}' but captured the URL '{}'",
            clip(&f.link, 120),
            clip(u, 120)
        )),
        _ => None,
    });
    if let Some(p) = problem {
        cx.checks.fail(Item, &shown, p);
    }
}

/// The manifest: present, valid, naming this folder and number.
fn manifest(cx: &mut Ctx, want_seq: u64, id: &str) -> Option<(Manifest, Vec<u8>)> {
    let mpath = layout::manifest_path(id);
    let mbytes = match cx.read_meta(&mpath) {
        Ok(b) => b,
        Err(why) => {
            cx.checks.fail(
                Item,
                &mpath,
                format!("manifest.json {why}: the item cannot be checked"),
            );
            return None;
        }
    };
    let manifest = match Manifest::parse(&mbytes) {
        Ok(v) => v,
        Err(e) => {
            let e = clip(&e.to_string(), 300);
            cx.checks
                .fail(Item, &mpath, format!("manifest is invalid: {e}"));
            return None;
        }
    };
    if manifest.id != id {
        cx.checks.fail(Item, &mpath, format!("manifest says it belongs to item '{}', but it sits in '{id}': manifests were swapped or the folder renamed", clip(&manifest.id, 80)));
    }
    if manifest.seq != want_seq {
        cx.checks.fail(
            Item,
            &mpath,
            format!("manifest has seq {}, expected {want_seq}", manifest.seq),
        );
    }
    Some((manifest, mbytes))
}

/// The Ed25519 signature over manifest.json by the key the manifest names. Returns the
/// signature when it verifies (tokens are checked over it).
fn signature(cx: &mut Ctx, id: &str, manifest: &Manifest, mbytes: &[u8]) -> Option<Vec<u8>> {
    let (mpath, spath) = (layout::manifest_path(id), layout::manifest_sig_path(id));
    let fpr = manifest.operator.key.clone();
    cx.signed_by(&fpr, manifest.operator.name.as_deref());
    let shown = clip(&fpr, 60);
    let sig = match cx.read_meta(&spath) {
        Ok(s) => s,
        Err(why) => {
            cx.checks
                .fail(Signature, &spath, format!("manifest.sig {why}"));
            return None;
        }
    };
    let Some(vk) = cx.st.keys.get(&fpr) else {
        cx.checks.fail(
            Signature,
            &mpath,
            format!("signed by {shown}, but keys/ has no such public key"),
        );
        return None;
    };
    if keys::verify_raw(vk, mbytes, &sig) {
        cx.checks.pass(
            Signature,
            &mpath,
            format!("Ed25519 signature by {shown} verifies"),
        );
        Some(sig)
    } else {
        cx.checks.fail(Signature, &mpath, format!("the signature in manifest.sig does not verify with key {shown}: the manifest or its signature was changed"));
        None
    }
}

/// RFC 3161 tokens over the manifest signature.
fn timestamps(cx: &mut Ctx, id: &str, files: &[String], manifest: &Manifest, sig: &[u8]) {
    let local = crate::time::rfc3339(&manifest.acquired.finished);
    for f in files {
        if let Some(n) = layout::revocation_of(f)
            .map(|(n, _, _)| n)
            .or_else(|| layout::archive_of(f))
            && !files.contains(&layout::token_name(n))
        {
            cx.checks.fail(
                Timestamp,
                layout::item_member(id, f),
                "revocation data or renewal list for a token that is not in the item: a token was removed",
            );
        }
    }
    for name in files.iter().filter(|f| layout::is_item_token(f)) {
        let tpath = layout::item_member(id, name);
        let tsr = match cx.read_meta(&tpath) {
            Ok(t) => t,
            Err(why) => {
                cx.checks.fail(Timestamp, &tpath, format!("token {why}"));
                continue;
            }
        };
        // Revocation data stored for this token (`manifest[.N].tsaK.ocsp|crl`).
        let n = layout::token_number(name).unwrap_or(0);
        let mut stored = Vec::new();
        for f in files {
            if let Some((tn, k, kind)) = layout::revocation_of(f)
                && tn == n
            {
                let p = layout::item_member(id, f);
                match cx.read_meta(&p) {
                    Ok(b) => stored.push((p, k, kind, b)),
                    Err(why) => cx
                        .checks
                        .fail(Timestamp, &p, format!("revocation data {why}")),
                }
            }
        }
        // A renewal covers its list of everything before it, not manifest.sig alone.
        let archive_name = layout::archive_name(n);
        let renewal = n >= 2 && files.contains(&archive_name);
        let covered = if renewal {
            match renewal_list(cx, id, files, n) {
                Ok(list) => list,
                Err(why) => {
                    cx.checks
                        .fail(Timestamp, layout::item_member(id, &archive_name), why);
                    continue;
                }
            }
        } else {
            sig.to_vec()
        };
        let mut t = stamping::check_stored_with(&tsr, &covered, cx.anchors, &local, &stored);
        if let (Some(list), Some(at), Some(info)) =
            (cx.trusted_list, t.gen_time, t.facts.info.as_mut())
        {
            let q = list.qualified_at(&t.issuers, at);
            t.message = format!("{}; {}: {} ({})", t.message, q.status, q.reason, q.list);
            info.qualified = Some(q);
        }
        if renewal {
            t.message = format!(
                "renewal over manifest.sig and token(s) 1–{} with their validation data ({archive_name}): {}",
                n - 1,
                t.message
            );
        }
        cx.checks.add(
            Timestamp,
            super::trust::token_status(t.verdict),
            &tpath,
            t.message,
        );
        cx.timestamps.push(TimestampRecord {
            item: Some(id.to_string()),
            custody_seq: None,
            token: tpath,
            info: t.facts,
        });
    }
}

/// The renewal list of token `n` (`manifest.N.archive`), checked: it lists exactly
/// `manifest.sig` and every file of the tokens before `n`, each with its SHA-256.
fn renewal_list(
    cx: &mut Ctx,
    id: &str,
    files: &[String],
    n: usize,
) -> std::result::Result<Vec<u8>, String> {
    let list = cx
        .read_meta(&layout::item_member(id, &layout::archive_name(n)))
        .map_err(|why| format!("renewal list {why}"))?;
    let mut expected = Vec::new();
    for f in files.iter().filter(|f| layout::renewal_covers(f, n)) {
        let bytes = cx
            .read_meta(&layout::item_member(id, f))
            .map_err(|why| format!("{} {why}", clip(f, 200)))?;
        expected.push((f.clone(), bytes));
    }
    let want = layout::renewal_list(&expected);
    if list != want {
        let got = String::from_utf8_lossy(&list);
        let want_s = String::from_utf8_lossy(&want);
        let first = got
            .lines()
            .zip(want_s.lines())
            .find(|(a, b)| a != b)
            .map(|(a, b)| {
                format!(
                    "it says '{}', the bundle holds '{}'",
                    clip(a, 200),
                    clip(b, 200)
                )
            })
            .unwrap_or_else(|| {
                format!(
                    "it lists {} file(s), the tokens before it have {}",
                    got.lines().count(),
                    want_s.lines().count()
                )
            });
        return Err(format!(
            "the renewal list does not match what it must cover (manifest.sig and every earlier token's files): {first}"
        ));
    }
    Ok(list)
}

/// Exactly the files the manifest lists (plus control files), with their sizes and hashes.
/// Returns how many files are stored encrypted, and how many of those were decrypted
/// and matched.
fn item_files(
    cx: &mut Ctx,
    id: &str,
    files: &[String],
    manifest: &Manifest,
    how: &[Stored],
) -> (u64, u64) {
    let mpath = layout::manifest_path(id);
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    let stored: BTreeSet<&str> = how.iter().map(|s| s.path.as_str()).collect();
    if listed.len() != manifest.files.len() || stored.len() != manifest.files.len() {
        cx.checks
            .fail(Item, &mpath, "the manifest lists a file twice");
    }
    let mut bad = 0;
    let (mut encrypted, mut decrypted) = (0, 0);
    for (f, st) in manifest.files.iter().zip(how) {
        // Every name a file is known by must be a safe, ordinary item path: the plain
        // `path` of an encrypted file names no member, so the reader never checked it,
        // and `extract` writes the decrypted file there.
        for name in [
            Some(f.path.as_str()),
            f.encrypted.as_ref().map(|e| e.path.as_str()),
        ]
        .into_iter()
        .flatten()
        {
            let problem = layout::check_safe_path(name).err().or_else(|| {
                layout::is_item_control_file(name)
                    .then(|| "the name of a control file (manifest, signature, token)".into())
            });
            if let Some(why) = problem {
                bad += 1;
                cx.checks.fail(
                    Item,
                    clip(&layout::item_member(id, name), 1100),
                    format!("the manifest names a file unsafely: {why}"),
                );
            }
        }
        if st.encrypted && stored.contains(f.path.as_str()) {
            bad += 1;
            cx.checks.fail(
                Item,
                clip(&layout::item_member(id, &f.path), 1100),
                "a file's plain name is another file's stored name",
            );
        }
        let p = layout::item_member(id, &st.path);
        cx.item_order.push(p.clone());
        let shown = clip(&p, 1100);
        if let Some(why) = file_problem(cx, &p, st) {
            bad += 1;
            cx.checks.fail(File, &shown, why);
        } else if st.encrypted {
            encrypted += 1;
            if let Some(why) = super::encrypted::plaintext_problem(cx, &p, f) {
                bad += 1;
                cx.checks.fail(File, &shown, why);
            } else if cx.identities.is_some() {
                decrypted += 1;
            }
        }
        derivation(cx, &shown, f, &listed);
    }
    let mut ctrl: Vec<&String> = files
        .iter()
        .filter(|f| layout::is_item_control_file(f))
        .collect();
    ctrl.sort_by_key(|f| layout::item_control_rank(f));
    cx.item_order
        .extend(ctrl.iter().map(|f| layout::item_member(id, f)));
    for f in files {
        if !stored.contains(f.as_str()) && !layout::is_item_control_file(f) {
            bad += 1;
            cx.checks.fail(
                File,
                layout::item_member(id, f),
                "present in the bundle but not listed in the item's manifest: a file was added",
            );
        }
    }
    if bad == 0 {
        let n = manifest.files.len();
        cx.checks
            .pass(File, id, format!("{n} files match their SHA-256 and size"));
    }
    (encrypted, decrypted)
}

/// What is wrong with one listed file, if anything.
fn file_problem(cx: &Ctx, p: &str, st: &Stored) -> Option<String> {
    if cx.reader.member(p).is_none() {
        return Some("listed in the manifest but missing from the bundle".into());
    }
    let (size, sha256) = (st.size, st.sha256.as_str());
    let says = match st.listed_in {
        None => "the manifest says".to_string(),
        Some(line) => format!("the encrypted entry at custody.jsonl line {line} says"),
    };
    let so = match st.listed_in {
        None => String::new(),
        Some(_) => format!(" ({says} so)"),
    };
    match cx.reads.get(p) {
        Some(MemberRead::Ok(d)) if d.size != size => {
            Some(format!("size is {} bytes, {says} {size}", d.size))
        }
        Some(MemberRead::Ok(d)) if d.sha256 != sha256 => Some(format!(
            "SHA-256 mismatch: expected {}{so}, actual {}",
            clip(sha256, 80),
            d.sha256
        )),
        Some(MemberRead::Ok(_)) => None,
        Some(MemberRead::Unreadable { reason, actual }) => {
            Some(unreadable_message(reason, sha256, actual.as_deref()))
        }
        None => Some("was not read".into()),
    }
}

/// Derived files name listed sources; originals derive from nothing.
fn derivation(cx: &mut Ctx, shown: &str, f: &FileEntry, listed: &BTreeSet<&str>) {
    if f.role == FileRole::Derived {
        for src in f.sources() {
            if !listed.contains(src.as_str()) {
                cx.checks.fail(
                    Item,
                    shown,
                    format!(
                        "derived from '{}', which the manifest does not list",
                        clip(src, 200)
                    ),
                );
            }
        }
    } else if f.derived_from.is_some() {
        cx.checks.fail(
            Item,
            shown,
            "an original file cannot be derived from other files",
        );
    }
}
