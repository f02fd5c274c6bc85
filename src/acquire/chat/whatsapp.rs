//! WhatsApp "Export chat" text: Android (`12/03/2023, 21:04 - Anna: hi`) and iOS
//! (`[12/03/2023, 21:04:05] Anna: hi`) layouts, 12- and 24-hour clocks, the date orders
//! and separators of common locales (detected from the whole file, or forced), multi-line
//! messages, attachment forms, system lines, U+200E/U+202F marks and CRLF line ends.
//! No line is ever dropped: what cannot be placed is kept verbatim as `unparsed`.

use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;

use crate::acquire::chat::transcript::{
    Attachment, Message, MessageKind, Sink, SourceRef, Transcript,
};

/// How to read the three numbers of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// Day, month, year (most of the world).
    Dmy,
    /// Month, day, year (United States).
    Mdy,
    /// Year, month, day (ISO, some locales).
    Ymd,
}

impl DateOrder {
    /// Parse a `--date-format` such as `DD/MM/YYYY`, `MM/DD/YY`, `YYYY-MM-DD`.
    pub fn from_format(f: &str) -> Option<DateOrder> {
        let u = f.to_ascii_uppercase();
        let pos = |c: char| u.find(c);
        let (d, m, y) = (pos('D')?, pos('M')?, pos('Y')?);
        Some(if y < m && m < d {
            DateOrder::Ymd
        } else if m < d {
            DateOrder::Mdy
        } else {
            DateOrder::Dmy
        })
    }

    fn name(self) -> &'static str {
        match self {
            DateOrder::Dmy => "DMY",
            DateOrder::Mdy => "MDY",
            DateOrder::Ymd => "YMD",
        }
    }
}

fn start_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // [optional LRM][optional '['] a/b/c[,] hh:mm[:ss][ AM/PM][']'][ - ] rest
        Regex::new(
            r"^[\u{200e}\u{200f}]?(\[)?(\d{1,4})[./-](\d{1,2})[./-](\d{1,4}),?\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[\s\u{202f}\u{a0}]*([AaPp])\.?\s?[Mm]\.?)?(\])?(\s+-\s+|\s+)(.*)$",
        )
        .expect("static regex")
    })
}

struct Head {
    written: String,
    nums: (u32, u32, u32),
    time: (u32, u32, u32, Option<bool>),
    rest: String,
    ios: bool,
}

fn parse_head(line: &str) -> Option<Head> {
    let c = start_re().captures(line)?;
    let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let ios = c.get(1).is_some();
    if ios != c.get(9).is_some() {
        return None; // unbalanced brackets: not a header
    }
    let pm = c.get(8).map(|m| m.as_str().eq_ignore_ascii_case("p"));
    let whole = c.get(0)?.as_str();
    if !ios && !c.get(10)?.as_str().contains('-') {
        return None; // Android headers are followed by " - "
    }
    let rest = c.get(11)?.as_str();
    let written = whole[..whole.len() - rest.len()]
        .trim_start_matches(['\u{200e}', '\u{200f}'])
        .trim_end()
        .trim_end_matches(['-', ':'])
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    Some(Head {
        written,
        nums: (n(2)?, n(3)?, n(4)?),
        time: (n(5)?, n(6)?, n(7).unwrap_or(0), pm),
        rest: rest.to_string(),
        ios,
    })
}

/// What the first pass learns from every header of the file: enough to choose the date
/// order and the layout before any message is read (so the second pass can stream).
#[derive(Debug, Default, Clone)]
pub struct Headers {
    count: usize,
    ios: usize,
    year_first: bool,
    first_gt12: bool,
    second_gt12: bool,
    ampm: bool,
}

impl Headers {
    /// Look at one line (a header or not).
    pub fn line(&mut self, line: &str) {
        if let Some(h) = parse_head(line) {
            self.count += 1;
            self.ios += usize::from(h.ios);
            self.year_first |= h.nums.0 > 31;
            self.first_gt12 |= h.nums.0 > 12;
            self.second_gt12 |= h.nums.1 > 12;
            self.ampm |= h.time.3.is_some();
        }
    }
}

