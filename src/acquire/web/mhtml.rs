//! An MHTML snapshot (RFC 2557 `multipart/related`, as Chromium writes it) built by
//! sigillo from the DOM at capture time and the recorded response bodies, streamed from
//! the capture's temp folder to a file.
//!
//! Used instead of Chromium's `Page.captureSnapshot` when the page's recorded bodies
//! pass [`BUILD_ABOVE`]: that call returns the whole snapshot, every image in base64, as
//! one CDP message, which sigillo's process would hold three or four times over (the
//! WebSocket message, the parsed JSON, the string); 100 MB of media cost about 550 MiB.
//! Hand-written because no crate writes MHTML, and the format is small: headers, one
//! part per resource, a boundary between them.
//!
//! What differs from Chromium's own snapshot (docs/web-capture.md says the same): the
//! HTML part is the serialized DOM of the top document; a frame's part is its response
//! as received (not its DOM); resources are every successful GET response the browser
//! recorded, once per URL, in the order they were requested, as the bytes it received
//! (base64), with the response's media type.

use std::io::{BufWriter, Read, Write};
use std::path::Path;

use base64::Engine;
use chrono::{DateTime, Utc};

use crate::acquire::web::exchange::{Body, HttpExchange};
use crate::error::{Error, Result};

/// Total size of the recorded response bodies above which sigillo builds the MHTML
/// itself (24 MiB: Chromium's snapshot of that would cost ~130 MiB of memory).
pub const BUILD_ABOVE: u64 = 24 << 20;

/// Base64 line length (RFC 2045), and the input bytes one line holds.
const LINE: usize = 76;
const LINE_BYTES: usize = LINE / 4 * 3;

/// One resource of the snapshot.
pub struct Part<'a> {
    /// Its URL (`Content-Location`).
    pub url: &'a str,
    /// Its media type (`Content-Type`).
    pub media_type: &'a str,
    /// Its bytes as received.
    pub body: &'a Body,
}

/// The resources for the snapshot among the recorded exchanges: successful (200–299 but
/// not 206, a fragment) GET responses over http(s) with a body, not `main_url` (the DOM
/// stands for it), the first of each URL.
pub fn parts<'a>(exchanges: &'a [HttpExchange], main_url: &str) -> Vec<Part<'a>> {
    let mut seen = std::collections::HashSet::new();
    seen.insert(main_url);
    exchanges
        .iter()
        .filter_map(|ex| {
            let r = ex.response.as_ref()?;
            let body = r.body.as_ref()?;
            let ok = (200..300).contains(&r.status)
                && r.status != 206
                && ex.method.eq_ignore_ascii_case("GET")
                && (ex.url.starts_with("http://") || ex.url.starts_with("https://"));
            (ok && !body.is_empty() && seen.insert(ex.url.as_str())).then(|| Part {
                url: &ex.url,
                media_type: if r.mime_type.trim().is_empty() {
                    "application/octet-stream"
                } else {
                    r.mime_type.trim()
                },
                body,
            })
        })
        .collect()
}

/// Write the snapshot of the page at `url` (title `title`, DOM `dom`, taken at `at`) and
/// its `parts` to the new file `out`; returns its size. The boundary is a random token
/// with `-` in it, which base64 (every part's encoding) never contains.
pub fn write(
    out: &Path,
    url: &str,
    title: &str,
    at: DateTime<Utc>,
    dom: &str,
    parts: &[Part],
) -> Result<u64> {
    let io = |e| Error::io("write", out, e);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| Error::io("create", out, e))?;
    let mut w = Counted {
        inner: BufWriter::with_capacity(1 << 20, f),
        n: 0,
    };
    let mut token = [0u8; 16];
    getrandom::fill(&mut token)
        .map_err(|e| Error::internal(format!("random boundary for the MHTML: {e}")))?;
    let boundary = format!("----MultipartBoundary--sigillo-{}----", hex::encode(token));
    write!(
        w,
        "From: <Saved by sigillo>\r\nSnapshot-Content-Location: {}\r\nSubject: {}\r\nDate: {}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"{boundary}\"\r\n\r\n\r\n",
        header_value(url),
        encoded_word(title),
        at.to_rfc2822(),
    )
    .map_err(io)?;
    write!(
        w,
        "--{boundary}\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\nContent-Location: {}\r\n\r\n",
        header_value(url)
    )
    .map_err(io)?;
    base64_lines(&mut w, &mut dom.as_bytes()).map_err(io)?;
    for p in parts {
        write!(
            w,
            "\r\n--{boundary}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: base64\r\nContent-Location: {}\r\n\r\n",
            header_value(p.media_type),
            header_value(p.url)
        )
        .map_err(io)?;
        let mut r = p.body.reader()?;
        base64_lines(&mut w, &mut r).map_err(io)?;
    }
    write!(w, "\r\n--{boundary}--\r\n").map_err(io)?;
    w.inner.flush().map_err(io)?;
    Ok(w.n)
}

