//! A small web server on 127.0.0.1 for capture tests: static pages, a redirect, a 404,
//! and optionally HTTPS with a self-signed certificate (rcgen + rustls).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Server {
    pub base: String,
    /// SHA-256 (hex) of the DER certificate served, for HTTPS.
    pub cert_sha256: Option<String>,
    /// Set by [`Server::stop`]: the accept loop ends and the port closes.
    stopped: Arc<AtomicBool>,
}

impl Server {
    /// Stop serving: the listener is closed (a new connection is refused) once this returns.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let addr = self.base.rsplit('/').next().unwrap().to_string();
        // Wake the blocking accept so that it sees the flag and drops the listener.
        let _ = TcpStream::connect(&addr);
        for _ in 0..100 {
            if TcpStream::connect(&addr).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("the test web server at {addr} did not stop");
    }
}

/// The body the server sends for `path` (what a replay must give back byte for byte).
pub fn body(path: &str) -> Vec<u8> {
    respond(path).3
}

/// Accept connections on `l` until `stopped` is set, handing each to `serve`.
fn accept_loop(
    l: TcpListener,
    stopped: Arc<AtomicBool>,
    serve: impl Fn(TcpStream) + Send + 'static,
) {
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            if stopped.load(Ordering::SeqCst) {
                break;
            }
            serve(c);
        }
    });
}

fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(120, 90, |x, y| {
        image::Rgb([
            (x as u8).wrapping_mul(seed),
            (y as u8).wrapping_mul(3),
            seed,
        ])
    });
    let mut buf = std::io::Cursor::new(Vec::new());
    img.write_to(&mut buf, image::ImageFormat::Png).unwrap();
    buf.into_inner()
}

const PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Evidence test page</title></head>
<body><h1>Harassment post</h1><p>Visible text of the post.</p><img src="/img/top.png" alt="top">
<a href="/other">a link</a><iframe src="/frame"></iframe>
<div style="height:4000px"></div>
<img loading="lazy" src="/img/lazy.png" alt="lazy">
<p id="late"></p>
<script>setTimeout(function(){document.getElementById('late').textContent='Inserted by JavaScript later';}, 400);</script>
</body></html>"#;

fn respond(path: &str) -> (u16, &'static str, Vec<(&'static str, String)>, Vec<u8>) {
    match path {
        "/" | "/page" => (
            200,
            "text/html; charset=utf-8",
            vec![],
            PAGE.as_bytes().to_vec(),
        ),
        "/img/top.png" => (200, "image/png", vec![], png(7)),
        "/img/lazy.png" => (200, "image/png", vec![], png(13)),
        "/alert" => (200, "text/html", vec![], b"<script>alert('you have been warned'); document.write('<p>after the alert</p>');</script>".to_vec()),
        "/frame" => (
            200,
            "text/html",
            vec![],
            b"<p>inside the iframe</p>".to_vec(),
        ),
        "/old" => (
            302,
            "text/html",
            vec![("Location", "/page".to_string())],
            b"moved".to_vec(),
        ),
        "/download" => (
            200,
            "application/octet-stream",
            vec![(
                "Content-Disposition",
                "attachment; filename=\"video.mp4\"".to_string(),
            )],
            vec![0u8; 4096],
        ),
        "/removed" => (
            404,
            "text/html",
            vec![],
            b"<h1>This content has been removed</h1>".to_vec(),
        ),
        _ => (404, "text/plain", vec![], b"not found".to_vec()),
    }
}

fn handle(mut s: impl Read + Write) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut tmp) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
        }
        if buf.len() > 65536 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let path = head
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    let (status, ct, extra, body) = respond(&path);
    let reason = match status {
        200 => "OK",
        302 => "Found",
        _ => "Not Found",
    };
    let mut h = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in extra {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    let _ = s.write_all(h.as_bytes());
    let _ = s.write_all(&body);
    let _ = s.flush();
}

pub fn start_http() -> Server {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let stopped = Arc::new(AtomicBool::new(false));
    accept_loop(l, stopped.clone(), |c| {
        std::thread::spawn(move || handle(c));
    });
    Server {
        base,
        cert_sha256: None,
        stopped,
    }
}

pub fn start_https() -> Server {
    use sha2::Digest;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ck =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let der = ck.cert.der().to_vec();
    let sha = hex::encode(sha2::Sha256::digest(&der));
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let cfg = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![rustls::pki_types::CertificateDer::from(der)], key)
        .unwrap();
    let cfg = Arc::new(cfg);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("https://{}", l.local_addr().unwrap());
    let stopped = Arc::new(AtomicBool::new(false));
    accept_loop(l, stopped.clone(), move |c| {
        let cfg = cfg.clone();
        std::thread::spawn(move || {
            let Ok(conn) = rustls::ServerConnection::new(cfg) else {
                return;
            };
            let stream: TcpStream = c;
            handle(rustls::StreamOwned::new(conn, stream));
        });
    });
    Server {
        base,
        cert_sha256: Some(sha),
        stopped,
    }
}
