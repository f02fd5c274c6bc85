//! WARC/1.1 writer: turns the browser's HTTP exchanges into a `data.warc.gz`, one gzip
//! member per record, plus the CDXJ index entries the WACZ packager needs.
//!
//! # Wire format (ISO 28500:2017, WARC/1.1)
//!
//! Records, in this order:
//! 1. one `warcinfo` record (`application/warc-fields`) naming the software, operator,
//!    target URL, the request headers that were removed (name and count), how response
//!    bodies were normalised, and the caller's notes;
//! 2. for every exchange, in the order given: a `request` record
//!    (`application/http; msgtype=request`), a `response` record
//!    (`application/http; msgtype=response`) when a response arrived, and a `metadata`
//!    record (`application/warc-fields`, `WARC-Refers-To` and `WARC-Concurrent-To` the
//!    response, else the request) whenever there is something to say: header values that
//!    were rewritten, an HTTP/2 status line written as HTTP/1.1, a missing body, a load
//!    failure, a cache hit;
//!    Exchanges whose URL is not `http(s)` (`data:`, `blob:`, unparseable) get only a
//!    `metadata` record with the URL's scheme, length and SHA-256;
//! 3. one `resource` record per [`ExtraResource`] (screenshot, DOM snapshot …).
//!
//! Every record carries `WARC-Record-ID` (`urn:uuid:`, derived from the caller's seed, see
//! [`write_warc_gz`]), `WARC-Date` (UTC, milliseconds), `WARC-Warcinfo-ID` (except the
//! warcinfo itself), `WARC-Block-Digest: sha256:<hex>`, `Content-Type` and
//! `Content-Length`; request/response/resource records also carry `WARC-Target-URI` and
//! `WARC-Payload-Digest: sha256:<hex>`, and request/response records carry
//! `WARC-IP-Address` when known and `WARC-Concurrent-To` pointing at each other.
//!
//! # Secrets
//! `Cookie`, `Authorization` and `Proxy-Authorization` request headers belong to the
//! capturing account; they are removed from request records and counted in the warcinfo.
//! `Set-Cookie` response headers are what the server sent and are kept.
//!
//! # Bodies
//! Chrome's `Network.getResponseBody` returns the body with `Content-Encoding` and chunked
//! `Transfer-Encoding` already undone. So that the record is self-consistent (and replay
//! tools do not try to gunzip plain bytes), the response header block is rewritten:
//! `Transfer-Encoding` is dropped, `Content-Encoding` is dropped when the body is decoded,
//! and `Content-Length` is set to the stored body's length. The original values are kept
//! in the exchange's `metadata` record. The payload digest is over the stored body.
//!
//! # Why hand-written
//! The `warc` crate writes the whole file as one gzip stream (which warcio rejects: each
//! record must be its own gzip member) and computes no digests; the record syntax itself
//! is a header block, CRLF, the block, CRLF CRLF, so serialising it here is simpler than
//! working around that crate.

use std::io::{Seek, Write};

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

use super::exchange::{HttpExchange, HttpResponse};
use crate::error::{Error, Result};
use crate::time::rfc3339;

/// The file name of the WARC inside captures and WACZ packages.
pub const WARC_FILENAME: &str = "data.warc.gz";

/// Request headers that carry the capturing account's credentials; never written.
pub const STRIPPED_REQUEST_HEADERS: [&str; 3] = ["Cookie", "Authorization", "Proxy-Authorization"];

/// What the `warcinfo` record says about the capture.
#[derive(Debug, Clone)]
pub struct WarcInfo {
    /// Software that made the capture, e.g. `sigillo 0.1.0 (Chromium 131.0.6778.85)`.
    pub software: String,
    /// Who made it (the operator's name, optionally with the key fingerprint).
    pub operator: String,
    /// The URL the user asked to capture.
    pub target_url: String,
    /// When the WARC was written.
    pub created: DateTime<Utc>,
    /// Free-text lines added to the warcinfo (one `note:` field each).
    pub notes: Vec<String>,
}

/// A file that is not HTTP traffic but belongs with it (screenshot, DOM snapshot, PDF),
/// written as a WARC `resource` record.
#[derive(Debug, Clone)]
pub struct ExtraResource {
    /// Record URI, e.g. `urn:sigillo:screenshot:full`.
    pub uri: String,
    /// Media type, e.g. `image/png`.
    pub media_type: String,
    /// The bytes, stored unchanged.
    pub bytes: Vec<u8>,
    /// When the resource was made.
    pub time: DateTime<Utc>,
}

