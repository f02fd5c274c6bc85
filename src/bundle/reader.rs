//! Reading a bundle defensively.
//!
//! The zip crate is lenient (it accepts junk before the archive, comments, odd
//! names). A bundle is evidence, so this reader is strict: it refuses prepended or
//! trailing data, archive comments, unsafe or duplicate names, symlinks, directory
//! entries, encryption, unknown compression methods and size declarations no
//! deflate stream can honour. It never extracts to disk and reads only small
//! metadata members into memory (capped); file contents are streamed.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use zip::{CompressionMethod, ZipArchive};

use crate::bundle::layout::{self, MAX_METADATA_BYTES};
use crate::error::{Error, IoContext, Result};
use crate::evidence::hash::{Digest256, sha256_reader};
use crate::progress::{Progress, Task};

/// Deflate cannot expand data more than ~1032:1; a header claiming more is lying.
const MAX_DEFLATE_RATIO: u64 = 1100;

/// A file handle that can be cloned cheaply, each clone with its own position
/// (positional reads), so that many threads can read one archive at once.
///
/// It may be a window of the file (`base`, `len`): the bundle inside an enveloping
/// `.p7m` is read in place, never copied out.
#[derive(Clone)]
pub struct SharedFile {
    file: Arc<File>,
    base: u64,
    pos: u64,
    len: u64,
}

impl SharedFile {
    fn window(file: File, base: u64, len: u64) -> Self {
        SharedFile {
            file: Arc::new(file),
            base,
            pos: 0,
            len,
        }
    }
}

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let left = self.len.saturating_sub(self.pos);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.base + self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let new = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before start",
            )),
        }
    }
}

/// One member of the archive, as listed in the central directory.
#[derive(Debug, Clone)]
pub struct Member {
    /// Index in the central directory.
    pub index: usize,
    /// Name (path inside the bundle).
    pub name: String,
    /// Declared uncompressed size.
    pub size: u64,
    /// Compressed size.
    pub compressed_size: u64,
    /// Stored or deflated.
    pub deflated: bool,
}

/// A structural problem with the archive itself.
#[derive(Debug, Clone)]
pub struct StructureProblem {
    /// Member name, or "(archive)".
    pub subject: String,
    /// What is wrong.
    pub message: String,
}

fn archive_len(a: &ZipArchive<SharedFile>) -> u64 {
    a.clone().into_inner().len
}

fn read_at(a: &ZipArchive<SharedFile>, pos: u64, buf: &mut [u8]) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let f = a.clone().into_inner();
    if pos.saturating_add(buf.len() as u64) > f.len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    f.file.read_exact_at(buf, f.base + pos)
}

/// An opened bundle.
pub struct BundleReader {
    path: PathBuf,
    /// When the file is an enveloping `.p7m`: where the bundle lies in it, and the signature.
    envelope: Option<super::p7m::Envelope>,
    archive: ZipArchive<SharedFile>,
    /// Members in archive order (only the ones that passed the safety checks).
    pub members: Vec<Member>,
    /// Problems found in the archive's structure (unsafe entries are listed here and left out of `members`).
    pub problems: Vec<StructureProblem>,
}

impl BundleReader {
    /// Open `path` and check the archive structure. Errors only when the file cannot be
    /// read as a ZIP at all; structural problems are collected in `problems`.
    ///
    /// An enveloping `.p7m` (`sigillo export --p7m`) is opened too: the bundle inside it
    /// is read in place, and [`envelope`](Self::envelope) says where it lies and holds the
    /// signature (which [`crate::verify`] checks).
    pub fn open(path: &Path) -> Result<BundleReader> {
        let envelope = if super::p7m::looks_enveloped(path) {
            Some(super::p7m::parse(path)?)
        } else {
            None
        };
        let mut archive = open_archive(path, envelope.as_ref())?;
        let mut problems = archive_problems(&archive);
        let mut members = Vec::new();
        let mut seen = HashSet::new();
        for i in 0..archive.len() {
            match check_member(&mut archive, i) {
                Ok(m) if !seen.insert(m.name.clone()) => problems.push(StructureProblem {
                    subject: m.name,
                    message: "duplicate entry name".into(),
                }),
                Ok(m) => members.push(m),
                Err(p) => problems.push(p),
            }
        }
        Ok(BundleReader {
            path: path.to_path_buf(),
            envelope,
            archive,
            members,
            problems,
        })
    }

