//! Chat exports (WhatsApp, Telegram): the export preserved byte for byte as originals,
//! plus a parsed transcript (`derived/transcript.json`, `derived/transcript.html`) and,
//! for zipped exports, the media extracted as derived files so they can be hashed and
//! linked. See `docs/chats.md`.

pub mod discord;
pub mod meta;
mod more;
pub mod signal;
pub mod telegram;
pub mod telegram_html;
pub mod transcript;
pub mod whatsapp;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::acquire::chat::transcript::{Sink, Transcript, TranscriptWriter, Written};
use crate::acquire::{Acquisition, Artifact, Content};
use crate::error::{Error, IoContext, Result};
use crate::time::Stamp;

/// Largest chat text or JSON read into memory.
const MAX_CHAT_BYTES: u64 = 2 << 30;
/// Largest single member extracted from a zipped export.
const MAX_MEMBER_BYTES: u64 = 4 << 30;

/// Which app made the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatFormat {
    /// WhatsApp "Export chat" (.txt or .zip).
    WhatsApp,
    /// Telegram Desktop JSON export (result.json or its folder).
    Telegram,
    /// Telegram Desktop HTML export (messages.html … or its folder).
    TelegramHtml,
    /// Instagram or Facebook Messenger "Download your information" JSON (message_1.json …,
    /// a thread folder, or the zip).
    Meta,
    /// DiscordChatExporter JSON.
    Discord,
    /// A Signal text export.
    Signal,
}

impl ChatFormat {
    /// The app's name, for messages.
    pub fn app(self) -> &'static str {
        match self {
            ChatFormat::WhatsApp => "WhatsApp",
            ChatFormat::Telegram => "Telegram",
            ChatFormat::TelegramHtml => "Telegram HTML",
            ChatFormat::Meta => "Instagram / Messenger",
            ChatFormat::Discord => "Discord",
            ChatFormat::Signal => "Signal",
        }
    }
}

/// Parsing options.
#[derive(Debug, Clone, Default)]
pub struct ChatOptions {
    /// `--date-format` for WhatsApp (`DD/MM/YYYY`, `MM/DD/YY` …).
    pub date_format: Option<String>,
}

pub(crate) fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let f = std::fs::File::open(path).at("open", path)?;
    let mut buf = Vec::new();
    f.take(MAX_CHAT_BYTES)
        .read_to_end(&mut buf)
        .at("read", path)?;
    Ok(buf)
}

/// Detect a chat export by content: a WhatsApp text or zip, a Telegram result.json or its folder.
pub fn detect(path: &Path) -> Result<Option<ChatFormat>> {
    if path.is_dir() {
        if path.join("result.json").is_file() {
            return Ok(Some(ChatFormat::Telegram));
        }
        return more::detect_folder(path);
    }
    let mut head = vec![0u8; 64 * 1024];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .at("read", path)?;
    head.truncate(n);
    if head.starts_with(b"PK\x03\x04") {
        if more::zip_has_meta(path)? {
            return Ok(Some(ChatFormat::Meta));
        }
        return Ok(zip_chat_member(path)?.map(|_| ChatFormat::WhatsApp));
    }
    let text = String::from_utf8_lossy(&head);
    Ok(detect_text(&text))
}

/// The format of a single export file from its first 64 KiB.
fn detect_text(text: &str) -> Option<ChatFormat> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') {
        if discord::looks_like(t) {
            return Some(ChatFormat::Discord);
        }
        if meta::looks_like(t) {
            return Some(ChatFormat::Meta);
        }
        if t.contains("\"messages\"") || t.contains("\"chats\"") {
            return Some(ChatFormat::Telegram);
        }
        return None;
    }
    if t.starts_with('<') {
        return telegram_html::looks_like(t).then_some(ChatFormat::TelegramHtml);
    }
    if signal::looks_like(t) {
        return Some(ChatFormat::Signal);
    }
    whatsapp::looks_like(text).then_some(ChatFormat::WhatsApp)
}

fn is_zip(path: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"PK\x03\x04"
}

