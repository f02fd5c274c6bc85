//! How the exports of Instagram/Messenger, Discord, Signal and Telegram HTML become
//! originals and a transcript: a folder is stored whole (every file an original); a single
//! file is stored with the media it refers to that sit beside it; a zip is stored as given
//! and its media extracted as derived files. Attachments are resolved by their path in the
//! export (the exact path, then shorter and shorter tails of it, so `uri`s written from
//! the root of a "Download your information" archive resolve inside a thread folder).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::acquire::chat::transcript::{MessageKind, Sink, Transcript};
use crate::acquire::chat::{
    MediaIndex, discord, meta, read_limited, read_zip_member, safe_name, signal, telegram_html,
};
use crate::acquire::{Acquisition, Artifact, Content};
use crate::error::{Error, IoContext, Result};
use crate::evidence::hash::sha256_hex;

/// Resolves an attachment reference to (item path, SHA-256).
type Resolve<'a> = &'a dyn Fn(&str) -> Option<(String, String)>;

/// The format of an export folder (Telegram's result.json is handled by the caller).
pub(super) fn detect_folder(path: &Path) -> Result<Option<super::ChatFormat>> {
    use super::ChatFormat as F;
    if path.join("messages.html").is_file() {
        return Ok(Some(F::TelegramHtml));
    }
    let files = walk(path);
    if files.iter().any(|(rel, _)| meta::is_thread_file(rel)) {
        return Ok(Some(F::Meta));
    }
    for (rel, p) in files.iter().filter(|(r, _)| !r.contains('/')) {
        let lower = rel.to_lowercase();
        if !(lower.ends_with(".json") || lower.ends_with(".md") || lower.ends_with(".txt")) {
            continue;
        }
        let head = head_of(p)?;
        match super::detect_text(&head) {
            Some(F::Discord) => return Ok(Some(F::Discord)),
            Some(F::Signal) => return Ok(Some(F::Signal)),
            _ => {}
        }
    }
    Ok(None)
}

/// Whether a zip holds Meta thread files (`message_1.json`).
pub(super) fn zip_has_meta(path: &Path) -> Result<bool> {
    let f = std::fs::File::open(path).at("open", path)?;
    let Ok(z) = zip::ZipArchive::new(f) else {
        return Ok(false);
    };
    Ok(z.file_names()
        .any(|n| n.is_ok_and(|n| meta::is_thread_file(&n))))
}

fn head_of(p: &Path) -> Result<String> {
    let mut head = Vec::new();
    std::fs::File::open(p)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .at("read", p)?;
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// Every file under a folder by relative path (`/`-separated), sorted.
fn walk(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/");
            (rel, e.path().to_path_buf())
        })
        .collect()
}

/// Every file of an export folder as an original; all of them indexed by relative path.
fn folder_originals(acq: &mut Acquisition, dir: &Path, what: &str) -> Result<MediaIndex> {
    let mut index = MediaIndex::new();
    for (rel, p) in walk(dir) {
        let ip = format!("original/{}", safe_name(&rel));
        let d = crate::evidence::hash::sha256_file(&p)?;
        index.insert(rel, (ip.clone(), d.sha256));
        acq.artifacts.push(
            Artifact::original(ip, Content::File(p.clone()))
                .from_file(&p)
                .describe(format!("{what} export file as given")),
        );
    }
    Ok(index)
}

/// Resolve an attachment reference against the files of an export.
fn lookup(index: &MediaIndex, name: &str) -> Option<(String, String)> {
    let name = name.trim_start_matches("./");
    let decoded = percent_encoding::percent_decode_str(name)
        .decode_utf8()
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| name.to_string());
    for n in [name, decoded.as_str()] {
        if let Some(f) = index.get(n) {
            return Some(f.clone());
        }
        let mut rest = n;
        while let Some((_, tail)) = rest.split_once('/') {
            if let Some(f) = index.get(tail) {
                return Some(f.clone());
            }
            rest = tail;
        }
    }
    None
}