/// Decide the date order from every header of the file.
fn detect_order(h: &Headers) -> (DateOrder, String) {
    if h.year_first {
        return (DateOrder::Ymd, "the first number is a year".into());
    }
    match (h.first_gt12, h.second_gt12) {
        (true, false) => (DateOrder::Dmy, "a first number above 12 was found: day/month".into()),
        (false, true) => (DateOrder::Mdy, "a second number above 12 was found: month/day".into()),
        _ if h.ampm => (DateOrder::Mdy, "ambiguous dates with a 12-hour clock: assumed month/day (US locale); override with --date-format".into()),
        _ => (DateOrder::Dmy, "ambiguous dates: assumed day/month; override with --date-format".into()),
    }
}

fn to_datetime(h: &Head, order: DateOrder) -> Option<NaiveDateTime> {
    let (a, b, c) = h.nums;
    let (y, m, d) = match order {
        DateOrder::Dmy => (c, b, a),
        DateOrder::Mdy => (c, a, b),
        DateOrder::Ymd => (a, b, c),
    };
    let y = if y < 100 { 2000 + y } else { y };
    let (mut hh, mm, ss, pm) = h.time;
    match pm {
        Some(true) if hh < 12 => hh += 12,
        Some(false) if hh == 12 => hh = 0,
        _ => {}
    }
    Some(NaiveDateTime::new(
        NaiveDate::from_ymd_opt(y as i32, m, d)?,
        NaiveTime::from_hms_opt(hh, mm, ss)?,
    ))
}

/// What WhatsApp writes in each major locale (docs/chats.md lists the same table). The
/// words come from the app's translations as seen in exports; a marker not listed here
/// stays plain text, never lost.
pub struct Locale {
    /// Language tag.
    pub lang: &'static str,
    /// Android's placeholder for media left out of the export.
    pub media_omitted: &'static [&'static str],
    /// The "deleted" markers (for messages deleted by others and by the exporter).
    pub deleted: &'static [&'static str],
    /// Android's suffix after an attached file name, without parentheses.
    pub file_attached: &'static [&'static str],
    /// iOS's `<word: name>` tag for an attached file.
    pub attached: &'static [&'static str],
    /// Export file names: the text before and after the chat name.
    pub export_name: &'static [(&'static str, &'static str)],
}

