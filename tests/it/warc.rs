//! WARC/WACZ writer against the reference tools: warcio (`check`, `index`), cdxj-indexer
//! (pywb's index format) and py-wacz (`validate`), plus our own checks of every part,
//! because `warcio check` passes empty files and `wacz validate` is lenient.
//!
//! Needs a Python venv with `warcio` and `wacz` (which brings `cdxj-indexer`):
//! `./setup.sh --deps` makes `.venv/`; [`Tool`] looks in `$SIGILLO_PYTHON_BIN`, then
//! `.venv/bin`, then `PATH`.

use std::io::{Cursor, Read};

use chrono::{DateTime, TimeZone, Utc};
use flate2::read::{GzDecoder, MultiGzDecoder};
use sha2::{Digest, Sha256};
use sigillo::acquire::web::exchange::{HttpExchange, HttpResponse};
use sigillo::acquire::web::wacz::{WaczPage, write_wacz};
use sigillo::acquire::web::warc::{ExtraResource, WarcInfo, WarcSummary, surt, write_warc_gz};

use crate::tool::Tool;
use crate::util::Dir;

const COOKIE_SECRET: &str = "session=SECRET-COOKIE-VALUE-42";
const AUTH_SECRET: &str = "Bearer SECRET-TOKEN-77";

/// Run a Python tool on files in `dir`: (exit code, stdout followed by stderr).
fn run(dir: &Dir, tool: Tool, args: &[&str]) -> (i32, String) {
    let r = tool.run(dir.path(), args);
    (r.code, format!("{}{}", r.stdout, r.stderr))
}

fn t(sec: u32, ms: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, sec).unwrap()
        + chrono::Duration::milliseconds(ms as i64)
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8 * 80, y as u8 * 120, 7]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn ex(id: &str, url: &str, at: u32, resp: Option<HttpResponse>) -> HttpExchange {
    HttpExchange {
        request_id: id.into(),
        url: url.into(),
        method: "GET".into(),
        request_headers: h(&[
            ("User-Agent", "Mozilla/5.0 HeadlessChrome"),
            ("Accept", "*/*"),
        ]),
        request_body: None,
        request_time: t(at, 0),
        resource_type: Some("Other".into()),
        remote_ip: Some("127.0.0.1".into()),
        remote_port: Some(8080),
        response: resp,
        error: None,
    }
}

fn resp(
    status: u16,
    text: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    at: u32,
) -> HttpResponse {
    HttpResponse {
        status,
        status_text: text.into(),
        protocol: "http/1.1".into(),
        headers: h(headers),
        headers_text: None,
        mime_type: "text/html".into(),
        body: body.map(|b| b.to_vec().into()),
        body_is_decoded: false,
        response_time: t(at, 200),
        from_cache: false,
    }
}

const HTML: &[u8] = b"<!doctype html><html><head><title>Post</title><link rel=stylesheet href=/s.css></head><body><img src=/a.png></body></html>";
const CSS: &[u8] = b"body { color: #222; background: white; }\n";