/// The export file as the item's original, byte for byte; returns the folder it is in
/// (where its media files are looked for).
fn export_as_given(acq: &mut Acquisition, file: &Path, what: &str) -> std::path::PathBuf {
    let fname = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    acq.artifacts.push(
        Artifact::original(
            format!("original/{}", safe_name(&fname)),
            Content::File(file.to_path_buf()),
        )
        .from_file(file)
        .describe(format!("{what} export as given")),
    );
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A single export file as an original, plus the files it refers to found beside it:
/// `parse(media)` is run once to learn the names, then again with them resolved.
fn single_file(
    acq: &mut Acquisition,
    file: &Path,
    what: &str,
    parse: &dyn Fn(Resolve) -> Result<Transcript>,
) -> Result<Transcript> {
    let dir = export_as_given(acq, file, what);
    let probe = parse(&|_| None)?;
    let names = probe
        .messages
        .iter()
        .flat_map(|m| &m.attachments)
        .map(|a| a.name.clone());
    let index = media_beside(acq, &dir, names)?;
    parse(&|n| lookup(&index, n))
}

/// [`single_file`] streaming: `run(media, sink)` parses the export into `sink` and is
/// called twice, first keeping only the attachment names (to find and hash the files
/// beside the export), then into `sink` with them resolved.
fn single_file_stream(
    acq: &mut Acquisition,
    file: &Path,
    what: &str,
    run: &mut dyn FnMut(Resolve, &mut dyn Sink) -> Result<()>,
    sink: &mut dyn Sink,
) -> Result<()> {
    let dir = export_as_given(acq, file, what);
    let mut names = Names::default();
    run(&|_| None, &mut names)?;
    let index = media_beside(acq, &dir, names.order.into_iter())?;
    run(&|n| lookup(&index, n), sink)
}

/// The distinct attachment names of the messages pushed, in order of first appearance.
#[derive(Default)]
struct Names {
    seen: std::collections::HashSet<String>,
    order: Vec<String>,
}

impl Sink for Names {
    fn push(&mut self, m: crate::acquire::chat::transcript::Message) -> Result<()> {
        for a in m.attachments {
            if self.seen.insert(a.name.clone()) {
                self.order.push(a.name);
            }
        }
        Ok(())
    }
}

/// The files that attachment `names` refer to, found beside the export in `dir`: hashed,
/// added as originals, and indexed by relative path.
fn media_beside(
    acq: &mut Acquisition,
    dir: &Path,
    names: impl Iterator<Item = String>,
) -> Result<MediaIndex> {
    let mut index = MediaIndex::new();
    for name in names {
        let rel = name.trim_start_matches("./");
        if name.contains("://") || rel.split('/').any(|c| c == "..") || rel.starts_with('/') {
            continue;
        }
        let rel = percent_encoding::percent_decode_str(rel)
            .decode_utf8()
            .map(|c| c.into_owned())
            .unwrap_or_else(|_| rel.to_string());
        let p = dir.join(&rel);
        if p.is_file() && !index.contains_key(&rel) {
            let d = crate::evidence::hash::sha256_file(&p)?;
            let ip = format!("original/{}", safe_name(&rel));
            acq.artifacts.push(
                Artifact::original(ip.clone(), Content::File(p.clone()))
                    .from_file(&p)
                    .describe("media file of the export"),
            );
            index.insert(rel, (ip, d.sha256));
        }
    }
    Ok(index)
}

fn json_error(name: &str, e: &serde_json::Error, app: &str) -> Error {
    Error::input(format!(
        "'{name}' is not valid JSON: {e} (line {}, column {})",
        e.line(),
        e.column()
    ))
    .with_fix(format!(
        "the export is damaged or incomplete: download it again from {app}"
    ))
}

/// Several transcripts (threads, channels) as one: numbered again, each sender tagged
/// with the chat it wrote in.
fn merge(mut parts: Vec<Transcript>, source: &str, what: &str) -> Transcript {
    if parts.len() == 1 {
        return parts.remove(0);
    }
    let mut t = Transcript::new(source, &parts[0].timezone_assumption.clone());
    t.chat_name = Some(format!("{what} ({} conversations)", parts.len()));
    let mut idx = 0;
    for p in parts {
        let chat = p.chat_name.clone().unwrap_or_default();
        for tr in p.transformations {
            if !t.transformations.contains(&tr) {
                t.transformations.push(tr);
            }
        }
        for mut m in p.messages {
            idx += 1;
            m.index = idx;
            m.sender = m.sender.map(|s| format!("{s} [{chat}]"));
            t.messages.push(m);
        }
    }
    t.finish();
    t
}

/// Instagram / Messenger: a thread folder (or a whole archive folder), a zip, or one
/// `message_N.json`.
pub(super) fn meta(acq: &mut Acquisition, path: &Path, name: &str) -> Result<Transcript> {
    if path.is_dir() {
        let index = folder_originals(acq, path, "Instagram/Messenger")?;
        let mut threads: BTreeMap<String, Vec<(String, meta::ThreadFile)>> = BTreeMap::new();
        for (rel, _) in index.iter().filter(|(r, _)| meta::is_thread_file(r)) {
            let bytes = read_limited(&path.join(rel))?;
            let f = meta::read_file(&bytes)
                .map_err(|e| json_error(rel, &e, "Instagram or Facebook"))?;
            let parent = rel.rsplit_once('/').map_or("", |p| p.0).to_string();
            threads.entry(parent).or_default().push((rel.clone(), f));
        }
        if threads.is_empty() {
            return Err(
                Error::input(format!("'{}' holds no message_1.json", path.display()))
                    .with_fix("give the thread folder (inbox/<name>) or the downloaded zip"),
            );
        }
        let parts = threads
            .into_values()
            .map(|files| meta::parse(files, &|u| lookup(&index, u)))
            .collect();
        return Ok(merge_meta(parts));
    }
    if super::is_zip(path) {
        return meta_zip(acq, path, name);
    }
    let fname = name.to_string();
    single_file(acq, path, "Instagram/Messenger", &|media| {
        let bytes = read_limited(path)?;
        let f =
            meta::read_file(&bytes).map_err(|e| json_error(&fname, &e, "Instagram or Facebook"))?;
        Ok(meta::parse(vec![(fname.clone(), f)], media))
    })
}

fn merge_meta(parts: Vec<Transcript>) -> Transcript {
    let source = parts[0].source_format.clone();
    merge(parts, &source, "Instagram/Messenger export")
}

/// A "Download your information" zip: stored as given; thread files parsed from it and
/// the other members extracted as derived files.
fn meta_zip(acq: &mut Acquisition, path: &Path, name: &str) -> Result<Transcript> {
    let original = format!("original/{}", safe_name(name));
    acq.artifacts.push(
        Artifact::original(original.clone(), Content::File(path.to_path_buf()))
            .from_file(path)
            .describe("Instagram/Messenger export (zip) as given"),
    );
    let f = std::fs::File::open(path).at("open", path)?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| {
        Error::input(format!("'{}' is a broken zip ({e})", path.display()))
            .with_fix("download the archive again")
    })?;
    let mut index = MediaIndex::new();
    let mut threads: BTreeMap<String, Vec<(String, meta::ThreadFile)>> = BTreeMap::new();
    for i in 0..z.len() {
        let (mname, buf) = read_zip_member(&mut z, i, path)?;
        let Some(buf) = buf else { continue };
        if meta::is_thread_file(&mname) {
            let f = meta::read_file(&buf)
                .map_err(|e| json_error(&mname, &e, "Instagram or Facebook"))?;
            let parent = mname.rsplit_once('/').map_or("", |p| p.0).to_string();
            threads.entry(parent).or_default().push((mname, f));
            continue;
        }
        let p = format!("derived/media/{}", safe_name(&mname));
        index.insert(mname.clone(), (p.clone(), sha256_hex(&buf)));
        acq.artifacts.push(
            Artifact::derived(p, Content::Bytes(buf), vec![original.clone()])
                .describe(format!("extracted from the export zip (member '{mname}')")),
        );
    }
    acq.transformations.push("extracted the media files of the export zip as derived files (the zip itself is stored unchanged)".into());
    let parts: Vec<Transcript> = threads
        .into_values()
        .map(|files| meta::parse(files, &|u| lookup(&index, u)))
        .collect();
    if parts.is_empty() {
        return Err(
            Error::input(format!("'{}' holds no message_1.json", path.display()))
                .with_fix("download your information as JSON (not HTML), messages included"),
        );
    }
    Ok(merge_meta(parts))
}

