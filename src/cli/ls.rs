//! `sigillo ls`: a bundle's items and files with their hashes.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::CmdResult;
use super::args::JsonFlag;
use super::output::{errln, outln};
use crate::bundle::state::BundleState;
use crate::verify::{self, VerifyOptions};

#[derive(Args, Debug)]
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
    outln!("case {} — {} item(s)", st.case_id, st.items.len())?;
    for it in &st.items {
        let m = &it.manifest;
        outln!(
            "\n{}  kind={}  acquired {}  by {} ({})",
            it.id,
            m.kind,
            m.acquired.finished,
            m.operator.name.clone().unwrap_or_default(),
            m.operator.key
        )?;
        outln!("  {:<64}  {:>12}  {:<8}  path", "SHA-256", "bytes", "role")?;
        for f in &m.files {
            outln!("  {}  {:>12}  {:<8}  {}", f.sha256, f.size, f.role, f.path)?;
        }
    }
    Ok(())
}
