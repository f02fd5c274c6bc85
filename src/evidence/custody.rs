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
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::evidence::hash::sha256_hex;
use crate::evidence::keys::{self, Key};
use crate::evidence::manifest::canonical;
use crate::time::Stamp;

/// The custody entry format identifier.
pub const FORMAT: &str = "sigillo-custody/1";
/// `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// How far an entry's time may go back before the previous one's without failing
/// verification (clock skew between custodians' machines is reported, not hidden).
pub const SKEW_TOLERANCE_SECS: i64 = 300;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl Action {
    /// All actions, in documentation order.
    pub const ALL: [Action; 8] = [
        Action::Created,
        Action::ItemAdded,
        Action::Transferred,
        Action::Received,
        Action::Verified,
        Action::Exported,
        Action::Note,
        Action::Timestamped,
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
        }
    }

    /// Parse a name written in the log.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Who acts: name and key, optionally role and organisation.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// Display name.
    pub name: String,
    /// Role (lawyer, investigator, expert …).
    pub role: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
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

/// Build and sign one entry; returns the line (without the trailing newline).
#[allow(clippy::too_many_arguments)]
pub fn make_entry(
    prev_line: Option<&[u8]>,
    seq: u64,
    time: &Stamp,
    action: Action,
    actor: &Actor,
    key: &Key,
    note: Option<&str>,
    details: Map<String, Value>,
    content: (&str, usize),
) -> Result<Vec<u8>> {
    let mut a = Map::new();
    a.insert("name".into(), json!(actor.name));
    a.insert("key".into(), json!(key.fingerprint()));
    if let Some(r) = &actor.role {
        a.insert("role".into(), json!(r));
    }
    if let Some(o) = &actor.organisation {
        a.insert("organisation".into(), json!(o));
    }
    let mut e = Map::new();
    e.insert("format".into(), json!(FORMAT));
    e.insert("seq".into(), json!(seq));
    e.insert("time".into(), json!(time.rfc3339()));
    e.insert("clock".into(), json!(time.clock.as_str()));
    e.insert("action".into(), json!(action.as_str()));
    e.insert("actor".into(), Value::Object(a));
    if let Some(n) = note {
        e.insert("note".into(), json!(n));
    }
    e.insert("details".into(), Value::Object(details));
    e.insert(
        "prev".into(),
        json!(
            prev_line
                .map(sha256_hex)
                .unwrap_or_else(|| GENESIS.to_string())
        ),
    );
    e.insert(
        "content".into(),
        json!({"digest": content.0, "items": content.1}),
    );
    let unsigned = canonical(&Value::Object(e.clone()))?;
    let sig = key.sign(&unsigned);
    e.insert(
        "signature".into(),
        json!(base64::engine::general_purpose::STANDARD.encode(sig)),
    );
    canonical(&Value::Object(e))
}

