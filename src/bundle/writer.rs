//! Writing a bundle atomically and reproducibly.
//!
//! A new bundle is written to a temporary file beside the target, fsynced, and
//! renamed over the target only when complete: a crash or error mid-write leaves the
//! old bundle (or nothing), never a half-written one. Entries get fixed metadata
//! (modification time passed in by the caller, mode 0644) and a compression method
//! chosen from the media type, so the same inputs give the same bytes.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Timelike, Utc};
use tempfile::NamedTempFile;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::bundle::reader::BundleReader;
use crate::error::{Error, IoContext, Result};
use crate::evidence::hash::{CHUNK, Digest256, HashingWriter};

/// Zip64 is switched on for entries at or above this size.
const LARGE: u64 = 0xFFFF_0000;
/// Members at least this large are deflated at level 1 (fastest) instead of the default
/// 6: for big text (a chat transcript of a million messages is ~650 MB) level 6 costs
/// about twice the time for a ~25% smaller member. Smaller members are written as before.
const FAST_DEFLATE: u64 = 32 << 20;

/// A bundle being written.
pub struct BundleWriter {
    zip: ZipWriter<File>,
    tmp: tempfile::TempPath,
    target: PathBuf,
}

/// Whether content of this media type is already compressed (store it as is).
pub fn is_precompressed(media_type: &str, name: &str) -> bool {
    let mt = media_type.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    mt.starts_with("image/") && mt != "image/svg+xml" && mt != "image/bmp" && mt != "image/tiff"
        || mt.starts_with("video/")
        || mt.starts_with("audio/")
        || matches!(
            mt.as_str(),
            "application/zip"
                | "application/gzip"
                | "application/x-gzip"
                | "application/pdf"
                | "application/wacz"
        )
        || [
            ".gz", ".zip", ".wacz", ".jpg", ".jpeg", ".png", ".webp", ".mp4", ".tsr", ".sig",
        ]
        .iter()
        .any(|e| name.ends_with(e))
}

fn zip_time(t: &DateTime<Utc>) -> zip::DateTime {
    let clamp = |y: i32| y.clamp(1980, 2107);
    zip::DateTime::from_date_and_time(
        clamp(t.year()) as u16,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
    .unwrap_or_default()
}

/// Prefix of the temporary file a bundle is written to, beside the bundle.
const TMP_PREFIX: &str = ".sigillo-tmp-";

/// Remove temporary bundle files left in `dir` by a sigillo that was killed mid-write.
///
/// Call only while holding the folder's lock: every writer holds it for as long as its
/// temporary file exists, so any such file found then belongs to a dead process. Those
/// files are partial plaintext copies of evidence; they must not linger. Returns how
/// many were removed.
pub fn remove_orphans(dir: &Path) -> Result<usize> {
    let mut n = 0;
    let entries = std::fs::read_dir(dir).at("list the bundle's folder", dir)?;
    for e in entries.flatten() {
        let is_ours = e.file_name().to_string_lossy().starts_with(TMP_PREFIX);
        if is_ours && e.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(e.path()).at("remove the stale temporary file", &e.path())?;
            n += 1;
        }
    }
    Ok(n)
}