/// One CDXJ index line: where a `response` or `resource` record sits in the WARC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdxEntry {
    /// SURT form of the URL (see [`surt`]).
    pub urlkey: String,
    /// `YYYYMMDDhhmmss` of the record's `WARC-Date`.
    pub timestamp: String,
    /// The record's `WARC-Target-URI`.
    pub url: String,
    /// Media type without parameters (HTTP `Content-Type` for responses).
    pub mime: Option<String>,
    /// HTTP status (responses only).
    pub status: Option<u16>,
    /// `sha256:<hex>` payload digest.
    pub digest: String,
    /// Length of the record's gzip member in bytes.
    pub length: u64,
    /// Offset of the record's gzip member from the start of the file.
    pub offset: u64,
    /// The WARC's file name ([`WARC_FILENAME`]).
    pub filename: String,
    /// `POST`/`PUT` for such requests (their `urlkey` then carries the method and the
    /// request body, see [`post_query`]).
    pub method: Option<String>,
    /// The canonicalised request body appended to the `urlkey` (`POST`/`PUT` only).
    pub request_body: Option<String>,
}

impl CdxEntry {
    /// The CDXJ line (without newline), in the shape `cdxj-indexer`/pywb write: numbers
    /// as JSON strings, keys in a fixed order.
    pub fn to_line(&self) -> String {
        let mut obj = serde_json::Map::new();
        obj.insert("url".into(), self.url.clone().into());
        if let Some(mime) = &self.mime {
            obj.insert("mime".into(), mime.clone().into());
        }
        if let Some(status) = self.status {
            obj.insert("status".into(), status.to_string().into());
        }
        obj.insert("digest".into(), self.digest.clone().into());
        obj.insert("length".into(), self.length.to_string().into());
        obj.insert("offset".into(), self.offset.to_string().into());
        obj.insert("filename".into(), self.filename.clone().into());
        if let Some(m) = &self.method {
            obj.insert("method".into(), m.clone().into());
        }
        if let Some(b) = &self.request_body {
            obj.insert("requestBody".into(), b.clone().into());
        }
        format!(
            "{} {} {}",
            self.urlkey,
            self.timestamp,
            serde_json::Value::Object(obj)
        )
    }
}

/// What [`write_warc_gz`] wrote.
#[derive(Debug, Clone)]
pub struct WarcSummary {
    /// Number of WARC records written (warcinfo included).
    pub records: usize,
    /// Request headers removed, by name, with how many times each was removed.
    pub stripped_headers: Vec<(String, usize)>,
    /// Index entries for every `response` and `resource` record, in file order.
    pub index: Vec<CdxEntry>,
    /// Total bytes written (the size of `data.warc.gz`).
    pub bytes: u64,
}

/// A fresh random 32-byte seed for record ids (use when reproducibility is not needed).
pub fn random_seed() -> Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        Error::internal(format!(
            "the operating system's random generator failed: {e}"
        ))
        .with_fix("check that /dev/urandom (or getrandom(2)) is available")
    })?;
    Ok(seed)
}

/// Write `exchanges` (and `extra` resources) as a gzipped WARC/1.1 to `out`.
///
/// Record ids are UUIDs derived from SHA-256 over `seed` and the record's position, so the
/// same inputs and seed give byte-identical output. Pass [`random_seed`] in production
/// (ids must be unique across captures) and a fixed seed in tests.
pub fn write_warc_gz(
    exchanges: &[HttpExchange],
    extra: &[ExtraResource],
    info: &WarcInfo,
    seed: &[u8],
    out: &mut impl Write,
) -> Result<WarcSummary> {
    let mut ids = IdGen { seed, next: 0 };
    let warcinfo_id = ids.next();
    let mut stripped: Vec<(String, usize)> = STRIPPED_REQUEST_HEADERS
        .iter()
        .map(|n| (n.to_string(), 0))
        .collect();
    let mut any_rewritten = false;
    let mut any_h2 = false;

    // Compress every record first (the warcinfo, record 1, must report what was
    // stripped) into an anonymous temp file (unlinked from the start, so it goes on every
    // exit path): one record, so one body, is in memory at a time.
    let spool_err = |e: std::io::Error| {
        Error::input(format!(
            "could not spool the WARC records to a temp file: {e}"
        ))
        .with_fix("check that the temp directory ($TMPDIR or /tmp) is writable and not full")
    };
    let mut spool = tempfile::tempfile().map_err(spool_err)?;
    let mut members: Vec<(Option<CdxEntry>, u64)> = Vec::new();
    let mut push = |rec: &Record| -> Result<()> {
        let s = seal(rec)?;
        spool.write_all(&s.member).map_err(spool_err)?;
        members.push((s.index, s.member.len() as u64));
        Ok(())
    };
    for ex in exchanges {
        let exchange_records = exchange_records(
            ex,
            &warcinfo_id,
            &mut ids,
            &mut stripped,
            &mut any_rewritten,
            &mut any_h2,
        );
        for rec in exchange_records {
            push(&rec)?;
        }
    }
    for res in extra {
        let id = ids.next();
        let mut r = Record::new("resource", &id, &res.time, Some(&warcinfo_id));
        r.header("WARC-Target-URI", &clean_uri(&res.uri));
        r.content_type = clean_value(&res.media_type);
        r.block = res.bytes.clone();
        r.payload_start = Some(0);
        r.index = Some(IndexHint {
            url: clean_uri(&res.uri),
            mime: Some(base_mime(&res.media_type)),
            status: None,
            post: None,
        });
        push(&r)?;
    }

    let mut info_rec = Record::new("warcinfo", &warcinfo_id, &info.created, None);
    info_rec.header("WARC-Filename", WARC_FILENAME);
    info_rec.content_type = "application/warc-fields".into();
    info_rec.block = warcinfo_block(info, &stripped, any_rewritten, any_h2).into_bytes();

    let mut summary = WarcSummary {
        records: 0,
        stripped_headers: stripped,
        index: Vec::new(),
        bytes: 0,
    };
    let write_err = |e: std::io::Error| {
        Error::input(format!("could not write the WARC ({WARC_FILENAME}): {e}"))
            .with_fix("check that the output disk is healthy and not full")
    };
    let info = seal(&info_rec)?;
    out.write_all(&info.member).map_err(write_err)?;
    let info_len = info.member.len() as u64;
    for (index, len) in std::iter::once((info.index, info_len)).chain(members) {
        if let Some(mut entry) = index {
            entry.length = len;
            entry.offset = summary.bytes;
            summary.index.push(entry);
        }
        summary.bytes += len;
        summary.records += 1;
    }
    spool.seek(std::io::SeekFrom::Start(0)).map_err(spool_err)?;
    let copied = std::io::copy(&mut spool, out).map_err(write_err)?;
    if copied + info_len != summary.bytes {
        return Err(Error::internal(format!(
            "the WARC spool held {copied} bytes, {} expected",
            summary.bytes - info_len
        )));
    }
    Ok(summary)
}

