//! `sigillo encrypt` / `sigillo decrypt`: a new bundle whose items' files are stored
//! encrypted (or decrypted), everything else copied byte for byte.
//!
//! The manifests, signatures and tokens stay as they were sealed: they sign the
//! plaintext hashes, which do not change. What changes is how each file is stored, and
//! a signed custody entry says so: `encrypted` lists every age member with its size and
//! SHA-256 (the manifests, written before, cannot), `decrypted` counts the files written
//! back as plaintext, each checked against its manifest while it is written. See
//! `docs/encryption.md`.

use std::path::Path;
use std::sync::Arc;

use crate::bundle::layout;
use crate::bundle::state::Conversion;
use crate::bundle::writer::{BundleWriter, is_precompressed};
use crate::error::{Error, Result};
use crate::evidence::custody::{DecryptedDetails, EncryptedDetails, Event, StoredMember};
use crate::evidence::encryption::{self, Identities, Recipients};
use crate::evidence::hash::HashingReader;
use crate::progress::{Progress, Task};
use crate::time::Stamp;

use super::Signer;
use super::custody_add::entry_tokens;
use super::finish::{finish_bundle, lock_dir, next_custody_line, open_existing};

/// Which way to convert.
pub enum Direction {
    /// Encrypt every file to these recipients.
    Encrypt(Arc<Recipients>),
    /// Decrypt every file with these identities (a working copy).
    Decrypt(Arc<Identities>),
}

/// What a conversion wrote.
#[derive(Debug, Clone)]
pub struct Converted {
    /// Files converted.
    pub files: u64,
    /// Their plaintext bytes.
    pub bytes: u64,
    /// The custody entry's number.
    pub custody_seq: u64,
    /// The recipients (encrypted to, or that the copy was encrypted to).
    pub recipients: Vec<String>,
    /// Warnings (TSA failures).
    pub warnings: Vec<String>,
}

