//! RFC 3161 trusted timestamps: request tokens, check them, verify them offline.
//!
//! RustCrypto's `x509-tsp`, `cms` and `x509-cert` build and parse the structures; no
//! maintained crate verifies a TimeStampToken completely (cryptographic-message-syntax
//! mis-parses TSTInfo accuracy with millis), so the checks are written here, in the
//! order RFC 3161 / RFC 5652 / RFC 5035 give them:
//!
//! 1. the status is granted;
//! 2. the eContentType is id-ct-TSTInfo;
//! 3. the `messageDigest` signed attribute equals the hash of the TSTInfo;
//! 4. the signature over the DER of the signed attributes verifies with the signer
//!    certificate (ECDSA P-256/P-384, RSA PKCS#1 v1.5 and PSS);
//! 5. the ESS signing-certificate(-v2) hash names that certificate;
//! 6. the certificate has the critical timeStamping extended key usage;
//! 7. the message imprint (and, when requesting, the nonce) match;
//! 8. the chain reaches a trust anchor, every certificate valid at genTime (path
//!    validation by rustls-webpki: basic constraints, path length, critical
//!    extensions, the timeStamping key purpose).

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{Int, OctetString};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode, Sequence, Tagged};
use sha2::Digest as _;
use x509_cert::Certificate;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_tsp::{Accuracy, MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

use crate::error::{Error, Result};

const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_AA_SIGNING_CERT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
const ID_AA_SIGNING_CERT_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// Largest TSA reply accepted.
const MAX_REPLY: u64 = 1 << 20;

/// Options for asking a TSA.
#[derive(Debug, Clone)]
pub struct TsaRequestOptions {
    /// How long to wait for the TSA.
    pub timeout: Duration,
}

/// Facts read from a token.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// The TSA's time.
    pub gen_time: DateTime<Utc>,
    /// The `tsa` name field, if present.
    pub tsa_name: Option<String>,
    /// Subject of the signing certificate.
    pub signer_subject: String,
    /// Policy OID.
    pub policy: String,
    /// Serial number (hex).
    pub serial: String,
    /// Hash algorithm of the imprint.
    pub hash_alg: String,
    /// Accuracy in milliseconds, if stated.
    pub accuracy_ms: Option<u64>,
    /// What had to be read leniently (BER, repeated certificates), if anything.
    pub lenient: Option<String>,
    /// End of the signing certificate's validity (it may have expired since genTime).
    pub signer_not_after: DateTime<Utc>,
}

/// What a token must cover: the data itself, or its digest (with the token's algorithm).
#[derive(Debug, Clone, Copy)]
pub enum Covered<'a> {
    /// The bytes that were stamped.
    Data(&'a [u8]),
    /// Their hash, computed elsewhere (`timestamp verify --digest`).
    Digest(&'a [u8]),
}

/// A token obtained from a TSA, checked.
#[derive(Debug, Clone)]
pub struct Token {
    /// The full DER TimeStampResp, stored as `.tsr`.
    pub tsr: Vec<u8>,
    /// The certificates in the token, PEM, signer first.
    pub chain_pem: String,
    /// What the token says.
    pub info: TokenInfo,
    /// Revocation data for the TSA chain, checked (stored beside the token).
    pub revocation: Vec<crate::evidence::revocation::Fetched>,
    /// Certificates of the chain left without revocation data, and why.
    pub revocation_notes: Vec<String>,
}

/// Roots that TSA chains must reach.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    certs: Vec<Certificate>,
    explicit: bool,
}

impl TrustAnchors {
    /// Roots from PEM files given with `--tsa-ca`.
    pub fn from_pem_files(paths: &[PathBuf]) -> Result<Self> {
        let mut certs = Vec::new();
        for p in paths {
            let text =
                std::fs::read(p).map_err(|e| Error::io("read the TSA root certificate", p, e))?;
            let found = Certificate::load_pem_chain(&text).map_err(|e| {
                Error::input(format!(
                    "'{}' holds no readable PEM certificate ({e})",
                    p.display()
                ))
                .with_fix(
                    "pass the TSA's root certificate in PEM form (-----BEGIN CERTIFICATE-----)",
                )
            })?;
            certs.extend(found);
        }
        Ok(TrustAnchors {
            certs,
            explicit: true,
        })
    }

    /// The system trust store (Debian: /etc/ssl/certs/ca-certificates.crt); empty if unreadable.
    pub fn system() -> Self {
        let certs = [
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/pki/tls/certs/ca-bundle.crt",
        ]
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .and_then(|b| Certificate::load_pem_chain(&b).ok())
        .unwrap_or_default();
        TrustAnchors {
            certs,
            explicit: false,
        }
    }

    /// The anchor certificates.
    pub fn certs(&self) -> &[Certificate] {
        &self.certs
    }

    /// Whether the anchors were given explicitly (`--tsa-ca`).
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }
}

