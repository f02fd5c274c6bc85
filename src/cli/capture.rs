//! `sigillo capture`: capture web pages with headless Chromium, one item per URL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde_json::{Value, json};

use super::args::{BundleOutput, CaseNote, JsonFlag, QuietFlag, SignerArgs, TsaArgs, seconds};
use super::output::{errln, outln};
use super::{CmdResult, print_error};
use crate::acquire::web::capture::{Browser, CaptureOptions};
use crate::bundle::naming;
use crate::error::{Error, Result};
use crate::progress::Task;
use crate::seal::{self, SealOptions, Signer};

#[derive(Args, Debug)]
#[command(mut_arg("json", |a| a.help("Print a JSON summary on stdout")))]
pub(super) struct CaptureArgs {
    /// The URLs to capture; each becomes one item.
    #[arg(required = true, value_name = "URL")]
    urls: Vec<String>,
    #[command(flatten)]
    output: BundleOutput,
    #[command(flatten)]
    item: CaseNote,
    /// Browser window size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1366x768")]
    viewport: String,
    /// Give up on a page after this long (e.g. 60s, 2m).
    #[arg(long, default_value = "60s")]
    timeout: String,
    /// Wait until this CSS selector is present before capturing.
    #[arg(long, value_name = "CSS_SELECTOR")]
    wait_for: Option<String>,
    /// Extra seconds to wait after the page loaded.
    #[arg(long, value_name = "SECS", default_value_t = 0.0, value_parser = seconds)]
    delay: f64,
    /// Do not scroll the page (scrolling triggers lazy-loaded content).
    #[arg(long)]
    no_scroll: bool,
    /// Netscape cookies.txt of a logged-in session (the secrets are never stored).
    #[arg(long, value_name = "cookies.txt")]
    cookies: Option<PathBuf>,
    /// Use this Chromium user-data folder (a logged-in profile) instead of a fresh one.
    #[arg(long, value_name = "CHROME_USER_DATA_DIR")]
    profile: Option<PathBuf>,
    /// Chromium executable [default: $CHROME, else /usr/bin/chromium].
    #[arg(long, value_name = "PATH")]
    browser: Option<PathBuf>,
    /// Override the browser's user agent.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    /// Accept invalid TLS certificates (self-signed test servers); recorded in the manifest.
    #[arg(long)]
    insecure: bool,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    encrypt: super::args::EncryptArgs,
    #[command(flatten)]
    quiet: QuietFlag,
    #[command(flatten)]
    json: JsonFlag,
}

/// What one capture run shares across its URLs.
struct Run<'a> {
    output: &'a Path,
    opts: CaptureOptions,
    seal: SealOptions,
    signer: Signer,
    browser: Browser,
    quiet: bool,
    json: bool,
}

pub(super) fn run(c: CaptureArgs) -> CmdResult {
    let output = c.output.checked()?;
    // Every URL is checked before anything starts: a malformed one is a usage error.
    for u in &c.urls {
        crate::acquire::web::capture::check_url(u)?;
    }
    let opts = capture_options(&c)?;
    let signer = c.signer.signer()?;
    // Refuse early if the bundle exists and does not verify; learn the next item number.
    let mut next_seq = naming::next_seq(match seal::open_verified(output)? {
        Some((_, st)) => st.items.len(),
        None => 0,
    });
    let quiet = c.quiet.quiet || c.json.json;
    if !quiet {
        errln!("starting Chromium …");
    }
    let browser = Browser::launch(&opts)?;
    // Several pages: one bar (pages done, current URL, ETA) instead of per-step lines.
    let pages = if c.urls.len() > 1 {
        super::progress::for_terminal(quiet)
    } else {
        Default::default()
    };
    let batch_bar =
        c.urls.len() > 1 && !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let run = Run {
        output,
        opts,
        seal: SealOptions {
            case: c.item.case.clone(),
            note: c.item.note.clone(),
            tsa: c.tsa.endpoints()?,
            require_tsa: c.tsa.require_tsa,
            tsa_timeout: None,
            progress: Default::default(),
            encrypt_to: c.encrypt.recipients()?,
        },
        signer,
        browser,
        quiet: quiet || batch_bar,
        json: c.json.json,
    };
    let mut results = Vec::new();
    let mut failed = 0;
    pages.begin(Task::Capturing, c.urls.len() as u64);
    for url in &c.urls {
        pages.note(url);
        let (ok, result) = run.one(url, next_seq);
        pages.advance(1);
        if ok {
            next_seq += 1;
        } else {
            failed += 1;
        }
        results.push(result);
    }
    pages.end();
    run.finish(results, failed, c.urls.len())
}