impl BundleWriter {
    /// Start writing a bundle that will replace (or create) `target`.
    pub fn create(target: &Path) -> Result<BundleWriter> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(Error::input(format!(
                "the folder '{}' for the bundle does not exist",
                dir.display()
            ))
            .with_fix("create the folder first, or choose another -o path"));
        }
        let tmp = NamedTempFile::with_prefix_in(TMP_PREFIX, &dir)
            .at("create a temporary file in", &dir)?;
        let (file, tmp) = tmp.into_parts();
        Ok(BundleWriter {
            zip: ZipWriter::new(file),
            tmp,
            target: target.to_path_buf(),
        })
    }

    fn options(size: u64, compress: bool, mtime: &DateTime<Utc>) -> SimpleFileOptions {
        SimpleFileOptions::default()
            .compression_method(if compress {
                CompressionMethod::Deflated
            } else {
                CompressionMethod::Stored
            })
            .compression_level((compress && size >= FAST_DEFLATE).then_some(1))
            .last_modified_time(zip_time(mtime))
            .unix_permissions(0o644)
            .large_file(size >= LARGE)
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::input(format!(
            "could not write the bundle '{}': {e}",
            self.target.display()
        ))
        .with_fix("check free disk space and permissions on the bundle's folder")
    }

    /// Add an entry from bytes in memory.
    pub fn add_bytes(
        &mut self,
        name: &str,
        data: &[u8],
        compress: bool,
        mtime: &DateTime<Utc>,
    ) -> Result<()> {
        self.zip
            .start_file(name, Self::options(data.len() as u64, compress, mtime))
            .map_err(|e| self.err(e))?;
        self.zip.write_all(data).map_err(|e| self.err(e))
    }

    /// Add an entry streamed from `r` (declared `size`), hashing what is written.
    pub fn add_stream(
        &mut self,
        name: &str,
        r: &mut dyn Read,
        size: u64,
        compress: bool,
        mtime: &DateTime<Utc>,
    ) -> Result<Digest256> {
        self.zip
            .start_file(name, Self::options(size, compress, mtime))
            .map_err(|e| self.err(e))?;
        let mut hw = HashingWriter::new(&mut self.zip);
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Error::input(format!(
                        "could not read '{name}' while writing it: {e}"
                    )));
                }
            };
            hw.write_all(&buf[..n])
                .map_err(|e| Error::input(format!("could not write the bundle: {e}")))?;
        }
        Ok(hw.finish().0)
    }

    /// Write `plain` (about `plain_size` bytes) as an age file encrypted to
    /// `recipients`, stored uncompressed (ciphertext does not compress). Returns the
    /// plaintext's digest and the stored (encrypted) member's. The plaintext is never
    /// stored anywhere.
    pub fn add_encrypted(
        &mut self,
        name: &str,
        plain: &mut dyn Read,
        plain_size: u64,
        recipients: &crate::evidence::encryption::Recipients,
        mtime: &DateTime<Utc>,
    ) -> Result<(Digest256, Digest256)> {
        // age adds 16 bytes per 64 KiB chunk and a header of a few hundred bytes per
        // recipient; an over-estimate only decides whether ZIP64 sizes are used.
        let estimate = plain_size + plain_size / 4096 + 64 * 1024;
        self.zip
            .start_file(name, Self::options(estimate, false, mtime))
            .map_err(|e| self.err(e))?;
        let mut hw = HashingWriter::new(&mut self.zip);
        let plain_digest = crate::evidence::encryption::encrypt_stream(recipients, plain, &mut hw)
            .map_err(|e| {
                Error::input(format!("could not encrypt '{name}' into the bundle: {e}"))
            })?;
        Ok((plain_digest, hw.finish().0))
    }

    /// Copy a member of an existing bundle without touching its bytes.
    pub fn copy_raw(&mut self, from: &mut BundleReader, index: usize) -> Result<()> {
        let f = from
            .archive()
            .by_index_raw(index)
            .map_err(|e| self.err(e))?;
        self.zip.raw_copy_file(f).map_err(|e| self.err(e))
    }

    /// Finish the archive, fsync it, and rename it over the target.
    pub fn commit(self) -> Result<()> {
        let BundleWriter { zip, tmp, target } = self;
        let file = zip.finish().map_err(|e| {
            Error::input(format!(
                "could not finish the bundle '{}': {e}",
                target.display()
            ))
            .with_fix("check free disk space")
        })?;
        file.sync_all().at("sync", &tmp)?;
        drop(file);
        tmp.persist(&target)
            .map_err(|e| Error::io("rename the finished bundle to", &target, e.error))?;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }
}