/// A JSON export file opened for streaming, past a UTF-8 byte-order mark.
fn json_reader(p: &Path) -> Result<std::io::BufReader<std::fs::File>> {
    use std::io::BufRead;
    let f = std::fs::File::open(p).at("open", p)?;
    let mut r = std::io::BufReader::with_capacity(256 * 1024, f);
    if r.fill_buf().at("read", p)?.starts_with(b"\xef\xbb\xbf") {
        r.consume(3);
    }
    Ok(r)
}

/// The first pass over a Discord export: its shape, and that it is one (valid JSON with
/// guild, channel and messages).
fn discord_probe(p: &Path, name: &str) -> Result<discord::Probe> {
    let not_one = || {
        Error::input(format!(
            "'{name}' is JSON but not a DiscordChatExporter export (no guild, channel, messages)"
        ))
        .with_fix("export the channel with DiscordChatExporter in JSON format, or use --as files")
    };
    match discord::probe(json_reader(p)?) {
        Ok(probe) if probe.looks_like() => Ok(probe),
        Ok(_) => Err(not_one()),
        Err(e) if e.is_data() => {
            // Not the expected shape: "not an export" if it is JSON at all.
            let mut de = serde_json::Deserializer::from_reader(json_reader(p)?);
            match <serde::de::IgnoredAny as serde::Deserialize>::deserialize(&mut de)
                .and_then(|_| de.end())
            {
                Ok(()) => Err(not_one()),
                Err(e) => Err(json_error(name, &e, "DiscordChatExporter")),
            }
        }
        Err(e) if e.is_io() => Err(Error::io("read", p, std::io::Error::other(e.to_string()))),
        Err(e) => Err(json_error(name, &e, "DiscordChatExporter")),
    }
}

