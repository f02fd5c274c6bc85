//! Sealing one acquisition as a new item: name it, write its files, sign its manifest,
//! ask for trusted timestamps, record it in the custody log.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::acquire::{Acquisition, Content};
use crate::bundle::layout;
use crate::bundle::naming;
use crate::bundle::state::{BundleState, Conversion, ItemState};
use crate::bundle::writer::{BundleWriter, is_precompressed};
use crate::error::{Error, IoContext, Result};
use crate::evidence::custody::{self, Event};
use crate::evidence::encryption::{self, Recipients};
use crate::evidence::hash::sha256_hex;
use crate::evidence::manifest::{
    self, Acquired, EncryptedMember, FORMAT, FileEntry, Manifest, Operator,
};
use crate::progress::{Progress, Task};
use crate::time::Stamp;

use super::finish::{copy_items, finish_bundle, last_line, lock_dir, open_verified};
use super::prepare::{Prepared, content_len, file_entry, new_case_id, prepare};
use super::{SealOptions, Sealed, Signer};

/// Seal `acq` as a new item of the bundle at `target` (created if missing).
///
/// The steps: lock the folder and verify what is there; name the item; write the earlier
/// items unchanged, then the new files (hashed as written); the signed manifest and its
/// trusted timestamps; the custody entries; and the bundle-level files.
pub fn seal(
    target: &Path,
    mut acq: Acquisition,
    signer: &Signer,
    opts: &SealOptions,
) -> Result<Sealed> {
    let _lock = lock_dir(target)?;
    let (mut reader, state) = match open_verified(target)? {
        Some((r, s)) => (Some(r), s),
        None => (None, BundleState::default()),
    };
    let case_id = case_for(target, &state, opts.case.as_deref(), &acq.started)?;
    let seq = naming::next_seq(state.items.len());
    let recipients = super::encrypt::recipients_for(target, &state, opts.encrypt_to.as_ref())?;
    if recipients.is_some() {
        acq.slug = super::encrypt::public_slug(acq.kind, &acq.slug);
    }
    let item_id = naming::item_id(seq, acq.kind, &acq.slug);
    crate::trace::step("seal: bundle opened");
    let mut prepared = prepare(&mut acq)?;
    crate::trace::step("seal: prepared");
    let acq_warnings = acq.warnings.clone();
    let private = recipients
        .as_ref()
        .map(|_| super::encrypt::pseudonymize(&mut acq, &mut prepared));

    let mut w = BundleWriter::create(target)?;
    let mut hashes: Vec<(String, String)> = Vec::new();
    if let Some(r) = reader.as_mut() {
        copy_items(&mut w, r, &state, &mut hashes)?;
    }
    let dir = layout::item_dir(&item_id);
    let sealed_at = acq.finished.at;
    let (mut files, total) = write_files(
        &mut w,
        &dir,
        &prepared,
        &sealed_at,
        &opts.progress,
        recipients.as_deref(),
    )?;
    crate::trace::step("seal: files written");
    if let (Some(r), Some(p)) = (&recipients, &private) {
        files.push(write_private(&mut w, &dir, p, r, &sealed_at)?);
    }
    for f in &files {
        let (path, _, sha256) = f.stored();
        hashes.push((format!("{dir}{path}"), sha256.to_string()));
    }
    let encrypted = recipients.is_some();
    let manifest = Manifest {
        format: FORMAT.to_string(),
        id: item_id.clone(),
        seq: seq as u64,
        kind: acq.kind,
        case: case_id.clone(),
        operator: Operator {
            name: Some(signer.actor.name.clone()),
            key: signer.key.fingerprint(),
        },
        acquired: Acquired::new(&acq.started, &acq.finished),
        sealed: manifest::Sealed::new(&Stamp::now()),
        tool: manifest::tool_facts(),
        host: manifest::host_facts(),
        note: opts.note.clone(),
        rechecks: acq.rechecks.clone(),
        follows: acq.follows.clone(),
        input: acq.input,
        facts: acq.facts,
        transformations: acq.transformations,
        // Warnings may name files: in an encrypted item they are in the private part.
        warnings: if encrypted { Vec::new() } else { acq.warnings },
        files,
        encryption: recipients.as_deref().map(super::encrypt::manifest_block),
    };
    let signed = write_manifest(&mut w, &dir, &manifest, signer, opts, &sealed_at)?;
    hashes.extend(signed.members.iter().cloned());
    crate::trace::step("seal: manifest signed");

    let now = Stamp::now();
    let lines = item_custody(&state, &case_id, &manifest, &signed, signer, opts, &now)?;
    let mut new_state = state.clone();
    new_state.case_id = case_id.clone();
    let n_files = manifest.files.len();
    let mut warnings = acq_warnings;
    warnings.extend(signed.tsa_failures.iter().cloned());
    let (stored, recipients) = Conversion::storage(None, &item_id, &manifest)
        .map_err(|e| Error::internal(format!("the new item's storage: {e}")))?;
    new_state.items.push(ItemState {
        id: item_id.clone(),
        manifest,
        manifest_sha256: signed.sha256.clone(),
        stored,
        recipients,
    });
    finish_bundle(
        w,
        reader.as_mut(),
        &new_state,
        lines,
        Vec::new(),
        signer,
        hashes,
        &now,
    )?;
    crate::trace::step("seal: bundle finished");
    Ok(Sealed {
        item_id,
        manifest_sha256: signed.sha256,
        files: n_files,
        bytes: total,
        tokens: signed.tokens,
        warnings,
        tsa_failures: signed.tsa_failures,
        case_id,
    })
}

