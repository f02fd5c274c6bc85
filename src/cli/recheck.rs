//! `sigillo recheck`: load captured URLs again, compare with the capture and seal what
//! was found as `recheck` items; with `--every`, in rounds for the removal window.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;

use super::args::{
    BrowserArgs, JsonFlag, QuietFlag, SignerArgs, TsaArgs, interval, timeout, utc_time,
};
use super::output::{errln, outln};
use super::style::clean;
use super::{CmdResult, print_error};
use crate::acquire::web::capture::{Browser, CaptureOptions};
use crate::error::Error;
use crate::recheck::compare::{Changes, Outcome};
use crate::recheck::{self, Target};
use crate::seal::{self, SealOptions, Signer};
use crate::time::Stamp;

const EXAMPLES: &str = "Examples:
  sigillo recheck case.zip                      # every captured URL, once
  sigillo recheck case.zip --item 0001 --json --key k.pem
  sigillo recheck case.zip --every 30m --until 2026-12-05T18:00:00Z --tsa https://freetsa.org/tsr
  sigillo recheck case.zip --every 1h --count 48 -q";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print one JSON object per URL re-checked, one a line")))]
pub(super) struct RecheckArgs {
    /// The bundle whose captured URLs are loaded again; each re-check is sealed into it.
    #[arg(value_name = "case.zip")]
    bundle: PathBuf,
    /// Re-check only this web item (id or number; repeatable) [default: every web item].
    #[arg(long = "item", value_name = "ID")]
    items: Vec<String>,
    /// Re-check again every DURATION (e.g. 30m, 1h), until --until or --count.
    #[arg(long, value_name = "DURATION", value_parser = interval)]
    every: Option<Duration>,
    /// With --every: start no round after this UTC time (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = utc_time, requires = "every", conflicts_with = "count")]
    until: Option<DateTime<Utc>>,
    /// With --every: this many rounds in all.
    #[arg(long, value_name = "N", requires = "every", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,
    /// A note recorded with each recheck item.
    #[arg(long)]
    note: Option<String>,
    /// Give up on a page after this long (e.g. 60s, 2m); a page that does not load in
    /// time is sealed as unreachable.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = timeout)]
    timeout: Duration,
    #[command(flatten)]
    browser: BrowserArgs,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    quiet: QuietFlag,
    #[command(flatten)]
    json: JsonFlag,
}

/// One line of `recheck --json` (the keys are an interface).
#[derive(Debug, Serialize)]
struct Line<'a> {
    url: &'a str,
    item: &'a str,
    recheck_item: &'a str,
    result: Outcome,
    changes: Changes,
    http_status: Option<u16>,
    checked_at: &'a str,
}

/// What every round shares.
struct Run<'a> {
    bundle: &'a Path,
    opts: CaptureOptions,
    seal: SealOptions,
    signer: Signer,
    browser: Browser,
    quiet: bool,
    json: bool,
    looping: bool,
}