/// The verdict on one token.
#[derive(Debug, Clone)]
pub struct TokenVerdict {
    /// What the token says, when it could be read.
    pub info: Option<TokenInfo>,
    /// Subjects of the certificate path, signer first and trust anchor last (empty when
    /// no path to an anchor was found).
    pub chain: Vec<String>,
    /// The signer and the issuers found above it (token certificates, certificates
    /// given apart, anchors): what stored revocation data is judged against.
    pub issuers: Vec<Certificate>,
    /// Trusted, untrusted or invalid.
    pub status: TokenStatus,
}

/// How far a token could be verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenStatus {
    /// Valid, and the TSA chain reaches a trust anchor.
    Trusted,
    /// Valid token, but its chain does not reach a trust anchor.
    Untrusted {
        /// Why not.
        reason: String,
    },
    /// Broken, tampered or not over this data.
    Invalid {
        /// What is wrong.
        reason: String,
    },
}

/// TSTInfo as in x509-tsp, except `genTime`: DER allows fractional seconds
/// (`20261122100000.123Z`, which OpenSSL and most TSAs send) but der's
/// `GeneralizedTime` rejects them, so it is kept raw and parsed by [`parse_gen_time`].
#[derive(Sequence)]
struct TstInfo {
    version: TspVersion,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: Any,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<Extensions>,
}

/// Parse a DER GeneralizedTime value `YYYYMMDDHHMMSS[.f+]Z`.
fn parse_gen_time(v: &Any) -> Option<DateTime<Utc>> {
    if v.tag() != der::Tag::GeneralizedTime {
        return None;
    }
    let s = std::str::from_utf8(v.value()).ok()?;
    let s = s.strip_suffix('Z')?;
    let (main, frac) = match s.split_once('.') {
        Some((m, f))
            if !f.is_empty()
                && f.len() <= 9
                && f.bytes().all(|b| b.is_ascii_digit())
                && !f.ends_with('0') =>
        {
            (m, f)
        }
        Some(_) => return None,
        None => (s, ""),
    };
    if main.len() != 14 || !main.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let naive = chrono::NaiveDateTime::parse_from_str(main, "%Y%m%d%H%M%S").ok()?;
    let nanos: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    Some(naive.and_utc() + chrono::Duration::nanoseconds(nanos))
}

#[derive(Sequence)]
struct EssCertIdV2 {
    /// Absent means SHA-256 (the DEFAULT in RFC 5035).
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<Any>,
}

#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

#[derive(Sequence)]
struct EssCertId {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<Any>,
}

#[derive(Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

/// (hash algorithm, hash) of the first ESSCertIDv2 of a signing-certificate-v2 value.
pub(crate) fn ess_v2_first(v: &Any) -> der::Result<(ObjectIdentifier, Vec<u8>)> {
    let sc: SigningCertificateV2 = v.decode_as()?;
    let first = sc
        .certs
        .first()
        .ok_or_else(|| der::Error::from(der::ErrorKind::Failed))?;
    Ok((
        first.hash_algorithm.as_ref().map_or(ID_SHA256, |a| a.oid),
        first.cert_hash.as_bytes().to_vec(),
    ))
}

/// (SHA-1, hash) of the first ESSCertID of a signing-certificate value.
pub(crate) fn ess_v1_first(v: &Any) -> der::Result<(ObjectIdentifier, Vec<u8>)> {
    let sc: SigningCertificate = v.decode_as()?;
    let first = sc
        .certs
        .first()
        .ok_or_else(|| der::Error::from(der::ErrorKind::Failed))?;
    Ok((ID_SHA1, first.cert_hash.as_bytes().to_vec()))
}

pub(crate) fn digest(alg: &ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    Some(match *alg {
        ID_SHA256 => sha2::Sha256::digest(data).to_vec(),
        ID_SHA384 => sha2::Sha384::digest(data).to_vec(),
        ID_SHA512 => sha2::Sha512::digest(data).to_vec(),
        ID_SHA1 => {
            use sha1::Digest;
            sha1::Sha1::digest(data).to_vec()
        }
        _ => return None,
    })
}

/// [`digest`] of everything `r` yields, streamed (an enveloped bundle may be many GB).
/// `None` for an algorithm it cannot compute.
pub(crate) fn digest_reader(
    alg: &ObjectIdentifier,
    r: &mut dyn std::io::Read,
) -> Option<std::io::Result<Vec<u8>>> {
    fn run<D: sha2::Digest>(mut h: D, r: &mut dyn std::io::Read) -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0u8; 1 << 20];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return Ok(h.finalize().to_vec()),
                Ok(n) => h.update(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    Some(match *alg {
        ID_SHA256 => run(sha2::Sha256::new(), r),
        ID_SHA384 => run(sha2::Sha384::new(), r),
        ID_SHA512 => run(sha2::Sha512::new(), r),
        ID_SHA1 => run(sha1::Sha1::new(), r),
        _ => return None,
    })
}

/// What to do about a TSA whose certificate is revoked (kept by `--require-tsa`).
pub const REVOKED_TSA_FIX: &str = "use another timestamp authority: a token from a TSA whose certificate is revoked proves nothing; tell the TSA's operator";

