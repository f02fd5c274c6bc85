//! The parsed transcript of a chat export (`transcript.json`, `sigillo-transcript/1`) and
//! its readable, printable HTML view (`transcript.html`).

use maud::{DOCTYPE, Markup, html};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::html::{TRANSCRIPT_CSS, TRANSCRIPT_JS, relative_href, script, style};

/// Format identifier of transcript.json.
pub const FORMAT: &str = "sigillo-transcript/1";

/// Where a message came from in the export.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Default)]
pub struct SourceRef {
    /// File inside the export (`_chat.txt`, `result.json`).
    pub file: String,
    /// First and last line (1-based) for text exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<[usize; 2]>,
    /// Message id for JSON exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
}

/// An attachment a message refers to.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Attachment {
    /// File name as written in the export.
    pub name: String,
    /// Present in the export?
    pub present: bool,
    /// Path inside the item when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// SHA-256 of the file when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Kind given by the export (photo, video_file, voice_message …), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A reaction to a message.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Reaction {
    /// The emoji (or its name) as written.
    pub emoji: String,
    /// Who reacted, when the export names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<String>,
    /// How many reacted, when the export counts them (Discord).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

/// A link preview or rich embed attached to a message.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Embed {
    /// Title, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Link, if any (never fetched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Description, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What a transcript line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// A message by a person.
    Message,
    /// A line written by the app (joins, changes of name, encryption notices …).
    System,
    /// A "this message was deleted" marker.
    Deleted,
    /// A line that could not be placed, kept verbatim.
    Unparsed,
}

impl MessageKind {
    /// The name written in transcript.json.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Message => "message",
            MessageKind::System => "system",
            MessageKind::Deleted => "deleted",
            MessageKind::Unparsed => "unparsed",
        }
    }
}

impl PartialEq<&str> for MessageKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One message (or system line, or unparsed line).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Message {
    /// 1-based position in the transcript.
    pub index: usize,
    /// What the line is.
    pub kind: MessageKind,
    /// The timestamp exactly as written in the export.
    pub timestamp_written: String,
    /// The parsed local time (ISO 8601 without offset), if it could be parsed.
    pub timestamp_local: Option<String>,
    /// UTC, only when the user stated the device's offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_utc: Option<String>,
    /// Sender as written.
    pub sender: Option<String>,
    /// Text, verbatim (multi-line joined with \n).
    pub text: String,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Id of the message replied to (Telegram).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<i64>,
    /// Forwarded from (Telegram).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<String>,
    /// Edit time as written (Telegram, Discord).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<String>,
    /// Reactions (Instagram, Messenger, Discord).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// People mentioned (Discord).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// Link previews and rich embeds (Discord, Messenger shares).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embeds: Vec<Embed>,
    /// Where it came from.
    pub source: SourceRef,
}

/// Counts for the summary.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Default)]
pub struct Summary {
    /// Messages by people.
    pub messages: usize,
    /// System lines.
    pub system: usize,
    /// Deleted-message markers.
    pub deleted: usize,
    /// Lines that could not be placed, kept verbatim.
    pub unparsed_lines: usize,
    /// Attachments referenced.
    pub attachments: usize,
    /// Attachments referenced but missing from the export.
    pub missing_media: Vec<String>,
    /// First and last parsed local time.
    pub first: Option<String>,
    /// Last parsed local time.
    pub last: Option<String>,
}

/// A whole transcript.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Transcript {
    /// [`FORMAT`].
    pub format: String,
    /// `whatsapp-android`, `whatsapp-ios`, `telegram-json`, `telegram-html`,
    /// `instagram-json`, `messenger-json`, `discord-json`, `signal-text`.
    pub source_format: String,
    /// Chat name, if known.
    pub chat_name: Option<String>,
    /// Senders in order of first appearance.
    pub participants: Vec<String>,
    /// Date order used to read WhatsApp dates (`DMY`, `MDY`, `YMD`) and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<String>,
    /// What the times mean.
    pub timezone_assumption: String,
    /// How the transcript differs from the export's own layout (order reversed, text
    /// decoded …); the export itself is stored unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transformations: Vec<String>,
    /// Counts.
    pub summary: Summary,
    /// Every message, system line and unparsed line, in source order.
    pub messages: Vec<Message>,
}