/// The case of the new item: the bundle's own (a different `--case` is refused), the one
/// given for a new bundle, or a fresh id.
fn case_for(
    target: &Path,
    state: &BundleState,
    asked: Option<&str>,
    started: &Stamp,
) -> Result<String> {
    match (asked, state.case_id.is_empty()) {
        (Some(c), false) if c != state.case_id => Err(Error::input(format!(
            "'{}' belongs to case '{}', not '{c}'",
            target.display(),
            state.case_id
        ))
        .with_fix("drop --case to add to this case, or write to another bundle with -o")),
        (_, false) => Ok(state.case_id.clone()),
        (Some(c), true) => Ok(c.to_string()),
        (None, true) => Ok(new_case_id(started)),
    }
}

/// Write the new item's files, hashed as they are written (the hash is of the stored
/// bytes); returns their manifest entries and total size.
fn write_files(
    w: &mut BundleWriter,
    dir: &str,
    prepared: &[Prepared],
    mtime: &chrono::DateTime<chrono::Utc>,
    progress: &Progress,
    encrypt_to: Option<&Recipients>,
) -> Result<(Vec<FileEntry>, u64)> {
    let mut sizes = Vec::with_capacity(prepared.len());
    for p in prepared {
        sizes.push(content_len(&p.artifact.content)?);
    }
    progress.begin(Task::Sealing, sizes.iter().sum());
    let mut entries = Vec::new();
    let mut total = 0u64;
    for (p, &size) in prepared.iter().zip(&sizes) {
        if let Some(r) = encrypt_to {
            let (d, entry) = write_encrypted(w, dir, p, size, r, mtime, progress)?;
            total += d.size;
            entries.push(entry);
            continue;
        }
        let name = format!("{dir}{}", p.path);
        let compress = !is_precompressed(&p.media_type, &p.path);
        let d = match &p.artifact.content {
            Content::Bytes(b) => {
                w.add_bytes(&name, b, compress, mtime)?;
                progress.advance(b.len() as u64);
                crate::evidence::hash::Digest256 {
                    size: b.len() as u64,
                    sha256: sha256_hex(b),
                }
            }
            Content::File(src) => {
                let f = File::open(src).at("open", src)?;
                let mut r = progress.reader(f);
                w.add_stream(&name, &mut r as &mut dyn Read, size, compress, mtime)?
            }
        };
        if d.size != size {
            return Err(changed_size(&p.path, size, d.size));
        }
        total += d.size;
        entries.push(file_entry(p, d.size, &d.sha256));
    }
    progress.end();
    Ok((entries, total))
}

