//! A notice as an RFC 5322 e-mail message: MIME (RFC 2045/2046) `multipart/alternative`
//! with the notice as `text/plain` and `text/html` (UTF-8, base64), headers with non-ASCII
//! text as RFC 2047 encoded words, CRLF line ends. No attachments (never the media).

use base64::Engine;
use chrono::{DateTime, Utc};

use crate::report::i18n::Lang;

use super::NoticeDoc;
use super::render;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Encoded words (`=?UTF-8?B?…?=`) for `text`, each under 76 characters, split only
/// between characters, joined by folding whitespace.
pub fn encode_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", B64.encode(&chunk)));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() || words.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", B64.encode(&chunk)));
    }
    words.join("\r\n ")
}

/// Base64 in lines of 76 characters, CRLF-terminated.
fn body_base64(bytes: &[u8]) -> String {
    let s = B64.encode(bytes);
    let mut out = String::with_capacity(s.len() + s.len() / 38);
    for chunk in s.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push_str("\r\n");
    }
    out
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    if getrandom::fill(&mut b).is_err() {
        // Not a secret: only uniqueness; fall back to the time.
        let t = Utc::now().timestamp_nanos_opt().unwrap_or(0).to_be_bytes();
        for (i, x) in b.iter_mut().enumerate() {
            *x = t[i % t.len()] ^ (i as u8);
        }
    }
    hex::encode(b)
}

/// The message: From the notifier, To the platform (`to_email`, else the platform's name
/// as an empty group), Subject, Date, Message-ID, MIME-Version; text and HTML parts.
pub fn message(doc: &NoticeDoc, l: Lang, to_email: Option<&str>, date: &DateTime<Utc>) -> Vec<u8> {
    let boundary = format!("=_sigillo_{}", random_hex(12));
    let domain = doc
        .notifier
        .email
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("sigillo.invalid");
    let to = match to_email {
        Some(a) => format!("{} <{a}>", encode_words(&doc.recipient)),
        None => format!("{}:;", encode_words(&doc.recipient)),
    };
    let mut m = String::new();
    let mut h = |k: &str, v: &str| {
        m.push_str(k);
        m.push_str(": ");
        m.push_str(v);
        m.push_str("\r\n");
    };
    h(
        "From",
        &format!(
            "{} <{}>",
            encode_words(&doc.notifier.name),
            doc.notifier.email
        ),
    );
    h("To", &to);
    h("Subject", &encode_words(&render::subject(doc, l)));
    h("Date", &date.to_rfc2822());
    h(
        "Message-ID",
        &format!("<notice.{}@{domain}>", random_hex(16)),
    );
    h("MIME-Version", "1.0");
    h("Content-Language", l.code());
    h(
        "Content-Type",
        &format!("multipart/alternative; boundary=\"{boundary}\""),
    );
    h(
        "X-Mailer",
        &format!("sigillo {}", env!("CARGO_PKG_VERSION")),
    );
    m.push_str("\r\n");
    m.push_str("This is a MIME message: a notice under Regulation (EU) 2022/2065, Art. 16.\r\n");
    for (ct, body) in [
        ("text/plain", render::text(doc, l)),
        ("text/html", render::html(doc, l)),
    ] {
        m.push_str(&format!("\r\n--{boundary}\r\n"));
        m.push_str(&format!("Content-Type: {ct}; charset=utf-8\r\n"));
        m.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        m.push_str(&body_base64(body.as_bytes()));
    }
    m.push_str(&format!("\r\n--{boundary}--\r\n"));
    m.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_are_short_and_split_between_characters() {
        let s = "Città di Niccolò — ".repeat(10);
        let enc = encode_words(&s);
        let mut back = Vec::new();
        for w in enc.split("\r\n ") {
            assert!(w.len() < 76, "{w}");
            let inner = w
                .strip_prefix("=?UTF-8?B?")
                .unwrap()
                .strip_suffix("?=")
                .unwrap();
            let bytes = B64.decode(inner).unwrap();
            assert!(std::str::from_utf8(&bytes).is_ok());
            back.extend(bytes);
        }
        assert_eq!(String::from_utf8(back).unwrap(), s);
        // A line break in a name cannot start a header: it is inside the base64.
        assert!(!encode_words("a\r\nBcc: x@y").contains("Bcc"));
    }
}
