//! Revocation data for the certificates of a TSA chain: fetched once, when a token is
//! obtained, stored beside it, and judged offline by `verify` years later.
//!
//! For every certificate of the chain but the root: an OCSP response from the responder
//! its Authority Information Access names, else the CRL its CRL Distribution Points
//! name. Each is checked before it is stored — signed by the certificate's issuer (or,
//! for OCSP, by a responder that issuer delegated with id-kp-OCSPSigning), about this
//! certificate — and kept as received (DER), so `openssl ocsp -respin F -resp_text` and
//! `openssl crl -inform DER -in F -text` read it too.
//!
//! Structures from RustCrypto's `x509-ocsp` and `x509-cert`; signatures are checked over
//! the bytes as received (`tbsResponseData`, `TBSCertList`), never over a re-encoding.

use std::time::Duration;

use chrono::{DateTime, Utc};
use der::asn1::{Null, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Header, Reader, SliceReader, Tag, TagNumber};
use sha1::Digest as _;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints, ExtendedKeyUsage};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    ResponderId, TbsRequest, Version,
};

pub use crate::bundle::layout::RevocationKind;

const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const ID_KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");

/// Largest OCSP response accepted.
const MAX_OCSP: u64 = 1 << 20;
/// Largest CRL accepted (public CAs' CRLs reach several MB).
const MAX_CRL: u64 = 32 << 20;

/// Revocation data obtained for the k-th certificate of a TSA chain.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// 1: the TSA's signing certificate, 2: its issuer …
    pub cert_index: usize,
    /// OCSP response or CRL.
    pub kind: RevocationKind,
    /// The DER as received.
    pub der: Vec<u8>,
    /// What it says.
    pub judged: Judged,
}

/// What a piece of revocation data says about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// Good, revoked (since when) or unknown.
    pub status: Status,
    /// When the responder or CA produced it (OCSP producedAt, CRL thisUpdate).
    pub produced_at: DateTime<Utc>,
    /// Until when it is current (OCSP nextUpdate, CRL nextUpdate), when it says.
    pub next_update: Option<DateTime<Utc>>,
}

/// How long before the time judged a "good" answer without a nextUpdate still counts.
pub const FRESHNESS: chrono::TimeDelta = chrono::TimeDelta::hours(1);

impl Judged {
    /// Whether a "good" answer speaks for time `t`: produced at or after `t` (a
    /// certificate not revoked then was not revoked at `t`) or at most
    /// [`FRESHNESS`] before it (sigillo fetches the data just before signing, or just
    /// after stamping), or still current at `t` (`t` before its nextUpdate). An older
    /// answer is stale for `t`.
    pub fn covers(&self, t: DateTime<Utc>) -> bool {
        self.produced_at + FRESHNESS >= t || self.next_update.is_some_and(|n| t <= n)
    }
}

/// A certificate's revocation status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not revoked when the data was produced.
    Good,
    /// Revoked at this time.
    Revoked(DateTime<Utc>),
    /// The responder does not know the certificate.
    Unknown,
}

impl Status {
    /// `good`, `revoked` or `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Good => "good",
            Status::Revoked(_) => "revoked",
            Status::Unknown => "unknown",
        }
    }
}

fn time(d: Duration) -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::UNIX_EPOCH + d)
}

/// The chain from `signer` upwards through `pool`, each certificate followed by the one
/// whose key signed it, ending at a self-signed certificate or where no issuer is known.
pub fn issuer_chain(signer: &Certificate, pool: &[Certificate]) -> Vec<Certificate> {
    let mut chain = vec![signer.clone()];
    while chain.len() < 8 {
        let cur = chain.last().cloned().unwrap_or_else(|| signer.clone());
        if cur.tbs_certificate.issuer == cur.tbs_certificate.subject {
            break;
        }
        let Ok(tbs) = first_tlv_owned(&cur) else {
            break;
        };
        let next = pool.iter().find(|c| {
            c.tbs_certificate.subject == cur.tbs_certificate.issuer
                && crate::evidence::tsp::verify_sig(
                    c,
                    &cur.signature_algorithm,
                    None,
                    &tbs,
                    cur.signature.raw_bytes(),
                )
                .is_ok()
        });
        match next {
            Some(n) if !chain.contains(n) => chain.push(n.clone()),
            _ => break,
        }
    }
    chain
}