/// A file that grew or shrank while it was read: never sealed half-way.
fn changed_size(path: &str, before: u64, after: u64) -> Error {
    Error::input(format!(
        "'{path}' changed size while it was being sealed ({before} → {after} bytes)"
    ))
    .with_fix("make sure no program is writing to the evidence files, then run the command again")
}

/// Write one file as an age file (`<path>.age`); its entry has the plaintext's size and
/// SHA-256 and the encrypted member's.
fn write_encrypted(
    w: &mut BundleWriter,
    dir: &str,
    p: &Prepared,
    size: u64,
    r: &Recipients,
    mtime: &chrono::DateTime<chrono::Utc>,
    progress: &Progress,
) -> Result<(crate::evidence::hash::Digest256, FileEntry)> {
    let stored = format!("{}{}", p.path, encryption::SUFFIX);
    let name = format!("{dir}{stored}");
    let (plain, cipher) = match &p.artifact.content {
        Content::Bytes(b) => {
            let mut rd = progress.reader(&b[..]);
            w.add_encrypted(&name, &mut rd as &mut dyn Read, size, r, mtime)?
        }
        Content::File(src) => {
            let f = File::open(src).at("open", src)?;
            let mut rd = progress.reader(f);
            w.add_encrypted(&name, &mut rd as &mut dyn Read, size, r, mtime)?
        }
    };
    if plain.size != size {
        return Err(changed_size(&p.path, size, plain.size));
    }
    let mut entry = file_entry(p, plain.size, &plain.sha256);
    entry.encrypted = Some(EncryptedMember {
        path: stored,
        size: cipher.size,
        sha256: cipher.sha256,
    });
    Ok((plain, entry))
}

/// The encrypted private part (`derived/private.json`, `sigillo-private/1`), listed
/// among the item's files.
fn write_private(
    w: &mut BundleWriter,
    dir: &str,
    private: &encryption::PrivatePart,
    r: &Recipients,
    mtime: &chrono::DateTime<chrono::Utc>,
) -> Result<FileEntry> {
    let bytes = manifest::canonical(private)?;
    let stored = format!("{}{}", encryption::PRIVATE_PATH, encryption::SUFFIX);
    let name = format!("{dir}{stored}");
    let (plain, cipher) = w.add_encrypted(&name, &mut &bytes[..], bytes.len() as u64, r, mtime)?;
    Ok(FileEntry {
        path: encryption::PRIVATE_PATH.into(),
        size: plain.size,
        sha256: plain.sha256,
        media_type: "application/json".into(),
        role: manifest::FileRole::Derived,
        derived_from: None,
        description: Some(
            "what this item's public manifest leaves out, encrypted (sigillo-private/1): the files' real names and provenance, the input, facts, transformations and warnings".into(),
        ),
        source: None,
        md5: None,
        image: None,
        media_error: None,
        encrypted: Some(EncryptedMember {
            path: stored,
            size: cipher.size,
            sha256: cipher.sha256,
        }),
    })
}

/// What signing and stamping a manifest produced.
struct SignedManifest {
    /// SHA-256 of manifest.json.
    sha256: String,
    /// (bundle path, SHA-256) of manifest.json, manifest.sig and the token files.
    members: Vec<(String, String)>,
    /// Trusted timestamps obtained.
    tokens: usize,
    /// Why the other TSAs gave none.
    tsa_failures: Vec<String>,
}

