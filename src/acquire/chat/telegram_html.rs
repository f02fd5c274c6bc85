//! Telegram Desktop "Export chat history" in HTML (the app's default): `messages.html`,
//! `messages2.html` … with `photos/`, `video_files/`, `files/`, `voice_messages/`. Read with
//! an HTML parser (tl), never with patterns over the markup. A `div.message` is one message
//! (`id="message123"`); `div.from_name` the sender (a `joined` message repeats the one
//! before); `div.date[title]` the local time with its offset; `div.text` the text (`<br>`
//! is a new line); `div.reply_to` the message replied to; `div.forwarded` a forward;
//! `div.media_wrap` the media (a link when exported, a "not included" note otherwise).
//! Day separators (`message service` with a negative id) are not messages and are skipped.
//!
//! The transcript of a chat equals the one from its JSON export for people's messages:
//! same order, ids, senders, texts, local and UTC times, replies, forwards, edits and
//! attachments. Service lines keep the HTML's sentence (the JSON has an action code).

use std::borrow::Cow;

use tl::{HTMLTag, Node, NodeHandle, Parser};

use crate::acquire::chat::transcript::{
    Attachment, Message, MessageKind, Sink, SourceRef, Transcript,
};

/// Whether an HTML head looks like a Telegram export page.
pub fn looks_like(head: &str) -> bool {
    head.contains("class=\"history\"") && head.contains("class=\"message")
        || head.contains("<title>Exported Data</title>")
}

/// N of `messagesN.html` (1 for `messages.html`, 0 when not an export page).
pub fn page_number(name: &str) -> u64 {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base
        .strip_prefix("messages")
        .and_then(|r| r.strip_suffix(".html"))
    {
        Some("") => 1,
        Some(n) => n.parse().unwrap_or(0),
        None => 0,
    }
}

/// Decode the character references of HTML text (`&amp;`, `&#39;`, `&#x1F600;` …).
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // Char-wise: the text after '&' may be any UTF-8.
        let Some(end) = rest
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i)
        else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn tag<'a>(h: NodeHandle, p: &'a Parser<'a>) -> Option<&'a HTMLTag<'a>> {
    h.get(p).and_then(Node::as_tag)
}

fn has_class(t: &HTMLTag, c: &str) -> bool {
    t.attributes()
        .class()
        .is_some_and(|v| utf8(v).split_whitespace().any(|x| x == c))
}

/// The text of markup bytes: borrowed when they are UTF-8 (checked the fast way), else
/// decoded lossily as tl does.
fn utf8<'a>(b: &'a tl::Bytes) -> Cow<'a, str> {
    match std::str::from_utf8(b.as_bytes()) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => b.as_utf8_str(),
    }
}

fn attr<'a>(t: &'a HTMLTag, name: &'a str) -> Option<Cow<'a, str>> {
    t.attributes().get(name).flatten().map(utf8)
}

/// Direct child tags of `t` carrying class `c`.
fn children_with<'a>(t: &'a HTMLTag<'a>, p: &'a Parser<'a>, c: &str) -> Vec<&'a HTMLTag<'a>> {
    t.children()
        .top()
        .iter()
        .filter_map(|h| tag(*h, p))
        .filter(|x| has_class(x, c))
        .collect()
}

/// The text of a node: text as decoded, `<br>` as a new line, the markup's own line
/// breaks dropped (Telegram writes the text's line breaks as `<br>`).
fn text_of(t: &HTMLTag, p: &Parser, out: &mut String) {
    for h in t.children().top().iter() {
        match h.get(p) {
            Some(Node::Raw(b)) => {
                out.push_str(&decode_entities(&utf8(b).replace(['\n', '\r'], "")))
            }
            Some(Node::Tag(c)) if c.name().as_bytes().eq_ignore_ascii_case(b"br") => out.push('\n'),
            Some(Node::Tag(c)) if has_class(c, "details") && has_class(c, "date") => {}
            Some(Node::Tag(c)) => text_of(c, p, out),
            _ => {}
        }
    }
}

fn text(t: &HTMLTag, p: &Parser) -> String {
    let mut s = String::new();
    text_of(t, p, &mut s);
    s.trim_matches([' ', '\t']).to_string()
}

