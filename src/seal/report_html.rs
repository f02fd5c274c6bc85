//! The report kept inside the bundle (`report.html`), built from the bundle's state.

use serde_json::{Value, json};

use crate::evidence::custody::Entry;
use crate::report::of_bundle::input;
use crate::report::{Lang, ReportOptions, render_html};
use crate::time::Stamp;
use crate::verify::BundleState;

/// Render `report.html` for the bundle as it will be after this change. Its verdict is
/// the one sigillo reached before writing (a bundle that did not verify is never written).
pub fn render(state: &BundleState, entries: &[Entry], now: &Stamp) -> String {
    let mut signers: Vec<Value> = Vec::new();
    for e in entries {
        if !signers.iter().any(|s| s["fingerprint"] == e.actor_key()) {
            signers.push(json!({"fingerprint": e.actor_key(), "names": [e.record.actor.name]}));
        }
    }
    let verdict = json!({"format": "sigillo-verify/1", "verdict": "verified", "failures": [], "signers": signers});
    let raw: Vec<Value> = entries
        .iter()
        .map(|e| serde_json::to_value(&e.record).unwrap_or(Value::Null))
        .collect();
    let inp = input(
        "case.zip",
        None,
        state,
        &raw,
        Vec::new(),
        Some(verdict),
        now,
    );
    render_html(
        &inp,
        &ReportOptions {
            lang: Lang::En,
            show_media: false,
        },
    )
}
