//! Streaming hashes: SHA-256 of anything, in constant memory, fast.
//!
//! sha2 picks the SHA-NI instructions at run time where the CPU has them. Files are
//! read in 1 MiB chunks so memory stays flat whatever their size; callers that hash
//! many files do so in parallel with rayon.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{IoContext, Result};

/// Read buffer size for hashing and copying.
pub const CHUNK: usize = 1 << 20;

/// Lowercase hex SHA-256 of a byte slice.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Size and SHA-256 of what a reader yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest256 {
    /// Number of bytes read.
    pub size: u64,
    /// Lowercase hex SHA-256.
    pub sha256: String,
}

/// Hash everything `r` yields, streaming.
pub fn sha256_reader(r: &mut dyn Read) -> io::Result<Digest256> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok(Digest256 {
        size,
        sha256: hex::encode(h.finalize()),
    })
}

/// Hash a file, streaming.
pub fn sha256_file(path: &Path) -> Result<Digest256> {
    let mut f = File::open(path).at("open", path)?;
    sha256_reader(&mut f).at("read", path)
}

/// A writer adapter that hashes what passes through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: io::Write> HashingWriter<W> {
    /// Wrap `inner`.
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// The digest of everything written, and the inner writer.
    pub fn finish(self) -> (Digest256, W) {
        (
            Digest256 {
                size: self.size,
                sha256: hex::encode(self.hasher.finalize()),
            },
            self.inner,
        )
    }
}

impl<W: io::Write> io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader adapter that hashes what passes through it (the twin of [`HashingWriter`]).
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: io::Read> HashingReader<R> {
    /// Wrap `inner`.
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// The digest of everything read.
    pub fn finish(self) -> Digest256 {
        Digest256 {
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
        }
    }
}

impl<R: io::Read> io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let d = sha256_reader(&mut &b"abc"[..]).unwrap();
        assert_eq!(d.size, 3);
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hashing_writer_matches() {
        use std::io::Write;
        let mut w = HashingWriter::new(Vec::new());
        w.write_all(b"abc").unwrap();
        let (d, v) = w.finish();
        assert_eq!(v, b"abc");
        assert_eq!(d.sha256, sha256_hex(b"abc"));
    }
}