fn first_tlv_owned(c: &Certificate) -> der::Result<Vec<u8>> {
    c.tbs_certificate.to_der()
}

/// id-ad-caIssuers (RFC 5280 §4.2.2.1): where a certificate's issuer certificate is published.
const ID_AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");
/// Largest issuer certificate (or certs-only PKCS#7) fetched from a caIssuers URL.
const MAX_CA_ISSUERS: u64 = 256 * 1024;

/// Whether `c` names itself as issuer (a root, for chain building).
fn self_issued(c: &Certificate) -> bool {
    c.tbs_certificate.issuer == c.tbs_certificate.subject
}

/// The chain of `signer` for revocation checks, completed where the token stops short:
/// many TSAs embed only their own certificate, so the issuer is looked for among
/// `roots` (the system store, or the roots given), then at the certificate's
/// Authority Information Access caIssuers URL. Returns the chain, the certificates
/// fetched from caIssuers (to be stored with the token: the stored data must be
/// checkable offline), and a note when the chain still stops below a root.
pub fn complete_chain(
    signer: &Certificate,
    token_certs: &[Certificate],
    roots: &[Certificate],
    timeout: Duration,
) -> (Vec<Certificate>, Vec<Certificate>, Option<String>) {
    let mut pool: Vec<Certificate> = token_certs.to_vec();
    let mut chain = issuer_chain(signer, &pool);
    let complete = |c: &[Certificate]| c.last().is_none_or(self_issued);
    if !complete(&chain) {
        pool.extend(roots.iter().cloned());
        chain = issuer_chain(signer, &pool);
    }
    let mut fetched = Vec::new();
    let mut tried = Vec::new();
    while !complete(&chain) && fetched.len() < 4 {
        let Some(last) = chain.last().cloned() else {
            break;
        };
        let urls = ca_issuer_urls(&last);
        if urls.is_empty() {
            break;
        }
        let mut found = false;
        for url in urls {
            match fetch_certs(&url, timeout) {
                Ok(certs) => {
                    let before = chain.len();
                    pool.extend(certs.iter().cloned());
                    chain = issuer_chain(signer, &pool);
                    if chain.len() > before {
                        fetched.extend(chain[before..].iter().cloned());
                        found = true;
                        break;
                    }
                    tried.push(format!("{url}: not the issuer's certificate"));
                }
                Err(e) => tried.push(e),
            }
        }
        if !found {
            break;
        }
    }
    // Only what was fetched and is in the chain is kept (never a root the user already has).
    fetched.retain(|c| !roots.contains(c) && chain.contains(c));
    let note = (!complete(&chain)).then(|| {
        let last = chain.last().unwrap_or(signer);
        format!(
            "no revocation data for '{}': its issuer's certificate ('{}') is not in the token, not among the trusted roots{}; ask the TSA to include its chain in tokens (OpenSSL: certs = chain.pem)",
            crate::text::clip(&last.tbs_certificate.subject.to_string(), 200),
            crate::text::clip(&last.tbs_certificate.issuer.to_string(), 200),
            if tried.is_empty() {
                ", and the certificate names no caIssuers URL".to_string()
            } else {
                format!(", and not found at caIssuers ({})", tried.join("; "))
            }
        )
    });
    (chain, fetched, note)
}

/// http(s) caIssuers URLs of the Authority Information Access extension.
fn ca_issuer_urls(cert: &Certificate) -> Vec<String> {
    aia_urls(cert, ID_AD_CA_ISSUERS)
}

