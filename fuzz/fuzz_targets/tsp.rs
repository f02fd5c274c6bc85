//! Target (e): the RFC 3161 reply parser and token checker on arbitrary DER, the lenient
//! BER reader, and the RFC 5544 TimeStampedData reader.
//!
//! APIs used: `sigillo::evidence::tsp::{verify_token, TrustAnchors}`,
//! `sigillo::evidence::stamping::{check_stored, anchors_for}`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigillo::evidence::{stamping, tsp};

fn anchors() -> &'static stamping::Anchors {
    static A: OnceLock<stamping::Anchors> = OnceLock::new();
    A.get_or_init(|| stamping::anchors_for(&[]).expect("system anchors"))
}

fuzz_target!(|data: &[u8]| {
    // The data covered is fixed: the seeds are tokens over this signature file.
    let covered = b"fuzz";
    let _ = tsp::verify_token(data, covered, &tsp::TrustAnchors::default());
    let _ = stamping::check_stored(data, covered, anchors(), "2026-11-22T10:00:00.000Z");
    // The lenient reader on its own, and RFC 5544 TimeStampedData files.
    let _ = sigillo::evidence::ber::normalize(data);
    if let Ok(tsd) = sigillo::evidence::tsd::TimeStampedData::parse(data) {
        for s in tsd.stamps(Some(covered)).unwrap_or_default() {
            let _ = tsp::verify_token(&s.token, &s.covered, &tsp::TrustAnchors::default());
        }
    }
});
