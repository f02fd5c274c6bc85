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
//!
//! The job, step by step, is [`Session::run`]. Credentials in the URL (`user:pass@`) are
//! used for the request only: every recorded URL has the password masked (`user:***@`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use headless_chrome::Tab;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Fetch, Network, Page};
use serde_json::{Value, json};

use crate::acquire::web::exchange::{Body, HttpExchange, HttpResponse};
use crate::acquire::web::facts::{self, BrowserFacts, Dialog, PageFacts, Viewport, WebFacts};
use crate::acquire::web::feed::{self, FeedFacts, FeedLimits};
use crate::acquire::web::network::{Net, Recorder, Waited};
use crate::acquire::web::recording::Screencast;
use crate::acquire::web::{mhtml, secrets, strip, wacz, warc};
use crate::acquire::{Acquisition, Ahead, AheadMedia, Artifact, Content, slugify};
pub use crate::browser::Browser;
use crate::browser::{BrowserOptions, Call, cdp, chrome_err, decode_base64, read_stream, together};
use crate::error::{Error, Result};
use crate::evidence::hash::sha256_hex;
use crate::text::mask_url;
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
    /// The lighter profile of `sigillo recheck`: no viewport screenshot, PDF print,
    /// MHTML, annotated screenshot, WACZ or second fetch (each named in the
    /// transformations); status, redirects, main document, full-page screenshot,
    /// visible text, media, WARC and TLS/DNS facts are recorded as in a capture.
    pub light: bool,
    /// Record the screen (`--record`): CDP screencast frames, an index and a derived video.
    pub record: bool,
    /// A visible browser window (interactive capture).
    pub headful: bool,
    /// `--scroll-until-end`: scroll an infinite feed until it ends or a cap is reached
    /// (`src/acquire/web/feed.rs`).
    pub scroll_until_end: Option<FeedLimits>,
    /// The most bytes sigillo itself downloads for one page beyond what the page loaded
    /// (remaining video stream segments, `--yt-dlp` downloads).
    pub max_media: u64,
    /// Also run yt-dlp on the page URL and seal what it downloads (`--yt-dlp`).
    pub yt_dlp: bool,
}

/// The default of `--max-media`: 1 GiB.
pub const DEFAULT_MAX_MEDIA: u64 = 1 << 30;

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
            light: false,
            record: false,
            headful: false,
            scroll_until_end: None,
            max_media: DEFAULT_MAX_MEDIA,
            yt_dlp: false,
        }
    }
}

impl From<&CaptureOptions> for BrowserOptions {
    fn from(o: &CaptureOptions) -> Self {
        BrowserOptions {
            executable: o.browser.clone(),
            window: o.viewport,
            profile: o.profile.clone(),
            insecure: o.insecure,
            timeout: o.timeout,
            headful: o.headful,
        }
    }
}

/// Secrets of the URL's credentials: given to the browser when the server asks for
/// them, and scrubbed from text the browser produced.
struct Credentials {
    /// User name, percent-decoded.
    user: String,
    /// Password, percent-decoded.
    password: String,
    /// `user:password` as written in the URL.
    userinfo: String,
    /// `user:***`.
    masked: String,
    /// The URL without its credentials: what the browser is sent to.
    bare: url::Url,
}

impl Credentials {
    fn of(u: &url::Url) -> Option<Credentials> {
        let password = u.password()?;
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let mut bare = u.clone();
        // Cannot fail: http(s) URLs (checked before) have a host.
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        Some(Credentials {
            user: decode(u.username()),
            password: decode(password),
            userinfo: format!("{}:{password}", u.username()),
            masked: format!("{}:***", u.username()),
            bare,
        })
    }

    /// The URL pattern of the credentials' origin: only its challenges are answered,
    /// so a third-party server on the page never receives the password.
    fn origin_pattern(&self) -> String {
        format!("{}/*", self.bare.origin().ascii_serialization())
    }

    fn scrub(&self, text: &str) -> String {
        text.replace(&format!("{}@", self.userinfo), &format!("{}@", self.masked))
    }
}

/// Why a page could not be loaded at all (the browser's navigation failed).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum LoadFailure {
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake or certificate failed.
    Tls,
    /// The connection was refused, reset or closed.
    Connection,
    /// The page did not load within the timeout.
    Timeout,
    /// Any other navigation error (named in the message).
    Other,
}

/// A navigation that failed: what kind of failure, and the error (message and fix).
#[derive(Debug)]
pub struct Unreachable {
    /// The kind of failure.
    pub kind: LoadFailure,
    /// The error, as `capture` reports it.
    pub error: Error,
}

impl Browser {
    /// Capture `url` into an acquisition of kind `web`; `label` goes into the header
    /// strip of the annotated screenshot (the item id the page will be sealed as).
    pub fn capture(
        &self,
        url: &str,
        label: &str,
        opts: &CaptureOptions,
        progress: &dyn Fn(&str),
    ) -> Result<Acquisition> {
        self.load(url, label, opts, progress)?.map_err(|u| u.error)
    }

    /// Load `url` as [`Browser::capture`] does, telling a navigation that failed (the
    /// page is unreachable: `Ok(Err(_))`) from any other failure (`Err`).
    pub fn load(
        &self,
        url: &str,
        label: &str,
        opts: &CaptureOptions,
        progress: &dyn Fn(&str),
    ) -> Result<std::result::Result<Acquisition, Unreachable>> {
        let shown = mask_url(url);
        let tab = self.new_tab(&shown)?;
        tab.set_default_timeout(opts.timeout);
        let mut s = Session::new(self, tab.clone(), url, label, opts, progress)?;
        let result = s.run();
        let _ = tab.close(false);
        match (result, s.nav_failure) {
            (Ok(()), _) => Ok(Ok(s.acq)),
            (Err(error), Some(kind)) => Ok(Err(Unreachable { kind, error })),
            (Err(e), None) => Err(e),
        }
    }
}

/// A tab recorded from its first request on, left open between captures: the person at
/// the window browses, and [`LiveTab::capture_now`] captures the page on screen
/// (interactive capture, `acquire::web::interactive`).
pub struct LiveTab<'b> {
    browser: &'b Browser,
    /// The tab (the window the person uses).
    pub tab: Arc<Tab>,
    net: Arc<Recorder>,
    /// The session's private temp folder, where the recorder writes every response body
    /// of the session: it lives as long as the session (items' files point into it).
    _bodies: Vec<crate::cleanup::Guard>,
    dialogs: Arc<Mutex<Vec<Dialog>>>,
    screencast: Option<Arc<Screencast>>,
    password_forms: Arc<secrets::PasswordForms>,
    /// Transformations of the setup (viewport, cookies …), repeated in every item.
    setup: Vec<String>,
    opts: CaptureOptions,
}

impl Browser {
    /// Open a tab that records from its first request (network, dialogs and, with
    /// `opts.record`, the screen) and load `url` in it; `listen` adds the caller's own
    /// event listeners before the first request.
    pub fn open_live(
        &self,
        url: &str,
        opts: &CaptureOptions,
        listen: &dyn Fn(&Arc<Tab>) -> Result<()>,
    ) -> Result<LiveTab<'_>> {
        let shown = mask_url(url);
        let tab = self.new_tab(&shown)?;
        tab.set_default_timeout(opts.timeout);
        let progress = |_: &str| {};
        let mut s = Session::new(self, tab.clone(), url, "", opts, &progress)?;
        s.live = true;
        s.set_up()?;
        let password_forms = secrets::watch_password_forms(&tab)?;
        s.acq.transformations.push("a script added to every page of the session reports, through a CDP binding, the action URL of a form holding a password field when it is submitted (so its request body is sealed only as a hash); it changes nothing else on the page".into());
        listen(&tab)?;
        if opts.record {
            s.screencast = Some(Screencast::start(&tab, opts.viewport, &shown)?);
        }
        s.navigate()?;
        Ok(LiveTab {
            browser: self,
            tab,
            net: s.net.clone(),
            _bodies: std::mem::take(&mut s.acq.scratch),
            dialogs: s.dialogs.clone(),
            screencast: s.screencast.clone(),
            password_forms,
            setup: s.acq.transformations.clone(),
            opts: opts.clone(),
        })
    }
}

impl LiveTab<'_> {
    /// Capture the page on screen now, without navigating: every artefact of a capture,
    /// the WARC holding the session's exchanges from its first request until now, and the
    /// screen recording since the previous capture.
    pub fn capture_now(&self, label: &str, progress: &dyn Fn(&str)) -> Result<Acquisition> {
        let url = self.tab.get_url();
        let mut s = Session::new(
            self.browser,
            self.tab.clone(),
            &url,
            label,
            &self.opts,
            progress,
        )?;
        s.live = true;
        s.authenticated = true;
        s.net = self.net.clone();
        s.dialogs = self.dialogs.clone();
        s.screencast = self.screencast.clone();
        s.password_forms = Some(self.password_forms.clone());
        s.acq.transformations = self.setup.clone();
        s.capture_current()?;
        Ok(s.acq)
    }
}

/// One page being captured: the tab, what was asked, and the acquisition being filled.
struct Session<'a> {
    browser: &'a Browser,
    tab: Arc<Tab>,
    /// The URL as given (may hold credentials: used for requests only).
    url: &'a str,
    /// The URL as recorded (password masked).
    shown: String,
    credentials: Option<Credentials>,
    parsed: url::Url,
    label: &'a str,
    opts: &'a CaptureOptions,
    progress: &'a dyn Fn(&str),
    acq: Acquisition,
    net: Arc<Recorder>,
    /// The private temp folder of this capture (bodies, WARC, WACZ).
    dir: PathBuf,
    dialogs: Arc<Mutex<Vec<Dialog>>>,
    /// Response bodies are fetched while this holds (until `record`, except in a live tab).
    bodies_on: Arc<std::sync::atomic::AtomicBool>,
    authenticated: bool,
    /// Set when navigating failed: the page could not be loaded at all.
    nav_failure: Option<LoadFailure>,
    /// The screen recording (`--record`).
    screencast: Option<Arc<Screencast>>,
    /// An interactive session's tab: it keeps recording after this capture, and the
    /// session's login secrets are replaced by their hashes (`secrets`).
    live: bool,
    /// Password forms submitted in an interactive session.
    password_forms: Option<Arc<secrets::PasswordForms>>,
    /// Where and why `--scroll-until-end` stopped.
    feed: Option<FeedFacts>,
    /// The page height scrolled through, when it was scrolled.
    scrolled: Option<u64>,
    /// The images the page loaded, being analysed ahead, by request id, with the size of
    /// the body analysed ([`Session::start_media_ahead`]).
    media_ahead: std::collections::HashMap<String, (u64, Ahead)>,
    /// The second fetch, running ([`Session::start_second_fetch`]).
    second_fetch: Option<std::thread::JoinHandle<Fetched>>,
}

