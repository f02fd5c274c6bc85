//! X.509 signers: a private key with a certificate naming a person, from a smart card,
//! USB token or HSM (PKCS#11, the `cryptoki` crate) or from a PKCS#12 file
//! (`p12-keystore`). They make the CAdES co-signatures of [`cades`](super::cades).
//!
//! A signer is named by a SPEC (`--signer`):
//! - `pkcs11:token=…;object=…?module-path=/path/module.so` (RFC 7512; `id=` and `serial=`
//!   narrow the search; without `module-path` the p11-kit proxy is used);
//! - `pkcs12:/path/file.p12`.
//!
//! The PIN or password comes from `$SIGILLO_PIN`, else from a terminal prompt: never from
//! the command line (a URI's `pin-value` is refused), never stored, never logged.

use std::path::{Path, PathBuf};

use der::oid::ObjectIdentifier;
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::revocation::Fetched;
use crate::error::{Error, Result};

/// Where the PIN or password comes from.
pub const PIN_ENV: &str = "SIGILLO_PIN";

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// id-sha256.
pub const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-sha384.
pub const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");

/// The signature scheme a signer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigAlg {
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt.
    RsaPssSha256,
    /// ECDSA P-256 with SHA-256.
    EcdsaP256Sha256,
    /// ECDSA P-384 with SHA-384.
    EcdsaP384Sha384,
}

impl SigAlg {
    /// The scheme for a certificate's key: PKCS#1 v1.5 (or PSS when asked) for RSA, ECDSA
    /// with the curve's hash for P-256 and P-384.
    pub fn for_certificate(cert: &Certificate, pss: bool) -> Result<SigAlg> {
        let spki = &cert.tbs_certificate.subject_public_key_info;
        match spki.algorithm.oid {
            RSA_ENCRYPTION | RSASSA_PSS if pss => Ok(SigAlg::RsaPssSha256),
            RSA_ENCRYPTION => Ok(SigAlg::RsaPkcs1Sha256),
            EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
                match curve {
                    Some(SECP256R1) => Ok(SigAlg::EcdsaP256Sha256),
                    Some(SECP384R1) => Ok(SigAlg::EcdsaP384Sha384),
                    other => Err(Error::key(format!(
                        "the signer's certificate has an elliptic-curve key on a curve sigillo cannot sign with ({})",
                        other.map_or("unnamed".to_string(), |o| o.to_string())
                    ))
                    .with_fix("use a certificate with an RSA, P-256 or P-384 key")),
                }
            }
            o => Err(Error::key(format!(
                "the signer's certificate has a key type sigillo cannot sign with ({o})"
            ))
            .with_fix("use a certificate with an RSA, P-256 or P-384 key")),
        }
    }

    /// The digest algorithm (CMS `digestAlgorithm`, and the message-digest attribute).
    pub fn digest_oid(self) -> ObjectIdentifier {
        match self {
            SigAlg::EcdsaP384Sha384 => ID_SHA384,
            _ => ID_SHA256,
        }
    }

    /// Hash `data` with [`Self::digest_oid`].
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        match self {
            SigAlg::EcdsaP384Sha384 => sha2::Sha384::digest(data).to_vec(),
            _ => sha2::Sha256::digest(data).to_vec(),
        }
    }

    /// The CMS `signatureAlgorithm`.
    pub fn algorithm_identifier(self) -> Result<AlgorithmIdentifierOwned> {
        let (oid, parameters) = match self {
            SigAlg::RsaPkcs1Sha256 => (RSA_SHA256, Some(der::Any::null())),
            SigAlg::EcdsaP256Sha256 => (ECDSA_SHA256, None),
            SigAlg::EcdsaP384Sha384 => (ECDSA_SHA384, None),
            SigAlg::RsaPssSha256 => (RSASSA_PSS, Some(pss_params()?)),
        };
        Ok(AlgorithmIdentifierOwned { oid, parameters })
    }

    /// Name for people.
    pub fn name(self) -> &'static str {
        match self {
            SigAlg::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 SHA-256",
            SigAlg::RsaPssSha256 => "RSASSA-PSS SHA-256",
            SigAlg::EcdsaP256Sha256 => "ECDSA P-256 SHA-256",
            SigAlg::EcdsaP384Sha384 => "ECDSA P-384 SHA-384",
        }
    }
}

