//! What every change to a bundle shares: the folder lock, verifying before writing,
//! copying earlier members unchanged, and the bundle-level files written last.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::bundle::layout::{self, CUSTODY, REPORT, SUMS, SUMS_SIG, VERIFY_MD};
use crate::bundle::reader::BundleReader;
use crate::bundle::state::BundleState;
use crate::bundle::writer::{self, BundleWriter};
use crate::error::{Error, IoContext, Result};
use crate::evidence::custody;
use crate::evidence::hash::sha256_hex;
use crate::time::Stamp;
use crate::verify::{self, VerifyOptions};

use super::{Signer, report_html, verify_md};

/// Hold an exclusive lock on the bundle's folder while rewriting it, so two sigillo
/// processes never append to the same bundle at once (one would lose its item); then
/// remove the temporary files of any earlier run that was killed mid-write.
pub(super) fn lock_dir(target: &Path) -> Result<File> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let f = File::open(&dir).at("open the bundle's folder", &dir)?;
    f.lock().at("lock the bundle's folder", &dir)?;
    writer::remove_orphans(&dir)?;
    Ok(f)
}

/// Open and fully verify an existing bundle; `None` when `target` does not exist yet.
pub fn open_verified(target: &Path) -> Result<Option<(BundleReader, BundleState)>> {
    if !target.exists() {
        return Ok(None);
    }
    if crate::bundle::p7m::looks_enveloped(target) {
        return Err(Error::input(format!(
            "'{}' is a signed envelope (.p7m), not a bundle that can be added to",
            target.display()
        ))
        .with_fix(format!(
            "keep the .p7m as it is; take the bundle out of it (`openssl cms -verify -binary -inform DER -in {} -noverify -out case.zip`, or keep the original case.zip) and write to that",
            target.display()
        )));
    }
    let report = verify::verify(target, &VerifyOptions::default())?;
    if !report.ok() {
        let first = &report.failures[0];
        return Err(Error::not_verified(format!(
            "refusing to change '{}': it does not verify ({} problem(s); first: {}: {})",
            target.display(),
            report.failures.len(),
            first.subject,
            first.message
        ))
        .with_fix(format!(
            "run `sigillo verify {}` to see every problem; keep this copy as it is and write new evidence to a new bundle (-o new.zip)",
            target.display()
        )));
    }
    let reader = BundleReader::open(target)?;
    Ok(Some((reader, report.state)))
}

/// [`open_verified`] for a bundle that must exist already (every change but the first
/// item): a missing one is an input error that says how bundles are made.
pub(super) fn open_existing(target: &Path) -> Result<(BundleReader, BundleState)> {
    open_verified(target)?.ok_or_else(|| {
        Error::input(format!("'{}' does not exist", target.display())).with_fix(
            "give the path of an existing bundle; bundles are created by `sigillo add` or `sigillo capture`",
        )
    })
}

pub(super) fn last_line(bytes: &[u8]) -> Option<Vec<u8>> {
    let body = bytes.strip_suffix(b"\n")?;
    Some(body.rsplit(|b| *b == b'\n').next().unwrap_or(body).to_vec())
}

/// The bundle's next custody line: `event`, by the signer, at `now`, over the bundle's
/// items as they are (an event that adds no item).
pub(super) fn next_custody_line(
    state: &BundleState,
    now: &Stamp,
    event: custody::Event,
    signer: &Signer,
    note: Option<&str>,
) -> Result<Vec<u8>> {
    let new = custody::NewEntry {
        seq: state.custody.len() as u64 + 1,
        time: now,
        event,
        actor: &signer.actor,
        note,
        content: (&state.content_digest(), state.items.len()),
    };
    custody::make_entry(last_line(&state.custody_bytes).as_deref(), new, &signer.key)
}

/// The SHA-256 verification computed for an earlier member (never a blank one).
pub(super) fn known_hash(state: &BundleState, name: &str) -> Result<String> {
    state.member_sha256(name)
}