/// `20.11.2026 21:10:00 UTC+01:00` → (local ISO time, UTC RFC 3339 when the offset is given).
fn parse_date(title: &str) -> (Option<String>, Option<String>) {
    let mut parts = title.split_whitespace();
    let (Some(d), Some(t)) = (parts.next(), parts.next()) else {
        return (None, None);
    };
    let Some(local) = fixed_date(d, t).or_else(|| {
        chrono::NaiveDateTime::parse_from_str(&format!("{d} {t}"), "%d.%m.%Y %H:%M:%S").ok()
    }) else {
        return (None, None);
    };
    let utc = parts
        .next()
        .and_then(|o| o.strip_prefix("UTC"))
        .and_then(offset)
        .and_then(|off| local.and_local_timezone(off).single())
        .map(|dt| crate::time::rfc3339(&dt.to_utc()));
    (Some(crate::acquire::chat::iso_local(&local)), utc)
}

/// `dd.mm.yyyy` and `hh:mm:ss` exactly as Telegram writes them (digits at fixed places),
/// read without chrono's format parser; anything else (or a leap second) is left to it.
fn fixed_date(d: &str, t: &str) -> Option<chrono::NaiveDateTime> {
    let (d, t) = (d.as_bytes(), t.as_bytes());
    let shape = |b: &[u8], seps: &[usize], sep: u8| {
        b.iter().enumerate().all(|(i, c)| {
            if seps.contains(&i) {
                *c == sep
            } else {
                c.is_ascii_digit()
            }
        })
    };
    if d.len() != 10 || t.len() != 8 || !shape(d, &[2, 5], b'.') || !shape(t, &[2, 5], b':') {
        return None;
    }
    let num = |b: &[u8]| b.iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
    let sec = num(&t[6..8]);
    if sec >= 60 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(num(&d[6..10]) as i32, num(&d[3..5]), num(&d[0..2]))?
        .and_hms_opt(num(&t[0..2]), num(&t[3..5]), sec)
}

/// `+01:00` as an offset.
fn offset(s: &str) -> Option<chrono::FixedOffset> {
    let sign = match s.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let (h, m) = s[1..].split_once(':').unwrap_or((&s[1..], "0"));
    let secs = sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60);
    chrono::FixedOffset::east_opt(secs)
}

/// What a media link is, from its classes.
fn media_kind(t: &HTMLTag) -> &'static str {
    let pairs = [
        ("photo_wrap", "photo"),
        ("media_photo", "photo"),
        ("video_file_wrap", "video_file"),
        ("media_video", "video_file"),
        ("media_voice_message", "voice_message"),
        ("media_audio_file", "audio_file"),
        ("animated_wrap", "animation"),
        ("media_animation", "animation"),
        ("sticker_wrap", "sticker"),
        ("media_file", "file"),
    ];
    pairs
        .iter()
        .find(|(c, _)| has_class(t, c))
        .map_or("file", |(_, k)| k)
}

