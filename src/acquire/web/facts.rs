//! The network facts of a web capture, as types: serialised into the item manifest's
//! `facts` map with exactly the keys documented in `docs/web-capture.md`.
//!
//! Also the fact-gathering that needs no browser: the certificate chain's details, the
//! system resolver's answer and the independent second fetch.

use std::net::ToSocketAddrs;

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::evidence::hash::sha256_hex;
use crate::time::{Stamp, rfc3339};

/// Everything `facts` holds for a web item, in manifest order.
#[derive(Debug, Clone, Serialize)]
pub struct WebFacts {
    /// URL of the page when it was captured (after redirects; credentials masked).
    pub final_url: String,
    /// Redirect hops, in order.
    pub redirects: Vec<Redirect>,
    /// What CDP reported, so silent gaps show.
    pub network_reconciliation: Reconciliation,
    /// Every server address the browser talked to.
    pub server_ips: Vec<String>,
    /// The main document's response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_document: Option<MainDocument>,
    /// TLS session and certificate chain of the main document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsFacts>,
    /// The host's addresses from the system resolver.
    pub dns: DnsFacts,
    /// The browser that captured.
    pub browser: BrowserFacts,
    /// A logged-in session (cookies file or profile) was used.
    pub authenticated_session: bool,
    /// `--cookies` was given.
    pub cookies_file_used: bool,
    /// `--profile` was given.
    pub profile_used: bool,
    /// The page as rendered.
    pub page: PageFacts,
    /// When the screenshots were taken (local clock, RFC 3339).
    pub captured_at: String,
    /// JavaScript dialogs that were accepted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub javascript_dialogs: Vec<Dialog>,
    /// The independent second fetch.
    pub second_fetch: SecondFetch,
    /// The WARC written from the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc: Option<WarcFacts>,
    /// Where and why `--scroll-until-end` stopped (only with that flag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scroll_until_end: Option<crate::acquire::web::feed::FeedFacts>,
    /// HLS/DASH streams the page played (docs/web-capture.md, "Video streams").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub video_streams: Vec<crate::acquire::web::stream::StreamFacts>,
    /// What `--yt-dlp` did, when it was given.
    pub yt_dlp: Option<crate::acquire::web::stream::YtDlpFacts>,
    /// The text of the header strip of `derived/screenshot-full-annotated.png`, line by
    /// line (`sigillo capture · UTC time · item ID`, then the URL); absent when there is
    /// no annotated screenshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_strip: Option<Vec<String>>,
}

impl WebFacts {
    /// The manifest's `facts` map.
    pub fn to_map(&self) -> Result<Map<String, Value>> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(Error::internal("web facts did not serialise to an object")),
            Err(e) => Err(Error::internal(format!("web facts: {e}"))),
        }
    }
}

/// One redirect hop.
#[derive(Debug, Clone, Serialize)]
pub struct Redirect {
    /// URL that answered with a redirect.
    pub url: String,
    /// Its status.
    pub status: u32,
    /// Where it sent the browser.
    pub location: String,
}

/// Counts of what the DevTools events reported.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    /// Requests announced (`requestWillBeSent`, redirect hops included).
    pub requests_seen: usize,
    /// `responseReceived` events.
    pub responses_seen: usize,
    /// `loadingFinished` events.
    pub loading_finished: usize,
    /// `loadingFailed` events.
    pub loading_failed: usize,
    /// Responses whose body was recorded.
    pub bodies_recorded: usize,
    /// Every request ended (finished or failed).
    pub complete: bool,
    /// URLs of requests still open when the page was captured (at most 50).
    pub still_pending_at_capture: Vec<String>,
    /// URLs of requests whose DevTools time was not a valid time (their WARC-Date is the
    /// time sigillo received the event instead).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests_without_valid_time: Vec<String>,
}

/// The main document's response.
#[derive(Debug, Clone, Serialize)]
pub struct MainDocument {
    /// Its URL.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Reason phrase.
    pub status_text: String,
    /// Protocol (`http/1.1`, `h2` …).
    pub protocol: String,
    /// Response headers, `[name, value]` pairs.
    pub headers: Vec<(String, String)>,
    /// Server address.
    pub remote_ip: Option<String>,
    /// Server port.
    pub remote_port: Option<u16>,
    /// MIME type Chromium determined.
    pub mime_type: String,
    /// SHA-256 of the body as the browser received it.
    pub body_sha256: Option<String>,
}

/// TLS of the main document: the session (from the browser's security details) and the
/// certificate chain (from `Network.getCertificate`), either of which may be missing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TlsFacts {
    /// The session's parameters.
    #[serde(flatten)]
    pub session: Option<TlsSession>,
    /// Every certificate, leaf first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Vec<Certificate>>,
}