fn hash_name(alg: &ObjectIdentifier) -> String {
    match *alg {
        ID_SHA256 => "sha256".into(),
        ID_SHA384 => "sha384".into(),
        ID_SHA512 => "sha512".into(),
        ID_SHA1 => "sha1".into(),
        o => o.to_string(),
    }
}

/// Verify `sig` over `msg` with the public key of `cert`, for signature algorithm `alg`
/// (for RSA in CMS the algorithm may be plain rsaEncryption with the digest given apart).
pub(crate) fn verify_sig(
    cert: &Certificate,
    alg: &AlgorithmIdentifierOwned,
    digest_alg: Option<&ObjectIdentifier>,
    msg: &[u8],
    sig: &[u8],
) -> std::result::Result<(), String> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key = spki.subject_public_key.raw_bytes();
    if alg.oid == RSASSA_PSS {
        return verify_pss(key, alg, msg, sig);
    }
    let hash_oid = match alg.oid {
        ECDSA_SHA256 | RSA_SHA256 => ID_SHA256,
        ECDSA_SHA384 | RSA_SHA384 => ID_SHA384,
        ECDSA_SHA512 | RSA_SHA512 => ID_SHA512,
        RSA_ENCRYPTION => *digest_alg.ok_or("no digest algorithm for rsaEncryption")?,
        o => return Err(format!("unsupported signature algorithm {o}")),
    };
    let h = digest(&hash_oid, msg).ok_or("unsupported digest")?;
    if spki.algorithm.oid == EC_PUBLIC_KEY {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        match curve {
            Some(SECP256R1) => {
                let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                    .map_err(|e| format!("bad P-256 key: {e}"))?;
                let s = p256::ecdsa::Signature::from_der(sig)
                    .map_err(|e| format!("bad ECDSA signature: {e}"))?;
                vk.verify_prehash(&h, &s)
                    .map_err(|_| "ECDSA P-256 signature does not verify".to_string())
            }
            Some(SECP384R1) => {
                let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
                    .map_err(|e| format!("bad P-384 key: {e}"))?;
                let s = p384::ecdsa::Signature::from_der(sig)
                    .map_err(|e| format!("bad ECDSA signature: {e}"))?;
                vk.verify_prehash(&h, &s)
                    .map_err(|_| "ECDSA P-384 signature does not verify".to_string())
            }
            other => Err(format!("unsupported elliptic curve {other:?}")),
        }
    } else if spki.algorithm.oid == RSA_ENCRYPTION {
        use rsa::pkcs1::DecodeRsaPublicKey;
        let pk = rsa::RsaPublicKey::from_pkcs1_der(key).map_err(|e| format!("bad RSA key: {e}"))?;
        let scheme = match hash_oid {
            ID_SHA256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            ID_SHA384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            ID_SHA512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            _ => return Err("unsupported RSA digest".into()),
        };
        pk.verify(scheme, &h, sig)
            .map_err(|_| "RSA signature does not verify".to_string())
    } else {
        Err(format!(
            "unsupported public key algorithm {}",
            spki.algorithm.oid
        ))
    }
}

/// RSASSA-PSS (RFC 4055): the hash, MGF1 hash and salt length come from the
/// algorithm's parameters; the key is an RSAPublicKey whether its SPKI says
/// rsaEncryption or id-RSASSA-PSS.
fn verify_pss(
    key: &[u8],
    alg: &AlgorithmIdentifierOwned,
    msg: &[u8],
    sig: &[u8],
) -> std::result::Result<(), String> {
    use rsa::pkcs1::{DecodeRsaPublicKey, RsaPssParams, TrailerField};
    let raw = alg
        .parameters
        .as_ref()
        .ok_or("RSASSA-PSS without parameters")?
        .to_der()
        .map_err(|e| e.to_string())?;
    let p = RsaPssParams::from_der(&raw).map_err(|e| format!("bad RSASSA-PSS parameters: {e}"))?;
    let mgf_hash = p.mask_gen.parameters.as_ref().map(|h| h.oid);
    if p.mask_gen.oid != MGF1 || mgf_hash != Some(p.hash.oid) {
        return Err("RSASSA-PSS with a mask generation other than MGF1 over the same hash".into());
    }
    if p.trailer_field != TrailerField::BC {
        return Err("RSASSA-PSS with an unknown trailer field".into());
    }
    let h = digest(&p.hash.oid, msg).ok_or("unsupported RSASSA-PSS digest")?;
    let salt = usize::from(p.salt_len);
    let scheme = match p.hash.oid {
        ID_SHA256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
        ID_SHA384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
        ID_SHA512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
        _ => return Err("unsupported RSASSA-PSS digest".into()),
    };
    let pk = rsa::RsaPublicKey::from_pkcs1_der(key).map_err(|e| format!("bad RSA key: {e}"))?;
    pk.verify(scheme, &h, sig)
        .map_err(|_| "RSASSA-PSS signature does not verify".to_string())
}

fn cert_time(t: &x509_cert::time::Time) -> DateTime<Utc> {
    DateTime::<Utc>::from(t.to_system_time())
}

