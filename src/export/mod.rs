//! `sigillo export --p7m`: the whole bundle as an enveloping CAdES-BES signature, the
//! `.p7m` that court deposit systems accept for signed documents. The bundle is verified
//! first (a bundle that does not verify is not signed), hashed, signed by an X.509
//! signer (CAdES-B-B, or CAdES-B-T with a signature timestamp from a TSA), and written
//! with the bundle inside, byte for byte ([`crate::bundle::p7m`]). The bundle itself is
//! not changed.
//!
//! [`garante`]: the pack for a report to the Italian Garante (Art. 144-bis).

pub mod garante;

use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::evidence::cades::{self, Holder};
use crate::evidence::stamping::TsaEndpoint;
use crate::evidence::tsp;
use crate::evidence::x509sign::CertSigner;

/// What [`export_p7m`] wrote.
#[derive(Debug)]
pub struct Exported {
    /// The `.p7m` written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of the bundle inside it (as `sigillo verify` prints it).
    pub bundle_sha256: String,
    /// Who signed.
    pub signer: Holder,
    /// `B-B`, or `B-T` when a TSA gave a signature timestamp.
    pub level: &'static str,
    /// TSAs that failed (the envelope was made without a signature timestamp).
    pub notes: Vec<String>,
}

/// Write `out`, an enveloping `.p7m` of `bundle` signed by `signer`; with `tsa`, the
/// signature value is timestamped by the first TSA that answers (`require`: fail, writing
/// nothing, when none does).
pub fn export_p7m(
    bundle: &Path,
    out: &Path,
    signer: &dyn CertSigner,
    tsa: &[TsaEndpoint],
    require: bool,
) -> Result<Exported> {
    if crate::bundle::p7m::looks_enveloped(bundle) {
        return Err(Error::input(format!(
            "'{}' is already a signed envelope (.p7m)",
            bundle.display()
        ))
        .with_fix("export the .zip bundle itself"));
    }
    if out.exists() {
        return Err(Error::input(format!(
            "'{}' already exists; nothing was written",
            out.display()
        ))
        .with_fix("choose another -o name, or move the old file away"));
    }
    crate::verify::verified_state(bundle)?;
    let alg = signer.alg();
    let mut f = std::fs::File::open(bundle).at("open", bundle)?;
    let digest = tsp::digest_reader(&alg.digest_oid(), &mut f)
        .ok_or_else(|| Error::internal("no digest for the signer's algorithm"))?
        .at("read", bundle)?;
    // With a SHA-256 signer the digest is the bundle's SHA-256: no second pass for it.
    let bundle_sha256 = if alg.digest_oid() == crate::evidence::x509sign::ID_SHA256 {
        hex::encode(&digest)
    } else {
        crate::evidence::hash::sha256_file(bundle)?.sha256
    };

    let mut ts = cades::SignatureTimestamps::new(tsa, None, require);
    let sd = cades::signed_data(&digest, signer, chrono::Utc::now(), &mut |sig| {
        ts.stamp(sig, "the envelope")
    })?;
    ts.check()?;
    let level = match sd.signer_infos.0.iter().next() {
        Some(si) if si.unsigned_attrs.is_some() => "B-T",
        _ => "B-B",
    };
    let detached = cades::encode_content_info(&sd)?;
    let oid = alg.digest_oid();
    let bytes = crate::bundle::p7m::write(bundle, &detached, out, &digest, &mut |r| {
        tsp::digest_reader(&oid, r).unwrap_or_else(|| Ok(Vec::new()))
    })?;
    Ok(Exported {
        path: out.to_path_buf(),
        bytes,
        bundle_sha256,
        signer: Holder::of(signer.certificate()),
        level,
        notes: ts.notes,
    })
}
