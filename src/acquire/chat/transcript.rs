//! The parsed transcript of a chat export (`transcript.json`, `sigillo-transcript/1`) and
//! its readable, printable HTML view (`transcript.html`).

use maud::{DOCTYPE, Markup, html};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::html::{TRANSCRIPT_CSS, relative_href, style};

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
    /// Edit time as written (Telegram).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<String>,
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
    /// `whatsapp-android`, `whatsapp-ios`, `telegram-json`.
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
    /// Counts.
    pub summary: Summary,
    /// Every message, system line and unparsed line, in source order.
    pub messages: Vec<Message>,
}

impl Transcript {
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
                    @for m in &self.messages { (message(m)) "\n" }
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
        article id=(anchor) class=[class] {
            a.n href=(format!("#{anchor}")) { "#" (m.index) } " "
            span.t { (m.timestamp_written) } " "
            span.s { (m.sender.as_deref().unwrap_or("")) } " "
            span.n { "(" (src) ")" }
            @if let Some(f) = &m.forwarded_from { " " span.t { "forwarded from " (f) } }
            @if let Some(r) = m.reply_to { " " span.t { "reply to id " (r) } }
            @if let Some(e) = &m.edited { " " span.t { "edited " (e) } }
            pre { (m.text) }
            @for a in &m.attachments { (attachment(a)) }
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