    /// The bundle's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The enveloping signature, when the file is a `.p7m` holding the bundle.
    pub fn envelope(&self) -> Option<&super::p7m::Envelope> {
        self.envelope.as_ref()
    }

    /// The bundle's bytes from the first to the last (in a `.p7m`: the bundle inside it).
    pub fn whole(&self) -> impl Read + use<> {
        let mut f = self.archive.clone().into_inner();
        f.pos = 0;
        f
    }

    /// Find a member by name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// Read a small member fully (capped at [`MAX_METADATA_BYTES`]).
    pub fn read_small(&self, name: &str) -> Result<Vec<u8>> {
        let m = self
            .member(name)
            .ok_or_else(|| Error::not_verified(format!("'{name}' is missing from the bundle")))?;
        if m.size > MAX_METADATA_BYTES {
            return Err(Error::not_verified(format!(
                "'{name}' is {} bytes, too large for a metadata file",
                m.size
            )));
        }
        let mut ar = self.archive.clone();
        let f = ar
            .by_index(m.index)
            .map_err(|e| Error::not_verified(format!("cannot read '{name}': {e}")))?;
        let mut buf = Vec::with_capacity(m.size as usize);
        f.take(MAX_METADATA_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::not_verified(format!("cannot read '{name}': {e}")))?;
        if buf.len() as u64 != m.size {
            return Err(Error::not_verified(format!(
                "'{name}' holds {} bytes but its header declares {}",
                buf.len(),
                m.size
            )));
        }
        Ok(buf)
    }

    /// Stream one member through `f`.
    pub fn with_reader<T>(
        &self,
        m: &Member,
        f: impl FnOnce(&mut dyn Read) -> io::Result<T>,
    ) -> io::Result<T> {
        let mut ar = self.archive.clone();
        let mut zf = ar.by_index(m.index).map_err(io::Error::other)?;
        f(&mut zf)
    }

    /// SHA-256 of every member, in parallel; a member that cannot be read gives its error text.
    pub fn hash_all(&self) -> Vec<std::result::Result<Digest256, String>> {
        self.hash_all_with(&Progress::default())
    }

    /// [`hash_all`](Self::hash_all), reporting the bytes hashed to `progress`.
    pub fn hash_all_with(
        &self,
        progress: &Progress,
    ) -> Vec<std::result::Result<Digest256, String>> {
        progress.begin(Task::Verifying, self.members.iter().map(|m| m.size).sum());
        let out = self
            .members
            .par_iter()
            .map(|m| {
                self.with_reader(m, |r| {
                    // Never read more than declared: a lying header cannot make us read forever.
                    let mut limited = progress.reader(r.take(m.size + 1));
                    sha256_reader(&mut limited)
                })
                .map_err(|e| e.to_string())
            })
            .collect();
        progress.end();
        out
    }

    /// [`hash_all_with`](Self::hash_all_with), and for each member `decrypt` picks
    /// (the age files of encrypted items), the plaintext's digest too, from the same read:
    /// the stored bytes are hashed as the decryptor pulls them, so each member is read
    /// once. A member that cannot be decrypted gives its error text in the second slot.
    #[allow(clippy::type_complexity)]
    pub fn hash_all_decrypting(
        &self,
        progress: &Progress,
        decrypt: &(dyn Fn(&Member) -> bool + Sync),
        ids: &crate::evidence::encryption::Identities,
    ) -> Vec<(
        std::result::Result<Digest256, String>,
        Option<std::result::Result<Digest256, String>>,
    )> {
        progress.begin(Task::Verifying, self.members.iter().map(|m| m.size).sum());
        let out = self
            .members
            .par_iter()
            .map(|m| {
                if !decrypt(m) {
                    let d = self
                        .with_reader(m, |r| {
                            let mut limited = progress.reader(r.take(m.size + 1));
                            sha256_reader(&mut limited)
                        })
                        .map_err(|e| e.to_string());
                    return (d, None);
                }
                let mut plain = None;
                let d = self
                    .with_reader(m, |r| {
                        let (d, p) = pipelined_decrypt(progress.reader(r.take(m.size + 1)), ids);
                        plain = Some(p.map_err(|e| e.to_string()));
                        d
                    })
                    .map_err(|e| e.to_string());
                (d, plain)
            })
            .collect();
        progress.end();
        out
    }

