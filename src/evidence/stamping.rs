//! Glue between sealing/verification and RFC 3161 timestamps: ask the configured
//! TSAs for tokens, and judge stored tokens, in the terms the rest of sigillo uses.

use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::Result;
use crate::evidence::tsp::{self as timestamp, TokenStatus, TrustAnchors, TsaRequestOptions};

/// Default time to wait for a TSA.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Trust anchors for TSA certificates (from `--tsa-ca`, else the system store).
pub struct Anchors(TrustAnchors);

impl Anchors {
    /// The roots themselves.
    pub fn trust(&self) -> &TrustAnchors {
        &self.0
    }
}

/// Load TSA trust anchors.
pub fn anchors_for(paths: &[PathBuf]) -> Result<Anchors> {
    Ok(Anchors(if paths.is_empty() {
        TrustAnchors::system()
    } else {
        TrustAnchors::from_pem_files(paths)?
    }))
}

/// How a stored token was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenVerdict {
    /// Valid, and its TSA chains to a trusted root: the time is proven.
    Trusted,
    /// Valid, but its TSA is not in the system trust store (no `--tsa-ca` given).
    Untrusted,
    /// Not valid for this data, or its TSA does not chain to a `--tsa-ca` root.
    Invalid,
}

/// What a token says, for reports (present when the token could be parsed).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TokenInfoFacts {
    /// The TSA's time (genTime), RFC 3339 UTC.
    pub gen_time: String,
    /// The TSA's name (its `tsa` field, else the signing certificate's subject).
    pub tsa: String,
    /// Policy OID.
    pub policy: String,
    /// Serial number (hex).
    pub serial: String,
    /// genTime minus the local clock's time for the same event, in milliseconds.
    pub difference_from_local_ms: Option<i64>,
    /// Set when the token is not strict DER but `openssl ts -verify` reads it (BER
    /// lengths, a certificate listed twice): what was read leniently. The checks
    /// themselves are as strict as for any token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lenient: Option<String>,
    /// The revocation status of the TSA's signing certificate from the data stored with
    /// the token (`none` when none was stored), and of every other certificate checked.
    pub revocation: RevocationFacts,
    /// With `--trusted-list`: whether the TSA was a qualified service at genTime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualified: Option<crate::evidence::trusted_list::Qualification>,
}

/// Revocation of the TSA chain, from stored data (offline).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RevocationFacts {
    /// Of the signing certificate: `good`, `revoked`, `unknown`, `stale` (a good answer older
    /// than the time judged and no longer current then: it proves nothing) or `none` (no data stored).
    pub status: String,
    /// `ocsp` or `crl` (absent with `none`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the data was produced (OCSP producedAt, CRL thisUpdate), RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produced_at: Option<String>,
    /// When the certificate was revoked, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// Every stored file judged: (member name, certificate k, status).
    pub checked: Vec<RevocationCheck>,
}

/// One stored revocation file, judged.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RevocationCheck {
    /// The member (`items/…/manifest.tsa1.ocsp`).
    pub file: String,
    /// 1: the signing certificate, 2: its issuer …
    pub certificate: usize,
    /// `good`, `revoked`, `unknown`, or `invalid` (the data itself does not verify).
    pub status: String,
}

/// A stored revocation file for a token: (member name, certificate k, kind, bytes).
pub type StoredRevocation = (
    String,
    usize,
    crate::bundle::layout::RevocationKind,
    Vec<u8>,
);

/// Facts about a stored token, as `verify --json` shows them under `info`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TokenFacts {
    /// What the token says, when it could be parsed.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub info: Option<TokenInfoFacts>,
    /// The judgement.
    pub status: TokenVerdict,
}

/// A stored token, judged.
#[derive(Debug, Clone)]
pub struct StoredToken {
    /// The judgement.
    pub verdict: TokenVerdict,
    /// One line saying what was found.
    pub message: String,
    /// Facts for the report.
    pub facts: TokenFacts,
    /// The TSA's signing certificate and the issuers found above it.
    pub issuers: Vec<x509_cert::Certificate>,
    /// genTime, when the token could be read.
    pub gen_time: Option<chrono::DateTime<chrono::Utc>>,
}

