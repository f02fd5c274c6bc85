//! How the exports of Instagram/Messenger, Discord, Signal and Telegram HTML become
//! originals and a transcript: a folder is stored whole (every file an original); a single
//! file is stored with the media it refers to that sit beside it; a zip is stored as given
//! and its media extracted as derived files. Attachments are resolved by their path in the
//! export (the exact path, then shorter and shorter tails of it, so `uri`s written from
//! the root of a "Download your information" archive resolve inside a thread folder).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::acquire::chat::transcript::{Sink, Transcript};
use crate::acquire::chat::{
    MediaIndex, discord, extract_zip_member, meta, read_limited, read_zip_member, safe_name,
    signal, telegram_html, zip_member_name,
};
use crate::acquire::{Acquisition, Artifact, Content};
use crate::error::{Error, IoContext, Result};

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
/// `run(media, sink)` parses the export into `sink` and is called twice, first keeping only the attachment names (to find and hash the files
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

/// Thread files (name, key for the reader) grouped by thread (the folder they are in,
/// in name order); each thread's files highest number first (message_1.json holds the
/// newest messages).
type Threads = Vec<Vec<(String, usize)>>;

fn group_threads(files: impl Iterator<Item = (String, usize)>) -> Threads {
    let mut threads: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for (name, key) in files {
        let parent = name.rsplit_once('/').map_or("", |p| p.0).to_string();
        threads.entry(parent).or_default().push((name, key));
    }
    threads
        .into_values()
        .map(|mut files| {
            files.sort_by_key(|(n, _)| std::cmp::Reverse(meta::file_number(n)));
            files
        })
        .collect()
}

fn meta_file(name: &str, bytes: &[u8]) -> Result<meta::ThreadFile> {
    meta::read_file(bytes).map_err(|e| json_error(name, &e, "Instagram or Facebook"))
}

/// Instagram / Messenger threads into `sink`, one file at a time (`read(name, key)` gives
/// a file's bytes), each file's messages oldest first; the transcript's header. Several
/// threads become one transcript: numbered on, each sender tagged with the thread's title.
fn meta_threads(
    threads: Threads,
    read: &mut dyn FnMut(&str, usize) -> Result<Vec<u8>>,
    media: Resolve,
    sink: &mut dyn Sink,
) -> Result<Transcript> {
    if let [files] = threads.as_slice() {
        let mut th = meta::Thread::new(1);
        for (name, key) in files {
            let f = meta_file(name, &read(name, *key)?)?;
            th.file(name, &f, media, None, sink)?;
        }
        return Ok(th.head());
    }
    let n = threads.len();
    let mut next = 1;
    let mut heads = Vec::new();
    for files in &threads {
        let mut th = meta::Thread::new(next);
        let mut tag = None;
        for (i, (name, key)) in files.iter().enumerate() {
            let f = meta_file(name, &read(name, *key)?)?;
            if i == 0 {
                // The thread's title is that of its newest file that has one.
                let mut title = meta::title(&f);
                for (later, k) in &files[1..] {
                    if title.is_some() {
                        break;
                    }
                    title = meta::read_title(&read(later, *k)?)
                        .map_err(|e| json_error(later, &e, "Instagram or Facebook"))?;
                }
                tag = Some(title.unwrap_or_default());
            }
            th.file(name, &f, media, tag.as_deref(), sink)?;
        }
        next = th.last_index() + 1;
        heads.push(th.head());
    }
    let mut t = Transcript::new(&heads[0].source_format, &heads[0].timezone_assumption);
    t.chat_name = Some(format!("Instagram/Messenger export ({n} conversations)"));
    for tr in heads.into_iter().flat_map(|h| h.transformations) {
        if !t.transformations.contains(&tr) {
            t.transformations.push(tr);
        }
    }
    Ok(t)
}

/// Instagram / Messenger: a thread folder (or a whole archive folder), a zip, or one
/// `message_N.json`. Streamed: one thread file in memory at a time.
pub(super) fn meta(
    acq: &mut Acquisition,
    path: &Path,
    name: &str,
    sink: &mut dyn Sink,
) -> Result<Transcript> {
    if path.is_dir() {
        let index = folder_originals(acq, path, "Instagram/Messenger")?;
        let threads = group_threads(
            index
                .keys()
                .filter(|r| meta::is_thread_file(r))
                .map(|r| (r.clone(), 0)),
        );
        if threads.is_empty() {
            return Err(
                Error::input(format!("'{}' holds no message_1.json", path.display()))
                    .with_fix("give the thread folder (inbox/<name>) or the downloaded zip"),
            );
        }
        return meta_threads(
            threads,
            &mut |rel, _| read_limited(&path.join(rel)),
            &|u| lookup(&index, u),
            sink,
        );
    }
    if super::is_zip(path) {
        return meta_zip(acq, path, name, sink);
    }
    let fname = name.to_string();
    let mut head = None;
    single_file_stream(
        acq,
        path,
        "Instagram/Messenger",
        &mut |media, sink| {
            let threads = vec![vec![(fname.clone(), 0)]];
            head = Some(meta_threads(
                threads,
                &mut |_, _| read_limited(path),
                media,
                sink,
            )?);
            Ok(())
        },
        sink,
    )?;
    head.ok_or_else(|| Error::internal("the Meta export was not read"))
}

