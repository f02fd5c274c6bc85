//! Capture one web page with headless Chromium, recording what the server sent and
//! what the browser rendered, from the same session (the page is never reloaded).
//!
//! Per page: a full-page screenshot (beyond the viewport, after scrolling to trigger
//! lazy loading) and a viewport screenshot, a derived copy of the full-page screenshot
//! with a header strip (URL, UTC time, item id), a PDF print, an MHTML snapshot, the
//! rendered DOM, the visible text, every HTTP exchange as WARC/1.1 packaged as WACZ,
//! the media files the page loaded, and the network facts: redirect chain, main
//! document status and headers, server IPs, DNS answers, TLS protocol, cipher and
//! certificate chain, and an independent second fetch of the URL.

use std::collections::BTreeMap;
use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{DateTime, Utc};
use headless_chrome::protocol::cdp::{Emulation, Network, Page};
use headless_chrome::{Browser as Chrome, LaunchOptions, Tab};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::acquire::web::exchange::{HttpExchange, HttpResponse};
use crate::acquire::web::{wacz, warc};
use crate::acquire::{Acquisition, Artifact, Content, slugify};
use crate::error::{Error, Result};
use crate::evidence::hash::sha256_hex;
use crate::time::{Stamp, rfc3339};

/// What to do when capturing.
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    /// Window size.
    pub viewport: (u32, u32),
    /// Give up on a page after this long.
    pub timeout: Duration,
    /// Wait for this CSS selector.
    pub wait_for: Option<String>,
    /// Wait this long after loading.
    pub delay: Duration,
    /// Scroll to trigger lazy loading.
    pub scroll: bool,
    /// Netscape cookies.txt to load before navigating.
    pub cookies_file: Option<PathBuf>,
    /// Chromium user-data folder to use instead of a fresh one.
    pub profile: Option<PathBuf>,
    /// Chromium executable.
    pub browser: Option<PathBuf>,
    /// User agent override.
    pub user_agent: Option<String>,
    /// Accept invalid TLS certificates (recorded in the manifest).
    pub insecure: bool,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            viewport: (1366, 768),
            timeout: Duration::from_secs(60),
            wait_for: None,
            delay: Duration::ZERO,
            scroll: true,
            cookies_file: None,
            profile: None,
            browser: None,
            user_agent: None,
            insecure: false,
        }
    }
}

/// Build a CDP method from JSON (the generated structs have no Default).
fn cdp<T: DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::internal(format!("CDP parameters: {e}")))
}

fn chrome_err(what: &str, url: &str, e: impl std::fmt::Display) -> Error {
    Error::input(format!("{url}: {what} failed: {e}")).with_fix(
        "check that the URL is reachable from this machine; raise --timeout for slow pages",
    )
}

