//! CAdES co-signatures (ETSI EN 319 122-1): a detached CMS SignedData over the exact bytes
//! of a manifest, made with an X.509 signer (see [`x509sign`](super::x509sign)), and its
//! verification.
//!
//! What is signed (CAdES-B-B): the signed attributes content-type (id-data),
//! signing-time, message-digest and signing-certificate-v2 (SHA-256 of the signer's
//! certificate, with its issuer and serial number), DER-encoded as a SET OF. The
//! signer's certificate and the chain found with it are embedded. With a TSA, a
//! signature timestamp (id-aa-signatureTimeStampToken) over the signature value is added
//! as an unsigned attribute: CAdES-B-T.
//!
//! `openssl cms -verify -binary -inform DER -in manifest.p7s -content manifest.json
//! -CAfile ca.pem -purpose any` checks the same signature independently.
//!
//! No maintained crate verifies CMS signatures completely (the `cms` crate parses and
//! builds; see `tsp.rs`), so the checks are written here, reusing the RFC 3161 ones.

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode, Sequence};
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::tsp::{self, Covered, TokenStatus, TokenVerdict, TrustAnchors};
use super::x509sign::CertSigner;
use crate::error::{Error, Result};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_AA_SIGNING_CERT_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_AA_SIGNING_CERT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signatureTimeStampToken (RFC 3161 appendix A): the CAdES-B-T timestamp.
const ID_AA_SIGNATURE_TIMESTAMP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-aa-ets-revocationValues (RFC 5126 §6.3.4, ETSI EN 319 122-1 §5.5.2): the OCSP
/// answers and CRLs of the signer's chain, fetched when signing (long-term validation).
const ID_AA_REVOCATION_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.24");
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const QC_STATEMENTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.3");
const QC_COMPLIANCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.1");
const QC_SSCD: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.4");

/// Largest co-signature read (certificates and a timestamp token included).
pub const MAX_P7S: u64 = 1 << 20;

#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

