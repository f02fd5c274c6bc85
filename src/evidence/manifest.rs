//! The item manifest (`sigillo-item/1`): the signed description of one acquisition.
//!
//! [`Manifest`] is the one type that writes and reads `manifest.json`. Its bytes are
//! canonical JSON (RFC 8785, via serde_jcs), so the same facts always give the same bytes,
//! and the Ed25519 signature in `manifest.sig` covers exactly those bytes. Reading is
//! strict: the bytes must be canonical *and* must be exactly what this type would write
//! ([`Manifest::parse`] re-serialises and compares), so an unknown, misspelt or retyped
//! field is named instead of silently ignored. Numbers are integers (sizes, counts).
//! The format is specified in `docs/bundle-format.md`; its JSON Schema is generated from
//! these types (`docs/schemas/manifest.schema.json`).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::time::{Clock, Stamp};

/// The manifest format identifier this version writes and reads.
pub const FORMAT: &str = "sigillo-item/1";

/// What kind of source an item was acquired from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// Files and folders, byte for byte.
    Files,
    /// A web page captured with headless Chromium.
    Web,
    /// A chat export (WhatsApp, Telegram …).
    Chat,
    /// A later load of a captured URL, compared with the item it re-checks
    /// (`sigillo recheck`; the manifest's `rechecks` names that item).
    Recheck,
}

impl ItemKind {
    /// The name written in manifests and item folder names.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Files => "files",
            ItemKind::Web => "web",
            ItemKind::Chat => "chat",
            ItemKind::Recheck => "recheck",
        }
    }
}

impl std::fmt::Display for ItemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a file is evidence as received or something sigillo made from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileRole {
    /// Bytes as received or as produced by the acquisition instrument, unchanged.
    Original,
    /// Made by sigillo from other files of the same item (`derived_from`).
    Derived,
}

impl FileRole {
    /// The name written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            FileRole::Original => "original",
            FileRole::Derived => "derived",
        }
    }
}

impl std::fmt::Display for FileRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a file came from. Every field is optional; only what is known is written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Source {
    /// The path as the user gave it (files, chat exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_as_given: Option<String>,
    /// The file's own name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The file's modification time (RFC 3339 UTC) as the file system reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtime: Option<String>,
    /// The URL the bytes were received from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The origin (scheme://host:port) a TLS certificate chain was presented by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Source {
    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Source::default()
    }
}

/// Facts about a decoded image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ImageFacts {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Decoded format (`png`, `jpeg` …).
    pub format: String,
    /// PDQ perceptual hash, 64 hex digits.
    pub pdq: String,
    /// PDQ quality on the reference's 0–100 scale.
    pub pdq_quality: u32,
    /// EXIF orientation (1–8), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<u32>,
}

/// Media facts merged into a file entry (MD5, image facts, decoding problems).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaFacts {
    /// MD5 (hex), for media files.
    pub md5: Option<String>,
    /// Image facts, when the image decoded.
    pub image: Option<ImageFacts>,
    /// Why the media file could not be (fully) read.
    pub media_error: Option<String>,
}

/// One file of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FileEntry {
    /// Item-relative path, `/`-separated (`original/photo.jpg`).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the stored bytes, lowercase hex.
    pub sha256: String,
    /// IANA media type.
    pub media_type: String,
    /// Original or derived.
    pub role: FileRole,
    /// For derived files: the item-relative paths they were made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<Vec<String>>,
    /// A short human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// MD5 (hex), for media files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// Image facts, for images that decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageFacts>,
    /// Why a media file could not be (fully) decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_error: Option<String>,
    /// In an encrypted item: the age file that holds this file's bytes. `size` and
    /// `sha256` above are then those of the plaintext.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<EncryptedMember>,
}

/// The stored, encrypted form of a file (`docs/encryption.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EncryptedMember {
    /// Item-relative path of the age file (`original/0001.jpg.age`).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lowercase hex (what SHA256SUMS lists).
    pub sha256: String,
}