/// Canonicalise a URL into the SURT key pywb, warcio's `cdxj-indexer` and the `surt`
/// Python package produce: scheme and `www.` dropped, host lowercased and reversed with
/// commas, default port dropped, `)` then path and query lowercased, query parameters
/// sorted, trailing slash dropped (except the root), fragment dropped.
/// `https://www.Example.com/A/?b=2&a=1#x` → `com,example)/a?a=1&b=2`.
///
/// Session-id stripping of the IA canonicaliser is not done (rare, and only affects lookup).
/// URLs that do not parse (or have no host, like `urn:`) are returned lowercased.
pub fn surt(raw: &str) -> String {
    let Ok(url) = url::Url::parse(raw) else {
        return raw.to_lowercase();
    };
    let Some(host) = url.host_str() else {
        return raw.to_lowercase();
    };
    let mut host = host.trim_end_matches('.').to_lowercase();
    // IA "host massage": strip a leading www / www2 / www13 … label.
    if let Some((first, rest)) = host.split_once('.')
        && first.starts_with("www")
        && first[3..].bytes().all(|b| b.is_ascii_digit())
        && !rest.is_empty()
    {
        host = rest.to_string();
    }
    let mut key = if host.starts_with('[') {
        host
    } else {
        host.split('.').rev().collect::<Vec<_>>().join(",")
    };
    if let Some(port) = url.port() {
        key.push_str(&format!(":{port}"));
    }
    key.push(')');
    let mut path = google_escape(url.path()).to_lowercase();
    if path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    if path.is_empty() {
        path.push('/');
    }
    key.push_str(&path);
    if let Some(query) = url.query().filter(|q| !q.is_empty()) {
        let query = google_escape(query).to_lowercase();
        // IA "alpha reorder": sort the parameters as (name, value) pairs.
        let mut params: Vec<Vec<&str>> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.splitn(2, '=').collect())
            .collect();
        params.sort();
        if !params.is_empty() {
            key.push('?');
            let joined: Vec<String> = params.iter().map(|p| p.join("=")).collect();
            key.push_str(&joined.join("&"));
        }
    }
    key
}