#[derive(Sequence)]
struct EssCertIdV2 {
    // hashAlgorithm omitted: SHA-256 is the DEFAULT (RFC 5035).
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// RevocationValues (RFC 5126, module of EXPLICIT TAGS); `otherRevVals` is neither
/// written nor read. Entries are kept as raw DER: CertificateList and BasicOCSPResponse.
#[derive(Sequence)]
struct RevocationValues {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl_vals: Option<Vec<Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    ocsp_vals: Option<Vec<Any>>,
}

/// The revocation-values attribute for `fetched` (none when nothing was fetched).
fn revocation_values(fetched: &[super::revocation::Fetched]) -> Result<Option<RevocationValues>> {
    use super::revocation::RevocationKind;
    let enc = |e: der::Error| Error::internal(format!("encoding revocation values: {e}"));
    let (mut crls, mut ocsps) = (Vec::new(), Vec::new());
    for f in fetched {
        match f.kind {
            RevocationKind::Crl => crls.push(Any::from_der(&f.der).map_err(enc)?),
            RevocationKind::Ocsp => {
                let basic = super::revocation::basic_of(&f.der)
                    .ok_or_else(|| Error::internal("an OCSP answer without a basic response"))?;
                ocsps.push(Any::from_der(&basic).map_err(enc)?);
            }
        }
    }
    if crls.is_empty() && ocsps.is_empty() {
        return Ok(None);
    }
    Ok(Some(RevocationValues {
        crl_vals: (!crls.is_empty()).then_some(crls),
        ocsp_vals: (!ocsps.is_empty()).then_some(ocsps),
    }))
}

/// Most entries of a revocation-values attribute (two per certificate of a long chain).
const MAX_REVOCATION_VALUES: usize = 16;

/// The revocation data a signature carries, as (name, full DER OCSPResponse or CRL).
fn carried_revocation(si: &SignerInfo) -> std::result::Result<Vec<(String, Vec<u8>)>, String> {
    let Some(a) = si
        .unsigned_attrs
        .as_ref()
        .and_then(|u| u.iter().find(|a| a.oid == ID_AA_REVOCATION_VALUES))
    else {
        return Ok(Vec::new());
    };
    let v = a
        .values
        .iter()
        .next()
        .ok_or("the revocation-values attribute is empty")?;
    let rv: RevocationValues = v
        .decode_as()
        .map_err(|e| format!("malformed revocation-values attribute ({e})"))?;
    let n = rv.crl_vals.iter().flatten().count() + rv.ocsp_vals.iter().flatten().count();
    if n > MAX_REVOCATION_VALUES {
        return Err(format!(
            "the revocation-values attribute holds {n} entries (at most {MAX_REVOCATION_VALUES})"
        ));
    }
    let mut out = Vec::new();
    for (i, c) in rv.crl_vals.iter().flatten().enumerate() {
        out.push((
            format!("CRL {} of the signature", i + 1),
            c.to_der().map_err(|e| e.to_string())?,
        ));
    }
    for (i, o) in rv.ocsp_vals.iter().flatten().enumerate() {
        let basic = o.to_der().map_err(|e| e.to_string())?;
        let full = super::revocation::wrap_basic(&basic).ok_or("an unreadable OCSP answer")?;
        out.push((format!("OCSP answer {} of the signature", i + 1), full));
    }
    Ok(out)
}

fn attribute(oid: ObjectIdentifier, value: &impl Encode) -> Result<Attribute> {
    let enc = |e: der::Error| Error::internal(format!("encoding a signed attribute: {e}"));
    let v = AttributeValue::from_der(&value.to_der().map_err(enc)?).map_err(enc)?;
    let mut values = SetOfVec::new();
    values.insert(v).map_err(enc)?;
    Ok(Attribute { oid, values })
}

/// RFC 5652 §11.3: UTCTime through 2049, GeneralizedTime after.
fn signing_time(at: DateTime<Utc>) -> Result<x509_cert::time::Time> {
    let st: std::time::SystemTime = at.into();
    x509_cert::time::Time::try_from(st)
        .map_err(|e| Error::internal(format!("encoding the signing time: {e}")))
}

/// Signature timestamps for CAdES-B-T: asks each TSA in turn for a token over a
/// signature value, keeping a note for each that fails; with `require`, the first
/// failure stops the search and is kept in `failure` for the caller to return (after
/// which nothing may be written).
pub struct SignatureTimestamps<'a> {
    tsa: &'a [super::stamping::TsaEndpoint],
    opts: tsp::TsaRequestOptions,
    require: bool,
    /// One line per TSA that gave no token.
    pub notes: Vec<String>,
    /// With `require`: why the TSA failed.
    pub failure: Option<Error>,
}

impl<'a> SignatureTimestamps<'a> {
    /// Timestamps from `tsa` (none: CAdES-B-B), each request bounded by `timeout`.
    pub fn new(
        tsa: &'a [super::stamping::TsaEndpoint],
        timeout: Option<std::time::Duration>,
        require: bool,
    ) -> Self {
        SignatureTimestamps {
            tsa,
            opts: tsp::TsaRequestOptions {
                timeout: timeout.unwrap_or(super::stamping::DEFAULT_TIMEOUT),
            },
            require,
            notes: Vec::new(),
            failure: None,
        }
    }

    /// A token (DER ContentInfo) over `signature` from the first TSA that answers.
    pub fn stamp(&mut self, signature: &[u8], what: &str) -> Option<Vec<u8>> {
        for endpoint in self.tsa {
            match tsp::request_token(endpoint, signature, &self.opts) {
                Ok(t) => return Some(tsp::token_of_reply(&t.tsr)),
                Err(e) => {
                    self.notes.push(format!(
                        "timestamp authority {} gave no signature timestamp for {what} ({})",
                        endpoint.label(),
                        e.problem()
                    ));
                    if self.require {
                        self.failure = Some(e.with_fix("nothing was written (--require-tsa); check the TSA URL and the network, or drop --require-tsa"));
                        return None;
                    }
                }
            }
        }
        None
    }