/// Realistic exchanges: redirect, html (raw headers text, cookie + auth), gzip-decoded css,
/// png over h2, 404, failed load, and a 200 whose body the browser did not give.
fn exchanges() -> Vec<HttpExchange> {
    let mut v = Vec::new();
    // 1. 301 without body.
    v.push(ex(
        "1",
        "http://www.example.com/post",
        1,
        Some(resp(
            301,
            "Moved Permanently",
            &[
                ("Location", "https://www.example.com/post/"),
                ("Content-Length", "162"),
            ],
            None,
            1,
        )),
    ));
    // 2. main document, HTTP/1.1 with headersText, request carries credentials.
    let mut main = ex(
        "2",
        "https://www.example.com/post/?b=2&a=1#frag",
        2,
        Some(HttpResponse {
            headers_text: Some(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\
                 Set-Cookie: a=1; Path=/\r\nSet-Cookie: b=2; Path=/\r\nContent-Encoding: gzip\r\n\r\n"
                    .into(),
            ),
            body_is_decoded: true,
            ..resp(200, "OK", &[("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "a=1; Path=/\nb=2; Path=/")], Some(HTML), 2)
        }),
    );
    main.resource_type = Some("Document".into());
    main.request_headers
        .push(("Cookie".into(), COOKIE_SECRET.into()));
    main.request_headers
        .push(("authorization".into(), AUTH_SECRET.into()));
    v.push(main);
    // 3. gzip-decoded CSS.
    v.push(ex(
        "3",
        "https://www.example.com/s.css",
        3,
        Some(HttpResponse {
            body_is_decoded: true,
            mime_type: "text/css".into(),
            ..resp(
                200,
                "OK",
                &[
                    ("Content-Type", "text/css"),
                    ("Content-Encoding", "gzip"),
                    ("Content-Length", "61"),
                ],
                Some(CSS),
                3,
            )
        }),
    ));
    // 4. PNG over HTTP/2 (no status text, no headers text).
    let png = png();
    let mut img = ex(
        "4",
        "https://www.example.com/a.png",
        4,
        Some(HttpResponse {
            protocol: "h2".into(),
            mime_type: "image/png".into(),
            ..resp(
                200,
                "",
                &[
                    ("content-type", "image/png"),
                    ("content-length", &png.len().to_string()),
                ],
                Some(&png),
                4,
            )
        }),
    );
    img.request_headers
        .push((":authority".into(), "www.example.com".into()));
    img.request_headers
        .push(("Cookie".into(), COOKIE_SECRET.into()));
    v.push(img);
    // 5. 404 with body.
    v.push(ex(
        "5",
        "https://www.example.com/favicon.ico",
        5,
        Some(resp(
            404,
            "Not Found",
            &[("Content-Type", "text/plain")],
            Some(b"not found"),
            5,
        )),
    ));
    // 6. failed load.
    let mut failed = ex("6", "https://tracker.example.net/p.js", 6, None);
    failed.error = Some("net::ERR_NAME_NOT_RESOLVED".into());
    failed.remote_ip = None;
    v.push(failed);
    // 7. a 200 whose body Chrome did not hand over.
    v.push(ex(
        "7",
        "https://www.example.com/stream",
        7,
        Some(resp(200, "OK", &[("Content-Type", "video/mp4")], None, 7)),
    ));
    v
}

/// warcinfo + (1: req,resp,meta[orig content-length]) + (2: req,resp,meta) + (3: req,resp,meta)
/// + (4: req,resp,meta[h2]) + (5: req,resp,meta[resource-type]) + (6: req,meta) + (7: req,resp,meta)
/// + 1 resource.
const EXPECTED_RECORDS: usize = 1 + 3 + 3 + 3 + 3 + 3 + 2 + 3 + 1;

fn info() -> WarcInfo {
    WarcInfo {
        software: "sigillo 0.1.0 (test)".into(),
        operator: "Test Operator".into(),
        target_url: "http://www.example.com/post".into(),
        created: t(9, 0),
        notes: vec!["test capture".into()],
    }
}

fn extra() -> Vec<ExtraResource> {
    vec![ExtraResource {
        uri: "urn:sigillo:screenshot:full".into(),
        media_type: "image/png".into(),
        bytes: png(),
        time: t(8, 0),
    }]
}

fn build() -> (Vec<u8>, WarcSummary, Vec<u8>) {
    let mut warc = Vec::new();
    let summary = write_warc_gz(&exchanges(), &extra(), &info(), b"test-seed", &mut warc).unwrap();
    let page = WaczPage {
        url: "https://www.example.com/post/?b=2&a=1".into(),
        ts: t(2, 0),
        title: Some("Post".into()),
    };
    let mut wacz = Cursor::new(Vec::new());
    write_wacz(
        &warc,
        &summary,
        &page,
        t(10, 0),
        "sigillo 0.1.0 (test)",
        &mut wacz,
    )
    .unwrap();
    (warc, summary, wacz.into_inner())
}

fn sha(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn write(dir: &Dir, name: &str, bytes: &[u8]) -> String {
    dir.write(name, bytes).to_str().unwrap().to_string()
}

#[test]
fn warc_passes_warcio_and_keeps_secrets_out() {
    let (warc, summary, _) = build();
    assert_eq!(summary.records, EXPECTED_RECORDS);
    assert_eq!(summary.bytes, warc.len() as u64);
    let counts: Vec<(&str, usize)> = summary
        .stripped_headers
        .iter()
        .map(|(n, c)| (n.as_str(), *c))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("Cookie", 2),
            ("Authorization", 1),
            ("Proxy-Authorization", 0)
        ]
    );

    let dir = Dir::new();
    let path = write(&dir, "data.warc.gz", &warc);

    let (rc, out) = run(&dir, Tool::Warcio, &["check", "-v", &path]);
    assert_eq!(rc, 0, "warcio check failed:\n{out}");
    assert!(
        !out.to_lowercase().contains("fail"),
        "warcio check reported a failure:\n{out}"
    );
    // every record's digests were checked and passed
    assert_eq!(
        out.matches("digest pass").count(),
        EXPECTED_RECORDS,
        "{out}"
    );

    let (rc, out) = run(
        &dir,
        Tool::Warcio,
        &[
            "index",
            "-f",
            "warc-type,warc-target-uri,offset,length",
            &path,
        ],
    );
    assert_eq!(rc, 0, "warcio index failed:\n{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(
        lines.len(),
        EXPECTED_RECORDS,
        "warcio index saw a different number of records:\n{out}"
    );

    // Whole file decoded: no credentials, Set-Cookie kept, headers rewritten.
    let mut text = Vec::new();
    MultiGzDecoder::new(&warc[..])
        .read_to_end(&mut text)
        .unwrap();
    let text = String::from_utf8_lossy(&text);
    assert!(
        !text.contains("SECRET-COOKIE"),
        "cookie leaked into the WARC"
    );
    assert!(
        !text.contains("SECRET-TOKEN"),
        "authorization leaked into the WARC"
    );
    assert!(text.contains("Set-Cookie: a=1; Path=/\r\nSet-Cookie: b=2; Path=/\r\n"));
    assert!(text.contains("removed-request-headers: 3 header line(s)"));
    assert!(text.contains("Cookie (2), Authorization (1), Proxy-Authorization (0)"));
    assert!(text.contains("original-header-content-encoding: gzip"));
    assert!(text.contains("original-header-transfer-encoding: chunked"));
    assert!(text.contains(&format!(
        "Content-Length: {}\r\n\r\n{}",
        CSS.len(),
        String::from_utf8_lossy(CSS)
    )));
    assert!(
        text.contains("HTTP/1.1 200 OK\r\ncontent-type: image/png"),
        "h2 status line"
    );
    assert!(text.contains("http-protocol: h2 (status line written as HTTP/1.1)"));
    assert!(text.contains("fetch-error: net::ERR_NAME_NOT_RESOLVED"));
    assert!(text.contains("body-missing:"));
    assert!(text.contains("HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.example.com/post/\r\nContent-Length: 0\r\n"));
    assert!(text.contains("GET /post/?b=2&a=1 HTTP/1.1\r\n"));
    assert!(
        !text.contains("\r\n:authority:"),
        "pseudo-header written as a header line"
    );
    assert!(text.contains("request-pseudo-header-omitted: :authority: www.example.com"));
    assert!(text.starts_with("WARC/1.1\r\nWARC-Type: warcinfo\r\n"));
}

#[test]
fn output_is_deterministic_per_seed() {
    let (a, _, wa) = build();
    let (b, _, wb) = build();
    assert_eq!(a, b);
    assert_eq!(wa, wb);
    let mut c = Vec::new();
    write_warc_gz(&exchanges(), &extra(), &info(), b"other-seed", &mut c).unwrap();
    assert_ne!(a, c, "record ids must depend on the seed");
}

#[test]
fn index_matches_cdxj_indexer() {
    let (warc, summary, _) = build();
    let dir = Dir::new();
    let path = write(&dir, "data.warc.gz", &warc);
    let (rc, out) = run(&dir, Tool::CdxjIndexer, &[&path]);
    assert_eq!(rc, 0, "cdxj-indexer failed:\n{out}");
    // ours: 6 responses + 1 resource
    assert_eq!(summary.index.len(), 7);
    for e in &summary.index {
        let theirs = out
            .lines()
            .find(|l| l.contains(&format!("\"offset\": \"{}\"", e.offset)))
            .unwrap_or_else(|| panic!("cdxj-indexer has no record at offset {}:\n{out}", e.offset));
        let (key, rest) = theirs.split_once(' ').unwrap();
        let (ts, json) = rest.split_once(' ').unwrap();
        let j: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(key, e.urlkey, "urlkey for {}", e.url);
        assert_eq!(ts, e.timestamp);
        assert_eq!(j["length"].as_str().unwrap(), e.length.to_string());
        assert_eq!(j["digest"].as_str().unwrap(), e.digest);
        assert_eq!(j["url"].as_str().unwrap(), e.url);
        if let Some(s) = e.status {
            assert_eq!(
                j["status"].as_str(),
                Some(s.to_string().as_str()),
                "status of {theirs}"
            );
        }
        if let Some(m) = &e.mime {
            assert_eq!(j["mime"].as_str(), Some(m.as_str()), "mime of {theirs}");
        }
        if e.mime.is_none() {
            assert!(
                j.get("mime").is_none(),
                "cdxj-indexer found a mime we did not: {theirs}"
            );
        }
    }
    assert_eq!(
        surt("https://www.example.com/post/?b=2&a=1#frag"),
        "com,example)/post?a=1&b=2"
    );
}

#[test]
fn wacz_validates_and_every_part_checks_out() {
    let (warc, summary, wacz) = build();
    let dir = Dir::new();
    let path = write(&dir, "capture.wacz", &wacz);
    let (rc, out) = run(&dir, Tool::Wacz, &["validate", "-f", &path]);
    assert_eq!(rc, 0, "wacz validate failed:\n{out}");

    let mut zip = zip::ZipArchive::new(Cursor::new(&wacz[..])).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "archive/data.warc.gz",
            "indexes/index.cdx.gz",
            "indexes/index.idx",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json"
        ]
    );
    let mut read = |name: &str| -> (Vec<u8>, zip::CompressionMethod) {
        let mut f = zip.by_name(name).unwrap();
        let m = f.compression();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        (b, m)
    };
    let (archived, method) = read("archive/data.warc.gz");
    assert_eq!(
        method,
        zip::CompressionMethod::Stored,
        "WARC must be STORED"
    );
    assert_eq!(archived, warc);
    let (dp, _) = read("datapackage.json");
    let (dd, _) = read("datapackage-digest.json");
    let (index_gz, method) = read("indexes/index.cdx.gz");
    assert_eq!(
        method,
        zip::CompressionMethod::Stored,
        "the .cdx.gz is STORED"
    );
    let (idx_text, _) = read("indexes/index.idx");
    // ZipNum, as py-wacz writes it: the .idx names the .cdx.gz, then one line per gzip
    // block with its first key, offset, length and SHA-256.
    let idx_text = String::from_utf8(idx_text).unwrap();
    let mut idx_lines = idx_text.lines();
    assert_eq!(
        idx_lines.next().unwrap(),
        r#"!meta 0 {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}"#
    );
    let mut index = Vec::new();
    let mut at = 0usize;
    for l in idx_lines {
        let (prefix, json) = l.split_at(l.find('{').unwrap());
        let j: serde_json::Value = serde_json::from_str(json).unwrap();
        let (off, len) = (
            j["offset"].as_u64().unwrap() as usize,
            j["length"].as_u64().unwrap() as usize,
        );
        assert_eq!(off, at, "blocks follow each other");
        let block = &index_gz[off..off + len];
        assert_eq!(j["digest"].as_str().unwrap(), sha(block));
        let mut lines = Vec::new();
        GzDecoder::new(block).read_to_end(&mut lines).unwrap();
        assert!(
            String::from_utf8_lossy(&lines).starts_with(prefix.trim()),
            "{l}"
        );
        index.extend_from_slice(&lines);
        at += len;
    }
    assert_eq!(at, index_gz.len(), "the .idx covers the whole .cdx.gz");
    let (pages, _) = read("pages/pages.jsonl");

    // datapackage-digest.json → datapackage.json → every resource
    let dd: serde_json::Value = serde_json::from_slice(&dd).unwrap();
    assert_eq!(dd["path"], "datapackage.json");
    assert_eq!(dd["hash"].as_str().unwrap(), sha(&dp));
    let dpj: serde_json::Value = serde_json::from_slice(&dp).unwrap();
    assert_eq!(dpj["profile"], "data-package");
    assert_eq!(dpj["wacz_version"], "1.1.1");
    assert_eq!(dpj["mainPageUrl"], "https://www.example.com/post/?b=2&a=1");
    assert_eq!(dpj["mainPageDate"], "2026-11-22T10:00:02.000Z");
    assert_eq!(dpj["created"], "2026-11-22T10:00:10.000Z");
    let resources = dpj["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 4);
    for r in resources {
        let p = r["path"].as_str().unwrap();
        let (bytes, _) = read(p);
        assert_eq!(r["hash"].as_str().unwrap(), sha(&bytes), "hash of {p}");
        assert_eq!(
            r["bytes"].as_u64().unwrap(),
            bytes.len() as u64,
            "size of {p}"
        );
        assert_eq!(r["name"].as_str().unwrap(), p.rsplit('/').next().unwrap());
    }

    // pages.jsonl: header line + one page
    let pages = String::from_utf8(pages).unwrap();
    let lines: Vec<serde_json::Value> = pages
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        serde_json::json!({"format":"json-pages-1.0","id":"pages","title":"All Pages"})
    );
    assert_eq!(lines[1]["url"], "https://www.example.com/post/?b=2&a=1");
    assert_eq!(lines[1]["ts"], "2026-11-22T10:00:02.000Z");
    assert_eq!(lines[1]["title"], "Post");
    assert_eq!(lines[1]["id"].as_str().unwrap().len(), 32);

    // index: sorted, one line per response/resource, each offset/length is that record
    let index = String::from_utf8(index).unwrap();
    let idx: Vec<&str> = index.lines().collect();
    let mut sorted = idx.clone();
    sorted.sort();
    assert_eq!(idx, sorted, "CDXJ must be sorted");
    assert_eq!(idx.len(), summary.index.len());
    for line in idx {
        let mut parts = line.splitn(3, ' ');
        let (key, ts, json) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        assert_eq!(ts.len(), 14);
        let j: serde_json::Value = serde_json::from_str(json).unwrap();
        let url = j["url"].as_str().unwrap();
        assert_eq!(key, surt(url));
        assert_eq!(j["filename"], "data.warc.gz");
        let off: usize = j["offset"].as_str().unwrap().parse().unwrap();
        let len: usize = j["length"].as_str().unwrap().parse().unwrap();
        let mut rec = Vec::new();
        GzDecoder::new(&warc[off..off + len])
            .read_to_end(&mut rec)
            .unwrap();
        let rec = String::from_utf8_lossy(&rec);
        let (head, _) = rec.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("WARC/1.1\r\n"));
        assert!(
            head.contains("WARC-Type: response") || head.contains("WARC-Type: resource"),
            "index points at a non-response record: {head}"
        );
        assert!(
            head.contains(&format!("WARC-Target-URI: {url}\r\n")),
            "{head}"
        );
        assert!(head.contains(&format!(
            "WARC-Payload-Digest: {}\r\n",
            j["digest"].as_str().unwrap()
        )));
    }
}

