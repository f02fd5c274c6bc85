//! Telegram Desktop "Export chat history" in JSON (`result.json`): single-chat exports and
//! full-account exports (`chats.list`), `text` as a string or an array of entities,
//! photos and files, forwards, replies, edits and service messages.

use serde_json::Value;

use crate::acquire::chat::transcript::{Attachment, Message, MessageKind, SourceRef, Transcript};

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                _ => String::new(),
            })
            .collect(),
        _ => String::new(),
    }
}

fn chats(root: &Value) -> Vec<&Value> {
    if root["messages"].is_array() {
        return vec![root];
    }
    root["chats"]["list"]
        .as_array()
        .map(|l| l.iter().collect())
        .unwrap_or_default()
}

/// Whether a JSON document looks like a Telegram export.
pub fn looks_like(root: &Value) -> bool {
    (root["messages"].is_array() && (root.get("type").is_some() || root.get("id").is_some()))
        || root["chats"]["list"].is_array()
}

/// Parse a Telegram export. `media(path)` resolves a relative path in the export.
pub fn parse(
    root: &Value,
    file_name: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut messages = Vec::new();
    let mut idx = 0;
    let list = chats(root);
    let multi = list.len() > 1;
    for chat in &list {
        let chat_name = chat["name"].as_str().unwrap_or("");
        for m in chat["messages"].as_array().into_iter().flatten() {
            idx += 1;
            let service = m["type"] == "service";
            let mut attachments = Vec::new();
            for key in ["photo", "file"] {
                if let Some(p) = m[key].as_str() {
                    let found = media(p);
                    attachments.push(Attachment {
                        name: p.to_string(),
                        present: found.is_some(),
                        path: found.as_ref().map(|f| f.0.clone()),
                        sha256: found.map(|f| f.1),
                        media_type: m["media_type"]
                            .as_str()
                            .map(str::to_string)
                            .or_else(|| (key == "photo").then(|| "photo".to_string())),
                    });
                }
            }
            let mut text = text_of(&m["text"]);
            if service {
                let action = m["action"].as_str().unwrap_or("service");
                text = if text.is_empty() {
                    action.to_string()
                } else {
                    format!("{action}: {text}")
                };
            }
            let sender = if service {
                m["actor"].as_str()
            } else {
                m["from"].as_str()
            }
            .map(|s| {
                if multi {
                    format!("{s} [{chat_name}]")
                } else {
                    s.to_string()
                }
            });
            messages.push(Message {
                index: idx,
                kind: if service {
                    MessageKind::System
                } else {
                    MessageKind::Message
                },
                timestamp_written: m["date"].as_str().unwrap_or("").to_string(),
                timestamp_local: m["date"].as_str().map(str::to_string),
                timestamp_utc: m["date_unixtime"]
                    .as_str()
                    .and_then(|u| u.parse::<i64>().ok())
                    .and_then(|u| chrono::DateTime::from_timestamp(u, 0))
                    .map(|t| crate::time::rfc3339(&t)),
                sender: if service { None } else { sender },
                text,
                attachments,
                reply_to: m["reply_to_message_id"].as_i64(),
                forwarded_from: m["forwarded_from"].as_str().map(str::to_string),
                edited: m["edited"].as_str().map(str::to_string),
                reactions: Vec::new(),
                mentions: Vec::new(),
                embeds: Vec::new(),
                source: SourceRef {
                    file: file_name.to_string(),
                    lines: None,
                    message_id: m["id"].as_i64(),
                },
            });
        }
    }
    let mut t = Transcript {
        format: crate::acquire::chat::transcript::FORMAT.to_string(),
        source_format: "telegram-json".into(),
        chat_name: if multi { Some("Telegram account export".into()) } else { list.first().and_then(|c| c["name"].as_str()).map(str::to_string) },
        participants: Vec::new(),
        date_order: None,
        timezone_assumption: "`date` is the exporting computer's local time; `timestamp_utc` comes from the export's date_unixtime".into(),
        transformations: Vec::new(),
        summary: Default::default(),
        messages,
    };
    t.finish();
    t
}
