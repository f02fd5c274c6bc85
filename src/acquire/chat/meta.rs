//! Instagram and Facebook Messenger "Download your information" JSON: a thread folder
//! (`inbox/<name>_<id>/message_1.json`, `message_2.json` …) with `participants`, `title`,
//! `thread_path` and `messages` (`sender_name`, `timestamp_ms`, `content`, `photos`,
//! `videos`, `audio_files`, `files`, `gifs`, `sticker`, `share`, `reactions`, `is_unsent`).
//!
//! Meta writes the files newest message first and, famously, writes UTF-8 text as if each
//! byte were a Latin-1 character (`\u00c3\u00a8` for `è`). The transcript is oldest first
//! and decodes such text back; both are recorded in `transformations`, and the export's
//! bytes are stored unchanged.

use serde::Deserialize;

use crate::acquire::chat::transcript::{
    Attachment, Embed, Message, MessageKind, Reaction, SourceRef, Transcript,
};

/// One `message_N.json` file.
#[derive(Debug, Deserialize)]
pub struct ThreadFile {
    #[serde(default)]
    participants: Vec<Participant>,
    #[serde(default)]
    messages: Vec<MetaMessage>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    thread_path: Option<String>,
    #[serde(default)]
    thread_type: Option<String>,
    #[serde(default)]
    magic_words: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Participant {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Uri {
    uri: String,
}

#[derive(Debug, Deserialize)]
struct MetaReaction {
    reaction: String,
    #[serde(default)]
    actor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Share {
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    share_text: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MetaMessage {
    #[serde(default)]
    sender_name: Option<String>,
    #[serde(default)]
    timestamp_ms: Option<i64>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    photos: Vec<Uri>,
    #[serde(default)]
    videos: Vec<Uri>,
    #[serde(default)]
    audio_files: Vec<Uri>,
    #[serde(default)]
    files: Vec<Uri>,
    #[serde(default)]
    gifs: Vec<Uri>,
    #[serde(default)]
    sticker: Option<Uri>,
    #[serde(default)]
    share: Option<Share>,
    #[serde(default)]
    reactions: Vec<MetaReaction>,
    #[serde(default)]
    is_unsent: bool,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    call_duration: Option<i64>,
}

/// Parse one `message_N.json` (a leading UTF-8 BOM is allowed). The error names line and
/// column.
pub fn read_file(bytes: &[u8]) -> serde_json::Result<ThreadFile> {
    let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    serde_json::from_slice(b)
}

/// Whether a JSON head looks like a Meta thread file.
pub fn looks_like(head: &str) -> bool {
    head.contains("\"participants\"")
        && (head.contains("\"timestamp_ms\"") || head.contains("\"thread_path\""))
}

/// Undo Meta's mojibake: text whose characters are all below U+0100 and whose Latin-1
/// bytes form valid UTF-8 with at least one multi-byte sequence is decoded as UTF-8.
/// Returns the text and whether it changed.
pub fn fix_mojibake(s: &str) -> (String, bool) {
    if s.is_ascii() || s.chars().any(|c| c as u32 > 0xff) {
        return (s.to_string(), false);
    }
    let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
    match String::from_utf8(bytes) {
        Ok(d) if d != s => (d, true),
        _ => (s.to_string(), false),
    }
}

/// One thread: its files as (name in the export, parsed file), in any order; `media(uri)`
/// resolves a `uri`. Messages come out oldest first.
pub fn parse(
    files: Vec<(String, ThreadFile)>,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut files = files;
    // message_1.json holds the newest messages: read the highest number first.
    files.sort_by_key(|(n, _)| std::cmp::Reverse(file_number(n)));
    let instagram = files.iter().all(|(n, f)| {
        f.thread_type.is_none()
            && f.magic_words.is_none()
            && !n.contains("facebook")
            && !n.contains("messenger")
    }) || files.iter().any(|(n, _)| n.contains("instagram"));
    let source = if instagram {
        "instagram-json"
    } else {
        "messenger-json"
    };
    let mut t = Transcript::new(
        source,
        "timestamp_ms is milliseconds since 1970 in UTC: `timestamp_utc` is exact; `timestamp_local` is the same instant written without an offset (UTC)",
    );
    let mut fixed = 0usize;
    let mut fix = |s: &str| {
        let (d, c) = fix_mojibake(s);
        fixed += usize::from(c);
        d
    };
    let mut idx = 0;
    let mut participants = Vec::new();
    for (name, f) in &files {
        if t.chat_name.is_none() {
            t.chat_name = f.title.as_deref().map(&mut fix);
        }
        for p in &f.participants {
            let p = fix(&p.name);
            if !participants.contains(&p) {
                participants.push(p);
            }
        }
        let file = match &f.thread_path {
            Some(tp) => format!("{tp}/{}", name.rsplit('/').next().unwrap_or(name)),
            None => name.clone(),
        };
        for (pos, m) in f.messages.iter().enumerate().rev() {
            idx += 1;
            let mut msg = Message::new(
                idx,
                MessageKind::Message,
                SourceRef {
                    file: file.clone(),
                    lines: None,
                    message_id: Some(pos as i64),
                },
            );
            if let Some(ms) = m.timestamp_ms
                && let Some(ts) = chrono::DateTime::from_timestamp_millis(ms)
            {
                msg.timestamp_written = ms.to_string();
                msg.timestamp_utc = Some(crate::time::rfc3339(&ts));
                msg.timestamp_local = Some(ts.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string());
            }
            msg.sender = m.sender_name.as_deref().map(&mut fix);
            msg.text = m.content.as_deref().map(&mut fix).unwrap_or_default();
            let groups: [(&[Uri], &str); 5] = [
                (&m.photos, "photo"),
                (&m.videos, "video"),
                (&m.audio_files, "audio"),
                (&m.files, "file"),
                (&m.gifs, "gif"),
            ];
            for (list, kind) in groups {
                for u in list {
                    msg.attachments
                        .push(Attachment::resolve(&u.uri, Some(kind.into()), media));
                }
            }
            if let Some(s) = &m.sticker {
                msg.attachments
                    .push(Attachment::resolve(&s.uri, Some("sticker".into()), media));
            }
            if let Some(s) = &m.share
                && (s.link.is_some() || s.share_text.is_some())
            {
                msg.embeds.push(Embed {
                    title: None,
                    url: s.link.clone(),
                    description: s.share_text.as_deref().map(&mut fix),
                });
            }
            for r in &m.reactions {
                msg.reactions.push(Reaction {
                    emoji: fix(&r.reaction),
                    by: r.actor.as_deref().map(&mut fix).into_iter().collect(),
                    count: None,
                });
            }
            if m.is_unsent {
                msg.kind = MessageKind::Deleted;
                if msg.text.is_empty() {
                    msg.text = "(message unsent by its sender)".into();
                }
            } else if m.kind.as_deref() == Some("Call") || m.call_duration.is_some() {
                msg.kind = MessageKind::System;
                if msg.text.is_empty() {
                    msg.text = format!("call ({} s)", m.call_duration.unwrap_or(0));
                }
            } else if m.sender_name.is_none() {
                msg.kind = MessageKind::System;
            }
            t.messages.push(msg);
        }
    }
    t.transformations.push(
        "messages are listed oldest first; the export lists them newest first (message_1.json holds the newest); source.message_id is the message's position in its file's messages array".into(),
    );
    if fixed > 0 {
        t.transformations.push(format!(
            "{fixed} text value(s) were written by Meta as UTF-8 bytes escaped as Latin-1 characters (mojibake such as \u{c3}\u{a8} for \u{e8}); they are shown decoded as UTF-8"
        ));
    }
    t.finish();
    // The thread's participants first (as the export lists them), then other senders.
    for p in std::mem::take(&mut t.participants) {
        if !participants.contains(&p) {
            participants.push(p);
        }
    }
    t.participants = participants;
    t
}

/// N of `message_N.json` (0 when there is none).
pub fn file_number(name: &str) -> u64 {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.strip_prefix("message_")
        .and_then(|r| r.strip_suffix(".json"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Whether a path is a Meta thread file name (`message_1.json` …).
pub fn is_thread_file(name: &str) -> bool {
    file_number(name) > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_is_decoded_and_clean_text_kept() {
        assert_eq!(fix_mojibake("perch\u{c3}\u{a8}"), ("perchè".into(), true));
        assert_eq!(fix_mojibake("perchè"), ("perchè".into(), false));
        assert_eq!(fix_mojibake("plain"), ("plain".into(), false));
        // A real Latin-1 é (not valid UTF-8 on its own) stays.
        assert_eq!(fix_mojibake("caf\u{e9}"), ("caf\u{e9}".into(), false));
        // An emoji 😀 (F0 9F 98 80).
        assert_eq!(
            fix_mojibake("\u{f0}\u{9f}\u{98}\u{80}"),
            ("😀".into(), true)
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(file_number("inbox/x_1/message_12.json"), 12);
        assert!(!is_thread_file("result.json"));
    }
}
