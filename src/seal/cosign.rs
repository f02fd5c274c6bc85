//! X.509 co-signatures of a manifest: CAdES-B-B, or CAdES-B-T when a TSA answers; made
//! while sealing an item, or added later to every item of a bundle
//! ([`add_cosignatures`], `sigillo timestamp --signer`).

use std::path::Path;

use crate::bundle::layout;
use crate::bundle::writer::BundleWriter;
use crate::error::Result;
use crate::evidence::cades;
use crate::evidence::custody::{self, Event};
use crate::evidence::stamping::TsaEndpoint;
use crate::evidence::x509sign::CertSigner;
use crate::time::Stamp;

use super::finish::{finish_bundle, lock_dir, next_custody_line, open_existing};
use super::timestamps::{NewFiles, copy_items_with_tokens};
use super::{SealOptions, Signer};

/// What [`add_cosignatures`] did: the bundle paths of the co-signatures added, and notes
/// on TSAs that gave no signature timestamp.
#[derive(Debug, Default)]
pub struct Cosigned {
    /// `items/<id>/manifest[.N].p7s` added.
    pub added: Vec<String>,
    /// TSAs that failed (the co-signature was made without a signature timestamp).
    pub notes: Vec<String>,
}

/// Add a co-signature by each of `signer.cosigners` to every item's manifest (after any
/// already there), with a signature timestamp from `tsa` when given; then record a
/// `cosigned` custody entry. Existing bytes are untouched.
pub fn add_cosignatures(
    target: &Path,
    tsa: &[TsaEndpoint],
    require: bool,
    signer: &Signer,
) -> Result<Cosigned> {
    if signer.cosigners.is_empty() {
        return Ok(Cosigned::default());
    }
    let _lock = lock_dir(target)?;
    let (mut reader, state) = open_existing(target)?;
    let mut out = Cosigned::default();
    let mut new_files = NewFiles::new();
    for it in &state.items {
        let dir = layout::item_dir(&it.id);
        let mbytes = reader.read_small(&layout::manifest_path(&it.id))?;
        let existing = reader
            .members
            .iter()
            .filter_map(|m| m.name.strip_prefix(&dir))
            .filter(|rel| layout::cosignature_of(rel).is_some())
            .count();
        for (i, cs) in signer.cosigners.iter().enumerate() {
            let (p7s, notes) = cosign_with(&mbytes, cs.as_ref(), tsa, None, require)?;
            out.notes.extend(notes);
            let name = layout::cosignature_name(existing + i + 1);
            out.added.push(format!("{dir}{name}"));
            new_files
                .entry(it.id.clone())
                .or_default()
                .push((name, p7s));
        }
    }
    if out.added.is_empty() {
        return Ok(out);
    }
    let now = Stamp::now();
    let mut w = BundleWriter::create(target)?;
    let hashes = copy_items_with_tokens(&mut w, &mut reader, &state, &new_files, &now)?;
    let event = Event::Cosigned(custody::CosignedDetails {
        signatures: out.added.clone(),
        signers: signer
            .cosigners
            .iter()
            .map(|c| crate::text::clip(&c.certificate().tbs_certificate.subject.to_string(), 300))
            .collect(),
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

/// Co-sign `manifest` with `cs`; the signature value is timestamped by the first of the
/// TSAs that answers (CAdES-B-T). Returns the DER signature and notes on TSAs that failed.
pub(super) fn cosign(
    manifest: &[u8],
    cs: &dyn CertSigner,
    opts: &SealOptions,
) -> Result<(Vec<u8>, Vec<String>)> {
    let (p7s, notes) = cosign_with(manifest, cs, &opts.tsa, opts.tsa_timeout, opts.require_tsa)?;
    Ok((p7s, notes))
}

/// [`cosign`] with the TSA settings given apart.
pub(super) fn cosign_with(
    manifest: &[u8],
    cs: &dyn CertSigner,
    tsa: &[TsaEndpoint],
    timeout: Option<std::time::Duration>,
    require: bool,
) -> Result<(Vec<u8>, Vec<String>)> {
    let mut ts = cades::SignatureTimestamps::new(tsa, timeout, require);
    let what = format!("the co-signature of {}", cs.describe());
    let p7s = cades::sign_detached(manifest, cs, chrono::Utc::now(), &mut |sig| {
        ts.stamp(sig, &what)
    })?;
    ts.check()?;
    Ok((p7s, ts.notes))
}