/// Judge a stored token over `data` (`local_time`: the local clock's time of the event).
pub fn check_stored(tsr: &[u8], data: &[u8], anchors: &Anchors, local_time: &str) -> StoredToken {
    check_stored_with(tsr, data, anchors, local_time, &[])
}

/// [`check_stored`] with the revocation data stored beside the token.
pub fn check_stored_with(
    tsr: &[u8],
    data: &[u8],
    anchors: &Anchors,
    local_time: &str,
    revocation: &[StoredRevocation],
) -> StoredToken {
    let v = timestamp::verify_token(tsr, data, &anchors.0);
    let gen_time = v.info.as_ref().map(|i| i.gen_time);
    let (rev, rev_problem) = judge_revocation(&v.issuers, revocation, gen_time, "TSA");
    let mut when = String::new();
    let info = v.info.as_ref().map(|i| {
        let delta = crate::time::parse(local_time).map(|t| (i.gen_time - t).num_milliseconds());
        let tsa = crate::text::clip(i.tsa_name.as_deref().unwrap_or(&i.signer_subject), 200);
        when = format!(
            "genTime {} by {} (policy {}{}{}); revocation: {}{}",
            crate::time::rfc3339(&i.gen_time),
            tsa,
            crate::text::clip(&i.policy, 80),
            delta
                .map(|d| format!(", {:+.3} s from the local clock", d as f64 / 1000.0))
                .unwrap_or_default(),
            i.lenient
                .as_deref()
                .map(|l| format!("; {l}"))
                .unwrap_or_default(),
            describe(&rev),
            expired_since(i.signer_not_after, i.gen_time, &rev)
                .map(|e| format!("; {e}"))
                .unwrap_or_default()
        );
        TokenInfoFacts {
            gen_time: crate::time::rfc3339(&i.gen_time),
            tsa,
            policy: i.policy.clone(),
            serial: i.serial.clone(),
            difference_from_local_ms: delta,
            lenient: i.lenient.clone(),
            revocation: rev.clone(),
            qualified: None,
        }
    });
    // Reasons may quote the token's certificates: hostile text, shown clipped.
    let clip = |r: &str| crate::text::clip(r, 300);
    let (verdict, message) = match &v.status {
        _ if rev_problem.is_some() && !matches!(v.status, TokenStatus::Invalid { .. }) => (
            TokenVerdict::Invalid,
            format!("{}: {when}", rev_problem.as_deref().unwrap_or_default()),
        ),
        TokenStatus::Trusted => (TokenVerdict::Trusted, format!("trusted timestamp: {when}")),
        TokenStatus::Untrusted { reason } if anchors.0.is_explicit() => (
            TokenVerdict::Invalid,
            format!(
                "the TSA certificate chain does not reach a --tsa-ca root: {}",
                clip(reason)
            ),
        ),
        TokenStatus::Untrusted { reason } => (
            TokenVerdict::Untrusted,
            format!(
                "valid token from a TSA not in the system trust store ({}); pass --tsa-ca with the TSA's root: {when}",
                clip(reason)
            ),
        ),
        TokenStatus::Invalid { reason } => (
            TokenVerdict::Invalid,
            format!("invalid timestamp token: {}", clip(reason)),
        ),
    };
    StoredToken {
        verdict,
        message,
        facts: TokenFacts {
            info,
            status: verdict,
        },
        issuers: v.issuers,
        gen_time,
    }
}

/// A timestamp authority to ask: its URL (never with credentials in it) and, for a TSA
/// that needs an account, the HTTP basic authentication to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsaEndpoint {
    /// The name of its `[tsa.NAME]` section, when it came from the configuration.
    pub name: Option<String>,
    /// The endpoint URL, as recorded in the bundle.
    pub url: String,
    /// The account, when the TSA needs one.
    pub auth: Option<BasicAuth>,
    /// TLS settings: a client certificate, extra roots for the TSA's server certificate.
    pub tls: TlsSettings,
}