/// RSASSA-PSS-params for SHA-256, MGF1-SHA-256, salt 32 (RFC 4055), DER.
fn pss_params() -> Result<der::Any> {
    use rsa::pkcs1::{RsaPssParams, TrailerField};
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: Some(der::Any::null()),
    };
    let p = RsaPssParams {
        hash: x509_cert::spki::AlgorithmIdentifierRef {
            oid: ID_SHA256,
            parameters: Some(der::AnyRef::NULL),
        },
        mask_gen: x509_cert::spki::AlgorithmIdentifier {
            oid: MGF1,
            parameters: Some(x509_cert::spki::AlgorithmIdentifierRef {
                oid: sha256.oid,
                parameters: Some(der::AnyRef::NULL),
            }),
        },
        salt_len: 32,
        trailer_field: TrailerField::BC,
    };
    let bytes = p
        .to_der()
        .map_err(|e| Error::internal(format!("encoding RSASSA-PSS parameters: {e}")))?;
    der::Any::from_der(&bytes)
        .map_err(|e| Error::internal(format!("encoding RSASSA-PSS parameters: {e}")))
}

/// A private key with its certificate chain, ready to sign.
pub trait CertSigner {
    /// The signer's certificate first, then the issuers found with it (not necessarily up to
    /// a root).
    fn chain(&self) -> &[Certificate];
    /// The signature scheme.
    fn alg(&self) -> SigAlg;
    /// Sign `msg` (hashing it with the scheme's digest); ECDSA signatures DER-encoded.
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>>;
    /// Where the key lives, for messages (never a PIN).
    fn describe(&self) -> String;
    /// The signer's certificate.
    fn certificate(&self) -> &Certificate {
        &self.chain()[0]
    }
    /// Revocation data of the chain, fetched when the signer was opened (embedded in
    /// each signature as the CAdES revocation-values attribute).
    fn revocation(&self) -> &[Fetched] {
        &[]
    }
    /// Why some certificate of the chain has no revocation data (warnings).
    fn revocation_notes(&self) -> &[String] {
        &[]
    }
}

/// A signer with its chain completed and its revocation data fetched (see [`open`]).
struct WithRevocation {
    inner: Box<dyn CertSigner>,
    chain: Vec<Certificate>,
    fetched: Vec<Fetched>,
    notes: Vec<String>,
}

impl CertSigner for WithRevocation {
    fn chain(&self) -> &[Certificate] {
        &self.chain
    }
    fn alg(&self) -> SigAlg {
        self.inner.alg()
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        self.inner.sign(msg)
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn revocation(&self) -> &[Fetched] {
        &self.fetched
    }
    fn revocation_notes(&self) -> &[String] {
        &self.notes
    }
}

/// A parsed `--signer` SPEC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerSpec {
    /// A PKCS#12 file.
    Pkcs12(PathBuf),
    /// A key on a PKCS#11 token.
    Pkcs11(Pkcs11Uri),
}

/// The RFC 7512 attributes sigillo uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pkcs11Uri {
    /// `token=`: the token label.
    pub token: Option<String>,
    /// `serial=`: the token serial number.
    pub serial: Option<String>,
    /// `object=`: the key's (and certificate's) label.
    pub object: Option<String>,
    /// `id=`: the key's CKA_ID (percent-decoded bytes).
    pub id: Option<Vec<u8>>,
    /// `module-path=`: the PKCS#11 module to load.
    pub module_path: Option<PathBuf>,
}

