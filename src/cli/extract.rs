//! `sigillo extract`: a checked working copy of a bundle (or one item).

use std::path::PathBuf;

use clap::Args;

use serde_json::json;

use super::CmdResult;
use super::args::{JsonFlag, QuietFlag};
use super::output::{errln, outln};

const EXAMPLES: &str = "Examples:
  sigillo extract case.zip -d work/                     # every file, each SHA-256 checked
  sigillo extract case.zip -d item1/ --item 1
  sigillo extract safe.zip -d work/ --identity me.age   # an encrypted bundle";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print the folder, files and bytes written as JSON")))]
#[command(mut_arg("quiet", |a| a.help("Print no summary on stderr")))]
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
    #[command(flatten)]
    json: JsonFlag,
    #[command(flatten)]
    quiet: QuietFlag,
}

pub(super) fn run(x: ExtractArgs) -> CmdResult {
    let ids = x.identity.load(&x.bundle)?;
    let out = crate::extract::extract(&x.bundle, &x.dir, x.item.as_deref(), ids.as_deref())?;
    if x.json.json {
        outln!(
            "{}",
            json!({"bundle": x.bundle.display().to_string(), "dir": out.dir.display().to_string(),
                   "files": out.files, "bytes": out.bytes})
        )?;
        return Ok(0);
    }
    if x.quiet.quiet {
        return Ok(0);
    }
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
