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
    Attachment, Embed, Message, MessageKind, Reaction, Sink, SourceRef, Transcript,
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

/// The time note of every Meta transcript.
const TIMEZONE: &str = "timestamp_ms is milliseconds since 1970 in UTC: `timestamp_utc` is exact; `timestamp_local` is the same instant written without an offset (UTC)";

/// Undoes mojibake and counts the values it changed (for the transformation line).
#[derive(Default)]
struct Fixer {
    fixed: usize,
}

impl Fixer {
    fn fix(&mut self, s: &str) -> String {
        let (d, c) = fix_mojibake(s);
        self.fixed += usize::from(c);
        d
    }
}

/// Whether a file rules out Instagram (Messenger writes `thread_type`, `magic_words` or
/// names its folders so).
fn looks_messenger(name: &str, f: &ThreadFile) -> bool {
    f.thread_type.is_some()
        || f.magic_words.is_some()
        || name.contains("facebook")
        || name.contains("messenger")
}

/// The transcript header of a thread (no messages, no summary).
fn thread_head(
    instagram: bool,
    chat_name: Option<String>,
    participants: Vec<String>,
    fixed: usize,
) -> Transcript {
    let source = if instagram {
        "instagram-json"
    } else {
        "messenger-json"
    };
    let mut t = Transcript::new(source, TIMEZONE);
    t.chat_name = chat_name;
    t.participants = participants;
    t.transformations.push(
        "messages are listed oldest first; the export lists them newest first (message_1.json holds the newest); source.message_id is the message's position in its file's messages array".into(),
    );
    if fixed > 0 {
        t.transformations.push(format!(
            "{fixed} text value(s) were written by Meta as UTF-8 bytes escaped as Latin-1 characters (mojibake such as \u{c3}\u{a8} for \u{e8}); they are shown decoded as UTF-8"
        ));
    }
    t
}

/// The file name a thread file's messages cite: under its `thread_path` when it has one.
fn cited_name(name: &str, f: &ThreadFile) -> String {
    match &f.thread_path {
        Some(tp) => format!("{tp}/{}", name.rsplit('/').next().unwrap_or(name)),
        None => name.to_string(),
    }
}