/// Parse a `.tsr` (TimeStampResp) or a bare token (ContentInfo): (status ok?, status text, token).
/// The TLVs directly inside a constructed DER value.
fn children(value: &[u8]) -> Option<Vec<der::AnyRef<'_>>> {
    use der::Reader;
    let mut r = der::SliceReader::new(value).ok()?;
    let mut out = Vec::new();
    while !r.is_finished() {
        out.push(r.decode::<der::AnyRef<'_>>().ok()?);
    }
    Some(out)
}

/// The signed attributes exactly as the TSA encoded them, re-tagged as SET OF (RFC 5652
/// §5.4). Re-encoding the parsed attributes would sort them; a TSA that did not would
/// then fail verification, so the bytes are sliced out of the token instead.
pub(crate) fn raw_signed_attrs(token: &[u8]) -> Option<Vec<u8>> {
    let ci = der::AnyRef::from_der(token).ok()?;
    let kids = children(ci.value())?;
    let sd = der::AnyRef::from_der(kids.get(1)?.value()).ok()?;
    let sd_kids = children(sd.value())?;
    let infos = sd_kids.last()?;
    let first = children(infos.value())?.into_iter().next()?;
    let attrs = children(first.value())?
        .into_iter()
        .find(|a| a.tag().octet() == 0xA0)?;
    let mut raw = attrs.to_der().ok()?;
    raw[0] = 0x31;
    Some(raw)
}

/// The TimeStampToken (DER ContentInfo) inside a TimeStampResp, as CAdES embeds it.
pub fn token_of_reply(tsr: &[u8]) -> Vec<u8> {
    raw_token(tsr)
}

/// The raw TimeStampToken inside a `.tsr` (or the bytes themselves for a bare token).
fn raw_token(bytes: &[u8]) -> Vec<u8> {
    der::AnyRef::from_der(bytes)
        .ok()
        .and_then(|r| children(r.value()))
        .filter(|k| {
            k.len() == 2 && k[1].tag() == der::Tag::Sequence && k[0].tag() == der::Tag::Sequence
        })
        .and_then(|k| k[1].to_der().ok())
        .unwrap_or_else(|| bytes.to_vec())
}

/// The token as the checks read it: strict DER as it was stored, or, for a token that
/// `openssl ts -verify` accepts although it is not strict DER, re-encoded (see
/// [`ber`](crate::evidence::ber)) with a note of what was changed.
fn readable(bytes: &[u8]) -> (std::borrow::Cow<'_, [u8]>, Option<String>) {
    match crate::evidence::ber::normalize(bytes) {
        Some((der, repairs)) if !repairs.none() => (der.into(), repairs.describe()),
        _ => (bytes.into(), None),
    }
}