/// Certificates at a caIssuers URL: one DER (or PEM) certificate, or a certs-only
/// PKCS#7 (`.p7c`), as RFC 5280 §4.2.2.1 allows.
fn fetch_certs(url: &str, timeout: Duration) -> Result<Vec<Certificate>, String> {
    let client = crate::net::client_builder()
        .timeout(timeout)
        .user_agent(format!("{}/{}", crate::TOOL_NAME, crate::TOOL_VERSION))
        .build()
        .map_err(|e| e.to_string())?;
    let body = client
        .get(url)
        .send()
        .map_err(|e| format!("{url}: {e}"))
        .and_then(|r| read_body(r, MAX_CA_ISSUERS, url))?;
    if let Ok(c) = Certificate::from_der(&body) {
        return Ok(vec![c]);
    }
    if let Ok(certs) = Certificate::load_pem_chain(&body) {
        return Ok(certs);
    }
    let sd = cms::content_info::ContentInfo::from_der(&body)
        .ok()
        .and_then(|ci| ci.content.decode_as::<cms::signed_data::SignedData>().ok());
    if let Some(sd) = sd {
        let certs: Vec<Certificate> = sd
            .certificates
            .iter()
            .flat_map(|cs| cs.0.iter())
            .filter_map(|c| match c {
                cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        if !certs.is_empty() {
            return Ok(certs);
        }
    }
    Err(format!("{url}: not a certificate (DER, PEM or PKCS#7)"))
}

/// The BasicOCSPResponse inside an OCSPResponse (what CAdES revocation-values holds).
pub fn basic_of(ocsp_response: &[u8]) -> Option<Vec<u8>> {
    let r = OcspResponse::from_der(ocsp_response).ok()?;
    Some(r.response_bytes?.response.as_bytes().to_vec())
}

/// An OCSPResponse (successful) around a BasicOCSPResponse, as [`judge`] reads it.
pub fn wrap_basic(basic: &[u8]) -> Option<Vec<u8>> {
    let r = OcspResponse {
        response_status: OcspResponseStatus::Successful,
        response_bytes: Some(x509_ocsp::ResponseBytes {
            response_type: ID_PKIX_OCSP_BASIC,
            response: OctetString::new(basic.to_vec()).ok()?,
        }),
    };
    r.to_der().ok()
}

/// Which certificate of `chain` (1 = the first, 2 = its issuer …) each piece of data is
/// about, with its kind: the first (certificate, issuer) pair it verifies for; a piece
/// that fits none is placed at certificate 1, so that judging it says why it fails.
pub fn place(
    chain: &[Certificate],
    given: &[(String, Vec<u8>)],
) -> Vec<(String, usize, RevocationKind, Vec<u8>)> {
    given
        .iter()
        .map(|(name, der)| {
            let kinds = [RevocationKind::Ocsp, RevocationKind::Crl];
            let found = chain.windows(2).enumerate().find_map(|(i, pair)| {
                kinds
                    .iter()
                    .find(|k| judge(**k, der, &pair[0], &pair[1]).is_ok())
                    .map(|k| (i + 1, *k))
            });
            let (k, kind) = found.unwrap_or_else(|| {
                let kind = if OcspResponse::from_der(der).is_ok() {
                    RevocationKind::Ocsp
                } else {
                    RevocationKind::Crl
                };
                (1, kind)
            });
            (name.clone(), k, kind, der.clone())
        })
        .collect()
}

/// Fetch and check revocation data for every certificate of `chain` (see
/// [`issuer_chain`]) that has an issuer in it. Returns what was obtained, and a note for
/// each certificate left without data (no URL, unreachable, not valid).
pub fn fetch(chain: &[Certificate], timeout: Duration) -> (Vec<Fetched>, Vec<String>) {
    let mut got = Vec::new();
    let mut notes = Vec::new();
    for (i, pair) in chain.windows(2).enumerate() {
        let (cert, issuer) = (&pair[0], &pair[1]);
        let subject = crate::text::clip(&cert.tbs_certificate.subject.to_string(), 200);
        match fetch_one(cert, issuer, timeout) {
            Ok((kind, der, judged)) => got.push(Fetched {
                cert_index: i + 1,
                kind,
                der,
                judged,
            }),
            Err(why) => notes.push(format!("no revocation data for '{subject}': {why}")),
        }
    }
    (got, notes)
}

fn fetch_one(
    cert: &Certificate,
    issuer: &Certificate,
    timeout: Duration,
) -> Result<(RevocationKind, Vec<u8>, Judged), String> {
    let client = crate::net::client_builder()
        .timeout(timeout)
        .user_agent(format!("{}/{}", crate::TOOL_NAME, crate::TOOL_VERSION))
        .build()
        .map_err(|e| e.to_string())?;
    let mut tried = Vec::new();
    for url in ocsp_urls(cert) {
        let req = ocsp_request(cert, issuer).map_err(|e| e.to_string())?;
        let got = client
            .post(&url)
            .header("Content-Type", "application/ocsp-request")
            .body(req)
            .send()
            .map_err(|e| format!("OCSP {url}: {e}"))
            .and_then(|r| read_body(r, MAX_OCSP, &url));
        match got.and_then(|der| {
            judge(RevocationKind::Ocsp, &der, cert, issuer)
                .map(|j| (der, j))
                .map_err(|e| format!("OCSP {url}: {e}"))
        }) {
            Ok((der, j)) => return Ok((RevocationKind::Ocsp, der, j)),
            Err(e) => tried.push(e),
        }
    }
    for url in crl_urls(cert) {
        let got = client
            .get(&url)
            .send()
            .map_err(|e| format!("CRL {url}: {e}"))
            .and_then(|r| read_body(r, MAX_CRL, &url));
        match got.and_then(|der| {
            judge(RevocationKind::Crl, &der, cert, issuer)
                .map(|j| (der, j))
                .map_err(|e| format!("CRL {url}: {e}"))
        }) {
            Ok((der, j)) => return Ok((RevocationKind::Crl, der, j)),
            Err(e) => tried.push(e),
        }
    }
    if tried.is_empty() {
        Err("the certificate names no OCSP responder and no CRL".into())
    } else {
        Err(tried.join("; "))
    }
}

fn read_body(r: reqwest::blocking::Response, max: u64, url: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    if !r.status().is_success() {
        return Err(format!("{url}: HTTP status {}", r.status()));
    }
    let mut b = Vec::new();
    r.take(max + 1)
        .read_to_end(&mut b)
        .map_err(|e| format!("{url}: {e}"))?;
    if b.len() as u64 > max {
        return Err(format!("{url}: larger than {max} bytes"));
    }
    Ok(b)
}

/// http(s) OCSP responder URLs of the Authority Information Access extension.
fn ocsp_urls(cert: &Certificate) -> Vec<String> {
    aia_urls(cert, ID_AD_OCSP)
}

/// http(s) URLs of one access method of the Authority Information Access extension.
fn aia_urls(cert: &Certificate, method: ObjectIdentifier) -> Vec<String> {
    let Ok(Some((_, aia))) = cert.tbs_certificate.get::<AuthorityInfoAccessSyntax>() else {
        return Vec::new();
    };
    aia.0
        .iter()
        .filter(|ad| ad.access_method == method)
        .filter_map(|ad| match &ad.access_location {
            GeneralName::UniformResourceIdentifier(u) => Some(u.as_str().to_string()),
            _ => None,
        })
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .collect()
}

/// http(s) CRL URLs of the CRL Distribution Points (indirect CRLs are skipped).
fn crl_urls(cert: &Certificate) -> Vec<String> {
    let Ok(Some((_, dps))) = cert.tbs_certificate.get::<CrlDistributionPoints>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for dp in dps.0.iter().filter(|dp| dp.crl_issuer.is_none()) {
        if let Some(DistributionPointName::FullName(names)) = &dp.distribution_point {
            for n in names {
                if let GeneralName::UniformResourceIdentifier(u) = n {
                    let u = u.as_str();
                    if u.starts_with("http://") || u.starts_with("https://") {
                        out.push(u.to_string());
                    }
                }
            }
        }
    }
    out
}

/// SHA-1 CertID (RFC 6960): hashes of the issuer's name and of its public key.
fn cert_id(cert: &Certificate, issuer: &Certificate) -> der::Result<CertId> {
    let name = cert.tbs_certificate.issuer.to_der()?;
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(Null.into()),
        },
        issuer_name_hash: OctetString::new(sha1::Sha1::digest(&name).to_vec())?,
        issuer_key_hash: OctetString::new(sha1::Sha1::digest(key).to_vec())?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    })
}

