//! `sigillo capture`: capture web pages with headless Chromium, one item per URL.

use std::collections::HashMap;
use std::io::IsTerminal;
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

mod interactive;

const EXAMPLES: &str = "Examples:
  sigillo capture https://example.com/post/123 -o case.zip --tsa https://freetsa.org/tsr
  sigillo capture --from urls.txt -o case.zip --retry 2
  sigillo capture https://example.com/a https://example.com/b -o case.zip --delay 2s --timeout 2m
  sigillo capture https://social.example/feed -o case.zip --cookies cookies.txt --wait-for '#feed'
  sigillo capture https://forum.example/thread/42 -o case.zip --follow-next --max-pages 50
  sigillo capture https://social.example/user -o case.zip --scroll-until-end --max-time 5m
  sigillo capture --from urls.txt -o case.zip --jobs 4 --json
  sigillo capture --interactive https://social.example/login -o case.zip --record
  printf '\nq\n' | xvfb-run -a sigillo capture --interactive https://example.com -o case.zip
  sigillo capture https://video.example/watch/42 -o case.zip --max-media 2G --yt-dlp";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print one JSON line per URL on stdout as it finishes, then a summary line")))]
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
    /// Capture up to N URLs at once (1-32, default: the number of cores), each in its own
    /// tab of one browser; items are still sealed one by one in input order.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=32))]
    jobs: Option<u32>,
    /// Open a visible browser window on the one URL given, recorded from the first request:
    /// log in and navigate; on standard input an empty line (Enter) seals the page on
    /// screen as an item, q (or end of input) ends the session. Login secrets (cookies,
    /// Authorization, password fields) are sealed only as their SHA-256.
    #[arg(long, conflicts_with_all = ["from", "again", "retry", "jobs", "follow_next"])]
    interactive: bool,
    /// Record the screen: the browser's frames (CDP screencast) with their times as an
    /// original, and a derived WebM video when ffmpeg is installed.
    #[arg(long)]
    record: bool,
    /// After each page, follow its "next page" link (rel=next, or a link reading Next,
    /// Older posts, ›, », Successiva, Pagina successiva, Avanti) and capture that page too,
    /// as an item that names the page it follows. Threads are captured one page at a time;
    /// a thread whose first page is sealed already goes on after its last sealed page.
    #[arg(long)]
    follow_next: bool,
    /// With --follow-next: capture at most N pages of each thread, the first included.
    #[arg(long, value_name = "N", default_value_t = 20, requires = "follow_next",
          value_parser = clap::value_parser!(u32).range(1..=10000))]
    max_pages: u32,
    /// Scroll an endless feed until no new content appears, or until --max-height or
    /// --max-time; where and why it stopped is recorded in the item.
    #[arg(long, conflicts_with = "no_scroll")]
    scroll_until_end: bool,
    /// With --scroll-until-end: stop once the page is this many CSS pixels tall.
    #[arg(long, value_name = "PX", default_value_t = crate::acquire::web::feed::DEFAULT_MAX_HEIGHT,
          requires = "scroll_until_end", value_parser = clap::value_parser!(u64).range(1000..=2_000_000))]
    max_height: u64,
    /// With --scroll-until-end: stop scrolling after this long (e.g. 30s, 2m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "2m", requires = "scroll_until_end",
          value_parser = timeout)]
    max_time: Duration,
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
    /// No result lines on stderr (`--quiet`, `--json`, or the batch bar).
    quiet: bool,
    /// Per-step lines on stderr: one URL, stderr a terminal, not quiet.
    steps: bool,
    json: bool,
    retry: u32,
    /// `--follow-next`: at most this many pages per thread.
    follow: Option<u32>,
}

