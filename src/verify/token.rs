//! `sigillo timestamp verify`: a standalone RFC 3161 token — a TimeStampResp, a bare
//! TimeStampToken, or an RFC 5544 TimeStampedData (`.tsd`) — checked like `openssl ts
//! -verify`, whoever made it. The chain is judged at the token's genTime.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;
use x509_cert::Certificate;

use crate::error::{Error, Result};
use crate::evidence::tsd::TimeStampedData;
use crate::evidence::tsp::{self, Covered, TokenStatus, TrustAnchors};
use crate::time::rfc3339;

/// What the token must cover.
#[derive(Debug, Clone)]
pub enum Subject {
    /// The stamped file's bytes.
    Data(Vec<u8>),
    /// The stamped data's hash.
    Digest(Vec<u8>),
    /// Nothing given: only a `.tsd` that holds its data can be checked.
    Inside,
}

/// How to judge.
#[derive(Debug, Clone, Default)]
pub struct TokenCheckOptions {
    /// Trust anchors (`--tsa-ca`); empty: the system store.
    pub tsa_ca: Vec<PathBuf>,
    /// Certificates the token may not embed (`--certs`).
    pub certs: Vec<PathBuf>,
    /// OCSP responses or CRLs (DER) for the TSA's certificates (`--revocation`), judged
    /// at genTime like the data stored in a bundle.
    pub revocation: Vec<PathBuf>,
}

/// The file's verdict: `sigillo-token-report/1`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TokenReport {
    /// `sigillo-token-report/1`.
    pub format: String,
    /// The file checked (as given).
    pub file: String,
    /// `rfc3161-reply`, `rfc3161-token` or `rfc5544-timestamped-data`.
    pub kind: String,
    /// `trusted` only when every token is valid and chains to a trust anchor.
    pub verdict: TokenVerdictName,
    /// Where the trust anchors came from.
    pub anchors: String,
    /// Each token (a `.tsd` may hold a chain of renewals).
    pub tokens: Vec<TokenResult>,
}

/// A verdict, spelled as in `verify --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenVerdictName {
    /// Valid and chains to a trust anchor.
    Trusted,
    /// Valid, but the chain reaches no trust anchor.
    Untrusted,
    /// Broken, altered, or not over this data.
    Invalid,
}

/// One token, judged.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TokenResult {
    /// 1, 2, … in the file.
    pub index: usize,
    /// The judgement.
    pub status: TokenVerdictName,
    /// Why it is not trusted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// genTime, RFC 3339 UTC (when the token could be read).
    pub gen_time: Option<String>,
    /// The TSA's `tsa` name field.
    pub tsa_name: Option<String>,
    /// Subject of the TSA's signing certificate.
    pub signer: Option<String>,
    /// Policy OID.
    pub policy: Option<String>,
    /// Serial number (hex).
    pub serial: Option<String>,
    /// Stated accuracy in milliseconds.
    pub accuracy_ms: Option<u64>,
    /// Hash algorithm of the imprint.
    pub hash_algorithm: Option<String>,
    /// Certificate path, signer first and trust anchor last, validated at genTime.
    pub chain: Vec<String>,
    /// Set when the TSA certificate has expired since the token was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer_expired: Option<String>,
    /// Revocation data used.
    pub revocation: Revocation,
    /// What had to be read leniently (BER, repeated certificates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lenient: Option<String>,
}

/// Revocation status of the TSA certificate at genTime, from stored or given data.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Revocation {
    /// `good`, `revoked`, `unknown`, `stale` (a good answer older than genTime and no longer
    /// current at it) or `none` (no revocation data was available).
    pub status: String,
    /// `ocsp` or `crl`.
    pub source: Option<String>,
    /// When the revocation data was produced.
    pub produced_at: Option<String>,
}

impl TokenReport {
    /// True when every token is trusted.
    pub fn trusted(&self) -> bool {
        self.verdict == TokenVerdictName::Trusted
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(what, path, e))
}

fn load_certs(paths: &[PathBuf]) -> Result<Vec<Certificate>> {
    let mut out = Vec::new();
    for p in paths {
        let bytes = read(p, "read the certificates")?;
        let certs = Certificate::load_pem_chain(&bytes)
            .or_else(|_| {
                use der::Decode;
                Certificate::from_der(&bytes).map(|c| vec![c])
            })
            .map_err(|e| {
                Error::input(format!(
                    "'{}' holds no readable certificate ({e})",
                    p.display()
                ))
                .with_fix("give PEM (-----BEGIN CERTIFICATE-----) or DER certificates")
            })?;
        out.extend(certs);
    }
    Ok(out)
}