fn parse_token(bytes: &[u8]) -> std::result::Result<ContentInfo, String> {
    if let Ok(resp) = TimeStampResp::from_der(bytes) {
        use cmpv2::status::PkiStatus;
        let st = resp.status.status;
        if !matches!(st, PkiStatus::Accepted | PkiStatus::GrantedWithMods) {
            let text = resp
                .status
                .status_string
                .as_ref()
                .map(|v| {
                    v.iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            return Err(format!("the TSA refused: status {st:?} {text}")
                .trim()
                .to_string());
        }
        return resp
            .time_stamp_token
            .ok_or_else(|| "the reply is granted but holds no token".to_string());
    }
    ContentInfo::from_der(bytes).map_err(|e| format!("not an RFC 3161 reply or token ({e})"))
}

/// One ESSCertID(v2): a certificate named by its hash.
struct EssId {
    alg: ObjectIdentifier,
    hash: Vec<u8>,
}

impl EssId {
    fn names(&self, c: &Certificate) -> bool {
        c.to_der()
            .ok()
            .and_then(|der| digest(&self.alg, &der))
            .is_some_and(|h| h == self.hash)
    }
}

struct Checked {
    info: TokenInfo,
    /// ESS ids after the signer's: each must name a certificate of the chain.
    ess_chain: Vec<EssId>,
    tst: TstInfo,
    signer: Certificate,
    certs: Vec<Certificate>,
}

/// Checks 2–7 (everything but the chain).
fn check_token(
    ci: &ContentInfo,
    raw: &[u8],
    covered: Covered<'_>,
    extra: &[Certificate],
) -> std::result::Result<Checked, String> {
    if ci.content_type != ID_SIGNED_DATA {
        return Err("the token is not CMS SignedData".into());
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| format!("malformed SignedData ({e})"))?;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err("the signed content is not a TSTInfo".into());
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("the token has no TSTInfo")?;
    let tst_der = OctetString::from_der(&econtent.to_der().map_err(|e| e.to_string())?)
        .map(|o| o.as_bytes().to_vec())
        .unwrap_or_else(|_| econtent.value().to_vec());
    // The digest covers the octets as sent; a BER TSTInfo is read through its DER form.
    let tst = TstInfo::from_der(&tst_der)
        .or_else(|e| {
            crate::evidence::ber::reencode(&tst_der)
                .and_then(|d| TstInfo::from_der(&d).ok())
                .ok_or(e)
        })
        .map_err(|e| format!("malformed TSTInfo ({e})"))?;
    // The token's own certificates, then those supplied apart (`--certs`, for a token
    // requested without certReq).
    let mut certs: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|cs| {
            cs.0.iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    for c in extra {
        if !certs.contains(c) {
            certs.push(c.clone());
        }
    }
    let si: &SignerInfo = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or("the token has no signer")?;
    let signer = certs
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(i) => {
                c.tbs_certificate.issuer == i.issuer && c.tbs_certificate.serial_number == i.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => c
                .tbs_certificate
                .extensions
                .iter()
                .flatten()
                .any(|e| e.extn_id == ObjectIdentifier::new_unwrap("2.5.29.14") && e.extn_value.as_bytes().ends_with(ski.0.as_bytes())),
        })
        .cloned()
        .ok_or("the TSA's signing certificate is neither in the token nor among the certificates supplied apart (a request made without certReq: supply the TSA's certificate)")?;
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or("the token has no signed attributes")?;
    let attr = |oid: ObjectIdentifier| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next().cloned())
    };
    // 2/3. Content type and message digest.
    match attr(ID_CONTENT_TYPE).and_then(|v| v.decode_as::<ObjectIdentifier>().ok()) {
        Some(o) if o == ID_CT_TST_INFO => {}
        _ => return Err("the signed content-type attribute is not id-ct-TSTInfo".into()),
    }
    let md = attr(ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or("the token has no messageDigest attribute")?;
    let want =
        digest(&si.digest_alg.oid, &tst_der).ok_or("unsupported digest algorithm in the token")?;
    if md.as_bytes() != want.as_slice() {
        return Err(
            "the TSTInfo does not match the digest the TSA signed (the token was altered)".into(),
        );
    }
    // 4. Signature over the DER SET OF signed attributes.
    let signed =
        raw_signed_attrs(raw).ok_or("could not locate the signed attributes in the token")?;
    verify_sig(
        &signer,
        &si.signature_algorithm,
        Some(&si.digest_alg.oid),
        &signed,
        si.signature.as_bytes(),
    )
    .map_err(|e| format!("the TSA signature does not verify: {e}"))?;
    // 5. ESS signing certificate names the signer first; further ids (with
    //    `ess_cert_id_chain`) name the rest of its chain, checked once it is built.
    let ess: Vec<EssId> = if let Some(v) = attr(ID_AA_SIGNING_CERT_V2) {
        let sc: SigningCertificateV2 = v
            .decode_as()
            .map_err(|e| format!("malformed signingCertificateV2 ({e})"))?;
        sc.certs
            .iter()
            .map(|id| EssId {
                alg: id.hash_algorithm.as_ref().map_or(ID_SHA256, |a| a.oid),
                hash: id.cert_hash.as_bytes().to_vec(),
            })
            .collect()
    } else if let Some(v) = attr(ID_AA_SIGNING_CERT) {
        let sc: SigningCertificate = v
            .decode_as()
            .map_err(|e| format!("malformed signingCertificate ({e})"))?;
        sc.certs
            .iter()
            .map(|id| EssId {
                alg: ID_SHA1,
                hash: id.cert_hash.as_bytes().to_vec(),
            })
            .collect()
    } else {
        return Err("the token has no ESS signing-certificate attribute".into());
    };
    let Some((first, rest)) = ess.split_first() else {
        return Err("the ESS signing-certificate attribute lists no certificate".into());
    };
    if !first.names(&signer) {
        return Err(
            "the ESS signing-certificate attribute names another certificate than the signer's"
                .into(),
        );
    }
    // As OpenSSL (ESS "cert id wrong order"): the signer only in the first place.
    if rest.iter().any(|id| id.names(&signer)) {
        return Err(
            "the ESS signing-certificate attribute lists the signer's certificate again after the first place"
                .into(),
        );
    }
    // 6. Critical timeStamping EKU.
    let eku_ok = signer.tbs_certificate.extensions.iter().flatten().any(|e| {
        e.extn_id == EXT_KEY_USAGE
            && e.critical
            && x509_cert::ext::pkix::ExtendedKeyUsage::from_der(e.extn_value.as_bytes())
                .map(|k| k.0.contains(&KP_TIME_STAMPING))
                .unwrap_or(false)
    });
    if !eku_ok {
        return Err(
            "the TSA certificate lacks the critical timeStamping extended key usage".into(),
        );
    }
    // 7. Imprint.
    let (h, what) = match covered {
        Covered::Data(data) => (
            digest(&tst.message_imprint.hash_algorithm.oid, data)
                .ok_or("unsupported imprint hash")?,
            "the data hashes to",
        ),
        Covered::Digest(d) => (d.to_vec(), "the digest given is"),
    };
    if tst.message_imprint.hashed_message.as_bytes() != h.as_slice() {
        return Err(format!(
            "the message imprint does not match: the token covers {}:{}, {what} {}",
            hash_name(&tst.message_imprint.hash_algorithm.oid),
            hex::encode(tst.message_imprint.hashed_message.as_bytes()),
            hex::encode(&h)
        ));
    }
    let accuracy_ms = tst.accuracy.as_ref().map(|a| {
        a.seconds.unwrap_or(0) * 1000
            + a.millis.unwrap_or(0).max(0) as u64
            + (a.micros.unwrap_or(0).max(0) as u64) / 1000
    });
    let gen_time = parse_gen_time(&tst.gen_time)
        .ok_or("the token's genTime is not a valid GeneralizedTime")?;
    let info = TokenInfo {
        gen_time,
        tsa_name: tst.tsa.as_ref().map(|n| match n {
            GeneralName::DirectoryName(d) => d.to_string(),
            other => format!("{other:?}"),
        }),
        signer_subject: signer.tbs_certificate.subject.to_string(),
        policy: tst.policy.to_string(),
        serial: hex::encode(tst.serial_number.as_bytes()),
        hash_alg: hash_name(&tst.message_imprint.hash_algorithm.oid),
        accuracy_ms,
        lenient: None,
        signer_not_after: cert_time(&signer.tbs_certificate.validity.not_after),
    };
    Ok(Checked {
        info,
        ess_chain: rest
            .iter()
            .map(|i| EssId {
                alg: i.alg,
                hash: i.hash.clone(),
            })
            .collect(),
        tst,
        signer,
        certs,
    })
}

/// DER content of id-kp-timeStamping (1.3.6.1.5.5.7.3.8), as webpki wants it.
const KP_TIME_STAMPING_DER: &[u8] = &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08];

