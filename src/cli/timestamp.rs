//! `sigillo timestamp`: add RFC 3161 tokens to items that lack them (or renew them).

use std::path::PathBuf;

use clap::Args;

use super::CmdResult;
use super::args::{SignerArgs, TsaArgs};
use super::output::errln;
use crate::error::Error;

#[derive(Args, Debug)]
pub(super) struct TimestampArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Also add a new token to items that already have one (renewal for long-term validity).
    #[arg(long)]
    renew: bool,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    tsa: TsaArgs,
}

pub(super) fn run(t: TimestampArgs) -> CmdResult {
    let signer = t.signer.signer()?;
    let out = crate::seal::add_timestamps(
        &t.bundle,
        &t.tsa.urls(),
        t.renew,
        t.tsa.require_tsa,
        &signer,
    )?;
    for (item, file) in &out.added {
        errln!("timestamped {item}: {file}");
    }
    for s in &out.skipped {
        errln!("skipped {s}: it already has a token (use --renew to add another)");
    }
    for f in &out.failed {
        errln!("warning: {f}");
    }
    if !out.failed.is_empty() && (t.tsa.require_tsa || out.added.is_empty()) {
        return Err(
            Error::partial(format!("{} timestamp request(s) failed", out.failed.len()))
                .with_fix("check the TSA URL and the network, then run `sigillo timestamp` again")
                .into(),
        );
    }
    Ok(0)
}
