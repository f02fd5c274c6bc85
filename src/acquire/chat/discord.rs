//! Discord channels exported by DiscordChatExporter (JSON): `guild`, `channel` and
//! `messages` with `id`, `type`, `timestamp`, `timestampEdited`, `callEndedTimestamp`,
//! `content`, `author`, `attachments` (`url`, `fileName`), `embeds`, `reactions`,
//! `mentions` and `reference`. DMs, group DMs and server channels look the same.

use serde_json::Value;

use crate::acquire::chat::transcript::{
    Attachment, Embed, Message, MessageKind, Reaction, SourceRef, Transcript,
};

/// Whether a JSON head looks like a DiscordChatExporter export.
pub fn looks_like(head: &str) -> bool {
    head.contains("\"guild\"") && head.contains("\"channel\"")
}

/// Whether a parsed document is one.
pub fn looks_like_json(root: &Value) -> bool {
    root["guild"].is_object() && root["channel"].is_object() && root["messages"].is_array()
}

fn name_of(user: &Value) -> Option<String> {
    let nick = user["nickname"].as_str().filter(|s| !s.is_empty());
    let name = user["name"].as_str()?;
    Some(match nick {
        Some(n) if n != name => format!("{n} ({name})"),
        _ => name.to_string(),
    })
}

fn opt(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// A snowflake id as a number (they fit in i64 until the year 2084).
fn id(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_i64())
}

/// Parse an export. `media(url)` resolves an attachment's `url` (a relative path when the
/// export was made with media; a web address otherwise, which is never fetched).
pub fn parse(
    root: &Value,
    file_name: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut t = Transcript::new(
        "discord-json",
        "timestamps carry their UTC offset as written by the exporter; `timestamp_utc` is the same instant in UTC",
    );
    let guild = root["guild"]["name"].as_str().unwrap_or("");
    let channel = root["channel"]["name"].as_str().unwrap_or("");
    let category = root["channel"]["category"].as_str().unwrap_or("");
    t.chat_name = Some(match (guild, category) {
        ("Direct Messages", _) | ("", _) => channel.to_string(),
        (g, "") => format!("{g} / #{channel}"),
        (g, c) => format!("{g} / {c} / #{channel}"),
    });
    for (i, m) in root["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mut msg = Message::new(
            i + 1,
            MessageKind::Message,
            SourceRef {
                file: file_name.to_string(),
                lines: None,
                message_id: id(&m["id"]),
            },
        );
        let ts = m["timestamp"].as_str().unwrap_or("");
        msg.timestamp_written = ts.to_string();
        if let Ok(d) = chrono::DateTime::parse_from_rfc3339(ts) {
            msg.timestamp_local = Some(d.naive_local().format("%Y-%m-%dT%H:%M:%S").to_string());
            msg.timestamp_utc = Some(crate::time::rfc3339(&d.to_utc()));
        }
        msg.sender = name_of(&m["author"]);
        msg.text = m["content"].as_str().unwrap_or("").to_string();
        msg.edited = opt(&m["timestampEdited"]);
        msg.reply_to = id(&m["reference"]["messageId"]);
        for a in m["attachments"].as_array().into_iter().flatten() {
            let url = a["url"].as_str().unwrap_or("");
            let mut att = Attachment::resolve(url, None, media);
            if let Some(f) = a["fileName"].as_str() {
                att.media_type = Some(format!("file {f}"));
            }
            msg.attachments.push(att);
        }
        for s in m["stickers"].as_array().into_iter().flatten() {
            let url = s["sourceUrl"].as_str().unwrap_or("");
            msg.attachments
                .push(Attachment::resolve(url, Some("sticker".into()), media));
        }
        for e in m["embeds"].as_array().into_iter().flatten() {
            msg.embeds.push(Embed {
                title: opt(&e["title"]),
                url: opt(&e["url"]),
                description: opt(&e["description"]),
            });
        }
        for r in m["reactions"].as_array().into_iter().flatten() {
            msg.reactions.push(Reaction {
                emoji: r["emoji"]["name"].as_str().unwrap_or("?").to_string(),
                by: r["users"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(name_of)
                    .collect(),
                count: r["count"].as_u64(),
            });
        }
        msg.mentions = m["mentions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(name_of)
            .collect();
        let kind = m["type"].as_str().unwrap_or("Default");
        if !matches!(kind, "Default" | "Reply") {
            msg.kind = MessageKind::System;
            let what = match kind {
                "Call" => match opt(&m["callEndedTimestamp"]) {
                    Some(end) => format!("call (ended {end})"),
                    None => "call".to_string(),
                },
                k => k.to_string(),
            };
            msg.text = if msg.text.is_empty() {
                what
            } else {
                format!("{what}: {}", msg.text)
            };
        }
        t.messages.push(msg);
    }
    t.finish();
    t
}