    /// The passphrase-encrypted identities the bundle records (manifests' `encryption`
    /// blocks, `encrypted` custody entries), newest first, at most four distinct: what
    /// `--passphrase` tries. Read before verification, so nothing here is trusted: a
    /// wrong one only fails to open.
    pub fn passphrase_identities(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |w: Option<String>| {
            if let Some(w) = w
                && !out.contains(&w)
                && out.len() < 4
            {
                out.push(w);
            }
        };
        if let Ok(log) = self.read_small(layout::CUSTODY) {
            let entries = crate::evidence::custody::check_chain(&log, &Default::default()).entries;
            for e in entries.iter().rev() {
                if let crate::evidence::custody::Event::Encrypted(d) = &e.record.event {
                    push(d.passphrase_identity.clone());
                }
            }
        }
        for m in self.members.iter().rev() {
            if m.name.starts_with(layout::ITEMS_DIR) && m.name.ends_with("/manifest.json") {
                let w = self
                    .read_small(&m.name)
                    .ok()
                    .and_then(|b| crate::evidence::manifest::Manifest::parse(&b).ok())
                    .and_then(|mf| mf.encryption.and_then(|e| e.passphrase_identity));
                push(w);
            }
        }
        out
    }

    /// The plaintext of the age member `m`, decrypted in memory with `ids` (at most
    /// [`MAX_METADATA_BYTES`]; more is cut).
    pub fn read_decrypted(
        &self,
        m: &Member,
        ids: &crate::evidence::encryption::Identities,
    ) -> io::Result<Vec<u8>> {
        self.with_reader(m, |r| {
            let plain = ids.decrypt(r.take(m.size))?;
            let mut buf = Vec::new();
            plain.take(MAX_METADATA_BYTES).read_to_end(&mut buf)?;
            Ok(buf)
        })
    }

    /// SHA-256 of a member's bytes read without the CRC-32 check (stored: the raw bytes;
    /// deflated: inflated), so that a member whose checksum fails can still show what it
    /// holds. Fails when the data cannot be inflated at all.
    pub fn sha256_unchecked(&self, m: &Member) -> io::Result<Digest256> {
        let mut ar = self.archive.clone();
        let raw = ar.by_index_raw(m.index).map_err(io::Error::other)?;
        let compressed = raw.take(m.compressed_size);
        // Never read more than declared plus one byte (a lying header cannot make us read forever).
        if m.deflated {
            sha256_reader(&mut flate2::read::DeflateDecoder::new(compressed).take(m.size + 1))
        } else {
            sha256_reader(&mut compressed.take(m.size + 1))
        }
    }

    /// The raw archive, for copying members unchanged into a new bundle.
    pub fn archive(&mut self) -> &mut ZipArchive<SharedFile> {
        &mut self.archive
    }
}

