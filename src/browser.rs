//! Browser control: start headless Chromium in a private temporary folder and print HTML
//! to PDF. Used by the web capture (`acquire::web::capture`) and by `report --pdf`.
//!
//! Every Chromium gets a fresh private folder (`sigillo-chrome-*` in the temp directory)
//! holding its profile and its own `TMPDIR`; the folder is registered with
//! [`crate::cleanup`], so it is removed when the [`Browser`] drops and also when the
//! process is interrupted (Chromium is killed first). headless_chrome's own default
//! profile (`rust-headless-chrome-profile*`) is never created: a profile is always passed.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use headless_chrome::protocol::cdp::Page;
use headless_chrome::protocol::cdp::Target::CreateTarget;
use headless_chrome::{Browser as Chrome, LaunchOptions, Tab};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::cleanup;
use crate::error::{Error, Result};

/// How to start Chromium.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// Chromium executable (`--browser`); else `$CHROME`, then the usual install paths.
    pub executable: Option<PathBuf>,
    /// Window size in CSS pixels.
    pub window: (u32, u32),
    /// A Chromium user-data folder to use instead of a fresh one (`--profile`).
    pub profile: Option<PathBuf>,
    /// Accept invalid TLS certificates.
    pub insecure: bool,
    /// Longest single step; the DevTools connection is kept this long plus two minutes
    /// without events before it counts as dead.
    pub timeout: Duration,
    /// Open a visible window (interactive capture) instead of running headless; needs a
    /// display (`$DISPLAY`, e.g. under `xvfb-run`).
    pub headful: bool,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            executable: None,
            window: (1366, 768),
            profile: None,
            insecure: false,
            timeout: Duration::from_secs(60),
            headful: false,
        }
    }
}

/// Flags added to headless_chrome's defaults: no background traffic, no QUIC (so every
/// exchange is plain HTTP(S) the recorder understands), no scrollbars or sound.
const FLAGS: [&str; 8] = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--hide-scrollbars",
    "--mute-audio",
];

/// A tab being opened on its own thread.
type Opening = JoinHandle<std::result::Result<Arc<Tab>, String>>;

/// One running Chromium, reused for several pages.
pub struct Browser {
    chrome: Option<Chrome>,
    /// The first tab, being opened while `Browser.getVersion` runs (see [`Browser::new_tab`]).
    first_tab: Mutex<Option<Opening>>,
    /// `Browser.getVersion` product string.
    pub product: String,
    /// The browser's default user agent.
    pub default_user_agent: String,
    /// Runs without a window (false: a visible window, `BrowserOptions::headful`).
    pub headless: bool,
    path: PathBuf,
    private: cleanup::Guard,
}