/// The chat text inside a WhatsApp zip export.
fn zip_chat_member(path: &Path) -> Result<Option<String>> {
    let f = std::fs::File::open(path).at("open", path)?;
    let mut z = match zip::ZipArchive::new(f) {
        Ok(z) => z,
        Err(e) => {
            return Err(
                Error::input(format!("'{}' is a broken zip ({e})", path.display())).with_fix(
                    "the export was cut short: export the chat again, or copy the file again",
                ),
            );
        }
    };
    for i in 0..z.len() {
        let Ok(mut e) = z.by_index(i) else { continue };
        let name = e.name().map(|n| n.to_string()).unwrap_or_default();
        if !name.to_lowercase().ends_with(".txt") || e.size() > MAX_CHAT_BYTES {
            continue;
        }
        let mut head = Vec::new();
        let _ = (&mut e).take(64 * 1024).read_to_end(&mut head);
        if whatsapp::looks_like(&String::from_utf8_lossy(&head)) {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

/// A local time as transcripts write it (`%Y-%m-%dT%H:%M:%S`), formatted directly for
/// the years 0–9999 without a leap second (the same text chrono's `format` writes),
/// through chrono otherwise.
pub(crate) fn iso_local(t: &chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    if (0..=9999).contains(&t.year()) && t.nanosecond() < 1_000_000_000 {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    } else {
        t.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

pub(crate) fn safe_name(n: &str) -> String {
    n.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != "." && *c != "..")
        .map(|c| {
            c.chars()
                .map(|ch| if ch.is_control() { '_' } else { ch })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Media files of an export, by the name messages use: (item path, SHA-256).
type MediaIndex = BTreeMap<String, (String, String)>;

/// Acquire a chat export as one item of kind `chat`: the export as given (originals),
/// then the parsed transcript (JSON and HTML, derived) and a summary in the facts.
pub fn acquire(path: &Path, format: ChatFormat, opts: &ChatOptions) -> Result<Acquisition> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "chat".into());
    let mut acq = Acquisition::start(crate::acquire::ItemKind::Chat, &name);
    acq.input
        .insert("export".into(), json!(path.display().to_string()));
    let order = date_order(opts)?;
    let dir = acq.scratch_dir()?;
    let mut w = TranscriptWriter::create(&dir)?;
    // Every format streams its messages into the writer (docs/chats.md): line by line,
    // with serde visitors, or one file of the export at a time (Meta threads, Telegram
    // HTML pages).
    let head = match format {
        ChatFormat::WhatsApp if path.is_file() && is_zip(path) => {
            whatsapp_zip(&mut acq, path, &name, order, &mut w)?
        }
        ChatFormat::WhatsApp => whatsapp_text(&mut acq, path, order, &mut w)?,
        ChatFormat::Telegram => telegram_export(&mut acq, path, &mut w)?,
        ChatFormat::TelegramHtml => more::telegram_html(&mut acq, path, &mut w)?,
        ChatFormat::Meta => more::meta(&mut acq, path, &name, &mut w)?,
        ChatFormat::Discord => more::discord(&mut acq, path, &mut w)?,
        ChatFormat::Signal => more::signal(&mut acq, path, &mut w)?,
    };
    let written = w.finish(head)?;
    acq.transformations
        .extend(written.head.transformations.iter().cloned());
    add_transcript(&mut acq, &written);
    record_summary(&mut acq, &written.head);
    acq.finished = Stamp::now();
    Ok(acq)
}

/// `--date-format`, if given, as a WhatsApp date order.
fn date_order(opts: &ChatOptions) -> Result<Option<whatsapp::DateOrder>> {
    opts.date_format
        .as_deref()
        .map(|f| {
            whatsapp::DateOrder::from_format(f).ok_or_else(|| {
                Error::input(format!("--date-format '{f}' is not understood"))
                    .with_fix("write it like DD/MM/YYYY, MM/DD/YY or YYYY-MM-DD")
            })
        })
        .transpose()
}

/// A WhatsApp zip export: the zip is the original; its media are extracted as derived
/// files (to the acquisition's scratch folder) so they can be hashed and linked from the
/// transcript. The chat text is read
/// from the zip twice, streaming (headers, then messages).
fn whatsapp_zip(
    acq: &mut Acquisition,
    path: &Path,
    name: &str,
    order: Option<whatsapp::DateOrder>,
    sink: &mut dyn Sink,
) -> Result<Transcript> {
    let member = zip_chat_member(path)?.ok_or_else(|| {
        Error::input(format!(
            "'{}' is a zip without a WhatsApp chat text inside",
            path.display()
        ))
        .with_fix("give the .zip made by WhatsApp's Export chat, or use --as files")
    })?;
    let original = format!("original/{}", safe_name(name));
    acq.artifacts.push(
        Artifact::original(original.clone(), Content::File(path.to_path_buf()))
            .from_file(path)
            .describe("WhatsApp export (zip) as given"),
    );
    let f = std::fs::File::open(path).at("open", path)?;
    let mut z = zip::ZipArchive::new(f)
        .map_err(|e| Error::input(format!("'{}': broken zip ({e})", path.display())))?;
    let scratch = acq.scratch_dir()?;
    let mut media = MediaIndex::new();
    let mut chat_entry = None;
    for i in 0..z.len() {
        if z.name_for_index(i)
            .and_then(|r| r.ok())
            .is_some_and(|n| n == member)
        {
            chat_entry = Some(i);
            continue;
        }
        let Some((mname, file, digest)) = extract_zip_member(&mut z, i, path, &scratch)? else {
            continue;
        };
        let base = mname.rsplit('/').next().unwrap_or(&mname).to_string();
        let p = format!("derived/media/{}", safe_name(&mname));
        media.insert(base, (p.clone(), digest.sha256));
        acq.artifacts.push(
            Artifact::derived(p, Content::File(file), vec![original.clone()])
                .describe(format!("extracted from the export zip (member '{mname}')")),
        );
    }
    acq.transformations.push("extracted the media files of the export zip as derived files (the zip itself is stored unchanged)".into());
    let i = chat_entry.ok_or_else(|| Error::internal("chat member vanished from the zip"))?;
    let bad = |er: std::io::Error| {
        Error::input(format!(
            "'{}': member '{member}' is truncated or corrupt ({er})",
            path.display()
        ))
        .with_fix("export the chat again; the zip was cut short")
    };
    let mut headers = whatsapp::Headers::default();
    {
        let e = z.by_index(i).map_err(|e| bad(std::io::Error::other(e)))?;
        whatsapp::each_line(std::io::BufReader::new(e), &bad, &mut |l| {
            headers.line(l);
            Ok(())
        })?;
    }
    let (order, why) = whatsapp::order_of(&headers, order);
    let mut t = whatsapp::head(&member, &headers, order, &why);
    t.chat_name = t.chat_name.or_else(|| whatsapp::chat_name_from_file(name));
    let mut p = whatsapp::Parser::new(order, &member);
    let mut resolve = |n: &str| Ok(media.get(n).cloned());
    let e = z.by_index(i).map_err(|e| bad(std::io::Error::other(e)))?;
    whatsapp::each_line(std::io::BufReader::new(e), &bad, &mut |l| {
        p.line(l, sink, &mut resolve)
    })?;
    p.end(sink, &mut resolve)?;
    Ok(t)
}

/// Entry `i` of an export zip, opened; the error says the zip is damaged.
fn zip_entry<'z>(
    z: &'z mut zip::ZipArchive<std::fs::File>,
    i: usize,
    path: &Path,
) -> Result<zip::read::ZipFile<'z, std::fs::File>> {
    z.by_index(i).map_err(|e| {
        Error::input(format!(
            "'{}': entry {i} unreadable ({e}); the zip is damaged",
            path.display()
        ))
        .with_fix("export the chat again")
    })
}

fn truncated(path: &Path, mname: &str, er: std::io::Error) -> Error {
    Error::input(format!(
        "'{}': member '{mname}' is truncated or corrupt ({er})",
        path.display()
    ))
    .with_fix("export the chat again; the zip was cut short")
}

/// Entry `i` of an export zip: its name and whether it is a folder.
pub(crate) fn zip_member_name(
    z: &mut zip::ZipArchive<std::fs::File>,
    i: usize,
    path: &Path,
) -> Result<(String, bool)> {
    let e = zip_entry(z, i, path)?;
    let name = e.name().map(|n| n.to_string()).unwrap_or_default();
    Ok((name, e.is_dir()))
}

/// Entry `i` of an export zip written to a new file in `dir` (a scratch folder) as it is
/// decompressed, and hashed on the way: its name, the file and its digest (`None` for a
/// folder entry). Memory stays flat whatever the member's size.
pub(crate) fn extract_zip_member(
    z: &mut zip::ZipArchive<std::fs::File>,
    i: usize,
    path: &Path,
    dir: &Path,
) -> Result<Option<(String, PathBuf, crate::evidence::hash::Digest256)>> {
    let mut e = zip_entry(z, i, path)?;
    let mname = e.name().map(|n| n.to_string()).unwrap_or_default();
    if e.is_dir() {
        return Ok(None);
    }
    let file = dir.join(format!("member-{i}"));
    let out = std::fs::File::create(&file).at("create", &file)?;
    let mut w = crate::evidence::hash::HashingWriter::new(std::io::BufWriter::with_capacity(
        256 * 1024,
        out,
    ));
    let mut r = (&mut e).take(MAX_MEMBER_BYTES);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        // A read error is the zip's; a write error is the disk's.
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(er) if er.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(er) => return Err(truncated(path, &mname, er)),
        };
        std::io::Write::write_all(&mut w, &buf[..n]).at("write", &file)?;
    }
    let (digest, out) = w.finish();
    out.into_inner()
        .map_err(|e| e.into_error())
        .at("write", &file)?;
    Ok(Some((mname, file, digest)))
}

/// Entry `i` of an export zip: its name and bytes (`None` for a folder entry).
pub(crate) fn read_zip_member(
    z: &mut zip::ZipArchive<std::fs::File>,
    i: usize,
    path: &Path,
) -> Result<(String, Option<Vec<u8>>)> {
    let mut e = zip_entry(z, i, path)?;
    let mname = e.name().map(|n| n.to_string()).unwrap_or_default();
    if e.is_dir() {
        return Ok((mname, None));
    }
    let mut buf = Vec::new();
    (&mut e)
        .take(MAX_MEMBER_BYTES)
        .read_to_end(&mut buf)
        .map_err(|er| truncated(path, &mname, er))?;
    Ok((mname, Some(buf)))
}

/// The WhatsApp chat text of a folder export, or the file itself.
fn whatsapp_text_file(path: &Path) -> Result<(PathBuf, PathBuf)> {
    if !path.is_dir() {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        return Ok((path.to_path_buf(), dir));
    }
    let looks = |p: &Path| {
        p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"))
            && head_of(p).is_ok_and(|h| whatsapp::looks_like(&String::from_utf8_lossy(&h)))
    };
    let t = std::fs::read_dir(path)
        .at("read", path)?
        .flatten()
        .map(|e| e.path())
        .find(|p| looks(p))
        .ok_or_else(|| {
            Error::input(format!("'{}' holds no WhatsApp chat .txt", path.display()))
                .with_fix("give the exported .txt or .zip")
        })?;
    Ok((t, path.to_path_buf()))
}

/// The first 64 KiB of a file.
fn head_of(p: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    std::fs::File::open(p)?
        .take(64 * 1024)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// A WhatsApp text export (a .txt, or a folder holding it): the text is the original, and
/// so is every media file it refers to that sits beside it. The text is read twice, line
/// by line (headers, then messages); a media file is hashed and added when the first
/// message naming it is complete.
fn whatsapp_text(
    acq: &mut Acquisition,
    path: &Path,
    order: Option<whatsapp::DateOrder>,
    sink: &mut dyn Sink,
) -> Result<Transcript> {
    let (txt, dir) = whatsapp_text_file(path)?;
    let tname = txt
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    acq.artifacts.push(
        Artifact::original(
            format!("original/{}", safe_name(&tname)),
            Content::File(txt.clone()),
        )
        .from_file(&txt)
        .describe("WhatsApp chat export text as given"),
    );
    let read = |e: std::io::Error| Error::io("read", &txt, e);
    let open = || -> Result<std::io::BufReader<std::fs::File>> {
        let f = std::fs::File::open(&txt).at("open", &txt)?;
        Ok(std::io::BufReader::with_capacity(256 * 1024, f))
    };
    let mut headers = whatsapp::Headers::default();
    whatsapp::each_line(open()?, &read, &mut |l| {
        headers.line(l);
        Ok(())
    })?;
    let (order, why) = whatsapp::order_of(&headers, order);
    let head = whatsapp::head(&tname, &headers, order, &why);
    let mut media = MediaIndex::new();
    let mut missing = std::collections::HashSet::new();
    let mut resolve = |name: &str| -> Result<Option<(String, String)>> {
        if let Some(f) = media.get(name) {
            return Ok(Some(f.clone()));
        }
        if missing.contains(name) {
            return Ok(None);
        }
        let p = dir.join(name);
        if name.contains(['/', '\\']) || !p.is_file() {
            missing.insert(name.to_string());
            return Ok(None);
        }
        let d = crate::evidence::hash::sha256_file(&p)?;
        let ip = format!("original/{}", safe_name(name));
        acq.artifacts.push(
            Artifact::original(ip.clone(), Content::File(p.clone()))
                .from_file(&p)
                .describe("media file of the export"),
        );
        media.insert(name.to_string(), (ip.clone(), d.sha256.clone()));
        Ok(Some((ip, d.sha256)))
    };
    let mut p = whatsapp::Parser::new(order, &tname);
    whatsapp::each_line(open()?, &read, &mut |l| p.line(l, sink, &mut resolve))?;
    p.end(sink, &mut resolve)?;
    Ok(head)
}

/// A Telegram Desktop JSON export: `result.json`, or its folder (then every file of the
/// folder is an original). The JSON is read twice, streaming: its shape (and that it is
/// valid JSON, before anything is written), then its messages one by one.
fn telegram_export(acq: &mut Acquisition, path: &Path, sink: &mut dyn Sink) -> Result<Transcript> {
    let json_path = if path.is_dir() {
        path.join("result.json")
    } else {
        path.to_path_buf()
    };
    let open = || -> Result<std::io::BufReader<std::fs::File>> {
        let f = std::fs::File::open(&json_path).at("open", &json_path)?;
        Ok(std::io::BufReader::with_capacity(256 * 1024, f))
    };
    let invalid = |e: &serde_json::Error| {
        if e.is_io() {
            return Error::io("read", &json_path, std::io::Error::other(e.to_string()));
        }
        Error::input(format!("'{}' is not valid JSON: {e} (line {}, column {})", json_path.display(), e.line(), e.column()))
            .with_fix("the export is damaged or incomplete: export the chat again from Telegram Desktop (JSON format)")
    };
    let probe = telegram::probe(open()?).map_err(|e| invalid(&e))?;
    if !probe.looks_like() {
        return Err(Error::input(format!(
            "'{}' is JSON but not a Telegram export (no messages)",
            json_path.display()
        ))
        .with_fix("use --as files to seal it as a plain file"));
    }
    let mut media = MediaIndex::new();
    if path.is_dir() {
        telegram_folder(acq, path, &mut media)?;
    } else {
        acq.artifacts.push(
            Artifact::original("original/result.json", Content::File(json_path.clone()))
                .from_file(&json_path)
                .describe("Telegram export as given"),
        );
    }
    telegram::stream(
        open()?,
        &probe,
        "result.json",
        &|p| media.get(p).cloned(),
        sink,
    )
    .map_err(|e| match e {
        telegram::StreamError::Json(e) => invalid(&e),
        telegram::StreamError::Sink(e) => e,
    })?;
    Ok(probe.head())
}

/// Every file of a Telegram export folder, as originals; media indexed by relative path.
pub(crate) fn telegram_folder(
    acq: &mut Acquisition,
    path: &Path,
    media: &mut MediaIndex,
) -> Result<()> {
    let files = walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file());
    for e in files {
        let rel = e
            .path()
            .strip_prefix(path)
            .unwrap_or(e.path())
            .to_string_lossy()
            .replace('\\', "/");
        let ip = format!("original/{}", safe_name(&rel));
        if rel != "result.json" {
            let d = crate::evidence::hash::sha256_file(e.path())?;
            media.insert(rel.clone(), (ip.clone(), d.sha256));
        }
        acq.artifacts.push(
            Artifact::original(ip, Content::File(e.path().to_path_buf()))
                .from_file(e.path())
                .describe("Telegram export file as given"),
        );
    }
    Ok(())
}

/// The transcript as derived files of every original: `transcript.json` and `.html`,
/// streamed to the item's temp folder by the writer.
fn add_transcript(acq: &mut Acquisition, written: &Written) {
    let originals: Vec<String> = acq
        .artifacts
        .iter()
        .filter(|a| a.role == crate::acquire::Role::Original)
        .map(|a| a.path.clone())
        .collect();
    acq.artifacts.push(
        Artifact::derived(
            "derived/transcript.json",
            Content::File(written.json.clone()),
            originals.clone(),
        )
        .media_type("application/json")
        .describe("parsed transcript (sigillo-transcript/1)"),
    );
    acq.artifacts.push(
        Artifact::derived(
            "derived/transcript.html",
            Content::File(written.html.clone()),
            originals,
        )
        .media_type("text/html")
        .describe("readable transcript; images hidden behind a click"),
    );
}

/// The `facts` of a chat item: a summary of the transcript (docs/chats.md).
#[derive(serde::Serialize)]
struct ChatFacts<'a> {
    format: &'a str,
    chat_name: &'a Option<String>,
    participants: &'a [String],
    messages: usize,
    system_messages: usize,
    deleted_markers: usize,
    first: &'a Option<String>,
    last: &'a Option<String>,
    unparsed_lines: usize,
    attachments: usize,
    missing_media: &'a [String],
    date_order: &'a Option<String>,
    timezone_assumption: &'a str,
    limits: &'static str,
}