/// The annotated screenshot being drawn: the PNG and its media facts, computed ahead on
/// their own thread.
type Annotating = std::thread::JoinHandle<std::result::Result<Drawn, String>>;

/// An annotated screenshot drawn, and its media facts being computed.
type Drawn = (Vec<u8>, Option<Ahead>);

/// The screenshots, taken together.
struct Shots {
    full: Vec<u8>,
    /// `None` in the light profile.
    view: Option<Vec<u8>>,
    content: (f64, f64),
    captured_at: Stamp,
    /// The media facts of `full` and `view`, computed while the page prints.
    full_ahead: Option<Ahead>,
    view_ahead: Option<Ahead>,
}

/// What the page looks like as a document.
struct Printed {
    /// The PDF print, in the temp folder; `None` in the light profile or when it failed.
    pdf: Option<PathBuf>,
    /// `None` in the light profile.
    mhtml: Option<Mhtml>,
    dom: String,
    text: Option<String>,
    title: Option<String>,
    links: Vec<String>,
    final_url: String,
}

/// The MHTML snapshot: Chromium's, or for a page with big resources sigillo's own, built
/// from the DOM and the recorded bodies straight into a file ([`mhtml`]).
enum Mhtml {
    Chromium(String),
    Built(PathBuf),
}

/// The network as recorded, once the page is captured.
struct Recorded {
    net: Net,
    exchanges: Vec<HttpExchange>,
    main: Option<HttpExchange>,
}

impl Recorded {
    fn main_body(&self) -> Option<&Body> {
        self.main
            .as_ref()
            .and_then(|m| m.response.as_ref())
            .and_then(|r| r.body.as_ref())
    }
}