/// One entry read back from the log, with what its own checks found.
#[derive(Debug, Clone)]
pub struct Entry {
    /// 1-based line number in custody.jsonl.
    pub line_no: usize,
    /// Sequence number written in the entry.
    pub seq: u64,
    /// Time written in the entry.
    pub time: Option<DateTime<Utc>>,
    /// Time as written.
    pub time_text: String,
    /// Clock source.
    pub clock: String,
    /// Action name as written.
    pub action: String,
    /// Actor fingerprint.
    pub actor_key: String,
    /// Actor name.
    pub actor_name: String,
    /// Actor role, if given.
    pub actor_role: Option<String>,
    /// Actor organisation, if given.
    pub actor_org: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// Action-specific details.
    pub details: Map<String, Value>,
    /// Content digest recorded.
    pub content_digest: String,
    /// Item count recorded.
    pub content_items: u64,
    /// SHA-256 of this line's bytes (what the next entry's `prev` must be).
    pub line_sha256: String,
    /// The raw signature bytes (what a TSA token over this entry covers).
    pub signature: Vec<u8>,
    /// Signature verified with the actor's key from the bundle.
    pub signature_ok: bool,
    /// The whole entry as JSON.
    pub raw: Value,
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

/// Read `custody.jsonl` and check every link, signature, sequence number and time.
///
/// `keys` maps fingerprints to the public keys stored in the bundle.
pub fn check_chain(bytes: &[u8], keys: &HashMap<String, VerifyingKey>) -> ChainReport {
    let mut rep = ChainReport::default();
    if bytes.is_empty() {
        rep.problems
            .push(("custody.jsonl".into(), "the custody log is empty".into()));
        return rep;
    }
    if !bytes.ends_with(b"\n") {
        rep.problems.push((
            "custody.jsonl".into(),
            "the last line has no newline: the log was cut or edited".into(),
        ));
    }
    let mut prev_hash = GENESIS.to_string();
    let mut prev_time: Option<DateTime<Utc>> = None;
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        let line_no = i + 1;
        let at = format!("custody.jsonl line {line_no}");
        let line_hash = sha256_hex(line);
        let expected_prev = std::mem::replace(&mut prev_hash, line_hash.clone());
        let value: Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(e) => {
                rep.problems.push((at, format!("not valid JSON ({e})")));
                continue;
            }
        };
        match canonical(&value) {
            Ok(c) if c == line => {}
            _ => rep.problems.push((
                at.clone(),
                "not in canonical form: the line was edited".into(),
            )),
        }
        let Some(obj) = value.as_object() else {
            rep.problems.push((at, "not a JSON object".into()));
            continue;
        };
        let s = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        if s("format") != FORMAT {
            rep.problems
                .push((at.clone(), format!("unknown format '{}'", s("format"))));
        }
        let seq = obj.get("seq").and_then(Value::as_u64).unwrap_or(0);
        if seq != line_no as u64 {
            rep.problems.push((
                at.clone(),
                format!("sequence number is {seq}, expected {line_no}: entries were removed, inserted or reordered"),
            ));
        }
        if s("prev") != expected_prev {
            rep.problems.push((
                at.clone(),
                format!(
                    "broken link: prev is {}, but the previous line hashes to {}: the entry before it was changed, removed or reordered",
                    short(&s("prev")),
                    short(&expected_prev)
                ),
            ));
        }
        let action = s("action");
        if Action::parse(&action).is_none() {
            rep.problems
                .push((at.clone(), format!("unknown action '{action}'")));
        }
        if line_no == 1 && action != Action::Created.as_str() {
            rep.problems.push((
                at.clone(),
                "the first entry must be 'created': the start of the log is missing".into(),
            ));
        }
        let actor = obj.get("actor").and_then(Value::as_object);
        let astr = |k: &str| {
            actor
                .and_then(|a| a.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let actor_key = astr("key").unwrap_or_default();
        let time_text = s("time");
        let time = crate::time::parse(&time_text);
        match (time, prev_time) {
            (None, _) => rep
                .problems
                .push((at.clone(), format!("time '{time_text}' is not RFC 3339"))),
            (Some(t), Some(p)) if t < p => {
                let back = (p - t).num_seconds();
                let msg = format!(
                    "time goes back {back} s from the previous entry (clock skew between machines?)"
                );
                if back > SKEW_TOLERANCE_SECS {
                    rep.problems.push((
                        at.clone(),
                        format!("{msg}, beyond the {SKEW_TOLERANCE_SECS} s tolerance"),
                    ));
                } else {
                    rep.warnings.push((at.clone(), msg));
                }
            }
            _ => {}
        }
        if time.is_some() {
            prev_time = time;
        }
        // Signature over the canonical entry without `signature`.
        let sig_b64 = s("signature");
        let signature = base64::engine::general_purpose::STANDARD
            .decode(sig_b64.as_bytes())
            .unwrap_or_default();
        let mut unsigned = obj.clone();
        unsigned.remove("signature");
        let signature_ok = match keys.get(&actor_key) {
            None => {
                rep.problems.push((
                    at.clone(),
                    format!("signed by {actor_key}, whose public key is not in the bundle (keys/)"),
                ));
                false
            }
            Some(vk) => {
                let ok = canonical(&Value::Object(unsigned))
                    .map(|m| keys::verify_raw(vk, &m, &signature))
                    .unwrap_or(false);
                if !ok {
                    rep.problems.push((
                        at.clone(),
                        format!("signature does not verify with the key of its actor {actor_key}: the entry was edited or re-signed"),
                    ));
                }
                ok
            }
        };
        let content = obj.get("content").and_then(Value::as_object);
        rep.entries.push(Entry {
            line_no,
            seq,
            time,
            time_text,
            clock: s("clock"),
            action,
            actor_key,
            actor_name: astr("name").unwrap_or_default(),
            actor_role: astr("role"),
            actor_org: astr("organisation"),
            note: obj.get("note").and_then(Value::as_str).map(str::to_string),
            details: obj
                .get("details")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            content_digest: content
                .and_then(|c| c.get("digest"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            content_items: content
                .and_then(|c| c.get("items"))
                .and_then(Value::as_u64)
                .unwrap_or(0),
            line_sha256: line_hash,
            signature,
            signature_ok,
            raw: value.clone(),
        });
    }
    rep
}

/// The first 16 characters of a hash for messages. Counts characters, not bytes: the
/// value comes from the bundle and may hold any text (slicing at byte 16 could split one).
fn short(h: &str) -> String {
    match h.char_indices().nth(16) {
        Some((end, _)) => format!("{}…", &h[..end]),
        None => h.to_string(),
    }
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
            let action = if i == 0 {
                Action::Created
            } else {
                Action::Note
            };
            let t = Stamp {
                at: DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap(),
                clock: crate::time::Clock::Local,
            };
            let line = make_entry(
                prev.as_deref(),
                i as u64 + 1,
                &t,
                action,
                &actor,
                &k,
                None,
                Map::new(),
                (GENESIS, 0),
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
}