/// Judge the token file `path`.
pub fn check_token_file(
    path: &Path,
    subject: &Subject,
    opts: &TokenCheckOptions,
) -> Result<TokenReport> {
    let bytes = read(path, "read the token")?;
    let anchors = if opts.tsa_ca.is_empty() {
        TrustAnchors::system()
    } else {
        TrustAnchors::from_pem_files(&opts.tsa_ca)?
    };
    let extra = load_certs(&opts.certs)?;
    let revocation: Vec<(String, Vec<u8>)> = opts
        .revocation
        .iter()
        .map(|p| {
            Ok((
                p.display().to_string(),
                read(p, "read the revocation data")?,
            ))
        })
        .collect::<Result<_>>()?;
    let (kind, stamps) = if crate::evidence::tsd::looks_like(&bytes) {
        let tsd = TimeStampedData::parse(&bytes).map_err(|e| {
            Error::input(format!("{}: {e}", path.display()))
                .with_fix("give an RFC 5544 .tsd file, or the token and the data apart")
        })?;
        let detached = match subject {
            Subject::Data(d) => Some(d.as_slice()),
            Subject::Digest(_) => {
                return Err(Error::input(
                    "--digest cannot be used with a .tsd file (its tokens cover the data and each other)",
                )
                .with_fix("drop --digest, or give the data with --data"));
            }
            Subject::Inside => None,
        };
        let stamps = tsd.stamps(detached).map_err(|e| {
            Error::input(format!("{}: {e}", path.display()))
                .with_fix("give the data the .tsd refers to with --data FILE")
        })?;
        let list: Vec<(Vec<u8>, Vec<u8>)> =
            stamps.into_iter().map(|s| (s.token, s.covered)).collect();
        ("rfc5544-timestamped-data", list)
    } else {
        let kind = if is_reply(&bytes) {
            "rfc3161-reply"
        } else {
            "rfc3161-token"
        };
        let covered = match subject {
            Subject::Data(d) => d.clone(),
            Subject::Digest(h) => h.clone(),
            Subject::Inside => {
                return Err(Error::input(format!(
                    "{}: the token does not hold the data it covers",
                    path.display()
                ))
                .with_fix(
                    "give the stamped file with --data FILE, or its hash with --digest HEX",
                ));
            }
        };
        (kind, vec![(bytes.clone(), covered)])
    };
    let digest_mode = matches!(subject, Subject::Digest(_));
    let mut tokens = Vec::new();
    for (i, (token, covered)) in stamps.iter().enumerate() {
        // Only the first token of a .tsd (or a lone token) can be checked against a digest.
        let c = if digest_mode && i == 0 {
            Covered::Digest(covered)
        } else {
            Covered::Data(covered)
        };
        let v = tsp::verify_token_with(token, c, &anchors, &extra);
        tokens.push(result(i + 1, v, &anchors, &revocation));
    }
    let verdict = if tokens.iter().any(|t| t.status == TokenVerdictName::Invalid) {
        TokenVerdictName::Invalid
    } else if tokens.iter().all(|t| t.status == TokenVerdictName::Trusted) {
        TokenVerdictName::Trusted
    } else {
        TokenVerdictName::Untrusted
    };
    Ok(TokenReport {
        format: "sigillo-token-report/1".into(),
        file: path.display().to_string(),
        kind: kind.into(),
        verdict,
        anchors: if anchors.is_explicit() {
            "--tsa-ca".into()
        } else {
            "system trust store".into()
        },
        tokens,
    })
}

/// A TimeStampResp starts with its PKIStatusInfo SEQUENCE; a ContentInfo with its OID.
fn is_reply(bytes: &[u8]) -> bool {
    use der::{Decode, Tagged};
    der::AnyRef::from_der(bytes)
        .ok()
        .and_then(|a| {
            let mut r = der::SliceReader::new(a.value()).ok()?;
            use der::Reader;
            r.decode::<der::AnyRef<'_>>().ok().map(|f| f.tag())
        })
        .is_some_and(|t| t == der::Tag::Sequence)
}

fn result(
    index: usize,
    v: tsp::TokenVerdict,
    anchors: &TrustAnchors,
    given: &[(String, Vec<u8>)],
) -> TokenResult {
    let clip = |s: &str| crate::text::clip(s, 300);
    let stored = crate::evidence::revocation::place(&v.issuers, given);
    let (rev, rev_problem) = crate::evidence::stamping::judge_revocation(
        &v.issuers,
        &stored,
        v.info.as_ref().map(|i| i.gen_time),
        "TSA",
    );
    let (status, reason) = match &v.status {
        _ if rev_problem.is_some() && !matches!(v.status, TokenStatus::Invalid { .. }) => {
            (TokenVerdictName::Invalid, rev_problem.clone())
        }
        TokenStatus::Trusted => (TokenVerdictName::Trusted, None),
        TokenStatus::Untrusted { reason } => (
            TokenVerdictName::Untrusted,
            Some(if anchors.is_explicit() {
                format!("the chain does not reach a --tsa-ca root: {}", clip(reason))
            } else {
                format!(
                    "the chain does not reach the system trust store ({}): pass --tsa-ca with the TSA's root",
                    clip(reason)
                )
            }),
        ),
        TokenStatus::Invalid { reason } => (TokenVerdictName::Invalid, Some(clip(reason))),
    };
    let i = v.info.as_ref();
    let signer_expired = i.and_then(|i| {
        crate::evidence::stamping::expired_since(i.signer_not_after, i.gen_time, &rev)
    });
    TokenResult {
        index,
        status,
        reason,
        gen_time: i.map(|i| rfc3339(&i.gen_time)),
        tsa_name: i.and_then(|i| i.tsa_name.as_deref().map(clip)),
        signer: i.map(|i| clip(&i.signer_subject)),
        policy: i.map(|i| clip(&i.policy)),
        serial: i.map(|i| i.serial.clone()),
        accuracy_ms: i.and_then(|i| i.accuracy_ms),
        hash_algorithm: i.map(|i| i.hash_alg.clone()),
        chain: v.chain.iter().map(|s| clip(s)).collect(),
        signer_expired,
        revocation: Revocation {
            status: rev.status.clone(),
            source: rev.source.clone(),
            produced_at: rev.produced_at.clone(),
        },
        lenient: i.and_then(|i| i.lenient.clone()),
    }
}