/// The Google URL canonicaliser step of `surt`: percent-decode until stable, then escape
/// only bytes <= 0x20, >= 0x7F, `#` and `%` (upper-case hex; the caller lowercases).
fn google_escape(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16);
    let mut bytes = s.as_bytes().to_vec();
    loop {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match (
                bytes[i],
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (b'%', Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                (c, _, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        if out == bytes {
            break;
        }
        bytes = out;
    }
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if b <= 0x20 || b >= 0x7f || b == b'#' || b == b'%' {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// The index key suffix pywb, py-wacz (`cdxj-indexer --post-append`) and ReplayWeb.page use
/// for `POST`/`PUT` so that different request bodies replay different responses: returns
/// `(METHOD, "?__wb_method=METHOD&<query>" or "&…", <query>)`, following
/// <https://specs.webrecorder.net/request-body-canonicalization/latest/>:
/// form bodies are URL-decoded, JSON (and JSON-looking `text/plain`) is flattened to
/// `key=value` pairs, anything else becomes `__wb_post_data=<base64>`; at most 4096 chars.
/// `multipart/*` bodies are treated as binary here (pywb parses their fields), so their keys
/// differ from pywb's; replay tools then fall back to fuzzy matching.
pub fn post_query(ex: &HttpExchange) -> Option<(String, String, String)> {
    let method = ex.method.to_ascii_uppercase();
    if method != "POST" && method != "PUT" {
        return None;
    }
    let header = |name: &str| {
        ex.request_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let mime = header("content-type").unwrap_or_default();
    let body = ex.request_body.as_deref().unwrap_or_default();
    let binary = |b: &[u8]| {
        use base64::Engine;
        format!(
            "__wb_post_data={}",
            base64::engine::general_purpose::STANDARD.encode(b)
        )
    };
    let mut query = if mime.starts_with("application/x-www-form-urlencoded") {
        match std::str::from_utf8(body) {
            Ok(text) => unquote_plus(text),
            Err(_) => binary(body),
        }
    } else if mime.starts_with("application/json") {
        json_query(body).unwrap_or_default()
    } else if mime.starts_with("text/plain") {
        json_query(body).unwrap_or_else(|| binary(body))
    } else {
        binary(body)
    };
    if let Some((cut, _)) = query.char_indices().nth(4096) {
        query.truncate(cut);
    }
    let mut append = String::from(if ex.url.contains('?') { "&" } else { "?" });
    append.push_str("__wb_method=");
    append.push_str(&method);
    if !query.is_empty() {
        append.push('&');
        append.push_str(&query);
    }
    Some((method, append, query))
}

/// Python's `urllib.parse.unquote_plus` (invalid UTF-8 replaced).
fn unquote_plus(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 2;
            }
            (c, _, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// cdxj-indexer's `json_parse`: flatten JSON (or JSON lines) to `name=value` pairs,
/// repeated names become `name.2_`, `name.3_` …; values as Python's `str()` prints them.
fn json_query(body: &[u8]) -> Option<String> {
    let mut data: Vec<(String, String)> = Vec::new();
    let mut dupes: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    fn walk(
        v: &serde_json::Value,
        name: &str,
        data: &mut Vec<(String, String)>,
        dupes: &mut std::collections::HashMap<String, usize>,
    ) {
        use serde_json::Value;
        match v {
            Value::Object(map) => {
                for (n, v) in map {
                    walk(v, n, data, dupes);
                }
            }
            Value::Array(items) => {
                for v in items {
                    walk(v, name, data, dupes);
                }
            }
            _ if name.is_empty() => {}
            scalar => {
                let text = match scalar {
                    Value::String(s) => s.clone(),
                    Value::Bool(true) => "True".into(),
                    Value::Bool(false) => "False".into(),
                    Value::Null => "None".into(),
                    other => other.to_string(),
                };
                let key = if data.iter().any(|(k, _)| k == name) {
                    let n = dupes.entry(name.to_string()).or_insert(1);
                    *n += 1;
                    format!("{name}.{n}_")
                } else {
                    name.to_string()
                };
                match data.iter_mut().find(|(k, _)| *k == key) {
                    Some(slot) => slot.1 = text,
                    None => data.push((key, text)),
                }
            }
        }
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => walk(&v, "", &mut data, &mut dupes),
        Err(_) if body.contains(&b'\n') => {
            for line in body.split(|&c| c == b'\n') {
                let v: serde_json::Value = serde_json::from_slice(line).ok()?;
                walk(&v, "", &mut data, &mut dupes);
            }
        }
        Err(_) => return None,
    }
    let pairs: Vec<String> = data
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
        .collect();
    Some(pairs.join("&"))
}

/// Python's `urllib.parse.quote_plus`.
fn quote_plus(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------

/// Where a record goes in the index.
struct IndexHint {
    url: String,
    mime: Option<String>,
    status: Option<u16>,
    /// For POST/PUT: the method and the string appended to the URL before SURT.
    post: Option<(String, String, String)>,
}

/// A record serialised and gzipped, with its index entry (offset/length filled in later).
struct Sealed {
    member: Vec<u8>,
    index: Option<CdxEntry>,
}

fn seal(rec: &Record) -> Result<Sealed> {
    let member = gzip_member(&rec.serialise())?;
    let index = rec.index.as_ref().map(|hint| CdxEntry {
        urlkey: match &hint.post {
            Some((_, append, _)) => surt(&format!("{}{append}", hint.url)),
            None => surt(&hint.url),
        },
        timestamp: rec.date.format("%Y%m%d%H%M%S").to_string(),
        url: hint.url.clone(),
        mime: hint.mime.clone(),
        status: hint.status,
        digest: sha256_label(rec.payload().unwrap_or_default()),
        length: 0,
        offset: 0,
        filename: WARC_FILENAME.into(),
        method: hint.post.as_ref().map(|p| p.0.clone()),
        request_body: hint.post.as_ref().map(|p| p.2.clone()),
    });
    Ok(Sealed { member, index })
}

/// One WARC record before serialisation.
struct Record {
    date: DateTime<Utc>,
    /// Named fields other than the ones [`Record::serialise`] adds itself.
    fields: Vec<(String, String)>,
    content_type: String,
    block: Vec<u8>,
    /// Where the payload starts in `block`, when the record has one (its digest is
    /// written as WARC-Payload-Digest).
    payload_start: Option<usize>,
    index: Option<IndexHint>,
}

impl Record {
    fn new(kind: &str, id: &str, date: &DateTime<Utc>, warcinfo: Option<&str>) -> Record {
        let mut fields = vec![
            ("WARC-Type".to_string(), kind.to_string()),
            ("WARC-Record-ID".to_string(), id.to_string()),
            ("WARC-Date".to_string(), rfc3339(date)),
        ];
        if let Some(w) = warcinfo {
            fields.push(("WARC-Warcinfo-ID".into(), w.to_string()));
        }
        Record {
            date: *date,
            fields,
            content_type: String::new(),
            block: Vec::new(),
            payload_start: None,
            index: None,
        }
    }

    fn header(&mut self, name: &str, value: &str) {
        self.fields.push((name.to_string(), value.to_string()));
    }

    fn payload(&self) -> Option<&[u8]> {
        self.payload_start.and_then(|s| self.block.get(s..))
    }

    fn serialise(&self) -> Vec<u8> {
        let mut head = String::from("WARC/1.1\r\n");
        for (n, v) in &self.fields {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str(&format!(
            "WARC-Block-Digest: {}\r\n",
            sha256_label(&self.block)
        ));
        if let Some(p) = self.payload() {
            head.push_str(&format!("WARC-Payload-Digest: {}\r\n", sha256_label(p)));
        }
        head.push_str(&format!("Content-Type: {}\r\n", self.content_type));
        head.push_str(&format!("Content-Length: {}\r\n\r\n", self.block.len()));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.block);
        bytes.extend_from_slice(b"\r\n\r\n");
        bytes
    }
}

/// Deterministic `urn:uuid:` ids: UUID v4 layout over SHA-256(domain ‖ seed ‖ counter).
struct IdGen<'a> {
    seed: &'a [u8],
    next: u64,
}

impl IdGen<'_> {
    fn next(&mut self) -> String {
        let mut h = Sha256::new();
        h.update(b"sigillo-warc-record-id\0");
        h.update((self.seed.len() as u64).to_be_bytes());
        h.update(self.seed);
        h.update(self.next.to_be_bytes());
        self.next += 1;
        let d = h.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let x = hex::encode(b);
        format!(
            "<urn:uuid:{}-{}-{}-{}-{}>",
            &x[0..8],
            &x[8..12],
            &x[12..16],
            &x[16..20],
            &x[20..32]
        )
    }
}

/// The records of one exchange: request, response (if any), metadata (if anything to say).
fn exchange_records(
    ex: &HttpExchange,
    warcinfo_id: &str,
    ids: &mut IdGen,
    stripped: &mut [(String, usize)],
    any_rewritten: &mut bool,
    any_h2: &mut bool,
) -> Vec<Record> {
    let uri = clean_uri(&ex.url);
    if !is_http(&ex.url) {
        return vec![non_http_record(ex, warcinfo_id, ids)];
    }
    let request_id = ids.next();
    let response_id = ex.response.as_ref().map(|_| ids.next());
    let mut notes: Vec<(String, String)> = Vec::new();

    // Request record.
    let mut req = Record::new("request", &request_id, &ex.request_time, Some(warcinfo_id));
    req.header("WARC-Target-URI", &uri);
    if let Some(ip) = remote_ip(ex) {
        req.header("WARC-IP-Address", &ip);
    }
    if let Some(rid) = &response_id {
        req.header("WARC-Concurrent-To", rid);
    }
    let mut head = format!(
        "{} {} HTTP/1.1\r\n",
        clean_token(&ex.method),
        request_target(&ex.url)
    );
    for (name, value) in &ex.request_headers {
        if name.starts_with(':') {
            // HTTP/2 pseudo-headers (:authority, :path …) are not HTTP/1.1 syntax.
            notes.push((
                "request-pseudo-header-omitted".into(),
                format!("{name}: {}", clean_value(value)),
            ));
            continue;
        }
        if let Some(slot) = stripped
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            slot.1 += 1;
            continue;
        }
        push_header_lines(&mut head, name, value);
    }
    head.push_str("\r\n");
    let body: &[u8] = ex.request_body.as_deref().unwrap_or_default();
    req.content_type = "application/http; msgtype=request".into();
    req.block = head.into_bytes();
    req.payload_start = Some(req.block.len());
    req.block.extend_from_slice(body);
    let mut out = vec![req];

    // Response record.
    if let (Some(resp), Some(rid)) = (&ex.response, &response_id) {
        let r = response_record(
            ex,
            resp,
            rid,
            &request_id,
            warcinfo_id,
            &uri,
            &mut notes,
            any_h2,
        );
        out.push(r);
    }
    if notes.iter().any(|(n, _)| n.starts_with("original-header")) {
        *any_rewritten = true;
    }
    if let Some(err) = &ex.error {
        notes.push(("fetch-error".into(), clean_value(err)));
    }
    if let Some(raw) = &ex.remote_ip
        && remote_ip(ex).is_none()
    {
        notes.push(("remote-ip-unparsed".into(), clean_value(raw)));
    }
    if ex.response.is_none() && ex.error.is_none() {
        notes.push((
            "no-response".into(),
            "the browser recorded no response for this request".into(),
        ));
    }

    if !notes.is_empty() {
        let refers = response_id.as_deref().unwrap_or(&request_id);
        let time = ex
            .response
            .as_ref()
            .map_or(ex.request_time, |r| r.response_time);
        let mut m = Record::new("metadata", &ids.next(), &time, Some(warcinfo_id));
        m.header("WARC-Target-URI", &uri);
        m.header("WARC-Refers-To", refers);
        m.header("WARC-Concurrent-To", refers);
        m.content_type = "application/warc-fields".into();
        let mut text = String::new();
        for (n, v) in &notes {
            text.push_str(&format!("{n}: {v}\r\n"));
        }
        m.block = text.into_bytes();
        out.push(m);
    }
    out
}

/// The server address in the plain form WARC-IP-Address wants (CDP may bracket IPv6);
/// `None` when absent or not an IP address (then noted in the metadata record).
fn remote_ip(ex: &HttpExchange) -> Option<String> {
    let raw = ex.remote_ip.as_deref()?.trim();
    let bare = raw
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(raw);
    bare.parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_string())
}

fn is_http(raw: &str) -> bool {
    url::Url::parse(raw).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

/// `data:`, `blob:` and unparseable URLs are not HTTP traffic: replay tools would read
/// their request/response blocks as opaque payloads. Record that they were loaded, with
/// the URL's hash and length (a `data:` URL can be megabytes), in one metadata record.
fn non_http_record(ex: &HttpExchange, warcinfo_id: &str, ids: &mut IdGen) -> Record {
    let scheme = match url::Url::parse(&ex.url) {
        Ok(u) => u.scheme().to_string(),
        Err(_) => "unparseable".to_string(),
    };
    let mut m = Record::new("metadata", &ids.next(), &ex.request_time, Some(warcinfo_id));
    m.content_type = "application/warc-fields".into();
    let mut text = format!(
        "skipped: not an http(s) URL, no request/response records written\r\n\
         url-scheme: {}\r\nurl-length: {}\r\nurl-sha256: {}\r\nmethod: {}\r\n",
        clean_token(&scheme),
        ex.url.len(),
        hex::encode(Sha256::digest(ex.url.as_bytes())),
        clean_token(&ex.method),
    );
    if let Some(err) = &ex.error {
        text.push_str(&format!("fetch-error: {}\r\n", clean_value(err)));
    }
    if let Some(r) = &ex.response {
        text.push_str(&format!("status: {}\r\n", r.status));
    }
    m.block = text.into_bytes();
    m
}

#[allow(clippy::too_many_arguments)]
fn response_record(
    ex: &HttpExchange,
    resp: &HttpResponse,
    id: &str,
    request_id: &str,
    warcinfo_id: &str,
    uri: &str,
    notes: &mut Vec<(String, String)>,
    any_h2: &mut bool,
) -> Record {
    // WARC-Date of a response is the time the request was sent (capture time), as
    // warcio/pywb do; request and response then share one index timestamp.
    let mut r = Record::new("response", id, &ex.request_time, Some(warcinfo_id));
    r.header("WARC-Target-URI", uri);
    if let Some(ip) = remote_ip(ex) {
        r.header("WARC-IP-Address", &ip);
    }
    r.header("WARC-Concurrent-To", request_id);

    // Status line and header list: from the raw header block when Chrome gave one (an
    // HTTP/1.x block; anything else gets a built HTTP/1.1 status line).
    let (status_line, headers) = match resp.headers_text.as_deref().and_then(parse_headers_text) {
        Some((line, headers)) if line.starts_with("HTTP/1.") => (line, headers),
        Some((_, headers)) => (status_line_h1(resp), headers),
        None => (status_line_h1(resp), split_multi(&resp.headers)),
    };
    let protocol = resp.protocol.trim().to_ascii_lowercase();
    if !protocol.is_empty() && !protocol.starts_with("http/1") {
        *any_h2 = true;
        notes.push((
            "http-protocol".into(),
            format!(
                "{} (status line written as HTTP/1.1)",
                clean_value(&resp.protocol)
            ),
        ));
    }

    let body_expected = !(ex.method.eq_ignore_ascii_case("HEAD")
        || (100..200).contains(&resp.status)
        || resp.status == 204
        || resp.status == 304
        || (300..400).contains(&resp.status));
    let read = resp.body.as_ref().map(|b| b.bytes());
    let body: &[u8] = match &read {
        Some(Ok(b)) => b,
        Some(Err(e)) => {
            notes.push(("body-unreadable".into(), clean_value(&format!("the recorded body could not be read back ({}); the response record has an empty body", e.problem()))));
            &[]
        }
        None => {
            if body_expected {
                notes.push(("body-missing".into(), "the browser did not hand over the response body; the response record has an empty body".into()));
            }
            &[]
        }
    };

    let mut head = format!("{status_line}\r\n");
    for (name, value) in &headers {
        let lower = name.to_ascii_lowercase();
        let rewrite = lower == "transfer-encoding"
            || lower == "content-length"
            || (lower == "content-encoding"
                && resp.body_is_decoded
                && !value.trim().eq_ignore_ascii_case("identity"));
        if rewrite {
            notes.push((format!("original-header-{lower}"), clean_value(value)));
            continue;
        }
        push_header_lines(&mut head, name, value);
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    if resp.body_is_decoded && matches!(read, Some(Ok(_))) {
        notes.push(("body".into(), "decoded by the browser (Content-Encoding and chunking removed); header block rewritten to match".into()));
    }
    if resp.from_cache {
        notes.push(("from-cache".into(), "true".into()));
    }
    if let Some(t) = &ex.resource_type {
        notes.push(("resource-type".into(), clean_value(t)));
    }
    if let Some(p) = ex.remote_port {
        notes.push(("remote-port".into(), p.to_string()));
    }

    // Index mime from the HTTP Content-Type only, as cdxj-indexer/pywb do (not Chrome's
    // sniffed `mime_type`), so our index equals what those tools would compute.
    let mime = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| base_mime(v))
        .filter(|m| !m.is_empty());
    r.content_type = "application/http; msgtype=response".into();
    r.block = head.into_bytes();
    r.payload_start = Some(r.block.len());
    r.block.extend_from_slice(body);
    r.index = Some(IndexHint {
        url: uri.to_string(),
        mime,
        status: Some(resp.status),
        post: post_query(ex),
    });
    r
}

fn status_line_h1(resp: &HttpResponse) -> String {
    let reason = if resp.status_text.trim().is_empty() {
        default_reason(resp.status).to_string()
    } else {
        clean_value(resp.status_text.trim())
    };
    format!("HTTP/1.1 {} {}", resp.status, reason)
}

/// Split Chrome's `headersText` into its status line and header list.
fn parse_headers_text(text: &str) -> Option<(String, Vec<(String, String)>)> {
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    let status = clean_value(lines.next()?.trim());
    if !status.starts_with("HTTP/") {
        return None;
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if (line.starts_with(' ') || line.starts_with('\t'))
            && let Some(last) = headers.last_mut()
        {
            // obsolete line folding: join with a space
            last.1.push(' ');
            last.1.push_str(line.trim());
            continue;
        }
        if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    Some((status, headers))
}

/// Chrome joins repeated headers (Set-Cookie …) with `\n`; write one line per value.
fn split_multi(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (n, v) in headers {
        for part in v.split('\n') {
            out.push((n.clone(), part.trim_end_matches('\r').to_string()));
        }
    }
    out
}

fn push_header_lines(head: &mut String, name: &str, value: &str) {
    for part in value.split('\n') {
        head.push_str(&format!(
            "{}: {}\r\n",
            clean_token(name),
            clean_value(part.trim_end_matches('\r'))
        ));
    }
}

/// The request-target (origin form) of an absolute URL: path and query.
fn request_target(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(u) if u.has_host() => {
            let mut t = u.path().to_string();
            if let Some(q) = u.query() {
                t.push('?');
                t.push_str(q);
            }
            clean_token(&t)
        }
        _ => clean_token(raw),
    }
}

/// A URI safe for a WARC header: parsed and re-serialised (percent-encoded), fragment
/// dropped; control characters and spaces escaped when the URL does not parse.
fn clean_uri(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => escape(raw, |c| c.is_ascii_control() || c == ' '),
    }
}

/// Header values: no CR, LF or other control characters (tab allowed).
fn clean_value(s: &str) -> String {
    escape(s, |c| c.is_control() && c != '\t')
}

/// Tokens (method, header names, request target): no whitespace or controls.
fn clean_token(s: &str) -> String {
    escape(s, |c| c.is_control() || c.is_whitespace())
}

fn escape(s: &str, bad: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if bad(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn base_mime(v: &str) -> String {
    v.split(|c: char| c == ';' || c.is_whitespace())
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn sha256_label(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn gzip_member(bytes: &[u8]) -> Result<Vec<u8>> {
    // GzEncoder writes mtime 0 and no file name: the member depends only on the bytes.
    let mut gz = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 2 + 64),
        Compression::default(),
    );
    let fail = |e: std::io::Error| {
        Error::internal(format!("gzip compression of a WARC record failed: {e}"))
    };
    gz.write_all(bytes).map_err(fail)?;
    gz.finish().map_err(fail)
}

fn warcinfo_block(
    info: &WarcInfo,
    stripped: &[(String, usize)],
    any_rewritten: bool,
    any_h2: bool,
) -> String {
    let mut f: Vec<(&str, String)> = vec![
        ("software", clean_value(&info.software)),
        ("format", "WARC File Format 1.1".into()),
        (
            "conformsTo",
            "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/".into(),
        ),
        ("operator", clean_value(&info.operator)),
        ("target-url", clean_value(&info.target_url)),
        ("created", rfc3339(&info.created)),
        (
            "description",
            "Recorded from the same headless Chromium session that rendered the page.".into(),
        ),
    ];
    let list: Vec<String> = stripped.iter().map(|(n, c)| format!("{n} ({c})")).collect();
    let total: usize = stripped.iter().map(|(_, c)| c).sum();
    f.push((
        "removed-request-headers",
        format!(
            "{} header line(s) removed from request records (the capturing account's credentials): {}",
            total,
            list.join(", ")
        ),
    ));
    f.push((
        "response-bodies",
        "as handed over by the browser (Content-Encoding and chunking already removed); \
         Transfer-Encoding and Content-Length (and Content-Encoding of decoded bodies) are \
         rewritten to match the stored body; original values are in each exchange's metadata record"
            .into(),
    ));
    if any_rewritten {
        f.push(("response-headers-rewritten", "yes".into()));
    }
    if any_h2 {
        f.push((
            "http2",
            "HTTP/2 and HTTP/3 exchanges are written with HTTP/1.1 request and status lines; the protocol is in the metadata record"
                .into(),
        ));
    }
    for n in &info.notes {
        f.push(("note", clean_value(n)));
    }
    f.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect()
}

fn default_reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surt_matches_python_surt() {
        // Expected values from the `surt` Python package (pywb's canonicaliser).
        assert_eq!(
            surt("http://WWW.Example.com:80/A/b/?z=1&a=2#f"),
            "com,example)/a/b?a=2&z=1"
        );
        assert_eq!(surt("http://127.0.0.1:8080/x"), "1,0,0,127:8080)/x");
        assert_eq!(surt("https://example.com/"), "com,example)/");
        assert_eq!(surt("https://example.com"), "com,example)/");
        assert_eq!(
            surt("https://xn--exmple-cua.com/%C3%A4%20b?q=%C3%BC"),
            "com,xn--exmple-cua)/%c3%a4%20b?q=%c3%bc"
        );
        assert_eq!(
            surt("http://example.com/a%2525b?x=%7B%7D&a=1&a"),
            "com,example)/a%25b?a&a=1&x={}"
        );
        assert_eq!(
            surt("https://example.com/p/?b=1&a=2&a=1"),
            "com,example)/p?a=1&a=2&b=1"
        );
        assert_eq!(surt("http://www2.example.com/x?"), "com,example)/x");
        assert_eq!(
            surt("urn:sigillo:screenshot:full"),
            "urn:sigillo:screenshot:full"
        );
    }

    #[test]
    fn ids_are_deterministic_and_uuid_v4_shaped() {
        let mut a = IdGen {
            seed: b"s",
            next: 0,
        };
        let mut b = IdGen {
            seed: b"s",
            next: 0,
        };
        let (x, y) = (a.next(), b.next());
        assert_eq!(x, y);
        assert_ne!(x, a.next());
        assert_eq!(x.len(), "<urn:uuid:>".len() + 36);
        assert_eq!(&x[24..25], "4");
    }

    #[test]
    fn header_values_cannot_inject_lines() {
        assert_eq!(clean_value("a\r\nX-Evil: 1"), "a%0D%0AX-Evil: 1");
        assert_eq!(clean_token("GET /x y"), "GET%20/x%20y");
    }

    #[test]
    fn headers_text_parsed() {
        let (s, h) = parse_headers_text("HTTP/1.1 200 OK\r\nA: 1\r\n  cont\r\nB:2\r\n\r\n")
            .unwrap_or_default();
        assert_eq!(s, "HTTP/1.1 200 OK");
        assert_eq!(
            h,
            vec![
                ("A".to_string(), "1 cont".to_string()),
                ("B".to_string(), "2".to_string())
            ]
        );
    }
}
