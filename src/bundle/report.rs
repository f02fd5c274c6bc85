//! The report kept inside the bundle (`report.html`), built from the bundle's state.

use serde_json::{Value, json};

use crate::bundle::state::BundleState;
use crate::evidence::custody::Entry;
use crate::report::{Lang, ReportInput, ReportOptions, render_html};
use crate::time::Stamp;

/// Build the report input from a bundle's state (shared by report.html and `sigillo report`).
pub fn input<'a>(
    bundle_name: &str,
    bundle_sha256: Option<String>,
    state: &BundleState,
    entries: &[Value],
    timestamps: Vec<(String, Value)>,
    verdict: Option<Value>,
    now: &Stamp,
) -> ReportInput<'a> {
    ReportInput {
        bundle_name: bundle_name.to_string(),
        bundle_sha256,
        case_id: state.case_id.clone(),
        manifests: state
            .items
            .iter()
            .map(|i| serde_json::to_value(&i.manifest).unwrap_or(Value::Null))
            .collect(),
        custody: entries.to_vec(),
        timestamps,
        verdict,
        generated_at: now.at,
        media: None,
    }
}

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
