//! Login secrets of an interactive session, replaced by their SHA-256 before anything is
//! recorded: a court can check a value it is given (hash it and compare), but the bundle
//! never holds it in clear.
//!
//! - the values of `Authorization`, `Proxy-Authorization`, `Cookie` and `Set-Cookie`
//!   headers, requests and responses, parsed headers and raw header blocks alike, become
//!   `sha256:<hex>` (of the value as sent);
//! - a request body that carries a password-like field (form-urlencoded, multipart or JSON
//!   with a key containing `pass`, `pwd`, `otp` or `secret`) becomes `sha256:<hex>` of the
//!   whole body;
//! - in a URL's query, the value of such a key becomes `sha256:<hex>` of the value;
//! - the body of a request sent by submitting a form that holds an `input[type=password]`,
//!   whatever its field names, becomes `sha256:<hex>` of the whole body: a script added
//!   to every page of the session ([`watch_password_forms`]) tells sigillo, through a CDP
//!   binding, the action URL of such a form when it is submitted.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use headless_chrome::Tab;
use headless_chrome::protocol::cdp::{Page, Runtime};
use url::Url;

use crate::browser::chrome_err;
use crate::error::Result;

use crate::acquire::web::exchange::HttpExchange;
use crate::evidence::hash::sha256_hex;

/// Headers whose values are secrets of the session.
pub const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// How many values were replaced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Redacted {
    /// Header values (parsed headers and lines of raw header blocks).
    pub headers: usize,
    /// Request bodies with a password-like field.
    pub bodies: usize,
    /// URL query values of password-like keys.
    pub query_values: usize,
}

impl Redacted {
    /// The transformation lines to record, one per kind that occurred.
    pub fn transformations(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.headers > 0 {
            v.push(format!("replaced the values of {} Authorization, Proxy-Authorization, Cookie and Set-Cookie header(s) of the interactive session by their SHA-256 (sha256:<hex> of the value as sent), in every recorded header (WARC, facts)", self.headers));
        }
        if self.bodies > 0 {
            v.push(format!("replaced {} request body(ies) carrying a password-like field (key containing pass, pwd, otp or secret, or sent by a form holding a password input) by the SHA-256 of the whole body (sha256:<hex>)", self.bodies));
        }
        if self.query_values > 0 {
            v.push(format!("replaced {} URL query value(s) of password-like keys by their SHA-256 (sha256:<hex>)", self.query_values));
        }
        v
    }
}

fn hashed(v: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(v))
}

/// A key that names a password, one-time code or other secret.
pub fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    ["pass", "pwd", "otp", "secret"]
        .iter()
        .any(|s| k.contains(s))
}

/// The action URLs (credentials masked) of forms with a password field that were
/// submitted in the session.
#[derive(Debug, Default)]
pub struct PasswordForms(Mutex<BTreeSet<String>>);

impl PasswordForms {
    fn contains(&self, url: &str) -> bool {
        self.0.lock().map(|s| s.contains(url)).unwrap_or(false)
    }
}

/// The binding the page script calls (`Runtime.addBinding`).
const BINDING: &str = "__sigilloPasswordForm";

/// Added to every document: on the submission of a form holding a password field (the
/// `submit` event, and `form.submit()` called by a script), report the form's action URL.
/// It changes nothing else on the page.
const WATCH_JS: &str = r#"(() => {
  const report = (f) => {
    try {
      if (f && f.querySelector && f.querySelector('input[type=password]')) {
        window.__sigilloPasswordForm(String(f.action || location.href));
      }
    } catch (_) {}
  };
  document.addEventListener('submit', (e) => report(e.target), true);
  const submit = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function () { report(this); return submit.call(this); };
})()"#;

/// Watch `tab` for submitted password forms (before its first navigation). The binding
/// goes through headless_chrome's own binding table (`expose_function`): its event loop
/// expects every binding it is told about to be listed there.
pub fn watch_password_forms(tab: &Arc<Tab>) -> Result<Arc<PasswordForms>> {
    let forms: Arc<PasswordForms> = Arc::default();
    let f2 = forms.clone();
    let what = "the interactive session";
    tab.call_method(Runtime::Enable(None))
        .map_err(|e| chrome_err("enabling the runtime domain", what, e))?;
    tab.expose_function(
        BINDING,
        Arc::new(move |data: serde_json::Value| {
            // A raw binding call carries the URL; headless_chrome's wrapper (in the
            // document open when the binding was added) wraps it as {name, seq, args}.
            let raw = data.as_str().unwrap_or_default().to_string();
            let url = serde_json::from_str::<serde_json::Value>(&raw)
                .ok()
                .and_then(|v| v["args"][0].as_str().map(str::to_string))
                .unwrap_or(raw);
            if let Ok(mut s) = f2.0.lock() {
                s.insert(crate::text::mask_url(&url));
            }
        }),
    )
    .map_err(|e| chrome_err("adding the password-form binding", what, e))?;
    tab.call_method(Page::AddScriptToEvaluateOnNewDocument {
        source: WATCH_JS.into(),
        world_name: None,
        include_command_line_api: None,
        run_immediately: None,
    })
    .map_err(|e| chrome_err("adding the password-form watcher", what, e))?;
    Ok(forms)
}

