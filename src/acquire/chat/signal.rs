//! Signal text exports as written by common exporters (signal-export and similar):
//! `[2019-12-24, 12:23] Name: text` (the comma is optional, seconds too), bodies over
//! several lines, attachments as Markdown links (`![photo](media/x.jpg)`, `[file](y.pdf)`)
//! or `<attached: name>`. Signal itself has no export: the times are the exporter's
//! rendering of the desktop database, in the computer's local time.
//!
//! A bracketed ISO date without seconds is Signal; WhatsApp's bracketed (iOS) layout always
//! writes seconds. `--as chat-signal` forces the reading.

use std::sync::OnceLock;

use regex::Regex;

use crate::acquire::chat::transcript::{Attachment, Message, MessageKind, SourceRef, Transcript};

fn head_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\[(\d{4})-(\d{2})-(\d{2}),?\s(\d{2}):(\d{2})(?::(\d{2}))?\]\s(.*)$")
            .expect("static regex")
    })
}

fn link_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"!?\[[^\]\n]*\]\(([^)\s]+)\)|<attached:\s*([^>]+)>").expect("static regex")
    })
}

/// Whether the text looks like a Signal export: most of the first lines are headers, none
/// with seconds.
pub fn looks_like(text: &str) -> bool {
    let first: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let heads: Vec<_> = first.iter().filter_map(|l| head_re().captures(l)).collect();
    !heads.is_empty() && heads.len() * 2 >= first.len() && heads.iter().all(|c| c.get(6).is_none())
}

/// Parse a Signal text export. `media(path)` resolves an attachment path.
pub fn parse(
    text: &str,
    file_name: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut t = Transcript::new(
        "signal-text",
        "local time of the computer the export was made on, as written by the exporter; no UTC offset is recorded",
    );
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut idx = 0;
    for (i, raw) in text.lines().enumerate() {
        let ln = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let src = SourceRef {
            file: file_name.to_string(),
            lines: Some([ln, ln]),
            message_id: None,
        };
        if let Some(c) = head_re().captures(line) {
            idx += 1;
            let mut m = Message::new(idx, MessageKind::Message, src);
            let g = |i: usize| c.get(i).map_or("", |m| m.as_str());
            m.timestamp_written = line[1..line.find(']').unwrap_or(1)].to_string();
            let sec = if g(6).is_empty() { "00" } else { g(6) };
            let local = format!("{}-{}-{}T{}:{}:{sec}", g(1), g(2), g(3), g(4), g(5));
            m.timestamp_local = chrono::NaiveDateTime::parse_from_str(&local, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|_| local);
            match g(7).split_once(": ") {
                Some((s, b)) if !s.is_empty() && s.chars().count() <= 80 => {
                    m.sender = Some(s.to_string());
                    m.text = b.to_string();
                }
                _ => {
                    m.kind = MessageKind::System;
                    m.text = g(7).to_string();
                }
            }
            t.messages.push(m);
            continue;
        }
        match t.messages.last_mut() {
            Some(m) if m.kind != MessageKind::Unparsed => {
                m.text.push('\n');
                m.text.push_str(line);
                if let Some(l) = m.source.lines.as_mut() {
                    l[1] = ln;
                }
            }
            _ => {
                idx += 1;
                let mut m = Message::new(idx, MessageKind::Unparsed, src);
                m.text = line.to_string();
                t.messages.push(m);
            }
        }
    }
    for m in &mut t.messages {
        if m.kind != MessageKind::Message {
            continue;
        }
        let names: Vec<String> = link_re()
            .captures_iter(&m.text)
            .filter_map(|c| c.get(1).or(c.get(2)).map(|x| x.as_str().trim().to_string()))
            .filter(|n| !n.starts_with("http://") && !n.starts_with("https://"))
            .collect();
        for n in names {
            m.attachments.push(Attachment::resolve(&n, None, media));
        }
        let trimmed = m.text.trim();
        if trimmed == "This message was deleted." || trimmed == "This message was deleted" {
            m.kind = MessageKind::Deleted;
        }
    }
    t.finish();
    t
}