/// The Chromium executable to use.
fn find_browser(opt: &Option<PathBuf>) -> Result<PathBuf> {
    let cands: Vec<PathBuf> = opt
        .clone()
        .into_iter()
        .chain(std::env::var_os("CHROME").map(PathBuf::from))
        .chain(
            [
                "/usr/bin/chromium",
                "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome",
            ]
            .map(PathBuf::from),
        )
        .collect();
    if let Some(p) = opt {
        if p.is_file() {
            return Ok(p.clone());
        }
        return Err(
            Error::input(format!("--browser '{}' does not exist", p.display()))
                .with_fix("give the path of a Chromium or Chrome executable"),
        );
    }
    cands.into_iter().find(|p| p.is_file()).ok_or_else(|| {
        Error::input("Chromium is not installed (looked for $CHROME, /usr/bin/chromium)")
            .with_fix("install it with: sudo apt-get install -y chromium   (or pass --browser PATH / set $CHROME)")
    })
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// One running Chromium, reused for several URLs.
pub struct Browser {
    chrome: Chrome,
    /// `Browser.getVersion` product string.
    pub product: String,
    /// The browser's default user agent.
    pub default_user_agent: String,
    path: PathBuf,
    _profile: Option<tempfile::TempDir>,
}

impl Browser {
    /// Start Chromium headless with a fresh profile (or `--profile`).
    pub fn launch(opts: &CaptureOptions) -> Result<Browser> {
        let path = find_browser(&opts.browser)?;
        let fresh = match &opts.profile {
            Some(_) => None,
            None => Some(
                tempfile::Builder::new()
                    .prefix("sigillo-chrome-")
                    .tempdir()
                    .map_err(|e| Error::internal(e.to_string()))?,
            ),
        };
        let profile = opts
            .profile
            .clone()
            .or_else(|| fresh.as_ref().map(|t| t.path().to_path_buf()));
        let args: Vec<&std::ffi::OsStr> = [
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--hide-scrollbars",
            "--mute-audio",
        ]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
        let launch = LaunchOptions::default_builder()
            .path(Some(path.clone()))
            .headless(true)
            .sandbox(!is_root())
            .window_size(Some(opts.viewport))
            .user_data_dir(profile)
            .ignore_certificate_errors(opts.insecure)
            .idle_browser_timeout(opts.timeout + Duration::from_secs(120))
            .args(args)
            .build()
            .map_err(|e| Error::internal(format!("Chromium options: {e}")))?;
        let chrome = Chrome::new(launch).map_err(|e| {
            Error::input(format!("could not start Chromium ({}): {e}", path.display()))
                .with_fix("check that Chromium runs: chromium --headless --version; install it with apt-get install -y chromium")
        })?;
        let v = chrome
            .get_version()
            .map_err(|e| Error::internal(format!("Chromium did not answer: {e}")))?;
        Ok(Browser {
            chrome,
            product: v.product,
            default_user_agent: v.user_agent,
            path,
            _profile: fresh,
        })
    }

    /// Capture `url` into an acquisition of kind `web`; `label` goes into the header
    /// strip of the annotated screenshot (the item id the page will be sealed as).
    pub fn capture(
        &self,
        url: &str,
        label: &str,
        opts: &CaptureOptions,
        progress: &dyn Fn(&str),
    ) -> Result<Acquisition> {
        let parsed = url::Url::parse(url).map_err(|e| {
            Error::input(format!("'{url}' is not a valid URL ({e})"))
                .with_fix("give a full URL such as https://example.com/page")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(
                Error::input(format!("'{url}': only http and https URLs can be captured"))
                    .with_fix("give an http(s) URL"),
            );
        }
        let mut acq = Acquisition::start(
            crate::acquire::ItemKind::Web,
            parsed.host_str().unwrap_or("page"),
        );
        acq.slug = slugify(&format!(
            "{}{}",
            parsed.host_str().unwrap_or(""),
            parsed.path()
        ));
        acq.input.insert("url".into(), json!(url));
        let tab = self
            .chrome
            .new_tab()
            .map_err(|e| chrome_err("opening a tab", url, e))?;
        tab.set_default_timeout(opts.timeout);
        let result = self.capture_in(&tab, url, &parsed, label, opts, progress, &mut acq);
        let _ = tab.close(false);
        result?;
        Ok(acq)
    }

    #[allow(clippy::too_many_arguments)]
    fn capture_in(
        &self,
        tab: &Arc<Tab>,
        url: &str,
        parsed: &url::Url,
        label: &str,
        opts: &CaptureOptions,
        progress: &dyn Fn(&str),
        acq: &mut Acquisition,
    ) -> Result<()> {
        let (w, h) = opts.viewport;
        tab.call_method(cdp::<Emulation::SetDeviceMetricsOverride>(
            json!({"width": w, "height": h, "deviceScaleFactor": 1, "mobile": false}),
        )?)
        .map_err(|e| chrome_err("setting the viewport", url, e))?;
        acq.transformations.push(format!(
            "set the browser viewport to {w}x{h} CSS pixels, device scale factor 1"
        ));
        let ua = opts
            .user_agent
            .clone()
            .unwrap_or_else(|| self.default_user_agent.clone());
        if let Some(u) = &opts.user_agent {
            tab.set_user_agent(u, None, None)
                .map_err(|e| chrome_err("setting the user agent", url, e))?;
            acq.transformations
                .push("replaced the browser's user agent (--user-agent)".into());
        }
        let mut authenticated = opts.profile.is_some();
        if let Some(f) = &opts.cookies_file {
            let cookies = parse_cookies_txt(f)?;
            let n = cookies.len();
            let params: Vec<Network::CookieParam> =
                cookies.into_iter().map(cdp).collect::<Result<_>>()?;
            tab.set_cookies(params)
                .map_err(|e| chrome_err("loading cookies", url, e))?;
            acq.transformations.push(format!("loaded {n} cookies from a cookies.txt file before navigating (their values are not stored)"));
            authenticated = true;
        }
        // Record the network from the start: events, then bodies when loading finishes.
        let net = Arc::new(Mutex::new(Net::default()));
        let n2 = net.clone();
        tab.add_event_listener(Arc::new(
            move |ev: &headless_chrome::protocol::cdp::types::Event| {
                if let Ok(mut n) = n2.lock() {
                    n.on_event(ev);
                }
            },
        ))
        .map_err(|e| chrome_err("listening to the network", url, e))?;
        // JavaScript dialogs (alert, confirm, prompt) would block the page: accept them,
        // from another thread (the event thread must not wait for a reply), and record them.
        let dialogs: Arc<Mutex<Vec<Value>>> = Arc::new(Mutex::new(Vec::new()));
        let (d2, weak_tab) = (dialogs.clone(), Arc::downgrade(tab));
        tab.add_event_listener(Arc::new(move |ev: &headless_chrome::protocol::cdp::types::Event| {
            if let headless_chrome::protocol::cdp::types::Event::PageJavascriptDialogOpening(e) = ev {
                if let Ok(mut d) = d2.lock() {
                    d.push(json!({"type": format!("{:?}", e.params.Type), "message_sha256": sha256_hex(e.params.message.as_bytes()), "message_length": e.params.message.len()}));
                }
                let w = weak_tab.clone();
                std::thread::spawn(move || {
                    if let Some(t) = w.upgrade() {
                        let _ = t.call_method(Page::HandleJavaScriptDialog { accept: true, prompt_text: None });
                    }
                });
            }
        }))
        .map_err(|e| chrome_err("listening for dialogs", url, e))?;
        let n3 = net.clone();
        tab.register_response_handling(
            "sigillo",
            Box::new(move |params, fetch_body| {
                let body = fetch_body().ok().map(|b| {
                    if b.base_64_encoded {
                        base64::engine::general_purpose::STANDARD
                            .decode(b.body.as_bytes())
                            .unwrap_or_default()
                    } else {
                        b.body.into_bytes()
                    }
                });
                if let Ok(mut n) = n3.lock() {
                    n.bodies.insert(params.request_id.clone(), body);
                }
            }),
        )
        .map_err(|e| chrome_err("recording responses", url, e))?;
        tab.call_method(cdp::<Network::Enable>(
            json!({"maxTotalBufferSize": 256_000_000, "maxResourceBufferSize": 128_000_000}),
        )?)
        .map_err(|e| chrome_err("enabling the network domain", url, e))?;

        progress("loading");
        tab.navigate_to(url).map_err(|e| nav_err(url, e))?;
        tab.wait_until_navigated().map_err(|e| nav_err(url, e))?;
        if let Some(sel) = &opts.wait_for {
            progress("waiting for the selector");
            tab.wait_for_element_with_custom_timeout(sel, opts.timeout)
                .map_err(|e| {
                    Error::input(format!(
                        "{url}: '{sel}' did not appear within {} s: {e}",
                        opts.timeout.as_secs()
                    ))
                    .with_fix("check the CSS selector, or raise --timeout")
                })?;
            acq.transformations
                .push(format!("waited until the CSS selector '{sel}' was present"));
        }
        wait_network_idle(&net, Duration::from_millis(300), Duration::from_secs(10));
        if opts.scroll {
            progress("scrolling");
            let _ = tab.evaluate(SCROLL_JS, true);
            acq.transformations.push("scrolled the page to the bottom in steps and back to the top, to trigger lazy-loaded content".into());
            wait_network_idle(&net, Duration::from_millis(400), Duration::from_secs(15));
        }
        if !opts.delay.is_zero() {
            progress("waiting");
            std::thread::sleep(opts.delay);
            acq.transformations.push(format!(
                "waited {:.1} s after loading (--delay)",
                opts.delay.as_secs_f64()
            ));
        }

        progress("screenshots");
        let m = tab
            .call_method(Page::GetLayoutMetrics(None))
            .map_err(|e| chrome_err("measuring the page", url, e))?;
        let (cw, ch) = (
            m.css_content_size.width.max(1.0),
            if m.css_content_size.height.is_nan() {
                1.0
            } else {
                m.css_content_size.height.clamp(1.0, 30_000.0)
            },
        );
        let full = shot(tab, Some((cw, ch)), url)?;
        let view = shot(tab, None, url)?;
        let captured_at = Stamp::now();
        progress("PDF, MHTML, DOM");
        let pdf = tab
            .call_method(cdp::<Page::PrintToPDF>(json!({"printBackground": true}))?)
            .map(|r| {
                base64::engine::general_purpose::STANDARD
                    .decode(r.data.as_bytes())
                    .unwrap_or_default()
            })
            .map_err(|e| chrome_err("printing to PDF", url, e))?;
        let mhtml = tab
            .call_method(cdp::<Page::CaptureSnapshot>(json!({"format": "mhtml"}))?)
            .map(|r| r.data)
            .map_err(|e| chrome_err("the MHTML snapshot", url, e))?;
        let dom = tab
            .get_content()
            .map_err(|e| chrome_err("reading the DOM", url, e))?;
        let eval_str = |js: &str| {
            tab.evaluate(js, false)
                .ok()
                .and_then(|r| r.value)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let text = eval_str("document.body ? document.body.innerText : ''");
        let title = eval_str("document.title");
        let links: Vec<String> = serde_json::from_str(&eval_str(
            "JSON.stringify(Array.from(document.querySelectorAll('a[href]')).map(a => a.href).slice(0, 5000))",
        ))
        .unwrap_or_default();
        let final_url = tab.get_url();

        // Network: reconcile, build exchanges, main document and redirects.
        let _ = tab.deregister_response_handling_all();
        let net = net
            .lock()
            .map_err(|_| Error::internal("network recorder poisoned"))?
            .clone();
        let exchanges = net.exchanges();
        let main = exchanges
            .iter()
            .rev()
            .find(|e| {
                e.resource_type.as_deref() == Some("Document")
                    && e.url == final_url
                    && e.response.is_some()
            })
            .or_else(|| {
                exchanges.iter().find(|e| {
                    e.resource_type.as_deref() == Some("Document") && e.response.is_some()
                })
            })
            .cloned();
        let mut facts = Map::new();
        facts.insert("final_url".into(), json!(final_url));
        facts.insert("redirects".into(), json!(net.redirects));
        facts.insert("network_reconciliation".into(), net.reconciliation());
        let mut ips: Vec<String> = exchanges
            .iter()
            .filter_map(|e| e.remote_ip.clone())
            .collect();
        ips.sort();
        ips.dedup();
        facts.insert("server_ips".into(), json!(ips));
        if let Some(mx) = &main
            && let Some(r) = &mx.response
        {
            facts.insert(
                "main_document".into(),
                json!({"url": mx.url, "status": r.status, "status_text": r.status_text, "protocol": r.protocol,
                       "headers": r.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                       "remote_ip": mx.remote_ip, "remote_port": mx.remote_port, "mime_type": r.mime_type,
                       "body_sha256": r.body.as_ref().map(|b| sha256_hex(b))}),
            );
        }
        if let Some(sd) = &net.main_security {
            facts.insert("tls".into(), sd.clone());
        }
        // Certificate chain of the final origin, from the browser.
        if parsed.scheme() == "https" || final_url.starts_with("https://") {
            let origin = url::Url::parse(&final_url)
                .ok()
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_default();
            if let Ok(c) = tab.call_method(Network::GetCertificate {
                origin: origin.clone(),
            }) {
                let (pem, certs) = certificate_chain(&c.table_names);
                if !pem.is_empty() {
                    let host = url::Url::parse(&final_url)
                        .ok()
                        .and_then(|u| u.host_str().map(str::to_string))
                        .unwrap_or_default();
                    acq.artifacts.push(
                        Artifact::original(
                            format!("original/tls/{}.pem", slugify(&host)),
                            Content::Bytes(pem.into_bytes()),
                        )
                        .media_type("application/x-pem-file")
                        .describe("TLS certificate chain the browser received, leaf first")
                        .with_origin(origin),
                    );
                    if let Some(Value::Object(t)) = facts.get_mut("tls") {
                        t.insert("certificates".into(), json!(certs));
                    } else {
                        facts.insert("tls".into(), json!({"certificates": certs}));
                    }
                }
            }
        }
        facts.insert("dns".into(), dns_facts(parsed));
        facts.insert(
            "browser".into(),
            json!({"product": self.product, "executable": self.path.display().to_string(), "user_agent": ua,
                   "viewport": {"width": w, "height": h}, "headless": true, "fresh_profile": opts.profile.is_none(),
                   "insecure_tls_accepted": opts.insecure}),
        );
        facts.insert("authenticated_session".into(), json!(authenticated));
        facts.insert(
            "cookies_file_used".into(),
            json!(opts.cookies_file.is_some()),
        );
        facts.insert("profile_used".into(), json!(opts.profile.is_some()));
        facts.insert("page".into(), json!({"title": title, "links": links, "content_width": cw as u64, "content_height": ch as u64}));
        facts.insert("captured_at".into(), json!(captured_at.rfc3339()));
        let dialogs = dialogs.lock().map(|d| d.clone()).unwrap_or_default();
        if !dialogs.is_empty() {
            acq.transformations.push(format!("accepted {} JavaScript dialog(s) (alert/confirm/prompt) so the page could finish loading", dialogs.len()));
            facts.insert("javascript_dialogs".into(), json!(dialogs));
        }
        progress("second fetch");
        let second = second_fetch(
            url,
            opts,
            main.as_ref()
                .and_then(|m| m.response.as_ref())
                .and_then(|r| r.body.as_deref()),
        );
        if let Some(body) = &second.1 {
            acq.artifacts.push(
                Artifact::original("original/second-fetch.body", Content::Bytes(body.clone()))
                    .describe("the URL fetched again without the browser (reqwest), bytes exactly as served")
                    .with_url(url),
            );
        }
        facts.insert("second_fetch".into(), second.0);
        if opts.insecure {
            acq.warnings
                .push("invalid TLS certificates were accepted (--insecure)".into());
        }

        // Artifacts.
        let mut add = |p: &str, b: Vec<u8>, mt: &str, d: &str| {
            acq.artifacts.push(
                Artifact::original(p, Content::Bytes(b))
                    .media_type(mt)
                    .describe(d)
                    .with_url(final_url.clone()),
            );
        };
        add(
            "original/screenshot-full.png",
            full.clone(),
            "image/png",
            "full-page screenshot (beyond the viewport), as rendered by Chromium",
        );
        add(
            "original/screenshot-viewport.png",
            view,
            "image/png",
            "viewport screenshot, as rendered by Chromium",
        );
        add(
            "original/page.pdf",
            pdf,
            "application/pdf",
            "PDF print of the page by Chromium",
        );
        add(
            "original/page.mhtml",
            mhtml.into_bytes(),
            "multipart/related",
            "MHTML snapshot (Page.captureSnapshot)",
        );
        add(
            "original/dom.html",
            dom.into_bytes(),
            "text/html",
            "rendered DOM after scripts ran (serialized HTML)",
        );
        if let Some(mx) = &main
            && let Some(b) = mx.response.as_ref().and_then(|r| r.body.clone())
        {
            add(
                "original/main-document.body",
                b,
                "application/octet-stream",
                "main document body as the browser received it (content-encoding removed by Chromium)",
            );
        }
        acq.artifacts.push(
            Artifact::derived(
                "derived/visible-text.txt",
                Content::Bytes(text.into_bytes()),
                vec!["original/dom.html".into()],
            )
            .media_type("text/plain")
            .describe("visible text of the page (document.body.innerText)"),
        );
        progress("annotated screenshot");
        let strip = [
            format!("sigillo capture · {} · {label}", rfc3339(&captured_at.at)),
            final_url.clone(),
        ];
        match annotate(tab, &full, &strip) {
            Ok(png) => acq.artifacts.push(
                Artifact::derived(
                    "derived/screenshot-full-annotated.png",
                    Content::Bytes(png),
                    vec!["original/screenshot-full.png".into()],
                )
                .media_type("image/png")
                .describe(
                    "full-page screenshot with a header strip: URL, UTC capture time, item id",
                ),
            ),
            Err(e) => acq
                .warnings
                .push(format!("could not draw the annotated screenshot: {e}")),
        }
        // Media the page loaded.
        let mut n = 0;
        for ex in &exchanges {
            let Some(r) = &ex.response else { continue };
            let Some(body) = &r.body else { continue };
            let is_media = matches!(ex.resource_type.as_deref(), Some("Image" | "Media"))
                || r.mime_type.starts_with("image/")
                || r.mime_type.starts_with("video/")
                || r.mime_type.starts_with("audio/");
            if !is_media || body.is_empty() || n >= 500 {
                continue;
            }
            n += 1;
            let name = url::Url::parse(&ex.url)
                .ok()
                .and_then(|u| {
                    u.path_segments()
                        .and_then(|mut s| s.next_back().map(str::to_string))
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "media".into());
            let safe: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .take(80)
                .collect();
            acq.artifacts.push(
                Artifact::original(
                    format!("original/media/{n:03}-{safe}"),
                    Content::Bytes(body.clone()),
                )
                .media_type(r.mime_type.clone())
                .describe("media file the page loaded (body as received by the browser)")
                .with_url(ex.url.clone()),
            );
        }
        // WARC + WACZ of the same session.
        progress("WARC/WACZ");
        let info = warc::WarcInfo {
            software: format!("{} {}", crate::TOOL_NAME, crate::TOOL_VERSION),
            operator: String::new(),
            target_url: url.to_string(),
            created: captured_at.at,
            notes: vec![format!(
                "recorded by {} from the Chrome DevTools Protocol events of the capture session; the page was not reloaded",
                self.product
            )],
        };
        let extra = [warc::ExtraResource {
            uri: "urn:sigillo:screenshot:full".into(),
            media_type: "image/png".into(),
            bytes: full,
            time: captured_at.at,
        }];
        let seed = warc::random_seed()?;
        let mut warc_bytes = Vec::new();
        let summary = warc::write_warc_gz(&exchanges, &extra, &info, &seed, &mut warc_bytes)?;
        let page_ts = main
            .as_ref()
            .map(|m| m.request_time)
            .unwrap_or(captured_at.at);
        let mut wacz_bytes = std::io::Cursor::new(Vec::new());
        wacz::write_wacz(
            &warc_bytes,
            &summary,
            &wacz::WaczPage {
                url: final_url.clone(),
                ts: page_ts,
                title: Some(title),
            },
            captured_at.at,
            &info.software,
            &mut wacz_bytes,
        )?;
        facts.insert("warc".into(), json!({"records": summary.records, "stripped_request_headers": summary.stripped_headers}));
        if summary.stripped_headers.iter().any(|(_, n)| *n > 0) {
            acq.transformations.push("removed Cookie / Authorization headers of the capturing session from WARC request records".into());
        }
        acq.transformations.push("WARC response records hold the bodies as Chromium decoded them; the original Content-Encoding/Length headers are kept in metadata records".into());
        acq.artifacts.push(Artifact::original("original/capture.warc.gz", Content::Bytes(warc_bytes)).media_type("application/warc").describe("WARC/1.1 of every request and response of the capture session (one gzip member per record)"));
        acq.artifacts.push(
            Artifact::derived(
                "derived/capture.wacz",
                Content::Bytes(wacz_bytes.into_inner()),
                vec!["original/capture.warc.gz".into()],
            )
            .media_type("application/wacz")
            .describe("WACZ 1.1.1 package of the WARC, for replay in ReplayWeb.page"),
        );
        acq.facts = facts;
        acq.finished = Stamp::now();
        if let Some(mx) = &main
            && let Some(r) = &mx.response
            && r.status >= 400
        {
            acq.warnings.push(format!(
                "the server answered HTTP {} {} (captured as evidence)",
                r.status, r.status_text
            ));
        }
        Ok(())
    }
}

const SCROLL_JS: &str = r#"(async () => {
  const step = Math.max(200, Math.floor(window.innerHeight * 0.8));
  const limit = 60000;
  for (let y = 0; y < Math.min(document.documentElement.scrollHeight, limit); y += step) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 50));
  }
  window.scrollTo(0, document.documentElement.scrollHeight);
  await new Promise(r => setTimeout(r, 150));
  window.scrollTo(0, 0);
  await new Promise(r => setTimeout(r, 100));
  return true;
})()"#;