/// Write manifest.json, its signature, and a trusted timestamp over the signature from
/// every TSA asked.
fn write_manifest(
    w: &mut BundleWriter,
    dir: &str,
    manifest: &Manifest,
    signer: &Signer,
    opts: &SealOptions,
    mtime: &chrono::DateTime<chrono::Utc>,
) -> Result<SignedManifest> {
    let mbytes = manifest.to_canonical()?;
    let msig = signer.key.sign(&mbytes);
    let mut out = SignedManifest {
        sha256: sha256_hex(&mbytes),
        members: Vec::new(),
        tokens: 0,
        tsa_failures: Vec::new(),
    };
    let mut put = |w: &mut BundleWriter, name: String, data: &[u8], compress: bool| {
        let full = format!("{dir}{name}");
        w.add_bytes(&full, data, compress, mtime)?;
        out.members.push((full, sha256_hex(data)));
        Ok::<(), Error>(())
    };
    put(w, layout::MANIFEST.into(), &mbytes, true)?;
    put(w, layout::MANIFEST_SIG.into(), &msig, false)?;
    for (i, cs) in signer.cosigners.iter().enumerate() {
        let (p7s, notes) = super::cosign::cosign(&mbytes, cs.as_ref(), opts)?;
        out.tsa_failures.extend(notes);
        put(w, layout::cosignature_name(i + 1), &p7s, false)?;
    }
    let tokens = crate::evidence::stamping::request_all(
        &opts.tsa,
        &msig,
        opts.tsa_timeout,
        opts.require_tsa,
        crate::evidence::stamping::Purpose::Sealing,
    )?;
    for (i, t) in tokens.into_iter().enumerate() {
        match t {
            Ok(t) => {
                put(w, layout::token_name(i + 1), &t.tsr, false)?;
                if !t.chain_pem.is_empty() {
                    put(
                        w,
                        layout::token_chain_name(i + 1),
                        t.chain_pem.as_bytes(),
                        true,
                    )?;
                }
                out.tsa_failures.extend(t.revocation_notes.iter().cloned());
                for r in &t.revocation {
                    put(
                        w,
                        layout::revocation_name(i + 1, r.cert_index, r.kind),
                        &r.der,
                        false,
                    )?;
                }
                out.tokens += 1;
            }
            Err(e) => out.tsa_failures.push(e),
        }
    }
    Ok(out)
}

/// The custody lines for a new item: `created` for a new bundle, then `item-added`.
fn item_custody(
    state: &BundleState,
    case_id: &str,
    manifest: &Manifest,
    signed: &SignedManifest,
    signer: &Signer,
    opts: &SealOptions,
    now: &Stamp,
) -> Result<Vec<Vec<u8>>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut prev: Option<Vec<u8>> = last_line(&state.custody_bytes);
    let mut seq = state.custody.len() as u64 + 1;
    if state.custody.is_empty() {
        let event = Event::Created(custody::CreatedDetails {
            case: case_id.to_string(),
            bundle_format: layout::BUNDLE_FORMAT.to_string(),
        });
        let new = custody::NewEntry {
            seq,
            time: now,
            event,
            actor: &signer.actor,
            note: None,
            content: (&custody::content_digest(&[]), 0),
        };
        let line = custody::make_entry(prev.as_deref(), new, &signer.key)?;
        seq += 1;
        prev = Some(line.clone());
        lines.push(line);
    }
    let mut items: Vec<(String, String)> = state
        .items
        .iter()
        .map(|i| (i.id.clone(), i.manifest_sha256.clone()))
        .collect();
    items.push((manifest.id.clone(), signed.sha256.clone()));
    let event = Event::ItemAdded(custody::ItemAddedDetails {
        item: manifest.id.clone(),
        kind: manifest.kind,
        manifest_sha256: signed.sha256.clone(),
        files: manifest.files.len() as u64,
        timestamps: signed.tokens as u64,
    });
    let new = custody::NewEntry {
        seq,
        time: now,
        event,
        actor: &signer.actor,
        note: opts.note.as_deref(),
        content: (&custody::content_digest(&items), items.len()),
    };
    lines.push(custody::make_entry(prev.as_deref(), new, &signer.key)?);
    Ok(lines)
}