impl Message {
    /// An empty message of `kind` at `index`, from `source`.
    pub fn new(index: usize, kind: MessageKind, source: SourceRef) -> Message {
        Message {
            index,
            kind,
            timestamp_written: String::new(),
            timestamp_local: None,
            timestamp_utc: None,
            sender: None,
            text: String::new(),
            attachments: Vec::new(),
            reply_to: None,
            forwarded_from: None,
            edited: None,
            reactions: Vec::new(),
            mentions: Vec::new(),
            embeds: Vec::new(),
            source,
        }
    }
}

impl Attachment {
    /// An attachment named `name`, resolved by `media` (item path and SHA-256) or missing.
    pub fn resolve(
        name: &str,
        media_type: Option<String>,
        media: &dyn Fn(&str) -> Option<(String, String)>,
    ) -> Attachment {
        let found = media(name);
        Attachment {
            name: name.to_string(),
            present: found.is_some(),
            path: found.as_ref().map(|f| f.0.clone()),
            sha256: found.map(|f| f.1),
            media_type,
        }
    }
}

impl Transcript {
    /// An empty transcript of `source_format` with the given time note.
    pub fn new(source_format: &str, timezone_assumption: &str) -> Transcript {
        Transcript {
            format: FORMAT.to_string(),
            source_format: source_format.to_string(),
            chat_name: None,
            participants: Vec::new(),
            date_order: None,
            timezone_assumption: timezone_assumption.to_string(),
            transformations: Vec::new(),
            summary: Summary::default(),
            messages: Vec::new(),
        }
    }

    /// Fill participants and summary from the messages.
    pub fn finish(&mut self) {
        let mut tally = Tally::default();
        for m in &self.messages {
            tally.add(m);
        }
        (self.participants, self.summary) = tally.into_parts();
    }

    /// The same transcript without its messages (the header a [`TranscriptWriter`] writes
    /// around them) and the messages.
    pub fn into_head(mut self) -> (Transcript, Vec<Message>) {
        let messages = std::mem::take(&mut self.messages);
        (self, messages)
    }
}