/// The capture options from the flags; refuses a missing cookies file.
fn capture_options(c: &CaptureArgs) -> Result<CaptureOptions> {
    let opts = CaptureOptions {
        viewport: parse_viewport(&c.viewport)?,
        timeout: parse_duration(&c.timeout)?,
        wait_for: c.wait_for.clone(),
        delay: Duration::from_secs_f64(c.delay.clamp(0.0, 3600.0)),
        scroll: !c.no_scroll,
        cookies_file: c.cookies.clone(),
        profile: c.profile.clone(),
        browser: c.browser.clone(),
        user_agent: c.user_agent.clone(),
        insecure: c.insecure,
    };
    if let Some(f) = &c.cookies
        && !f.is_file()
    {
        return Err(
            Error::input(format!("the cookies file '{}' does not exist", f.display()))
                .with_fix("export the logged-in session's cookies in Netscape cookies.txt format"),
        );
    }
    Ok(opts)
}

impl Run<'_> {
    /// Capture and seal `url` as item number `seq`; returns success and its JSON result.
    fn one(&self, url: &str, seq: usize) -> (bool, Value) {
        let label = format!(
            "item {}",
            naming::item_id(seq, crate::acquire::ItemKind::Web, &naming::web_slug(url))
        );
        let progress = |step: &str| {
            if !self.quiet {
                errln!("  {url}: {step}");
            }
        };
        let outcome = self
            .browser
            .capture(url, &label, &self.opts, &progress)
            .and_then(|acq| seal::seal(self.output, acq, &self.signer, &self.seal));
        match outcome {
            Ok(s) => {
                if !self.quiet {
                    for w in &s.warnings {
                        errln!("  warning: {w}");
                    }
                    errln!(
                        "sealed {url} as item {} ({} files) into {}",
                        s.item_id,
                        s.files,
                        self.output.display()
                    );
                }
                let v = json!({"url": url, "ok": true, "item": s.item_id, "manifest_sha256": s.manifest_sha256,
                               "files": s.files, "timestamps": s.tokens, "warnings": s.warnings});
                (true, v)
            }
            Err(e) => {
                if !self.json {
                    print_error(&e);
                }
                let v = json!({"url": url, "ok": false, "error": e.problem(), "fix": e.fix()});
                (false, v)
            }
        }
    }

    /// Print the JSON summary (with `--json`) and decide the exit code.
    fn finish(&self, results: Vec<Value>, failed: usize, urls: usize) -> CmdResult {
        if self.json {
            let v = json!({"bundle": self.output.display().to_string(), "browser": self.browser.product, "results": results});
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
        if failed == 0 {
            return Ok(0);
        }
        if failed < urls && !self.json {
            errln!("{failed} of {urls} URL(s) could not be captured; the others were sealed");
        }
        Ok(1)
    }
}

/// Parse a duration such as `60s`, `2m`, `1500ms` or `5` (seconds), at most 24 hours.
fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num.trim().parse().map_err(|_| {
        Error::input(format!("'{s}' is not a duration")).with_fix("write it like 60s, 2m or 1500ms")
    })?;
    // NaN and infinities fall outside the range too.
    if !(0.0..=86_400.0).contains(&(v * mult)) {
        return Err(Error::input(format!("'{s}' is out of range"))
            .with_fix("use a duration between 0 and 24 hours"));
    }
    Ok(Duration::from_secs_f64(v * mult))
}

/// Parse a viewport `WIDTHxHEIGHT` within 200..=10000 × 200..=20000.
fn parse_viewport(s: &str) -> Result<(u32, u32)> {
    let bad = || {
        Error::input(format!("'{s}' is not a viewport size"))
            .with_fix("write it as WIDTHxHEIGHT, e.g. 1366x768")
    };
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if !(200..=10_000).contains(&w) || !(200..=20_000).contains(&h) {
        return Err(bad());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_viewports() {
        assert_eq!(parse_duration("60s").unwrap().as_secs(), 60);
        assert_eq!(parse_duration("2m").unwrap().as_secs(), 120);
        assert_eq!(parse_duration("1500ms").unwrap().as_millis(), 1500);
        assert_eq!(parse_duration("5").unwrap().as_secs(), 5);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("NaNs").is_err());
        assert!(parse_duration("infs").is_err());
        assert_eq!(parse_viewport("1366x768").unwrap(), (1366, 768));
        assert!(parse_viewport("1366").is_err());
        assert!(parse_viewport("10x10").is_err());
    }
}