/// Check 8: the chain from the signer reaches an anchor, every certificate valid at `at`
/// (genTime, not now), with basic constraints, path length, critical extensions and the
/// timeStamping key purpose checked by rustls-webpki. Returns the path, signer first,
/// anchor last.
fn check_chain(
    signer: &Certificate,
    pool: &[Certificate],
    anchors: &TrustAnchors,
    at: DateTime<Utc>,
) -> std::result::Result<Vec<Certificate>, String> {
    // The signer's critical timeStamping EKU is checked with the token (step 6); here: no
    // certificate of the path may restrict itself to other purposes.
    check_chain_for(signer, pool, anchors, at, KP_TIME_STAMPING_DER, "genTime")
}

/// The path from `signer` to an anchor, every certificate valid at `at` (named `when` in
/// messages), validated by rustls-webpki; `purpose` (DER of a key purpose OID) must be
/// allowed wherever an extended key usage is present. Path: signer first, anchor last.
pub(crate) fn check_chain_for(
    signer: &Certificate,
    pool: &[Certificate],
    anchors: &TrustAnchors,
    at: DateTime<Utc>,
    purpose: &'static [u8],
    when: &str,
) -> std::result::Result<Vec<Certificate>, String> {
    use rustls_pki_types::{CertificateDer, UnixTime};
    let valid_at = |c: &Certificate| {
        let v = &c.tbs_certificate.validity;
        at >= cert_time(&v.not_before) && at <= cert_time(&v.not_after)
    };
    // A TSA certificate given itself as the anchor (pinned): trusted if valid then.
    if anchors.certs.contains(signer) {
        return if valid_at(signer) {
            Ok(vec![signer.clone()])
        } else {
            Err(format!(
                "certificate '{}' was not valid at {when}",
                signer.tbs_certificate.subject
            ))
        };
    }
    let to_der = |c: &Certificate| c.to_der().ok().map(CertificateDer::from);
    let ee_der = to_der(signer).ok_or("the certificate cannot be encoded")?;
    let ee = webpki::EndEntityCert::try_from(&ee_der)
        .map_err(|e| format!("the certificate cannot be read for path validation ({e})"))?;
    let anchor_ders: Vec<CertificateDer<'static>> =
        anchors.certs.iter().filter_map(to_der).collect();
    let trust: Vec<_> = anchor_ders
        .iter()
        .filter_map(|c| webpki::anchor_from_trusted_cert(c).ok())
        .collect();
    let intermediates: Vec<CertificateDer<'static>> = pool
        .iter()
        .filter(|c| *c != signer)
        .filter_map(to_der)
        .collect();
    let secs = u64::try_from(at.timestamp()).map_err(|_| format!("{when} is before 1970"))?;
    let path = ee
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &trust,
            &intermediates,
            UnixTime::since_unix_epoch(Duration::from_secs(secs)),
            webpki::KeyUsage::required_if_present(purpose),
            None,
            None,
        )
        .map_err(|e| chain_error(&e, signer, when))?;
    let mut out = vec![signer.clone()];
    for i in path.intermediate_certificates() {
        if let Ok(c) = Certificate::from_der(i.der().as_ref()) {
            out.push(c);
        }
    }
    let anchor_subject = path.anchor().subject.as_ref();
    if let Some(a) = anchors.certs.iter().find(|a| {
        a.tbs_certificate
            .subject
            .to_der()
            .is_ok_and(|d| d.ends_with(anchor_subject))
    }) {
        out.push(a.clone());
    }
    Ok(out)
}

