//! The custody log: who held the bundle and what they did, hash-chained and signed.
//!
//! `custody.jsonl` holds one canonical JSON object (RFC 8785) per line. Each entry
//! names its actor by key fingerprint, carries the SHA-256 of the previous line
//! (`prev`), the digest of the bundle's sealed content at that moment (`content`),
//! and an Ed25519 signature by the actor over the canonical entry without its
//! `signature` field. Editing, removing, reordering or re-signing an entry breaks a
//! link, a signature or the match with the items; see `docs/chain-of-custody.md`.

use std::collections::HashMap;

use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::evidence::hash::sha256_hex;
use crate::evidence::keys::{self, Key};
use crate::evidence::manifest::canonical;
use crate::text::{clip, short};
use crate::time::{Clock, Stamp};

/// The custody entry format identifier.
pub const FORMAT: &str = "sigillo-custody/1";
/// `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// How far an entry's time may go back before the previous one's without failing
/// verification (clock skew between custodians' machines is reported, not hidden).
pub const SKEW_TOLERANCE_SECS: i64 = 300;

/// What happened, by name (the `action` of an entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The bundle was created.
    Created,
    /// An item was sealed into the bundle.
    ItemAdded,
    /// The bundle was handed over to someone.
    Transferred,
    /// The bundle was received from someone.
    Received,
    /// The bundle was verified (the verdict is in the details).
    Verified,
    /// A copy or part was exported.
    Exported,
    /// A free-text note.
    Note,
    /// Trusted timestamps were added.
    Timestamped,
    /// X.509 co-signatures were added to items' manifests.
    Cosigned,
    /// The items' files were encrypted (`sigillo encrypt`).
    Encrypted,
    /// The items' files were decrypted into a working copy (`sigillo decrypt`).
    Decrypted,
    /// A removal notice (DSA Art. 16) was written for items (`sigillo notice`).
    NoticeSent,
    /// The platform acknowledged a notice (`custody add --action notice-acknowledged`).
    NoticeAcknowledged,
    /// The platform confirmed the content was removed (`custody add --action
    /// removal-confirmed`).
    RemovalConfirmed,
}

impl Action {
    /// All actions, in documentation order.
    pub const ALL: [Action; 14] = [
        Action::Created,
        Action::ItemAdded,
        Action::Transferred,
        Action::Received,
        Action::Verified,
        Action::Exported,
        Action::Note,
        Action::Timestamped,
        Action::Cosigned,
        Action::Encrypted,
        Action::Decrypted,
        Action::NoticeSent,
        Action::NoticeAcknowledged,
        Action::RemovalConfirmed,
    ];

    /// The name written in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::ItemAdded => "item-added",
            Action::Transferred => "transferred",
            Action::Received => "received",
            Action::Verified => "verified",
            Action::Exported => "exported",
            Action::Note => "note",
            Action::Timestamped => "timestamped",
            Action::Cosigned => "cosigned",
            Action::Encrypted => "encrypted",
            Action::Decrypted => "decrypted",
            Action::NoticeSent => "notice-sent",
            Action::NoticeAcknowledged => "notice-acknowledged",
            Action::RemovalConfirmed => "removal-confirmed",
        }
    }

    /// Parse a name written in the log.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verdict as recorded by a `verified` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every check passed.
    Verified,
    /// At least one check failed.
    Failed,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Verdict::Verified => "verified",
            Verdict::Failed => "failed",
        })
    }
}

/// `created`: the bundle's case and format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CreatedDetails {
    /// The case id.
    pub case: String,
    /// The bundle format (`sigillo-bundle/1`).
    pub bundle_format: String,
}

/// `item-added`: which item, and the hash of its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemAddedDetails {
    /// The item id.
    pub item: String,
    /// The item kind.
    pub kind: crate::evidence::manifest::ItemKind,
    /// SHA-256 of the item's manifest.json.
    pub manifest_sha256: String,
    /// Number of files in the item.
    pub files: u64,
    /// Trusted timestamps obtained when sealing.
    pub timestamps: u64,
}

