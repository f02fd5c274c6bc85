//! The capture tests' site on 127.0.0.1 (served by [`super::http`]): static pages, a
//! redirect, a 404, a download, and optionally HTTPS with a self-signed certificate
//! (rcgen + rustls).
#![allow(dead_code)]

use std::sync::Arc;

use super::http::{self, Reply, png};

pub struct Server {
    pub base: String,
    /// SHA-256 (hex) of the DER certificate served, for HTTPS.
    pub cert_sha256: Option<String>,
    inner: http::Server,
}

impl Server {
    /// Stop serving: the listener is closed (a new connection is refused) once this returns.
    pub fn stop(&self) {
        self.inner.stop()
    }
}

/// The body the server sends for `path` (what a replay must give back byte for byte).
pub fn body(path: &str) -> Vec<u8> {
    respond(path).body
}

const PAGE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Evidence test page</title></head>
<body><h1>Harassment post</h1><p>Visible text of the post.</p><img src="/img/top.png" alt="top">
<a href="/other">a link</a><iframe src="/frame"></iframe>
<div style="height:4000px"></div>
<img loading="lazy" src="/img/lazy.png" alt="lazy">
<p id="late"></p>
<script>setTimeout(function(){document.getElementById('late').textContent='Inserted by JavaScript later';}, 400);</script>
</body></html>"#;

fn respond(path: &str) -> Reply {
    let (status, ct, extra, body) = table(path);
    extra
        .into_iter()
        .fold(Reply::new(status, ct, body), |r, (k, v)| r.with(k, &v))
}

/// What each path answers: status, content type, more headers, body.
fn table(path: &str) -> (u16, &'static str, Vec<(&'static str, String)>, Vec<u8>) {
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

pub fn start_http() -> Server {
    let inner = http::serve(|r| respond(&r.path));
    Server {
        base: inner.base.clone(),
        cert_sha256: None,
        inner,
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
    let inner = http::serve_tls(Arc::new(cfg), |r| respond(&r.path));
    Server {
        base: inner.base.clone(),
        cert_sha256: Some(sha),
        inner,
    }
}
