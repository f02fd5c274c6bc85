//! The parsed transcript of a chat export (`transcript.json`, `sigillo-transcript/1`) and
//! its readable, printable HTML view (`transcript.html`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::esc;

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

    /// The readable HTML view: self-contained, printable, every message anchored and
    /// numbered; images hidden behind a click.
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(self.messages.len() * 200 + 4096);
        h.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Transcript</title><style>");
        h.push_str("body{font:14px/1.4 'DejaVu Sans',Arial,sans-serif;max-width:900px;margin:20px auto;padding:0 12px}article{border-bottom:1px solid #ddd;padding:4px 0}.n{color:#888;font-size:11px;text-decoration:none}.t{color:#555;font-size:12px}.s{font-weight:bold}.sys{color:#666;font-style:italic}.un{background:#fff3cd}.miss{color:#b00}pre{white-space:pre-wrap;margin:2px 0;font:inherit}.warn{border:2px solid #b00;padding:6px 10px;background:#fff4f4}@media print{article{break-inside:avoid}}");
        h.push_str("</style></head><body>");
        h.push_str(&format!(
            "<h1>{}</h1><p class=\"warn\">Derived from the export sealed in this item; the export files are the evidence. Images may be intimate: they are hidden until you click “show”.</p><p>{} · participants: {} · {} messages, {} system, {} deleted, {} unparsed line(s) · {} – {}</p><p>Times: {}</p>",
            esc(self.chat_name.as_deref().unwrap_or("Chat transcript")),
            esc(&self.source_format),
            esc(&self.participants.join(", ")),
            self.summary.messages,
            self.summary.system,
            self.summary.deleted,
            self.summary.unparsed_lines,
            esc(self.summary.first.as_deref().unwrap_or("?")),
            esc(self.summary.last.as_deref().unwrap_or("?")),
            esc(&self.timezone_assumption)
        ));
        for m in &self.messages {
            let class = match m.kind {
                MessageKind::System | MessageKind::Deleted => " class=\"sys\"",
                MessageKind::Unparsed => " class=\"un\"",
                _ => "",
            };
            let src = match (&m.source.lines, m.source.message_id) {
                (Some([a, b]), _) if a == b => format!("{} line {a}", m.source.file),
                (Some([a, b]), _) => format!("{} lines {a}–{b}", m.source.file),
                (_, Some(id)) => format!("{} id {id}", m.source.file),
                _ => m.source.file.clone(),
            };
            h.push_str(&format!(
                "<article id=\"m{0}\"{class}><a class=\"n\" href=\"#m{0}\">#{0}</a> <span class=\"t\">{1}</span> <span class=\"s\">{2}</span> <span class=\"n\">({3})</span>",
                m.index,
                esc(&m.timestamp_written),
                esc(m.sender.as_deref().unwrap_or("")),
                esc(&src)
            ));
            if let Some(f) = &m.forwarded_from {
                h.push_str(&format!(
                    " <span class=\"t\">forwarded from {}</span>",
                    esc(f)
                ));
            }
            if let Some(r) = m.reply_to {
                h.push_str(&format!(" <span class=\"t\">reply to id {r}</span>"));
            }
            if let Some(e) = &m.edited {
                h.push_str(&format!(" <span class=\"t\">edited {}</span>", esc(e)));
            }
            h.push_str(&format!("<pre>{}</pre>", esc(&m.text)));
            for a in &m.attachments {
                match (&a.path, a.present) {
                    (Some(p), true) => {
                        let rel = p.strip_prefix("derived/").unwrap_or(p);
                        let rel = if p.starts_with("original/") { format!("../{p}") } else { rel.to_string() };
                        let is_img = [".jpg", ".jpeg", ".png", ".gif", ".webp"].iter().any(|e| a.name.to_lowercase().ends_with(e));
                        if is_img {
                            h.push_str(&format!(
                                "<details><summary>show image {} (sensitive)</summary><img loading=\"lazy\" style=\"max-width:100%\" alt=\"{}\" src=\"{}\"></details>",
                                esc(&a.name),
                                esc(&a.name),
                                esc(&rel)
                            ));
                        } else {
                            h.push_str(&format!("<div>attachment: <a href=\"{}\">{}</a></div>", esc(&rel), esc(&a.name)));
                        }
                        if let Some(s) = &a.sha256 {
                            h.push_str(&format!("<div class=\"n\">SHA-256 {}</div>", esc(s)));
                        }
                    }
                    _ => h.push_str(&format!("<div class=\"miss\">attachment {} is referenced but missing from the export</div>", esc(&a.name))),
                }
            }
            h.push_str("</article>\n");
        }
        h.push_str("</body></html>\n");
        h
    }
}