/// `transferred`: to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TransferredDetails {
    /// The recipient.
    pub to: String,
}

/// `received`: from whom, if said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReceivedDetails {
    /// The sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// `verified`: the verdict sigillo reached, on which bundle bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VerifiedDetails {
    /// The verdict.
    pub verdict: Verdict,
    /// SHA-256 of the bundle file that was verified.
    pub bundle_sha256: String,
    /// Number of checks run.
    pub checks: u64,
    /// Number of failed checks.
    pub failures: u64,
}

/// `timestamped`: the token files added and the TSAs asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TimestampedDetails {
    /// Bundle paths of the tokens added.
    pub tokens: Vec<String>,
    /// The timestamp authorities asked.
    pub tsa: Vec<String>,
}

/// `cosigned`: the X.509 co-signature files added and who made them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CosignedDetails {
    /// Bundle paths of the co-signatures added (`items/<id>/manifest[.N].p7s`).
    pub signatures: Vec<String>,
    /// The signers' certificate subjects.
    pub signers: Vec<String>,
}

/// `encrypted`: the files of the items present were converted to age files
/// (`sigillo encrypt`); their manifests, signed before, still list the plaintext hashes,
/// so this entry lists what is stored now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EncryptedDetails {
    /// `age`.
    pub scheme: String,
    /// The recipients, as given (`age1…`, `ssh-ed25519 …`).
    pub recipients: Vec<String>,
    /// Every encrypted member: its bundle path (`items/<id>/<file>.age`), size and SHA-256.
    pub files: Vec<StoredMember>,
    /// With `--encrypt-passphrase`: the passphrase-encrypted identity of one recipient
    /// (as in a manifest's `encryption` block).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase_identity: Option<String>,
}

/// One member as stored: bundle path, size, SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StoredMember {
    /// Bundle path.
    pub member: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// `decrypted`: the files of the items present are stored decrypted (a working copy
/// made by `sigillo decrypt`), each checked against the plaintext hash in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DecryptedDetails {
    /// Number of files decrypted.
    pub files: u64,
    /// The recipients the bundle was encrypted to.
    pub recipients: Vec<String>,
}

/// The file format of a notice (`sigillo notice --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoticeFormat {
    /// A standalone HTML page.
    Html,
    /// A PDF printed by Chromium.
    Pdf,
    /// An RFC 5322 e-mail message (text/plain + text/html).
    Eml,
    /// JSON (`sigillo-notice/1`).
    Json,
}

impl NoticeFormat {
    /// The name as written (`html`, `pdf`, `eml`, `json`).
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeFormat::Html => "html",
            NoticeFormat::Pdf => "pdf",
            NoticeFormat::Eml => "eml",
            NoticeFormat::Json => "json",
        }
    }
}

/// `notice-sent`: a removal notice was written for items, to a platform. The notice file
/// is not stored in the bundle; its SHA-256 and size identify it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NoticeSentDetails {
    /// The item ids the notice is about.
    pub items: Vec<String>,
    /// The recipient platform, as given (`--to`).
    pub recipient: String,
    /// The URLs the notice names (captured pages' URLs and those the notifier gave).
    pub urls: Vec<String>,
    /// The notice file's format.
    pub format: NoticeFormat,
    /// SHA-256 of the notice file, lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its file name (without folders).
    pub file: String,
    /// The notifier named in the notice (`--notifier`).
    pub notifier: String,
}

/// A file received from a platform (a reply e-mail, a screenshot of a ticket), identified
/// by name, size and SHA-256; the file itself is not stored in the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReplyFile {
    /// Its file name (without folders).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
}

/// `notice-acknowledged` and `removal-confirmed`: a platform's reply about items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlatformReplyDetails {
    /// The item ids the reply is about.
    pub items: Vec<String>,
    /// The platform's reference (ticket or case number), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The reply file, if given (`--file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<ReplyFile>,
}

/// Actions without details (`exported`, `note`): an empty object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NoDetails {}

