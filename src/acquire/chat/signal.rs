//! Signal text exports as written by common exporters (signal-export and similar):
//! `[2019-12-24, 12:23] Name: text` (the comma is optional, seconds too), bodies over
//! several lines, attachments as Markdown links (`![photo](media/x.jpg)`, `[file](y.pdf)`)
//! or `<attached: name>`. Signal itself has no export: the times are the exporter's
//! rendering of the desktop database, in the computer's local time.
//!
//! A bracketed ISO date without seconds is Signal; WhatsApp's bracketed (iOS) layout always
//! writes seconds. `--as chat-signal` forces the reading.

use std::sync::OnceLock;

use regex::Regex;

use crate::acquire::chat::transcript::{
    Attachment, Message, MessageKind, Sink, SourceRef, Transcript,
};

fn head_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\[(\d{4})-(\d{2})-(\d{2}),?\s(\d{2}):(\d{2})(?::(\d{2}))?\]\s(.*)$")
            .expect("static regex")
    })
}

fn link_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"!?\[[^\]\n]*\]\(([^)\s]+)\)|<attached:\s*([^>]+)>").expect("static regex")
    })
}

/// Whether the text looks like a Signal export: most of the first lines are headers, none
/// with seconds.
pub fn looks_like(text: &str) -> bool {
    let first: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let heads: Vec<_> = first.iter().filter_map(|l| head_re().captures(l)).collect();
    !heads.is_empty() && heads.len() * 2 >= first.len() && heads.iter().all(|c| c.get(6).is_none())
}

/// Parse a Signal text export held in memory. `media(path)` resolves an attachment path.
/// Acquisitions stream the file line by line through the same [`Parser`].
pub fn parse(
    text: &str,
    file_name: &str,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut t = head();
    let mut p = Parser::new(file_name);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Parsing into a Vec cannot fail.
    for raw in text.lines() {
        let _ = p.line(raw, &mut t.messages, media);
    }
    let _ = p.end(&mut t.messages, media);
    t.finish();
    t
}

/// Call `f` with every line of `r` as `str::lines` gives them from the text with its
/// byte-order mark removed (no line for an empty text; `\r\n` and `\n` end lines; invalid
/// UTF-8 replaced as `String::from_utf8_lossy` does), reading one line at a time.
pub fn each_line(
    mut r: impl std::io::BufRead,
    on_read_error: &dyn Fn(std::io::Error) -> crate::error::Error,
    f: &mut dyn FnMut(&str) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut first = true;
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf).map_err(on_read_error)? == 0 {
            return Ok(());
        }
        let mut l = &buf[..];
        if std::mem::take(&mut first) {
            l = l.strip_prefix("\u{feff}".as_bytes()).unwrap_or(l);
            if l.is_empty() {
                continue;
            }
        }
        if let Some(x) = l.strip_suffix(b"\n") {
            l = x.strip_suffix(b"\r").unwrap_or(x);
        }
        f(&String::from_utf8_lossy(l))?;
    }
}

/// The transcript header.
pub fn head() -> Transcript {
    Transcript::new(
        "signal-text",
        "local time of the computer the export was made on, as written by the exporter; no UTC offset is recorded",
    )
}

/// Lines (as `str::lines` gives them) become messages, each handed over once complete.
pub struct Parser<'a> {
    file_name: &'a str,
    idx: usize,
    ln: usize,
    pending: Option<Message>,
}

impl<'a> Parser<'a> {
    /// A parser of the export file `file_name`.
    pub fn new(file_name: &'a str) -> Parser<'a> {
        Parser {
            file_name,
            idx: 0,
            ln: 0,
            pending: None,
        }
    }

    /// The next line, as `str::lines` gives it from the text without its byte-order mark
    /// (see [`each_line`]).
    pub fn line(
        &mut self,
        raw: &str,
        sink: &mut dyn Sink,
        media: &dyn Fn(&str) -> Option<(String, String)>,
    ) -> crate::error::Result<()> {
        self.ln += 1;
        let ln = self.ln;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let src = SourceRef {
            file: self.file_name.to_string(),
            lines: Some([ln, ln]),
            message_id: None,
        };
        if let Some(c) = head_re().captures(line) {
            self.flush(sink, media)?;
            self.idx += 1;
            let mut m = Message::new(self.idx, MessageKind::Message, src);
            let g = |i: usize| c.get(i).map_or("", |m| m.as_str());
            m.timestamp_written = line[1..line.find(']').unwrap_or(1)].to_string();
            let sec = if g(6).is_empty() { "00" } else { g(6) };
            let local = format!("{}-{}-{}T{}:{}:{sec}", g(1), g(2), g(3), g(4), g(5));
            m.timestamp_local = chrono::NaiveDateTime::parse_from_str(&local, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|_| local);
            match g(7).split_once(": ") {
                Some((s, b)) if !s.is_empty() && s.chars().count() <= 80 => {
                    m.sender = Some(s.to_string());
                    m.text = b.to_string();
                }
                _ => {
                    m.kind = MessageKind::System;
                    m.text = g(7).to_string();
                }
            }
            self.pending = Some(m);
            return Ok(());
        }
        match self.pending.as_mut() {
            Some(m) if m.kind != MessageKind::Unparsed => {
                m.text.push('\n');
                m.text.push_str(line);
                if let Some(l) = m.source.lines.as_mut() {
                    l[1] = ln;
                }
            }
            _ => {
                self.flush(sink, media)?;
                self.idx += 1;
                let mut m = Message::new(self.idx, MessageKind::Unparsed, src);
                m.text = line.to_string();
                self.pending = Some(m);
            }
        }
        Ok(())
    }

    /// Hand over the last message.
    pub fn end(
        &mut self,
        sink: &mut dyn Sink,
        media: &dyn Fn(&str) -> Option<(String, String)>,
    ) -> crate::error::Result<()> {
        self.flush(sink, media)
    }

    fn flush(
        &mut self,
        sink: &mut dyn Sink,
        media: &dyn Fn(&str) -> Option<(String, String)>,
    ) -> crate::error::Result<()> {
        let Some(mut m) = self.pending.take() else {
            return Ok(());
        };
        if m.kind == MessageKind::Message {
            let names: Vec<String> = link_re()
                .captures_iter(&m.text)
                .filter_map(|c| c.get(1).or(c.get(2)).map(|x| x.as_str().trim().to_string()))
                .filter(|n| !n.starts_with("http://") && !n.starts_with("https://"))
                .collect();
            for n in names {
                m.attachments.push(Attachment::resolve(&n, None, media));
            }
            let trimmed = m.text.trim();
            if trimmed == "This message was deleted." || trimmed == "This message was deleted" {
                m.kind = MessageKind::Deleted;
            }
        }
        sink.push(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_lines_are_str_lines() {
        let io = |e: std::io::Error| crate::error::Error::internal(e.to_string());
        for text in [
            "",
            "\u{feff}",
            "\u{feff}\n",
            "a",
            "a\n",
            "a\r\nb\r\r\n\nc\r",
            "\u{feff}[2019-12-24, 12:23] Ann: hi\nmore\n",
        ] {
            let mut got = Vec::new();
            each_line(text.as_bytes(), &io, &mut |l| {
                got.push(l.to_string());
                Ok(())
            })
            .unwrap();
            let t = text.strip_prefix('\u{feff}').unwrap_or(text);
            let want: Vec<String> = t.lines().map(str::to_string).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }
}
