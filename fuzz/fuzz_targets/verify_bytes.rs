//! Target (a): the bundle reader and the whole verifier on arbitrary bytes.
//!
//! APIs used: `sigillo::verify::verify`, `sigillo::verify::VerifyOptions`.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn path() -> &'static PathBuf {
    static P: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &P.get_or_init(|| {
        let d = tempfile::tempdir().expect("tempdir");
        let p = d.path().join("case.zip");
        (d, p)
    })
    .1
}

fuzz_target!(|data: &[u8]| {
    let p = path();
    std::fs::write(p, data).expect("write the input");
    // Errors (exit 2) and failed verdicts (exit 1) are fine; a panic is the bug.
    let _ = sigillo::verify::verify(p, &sigillo::verify::VerifyOptions::default());
});