pub(super) fn run(c: CaptureArgs) -> CmdResult {
    if c.interactive {
        return interactive::run(&c);
    }
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
    let state = seal::open_verified(output)?.map(|(_, st)| st);
    let (mut next_seq, mut sealed) = match &state {
        Some(st) => (naming::next_seq(st.items.len()), sealed_urls(st)),
        None => (naming::next_seq(0), HashMap::new()),
    };
    // `--follow-next`: a thread whose first page is sealed goes on after its last sealed
    // page (an interrupted run, a page that failed, or a larger --max-pages).
    let mut resumes = HashMap::new();
    let quiet = c.quiet.quiet || c.json.json;
    // Each URL's results (a thread gives several), in input order.
    let mut results: Vec<Vec<Value>> = Vec::new();
    let mut todo = Vec::new();
    for url in urls {
        let key = crate::text::mask_url(&url);
        match sealed.get(&key) {
            Some(item) if !c.again => {
                let resume = state
                    .as_ref()
                    .filter(|_| c.follow_next)
                    .and_then(|st| crate::acquire::web::next::resume(st, item, c.max_pages));
                if let Some(r) = resume {
                    if !quiet {
                        errln!(
                            "resuming the thread of {key}: {} page(s) sealed, the last as item {}; going on at page {}: {}",
                            r.page - 1,
                            r.item,
                            r.page,
                            crate::text::mask_url(&r.link.url)
                        );
                    }
                    let v = json!({"url": key, "ok": true, "skipped": true, "item": item, "resumed_at_page": r.page});
                    json_line(c.json.json, &v);
                    results.push(vec![v]);
                    resumes.insert(results.len() - 1, r);
                    todo.push((results.len() - 1, url));
                    // Listed twice: resumed once.
                    sealed.insert(key, "(earlier in this run)".into());
                    continue;
                }
                if !quiet {
                    errln!(
                        "skipping {key}: already sealed as item {item} (pass --again to capture it again)"
                    );
                }
                let v = json!({"url": key, "ok": true, "skipped": true, "item": item});
                json_line(c.json.json, &v);
                results.push(vec![v]);
            }
            _ => {
                // A URL listed twice in one run is captured once (unless --again).
                sealed.insert(key, "(earlier in this run)".into());
                results.push(Vec::new());
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
    // The tool's identity in every manifest: hashed while Chromium starts.
    crate::evidence::manifest::hash_executable_ahead();
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
        seal: seal_options(&c)?,
        signer,
        browser,
        quiet: quiet || batch_bar,
        steps: !quiet && todo.len() == 1 && std::io::stderr().is_terminal(),
        json: c.json.json,
        retry: c.retry,
        follow: c.follow_next.then_some(c.max_pages),
    };
    let mut failures = Vec::new();
    pages.begin(Task::Capturing, todo.len() as u64);
    let jobs = c.jobs.map_or_else(default_jobs, |j| j as usize);
    if c.follow_next && c.jobs.is_some_and(|j| j > 1) && !quiet {
        errln!("note: --follow-next captures threads one page at a time; --jobs is not used");
    }
    // Threads are followed page by page: each page's item names the one before it.
    if jobs > 1 && todo.len() > 1 && run.follow.is_none() {
        run.parallel(&todo, next_seq, jobs, &pages, &mut results, &mut failures);
        pages.end();
        return run.finish(
            results.into_iter().flatten().collect(),
            &failures,
            todo.len(),
        );
    }
    for (n, (slot, url)) in todo.iter().enumerate() {
        pages.note(&crate::text::mask_url(url));
        let out = match run.follow {
            Some(max) => run.thread(url, max, resumes.remove(slot), &mut next_seq, &pages),
            None => {
                let (ok, result) = run.one(url, next_seq, n + 1 == todo.len());
                if ok {
                    next_seq += 1;
                }
                vec![(ok, result)]
            }
        };
        pages.advance(1);
        for (ok, result) in out {
            if !ok {
                failures.push(result.clone());
            }
            // Results in input order: the skipped URLs keep their places.
            results[*slot].push(result);
        }
    }
    pages.end();
    run.finish(
        results.into_iter().flatten().collect(),
        &failures,
        todo.len(),
    )
}

/// `--jobs` unless given: the number of cores (at most 32, the flag's range).
fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 32)
}