impl<'a> Session<'a> {
    fn new(
        browser: &'a Browser,
        tab: Arc<Tab>,
        url: &'a str,
        label: &'a str,
        opts: &'a CaptureOptions,
        progress: &'a dyn Fn(&str),
    ) -> Result<Session<'a>> {
        let shown = mask_url(url);
        let parsed = check_url(url)?;
        let mut acq = Acquisition::start(
            crate::acquire::ItemKind::Web,
            parsed.host_str().unwrap_or("page"),
        );
        acq.slug = slugify(&format!(
            "{}{}",
            parsed.host_str().unwrap_or(""),
            parsed.path()
        ));
        acq.input.insert("url".into(), json!(shown));
        // Response bodies, the WARC and the WACZ are written here as they are made; the
        // folder goes with the acquisition (after sealing) or on any exit path.
        let dir = acq.scratch_dir()?;
        let credentials = Credentials::of(&parsed);
        Ok(Session {
            browser,
            tab,
            url,
            shown,
            authenticated: opts.profile.is_some() || credentials.is_some(),
            credentials,
            parsed,
            label,
            opts,
            progress,
            acq,
            net: Arc::default(),
            dir,
            dialogs: Arc::default(),
            bodies_on: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            nav_failure: None,
            scrolled: None,
            screencast: None,
            live: false,
            password_forms: None,
            feed: None,
            media_ahead: Default::default(),
            second_fetch: None,
        })
    }

    /// The job, in order.
    fn run(&mut self) -> Result<()> {
        self.set_up()?;
        if self.opts.record {
            self.screencast = Some(Screencast::start(
                &self.tab,
                self.opts.viewport,
                &self.shown,
            )?);
        }
        self.navigate()?;
        self.wait_for_selector()?;
        self.capture_current()
    }

    /// Capture the page the tab shows now (navigated already): scroll, settle,
    /// screenshots, prints, the network as recorded, facts, second fetch, every file.
    fn capture_current(&mut self) -> Result<()> {
        self.start_second_fetch();
        self.start_media_ahead();
        self.scroll();
        self.start_media_ahead();
        self.settle();
        self.start_media_ahead();
        self.wait_delay();
        // The recording ends before the screenshots (which resize the page).
        let recording = match self.screencast.clone() {
            Some(sc) => Some(sc.seal_into(&mut self.acq, !self.live)?),
            None => None,
        };
        let printing = self.start_pdf();
        let shots = self.shoot()?;
        crate::trace::step("screenshots taken");
        let page = self.page_identity();
        let recorded = self.record(&page.final_url)?;
        // The second fetch and the WARC/WACZ need nothing more from the tab: they run on
        // their own threads while Chromium reads the DOM and MHTML (and ends the print).
        let background = self.start_background(&shots, &page, &recorded);
        let strip = self.start_annotated(&shots, &page.final_url);
        let printed = self.print(page, &recorded, printing)?;
        crate::trace::step("printed");
        let (fetched, warc) = background.join();
        crate::trace::step("second fetch and WARC/WACZ joined");
        // The network was taken before printing (so the WARC could be written meanwhile):
        // a request the print made (e.g. a print style sheet) is said, not silently lost.
        let (before, after) = (
            recorded.net.requests_seen(),
            self.net.lock().requests_seen(),
        );
        if after > before {
            self.acq.warnings.push(format!(
                "{} request(s) made while Chromium printed the PDF and MHTML are not in the WARC (the network was recorded before printing)",
                after - before
            ));
        }
        let mut facts = self.facts(&shots, &printed, &recorded)?;
        self.second_fetch(fetched, &recorded, &mut facts);
        crate::trace::step("facts");
        self.package(shots, printed, recorded, warc?, facts, strip)?;
        crate::trace::step("packaged");
        if let Some(r) = recording {
            let v = serde_json::to_value(r)
                .map_err(|e| Error::internal(format!("recording facts: {e}")))?;
            self.acq.facts.insert("recording".into(), v);
        }
        Ok(())
    }

    /// Start the second fetch (not in the light profile) on its own thread, once the page
    /// has loaded: it asks the server for the URL again, independently of the browser,
    /// while the page scrolls and settles (it records its own time).
    fn start_second_fetch(&mut self) {
        if self.opts.light || self.second_fetch.is_some() {
            return;
        }
        let (url, timeout, insecure, ua) = (
            self.url.to_string(),
            self.opts.timeout,
            self.opts.insecure,
            self.opts.user_agent.clone(),
        );
        self.second_fetch = std::thread::Builder::new()
            .name("sigillo-second-fetch".into())
            .spawn(move || {
                facts::second_fetch(&facts::SecondFetchRequest {
                    url: &url,
                    timeout,
                    insecure,
                    user_agent: ua,
                    browser_body: None,
                    mask: &mask_url,
                })
            })
            .ok();
    }

    /// Start analysing the images the page loaded so far and not yet analysed (decode,
    /// PDQ, MD5, metadata: what sealing computes for each) on one thread, while the page
    /// is scrolled, settled and printed: sealing then finds their facts done. Called as
    /// the capture goes on; an image whose body came later is analysed when sealing.
    /// Response bodies never change once had, so these are the bytes `add_media` stores.
    fn start_media_ahead(&mut self) {
        let started = &self.media_ahead;
        let new = self
            .net
            .lock()
            .bodies_where(is_page_image, |id| started.contains_key(id));
        if new.is_empty() {
            return;
        }
        let (ids, jobs): (Vec<(String, u64)>, Vec<_>) = new
            .into_iter()
            .map(|(id, body, mt)| {
                let size = body.len();
                let media = match body {
                    Body::Memory(b) => AheadMedia::Bytes(b),
                    Body::File { path, .. } => AheadMedia::File(path),
                };
                ((id, size), (media, mt))
            })
            .unzip();
        // Images up to 4 megapixels (about 44 MB while their PDQ is computed): a page's
        // photos and pictures; bigger ones wait for sealing (memory stays bounded).
        let aheads = Ahead::start_many(jobs, 4_000_000);
        for ((id, size), ahead) in ids.into_iter().zip(aheads) {
            self.media_ahead.insert(id, (size, ahead));
        }
    }

    fn progress(&self, step: &str) {
        crate::trace::step(step);
        (self.progress)(step)
    }

    /// Set the tab up before its first request: the launch-side settings (viewport, user
    /// agent, cookies) and the recording (network events and every response body, dialogs,
    /// the page observer). The event listeners are added first; the CDP calls do not depend
    /// on each other's order, so they are made together (`browser::together`).
    fn set_up(&mut self) -> Result<()> {
        self.start_recording()?;
        let cookies = match &self.opts.cookies_file {
            Some(f) => Some(
                parse_cookies_txt(f)?
                    .into_iter()
                    .map(cdp::<Network::CookieParam>)
                    .collect::<Result<Vec<_>>>()?,
            ),
            None => None,
        };
        let n_cookies = cookies.as_ref().map(Vec::len);
        let (w, h) = self.opts.viewport;
        let viewport = cdp::<Emulation::SetDeviceMetricsOverride>(
            json!({"width": w, "height": h, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        let network = cdp::<Network::Enable>(
            json!({"maxTotalBufferSize": 256_000_000, "maxResourceBufferSize": 128_000_000}),
        )?;
        let observer =
            cdp::<Page::AddScriptToEvaluateOnNewDocument>(json!({"source": OBSERVER_JS}))?;
        let (tab, shown) = (&self.tab, self.shown.as_str());
        let mut calls: Vec<Call<'_>> = vec![
            Box::new(move || {
                tab.call_method(viewport)
                    .map(drop)
                    .map_err(|e| chrome_err("setting the viewport", shown, e))
            }),
            Box::new(move || {
                tab.call_method(network)
                    .map(drop)
                    .map_err(|e| chrome_err("enabling the network domain", shown, e))
            }),
            Box::new(move || {
                tab.call_method(observer)
                    .map(drop)
                    .map_err(|e| chrome_err("adding the page observer", shown, e))
            }),
        ];
        if let Some(u) = &self.opts.user_agent {
            calls.push(Box::new(move || {
                tab.set_user_agent(u, None, None)
                    .map_err(|e| chrome_err("setting the user agent", shown, e))
            }));
        }
        if let Some(params) = cookies {
            calls.push(Box::new(move || {
                tab.set_cookies(params)
                    .map_err(|e| chrome_err("loading cookies", shown, e))
            }));
        }
        together(calls)?;
        let t = &mut self.acq.transformations;
        t.push(format!(
            "set the browser viewport to {w}x{h} CSS pixels, device scale factor 1"
        ));
        if self.opts.user_agent.is_some() {
            t.push("replaced the browser's user agent (--user-agent)".into());
        }
        if let Some(n) = n_cookies {
            t.push(format!("loaded {n} cookies from a cookies.txt file before navigating (their values are not stored)"));
            self.authenticated = true;
        }
        if self.credentials.is_some() {
            t.push("the URL's credentials were used for HTTP authentication only; their password is masked as user:*** in every recorded URL (manifest, MHTML, WARC, WACZ) and the Authorization header is removed from the WARC".into());
        }
        t.push("a small observer script ran in every document of the page before its own scripts: it counts the page's pending short timers (setTimeout up to 2 s) and IntersectionObserver targets, so the capture waits exactly until late content is in (it does not change what the page does)".into());
        Ok(())
    }

    /// Record the network from the start: events, then each response body when its loading
    /// finishes; accept JavaScript dialogs (they would block the page) and note them. Only
    /// adds event listeners (no CDP call): `set_up` enables the network domain.
    fn start_recording(&mut self) -> Result<()> {
        let shown = self.shown.clone();
        let n2 = self.net.clone();
        self.tab
            .add_event_listener(Arc::new(move |ev: &Event| n2.on_event(ev, mask_url)))
            .map_err(|e| chrome_err("listening to the network", &shown, e))?;
        // Dialogs are answered from another thread: the event thread must not wait.
        let (d2, weak_tab) = (self.dialogs.clone(), Arc::downgrade(&self.tab));
        self.tab
            .add_event_listener(Arc::new(move |ev: &Event| {
                if let Event::PageJavascriptDialogOpening(e) = ev {
                    if let Ok(mut d) = d2.lock() {
                        d.push(Dialog {
                            kind: format!("{:?}", e.params.Type),
                            message_sha256: sha256_hex(e.params.message.as_bytes()),
                            message_length: e.params.message.len(),
                        });
                    }
                    let w = weak_tab.clone();
                    std::thread::spawn(move || {
                        if let Some(t) = w.upgrade() {
                            let _ = t.call_method(Page::HandleJavaScriptDialog {
                                accept: true,
                                prompt_text: None,
                            });
                        }
                    });
                }
            }))
            .map_err(|e| chrome_err("listening for dialogs", &shown, e))?;
        // Bodies the way headless_chrome's `register_response_handling` fetches them (on the
        // event thread, right after the recorder saw the event: `Network.getResponseBody`
        // when a request that had a response finishes loading), without the extra
        // `Network.enable` (default buffer sizes) that helper sends first. Until `record`.
        let (n3, dir, weak_tab) = (
            self.net.clone(),
            self.dir.clone(),
            Arc::downgrade(&self.tab),
        );
        let on = self.bodies_on.clone();
        let seq = std::sync::atomic::AtomicUsize::new(0);
        let responded = Mutex::new(std::collections::HashSet::new());
        self.tab
            .add_event_listener(Arc::new(move |ev: &Event| match ev {
                Event::NetworkResponseReceived(e) => {
                    if let Ok(mut r) = responded.lock() {
                        r.insert(e.params.request_id.clone());
                    }
                }
                Event::NetworkLoadingFinished(e) => {
                    let id = &e.params.request_id;
                    let had_response = responded.lock().is_ok_and(|r| r.contains(id));
                    if !had_response || !on.load(std::sync::atomic::Ordering::SeqCst) {
                        return;
                    }
                    // A body that cannot be had, decoded or written is recorded as
                    // missing, not empty. Each goes to its own file as it arrives: only
                    // its path, size and SHA-256 stay in memory.
                    let body = weak_tab
                        .upgrade()
                        .and_then(|t| {
                            t.call_method(Network::GetResponseBody {
                                request_id: id.clone(),
                            })
                            .ok()
                        })
                        .and_then(|b| {
                            let n = seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let f = dir.join(format!("body-{n:05}"));
                            if b.base_64_encoded {
                                Body::write_base64(&f, &b.body).ok()
                            } else {
                                Body::write(&f, b.body.as_bytes()).ok()
                            }
                        });
                    n3.put_body(id, body);
                }
                _ => {}
            }))
            .map_err(|e| chrome_err("recording responses", &shown, e))?;
        Ok(())
    }

    fn navigate(&mut self) -> Result<()> {
        self.progress("loading");
        // Chromium refuses a URL with credentials in it (ERR_INVALID_AUTH_CREDENTIALS):
        // navigate to the bare URL and answer the server's HTTP authentication
        // challenges, those of the URL's own origin only, with the credentials.
        let target = match &self.credentials {
            Some(c) => {
                self.tab
                    .authenticate(Some(c.user.clone()), Some(c.password.clone()))
                    .map_err(|e| chrome_err("setting the credentials", &self.shown, e))?;
                let pattern = cdp::<Fetch::RequestPattern>(json!({
                    "urlPattern": c.origin_pattern(),
                    "requestStage": "Request",
                }))?;
                self.tab
                    .enable_fetch(Some(&[pattern]), Some(true))
                    .map_err(|e| chrome_err("enabling authentication", &self.shown, e))?;
                c.bare.as_str()
            }
            None => self.url,
        };
        let navigated = self
            .tab
            .call_method(Page::Navigate {
                url: target.to_string(),
                referrer: None,
                transition_Type: None,
                frame_id: None,
                referrer_policy: None,
            })
            .map_err(|e| e.to_string())
            .and_then(|r| match r.error_text {
                Some(t) => Err(t),
                None => Ok(r),
            })
            .and_then(|r| {
                // Event-driven: the `load` (or `networkAlmostIdle`) lifecycle event of
                // this navigation, and of any later document of the main frame.
                let loader = r.loader_id.unwrap_or_default();
                match self
                    .net
                    .wait_loaded(&r.frame_id, &loader, self.opts.timeout)
                {
                    Waited::Done => Ok(()),
                    Waited::Capped => Err(format!(
                        "the page did not finish loading: timed out after {} s",
                        self.opts.timeout.as_secs()
                    )),
                }
            });
        if let Err(e) = navigated {
            let (kind, err) = nav_err(&self.shown, e);
            self.nav_failure = Some(kind);
            return Err(err);
        }
        Ok(())
    }

    /// Wait for the selector (if asked), then for the network to be quiet.
    fn wait_for_selector(&mut self) -> Result<()> {
        if let Some(sel) = &self.opts.wait_for {
            self.progress("waiting for the selector");
            self.tab
                .wait_for_element_with_custom_timeout(sel, self.opts.timeout)
                .map_err(|e| {
                    Error::input(format!(
                        "{}: '{sel}' did not appear within {} s: {e}",
                        self.shown,
                        self.opts.timeout.as_secs()
                    ))
                    .with_fix("check the CSS selector, or raise --timeout")
                })?;
            self.acq
                .transformations
                .push(format!("waited until the CSS selector '{sel}' was present"));
        }
        Ok(())
    }

    /// Wait for the page to settle (see [`Session::settle_page`]); when it was scrolled and
    /// then grew past what was scrolled, or lazy images are still pending, scroll and
    /// settle once more.
    fn settle(&mut self) {
        self.progress("settling");
        let mut after = self.settle_page(Duration::from_secs(15));
        if let Some(scrolled) = self.scrolled
            && (after.height > scrolled || after.lazy_images_pending > 0)
        {
            let _ = self.scroll_pass();
            self.acq.transformations.push("scrolled once more: the page grew, or lazy images were still pending, after the first pass".into());
            after = self.settle_page(Duration::from_secs(15));
        }
        if self.scrolled.is_some() && after.lazy_images_pending > 0 {
            self.acq.warnings.push(format!(
                "{} lazy-loading image(s) had still not loaded after scrolling the page twice: they may be missing from the screenshots and media",
                after.lazy_images_pending
            ));
        }
        if after.capped {
            self.acq.transformations.push("stopped waiting for the page to settle after 15 s (requests still in flight, short timers still pending or the DOM still changing)".into());
        }
    }

    /// Event-driven settling, at most `cap`: in the page, fonts loaded, images decoded,
    /// no pending short timer and no DOM content mutation (nodes, text) for a short quiet window; then no
    /// request in flight for a short quiet window; again while the network was busy.
    /// Returns what the page reported last.
    fn settle_page(&mut self, cap: Duration) -> PageState {
        let start = std::time::Instant::now();
        let mut state = PageState::default();
        for _ in 0..4 {
            let left = cap.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            let before = self.net.lock().activity();
            let js = format!("({SETTLE_JS})({}, {})", left.as_millis(), DOM_QUIET_MS);
            if let Some(s) = self
                .tab
                .evaluate(&js, true)
                .ok()
                .and_then(|r| r.value)
                .and_then(|v| {
                    v.as_str()
                        .and_then(|j| serde_json::from_str::<PageState>(j).ok())
                })
            {
                state = s;
            }
            let left = cap.saturating_sub(start.elapsed());
            let waited = self.net.wait_network_idle(NET_QUIET, left);
            if waited == Waited::Capped {
                state.capped = true;
                break;
            }
            if self.net.lock().activity() == before {
                break;
            }
        }
        state.capped |= start.elapsed() >= cap;
        state
    }

    /// Scroll to trigger lazy loading as soon as the page loaded (the settling that
    /// follows waits for what it triggered), unless nothing can be pending: the page is no
    /// taller than the viewport and no lazy image/frame or IntersectionObserver target
    /// is waiting (then the note says so).
    fn scroll(&mut self) {
        if !self.opts.scroll {
            return;
        }
        if let Some(limits) = self.opts.scroll_until_end {
            self.progress("scrolling to the end of the feed");
            let f = feed::scroll_until_end(&self.tab, &self.net, limits);
            self.acq.transformations.push(f.transformation());
            self.feed = Some(f);
            // Scrolled through in steps already; scrolling to the bottom again would load
            // more of an endless feed than was recorded.
            return;
        }
        // A page that cannot say how tall it is gets scrolled.
        let s = self.settle_state().unwrap_or(PageState {
            height: u64::MAX,
            ..Default::default()
        });
        if s.height <= s.inner_height && s.lazy_pending == 0 && s.observed == 0 {
            self.acq.transformations.push(format!("did not scroll: the page ({} px) is no taller than the viewport ({} px) and no lazy-loading image, frame or IntersectionObserver target was pending", s.height, s.inner_height));
            return;
        }
        self.progress("scrolling");
        // The height the scroll reached at the bottom; the height before it when the page
        // cannot say (then a page that grew while scrolling is scrolled once more).
        let reached = self
            .scroll_pass()
            .filter(|h| h.is_finite() && *h >= 0.0)
            .map_or(s.height, |h| h as u64);
        self.acq.transformations.push("scrolled the page to the bottom in steps and back to the top, to trigger lazy-loaded content".into());
        self.scrolled = Some(reached.max(s.inner_height));
    }

    /// One pass of the scroll (see [`SCROLL_JS`]); how far down the page it reached.
    fn scroll_pass(&self) -> Option<f64> {
        let since = self.screencast.as_ref().map(|c| c.frame_count());
        let reached = self
            .tab
            .evaluate(&self.scroll_js(), true)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_f64());
        if let (Some(c), Some(since)) = (&self.screencast, since) {
            // Frames come one at a time, each after the last was acknowledged: on a slow
            // machine that takes longer than the dwell, so the recording could miss the
            // scroll. Wait (at most 2 s) for a frame showing the page scrolled, then go
            // back to the top, held like every position.
            let down = self
                .tab
                .evaluate("window.scrollY", false)
                .ok()
                .and_then(|r| r.value)
                .and_then(|v| v.as_f64())
                .is_some_and(|y| y > 0.0);
            if down {
                c.wait_until_scrolled(since, Duration::from_secs(2));
            }
            let _ = self.tab.evaluate(
                "new Promise(r => { const S = window.__sigillo; window.scrollTo(0, 0); (S ? S.setTimeout : setTimeout).call(window, r, 200); })",
                true,
            );
        }
        reached
    }

    /// The scroll, as called: while the screen is recorded (`--record`), each position is
    /// held at least 200 ms, so the recording's frames (sent one at a time, each after the
    /// last was acknowledged) show the page scrolled, and the page stays at the bottom
    /// until a frame shows it there (see `scroll`).
    fn scroll_js(&self) -> String {
        let (dwell, back) = match self.screencast {
            Some(_) => (200, false),
            None => (0, true),
        };
        format!("({SCROLL_JS})({dwell}, {back})")
    }

    /// What the page reports now (no waiting); `None` if it could not be asked.
    fn settle_state(&mut self) -> Option<PageState> {
        let js = format!("({SETTLE_JS})(0, 0)");
        self.tab
            .evaluate(&js, true)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| {
                v.as_str()
                    .and_then(|j| serde_json::from_str::<PageState>(j).ok())
            })
    }

    fn wait_delay(&mut self) {
        if self.opts.delay.is_zero() {
            return;
        }
        self.progress("waiting");
        std::thread::sleep(self.opts.delay);
        self.acq.transformations.push(format!(
            "waited {:.1} s after loading (--delay)",
            self.opts.delay.as_secs_f64()
        ));
    }

    /// Full-page and viewport screenshots; their time is the capture time.
    fn shoot(&mut self) -> Result<Shots> {
        self.progress("screenshots");
        let m = self
            .tab
            .call_method(Page::GetLayoutMetrics(None))
            .map_err(|e| chrome_err("measuring the page", &self.shown, e))?;
        let content = (
            m.css_content_size.width.max(1.0),
            if m.css_content_size.height.is_nan() {
                1.0
            } else {
                m.css_content_size.height.clamp(1.0, 30_000.0)
            },
        );
        if let Some(f) = &mut self.feed {
            f.captured_height = Some(m.css_content_size.height.max(0.0) as u64);
        }
        let full = shot(&self.tab, Some(content), &self.shown)?;
        crate::trace::step("full-page screenshot taken");
        // Decoding and hashing the screenshots (PDQ) is the sealer's biggest job: started
        // as each is taken, it runs while Chromium takes the next and prints.
        let ahead = |b: &[u8], p: &str| Ahead::start(b.to_vec(), "image/png", p, true);
        let full_ahead = ahead(&full, SCREENSHOT_FULL);
        // A page taller than one screenshot holds: the rest in tiles below the first.
        for (n, (y, h)) in feed::tile_clips(m.css_content_size.height)
            .into_iter()
            .enumerate()
        {
            self.tile(n + 2, content.0, y, h);
        }
        let view = if self.opts.light {
            None
        } else {
            Some(shot(&self.tab, None, &self.shown)?)
        };
        let captured_at = Stamp::now();
        Ok(Shots {
            full_ahead,
            view_ahead: view.as_deref().and_then(|v| ahead(v, SCREENSHOT_VIEWPORT)),
            full,
            view,
            content,
            captured_at,
        })
    }

    /// Screenshot tile number `n` (2, 3 …) of a very tall page: `height` CSS px from `y`.
    fn tile(&mut self, n: usize, width: f64, y: f64, height: f64) {
        let p = json!({"format": "png", "fromSurface": true, "captureBeyondViewport": true,
                       "clip": {"x": 0, "y": y, "width": width, "height": height, "scale": 1}});
        let png = cdp::<Page::CaptureScreenshot>(p)
            .and_then(|m| {
                self.tab
                    .call_method(m)
                    .map_err(|e| chrome_err("a screenshot tile", &self.shown, e))
            })
            .and_then(|r| decode_base64(&r.data, "a screenshot tile"));
        match png {
            Ok(png) => self.acq.artifacts.push(
                Artifact::original(feed::tile_path(n), Content::Bytes(png))
                    .media_type("image/png")
                    .describe(format!("full-page screenshot, tile {n}: CSS px {y} to {} of the page (the page is taller than one screenshot holds)", y + height))
                    .with_url(self.shown.clone()),
            ),
            Err(e) => self.acq.warnings.push(format!(
                "the page is taller than one screenshot holds, and its tile {n} (from CSS px {y}) could not be taken: {}",
                e.problem()
            )),
        }
    }

    /// PDF, MHTML, DOM, visible text, title and links.
    /// The page's final URL and title (before printing: the WARC/WACZ thread needs them).
    fn page_identity(&self) -> PageIdentity {
        PageIdentity {
            final_url: mask_url(&self.tab.get_url()),
            title: self.eval_str("document.title"),
        }
    }

    /// Start the work that needs nothing more from the tab on threads: the WARC + WACZ,
    /// written into the private folder; with the second fetch (started earlier).
    fn start_background(
        &mut self,
        shots: &Shots,
        page: &PageIdentity,
        rec: &Recorded,
    ) -> Background {
        let fetch = self.second_fetch.take();
        let job = WarcJob {
            at: shots.captured_at.at,
            screenshot: shots.full.clone(),
            exchanges: rec.exchanges.clone(),
            target_url: self.shown.clone(),
            product: self.browser.product.clone(),
            page: wacz::WaczPage {
                url: page.final_url.clone(),
                ts: rec
                    .main
                    .as_ref()
                    .map(|m| m.request_time)
                    .unwrap_or(shots.captured_at.at),
                title: page.title.clone(),
            },
            wacz: !self.opts.light,
            dir: self.dir.clone(),
        };
        Background {
            fetch,
            warc: std::thread::spawn(move || job.run()),
        }
    }

    /// Start printing the PDF (not in the light profile) on its own thread: Chromium
    /// lays the page out for print in one task of the renderer and composes the PDF in
    /// its print process, so the screenshots taken meanwhile cost little more.
    fn start_pdf(&self) -> Option<Printing> {
        if self.opts.light {
            return None;
        }
        let (tab, out, shown) = (
            self.tab.clone(),
            self.dir.join("page.pdf"),
            self.shown.clone(),
        );
        std::thread::Builder::new()
            .name("sigillo-pdf".into())
            .spawn(move || print_pdf(&tab, &out, &shown))
            .ok()
    }

    fn print(
        &mut self,
        page: PageIdentity,
        rec: &Recorded,
        printing: Option<Printing>,
    ) -> Result<Printed> {
        let light = self.opts.light;
        self.progress(if light { "DOM" } else { "PDF, MHTML, DOM" });
        let pdf = match printing {
            Some(p) => p
                .join()
                .unwrap_or_else(|_| Err(Error::internal("printing to PDF panicked")))?,
            None if light => Ok(None),
            None => print_pdf(&self.tab, &self.dir.join("page.pdf"), &self.shown)?,
        };
        let pdf = pdf.unwrap_or_else(|e| {
            self.acq
                .warnings
                .push(format!("no PDF print: {}", e.problem()));
            None
        });
        crate::trace::step("PDF printed");
        let dom = self
            .tab
            .get_content()
            .map_err(|e| chrome_err("reading the DOM", &self.shown, e))?;
        let mhtml = if light {
            None
        } else {
            Some(self.mhtml(rec, &page, &dom)?)
        };
        crate::trace::step("DOM and MHTML read");
        let text = self.eval_str("document.body ? document.body.innerText : ''");
        if text.is_none() {
            self.acq.warnings.push(
                "the visible text could not be read from the page (no visible-text.txt)".into(),
            );
        }
        let PageIdentity { final_url, title } = page;
        let links = self
            .eval_str("JSON.stringify(Array.from(document.querySelectorAll('a[href]')).map(a => a.href).slice(0, 5000))")
            .and_then(|s| serde_json::from_str::<Vec<String>>(&s).ok())
            .unwrap_or_default()
            .iter()
            .map(|l| mask_url(l))
            .collect();
        Ok(Printed {
            pdf,
            mhtml,
            dom,
            text,
            title,
            links,
            final_url,
        })
    }

    /// The MHTML snapshot: Chromium's, credentials scrubbed; or, when the recorded bodies
    /// pass [`mhtml::BUILD_ABOVE`], sigillo's own, streamed from them into a file (Chromium
    /// would hand the whole snapshot over in one message, held in memory several times).
    fn mhtml(&mut self, rec: &Recorded, page: &PageIdentity, dom: &str) -> Result<Mhtml> {
        let total: u64 = rec
            .exchanges
            .iter()
            .filter_map(|e| e.response.as_ref()?.body.as_ref())
            .map(Body::len)
            .sum();
        if total > mhtml::BUILD_ABOVE {
            let out = self.dir.join("page.mhtml");
            let parts = mhtml::parts(&rec.exchanges, &page.final_url);
            let title = page.title.as_deref().unwrap_or("");
            mhtml::write(&out, &page.final_url, title, Utc::now(), dom, &parts)?;
            self.acq.transformations.push(format!(
                "the MHTML snapshot was built by sigillo from the DOM and {} recorded responses ({} MiB of response bodies in all, more than Chromium's one-message snapshot is taken for); it holds the top document's DOM and every resource as received, not the DOM of frames",
                parts.len(),
                total >> 20
            ));
            return Ok(Mhtml::Built(out));
        }
        let mhtml = self
            .tab
            .call_method(cdp::<Page::CaptureSnapshot>(json!({"format": "mhtml"}))?)
            .map(|r| r.data)
            .map_err(|e| chrome_err("the MHTML snapshot", &self.shown, e))?;
        // A large page's MHTML holds every image: never copied unless it must be scrubbed.
        Ok(Mhtml::Chromium(match &self.credentials {
            Some(c) => c.scrub(&mhtml),
            None => mhtml,
        }))
    }

    fn eval_str(&self, js: &str) -> Option<String> {
        self.tab
            .evaluate(js, false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_str().map(str::to_string))
    }

    /// Stop recording and take the exchanges; find the main document.
    fn record(&mut self, final_url: &str) -> Result<Recorded> {
        if !self.live {
            self.bodies_on
                .store(false, std::sync::atomic::Ordering::SeqCst);
        }
        let net = self.net.lock().clone();
        let mut exchanges = net.exchanges();
        if self.live {
            let redacted = secrets::redact(&mut exchanges, self.password_forms.as_deref());
            self.acq.transformations.extend(redacted.transformations());
        }
        let is_doc = |e: &&HttpExchange| {
            e.resource_type.as_deref() == Some("Document") && e.response.is_some()
        };
        let main = exchanges
            .iter()
            .rev()
            .filter(is_doc)
            .find(|e| e.url == final_url)
            .or_else(|| exchanges.iter().find(is_doc))
            .cloned();
        let bad = net.reconciliation().requests_without_valid_time.len();
        if bad > 0 {
            self.acq.warnings.push(format!("Chromium gave no valid time for {bad} request(s); their WARC-Date is when sigillo received the event (listed in network_reconciliation.requests_without_valid_time)"));
        }
        Ok(Recorded {
            net,
            exchanges,
            main,
        })
    }

    /// The network facts, the browser and the page (the certificate chain also becomes a file).
    fn facts(&mut self, shots: &Shots, printed: &Printed, rec: &Recorded) -> Result<WebFacts> {
        let mut server_ips: Vec<String> = rec
            .exchanges
            .iter()
            .filter_map(|e| e.remote_ip.clone())
            .collect();
        server_ips.sort();
        server_ips.dedup();
        let main_document = rec.main.as_ref().and_then(|mx| {
            let r = mx.response.as_ref()?;
            Some(facts::MainDocument {
                url: mx.url.clone(),
                status: r.status,
                status_text: r.status_text.clone(),
                protocol: r.protocol.clone(),
                headers: r.headers.clone(),
                remote_ip: mx.remote_ip.clone(),
                remote_port: mx.remote_port,
                mime_type: r.mime_type.clone(),
                body_sha256: r.body.as_ref().map(Body::sha256),
            })
        });
        let mut tls = rec.net.main_security.clone().map(|s| facts::TlsFacts {
            session: Some(s),
            certificates: None,
        });
        if let Some(certs) = self.certificate_chain(&printed.final_url) {
            tls.get_or_insert_with(Default::default).certificates = Some(certs);
        }
        let (w, h) = self.opts.viewport;
        let dialogs = self.dialogs.lock().map(|d| d.clone()).unwrap_or_default();
        if !dialogs.is_empty() {
            self.acq.transformations.push(format!("accepted {} JavaScript dialog(s) (alert/confirm/prompt) so the page could finish loading", dialogs.len()));
        }
        Ok(WebFacts {
            final_url: printed.final_url.clone(),
            redirects: rec.net.redirects.clone(),
            network_reconciliation: rec.net.reconciliation(),
            server_ips,
            main_document,
            tls,
            dns: facts::dns_facts(&self.parsed),
            browser: BrowserFacts {
                product: self.browser.product.clone(),
                executable: self.browser.executable().display().to_string(),
                user_agent: self
                    .opts
                    .user_agent
                    .clone()
                    .unwrap_or_else(|| self.browser.default_user_agent.clone()),
                viewport: Viewport {
                    width: w,
                    height: h,
                },
                headless: self.browser.headless,
                fresh_profile: self.opts.profile.is_none(),
                insecure_tls_accepted: self.opts.insecure,
            },
            authenticated_session: self.authenticated,
            cookies_file_used: self.opts.cookies_file.is_some(),
            profile_used: self.opts.profile.is_some(),
            page: PageFacts {
                title: printed.title.clone(),
                links: printed.links.clone(),
                content_width: shots.content.0 as u64,
                content_height: shots.content.1 as u64,
            },
            captured_at: shots.captured_at.rfc3339(),
            javascript_dialogs: dialogs,
            second_fetch: facts::SecondFetch::Failed {
                error: "not run".into(),
                at: None,
            },
            warc: None,
            scroll_until_end: self.feed.clone(),
            video_streams: Vec::new(),
            yt_dlp: None,
            header_strip: None,
        })
    }

    /// Certificate chain of the final origin, from the browser; kept as a PEM file.
    fn certificate_chain(&mut self, final_url: &str) -> Option<Vec<facts::Certificate>> {
        if self.parsed.scheme() != "https" && !final_url.starts_with("https://") {
            return None;
        }
        let u = url::Url::parse(final_url).ok()?;
        let origin = u.origin().ascii_serialization();
        let c = self
            .tab
            .call_method(Network::GetCertificate {
                origin: origin.clone(),
            })
            .ok()?;
        let (pem, certs) = facts::certificate_chain(&c.table_names);
        if pem.is_empty() {
            return None;
        }
        self.acq.artifacts.push(
            Artifact::original(
                format!("original/tls/{}.pem", slugify(u.host_str().unwrap_or(""))),
                Content::Bytes(pem.into_bytes()),
            )
            .media_type("application/x-pem-file")
            .describe("TLS certificate chain the browser received, leaf first")
            .with_origin(origin),
        );
        Some(certs)
    }

    /// The URL fetched again without the browser (run by [`Session::start_background`]).
    fn second_fetch(&mut self, fetched: Option<Fetched>, rec: &Recorded, facts: &mut WebFacts) {
        let Some((mut second, body)) = fetched else {
            facts.second_fetch = facts::SecondFetch::Failed {
                error: "not run (recheck profile)".into(),
                at: None,
            };
            return;
        };
        self.progress("second fetch");
        if let facts::SecondFetch::Fetched(f) = &mut second {
            f.same_body_as_browser = rec.main_body().map(|b| b.sha256() == f.body_sha256);
        }
        if let Some(body) = body {
            self.acq.artifacts.push(
                Artifact::original("original/second-fetch.body", Content::Bytes(body))
                    .describe("the URL fetched again without the browser (reqwest), bytes exactly as served")
                    .with_url(self.shown.clone()),
            );
        }
        facts.second_fetch = second;
        if self.opts.insecure {
            self.acq
                .warnings
                .push("invalid TLS certificates were accepted (--insecure)".into());
        }
    }

    /// Every file of the item, the WARC and WACZ, and the facts into the acquisition.
    fn package(
        &mut self,
        mut shots: Shots,
        mut printed: Printed,
        rec: Recorded,
        warc: WarcMade,
        mut facts: WebFacts,
        annotated: Option<Annotating>,
    ) -> Result<()> {
        self.add_originals(&mut shots, &mut printed, &rec);
        if self.opts.light {
            self.acq.transformations.push("recheck profile: no viewport screenshot, PDF print, MHTML snapshot, annotated screenshot, WACZ or second fetch were made".into());
        } else {
            facts.header_strip = self.add_annotated(
                &shots.full,
                &shots.captured_at,
                &printed.final_url,
                annotated,
            );
        }
        let claimed = self.add_streams(&rec.exchanges, &mut facts);
        self.add_media(&rec.exchanges, &claimed);
        let warc_facts = self.add_warc_wacz(warc);
        facts.warc = Some(warc_facts);
        self.acq.facts = facts.to_map()?;
        self.acq.finished = Stamp::now();
        if let Some(r) = rec.main.as_ref().and_then(|m| m.response.as_ref())
            && r.status >= 400
        {
            self.acq.warnings.push(format!(
                "the server answered HTTP {} {} (captured as evidence)",
                r.status, r.status_text
            ));
        }
        Ok(())
    }

    fn add_originals(&mut self, shots: &mut Shots, printed: &mut Printed, rec: &Recorded) {
        let final_url = printed.final_url.clone();
        let dir = self.dir.clone();
        // A large file (an MHTML holds every image of the page) waits for sealing on disk,
        // not in memory; if it cannot be written it stays in memory.
        let spill = |p: &str, b: Vec<u8>| -> Content {
            if b.len() > 1 << 20 {
                let f = dir.join(p.replace('/', "_"));
                match std::fs::write(&f, &b) {
                    Ok(()) => Content::File(f),
                    Err(_) => Content::Bytes(b),
                }
            } else {
                Content::Bytes(b)
            }
        };
        let mut add_ahead = |p: &str, content: Content, mt: &str, d: &str, ahead| {
            self.acq.artifacts.push(
                Artifact::original(p, content)
                    .media_type(mt)
                    .describe(d)
                    .with_url(final_url.clone())
                    .analysed_ahead(ahead),
            );
        };
        add_ahead(
            SCREENSHOT_FULL,
            spill(SCREENSHOT_FULL, shots.full.clone()),
            "image/png",
            "full-page screenshot (beyond the viewport), as rendered by Chromium",
            shots.full_ahead.take(),
        );
        if let Some(view) = &shots.view {
            add_ahead(
                SCREENSHOT_VIEWPORT,
                spill(SCREENSHOT_VIEWPORT, view.clone()),
                "image/png",
                "viewport screenshot, as rendered by Chromium",
                shots.view_ahead.take(),
            );
        }
        let mut add =
            |p: &str, content: Content, mt: &str, d: &str| add_ahead(p, content, mt, d, None);
        if let Some(pdf) = printed.pdf.take() {
            add(
                "original/page.pdf",
                Content::File(pdf),
                "application/pdf",
                "PDF print of the page by Chromium",
            );
        }
        match printed.mhtml.take() {
            Some(Mhtml::Chromium(m)) => add(
                "original/page.mhtml",
                spill("original/page.mhtml", m.into_bytes()),
                "multipart/related",
                "MHTML snapshot (Page.captureSnapshot)",
            ),
            Some(Mhtml::Built(f)) => add(
                "original/page.mhtml",
                Content::File(f),
                "multipart/related",
                "MHTML snapshot built by sigillo from the DOM and the recorded responses (the page's resources are too big for Chromium's one-message snapshot; see docs/web-capture.md)",
            ),
            None => {}
        }
        add(
            "original/dom.html",
            spill(
                "original/dom.html",
                std::mem::take(&mut printed.dom).into_bytes(),
            ),
            "text/html",
            "rendered DOM after scripts ran (serialized HTML)",
        );
        if let Some(b) = rec.main_body() {
            self.acq.artifacts.push(
                Artifact::original("original/main-document.body", body_content(b))
                    .media_type("application/octet-stream")
                    .describe("main document body as the browser received it (content-encoding removed by Chromium)")
                    .with_url(printed.final_url.clone()),
            );
        }
        if let Some(text) = &printed.text {
            self.acq.artifacts.push(
                Artifact::derived(
                    "derived/visible-text.txt",
                    Content::Bytes(text.clone().into_bytes()),
                    vec!["original/dom.html".into()],
                )
                .media_type("text/plain")
                .describe("visible text of the page (document.body.innerText)"),
            );
        }
    }

    /// The header strip's two lines, as drawn: UTC capture time and item id, then the
    /// final URL ([`strip::shown`]: a very long one is cut, saying so).
    fn strip_lines(&self, captured_at: &Stamp, final_url: &str) -> [String; 2] {
        [
            strip::shown(&format!(
                "sigillo capture · {} · {}",
                rfc3339(&captured_at.at),
                self.label
            )),
            strip::shown(final_url),
        ]
    }

    /// Draw the annotated screenshot on its own thread, while the page prints (`None` in
    /// the light profile, which has none; or when no thread could be started:
    /// `add_annotated` then draws it).
    fn start_annotated(&self, shots: &Shots, final_url: &str) -> Option<Annotating> {
        if self.opts.light {
            return None;
        }
        let (full, lines) = (
            shots.full.clone(),
            self.strip_lines(&shots.captured_at, final_url),
        );
        std::thread::Builder::new()
            .name("sigillo-annotate".into())
            .spawn(move || draw_annotated(&full, &lines))
            .ok()
    }

    /// The annotated screenshot (drawn while printing, or here); the text of its header
    /// strip, if it was drawn.
    fn add_annotated(
        &mut self,
        full: &[u8],
        captured_at: &Stamp,
        final_url: &str,
        drawing: Option<Annotating>,
    ) -> Option<Vec<String>> {
        self.progress("annotated screenshot");
        let lines = self.strip_lines(captured_at, final_url);
        let annotated = match drawing.map(|h| h.join()) {
            Some(Ok(drawn)) => drawn,
            Some(Err(_)) => Err("drawing it failed unexpectedly".to_string()),
            None => draw_annotated(full, &lines),
        };
        match annotated {
            Ok((png, ahead)) => {
                self.acq
                    .artifacts
                    .push(annotated_artifact(png).analysed_ahead(ahead));
                Some(lines.to_vec())
            }
            Err(e) => {
                self.acq
                    .warnings
                    .push(format!("could not draw the annotated screenshot: {e}"));
                None
            }
        }
    }

    /// Video streams (HLS/DASH) the page played, and `--yt-dlp`: their files into the
    /// acquisition, their facts into `facts` (not in the light profile). The request ids
    /// of the exchanges stored as stream files.
    fn add_streams(
        &mut self,
        exchanges: &[HttpExchange],
        facts: &mut WebFacts,
    ) -> std::collections::HashSet<String> {
        if self.opts.light {
            return Default::default();
        }
        let opts = super::stream::StreamOptions {
            max_bytes: self.opts.max_media,
            user_agent: facts.browser.user_agent.clone(),
            insecure: self.opts.insecure,
            timeout: self.opts.timeout,
        };
        if super::stream::has_streams(exchanges) {
            self.progress("video streams");
        }
        let s = super::stream::collect(exchanges, &opts);
        self.acq.artifacts.extend(s.artifacts);
        self.acq.transformations.extend(s.transformations);
        self.acq.warnings.extend(s.warnings);
        facts.video_streams = s.facts;
        if self.opts.yt_dlp {
            self.progress("yt-dlp");
            let budget = self.opts.max_media.saturating_sub(s.bytes_fetched);
            let (files, f, warnings) =
                super::stream::yt_dlp(self.url, &self.shown, budget, self.opts.timeout);
            self.acq.transformations.push(format!(
                "ran yt-dlp on the page URL (--yt-dlp): {}; {} file(s) kept",
                f.status,
                files.len()
            ));
            self.acq.artifacts.extend(files);
            self.acq.warnings.extend(warnings);
            facts.yt_dlp = Some(f);
        }
        s.claimed
    }

    /// Media the page loaded (at most 500 files), except those stored as stream files.
    fn add_media(
        &mut self,
        exchanges: &[HttpExchange],
        claimed: &std::collections::HashSet<String>,
    ) {
        let mut n = 0;
        for ex in exchanges {
            if claimed.contains(&ex.request_id) {
                continue;
            }
            let Some(r) = &ex.response else { continue };
            let Some(body) = &r.body else { continue };
            if !is_page_media(ex, r) || body.is_empty() || n >= 500 {
                continue;
            }
            n += 1;
            // The body analysed ahead is this one (bodies are had once, never replaced);
            // its size is checked all the same.
            let ahead = self
                .media_ahead
                .remove(&ex.request_id)
                .filter(|(size, _)| *size == body.len())
                .map(|(_, a)| a);
            self.acq.artifacts.push(
                Artifact::original(
                    format!("original/media/{n:03}-{}", media_name(&ex.url)),
                    body_content(body),
                )
                .media_type(r.mime_type.clone())
                .describe("media file the page loaded (body as received by the browser)")
                .with_url(ex.url.clone())
                .analysed_ahead(ahead),
            );
        }
    }

    /// WARC + WACZ of the same session (made by [`WarcJob::run`]) into the acquisition.
    fn add_warc_wacz(&mut self, made: WarcMade) -> facts::WarcFacts {
        self.progress("WARC/WACZ");
        let summary = made.summary;
        if summary.stripped_headers.iter().any(|(_, n)| *n > 0) {
            self.acq.transformations.push("removed Cookie / Authorization headers of the capturing session from WARC request records".into());
        }
        self.acq.transformations.push("WARC response records hold the bodies as Chromium decoded them; the original Content-Encoding/Length headers are kept in metadata records".into());
        self.acq.artifacts.push(Artifact::original("original/capture.warc.gz", Content::File(made.warc)).media_type("application/warc").describe("WARC/1.1 of every request and response of the capture session (one gzip member per record)"));
        if let Some(wacz) = made.wacz {
            self.acq.artifacts.push(
                Artifact::derived(
                    "derived/capture.wacz",
                    Content::File(wacz),
                    vec!["original/capture.warc.gz".into()],
                )
                .media_type("application/wacz")
                .describe("WACZ 1.1.1 package of the WARC, for replay in ReplayWeb.page"),
            );
        }
        facts::WarcFacts {
            records: summary.records,
            stripped_request_headers: summary.stripped_headers,
        }
    }
}