fn nav_err(url: &str, e: impl std::fmt::Display) -> Error {
    let s = e.to_string();
    let (what, fix) = if s.contains("ERR_NAME_NOT_RESOLVED") {
        (
            "the host name does not resolve (DNS failure)",
            "check the spelling of the URL and the network",
        )
    } else if s.contains("ERR_CONNECTION_REFUSED") {
        (
            "the server refused the connection",
            "check the URL and port; the site may be down",
        )
    } else if s.contains("ERR_CERT") || s.contains("SSL") {
        (
            "the TLS certificate was rejected",
            "check the URL; for a test server with a self-signed certificate add --insecure (recorded in the manifest)",
        )
    } else if s.to_lowercase().contains("timeout") || s.contains("timed out") {
        ("the page did not load in time", "raise --timeout")
    } else {
        (
            "loading failed",
            "check that the URL is reachable from this machine",
        )
    };
    Error::input(format!("{url}: {what} ({s})")).with_fix(fix)
}

fn shot(tab: &Arc<Tab>, clip: Option<(f64, f64)>, url: &str) -> Result<Vec<u8>> {
    let mut p = json!({"format": "png", "fromSurface": true});
    if let Some((w, h)) = clip {
        p["clip"] = json!({"x": 0, "y": 0, "width": w, "height": h, "scale": 1});
        p["captureBeyondViewport"] = json!(true);
    }
    let r = tab
        .call_method(cdp::<Page::CaptureScreenshot>(p)?)
        .map_err(|e| chrome_err("the screenshot", url, e))?;
    base64::engine::general_purpose::STANDARD
        .decode(r.data.as_bytes())
        .map_err(|e| Error::internal(e.to_string()))
}