/// With `--json`: one result as one line on stdout, now (best effort: a closed stdout
/// does not stop the captures).
fn json_line(json: bool, v: &Value) {
    if json {
        let _ = outln!("{}", serde_json::to_string(v).unwrap_or_default());
    }
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
        outln!("{}", serde_json::to_string(&v).unwrap_or_default())?;
    } else if !c.quiet.quiet {
        errln!(
            "every URL is already sealed in {}; nothing to capture",
            output.display()
        );
    }
    Ok(0)
}

/// A page's URL as a thread remembers it: without its `#fragment`.
fn page_key(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(mut p) => {
            p.set_fragment(None);
            crate::text::mask_url(p.as_str())
        }
        Err(_) => u.to_string(),
    }
}

/// The capture options from the flags; refuses a missing cookies file.
fn capture_options(c: &CaptureArgs) -> Result<CaptureOptions> {
    Ok(CaptureOptions {
        wait_for: c.wait_for.clone(),
        delay: c.delay,
        scroll: !c.no_scroll,
        record: c.record,
        headful: c.interactive,
        scroll_until_end: c
            .scroll_until_end
            .then_some(crate::acquire::web::feed::FeedLimits {
                max_height: c.max_height,
                max_time: c.max_time,
            }),
        max_media: c.max_media,
        yt_dlp: c.yt_dlp,
        ..c.browser.options(c.timeout)?
    })
}

/// How items are sealed (case, note, TSAs, encryption).
fn seal_options(c: &CaptureArgs) -> Result<SealOptions> {
    Ok(SealOptions {
        case: c.item.case.clone(),
        note: c.item.note.clone(),
        tsa: c.tsa.endpoints()?,
        require_tsa: c.tsa.require_tsa,
        tsa_timeout: None,
        progress: Default::default(),
        encrypt_to: c.encrypt.recipients()?,
    })
}

