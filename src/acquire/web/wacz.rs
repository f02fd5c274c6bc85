//! WACZ 1.1.1 packaging: wraps one `data.warc.gz` (from [`super::warc`]) with its CDXJ
//! index, a one-page `pages.jsonl` and the `datapackage.json` fixity manifest, so that
//! ReplayWeb.page and pywb can open the capture directly.
//!
//! # Layout (WACZ 1.1.1, entries in this order, all with mtime 1980-01-01 00:00:00)
//! - `archive/data.warc.gz`: the WARC bytes, STORED (already gzip, never recompressed);
//! - `indexes/index.cdx.gz`: the sorted CDXJ lines as a ZipNum index, as py-wacz writes it:
//!   gzip members of up to [`INDEX_BLOCK_LINES`] lines each, concatenated, STORED;
//! - `indexes/index.idx`: the ZipNum secondary index (a `!meta` line, then the first key and
//!   the offset, length and SHA-256 of each block), DEFLATE. pywb (`wb-manager add
//!   --unpack-wacz`) reads the `.cdx.gz`, ReplayWeb.page the `.idx`;
//! - `pages/pages.jsonl`: header line then the captured page, DEFLATE;
//! - `datapackage.json`: `profile: "data-package"`, `wacz_version: "1.1.1"`, `resources`
//!   with `sha256:<hex>` and size of each entry above, DEFLATE;
//! - `datapackage-digest.json`: SHA-256 of `datapackage.json`, DEFLATE.
//!
//! The output depends only on the inputs: fixed entry times and permissions, fixed order,
//! deterministic JSON. It is not signed here; the item manifest's signature covers it.

use std::io::{Seek, Write};

use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::warc::{WARC_FILENAME, WarcSummary};
use crate::error::{Error, Result};
use crate::time::rfc3339;

/// WACZ version written into `datapackage.json`.
pub const WACZ_VERSION: &str = "1.1.1";

/// Lines per gzip block of `indexes/index.cdx.gz` (py-wacz's `DEFAULT_NUM_LINES`).
pub const INDEX_BLOCK_LINES: usize = 1024;

/// The page the capture is about (the one line of `pages/pages.jsonl`).
#[derive(Debug, Clone)]
pub struct WaczPage {
    /// The page URL (as in the WARC's `WARC-Target-URI` of the main document).
    pub url: String,
    /// When it was captured (should equal the main response's `WARC-Date`).
    pub ts: DateTime<Utc>,
    /// The page title, if it had one.
    pub title: Option<String>,
}

/// Where the WARC to package is: bytes in memory or a file (streamed, never loaded whole).
#[derive(Debug, Clone, Copy)]
pub enum WarcSource<'a> {
    /// The WARC bytes.
    Bytes(&'a [u8]),
    /// A file holding the WARC.
    File(&'a std::path::Path),
}

impl<'a> From<&'a [u8]> for WarcSource<'a> {
    fn from(b: &'a [u8]) -> Self {
        WarcSource::Bytes(b)
    }
}

impl<'a> From<&'a Vec<u8>> for WarcSource<'a> {
    fn from(b: &'a Vec<u8>) -> Self {
        WarcSource::Bytes(b)
    }
}

impl<'a> From<&'a std::path::Path> for WarcSource<'a> {
    fn from(p: &'a std::path::Path) -> Self {
        WarcSource::File(p)
    }
}