/// What the second fetch returned.
type Fetched = (facts::SecondFetch, Option<Vec<u8>>);

/// The page's final URL (masked) and title.
struct PageIdentity {
    final_url: String,
    title: Option<String>,
}

/// Work running while Chromium prints.
struct Background {
    fetch: Option<std::thread::JoinHandle<Fetched>>,
    warc: std::thread::JoinHandle<Result<WarcMade>>,
}

impl Background {
    /// Wait for both; a thread that panicked is a failed step, never a lost capture.
    fn join(self) -> (Option<Fetched>, Result<WarcMade>) {
        let fetch = self.fetch.map(|h| {
            h.join().unwrap_or_else(|_| {
                (
                    facts::SecondFetch::Failed {
                        error: "the second fetch stopped unexpectedly".into(),
                        at: None,
                    },
                    None,
                )
            })
        });
        let warc = self
            .warc
            .join()
            .unwrap_or_else(|_| Err(Error::internal("writing the WARC stopped unexpectedly")));
        (fetch, warc)
    }
}

/// Everything the WARC and WACZ are made from (owned: it runs on its own thread).
struct WarcJob {
    at: chrono::DateTime<chrono::Utc>,
    screenshot: Vec<u8>,
    exchanges: Vec<HttpExchange>,
    target_url: String,
    product: String,
    page: wacz::WaczPage,
    wacz: bool,
    dir: PathBuf,
}