/// An unsigned OCSPRequest for one certificate.
fn ocsp_request(cert: &Certificate, issuer: &Certificate) -> der::Result<Vec<u8>> {
    OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id(cert, issuer)?,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    }
    .to_der()
}

/// The complete first TLV inside an outer SEQUENCE (the signed part of a CRL or a
/// BasicOCSPResponse), as received.
fn first_tlv(bytes: &[u8]) -> der::Result<&[u8]> {
    let mut r = SliceReader::new(bytes)?;
    Header::decode(&mut r)?.tag.assert_eq(Tag::Sequence)?;
    r.tlv_bytes()
}

/// Raw certificates of a BasicOCSPResponse (`certs [0] EXPLICIT SEQUENCE OF`).
fn basic_certs(basic: &[u8]) -> der::Result<Vec<&[u8]>> {
    let mut r = SliceReader::new(basic)?;
    Header::decode(&mut r)?.tag.assert_eq(Tag::Sequence)?;
    r.tlv_bytes()?;
    r.tlv_bytes()?;
    r.tlv_bytes()?;
    let mut certs = Vec::new();
    if !r.is_finished() {
        Header::decode(&mut r)?
            .tag
            .assert_eq(Tag::ContextSpecific {
                constructed: true,
                number: TagNumber::N0,
            })?;
        let h = Header::decode(&mut r)?;
        h.tag.assert_eq(Tag::Sequence)?;
        let end = (r.position() + h.length)?;
        while r.position() < end {
            certs.push(r.tlv_bytes()?);
        }
    }
    Ok(certs)
}