/// Copy `r` to `w` in base64, lines of 76 characters ending in CRLF.
fn base64_lines(w: &mut impl Write, r: &mut impl Read) -> std::io::Result<()> {
    let mut buf = vec![0u8; LINE_BYTES * 1024];
    let mut text = String::with_capacity(buf.len() / 3 * 4 + 4);
    loop {
        // Fill whole lines: only the last read may end in a short one.
        let mut n = 0;
        while n < buf.len() {
            match r.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if n == 0 {
            return Ok(());
        }
        for line in buf[..n].chunks(LINE_BYTES) {
            text.clear();
            base64::engine::general_purpose::STANDARD.encode_string(line, &mut text);
            w.write_all(text.as_bytes())?;
            w.write_all(b"\r\n")?;
        }
        if n < buf.len() {
            return Ok(());
        }
    }
}

/// A header value on one line: control characters (CR and LF among them) become spaces.
fn header_value(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `Subject`: plain when printable ASCII, else an RFC 2047 encoded word (UTF-8, base64),
/// as Chromium writes it.
fn encoded_word(s: &str) -> String {
    let s = header_value(s);
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s
    } else {
        format!(
            "=?utf-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
        )
    }
}

/// Counts what goes through.
struct Counted<W> {
    inner: W,
    n: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let k = self.inner.write(b)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Split a written snapshot into (headers, decoded body) per part.
    fn parse(text: &str) -> Vec<(String, Vec<u8>)> {
        let b = text
            .split("boundary=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        let sep = format!("--{b}");
        let mut out = Vec::new();
        for chunk in text.split(&sep).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let (head, body) = chunk.split_once("\r\n\r\n").unwrap();
            let b64: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap();
            out.push((head.to_string(), bytes));
        }
        out
    }

    #[test]
    fn parts_decode_to_the_recorded_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let f = dir.path().join("body");
        let body = Body::write(&f, &big).unwrap();
        let small = Body::Memory(b"body{color:red}".to_vec());
        let exact = Body::Memory(vec![1u8; LINE_BYTES * 1024]);
        let parts = [
            Part {
                url: "http://127.0.0.1/a.png",
                media_type: "image/png",
                body: &body,
            },
            Part {
                url: "http://127.0.0.1/s.css",
                media_type: "text/css",
                body: &small,
            },
            Part {
                url: "http://127.0.0.1/exact",
                media_type: "application/octet-stream",
                body: &exact,
            },
        ];
        let out = dir.path().join("page.mhtml");
        let at = DateTime::parse_from_rfc3339("2026-12-03T07:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let dom = "<html><body>è<img src=a.png></body></html>";
        let n = write(&out, "http://127.0.0.1/\r\nX: y", "Città", at, dom, &parts).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(n, text.len() as u64);
        assert!(text.starts_with("From: <Saved by sigillo>\r\n"));
        assert!(text.contains("Subject: =?utf-8?B?Q2l0dMOg?=\r\n"));
        assert!(
            !text.contains("\r\nX: y"),
            "a CRLF in a URL cannot add a header"
        );
        assert!(text.lines().all(|l| l.len() <= 200));
        let got = parse(&text);
        assert_eq!(got.len(), 4);
        assert!(got[0].0.contains("Content-Type: text/html"));
        assert_eq!(got[0].1, dom.as_bytes());
        assert!(
            got[1]
                .0
                .contains("Content-Location: http://127.0.0.1/a.png")
        );
        assert_eq!(got[1].1, big);
        assert_eq!(got[2].1, b"body{color:red}");
        assert_eq!(got[3].1, vec![1u8; LINE_BYTES * 1024]);
        assert!(text.ends_with("------\r\n"), "closed by the last boundary");
    }
}
