//! The report kept inside the bundle (`report.html`), built from the bundle's state.

use crate::bundle::state::BundleState;
use crate::evidence::custody::Entry;
use crate::report::of_bundle::input;
use crate::report::{Lang, ReportOptions, SignerView, Verdict, render_html};
use crate::time::Stamp;

/// Render `report.html` for the bundle as it will be after this change. Its verdict is
/// the one sigillo reached before writing (a bundle that did not verify is never written),
/// and the page says it is the verdict of that moment.
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
                ..SignerView::default()
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
            tsa_ca: Vec::new(),
            signer_ca: Vec::new(),
        },
    )
}