/// Draw the header strip with Chromium (text rendering) and put it above the screenshot
/// with the image crate; the original screenshot's pixels are copied unchanged below it.
fn annotate(tab: &Arc<Tab>, png: &[u8], lines: &[String]) -> std::result::Result<Vec<u8>, String> {
    let img = image::load_from_memory(png)
        .map_err(|e| e.to_string())?
        .to_rgba8();
    let width = img.width();
    // Drawn in the already-loaded tab (after every original was captured) as a fixed
    // overlay filled with textContent (no HTML from the page or the URL is interpreted),
    // captured on its own and removed again: navigating away would cost seconds.
    let text = serde_json::to_string(&lines.join("\n")).map_err(|e| e.to_string())?;
    let js = format!(
        "(() => {{ const d = document.createElement('div'); d.id = '__sigillo_strip'; \
         d.style.cssText = 'all:initial;position:fixed;top:0;left:0;z-index:2147483647;display:block;box-sizing:border-box;width:{width}px;background:#1a1a1a;color:#fff;font:14px DejaVu Sans Mono,monospace;padding:8px 10px;white-space:pre-wrap;word-break:break-all'; \
         d.textContent = {text}; (document.body || document.documentElement).appendChild(d); window.scrollTo(0, 0); \
         return d.getBoundingClientRect().height; }})()"
    );
    let h = tab
        .evaluate(&js, false)
        .ok()
        .and_then(|r| r.value)
        .and_then(|v| v.as_f64())
        .unwrap_or(40.0)
        .ceil();
    let strip = shot(tab, Some((width as f64, h)), "header strip").map_err(|e| e.to_string());
    let _ = tab.evaluate(
        "document.getElementById('__sigillo_strip')?.remove()",
        false,
    );
    let strip = strip?;
    let strip = image::load_from_memory(&strip)
        .map_err(|e| e.to_string())?
        .to_rgba8();
    let strip_h = strip.height();
    let mut out = image::RgbImage::new(width, strip_h + img.height());
    image::imageops::replace(
        &mut out,
        &image::DynamicImage::ImageRgba8(strip).to_rgb8(),
        0,
        0,
    );
    image::imageops::replace(
        &mut out,
        &image::DynamicImage::ImageRgba8(img).to_rgb8(),
        0,
        strip_h as i64,
    );
    // Fast deflate: this copy is a convenience view, its size matters less than the time.
    let mut buf = Vec::new();
    let enc = image::codecs::png::PngEncoder::new_with_quality(
        &mut buf,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    );
    image::ImageEncoder::write_image(
        enc,
        out.as_raw(),
        out.width(),
        out.height(),
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| e.to_string())?;
    Ok(buf)
}

