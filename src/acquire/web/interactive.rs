//! Interactive capture (`capture --interactive`): a visible Chromium window under sigillo's
//! control, recorded from its first request, where the person with access logs in and
//! navigates; each time they ask (an empty line on standard input, read by the CLI), the
//! page on screen is captured as one web item.
//!
//! Every item holds all the usual artefacts of a capture of the page on screen, plus:
//! - its WARC holds every exchange of the session from its first request until the item
//!   was sealed (so each item stands on its own; later items repeat earlier exchanges);
//! - `original/navigation-log.json` ([`NavigationLog`], `sigillo-navigation/1`): every
//!   navigation of the window's main frame until then, with its UTC time (local clock)
//!   and its kind and transition type;
//! - with `--record`, the screen recording since the previous item (`recording`);
//! - the facts' `interactive` ([`InteractiveFacts`]): operator, session start, the item's
//!   place in the session.
//!
//! Login secrets are replaced by their SHA-256 before anything is recorded (`secrets`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::Tab;
use headless_chrome::protocol::cdp::Page;
use headless_chrome::protocol::cdp::types::Event;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::acquire::web::capture::{Browser, CaptureOptions, LiveTab};
use crate::acquire::web::secrets;
use crate::acquire::{Acquisition, Artifact, Content};
use crate::browser::chrome_err;
use crate::error::{Error, Result};
use crate::text::mask_url;
use crate::time::{Stamp, rfc3339};

/// Format identifier of the navigation log.
pub const NAVIGATION_FORMAT: &str = "sigillo-navigation/1";
/// Where the navigation log is in an item.
pub const NAVIGATION_PATH: &str = "original/navigation-log.json";

/// One navigation of the window's main frame.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Navigation {
    /// When sigillo received the event (local clock, UTC RFC 3339).
    pub at: String,
    /// The URL navigated to (credentials masked, password-like query values hashed).
    pub url: String,
    /// `document` (a new document: `Page.frameNavigated`) or `same_document` (history
    /// API or fragment: `Page.navigatedWithinDocument`).
    pub kind: String,
    /// Chromium's transition type from the tab's history (`typed`, `link`,
    /// `form_submit`, `reload` …), when the history still lists the entry.
    pub transition: Option<String>,
}

/// `original/navigation-log.json`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NavigationLog {
    /// `sigillo-navigation/1`.
    pub format: String,
    /// Who operated the window (the signer's name).
    pub operator: String,
    /// When the session started (local clock, UTC RFC 3339).
    pub session_started: String,
    /// When this log was sealed (local clock, UTC RFC 3339).
    pub sealed_at: String,
    /// The browser (`Browser.getVersion` product).
    pub browser: String,
    /// Every navigation of the main frame since the session started, in order.
    pub navigations: Vec<Navigation>,
}

/// The facts' `interactive` of an item sealed from an interactive session.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct InteractiveFacts {
    /// The session was operated by a person in a visible window.
    pub mode: String,
    /// Who operated it (the signer's name, `--operator`).
    pub operator: String,
    /// When the session started (local clock, UTC RFC 3339).
    pub session_started: String,
    /// The URL the session was opened with (credentials masked).
    pub start_url: String,
    /// 1-based place of this item among the items of the session.
    pub session_item: u64,
    /// Navigations of the main frame until this item was sealed.
    pub navigations: u64,
    /// The navigation log file.
    pub navigation_log: String,
}

/// What waiting for the page on screen found ([`InteractiveSession::wait_until_loaded`]).
#[must_use = "the capture takes it: a page still loading is said in the item's warnings"]
pub struct PageWait {
    loaded: bool,
}

/// A running interactive session.
pub struct InteractiveSession<'b> {
    live: LiveTab<'b>,
    log: Arc<Mutex<Vec<Navigation>>>,
    operator: String,
    started: Stamp,
    start_url: String,
    items: u64,
    product: String,
    /// The window's main frame is loading (between CDP's `Page.frameStartedLoading` and
    /// `Page.frameStoppedLoading` for it).
    loading: Arc<AtomicBool>,
    /// How long to wait for a page still loading when a capture is asked (`--timeout`).
    load_cap: Duration,
}