impl SignerSpec {
    /// Parse `pkcs11:…` or `pkcs12:PATH`.
    pub fn parse(spec: &str) -> Result<SignerSpec> {
        let bad = |why: &str| {
            Error::input(format!("--signer '{}': {why}", crate::text::clip(&redact(spec), 200)))
                .with_fix("give pkcs11:token=LABEL;object=LABEL?module-path=/path/to/module.so or pkcs12:/path/to/file.p12")
        };
        if let Some(path) = spec.strip_prefix("pkcs12:") {
            if path.is_empty() {
                return Err(bad("no file named after pkcs12:"));
            }
            return Ok(SignerSpec::Pkcs12(PathBuf::from(path)));
        }
        let Some(rest) = spec.strip_prefix("pkcs11:") else {
            return Err(bad("unknown kind of signer"));
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = Pkcs11Uri::default();
        let decode = |v: &str| -> Result<Vec<u8>> {
            Ok(percent_encoding::percent_decode_str(v).collect::<Vec<u8>>())
        };
        let text = |v: &str| -> Result<String> {
            String::from_utf8(decode(v)?).map_err(|_| bad("an attribute is not UTF-8"))
        };
        for attr in path.split(';').filter(|a| !a.is_empty()) {
            let (k, v) = attr
                .split_once('=')
                .ok_or_else(|| bad(&format!("'{attr}' is not name=value")))?;
            match k {
                "token" => uri.token = Some(text(v)?),
                "serial" => uri.serial = Some(text(v)?),
                "object" => uri.object = Some(text(v)?),
                "id" => uri.id = Some(decode(v)?),
                "pin-value" => return Err(pin_on_command_line(spec)),
                // RFC 7512 attributes that do not narrow the choice here.
                "manufacturer"
                | "model"
                | "type"
                | "library-manufacturer"
                | "library-description"
                | "library-version"
                | "slot-description"
                | "slot-manufacturer"
                | "slot-id" => {}
                other => return Err(bad(&format!("unknown attribute '{other}'"))),
            }
        }
        for attr in query.split('&').filter(|a| !a.is_empty()) {
            let (k, v) = attr
                .split_once('=')
                .ok_or_else(|| bad(&format!("'{attr}' is not name=value")))?;
            match k {
                "module-path" => uri.module_path = Some(PathBuf::from(text(v)?)),
                "pin-value" => return Err(pin_on_command_line(spec)),
                "pin-source" | "module-name" => {}
                other => return Err(bad(&format!("unknown query attribute '{other}'"))),
            }
        }
        if uri.object.is_none() && uri.id.is_none() {
            return Err(bad("name the key with object=LABEL or id=%01"));
        }
        Ok(SignerSpec::Pkcs11(uri))
    }

    /// The spec as shown to people (a PIN can never be part of it).
    pub fn describe(&self) -> String {
        match self {
            SignerSpec::Pkcs12(p) => format!("pkcs12:{}", p.display()),
            SignerSpec::Pkcs11(u) => {
                let mut s = "pkcs11:".to_string();
                let mut parts = Vec::new();
                if let Some(t) = &u.token {
                    parts.push(format!("token={t}"));
                }
                if let Some(o) = &u.object {
                    parts.push(format!("object={o}"));
                }
                if let Some(i) = &u.id {
                    parts.push(format!("id={}", hex::encode(i)));
                }
                s.push_str(&parts.join(";"));
                s
            }
        }
    }
}

/// `spec` with any `pin-value=` value hidden, for messages.
fn redact(spec: &str) -> String {
    let mut out = String::new();
    let mut rest = spec;
    while let Some(i) = rest.find("pin-value=") {
        out.push_str(&rest[..i + "pin-value=".len()]);
        out.push_str("***");
        rest = &rest[i + "pin-value=".len()..];
        rest = &rest[rest.find([';', '&']).unwrap_or(rest.len())..];
    }
    out.push_str(rest);
    out
}

fn pin_on_command_line(_spec: &str) -> Error {
    Error::input("--signer: a PIN may not be given on the command line (pin-value)").with_fix(
        format!("remove pin-value from the URI; sigillo asks for the PIN, or reads ${PIN_ENV}"),
    )
}

/// Ask for a PIN or password: `$SIGILLO_PIN`, else the terminal.
pub fn read_pin(prompt: &str) -> Result<String> {
    if let Ok(p) = std::env::var(PIN_ENV) {
        return Ok(p);
    }
    rpassword::prompt_password(format!("{prompt}: ")).map_err(|e| {
        Error::key(format!("no PIN or password could be read ({e})"))
            .with_fix(format!("run sigillo in a terminal, or set ${PIN_ENV}"))
    })
}

/// Open the signer a SPEC names (asking for its PIN or password).
///
/// A certificate that is not valid now, or whose key usage allows no signing, is refused
/// here, before anything is written: a co-signature made with it would only fail
/// verification later.
pub fn open(spec: &SignerSpec, pss: bool) -> Result<Box<dyn CertSigner>> {
    let signer: Box<dyn CertSigner> = match spec {
        SignerSpec::Pkcs12(path) => Box::new(Pkcs12Signer::open(path, pss)?),
        SignerSpec::Pkcs11(uri) => Box::new(super::pkcs11::Pkcs11Signer::open(uri, pss)?),
    };
    check_usable(signer.certificate(), &signer.describe(), chrono::Utc::now())?;
    with_revocation(signer, super::stamping::DEFAULT_TIMEOUT)
}

/// Complete the signer's chain (trusted roots, caIssuers) and fetch the OCSP answer or
/// CRL of each certificate but the root, as for TSA chains
/// ([`revocation`](super::revocation)). A revoked certificate is refused here.
fn with_revocation(
    signer: Box<dyn CertSigner>,
    timeout: std::time::Duration,
) -> Result<Box<dyn CertSigner>> {
    use super::revocation;
    let roots = super::tsp::TrustAnchors::system();
    let (chain, fetched_certs, note) =
        revocation::complete_chain(signer.certificate(), signer.chain(), roots.certs(), timeout);
    let (fetched, mut notes) = revocation::fetch(&chain, timeout);
    notes.extend(note);
    for f in &fetched {
        if let revocation::Status::Revoked(at) = f.judged.status {
            let subject = chain
                .get(f.cert_index - 1)
                .map(|c| c.tbs_certificate.subject.to_string())
                .unwrap_or_default();
            return Err(Error::key(format!(
                "the certificate '{}' of {} is revoked (since {}, says its {}); nothing was written",
                crate::text::clip(&subject, 200),
                signer.describe(),
                crate::time::rfc3339(&at),
                match f.kind {
                    revocation::RevocationKind::Ocsp => "OCSP responder",
                    revocation::RevocationKind::Crl => "CRL",
                }
            ))
            .with_fix("sign with a valid certificate: a revoked one proves nothing (ask its issuer for a new one)"));
        }
    }
    let mut full = signer.chain().to_vec();
    for c in fetched_certs {
        if !full.contains(&c) {
            full.push(c);
        }
    }
    Ok(Box::new(WithRevocation {
        inner: signer,
        chain: full,
        fetched,
        notes,
    }))
}

/// Refuse a signer certificate that is outside its validity at `now` or may not sign.
fn check_usable(cert: &Certificate, shown: &str, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let holder = super::cades::Holder::of(cert);
    let v = &cert.tbs_certificate.validity;
    let t = |x: &x509_cert::time::Time| chrono::DateTime::<chrono::Utc>::from(x.to_system_time());
    let who = holder
        .common_name
        .clone()
        .unwrap_or_else(|| holder.subject.clone());
    if now > t(&v.not_after) {
        return Err(Error::key(format!(
            "the certificate of {shown} ('{who}') expired on {}; nothing was written",
            holder.not_after
        ))
        .with_fix("renew the certificate with its issuer, or sign with another --signer"));
    }
    if now < t(&v.not_before) {
        return Err(Error::key(format!(
            "the certificate of {shown} ('{who}') is not valid before {}; nothing was written",
            holder.not_before
        ))
        .with_fix("check this computer's clock, or sign with another --signer"));
    }
    if !holder.may_sign(cert) {
        return Err(Error::key(format!(
            "the certificate of {shown} ('{who}') may not sign: its key usage ({}) allows neither digitalSignature nor nonRepudiation; nothing was written",
            holder.key_usage.join(", ")
        ))
        .with_fix("use the signing certificate of the card (not its authentication or encryption one): pick it with object= or id= in the URI"));
    }
    Ok(())
}

/// Order `pool` as the chain of `signer`: signer first, then each issuer found.
pub fn order_chain(signer: &Certificate, pool: &[Certificate]) -> Vec<Certificate> {
    crate::evidence::revocation::issuer_chain(signer, pool)
}

/// A key and its chain from a PKCS#12 file, in memory for the run.
pub struct Pkcs12Signer {
    path: PathBuf,
    chain: Vec<Certificate>,
    alg: SigAlg,
    key: SoftKey,
}

enum SoftKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl Pkcs12Signer {
    /// Read `path`, asking for its password.
    pub fn open(path: &Path, pss: bool) -> Result<Pkcs12Signer> {
        let data = std::fs::read(path).map_err(|e| Error::io("read the PKCS#12 file", path, e))?;
        let pw = read_pin(&format!("Password for {}", path.display()))?;
        Self::from_bytes(path, &data, &pw, pss)
    }