/// What happened, with its action-specific details: written as `action` + `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", content = "details", rename_all = "kebab-case")]
pub enum Event {
    /// The bundle was created.
    Created(CreatedDetails),
    /// An item was sealed into the bundle.
    ItemAdded(ItemAddedDetails),
    /// The bundle was handed over.
    Transferred(TransferredDetails),
    /// The bundle was received.
    Received(ReceivedDetails),
    /// The bundle was verified.
    Verified(VerifiedDetails),
    /// A copy or part was exported.
    Exported(NoDetails),
    /// A free-text note.
    Note(NoDetails),
    /// Trusted timestamps were added.
    Timestamped(TimestampedDetails),
    /// X.509 co-signatures were added.
    Cosigned(CosignedDetails),
    /// The items' files were encrypted.
    Encrypted(EncryptedDetails),
    /// The items' files were decrypted into a working copy.
    Decrypted(DecryptedDetails),
    /// A removal notice was written for items.
    NoticeSent(NoticeSentDetails),
    /// The platform acknowledged a notice.
    NoticeAcknowledged(PlatformReplyDetails),
    /// The platform confirmed the removal.
    RemovalConfirmed(PlatformReplyDetails),
}

impl Event {
    /// The action's name.
    pub fn action(&self) -> Action {
        match self {
            Event::Created(_) => Action::Created,
            Event::ItemAdded(_) => Action::ItemAdded,
            Event::Transferred(_) => Action::Transferred,
            Event::Received(_) => Action::Received,
            Event::Verified(_) => Action::Verified,
            Event::Exported(_) => Action::Exported,
            Event::Note(_) => Action::Note,
            Event::Timestamped(_) => Action::Timestamped,
            Event::Cosigned(_) => Action::Cosigned,
            Event::Encrypted(_) => Action::Encrypted,
            Event::Decrypted(_) => Action::Decrypted,
            Event::NoticeSent(_) => Action::NoticeSent,
            Event::NoticeAcknowledged(_) => Action::NoticeAcknowledged,
            Event::RemovalConfirmed(_) => Action::RemovalConfirmed,
        }
    }

    /// What the entry is about, as `custody show` prints it: the item, the recipient,
    /// the sender or the verdict.
    pub fn subject(&self) -> Option<&str> {
        match self {
            Event::ItemAdded(d) => Some(&d.item),
            Event::Transferred(d) => Some(&d.to),
            Event::NoticeSent(d) => Some(&d.recipient),
            Event::NoticeAcknowledged(d) | Event::RemovalConfirmed(d) => {
                d.items.first().map(String::as_str)
            }
            Event::Received(d) => d.from.as_deref(),
            Event::Verified(d) => Some(match d.verdict {
                Verdict::Verified => "verified",
                Verdict::Failed => "failed",
            }),
            _ => None,
        }
    }
}

/// Who acts: name, optionally role and organisation (the key is the signer's).
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// Display name.
    pub name: String,
    /// Role (lawyer, investigator, expert …).
    pub role: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
}

/// The actor as written in an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActorRecord {
    /// Display name.
    pub name: String,
    /// `SHA256:…` fingerprint of the key that signed the entry.
    pub key: String,
    /// Role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

impl ActorRecord {
    /// "Name (role, organisation)".
    pub fn display(&self) -> String {
        match (&self.role, &self.organisation) {
            (Some(r), Some(o)) => format!("{} ({r}, {o})", self.name),
            (Some(r), None) => format!("{} ({r})", self.name),
            (None, Some(o)) => format!("{} ({o})", self.name),
            _ => self.name.clone(),
        }
    }
}

/// The sealed content at the moment of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ContentSeal {
    /// See [`content_digest`].
    pub digest: String,
    /// Number of items.
    pub items: u64,
}