impl<'b> InteractiveSession<'b> {
    /// Open the window on `url`, recording from the first request; `operator` names the
    /// person at the window. `opts.headful` should be set.
    pub fn start(
        browser: &'b Browser,
        url: &str,
        opts: &CaptureOptions,
        operator: &str,
    ) -> Result<InteractiveSession<'b>> {
        let started = Stamp::now();
        let log: Arc<Mutex<Vec<Navigation>>> = Arc::default();
        let l2 = log.clone();
        // Not loading until a main-frame load is seen (`open_live` has waited for the first).
        let loading = Arc::new(AtomicBool::new(false));
        let loading2 = loading.clone();
        let listen = move |tab: &Arc<Tab>| -> Result<()> {
            // A page target's id is its main frame's id, known before the first
            // navigation commits (when `frameNavigated` would tell it).
            let main_frame: Mutex<Option<String>> = Mutex::new(Some(tab.get_target_id().clone()));
            let log = l2.clone();
            let loading = loading2.clone();
            tab.add_event_listener(Arc::new(move |ev: &Event| {
                let is_main = |id: &str| main_frame.lock().is_ok_and(|m| m.as_deref() == Some(id));
                let entry = match ev {
                    Event::PageFrameStartedLoading(e) if is_main(&e.params.frame_id) => {
                        loading.store(true, Ordering::SeqCst);
                        None
                    }
                    Event::PageFrameStoppedLoading(e) if is_main(&e.params.frame_id) => {
                        loading.store(false, Ordering::SeqCst);
                        None
                    }
                    Event::PageFrameNavigated(e) if e.params.frame.parent_id.is_none() => {
                        if let Ok(mut m) = main_frame.lock() {
                            *m = Some(e.params.frame.id.clone());
                        }
                        Some((e.params.frame.url.clone(), "document"))
                    }
                    Event::PageNavigatedWithinDocument(e) => {
                        is_main(&e.params.frame_id).then(|| (e.params.url.clone(), "same_document"))
                    }
                    _ => None,
                };
                if let Some((url, kind)) = entry
                    && let Ok(mut l) = log.lock()
                {
                    l.push(Navigation {
                        at: rfc3339(&chrono::Utc::now()),
                        url: clean_url(&url),
                        kind: kind.into(),
                        transition: None,
                    });
                }
            }))
            .map_err(|e| chrome_err("listening to navigations", "the interactive session", e))?;
            Ok(())
        };
        let live = browser.open_live(url, opts, &listen)?;
        Ok(InteractiveSession {
            live,
            log,
            operator: operator.to_string(),
            started,
            start_url: mask_url(url),
            items: 0,
            product: browser.product.clone(),
            loading,
            load_cap: opts.timeout,
        })
    }

    /// Whether the page on screen has finished loading: its main frame stopped loading
    /// and its document is complete.
    fn loaded(&self) -> bool {
        !self.loading.load(Ordering::SeqCst)
            && self
                .live
                .tab
                .evaluate("document.readyState", false)
                .ok()
                .and_then(|r| r.value)
                .is_some_and(|v| v == "complete")
    }

    /// Wait until the page on screen has finished loading (at most `--timeout`): a
    /// capture asked while a navigation is under way (Enter pressed just after a click)
    /// captures the page it leads to, not the one it leaves. `progress` is told when it
    /// has to wait. The answer is what [`InteractiveSession::capture_now`] takes: the wait
    /// happens once, before the item is named after the page.
    pub fn wait_until_loaded(&self, progress: &dyn Fn(&str)) -> PageWait {
        let loaded = self.loaded() || {
            progress("waiting for the page to finish loading");
            let end = Instant::now() + self.load_cap;
            loop {
                std::thread::sleep(Duration::from_millis(20));
                if self.loaded() {
                    break true;
                }
                if Instant::now() >= end {
                    break false;
                }
            }
        };
        PageWait { loaded }
    }

    /// The URL on screen (credentials masked).
    pub fn current_url(&self) -> String {
        mask_url(&self.live.tab.get_url())
    }

    /// Capture the page on screen as one item (`label`: its item id, for the header strip),
    /// once [`InteractiveSession::wait_until_loaded`] returned `waited`.
    pub fn capture_now(
        &mut self,
        waited: PageWait,
        label: &str,
        progress: &dyn Fn(&str),
    ) -> Result<Acquisition> {
        let mut acq = self.live.capture_now(label, progress)?;
        if !waited.loaded {
            acq.warnings.push(format!(
                "the page was still loading after {:.0} s (--timeout): captured as it was then",
                self.load_cap.as_secs_f64()
            ));
        }
        self.items += 1;
        let navigations = self.navigations();
        let log = NavigationLog {
            format: NAVIGATION_FORMAT.into(),
            operator: self.operator.clone(),
            session_started: self.started.rfc3339(),
            sealed_at: rfc3339(&chrono::Utc::now()),
            browser: self.product.clone(),
            navigations,
        };
        let facts = InteractiveFacts {
            mode: "interactive".into(),
            operator: self.operator.clone(),
            session_started: self.started.rfc3339(),
            start_url: self.start_url.clone(),
            session_item: self.items,
            navigations: log.navigations.len() as u64,
            navigation_log: NAVIGATION_PATH.into(),
        };
        let bytes = serde_json::to_vec_pretty(&log)
            .map_err(|e| Error::internal(format!("navigation log: {e}")))?;
        acq.artifacts.push(
            Artifact::original(NAVIGATION_PATH, Content::Bytes(bytes))
                .media_type("application/json")
                .describe("every navigation of the browser window since the interactive session started: URL, UTC time, kind, transition type"),
        );
        acq.input.insert("interactive".into(), json!(true));
        acq.input.insert("start_url".into(), json!(self.start_url));
        acq.facts.insert(
            "interactive".into(),
            serde_json::to_value(facts)
                .map_err(|e| Error::internal(format!("interactive facts: {e}")))?,
        );
        acq.transformations.push(format!(
            "interactive session operated by {} in a visible browser window since {}; this item is the page on screen when the operator asked for it, captured without reloading",
            self.operator,
            self.started.rfc3339()
        ));
        Ok(acq)
    }

    /// The log so far, with the transition types the tab's history gives.
    fn navigations(&self) -> Vec<Navigation> {
        let mut v = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        if let Ok(h) = self.live.tab.call_method(Page::GetNavigationHistory(None)) {
            let mut from = 0;
            for e in &h.entries {
                let url = clean_url(&e.url);
                if let Some(i) = v[from..]
                    .iter()
                    .position(|n| n.kind == "document" && n.url == url)
                {
                    let t = serde_json::to_value(&e.transition_Type)
                        .ok()
                        .and_then(|t| t.as_str().map(str::to_string));
                    v[from + i].transition = t;
                    from += i + 1;
                }
            }
        }
        v
    }
}

/// A URL as logged: credentials masked, password-like query values hashed.
fn clean_url(u: &str) -> String {
    secrets::redact_url(&mask_url(u), &mut 0)
}