    /// Read a PKCS#12 file's bytes with `password`.
    pub fn from_bytes(path: &Path, data: &[u8], password: &str, pss: bool) -> Result<Self> {
        let shown = path.display();
        let ks = p12_keystore::KeyStore::from_pkcs12(data, password).map_err(|e| match e {
            p12_keystore::error::Error::MacError(_) => Error::key(format!(
                "wrong password for '{shown}' (or the file is damaged)"
            ))
            .with_fix(format!("type the password again, or check ${PIN_ENV}")),
            other => Error::key(format!("'{shown}' is not a PKCS#12 file sigillo can read ({other})"))
                .with_fix("export the certificate and key with: openssl pkcs12 -export -in cert.pem -inkey key.pem -certfile ca.pem -out file.p12"),
        })?;
        let (_, kc) = ks.private_key_chain().ok_or_else(|| {
            Error::key(format!("'{shown}' holds no private key")).with_fix(
                "export the key together with its certificate (openssl pkcs12 -export -inkey …)",
            )
        })?;
        let pool: Vec<Certificate> = kc
            .chain()
            .iter()
            .filter_map(|c| Certificate::from_der(c.as_der()).ok())
            .collect();
        let key = soft_key(kc.key()).map_err(|why| {
            Error::key(format!(
                "the private key in '{shown}' cannot be used: {why}"
            ))
            .with_fix("use an RSA, P-256 or P-384 key")
        })?;
        // The certificate whose public key is the private key's.
        let pubkey = key.public_spki_bits();
        let signer = pool
            .iter()
            .find(|c| {
                c.tbs_certificate
                    .subject_public_key_info
                    .subject_public_key
                    .raw_bytes()
                    == pubkey.as_slice()
            })
            .cloned()
            .ok_or_else(|| {
                Error::key(format!(
                    "'{shown}' holds no certificate for its private key"
                ))
                .with_fix("export the key together with its certificate (openssl pkcs12 -export -in cert.pem -inkey key.pem)")
            })?;
        let alg = SigAlg::for_certificate(&signer, pss)?;
        let chain = order_chain(&signer, &pool);
        Ok(Pkcs12Signer {
            path: path.to_path_buf(),
            chain,
            alg,
            key,
        })
    }
}

impl SoftKey {
    fn public_spki_bits(&self) -> Vec<u8> {
        match self {
            SoftKey::Rsa(k) => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                k.to_public_key()
                    .to_pkcs1_der()
                    .map(|d| d.as_bytes().to_vec())
                    .unwrap_or_default()
            }
            SoftKey::P256(k) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            SoftKey::P384(k) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
        }
    }
}

