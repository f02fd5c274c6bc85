//! `sigillo capture`: capture web pages with headless Chromium, one item per URL.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde_json::{Value, json};

use super::args::{
    BrowserArgs, BundleOutput, CaseNote, JsonFlag, QuietFlag, SignerArgs, TsaArgs, delay, timeout,
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
  sigillo capture --from urls.txt -o case.zip --retry 2
  sigillo capture https://example.com/a https://example.com/b -o case.zip --delay 2s --timeout 2m
  sigillo capture https://social.example/feed -o case.zip --cookies cookies.txt --wait-for '#feed'
  sigillo capture https://video.example/watch/42 -o case.zip --max-media 2G --yt-dlp";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print a JSON summary on stdout")))]
pub(super) struct CaptureArgs {
    /// The URLs to capture; each becomes one item, in this order (after those of --from).
    #[arg(value_name = "URL", required_unless_present = "from")]
    urls: Vec<String>,
    /// Also capture the URLs listed in FILE: one a line; blank lines and lines starting
    /// with # are skipped; - reads standard input. Repeatable.
    #[arg(long, value_name = "FILE")]
    from: Vec<PathBuf>,
    /// Capture a URL again even when the bundle already holds a capture of it (by default
    /// such URLs are skipped, so an interrupted batch can simply be run again).
    #[arg(long)]
    again: bool,
    /// Try a URL that failed up to N more times, waiting 1s, 2s, 4s … (at most 30s) between
    /// tries.
    #[arg(long, value_name = "N", default_value_t = 0)]
    retry: u32,
    /// Capture up to N URLs at once, each in its own tab of one browser; items are still
    /// sealed one by one in input order.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=32))]
    jobs: u32,
    #[command(flatten)]
    output: BundleOutput,
    #[command(flatten)]
    item: CaseNote,
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
    /// The most bytes sigillo itself downloads for one page beyond what the page loaded:
    /// the remaining segments of video streams (HLS) and --yt-dlp downloads (e.g. 500M,
    /// 2G).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = crate::acquire::web::stream::parse_size)]
    max_media: u64,
    /// Also run yt-dlp (when installed) on each page URL and seal what it downloads, with
    /// its version and command line.
    #[arg(long)]
    yt_dlp: bool,
    #[command(flatten)]
    browser: BrowserArgs,
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
    let mut urls = Vec::new();
    for f in &c.from {
        urls.extend(read_url_list(f)?);
    }
    urls.extend(c.urls.iter().cloned());
    if urls.is_empty() {
        return Err(
            Error::input("the URL list is empty: there is nothing to capture")
                .with_fix("give URLs on the command line or one a line in the --from file")
                .into(),
        );
    }
    // Every URL is checked before anything starts: a malformed one is a usage error.
    for u in &urls {
        crate::acquire::web::capture::check_url(u)?;
    }
    let opts = capture_options(&c)?;
    let signer = c.signer.signer()?;
    // Refuse early if the bundle exists and does not verify; learn the next item number
    // and which URLs it already holds.
    let (mut next_seq, mut sealed) = match seal::open_verified(output)? {
        Some((_, st)) => (naming::next_seq(st.items.len()), sealed_urls(&st)),
        None => (naming::next_seq(0), HashMap::new()),
    };
    let quiet = c.quiet.quiet || c.json.json;
    let mut results = Vec::new();
    let mut todo = Vec::new();
    for url in urls {
        let key = crate::text::mask_url(&url);
        match sealed.get(&key) {
            Some(item) if !c.again => {
                if !quiet {
                    errln!(
                        "skipping {key}: already sealed as item {item} (pass --again to capture it again)"
                    );
                }
                results.push(Some(
                    json!({"url": key, "ok": true, "skipped": true, "item": item}),
                ));
            }
            _ => {
                // A URL listed twice in one run is captured once (unless --again).
                sealed.insert(key, "(earlier in this run)".into());
                results.push(None);
                todo.push((results.len() - 1, url));
            }
        }
    }
    if todo.is_empty() {
        return finish_skipped(&c, output, results.into_iter().flatten().collect());
    }
    if !quiet {
        errln!("starting Chromium …");
    }
    let browser = Browser::launch(&opts)?;
    // Several pages: one bar (pages done, current URL, ETA) instead of per-step lines.
    let pages = if todo.len() > 1 {
        super::progress::for_terminal(quiet)
    } else {
        Default::default()
    };
    let batch_bar = todo.len() > 1 && !quiet && super::style::color(super::style::Stream::Stderr);
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
    let mut failures = Vec::new();
    pages.begin(Task::Capturing, todo.len() as u64);
    if c.jobs > 1 && todo.len() > 1 {
        run.parallel(
            &todo,
            c.jobs as usize,
            c.retry,
            &pages,
            &mut results,
            &mut failures,
        );
        pages.end();
        return run.finish(
            results.into_iter().flatten().collect(),
            &failures,
            todo.len(),
        );
    }
    for (slot, url) in &todo {
        pages.note(url);
        let mut attempt = 1;
        let (ok, mut result) = loop {
            let (ok, result) = run.one(url, next_seq);
            if ok || attempt > c.retry {
                break (ok, result);
            }
            let wait = retry_wait(attempt);
            if !run.quiet {
                errln!(
                    "  {}: try {attempt} of {} failed; trying again in {}s",
                    crate::text::mask_url(url),
                    c.retry + 1,
                    wait.as_secs()
                );
            }
            std::thread::sleep(wait);
            attempt += 1;
        };
        result["attempts"] = json!(attempt);
        pages.advance(1);
        if ok {
            next_seq += 1;
        } else {
            failures.push(result.clone());
        }
        // Results in input order: the skipped URLs keep their places.
        results[*slot] = Some(result);
    }
    pages.end();
    run.finish(
        results.into_iter().flatten().collect(),
        &failures,
        todo.len(),
    )
}

/// How long to wait after failed try number `attempt` (1-based): 1s, 2s, 4s … at most 30s.
fn retry_wait(attempt: u32) -> Duration {
    Duration::from_secs((1u64 << (attempt - 1).min(5)).min(30))
}

/// The URLs of `--from FILE` (`-`: standard input): one a line, trimmed; blank lines and
/// lines starting with `#` are skipped (a `#` inside a URL is its fragment, kept).
fn read_url_list(path: &Path) -> Result<Vec<String>> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|e| {
        Error::input(format!(
            "cannot read the URL list '{}': {e}",
            path.display()
        ))
        .with_fix("give a text file (UTF-8) with one URL a line")
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// The URLs (as sealed: credentials masked) of the bundle's web items, with the first
/// item that holds each.
fn sealed_urls(st: &crate::bundle::state::BundleState) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for it in &st.items {
        if it.manifest.kind == crate::acquire::ItemKind::Web
            && let Some(u) = it.manifest.input.get("url").and_then(Value::as_str)
        {
            m.entry(u.to_string()).or_insert_with(|| it.id.clone());
        }
    }
    m
}

/// Every URL was already in the bundle: nothing to capture, no browser started.
fn finish_skipped(c: &CaptureArgs, output: &Path, results: Vec<Value>) -> CmdResult {
    if c.json.json {
        let v = json!({"bundle": output.display().to_string(), "results": results});
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
    } else if !c.quiet.quiet {
        errln!(
            "every URL is already sealed in {}; nothing to capture",
            output.display()
        );
    }
    Ok(0)
}

/// The capture options from the flags; refuses a missing cookies file.
fn capture_options(c: &CaptureArgs) -> Result<CaptureOptions> {
    Ok(CaptureOptions {
        wait_for: c.wait_for.clone(),
        delay: c.delay,
        scroll: !c.no_scroll,
        max_media: c.max_media,
        yt_dlp: c.yt_dlp,
        ..c.browser.options(c.timeout)?
    })
}

impl Run<'_> {
    /// `--jobs N`: worker threads capture in their own tabs (with retries); this thread
    /// seals in input order, holding at most about `jobs` finished captures. The header
    /// strip names the URL's place in the batch (its item number is known only once the
    /// URLs before it are sealed).
    #[allow(clippy::too_many_arguments)]
    fn parallel(
        &self,
        todo: &[(usize, String)],
        jobs: usize,
        retry: u32,
        pages: &crate::progress::Progress,
        results: &mut [Option<Value>],
        failures: &mut Vec<Value>,
    ) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::mpsc;
        let next = AtomicUsize::new(0);
        // Only the browser and the options go to the workers (the signer stays here).
        let (browser, opts) = (&self.browser, &self.opts);
        let total = todo.len();
        // Bounded: a worker blocks once `jobs` captures wait to be sealed.
        let (tx, rx) =
            mpsc::sync_channel::<(usize, u32, Result<crate::acquire::Acquisition>)>(jobs);
        std::thread::scope(|sc| {
            for _ in 0..jobs.min(total) {
                let tx = tx.clone();
                let next = &next;
                sc.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= total {
                            break;
                        }
                        let url = &todo[i].1;
                        let label = format!("batch URL {} of {total}", i + 1);
                        let mut attempt = 1;
                        let r = loop {
                            let r = browser.capture(url, &label, opts, &|_: &str| {});
                            if r.is_ok() || attempt > retry {
                                break r;
                            }
                            std::thread::sleep(retry_wait(attempt));
                            attempt += 1;
                        };
                        if tx.send((i, attempt, r)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut waiting = std::collections::BTreeMap::new();
            let mut want = 0;
            for (i, attempt, r) in rx.iter() {
                waiting.insert(i, (attempt, r));
                while let Some((attempt, r)) = waiting.remove(&want) {
                    let (slot, url) = &todo[want];
                    pages.note(url);
                    let (ok, mut result) = self.sealed(url, r);
                    result["attempts"] = json!(attempt);
                    pages.advance(1);
                    if !ok {
                        failures.push(result.clone());
                    }
                    results[*slot] = Some(result);
                    want += 1;
                }
            }
        });
    }

    /// Seal a finished capture (or report its failure).
    fn sealed(&self, url: &str, acq: Result<crate::acquire::Acquisition>) -> (bool, Value) {
        self.report(
            url,
            acq.and_then(|acq| seal::seal(self.output, acq, &self.signer, &self.seal)),
        )
    }

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
        self.report(url, outcome)
    }

    /// Print and describe the outcome of sealing `url`.
    fn report(&self, url: &str, outcome: Result<seal::Sealed>) -> (bool, Value) {
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
                let v = json!({"url": crate::text::mask_url(url), "ok": true, "item": s.item_id, "manifest_sha256": s.manifest_sha256,
                               "files": s.files, "timestamps": s.tokens, "warnings": s.warnings});
                (true, v)
            }
            Err(e) => {
                if !self.json {
                    print_error(&e);
                }
                let v = json!({"url": crate::text::mask_url(url), "ok": false, "error": e.problem(), "fix": e.fix()});
                (false, v)
            }
        }
    }

    /// Print the JSON summary (with `--json`) or the list of failures, and decide the
    /// exit code: 1 when any URL could not be captured.
    fn finish(&self, results: Vec<Value>, failures: &[Value], urls: usize) -> CmdResult {
        if self.json {
            let v = json!({"bundle": self.output.display().to_string(), "browser": self.browser.product, "results": results});
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
        if failures.is_empty() {
            return Ok(0);
        }
        if !self.json {
            let failed = failures.len();
            if failed < urls {
                errln!("{failed} of {urls} URL(s) could not be captured; the others were sealed:");
            } else {
                errln!("no URL could be captured:");
            }
            for f in failures {
                errln!(
                    "  {}: {}",
                    f["url"].as_str().unwrap_or("?"),
                    f["error"].as_str().unwrap_or("?")
                );
            }
            errln!("run the same command again to retry them: URLs already sealed are skipped");
        }
        Ok(1)
    }
}
