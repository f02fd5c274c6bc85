//! The verdict: every check a court needs, one line each, and precise failures.
//!
//! Order of checks (each failure names what and where):
//! 1. the archive: readable, no prepended data, safe and unique names, canonical order;
//! 2. keys: every `keys/*.pub.pem` parses and its name matches its fingerprint;
//! 3. items: each manifest is canonical, signed by the key it names, lists exactly the
//!    files present with the right sizes and SHA-256 — nothing missing, extra or swapped;
//! 4. trusted timestamps over each manifest signature (and custody entries);
//! 5. the custody chain: links, signatures, sequence, times, and that it matches the items;
//! 6. SHA256SUMS lists every other member with the right hash and is signed by the
//!    last custodian;
//! 7. trust: which signers are pinned with `--trust`.
//!
//! The library returns a [`Report`]; only the CLI prints it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use serde_json::Value;

use crate::bundle::layout::{self, CUSTODY, KEYS_DIR, SUMS, SUMS_SIG};
use crate::bundle::reader::BundleReader;
use crate::error::Result;
use crate::evidence::custody::{self, Action};
use crate::evidence::hash::sha256_hex;
use crate::evidence::keys::{self, TrustRef};
use crate::evidence::manifest::Manifest;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The check passed.
    Pass,
    /// The check failed: the bundle does not verify.
    Fail,
    /// Worth attention, not a failure (clock skew, untrusted signer, untrusted TSA).
    Warn,
    /// Information.
    Info,
}

/// One line of the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Area: archive, keys, item, file, signature, timestamp, custody, sums, trust.
    pub check: String,
    /// Outcome.
    pub status: Status,
    /// What was checked (member path, item id, custody line …).
    pub subject: String,
    /// What was found.
    pub message: String,
}

/// A signer seen in the bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    /// `SHA256:…` fingerprint.
    pub fingerprint: String,
    /// Names this key signed under.
    pub names: Vec<String>,
    /// Pinned by `--trust` (`None` when no `--trust` was given).
    pub trusted: Option<bool>,
}

/// Options for verification.
#[derive(Default)]
pub struct VerifyOptions {
    /// `--trust` arguments: public key files or fingerprints.
    pub trust: Vec<String>,
    /// `--tsa-ca` PEM files.
    pub tsa_ca: Vec<PathBuf>,
}

/// A parsed, checked item.
#[derive(Debug, Clone)]
pub struct ItemState {
    /// Item id (folder name).
    pub id: String,
    /// Parsed manifest.
    pub manifest: Manifest,
    /// The manifest as JSON.
    pub manifest_json: Value,
    /// SHA-256 of manifest.json.
    pub manifest_sha256: String,
}

/// Everything verification learned about the bundle, reused when appending to it.
#[derive(Debug, Default, Clone)]
pub struct BundleState {
    /// Items in sequence.
    pub items: Vec<ItemState>,
    /// Bytes of custody.jsonl.
    pub custody_bytes: Vec<u8>,
    /// Parsed custody entries.
    pub custody: Vec<custody::Entry>,
    /// Public keys stored in the bundle, by fingerprint.
    pub keys: BTreeMap<String, VerifyingKey>,
    /// Case id (from the `created` entry).
    pub case_id: String,
    /// SHA-256 of every member, by name.
    pub hashes: BTreeMap<String, String>,
}

impl BundleState {
    /// Content digest over the items, as custody entries record it.
    pub fn content_digest(&self) -> String {
        let v: Vec<(String, String)> = self
            .items
            .iter()
            .map(|i| (i.id.clone(), i.manifest_sha256.clone()))
            .collect();
        custody::content_digest(&v)
    }
}

/// The full verdict.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Always `sigillo-verify/1`.
    pub format: &'static str,
    /// The bundle's path as given.
    pub bundle: String,
    /// SHA-256 of the whole bundle file.
    pub bundle_sha256: String,
    /// `verified` or `failed`.
    pub verdict: &'static str,
    /// Every check.
    pub checks: Vec<Check>,
    /// The failed checks only.
    pub failures: Vec<Check>,
    /// Signers and trust.
    pub signers: Vec<Signer>,
    /// Whether `--trust` was given (otherwise signatures are only self-consistent).
    pub trust_pinned: bool,
    /// Trusted timestamps found.
    pub timestamps: Vec<Value>,
    /// What verification learned (not serialised).
    #[serde(skip)]
    pub state: BundleState,
}