/// Replace the secrets in every exchange (see the module documentation); `forms`: the
/// password forms submitted in the session.
pub fn redact(exchanges: &mut [HttpExchange], forms: Option<&PasswordForms>) -> Redacted {
    let mut n = Redacted::default();
    for x in exchanges.iter_mut() {
        let from_password_form = x.method == "POST" && forms.is_some_and(|f| f.contains(&x.url));
        x.url = redact_url(&x.url, &mut n.query_values);
        n.headers += redact_headers(&mut x.request_headers);
        if let Some(r) = x.response.as_mut() {
            n.headers += redact_headers(&mut r.headers);
            if let Some(t) = r.headers_text.as_mut() {
                n.headers += redact_header_block(t);
            }
        }
        if let Some(b) = &x.request_body
            && (from_password_form || body_has_secret(b, &content_type(&x.request_headers)))
        {
            x.request_body = Some(hashed(b).into_bytes());
            n.bodies += 1;
        }
    }
    n
}

fn content_type(h: &[(String, String)]) -> String {
    h.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default()
}

fn redact_headers(h: &mut [(String, String)]) -> usize {
    let mut n = 0;
    for (k, v) in h.iter_mut() {
        if SECRET_HEADERS.contains(&k.to_ascii_lowercase().as_str()) && !v.starts_with("sha256:") {
            *v = hashed(v.as_bytes());
            n += 1;
        }
    }
    n
}

/// Lines `Name: value` of a raw header block.
fn redact_header_block(t: &mut String) -> usize {
    let mut n = 0;
    let out: Vec<String> = t
        .split("\r\n")
        .map(|line| match line.split_once(':') {
            Some((k, v)) if SECRET_HEADERS.contains(&k.trim().to_ascii_lowercase().as_str()) => {
                n += 1;
                format!("{k}: {}", hashed(v.trim().as_bytes()))
            }
            _ => line.to_string(),
        })
        .collect();
    *t = out.join("\r\n");
    n
}

/// Whether a request body carries a password-like field.
pub fn body_has_secret(b: &[u8], content_type: &str) -> bool {
    if (content_type.contains("json") || b.first() == Some(&b'{'))
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(b)
    {
        return json_has_secret(&v);
    }
    if url::form_urlencoded::parse(b).any(|(k, _)| is_secret_key(&k)) {
        return true;
    }
    // multipart/form-data and anything else: a field named like a secret.
    let text = String::from_utf8_lossy(b).to_ascii_lowercase();
    text.match_indices("name=\"").any(|(i, _)| {
        let rest = &text[i + 6..];
        rest.find('"')
            .is_some_and(|end| is_secret_key(&rest[..end]))
    })
}

fn json_has_secret(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .any(|(k, v)| is_secret_key(k) || json_has_secret(v)),
        serde_json::Value::Array(a) => a.iter().any(json_has_secret),
        _ => false,
    }
}

/// `u` with the values of password-like query keys replaced by their SHA-256.
pub fn redact_url(u: &str, count: &mut usize) -> String {
    let Ok(mut parsed) = Url::parse(u) else {
        return u.to_string();
    };
    if !parsed.query_pairs().any(|(k, _)| is_secret_key(&k)) {
        return u.to_string();
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            if is_secret_key(&k) {
                *count += 1;
                (k.into_owned(), hashed(v.as_bytes()))
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_password_fields_in_every_body_kind() {
        assert!(body_has_secret(
            b"user=a&password=hunter2",
            "application/x-www-form-urlencoded"
        ));
        assert!(body_has_secret(
            br#"{"login":{"user":"a","passwd":"x"}}"#,
            "application/json"
        ));
        assert!(body_has_secret(
            b"--b\r\nContent-Disposition: form-data; name=\"otp\"\r\n\r\n123456\r\n--b--",
            "multipart/form-data; boundary=b"
        ));
        assert!(!body_has_secret(b"q=cats&page=2", ""));
        assert!(!body_has_secret(br#"{"q":"cats"}"#, "application/json"));
    }

    #[test]
    fn header_values_and_raw_blocks_are_hashed() {
        let mut t =
            "HTTP/1.1 303 See Other\r\nSet-Cookie: sid=abc\r\nLocation: /p\r\n\r\n".to_string();
        assert_eq!(redact_header_block(&mut t), 1);
        assert!(!t.contains("sid=abc"));
        assert!(t.contains(&format!("Set-Cookie: {}", hashed(b"sid=abc"))));
        assert!(t.contains("Location: /p"));
        let mut h = vec![("cookie".to_string(), "sid=abc".to_string())];
        assert_eq!(redact_headers(&mut h), 1);
        assert_eq!(h[0].1, hashed(b"sid=abc"));
        let mut n = 0;
        let u = redact_url("https://x.test/l?user=a&pwd=s3cret", &mut n);
        assert_eq!(n, 1);
        assert!(!u.contains("s3cret") && u.contains("user=a"));
    }
}