/// How an item is encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// `age` (age-encryption.org/v1 files, one per item file).
    pub scheme: String,
    /// The recipients every file is encrypted to (`age1…`, `ssh-ed25519 …`).
    pub recipients: Vec<String>,
    /// Item-relative path (in `files`) of the encrypted private part
    /// (`sigillo-private/1`): the real file names and provenance, input, facts,
    /// transformations and warnings.
    pub private: String,
    /// With `--encrypt-passphrase`: the age identity of one of the recipients, itself
    /// encrypted with the passphrase (an ASCII-armored age file; `age -d -i` opens it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase_identity: Option<String>,
}

impl FileEntry {
    /// The member that stores this file: (item-relative path, size, SHA-256) — the age
    /// file for an encrypted item, else the file itself.
    pub fn stored(&self) -> (&str, u64, &str) {
        match &self.encrypted {
            Some(e) => (&e.path, e.size, &e.sha256),
            None => (&self.path, self.size, &self.sha256),
        }
    }

    /// The paths this file derives from (empty for originals).
    pub fn sources(&self) -> &[String] {
        self.derived_from.as_deref().unwrap_or(&[])
    }

    /// The URL the file was received from, if any.
    pub fn source_url(&self) -> Option<&str> {
        self.source.as_ref().and_then(|s| s.url.as_deref())
    }
}

/// Who sealed the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Operator {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `SHA256:…` fingerprint of the signing key.
    pub key: String,
}

/// Start and end of the acquisition, by the named clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Acquired {
    /// Start, RFC 3339 UTC with milliseconds.
    #[serde(with = "crate::time::rfc3339_millis")]
    #[schemars(with = "String")]
    pub started: DateTime<Utc>,
    /// End, RFC 3339 UTC with milliseconds.
    #[serde(with = "crate::time::rfc3339_millis")]
    #[schemars(with = "String")]
    pub finished: DateTime<Utc>,
    /// The clock both times were read from.
    pub clock: Clock,
}

/// When the manifest was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Sealed {
    /// RFC 3339 UTC with milliseconds.
    #[serde(with = "crate::time::rfc3339_millis")]
    #[schemars(with = "String")]
    pub at: DateTime<Utc>,
    /// The clock it was read from.
    pub clock: Clock,
}

/// The tool that sealed the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    /// `sigillo`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// SHA-256 of the running executable, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executable_sha256: Option<String>,
}

/// The machine that sealed the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Host {
    /// Operating system family (`linux`, `macos`, `windows`).
    pub os: String,
    /// CPU architecture.
    pub arch: String,
    /// `PRETTY_NAME` of /etc/os-release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_release: Option<String>,
    /// Kernel release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    /// Host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// The page a web item was reached from by following its "next page" link
/// (`capture --follow-next`, `docs/web-capture.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Follows {
    /// Id of the item (the previous page) whose next-page link was followed.
    pub item: String,
    /// Id of the thread's first page (equal to `item` for the second page).
    pub first_item: String,
    /// The link followed: an absolute URL, as found in that item's `original/dom.html`
    /// (and equal to this item's `input.url`).
    pub link: String,
    /// How the link was found there: `link rel=next`, `a rel=next` or
    /// `link text "…"` (one of the phrases of `docs/web-capture.md`).
    pub found_by: String,
}