/// The attachments in a `div.media_wrap`.
fn attachments(
    wrap: &HTMLTag,
    p: &Parser,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Vec<Attachment> {
    let mut v = Vec::new();
    for h in wrap.children().top().iter() {
        let Some(t) = tag(*h, p) else { continue };
        match attr(t, "href") {
            Some(href) if !href.starts_with('#') && !href.contains("://") => {
                let name = decode_entities(&href);
                v.push(Attachment::resolve(
                    &name,
                    Some(media_kind(t).into()),
                    media,
                ));
            }
            _ if has_class(t, "media") => {
                // Not exported: Telegram says so in the block's description.
                let note = text(t, p);
                v.push(Attachment {
                    name: note.split_whitespace().collect::<Vec<_>>().join(" "),
                    present: false,
                    path: None,
                    sha256: None,
                    media_type: Some(media_kind(t).into()),
                });
            }
            _ => {}
        }
    }
    v
}

/// Parse the pages of one chat, in any order; `media(path)` resolves a relative path.
/// The whole chat in memory: the acquisition streams it with [`Pages`] instead, one page
/// at a time, to the same result.
pub fn parse(
    pages: &[(String, String)],
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut pages: Vec<&(String, String)> = pages.iter().collect();
    pages.sort_by_key(|(n, _)| page_number(n));
    let mut chat = Pages::default();
    let mut messages = Vec::new();
    for (name, html) in pages {
        // A Vec takes every message: no error to stop at.
        if chat.page(name, html, media, &mut messages).is_err() {
            break;
        }
    }
    let mut t = chat.head();
    t.messages = messages;
    t.finish();
    t
}

/// A chat read one page at a time, in bounded memory: hand it the pages in page order
/// (messages.html, messages2.html …; see [`page_number`]) and each page's messages go to
/// a sink; [`Pages::head`] is then the header [`parse`] writes around the same messages.
#[derive(Debug, Default)]
pub struct Pages {
    last: usize,
    chat_name: Option<String>,
    people: bool,
}

impl Pages {
    /// The next page (`name` in the export): its messages into `sink`, numbered on.
    pub fn page(
        &mut self,
        name: &str,
        html: &str,
        media: &dyn Fn(&str) -> Option<(String, String)>,
        sink: &mut dyn Sink,
    ) -> crate::error::Result<()> {
        let Ok(dom) = tl::parse(html, tl::ParserOptions::default()) else {
            return Ok(());
        };

        let p = dom.parser();
        if self.chat_name.is_none()
            && let Some(h) = dom
                .query_selector("div.page_header")
                .and_then(|mut q| q.next())
            && let Some(hd) = tag(h, p)
        {
            let n = text(hd, p);
            let n = n.trim();
            self.chat_name = (!n.is_empty()).then(|| n.to_string());
        }
        let Some(msgs) = dom.query_selector("div.message") else {
            return Ok(());
        };
        let mut last_sender: Option<String> = None;
        let mut push = |msg: Message, people: &mut bool| {
            *people |= msg.kind != MessageKind::Unparsed;
            sink.push(msg)
        };
        for h in msgs {
            let Some(m) = tag(h, p) else { continue };
            let id = attr(m, "id").and_then(|i| {
                i.strip_prefix("message")
                    .and_then(|n| n.parse::<i64>().ok())
            });
            if id.is_some_and(|i| i < 0) {
                continue; // a day separator
            }
            self.last += 1;
            let mut msg = Message::new(
                self.last,
                MessageKind::Message,
                SourceRef {
                    file: name.to_string(),
                    lines: None,
                    message_id: id,
                },
            );
            let Some(body) = children_with(m, p, "body").into_iter().next() else {
                msg.kind = MessageKind::Unparsed;
                msg.text = text(m, p);
                push(msg, &mut self.people)?;
                continue;
            };
            if has_class(m, "service") {
                msg.kind = MessageKind::System;
                msg.text = text(body, p).trim().to_string();
                push(msg, &mut self.people)?;
                continue;
            }
            read_body(body, p, &mut msg, media);
            match &msg.sender {
                Some(s) => last_sender = Some(s.clone()),
                None if has_class(m, "joined") => msg.sender = last_sender.clone(),
                None => {}
            }
            push(msg, &mut self.people)?;
        }
        Ok(())
    }

    /// One page read on its own (pages are independent but for their numbering and the
    /// chat name): its state and its messages, numbered from 1. [`Pages::append`] puts it
    /// after the pages before it; several pages can so be read at once.
    pub fn alone(
        name: &str,
        html: &str,
        media: &dyn Fn(&str) -> Option<(String, String)>,
    ) -> (Pages, Vec<Message>) {
        let mut p = Pages::default();
        let mut v = Vec::new();
        // A Vec takes every message: no error to stop at.
        let _ = p.page(name, html, media, &mut v);
        (p, v)
    }

    /// A page read [`Pages::alone`] as the next page: its messages into `sink`, numbered
    /// on; exactly what [`Pages::page`] would have done with it.
    pub fn append(
        &mut self,
        page: Pages,
        messages: Vec<Message>,
        sink: &mut dyn Sink,
    ) -> crate::error::Result<()> {
        for mut m in messages {
            m.index += self.last;
            sink.push(m)?;
        }
        self.last += page.last;
        if self.chat_name.is_none() {
            self.chat_name = page.chat_name;
        }
        self.people |= page.people;
        Ok(())
    }

    /// Whether any message pushed so far is one (not a line that could not be placed).
    pub fn has_messages(&self) -> bool {
        self.people
    }

    /// The header: source format, chat name, time note.
    pub fn head(&self) -> Transcript {
        let mut t = Transcript::new(
            "telegram-html",
            "each message's title gives the exporting computer's local time with its UTC offset; `timestamp_utc` is computed from it",
        );
        t.chat_name = self.chat_name.clone();
        t
    }
}

/// Fill a message from its `div.body`.
fn read_body(
    body: &HTMLTag,
    p: &Parser,
    msg: &mut Message,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) {
    for h in body.children().top().iter() {
        let Some(c) = tag(*h, p) else { continue };
        if has_class(c, "date") && has_class(c, "details") {
            let title = decode_entities(&attr(c, "title").unwrap_or_default());
            let mut lines = title.lines();
            let (local, utc) = parse_date(lines.next().unwrap_or(""));
            msg.timestamp_written = title.lines().next().unwrap_or("").to_string();
            msg.timestamp_local = local;
            msg.timestamp_utc = utc;
            if let Some(e) = lines.find_map(|l| l.trim().strip_prefix("Edited:")) {
                msg.edited = parse_date(e.trim()).0;
            }
        } else if has_class(c, "from_name") {
            let s = text(c, p);
            msg.sender = Some(s.trim().to_string());
        } else if has_class(c, "reply_to") {
            msg.reply_to = c
                .query_selector(p, "a")
                .and_then(|mut q| q.next())
                .and_then(|a| tag(a, p))
                .and_then(|a| attr(a, "href"))
                .and_then(|h| {
                    h.strip_prefix("#go_to_message")
                        .and_then(|n| n.parse().ok())
                });
        } else if has_class(c, "forwarded") {
            for f in c.children().top().iter().filter_map(|h| tag(*h, p)) {
                if has_class(f, "from_name") {
                    msg.forwarded_from = Some(text(f, p).trim().to_string());
                } else {
                    fill_content(f, p, msg, media);
                }
            }
        } else {
            fill_content(c, p, msg, media);
        }
    }
}

fn fill_content(
    c: &HTMLTag,
    p: &Parser,
    msg: &mut Message,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) {
    if has_class(c, "text") {
        msg.text = text(c, p).trim_matches(['\n', ' ']).to_string();
    } else if has_class(c, "media_wrap") {
        msg.attachments.extend(attachments(c, p, media));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_and_dates() {
        assert_eq!(
            decode_entities("a &amp; b &lt;&#39;&#x1F600;&gt; &bogus; &"),
            "a & b <'😀> &bogus; &"
        );
        assert_eq!(decode_entities("&èèèèèèèèèè;x &"), "&èèèèèèèèèè;x &");
        // The fixed-place reading agrees with chrono's format parser.
        for (d, t) in [
            ("20.11.2026", "21:10:00"),
            ("29.02.2024", "00:00:59"),
            ("29.02.2023", "10:00:00"),
            ("31.04.2026", "10:00:00"),
            ("01.01.0099", "23:59:00"),
            ("01.13.2026", "10:00:00"),
            ("01.01.2026", "24:00:00"),
            ("01.01.2026", "10:60:00"),
            ("00.01.2026", "10:00:00"),
        ] {
            let chrono =
                chrono::NaiveDateTime::parse_from_str(&format!("{d} {t}"), "%d.%m.%Y %H:%M:%S")
                    .ok();
            assert_eq!(fixed_date(d, t), chrono, "{d} {t}");
        }
        assert_eq!(fixed_date("1.1.2026", "10:00:00"), None);
        let (l, u) = parse_date("20.11.2026 21:10:00 UTC+01:00");
        assert_eq!(l.as_deref(), Some("2026-11-20T21:10:00"));
        assert_eq!(u.as_deref(), Some("2026-11-20T20:10:00.000Z"));
        assert_eq!(page_number("messages.html"), 1);
        assert_eq!(page_number("x/messages12.html"), 12);
        assert_eq!(page_number("lists/chats.html"), 0);
    }

    #[test]
    fn broken_pages_never_panic() {
        for page in [
            "",
            "<div class=\"message default\" id=\"message9\"><div class=\"body\"><div class=\"pull_right date details\" title=\"99.99.9999 UTC+99",
            "<div class=\"message\" id=\"messageè\">&#xFFFFFFFF; &#55296; <br><br",
            "<div class=\"message joined\"><div class=\"body\"><div class=\"media_wrap\"><a href=\"../../etc/passwd\"></a><div class=\"media\"></div>",
        ] {
            let t = parse(&[("messages.html".into(), page.into())], &|_| None);
            assert!(t.messages.len() <= 1);
        }
    }
}
