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
pub fn extract(bundle: &Path, dir: &Path, item: Option<&str>) -> Result<Extracted> {
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