/// Write `target`, a copy of the bundle `source` with every item file encrypted or
/// decrypted, and one custody entry by `signer` saying so. `target` must not exist.
pub fn convert(
    source: &Path,
    target: &Path,
    direction: &Direction,
    signer: &Signer,
    tsa: &[crate::evidence::stamping::TsaEndpoint],
    require_tsa: bool,
    progress: &Progress,
) -> Result<Converted> {
    if target.exists() {
        return Err(Error::input(format!(
            "'{}' already exists; the converted copy is always a new file",
            target.display()
        ))
        .with_fix("give -o a new file name; keep the original bundle as it is"));
    }
    let _lock = lock_dir(target)?;
    let (mut reader, state) = open_existing(source)?;
    if state.items.is_empty() {
        return Err(Error::input(format!(
            "'{}' holds no items: there is nothing to convert",
            source.display()
        )));
    }
    let encrypted_now = state.is_encrypted();
    let shown_recipients = match direction {
        Direction::Encrypt(r) => {
            if encrypted_now {
                let who = state.items.iter().find(|i| !i.recipients.is_empty());
                return Err(Error::input(format!(
                    "'{}' is already encrypted (to {})",
                    source.display(),
                    who.map(|i| i.recipients.join(", ")).unwrap_or_default()
                ))
                .with_fix("to change the recipients, make a working copy with `sigillo decrypt` and encrypt that"));
            }
            r.shown.clone()
        }
        Direction::Decrypt(_) => {
            if !encrypted_now {
                return Err(Error::input(format!(
                    "'{}' is not encrypted: there is nothing to decrypt",
                    source.display()
                )));
            }
            let mut all: Vec<String> = Vec::new();
            for i in &state.items {
                for r in &i.recipients {
                    if !all.contains(r) {
                        all.push(r.clone());
                    }
                }
            }
            all
        }
    };

    let mut w = BundleWriter::create(target)?;
    let mut hashes: Vec<(String, String)> = Vec::new();
    let mut listed: Vec<StoredMember> = Vec::new();
    let (mut files, mut bytes) = (0u64, 0u64);
    let total: u64 = state
        .items
        .iter()
        .flat_map(|i| i.manifest.files.iter().map(|f| f.size))
        .sum();
    progress.begin(Task::Sealing, total);
    for it in &state.items {
        let mtime = it.manifest.acquired.finished;
        let dir = layout::item_dir(&it.id);
        // Item files, in manifest order, converted; then the control files, unchanged.
        for (f, s) in it.manifest.files.iter().zip(&it.stored) {
            let from = format!("{dir}{}", s.path);
            let m = reader.member(&from).cloned().ok_or_else(|| {
                Error::internal(format!("'{from}' verified but is not in the bundle"))
            })?;
            match direction {
                Direction::Encrypt(r) => {
                    let name = format!("{from}{}", encryption::SUFFIX);
                    let (plain, stored) = reader
                        .with_reader(&m, |rd| {
                            let mut rd = progress.reader(std::io::Read::take(rd, m.size));
                            Ok(w.add_encrypted(&name, &mut rd, f.size, r, &mtime))
                        })
                        .map_err(|e| Error::io("read", source, e))??;
                    if plain.size != f.size || plain.sha256 != f.sha256 {
                        return Err(changed(source, &from));
                    }
                    hashes.push((name.clone(), stored.sha256.clone()));
                    listed.push(StoredMember {
                        member: name,
                        size: stored.size,
                        sha256: stored.sha256,
                    });
                }
                Direction::Decrypt(ids) => {
                    let name = format!("{dir}{}", f.path);
                    let compress = !is_precompressed(&f.media_type, &f.path);
                    let d = reader
                        .with_reader(&m, |rd| {
                            let plain = ids.decrypt(std::io::Read::take(rd, m.size))?;
                            let mut plain = HashingReader::new(progress.reader(plain));
                            Ok(w.add_stream(&name, &mut plain, f.size, compress, &mtime))
                        })
                        .map_err(|e| {
                            Error::key(format!(
                                "'{from}' cannot be decrypted with the identity given ({e})"
                            ))
                            .with_fix("give --identity with the key of one of the bundle's recipients (`sigillo verify` names them)")
                        })??;
                    if d.size != f.size || d.sha256 != f.sha256 {
                        return Err(Error::not_verified(format!(
                            "'{from}' decrypts to other bytes than its manifest lists (SHA-256 {}, expected {})",
                            d.sha256, f.sha256
                        ))
                        .with_fix("the bundle was altered by someone who can encrypt to its recipients; keep it as evidence and work from another copy"));
                    }
                    hashes.push((name, d.sha256));
                }
            }
            files += 1;
            bytes += f.size;
        }
        let files_here: std::collections::BTreeSet<String> = it
            .stored
            .iter()
            .map(|s| format!("{dir}{}", s.path))
            .collect();
        let ctrl: Vec<(usize, String)> = reader
            .members
            .iter()
            .filter(|m| m.name.starts_with(&dir) && !files_here.contains(&m.name))
            .map(|m| (m.index, m.name.clone()))
            .collect();
        for (idx, name) in ctrl {
            w.copy_raw(&mut reader, idx)?;
            hashes.push((name.clone(), state.member_sha256(&name)?));
        }
    }
    progress.end();

    let now = Stamp::now();
    let seq = state.custody.len() as u64 + 1;
    let n_items = state.items.len() as u64;
    let passphrase = match direction {
        Direction::Encrypt(r) => r.passphrase_identity.clone(),
        Direction::Decrypt(_) => None,
    };
    let conv = match direction {
        Direction::Encrypt(_) => Conversion::Encrypted {
            line: seq as usize,
            items: n_items,
            recipients: shown_recipients.clone(),
            files: listed
                .iter()
                .map(|f| (f.member.clone(), (f.size, f.sha256.clone())))
                .collect(),
            passphrase_identity: passphrase.clone(),
        },
        Direction::Decrypt(_) => Conversion::Decrypted {
            line: seq as usize,
            items: n_items,
        },
    };
    let event = match direction {
        Direction::Encrypt(_) => Event::Encrypted(EncryptedDetails {
            scheme: "age".into(),
            recipients: shown_recipients.clone(),
            files: listed,
            passphrase_identity: passphrase,
        }),
        Direction::Decrypt(_) => Event::Decrypted(DecryptedDetails {
            files,
            recipients: shown_recipients.clone(),
        }),
    };
    let line = next_custody_line(&state, &now, event, signer, None)?;
    let (tokens, warnings) = entry_tokens(seq, &line, signer, tsa, require_tsa)?;

    // The state as the new bundle stores it (the report and VERIFY.md are made from it).
    let mut new_state = state.clone();
    new_state.conversions.push(conv.clone());
    for it in &mut new_state.items {
        let (stored, recipients) = Conversion::storage(Some(&conv), &it.id, &it.manifest)
            .map_err(|e| Error::internal(format!("the converted item's storage: {e}")))?;
        it.stored = stored;
        it.recipients = recipients;
    }
    finish_bundle(
        w,
        Some(&mut reader),
        &new_state,
        vec![line],
        tokens,
        signer,
        hashes,
        &now,
    )?;
    Ok(Converted {
        files,
        bytes,
        custody_seq: seq,
        recipients: shown_recipients,
        warnings,
    })
}

fn changed(source: &Path, member: &str) -> Error {
    Error::not_verified(format!(
        "'{member}' in '{}' changed while it was converted",
        source.display()
    ))
    .with_fix(
        "the bundle file is being modified or the disk is failing; convert again from a safe copy",
    )
}
