//! `sigillo custody add`: one signed custody entry appended to a bundle.

use std::path::Path;

use crate::bundle::layout;
use crate::bundle::writer::BundleWriter;
use crate::error::Result;
use crate::evidence::custody::{self, Event};
use crate::time::Stamp;

use super::Signer;
use super::finish::{copy_items, finish_bundle, lock_dir, next_custody_line, open_existing};

/// Add one custody entry (signed by `signer`) to an existing bundle; returns its
/// number and the warnings of timestamp requests that failed.
pub fn append_custody(
    target: &Path,
    event: Event,
    note: Option<&str>,
    signer: &Signer,
    tsa: &[crate::evidence::stamping::TsaEndpoint],
    require_tsa: bool,
) -> Result<(u64, Vec<String>)> {
    let _lock = lock_dir(target)?;
    let (mut reader, state) = open_existing(target)?;
    let now = Stamp::now();
    let seq = state.custody.len() as u64 + 1;
    let line = next_custody_line(&state, &now, event, signer, note)?;
    let (tokens, warnings) = entry_tokens(seq, &line, signer, tsa, require_tsa)?;
    let mut w = BundleWriter::create(target)?;
    let mut hashes = Vec::new();
    copy_items(&mut w, &mut reader, &state, &mut hashes)?;
    finish_bundle(
        w,
        Some(&mut reader),
        &state,
        vec![line],
        tokens,
        signer,
        hashes,
        &now,
    )?;
    Ok((seq, warnings))
}

/// A member to add: its bundle path and bytes.
pub(super) type NewMember = (String, Vec<u8>);

/// The trusted timestamps over a new custody entry's signature and the X.509
/// co-signatures over its line (CAdES-B-T with a TSA), as (member, bytes); with the
/// warnings of requests that failed.
pub(super) fn entry_tokens(
    seq: u64,
    line: &[u8],
    signer: &Signer,
    tsa: &[crate::evidence::stamping::TsaEndpoint],
    require_tsa: bool,
) -> Result<(Vec<NewMember>, Vec<String>)> {
    let sig = custody::line_signature(line)?;
    let mut tokens = Vec::new();
    let mut warnings = Vec::new();
    for (i, t) in crate::evidence::stamping::request_all(
        tsa,
        &sig,
        None,
        require_tsa,
        crate::evidence::stamping::Purpose::Sealing,
    )?
    .into_iter()
    .enumerate()
    {
        match t {
            Ok(t) => {
                for r in t.revocation {
                    tokens.push((
                        layout::custody_revocation_path(seq, i + 1, r.cert_index, r.kind),
                        r.der,
                    ));
                }
                warnings.extend(t.revocation_notes);
                tokens.push((layout::custody_token_path(seq, i + 1), t.tsr));
            }
            Err(e) => warnings.push(e),
        }
    }
    for (i, cs) in signer.cosigners.iter().enumerate() {
        let (p7s, notes) = super::cosign::cosign_with(line, cs.as_ref(), tsa, None, require_tsa)?;
        warnings.extend(notes);
        tokens.push((layout::custody_cosignature_path(seq, i + 1), p7s));
    }
    Ok((tokens, warnings))
}