/// webpki's verdict in words, naming the certificate where that helps.
fn chain_error(e: &webpki::Error, signer: &Certificate, when: &str) -> String {
    let subject = signer.tbs_certificate.subject.to_string();
    match e {
        webpki::Error::UnknownIssuer => format!(
            "no trusted root issued '{subject}' (issuer '{}'), directly or through the certificates supplied",
            signer.tbs_certificate.issuer
        ),
        webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => {
            format!("a certificate of the chain of '{subject}' was not valid at {when} ({e})")
        }
        webpki::Error::RequiredEkuNotFoundContext(_) => {
            format!("'{subject}' or its chain does not allow this use (extended key usage)")
        }
        other => format!("the chain of '{subject}' does not validate: {other}"),
    }
}

/// Verify a stored `.tsr` (or bare token) against the data it should cover, offline.
pub fn verify_token(tsr: &[u8], data: &[u8], anchors: &TrustAnchors) -> TokenVerdict {
    verify_token_with(tsr, Covered::Data(data), anchors, &[])
}

/// [`verify_token`], with certificates the token may not embed (the TSA's signer
/// certificate and intermediates, like `openssl ts -verify -untrusted`).
pub fn verify_token_with(
    tsr: &[u8],
    covered: Covered<'_>,
    anchors: &TrustAnchors,
    extra: &[Certificate],
) -> TokenVerdict {
    let (bytes, lenient) = readable(tsr);
    let tsr = bytes.as_ref();
    let ci = match parse_token(tsr) {
        Ok(c) => c,
        Err(reason) => {
            return TokenVerdict {
                info: None,
                chain: Vec::new(),
                issuers: Vec::new(),
                status: TokenStatus::Invalid { reason },
            };
        }
    };
    match check_token(&ci, &raw_token(tsr), covered, extra) {
        Err(reason) => TokenVerdict {
            info: None,
            chain: Vec::new(),
            issuers: Vec::new(),
            status: TokenStatus::Invalid { reason },
        },
        Ok(c) => {
            let (status, path) = match check_chain(&c.signer, &c.certs, anchors, c.info.gen_time) {
                Ok(path) if !c.ess_chain.iter().all(|id| path.iter().any(|p| id.names(p))) => (
                    TokenStatus::Invalid {
                        reason: "the ESS signing-certificate attribute names a certificate that is not in the TSA's chain".into(),
                    },
                    path,
                ),
                Ok(path) => (TokenStatus::Trusted, path),
                Err(reason) => (TokenStatus::Untrusted { reason }, Vec::new()),
            };
            let pool: Vec<Certificate> = c.certs.iter().chain(&anchors.certs).cloned().collect();
            TokenVerdict {
                issuers: crate::evidence::revocation::issuer_chain(&c.signer, &pool),
                info: Some(TokenInfo { lenient, ..c.info }),
                chain: path
                    .iter()
                    .map(|p| p.tbs_certificate.subject.to_string())
                    .collect(),
                status,
            }
        }
    }
}