/// A "Download your information" zip: stored as given; the other members extracted as
/// derived files (to the acquisition's scratch folder, one at a time), then the thread
/// files read from the zip one at a time.
fn meta_zip(
    acq: &mut Acquisition,
    path: &Path,
    name: &str,
    sink: &mut dyn Sink,
) -> Result<Transcript> {
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
    let scratch = acq.scratch_dir()?;
    let mut index = MediaIndex::new();
    let mut thread_files = Vec::new();
    for i in 0..z.len() {
        let (mname, is_dir) = zip_member_name(&mut z, i, path)?;
        if is_dir {
            continue;
        }
        if meta::is_thread_file(&mname) {
            thread_files.push((mname, i));
            continue;
        }
        let Some((mname, file, digest)) = extract_zip_member(&mut z, i, path, &scratch)? else {
            continue;
        };
        let p = format!("derived/media/{}", safe_name(&mname));
        index.insert(mname.clone(), (p.clone(), digest.sha256));
        acq.artifacts.push(
            Artifact::derived(p, Content::File(file), vec![original.clone()])
                .describe(format!("extracted from the export zip (member '{mname}')")),
        );
    }
    acq.transformations.push("extracted the media files of the export zip as derived files (the zip itself is stored unchanged)".into());
    let threads = group_threads(thread_files.into_iter());
    if threads.is_empty() {
        return Err(
            Error::input(format!("'{}' holds no message_1.json", path.display()))
                .with_fix("download your information as JSON (not HTML), messages included"),
        );
    }
    meta_threads(
        threads,
        &mut |_, i| {
            let (_, buf) = read_zip_member(&mut z, i, path)?;
            Ok(buf.unwrap_or_default())
        },
        &|u| lookup(&index, u),
        sink,
    )
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

/// Telegram HTML: the export folder (messages.html, messages2.html …), or one page. Read
/// one page at a time, in page order (page order is message order).
pub(super) fn telegram_html(
    acq: &mut Acquisition,
    path: &Path,
    sink: &mut dyn Sink,
) -> Result<Transcript> {
    let read = |p: &Path| -> Result<String> {
        Ok(String::from_utf8(read_limited(p)?)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    };
    let chat = if path.is_dir() {
        let index = folder_originals(acq, path, "Telegram")?;
        let mut names: Vec<&String> = index
            .keys()
            .filter(|r| !r.contains('/') && telegram_html::page_number(r) > 0)
            .collect();
        names.sort_by_key(|n| telegram_html::page_number(n));
        // Pages are read and parsed a few at a time in parallel (each on its own), then
        // handed on in page order: at most `at_once` pages are in memory.
        use rayon::prelude::*;
        let media = |u: &str| lookup(&index, u);
        let at_once = 2 * rayon::current_num_threads().max(1);
        let mut chat = telegram_html::Pages::default();
        for group in names.chunks(at_once) {
            let pages: Vec<Result<_>> = group
                .par_iter()
                .map(|n| {
                    Ok(telegram_html::Pages::alone(
                        n,
                        &read(&path.join(n))?,
                        &media,
                    ))
                })
                .collect();
            for page in pages {
                let (page, messages) = page?;
                chat.append(page, messages, sink)?;
            }
        }
        chat
    } else {
        let fname = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut chat = telegram_html::Pages::default();
        single_file_stream(
            acq,
            path,
            "Telegram",
            &mut |media, sink| {
                chat = telegram_html::Pages::default();
                chat.page(&fname, &read(path)?, media, sink)
            },
            sink,
        )?;
        chat
    };
    if !chat.has_messages() {
        return Err(Error::input(format!(
            "'{}' has no Telegram messages (no div.message)",
            path.display()
        ))
        .with_fix(
            "give the folder Telegram Desktop exported (with messages.html), or use --as files",
        ));
    }
    Ok(chat.head())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acquire::ItemKind;
    use crate::acquire::chat::transcript::assert_streams_as;
    use crate::evidence::hash::sha256_hex;
    use std::io::Write;

    /// The whole-transcript path these replaced: several transcripts as one, numbered
    /// again, each sender tagged with its chat.
    fn merge(mut parts: Vec<Transcript>) -> Transcript {
        if parts.len() == 1 {
            return parts.remove(0);
        }
        let mut t = Transcript::new(&parts[0].source_format, &parts[0].timezone_assumption);
        t.chat_name = Some(format!(
            "Instagram/Messenger export ({} conversations)",
            parts.len()
        ));
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

    /// The old whole path over (name, bytes) thread files: all parsed, grouped, merged.
    fn meta_whole(files: &[(String, Vec<u8>)], media: Resolve) -> Transcript {
        let mut threads: BTreeMap<String, Vec<(String, meta::ThreadFile)>> = BTreeMap::new();
        for (rel, bytes) in files.iter().filter(|(r, _)| meta::is_thread_file(r)) {
            let f = meta::read_file(bytes).unwrap();
            let parent = rel.rsplit_once('/').map_or("", |p| p.0).to_string();
            threads.entry(parent).or_default().push((rel.clone(), f));
        }
        merge(
            threads
                .into_values()
                .map(|files| meta::parse(files, media))
                .collect(),
        )
    }

    /// One message of a Meta file (`i` makes it distinct), text with mojibake sometimes.
    fn meta_msg(i: usize, who: &str) -> String {
        let text = if i.is_multiple_of(3) {
            format!("perch\\u00c3\\u00a8 {i}")
        } else {
            format!("msg {i}")
        };
        let photo = if i.is_multiple_of(4) {
            ", \"photos\": [{\"uri\": \"your_instagram_activity/messages/inbox/a_1/photos/p.png\"}]"
        } else {
            ""
        };
        format!(
            "{{\"sender_name\": \"{who}\", \"timestamp_ms\": {}, \"content\": \"{text}\"{photo}}}",
            1_700_000_000_000u64 + i as u64 * 1000
        )
    }

    /// A thread file: `n` messages newest first, numbered down from `top`.
    fn meta_file(top: usize, n: usize, title: Option<&str>, extra: &str) -> Vec<u8> {
        let msgs: Vec<String> = (0..n)
            .map(|k| {
                meta_msg(
                    top - k,
                    if k % 2 == 0 {
                        "Giulia"
                    } else {
                        "Marco N\\u00c3\\u00a9ri"
                    },
                )
            })
            .collect();
        let title = title.map_or(String::new(), |t| format!(", \"title\": \"{t}\""));
        format!(
            "\u{feff}{{\"participants\": [{{\"name\": \"Giulia\"}}, {{\"name\": \"Ospite\"}}], \"messages\": [{}]{title}{extra}}}",
            msgs.join(",\n")
        )
        .into_bytes()
    }

    /// Two threads: one over message_1, _2 and _10 (numbers sort as numbers), one whose
    /// newest file has no title; a photo beside them.
    fn meta_sample() -> Vec<(String, Vec<u8>)> {
        let a = "inbox/a_1";
        let b = "inbox/b_2";
        vec![
            (
                format!("{a}/message_1.json"),
                meta_file(
                    30,
                    5,
                    Some("Marco N\\u00c3\\u00a9ri"),
                    ", \"thread_path\": \"inbox/a_1\"",
                ),
            ),
            (
                format!("{a}/message_10.json"),
                meta_file(10, 4, Some("Marco"), ""),
            ),
            (format!("{a}/message_2.json"), meta_file(25, 6, None, "")),
            (format!("{a}/photos/p.png"), b"png".to_vec()),
            (format!("{b}/message_1.json"), meta_file(9, 3, None, "")),
            (
                format!("{b}/message_2.json"),
                meta_file(
                    6,
                    3,
                    Some("B\\u00c3\\u00a8"),
                    ", \"thread_type\": \"Regular\"",
                ),
            ),
        ]
    }

    fn write_folder(dir: &Path, files: &[(String, Vec<u8>)]) {
        for (n, b) in files {
            let p = dir.join(n);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b).unwrap();
        }
    }

    fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
        let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.add_directory("inbox/", opts).unwrap();
        for (n, b) in files {
            z.start_file(n.as_str(), opts).unwrap();
            z.write_all(b).unwrap();
        }
        z.finish().unwrap();
    }

    fn acq() -> Acquisition {
        Acquisition::start(ItemKind::Chat, "t")
    }

    #[test]
    fn meta_folder_streams_as_the_whole_path() {
        let files = meta_sample();
        for only_a in [false, true] {
            let files: Vec<_> = files
                .iter()
                .filter(|(n, _)| !only_a || n.starts_with("inbox/a_1"))
                .cloned()
                .collect();
            let d = tempfile::tempdir().unwrap();
            write_folder(d.path(), &files);
            let mut a = acq();
            let index = folder_originals(&mut a, d.path(), "x").unwrap();
            let old = meta_whole(&files, &|u| lookup(&index, u));
            assert_eq!(old.messages.len(), if only_a { 15 } else { 21 });
            assert!(old.summary.attachments > 0 && old.summary.missing_media.is_empty());
            assert_streams_as(&old, &mut |w| meta(&mut acq(), d.path(), "x", w));
        }
    }

    #[test]
    fn meta_zip_streams_as_the_whole_path_media_extracted_to_files() {
        let files = meta_sample();
        let d = tempfile::tempdir().unwrap();
        let zp = d.path().join("export.zip");
        write_zip(&zp, &files);
        let mut index = MediaIndex::new();
        for (n, b) in files.iter().filter(|(n, _)| !meta::is_thread_file(n)) {
            let p = format!("derived/media/{}", safe_name(n));
            index.insert(n.clone(), (p, sha256_hex(b)));
        }
        let old = meta_whole(&files, &|u| lookup(&index, u));
        let mut a = acq();
        assert_streams_as(&old, &mut |w| meta(&mut a, &zp, "export.zip", w));
        let media: Vec<_> = a
            .artifacts
            .iter()
            .filter(|x| x.path.starts_with("derived/media/"))
            .collect();
        assert_eq!(media.len(), 1);
        let Content::File(f) = &media[0].content else {
            panic!("media extracted to memory")
        };
        assert_eq!(std::fs::read(f).unwrap(), b"png");
    }

    #[test]
    fn meta_single_file_streams_as_the_whole_path() {
        let d = tempfile::tempdir().unwrap();
        let files = meta_sample();
        write_folder(d.path(), &files);
        let p = d.path().join("inbox/a_1/message_1.json");
        let one = vec![("message_1.json".to_string(), files[0].1.clone())];
        let old = meta_whole(&one, &|_| None);
        assert_streams_as(&old, &mut |w| meta(&mut acq(), &p, "message_1.json", w));
    }

    fn tg_page(first: usize, n: usize, header: bool) -> String {
        let mut h = String::from("<!DOCTYPE html><html><body><div class=\"page_wrap\">");
        if header {
            h.push_str("<div class=\"page_header\"><div class=\"text bold\">Giulia</div></div>");
        }
        h.push_str("<div class=\"history\"><div class=\"message service\" id=\"message-1\"><div class=\"body details\">20 November 2026</div></div>");
        for i in first..first + n {
            let joined = if i % 2 == 1 { " joined" } else { "" };
            let from = if joined.is_empty() {
                "<div class=\"from_name\">Marco</div>"
            } else {
                ""
            };
            h.push_str(&format!(
                "<div class=\"message default clearfix{joined}\" id=\"message{i}\"><div class=\"body\"><div class=\"pull_right date details\" title=\"20.11.2026 21:{:02}:00 UTC+01:00\">21:00</div>{from}<div class=\"text\">hi &amp; {i}<br>x</div></div></div>",
                i % 60
            ));
        }
        h.push_str("</div></div></body></html>");
        h
    }

    #[test]
    fn telegram_html_folder_streams_page_by_page_as_the_whole_path() {
        let d = tempfile::tempdir().unwrap();
        let pages = vec![
            ("messages.html".to_string(), tg_page(1, 5, true)),
            ("messages10.html".to_string(), tg_page(30, 3, false)),
            ("messages2.html".to_string(), tg_page(6, 4, true)),
        ];
        for (n, h) in &pages {
            std::fs::write(d.path().join(n), h).unwrap();
        }
        let old = telegram_html::parse(&pages, &|_| None);
        assert_eq!(old.messages.len(), 12);
        assert_eq!(old.messages[11].source.message_id, Some(32));
        assert_streams_as(&old, &mut |w| telegram_html(&mut acq(), d.path(), w));
        let one = d.path().join("messages2.html");
        let old = telegram_html::parse(&pages[2..], &|_| None);
        assert_streams_as(&old, &mut |w| telegram_html(&mut acq(), &one, w));
        // No messages at all: an error, as before.
        std::fs::write(d.path().join("messages.html"), "<html></html>").unwrap();
        let e = telegram_html(
            &mut acq(),
            &d.path().join("messages.html"),
            &mut Vec::<crate::acquire::chat::transcript::Message>::new(),
        );
        assert!(e.is_err());
    }
}