fn soft_key(pkcs8: &[u8]) -> std::result::Result<SoftKey, String> {
    use pkcs8::DecodePrivateKey;
    let info = pkcs8::PrivateKeyInfo::try_from(pkcs8).map_err(|e| e.to_string())?;
    match info.algorithm.oid {
        RSA_ENCRYPTION | RSASSA_PSS => rsa::RsaPrivateKey::from_pkcs8_der(pkcs8)
            .or_else(|_| {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                rsa::RsaPrivateKey::from_pkcs1_der(info.private_key)
            })
            .map(|k| SoftKey::Rsa(Box::new(k)))
            .map_err(|e| e.to_string()),
        EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            match curve {
                Some(SECP256R1) => p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8)
                    .map(SoftKey::P256)
                    .map_err(|e| e.to_string()),
                Some(SECP384R1) => p384::ecdsa::SigningKey::from_pkcs8_der(pkcs8)
                    .map(SoftKey::P384)
                    .map_err(|e| e.to_string()),
                _ => Err("an elliptic curve other than P-256 and P-384".into()),
            }
        }
        o => Err(format!("key algorithm {o}")),
    }
}

impl CertSigner for Pkcs12Signer {
    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn alg(&self) -> SigAlg {
        self.alg
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let h = self.alg.digest(msg);
        let fail = |e: &dyn std::fmt::Display| {
            Error::key(format!(
                "signing with the key of '{}' failed: {e}",
                self.path.display()
            ))
        };
        match (&self.key, self.alg) {
            (SoftKey::Rsa(k), SigAlg::RsaPkcs1Sha256) => k
                .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &h)
                .map_err(|e| fail(&e)),
            (SoftKey::Rsa(k), SigAlg::RsaPssSha256) => {
                let mut rng = rand_core_06();
                k.sign_with_rng(&mut rng, rsa::Pss::new_with_salt::<sha2::Sha256>(32), &h)
                    .map_err(|e| fail(&e))
            }
            (SoftKey::P256(k), SigAlg::EcdsaP256Sha256) => {
                use p256::ecdsa::signature::hazmat::PrehashSigner;
                let s: p256::ecdsa::Signature = k.sign_prehash(&h).map_err(|e| fail(&e))?;
                Ok(s.to_der().as_bytes().to_vec())
            }
            (SoftKey::P384(k), SigAlg::EcdsaP384Sha384) => {
                use p384::ecdsa::signature::hazmat::PrehashSigner;
                let s: p384::ecdsa::Signature = k.sign_prehash(&h).map_err(|e| fail(&e))?;
                Ok(s.to_der().as_bytes().to_vec())
            }
            _ => Err(fail(&"the key does not match its certificate's algorithm")),
        }
    }

    fn describe(&self) -> String {
        format!("pkcs12:{}", self.path.display())
    }
}