/// The second pass over a Discord export: its messages into `sink`, numbered from
/// `first`, senders tagged with `tag` (the channel, when several are merged).
fn discord_stream(
    p: &Path,
    name: &str,
    media: Resolve,
    first: usize,
    tag: Option<&str>,
    sink: &mut dyn Sink,
) -> Result<usize> {
    let mut n = 0;
    discord::stream(json_reader(p)?, &mut |v| {
        n += 1;
        let mut m = discord::message(&v, n, name, media);
        if let Some(tag) = tag {
            m.index = first + n - 1;
            m.sender = m.sender.map(|s| format!("{s} [{tag}]"));
        }
        sink.push(m)
    })
    .map_err(|e| match e {
        crate::acquire::chat::telegram::StreamError::Json(e) => {
            json_error(name, &e, "DiscordChatExporter")
        }
        crate::acquire::chat::telegram::StreamError::Sink(e) => e,
    })?;
    Ok(n)
}

/// Discord: one DiscordChatExporter JSON (with its `_Files` folder beside it), or a folder
/// of them (merged as [`merge`] does). Each file is read streaming: its shape first, then
/// its messages (and, for a single file, once more before that for the attachment names).
pub(super) fn discord(
    acq: &mut Acquisition,
    path: &Path,
    sink: &mut dyn Sink,
) -> Result<Transcript> {
    if path.is_dir() {
        let index = folder_originals(acq, path, "Discord")?;
        let mut parts = Vec::new();
        for rel in index
            .keys()
            .filter(|r| !r.contains('/') && r.ends_with(".json"))
        {
            let p = path.join(rel);
            if discord::looks_like(&head_of(&p)?) {
                parts.push((rel.clone(), p.clone(), discord_probe(&p, rel)?));
            }
        }
        let media = |u: &str| lookup(&index, u);
        return match parts.len() {
            0 => Err(
                Error::input(format!("'{}' holds no Discord export JSON", path.display()))
                    .with_fix("give the .json written by DiscordChatExporter"),
            ),
            1 => {
                let (rel, p, probe) = &parts[0];
                discord_stream(p, rel, &media, 1, None, sink)?;
                Ok(probe.head())
            }
            n => {
                let mut next = 1;
                let mut first_head = None;
                for (rel, p, probe) in &parts {
                    let h = probe.head();
                    let chat = h.chat_name.clone().unwrap_or_default();
                    next += discord_stream(p, rel, &media, next, Some(&chat), sink)?;
                    first_head.get_or_insert(h);
                }
                let tz = first_head
                    .map(|h| h.timezone_assumption)
                    .unwrap_or_default();
                let mut t = Transcript::new("discord-json", &tz);
                t.chat_name = Some(format!("Discord export ({n} conversations)"));
                Ok(t)
            }
        };
    }
    let fname = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let probe = discord_probe(path, &fname)?;
    single_file_stream(
        acq,
        path,
        "Discord",
        &mut |media, sink| discord_stream(path, &fname, media, 1, None, sink).map(|_| ()),
        sink,
    )?;
    Ok(probe.head())
}