/// TLS session parameters as Chromium reported them.
#[derive(Debug, Clone, Serialize)]
pub struct TlsSession {
    /// `TLS 1.3` …
    pub protocol: String,
    /// Key exchange.
    pub key_exchange: String,
    /// Key exchange group.
    pub key_exchange_group: Option<String>,
    /// Cipher.
    pub cipher: String,
    /// Leaf subject.
    pub subject: String,
    /// Leaf issuer.
    pub issuer: String,
    /// Leaf SANs.
    pub sans: Vec<String>,
    /// Validity start; `null` when Chromium's value was not a valid time.
    pub valid_from: Option<String>,
    /// Validity end; `null` when Chromium's value was not a valid time.
    pub valid_to: Option<String>,
    /// Number of signed certificate timestamps.
    pub signed_certificate_timestamps: usize,
}

/// One certificate of the chain.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Certificate {
    /// Parsed as X.509.
    Parsed {
        /// Subject DN.
        subject: String,
        /// Issuer DN.
        issuer: String,
        /// Subject alternative names.
        sans: Vec<String>,
        /// Validity start.
        not_before: String,
        /// Validity end.
        not_after: String,
        /// Serial number, hex.
        serial: String,
        /// SHA-256 of the DER.
        sha256: String,
        /// Length of the DER.
        der_len: usize,
    },
    /// Not parseable: only its hash.
    Raw {
        /// SHA-256 of the DER.
        sha256: String,
    },
}

/// What the system resolver said about the host at capture time.
#[derive(Debug, Clone, Serialize)]
pub struct DnsFacts {
    /// Host name.
    pub host: String,
    /// Addresses, sorted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<String>>,
    /// Why resolution failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Which resolver.
    pub resolver: &'static str,
    /// When (local clock).
    pub at: String,
}

/// The browser that captured.
#[derive(Debug, Clone, Serialize)]
pub struct BrowserFacts {
    /// `Browser.getVersion` product.
    pub product: String,
    /// Executable path.
    pub executable: String,
    /// User agent sent.
    pub user_agent: String,
    /// Viewport.
    pub viewport: Viewport,
    /// Always true.
    pub headless: bool,
    /// A fresh profile (no `--profile`).
    pub fresh_profile: bool,
    /// `--insecure`.
    pub insecure_tls_accepted: bool,
}

/// A viewport size in CSS pixels.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Viewport {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// The page as rendered.
#[derive(Debug, Clone, Serialize)]
pub struct PageFacts {
    /// `document.title` (`null` if it could not be read).
    pub title: Option<String>,
    /// Link targets (at most 5000).
    pub links: Vec<String>,
    /// Content width in CSS pixels.
    pub content_width: u64,
    /// Content height in CSS pixels (capped at 30000).
    pub content_height: u64,
}

/// A JavaScript dialog that was accepted (its text only as a hash).
#[derive(Debug, Clone, Serialize)]
pub struct Dialog {
    /// `Alert`, `Confirm`, `Prompt`, `Beforeunload`.
    #[serde(rename = "type")]
    pub kind: String,
    /// SHA-256 of the message.
    pub message_sha256: String,
    /// Message length in bytes.
    pub message_length: usize,
}

/// The WARC written from the session.
#[derive(Debug, Clone, Serialize)]
pub struct WarcFacts {
    /// Number of records.
    pub records: usize,
    /// Request headers removed, `[name, count]`.
    pub stripped_request_headers: Vec<(String, usize)>,
}

/// The URL fetched again without the browser.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum SecondFetch {
    /// A response arrived.
    Fetched(Box<Fetched>),
    /// No response.
    Failed {
        /// Why.
        error: String,
        /// When it was tried (absent when the client could not even be built).
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<String>,
    },
}

/// A response of the second fetch.
#[derive(Debug, Clone, Serialize)]
pub struct Fetched {
    /// The HTTP client.
    pub client: &'static str,
    /// When (local clock).
    pub at: String,
    /// HTTP status.
    pub status: u16,
    /// URL after redirects (credentials masked).
    pub final_url: String,
    /// Server address.
    pub remote_addr: Option<String>,
    /// HTTP version.
    pub http_version: String,
    /// Response headers, `[name, value]` pairs.
    pub headers: Vec<(String, String)>,
    /// SHA-256 of the body as served.
    pub body_sha256: String,
    /// Body length.
    pub body_size: usize,
    /// SHA-256 of the TLS peer certificate.
    pub tls_peer_certificate_sha256: Option<String>,
    /// Whether the body equals the main document body the browser received.
    pub same_body_as_browser: Option<bool>,
    /// A reminder that differences are normal.
    pub note: &'static str,
    /// Reading the body failed part-way (the body is then what was read).
    pub read_error: Option<String>,
}

/// Parse Chromium's certificate table (base64 DER, leaf first): the PEM chain and the facts.
pub fn certificate_chain(table: &[String]) -> (String, Vec<Certificate>) {
    let b64 = &base64::engine::general_purpose::STANDARD;
    let mut pem = String::new();
    let mut facts = Vec::new();
    for entry in table {
        let Ok(der_bytes) = b64.decode(entry.as_bytes()) else {
            continue;
        };
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        let enc = b64.encode(&der_bytes);
        for chunk in enc.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).unwrap_or(""));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        facts.push(certificate(&der_bytes));
    }
    (pem, facts)
}

