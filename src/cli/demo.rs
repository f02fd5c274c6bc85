//! `sigillo demo`: run the offline demo and print its progress and results.

use std::path::PathBuf;

use clap::Args;

use super::CmdResult;
use super::args::{JsonFlag, QuietFlag};
use super::output::{errln, outln};
use crate::demo::{self, DemoEvent, DemoOutcome};

const EXAMPLES: &str = "Examples:
  sigillo demo                                          # in a new temporary folder
  sigillo demo -d demo/                                 # demo/case.zip, demo/demo-operator.pem …
  sigillo demo -d demo/ --json";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print the outcome (bundle, key, verdict) as JSON")))]
#[command(mut_arg("quiet", |a| a.help("Print no progress on stderr")))]
pub(super) struct DemoArgs {
    /// The folder to write the demo bundle and key into [default: a new temporary folder].
    #[arg(
        short = 'd',
        long = "dir",
        value_name = "DIR",
        short_alias = 'o',
        alias = "output"
    )]
    dir: Option<PathBuf>,
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(d: DemoArgs) -> CmdResult {
    let quiet = d.quiet.quiet || d.json.json;
    let outcome = demo::run(d.dir.as_deref(), &|e| {
        if !quiet {
            progress(e)
        }
    })?;
    if d.json.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "bundle": outcome.bundle.display().to_string(), "bundle_sha256": outcome.bundle_sha256,
                "case": outcome.case, "items": outcome.items, "key": outcome.key.display().to_string(),
                "public_key": outcome.public_key.display().to_string(), "fingerprint": outcome.fingerprint,
                "verdict": outcome.verdict, "checks": outcome.checks, "failures": outcome.failures,
            }))
            .unwrap_or_default()
        )?;
    } else {
        print_outcome(&outcome)?;
    }
    Ok(if outcome.ok() { 0 } else { 1 })
}

/// Show one demo step on stderr.
fn progress(e: DemoEvent) {
    match e {
        DemoEvent::SealingFiles => errln!("demo: sealing the sample files …"),
        DemoEvent::SealedFiles { item, files } => {
            errln!("demo: sealed item {item} ({files} files)")
        }
        DemoEvent::SealedChat { path, item, files } => {
            errln!("demo: sealed chat export {path} as item {item} ({files} files)")
        }
        DemoEvent::WebStep { url, step } => errln!("demo:   {url}: {step}"),
        DemoEvent::WebCaptured { item } => {
            errln!("demo: captured the sample web page as item {item}")
        }
        DemoEvent::WebSkipped { reason } => errln!("demo: web capture skipped: {reason}"),
    }
}

fn print_outcome(o: &DemoOutcome) -> CmdResult<()> {
    let bundle = o.bundle.display();
    outln!("bundle:   {bundle}")?;
    outln!("sha256:   {}", o.bundle_sha256)?;
    outln!("case:     {}", o.case)?;
    outln!("items:    {}", o.items.join(", "))?;
    outln!("key:      {} ({})", o.key.display(), o.fingerprint)?;
    outln!(
        "verdict:  {} ({} checks, {} failures)",
        o.verdict,
        o.checks,
        o.failures
    )?;
    outln!(
        "\nnext:     sigillo verify {bundle} --trust {}",
        o.public_key.display()
    )?;
    outln!("          unzip {bundle} -d extracted && (cd extracted && sha256sum -c SHA256SUMS)")?;
    outln!("          sigillo report {bundle} -o report.html --pdf report.pdf")?;
    Ok(())
}