pub(super) fn run(a: RecheckArgs) -> CmdResult {
    let Some((reader, state)) = seal::open_verified(&a.bundle)? else {
        return Err(Error::input(format!("'{}' does not exist", a.bundle.display()))
            .with_fix("give the bundle the pages were captured into (sigillo capture URL -o case.zip)")
            .into());
    };
    let targets = recheck::targets(&reader, &state, &a.items)?;
    drop(reader);
    let opts = CaptureOptions {
        light: true,
        ..a.browser.options(a.timeout)?
    };
    let signer = a.signer.signer()?;
    let quiet = a.quiet.quiet || a.json.json;
    if !quiet {
        errln!("starting Chromium …");
    }
    let browser = Browser::launch(&opts)?;
    // With --every, Ctrl-C stops after the URL in hand instead of at once.
    let _defer = a.every.map(|_| crate::cleanup::defer_interrupts());
    let run = Run {
        bundle: &a.bundle,
        opts,
        seal: SealOptions {
            note: a.note.clone(),
            tsa: a.tsa.endpoints()?,
            require_tsa: a.tsa.require_tsa,
            ..Default::default()
        },
        signer,
        browser,
        quiet,
        json: a.json.json,
        looping: a.every.is_some(),
    };
    let progress_line = !a.quiet.quiet && std::io::stderr().is_terminal();
    let mut failed = 0usize;
    let mut round = 0u64;
    loop {
        round += 1;
        let began = Instant::now();
        let (sealed, f) = run.round(&targets)?;
        failed += f;
        let Some(every) = a.every else { break };
        if crate::cleanup::interrupted() {
            if !a.quiet.quiet {
                errln!("stopped after round {round} (Ctrl-C); every recheck made was sealed");
            }
            break;
        }
        if a.count.is_some_and(|n| round >= n) {
            break;
        }
        let next = Utc::now()
            + chrono::Duration::from_std(every.saturating_sub(began.elapsed())).unwrap_or_default();
        if a.until.is_some_and(|u| next > u) {
            break;
        }
        if progress_line {
            let of = a.count.map(|n| format!(" of {n}")).unwrap_or_default();
            errln!(
                "round {round}{of}: {sealed} recheck(s) sealed; next round at {} (Ctrl-C to stop)",
                crate::time::rfc3339(&next)
            );
        }
        if !wait_until(began + every) {
            if !a.quiet.quiet {
                errln!("stopped after round {round} (Ctrl-C); every recheck made was sealed");
            }
            break;
        }
    }
    Ok(if failed == 0 { 0 } else { 1 })
}

/// Sleep until `t`; false when interrupted first.
fn wait_until(t: Instant) -> bool {
    while Instant::now() < t {
        if crate::cleanup::interrupted() {
            return false;
        }
        std::thread::sleep((t - Instant::now()).min(Duration::from_millis(200)));
    }
    !crate::cleanup::interrupted()
}

impl Run<'_> {
    /// Re-check every target once; returns (sealed, failed).
    fn round(&self, targets: &[Target]) -> CmdResult<(usize, usize)> {
        let (mut sealed, mut failed) = (0, 0);
        for t in targets {
            if self.looping && crate::cleanup::interrupted() {
                break;
            }
            match self.one(t)? {
                true => sealed += 1,
                false => failed += 1,
            }
        }
        Ok((sealed, failed))
    }

    /// Load, compare and seal one URL; false when it could not be sealed.
    fn one(&self, t: &Target) -> CmdResult<bool> {
        let progress = |step: &str| {
            if !self.quiet {
                errln!("  {}: {step}", clean(&t.url));
            }
        };
        let started = Stamp::now();
        let loaded = match self.browser.load(&t.url, "recheck", &self.opts, &progress) {
            Ok(l) => l,
            Err(e) => {
                print_error(&e);
                return Ok(false);
            }
        };
        // Ctrl-C in a terminal stops Chromium too: a load that failed after it is not
        // evidence that the page is unreachable, so it is not recorded.
        if loaded.is_err() && self.looping && crate::cleanup::interrupted() {
            return Ok(false);
        }
        let outcome = recheck::acquisition(t, loaded, started).and_then(|(acq, file)| {
            seal::seal(self.bundle, acq, &self.signer, &self.seal).map(|s| (s, file))
        });
        let (s, file) = match outcome {
            Ok(x) => x,
            Err(e) => {
                print_error(&e);
                return Ok(false);
            }
        };
        if self.json {
            let line = Line {
                url: &t.url,
                item: &t.item,
                recheck_item: &s.item_id,
                result: file.result,
                changes: file.changes.without_text(),
                http_status: file.http_status,
                checked_at: &file.checked_at,
            };
            outln!(
                "{}",
                serde_json::to_string(&line)
                    .map_err(|e| Error::internal(format!("recheck line: {e}")))?
            )?;
        } else {
            if !self.quiet {
                for w in &s.warnings {
                    errln!("  warning: {w}");
                }
            }
            let status = file
                .http_status
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default();
            outln!(
                "{}: {}{status} — sealed as item {} into {}",
                clean(&t.url),
                file.result,
                s.item_id,
                self.bundle.display()
            )?;
        }
        Ok(true)
    }
}
