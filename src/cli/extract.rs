//! `sigillo extract`: a checked working copy of a bundle (or one item).

use std::path::PathBuf;

use clap::Args;

use super::CmdResult;
use super::output::errln;

#[derive(Args, Debug)]
pub(super) struct ExtractArgs {
    /// The bundle.
    bundle: PathBuf,
    /// Folder to extract into (must not exist or be empty).
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    dir: PathBuf,
    /// Only this item (id, or its number).
    #[arg(long, value_name = "ID")]
    item: Option<String>,
    #[command(flatten)]
    identity: super::args::IdentityArgs,
}

pub(super) fn run(x: ExtractArgs) -> CmdResult {
    let ids = x.identity.load(&x.bundle)?;
    let out = crate::extract::extract(&x.bundle, &x.dir, x.item.as_deref(), ids.as_deref())?;
    errln!(
        "extracted {} files ({} bytes) into {}; every SHA-256 checked. This is a working copy: keep {} unchanged as the evidentiary copy, and record the copy with `sigillo custody add {} --action exported --note \"…\"`.",
        out.files,
        out.bytes,
        out.dir.display(),
        x.bundle.display(),
        x.bundle.display()
    );
    Ok(0)
}