impl Run<'_> {
    /// `--jobs N`: worker threads capture in their own tabs (with retries); this thread
    /// seals in input order, holding at most about `jobs` finished captures. The header
    /// strip names the URL's place in the batch (its item number is known only once the
    /// URLs before it are sealed).
    ///
    /// Each page's header strip is drawn with the item id it gets when every URL before it
    /// is sealed (`seq`: the first one's number); when one of them failed, the ids after it
    /// move down and the strip is drawn again, in the side tab, before sealing.
    fn parallel(
        &self,
        todo: &[(usize, String)],
        seq: usize,
        jobs: usize,
        pages: &crate::progress::Progress,
        results: &mut [Vec<Value>],
        failures: &mut Vec<Value>,
    ) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::mpsc;
        let next = AtomicUsize::new(0);
        // Only the browser and the options go to the workers (the signer stays here).
        let (browser, opts, retry) = (&self.browser, &self.opts, self.retry);
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
                        let label = Self::label(url, seq + i);
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
            let (mut want, mut sealed) = (0, 0);
            for (i, attempt, r) in rx.iter() {
                waiting.insert(i, (attempt, r));
                while let Some((attempt, r)) = waiting.remove(&want) {
                    let (slot, url) = &todo[want];
                    pages.note(&crate::text::mask_url(url));
                    let r = r.map(|acq| {
                        let (drawn, real) =
                            (Self::label(url, seq + want), Self::label(url, seq + sealed));
                        self.relabelled(acq, &drawn, &real)
                    });
                    let (ok, mut result) = self.sealed(url, r);
                    if ok {
                        sealed += 1;
                    }
                    result["attempts"] = json!(attempt);
                    json_line(self.json, &result);
                    pages.advance(1);
                    if !ok {
                        failures.push(result.clone());
                    }
                    results[*slot].push(result);
                    want += 1;
                }
            }
        });
    }

    /// The capture with its header strip reading `real` instead of `drawn`, drawn again.
    /// When it cannot be drawn again, the annotated screenshot is left out, with a warning: it would name
    /// another item.
    fn relabelled(
        &self,
        mut acq: crate::acquire::Acquisition,
        drawn: &str,
        real: &str,
    ) -> crate::acquire::Acquisition {
        use crate::acquire::web::capture::relabel;
        if drawn == real {
            return acq;
        }
        let done = relabel(&mut acq, drawn, real);
        if let Err(e) = done {
            acq.artifacts
                .retain(|a| a.path != crate::acquire::web::capture::ANNOTATED);
            acq.facts.remove("header_strip");
            acq.warnings.push(format!(
                "no annotated screenshot: its header strip named {drawn}, and it could not be drawn again as {real} ({})",
                e.problem()
            ));
        }
        acq
    }

    /// Seal a finished capture (or report its failure).
    fn sealed(&self, url: &str, acq: Result<crate::acquire::Acquisition>) -> (bool, Value) {
        self.report(
            url,
            acq.and_then(|acq| seal::seal(self.output, acq, &self.signer, &self.seal)),
        )
    }

    /// Capture `url` (its header strip reading `label`), trying again up to `--retry`
    /// times; returns the number of tries and the outcome of the last.
    fn capture_retrying(
        &self,
        url: &str,
        label: &str,
    ) -> (u32, Result<crate::acquire::Acquisition>) {
        let progress = |step: &str| {
            if self.steps {
                errln!("  {}: {step}", crate::text::mask_url(url));
            }
        };
        let mut attempt = 1;
        loop {
            let r = self.browser.capture(url, label, &self.opts, &progress);
            if r.is_ok() || attempt > self.retry {
                return (attempt, r);
            }
            let wait = retry_wait(attempt);
            if !self.quiet {
                errln!(
                    "  {}: try {attempt} of {} failed; trying again in {}s",
                    crate::text::mask_url(url),
                    self.retry + 1,
                    wait.as_secs()
                );
            }
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// The header strip's label of `url` sealed as item number `seq`.
    fn label(url: &str, seq: usize) -> String {
        format!(
            "item {}",
            naming::item_id(seq, crate::acquire::ItemKind::Web, &naming::web_slug(url))
        )
    }

    /// Capture and seal `url` as item number `seq`; returns success and its JSON result
    /// (already printed as a JSON line with `--json`).
    /// `last`: the run's last capture; Chromium ends while it is sealed.
    fn one(&self, url: &str, seq: usize, last: bool) -> (bool, Value) {
        let (attempts, acq) = self.capture_retrying(url, &Self::label(url, seq));
        if last {
            self.browser.end_now();
        }
        let (ok, mut result) = self.sealed(url, acq);
        result["attempts"] = json!(attempts);
        json_line(self.json, &result);
        (ok, result)
    }

    /// `--follow-next`: capture `start`, then the page its next-page link leads to, and so
    /// on, each sealed as an item that names the page it follows and the thread's first
    /// page; at most `max` pages. Stops at a page without a next link, at a link back to
    /// a page already captured (a loop), at `max`, or at a page that failed; the reason
    /// is printed, given in the results (`thread_stop`) and, but for a failed page,
    /// recorded in the last item (`facts.thread.stopped` and a transformation line).
    ///
    /// `resume`: the thread's first pages are sealed already; go on after them.
    fn thread(
        &self,
        start: &str,
        max: u32,
        resume: Option<crate::acquire::web::next::Resume>,
        next_seq: &mut usize,
        pages: &crate::progress::Progress,
    ) -> Vec<(bool, Value)> {
        use crate::acquire::web::next::{self, ThreadEnd, ThreadFacts};
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        seen.insert(page_key(start));
        let mut url = start.to_string();
        // The item sealed last, the thread's first item, and the link followed from it.
        let mut prev: Option<(String, String, next::NextLink)> = None;
        let mut first_page = 1;
        if let Some(r) = resume {
            seen.extend(r.seen.iter().map(|u| page_key(u)));
            seen.insert(page_key(&r.link.url));
            url = r.link.url.clone();
            first_page = r.page;
            prev = Some((r.item, r.first_item, r.link));
        }
        let shown_start = crate::text::mask_url(start);
        for page in first_page..=max {
            pages.note(&crate::text::mask_url(&url));
            let (attempts, acq) = self.capture_retrying(&url, &Self::label(&url, *next_seq));
            let mut acq = match acq {
                Ok(a) => a,
                Err(e) => {
                    let (_, mut v) = self.report(&url, Err(e));
                    v["attempts"] = json!(attempts);
                    v["thread_page"] = json!(page);
                    if let Some((item, ..)) = &prev {
                        v["follows"] = json!(item);
                        v["thread_stop"] = json!("failed");
                        if !self.quiet {
                            errln!(
                                "the thread of {shown_start} ends at page {page}: that page could not be captured"
                            );
                        }
                    }
                    json_line(self.json, &v);
                    out.push((false, v));
                    break;
                }
            };
            if let Some(f) = acq.facts.get("final_url").and_then(Value::as_str) {
                seen.insert(page_key(f));
            }
            let found = next::of_acquisition(&acq);
            let stopped = match &found {
                None => Some(ThreadEnd::NoNextLink),
                Some(n) if seen.contains(&page_key(&n.url)) => Some(ThreadEnd::Loop),
                Some(_) if page >= max => Some(ThreadEnd::MaxPages),
                Some(_) => None,
            };
            let facts = ThreadFacts {
                page,
                next: found.clone(),
                stopped,
            };
            if let Ok(v) = serde_json::to_value(&facts) {
                acq.facts.insert("thread".into(), v);
            }
            if let Some(s) = stopped {
                acq.transformations.push(format!(
                    "last page (page {page}) of a thread followed with --follow-next: no further page was captured because {}",
                    s.says()
                ));
            }
            if let Some((item, first, link)) = &prev {
                acq.follows = Some(crate::evidence::manifest::Follows {
                    item: item.clone(),
                    first_item: first.clone(),
                    link: crate::text::mask_url(&link.url),
                    found_by: link.found_by.clone(),
                });
            }
            let (ok, mut v) = self.sealed(&url, Ok(acq));
            v["attempts"] = json!(attempts);
            v["thread_page"] = json!(page);
            if let Some((item, ..)) = &prev {
                v["follows"] = json!(item);
            }
            if !ok {
                json_line(self.json, &v);
                out.push((false, v));
                break;
            }
            *next_seq += 1;
            if let Some(s) = stopped {
                v["thread_stop"] = json!(s);
            }
            json_line(self.json, &v);
            let item = v["item"].as_str().unwrap_or_default().to_string();
            out.push((true, v));
            match (stopped, found) {
                (None, Some(n)) => {
                    if !self.quiet {
                        errln!(
                            "  following the next page ({}): {}",
                            n.found_by,
                            crate::text::mask_url(&n.url)
                        );
                    }
                    seen.insert(page_key(&n.url));
                    url = n.url.clone();
                    let first = prev.map_or_else(|| item.clone(), |p| p.1);
                    prev = Some((item, first, n));
                }
                (s, _) => {
                    if !self.quiet {
                        errln!(
                            "the thread of {shown_start} ends after {page} page(s): {}",
                            s.map_or("", ThreadEnd::says)
                        );
                    }
                    break;
                }
            }
        }
        out
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
                        "sealed {} as item {} ({} files) into {}",
                        crate::text::mask_url(url),
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
            outln!("{}", serde_json::to_string(&v).unwrap_or_default())?;
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
