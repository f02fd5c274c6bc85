//! `sigillo ls`: a bundle's items and files with their hashes.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::CmdResult;
use super::args::JsonFlag;
use super::output::{errln, outln};
use super::style::{Grid, clean};
use crate::bundle::state::BundleState;
use crate::verify::{self, VerifyOptions};

const EXAMPLES: &str = "Examples:
  sigillo ls case.zip                  # items, then each file's SHA-256, size, role and path
  sigillo ls case.zip --json
  sigillo ls case.zip | grep original/";

#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
#[command(mut_arg("json", |a| a.help("Print the case id and every item's manifest as JSON")))]
pub(super) struct LsArgs {
    /// The bundle.
    bundle: PathBuf,
    #[command(flatten)]
    json: JsonFlag,
}

pub(super) fn run(a: LsArgs) -> CmdResult {
    let rep = verify::verify(&a.bundle, &VerifyOptions::default())?;
    let st = &rep.state;
    if a.json.json {
        let v = json!({"case": st.case_id, "items": st.items.iter().map(|i| &i.manifest).collect::<Vec<_>>()});
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
    } else {
        print_items(st)?;
    }
    if !rep.ok() {
        errln!(
            "warning: the bundle does NOT verify ({} problem(s)); run `sigillo verify {}`",
            rep.failures.len(),
            a.bundle.display()
        );
        return Ok(1);
    }
    Ok(0)
}

fn print_items(st: &BundleState) -> CmdResult<()> {
    outln!("case {} — {} item(s)", clean(&st.case_id), st.items.len())?;
    for it in &st.items {
        let m = &it.manifest;
        outln!(
            "\nitem {}  kind {}  acquired {}  by {} ({})",
            clean(&it.id),
            clean(&m.kind.to_string()),
            clean(&m.acquired.finished.to_string()),
            clean(&m.operator.name.clone().unwrap_or_default()),
            clean(&m.operator.key)
        )?;
        let mut g = Grid::new(&["SHA-256", "bytes", "role", "path"]).right(1);
        for f in &m.files {
            g.row(&[
                f.sha256.clone(),
                f.size.to_string(),
                f.role.to_string(),
                f.path.clone(),
            ]);
        }
        g.print("  ")?;
    }
    Ok(())
}