/// Whatever needs the whole chat (counts, participants, first and last time), accumulated
/// one message at a time: [`Transcript::finish`] and [`TranscriptWriter`] both use it, so
/// the streamed and the in-memory summaries cannot differ.
#[derive(Debug, Default)]
pub struct Tally {
    summary: Summary,
    participants: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl Tally {
    /// Count one message.
    pub fn add(&mut self, m: &Message) {
        let s = &mut self.summary;
        match m.kind {
            MessageKind::Message => s.messages += 1,
            MessageKind::System => s.system += 1,
            MessageKind::Deleted => s.deleted += 1,
            MessageKind::Unparsed => s.unparsed_lines += m.text.lines().count().max(1),
        }
        for a in &m.attachments {
            s.attachments += 1;
            if !a.present {
                s.missing_media.push(a.name.clone());
            }
        }
        if let Some(sender) = &m.sender
            && !self.seen.contains(sender)
        {
            self.seen.insert(sender.clone());
            self.participants.push(sender.clone());
        }
        if let Some(t) = &m.timestamp_local {
            if s.first.is_none() {
                s.first = Some(t.clone());
            }
            s.last = Some(t.clone());
        }
    }

    /// Participants in order of first appearance, and the summary.
    pub fn into_parts(self) -> (Vec<String>, Summary) {
        (self.participants, self.summary)
    }
}

/// Where parsers put messages, one at a time: a `Vec` (the in-memory transcript of
/// `parse`) or a [`TranscriptWriter`] (the files of an acquisition).
pub trait Sink {
    /// Take the next message (in transcript order, `index` already set).
    fn push(&mut self, m: Message) -> crate::error::Result<()>;
}

impl Sink for Vec<Message> {
    fn push(&mut self, m: Message) -> crate::error::Result<()> {
        Vec::push(self, m);
        Ok(())
    }
}

/// Writes `transcript.json` and `transcript.html` in bounded memory: each message is
/// serialised as it arrives (JSON with serde_json, HTML with the same maud template as
/// [`Transcript::to_html`]) into a part file, and counted in a [`Tally`].
///
/// The serde type puts `participants` and `summary` before `messages`, and the HTML shows
/// them in its heading, but they are only known at the end. The field order stays as the
/// type writes it (reading is strict, see docs/architecture.md), so the messages go to
/// part files first and [`TranscriptWriter::finish`] assembles header + parts + end into
/// the final files (one extra sequential copy, no memory): the bytes are exactly those of
/// `serde_json::to_vec_pretty(&transcript)` and `transcript.to_html()`.
///
/// Serialising and writing run on a thread of their own, fed batches of messages through
/// a bounded channel (at most [`QUEUE`] batches of [`BATCH`] messages wait), so parsing
/// and writing use two cores and memory stays bounded.
pub struct TranscriptWriter {
    batch: Vec<Message>,
    tx: Option<std::sync::mpsc::SyncSender<Vec<Message>>>,
    worker: Option<std::thread::JoinHandle<crate::error::Result<Parts>>>,
}

/// Messages per batch handed to the writing thread.
const BATCH: usize = 512;
/// Batches that may wait for the writing thread.
const QUEUE: usize = 8;

/// The part files being written (on the writing thread).
struct Parts {
    dir: std::path::PathBuf,
    jpath: std::path::PathBuf,
    hpath: std::path::PathBuf,
    json: std::io::BufWriter<std::fs::File>,
    html: std::io::BufWriter<std::fs::File>,
    tally: Tally,
    count: usize,
    buf: Vec<u8>,
}

/// The files a [`TranscriptWriter`] made, and the transcript's header (no messages) with
/// its participants and summary filled in.
#[derive(Debug)]
pub struct Written {
    /// `transcript.json`.
    pub json: std::path::PathBuf,
    /// `transcript.html`.
    pub html: std::path::PathBuf,
    /// Header, participants and summary; `messages` is empty.
    pub head: Transcript,
    /// How many messages were written.
    pub count: usize,
}

const JSON_PART: &str = "messages.json.part";
const HTML_PART: &str = "messages.html.part";

impl TranscriptWriter {
    /// A writer whose files go into `dir` (a private temp folder of the acquisition).
    pub fn create(dir: &std::path::Path) -> crate::error::Result<TranscriptWriter> {
        use crate::error::IoContext;
        let open =
            |p: &std::path::Path| -> crate::error::Result<std::io::BufWriter<std::fs::File>> {
                let f = std::fs::File::create(p).at("create", p)?;
                Ok(std::io::BufWriter::with_capacity(256 * 1024, f))
            };
        let (jpath, hpath) = (dir.join(JSON_PART), dir.join(HTML_PART));
        let mut parts = Parts {
            dir: dir.to_path_buf(),
            json: open(&jpath)?,
            html: open(&hpath)?,
            jpath,
            hpath,
            tally: Tally::default(),
            count: 0,
            buf: Vec::with_capacity(4096),
        };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Message>>(QUEUE);
        let worker = std::thread::Builder::new()
            .name("transcript-writer".into())
            .spawn(move || {
                for batch in rx {
                    for m in batch {
                        parts.push(m)?;
                    }
                }
                Ok(parts)
            })
            .map_err(|e| crate::error::Error::internal(format!("cannot start a thread: {e}")))?;
        Ok(TranscriptWriter {
            batch: Vec::with_capacity(BATCH),
            tx: Some(tx),
            worker: Some(worker),
        })
    }