/// The locale table.
pub const LOCALES: &[Locale] = &[
    Locale {
        lang: "en",
        media_omitted: &[
            "<Media omitted>",
            "image omitted",
            "video omitted",
            "audio omitted",
            "sticker omitted",
            "GIF omitted",
            "document omitted",
        ],
        deleted: &["This message was deleted", "You deleted this message"],
        file_attached: &["file attached"],
        attached: &["attached"],
        export_name: &[("WhatsApp Chat with ", ""), ("WhatsApp Chat - ", "")],
    },
    Locale {
        lang: "es",
        media_omitted: &[
            "<Multimedia omitido>",
            "imagen omitida",
            "video omitido",
            "audio omitido",
            "sticker omitido",
        ],
        deleted: &[
            "Se eliminó este mensaje.",
            "Se eliminó este mensaje",
            "Eliminaste este mensaje.",
        ],
        file_attached: &["archivo adjunto"],
        attached: &["adjunto"],
        export_name: &[("Chat de WhatsApp con ", "")],
    },
    Locale {
        lang: "pt",
        media_omitted: &[
            "<Mídia oculta>",
            "<Arquivo de mídia oculto>",
            "<Multimédia omitido>",
            "imagem ocultada",
            "vídeo omitido",
            "áudio ocultado",
        ],
        deleted: &[
            "Esta mensagem foi apagada",
            "Mensagem apagada",
            "Você apagou esta mensagem",
        ],
        file_attached: &["arquivo anexado", "ficheiro anexado"],
        attached: &["anexado"],
        export_name: &[("Conversa do WhatsApp com ", "")],
    },
    Locale {
        lang: "fr",
        media_omitted: &[
            "<Médias omis>",
            "image absente",
            "vidéo absente",
            "audio omis",
        ],
        deleted: &["Ce message a été supprimé", "Vous avez supprimé ce message"],
        file_attached: &["fichier joint"],
        attached: &["pièce jointe"],
        export_name: &[("Discussion WhatsApp avec ", "")],
    },
    Locale {
        lang: "de",
        media_omitted: &[
            "<Medien ausgeschlossen>",
            "Bild weggelassen",
            "Video weggelassen",
            "Audio weggelassen",
            "Sticker weggelassen",
        ],
        deleted: &[
            "Diese Nachricht wurde gelöscht.",
            "Diese Nachricht wurde gelöscht",
            "Du hast diese Nachricht gelöscht.",
        ],
        file_attached: &["Datei angehängt"],
        attached: &["Anhang"],
        export_name: &[("WhatsApp Chat mit ", "")],
    },
    Locale {
        lang: "it",
        media_omitted: &[
            "<Media omessi>",
            "immagine omessa",
            "video omesso",
            "audio omesso",
            "sticker omesso",
        ],
        deleted: &[
            "Questo messaggio è stato eliminato",
            "Hai eliminato questo messaggio",
        ],
        file_attached: &["file allegato"],
        attached: &["allegato"],
        export_name: &[("Chat WhatsApp con ", "")],
    },
    Locale {
        lang: "nl",
        media_omitted: &[
            "<Media weggelaten>",
            "afbeelding weggelaten",
            "video weggelaten",
        ],
        deleted: &[
            "Dit bericht is verwijderd",
            "Je hebt dit bericht verwijderd",
        ],
        file_attached: &["bestand bijgevoegd"],
        attached: &["bijgevoegd"],
        export_name: &[("WhatsApp-chat met ", "")],
    },
    Locale {
        lang: "tr",
        media_omitted: &["<Medya dahil edilmedi>", "görüntü dahil edilmedi"],
        deleted: &["Bu mesaj silindi", "Bu mesajı sildiniz"],
        file_attached: &["dosya ekli"],
        attached: &["eklendi"],
        export_name: &[("", " ile WhatsApp Sohbeti")],
    },
    Locale {
        lang: "ru",
        media_omitted: &["<Без медиафайлов>", "изображение отсутствует"],
        deleted: &["Данное сообщение удалено", "Вы удалили данное сообщение"],
        file_attached: &["файл добавлен"],
        attached: &["вложение"],
        export_name: &[("Чат WhatsApp с ", "")],
    },
    Locale {
        lang: "id",
        media_omitted: &["<Media tidak disertakan>", "gambar tidak disertakan"],
        deleted: &["Pesan ini telah dihapus", "Anda menghapus pesan ini"],
        file_attached: &["file terlampir"],
        attached: &["terlampir"],
        export_name: &[("Chat WhatsApp dengan ", "")],
    },
    Locale {
        lang: "ar",
        media_omitted: &["<تم استبعاد الوسائط>", "<الوسائط غير مضمنة>"],
        deleted: &["تم حذف هذه الرسالة", "لقد حذفت هذه الرسالة"],
        file_attached: &["ملف مرفق"],
        attached: &["مرفق"],
        export_name: &[("دردشة WhatsApp مع ", "")],
    },
    Locale {
        lang: "hi",
        media_omitted: &["<मीडिया के बिना>", "<मीडिया छोड़ दिया गया>"],
        deleted: &["यह मैसेज हटा दिया गया था", "आपने यह मैसेज हटा दिया"],
        file_attached: &["फ़ाइल संलग्न है"],
        attached: &["संलग्न"],
        export_name: &[("", " के साथ WhatsApp चैट")],
    },
];

fn is_deleted(body: &str) -> bool {
    let b = body.trim_matches('\u{200e}').trim();
    LOCALES.iter().flat_map(|l| l.deleted).any(|d| b == *d)
}

