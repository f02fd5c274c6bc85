//! What a bundle holds once it has been read and checked: its items, custody log, keys
//! and member hashes. The bundle owns this state; `verify` fills it, `seal` extends it.

use std::collections::BTreeMap;

use ed25519_dalek::VerifyingKey;

use crate::error::{Error, Result};
use crate::evidence::custody;
use crate::evidence::manifest::Manifest;

/// A parsed, checked item.
#[derive(Debug, Clone)]
pub struct ItemState {
    /// Item id (folder name).
    pub id: String,
    /// Parsed manifest.
    pub manifest: Manifest,
    /// SHA-256 of manifest.json.
    pub manifest_sha256: String,
}

impl ItemState {
    /// Whether `want` names this item: its full id, its number with the leading zeros
    /// (`0002`, the id up to the first `-`) or without (`2`).
    pub fn is_named(&self, want: &str) -> bool {
        self.id == want
            || self
                .id
                .strip_prefix(want)
                .is_some_and(|rest| rest.starts_with('-'))
            || self.manifest.seq.to_string() == want
    }
}

/// Everything verification learned about the bundle, reused when appending to it.
#[derive(Debug, Default, Clone)]
pub struct BundleState {
    /// Items in sequence.
    pub items: Vec<ItemState>,
    /// Bytes of custody.jsonl.
    pub custody_bytes: Vec<u8>,
    /// Parsed custody entries.
    pub custody: Vec<custody::Entry>,
    /// Public keys stored in the bundle, by fingerprint.
    pub keys: BTreeMap<String, VerifyingKey>,
    /// Case id (from the `created` entry).
    pub case_id: String,
    /// SHA-256 of every member that could be read in full, by name.
    pub hashes: BTreeMap<String, String>,
}

impl BundleState {
    /// Content digest over the items, as custody entries record it.
    pub fn content_digest(&self) -> String {
        custody::content_digest(&self.item_digests(self.items.len()))
    }

    /// (id, manifest SHA-256) of the first `n` items.
    pub fn item_digests(&self, n: usize) -> Vec<(String, String)> {
        self.items
            .iter()
            .take(n)
            .map(|i| (i.id.clone(), i.manifest_sha256.clone()))
            .collect()
    }

    /// The item `want` names (full id, number such as `0002` or `2`), or an error that
    /// says how to list the items.
    pub fn find_item(&self, want: &str) -> Result<&ItemState> {
        self.items.iter().find(|i| i.is_named(want)).ok_or_else(|| {
            Error::input(format!(
                "no item '{}' in the bundle",
                crate::text::clip(want, 80)
            ))
            .with_fix("list the items with `sigillo ls`")
        })
    }

    /// The stored SHA-256 of member `name`; an error (never an empty hash) when the
    /// member was not read in full, so no blank hash can reach SHA256SUMS.
    pub fn member_sha256(&self, name: &str) -> Result<String> {
        self.hashes.get(name).cloned().ok_or_else(|| {
            Error::internal(format!(
                "no SHA-256 is known for '{}': it was not read in full",
                crate::text::clip(name, 200)
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_hash_is_an_error_not_a_blank() {
        let st = BundleState::default();
        assert!(st.member_sha256("items/x").is_err());
        assert!(st.find_item("1").is_err());
    }
}