    /// Hand the waiting batch to the writing thread; its error if it stopped.
    fn send(&mut self) -> crate::error::Result<()> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(batch).is_ok());
        if sent {
            return Ok(());
        }
        // The thread ended early: it failed.
        self.join().map(|_| ())
    }

    fn join(&mut self) -> crate::error::Result<Parts> {
        self.tx = None;
        let worker = self
            .worker
            .take()
            .ok_or_else(|| crate::error::Error::internal("transcript writer already finished"))?;
        worker
            .join()
            .map_err(|_| crate::error::Error::internal("the transcript writer thread panicked"))?
    }

    /// Assemble the final files around the messages written so far.
    pub fn finish(mut self, mut head: Transcript) -> crate::error::Result<Written> {
        use crate::error::IoContext;
        use std::io::Write;
        if !self.batch.is_empty() {
            self.send()?;
        }
        let Parts {
            dir,
            jpath: jpart,
            hpath: hpart,
            json,
            html,
            tally,
            count,
            ..
        } = self.join()?;
        json.into_inner()
            .map_err(|e| e.into_error())
            .at("write", &jpart)?;
        html.into_inner()
            .map_err(|e| e.into_error())
            .at("write", &hpart)?;
        head.messages.clear();
        // Participants a parser named in the header (Meta lists the thread's) come first,
        // then every other sender in order of first appearance.
        let (senders, summary) = tally.into_parts();
        head.summary = summary;
        for p in senders {
            if !head.participants.contains(&p) {
                head.participants.push(p);
            }
        }

        // JSON: the header as the type writes it with no messages ends in `"messages": []\n}`;
        // the messages go between the brackets.
        let hdr = serde_json::to_vec_pretty(&head)
            .map_err(|e| crate::error::Error::internal(e.to_string()))?;
        let open = hdr.strip_suffix(b"[]\n}").ok_or_else(|| {
            crate::error::Error::internal("transcript header does not end with its messages")
        })?;
        let jp = dir.join("transcript.json");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&jp).at("create", &jp)?);
        out.write_all(open).at("write", &jp)?;
        if count == 0 {
            out.write_all(b"[]\n}").at("write", &jp)?;
        } else {
            out.write_all(b"[\n").at("write", &jp)?;
            copy_part(&jpart, &mut out, &jp)?;
            out.write_all(b"\n  ]\n}").at("write", &jp)?;
        }
        finish_file(out, &jp)?;

        let hp = dir.join("transcript.html");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&hp).at("create", &hp)?);
        out.write_all(head.html_start().as_bytes())
            .at("write", &hp)?;
        copy_part(&hpart, &mut out, &hp)?;
        out.write_all(html_end().as_bytes()).at("write", &hp)?;
        finish_file(out, &hp)?;
        let _ = std::fs::remove_file(&jpart);
        let _ = std::fs::remove_file(&hpart);
        Ok(Written {
            json: jp,
            html: hp,
            head,
            count,
        })
    }
}

fn copy_part(
    part: &std::path::Path,
    out: &mut impl std::io::Write,
    to: &std::path::Path,
) -> crate::error::Result<()> {
    use crate::error::IoContext;
    let mut f = std::fs::File::open(part).at("open", part)?;
    std::io::copy(&mut f, out).at("write", to)?;
    Ok(())
}

fn finish_file(
    out: std::io::BufWriter<std::fs::File>,
    path: &std::path::Path,
) -> crate::error::Result<()> {
    use crate::error::IoContext;
    out.into_inner()
        .map_err(|e| e.into_error())
        .at("write", path)?;
    Ok(())
}

impl Sink for TranscriptWriter {
    fn push(&mut self, m: Message) -> crate::error::Result<()> {
        self.batch.push(m);
        if self.batch.len() >= BATCH {
            self.send()?;
        }
        Ok(())
    }
}

impl Drop for TranscriptWriter {
    fn drop(&mut self) {
        // Not finished (an error elsewhere): stop the thread; the temp folder goes anyway.
        self.tx = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Parts {
    fn push(&mut self, m: Message) -> crate::error::Result<()> {
        use crate::error::IoContext;
        use std::io::Write;
        self.tally.add(&m);
        // One message as `to_vec_pretty` writes it two levels deep: its own pretty form
        // with every line indented by four spaces (newlines inside strings are escaped,
        // so every raw newline is a line break of the layout).
        self.buf.clear();
        serde_json::to_writer_pretty(&mut self.buf, &m)
            .map_err(|e| crate::error::Error::internal(e.to_string()))?;
        let jp = &self.jpath;
        if self.count > 0 {
            self.json.write_all(b",\n").at("write", jp)?;
        }
        self.json.write_all(b"    ").at("write", jp)?;
        for (i, line) in self.buf.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                self.json.write_all(b"\n    ").at("write", jp)?;
            }
            self.json.write_all(line).at("write", jp)?;
        }
        let hp = &self.hpath;
        self.html
            .write_all(message(&m).into_string().as_bytes())
            .at("write", hp)?;
        self.html.write_all(b"\n").at("write", hp)?;
        self.count += 1;
        Ok(())
    }
}

// The HTML view. Rendered with maud: every value from the export (names, texts, file
// names) is spliced as `(value)` and escaped; the only raw markup is our style sheet.
impl Transcript {
    /// The readable HTML view: self-contained, printable, every message anchored and
    /// numbered; images hidden behind a click.
    pub fn to_html(&self) -> String {
        let mut h = self.html_start();
        for m in &self.messages {
            h.push_str(&message(m).into_string());
            h.push('\n');
        }
        h.push_str(&html_end());
        h
    }