    /// The failure kept under `require`, as an error.
    pub fn check(&mut self) -> Result<()> {
        match self.failure.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Sign `content` (detached) with `signer` at `at`: a DER ContentInfo (CAdES-B-B), or
/// CAdES-B-T when `stamp` returns a timestamp token (DER ContentInfo) over the signature
/// value.
pub fn sign_detached(
    content: &[u8],
    signer: &dyn CertSigner,
    at: DateTime<Utc>,
    stamp: &mut dyn FnMut(&[u8]) -> Option<Vec<u8>>,
) -> Result<Vec<u8>> {
    let digest = signer.alg().digest(content);
    let sd = signed_data(&digest, signer, at, stamp)?;
    encode_content_info(&sd)
}

/// A DER ContentInfo holding `sd`.
pub fn encode_content_info(sd: &SignedData) -> Result<Vec<u8>> {
    let enc = |e: der::Error| Error::internal(format!("encoding the CAdES signature: {e}"));
    let ci = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(sd).map_err(enc)?,
    };
    ci.to_der().map_err(enc)
}

/// The SignedData of a CAdES-B-B (or B-T) signature over content whose digest (with the
/// signer's digest algorithm, [`SigAlg::digest`](super::x509sign::SigAlg::digest)) is
/// `digest`, without the content (detached): the enveloping `.p7m` writer puts the
/// content in itself.
pub fn signed_data(
    digest: &[u8],
    signer: &dyn CertSigner,
    at: DateTime<Utc>,
    stamp: &mut dyn FnMut(&[u8]) -> Option<Vec<u8>>,
) -> Result<SignedData> {
    let enc = |e: der::Error| Error::internal(format!("encoding the CAdES signature: {e}"));
    let alg = signer.alg();
    let cert = signer.certificate();
    let cert_der = cert.to_der().map_err(enc)?;
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(super::x509sign::SigAlg::RsaPkcs1Sha256.digest(&cert_der))
                .map_err(enc)?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate.issuer.clone(),
                )],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            },
        }],
    };
    let attrs = vec![
        attribute(ID_CONTENT_TYPE, &ID_DATA)?,
        attribute(ID_SIGNING_TIME, &signing_time(at)?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            &OctetString::new(digest.to_vec()).map_err(enc)?,
        )?,
        attribute(ID_AA_SIGNING_CERT_V2, &ess)?,
    ];
    let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(attrs).map_err(enc)?;
    // The signature covers the DER of the attributes as a SET OF (RFC 5652 §5.4).
    let to_sign = signed_attrs.to_der().map_err(enc)?;
    let signature = signer.sign(&to_sign)?;
    let mut unsigned = SetOfVec::new();
    if let Some(token) = stamp(&signature) {
        let token = Any::from_der(&token).map_err(enc)?;
        unsigned
            .insert(attribute(ID_AA_SIGNATURE_TIMESTAMP, &token)?)
            .map_err(enc)?;
    }
    if let Some(values) = revocation_values(signer.revocation())? {
        unsigned
            .insert(attribute(ID_AA_REVOCATION_VALUES, &values)?)
            .map_err(enc)?;
    }
    let unsigned_attrs = (!unsigned.is_empty()).then_some(unsigned);
    let digest_alg = AlgorithmIdentifierOwned {
        oid: alg.digest_oid(),
        parameters: None,
    };
    let si = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: alg.algorithm_identifier()?,
        signature: OctetString::new(signature).map_err(enc)?,
        unsigned_attrs,
    };
    let mut certs = Vec::new();
    for c in signer.chain() {
        let choice = CertificateChoices::Certificate(c.clone());
        if !certs.contains(&choice) {
            certs.push(choice);
        }
    }
    let mut digests = SetOfVec::new();
    digests.insert(digest_alg).map_err(enc)?;
    Ok(SignedData {
        version: CmsVersion::V1,
        digest_algorithms: digests,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet::try_from(certs).map_err(enc)?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![si]).map_err(enc)?,
    })
}

/// Who a certificate names, as a court reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Holder {
    /// The full subject name (RFC 4514 form).
    pub subject: String,
    /// commonName.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// givenName.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// surname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// The subject's serialNumber attribute (e.g. `TINIT-<codice fiscale>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// organizationName.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// countryName.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The issuer's name.
    pub issuer: String,
    /// The certificate's serial number (hex).
    pub certificate_serial: String,
    /// Start of validity (UTC, RFC 3339).
    pub not_before: String,
    /// End of validity (UTC, RFC 3339).
    pub not_after: String,
    /// QCStatements QcCompliance: the certificate declares itself EU qualified.
    pub qualified: bool,
    /// QCStatements QcSSCD: the key is declared to be on a qualified signature creation device.
    pub qscd: bool,
    /// Key usages the certificate allows (`digitalSignature`, `nonRepudiation` …).
    pub key_usage: Vec<String>,
    /// SHA-256 of the certificate (hex).
    pub sha256: String,
}