/// The stored bytes' digest and the plaintext's, from one read of an age member, in
/// three stages on their own threads, so that a large encrypted file keeps both cores
/// busy: this thread reads and hashes the stored bytes, a second decrypts them, a third
/// hashes the plaintext (chunks of 1 MiB through bounded channels: at most a few MiB in
/// flight). A decryption error leaves the stored digest intact: the rest is still read.
/// Hand-written because no crate pipelines `Read` stages; std's scoped threads and
/// sync channels do the work.
fn pipelined_decrypt(
    mut stored: impl Read,
    ids: &crate::evidence::encryption::Identities,
) -> (io::Result<Digest256>, io::Result<Digest256>) {
    use sha2::{Digest, Sha256};
    use std::sync::mpsc::{Receiver, sync_channel};
    const PIECE: usize = 1 << 20;

    /// The receiving end of a channel of chunks, as a reader.
    struct Chunks {
        rx: Receiver<Vec<u8>>,
        cur: Vec<u8>,
        pos: usize,
    }
    impl Read for Chunks {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            while self.pos == self.cur.len() {
                match self.rx.recv() {
                    Ok(c) => {
                        self.cur = c;
                        self.pos = 0;
                    }
                    Err(_) => return Ok(0),
                }
            }
            let n = out.len().min(self.cur.len() - self.pos);
            out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }
    fn hex_digest(h: Sha256, size: u64) -> Digest256 {
        Digest256 {
            size,
            sha256: hex::encode(h.finalize()),
        }
    }

    let (cipher_tx, cipher_rx) = sync_channel::<Vec<u8>>(4);
    let (plain_tx, plain_rx) = sync_channel::<Vec<u8>>(4);
    std::thread::scope(|s| {
        let decrypting = s.spawn(move || -> io::Result<()> {
            let chunks = Chunks {
                rx: cipher_rx,
                cur: Vec::new(),
                pos: 0,
            };
            let mut plain = ids.decrypt(chunks)?;
            loop {
                let mut buf = vec![0u8; PIECE];
                let n = read_full(&mut plain, &mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                buf.truncate(n);
                if plain_tx.send(buf).is_err() {
                    return Ok(());
                }
            }
        });
        let hashing = s.spawn(move || {
            let (mut h, mut size) = (Sha256::new(), 0u64);
            for c in plain_rx {
                h.update(&c);
                size += c.len() as u64;
            }
            hex_digest(h, size)
        });
        let mut tx = Some(cipher_tx);
        let read = (|| -> io::Result<Digest256> {
            let (mut h, mut size) = (Sha256::new(), 0u64);
            loop {
                let mut buf = vec![0u8; PIECE];
                let n = read_full(&mut stored, &mut buf)?;
                if n == 0 {
                    return Ok(hex_digest(h, size));
                }
                buf.truncate(n);
                h.update(&buf);
                size += n as u64;
                // The decryptor may have stopped (an error): keep hashing what is stored.
                if let Some(t) = &tx
                    && t.send(buf).is_err()
                {
                    tx = None;
                }
            }
        })();
        // The end of the stored bytes (or a read error): the decryptor sees the end.
        drop(tx);
        let decrypted = decrypting
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the decrypting thread panicked")));
        let plain = hashing
            .join()
            .map_err(|_| io::Error::other("the hashing thread panicked"));
        let plain = match (decrypted, plain) {
            (Err(e), _) | (_, Err(e)) => Err(e),
            (Ok(()), Ok(d)) => Ok(d),
        };
        (read, plain)
    })
}

/// Fill `buf` as far as `r` goes; the number of bytes read (0 at the end).
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Open `path` as a ZIP archive (a directory or a non-ZIP is an input error).
fn open_archive(
    path: &Path,
    envelope: Option<&super::p7m::Envelope>,
) -> Result<ZipArchive<SharedFile>> {
    let file = File::open(path).map_err(|e| {
        Error::io("open the bundle", path, e).with_fix("check the path to the .zip bundle")
    })?;
    if file.metadata().at("read", path)?.is_dir() {
        return Err(
            Error::input(format!("'{}' is a directory, not a bundle", path.display()))
                .with_fix("give the path of the case .zip file"),
        );
    }
    let shared = match envelope {
        Some(e) => SharedFile::window(file, e.content_offset, e.content_len),
        None => {
            let len = file.metadata().at("read", path)?.len();
            SharedFile::window(file, 0, len)
        }
    };
    ZipArchive::new(shared).map_err(|e| {
        Error::input(format!("'{}' is not a readable ZIP bundle ({e})", path.display()))
            .with_fix("check that this is the .zip written by sigillo and that the copy is complete (compare its size and SHA-256 with the sender's)")
    })
}

/// What is wrong with the container itself: data before or after it, a comment.
fn archive_problems(archive: &ZipArchive<SharedFile>) -> Vec<StructureProblem> {
    let mut problems = Vec::new();
    let mut prob = |message: String| {
        problems.push(StructureProblem {
            subject: "(archive)".into(),
            message,
        })
    };
    if archive.offset() != 0 {
        prob(format!(
            "{} bytes of unknown data precede the archive",
            archive.offset()
        ));
    }
    if !archive.comment().is_empty() {
        prob("the archive has a comment; sigillo bundles have none".into());
    }
    // The file must end exactly with the end-of-central-directory record (no comment
    // was allowed above), so nothing can hide after the archive.
    let mut eocd = [0u8; 22];
    let file_len = archive_len(archive);
    if file_len < 22
        || read_at(archive, file_len - 22, &mut eocd).is_err()
        || &eocd[..4] != b"PK\x05\x06"
    {
        prob("unknown data follows the end of the archive".into());
    }
    problems
}

/// Entry `i`, if it is a member a sigillo bundle may hold: a UTF-8, safe name; a plain
/// file (no directory, link or encryption); stored or deflated with a possible size;
/// and a local header that names the same file as the central directory.
fn check_member(
    archive: &mut ZipArchive<SharedFile>,
    i: usize,
) -> std::result::Result<Member, StructureProblem> {
    let prob = |subject: &str, message: &str| StructureProblem {
        subject: subject.to_string(),
        message: message.to_string(),
    };
    let f = archive.by_index_raw(i).map_err(|e| {
        prob(
            &format!("(entry #{i})"),
            &format!("unreadable entry header ({e})"),
        )
    })?;
    let name = std::str::from_utf8(f.name_raw())
        .map_err(|_| prob(&String::from_utf8_lossy(f.name_raw()), "name is not UTF-8"))?
        .to_string();
    layout::check_safe_path(&name)
        .map_err(|why| prob(&name, &format!("unsafe entry name: {why}")))?;
    if f.is_dir() {
        return Err(prob(&name, "directory entry; sigillo bundles have none"));
    }
    if f.is_symlink() {
        return Err(prob(&name, "symbolic link entry"));
    }
    if f.encrypted() {
        return Err(prob(&name, "encrypted entry"));
    }
    let deflated = match f.compression() {
        CompressionMethod::Stored => false,
        CompressionMethod::Deflated => true,
        other => {
            return Err(prob(
                &name,
                &format!("unsupported compression method {other:?}"),
            ));
        }
    };
    let (size, csize) = (f.size(), f.compressed_size());
    if (!deflated && size != csize)
        || (deflated && size > csize.saturating_mul(MAX_DEFLATE_RATIO) + 4096)
    {
        return Err(prob(
            &name,
            &format!("declared size {size} is impossible for {csize} compressed bytes (zip bomb?)"),
        ));
    }
    let (start, raw_name) = (f.header_start(), f.name_raw().to_vec());
    drop(f);
    if !local_header_names(archive, start, &raw_name) {
        return Err(prob(
            &name,
            "the local file header does not match the central directory (two different names for one entry)",
        ));
    }
    Ok(Member {
        index: i,
        name,
        size,
        compressed_size: csize,
        deflated,
    })
}

/// Whether the local header at `start` names `raw_name`: tools that read the local
/// headers and tools that read the central directory must never see different archives.
fn local_header_names(archive: &ZipArchive<SharedFile>, start: u64, raw_name: &[u8]) -> bool {
    let mut lh = [0u8; 30];
    if read_at(archive, start, &mut lh).is_err() || &lh[..4] != b"PK\x03\x04" {
        return false;
    }
    let n = u16::from_le_bytes([lh[26], lh[27]]) as usize;
    let mut nb = vec![0u8; n];
    n == raw_name.len() && read_at(archive, start + 30, &mut nb).is_ok() && nb == raw_name
}