/// The signed description of one item (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "sigillo item manifest (sigillo-item/1)")]
pub struct Manifest {
    /// Format identifier: `sigillo-item/1`.
    pub format: String,
    /// Item id, equal to the item folder name (`0001-web-example-com`).
    pub id: String,
    /// 1-based position of the item in the bundle.
    pub seq: u64,
    /// Item kind.
    pub kind: ItemKind,
    /// Case id (equal for every item of a bundle).
    pub case: String,
    /// Who sealed it.
    pub operator: Operator,
    /// When it was acquired.
    pub acquired: Acquired,
    /// When the manifest was written.
    pub sealed: Sealed,
    /// The tool.
    pub tool: Tool,
    /// The machine.
    pub host: Host,
    /// The operator's free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a `recheck` item: the id of the earlier item whose URL it loaded again
    /// (present exactly when `kind` is `recheck`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rechecks: Option<String>,
    /// For a later page of a thread captured with `--follow-next`: the page it was reached
    /// from, and the thread's first page (both earlier web items of the bundle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<Follows>,
    /// What the user asked for (kind-specific: `paths`, `url`, `export` …).
    pub input: Map<String, Value>,
    /// Kind-specific facts (network facts for web, an export summary for chats).
    pub facts: Map<String, Value>,
    /// Every transformation the acquisition applied.
    pub transformations: Vec<String>,
    /// Things the user should know that did not stop the acquisition.
    pub warnings: Vec<String>,
    /// The files, in bundle order.
    pub files: Vec<FileEntry>,
    /// Present when the item's files are encrypted (their names, provenance and the
    /// kind-specific input and facts are then in the encrypted private part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
}

impl Manifest {
    /// The canonical bytes of this manifest (what `manifest.sig` signs).
    pub fn to_canonical(&self) -> Result<Vec<u8>> {
        canonical(self)
    }

    /// Parse manifest bytes strictly: valid JSON, canonical, of the known format, and
    /// exactly what [`Manifest`] writes (no unknown, missing or retyped field).
    pub fn parse(bytes: &[u8]) -> std::result::Result<Manifest, String> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON ({e})"))?;
        if let Some(f) = value.get("format").and_then(Value::as_str)
            && f != FORMAT
        {
            return Err(format!(
                "unknown format '{}' (this sigillo reads {FORMAT})",
                crate::text::clip(f, 64)
            ));
        }
        let m: Manifest = serde_json::from_value(value.clone())
            .map_err(|e| format!("missing or malformed field ({e})"))?;
        if m.format != FORMAT {
            return Err(format!("unknown format (this sigillo reads {FORMAT})"));
        }
        let canon = canonical(&value).map_err(|e| e.to_string())?;
        if canon != bytes {
            return Err(
                "not in canonical form (RFC 8785): it was edited or written by another tool".into(),
            );
        }
        let again = canonical(&m).map_err(|e| e.to_string())?;
        if again != bytes {
            return Err(format!(
                "holds fields this version of sigillo does not write ({}): it was edited or written by another tool",
                extra_fields(&value, &serde_json::to_value(&m).unwrap_or(Value::Null))
            ));
        }
        Ok(m)
    }

    /// The file entry at an item-relative path.
    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Name the first place where `got` (as read) differs from `typed` (as re-written).
fn extra_fields(got: &Value, typed: &Value) -> String {
    fn walk(a: &Value, b: &Value, at: &str) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    let here = format!("{at}.{}", crate::text::clip(k, 40));
                    match y.get(k) {
                        None => return Some(here),
                        Some(w) => {
                            if let Some(p) = walk(v, w, &here) {
                                return Some(p);
                            }
                        }
                    }
                }
                None
            }
            (Value::Array(x), Value::Array(y)) => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (v, w))| walk(v, w, &format!("{at}[{i}]"))),
            _ if a != b => Some(at.to_string()),
            _ => None,
        }
    }
    walk(got, typed, "").map_or_else(|| "in their form".into(), |p| format!("at '{p}'"))
}

/// Canonical JSON bytes (RFC 8785) of any serialisable value.
pub fn canonical<T: Serialize + ?Sized>(v: &T) -> Result<Vec<u8>> {
    serde_jcs::to_vec(v).map_err(|e| Error::internal(format!("could not canonicalise JSON: {e}")))
}

/// Facts about this machine that every manifest records.
pub fn host_facts() -> Host {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    Host {
        os: std::env::consts::OS.to_string(),
        arch: std::env::consts::ARCH.to_string(),
        os_release: std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim_matches('"').to_string())
            }),
        kernel: read("/proc/sys/kernel/osrelease"),
        hostname: read("/proc/sys/kernel/hostname"),
    }
}