/// TLS settings of a TSA endpoint. Its `Debug` never shows the private key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// Client certificate (chain) and its private key, PEM, for TSAs that authenticate
    /// their customers that way.
    pub identity_pem: Option<Vec<u8>>,
    /// Root certificates, PEM, trusted for the TSA's HTTPS server besides the system's.
    pub roots_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSettings")
            .field("identity_pem", &self.identity_pem.as_ref().map(|_| "***"))
            .field("roots_pem", &self.roots_pem.as_ref().map(Vec::len))
            .finish()
    }
}

/// HTTP basic authentication. Its `Debug` hides the password; nothing writes it anywhere.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// Account name.
    pub user: String,
    password: String,
}

impl BasicAuth {
    /// An account.
    pub fn new(user: String, password: String) -> BasicAuth {
        BasicAuth { user, password }
    }

    /// The password, for the request only.
    pub(crate) fn password(&self) -> &str {
        &self.password
    }
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BasicAuth({}:***)", self.user)
    }
}

impl TsaEndpoint {
    /// A TSA given by URL. Credentials written into the URL (`https://user:pw@host/`)
    /// become basic authentication and are removed from the URL that is recorded.
    pub fn from_url(url: &str) -> Result<TsaEndpoint> {
        let mut u = url::Url::parse(url).map_err(|e| {
            crate::error::Error::input(format!(
                "'{}' is not a valid TSA URL ({e})",
                crate::text::mask_url(url)
            ))
            .with_fix("give the TSA's full http(s) URL, or the name of a [tsa.NAME] section of config.toml")
        })?;
        if !matches!(u.scheme(), "http" | "https") {
            return Err(crate::error::Error::input(format!(
                "'{}' is not an http(s) URL",
                crate::text::mask_url(url)
            ))
            .with_fix("RFC 3161 over HTTP needs an http:// or https:// URL"));
        }
        let auth = (!u.username().is_empty() || u.password().is_some()).then(|| {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            BasicAuth::new(decode(u.username()), decode(u.password().unwrap_or("")))
        });
        let _ = u.set_username("");
        let _ = u.set_password(None);
        Ok(TsaEndpoint {
            name: None,
            url: u.to_string(),
            auth,
            tls: TlsSettings::default(),
        })
    }

    /// `name (url)` or the URL, for messages.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.url),
            None => self.url.clone(),
        }
    }
}

/// "the TSA certificate expired on …, after the token; validated at genTime with
/// revocation data from … | without revocation data", when it has expired since.
pub(crate) fn expired_since(
    not_after: chrono::DateTime<chrono::Utc>,
    gen_time: chrono::DateTime<chrono::Utc>,
    rev: &RevocationFacts,
) -> Option<String> {
    if not_after >= chrono::Utc::now() {
        return None;
    }
    let data = match (&rev.source, &rev.produced_at) {
        (Some(src), Some(at)) => format!("with revocation data from {src} of {at}"),
        _ => "without revocation data".to_string(),
    };
    Some(format!(
        "the TSA certificate expired on {}, after the token (genTime {}); validated at genTime {data}",
        crate::time::rfc3339(&not_after),
        crate::time::rfc3339(&gen_time)
    ))
}

fn describe(r: &RevocationFacts) -> String {
    match (r.status.as_str(), &r.source, &r.produced_at) {
        ("none", _, _) => "none stored".into(),
        (s, Some(src), Some(at)) => format!("{s} ({src} of {at})"),
        (s, _, _) => s.to_string(),
    }
}

