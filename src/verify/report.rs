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

/// A signer seen in the bundle.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Signer {
    /// `SHA256:…` fingerprint.
    pub fingerprint: String,
    /// Names this key signed under.
    pub names: Vec<String>,
    /// Pinned by `--trust` (`None` when no `--trust` was given).
    pub trusted: Option<bool>,
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
    /// What the bundle's times rest on.
    pub time_basis: TimeBasis,
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