/// Read a directory string (UTF8String, PrintableString, IA5String, TeletexString,
/// BMPString) as text.
fn dir_string(v: &Any) -> Option<String> {
    use der::asn1::{BmpString, Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    v.decode_as::<Utf8StringRef<'_>>()
        .map(|s| s.as_str().to_string())
        .or_else(|_| {
            v.decode_as::<PrintableStringRef<'_>>()
                .map(|s| s.as_str().to_string())
        })
        .or_else(|_| {
            v.decode_as::<Ia5StringRef<'_>>()
                .map(|s| s.as_str().to_string())
        })
        .or_else(|_| {
            v.decode_as::<TeletexStringRef<'_>>()
                .map(|s| s.as_str().to_string())
        })
        .or_else(|_| v.decode_as::<BmpString>().map(|s| s.to_string()))
        .ok()
}

fn name_attr(name: &x509_cert::name::Name, oid: &str) -> Option<String> {
    let oid = ObjectIdentifier::new(oid).ok()?;
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|a| a.oid == oid)
        .and_then(|a| dir_string(&a.value))
        .map(|v| crate::text::clip(&v, 200))
}

fn cert_time(t: &x509_cert::time::Time) -> DateTime<Utc> {
    DateTime::<Utc>::from(t.to_system_time())
}

impl Holder {
    /// The facts of `cert`.
    pub fn of(cert: &Certificate) -> Holder {
        let tbs = &cert.tbs_certificate;
        let s = &tbs.subject;
        let ext = |oid: ObjectIdentifier| {
            tbs.extensions
                .iter()
                .flatten()
                .find(|e| e.extn_id == oid)
                .map(|e| e.extn_value.as_bytes().to_vec())
        };
        let qc: Vec<ObjectIdentifier> = ext(QC_STATEMENTS)
            .and_then(|v| {
                // QCStatements ::= SEQUENCE OF SEQUENCE { statementId OID, statementInfo ANY OPTIONAL }
                let seq: Vec<Any> = Vec::<Any>::from_der(&v).ok()?;
                Some(
                    seq.iter()
                        .filter_map(|st| {
                            let inner: Vec<Any> = Vec::<Any>::from_der(&st.to_der().ok()?).ok()?;
                            inner.first()?.decode_as::<ObjectIdentifier>().ok()
                        })
                        .collect(),
                )
            })
            .unwrap_or_default();
        let key_usage = ext(KEY_USAGE)
            .and_then(|v| x509_cert::ext::pkix::KeyUsage::from_der(&v).ok())
            .map(|ku| {
                use x509_cert::ext::pkix::KeyUsages as K;
                [
                    (K::DigitalSignature, "digitalSignature"),
                    (K::NonRepudiation, "nonRepudiation"),
                    (K::KeyEncipherment, "keyEncipherment"),
                    (K::DataEncipherment, "dataEncipherment"),
                    (K::KeyAgreement, "keyAgreement"),
                    (K::KeyCertSign, "keyCertSign"),
                    (K::CRLSign, "cRLSign"),
                ]
                .iter()
                .filter(|(k, _)| ku.0.contains(*k))
                .map(|(_, n)| n.to_string())
                .collect()
            })
            .unwrap_or_default();
        Holder {
            // A certificate is hostile input like the rest of a bundle: every text is
            // clipped, with control characters escaped.
            subject: crate::text::clip(&s.to_string(), 400),
            common_name: name_attr(s, "2.5.4.3"),
            given_name: name_attr(s, "2.5.4.42"),
            surname: name_attr(s, "2.5.4.4"),
            serial_number: name_attr(s, "2.5.4.5"),
            organization: name_attr(s, "2.5.4.10"),
            country: name_attr(s, "2.5.4.6"),
            issuer: crate::text::clip(&tbs.issuer.to_string(), 400),
            certificate_serial: crate::text::clip(&hex::encode(tbs.serial_number.as_bytes()), 80),
            not_before: crate::time::rfc3339(&cert_time(&tbs.validity.not_before)),
            not_after: crate::time::rfc3339(&cert_time(&tbs.validity.not_after)),
            qualified: qc.contains(&QC_COMPLIANCE),
            qscd: qc.contains(&QC_SSCD),
            key_usage,
            sha256: cert
                .to_der()
                .map(|d| crate::evidence::hash::sha256_hex(&d))
                .unwrap_or_default(),
        }
    }