/// Ask `url` for a token over `data` (SHA-256 imprint, random nonce, certReq) and check
/// the reply fully except the chain to a root, which `verify` judges.
pub fn request_token(
    endpoint: &crate::evidence::stamping::TsaEndpoint,
    data: &[u8],
    opts: &TsaRequestOptions,
) -> Result<Token> {
    let url = endpoint.label();
    let fail = |why: String| Error::tsa(&url, why);
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce)
        .map_err(|e| Error::internal(format!("random generator failed: {e}")))?;
    nonce[0] &= 0x7F; // positive INTEGER
    nonce[0] |= 0x01;
    let hash = sha2::Sha256::digest(data).to_vec();
    let req = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: ID_SHA256,
                parameters: None,
            },
            hashed_message: OctetString::new(hash).map_err(|e| Error::internal(e.to_string()))?,
        },
        req_policy: None,
        nonce: Some(Int::new(&nonce).map_err(|e| Error::internal(e.to_string()))?),
        cert_req: true,
        extensions: None,
    };
    let body = req.to_der().map_err(|e| Error::internal(e.to_string()))?;
    let mut builder = crate::net::client_builder()
        .timeout(opts.timeout)
        .user_agent(format!("{}/{}", crate::TOOL_NAME, crate::TOOL_VERSION));
    if let Some(pem) = &endpoint.tls.identity_pem {
        // The key never reaches a message: only that the file could not be used.
        let id = reqwest::Identity::from_pem(pem).map_err(|_| {
            fail("the client certificate file is not a PEM certificate with its private key".into())
                .with_fix("give client_cert (and client_key) as PEM; convert a .p12 with `openssl pkcs12 -in f.p12 -nodes`")
        })?;
        builder = builder.identity(id);
    }
    if let Some(pem) = &endpoint.tls.roots_pem {
        let roots = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| fail(format!("tls_ca holds no readable PEM certificate ({e})")))?;
        builder = builder.tls_certs_merge(roots);
    }
    let client = builder
        .build()
        .map_err(|e| fail(format!("the HTTPS client could not be set up ({e})")))?;
    let mut req = client
        .post(&endpoint.url)
        .header("Content-Type", "application/timestamp-query")
        .body(body);
    if let Some(a) = &endpoint.auth {
        req = req.basic_auth(&a.user, Some(a.password()));
    }
    let resp = req.send().map_err(|e| {
        let why = if e.is_timeout() {
            format!("no answer within {} s", opts.timeout.as_secs())
        } else {
            format!("unreachable ({e})")
        };
        fail(why).with_source(e)
    })?;
    if resp.status() == reqwest::StatusCode::UNAUTHORIZED
        || resp.status() == reqwest::StatusCode::FORBIDDEN
    {
        let why = if endpoint.auth.is_some() {
            "the TSA refused the account (HTTP status {s}): check the username and the password in its password_env variable"
        } else {
            "the TSA needs an account (HTTP status {s}): define it as [tsa.NAME] with username and password_env in config.toml, then pass --tsa NAME"
        };
        return Err(fail(why.replace("{s}", resp.status().as_str())));
    }
    if !resp.status().is_success() {
        return Err(fail(format!("HTTP status {}", resp.status())));
    }
    let mut tsr = Vec::new();
    use std::io::Read;
    resp.take(MAX_REPLY + 1)
        .read_to_end(&mut tsr)
        .map_err(|e| fail(format!("reading the reply failed ({e})")).with_source(e))?;
    if tsr.len() as u64 > MAX_REPLY {
        return Err(fail("the reply is larger than 1 MiB".into()));
    }
    // The reply is stored as received; a lenient reading is only how it is checked.
    let (readable_tsr, lenient) = readable(&tsr);
    let ci = parse_token(&readable_tsr).map_err(fail)?;
    let c = check_token(&ci, &raw_token(&readable_tsr), Covered::Data(data), &[])
        .map_err(|e| fail(format!("bad token: {e}")))?;
    match &c.tst.nonce {
        Some(n)
            if n.as_bytes()
                == Int::new(&nonce)
                    .map(|i| i.as_bytes().to_vec())
                    .unwrap_or_default() => {}
        _ => {
            return Err(fail(
                "bad token: the nonce does not match the request (a replayed or misdirected reply)"
                    .into(),
            ));
        }
    }
    // Long-term validation data: revocation status of every certificate of the chain
    // but the root, fetched now, checked, kept beside the token. A revoked TSA is refused.
    // A token that carries only the TSA's certificate gets its chain completed from the
    // trusted roots and caIssuers; issuers fetched so are stored with it.
    let roots = TrustAnchors::system();
    let (chain, fetched, chain_note) = crate::evidence::revocation::complete_chain(
        &c.signer,
        &c.certs,
        roots.certs(),
        opts.timeout,
    );
    let mut chain_pem = String::new();
    let mut ordered = vec![c.signer.clone()];
    ordered.extend(c.certs.iter().filter(|x| **x != c.signer).cloned());
    ordered.extend(fetched.into_iter().filter(|x| !c.certs.contains(x)));
    for cert in &ordered {
        use der::EncodePem;
        if let Ok(p) = cert.to_pem(der::pem::LineEnding::LF) {
            chain_pem.push_str(&p);
        }
    }
    let (revocation, mut revocation_notes) =
        crate::evidence::revocation::fetch(&chain, opts.timeout);
    revocation_notes.extend(chain_note);
    for f in &revocation {
        if let crate::evidence::revocation::Status::Revoked(at) = f.judged.status {
            return Err(fail(format!(
                "the TSA certificate '{}' is revoked (since {}, says its {}): no token from it is accepted",
                crate::text::clip(
                    &chain[f.cert_index - 1].tbs_certificate.subject.to_string(),
                    200
                ),
                crate::time::rfc3339(&at),
                match f.kind {
                    crate::bundle::layout::RevocationKind::Ocsp => "OCSP responder",
                    crate::bundle::layout::RevocationKind::Crl => "CRL",
                }
            )).with_fix(REVOKED_TSA_FIX));
        }
    }
    Ok(Token {
        tsr,
        chain_pem,
        info: TokenInfo { lenient, ..c.info },
        revocation,
        revocation_notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gt(s: &str) -> Any {
        Any::new(der::Tag::GeneralizedTime, s.as_bytes()).unwrap()
    }

    #[test]
    fn gen_time_with_and_without_fractions() {
        let t = parse_gen_time(&gt("20261122100000Z")).unwrap();
        assert_eq!(crate::time::rfc3339(&t), "2026-11-22T10:00:00.000Z");
        let t = parse_gen_time(&gt("20261122100000.123Z")).unwrap();
        assert_eq!(crate::time::rfc3339(&t), "2026-11-22T10:00:00.123Z");
        for bad in [
            "20261122100000",
            "20261122100000.Z",
            "20261122100000.120Z",
            "2026112210000Z",
            "20261322100000Z",
        ] {
            assert!(parse_gen_time(&gt(bad)).is_none(), "{bad}");
        }
    }
}