fn certificate_chain(table: &[String]) -> (String, Vec<Value>) {
    use der::{Decode, Encode};
    let mut pem = String::new();
    let mut facts = Vec::new();
    for b64 in table {
        let Ok(der_bytes) = base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) else {
            continue;
        };
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        let enc = base64::engine::general_purpose::STANDARD.encode(&der_bytes);
        for chunk in enc.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).unwrap_or(""));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        let mut f = json!({"sha256": sha256_hex(&der_bytes)});
        if let Ok(c) = x509_cert::Certificate::from_der(&der_bytes) {
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
                    x509_cert::ext::pkix::name::GeneralName::DnsName(d) => d.to_string(),
                    x509_cert::ext::pkix::name::GeneralName::IpAddress(ip) => {
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
            f = json!({"subject": t.subject.to_string(), "issuer": t.issuer.to_string(), "sans": sans,
                       "not_before": rfc3339(&DateTime::<Utc>::from(t.validity.not_before.to_system_time())),
                       "not_after": rfc3339(&DateTime::<Utc>::from(t.validity.not_after.to_system_time())),
                       "serial": hex::encode(t.serial_number.as_bytes()), "sha256": sha256_hex(&der_bytes),
                       "der_len": c.to_der().map(|d| d.len()).unwrap_or(0)});
        }
        facts.push(f);
    }
    (pem, facts)
}

