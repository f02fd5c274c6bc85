//! Read-only questions asked of a bundle that must verify first: its state, its hash
//! rows. A bundle that does not verify is refused with the next step to take.

use std::path::Path;

use crate::error::{Error, Result};
use crate::evidence::manifest::Manifest;
use crate::hashlist::{self, HashRow};
use crate::verify::{self, BundleState, VerifyOptions};

/// Verify `bundle` for a read-only command; refuse to work from one that does not verify.
pub fn verified_state(bundle: &Path) -> Result<BundleState> {
    let rep = verify::verify(bundle, &VerifyOptions::default())?;
    if !rep.ok() {
        return Err(Error::not_verified(format!(
            "'{}' does not verify ({} problem(s)); its hashes cannot be trusted",
            bundle.display(),
            rep.failures.len()
        ))
        .with_fix(format!(
            "run `sigillo verify {}` to see the problems",
            bundle.display()
        )));
    }
    Ok(rep.state)
}

/// The item manifests of `state`, in sequence.
pub fn manifests(state: &BundleState) -> Vec<Manifest> {
    state.items.iter().map(|i| i.manifest.clone()).collect()
}

/// The hash rows of every item, or of `item` (id or number); an unknown item is an error.
pub fn hash_rows(state: &BundleState, item: Option<&str>) -> Result<Vec<HashRow>> {
    let rows = hashlist::rows(&manifests(state), item);
    if let Some(want) = item
        && rows.is_empty()
        && !state
            .items
            .iter()
            .any(|i| i.id == *want || i.id.starts_with(&format!("{want}-")))
    {
        return Err(Error::input(format!("no item '{want}' in the bundle"))
            .with_fix("list the items with `sigillo ls`"));
    }
    Ok(rows)
}
