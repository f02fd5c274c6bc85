//! Target (d): the Telegram Desktop JSON export parser and the transcript HTML.
//!
//! APIs used: `sigillo::acquire::chat::telegram::{parse, looks_like}`,
//! `Transcript::{finish, to_html}`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigillo::acquire::chat::telegram;

fuzz_target!(|data: &[u8]| {
    let Ok(root) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let _ = telegram::looks_like(&root);
    let media = |p: &str| (p.len() % 2 == 0).then(|| (format!("derived/media/{p}"), "00".repeat(32)));
    let mut t = telegram::parse(&root, "result.json", &media);
    t.finish();
    let _ = t.to_html();
});