/// One thread: its files as (name in the export, parsed file), in any order; `media(uri)`
/// resolves a `uri`. Messages come out oldest first. The whole thread in memory: the
/// acquisition streams it with [`Thread`] instead, one file at a time, to the same result.
pub fn parse(
    files: Vec<(String, ThreadFile)>,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut files = files;
    // message_1.json holds the newest messages: read the highest number first.
    files.sort_by_key(|(n, _)| std::cmp::Reverse(file_number(n)));
    let instagram = files.iter().all(|(n, f)| !looks_messenger(n, f))
        || files.iter().any(|(n, _)| n.contains("instagram"));
    let mut fx = Fixer::default();
    let mut chat_name = None;
    let mut idx = 0;
    let mut participants = Vec::new();
    let mut messages = Vec::new();
    for (name, f) in &files {
        if chat_name.is_none() {
            chat_name = f.title.as_deref().map(|s| fx.fix(s));
        }
        for p in &f.participants {
            let p = fx.fix(&p.name);
            if !participants.contains(&p) {
                participants.push(p);
            }
        }
        let file = cited_name(name, f);
        for (pos, m) in f.messages.iter().enumerate().rev() {
            idx += 1;
            messages.push(message(m, idx, pos, &file, media, &mut fx));
        }
    }
    let mut t = thread_head(instagram, chat_name, Vec::new(), fx.fixed);
    t.messages = messages;
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

/// A thread streamed one file at a time, in bounded memory: hand it the thread's files
/// highest number first ([`Thread::file`] pushes each file's messages oldest first);
/// [`Thread::head`] is then the header [`parse`] writes around the same messages.
#[derive(Default)]
pub struct Thread {
    last: usize,
    messenger: bool,
    named_instagram: bool,
    fx: Fixer,
    chat_name: Option<String>,
    participants: Vec<String>,
}

impl Thread {
    /// A thread whose first message gets index `first`.
    pub fn new(first: usize) -> Thread {
        Thread {
            last: first.saturating_sub(1),
            ..Thread::default()
        }
    }

    /// The next file (`name` in the export): its messages into `sink`, oldest first,
    /// senders tagged ` [tag]` when given (threads merged into one transcript).
    pub fn file(
        &mut self,
        name: &str,
        f: &ThreadFile,
        media: &dyn Fn(&str) -> Option<(String, String)>,
        tag: Option<&str>,
        sink: &mut dyn Sink,
    ) -> crate::error::Result<()> {
        self.messenger |= looks_messenger(name, f);
        self.named_instagram |= name.contains("instagram");
        if self.chat_name.is_none() {
            self.chat_name = f.title.as_deref().map(|s| self.fx.fix(s));
        }
        for p in &f.participants {
            let p = self.fx.fix(&p.name);
            if !self.participants.contains(&p) {
                self.participants.push(p);
            }
        }
        let file = cited_name(name, f);
        for (pos, m) in f.messages.iter().enumerate().rev() {
            self.last += 1;
            let mut msg = message(m, self.last, pos, &file, media, &mut self.fx);
            if let Some(tag) = tag {
                msg.sender = msg.sender.map(|s| format!("{s} [{tag}]"));
            }
            sink.push(msg)?;
        }
        Ok(())
    }

    /// Index of the last message pushed (the first index less one when none was).
    pub fn last_index(&self) -> usize {
        self.last
    }

    /// The header: source format, chat name, the thread's participants, transformations.
    pub fn head(self) -> Transcript {
        let instagram = !self.messenger || self.named_instagram;
        thread_head(instagram, self.chat_name, self.participants, self.fx.fixed)
    }
}

/// The title of a thread file, decoded, read without its messages (the tag of a thread's
/// senders when threads are merged and its newest file has no title).
pub fn read_title(bytes: &[u8]) -> serde_json::Result<Option<String>> {
    #[derive(Deserialize)]
    struct Title {
        #[serde(default)]
        title: Option<String>,
    }
    let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let t: Title = serde_json::from_slice(b)?;
    Ok(t.title.map(|s| fix_mojibake(&s).0))
}

/// The title of a parsed thread file, decoded.
pub fn title(f: &ThreadFile) -> Option<String> {
    f.title.as_deref().map(|s| fix_mojibake(s).0)
}

/// One message of a thread file: `idx` its index in the transcript, `pos` its position
/// in the file's `messages`, `file` the file it cites.
fn message(
    m: &MetaMessage,
    idx: usize,
    pos: usize,
    file: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
    fx: &mut Fixer,
) -> Message {
    let mut msg = Message::new(
        idx,
        MessageKind::Message,
        SourceRef {
            file: file.to_string(),
            lines: None,
            message_id: Some(pos as i64),
        },
    );
    if let Some(ms) = m.timestamp_ms
        && let Some(ts) = chrono::DateTime::from_timestamp_millis(ms)
    {
        msg.timestamp_written = ms.to_string();
        msg.timestamp_utc = Some(crate::time::rfc3339(&ts));
        msg.timestamp_local = Some(crate::acquire::chat::iso_local(&ts.naive_utc()));
    }
    msg.sender = m.sender_name.as_deref().map(|s| fx.fix(s));
    msg.text = m.content.as_deref().map(|s| fx.fix(s)).unwrap_or_default();
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
            description: s.share_text.as_deref().map(|s| fx.fix(s)),
        });
    }
    for r in &m.reactions {
        msg.reactions.push(Reaction {
            emoji: fx.fix(&r.reaction),
            by: r.actor.as_deref().map(|s| fx.fix(s)).into_iter().collect(),
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
    msg
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
