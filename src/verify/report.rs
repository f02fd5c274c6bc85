//! The verdict's types: what `verify` returns and `verify --json` prints
//! (`sigillo-verify/1`, see `docs/verify-json.md`; schema in
//! `docs/schemas/verify-report.schema.json`).

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::bundle::state::BundleState;
use crate::evidence::custody::{self, Verdict};
use crate::evidence::stamping::TokenFacts;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The check passed.
    Pass,
    /// The check failed: the bundle does not verify.
    Fail,
    /// Worth attention, not a failure (clock skew, untrusted signer, untrusted TSA).
    Warn,
    /// Information.
    Info,
}

/// The layer a check belongs to. Serialised as the lowercase name (`"archive"` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    /// The ZIP container: structure, readable members, canonical order.
    Archive,
    /// The public keys in `keys/`.
    Keys,
    /// An item as a whole: manifest, numbering, file list.
    Item,
    /// A file of an item: present, size, SHA-256.
    File,
    /// The Ed25519 signature over a manifest.
    Signature,
    /// An RFC 3161 token.
    Timestamp,
    /// The custody log.
    Custody,
    /// `SHA256SUMS` and its signature.
    Sums,
    /// Signers pinned with `--trust`.
    Trust,
    /// An X.509 (CAdES) co-signature over a manifest.
    Cosignature,
}

impl CheckKind {
    /// The JSON spelling (`archive`, `keys`, `item` …).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Archive => "archive",
            CheckKind::Keys => "keys",
            CheckKind::Item => "item",
            CheckKind::File => "file",
            CheckKind::Signature => "signature",
            CheckKind::Timestamp => "timestamp",
            CheckKind::Custody => "custody",
            CheckKind::Sums => "sums",
            CheckKind::Trust => "trust",
            CheckKind::Cosignature => "cosignature",
        }
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Compares with the JSON spelling, so `check == "custody"` keeps working.
impl PartialEq<&str> for CheckKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One line of the verdict.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Check {
    /// The layer checked.
    pub check: CheckKind,
    /// Outcome.
    pub status: Status,
    /// What was checked (member path, item id, custody line …).
    pub subject: String,
    /// What was found.
    pub message: String,
}

/// What kind of signature a signer made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignerKind {
    /// A sigillo Ed25519 key (manifest.sig, custody entries, SHA256SUMS.sig).
    Ed25519,
    /// An X.509 certificate (CAdES co-signatures, manifest.p7s).
    X509,
}

/// A signer seen in the bundle.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Signer {
    /// `ed25519` (a sigillo key) or `x509` (a certificate).
    pub kind: SignerKind,
    /// `SHA256:…` fingerprint: of the public key (Ed25519) or of the certificate (X.509).
    pub fingerprint: String,
    /// Names this key signed under (X.509: the certificate's common name).
    pub names: Vec<String>,
    /// Ed25519: pinned by `--trust` (`None` when no `--trust` was given). X.509: the
    /// certificate chains to `--signer-ca` (or, without it, the system store).
    pub trusted: Option<bool>,
    /// X.509: who the certificate names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<crate::evidence::cades::Holder>,
}

/// An X.509 co-signature (CAdES, detached) over an item's manifest
/// (`items/<id>/manifest[.N].p7s`, `item`) or over a custody entry's line
/// (`custody/<seq>[.N].p7s`, `custody_seq`), or the enveloping signature of a `.p7m`
/// over the whole bundle (`envelope`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Cosignature {
    /// The item whose manifest.json it signs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The custody entry whose line it signs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custody_seq: Option<u64>,
    /// True for the enveloping signature of a `.p7m` over the whole bundle inside it
    /// (`member` is then `(envelope .p7m)`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub envelope: bool,
    /// The member path.
    pub member: String,
    /// `trusted`, `untrusted` or `invalid`.
    pub status: CosignatureStatus,
    /// Why it is not trusted or not valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `B-B` or `B-T` (with a signature timestamp).
    pub level: String,
    /// The signer's certificate fingerprint (`SHA256:…`, as in `signers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The signing-time attribute: the signer's own clock (UTC, RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<String>,
    /// The signature timestamp's genTime (UTC, RFC 3339), when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The TSA that issued the signature timestamp (its certificate's subject).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_tsa: Option<String>,
    /// When the certificate chain was judged (UTC, RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judged_at: Option<String>,
    /// What that time rests on: `tsa` (the signature timestamp), `signer-clock`, or `now`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judged_at_source: Option<String>,
    /// Subjects of the certificate path, signer first, trust anchor last.
    pub chain: Vec<String>,
    /// The revocation data the signature carries (CAdES revocation-values, fetched when
    /// signing), judged offline at `judged_at`: `status` of the signer's certificate
    /// (`none` when the signature carries none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::evidence::stamping::RevocationFacts>,
}