impl Report {
    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

struct Checks(Vec<Check>);

impl Checks {
    fn add(
        &mut self,
        check: &str,
        status: Status,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Check {
            check: check.into(),
            status,
            subject: subject.into(),
            message: message.into(),
        });
    }
    fn fail(&mut self, check: &str, subject: impl Into<String>, message: impl Into<String>) {
        self.add(check, Status::Fail, subject, message);
    }
    fn pass(&mut self, check: &str, subject: impl Into<String>, message: impl Into<String>) {
        self.add(check, Status::Pass, subject, message);
    }
}

/// Verify the bundle at `path`. Errors only when it cannot be read at all (exit 2);
/// everything else is a check in the report.
pub fn verify(path: &Path, opts: &VerifyOptions) -> Result<Report> {
    let trust: Vec<TrustRef> = opts
        .trust
        .iter()
        .map(|t| keys::parse_trust(t))
        .collect::<Result<_>>()?;
    let tsa_anchors = crate::evidence::stamping::anchors_for(&opts.tsa_ca)?;
    let reader = BundleReader::open(path)?;
    let mut c = Checks(Vec::new());
    let mut st = BundleState::default();

    // 1. Archive structure and member hashes (in parallel with the whole-file hash).
    for p in &reader.problems {
        c.fail("archive", &p.subject, &p.message);
    }
    let (hashes, bundle_sha256) = rayon::join(
        || reader.hash_all(),
        || {
            crate::evidence::hash::sha256_file(path)
                .map(|d| d.sha256)
                .unwrap_or_default()
        },
    );
    let mut sizes_ok = BTreeMap::new();
    for (m, h) in reader.members.iter().zip(hashes) {
        match h {
            Ok(d) if d.size == m.size => {
                st.hashes.insert(m.name.clone(), d.sha256);
                sizes_ok.insert(m.name.clone(), d.size);
            }
            Ok(d) => c.fail(
                "archive",
                &m.name,
                format!("holds {} bytes but its header declares {}", d.size, m.size),
            ),
            Err(e) => c.fail("archive", &m.name, format!("cannot be read: {e}")),
        }
    }
    if reader.problems.is_empty() {
        c.pass(
            "archive",
            "(archive)",
            format!(
                "{} members, safe names, no duplicates",
                reader.members.len()
            ),
        );
    }

    // 2. Keys.
    let mut key_files: BTreeSet<String> = BTreeSet::new();
    for m in reader
        .members
        .iter()
        .filter(|m| m.name.starts_with(KEYS_DIR))
    {
        key_files.insert(m.name.clone());
        let text = reader
            .read_small(&m.name)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        match keys::parse_public_pem(&text) {
            None => c.fail("keys", &m.name, "not an Ed25519 public key (SPKI PEM)"),
            Some(vk) => {
                let fpr = keys::fingerprint(&vk);
                if layout::key_path(&fpr) != m.name {
                    c.fail("keys", &m.name, format!("the key in this file has fingerprint {fpr}, which does not match its name: the key was replaced"));
                } else {
                    st.keys.insert(fpr, vk);
                }
            }
        }
    }
    let mut used_keys: BTreeSet<String> = BTreeSet::new();
    let mut names_by_key: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();

    // 3. Items.
    let mut expected_order: Vec<String> = Vec::new();
    let item_members: BTreeMap<String, Vec<String>> = {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for mem in reader
            .members
            .iter()
            .filter(|m| m.name.starts_with(layout::ITEMS_DIR))
        {
            let rest = &mem.name[layout::ITEMS_DIR.len()..];
            match rest.split_once('/') {
                Some((id, file)) => m.entry(id.to_string()).or_default().push(file.to_string()),
                None => c.fail(
                    "archive",
                    &mem.name,
                    "file directly under items/ (not in an item folder)",
                ),
            }
        }
        m
    };
    let mut timestamps = Vec::new();
    for (n, (id, files)) in item_members.iter().enumerate() {
        let dir = layout::item_dir(id);
        let want_seq = n as u64 + 1;
        if !id.starts_with(&format!("{want_seq:04}-")) {
            c.fail("item", id, format!("item folder should be number {want_seq:04}: an item was removed, added or renamed"));
        }
        let mpath = format!("{dir}{}", layout::MANIFEST);
        let spath = format!("{dir}{}", layout::MANIFEST_SIG);
        let Ok(mbytes) = reader.read_small(&mpath) else {
            c.fail(
                "item",
                &mpath,
                "manifest.json is missing: the item cannot be checked",
            );
            continue;
        };
        let (manifest, mjson) = match Manifest::parse(&mbytes) {
            Ok(v) => v,
            Err(e) => {
                c.fail("item", &mpath, format!("manifest is invalid: {e}"));
                continue;
            }
        };
        let msha = sha256_hex(&mbytes);
        if manifest.id != *id {
            c.fail("item", &mpath, format!("manifest says it belongs to item '{}', but it sits in '{id}': manifests were swapped or the folder renamed", manifest.id));
        }
        if manifest.seq != want_seq {
            c.fail(
                "item",
                &mpath,
                format!("manifest has seq {}, expected {want_seq}", manifest.seq),
            );
        }
        // Signature.
        let fpr = manifest.operator.key.clone();
        used_keys.insert(fpr.clone());
        if let Some(name) = &manifest.operator.name {
            names_by_key
                .entry(fpr.clone())
                .or_default()
                .insert(name.clone());
        }
        let sig = reader.read_small(&spath).ok();
        match (st.keys.get(&fpr), sig) {
            (_, None) => c.fail("signature", &spath, "manifest.sig is missing"),
            (None, _) => c.fail(
                "signature",
                &mpath,
                format!("signed by {fpr}, but keys/ has no such public key"),
            ),
            (Some(vk), Some(sig)) => {
                if keys::verify_raw(vk, &mbytes, &sig) {
                    c.pass(
                        "signature",
                        &mpath,
                        format!("Ed25519 signature by {fpr} verifies"),
                    );
                    // 4. Timestamps over this signature.
                    for name in files.iter().filter(|f| f.ends_with(".tsr")) {
                        let tpath = format!("{dir}{name}");
                        if let Ok(tsr) = reader.read_small(&tpath) {
                            let (chk, v) = crate::evidence::stamping::check_stored(
                                &tsr,
                                &sig,
                                &tsa_anchors,
                                &manifest.acquired.finished,
                            );
                            c.add("timestamp", chk.0, &tpath, chk.1);
                            timestamps
                                .push(serde_json::json!({"item": id, "token": tpath, "info": v}));
                        }
                    }
                } else {
                    c.fail("signature", &mpath, format!("the signature in manifest.sig does not verify with key {fpr}: the manifest or its signature was changed"));
                }
            }
        }
        // Files: exactly those listed (plus control files), sizes and hashes.
        let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
        if listed.len() != manifest.files.len() {
            c.fail("item", &mpath, "the manifest lists a file twice");
        }
        let mut bad = 0;
        for f in &manifest.files {
            let p = format!("{dir}{}", f.path);
            expected_order.push(p.clone());
            match (st.hashes.get(&p), sizes_ok.get(&p)) {
                _ if reader.member(&p).is_none() => {
                    bad += 1;
                    c.fail(
                        "file",
                        &p,
                        "listed in the manifest but missing from the bundle",
                    );
                }
                (Some(h), Some(size)) => {
                    if *size != f.size {
                        bad += 1;
                        c.fail(
                            "file",
                            &p,
                            format!("size is {size} bytes, the manifest says {}", f.size),
                        );
                    } else if *h != f.sha256 {
                        bad += 1;
                        c.fail(
                            "file",
                            &p,
                            format!("SHA-256 mismatch: expected {}, actual {h}", f.sha256),
                        );
                    }
                }
                _ => bad += 1,
            }
            if f.role == "derived" {
                for src in &f.derived_from {
                    if !listed.contains(src.as_str()) {
                        c.fail(
                            "item",
                            &p,
                            format!("derived from '{src}', which the manifest does not list"),
                        );
                    }
                }
            } else if f.role != "original" {
                c.fail("item", &p, format!("unknown role '{}'", f.role));
            }
        }
        let mut ctrl: Vec<String> = files
            .iter()
            .filter(|f| layout::is_item_control_file(f))
            .cloned()
            .collect();
        ctrl.sort_by_key(|f| control_rank(f));
        expected_order.extend(ctrl.iter().map(|f| format!("{dir}{f}")));
        for f in files {
            if !listed.contains(f.as_str()) && !layout::is_item_control_file(f) {
                bad += 1;
                c.fail(
                    "file",
                    format!("{dir}{f}"),
                    "present in the bundle but not listed in the item's manifest: a file was added",
                );
            }
        }
        if bad == 0 {
            c.pass(
                "file",
                id,
                format!(
                    "{} files match their SHA-256 and size",
                    manifest.files.len()
                ),
            );
        }
        st.items.push(ItemState {
            id: id.clone(),
            manifest,
            manifest_json: mjson,
            manifest_sha256: msha,
        });
    }
    if item_members.is_empty() {
        c.add(
            "item",
            Status::Info,
            "(bundle)",
            "the bundle holds no items yet",
        );
    }

    // 5. Custody.
    match reader.read_small(CUSTODY) {
        Err(_) => c.fail("custody", CUSTODY, "the custody log is missing"),
        Ok(bytes) => {
            let keymap: HashMap<String, VerifyingKey> =
                st.keys.iter().map(|(k, v)| (k.clone(), *v)).collect();
            let rep = custody::check_chain(&bytes, &keymap);
            for (w, m) in &rep.problems {
                c.fail("custody", w, m);
            }
            for (w, m) in &rep.warnings {
                c.add("custody", Status::Warn, w, m);
            }
            for e in &rep.entries {
                used_keys.insert(e.actor_key.clone());
                names_by_key
                    .entry(e.actor_key.clone())
                    .or_default()
                    .insert(e.actor_name.clone());
            }
            check_custody_against_items(&mut c, &rep.entries, &st);
            // Tokens over custody entries.
            for m in reader
                .members
                .iter()
                .filter(|m| m.name.starts_with(layout::CUSTODY_TOKENS_DIR))
            {
                let seq: Option<u64> = m.name[layout::CUSTODY_TOKENS_DIR.len()..]
                    .split('.')
                    .next()
                    .and_then(|s| s.parse().ok());
                let entry = seq.and_then(|s| rep.entries.iter().find(|e| e.seq == s));
                match (entry, reader.read_small(&m.name)) {
                    (Some(e), Ok(tsr)) => {
                        let (chk, v) = crate::evidence::stamping::check_stored(
                            &tsr,
                            &e.signature,
                            &tsa_anchors,
                            &e.time_text,
                        );
                        c.add("timestamp", chk.0, &m.name, chk.1);
                        timestamps.push(
                            serde_json::json!({"custody_seq": e.seq, "token": m.name, "info": v}),
                        );
                    }
                    _ => c.fail(
                        "timestamp",
                        &m.name,
                        "token for a custody entry that does not exist",
                    ),
                }
            }
            if let Some(first) = rep.entries.first() {
                st.case_id = first
                    .details
                    .get("case")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
            }
            if rep.problems.is_empty() {
                c.pass(
                    "custody",
                    CUSTODY,
                    format!(
                        "{} entries, every link and signature verifies",
                        rep.entries.len()
                    ),
                );
            }
            st.custody = rep.entries;
            st.custody_bytes = bytes;
        }
    }
    for it in &st.items {
        if !st.case_id.is_empty() && it.manifest.case != st.case_id {
            c.fail(
                "item",
                &it.id,
                format!(
                    "belongs to case '{}', but the bundle is case '{}'",
                    it.manifest.case, st.case_id
                ),
            );
        }
    }

    // Keys: every stored key is used, every used key is stored.
    for f in &key_files {
        if !st
            .keys
            .iter()
            .any(|(fpr, _)| layout::key_path(fpr) == *f && used_keys.contains(fpr))
            && !c.0.iter().any(|x| x.subject == *f)
        {
            c.fail(
                "keys",
                f,
                "public key not used by any signature in the bundle: an extra file was added",
            );
        }
    }

    // 6. SHA256SUMS and its signature.
    check_sums(&mut c, &reader, &st);

    // Canonical member order.
    let mut tail: Vec<String> = Vec::new();
    let mut keys_sorted: Vec<String> = key_files.iter().cloned().collect();
    keys_sorted.sort();
    tail.extend(keys_sorted);
    tail.push(CUSTODY.into());
    let mut ctoks: Vec<String> = reader
        .members
        .iter()
        .filter(|m| m.name.starts_with(layout::CUSTODY_TOKENS_DIR))
        .map(|m| m.name.clone())
        .collect();
    ctoks.sort();
    tail.extend(ctoks);
    for f in [layout::REPORT, layout::VERIFY_MD, SUMS, SUMS_SIG] {
        if reader.member(f).is_some() {
            tail.push(f.to_string());
        }
    }
    expected_order.extend(tail);
    let actual: Vec<&str> = reader.members.iter().map(|m| m.name.as_str()).collect();
    let expected_present: Vec<&str> = expected_order
        .iter()
        .map(String::as_str)
        .filter(|n| actual.contains(n))
        .collect();
    if actual.len() == expected_present.len() && actual != expected_present {
        let pos = actual
            .iter()
            .zip(&expected_present)
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        c.fail("archive", actual[pos], format!("members are not in canonical order (expected '{}' here): the archive was rebuilt or reordered", expected_present[pos]));
    }
    for n in [layout::REPORT, layout::VERIFY_MD] {
        if reader.member(n).is_none() && !st.items.is_empty() {
            c.fail("archive", n, "missing from the bundle");
        }
    }

    // 7. Trust.
    let pinned = !trust.is_empty();
    let mut signers = Vec::new();
    for fpr in &used_keys {
        let trusted = if pinned {
            Some(trust.iter().any(|t| match t {
                TrustRef::Key(vk) => keys::fingerprint(vk) == *fpr,
                TrustRef::Fingerprint(f) => f == fpr,
            }))
        } else {
            None
        };
        match trusted {
            Some(true) => c.pass("trust", fpr, "signer is pinned with --trust"),
            Some(false) => c.add("trust", Status::Warn, fpr, "signer is NOT among the --trust keys: entries by this key come from an unknown party"),
            None => c.add("trust", Status::Info, fpr, "signer not pinned: signatures are only self-consistent; compare this fingerprint with the one the operator declared"),
        }
        signers.push(Signer {
            fingerprint: fpr.clone(),
            names: names_by_key
                .get(fpr)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            trusted,
        });
    }

    let failures: Vec<Check> =
        c.0.iter()
            .filter(|x| x.status == Status::Fail)
            .cloned()
            .collect();
    Ok(Report {
        format: "sigillo-verify/1",
        bundle: path.display().to_string(),
        bundle_sha256,
        verdict: if failures.is_empty() {
            "verified"
        } else {
            "failed"
        },
        checks: c.0,
        failures,
        signers,
        trust_pinned: pinned,
        timestamps,
        state: st,
    })
}