/// The media-omitted marker a message body is, if any.
fn media_omitted(body: &str) -> Option<&'static str> {
    let b = body.trim_matches('\u{200e}').trim();
    LOCALES
        .iter()
        .flat_map(|l| l.media_omitted)
        .find(|d| b.eq_ignore_ascii_case(d))
        .copied()
}

/// The chat name in an export's file name (`WhatsApp Chat with Marco.zip`), by locale.
pub fn chat_name_from_file(file: &str) -> Option<String> {
    let stem = file
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file)
        .trim_end_matches(".zip")
        .trim_end_matches(".txt");
    LOCALES
        .iter()
        .flat_map(|l| l.export_name)
        .find_map(|(pre, post)| {
            let n = stem.strip_prefix(pre)?.strip_suffix(post)?.trim();
            (!n.is_empty() && (!pre.is_empty() || !post.is_empty())).then(|| n.to_string())
        })
}

/// Attachments named in a message text.
fn attachments_in(text: &str) -> Vec<String> {
    static RES: OnceLock<[Regex; 2]> = OnceLock::new();
    let res = RES.get_or_init(|| {
        let alt = |f: fn(&Locale) -> &'static [&'static str]| {
            LOCALES
                .iter()
                .flat_map(f)
                .map(|w| regex::escape(w))
                .collect::<Vec<_>>()
                .join("|")
        };
        [
            Regex::new(&format!(r"<(?:{})\s?:\s*([^>]+)>", alt(|l| l.attached)))
                .expect("static regex"),
            Regex::new(&format!(
                r"^\s*([^\n]+?\.[A-Za-z0-9]{{2,5}}) \((?:{})\)",
                alt(|l| l.file_attached)
            ))
            .expect("static regex"),
        ]
    });
    let mut v = Vec::new();
    // Each pattern needs a literal ('<', " ("): most messages have neither, and the
    // regexes are then not run at all.
    let needs = [text.contains('<'), text.contains(" (")];
    for (re, _) in res.iter().zip(needs).filter(|(_, n)| *n) {
        for c in re.captures_iter(text) {
            v.push(c[1].trim().trim_matches('\u{200e}').to_string());
        }
    }
    v
}

/// Resolves an attachment name to (item path, SHA-256), or says it is missing; may fail
/// (hashing a file beside the export).
pub type Media<'a> = &'a mut dyn FnMut(&str) -> crate::error::Result<Option<(String, String)>>;

/// Call `f` with every line of `r` as `str::split('\n')` would give it (a final newline
/// ends the last line; `\r` before it is dropped; invalid UTF-8 replaced as
/// `String::from_utf8_lossy` does), reading one line at a time.
pub fn each_line(
    mut r: impl std::io::BufRead,
    on_read_error: &dyn Fn(std::io::Error) -> crate::error::Error,
    f: &mut dyn FnMut(&str) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut any = false;
    loop {
        buf.clear();
        let n = r.read_until(b'\n', &mut buf).map_err(on_read_error)?;
        if n == 0 {
            if !any {
                f("")?; // an empty text is one empty line, as `split` gives it
            }
            return Ok(());
        }
        any = true;
        let ends = buf.last() == Some(&b'\n');
        let mut l = &buf[..buf.len() - usize::from(ends)];
        l = l.strip_suffix(b"\r").unwrap_or(l);
        f(&String::from_utf8_lossy(l))?;
    }
}

/// The second pass: lines become messages, each handed to the sink once it is complete
/// (at the next header or line that cannot continue it, or at the end).
pub struct Parser<'a> {
    order: DateOrder,
    file_name: &'a str,
    idx: usize,
    ln: usize,
    pending: Option<Message>,
}