    /// The page up to the first message: head, heading, search bar. Only the open tags
    /// are written by hand (constants); everything else goes through maud.
    fn html_start(&self) -> String {
        let head = html! {
            (DOCTYPE)
        };
        let top = html! {
            meta charset="utf-8";
            title { "Transcript" }
            (style(TRANSCRIPT_CSS))
        };
        let body = html! {
            (self.heading())
            div #bar hidden {
                input #q type="search" placeholder="Search text and sender" aria-label="Search";
                " "
                select #p aria-label="Participant" {
                    option value="" { "All participants" }
                    @for p in &self.participants { option value=(p) { (p) } }
                }
                " " span #c .n {}
            }
        };
        format!(
            "{}<html lang=\"en\"><head>{}</head><body>{}",
            head.into_string(),
            top.into_string(),
            body.into_string()
        )
    }

    fn heading(&self) -> Markup {
        let s = &self.summary;
        html! {
            h1 { (self.chat_name.as_deref().unwrap_or("Chat transcript")) }
            p.warn {
                "Derived from the export sealed in this item; the export files are the evidence. Images may be intimate: they are hidden until you click \u{201c}show\u{201d}."
            }
            p {
                (self.source_format) " · participants: " (self.participants.join(", ")) " · "
                (s.messages) " messages, " (s.system) " system, " (s.deleted) " deleted, "
                (s.unparsed_lines) " unparsed line(s) · "
                (s.first.as_deref().unwrap_or("?")) " – " (s.last.as_deref().unwrap_or("?"))
            }
            p { "Times: " (self.timezone_assumption) }
            @for t in &self.transformations { p.n { "Note: " (t) } }
        }
    }
}

/// The page after the last message: the viewer script, closing tags.
fn html_end() -> String {
    let end = html! { (script(TRANSCRIPT_JS)) };
    format!("{}</body></html>\n", end.into_string())
}

/// One message as an anchored, numbered article.
fn message(m: &Message) -> Markup {
    let class = match m.kind {
        MessageKind::System | MessageKind::Deleted => Some("sys"),
        MessageKind::Unparsed => Some("un"),
        MessageKind::Message => None,
    };
    let src = match (&m.source.lines, m.source.message_id) {
        (Some([a, b]), _) if a == b => format!("{} line {a}", m.source.file),
        (Some([a, b]), _) => format!("{} lines {a}–{b}", m.source.file),
        (_, Some(id)) => format!("{} id {id}", m.source.file),
        _ => m.source.file.clone(),
    };
    let anchor = format!("m{}", m.index);
    html! {
        article id=(anchor) class=[class] data-s=[m.sender.as_deref()] {
            a.n href=(format!("#{anchor}")) { "#" (m.index) } " "
            span.t { (m.timestamp_written) } " "
            span.s { (m.sender.as_deref().unwrap_or("")) } " "
            span.n { "(" (src) ")" }
            @if let Some(f) = &m.forwarded_from { " " span.t { "forwarded from " (f) } }
            @if let Some(r) = m.reply_to { " " span.t { "reply to id " (r) } }
            @if let Some(e) = &m.edited { " " span.t { "edited " (e) } }
            pre { (m.text) }
            @for a in &m.attachments { (attachment(a)) }
            @for e in &m.embeds {
                div.n { "embed: " (e.title.as_deref().unwrap_or("")) " " (e.url.as_deref().unwrap_or("")) " " (e.description.as_deref().unwrap_or("")) }
            }
            @if !m.mentions.is_empty() { div.n { "mentions: " (m.mentions.join(", ")) } }
            @for r in &m.reactions {
                span.n { (r.emoji) @if let Some(c) = r.count { " ×" (c) } @if !r.by.is_empty() { " (" (r.by.join(", ")) ")" } " " }
            }
        }
    }
}