/// One line of `custody.jsonl` (`sigillo-custody/1`): the type that writes and reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "sigillo custody entry (sigillo-custody/1)")]
pub struct Record {
    /// `sigillo-custody/1`.
    pub format: String,
    /// 1, 2, 3 … (the line number).
    pub seq: u64,
    /// When, RFC 3339 UTC with milliseconds.
    #[serde(with = "crate::time::rfc3339_millis")]
    #[schemars(with = "String")]
    pub time: DateTime<Utc>,
    /// The clock `time` was read from.
    pub clock: Clock,
    /// The action and its details.
    #[serde(flatten)]
    pub event: Event,
    /// Who.
    pub actor: ActorRecord,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// SHA-256 of the previous line ([`GENESIS`] for the first).
    pub prev: String,
    /// The sealed content at that moment.
    pub content: ContentSeal,
    /// Base64 Ed25519 signature by `actor.key` over the canonical entry without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// The digest of a bundle's sealed content: SHA-256 over the lines
/// `<manifest sha256>  <item id>\n`, sorted by item id.
pub fn content_digest(items: &[(String, String)]) -> String {
    let mut v: Vec<&(String, String)> = items.iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    let mut s = String::new();
    for (id, h) in v {
        s.push_str(&format!("{h}  {id}\n"));
    }
    sha256_hex(s.as_bytes())
}

/// What a new entry says (everything but the chain fields, which [`make_entry`] adds).
pub struct NewEntry<'a> {
    /// Sequence number.
    pub seq: u64,
    /// When.
    pub time: &'a Stamp,
    /// What happened.
    pub event: Event,
    /// Who.
    pub actor: &'a Actor,
    /// Free text.
    pub note: Option<&'a str>,
    /// The content digest and item count at this moment.
    pub content: (&'a str, usize),
}

/// Build and sign one entry after `prev_line`; returns the line (without the newline).
pub fn make_entry(prev_line: Option<&[u8]>, new: NewEntry, key: &Key) -> Result<Vec<u8>> {
    let mut r = Record {
        format: FORMAT.to_string(),
        seq: new.seq,
        time: new.time.at,
        clock: new.time.clock,
        event: new.event,
        actor: ActorRecord {
            name: new.actor.name.clone(),
            key: key.fingerprint(),
            role: new.actor.role.clone(),
            organisation: new.actor.organisation.clone(),
        },
        note: new.note.map(str::to_string),
        prev: prev_line
            .map(sha256_hex)
            .unwrap_or_else(|| GENESIS.to_string()),
        content: ContentSeal {
            digest: new.content.0.to_string(),
            items: new.content.1 as u64,
        },
        signature: None,
    };
    let sig = key.sign(&canonical(&r)?);
    r.signature = Some(base64::engine::general_purpose::STANDARD.encode(sig));
    canonical(&r)
}

/// The raw Ed25519 signature of an entry line (what a trusted timestamp over the entry
/// covers).
pub fn line_signature(line: &[u8]) -> Result<Vec<u8>> {
    let bad = || {
        crate::error::Error::internal(
            "a custody entry sigillo just wrote has no readable signature",
        )
    };
    let r: Record = serde_json::from_slice(line).map_err(|_| bad())?;
    r.signature
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .ok_or_else(bad)
}

/// One entry read back from the log, with what its own checks found.
#[derive(Debug, Clone)]
pub struct Entry {
    /// 1-based line number in custody.jsonl.
    pub line_no: usize,
    /// The entry as written.
    pub record: Record,
    /// SHA-256 of this line's bytes (what the next entry's `prev` must be).
    pub line_sha256: String,
    /// The raw signature bytes (what a TSA token over this entry covers).
    pub signature: Vec<u8>,
    /// Signature verified with the actor's key from the bundle.
    pub signature_ok: bool,
}

impl Entry {
    /// The action.
    pub fn action(&self) -> Action {
        self.record.event.action()
    }
    /// The actor's key fingerprint.
    pub fn actor_key(&self) -> &str {
        &self.record.actor.key
    }
    /// `custody.jsonl line N`, for messages.
    pub fn place(&self) -> String {
        format!("{CUSTODY_FILE} line {}", self.line_no)
    }
}

/// The result of reading and checking the log on its own.
#[derive(Debug, Default)]
pub struct ChainReport {
    /// Entries that could be parsed.
    pub entries: Vec<Entry>,
    /// Failures: (where, what).
    pub problems: Vec<(String, String)>,
    /// Things to report that are not failures (clock skew within tolerance).
    pub warnings: Vec<(String, String)>,
}

const CUSTODY_FILE: &str = "custody.jsonl";

/// Parse one line strictly: JSON, canonical, and exactly what [`Record`] writes.
fn parse_line(line: &[u8]) -> std::result::Result<Record, String> {
    let value: Value = serde_json::from_slice(line).map_err(|e| format!("not valid JSON ({e})"))?;
    let canonical_ok = canonical(&value).is_ok_and(|c| c == line);
    let r: Record =
        serde_json::from_value(value).map_err(|e| format!("missing or malformed field ({e})"))?;
    if !canonical_ok || canonical(&r).map_or(true, |c| c != line) {
        return Err(
            "not in canonical form or holds fields this version does not write: the line was edited"
                .into(),
        );
    }
    Ok(r)
}

/// Read `custody.jsonl` and check every link, signature, sequence number and time.
///
/// `keys` maps fingerprints to the public keys stored in the bundle.
pub fn check_chain(bytes: &[u8], keys: &HashMap<String, VerifyingKey>) -> ChainReport {
    let mut rep = ChainReport::default();
    if bytes.is_empty() {
        rep.problems
            .push((CUSTODY_FILE.into(), "the custody log is empty".into()));
        return rep;
    }
    if !bytes.ends_with(b"\n") {
        rep.problems.push((
            CUSTODY_FILE.into(),
            "the last line has no newline: the log was cut or edited".into(),
        ));
    }
    let mut prev_hash = GENESIS.to_string();
    let mut prev_time: Option<DateTime<Utc>> = None;
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        let line_no = i + 1;
        let at = format!("{CUSTODY_FILE} line {line_no}");
        let line_hash = sha256_hex(line);
        let expected_prev = std::mem::replace(&mut prev_hash, line_hash.clone());
        let record = match parse_line(line) {
            Ok(r) => r,
            Err(e) => {
                rep.problems.push((at, e));
                continue;
            }
        };
        let mut problems = check_links(&record, line_no, &expected_prev);
        if let Some(p) = prev_time
            && record.time < p
        {
            let back = (p - record.time).num_seconds();
            let msg = format!(
                "time goes back {back} s from the previous entry (clock skew between machines?)"
            );
            if back > SKEW_TOLERANCE_SECS {
                problems.push(format!(
                    "{msg}, beyond the {SKEW_TOLERANCE_SECS} s tolerance"
                ));
            } else {
                rep.warnings.push((at.clone(), msg));
            }
        }
        prev_time = Some(record.time);
        let (signature, signature_ok) = check_signature(&record, keys, &mut problems);
        rep.problems
            .extend(problems.into_iter().map(|p| (at.clone(), p)));
        rep.entries.push(Entry {
            line_no,
            record,
            line_sha256: line_hash,
            signature,
            signature_ok,
        });
    }
    rep
}