/// Judge the stored revocation files against the chain; a problem when the data does
/// not verify or shows the TSA revoked before genTime.
pub(crate) fn judge_revocation(
    issuers: &[x509_cert::Certificate],
    stored: &[StoredRevocation],
    gen_time: Option<chrono::DateTime<chrono::Utc>>,
    chain_name: &str,
) -> (RevocationFacts, Option<String>) {
    use crate::evidence::revocation::{self, Status};
    let mut facts = RevocationFacts {
        status: "none".into(),
        source: None,
        produced_at: None,
        revoked_at: None,
        checked: Vec::new(),
    };
    let mut problem = None;
    for (file, k, kind, der) in stored {
        let shown = crate::text::clip(file, 300);
        let judged = match (issuers.get(k - 1), issuers.get(*k)) {
            (Some(cert), Some(issuer)) => revocation::judge(*kind, der, cert, issuer),
            _ => Err("the certificate it is about, or its issuer, is not known".into()),
        };
        let status = match &judged {
            Ok(j) => j.status.as_str().to_string(),
            Err(_) => "invalid".to_string(),
        };
        facts.checked.push(RevocationCheck {
            file: shown.clone(),
            certificate: *k,
            status,
        });
        match judged {
            Err(e) => {
                problem.get_or_insert(format!(
                    "stored revocation data {shown} does not hold: {}",
                    crate::text::clip(&e, 300)
                ));
            }
            Ok(j) => {
                if let (Status::Revoked(at), Some(g)) = (&j.status, gen_time)
                    && *at <= g
                {
                    problem.get_or_insert(format!(
                        "the {chain_name} chain's certificate {k} was revoked on {}, before {} ({shown})",
                        crate::time::rfc3339(at),
                        if chain_name == "TSA" { "genTime" } else { "the signing time" }
                    ));
                }
                if *k == 1 {
                    // A "good" answer older than the time judged, and no longer current
                    // then, says nothing about that time.
                    let stale = j.status == revocation::Status::Good
                        && gen_time.is_some_and(|g| !j.covers(g));
                    facts.status = if stale {
                        "stale".into()
                    } else {
                        j.status.as_str().into()
                    };
                    facts.source = Some(
                        match kind {
                            crate::bundle::layout::RevocationKind::Ocsp => "ocsp",
                            crate::bundle::layout::RevocationKind::Crl => "crl",
                        }
                        .into(),
                    );
                    facts.produced_at = Some(crate::time::rfc3339(&j.produced_at));
                    if let Status::Revoked(at) = j.status {
                        facts.revoked_at = Some(crate::time::rfc3339(&at));
                    }
                }
            }
        }
    }
    (facts, problem)
}

/// Why tokens are asked for: what a failed TSA's warning advises depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// While sealing an item or a custody entry (a failure leaves it on the local clock).
    Sealing,
    /// `sigillo timestamp`: adding tokens to what is already sealed.
    Timestamping,
}

/// Ask every TSA in `urls` for a token over `data`. Each result is the token (`.tsr`
/// bytes and certificate chain PEM) or a warning text. With `require`, any failure is
/// an error and nothing is written.
#[allow(clippy::type_complexity)]
pub fn request_all(
    urls: &[TsaEndpoint],
    data: &[u8],
    timeout: Option<Duration>,
    require: bool,
    purpose: Purpose,
) -> Result<Vec<std::result::Result<timestamp::Token, String>>> {
    let opts = TsaRequestOptions {
        timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
    };
    let mut out = Vec::new();
    for url in urls {
        match timestamp::request_token(url, data, &opts) {
            Ok(t) => out.push(Ok(t)),
            Err(e) => {
                if require {
                    // The TSA failure itself (problem and source) with the --require-tsa fix.
                    let fix = match e.fix() {
                        Some(f) if f == timestamp::REVOKED_TSA_FIX => {
                            format!("nothing was written (--require-tsa); {f}")
                        }
                        _ => "nothing was written (--require-tsa); check the TSA URL and the network, or drop --require-tsa to seal with local time only".to_string(),
                    };
                    return Err(e.with_fix(fix));
                }
                out.push(Err(format!("timestamp authority {} failed ({}); no token from it — {}", url.label(), e.problem(), match purpose {
                    Purpose::Sealing => "this is sealed with the local clock only, marked untrusted; add a token later with `sigillo timestamp`",
                    Purpose::Timestamping => "the item keeps the tokens it had; try again later, or another TSA",
                })));
            }
        }
    }
    Ok(out)
}