#[test]
fn hostile_input_stays_well_formed() {
    // Header injection attempts, an unparseable URL, a method with spaces, garbage
    // headersText, a non-ASCII reason phrase: no panic, and warcio still reads every record.
    let mut e = ex("h1", "not a url\r\nWARC-Type: evil", 1, None);
    e.method = "GET /evil HTTP/1.1\r\n".into();
    e.request_headers = h(&[
        ("X-A\r\nInjected", "v\r\nX-Injected: 1"),
        ("Cookie", "c\r\nX: y"),
    ]);
    e.error = Some("net::ERR_FAILED\r\nWARC-Type: evil".into());
    let mut r = ex(
        "h2",
        "https://exämple.com/ä b?q=ü#x",
        2,
        Some(HttpResponse {
            headers_text: Some("garbage without status line".into()),
            ..resp(
                200,
                "Ökay\r\nX: 1",
                &[("Content-Type", "text/html\r\nX-Evil: 1")],
                Some(b"\x00\xff"),
                2,
            )
        }),
    );
    r.remote_ip = Some("::1\r\nX: 2".into());
    let mut v6 = ex("h3", "https://[::1]:8443/", 3, None);
    v6.remote_ip = Some("[::1]".into());
    v6.error = Some("net::ERR_CONNECTION_REFUSED".into());
    let mut warc = Vec::new();
    let summary = write_warc_gz(&[e, r, v6], &[], &info(), b"seed", &mut warc).unwrap();
    // warcinfo + metadata (non-http URL skipped) + request/response/metadata + request/metadata
    assert_eq!(summary.records, 1 + 1 + 3 + 2);

    let dir = Dir::new();
    let path = write(&dir, "data.warc.gz", &warc);
    let (rc, out) = run(&dir, Tool::Warcio, &["check", "-v", &path]);
    assert_eq!(rc, 0, "warcio check failed:\n{out}");
    assert_eq!(out.matches("digest pass").count(), summary.records, "{out}");
    let (rc, out) = run(&dir, Tool::Warcio, &["index", "-f", "warc-type", &path]);
    assert_eq!(rc, 0, "{out}");
    assert_eq!(
        out.matches("\"warc-type\"").count(),
        summary.records,
        "{out}"
    );
    assert_eq!(out.matches("evil").count(), 0, "{out}");

    let mut text = Vec::new();
    MultiGzDecoder::new(&warc[..])
        .read_to_end(&mut text)
        .unwrap();
    let text = String::from_utf8_lossy(&text);
    assert!(!text.contains("\r\nWARC-Type: evil"));
    assert!(!text.contains("\r\nX-Injected"));
    assert!(text.contains("skipped: not an http(s) URL"));
    assert!(text.contains("url-scheme: unparseable\r\n"));
    assert!(text.contains("remote-ip-unparsed: ::1%0D%0AX: 2\r\n"));
    assert!(text.contains("WARC-IP-Address: ::1\r\n"));
    assert!(!text.contains("\r\nX-Evil"));
    assert!(text.contains("WARC-Target-URI: https://xn--exmple-cua.com/%C3%A4%20b?q=%C3%BC\r\n"));
}

