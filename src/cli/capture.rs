//! `sigillo capture`: capture web pages with headless Chromium, one item per URL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde_json::{Value, json};

use super::args::{
    BundleOutput, CaseNote, JsonFlag, QuietFlag, SignerArgs, TsaArgs, delay, timeout,
};
use super::output::{errln, outln};
use super::{CmdResult, print_error};
use crate::acquire::web::capture::{Browser, CaptureOptions};
use crate::bundle::naming;
use crate::error::{Error, Result};
use crate::progress::Task;
use crate::seal::{self, SealOptions, Signer};

const EXAMPLES: &str = "Examples:
  sigillo capture https://example.com/post/123 -o case.zip --tsa https://freetsa.org/tsr
  sigillo capture https://example.com/a https://example.com/b -o case.zip --delay 2s --timeout 2m
  sigillo capture https://social.example/feed -o case.zip --cookies cookies.txt --wait-for '#feed'";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
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
    /// Give up on a page after this long (e.g. 60s, 2m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = timeout)]
    timeout: Duration,
    /// Wait until this CSS selector is present before capturing.
    #[arg(long, value_name = "CSS_SELECTOR")]
    wait_for: Option<String>,
    /// Extra time to wait after the page loaded: seconds (2.5) or a duration (2s, 1m).
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = delay)]
    delay: Duration,
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
    let batch_bar = c.urls.len() > 1 && !quiet && super::style::color(super::style::Stream::Stderr);
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
        timeout: c.timeout,
        wait_for: c.wait_for.clone(),
        delay: c.delay,
        scroll: !c.no_scroll,
        cookies_file: c.cookies.clone(),
        profile: c.profile.clone(),
        browser: c.browser.clone(),
        user_agent: c.user_agent.clone(),
        insecure: c.insecure,
        light: false,
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

/// Parse a viewport `WIDTHxHEIGHT` within 200..=10000 × 200..=20000.
pub(super) fn parse_viewport(s: &str) -> Result<(u32, u32)> {
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
    fn viewports() {
        assert_eq!(parse_viewport("1366x768").unwrap(), (1366, 768));
        assert!(parse_viewport("1366").is_err());
        assert!(parse_viewport("10x10").is_err());
    }
}