fn control_rank(f: &str) -> (usize, usize, String) {
    if f == layout::MANIFEST {
        return (0, 0, String::new());
    }
    if f == layout::MANIFEST_SIG {
        return (1, 0, String::new());
    }
    // manifest[.N].tsr then manifest[.N].tsa.pem, by N
    let n: usize = f
        .strip_prefix("manifest.")
        .and_then(|r| r.split('.').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    (
        2,
        n,
        if f.ends_with(".tsr") {
            "0".into()
        } else {
            "1".into()
        },
    )
}

fn check_custody_against_items(c: &mut Checks, entries: &[custody::Entry], st: &BundleState) {
    // Every item recorded exactly once by an item-added entry, in order, by its signer.
    let added: Vec<&custody::Entry> = entries
        .iter()
        .filter(|e| e.action == Action::ItemAdded.as_str())
        .collect();
    for (i, it) in st.items.iter().enumerate() {
        let recs: Vec<&&custody::Entry> = added
            .iter()
            .filter(|e| e.details.get("item").and_then(Value::as_str) == Some(&it.id))
            .collect();
        match recs.as_slice() {
            [] => c.fail(
                "custody",
                &it.id,
                "this item was never recorded in the custody log: it was added outside sigillo",
            ),
            [e] => {
                let h = e
                    .details
                    .get("manifest_sha256")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if h != it.manifest_sha256 {
                    c.fail("custody", format!("custody.jsonl line {}", e.line_no), format!("records manifest {} for {}, but the bundle's manifest hashes to {}: the item was replaced", short(h), it.id, short(&it.manifest_sha256)));
                }
                if e.actor_key != it.manifest.operator.key {
                    c.fail("custody", format!("custody.jsonl line {}", e.line_no), format!("item {} was sealed by {}, but its custody entry is signed by {}: the entry was re-signed", it.id, it.manifest.operator.key, e.actor_key));
                }
                if added.iter().position(|x| std::ptr::eq(*x, **e)) != Some(i) {
                    c.fail(
                        "custody",
                        format!("custody.jsonl line {}", e.line_no),
                        format!("item {} is recorded out of order", it.id),
                    );
                }
            }
            _ => c.fail(
                "custody",
                &it.id,
                "recorded more than once in the custody log",
            ),
        }
    }
    for e in &added {
        let id = e.details.get("item").and_then(Value::as_str).unwrap_or("");
        if !st.items.iter().any(|it| it.id == id) {
            c.fail(
                "custody",
                format!("custody.jsonl line {}", e.line_no),
                format!("records item '{id}', which is not in the bundle: an item was removed"),
            );
        }
    }
    // Each entry's content digest matches the items that existed at that point.
    let mut n_items = 0usize;
    for e in entries {
        if e.action == Action::ItemAdded.as_str() {
            n_items += 1;
        }
        let upto: Vec<(String, String)> = st
            .items
            .iter()
            .take(n_items)
            .map(|i| (i.id.clone(), i.manifest_sha256.clone()))
            .collect();
        if n_items <= st.items.len()
            && (e.content_digest != custody::content_digest(&upto)
                || e.content_items != n_items as u64)
        {
            c.fail("custody", format!("custody.jsonl line {}", e.line_no), format!("content digest {} does not match the items present at that point: items were changed after this entry", short(&e.content_digest)));
        }
    }
    if let Some(last) = entries.last() {
        if last.content_digest == st.content_digest() && last.content_items == st.items.len() as u64
        {
            c.pass(
                "custody",
                CUSTODY,
                format!(
                    "the last entry (#{}) seals the current content ({} items)",
                    last.seq,
                    st.items.len()
                ),
            );
        } else {
            c.fail("custody", CUSTODY, "the last custody entry does not seal the bundle's current content: the log was truncated or items changed");
        }
    }
}

fn check_sums(c: &mut Checks, reader: &BundleReader, st: &BundleState) {
    let Ok(bytes) = reader.read_small(SUMS) else {
        c.fail("sums", SUMS, "SHA256SUMS is missing");
        return;
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    let mut ok = true;
    for (i, line) in text.lines().enumerate() {
        let Some((h, name)) = line.split_once("  ") else {
            c.fail(
                "sums",
                format!("SHA256SUMS line {}", i + 1),
                "malformed line",
            );
            ok = false;
            continue;
        };
        if listed.insert(name.to_string(), h.to_string()).is_some() {
            c.fail(
                "sums",
                format!("SHA256SUMS line {}", i + 1),
                format!("'{name}' listed twice"),
            );
            ok = false;
        }
    }
    for m in &reader.members {
        if m.name == SUMS || m.name == SUMS_SIG {
            continue;
        }
        match (listed.get(&m.name), st.hashes.get(&m.name)) {
            (None, _) => {
                c.fail(
                    "sums",
                    &m.name,
                    "not listed in SHA256SUMS: the file was added after sealing",
                );
                ok = false;
            }
            (Some(want), Some(have)) if want != have => {
                c.fail(
                    "sums",
                    &m.name,
                    format!("SHA256SUMS says {want}, actual {have}"),
                );
                ok = false;
            }
            _ => {}
        }
    }
    for name in listed.keys() {
        if reader.member(name).is_none() {
            c.fail(
                "sums",
                name,
                "listed in SHA256SUMS but missing from the bundle",
            );
            ok = false;
        }
    }
    // Signed by the actor of the last custody entry.
    let signer = st
        .custody
        .last()
        .map(|e| e.actor_key.clone())
        .unwrap_or_default();
    match (reader.read_small(SUMS_SIG).ok(), st.keys.get(&signer)) {
        (None, _) => c.fail("sums", SUMS_SIG, "SHA256SUMS.sig is missing"),
        (_, None) => c.fail(
            "sums",
            SUMS_SIG,
            "no key to check SHA256SUMS.sig with (the custody log names no known last actor)",
        ),
        (Some(sig), Some(vk)) => {
            if keys::verify_raw(vk, &bytes, &sig) {
                c.pass(
                    "sums",
                    SUMS_SIG,
                    format!("SHA256SUMS is signed by the last custodian {signer}"),
                );
            } else {
                c.fail("sums", SUMS_SIG, format!("the signature over SHA256SUMS does not verify with the last custodian's key {signer}"));
            }
        }
    }
    if ok {
        c.pass(
            "sums",
            SUMS,
            format!("{} members listed with matching SHA-256", listed.len()),
        );
    }
}

/// The first 16 characters of a hash for messages. Counts characters, not bytes: the
/// value comes from the bundle and may hold any text (slicing at byte 16 could split one).
fn short(h: &str) -> String {
    match h.char_indices().nth(16) {
        Some((end, _)) => format!("{}…", &h[..end]),
        None => h.to_string(),
    }
}