/// The tool's identity: name, version and the SHA-256 of the running executable.
pub fn tool_facts() -> Tool {
    Tool {
        name: crate::TOOL_NAME.to_string(),
        version: crate::TOOL_VERSION.to_string(),
        executable_sha256: executable_sha256(),
    }
}

/// The SHA-256 of the running executable, computed once per process (hashing the
/// ~30 MB binary takes about 20 ms: a batch would pay it for every item).
fn executable_sha256() -> Option<String> {
    static HASH: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        // /proc/self/exe on Linux: the file that was started, even if replaced since.
        std::env::current_exe()
            .ok()
            .and_then(|p| crate::evidence::hash::sha256_file(&p).ok())
            .map(|d| d.sha256)
    })
    .clone()
}

/// Start hashing the running executable on a thread of its own, so that sealing finds it
/// done (a capture calls this as it starts; sealing waits for it if it is not done).
pub fn hash_executable_ahead() {
    let _ = std::thread::Builder::new()
        .name("sigillo-exe-hash".into())
        .spawn(executable_sha256);
}

impl Acquired {
    /// From the acquisition's start and end stamps (the clock of the start is recorded).
    pub fn new(started: &Stamp, finished: &Stamp) -> Self {
        Acquired {
            started: started.at,
            finished: finished.at,
            clock: started.clock,
        }
    }
}

impl Sealed {
    /// From a stamp.
    pub fn new(at: &Stamp) -> Self {
        Sealed {
            at: at.at,
            clock: at.clock,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Manifest {
        let t = Stamp {
            at: DateTime::from_timestamp(1_700_000_000, 123_000_000).unwrap(),
            clock: Clock::Override,
        };
        Manifest {
            format: FORMAT.into(),
            id: "0001-files-a".into(),
            seq: 1,
            kind: ItemKind::Files,
            case: "C".into(),
            operator: Operator {
                name: Some("A".into()),
                key: "SHA256:x".into(),
            },
            acquired: Acquired::new(&t, &t),
            sealed: Sealed::new(&t),
            tool: tool_facts(),
            host: host_facts(),
            note: None,
            rechecks: None,
            follows: None,
            input: Map::new(),
            facts: Map::new(),
            transformations: vec![],
            warnings: vec![],
            encryption: None,
            files: vec![FileEntry {
                path: "original/a.txt".into(),
                size: 1,
                sha256: "00".into(),
                media_type: "text/plain".into(),
                role: FileRole::Original,
                derived_from: None,
                description: None,
                source: Some(Source {
                    name: Some("a.txt".into()),
                    ..Default::default()
                }),
                md5: None,
                image: None,
                media_error: None,
                encrypted: None,
            }],
        }
    }

    #[test]
    fn round_trip_is_exact() {
        let m = sample();
        let b = m.to_canonical().unwrap();
        assert_eq!(Manifest::parse(&b).unwrap(), m);
        assert!(String::from_utf8_lossy(&b).contains("\"finished\":\"2023-11-14T22:13:20.123Z\""));
    }

    #[test]
    fn canonical_sorts_keys_and_rejects_edits() {
        let v = json!({"b": 1, "a": "x"});
        assert_eq!(canonical(&v).unwrap(), br#"{"a":"x","b":1}"#);
        assert!(Manifest::parse(b"{").unwrap_err().contains("JSON"));
        let mut v = serde_json::to_value(sample()).unwrap();
        v["files"][0]["sha265"] = json!("typo");
        let e = Manifest::parse(&canonical(&v).unwrap()).unwrap_err();
        assert!(e.contains("files[0].sha265"), "{e}");
        let mut v = serde_json::to_value(sample()).unwrap();
        v["acquired"]["finished"] = json!("2023-11-14T22:13:20Z");
        let e = Manifest::parse(&canonical(&v).unwrap()).unwrap_err();
        assert!(e.contains("acquired.finished"), "{e}");
        let mut v = serde_json::to_value(sample()).unwrap();
        v["seq"] = json!("ééé");
        assert!(Manifest::parse(&canonical(&v).unwrap()).is_err());
    }
}