impl Browser {
    /// Start Chromium headless with a fresh profile (or the given one).
    pub fn launch(opts: impl Into<BrowserOptions>) -> Result<Browser> {
        crate::trace::step("browser: launching");
        let opts: BrowserOptions = opts.into();
        let path = find_executable(opts.executable.as_deref())?;
        if opts.headful && std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
            return Err(Error::input(
                "a visible browser window was asked for, but there is no display ($DISPLAY is not set)",
            )
            .with_fix("run it in a desktop session, or under a virtual display: xvfb-run -a sigillo capture --interactive …"));
        }
        let private = private_folder()?;
        let profile = opts
            .profile
            .clone()
            .unwrap_or_else(|| private.path().join("profile"));
        let tmp = private.path().join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
        let envs = HashMap::from([("TMPDIR".to_string(), tmp.display().to_string())]);
        let launch = LaunchOptions::default_builder()
            .path(Some(path.clone()))
            .headless(!opts.headful)
            .sandbox(!is_root())
            .window_size(Some(opts.window))
            .user_data_dir(Some(profile))
            .process_envs(Some(envs))
            .ignore_certificate_errors(opts.insecure)
            .idle_browser_timeout(opts.timeout + Duration::from_secs(120))
            .args(
                FLAGS
                    .iter()
                    .map(OsStr::new)
                    .chain(std::iter::once(OsStr::new("about:blank")))
                    .collect(),
            )
            .build()
            .map_err(|e| Error::internal(format!("Chromium options: {e}")))?;
        let chrome = Chrome::new(launch).map_err(|e| {
            Error::input(format!("could not start Chromium ({}): {e}", path.display()))
                .with_fix("check that Chromium runs: chromium --headless --version; install it with apt-get install -y chromium")
        })?;
        crate::trace::step("browser: connected");
        // Getting a tab takes several round trips (attaching, Page and lifecycle events
        // enabled; for a new one also Target.createTarget and its renderer starting): the
        // first one, Chromium's start-up tab, is taken while Browser.getVersion is asked. If launching fails
        // after this, the thread ends when Chromium is killed (the private folder's guard).
        let (opener, headless) = (chrome.clone(), !opts.headful);
        let first_tab = std::thread::Builder::new()
            .name("sigillo-first-tab".into())
            .spawn(move || initial_tab(&opener).map_or_else(|| open_tab(&opener, headless), Ok))
            .ok();
        let v = chrome
            .get_version()
            .map_err(|e| Error::internal(format!("Chromium did not answer: {e}")))?;
        crate::trace::step("browser: launched");
        Ok(Browser {
            chrome: Some(chrome),
            first_tab: Mutex::new(first_tab),
            product: v.product,
            default_user_agent: v.user_agent,
            headless: !opts.headful,
            path,
            private,
        })
    }

    /// The executable that runs.
    pub fn executable(&self) -> &Path {
        &self.path
    }

    /// Open a new tab (an about:blank page); `what` names the job in the error. The first
    /// call takes the tab [`Browser::launch`] started opening (if that failed, it opens
    /// one itself). Later calls wait until that is settled: the start-up tab is found by
    /// being blank ([`initial_tab`]), and a tab they opened meanwhile would be too.
    pub fn new_tab(&self, what: &str) -> Result<Arc<Tab>> {
        let chrome = self
            .chrome
            .as_ref()
            .ok_or_else(|| Error::internal("Chromium was already closed"))?;
        // Joined under the lock, so no other tab is opened while it is looked for.
        let first = self
            .first_tab
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .map(JoinHandle::join);
        if let Some(Ok(Ok(tab))) = first {
            crate::trace::step("browser: first tab");
            return Ok(tab);
        }
        open_tab(chrome, self.headless).map_err(|e| chrome_err("opening a tab", what, e))
    }

    /// Print an HTML document to PDF (A4, with a footer template on every page).
    pub fn print_html_to_pdf(&self, html: &str, footer_template: &str) -> Result<Vec<u8>> {
        let tab = self.new_tab("report")?;
        let f = self.private.path().join("tmp").join("report.html");
        std::fs::write(&f, html).map_err(|e| Error::io("write", &f, e))?;
        let url = format!("file://{}", f.display());
        let printed = (|| {
            tab.navigate_to(&url)
                .map_err(|e| chrome_err("loading the report", "report", e))?;
            tab.wait_until_navigated()
                .map_err(|e| chrome_err("loading the report", "report", e))?;
            tab.call_method(cdp::<Page::PrintToPDF>(json!({
                "printBackground": true, "paperWidth": 8.27, "paperHeight": 11.69,
                "marginTop": 0.6, "marginBottom": 0.7, "marginLeft": 0.5, "marginRight": 0.5,
                "displayHeaderFooter": true, "headerTemplate": "<span></span>", "footerTemplate": footer_template
            }))?)
            .map_err(|e| chrome_err("printing to PDF", "report", e))
        })();
        let _ = tab.close(false);
        let _ = std::fs::remove_file(&f);
        decode_base64(&printed?.data, "the PDF Chromium printed")
    }
}

/// The blank tab Chromium opens at start (`about:blank` on its command line: its window
/// and renderer start with the browser, instead of after it), once headless_chrome has
/// attached to it: the first tab in its list, since the targets that exist when it connects
/// are reported before any opened later. `None` if that tab is not blank (a profile's
/// restored tab) or none comes within a second.
fn initial_tab(chrome: &Chrome) -> Option<Arc<Tab>> {
    let until = std::time::Instant::now() + Duration::from_secs(1);
    while std::time::Instant::now() < until {
        let first = chrome.get_tabs().lock().ok()?.first().cloned();
        if let Some(t) = first {
            return (t.get_url() == "about:blank").then_some(t);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

/// Open an about:blank tab; headless, in a window of its own (`own_window`): a tab opens in
/// the window opened last, and a second tab in a window hides the first, whose screenshots
/// then take seconds or never come (parallel captures, the side tab). A visible browser
/// (interactive capture) opens it as a tab of its window, as headless_chrome does.
fn open_tab(chrome: &Chrome, own_window: bool) -> std::result::Result<Arc<Tab>, String> {
    chrome
        .new_tab_with_options(CreateTarget {
            url: "about:blank".into(),
            left: None,
            top: None,
            width: None,
            height: None,
            window_state: None,
            browser_context_id: None,
            enable_begin_frame_control: None,
            new_window: own_window.then_some(true),
            background: None,
            for_tab: None,
            hidden: None,
        })
        .map_err(|e| e.to_string())
}

impl Browser {
    /// End Chromium now (SIGKILL), when nothing more will be asked of it: the last page of
    /// a run is captured and is being sealed meanwhile (its files are sigillo's, in the
    /// private folder, not Chromium's). The handles go when the `Browser` is dropped.
    pub fn end_now(&self) {
        let pid = self.chrome.as_ref().and_then(Chrome::get_process_id);
        if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
            crate::trace::step("browser: ended");
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
            // Its profile and temp files go while the page is sealed.
            self.private.clear_ahead();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        crate::trace::step("browser: closing");
        let pid = self.chrome.as_ref().and_then(Chrome::get_process_id);
        drop(self.chrome.take());
        crate::trace::step("browser: closed");
        // headless_chrome kills its process when the last handle goes, which other threads
        // may still hold: make sure (the guard then kills what names the private folder).
        if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// Print `html` to the PDF file `out` with `footer` (plain text) and page numbers at the
/// bottom of every page; starts its own Chromium (`browser`: executable to use).
pub fn print_pdf(html: &str, footer: &str, out: &Path, browser: Option<&Path>) -> Result<()> {
    let b = Browser::launch(BrowserOptions {
        executable: browser.map(Path::to_path_buf),
        ..Default::default()
    })?;
    let pdf = b.print_html_to_pdf(html, &format!(
        "<div style='font-size:8px;width:100%;padding:0 12mm;display:flex;justify-content:space-between'><span>{}</span><span><span class='pageNumber'></span>/<span class='totalPages'></span></span></div>",
        crate::html::escape(footer)
    ))?;
    std::fs::write(out, pdf).map_err(|e| Error::io("write", out, e))
}

/// Build a CDP method from JSON (the generated structs have no Default).
pub fn cdp<T: DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::internal(format!("CDP parameters: {e}")))
}

/// A failed browser step on `url`, with the usual fix.
pub fn chrome_err(what: &str, url: &str, e: impl std::fmt::Display) -> Error {
    Error::input(format!("{url}: {what} failed: {e}")).with_fix(
        "check that the URL is reachable from this machine; raise --timeout for slow pages",
    )
}

/// One browser call of a [`together`] batch.
pub type Call<'a> = Box<dyn FnOnce() -> Result<()> + Send + 'a>;

/// Make independent CDP calls at the same time, each on its own thread; the first error
/// (in the order given) is returned once all of them have answered.
///
/// Calls made together share their round trips to Chromium (with upstream headless_chrome's
/// transport, rust-headless-chrome issue #446, each call could wait up to 100 ms before it
/// was sent; the vendored copy no longer does, see `vendor/README.md`). Only for calls
/// whose order does not matter (Chromium may receive them in any order).
pub fn together(calls: Vec<Call<'_>>) -> Result<()> {
    if calls.len() < 2 {
        return calls.into_iter().try_for_each(|c| c());
    }
    std::thread::scope(|s| {
        let running: Vec<_> = calls.into_iter().map(|c| s.spawn(c)).collect();
        running
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::internal("a browser call panicked")))
            })
            .fold(Ok(()), Result::and)
    })
}

