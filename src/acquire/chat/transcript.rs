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
        let mut s = Summary::default();
        for m in &self.messages {
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
                && !self.participants.contains(sender)
            {
                self.participants.push(sender.clone());
            }
            if let Some(t) = &m.timestamp_local {
                if s.first.is_none() {
                    s.first = Some(t.clone());
                }
                s.last = Some(t.clone());
            }
        }
        self.summary = s;
    }
}

// The HTML view. Rendered with maud: every value from the export (names, texts, file
// names) is spliced as `(value)` and escaped; the only raw markup is our style sheet.
impl Transcript {
    /// The readable HTML view: self-contained, printable, every message anchored and
    /// numbered; images hidden behind a click.
    pub fn to_html(&self) -> String {
        let page = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    title { "Transcript" }
                    (style(TRANSCRIPT_CSS))
                }
                body {
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
                    @for m in &self.messages { (message(m)) "\n" }
                    (script(TRANSCRIPT_JS))
                }
            }
        };
        let mut h = page.into_string();
        h.push('\n');
        h
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