    /// Whether the certificate may sign documents: no key usage extension, or one that
    /// allows digitalSignature or nonRepudiation.
    pub fn may_sign(&self, cert: &Certificate) -> bool {
        let has_ext = cert
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .any(|e| e.extn_id == KEY_USAGE);
        !has_ext
            || self
                .key_usage
                .iter()
                .any(|k| k == "digitalSignature" || k == "nonRepudiation")
    }
}

/// How a co-signature was judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CosignStatus {
    /// Valid, and the chain reaches a trust anchor at the signing time.
    Trusted,
    /// Valid signature, but the chain does not reach a trust anchor.
    Untrusted {
        /// Why not.
        reason: String,
    },
    /// Broken, altered, not over this content, or made with a certificate that may not sign.
    Invalid {
        /// What is wrong.
        reason: String,
    },
}

/// The verdict on one co-signature.
#[derive(Debug, Clone)]
pub struct CosignVerdict {
    /// The signer, when the signature could be read that far.
    pub holder: Option<Holder>,
    /// The signing-time attribute (the signer's own clock).
    pub signing_time: Option<DateTime<Utc>>,
    /// The signature timestamp (CAdES-B-T), when present.
    pub timestamp: Option<TokenVerdict>,
    /// The time the chain was judged at, and what it rests on (`tsa` or `signer-clock`).
    pub judged_at: Option<(DateTime<Utc>, &'static str)>,
    /// Subjects of the path, signer first, anchor last.
    pub chain: Vec<String>,
    /// Signature algorithm, for people.
    pub algorithm: String,
    /// The signer and the issuers found above it.
    pub issuers: Vec<Certificate>,
    /// The revocation data the signature carries, judged at the signing time (`None`
    /// when the signature was not read that far).
    pub revocation: Option<super::stamping::RevocationFacts>,
    /// The verdict.
    pub status: CosignStatus,
}

impl CosignVerdict {
    fn invalid(reason: impl Into<String>) -> CosignVerdict {
        CosignVerdict {
            holder: None,
            signing_time: None,
            timestamp: None,
            judged_at: None,
            chain: Vec::new(),
            algorithm: String::new(),
            issuers: Vec::new(),
            revocation: None,
            status: CosignStatus::Invalid {
                reason: reason.into(),
            },
        }
    }
}

/// id-kp-emailProtection, id-kp-documentSigning (RFC 9336): the purposes a signing
/// certificate's extended key usage may name (no extension at all is also fine).
const SIGNING_PURPOSES: [&[u8]; 2] = [
    &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04],
    &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x24],
];

/// Verify a detached CAdES signature over `content`: digest, signature, signed
/// attributes, ESS certificate binding, key usage, the signature timestamp when present
/// (against `tsa_anchors`), and the chain to `anchors` at the signing time.
pub fn verify_detached(
    p7s: &[u8],
    content: &[u8],
    anchors: &TrustAnchors,
    tsa_anchors: &TrustAnchors,
) -> CosignVerdict {
    verify_detached_digest(
        p7s,
        &mut |oid| tsp::digest(oid, content),
        "manifest.json",
        anchors,
        tsa_anchors,
    )
}