/// Format, sequence number, link to the previous line, and the first action.
fn check_links(r: &Record, line_no: usize, expected_prev: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if r.format != FORMAT {
        problems.push(format!("unknown format '{}'", clip(&r.format, 40)));
    }
    if r.seq != line_no as u64 {
        problems.push(format!(
            "sequence number is {}, expected {line_no}: entries were removed, inserted or reordered",
            r.seq
        ));
    }
    if r.prev != expected_prev {
        problems.push(format!(
            "broken link: prev is {}, but the previous line hashes to {}: the entry before it was changed, removed or reordered",
            short(&r.prev),
            short(expected_prev)
        ));
    }
    if line_no == 1 && r.event.action() != Action::Created {
        problems.push("the first entry must be 'created': the start of the log is missing".into());
    }
    problems
}

/// The signature over the canonical entry without `signature`, by the actor's key.
fn check_signature(
    r: &Record,
    keys: &HashMap<String, VerifyingKey>,
    problems: &mut Vec<String>,
) -> (Vec<u8>, bool) {
    let signature = r
        .signature
        .as_deref()
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .unwrap_or_default();
    let key = &r.actor.key;
    let Some(vk) = keys.get(key) else {
        problems.push(format!(
            "signed by {}, whose public key is not in the bundle (keys/)",
            clip(key, 60)
        ));
        return (signature, false);
    };
    let unsigned = Record {
        signature: None,
        ..r.clone()
    };
    let ok = canonical(&unsigned).is_ok_and(|m| keys::verify_raw(vk, &m, &signature));
    if !ok {
        problems.push(format!(
            "signature does not verify with the key of its actor {key}: the entry was edited or re-signed"
        ));
    }
    (signature, ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::keys::{PassphraseSource, generate, load};
    use std::path::Path;

    struct NoPw;
    impl PassphraseSource for NoPw {
        fn passphrase(&self, _: &Path) -> Result<String> {
            unreachable!()
        }
    }

    fn log(n: usize) -> (Vec<u8>, HashMap<String, VerifyingKey>) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        generate(&p, Some("A"), None).unwrap();
        let k = load(&p, &NoPw).unwrap();
        let actor = Actor {
            name: "A".into(),
            ..Default::default()
        };
        let mut out = Vec::new();
        let mut prev: Option<Vec<u8>> = None;
        for i in 0..n {
            let event = if i == 0 {
                Event::Created(CreatedDetails {
                    case: "C".into(),
                    bundle_format: "sigillo-bundle/1".into(),
                })
            } else {
                Event::Note(NoDetails {})
            };
            let t = Stamp {
                at: DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap(),
                clock: Clock::Local,
            };
            let line = make_entry(
                prev.as_deref(),
                NewEntry {
                    seq: i as u64 + 1,
                    time: &t,
                    event,
                    actor: &actor,
                    note: None,
                    content: (GENESIS, 0),
                },
                &k,
            )
            .unwrap();
            out.extend_from_slice(&line);
            out.push(b'\n');
            prev = Some(line);
        }
        let mut keys = HashMap::new();
        keys.insert(k.fingerprint(), k.verifying_key());
        (out, keys)
    }

    #[test]
    fn intact_chain_passes() {
        let (bytes, keys) = log(4);
        let r = check_chain(&bytes, &keys);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.entries.len(), 4);
    }

    #[test]
    fn removal_and_reordering_are_named() {
        let (bytes, keys) = log(4);
        let lines: Vec<&[u8]> = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let join = |ls: &[&[u8]]| {
            ls.iter()
                .flat_map(|l| l.iter().copied().chain([b'\n']))
                .collect::<Vec<u8>>()
        };
        let removed = join(&[lines[0], lines[1], lines[3]]);
        let r = check_chain(&removed, &keys);
        assert!(
            r.problems
                .iter()
                .any(|(w, m)| w.ends_with("line 3") && m.contains("sequence")),
            "{:?}",
            r.problems
        );
        let swapped = join(&[lines[0], lines[2], lines[1], lines[3]]);
        let r = check_chain(&swapped, &keys);
        assert!(r.problems.iter().any(|(_, m)| m.contains("broken link")));
    }

    /// Every action has a unique name that parses back, and docs/chain-of-custody.md
    /// lists each one (the `action` row and a `details` shape).
    #[test]
    fn every_action_is_named_parsed_and_documented() {
        let doc = include_str!("../../docs/chain-of-custody.md");
        let mut seen = std::collections::BTreeSet::new();
        for a in Action::ALL {
            assert!(seen.insert(a.as_str()), "{a} twice");
            assert_eq!(Action::parse(a.as_str()), Some(a));
            assert!(
                doc.contains(&format!("`{}`", a.as_str())),
                "{a} is not in the docs"
            );
        }
        let ev = Event::NoticeSent(NoticeSentDetails {
            items: vec!["0001-web-a".into()],
            recipient: "X".into(),
            urls: vec!["https://a.example/".into()],
            format: NoticeFormat::Eml,
            sha256: "0".repeat(64),
            size: 1,
            file: "n.eml".into(),
            notifier: "R".into(),
        });
        let v = serde_json::to_value(&ev).unwrap();
        assert_eq!(v["action"], "notice-sent");
        assert_eq!(v["details"]["format"], "eml");
        assert_eq!(serde_json::from_value::<Event>(v).unwrap(), ev);
    }
}
