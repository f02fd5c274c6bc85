//! `sigillo timestamp`: trusted timestamps for items that lack them (or renewals).

use std::collections::BTreeMap;
use std::path::Path;

use crate::bundle::layout;
use crate::bundle::reader::BundleReader;
use crate::bundle::state::BundleState;
use crate::bundle::writer::BundleWriter;
use crate::error::{Error, Result};
use crate::evidence::custody::{self, Event};
use crate::evidence::hash::sha256_hex;
use crate::time::Stamp;

use super::Signer;
use super::finish::{finish_bundle, known_hash, lock_dir, next_custody_line, open_existing};

/// What `timestamp` did.
#[derive(Debug, Default)]
pub struct Stamped {
    /// (item id, token file) for every token added.
    pub added: Vec<(String, String)>,
    /// Items skipped because they already had a token (without `renew`).
    pub skipped: Vec<String>,
    /// Failures (TSA unreachable …); nothing is added for those.
    pub failed: Vec<String>,
}

/// Token files to add, by item id: (file name inside the item folder, bytes).
pub(super) type NewFiles = BTreeMap<String, Vec<(String, Vec<u8>)>>;

/// Add RFC 3161 tokens over `manifest.sig` to items that lack them (all items with
/// `renew`), then record a `timestamped` custody entry. Existing bytes are untouched:
/// tokens are new files beside the manifest.
pub fn add_timestamps(
    target: &Path,
    tsa: &[crate::evidence::stamping::TsaEndpoint],
    renew: bool,
    require: bool,
    signer: &Signer,
) -> Result<Stamped> {
    if tsa.is_empty() {
        return Err(Error::input("no timestamp authority given")
            .with_fix("pass --tsa URL or --tsa NAME (repeatable), set $SIGILLO_TSA, or set tsa_default in config.toml"));
    }
    let _lock = lock_dir(target)?;
    let (mut reader, state) = open_existing(target)?;
    let (out, new_files) = request_tokens(&reader, &state, tsa, renew, require)?;
    if out.added.is_empty() {
        return Ok(out);
    }
    let now = Stamp::now();
    let mut w = BundleWriter::create(target)?;
    let hashes = copy_items_with_tokens(&mut w, &mut reader, &state, &new_files, &now)?;
    let event = Event::Timestamped(custody::TimestampedDetails {
        tokens: out.added.iter().map(|(_, f)| f.clone()).collect(),
        tsa: tsa.iter().map(|e| e.url.clone()).collect(),
    });
    let line = next_custody_line(&state, &now, event, signer, None)?;
    finish_bundle(
        w,
        Some(&mut reader),
        &state,
        vec![line],
        Vec::new(),
        signer,
        hashes,
        &now,
    )?;
    Ok(out)
}

/// Ask every TSA for a token over each item's `manifest.sig` (items that already have
/// one only when renewing).
fn request_tokens(
    reader: &BundleReader,
    state: &BundleState,
    tsa: &[crate::evidence::stamping::TsaEndpoint],
    renew: bool,
    require: bool,
) -> Result<(Stamped, NewFiles)> {
    let mut out = Stamped::default();
    let mut new_files = NewFiles::new();
    for it in &state.items {
        let dir = layout::item_dir(&it.id);
        let existing = reader
            .members
            .iter()
            .filter(|m| m.name.starts_with(&dir) && m.name.ends_with(".tsr"))
            .count();
        if existing > 0 && !renew {
            out.skipped.push(it.id.clone());
            continue;
        }
        let sig = reader.read_small(&format!("{dir}{}", layout::MANIFEST_SIG))?;
        // The item's control files so far (for renewal lists), by item-relative name.
        let mut control: Vec<(String, Vec<u8>)> = Vec::new();
        if existing > 0 {
            for m in reader.members.iter().filter(|m| m.name.starts_with(&dir)) {
                let rel = &m.name[dir.len()..];
                if layout::is_item_control_file(rel) && rel != layout::MANIFEST {
                    control.push((rel.to_string(), reader.read_small(&m.name)?));
                }
            }
        }
        let mut n = existing;
        // One TSA at a time: a renewal covers every token before it, those of this run too.
        for endpoint in tsa {
            // The first token covers manifest.sig; a renewal (an earlier token exists)
            // covers the list of manifest.sig and every earlier token's files
            // (manifest.N.archive), so it extends their proof (docs/timestamps.md).
            let archive = (n > 0).then(|| {
                let covered: Vec<(String, Vec<u8>)> = control
                    .iter()
                    .filter(|(name, _)| layout::renewal_covers(name, n + 1))
                    .cloned()
                    .collect();
                layout::renewal_list(&covered)
            });
            let data = archive.as_deref().unwrap_or(&sig);
            let Some(t) = crate::evidence::stamping::request_all(
                std::slice::from_ref(endpoint),
                data,
                None,
                require,
                crate::evidence::stamping::Purpose::Timestamping,
            )?
            .pop() else {
                continue;
            };
            match t {
                Ok(t) => {
                    n += 1;
                    let files = new_files.entry(it.id.clone()).or_default();
                    let mut add = |name: String, bytes: Vec<u8>| {
                        control.push((name.clone(), bytes.clone()));
                        files.push((name, bytes));
                    };
                    if let Some(a) = archive {
                        add(layout::archive_name(n), a);
                    }
                    add(layout::token_name(n), t.tsr);
                    if !t.chain_pem.is_empty() {
                        add(layout::token_chain_name(n), t.chain_pem.into_bytes());
                    }
                    for r in t.revocation {
                        add(layout::revocation_name(n, r.cert_index, r.kind), r.der);
                    }
                    out.added
                        .push((it.id.clone(), format!("{dir}{}", layout::token_name(n))));
                }
                Err(e) => out.failed.push(format!("{}: {e}", it.id)),
            }
        }
    }
    Ok((out, new_files))
}

/// Copy every item member unchanged, adding each item's new token files after its last
/// member; returns (member, SHA-256) of everything written.
pub(super) fn copy_items_with_tokens(
    w: &mut BundleWriter,
    reader: &mut BundleReader,
    state: &BundleState,
    new_files: &NewFiles,
    now: &Stamp,
) -> Result<Vec<(String, String)>> {
    let mut hashes = Vec::new();
    let old: Vec<(usize, String)> = reader
        .members
        .iter()
        .filter(|m| m.name.starts_with(layout::ITEMS_DIR))
        .map(|m| (m.index, m.name.clone()))
        .collect();
    let mut current: Option<String> = None;
    for (idx, name) in old {
        let id = name[layout::ITEMS_DIR.len()..]
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        if current.as_deref() != Some(id.as_str()) {
            if let Some(prev) = &current {
                add_tokens(w, prev, new_files, now, &mut hashes)?;
            }
            current = Some(id);
        }
        w.copy_raw(reader, idx)?;
        hashes.push((name.clone(), known_hash(state, &name)?));
    }
    if let Some(prev) = &current {
        add_tokens(w, prev, new_files, now, &mut hashes)?;
    }
    Ok(hashes)
}

/// Write item `id`'s new token files.
fn add_tokens(
    w: &mut BundleWriter,
    id: &str,
    new_files: &NewFiles,
    now: &Stamp,
    hashes: &mut Vec<(String, String)>,
) -> Result<()> {
    for (name, data) in new_files.get(id).into_iter().flatten() {
        let full = format!("{}{name}", layout::item_dir(id));
        w.add_bytes(&full, data, name.ends_with(".pem"), &now.at)?;
        hashes.push((full, sha256_hex(data)));
    }
    Ok(())
}