impl<'a> Parser<'a> {
    /// A parser reading dates in `order`; `file_name` is the chat text's name in the export.
    pub fn new(order: DateOrder, file_name: &'a str) -> Parser<'a> {
        Parser {
            order,
            file_name,
            idx: 0,
            ln: 0,
            pending: None,
        }
    }

    fn src(&self) -> SourceRef {
        SourceRef {
            file: self.file_name.to_string(),
            lines: Some([self.ln, self.ln]),
            message_id: None,
        }
    }

    /// The next line.
    pub fn line(
        &mut self,
        line: &str,
        sink: &mut dyn Sink,
        media: Media,
    ) -> crate::error::Result<()> {
        self.ln += 1;
        if let Some(h) = parse_head(line) {
            self.flush(sink, media)?;
            self.idx += 1;
            let rest = h.rest.trim_start_matches('\u{200e}');
            let (sender, body) = match rest.split_once(": ") {
                Some((s, b))
                    if !s.is_empty() && s.chars().count() <= 80 && !s.contains('\u{200e}') =>
                {
                    (Some(s.trim_matches('\u{200e}').to_string()), b.to_string())
                }
                _ => (None, rest.to_string()),
            };
            let kind = if sender.is_none() {
                MessageKind::System
            } else if is_deleted(&body) {
                MessageKind::Deleted
            } else {
                MessageKind::Message
            };
            let mut m = Message::new(self.idx, kind, self.src());
            m.timestamp_local = to_datetime(&h, self.order).map(|t| super::iso_local(&t));
            m.timestamp_written = h.written;
            m.sender = sender;
            m.text = body;
            self.pending = Some(m);
            return Ok(());
        }
        match self.pending.as_mut() {
            Some(m) if m.kind != MessageKind::Unparsed => {
                m.text.push('\n');
                m.text.push_str(line);
                if let Some(s) = m.source.lines.as_mut() {
                    s[1] = self.ln;
                }
            }
            _ => {
                self.flush(sink, media)?;
                self.idx += 1;
                let mut m = Message::new(self.idx, MessageKind::Unparsed, self.src());
                m.text = line.to_string();
                self.pending = Some(m);
            }
        }
        Ok(())
    }

    /// Hand over the last message.
    pub fn end(&mut self, sink: &mut dyn Sink, media: Media) -> crate::error::Result<()> {
        self.flush(sink, media)
    }

    fn flush(&mut self, sink: &mut dyn Sink, media: Media) -> crate::error::Result<()> {
        let Some(mut m) = self.pending.take() else {
            return Ok(());
        };
        if m.kind == MessageKind::Message {
            for name in attachments_in(&m.text) {
                let found = media(&name)?;
                m.attachments.push(Attachment {
                    present: found.is_some(),
                    path: found.as_ref().map(|f| f.0.clone()),
                    sha256: found.map(|f| f.1),
                    name,
                    media_type: None,
                });
            }
            if let Some(marker) = media_omitted(&m.text) {
                // Left out by "export without media": recorded as missing, never invented.
                m.attachments.push(Attachment {
                    name: marker.to_string(),
                    present: false,
                    path: None,
                    sha256: None,
                    media_type: Some("omitted-from-export".into()),
                });
            }
        }
        sink.push(m)
    }
}

/// The date order to read with (forced, or chosen from the headers) and why.
pub fn order_of(headers: &Headers, forced: Option<DateOrder>) -> (DateOrder, String) {
    match forced {
        Some(o) => (o, "given with --date-format".to_string()),
        None => detect_order(headers),
    }
}

/// The transcript header (no messages yet) of an export named `file_name`.
pub fn head(file_name: &str, headers: &Headers, order: DateOrder, why: &str) -> Transcript {
    let ios = headers.ios * 2 > headers.count;
    let mut t = Transcript::new(
        if ios {
            "whatsapp-ios"
        } else {
            "whatsapp-android"
        },
        "local time of the exporting phone as written in the export; its UTC offset is not recorded by WhatsApp",
    );
    t.chat_name = chat_name_from_file(file_name);
    t.date_order = Some(format!("{} ({why})", order.name()));
    t
}

/// Parse a WhatsApp export held in memory. `media(name)` says whether the named file is
/// in the export (and where it is stored, with its SHA-256). Acquisitions stream instead
/// (two passes over the file: [`Headers`], then [`Parser`]); this is the same code.
pub fn parse(
    text: &str,
    file_name: &str,
    forced: Option<DateOrder>,
    media: &dyn Fn(&str) -> Option<(String, String)>,
) -> Transcript {
    let mut headers = Headers::default();
    let r = || std::io::Cursor::new(text.as_bytes());
    let io = |e: std::io::Error| crate::error::Error::internal(e.to_string());
    let _ = each_line(r(), &io, &mut |l| {
        headers.line(l);
        Ok(())
    });
    let (order, why) = order_of(&headers, forced);
    let mut t = head(file_name, &headers, order, &why);
    let mut messages: Vec<Message> = Vec::new();
    let mut p = Parser::new(order, file_name);
    let mut resolve = |n: &str| Ok(media(n));
    // Reading from memory into a Vec cannot fail.
    let _ = each_line(r(), &io, &mut |l| p.line(l, &mut messages, &mut resolve));
    let _ = p.end(&mut messages, &mut resolve);
    t.messages = messages;
    t.finish();
    t
}

/// Whether text looks like a WhatsApp export (most non-empty of the first lines are headers).
pub fn looks_like(text: &str) -> bool {
    let first: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    !first.is_empty() && first.iter().filter(|l| parse_head(l).is_some()).count() * 2 >= first.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<(String, String)> {
        None
    }

    #[test]
    fn android_24h_dmy_multiline_and_system() {
        let t = parse(
            "12/03/2023, 21:04 - Messages and calls are end-to-end encrypted.\n12/03/2023, 21:05 - Anna: ciao\nsecond line\n13/03/2023, 08:00 - Marco: IMG-20230313-WA0001.jpg (file attached)\n13/03/2023, 08:01 - Marco: This message was deleted\n",
            "_chat.txt",
            None,
            &none,
        );
        assert_eq!(t.summary.messages, 2);
        assert_eq!(t.summary.system, 1);
        assert_eq!(t.summary.deleted, 1);
        assert_eq!(t.messages[1].text, "ciao\nsecond line");
        assert_eq!(t.messages[1].source.lines, Some([2, 3]));
        assert_eq!(
            t.messages[1].timestamp_local.as_deref(),
            Some("2023-03-12T21:05:00")
        );
        assert_eq!(t.summary.missing_media, vec!["IMG-20230313-WA0001.jpg"]);
        assert!(t.date_order.unwrap().starts_with("DMY"));
    }

    #[test]
    fn ios_12h_us_with_marks() {
        let t = parse(
            "[3/12/23, 9:04:05\u{202f}PM] Anna: hi\r\n\u{200e}[3/12/23, 9:05:00\u{202f}PM] Anna: \u{200e}<attached: 00000012-PHOTO-2023-03-12-21-05-00.jpg>\r\n",
            "_chat.txt",
            None,
            &none,
        );
        assert_eq!(t.source_format, "whatsapp-ios");
        assert_eq!(
            t.messages[0].timestamp_local.as_deref(),
            Some("2023-03-12T21:04:05")
        );
        assert_eq!(
            t.messages[1].attachments[0].name,
            "00000012-PHOTO-2023-03-12-21-05-00.jpg"
        );
    }

    #[test]
    fn german_dots_and_forced_order() {
        let t = parse(
            "01.02.23, 10:00 - Jan: hallo\n",
            "c.txt",
            Some(DateOrder::Mdy),
            &none,
        );
        assert_eq!(
            t.messages[0].timestamp_local.as_deref(),
            Some("2023-01-02T10:00:00")
        );
        assert_eq!(DateOrder::from_format("YYYY-MM-DD"), Some(DateOrder::Ymd));
        assert_eq!(DateOrder::from_format("MM/DD/YY"), Some(DateOrder::Mdy));
    }

    #[test]
    fn lines_before_the_first_header_are_kept() {
        let t = parse(
            "garbage line\n12/03/2023, 21:05 - Anna: ciao\n",
            "c.txt",
            None,
            &none,
        );
        assert_eq!(t.messages[0].kind, MessageKind::Unparsed);
        assert_eq!(t.summary.unparsed_lines, 1);
    }
    // The whole-transcript parser as it was before streaming (kept verbatim as the
    // reference the streamed output must equal).
    fn old_detect_order(heads: &[(u32, u32, u32)], has_ampm: bool) -> (DateOrder, String) {
        if heads.iter().any(|h| h.0 > 31) {
            return (DateOrder::Ymd, "the first number is a year".into());
        }
        let first_gt12 = heads.iter().any(|h| h.0 > 12);
        let second_gt12 = heads.iter().any(|h| h.1 > 12);
        match (first_gt12, second_gt12) {
            (true, false) => (DateOrder::Dmy, "a first number above 12 was found: day/month".into()),
            (false, true) => (DateOrder::Mdy, "a second number above 12 was found: month/day".into()),
            _ if has_ampm => (DateOrder::Mdy, "ambiguous dates with a 12-hour clock: assumed month/day (US locale); override with --date-format".into()),
            _ => (DateOrder::Dmy, "ambiguous dates: assumed day/month; override with --date-format".into()),
        }
    }
    fn old_parse(
        text: &str,
        file_name: &str,
        forced: Option<DateOrder>,
        media: &dyn Fn(&str) -> Option<(String, String)>,
    ) -> Transcript {
        let lines: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let n_lines = if text.ends_with('\n') {
            lines.len() - 1
        } else {
            lines.len()
        };
        let heads: Vec<Option<Head>> = lines[..n_lines].iter().map(|l| parse_head(l)).collect();
        let nums: Vec<(u32, u32, u32)> = heads.iter().flatten().map(|h| h.nums).collect();
        let has_ampm = heads.iter().flatten().any(|h| h.time.3.is_some());
        let ios = heads.iter().flatten().filter(|h| h.ios).count() * 2 > nums.len();
        let (order, why) = match forced {
            Some(o) => (o, "given with --date-format".to_string()),
            None => old_detect_order(&nums, has_ampm),
        };
        let mut messages: Vec<Message> = Vec::new();
        let mut idx = 0;
        let src = |a: usize, b: usize| SourceRef {
            file: file_name.to_string(),
            lines: Some([a, b]),
            message_id: None,
        };
        for (i, line) in lines[..n_lines].iter().enumerate() {
            let ln = i + 1;
            match &heads[i] {
                Some(h) => {
                    idx += 1;
                    let rest = h.rest.trim_start_matches('\u{200e}');
                    let (sender, body) = match rest.split_once(": ") {
                        Some((s, b))
                            if !s.is_empty()
                                && s.chars().count() <= 80
                                && !s.contains('\u{200e}') =>
                        {
                            (Some(s.trim_matches('\u{200e}').to_string()), b.to_string())
                        }
                        _ => (None, rest.to_string()),
                    };
                    let kind = if sender.is_none() {
                        MessageKind::System
                    } else if is_deleted(&body) {
                        MessageKind::Deleted
                    } else {
                        MessageKind::Message
                    };
                    messages.push(Message {
                        index: idx,
                        kind,
                        timestamp_written: h.written.clone(),
                        timestamp_local: to_datetime(h, order)
                            .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
                        timestamp_utc: None,
                        sender,
                        text: body,
                        attachments: Vec::new(),
                        reply_to: None,
                        forwarded_from: None,
                        edited: None,
                        reactions: Vec::new(),
                        mentions: Vec::new(),
                        embeds: Vec::new(),
                        source: src(ln, ln),
                    });
                }
                None => match messages.last_mut() {
                    Some(m) if m.kind != MessageKind::Unparsed => {
                        m.text.push('\n');
                        m.text.push_str(line);
                        if let Some(s) = m.source.lines.as_mut() {
                            s[1] = ln;
                        }
                    }
                    _ => {
                        idx += 1;
                        messages.push(Message {
                            index: idx,
                            kind: MessageKind::Unparsed,
                            timestamp_written: String::new(),
                            timestamp_local: None,
                            timestamp_utc: None,
                            sender: None,
                            text: line.to_string(),
                            attachments: Vec::new(),
                            reply_to: None,
                            forwarded_from: None,
                            edited: None,
                            reactions: Vec::new(),
                            mentions: Vec::new(),
                            embeds: Vec::new(),
                            source: src(ln, ln),
                        });
                    }
                },
            }
        }
        for m in &mut messages {
            if m.kind == MessageKind::Message {
                for name in attachments_in(&m.text) {
                    m.attachments.push(Attachment::resolve(&name, None, media));
                }
                if let Some(marker) = media_omitted(&m.text) {
                    // Left out by "export without media": recorded as missing, never invented.
                    m.attachments.push(Attachment {
                        name: marker.to_string(),
                        present: false,
                        path: None,
                        sha256: None,
                        media_type: Some("omitted-from-export".into()),
                    });
                }
            }
        }
        let mut t = Transcript {
            format: crate::acquire::chat::transcript::FORMAT.to_string(),
            source_format: if ios { "whatsapp-ios".into() } else { "whatsapp-android".into() },
            chat_name: chat_name_from_file(file_name),
            participants: Vec::new(),
            date_order: Some(format!("{} ({why})", order.name())),
            timezone_assumption: "local time of the exporting phone as written in the export; its UTC offset is not recorded by WhatsApp".into(),
            transformations: Vec::new(),
            summary: Default::default(),
            messages,
        };
        t.finish();
        t
    }

    const SAMPLES: &[&str] = &[
        "12/03/2023, 21:04 - Messages and calls are end-to-end encrypted.\n12/03/2023, 21:05 - Anna: ciao\nsecond line\n13/03/2023, 08:00 - Marco: IMG-20230313-WA0001.jpg (file attached)\n13/03/2023, 08:01 - Marco: This message was deleted\n",
        "[3/12/23, 9:04:05\u{202f}PM] Anna: hi\r\n\u{200e}[3/12/23, 9:05:00\u{202f}PM] Anna: \u{200e}<attached: 00000012-PHOTO-2023-03-12-21-05-00.jpg>\r\n",
        "01.02.23, 10:00 - Jan: hallo\n",
        "garbage line\nmore garbage\n12/03/2023, 21:05 - Anna: ciao <b>\"&'\n\n\n",
        "",
        "\n",
        "13/03/2023, 08:00 - Marco: <Media omitted>\n13/03/2023, 08:00 - Marco: doc.pdf (file attached)\nno newline at the end",
        "12/03/2023, 21:05 - Anna: bad \u{fffd} utf8\n2023-03-12, 21:05 - Zoë: ünïcode 👍\n",
    ];

    fn some(n: &str) -> Option<(String, String)> {
        n.ends_with(".pdf")
            .then(|| (format!("original/{n}"), "ab".repeat(32)))
    }

    #[test]
    fn streamed_transcripts_equal_the_whole_transcript_path() {
        for (i, text) in SAMPLES.iter().enumerate() {
            for forced in [None, Some(DateOrder::Mdy)] {
                let old = old_parse(text, "WhatsApp Chat with Anna.txt", forced, &some);
                crate::acquire::chat::transcript::assert_streams_as(&old, &mut |w| {
                    let mut headers = Headers::default();
                    let io = |e: std::io::Error| crate::error::Error::internal(e.to_string());
                    each_line(text.as_bytes(), &io, &mut |l| {
                        headers.line(l);
                        Ok(())
                    })?;
                    let (order, why) = order_of(&headers, forced);
                    let head = head("WhatsApp Chat with Anna.txt", &headers, order, &why);
                    let mut p = Parser::new(order, "WhatsApp Chat with Anna.txt");
                    let mut m = |n: &str| Ok(some(n));
                    each_line(text.as_bytes(), &io, &mut |l| p.line(l, w, &mut m))?;
                    p.end(w, &mut m)?;
                    Ok(head)
                });
                let new = parse(text, "WhatsApp Chat with Anna.txt", forced, &some);
                assert_eq!(
                    serde_json::to_string(&new).unwrap(),
                    serde_json::to_string(&old).unwrap(),
                    "sample {i}"
                );
            }
        }
    }
}