/// The WARC and WACZ files written, and what the WARC writer reported.
struct WarcMade {
    warc: PathBuf,
    wacz: Option<PathBuf>,
    summary: warc::WarcSummary,
}

impl WarcJob {
    /// Write `capture.warc.gz` (and `capture.wacz`) into the private folder, streaming
    /// each body from its file.
    fn run(self) -> Result<WarcMade> {
        let info = warc::WarcInfo {
            software: format!("{} {}", crate::TOOL_NAME, crate::TOOL_VERSION),
            operator: String::new(),
            target_url: self.target_url,
            created: self.at,
            notes: vec![format!(
                "recorded by {} from the Chrome DevTools Protocol events of the capture session; the page was not reloaded",
                self.product
            )],
        };
        let extra = [warc::ExtraResource {
            uri: "urn:sigillo:screenshot:full".into(),
            media_type: "image/png".into(),
            bytes: self.screenshot,
            time: self.at,
        }];
        let seed = warc::random_seed()?;
        let warc_path = self.dir.join("capture.warc.gz");
        let create = |p: &std::path::Path| {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(p)
                .map(std::io::BufWriter::new)
                .map_err(|e| Error::io("create", p, e))
        };
        let mut out = create(&warc_path)?;
        let summary = warc::write_warc_gz(&self.exchanges, &extra, &info, &seed, &mut out)?;
        use std::io::Write;
        out.flush().map_err(|e| Error::io("write", &warc_path, e))?;
        drop(out);
        let wacz = if self.wacz {
            let p = self.dir.join("capture.wacz");
            let out = create(&p)?;
            wacz::write_wacz(
                warc_path.as_path(),
                &summary,
                &self.page,
                self.at,
                &info.software,
                out,
            )?;
            Some(p)
        } else {
            None
        };
        Ok(WarcMade {
            warc: warc_path,
            wacz,
            summary,
        })
    }
}