/// Signal: the text export, or its folder; read line by line (twice for a single file:
/// attachment names, then messages).
pub(super) fn signal(
    acq: &mut Acquisition,
    path: &Path,
    sink: &mut dyn Sink,
) -> Result<Transcript> {
    let read = |p: &Path, name: &str, media: Resolve, sink: &mut dyn Sink| -> Result<()> {
        let f = std::fs::File::open(p).at("open", p)?;
        let mut parser = signal::Parser::new(name);
        let err = |e: std::io::Error| Error::io("read", p, e);
        signal::each_line(
            std::io::BufReader::with_capacity(256 * 1024, f),
            &err,
            &mut |l| parser.line(l, sink, media),
        )?;
        parser.end(sink, media)
    };
    if path.is_dir() {
        let files = walk(path);
        let mut chat = None;
        for (rel, p) in files.iter().filter(|(r, _)| !r.contains('/')) {
            if signal::looks_like(&head_of(p)?) {
                chat = Some((rel.clone(), p.clone()));
                break;
            }
        }
        let (rel, p) = chat.ok_or_else(|| {
            Error::input(format!("'{}' holds no Signal text export", path.display()))
                .with_fix("give the exported chat file (lines like [2019-12-24, 12:23] Name: text)")
        })?;
        let index = folder_originals(acq, path, "Signal")?;
        read(&p, &rel, &|u| lookup(&index, u), sink)?;
        return Ok(signal::head());
    }
    let fname = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    single_file_stream(
        acq,
        path,
        "Signal",
        &mut |media, sink| read(path, &fname, media, sink),
        sink,
    )?;
    Ok(signal::head())
}

/// Telegram HTML: the export folder (messages.html, messages2.html …), or one page.
pub(super) fn telegram_html(acq: &mut Acquisition, path: &Path) -> Result<Transcript> {
    let pages_in = |dir: &Path, names: Vec<String>| -> Result<Vec<(String, String)>> {
        names
            .into_iter()
            .map(|n| {
                let b = read_limited(&dir.join(&n))?;
                Ok((n, String::from_utf8_lossy(&b).into_owned()))
            })
            .collect()
    };
    let t = if path.is_dir() {
        let index = folder_originals(acq, path, "Telegram")?;
        let names: Vec<String> = index
            .keys()
            .filter(|r| !r.contains('/') && telegram_html::page_number(r) > 0)
            .cloned()
            .collect();
        let pages = pages_in(path, names)?;
        telegram_html::parse(&pages, &|u| lookup(&index, u))
    } else {
        let fname = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        single_file(acq, path, "Telegram", &|media| {
            let pages = pages_in(&dir, vec![fname.clone()])?;
            Ok(telegram_html::parse(&pages, media))
        })?
    };
    if t.messages.iter().all(|m| m.kind == MessageKind::Unparsed) {
        return Err(Error::input(format!(
            "'{}' has no Telegram messages (no div.message)",
            path.display()
        ))
        .with_fix(
            "give the folder Telegram Desktop exported (with messages.html), or use --as files",
        ));
    }
    Ok(t)
}