/// [`verify_detached`] for content that is not in memory: `digest_of` hashes it with
/// the digest algorithm the signature names (`None`: an algorithm it cannot compute),
/// and `what` names it in messages. The enveloping `.p7m` check streams the bundle
/// through it.
pub fn verify_detached_digest(
    p7s: &[u8],
    digest_of: &mut dyn FnMut(&ObjectIdentifier) -> Option<Vec<u8>>,
    what: &str,
    anchors: &TrustAnchors,
    tsa_anchors: &TrustAnchors,
) -> CosignVerdict {
    let ci = match ContentInfo::from_der(p7s) {
        Ok(c) => c,
        Err(e) => return CosignVerdict::invalid(format!("not a DER CMS signature ({e})")),
    };
    if ci.content_type != ID_SIGNED_DATA {
        return CosignVerdict::invalid("not CMS SignedData");
    }
    let sd: SignedData = match ci.content.decode_as() {
        Ok(s) => s,
        Err(e) => return CosignVerdict::invalid(format!("malformed SignedData ({e})")),
    };
    if sd.encap_content_info.econtent.is_some() {
        return CosignVerdict::invalid(
            "the signature embeds its content; a co-signature must be detached (over manifest.json)",
        );
    }
    if sd.encap_content_info.econtent_type != ID_DATA {
        return CosignVerdict::invalid("the signed content type is not id-data");
    }
    let mut infos = sd.signer_infos.0.iter();
    let (Some(si), None) = (infos.next(), infos.next()) else {
        return CosignVerdict::invalid("a co-signature must hold exactly one signer");
    };
    let certs: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|cs| {
            cs.0.iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(signer) = certs
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(i) => {
                c.tbs_certificate.issuer == i.issuer
                    && c.tbs_certificate.serial_number == i.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(_) => false,
        })
        .cloned()
    else {
        return CosignVerdict::invalid(
            "the signer's certificate is not in the signature (named by issuer and serial number)",
        );
    };
    let holder = Holder::of(&signer);
    let mut v = CosignVerdict {
        holder: Some(holder.clone()),
        algorithm: si.signature_algorithm.oid.to_string(),
        ..CosignVerdict::invalid("")
    };
    match check_signer_info(si, &signer, digest_of, what, p7s) {
        Ok(t) => v.signing_time = t,
        Err(reason) => {
            v.status = CosignStatus::Invalid { reason };
            return v;
        }
    }
    if !holder.may_sign(&signer) {
        v.status = CosignStatus::Invalid {
            reason: format!(
                "the certificate's key usage ({}) allows neither digitalSignature nor nonRepudiation",
                holder.key_usage.join(", ")
            ),
        };
        return v;
    }
    // CAdES-B-T: the signature timestamp bounds the signing time.
    if let Some(attrs) = &si.unsigned_attrs
        && let Some(a) = attrs.iter().find(|a| a.oid == ID_AA_SIGNATURE_TIMESTAMP)
    {
        let token = a.values.iter().next().and_then(|t| t.to_der().ok());
        let Some(token) = token else {
            v.status = CosignStatus::Invalid {
                reason: "the signature timestamp attribute is empty".into(),
            };
            return v;
        };
        let t = tsp::verify_token_with(
            &token,
            Covered::Data(si.signature.as_bytes()),
            tsa_anchors,
            &[],
        );
        if let TokenStatus::Invalid { reason } = &t.status {
            v.status = CosignStatus::Invalid {
                reason: format!("the signature timestamp is not valid: {reason}"),
            };
            v.timestamp = Some(t);
            return v;
        }
        v.timestamp = Some(t);
    }
    let trusted_ts = v
        .timestamp
        .as_ref()
        .filter(|t| t.status == TokenStatus::Trusted)
        .and_then(|t| t.info.as_ref())
        .map(|i| i.gen_time);
    let at = match (trusted_ts, v.signing_time) {
        (Some(g), _) => (g, "tsa"),
        (None, Some(s)) => (s, "signer-clock"),
        (None, None) => (Utc::now(), "now"),
    };
    v.judged_at = Some(at);
    let pool: Vec<Certificate> = certs.iter().chain(anchors.certs()).cloned().collect();
    v.issuers = crate::evidence::revocation::issuer_chain(&signer, &pool);
    // Revocation data the signature carries, judged offline at the signing time.
    let carried = match carried_revocation(si) {
        Ok(c) => c,
        Err(reason) => {
            v.status = CosignStatus::Invalid { reason };
            return v;
        }
    };
    let placed = crate::evidence::revocation::place(&v.issuers, &carried);
    let (rev, problem) =
        super::stamping::judge_revocation(&v.issuers, &placed, Some(at.0), "signer");
    v.revocation = Some(rev);
    if let Some(reason) = problem {
        v.status = CosignStatus::Invalid { reason };
        return v;
    }
    let mut last = String::new();
    for purpose in SIGNING_PURPOSES {
        match tsp::check_chain_for(&signer, &certs, anchors, at.0, purpose, "the signing time") {
            Ok(path) => {
                v.chain = path
                    .iter()
                    .map(|p| p.tbs_certificate.subject.to_string())
                    .collect();
                v.status = CosignStatus::Trusted;
                return v;
            }
            Err(e) => {
                if last.is_empty() || !e.contains("extended key usage") {
                    last = e;
                }
            }
        }
    }
    v.status = CosignStatus::Untrusted { reason: last };
    v
}