/// Whether a response is a media file the page loaded (an image, a video, a sound): one
/// of its `original/media/` files.
fn is_page_media(ex: &HttpExchange, r: &HttpResponse) -> bool {
    matches!(ex.resource_type.as_deref(), Some("Image" | "Media"))
        || crate::evidence::media::is_media(&r.mime_type)
}

/// Whether a page media file is an image, analysed ahead while the capture goes on
/// (videos and sounds are probed by ffprobe, a process each, and may be stream segments:
/// sealing does that, for the files it keeps).
fn is_page_image(ex: &HttpExchange, r: &HttpResponse) -> bool {
    is_page_media(ex, r)
        && !r.mime_type.starts_with("video/")
        && !r.mime_type.starts_with("audio/")
        && ex.resource_type.as_deref() != Some("Media")
}

/// An artifact's content from a recorded body: the body's own file when on disk.
fn body_content(b: &Body) -> Content {
    match b {
        Body::Memory(v) => Content::Bytes(v.clone()),
        Body::File { path, .. } => Content::File(path.clone()),
    }
}

/// A safe file name for a media URL: its last path segment, `[A-Za-z0-9._-]` only.
pub(super) fn media_name(u: &str) -> String {
    let name = url::Url::parse(u)
        .ok()
        .and_then(|u| {
            u.path_segments()
                .and_then(|mut s| s.next_back().map(str::to_string))
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "media".into());
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect()
}

/// Quiet window of the network: no request started or ended for this long.
const NET_QUIET: Duration = Duration::from_millis(150);

/// Quiet window of the DOM (no mutation), in milliseconds.
const DOM_QUIET_MS: u64 = 100;

/// Run in every document before its own scripts (main world): counts pending short
/// timers (`setTimeout` up to 2 s, not chains deeper than 3, which are loops) and
/// IntersectionObserver targets, and tells `SETTLE_JS` when the count changes; notes when
/// the DOM last changed (so a quiet window can count from then, not from when settling
/// began). The page's timers run exactly as they would; only their count is kept.
const OBSERVER_JS: &str = r#"(() => {
  if (window.__sigillo) return;
  const st = window.setTimeout, ct = window.clearTimeout;
  const pending = new Set();
  const now = performance.now.bind(performance);
  // last: when the DOM last changed or a short timer ran or was cleared (what settling
  // waits to be quiet), watched from the document's start.
  const S = { pending: () => pending.size, observed: 0, onchange: null, setTimeout: st, clearTimeout: ct, now, last: now() };
  Object.defineProperty(window, '__sigillo', { value: S, enumerable: false });
  try {
    new MutationObserver(() => { S.last = now(); })
      .observe(document, { subtree: true, childList: true, characterData: true });
  } catch (e) {}
  let depth = 0;
  const changed = () => { S.last = now(); if (S.onchange) { try { S.onchange(); } catch (e) {} } };
  window.setTimeout = function (fn, ms, ...args) {
    if (typeof fn !== 'function') return st.call(window, fn, ms, ...args);
    const d = depth;
    const track = d < 3 && (+ms || 0) <= 2000;
    let id;
    const run = function () {
      pending.delete(id);
      const prev = depth; depth = d + 1;
      try { return fn.apply(this, args); } finally { depth = prev; if (track) changed(); }
    };
    id = st.call(window, run, ms);
    if (track) pending.add(id);
    return id;
  };
  window.clearTimeout = function (id) {
    const had = pending.delete(id);
    const r = ct.call(window, id);
    if (had) changed();
    return r;
  };
  const IO = window.IntersectionObserver;
  if (IO && IO.prototype && IO.prototype.observe) {
    const observe = IO.prototype.observe;
    IO.prototype.observe = function (t) { S.observed++; return observe.call(this, t); };
  }
})()"#;