/// Decode base64 data Chromium returned; `what` names it in the error.
pub fn decode_base64(data: &str, what: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|e| Error::internal(format!("{what} could not be decoded (base64: {e})")))
}

/// A fresh private folder for one Chromium, removed on drop and on interruption.
fn private_folder() -> Result<cleanup::Guard> {
    let dir = tempfile::Builder::new()
        .prefix("sigillo-chrome-")
        .tempdir()
        .map_err(|e| {
            Error::input(format!(
                "could not create a temporary folder for Chromium: {e}"
            ))
            .with_fix("check that the temp directory ($TMPDIR or /tmp) exists and is writable")
        })?;
    // The registry owns the removal from here on (also on Ctrl-C).
    Ok(cleanup::register(dir.keep()))
}

/// The Chromium executable to use.
fn find_executable(given: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = given {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        return Err(
            Error::input(format!("--browser '{}' does not exist", p.display()))
                .with_fix("give the path of a Chromium or Chrome executable"),
        );
    }
    std::env::var_os("CHROME")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            [
                "/usr/bin/chromium",
                "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome",
            ]
            .map(PathBuf::from),
        )
        .find(|p| p.is_file())
        .ok_or_else(|| {
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

/// Largest piece asked of a CDP stream at one time (`IO.read`).
const STREAM_PIECE: u32 = 4 << 20;

/// Read the CDP stream `handle` (e.g. a print made with `transferMode: ReturnAsStream`)
/// into the new file `out`, a piece at a time, and close the stream; `what` names it in
/// errors. A whole print in one CDP message would be held in memory several times over
/// (the message, its base64 text, the bytes), and a page with big images prints as big as
/// they are.
pub fn read_stream(tab: &Tab, handle: &str, out: &Path, what: &str) -> Result<u64> {
    use headless_chrome::protocol::cdp::IO;
    use std::io::Write;
    let read = || -> Result<u64> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(out)
            .map_err(|e| Error::io("create", out, e))?;
        let mut n = 0u64;
        loop {
            let piece = tab
                .call_method(IO::Read {
                    handle: handle.to_string(),
                    offset: None,
                    size: Some(STREAM_PIECE),
                })
                .map_err(|e| Error::internal(format!("reading {what} from Chromium: {e}")))?;
            let bytes = if piece.base_64_encoded == Some(true) {
                decode_base64(&piece.data, what)?
            } else {
                piece.data.into_bytes()
            };
            f.write_all(&bytes)
                .map_err(|e| Error::io("write", out, e))?;
            n += bytes.len() as u64;
            if piece.eof {
                break;
            }
        }
        Ok(n)
    };
    let got = read();
    let _ = tab.call_method(IO::Close {
        handle: handle.to_string(),
    });
    if got.is_err() {
        let _ = std::fs::remove_file(out);
    }
    got
}