fn dns_facts(u: &url::Url) -> Value {
    let host = u.host_str().unwrap_or("");
    let port = u.port_or_known_default().unwrap_or(80);
    let t = Stamp::now();
    match (host, port).to_socket_addrs() {
        Ok(addrs) => {
            let mut v: Vec<String> = addrs.map(|a| a.ip().to_string()).collect();
            v.sort();
            v.dedup();
            json!({"host": host, "addresses": v, "resolver": "system (getaddrinfo)", "at": t.rfc3339()})
        }
        Err(e) => {
            json!({"host": host, "error": e.to_string(), "resolver": "system (getaddrinfo)", "at": t.rfc3339()})
        }
    }
}

/// Fetch the URL again without the browser: the bytes as served, headers, TLS peer certificate.
fn second_fetch(
    url: &str,
    opts: &CaptureOptions,
    browser_body: Option<&[u8]>,
) -> (Value, Option<Vec<u8>>) {
    let client = match crate::net::client_builder()
        .timeout(opts.timeout)
        .tls_info(true)
        .danger_accept_invalid_certs(opts.insecure)
        .redirect(reqwest::redirect::Policy::limited(10))
        .user_agent(
            opts.user_agent
                .clone()
                .unwrap_or_else(|| format!("{}/{}", crate::TOOL_NAME, crate::TOOL_VERSION)),
        )
        .build()
    {
        Ok(c) => c,
        Err(e) => return (json!({"error": e.to_string()}), None),
    };
    let t = Stamp::now();
    match client.get(url).send() {
        Err(e) => (json!({"error": e.to_string(), "at": t.rfc3339()}), None),
        Ok(resp) => {
            let status = resp.status().as_u16();
            let final_url = resp.url().to_string();
            let remote = resp.remote_addr().map(|a| a.to_string());
            let version = format!("{:?}", resp.version());
            let headers: Vec<Value> = resp
                .headers()
                .iter()
                .map(|(k, v)| json!([k.as_str(), String::from_utf8_lossy(v.as_bytes())]))
                .collect();
            let peer = resp
                .extensions()
                .get::<reqwest::tls::TlsInfo>()
                .and_then(|i| i.peer_certificate())
                .map(sha256_hex);
            let mut body = Vec::new();
            use std::io::Read;
            let read = resp.take(512 << 20).read_to_end(&mut body);
            let h = sha256_hex(&body);
            let same = browser_body.map(|b| sha256_hex(b) == h);
            (
                json!({"client": "reqwest (no automatic decompression)", "at": t.rfc3339(), "status": status, "final_url": final_url,
                       "remote_addr": remote, "http_version": version, "headers": headers, "body_sha256": h, "body_size": body.len(),
                       "tls_peer_certificate_sha256": peer, "same_body_as_browser": same,
                       "note": "a page may differ per request (ads, tokens, compression): a difference is recorded, not an error",
                       "read_error": read.err().map(|e| e.to_string())}),
                Some(body),
            )
        }
    }
}