/// How a co-signature was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CosignatureStatus {
    /// Valid, and the certificate chains to a trust anchor at the signing time.
    Trusted,
    /// Valid, but the chain reaches no trust anchor (no `--signer-ca` given).
    Untrusted,
    /// Broken, altered, not over this manifest, or not allowed to sign.
    Invalid,
}

/// What a verifier learned about an encrypted bundle.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EncryptionSummary {
    /// Items whose files are encrypted.
    pub items: u64,
    /// Files in them.
    pub files: u64,
    /// Files decrypted with `--identity` and checked against their plaintext hashes (0
    /// without an identity).
    pub decrypted_files: u64,
    /// The recipients named by the manifests (who can open the bundle).
    pub recipients: Vec<String>,
    /// The sentence the text output prints (`content: …`).
    pub statement: String,
}

/// One RFC 3161 token found in the bundle: over an item's manifest signature (`item`) or
/// over a custody entry's signature (`custody_seq`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TimestampRecord {
    /// The item whose manifest signature the token covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The custody entry whose signature the token covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custody_seq: Option<u64>,
    /// The token's member path.
    pub token: String,
    /// What the token says and how it was judged.
    pub info: TokenFacts,
}

/// What the times in the bundle rest on.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TimeBasis {
    /// Number of trusted RFC 3161 tokens (items and custody entries).
    pub trusted_tokens: u64,
    /// Names of the TSAs that issued them, sorted, each once.
    pub tsa: Vec<String>,
    /// Items without a trusted token: their times are the acquiring machine's clock.
    pub items_on_local_clock: Vec<String>,
    /// One sentence for people: "times are trusted (N tokens from TSA …)" or "no trusted
    /// timestamp: all times are the acquiring machine's clock".
    pub statement: String,
}

/// The full verdict.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Report {
    /// Always `sigillo-verify/1`.
    pub format: &'static str,
    /// The bundle's path as given.
    pub bundle: String,
    /// SHA-256 of the whole bundle file.
    pub bundle_sha256: String,
    /// `verified` or `failed`.
    pub verdict: Verdict,
    /// Every check, in the order they ran.
    pub checks: Vec<Check>,
    /// The failed checks only.
    pub failures: Vec<Check>,
    /// Signers and trust.
    pub signers: Vec<Signer>,
    /// Whether `--trust` was given (otherwise signatures are only self-consistent).
    pub trust_pinned: bool,
    /// RFC 3161 tokens found.
    pub timestamps: Vec<TimestampRecord>,
    /// X.509 (CAdES) co-signatures over manifests.
    pub cosignatures: Vec<Cosignature>,
    /// What the bundle's times rest on.
    pub time_basis: TimeBasis,
    /// Present when items are encrypted: to whom, and whether the content was decrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionSummary>,
    /// What verification learned (not serialised).
    #[serde(skip)]
    pub state: BundleState,
}

impl Report {
    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }

    /// What a `verified` custody entry records about this verdict.
    pub fn custody_details(&self) -> custody::VerifiedDetails {
        custody::VerifiedDetails {
            verdict: self.verdict,
            bundle_sha256: self.bundle_sha256.clone(),
            checks: self.checks.len() as u64,
            failures: self.failures.len() as u64,
        }
    }

    /// (item id, token facts) of every item token, as the HTML report takes them.
    pub fn item_timestamps(&self) -> Vec<(String, Value)> {
        self.timestamps
            .iter()
            .filter_map(|t| {
                let facts = serde_json::to_value(&t.info).unwrap_or(Value::Null);
                t.item.clone().map(|i| (i, facts))
            })
            .collect()
    }
}
