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

/// Parse an export held in memory. `media(url)` resolves an attachment's `url` (a
/// relative path when the export was made with media; a web address otherwise, which is
/// never fetched). Acquisitions stream instead ([`probe`], then [`stream`]), through the
/// same [`message`].
pub fn parse(
    root: &Value,
    file_name: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut t = head(&root["guild"], &root["channel"]);
    for (i, m) in root["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        t.messages.push(message(m, i + 1, file_name, media));
    }
    t.finish();
    t
}

/// The transcript header of a channel.
fn head(guild: &Value, channel_v: &Value) -> Transcript {
    let mut t = Transcript::new(
        "discord-json",
        "timestamps carry their UTC offset as written by the exporter; `timestamp_utc` is the same instant in UTC",
    );
    let guild = guild["name"].as_str().unwrap_or("");
    let channel = channel_v["name"].as_str().unwrap_or("");
    let category = channel_v["category"].as_str().unwrap_or("");
    t.chat_name = Some(match (guild, category) {
        ("Direct Messages", _) | ("", _) => channel.to_string(),
        (g, "") => format!("{g} / #{channel}"),
        (g, c) => format!("{g} / {c} / #{channel}"),
    });
    t
}

/// What the first pass over an export learns: `guild`, `channel` (small objects) and
/// whether `messages` is an array; the messages are skipped.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Probe {
    #[serde(default)]
    guild: Value,
    #[serde(default)]
    channel: Value,
    #[serde(default, deserialize_with = "is_array")]
    messages: bool,
}

fn is_array<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(crate::acquire::chat::telegram::array_length(d)?.is_some())
}

impl Probe {
    /// The same test as [`looks_like_json`].
    pub fn looks_like(&self) -> bool {
        self.guild.is_object() && self.channel.is_object() && self.messages
    }

    /// The transcript header.
    pub fn head(&self) -> Transcript {
        head(&self.guild, &self.channel)
    }
}

/// The first pass. A document that is JSON but not an object (or names a key twice) is
/// a data error (`is_data()`): the caller checks the document is JSON at all.
pub fn probe(mut r: impl std::io::BufRead) -> serde_json::Result<Probe> {
    // A derived struct would also read an array positionally: only an object can be one.
    loop {
        let buf = r.fill_buf().map_err(serde_json::Error::io)?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let first = buf[i];
                r.consume(i);
                if first != b'{' {
                    return Err(serde::de::Error::custom("the document is not an object"));
                }
                break;
            }
            None if buf.is_empty() => break,
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
    let mut de = serde_json::Deserializer::from_reader(r);
    let p = serde::Deserialize::deserialize(&mut de)?;
    de.end()?;
    Ok(p)
}

/// The second pass: every message of `messages`, in order, into `f`.
pub fn stream(
    r: impl std::io::Read,
    f: &mut dyn FnMut(Value) -> crate::error::Result<()>,
) -> std::result::Result<(), crate::acquire::chat::telegram::StreamError> {
    crate::acquire::chat::telegram::stream_top_array(r, "messages", f)
}

/// One message (`i` is its 1-based position in the file).
pub fn message(
    m: &Value,
    i: usize,
    file_name: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Message {
    let mut msg = Message::new(
        i,
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
        msg.timestamp_local = Some(crate::acquire::chat::iso_local(&d.naive_local()));
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
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acquire::chat::transcript::Sink;

    const DOC: &str = r#"{"guild":{"name":"G"},"channel":{"name":"general","category":"Text"},"messages":[
        {"id":"1","type":"Default","timestamp":"2024-01-01T10:00:00+01:00","content":"hi <b>","author":{"name":"ann","nickname":"Ann"},
         "attachments":[{"url":"f/a.png","fileName":"a.png"},{"url":"https://x/y.png"}],"reactions":[{"emoji":{"name":"👍"},"count":2,"users":[{"name":"bo"}]}],
         "mentions":[{"name":"bo"}],"embeds":[{"title":"t","url":"https://e"}],"reference":{"messageId":"7"}},
        {"id":"2","type":"Call","timestamp":"bad","content":"","author":{"name":"bo"},"callEndedTimestamp":"2024-01-01T11:00:00+00:00"},
        3
    ]}"#;

    fn media(u: &str) -> Option<(String, String)> {
        (u == "f/a.png").then(|| ("original/f/a.png".into(), "ef".repeat(32)))
    }

    #[test]
    fn streamed_transcript_equals_the_value_path() {
        let root: Value = serde_json::from_str(DOC).unwrap();
        assert!(looks_like_json(&root));
        let old = parse(&root, "c.json", &media);
        let pr = probe(DOC.as_bytes()).unwrap();
        assert!(pr.looks_like());
        crate::acquire::chat::transcript::assert_streams_as(&old, &mut |w| {
            let mut i = 0;
            stream(DOC.as_bytes(), &mut |v| {
                i += 1;
                w.push(message(&v, i, "c.json", &media))
            })
            .unwrap();
            Ok(pr.head())
        });
        for doc in [
            r#"{"guild":{},"channel":{}}"#,
            r#"{"guild":1,"channel":{},"messages":[]}"#,
        ] {
            let v: Value = serde_json::from_str(doc).unwrap();
            assert_eq!(
                probe(doc.as_bytes()).unwrap().looks_like(),
                looks_like_json(&v)
            );
        }
        assert!(probe(&b"[1]"[..]).unwrap_err().is_data());
    }
}
