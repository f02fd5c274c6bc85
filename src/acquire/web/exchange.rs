//! One HTTP request and its response, as the browser saw them.
//!
//! The capture layer fills these from Chrome DevTools Protocol events of the very
//! session that rendered the page (never a reload); the WARC writer turns them into
//! `request`/`response` records.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A response body: on disk in the capture's private temp folder (as every body the
/// browser hands over is written, so a page's media is never held in memory), or in
/// memory (bodies built by hand, e.g. in tests).
#[derive(Debug, Clone)]
pub enum Body {
    /// Bytes in memory.
    Memory(Vec<u8>),
    /// A file holding exactly the body, with its size and SHA-256 taken as it was written.
    File {
        /// The file.
        path: PathBuf,
        /// Its length in bytes.
        size: u64,
        /// SHA-256 of its bytes, lowercase hex.
        sha256: String,
    },
}

impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Self {
        Body::Memory(b)
    }
}

impl Body {
    /// Write `bytes` to a new file `path` (created, never overwritten) and describe it.
    pub fn write(path: &Path, bytes: &[u8]) -> Result<Body> {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| Error::io("create", path, e))?;
        f.write_all(bytes)
            .map_err(|e| Error::io("write", path, e))?;
        Ok(Body::File {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(bytes)),
        })
    }

    /// Decode the base64 `text` (as CDP hands bodies over) into a new file `path`, a piece
    /// at a time (the decoded body is never whole in memory beside its text), and describe
    /// it. On an error the file is removed.
    pub fn write_base64(path: &Path, text: &str) -> Result<Body> {
        use std::io::{Read, Write};
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| Error::io("create", path, e))?;
        let mut r = base64::read::DecoderReader::new(
            text.as_bytes(),
            &base64::engine::general_purpose::STANDARD,
        );
        let mut buf = vec![0u8; 256 * 1024];
        let (mut h, mut size) = (Sha256::new(), 0u64);
        let copied = (|| -> Result<()> {
            loop {
                let n = match r.read(&mut buf) {
                    Ok(0) => return Ok(()),
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(Error::internal(format!(
                            "a response body could not be decoded (base64: {e})"
                        )));
                    }
                };
                h.update(&buf[..n]);
                size += n as u64;
                f.write_all(&buf[..n])
                    .map_err(|e| Error::io("write", path, e))?;
            }
        })();
        if let Err(e) = copied {
            drop(f);
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        Ok(Body::File {
            path: path.to_path_buf(),
            size,
            sha256: hex::encode(h.finalize()),
        })
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(b) => b.len() as u64,
            Body::File { size, .. } => *size,
        }
    }

    /// True when the body has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// SHA-256 of the body, lowercase hex.
    pub fn sha256(&self) -> String {
        match self {
            Body::Memory(b) => hex::encode(Sha256::digest(b)),
            Body::File { sha256, .. } => sha256.clone(),
        }
    }

    /// A reader of the bytes (the file when on disk), for copying them without holding
    /// them whole.
    pub fn reader(&self) -> Result<Box<dyn std::io::Read + '_>> {
        Ok(match self {
            Body::Memory(b) => Box::new(std::io::Cursor::new(b.as_slice())),
            Body::File { path, size, .. } => Box::new(std::io::Read::take(
                std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?,
                *size,
            )),
        })
    }

    /// The bytes (read from the file when on disk; its length is checked).
    pub fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Body::Memory(b) => Ok(std::borrow::Cow::Borrowed(b)),
            Body::File { path, size, .. } => {
                let b = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
                if b.len() as u64 != *size {
                    return Err(Error::internal(format!(
                        "the recorded response body '{}' changed size on disk ({} bytes, {size} written)",
                        path.display(),
                        b.len()
                    )));
                }
                Ok(std::borrow::Cow::Owned(b))
            }
        }
    }
}

/// A request the browser sent and what came back.
#[derive(Debug, Clone)]
pub struct HttpExchange {
    /// CDP request id (stable within one capture).
    pub request_id: String,
    /// The URL requested.
    pub url: String,
    /// HTTP method.
    pub method: String,
    /// Request headers as sent (secrets not yet removed: the WARC writer strips them).
    pub request_headers: Vec<(String, String)>,
    /// Request body, if any (form posts, XHR).
    pub request_body: Option<Vec<u8>>,
    /// When the request was sent.
    pub request_time: DateTime<Utc>,
    /// CDP resource type (Document, Script, Image, Media, XHR …).
    pub resource_type: Option<String>,
    /// Server address the browser connected to.
    pub remote_ip: Option<String>,
    /// Server port.
    pub remote_port: Option<u16>,
    /// The response, if one arrived.
    pub response: Option<HttpResponse>,
    /// Why loading failed, if it did (`net::ERR_…`).
    pub error: Option<String>,
}

/// A response as the browser received it.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Reason phrase (may be empty for HTTP/2).
    pub status_text: String,
    /// Protocol as Chrome names it (`http/1.1`, `h2`, …).
    pub protocol: String,
    /// Response headers as received.
    pub headers: Vec<(String, String)>,
    /// Raw header block, when Chrome gave one (HTTP/1.x `headersText`).
    pub headers_text: Option<String>,
    /// MIME type Chrome determined.
    pub mime_type: String,
    /// The body; Chrome hands it over with any Content-Encoding already removed.
    pub body: Option<Body>,
    /// True when `body` is the decoded body rather than the bytes on the wire.
    pub body_is_decoded: bool,
    /// When the response headers arrived.
    pub response_time: DateTime<Utc>,
    /// Served from the browser's memory or disk cache.
    pub from_cache: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn a_base64_body_is_decoded_into_its_file() {
        let d = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..700_000u32).map(|i| (i % 253) as u8).collect();
        let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let b = Body::write_base64(&d.path().join("a"), &text).unwrap();
        let want = Body::write(&d.path().join("b"), &bytes).unwrap();
        assert_eq!((b.len(), b.sha256()), (want.len(), want.sha256()));
        assert_eq!(std::fs::read(d.path().join("a")).unwrap(), bytes);

        let bad = d.path().join("bad");
        assert!(Body::write_base64(&bad, "QUJD!!!!").is_err());
        assert!(!bad.exists(), "no partial body is left");
    }
}