/// Netscape cookies.txt → CookieParam JSON objects.
fn parse_cookies_txt(path: &std::path::Path) -> Result<Vec<Value>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::io("read the cookies file", path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let (http_only, line) = match line.strip_prefix("#HttpOnly_") {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 7 {
            return Err(Error::input(format!(
                "'{}' line {}: not a Netscape cookies.txt line (7 tab-separated fields expected)",
                path.display(),
                i + 1
            ))
            .with_fix(
                "export the cookies with a 'cookies.txt' browser extension, in Netscape format",
            ));
        }
        let mut c = json!({"name": f[5], "value": f[6], "domain": f[0], "path": f[2], "secure": f[3] == "TRUE", "httpOnly": http_only});
        if let Ok(exp) = f[4].parse::<f64>()
            && exp > 0.0
        {
            c["expires"] = json!(exp);
        }
        out.push(c);
    }
    Ok(out)
}

fn wait_network_idle(net: &Arc<Mutex<Net>>, quiet: Duration, max: Duration) {
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

/// What the CDP events told us, by request id.
#[derive(Default, Clone)]
struct Net {
    order: Vec<String>,
    requests: BTreeMap<String, HttpExchange>,
    finished: std::collections::BTreeSet<String>,
    failed: BTreeMap<String, String>,
    responses: usize,
    extra: BTreeMap<String, String>,
    bodies: BTreeMap<String, Option<Vec<u8>>>,
    redirects: Vec<Value>,
    redirect_exchanges: Vec<HttpExchange>,
    main_security: Option<Value>,
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

fn wall(ts: f64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros((ts * 1_000_000.0) as i64).unwrap_or_else(Utc::now)
}

fn to_response(r: &Network::Response, at: DateTime<Utc>) -> HttpResponse {
    HttpResponse {
        status: r.status as u16,
        status_text: r.status_text.clone(),
        protocol: r.protocol.clone().unwrap_or_default(),
        headers: headers_vec(&r.headers),
        headers_text: r.headers_text.clone(),
        mime_type: r.mime_type.clone(),
        body: None,
        body_is_decoded: true,
        response_time: r.response_time.map(|t| wall(t / 1000.0)).unwrap_or(at),
        from_cache: r.from_disk_cache.unwrap_or(false) || r.from_service_worker.unwrap_or(false),
    }
}

impl Net {
    fn on_event(&mut self, ev: &headless_chrome::protocol::cdp::types::Event) {
        use headless_chrome::protocol::cdp::types::Event;
        match ev {
            Event::NetworkRequestWillBeSent(e) => {
                let p = &e.params;
                let at = wall(p.wall_time);
                if let Some(rr) = &p.redirect_response {
                    // The previous hop of a redirect chain ends here: keep it as its own exchange.
                    if let Some(mut prev) = self.requests.remove(&p.request_id) {
                        prev.response = Some(to_response(rr, at));
                        prev.remote_ip = rr.remote_ip_address.clone();
                        prev.remote_port = rr.remote_port.map(|x| x as u16);
                        self.redirects.push(json!({"url": prev.url, "status": rr.status, "location": p.request.url}));
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
                        url: p.request.url.clone(),
                        method: p.request.method.clone(),
                        request_headers: headers_vec(&p.request.headers),
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
            Event::NetworkResponseReceived(e) => {
                let p = &e.params;
                self.responses += 1;
                if let Some(x) = self.requests.get_mut(&p.request_id) {
                    let at = x.request_time;
                    x.response = Some(to_response(&p.response, at));
                    x.remote_ip = p.response.remote_ip_address.clone();
                    x.remote_port = p.response.remote_port.map(|v| v as u16);
                    x.resource_type = Some(format!("{:?}", p.Type));
                    if x.resource_type.as_deref() == Some("Document")
                        && self.main_security.is_none()
                        && let Some(sd) = &p.response.security_details
                    {
                        self.main_security = Some(json!({
                            "protocol": sd.protocol, "key_exchange": sd.key_exchange, "key_exchange_group": sd.key_exchange_group,
                            "cipher": sd.cipher, "subject": sd.subject_name, "issuer": sd.issuer, "sans": sd.san_list,
                            "valid_from": rfc3339(&wall(sd.valid_from)), "valid_to": rfc3339(&wall(sd.valid_to)),
                            "signed_certificate_timestamps": sd.signed_certificate_timestamp_list.len(),
                        }));
                    }
                }
            }
            Event::NetworkResponseReceivedExtraInfo(e) => {
                if let Some(t) = &e.params.headers_text {
                    self.extra.insert(e.params.request_id.clone(), t.clone());
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

    fn exchanges(&self) -> Vec<HttpExchange> {
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
    fn reconciliation(&self) -> Value {
        let requests = self.order.len() + self.redirect_exchanges.len();
        let ended = self.finished.len() + self.failed.len();
        let with_body = self.bodies.values().filter(|b| b.is_some()).count();
        let unanswered: Vec<String> = self
            .order
            .iter()
            .filter(|id| !self.finished.contains(*id) && !self.failed.contains_key(*id))
            .filter_map(|id| self.requests.get(id).map(|x| x.url.clone()))
            .take(50)
            .collect();
        json!({"requests_seen": requests, "responses_seen": self.responses, "loading_finished": self.finished.len(),
               "loading_failed": self.failed.len(), "bodies_recorded": with_body, "complete": ended >= self.order.len(),
               "still_pending_at_capture": unanswered})
    }
}

impl Browser {
    /// Print an HTML document to PDF (A4, with a footer template on every page).
    pub fn print_html_to_pdf(&self, html: &str, footer_template: &str) -> Result<Vec<u8>> {
        let tab = self
            .chrome
            .new_tab()
            .map_err(|e| chrome_err("opening a tab", "report", e))?;
        let dir = tempfile::tempdir().map_err(|e| Error::internal(e.to_string()))?;
        let f = dir.path().join("report.html");
        std::fs::write(&f, html).map_err(|e| Error::io("write", &f, e))?;
        let url = format!("file://{}", f.display());
        tab.navigate_to(&url)
            .map_err(|e| chrome_err("loading the report", "report", e))?;
        tab.wait_until_navigated()
            .map_err(|e| chrome_err("loading the report", "report", e))?;
        let r = tab
            .call_method(cdp::<Page::PrintToPDF>(json!({
                "printBackground": true, "paperWidth": 8.27, "paperHeight": 11.69,
                "marginTop": 0.6, "marginBottom": 0.7, "marginLeft": 0.5, "marginRight": 0.5,
                "displayHeaderFooter": true, "headerTemplate": "<span></span>", "footerTemplate": footer_template
            }))?)
            .map_err(|e| chrome_err("printing to PDF", "report", e))?;
        let _ = tab.close(false);
        base64::engine::general_purpose::STANDARD
            .decode(r.data.as_bytes())
            .map_err(|e| Error::internal(e.to_string()))
    }
}
