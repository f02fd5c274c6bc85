//! One HTTP request and its response, as the browser saw them.
//!
//! The capture layer fills these from Chrome DevTools Protocol events of the very
//! session that rendered the page (never a reload); the WARC writer turns them into
//! `request`/`response` records.

use chrono::{DateTime, Utc};

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
    pub body: Option<Vec<u8>>,
    /// True when `body` is the decoded body rather than the bytes on the wire.
    pub body_is_decoded: bool,
    /// When the response headers arrived.
    pub response_time: DateTime<Utc>,
    /// Served from the browser's memory or disk cache.
    pub from_cache: bool,
}