/// An attachment: images behind a click, other files as links, missing ones said so.
fn attachment(a: &Attachment) -> Markup {
    let (Some(p), true) = (&a.path, a.present) else {
        return html! { div.miss { "attachment " (a.name) " is referenced but missing from the export" } };
    };
    // The view lives in derived/: originals are one folder up.
    let rel = if p.starts_with("original/") {
        format!("../{p}")
    } else {
        p.strip_prefix("derived/").unwrap_or(p).to_string()
    };
    let href = relative_href(&rel);
    let lower = a.name.to_lowercase();
    let is_img = [".jpg", ".jpeg", ".png", ".gif", ".webp"]
        .iter()
        .any(|e| lower.ends_with(e));
    html! {
        @if is_img {
            details {
                summary { "show image " (a.name) " (sensitive)" }
                img loading="lazy" style="max-width:100%" alt=(a.name) src=(href);
            }
        } @else {
            div { "attachment: " a href=(href) { (a.name) } }
        }
        @if let Some(s) = &a.sha256 { div.n { "SHA-256 " (s) } }
    }
}

/// Check that what `feed` streams into a [`TranscriptWriter`] is byte for byte what the
/// whole-transcript path writes for `old` (JSON and HTML), and reads back as the type.
#[cfg(test)]
pub(crate) fn assert_streams_as(
    old: &Transcript,
    feed: &mut dyn FnMut(&mut TranscriptWriter) -> crate::error::Result<Transcript>,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut w = TranscriptWriter::create(dir.path()).unwrap();
    let head = feed(&mut w).unwrap();
    let written = w.finish(head).unwrap();
    let json = std::fs::read(&written.json).unwrap();
    let html = std::fs::read_to_string(&written.html).unwrap();
    assert_eq!(
        String::from_utf8(json.clone()).unwrap(),
        String::from_utf8(serde_json::to_vec_pretty(old).unwrap()).unwrap()
    );
    assert_eq!(html, old.to_html());
    let back: Transcript = serde_json::from_slice(&json).unwrap();
    assert_eq!(serde_json::to_vec_pretty(&back).unwrap(), json);
    assert_eq!(written.count, old.messages.len());
    assert!(!dir.path().join(JSON_PART).exists() && !dir.path().join(HTML_PART).exists());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every optional field, hostile text, an empty transcript.
    #[test]
    fn writer_equals_to_vec_pretty_and_to_html() {
        let mut t = Transcript::new("discord-json", "UTC");
        t.chat_name = Some("<script>x</script> \"q\"".into());
        t.transformations = vec!["order reversed".into()];
        t.date_order = Some("DMY (x)".into());
        let empty = t.clone();
        assert_streams_as(&empty, &mut |_| Ok(empty.clone()));
        let mut m = Message::new(
            1,
            MessageKind::Message,
            SourceRef {
                file: "a.json".into(),
                lines: None,
                message_id: Some(7),
            },
        );
        m.sender = Some("Zoë \u{1f600}".into());
        m.text = "line1\nline2\t\"</pre><img src=x>".into();
        m.timestamp_local = Some("2024-01-01T00:00:00".into());
        m.timestamp_utc = Some("2024-01-01T00:00:00Z".into());
        m.reply_to = Some(3);
        m.forwarded_from = Some("F".into());
        m.edited = Some("e".into());
        m.reactions = vec![Reaction {
            emoji: "👍".into(),
            by: vec!["A".into()],
            count: Some(2),
        }];
        m.mentions = vec!["B".into()];
        m.embeds = vec![Embed {
            title: Some("t".into()),
            url: None,
            description: Some("d\n".into()),
        }];
        m.attachments = vec![
            Attachment {
                name: "a.jpg".into(),
                present: true,
                path: Some("original/a.jpg".into()),
                sha256: Some("00".repeat(32)),
                media_type: Some("photo".into()),
            },
            Attachment {
                name: "gone.pdf".into(),
                present: false,
                path: None,
                sha256: None,
                media_type: None,
            },
        ];
        let mut u = Message::new(
            2,
            MessageKind::Unparsed,
            SourceRef {
                file: "a".into(),
                lines: Some([3, 4]),
                message_id: None,
            },
        );
        u.text = "x\ny".into();
        t.messages = vec![
            m,
            u,
            Message::new(3, MessageKind::System, SourceRef::default()),
        ];
        t.finish();
        let msgs = t.messages.clone();
        assert_streams_as(&t, &mut |w| {
            for m in &msgs {
                w.push(m.clone())?;
            }
            Ok(empty.clone())
        });
    }
}
