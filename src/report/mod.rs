//! Human-readable acquisition reports: self-contained HTML (offline, printable,
//! accessible) and PDF printed by Chromium.
//!
//! The report is built from the same facts as the bundle (typed manifests, custody
//! records, the verification verdict) and never invents one: blanks are left where only a
//! person can fill in (signature, role). It is rendered with [`maud`], which escapes every
//! value spliced into the page, so nothing taken from a bundle (page titles, file names,
//! notes, custody actors — all attacker-controlled) can become markup. A bundle that does
//! not verify gets a red NOT VERIFIED banner before anything else. Images are hidden
//! unless asked, and the same input always gives the same bytes.

pub mod i18n;
pub mod of_bundle;
mod sections;
mod view;

use chrono::{DateTime, Utc};

use crate::evidence::custody::Record;
use crate::evidence::manifest::Manifest;

pub use i18n::Lang;
pub use view::{Problem, SignerView, TimestampView, Verdict};

/// Looks up the bytes of a bundle member (for `--show-media`).
pub type MediaLookup<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

/// What the report is about.
pub struct ReportInput<'a> {
    /// File name of the bundle.
    pub bundle_name: String,
    /// SHA-256 of the bundle file (`None` inside the bundle itself).
    pub bundle_sha256: Option<String>,
    /// Case id.
    pub case_id: String,
    /// Item manifests, in bundle order.
    pub manifests: Vec<&'a Manifest>,
    /// Custody records, in log order.
    pub custody: Vec<&'a Record>,
    /// Trusted timestamps over item manifests found by verification.
    pub timestamps: Vec<TimestampView>,
    /// The verification outcome, if verification ran.
    pub verdict: Option<Verdict>,
    /// When the report is generated.
    pub generated_at: DateTime<Utc>,
    /// Bytes of a bundle member, for `--show-media`.
    pub media: Option<MediaLookup<'a>>,
    /// The removal timeline of the captured URLs (`sigillo status`), when the bundle
    /// holds re-checks; `None` in the report.html sealed into the bundle.
    pub timeline: Option<crate::recheck::timeline::Status>,
}

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Language.
    pub lang: Lang,
    /// Embed images instead of placeholders.
    pub show_media: bool,
    /// Roots for timestamp authorities and X.509 co-signers, as `verify --tsa-ca` and
    /// `--signer-ca` (only `sigillo report`, which verifies the bundle, uses them).
    pub tsa_ca: Vec<std::path::PathBuf>,
    /// See `tsa_ca`.
    pub signer_ca: Vec<std::path::PathBuf>,
}

/// Render the report as one self-contained HTML document.
pub fn render_html(inp: &ReportInput, opts: &ReportOptions) -> String {
    let mut page = sections::document(inp, opts).into_string();
    page.push('\n');
    page
}
