//! X.509 co-signatures of a manifest: CAdES-B-B, or CAdES-B-T when a TSA answers.

use crate::error::Result;
use crate::evidence::cades;
use crate::evidence::stamping::TsaEndpoint;
use crate::evidence::tsp::{self, TsaRequestOptions};
use crate::evidence::x509sign::CertSigner;

use super::SealOptions;

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
    let mut notes = Vec::new();
    let mut failure = None;
    let ropts = TsaRequestOptions {
        timeout: timeout.unwrap_or(crate::evidence::stamping::DEFAULT_TIMEOUT),
    };
    let mut stamp = |sig: &[u8]| -> Option<Vec<u8>> {
        for endpoint in tsa {
            match tsp::request_token(endpoint, sig, &ropts) {
                Ok(t) => return Some(tsp::token_of_reply(&t.tsr)),
                Err(e) => {
                    let msg = format!(
                        "timestamp authority {} gave no signature timestamp for the co-signature of {} ({})",
                        endpoint.label(),
                        cs.describe(),
                        e.problem()
                    );
                    if require {
                        failure = Some(e);
                        return None;
                    }
                    notes.push(msg);
                }
            }
        }
        None
    };
    let p7s = cades::sign_detached(manifest, cs, chrono::Utc::now(), &mut stamp)?;
    if let Some(e) = failure {
        return Err(e.with_fix("nothing was written (--require-tsa); check the TSA URL and the network, or drop --require-tsa"));
    }
    Ok((p7s, notes))
}
