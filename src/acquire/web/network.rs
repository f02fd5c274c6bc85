//! The network recorder: turns the DevTools events of the capture session into
//! [`HttpExchange`]s, the redirect chain, the main document's TLS session and the
//! reconciliation counts. URLs are masked (credentials) as they arrive, so nothing
//! downstream (facts, WARC, WACZ) ever holds a password.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use headless_chrome::protocol::cdp::Network;
use headless_chrome::protocol::cdp::types::Event;
use serde_json::Value;

use super::exchange::{HttpExchange, HttpResponse};
use super::facts::{Reconciliation, Redirect, TlsSession};
use crate::time::rfc3339;

/// What the CDP events told us, by request id.
#[derive(Default, Clone)]
pub struct Net {
    order: Vec<String>,
    requests: BTreeMap<String, HttpExchange>,
    finished: BTreeSet<String>,
    failed: BTreeMap<String, String>,
    responses: usize,
    extra: BTreeMap<String, String>,
    /// Response bodies by request id (`None`: the body could not be had).
    pub bodies: BTreeMap<String, Option<Vec<u8>>>,
    /// Redirect hops, in order.
    pub redirects: Vec<Redirect>,
    redirect_exchanges: Vec<HttpExchange>,
    /// TLS session of the first main document that had one.
    pub main_security: Option<TlsSession>,
    /// Requests whose DevTools wall time was not a valid time.
    bad_times: Vec<String>,
}

/// Masks credentials in a URL (see `text::mask_url`).
pub type Mask = fn(&str) -> String;

/// A CDP wall time (seconds since the epoch) as UTC; `None` when it is not a valid time.
pub fn wall(ts: f64) -> Option<DateTime<Utc>> {
    if !ts.is_finite() {
        return None;
    }
    DateTime::<Utc>::from_timestamp_micros((ts * 1_000_000.0) as i64)
}

