//! Extracting a verified bundle into a working copy, safely.
//!
//! Only a bundle that verifies is extracted. Every member is written with
//! `create_new` under the target folder (never outside it, never over an existing
//! file), and its SHA-256 is checked again as it is written.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::bundle::layout;
use crate::bundle::reader::BundleReader;
use crate::error::{Error, IoContext, Result};
use crate::evidence::encryption::Identities;
use crate::evidence::hash::HashingWriter;
use crate::verify::{self, VerifyOptions};

/// What was extracted.
#[derive(Debug)]
pub struct Extracted {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// The target folder.
    pub dir: PathBuf,
}

/// Extract `bundle` (all of it, or one item) into `dir`, which must not exist or be empty.
///
/// In an encrypted bundle the item files are decrypted with `identities` (streaming,
/// each plaintext checked against the manifest's SHA-256) and written under their
/// manifest names (`original/0001.jpg`; `derived/private.json` maps them to the real
/// names). Without an identity an encrypted bundle is refused.
pub fn extract(
    bundle: &Path,
    dir: &Path,
    item: Option<&str>,
    identities: Option<&Identities>,
) -> Result<Extracted> {
    let rep = verify::verify(bundle, &VerifyOptions::default())?;
    if !rep.ok() {
        return Err(Error::not_verified(format!(
            "'{}' does not verify ({} problem(s)); refusing to extract a working copy from it",
            bundle.display(),
            rep.failures.len()
        ))
        .with_fix(format!(
            "run `sigillo verify {}` to see the problems",
            bundle.display()
        )));
    }
    if dir.exists() && fs::read_dir(dir).at("read", dir)?.next().is_some() {
        return Err(Error::input(format!("'{}' is not empty", dir.display()))
            .with_fix("extract into a new or empty folder"));
    }
    let prefix = match item {
        Some(want) => Some(layout::item_dir(&rep.state.find_item(want)?.id)),
        None => None,
    };
    // Encrypted members: bundle path → (plaintext path, size, SHA-256).
    let encrypted = rep.state.encrypted_files();
    if !encrypted.is_empty() && identities.is_none() {
        return Err(Error::key(format!(
            "'{}' is encrypted: its files can only be extracted with an identity of one of its recipients",
            bundle.display()
        ))
        .with_fix("give --identity key.txt (or set $SIGILLO_IDENTITY); `sigillo verify` shows who the recipients are"));
    }
    fs::create_dir_all(dir).at("create", dir)?;
    let reader = BundleReader::open(bundle)?;
    let mut out = Extracted {
        files: 0,
        bytes: 0,
        dir: dir.to_path_buf(),
    };
    for m in &reader.members {
        if let Some(p) = &prefix
            && !m.name.starts_with(p.as_str())
        {
            continue;
        }
        if let (Some((plain_name, size, sha256)), Some(ids)) = (encrypted.get(&m.name), identities)
        {
            // verify refuses unsafe names; checked again where the path is made.
            layout::check_safe_path(plain_name).map_err(|why| {
                Error::not_verified(format!("'{plain_name}' is not a safe name ({why})"))
                    .with_fix("the bundle was crafted; keep it as evidence and do not extract it")
            })?;
            let dest = dir.join(plain_name);
            let d = write_new(&dest, |hw| {
                reader.with_reader(m, |r| {
                    let mut plain = ids.decrypt(std::io::Read::take(r, m.size))?;
                    std::io::copy(&mut plain, hw)
                })
            })?;
            if d.sha256 != *sha256 || d.size != *size {
                let _ = fs::remove_file(&dest);
                return Err(Error::not_verified(format!(
                    "'{}' decrypted to other bytes than the manifest lists (SHA-256 {}, expected {sha256})",
                    m.name, d.sha256
                ))
                .with_fix("the bundle was altered by someone who can encrypt to its recipients; keep it as evidence and extract from another copy"));
            }
            out.files += 1;
            out.bytes += d.size;
            continue;
        }
        // Names were checked safe by the reader: relative, no `..`, no backslashes.
        let dest = dir.join(&m.name);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).at("create", parent)?;
        }
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&dest)
            .at("create", &dest)?;
        let mut hw = HashingWriter::new(f);
        reader
            .with_reader(m, |r| {
                std::io::copy(&mut std::io::Read::take(r, m.size), &mut hw)
            })
            .at("write", &dest)?;
        let (d, mut f) = hw.finish();
        f.flush().at("write", &dest)?;
        if rep.state.member_sha256(&m.name)? != d.sha256 {
            return Err(Error::not_verified(format!("'{}' changed while it was extracted", m.name))
                .with_fix("the bundle file is being modified or the disk is failing; extract again from a safe copy"));
        }
        out.files += 1;
        out.bytes += d.size;
    }
    Ok(out)
}

/// Create `dest` (never over an existing file), fill it through `fill` while hashing.
fn write_new(
    dest: &Path,
    fill: impl FnOnce(&mut HashingWriter<fs::File>) -> std::io::Result<u64>,
) -> Result<crate::evidence::hash::Digest256> {
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent).at("create", parent)?;
    }
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)
        .at("create", dest)?;
    let mut hw = HashingWriter::new(f);
    if let Err(e) = fill(&mut hw) {
        let _ = fs::remove_file(dest);
        return Err(Error::io("write", dest, e));
    }
    let (d, mut f) = hw.finish();
    f.flush().at("write", dest)?;
    Ok(d)
}