/// The operating system's random number generator, as rsa 0.9 (rand_core 0.6) wants it.
fn rand_core_06() -> rsa::rand_core::OsRng {
    rsa::rand_core::OsRng
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s = SignerSpec::parse(
            "pkcs11:token=sigillo;object=rossi%20maria;id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so",
        )
        .unwrap();
        let SignerSpec::Pkcs11(u) = s else { panic!() };
        assert_eq!(u.token.as_deref(), Some("sigillo"));
        assert_eq!(u.object.as_deref(), Some("rossi maria"));
        assert_eq!(u.id.as_deref(), Some(&[1u8][..]));
        assert_eq!(
            u.module_path.as_deref(),
            Some(Path::new("/usr/lib/softhsm/libsofthsm2.so"))
        );
        assert_eq!(
            SignerSpec::parse("pkcs12:/tmp/a.p12").unwrap(),
            SignerSpec::Pkcs12("/tmp/a.p12".into())
        );
        for bad in [
            "pkcs11:token=a;object=b;pin-value=1234",
            "pkcs11:token=a;object=b?pin-value=1234",
            "pkcs11:token=a",
            "pkcs12:",
            "file.p12",
            "pkcs11:token=a;object=b;colour=blue",
            "pkcs11:token=a;colour=blue;pin-value=1234",
        ] {
            let e = SignerSpec::parse(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(!e.to_string().contains("1234"), "{e}");
        }
    }
}