#[test]
fn post_keys_match_cdxj_indexer_post_append() {
    // py-wacz indexes with `--post-append`: POST/PUT bodies become part of the urlkey.
    let post = |id: &str, url: &str, ct: &str, body: &[u8]| {
        let mut e = ex(
            id,
            url,
            3,
            Some(resp(
                200,
                "OK",
                &[("Content-Type", "application/json")],
                Some(b"{\"ok\":true}"),
                3,
            )),
        );
        e.method = "POST".into();
        e.request_headers.push(("Content-Type".into(), ct.into()));
        e.request_headers
            .push(("Content-Length".into(), body.len().to_string()));
        e.request_body = Some(body.to_vec());
        e
    };
    let v = vec![
        post(
            "p1",
            "https://api.example.com/form",
            "application/x-www-form-urlencoded",
            b"q=caf%C3%A9+bar&n=1",
        ),
        post(
            "p2",
            "https://api.example.com/graphql?op=x",
            "application/json",
            br#"{"query":"{ me }","variables":{"id":7,"on":true,"tags":["a","b"],"x":null}}"#,
        ),
        post(
            "p3",
            "https://api.example.com/bin",
            "application/octet-stream",
            b"\x00\x01\xfe\xff",
        ),
        post(
            "p4",
            "https://api.example.com/txt",
            "text/plain;charset=UTF-8",
            b"not json",
        ),
    ];
    let mut warc = Vec::new();
    let summary = write_warc_gz(&v, &[], &info(), b"seed", &mut warc).unwrap();
    let dir = Dir::new();
    let path = write(&dir, "data.warc.gz", &warc);
    let (rc, out) = run(&dir, Tool::CdxjIndexer, &["--post-append", &path]);
    assert_eq!(rc, 0, "cdxj-indexer failed:\n{out}");
    assert_eq!(summary.index.len(), 4);
    for e in &summary.index {
        let theirs = out
            .lines()
            .find(|l| l.contains(&format!("\"offset\": \"{}\"", e.offset)))
            .unwrap_or_else(|| panic!("no record at offset {}:\n{out}", e.offset));
        let (key, rest) = theirs.split_once(' ').unwrap();
        let j: serde_json::Value = serde_json::from_str(rest.split_once(' ').unwrap().1).unwrap();
        assert_eq!(key, e.urlkey, "urlkey for {}", e.url);
        assert_eq!(j["method"].as_str(), e.method.as_deref(), "{theirs}");
        assert_eq!(
            j["requestBody"].as_str(),
            e.request_body.as_deref(),
            "{theirs}"
        );
    }
}