/// The transcript's summary as facts, and warnings for what could not be placed or found.
fn record_summary(acq: &mut Acquisition, t: &Transcript) {
    let s = &t.summary;
    let facts = ChatFacts {
        format: &t.source_format,
        chat_name: &t.chat_name,
        participants: &t.participants,
        messages: s.messages,
        system_messages: s.system,
        deleted_markers: s.deleted,
        first: &s.first,
        last: &s.last,
        unparsed_lines: s.unparsed_lines,
        attachments: s.attachments,
        missing_media: &s.missing_media,
        date_order: &t.date_order,
        timezone_assumption: &t.timezone_assumption,
        limits: "an export is the app's own rendering of the chat, not a forensic extraction from the device",
    };
    if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(&facts) {
        acq.facts.extend(m);
    }
    if s.unparsed_lines > 0 {
        acq.warnings.push(format!("{} line(s) could not be placed; they are kept verbatim in the transcript as 'unparsed'", s.unparsed_lines));
    }
    if !s.missing_media.is_empty() {
        acq.warnings.push(format!(
            "{} attachment(s) are referenced but missing from the export",
            s.missing_media.len()
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_local_is_chronos_format() {
        let d = |y, mo, da| chrono::NaiveDate::from_ymd_opt(y, mo, da).unwrap();
        for t in [
            d(2026, 11, 20).and_hms_opt(21, 10, 5).unwrap(),
            d(99, 1, 2).and_hms_opt(0, 0, 0).unwrap(),
            d(-5, 1, 2).and_hms_opt(0, 0, 0).unwrap(),
            d(12345, 1, 2).and_hms_opt(0, 0, 0).unwrap(),
            d(2016, 12, 31).and_hms_milli_opt(23, 59, 59, 1500).unwrap(),
        ] {
            assert_eq!(
                super::iso_local(&t),
                t.format("%Y-%m-%dT%H:%M:%S").to_string()
            );
        }
    }
}
