//! The item manifest: the signed description of one acquisition.
//!
//! `manifest.json` is canonical JSON (RFC 8785, via serde_jcs) so that the same facts
//! always give the same bytes, and the Ed25519 signature in `manifest.sig` covers
//! exactly those bytes. Numbers are integers (sizes, counts); everything else is a
//! string, object, array or boolean. The format is specified in
//! `docs/bundle-format.md`.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};

/// The manifest format identifier this version writes and reads.
pub const FORMAT: &str = "sigillo-item/1";

/// One file entry as read back from a manifest (the fields verification needs).
#[derive(Debug, Clone, Deserialize)]
pub struct FileEntry {
    /// Item-relative path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// `original` or `derived`.
    pub role: String,
    /// For derived files: item-relative paths they were made from.
    #[serde(default)]
    pub derived_from: Vec<String>,
    /// Media type.
    #[serde(default)]
    pub media_type: Option<String>,
}

/// The signer as named in a manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct Operator {
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// `SHA256:…` key fingerprint.
    pub key: String,
}

/// Start and end of the acquisition.
#[derive(Debug, Clone, Deserialize)]
pub struct Acquired {
    /// Start, RFC 3339 UTC.
    pub started: String,
    /// End, RFC 3339 UTC.
    pub finished: String,
    /// Clock source.
    pub clock: String,
}

/// The parts of a manifest that sigillo itself interprets.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// Format identifier ([`FORMAT`]).
    pub format: String,
    /// Item id, equal to the item folder name.
    pub id: String,
    /// 1-based position of the item in the bundle.
    pub seq: u64,
    /// Item kind.
    pub kind: String,
    /// Case id.
    pub case: String,
    /// Who sealed it.
    pub operator: Operator,
    /// When it was acquired.
    pub acquired: Acquired,
    /// The files.
    pub files: Vec<FileEntry>,
}

impl Manifest {
    /// Parse manifest bytes, insisting on valid, canonical JSON of the known format.
    pub fn parse(bytes: &[u8]) -> std::result::Result<(Manifest, Value), String> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON ({e})"))?;
        let canon = canonical(&value).map_err(|e| e.to_string())?;
        if canon != bytes {
            return Err(
                "not in canonical form (RFC 8785): it was edited or written by another tool".into(),
            );
        }
        let m: Manifest = serde_json::from_value(value.clone())
            .map_err(|e| format!("missing or malformed field ({e})"))?;
        if m.format != FORMAT {
            return Err(format!(
                "unknown format '{}' (this sigillo reads {FORMAT})",
                m.format
            ));
        }
        Ok((m, value))
    }
}

/// Canonical JSON bytes (RFC 8785).
pub fn canonical(v: &Value) -> Result<Vec<u8>> {
    serde_jcs::to_vec(v).map_err(|e| Error::internal(format!("could not canonicalise JSON: {e}")))
}

/// Facts about this machine and tool that every manifest records.
pub fn host_facts() -> Value {
    let mut host = Map::new();
    host.insert("os".into(), json!(std::env::consts::OS));
    host.insert("arch".into(), json!(std::env::consts::ARCH));
    if let Some(pretty) = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
    {
        host.insert("os_release".into(), json!(pretty));
    }
    if let Ok(k) = std::fs::read_to_string("/proc/sys/kernel/osrelease") {
        host.insert("kernel".into(), json!(k.trim()));
    }
    if let Ok(h) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        host.insert("hostname".into(), json!(h.trim()));
    }
    Value::Object(host)
}

/// The tool's identity: name, version and the SHA-256 of the running executable.
pub fn tool_facts() -> Value {
    let mut tool = Map::new();
    tool.insert("name".into(), json!(crate::TOOL_NAME));
    tool.insert("version".into(), json!(crate::TOOL_VERSION));
    if let Some(d) = std::env::current_exe()
        .ok()
        .and_then(|p| crate::evidence::hash::sha256_file(&p).ok())
    {
        tool.insert("executable_sha256".into(), json!(d.sha256));
    }
    Value::Object(tool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_sorts_keys_and_rejects_edits() {
        let v = json!({"b": 1, "a": "x"});
        assert_eq!(canonical(&v).unwrap(), br#"{"a":"x","b":1}"#);
        let e = Manifest::parse(br#"{"b":1,"a":"x"}"#).unwrap_err();
        assert!(e.contains("canonical"), "{e}");
        assert!(Manifest::parse(b"{").unwrap_err().contains("JSON"));
    }
}