/// The signed attributes, the digest and the signature of one SignerInfo; returns the
/// signing-time attribute.
fn check_signer_info(
    si: &SignerInfo,
    signer: &Certificate,
    digest_of: &mut dyn FnMut(&ObjectIdentifier) -> Option<Vec<u8>>,
    what: &str,
    raw: &[u8],
) -> std::result::Result<Option<DateTime<Utc>>, String> {
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or("the signature has no signed attributes (CAdES requires them)")?;
    let attr = |oid: ObjectIdentifier| -> std::result::Result<Option<Any>, String> {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(a), None) if a.values.len() == 1 => Ok(a.values.iter().next().cloned()),
            _ => Err(format!(
                "the signed attribute {oid} is repeated or has several values"
            )),
        }
    };
    match attr(ID_CONTENT_TYPE)?.and_then(|v| v.decode_as::<ObjectIdentifier>().ok()) {
        Some(o) if o == ID_DATA => {}
        _ => return Err("the signed content-type attribute is missing or not id-data".into()),
    }
    let md = attr(ID_MESSAGE_DIGEST)?
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or("the signature has no message-digest attribute")?;
    let want = digest_of(&si.digest_alg.oid)
        .ok_or("the signature uses an unsupported digest algorithm")?;
    if md.as_bytes() != want.as_slice() {
        return Err(format!(
            "the signed digest does not match {what}: the signature covers {}, the file hashes to {}",
            hex::encode(md.as_bytes()),
            hex::encode(&want)
        ));
    }
    let signed = tsp::raw_signed_attrs(raw).ok_or("could not locate the signed attributes")?;
    tsp::verify_sig(
        signer,
        &si.signature_algorithm,
        Some(&si.digest_alg.oid),
        &signed,
        si.signature.as_bytes(),
    )
    .map_err(|e| format!("the signature does not verify: {e}"))?;
    // ESS: the signed attributes name the signer's certificate by its hash.
    let named = if let Some(v) = attr(ID_AA_SIGNING_CERT_V2)? {
        tsp::ess_v2_first(&v).map_err(|e| format!("malformed signing-certificate-v2 ({e})"))?
    } else if let Some(v) = attr(ID_AA_SIGNING_CERT)? {
        tsp::ess_v1_first(&v).map_err(|e| format!("malformed signing-certificate ({e})"))?
    } else {
        return Err(
            "the signature has no signing-certificate-v2 attribute (CAdES requires it)".into(),
        );
    };
    let signer_der = signer.to_der().map_err(|e| e.to_string())?;
    if tsp::digest(&named.0, &signer_der).as_deref() != Some(named.1.as_slice()) {
        return Err(
            "the signing-certificate attribute names another certificate than the signer's".into(),
        );
    }
    let st = match attr(ID_SIGNING_TIME)? {
        None => None,
        Some(v) => Some(
            v.to_der()
                .and_then(|d| x509_cert::time::Time::from_der(&d))
                .map(|t| cert_time(&t))
                .map_err(|e| format!("malformed signing-time attribute ({e})"))?,
        ),
    };
    Ok(st)
}

/// The signature value of a co-signature's (single) signer.
pub fn signature_value(p7s: &[u8]) -> Option<Vec<u8>> {
    let ci = ContentInfo::from_der(p7s).ok()?;
    let sd: SignedData = ci.content.decode_as().ok()?;
    let si = sd.signer_infos.0.iter().next()?;
    Some(si.signature.as_bytes().to_vec())
}