/// Writes through to `inner`, hashing and counting what passes.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Package `warc_gz` (exactly the bytes [`super::warc::write_warc_gz`] produced for
/// `summary`) as a WACZ 1.1.1 into `out`. A WARC file is streamed into the package and
/// hashed on the way (never loaded whole).
pub fn write_wacz<'a>(
    warc_gz: impl Into<WarcSource<'a>>,
    summary: &WarcSummary,
    page: &WaczPage,
    created: DateTime<Utc>,
    software: &str,
    out: impl Write + Seek,
) -> Result<()> {
    let warc_gz = warc_gz.into();
    let warc_len = match warc_gz {
        WarcSource::Bytes(b) => b.len() as u64,
        WarcSource::File(p) => std::fs::metadata(p)
            .map_err(|e| Error::io("read", p, e))?
            .len(),
    };
    if warc_len != summary.bytes {
        return Err(Error::internal(format!(
            "the WARC handed to the WACZ packager has {warc_len} bytes but its summary says {}",
            summary.bytes
        ))
        .with_fix("pass the bytes written by write_warc_gz together with its own summary"));
    }

    let mut lines: Vec<String> = summary.index.iter().map(|e| e.to_line()).collect();
    lines.sort();
    let (index_gz, index_idx) = zipnum(&lines)?;

    let ts = rfc3339(&page.ts);
    let page_id = hex::encode(&Sha256::digest(format!("{}\n{ts}", page.url).as_bytes())[..16]);
    let mut page_obj = serde_json::Map::new();
    page_obj.insert("id".into(), page_id.into());
    page_obj.insert("url".into(), page.url.clone().into());
    page_obj.insert("ts".into(), ts.clone().into());
    if let Some(t) = &page.title {
        page_obj.insert("title".into(), t.clone().into());
    }
    let pages = format!(
        "{}\n{}\n",
        json!({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}),
        serde_json::Value::Object(page_obj)
    );

    let mut zip = ZipWriter::new(out);
    let fail = |e: zip::result::ZipError| {
        Error::input(format!("could not write the WACZ package: {e}"))
            .with_fix("check that the output disk is healthy and not full")
    };
    let io_fail = |e: std::io::Error| fail(zip::result::ZipError::Io(e));
    let opts = |method: CompressionMethod, len: u64| {
        SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644)
            .large_file(len >= u32::MAX as u64)
    };
    // The WARC first, streamed and hashed as it goes in.
    let warc_path = "archive/data.warc.gz";
    debug_assert!(warc_path.ends_with(WARC_FILENAME));
    zip.start_file(warc_path, opts(CompressionMethod::Stored, warc_len))
        .map_err(fail)?;
    let mut w = Hashing {
        inner: &mut zip,
        hash: Sha256::new(),
        len: 0,
    };
    match warc_gz {
        WarcSource::Bytes(b) => w.write_all(b).map_err(io_fail)?,
        WarcSource::File(p) => {
            let mut f = std::fs::File::open(p).map_err(|e| Error::io("read", p, e))?;
            std::io::copy(&mut f, &mut w).map_err(io_fail)?;
        }
    }
    if w.len != warc_len {
        return Err(Error::internal(format!(
            "the WARC file changed while it was packaged ({} bytes, {warc_len} expected)",
            w.len
        )));
    }
    let mut resources = vec![json!({
        "name": WARC_FILENAME,
        "path": warc_path,
        "hash": format!("sha256:{}", hex::encode(w.hash.finalize())),
        "bytes": warc_len,
    })];
    let parts: [(&str, &[u8], CompressionMethod); 3] = [
        ("indexes/index.cdx.gz", &index_gz, CompressionMethod::Stored),
        (
            "indexes/index.idx",
            index_idx.as_bytes(),
            CompressionMethod::Deflated,
        ),
        (
            "pages/pages.jsonl",
            pages.as_bytes(),
            CompressionMethod::Deflated,
        ),
    ];
    for (path, bytes, method) in parts {
        zip.start_file(path, opts(method, bytes.len() as u64))
            .map_err(fail)?;
        zip.write_all(bytes).map_err(io_fail)?;
        resources.push(json!({
            "name": path.rsplit('/').next().unwrap_or(path),
            "path": path,
            "hash": sha256_label(bytes),
            "bytes": bytes.len(),
        }));
    }
    let datapackage = json!({
        "profile": "data-package",
        "resources": resources,
        "wacz_version": WACZ_VERSION,
        "software": software,
        "created": rfc3339(&created),
        "title": page.title.clone().unwrap_or_else(|| page.url.clone()),
        "mainPageUrl": page.url,
        "mainPageDate": ts,
    });
    let datapackage = to_pretty(&datapackage)?;
    let digest = to_pretty(
        &json!({"path": "datapackage.json", "hash": sha256_label(datapackage.as_bytes())}),
    )?;
    for (path, bytes) in [
        ("datapackage.json", datapackage.as_bytes()),
        ("datapackage-digest.json", digest.as_bytes()),
    ] {
        zip.start_file(path, opts(CompressionMethod::Deflated, bytes.len() as u64))
            .map_err(fail)?;
        zip.write_all(bytes).map_err(io_fail)?;
    }
    zip.finish().map_err(fail)?;
    Ok(())
}

/// The ZipNum form of sorted CDXJ `lines` that py-wacz writes (cdxj-indexer's
/// `CompressedWriter`): the `.cdx.gz` bytes (one gzip member per block of
/// [`INDEX_BLOCK_LINES`] lines) and the `.idx` text, whose JSON is spelled as Python's
/// `json.dumps` spells it (`", "` and `": "`). Hand-written because no crate writes ZipNum.
fn zipnum(lines: &[String]) -> Result<(Vec<u8>, String)> {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    let mut gz = Vec::new();
    let mut idx = String::new();
    if !lines.is_empty() {
        idx.push_str("!meta 0 {\"format\": \"cdxj-gzip-1.0\", \"filename\": \"index.cdx.gz\"}\n");
    }
    for block in lines.chunks(INDEX_BLOCK_LINES) {
        // GzEncoder writes mtime 0 and no file name: the member depends only on the lines.
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        for l in block {
            enc.write_all(l.as_bytes())
                .and_then(|()| enc.write_all(b"\n"))
                .map_err(|e| Error::internal(format!("could not compress the WACZ index: {e}")))?;
        }
        let member = enc
            .finish()
            .map_err(|e| Error::internal(format!("could not compress the WACZ index: {e}")))?;
        let prefix = block[0].split('{').next().unwrap_or("").trim();
        idx.push_str(&format!(
            "{prefix} {{\"offset\": {}, \"length\": {}, \"digest\": \"{}\"}}\n",
            gz.len(),
            member.len(),
            sha256_label(&member)
        ));
        gz.extend_from_slice(&member);
    }
    Ok((gz, idx))
}

fn to_pretty(v: &serde_json::Value) -> Result<String> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Error::internal(format!("could not serialise WACZ JSON: {e}")))
}

fn sha256_label(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}
