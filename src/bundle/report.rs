//! The report kept inside the bundle (`report.html`), built from the bundle's state.

use crate::evidence::custody::Entry;
use crate::time::Stamp;
use crate::verify::BundleState;

/// Render `report.html` for the bundle as it will be after this change.
pub fn render(state: &BundleState, entries: &[Entry], now: &Stamp) -> String {
    let _ = (entries, now);
    format!(
        "<!doctype html><title>sigillo report {}</title><p>{} items</p>",
        state.case_id,
        state.items.len()
    )
}