/// Resolves, at most after `cap` ms, once fonts are loaded, the document's (non-lazy)
/// images are decoded, no short timer is pending and the DOM had no mutation (since the
/// last one, seen from the document's start) for `quiet`
/// ms; then reports the page's height and what lazy loading may still be pending.
const SETTLE_JS: &str = r#"async (cap, quiet) => {
  const S = window.__sigillo;
  const T = S ? S.setTimeout : setTimeout, C = S ? S.clearTimeout : clearTimeout;
  const t0 = performance.now();
  const left = () => Math.max(0, cap - (performance.now() - t0));
  const within = p => Promise.race([p, new Promise(r => T.call(window, r, left()))]);
  if (cap > 0) {
    if (document.fonts && document.fonts.ready) await within(document.fonts.ready.catch(() => {}));
    const imgs = Array.from(document.images).filter(i => i.src && !(i.loading === 'lazy' && !i.complete));
    await within(Promise.all(imgs.map(i => i.decode().catch(() => {}))));
    await new Promise(resolve => {
      let q = null, done = false;
      const finish = () => { if (done) return; done = true; obs.disconnect(); if (S) S.onchange = null; C.call(window, q); resolve(); };
      // Quiet for `quiet` ms since the last change, which may have been before this call.
      const wait = () => S ? Math.max(0, quiet - (S.now() - S.last)) : quiet;
      const arm = () => { C.call(window, q); q = null; if (!S || S.pending() === 0) q = T.call(window, finish, wait()); };
      const obs = new MutationObserver(() => { if (S) S.last = S.now(); arm(); });
      obs.observe(document, { subtree: true, childList: true, characterData: true });
      if (S) S.onchange = arm;
      T.call(window, finish, left());
      arm();
    });
  }
  const de = document.documentElement;
  const lazyImages = Array.from(document.querySelectorAll('img[loading="lazy"]')).filter(e => !e.complete).length;
  const lazy = lazyImages + document.querySelectorAll('iframe[loading="lazy"]').length;
  return JSON.stringify({ height: Math.max(de ? de.scrollHeight : 0, document.body ? document.body.scrollHeight : 0),
           inner_height: window.innerHeight, lazy_pending: lazy, lazy_images_pending: lazyImages, observed: S ? S.observed : 0 });
}"#;

/// What [`SETTLE_JS`] reports.
#[derive(Debug, Default, serde::Deserialize)]
struct PageState {
    #[serde(default)]
    height: u64,
    #[serde(default)]
    inner_height: u64,
    #[serde(default)]
    lazy_pending: u64,
    #[serde(default)]
    lazy_images_pending: u64,
    #[serde(default)]
    observed: u64,
    /// Set by the Rust side when a cap ended the wait.
    #[serde(skip)]
    capped: bool,
}

/// Scroll down one viewport at a time, two animation frames per step (enough for
/// IntersectionObserver and lazy loading to see each position) and any short timers the
/// scroll started, then back to the top.
/// Called with the least time (ms) to hold each position: [`Session::scroll_js`].
const SCROLL_JS: &str = r#"async (dwell, back) => {
  const S = window.__sigillo;
  const T = S ? S.setTimeout : setTimeout;
  // At each position: two frames (scroll events dispatched, IntersectionObserver and
  // lazy-load checks run there), at most 250 ms when frames are slow (a loaded machine, a
  // throttled tab); then, if the page's scroll handlers started short timers (a debounce),
  // until those ran, at most 250 ms more. No fixed sleep: a plain page moves on each frame.
  const frames = () => new Promise(r => { requestAnimationFrame(() => requestAnimationFrame(r)); T.call(window, r, 250); });
  const settled = base => new Promise(r => {
    const t0 = performance.now();
    const poll = () => (!S || S.pending() <= base || performance.now() - t0 > 250) ? r() : T.call(window, poll, 10);
    poll();
  });
  const hold = () => new Promise(r => dwell > 0 ? T.call(window, r, dwell) : r());
  const at = async (y) => { const base = S ? S.pending() : 0; window.scrollTo(0, y); await Promise.all([frames(), hold()]); await settled(base); };
  const step = Math.max(200, window.innerHeight);
  const limit = 60000;
  // Positions short of the bottom (the furthest a page can scroll is its height less the
  // viewport's, re-read as it grows): a step that would pass it is the bottom, scrolled
  // to once, below.
  const bottom = () => document.documentElement.scrollHeight - window.innerHeight;
  for (let y = step; y < Math.min(bottom(), limit); y += step) {
    await at(y);
  }
  await at(document.documentElement.scrollHeight);
  // How far down the page was seen (the viewport's bottom edge at the bottom): content
  // that grew in above it (a lazy image getting its height, late text) needs no second
  // pass; content added below it afterwards (a feed loading more) still gets one.
  const reached = Math.ceil(window.scrollY + window.innerHeight);
  // Back to the top without waiting there: the settling that follows waits for what it
  // starts (DOM quiet, images decoded, the network idle). While the screen is recorded
  // the caller goes back once the recording has shown the bottom.
  if (back) { window.scrollTo(0, 0); }
  return reached;
}"#;