fn headers_vec(h: &Network::Headers) -> Vec<(String, String)> {
    match &h.0 {
        Some(Value::Object(m)) => m
            .iter()
            .flat_map(|(k, v)| {
                let s = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                s.split('\n')
                    .map(|x| (k.clone(), x.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Header values that carry URLs are masked like the URLs themselves.
fn mask_headers(h: Vec<(String, String)>, mask: Mask) -> Vec<(String, String)> {
    h.into_iter()
        .map(|(k, v)| {
            if ["location", "content-location", "referer"]
                .contains(&k.to_ascii_lowercase().as_str())
            {
                let v = mask(&v);
                (k, v)
            } else {
                (k, v)
            }
        })
        .collect()
}

fn to_response(r: &Network::Response, at: DateTime<Utc>, mask: Mask) -> HttpResponse {
    HttpResponse {
        status: r.status as u16,
        status_text: r.status_text.clone(),
        protocol: r.protocol.clone().unwrap_or_default(),
        headers: mask_headers(headers_vec(&r.headers), mask),
        headers_text: r.headers_text.as_deref().map(mask),
        mime_type: r.mime_type.clone(),
        body: None,
        body_is_decoded: true,
        // An invalid response time falls back to the request's own time, never "now".
        response_time: r.response_time.and_then(|t| wall(t / 1000.0)).unwrap_or(at),
        from_cache: r.from_disk_cache.unwrap_or(false) || r.from_service_worker.unwrap_or(false),
    }
}

impl Net {
    /// Take in one DevTools event (`mask` masks credentials in URLs).
    pub fn on_event(&mut self, ev: &Event, mask: Mask) {
        match ev {
            Event::NetworkRequestWillBeSent(e) => self.on_request(&e.params, mask),
            Event::NetworkResponseReceived(e) => self.on_response(&e.params, mask),
            Event::NetworkResponseReceivedExtraInfo(e) => {
                if let Some(t) = &e.params.headers_text {
                    self.extra.insert(e.params.request_id.clone(), mask(t));
                }
            }
            Event::NetworkLoadingFinished(e) => {
                self.finished.insert(e.params.request_id.clone());
            }
            Event::NetworkLoadingFailed(e) => {
                self.failed
                    .insert(e.params.request_id.clone(), e.params.error_text.clone());
            }
            _ => {}
        }
    }

    fn on_request(&mut self, p: &Network::events::RequestWillBeSentEventParams, mask: Mask) {
        let url = mask(&p.request.url);
        let at = wall(p.wall_time).unwrap_or_else(|| {
            // Not made up: the local time this event reached sigillo, and recorded as such.
            self.bad_times.push(url.clone());
            Utc::now()
        });
        if let Some(rr) = &p.redirect_response {
            // The previous hop of a redirect chain ends here: keep it as its own exchange.
            if let Some(mut prev) = self.requests.remove(&p.request_id) {
                prev.response = Some(to_response(rr, at, mask));
                prev.remote_ip = rr.remote_ip_address.clone();
                prev.remote_port = rr.remote_port.map(|x| x as u16);
                self.redirects.push(Redirect {
                    url: prev.url.clone(),
                    status: rr.status,
                    location: url.clone(),
                });
                self.redirect_exchanges.push(prev);
            }
        }
        // A redirect reuses the request id: list each id once.
        if !self.order.contains(&p.request_id) {
            self.order.push(p.request_id.clone());
        }
        self.requests.insert(
            p.request_id.clone(),
            HttpExchange {
                request_id: p.request_id.clone(),
                url,
                method: p.request.method.clone(),
                request_headers: mask_headers(headers_vec(&p.request.headers), mask),
                request_body: p.request.post_data.clone().map(String::into_bytes),
                request_time: at,
                resource_type: p.Type.as_ref().map(|t| format!("{t:?}")),
                remote_ip: None,
                remote_port: None,
                response: None,
                error: None,
            },
        );
    }

    fn on_response(&mut self, p: &Network::events::ResponseReceivedEventParams, mask: Mask) {
        self.responses += 1;
        let Some(x) = self.requests.get_mut(&p.request_id) else {
            return;
        };
        x.response = Some(to_response(&p.response, x.request_time, mask));
        x.remote_ip = p.response.remote_ip_address.clone();
        x.remote_port = p.response.remote_port.map(|v| v as u16);
        x.resource_type = Some(format!("{:?}", p.Type));
        if x.resource_type.as_deref() == Some("Document")
            && self.main_security.is_none()
            && let Some(sd) = &p.response.security_details
        {
            self.main_security = Some(TlsSession {
                protocol: sd.protocol.clone(),
                key_exchange: sd.key_exchange.clone(),
                key_exchange_group: sd.key_exchange_group.clone(),
                cipher: sd.cipher.clone(),
                subject: sd.subject_name.clone(),
                issuer: sd.issuer.clone(),
                sans: sd.san_list.clone(),
                valid_from: wall(sd.valid_from).map(|t| rfc3339(&t)),
                valid_to: wall(sd.valid_to).map(|t| rfc3339(&t)),
                signed_certificate_timestamps: sd.signed_certificate_timestamp_list.len(),
            });
        }
    }

    /// Every exchange, redirect hops included, by request time.
    pub fn exchanges(&self) -> Vec<HttpExchange> {
        let mut v: Vec<HttpExchange> = self.redirect_exchanges.clone();
        for id in &self.order {
            let Some(x) = self.requests.get(id) else {
                continue;
            };
            let mut x = x.clone();
            if let Some(r) = x.response.as_mut() {
                r.body = self.bodies.get(id).cloned().flatten();
                if r.headers_text.is_none() {
                    r.headers_text = self.extra.get(id).cloned();
                }
            }
            x.error = self.failed.get(id).cloned();
            v.push(x);
        }
        v.sort_by_key(|x| x.request_time);
        v
    }

    /// Counts of what CDP reported, so silent gaps (events the driver could not parse) show.
    pub fn reconciliation(&self) -> Reconciliation {
        let ended = self.finished.len() + self.failed.len();
        Reconciliation {
            requests_seen: self.order.len() + self.redirect_exchanges.len(),
            responses_seen: self.responses,
            loading_finished: self.finished.len(),
            loading_failed: self.failed.len(),
            bodies_recorded: self.bodies.values().filter(|b| b.is_some()).count(),
            complete: ended >= self.order.len(),
            still_pending_at_capture: self
                .order
                .iter()
                .filter(|id| !self.finished.contains(*id) && !self.failed.contains_key(*id))
                .filter_map(|id| self.requests.get(id).map(|x| x.url.clone()))
                .take(50)
                .collect(),
            requests_without_valid_time: self.bad_times.clone(),
        }
    }
}

/// Wait until no request started or ended for `quiet` (at most `max`).
pub fn wait_network_idle(net: &Arc<Mutex<Net>>, quiet: Duration, max: Duration) {
    let start = Instant::now();
    let mut last_change = Instant::now();
    let mut last = (0usize, 0usize);
    while start.elapsed() < max {
        std::thread::sleep(Duration::from_millis(100));
        let (seen, done) = net
            .lock()
            .map(|n| (n.requests.len(), n.finished.len() + n.failed.len()))
            .unwrap_or((0, 0));
        if (seen, done) != last {
            last = (seen, done);
            last_change = Instant::now();
        } else if done >= seen && last_change.elapsed() >= quiet {
            return;
        }
    }
}