/// Copy every member of the existing items into `w` unchanged, noting their hashes.
pub(super) fn copy_items(
    w: &mut BundleWriter,
    r: &mut BundleReader,
    state: &BundleState,
    hashes: &mut Vec<(String, String)>,
) -> Result<()> {
    let old: Vec<(usize, String)> = r
        .members
        .iter()
        .filter(|m| m.name.starts_with(layout::ITEMS_DIR))
        .map(|m| (m.index, m.name.clone()))
        .collect();
    for (idx, name) in old {
        w.copy_raw(r, idx)?;
        let h = known_hash(state, &name)?;
        hashes.push((name, h));
    }
    Ok(())
}

/// Write everything after the items: keys, custody log and tokens, report, VERIFY.md,
/// SHA256SUMS and its signature; then replace the bundle.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish_bundle(
    mut w: BundleWriter,
    mut reader: Option<&mut BundleReader>,
    state: &BundleState,
    new_lines: Vec<Vec<u8>>,
    new_tokens: Vec<(String, Vec<u8>)>,
    signer: &Signer,
    mut hashes: Vec<(String, String)>,
    now: &Stamp,
) -> Result<()> {
    let t = now.at;
    // Keys: the old ones and the signer's, sorted by path.
    let mut keys: BTreeMap<String, Option<usize>> = BTreeMap::new();
    if let Some(r) = reader.as_deref() {
        for m in r
            .members
            .iter()
            .filter(|m| m.name.starts_with(layout::KEYS_DIR))
        {
            keys.insert(m.name.clone(), Some(m.index));
        }
    }
    let signer_path = layout::key_path(&signer.key.fingerprint());
    keys.entry(signer_path).or_insert(None);
    for (name, src) in &keys {
        match (src, reader.as_deref_mut()) {
            (Some(idx), Some(r)) => {
                w.copy_raw(r, *idx)?;
                hashes.push((name.clone(), known_hash(state, name)?));
            }
            _ => {
                let pem = signer.key.public_pem();
                w.add_bytes(name, pem.as_bytes(), true, &t)?;
                hashes.push((name.clone(), sha256_hex(pem.as_bytes())));
            }
        }
    }
    // Custody log.
    let mut log = state.custody_bytes.clone();
    for l in &new_lines {
        log.extend_from_slice(l);
        log.push(b'\n');
    }
    w.add_bytes(CUSTODY, &log, true, &t)?;
    hashes.push((CUSTODY.into(), sha256_hex(&log)));
    let mut toks: BTreeMap<String, Option<Vec<u8>>> = BTreeMap::new();
    if let Some(r) = reader.as_deref() {
        for m in r
            .members
            .iter()
            .filter(|m| m.name.starts_with(layout::CUSTODY_TOKENS_DIR))
        {
            toks.insert(m.name.clone(), None);
        }
    }
    for (n, b) in new_tokens {
        toks.insert(n, Some(b));
    }
    for (name, data) in toks {
        match (data, reader.as_deref_mut()) {
            (Some(b), _) => {
                w.add_bytes(&name, &b, false, &t)?;
                hashes.push((name, sha256_hex(&b)));
            }
            (None, Some(r)) => {
                if let Some(idx) = r.member(&name).map(|m| m.index) {
                    w.copy_raw(r, idx)?;
                    hashes.push((name.clone(), known_hash(state, &name)?));
                }
            }
            (None, None) => {}
        }
    }
    // Report and VERIFY.md, from the new state.
    let entries = custody::check_chain(
        &log,
        &state.keys.iter().map(|(k, v)| (k.clone(), *v)).collect(),
    )
    .entries;
    let report = report_html::render(state, &entries, now);
    w.add_bytes(REPORT, report.as_bytes(), true, &t)?;
    hashes.push((REPORT.into(), sha256_hex(report.as_bytes())));
    let vmd = verify_md::render(state, &entries, &keys.keys().cloned().collect::<Vec<_>>());
    w.add_bytes(VERIFY_MD, vmd.as_bytes(), true, &t)?;
    hashes.push((VERIFY_MD.into(), sha256_hex(vmd.as_bytes())));
    // SHA256SUMS over everything so far, signed by this custodian.
    let mut sums = String::new();
    for (name, h) in &hashes {
        sums.push_str(&format!("{h}  {name}\n"));
    }
    w.add_bytes(SUMS, sums.as_bytes(), true, &t)?;
    let sig = signer.key.sign(sums.as_bytes());
    w.add_bytes(SUMS_SIG, &sig, false, &t)?;
    w.commit()
}
