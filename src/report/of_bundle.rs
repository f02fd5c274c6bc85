//! The acquisition report of a bundle on disk (`sigillo report`): verify it, then
//! render what a judge reads, verdict included.
//!
//! [`input`] gathers what the report says from a bundle's verified state (typed
//! manifests and custody records); it is shared with the `report.html` that sealing
//! writes into every bundle.

use std::collections::HashMap;
use std::path::Path;

use crate::bundle::reader::BundleReader;
use crate::bundle::state::BundleState;
use crate::error::{Error, Result};
use crate::evidence::custody::Entry;
use crate::evidence::encryption::Identities;
use crate::report::i18n::{Msg, t_args};
use crate::report::{ReportInput, ReportOptions, TimestampView, Verdict, render_html};
use crate::time::Stamp;
use crate::verify::{self, VerifyOptions};

/// A rendered report and what the caller needs to finish it.
#[derive(Debug)]
pub struct RenderedReport {
    /// The HTML document.
    pub html: String,
    /// Footer line for the PDF: bundle name, case and bundle SHA-256, in the report's language.
    pub pdf_footer: String,
    /// Whether the bundle verified (the report says so either way: a bundle that does not
    /// verify gets the red NOT VERIFIED banner first).
    pub verified: bool,
}

/// Verify `bundle` and render its report.
pub fn render_report(bundle: &Path, opts: &ReportOptions) -> Result<RenderedReport> {
    render_report_with(bundle, opts, None)
}

/// [`render_report`] with identities that open an encrypted bundle: its images can then
/// be shown (`--show-media`), decrypted in memory. Without them, `--show-media` on an
/// encrypted bundle is refused.
pub fn render_report_with(
    bundle: &Path,
    opts: &ReportOptions,
    identities: Option<std::sync::Arc<Identities>>,
) -> Result<RenderedReport> {
    // With an identity the verdict covers the plaintext too: a report never shows
    // content that the signed manifest does not hash.
    let rep = verify::verify(
        bundle,
        &VerifyOptions {
            tsa_ca: opts.tsa_ca.clone(),
            signer_ca: opts.signer_ca.clone(),
            identities: identities.clone(),
            ..VerifyOptions::default()
        },
    )?;
    let identities = identities.as_deref();
    let reader = BundleReader::open(bundle)?;
    // Encrypted files: plaintext path in the bundle → the age member holding it.
    let encrypted: HashMap<String, (String, String)> = rep
        .state
        .encrypted_files()
        .into_iter()
        .map(|(age, (plain, _, sha256))| (plain, (age, sha256)))
        .collect();
    if opts.show_media && !encrypted.is_empty() && identities.is_none() {
        return Err(Error::key(format!(
            "'{}' is encrypted: its images can be shown only with an identity of one of its recipients",
            bundle.display()
        ))
        .with_fix("give --identity key.txt, or leave out --show-media (the report then shows placeholders)"));
    }
    let media = |name: &str| match (encrypted.get(name), identities) {
        (Some((member, sha256)), Some(ids)) => {
            let m = reader.member(member)?;
            let buf = reader.read_decrypted(m, ids).ok()?;
            // Shown only when it is exactly what the signed manifest hashes.
            (crate::evidence::hash::sha256_hex(&buf) == *sha256).then_some(buf)
        }
        (Some(_), None) => None,
        (None, _) => reader.read_small(name).ok(),
    };
    let name = bundle
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let (verdict, timestamps) = Verdict::of(&rep);
    let verified = verdict.verified && rep.ok();
    let now = Stamp::now();
    let mut inp = input(
        &name,
        Some(rep.bundle_sha256.clone()),
        &rep.state,
        &rep.state.custody,
        timestamps,
        verdict,
        &now,
    );
    if opts.show_media {
        inp.media = Some(&media);
    }
    // Only from a bundle that verified; a recheck.json that cannot be read leaves the
    // section out rather than showing part of it.
    if verified {
        inp.timeline = crate::recheck::timeline::status(
            &reader,
            &rep.state,
            crate::recheck::timeline::default_deadline(),
            now.at,
        )
        .ok()
        .filter(|s| {
            s.urls
                .iter()
                .any(|u| !u.rechecks.is_empty() || !u.notices.is_empty())
        });
    }
    Ok(RenderedReport {
        html: render_html(&inp, opts),
        pdf_footer: t_args(
            opts.lang,
            Msg::PdfFooter,
            &[
                ("bundle", name.as_str().into()),
                ("case", rep.state.case_id.as_str().into()),
                ("sha256", rep.bundle_sha256.as_str().into()),
            ],
        ),
        verified,
    })
}

/// Build the report input from a bundle's state (shared by report.html and `sigillo report`).
pub fn input<'a>(
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
        timeline: None,
    }
}
