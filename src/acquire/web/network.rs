//! The network recorder: turns the DevTools events of the capture session into
//! [`HttpExchange`]s, the redirect chain, the main document's TLS session and the
//! reconciliation counts. URLs are masked (credentials) as they arrive, so nothing
//! downstream (facts, WARC, WACZ) ever holds a password.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Condvar, Mutex, MutexGuard};
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
    pub bodies: BTreeMap<String, Option<super::exchange::Body>>,
    /// Redirect hops, in order.
    pub redirects: Vec<Redirect>,
    redirect_exchanges: Vec<HttpExchange>,
    /// TLS session of the first main document that had one.
    pub main_security: Option<TlsSession>,
    /// Requests whose DevTools wall time was not a valid time.
    bad_times: Vec<String>,
    /// Requests started and not yet finished or failed.
    open: BTreeSet<String>,
    /// Finished requests with a response whose body is still being fetched.
    awaiting_body: BTreeSet<String>,
    /// Bumped on every request start, end and body: what the idle wait watches.
    activity: u64,
    /// When `activity` last changed.
    last_activity: Option<Instant>,
    /// Main-frame lifecycle: loader ids that fired `load` (or `networkAlmostIdle`).
    loaded: BTreeSet<String>,
    /// The loader id of the latest `init` per frame (a new document in that frame).
    latest_loader: BTreeMap<String, String>,
}

/// The recorder shared with the DevTools event thread: the [`Net`] and a condition
/// variable notified on every change, so waits wake on events instead of polling.
#[derive(Default)]
pub struct Recorder {
    net: Mutex<Net>,
    changed: Condvar,
}

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    /// The condition held.
    Done,
    /// The cap was reached first.
    Capped,
}

impl Recorder {
    /// The recorded state (a poisoned lock still yields it: the recorder never panics
    /// half-way through an update that matters).
    pub fn lock(&self) -> MutexGuard<'_, Net> {
        self.net.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Take in one DevTools event and wake the waits.
    pub fn on_event(&self, ev: &Event, mask: Mask) {
        self.lock().on_event(ev, mask);
        self.changed.notify_all();
    }

    /// Record a response body (`None`: it could not be had) and wake the waits.
    pub fn put_body(&self, request_id: &str, body: Option<super::exchange::Body>) {
        {
            let mut n = self.lock();
            n.awaiting_body.remove(request_id);
            n.bump();
            n.bodies.insert(request_id.to_string(), body);
        }
        self.changed.notify_all();
    }

    /// Wait until nothing is in flight (requests open, bodies being fetched) and no
    /// request started or ended for `quiet`; at most `max`. Returns how many requests
    /// started meanwhile, and how the wait ended.
    pub fn wait_network_idle(&self, quiet: Duration, max: Duration) -> Waited {
        let start = Instant::now();
        let deadline = start + max;
        let mut n = self.lock();
        loop {
            let now = Instant::now();
            // Quiet since the last start or end (before this wait began, too).
            let quiet_since = n.last_activity.unwrap_or(start).min(now);
            let busy = !n.open.is_empty() || !n.awaiting_body.is_empty();
            if !busy && now >= quiet_since + quiet {
                return Waited::Done;
            }
            if now >= deadline {
                return Waited::Capped;
            }
            let until = if busy {
                deadline
            } else {
                (quiet_since + quiet).min(deadline)
            };
            n = self
                .changed
                .wait_timeout(n, until.saturating_duration_since(now))
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Wait until the navigation of `loader` in `frame` fired `load` (or
    /// `networkAlmostIdle`), and so did any later document of that frame; at most `max`.
    pub fn wait_loaded(&self, frame: &str, loader: &str, max: Duration) -> Waited {
        let deadline = Instant::now() + max;
        let mut n = self.lock();
        loop {
            let latest_done = n
                .latest_loader
                .get(frame)
                .is_none_or(|l| n.loaded.contains(l));
            if n.loaded.contains(loader) && latest_done {
                return Waited::Done;
            }
            let now = Instant::now();
            if now >= deadline {
                return Waited::Capped;
            }
            n = self
                .changed
                .wait_timeout(n, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }
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
    fn bump(&mut self) {
        self.activity += 1;
        self.last_activity = Some(Instant::now());
    }

    /// How many requests were seen so far (each request id once).
    pub fn requests_seen(&self) -> usize {
        self.requests.len()
    }

    /// How many request starts, ends and bodies were seen so far.
    pub fn activity(&self) -> u64 {
        self.activity
    }

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
                let id = &e.params.request_id;
                self.finished.insert(id.clone());
                self.open.remove(id);
                // headless_chrome fetches the body of a request that had a response.
                let has_response = self.requests.get(id).is_some_and(|x| x.response.is_some());
                if has_response && !self.bodies.contains_key(id) {
                    self.awaiting_body.insert(id.clone());
                }
                self.bump();
            }
            Event::NetworkLoadingFailed(e) => {
                self.failed
                    .insert(e.params.request_id.clone(), e.params.error_text.clone());
                self.open.remove(&e.params.request_id);
                self.bump();
            }
            Event::PageLifecycleEvent(e) => {
                let p = &e.params;
                match p.name.as_str() {
                    "init" => {
                        self.latest_loader
                            .insert(p.frame_id.clone(), p.loader_id.clone());
                    }
                    "load" | "networkAlmostIdle" => {
                        self.loaded.insert(p.loader_id.clone());
                    }
                    _ => {}
                }
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
        self.open.insert(p.request_id.clone());
        self.bump();
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

    /// The response bodies had so far whose exchange `pick` chooses and whose request id
    /// `skip` does not hold: `(request id, body, MIME type)`.
    pub fn bodies_where(
        &self,
        pick: impl Fn(&HttpExchange, &HttpResponse) -> bool,
        skip: impl Fn(&str) -> bool,
    ) -> Vec<(String, super::exchange::Body, String)> {
        let mut v = Vec::new();
        for (id, body) in &self.bodies {
            let (Some(body), Some(x)) = (body, self.requests.get(id)) else {
                continue;
            };
            if let Some(r) = &x.response
                && !skip(id)
                && pick(x, r)
            {
                v.push((id.clone(), body.clone(), r.mime_type.clone()));
            }
        }
        v
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
