//! The acquisition report of a bundle on disk (`sigillo report`): verify it, then
//! render what a judge reads, verdict included.
//!
//! Seam for the report rewrite: this only gathers the inputs (through
//! [`crate::bundle::report_input`]) and calls [`crate::report::render_html`].

use std::path::Path;

use serde_json::Value;

use crate::bundle::reader::BundleReader;
use crate::error::Result;
use crate::report::{ReportOptions, render_html};
use crate::verify::{self, VerifyOptions};

/// A rendered report and what the caller needs to finish it.
#[derive(Debug)]
pub struct RenderedReport {
    /// The HTML document.
    pub html: String,
    /// Footer line for the PDF: bundle name, case and bundle SHA-256.
    pub pdf_footer: String,
    /// Whether the bundle verified (the report says so either way).
    pub verified: bool,
}

/// Verify `bundle` and render its report.
pub fn render_report(bundle: &Path, opts: &ReportOptions) -> Result<RenderedReport> {
    let rep = verify::verify(bundle, &VerifyOptions::default())?;
    let reader = BundleReader::open(bundle)?;
    let media = |name: &str| reader.read_small(name).ok();
    let raw: Vec<Value> = rep
        .state
        .custody
        .iter()
        .map(|e| serde_json::to_value(&e.record).unwrap_or(Value::Null))
        .collect();
    let timestamps: Vec<(String, Value)> = rep
        .timestamps
        .iter()
        .filter_map(|t| {
            t["item"]
                .as_str()
                .map(|i| (i.to_string(), t["info"].clone()))
        })
        .collect();
    let verdict = serde_json::to_value(&rep).unwrap_or(Value::Null);
    let name = bundle
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut inp = crate::bundle::report_input(
        &name,
        Some(rep.bundle_sha256.clone()),
        &rep.state,
        &raw,
        timestamps,
        Some(verdict),
    );
    if opts.show_media {
        inp.media = Some(&media);
    }
    Ok(RenderedReport {
        html: render_html(&inp, opts),
        pdf_footer: format!(
            "{} · case {} · bundle SHA-256 {}",
            name, rep.state.case_id, rep.bundle_sha256
        ),
        verified: rep.ok(),
    })
}