fn certificate(der_bytes: &[u8]) -> Certificate {
    use der::{Decode, Encode};
    use x509_cert::ext::pkix::name::GeneralName;
    let Ok(c) = x509_cert::Certificate::from_der(der_bytes) else {
        return Certificate::Raw {
            sha256: sha256_hex(der_bytes),
        };
    };
    let t = &c.tbs_certificate;
    let sans: Vec<String> = t
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id.to_string() == "2.5.29.17")
        .filter_map(|e| {
            x509_cert::ext::pkix::SubjectAltName::from_der(e.extn_value.as_bytes()).ok()
        })
        .flat_map(|s| s.0.into_iter())
        .map(|n| match n {
            GeneralName::DnsName(d) => d.to_string(),
            GeneralName::IpAddress(ip) => {
                let b = ip.as_bytes();
                if b.len() == 4 {
                    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
                } else {
                    hex::encode(b)
                }
            }
            other => format!("{other:?}"),
        })
        .collect();
    let time = |t: &x509_cert::time::Time| rfc3339(&DateTime::<Utc>::from(t.to_system_time()));
    Certificate::Parsed {
        subject: t.subject.to_string(),
        issuer: t.issuer.to_string(),
        sans,
        not_before: time(&t.validity.not_before),
        not_after: time(&t.validity.not_after),
        serial: hex::encode(t.serial_number.as_bytes()),
        sha256: sha256_hex(der_bytes),
        der_len: c.to_der().map(|d| d.len()).unwrap_or(der_bytes.len()),
    }
}

/// Ask the system resolver for the URL's host.
pub fn dns_facts(u: &url::Url) -> DnsFacts {
    let host = u.host_str().unwrap_or("").to_string();
    let port = u.port_or_known_default().unwrap_or(80);
    let at = Stamp::now().rfc3339();
    let (addresses, error) = match (host.as_str(), port).to_socket_addrs() {
        Ok(addrs) => {
            let mut v: Vec<String> = addrs.map(|a| a.ip().to_string()).collect();
            v.sort();
            v.dedup();
            (Some(v), None)
        }
        Err(e) => (None, Some(e.to_string())),
    };
    DnsFacts {
        host,
        addresses,
        error,
        resolver: "system (getaddrinfo)",
        at,
    }
}

/// How the second fetch is made.
pub struct SecondFetchRequest<'a> {
    /// URL to fetch (may hold credentials: reqwest uses them for basic authentication).
    pub url: &'a str,
    /// Timeout.
    pub timeout: std::time::Duration,
    /// Accept invalid certificates.
    pub insecure: bool,
    /// User agent (default: sigillo/VERSION).
    pub user_agent: Option<String>,
    /// The main document body the browser received, to compare.
    pub browser_body: Option<&'a [u8]>,
    /// Masks credentials in URLs before they are recorded.
    pub mask: &'a dyn Fn(&str) -> String,
}

/// Fetch the URL again without the browser: the bytes as served, headers, TLS peer certificate.
pub fn second_fetch(r: &SecondFetchRequest) -> (SecondFetch, Option<Vec<u8>>) {
    let client = match crate::net::client_builder()
        .timeout(r.timeout)
        .tls_info(true)
        .danger_accept_invalid_certs(r.insecure)
        .redirect(reqwest::redirect::Policy::limited(10))
        .user_agent(
            r.user_agent
                .clone()
                .unwrap_or_else(|| format!("{}/{}", crate::TOOL_NAME, crate::TOOL_VERSION)),
        )
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            let error = (r.mask)(&e.to_string());
            return (SecondFetch::Failed { error, at: None }, None);
        }
    };
    let at = Stamp::now().rfc3339();
    let resp = match client.get(r.url).send() {
        Ok(resp) => resp,
        Err(e) => {
            let error = (r.mask)(&e.to_string());
            return (
                SecondFetch::Failed {
                    error,
                    at: Some(at),
                },
                None,
            );
        }
    };
    let status = resp.status().as_u16();
    let final_url = (r.mask)(resp.url().as_str());
    let remote_addr = resp.remote_addr().map(|a| a.to_string());
    let http_version = format!("{:?}", resp.version());
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let peer = resp
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|i| i.peer_certificate())
        .map(sha256_hex);
    let mut body = Vec::new();
    use std::io::Read;
    let read = resp.take(512 << 20).read_to_end(&mut body);
    let body_sha256 = sha256_hex(&body);
    let same = r.browser_body.map(|b| sha256_hex(b) == body_sha256);
    let fetched = Fetched {
        client: "reqwest (no automatic decompression)",
        at,
        status,
        final_url,
        remote_addr,
        http_version,
        headers,
        body_size: body.len(),
        body_sha256,
        tls_peer_certificate_sha256: peer,
        same_body_as_browser: same,
        note: "a page may differ per request (ads, tokens, compression): a difference is recorded, not an error",
        read_error: read.err().map(|e| e.to_string()),
    };
    (SecondFetch::Fetched(Box::new(fetched)), Some(body))
}