/// The error of a failed navigation, and what kind of failure it was.
fn nav_err(url: &str, e: impl std::fmt::Display) -> (LoadFailure, Error) {
    let s = e.to_string();
    let (kind, what, fix) = if s.contains("ERR_NAME_NOT_RESOLVED")
        || s.contains("ERR_NAME_RESOLUTION_FAILED")
    {
        (
            LoadFailure::Dns,
            "the host name does not resolve (DNS failure)",
            "check the spelling of the URL and the network",
        )
    } else if s.contains("ERR_CONNECTION_REFUSED") {
        (
            LoadFailure::Connection,
            "the server refused the connection",
            "check the URL and port; the site may be down",
        )
    } else if s.contains("ERR_CERT") || s.contains("SSL") {
        (
            LoadFailure::Tls,
            "the TLS certificate was rejected",
            "check the URL; for a test server with a self-signed certificate add --insecure (recorded in the manifest)",
        )
    } else if s.contains("ERR_ABORTED") {
        (
            LoadFailure::Other,
            "the browser did not open it as a page: it is most likely a download (a file served as application/octet-stream or as an attachment)",
            "to preserve a file, download it and seal it with `sigillo add FILE` (note the URL with --note); if it is a page, try again",
        )
    } else if s.to_lowercase().contains("timeout")
        || s.contains("timed out")
        || s.contains("ERR_TIMED_OUT")
    {
        (
            LoadFailure::Timeout,
            "the page did not load in time",
            "raise --timeout",
        )
    } else if s.contains("ERR_CONNECTION")
        || s.contains("ERR_EMPTY_RESPONSE")
        || s.contains("ERR_ADDRESS_UNREACHABLE")
        || s.contains("ERR_INTERNET_DISCONNECTED")
    {
        (
            LoadFailure::Connection,
            "the connection failed",
            "check the URL and the network; the site may be down",
        )
    } else {
        (
            LoadFailure::Other,
            "loading failed",
            "check that the URL is reachable from this machine",
        )
    };
    (
        kind,
        Error::input(format!("{url}: {what} ({s})")).with_fix(fix),
    )
}

fn shot(tab: &Arc<Tab>, clip: Option<(f64, f64)>, url: &str) -> Result<Vec<u8>> {
    // optimizeForSpeed: Chromium's faster PNG compression (the same pixels, lossless; a
    // bigger file), about a third off a full-page screenshot's time.
    let mut p = json!({"format": "png", "fromSurface": true, "optimizeForSpeed": true});
    if let Some((w, h)) = clip {
        p["clip"] = json!({"x": 0, "y": 0, "width": w, "height": h, "scale": 1});
        p["captureBeyondViewport"] = json!(true);
    }
    let r = tab
        .call_method(cdp::<Page::CaptureScreenshot>(p)?)
        .map_err(|e| chrome_err("the screenshot", url, e))?;
    decode_base64(&r.data, "the screenshot")
}

/// The PDF print as it runs: see [`Session::start_pdf`].
type Printing = std::thread::JoinHandle<Result<std::result::Result<Option<PathBuf>, Error>>>;

/// The PDF print, read from Chromium as a stream into `out` (a page's big images print as
/// big as they are). `Err`: Chromium could not print (the capture fails); `Ok(Err)`: the
/// print could not be read whole, a failed step (a warning, and no file).
fn print_pdf(
    tab: &Tab,
    out: &Path,
    url: &str,
) -> Result<std::result::Result<Option<PathBuf>, Error>> {
    let printed = tab
        .call_method(cdp::<Page::PrintToPDF>(
            json!({"printBackground": true, "transferMode": "ReturnAsStream"}),
        )?)
        .map_err(|e| chrome_err("printing to PDF", url, e))?;
    let got = match &printed.stream {
        Some(h) => read_stream(tab, h, out, "the PDF print").map(|_| ()),
        // Chromium answered with the data inline after all.
        None => decode_base64(&printed.data, "the PDF print")
            .and_then(|b| std::fs::write(out, b).map_err(|e| Error::io("write", out, e))),
    };
    Ok(got.map(|()| Some(out.to_path_buf())))
}

/// Path of the annotated screenshot.
pub const ANNOTATED: &str = "derived/screenshot-full-annotated.png";
const SCREENSHOT_FULL: &str = "original/screenshot-full.png";
const SCREENSHOT_VIEWPORT: &str = "original/screenshot-viewport.png";

fn annotated_artifact(png: Vec<u8>) -> Artifact {
    Artifact::derived(ANNOTATED, Content::Bytes(png), vec![SCREENSHOT_FULL.into()])
        .media_type("image/png")
        .describe("full-page screenshot with a header strip: URL, UTC capture time, item id")
}

/// Redraw the header strip of a captured page's annotated screenshot with the item id
/// `label` in place of `old` (a batch draws each page's strip with the id it gets when
/// every URL before it is sealed; when one failed, the ids after it move down);
/// `facts.header_strip` follows. Nothing to do without an annotated screenshot or when the
/// label is the same.
pub fn relabel(acq: &mut Acquisition, old: &str, label: &str) -> Result<()> {
    let Some(lines) = acq
        .facts
        .get("header_strip")
        .and_then(|v| serde_json::from_value::<Vec<String>>(v.clone()).ok())
    else {
        return Ok(());
    };
    let Some(head) = lines.first().and_then(|l| l.strip_suffix(old)) else {
        return Ok(());
    };
    if old == label {
        return Ok(());
    }
    let mut lines = lines.clone();
    lines[0] = strip::shown(&format!("{head}{label}"));
    let full = acq
        .artifacts
        .iter()
        .find(|a| a.path == SCREENSHOT_FULL)
        .map(|a| match &a.content {
            Content::Bytes(b) => Ok(b.clone()),
            Content::File(p) => std::fs::read(p).map_err(|e| Error::io("read", p, e)),
        })
        .transpose()?
        .ok_or_else(|| Error::internal("the annotated screenshot has no full screenshot"))?;
    let (png, pixels) = annotate(&full, &lines)
        .map_err(|e| Error::internal(format!("could not redraw the header strip: {e}")))?;
    if let Some(a) = acq.artifacts.iter_mut().find(|a| a.path == ANNOTATED) {
        let ahead = Ahead::start_own_png(png.clone(), pixels);
        *a = annotated_artifact(png).analysed_ahead(ahead);
    }
    acq.facts.insert("header_strip".into(), json!(lines));
    Ok(())
}

/// The annotated screenshot of the full screenshot `png` with the header strip `lines`,
/// and its media facts being computed from its pixels.
fn draw_annotated(png: &[u8], lines: &[String]) -> std::result::Result<Drawn, String> {
    annotate(png, lines).map(|(png, pixels)| {
        let ahead = Ahead::start_own_png(png.clone(), pixels);
        (png, ahead)
    })
}

/// Put the header strip ([`strip::draw`]) above the screenshot; the original
/// screenshot's pixels are copied unchanged below it. Returns the PNG, and its pixels
/// (their facts need no decoding).
fn annotate(
    png: &[u8],
    lines: &[String],
) -> std::result::Result<(Vec<u8>, image::DynamicImage), String> {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?
        .into_rgb8();
    crate::trace::step("annotate: screenshot decoded");
    let strip = strip::draw(img.width(), lines)?;
    crate::trace::step("annotate: header strip drawn");
    encode_annotated(stack(strip, img)?)
}

/// The strip above the screenshot, the screenshot's pixels unchanged below it: the rows of
/// one, then of the other (the strip is drawn at the screenshot's width).
fn stack(
    strip: image::RgbImage,
    img: image::RgbImage,
) -> std::result::Result<image::RgbImage, String> {
    if strip.width() != img.width() {
        return Err(format!(
            "the header strip is {} pixels wide, the screenshot {}",
            strip.width(),
            img.width()
        ));
    }
    let height = strip.height() + img.height();
    let mut raw = strip.into_raw();
    raw.extend_from_slice(img.as_raw());
    image::RgbImage::from_raw(img.width(), height, raw)
        .ok_or_else(|| "the annotated screenshot's pixels do not fill it".to_string())
}

/// The annotated screenshot's PNG, and its pixels (their facts need no decoding).
fn encode_annotated(
    out: image::RgbImage,
) -> std::result::Result<(Vec<u8>, image::DynamicImage), String> {
    crate::trace::step("annotate: composed");
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
    crate::trace::step("annotate: encoded");
    Ok((buf, image::DynamicImage::ImageRgb8(out)))
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

/// A URL that can be captured: absolute, http or https. A usage error otherwise (exit 2),
/// found before any browser starts.
pub fn check_url(url: &str) -> Result<url::Url> {
    let shown = mask_url(url);
    let parsed = url::Url::parse(url).map_err(|e| {
        let hint = if matches!(e, url::ParseError::RelativeUrlWithoutBase) {
            format!(
                "give a full URL such as https://{}",
                shown.trim_start_matches('/')
            )
        } else {
            "give a full URL such as https://example.com/page".to_string()
        };
        Error::input(format!("'{shown}' is not a valid URL ({e})")).with_fix(hint)
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::input(format!(
            "'{shown}': only http and https URLs can be captured"
        ))
        .with_fix("give an http(s) URL"));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::stack;
    use image::{Rgb, RgbImage};

    fn noise(w: u32, h: u32, seed: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let v = (x * 31 + y * 17 + seed).wrapping_mul(2_654_435_761);
            Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
        })
    }

    /// The reference: each image copied into a canvas of the screenshot's size.
    fn by_canvas(strip: &RgbImage, img: &RgbImage) -> RgbImage {
        let mut out = RgbImage::new(img.width(), strip.height() + img.height());
        image::imageops::replace(&mut out, strip, 0, 0);
        image::imageops::replace(&mut out, img, 0, strip.height() as i64);
        out
    }

    #[test]
    fn the_strip_goes_above_the_unchanged_screenshot() {
        for strip_h in [5, 1] {
            let (strip, img) = (noise(37, strip_h, 1), noise(37, 11, 2));
            let out = stack(strip.clone(), img.clone()).unwrap();
            assert_eq!(out, by_canvas(&strip, &img), "strip 37x{strip_h}");
            let below = image::imageops::crop_imm(&out, 0, strip_h, 37, 11).to_image();
            assert_eq!(below, img, "the screenshot's pixels are unchanged");
        }
        // Never a strip of another width (it would shift every row below it).
        assert!(stack(noise(30, 3, 1), noise(37, 11, 2)).is_err());
    }
}
