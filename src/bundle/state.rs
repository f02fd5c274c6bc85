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
    /// How each of the manifest's files is stored now, in manifest order.
    pub stored: Vec<Stored>,
    /// Who can open the item's files, when they are stored encrypted (else empty).
    pub recipients: Vec<String>,
}

/// How one of an item's files is stored in the bundle now: as sealed (plain, or the age
/// file the manifest lists), or as a later `encrypted`/`decrypted` custody entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Item-relative path of the member (`original/photo.jpg`, `original/0001.jpg.age`).
    pub path: String,
    /// Its size.
    pub size: u64,
    /// Its SHA-256.
    pub sha256: String,
    /// Whether the member is an age file (else the plaintext the manifest hashes).
    pub encrypted: bool,
    /// The custody.jsonl line that lists its size and hash (`None`: the manifest does).
    pub listed_in: Option<usize>,
}

/// A custody entry that changed how the files of the items present then are stored.
#[derive(Debug, Clone)]
pub enum Conversion {
    /// `encrypted`: every file is now `<path>.age`, with the hashes listed.
    Encrypted {
        /// custody.jsonl line.
        line: usize,
        /// Items present then (1 ..= items).
        items: u64,
        /// Recipients.
        recipients: Vec<String>,
        /// Bundle path → (size, SHA-256) of each encrypted member.
        files: BTreeMap<String, (u64, String)>,
        /// The passphrase-encrypted identity, with `--encrypt-passphrase`.
        passphrase_identity: Option<String>,
    },
    /// `decrypted`: every file is now the plaintext under its manifest path.
    Decrypted {
        /// custody.jsonl line.
        line: usize,
        /// Items present then.
        items: u64,
    },
}

impl Conversion {
    /// The conversions recorded in a custody log, in order.
    pub fn from_entries(entries: &[custody::Entry]) -> Vec<Conversion> {
        entries
            .iter()
            .filter_map(|e| match &e.record.event {
                custody::Event::Encrypted(d) => Some(Conversion::Encrypted {
                    line: e.line_no,
                    items: e.record.content.items,
                    recipients: d.recipients.clone(),
                    files: d
                        .files
                        .iter()
                        .map(|f| (f.member.clone(), (f.size, f.sha256.clone())))
                        .collect(),
                    passphrase_identity: d.passphrase_identity.clone(),
                }),
                custody::Event::Decrypted(_) => Some(Conversion::Decrypted {
                    line: e.line_no,
                    items: e.record.content.items,
                }),
                _ => None,
            })
            .collect()
    }

    fn items(&self) -> u64 {
        match self {
            Conversion::Encrypted { items, .. } | Conversion::Decrypted { items, .. } => *items,
        }
    }

    /// The conversion that governs item number `seq`: the last one made while it was
    /// in the bundle.
    pub fn governing(list: &[Conversion], seq: u64) -> Option<&Conversion> {
        list.iter().rev().find(|c| c.items() >= seq)
    }

    /// How the files of item `id` (with `manifest`) are stored under this conversion,
    /// or under none; with the recipients of its encrypted files. An error names a file
    /// an `encrypted` entry does not list.
    pub fn storage(
        conv: Option<&Conversion>,
        id: &str,
        manifest: &Manifest,
    ) -> std::result::Result<(Vec<Stored>, Vec<String>), String> {
        let sealed = |f: &crate::evidence::manifest::FileEntry| {
            let (path, size, sha256) = f.stored();
            Stored {
                path: path.to_string(),
                size,
                sha256: sha256.to_string(),
                encrypted: f.encrypted.is_some(),
                listed_in: None,
            }
        };
        match conv {
            None => Ok((
                manifest.files.iter().map(sealed).collect(),
                manifest
                    .encryption
                    .as_ref()
                    .map(|e| e.recipients.clone())
                    .unwrap_or_default(),
            )),
            Some(Conversion::Decrypted { .. }) => Ok((
                manifest
                    .files
                    .iter()
                    .map(|f| Stored {
                        path: f.path.clone(),
                        size: f.size,
                        sha256: f.sha256.clone(),
                        encrypted: false,
                        listed_in: None,
                    })
                    .collect(),
                Vec::new(),
            )),
            Some(Conversion::Encrypted {
                line,
                recipients,
                files,
                ..
            }) => {
                let mut out = Vec::with_capacity(manifest.files.len());
                for f in &manifest.files {
                    let path = format!("{}{}", f.path, crate::evidence::encryption::SUFFIX);
                    let member = crate::bundle::layout::item_member(id, &path);
                    let Some((size, sha256)) = files.get(&member) else {
                        return Err(format!(
                            "custody.jsonl line {line} (encrypted) does not list the encrypted member '{}'",
                            crate::text::clip(&member, 1100)
                        ));
                    };
                    out.push(Stored {
                        path,
                        size: *size,
                        sha256: sha256.clone(),
                        encrypted: true,
                        listed_in: Some(*line),
                    });
                }
                Ok((out, recipients.clone()))
            }
        }
    }
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
    /// The `encrypted`/`decrypted` custody entries, in order.
    pub conversions: Vec<Conversion>,
}

impl BundleState {
    /// Every file stored encrypted now, keyed by its age member's bundle path: the
    /// bundle path of its plaintext, with the plaintext's size and SHA-256 (from the
    /// signed manifest).
    pub fn encrypted_files(&self) -> BTreeMap<String, (String, u64, String)> {
        let mut out = BTreeMap::new();
        for it in &self.items {
            for (f, s) in it.manifest.files.iter().zip(&it.stored) {
                if s.encrypted {
                    out.insert(
                        crate::bundle::layout::item_member(&it.id, &s.path),
                        (
                            crate::bundle::layout::item_member(&it.id, &f.path),
                            f.size,
                            f.sha256.clone(),
                        ),
                    );
                }
            }
        }
        out
    }

    /// The passphrase-encrypted identity that opens the bundle's encrypted files, if
    /// they were encrypted with `--encrypt-passphrase` (the newest one recorded).
    pub fn passphrase_identity(&self) -> Option<String> {
        let last = self.items.last()?;
        match Conversion::governing(&self.conversions, last.manifest.seq) {
            Some(Conversion::Encrypted {
                passphrase_identity,
                ..
            }) => passphrase_identity.clone(),
            Some(Conversion::Decrypted { .. }) => None,
            None => last
                .manifest
                .encryption
                .as_ref()
                .and_then(|e| e.passphrase_identity.clone()),
        }
    }

    /// Whether any item's files are stored encrypted now.
    pub fn is_encrypted(&self) -> bool {
        self.items.iter().any(|i| !i.recipients.is_empty())
    }

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
