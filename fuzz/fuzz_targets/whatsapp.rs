//! Target (c): the WhatsApp "Export chat" text parser, its detector and the transcript HTML.
//!
//! APIs used: `sigillo::acquire::chat::whatsapp::{parse, looks_like, DateOrder}`,
//! `Transcript::{finish, to_html}`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigillo::acquire::chat::whatsapp::{self, DateOrder};

fuzz_target!(|data: &[u8]| {
    let (sel, rest) = data.split_first().unwrap_or((&0, data));
    let text = String::from_utf8_lossy(rest);
    let _ = whatsapp::looks_like(&text);
    let forced = match sel % 4 {
        0 => None,
        1 => Some(DateOrder::Dmy),
        2 => Some(DateOrder::Mdy),
        _ => Some(DateOrder::Ymd),
    };
    // Every other attachment name is "present" so both branches of the linker run.
    let media = |n: &str| {
        (n.len() % 2 == 0).then(|| (format!("derived/media/{n}"), "00".repeat(32)))
    };
    let mut t = whatsapp::parse(&text, "chat.txt", forced, &media);
    t.finish();
    let _ = t.to_html();
    let head: String = text.chars().take(32).collect();
    let _ = DateOrder::from_format(&head);
});