fn responder_is(id: &ResponderId, c: &Certificate) -> bool {
    match id {
        ResponderId::ByName(n) => c.tbs_certificate.subject == *n,
        ResponderId::ByKey(h) => {
            let k = c
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes();
            sha1::Sha1::digest(k)[..] == *h.as_bytes()
        }
    }
}

/// Check stored revocation data about `cert` (issued by `issuer`): who signed it, that
/// it is about this certificate, and what it says. Offline.
pub fn judge(
    kind: RevocationKind,
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<Judged, String> {
    match kind {
        RevocationKind::Ocsp => judge_ocsp(der, cert, issuer),
        RevocationKind::Crl => judge_crl(der, cert, issuer),
    }
}

fn judge_ocsp(der: &[u8], cert: &Certificate, issuer: &Certificate) -> Result<Judged, String> {
    let resp = OcspResponse::from_der(der).map_err(|e| format!("not an OCSP response ({e})"))?;
    if resp.response_status != OcspResponseStatus::Successful {
        return Err(format!("the responder answered {:?}", resp.response_status));
    }
    let rb = resp
        .response_bytes
        .ok_or("a successful OCSP response without a body")?;
    if rb.response_type != ID_PKIX_OCSP_BASIC {
        return Err(format!(
            "unsupported OCSP response type {}",
            rb.response_type
        ));
    }
    let raw = rb.response.as_bytes();
    let basic = BasicOcspResponse::from_der(raw).map_err(|e| format!("malformed ({e})"))?;
    let tbs = first_tlv(raw).map_err(|e| e.to_string())?;
    let rid = &basic.tbs_response_data.responder_id;
    // Signed by the issuer itself, or by a responder it delegated (issued by it, with
    // id-kp-OCSPSigning).
    let delegated;
    let signer = if responder_is(rid, issuer) {
        issuer
    } else {
        let raws = basic_certs(raw).map_err(|e| e.to_string())?;
        let found = raws
            .iter()
            .filter_map(|r| Certificate::from_der(r).ok())
            .find(|c| responder_is(rid, c))
            .ok_or("signed by a responder whose certificate is not included")?;
        let tbs_c = found.tbs_certificate.to_der().map_err(|e| e.to_string())?;
        crate::evidence::tsp::verify_sig(
            issuer,
            &found.signature_algorithm,
            None,
            &tbs_c,
            found.signature.raw_bytes(),
        )
        .map_err(|_| "signed by a responder the certificate's issuer did not authorise")?;
        let eku = matches!(found.tbs_certificate.get::<ExtendedKeyUsage>(),
            Ok(Some((_, e))) if e.0.contains(&ID_KP_OCSP_SIGNING));
        if !eku {
            return Err("signed by a responder without the OCSP-signing key purpose".into());
        }
        delegated = found;
        &delegated
    };
    crate::evidence::tsp::verify_sig(
        signer,
        &basic.signature_algorithm,
        None,
        tbs,
        basic.signature.raw_bytes(),
    )
    .map_err(|e| format!("its signature does not verify ({e})"))?;
    let want = cert_id(cert, issuer).map_err(|e| e.to_string())?;
    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|s| {
            s.cert_id.hash_algorithm.oid == want.hash_algorithm.oid
                && s.cert_id.issuer_name_hash == want.issuer_name_hash
                && s.cert_id.issuer_key_hash == want.issuer_key_hash
                && s.cert_id.serial_number == want.serial_number
        })
        .ok_or("it is about another certificate")?;
    let status = match &single.cert_status {
        CertStatus::Good(_) => Status::Good,
        CertStatus::Revoked(r) => Status::Revoked(time(r.revocation_time.0.to_unix_duration())),
        CertStatus::Unknown(_) => Status::Unknown,
    };
    Ok(Judged {
        status,
        produced_at: time(basic.tbs_response_data.produced_at.0.to_unix_duration()),
        next_update: single
            .next_update
            .as_ref()
            .map(|n| time(n.0.to_unix_duration())),
    })
}

fn judge_crl(der: &[u8], cert: &Certificate, issuer: &Certificate) -> Result<Judged, String> {
    let crl = CertificateList::from_der(der).map_err(|e| format!("not a CRL ({e})"))?;
    let t = &crl.tbs_cert_list;
    if t.issuer != issuer.tbs_certificate.subject {
        return Err("the CRL is issued by another CA".into());
    }
    let tbs = first_tlv(der).map_err(|e| e.to_string())?;
    crate::evidence::tsp::verify_sig(
        issuer,
        &crl.signature_algorithm,
        None,
        tbs,
        crl.signature.raw_bytes(),
    )
    .map_err(|e| format!("its signature does not verify ({e})"))?;
    let revoked = t
        .revoked_certificates
        .iter()
        .flatten()
        .find(|r| r.serial_number == cert.tbs_certificate.serial_number);
    Ok(Judged {
        status: match revoked {
            Some(r) => Status::Revoked(time(r.revocation_date.to_unix_duration())),
            None => Status::Good,
        },
        produced_at: time(t.this_update.to_unix_duration()),
        next_update: t.next_update.as_ref().map(|n| time(n.to_unix_duration())),
    })
}
