//! The report kept inside the bundle (`report.html`), and the input of `sigillo report`,
//! both built from the typed bundle state.

use crate::evidence::custody::Entry;
use crate::report::{
    Lang, ReportInput, ReportOptions, SignerView, TimestampView, Verdict, render_html,
};
use crate::time::Stamp;
use crate::verify::{BundleState, Report};

/// Build the report input from a bundle's state (shared by report.html and `sigillo report`).
fn input<'a>(
    bundle_name: &str,
    bundle_sha256: Option<String>,
    state: &'a BundleState,
    entries: &'a [Entry],
    timestamps: Vec<TimestampView>,
    verdict: Verdict,
    now: &Stamp,
) -> ReportInput<'a> {
    ReportInput {
        bundle_name: bundle_name.to_string(),
        bundle_sha256,
        case_id: state.case_id.clone(),
        manifests: state.items.iter().map(|i| &i.manifest).collect(),
        custody: entries.iter().map(|e| &e.record).collect(),
        timestamps,
        verdict: Some(verdict),
        generated_at: now.at,
        media: None,
    }
}

/// Report input for `sigillo report`: the bundle as verification read it, with the
/// verdict reached now (a bundle that does not verify gets the NOT VERIFIED banner).
pub fn for_verified<'a>(bundle_name: &str, rep: &'a Report, now: &Stamp) -> ReportInput<'a> {
    let (verdict, timestamps) = Verdict::of(rep);
    input(
        bundle_name,
        Some(rep.bundle_sha256.clone()),
        &rep.state,
        &rep.state.custody,
        timestamps,
        verdict,
        now,
    )
}

/// Render `report.html` for the bundle as it will be after this change. Its verdict is
/// the one sigillo reached before writing (a bundle that did not verify is never written).
pub fn render(state: &BundleState, entries: &[Entry], now: &Stamp) -> String {
    let mut signers: Vec<SignerView> = Vec::new();
    for e in entries {
        if !signers
            .iter()
            .any(|s| s.fingerprint.as_deref() == Some(e.actor_key()))
        {
            signers.push(SignerView {
                fingerprint: Some(e.actor_key().to_string()),
                names: Some(vec![e.record.actor.name.clone()]),
                trusted: None,
            });
        }
    }
    let verdict = Verdict {
        verified: true,
        problems: Vec::new(),
        signers,
        when_written: true,
    };
    let inp = input("case.zip", None, state, entries, Vec::new(), verdict, now);
    render_html(
        &inp,
        &ReportOptions {
            lang: Lang::En,
            show_media: false,
        },
    )
}
