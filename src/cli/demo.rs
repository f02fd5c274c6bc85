//! `sigillo demo`: run the offline demo and print its progress and results.

use std::path::PathBuf;

use clap::Args;

use super::CmdResult;
use super::output::{errln, outln};
use crate::demo::{self, DemoEvent, DemoOutcome};

#[derive(Args, Debug)]
pub(super) struct DemoArgs {
    /// Where to write the demo bundle [default: a new temporary folder].
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

pub(super) fn run(d: DemoArgs) -> CmdResult {
    let outcome = demo::run(d.output.as_deref(), &progress)?;
    print_outcome(&outcome)?;
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
