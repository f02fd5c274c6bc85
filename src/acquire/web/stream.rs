//! Video streams a page played: HLS playlists (`.m3u8`) and DASH manifests (`.mpd`).
//!
//! From the exchanges the browser recorded: every playlist/manifest and every segment the
//! page fetched becomes an original of `original/stream/N/` (the browser's body as
//! received, with its URL). For HLS, of the variants whose segments the page fetched
//! (else whose playlist it fetched) the one of highest bandwidth is completed: its init
//! segment and remaining segments are fetched by sigillo with the one HTTP client
//! (same user agent; the page's cookies and referer when the browser sent them for the
//! playlist), bounded in total bytes by `--max-media`, each recorded as fetched by
//! sigillo, not the page, with its URL and time. When `ffmpeg` is installed, the segments
//! are joined without re-encoding into a derived `derived/stream-N.mp4`, through a
//! derived playlist `derived/stream-N.m3u8` that names the sealed segments by their
//! paths in the item (so the join can be re-run on an extracted item).
//!
//! DASH manifests (static MPDs with a `SegmentTemplate` — `$Number$` with a duration or a
//! `SegmentTimeline`, `$Time$` — or a `SegmentList`; `BaseURL` at every level): of the
//! adaptation sets whose segments the page fetched, the first video set's representation of
//! highest bandwidth among those played is completed and joined the same way; segments the
//! page fetched of other representations and sets are stored as originals. Live manifests
//! and `SegmentBase` (byte ranges of one file) are stored, not completed.
//!
//! Also `--yt-dlp`: [`yt_dlp`] runs yt-dlp on the page URL and seals what it downloads.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::process::Command;
use std::time::Duration;

use serde::Serialize;

use crate::acquire::web::exchange::HttpExchange;
use crate::acquire::{Artifact, Content};
use crate::evidence::video::{RunError, run_bounded, version_of};
use crate::time::{Stamp, rfc3339};

/// How long ffmpeg may take to join one stream.
const JOIN_TIMEOUT: Duration = Duration::from_secs(600);
/// The most segments one stream may list.
const MAX_SEGMENTS: usize = 20_000;

/// What the stream step may do.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// The most bytes sigillo itself downloads for the page (segments, yt-dlp).
    pub max_bytes: u64,
    /// The user agent of the capture (the browser's default when not overridden).
    pub user_agent: String,
    /// Accept invalid TLS certificates (`--insecure`).
    pub insecure: bool,
    /// Timeout of one request.
    pub timeout: Duration,
}

/// One stream as the facts describe it (`facts.video_streams[]`).
#[derive(Debug, Clone, Serialize)]
pub struct StreamFacts {
    /// `hls` or `dash`.
    pub kind: String,
    /// The folder of its originals in the item (`original/stream/1/`).
    pub folder: String,
    /// The playlist/manifest the page fetched first (a master playlist when there is one).
    pub playlist_url: String,
    /// The media playlist completed (the highest variant the page used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant_url: Option<String>,
    /// Its declared bandwidth (bits/s), from the master playlist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant_bandwidth: Option<u64>,
    /// How many variants the master playlist lists.
    pub variants: usize,
    /// Segments (with the init segment) of the completed variant.
    pub segments_total: usize,
    /// Of those, fetched by the page (the browser's bodies).
    pub segments_from_page: usize,
    /// Of those, fetched by sigillo after the page.
    pub segments_fetched_by_sigillo: usize,
    /// Of those, not stored (and why, for the first few).
    pub segments_missing: usize,
    /// Why segments are missing (first 20).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_reasons: Vec<String>,
    /// Bytes sigillo fetched for this stream.
    pub bytes_fetched_by_sigillo: u64,
    /// `--max-media` stopped the fetching.
    pub limit_reached: bool,
    /// The derived joined file, when made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined: Option<String>,
    /// Why no joined file was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_joined: Option<String>,
}

/// What the stream step adds to the capture.
#[derive(Debug, Default)]
pub struct Streams {
    /// Originals (playlists, segments) and derived files (local playlist, joined MP4).
    pub artifacts: Vec<Artifact>,
    /// One entry per stream.
    pub facts: Vec<StreamFacts>,
    /// What was done.
    pub transformations: Vec<String>,
    /// What went wrong.
    pub warnings: Vec<String>,
    /// Request ids of the exchanges stored here (not again among the page's media).
    pub claimed: HashSet<String>,
    /// Bytes sigillo fetched.
    pub bytes_fetched: u64,
}

/// A playlist kind, from the URL or content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Hls,
    Dash,
}

fn kind_of(ex: &HttpExchange) -> Option<Kind> {
    let r = ex.response.as_ref()?;
    let mt = r.mime_type.to_ascii_lowercase();
    let path = url::Url::parse(&ex.url)
        .map(|u| u.path().to_ascii_lowercase())
        .unwrap_or_default();
    if path.ends_with(".m3u8")
        || mt == "application/vnd.apple.mpegurl"
        || mt == "application/x-mpegurl"
        || mt == "audio/mpegurl"
        || mt == "audio/x-mpegurl"
    {
        Some(Kind::Hls)
    } else if path.ends_with(".mpd") || mt == "application/dash+xml" {
        Some(Kind::Dash)
    } else {
        None
    }
}

/// A parsed HLS playlist.
#[derive(Debug, Clone, PartialEq)]
enum Hls {
    Master(Vec<Variant>),
    Media(MediaPlaylist),
}

#[derive(Debug, Clone, PartialEq)]
struct Variant {
    url: String,
    bandwidth: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct MediaPlaylist {
    init: Option<String>,
    segments: Vec<(String, f64)>,
    /// Byte ranges or encryption: segments are stored but not joined.
    unsupported: Option<String>,
}

/// `KEY=VALUE,KEY="V,A,L"` attribute lists.
fn attributes(s: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let (mut key, mut val, mut in_val, mut quoted) = (String::new(), String::new(), false, false);
    for c in s.chars().chain(std::iter::once(',')) {
        match c {
            '"' if in_val => quoted = !quoted,
            ',' if !quoted => {
                if !key.is_empty() {
                    out.insert(key.trim().to_ascii_uppercase(), val.clone());
                }
                key.clear();
                val.clear();
                in_val = false;
            }
            '=' if !in_val => in_val = true,
            c if in_val => val.push(c),
            c => key.push(c),
        }
    }
    out
}

/// Parse an HLS playlist; URIs resolved against `base`. `None` when it is not one.
fn parse_hls(text: &str, base: &str) -> Option<Hls> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.trim_start().starts_with("#EXTM3U") {
        return None;
    }
    let base = url::Url::parse(base).ok()?;
    let resolve = |u: &str| base.join(u.trim()).ok().map(|u| u.to_string());
    let mut variants = Vec::new();
    let mut media = MediaPlaylist::default();
    let mut pending_bandwidth: Option<u64> = None;
    let mut pending_duration = 0.0;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            continue;
        }
        if let Some(a) = line.strip_prefix("#EXT-X-STREAM-INF:") {
            let a = attributes(a);
            pending_bandwidth = Some(
                a.get("BANDWIDTH")
                    .or(a.get("AVERAGE-BANDWIDTH"))
                    .and_then(|b| b.parse().ok())
                    .unwrap_or(0),
            );
        } else if let Some(a) = line.strip_prefix("#EXT-X-MAP:") {
            let a = attributes(a);
            if a.contains_key("BYTERANGE") {
                media.unsupported = Some("the init segment is a byte range".into());
            }
            media.init = a.get("URI").and_then(|u| resolve(u));
        } else if let Some(d) = line.strip_prefix("#EXTINF:") {
            pending_duration = d
                .split(',')
                .next()
                .and_then(|d| d.trim().parse::<f64>().ok())
                .filter(|d| d.is_finite() && *d >= 0.0)
                .unwrap_or(0.0);
        } else if line.starts_with("#EXT-X-BYTERANGE") {
            media.unsupported = Some("segments are byte ranges of one file".into());
        } else if let Some(a) = line.strip_prefix("#EXT-X-KEY:") {
            let a = attributes(a);
            if a.get("METHOD").is_some_and(|m| m != "NONE") {
                media.unsupported = Some("the segments are encrypted (EXT-X-KEY)".into());
            }
        } else if line.starts_with('#') {
            continue;
        } else if let Some(b) = pending_bandwidth.take() {
            if let Some(u) = resolve(line) {
                variants.push(Variant {
                    url: u,
                    bandwidth: b,
                });
            }
        } else if media.segments.len() < MAX_SEGMENTS
            && let Some(u) = resolve(line)
        {
            media.segments.push((u, pending_duration));
            pending_duration = 0.0;
        }
    }
    Some(if variants.is_empty() {
        Hls::Media(media)
    } else {
        Hls::Master(variants)
    })
}

/// One adaptation set of a DASH manifest.
#[derive(Debug, Clone)]
struct DashSet {
    video: bool,
    reps: Vec<DashRep>,
}

/// One representation: its segments as a media playlist.
#[derive(Debug, Clone)]
struct DashRep {
    id: String,
    bandwidth: u64,
    media: MediaPlaylist,
}

/// `PT1H2M3.5S`, `P1DT2S` → seconds.
fn iso_duration(s: &str) -> Option<f64> {
    let s = s.trim().strip_prefix('P')?;
    let (days, time) = match s.split_once('T') {
        Some((d, t)) => (d, t),
        None => (s, ""),
    };
    let mut total = 0.0;
    if !days.is_empty() {
        total += days.strip_suffix('D')?.parse::<f64>().ok()? * 86_400.0;
    }
    let mut num = String::new();
    for c in time.chars() {
        match c {
            'H' | 'M' | 'S' => {
                let n: f64 = num.parse().ok()?;
                total += n * match c {
                    'H' => 3600.0,
                    'M' => 60.0,
                    _ => 1.0,
                };
                num.clear();
            }
            c => num.push(c),
        }
    }
    (num.is_empty() && total.is_finite()).then_some(total)
}

/// `$RepresentationID$`, `$Bandwidth$`, `$Number$`/`$Number%05d$`, `$Time$`, `$$`.
fn fill_template(t: &str, id: &str, bandwidth: u64, number: u64, time: u64) -> String {
    let mut out = String::new();
    let mut parts = t.split('$');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut inside = true;
    for p in parts {
        if inside {
            let (name, fmt) = p.split_once('%').unwrap_or((p, ""));
            let width: usize = fmt
                .strip_prefix('0')
                .unwrap_or(fmt)
                .trim_end_matches('d')
                .parse()
                .unwrap_or(0)
                .min(20);
            match name {
                "" => out.push('$'),
                "RepresentationID" => out.push_str(id),
                "Bandwidth" => out.push_str(&format!("{bandwidth:0width$}")),
                "Number" => out.push_str(&format!("{number:0width$}")),
                "Time" => out.push_str(&format!("{time:0width$}")),
                other => {
                    out.push('$');
                    out.push_str(other);
                    out.push('$');
                }
            }
        } else {
            out.push_str(p);
        }
        inside = !inside;
    }
    out
}

/// The first child element named `name`.
fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// `base` joined with the element's own `BaseURL`, if it has one.
fn base_of(n: roxmltree::Node<'_, '_>, base: &url::Url) -> url::Url {
    child(n, "BaseURL")
        .and_then(|b| b.text())
        .and_then(|t| base.join(t.trim()).ok())
        .unwrap_or_else(|| base.clone())
}

/// A static MPD's adaptation sets (first period); `None` when it is not one sigillo reads.
fn parse_mpd(text: &str, url: &str) -> Option<Vec<DashSet>> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let mpd = doc.root_element();
    if mpd.tag_name().name() != "MPD" || mpd.attribute("type") == Some("dynamic") {
        return None;
    }
    let total = mpd
        .attribute("mediaPresentationDuration")
        .and_then(iso_duration);
    let root = base_of(mpd, &url::Url::parse(url).ok()?);
    let period = child(mpd, "Period")?;
    let period_base = base_of(period, &root);
    let mut sets = Vec::new();
    for set in period
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "AdaptationSet")
    {
        let set_base = base_of(set, &period_base);
        let mut video = set.attribute("contentType") == Some("video")
            || set
                .attribute("mimeType")
                .is_some_and(|m| m.starts_with("video/"));
        let mut reps = Vec::new();
        for rep in set
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "Representation")
        {
            let base = base_of(rep, &set_base);
            let id = rep.attribute("id").unwrap_or("").to_string();
            let bandwidth = rep
                .attribute("bandwidth")
                .and_then(|b| b.parse().ok())
                .unwrap_or(0);
            video |= rep
                .attribute("mimeType")
                .is_some_and(|m| m.starts_with("video/"));
            let template = child(rep, "SegmentTemplate").or_else(|| child(set, "SegmentTemplate"));
            let media = if let Some(t) = template {
                template_segments(t, &base, &id, bandwidth, total)?
            } else if let Some(l) = child(rep, "SegmentList").or_else(|| child(set, "SegmentList"))
            {
                list_segments(l, &base)?
            } else {
                continue;
            };
            reps.push(DashRep {
                id,
                bandwidth,
                media,
            });
        }
        sets.push(DashSet { video, reps });
    }
    Some(sets)
}

/// The segments a `SegmentTemplate` names.
fn template_segments(
    t: roxmltree::Node<'_, '_>,
    base: &url::Url,
    id: &str,
    bandwidth: u64,
    total: Option<f64>,
) -> Option<MediaPlaylist> {
    let num = |k: &str, d: u64| {
        t.attribute(k)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(d)
    };
    let timescale = num("timescale", 1).max(1);
    let start = num("startNumber", 1);
    let media_t = t.attribute("media")?;
    let resolve = |s: String| base.join(&s).ok().map(|u| u.to_string());
    let mut m = MediaPlaylist {
        init: t
            .attribute("initialization")
            .and_then(|i| resolve(fill_template(i, id, bandwidth, start, 0))),
        ..Default::default()
    };
    let timeline = t
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "SegmentTimeline");
    if let Some(tl) = timeline {
        let (mut time, mut number) = (0u64, start);
        for s in tl
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "S")
        {
            if let Some(t0) = s.attribute("t").and_then(|v| v.parse().ok()) {
                time = t0;
            }
            let d: u64 = s.attribute("d")?.parse().ok()?;
            let r: i64 = s.attribute("r").and_then(|v| v.parse().ok()).unwrap_or(0);
            if r < 0 || d == 0 {
                return None;
            }
            for _ in 0..=r {
                if m.segments.len() >= MAX_SEGMENTS {
                    return Some(m);
                }
                m.segments.push((
                    resolve(fill_template(media_t, id, bandwidth, number, time))?,
                    d as f64 / timescale as f64,
                ));
                time = time.saturating_add(d);
                number += 1;
            }
        }
    } else {
        let d = num("duration", 0);
        let total = total?;
        if d == 0 {
            return None;
        }
        let seg = d as f64 / timescale as f64;
        let count = ((total / seg) - 1e-9).ceil().max(0.0) as usize;
        for i in 0..count.min(MAX_SEGMENTS) {
            let number = start + i as u64;
            let dur = seg.min(total - i as f64 * seg);
            m.segments.push((
                resolve(fill_template(media_t, id, bandwidth, number, i as u64 * d))?,
                dur,
            ));
        }
    }
    Some(m)
}

/// The segments a `SegmentList` names.
fn list_segments(l: roxmltree::Node<'_, '_>, base: &url::Url) -> Option<MediaPlaylist> {
    let timescale = l
        .attribute("timescale")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let d = l
        .attribute("duration")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let mut m = MediaPlaylist::default();
    for c in l.children().filter(|c| c.is_element()) {
        match c.tag_name().name() {
            "Initialization" => {
                if c.attribute("range").is_some() {
                    m.unsupported = Some("the init segment is a byte range".into());
                }
                m.init = c
                    .attribute("sourceURL")
                    .and_then(|u| base.join(u).ok())
                    .map(|u| u.to_string());
            }
            "SegmentURL" if m.segments.len() < MAX_SEGMENTS => {
                if c.attribute("mediaRange").is_some() {
                    m.unsupported = Some("segments are byte ranges of one file".into());
                }
                let u = c.attribute("media").and_then(|u| base.join(u).ok())?;
                m.segments
                    .push((u.to_string(), d as f64 / timescale as f64));
            }
            _ => {}
        }
    }
    Some(m)
}

/// The first exchange with a whole body for each URL (a 206 partial response is not a
/// whole segment: it stays among the page's media, and sigillo fetches the segment).
fn bodies(exchanges: &[HttpExchange]) -> HashMap<&str, &HttpExchange> {
    let mut m = HashMap::new();
    for ex in exchanges {
        let ok = ex
            .response
            .as_ref()
            .is_some_and(|r| (200..300).contains(&r.status) && r.status != 206 && r.body.is_some());
        if ok {
            m.entry(ex.url.as_str()).or_insert(ex);
        }
    }
    m
}

/// The body as received (read from its file when on disk; empty when there is none).
fn body(ex: &HttpExchange) -> std::borrow::Cow<'_, [u8]> {
    ex.response
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .and_then(|b| b.bytes().ok())
        .unwrap_or_default()
}

/// The body the page received, as the content of an original: its own file when the
/// recorder wrote it to disk.
fn page_body(ex: &HttpExchange) -> Content {
    match ex.response.as_ref().and_then(|r| r.body.as_ref()) {
        Some(crate::acquire::web::exchange::Body::File { path, .. }) => Content::File(path.clone()),
        Some(crate::acquire::web::exchange::Body::Memory(v)) => Content::Bytes(v.clone()),
        None => Content::Bytes(Vec::new()),
    }
}

/// Whether the page fetched any HLS playlist or DASH manifest.
pub fn has_streams(exchanges: &[HttpExchange]) -> bool {
    exchanges.iter().any(|e| kind_of(e).is_some())
}

/// The streams of the recorded exchanges: originals, completed variant, joined file.
pub fn collect(exchanges: &[HttpExchange], opts: &StreamOptions) -> Streams {
    let mut out = Streams::default();
    let by_url = bodies(exchanges);
    let mut playlists: Vec<(&HttpExchange, Kind)> = Vec::new();
    let mut seen = HashSet::new();
    for ex in exchanges {
        if let Some(k) = kind_of(ex)
            && by_url
                .get(ex.url.as_str())
                .is_some_and(|e| std::ptr::eq(*e, ex))
            && seen.insert(ex.url.as_str())
        {
            playlists.push((ex, k));
        }
    }
    if playlists.is_empty() {
        return out;
    }
    let parsed: HashMap<&str, Hls> = playlists
        .iter()
        .filter(|(_, k)| *k == Kind::Hls)
        .filter_map(|(ex, _)| {
            let text = String::from_utf8_lossy(&body(ex)).into_owned();
            parse_hls(&text, &ex.url).map(|p| (ex.url.as_str(), p))
        })
        .collect();
    // Media playlists that a master lists belong to that master's stream.
    let mut under_master: HashSet<&str> = HashSet::new();
    for p in parsed.values() {
        if let Hls::Master(vs) = p {
            under_master.extend(vs.iter().map(|v| v.url.as_str()));
        }
    }
    let client = client(opts);
    let mut budget = opts.max_bytes;
    let mut n = 0;
    for (ex, kind) in &playlists {
        let url = ex.url.as_str();
        if under_master.contains(url) && parsed.contains_key(url) {
            continue;
        }
        n += 1;
        let mut s = StreamBuilder::new(n, url, *kind);
        s.store_page(ex, "playlist", &mut out);
        match (kind, parsed.get(url)) {
            (Kind::Dash, _) => match parse_mpd(&String::from_utf8_lossy(&body(ex)), url) {
                Some(sets) => {
                    s.dash(&sets, ex, &by_url, &client, &mut budget, &mut out);
                }
                None => {
                    s.facts.not_joined = Some("the manifest could not be read as a static DASH MPD with SegmentTemplate or SegmentList; segments the page fetched are among the page's media files".into());
                }
            },
            (Kind::Hls, None) => {
                s.facts.not_joined = Some("the playlist could not be parsed as HLS".into());
            }
            (Kind::Hls, Some(Hls::Master(variants))) => {
                let ctx = Ctx {
                    parsed: &parsed,
                    by_url: &by_url,
                    client: &client,
                };
                s.master(variants, ex, &ctx, &mut budget, &mut out);
            }
            (Kind::Hls, Some(Hls::Media(m))) => {
                s.facts.variant_url = Some(url.to_string());
                s.complete(m, ex, &by_url, &client, &mut budget, &mut out);
            }
        }
        out.facts.push(s.facts);
    }
    out.bytes_fetched = opts.max_bytes - budget;
    if !out.facts.is_empty() {
        out.transformations.push(format!(
            "video streams: stored {} playlist(s)/manifest(s) and the segments the page fetched as originals under original/stream/; sigillo fetched {} more byte(s) of segments itself (bounded by --max-media, {} bytes)",
            out.facts.len(),
            out.bytes_fetched,
            opts.max_bytes
        ));
    }
    out
}

/// Of the variants whose segments the page fetched (else whose playlist it fetched),
/// the one of highest bandwidth.
fn choose_variant<'a>(
    variants: &'a [Variant],
    parsed: &HashMap<&str, Hls>,
    by_url: &HashMap<&str, &HttpExchange>,
) -> Option<&'a Variant> {
    let played = |v: &&Variant| match parsed.get(v.url.as_str()) {
        Some(Hls::Media(m)) => m
            .segments
            .iter()
            .any(|(u, _)| by_url.contains_key(u.as_str())),
        _ => false,
    };
    let fetched = |v: &&Variant| matches!(parsed.get(v.url.as_str()), Some(Hls::Media(_)));
    variants
        .iter()
        .filter(played)
        .max_by_key(|v| v.bandwidth)
        .or_else(|| variants.iter().filter(fetched).max_by_key(|v| v.bandwidth))
}

fn client(opts: &StreamOptions) -> Option<reqwest::blocking::Client> {
    crate::net::client_builder()
        .timeout(opts.timeout)
        .danger_accept_invalid_certs(opts.insecure)
        .user_agent(opts.user_agent.clone())
        .build()
        .ok()
}

/// What every stream of a page looks at.
struct Ctx<'a> {
    parsed: &'a HashMap<&'a str, Hls>,
    by_url: &'a HashMap<&'a str, &'a HttpExchange>,
    client: &'a Option<reqwest::blocking::Client>,
}

/// One stream being put together.
struct StreamBuilder {
    folder: String,
    n: usize,
    files: usize,
    /// URL → item path of what is stored.
    stored: HashMap<String, String>,
    facts: StreamFacts,
}

impl StreamBuilder {
    fn new(n: usize, url: &str, kind: Kind) -> Self {
        let folder = format!("original/stream/{n}/");
        StreamBuilder {
            n,
            files: 0,
            stored: HashMap::new(),
            facts: StreamFacts {
                kind: match kind {
                    Kind::Hls => "hls",
                    Kind::Dash => "dash",
                }
                .into(),
                folder: folder.clone(),
                playlist_url: url.to_string(),
                variant_url: None,
                variant_bandwidth: None,
                variants: 0,
                segments_total: 0,
                segments_from_page: 0,
                segments_fetched_by_sigillo: 0,
                segments_missing: 0,
                missing_reasons: Vec::new(),
                bytes_fetched_by_sigillo: 0,
                limit_reached: false,
                joined: None,
                not_joined: None,
            },
            folder,
        }
    }

    fn path_for(&mut self, url: &str) -> String {
        self.files += 1;
        format!(
            "{}{:03}-{}",
            self.folder,
            self.files,
            super::capture::media_name(url)
        )
    }

    /// Store what the page fetched (once per URL); its item path.
    fn store_page(&mut self, ex: &HttpExchange, what: &str, out: &mut Streams) -> String {
        if let Some(p) = self.stored.get(&ex.url) {
            return p.clone();
        }
        let path = self.path_for(&ex.url);
        let mt = ex
            .response
            .as_ref()
            .map(|r| r.mime_type.clone())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| media_type_of(&ex.url).into());
        out.artifacts.push(
            Artifact::original(path.clone(), page_body(ex))
                .media_type(media_type_for(&ex.url, &mt))
                .describe(format!(
                    "{what} of a video stream, fetched by the page (body as received by the browser at {})",
                    rfc3339(&ex.request_time)
                ))
                .with_url(ex.url.clone()),
        );
        out.claimed.insert(ex.request_id.clone());
        self.stored.insert(ex.url.clone(), path.clone());
        path
    }

    /// A master playlist: its variant playlists the page fetched, the chosen variant
    /// completed, and the segments of other variants that the page fetched.
    fn master(
        &mut self,
        variants: &[Variant],
        ex: &HttpExchange,
        ctx: &Ctx,
        budget: &mut u64,
        out: &mut Streams,
    ) {
        self.facts.variants = variants.len();
        for v in variants {
            if let Some(vex) = ctx.by_url.get(v.url.as_str()) {
                self.store_page(vex, "variant playlist", out);
            }
        }
        match choose_variant(variants, ctx.parsed, ctx.by_url) {
            Some(v) => {
                self.facts.variant_url = Some(v.url.clone());
                self.facts.variant_bandwidth = Some(v.bandwidth);
                match ctx.parsed.get(v.url.as_str()) {
                    Some(Hls::Media(m)) => {
                        self.complete(m, ex, ctx.by_url, ctx.client, budget, out)
                    }
                    _ => {
                        self.facts.not_joined =
                            Some("the variant's playlist could not be parsed".into())
                    }
                }
            }
            None => {
                self.facts.not_joined =
                    Some("the page fetched no variant playlist of this master playlist".into())
            }
        }
        // Segments of other variants that the page fetched are originals too.
        for v in variants {
            if Some(&v.url) == self.facts.variant_url.as_ref() {
                continue;
            }
            if let Some(Hls::Media(m)) = ctx.parsed.get(v.url.as_str()) {
                let urls = m.init.iter().chain(m.segments.iter().map(|(u, _)| u));
                for u in urls {
                    if let Some(sex) = ctx.by_url.get(u.as_str()) {
                        self.store_page(sex, "segment of another variant", out);
                    }
                }
            }
        }
    }

    /// A DASH manifest: the chosen representation completed and joined, then the
    /// segments the page fetched of every other representation.
    fn dash(
        &mut self,
        sets: &[DashSet],
        ex: &HttpExchange,
        by_url: &HashMap<&str, &HttpExchange>,
        client: &Option<reqwest::blocking::Client>,
        budget: &mut u64,
        out: &mut Streams,
    ) {
        self.facts.variants = sets.iter().map(|s| s.reps.len()).sum();
        let played = |r: &&DashRep| {
            r.media
                .segments
                .iter()
                .any(|(u, _)| by_url.contains_key(u.as_str()))
        };
        let best = |set: &DashSet| {
            set.reps
                .iter()
                .filter(played)
                .max_by_key(|r| r.bandwidth)
                .cloned()
        };
        let chosen = sets
            .iter()
            .filter(|s| s.video)
            .find_map(best)
            .or_else(|| sets.iter().find_map(best));
        match &chosen {
            Some(r) => {
                self.facts.variant_url = Some(format!(
                    "{}#representation={}",
                    self.facts.playlist_url, r.id
                ));
                self.facts.variant_bandwidth = Some(r.bandwidth);
                self.complete(&r.media, ex, by_url, client, budget, out);
            }
            None => {
                self.facts.not_joined =
                    Some("the page fetched no segment the manifest lists".into())
            }
        }
        for r in sets.iter().flat_map(|s| &s.reps) {
            let urls = r
                .media
                .init
                .iter()
                .chain(r.media.segments.iter().map(|(u, _)| u));
            for u in urls {
                if let Some(sex) = by_url.get(u.as_str()) {
                    self.store_page(sex, "segment of another representation", out);
                }
            }
        }
    }

    /// Store the variant's init segment and segments: the page's, then sigillo's own
    /// fetches of the rest within the budget; then join them.
    #[allow(clippy::too_many_arguments)]
    fn complete(
        &mut self,
        m: &MediaPlaylist,
        playlist: &HttpExchange,
        by_url: &HashMap<&str, &HttpExchange>,
        client: &Option<reqwest::blocking::Client>,
        budget: &mut u64,
        out: &mut Streams,
    ) {
        let headers = forwarded_headers(playlist);
        let wanted: Vec<(String, Option<f64>)> = m
            .init
            .iter()
            .map(|u| (u.clone(), None))
            .chain(m.segments.iter().map(|(u, d)| (u.clone(), Some(*d))))
            .collect();
        self.facts.segments_total = wanted.len();
        // (item path, duration; None for the init segment), in playlist order.
        let mut parts: Vec<(Option<String>, Option<f64>)> = Vec::new();
        for (u, d) in &wanted {
            if let Some(ex) = by_url.get(u.as_str()) {
                parts.push((Some(self.store_page(ex, "segment", out)), *d));
                self.facts.segments_from_page += 1;
                continue;
            }
            if self.facts.limit_reached {
                parts.push((None, *d));
                self.missing("not fetched: --max-media reached".into());
                continue;
            }
            let Some(c) = client else {
                parts.push((None, *d));
                self.missing("no HTTP client could be built".into());
                continue;
            };
            match fetch(c, u, &headers, *budget) {
                Ok((bytes, at)) => {
                    *budget -= bytes.len() as u64;
                    self.facts.bytes_fetched_by_sigillo += bytes.len() as u64;
                    self.facts.segments_fetched_by_sigillo += 1;
                    let path = self.path_for(u);
                    out.artifacts.push(
                        Artifact::original(path.clone(), Content::Bytes(bytes))
                            .media_type(media_type_of(u))
                            .describe(format!(
                                "segment of a video stream the page did not fetch, fetched by sigillo (not by the page) at {} (local clock), bytes as served",
                                rfc3339(&at.at)
                            ))
                            .with_url(u.clone()),
                    );
                    self.stored.insert(u.clone(), path.clone());
                    parts.push((Some(path), *d));
                }
                Err(Fetch::OverLimit) => {
                    self.facts.limit_reached = true;
                    parts.push((None, *d));
                    self.missing("not fetched: --max-media reached".into());
                }
                Err(Fetch::Failed(why)) => {
                    parts.push((None, *d));
                    self.missing(crate::text::clip(&format!("{u}: {why}"), 300));
                }
            }
        }
        if self.facts.limit_reached {
            out.warnings.push(format!(
                "video stream {}: --max-media reached, {} segment(s) not fetched (raise --max-media to keep the whole stream)",
                self.n, self.facts.segments_missing
            ));
        } else if self.facts.segments_missing > 0 {
            out.warnings.push(format!(
                "video stream {}: {} segment(s) could not be fetched (listed in facts.video_streams)",
                self.n, self.facts.segments_missing
            ));
        }
        if let Some(why) = &m.unsupported {
            self.facts.not_joined = Some(format!("not joined: {why}"));
            return;
        }
        self.join(&parts, out);
    }

    fn missing(&mut self, why: String) {
        self.facts.segments_missing += 1;
        if self.facts.missing_reasons.len() < 20 {
            self.facts.missing_reasons.push(why);
        }
    }

    /// The derived playlist over the sealed segments, and the joined MP4 (ffmpeg).
    fn join(&mut self, parts: &[(Option<String>, Option<f64>)], out: &mut Streams) {
        let present: Vec<&(Option<String>, Option<f64>)> = parts
            .iter()
            .filter(|(p, d)| p.is_some() && d.is_some())
            .collect();
        if present.is_empty() {
            self.facts.not_joined = Some("no segment of the stream was stored".into());
            return;
        }
        let playlist_path = format!("derived/stream-{}.m3u8", self.n);
        let mp4_path = format!("derived/stream-{}.mp4", self.n);
        let (text, from) = local_playlist(parts);
        let Some(version) = version_of("ffmpeg", "-version") else {
            self.facts.not_joined = Some("ffmpeg not installed: no joined MP4 was made (install ffmpeg, e.g. apt-get install ffmpeg)".into());
            out.warnings.push(format!(
                "video stream {}: ffmpeg is not installed, so the segments were not joined into one MP4",
                self.n
            ));
            return;
        };
        let args = [
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-allowed_extensions",
            "ALL",
            "-i",
            &format!("stream-{}.m3u8", self.n),
            "-map",
            "0",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            &format!("stream-{}.mp4", self.n),
        ];
        let joined = join_with_ffmpeg(&text, &playlist_path, &mp4_path, &args, out);
        let from_playlist = from.clone();
        out.artifacts.push(
            Artifact::derived(
                playlist_path.clone(),
                Content::Bytes(text.into_bytes()),
                from_playlist,
            )
            .media_type("application/vnd.apple.mpegurl")
            .describe("HLS playlist written by sigillo over the sealed segments (paths relative to derived/), the input of the joined MP4"),
        );
        match joined {
            Ok(bytes) => {
                let missing = self.facts.segments_missing;
                let mut from = from;
                from.push(playlist_path);
                out.artifacts.push(
                    Artifact::derived(mp4_path.clone(), Content::Bytes(bytes), from)
                        .media_type("video/mp4")
                        .describe(format!(
                            "the stream's segments joined without re-encoding{} by {version}: cd derived && ffmpeg {}",
                            if missing > 0 {
                                format!(" ({missing} segment(s) missing, skipped)")
                            } else {
                                String::new()
                            },
                            args.join(" ")
                        )),
                );
                self.facts.joined = Some(mp4_path);
            }
            Err(why) => {
                out.warnings.push(format!(
                    "video stream {}: the segments could not be joined: {why}",
                    self.n
                ));
                self.facts.not_joined = Some(why);
            }
        }
    }
}

/// The playlist over the sealed segments (paths relative to `derived/`) and the item
/// paths it names.
fn local_playlist(parts: &[(Option<String>, Option<f64>)]) -> (String, Vec<String>) {
    let target = parts
        .iter()
        .filter_map(|(_, d)| *d)
        .fold(1.0f64, f64::max)
        .ceil() as u64;
    let mut text = format!(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{target}\n#EXT-X-PLAYLIST-TYPE:VOD\n"
    );
    let mut from = Vec::new();
    let mut gap = false;
    for (p, d) in parts {
        match (p, d) {
            (Some(p), None) => {
                text.push_str(&format!("#EXT-X-MAP:URI=\"../{p}\"\n"));
                from.push(p.clone());
            }
            (Some(p), Some(d)) => {
                if gap {
                    text.push_str("#EXT-X-DISCONTINUITY\n");
                    gap = false;
                }
                text.push_str(&format!("#EXTINF:{d:.6},\n../{p}\n"));
                from.push(p.clone());
            }
            (None, _) => gap = true,
        }
    }
    text.push_str("#EXT-X-ENDLIST\n");
    (text, from)
}

/// Lay the stored files out as in the item in a private temporary folder, run ffmpeg
/// in its `derived/`, return the MP4's bytes.
fn join_with_ffmpeg(
    playlist: &str,
    playlist_path: &str,
    mp4_path: &str,
    args: &[&str],
    out: &Streams,
) -> Result<Vec<u8>, String> {
    let dir = tempfile::Builder::new()
        .prefix("sigillo-stream-")
        .tempdir()
        .map_err(|e| format!("could not make a temporary folder: {e}"))?;
    let _guard = crate::cleanup::register(dir.path());
    let write = |rel: &str, bytes: &[u8]| -> Result<(), String> {
        let p = dir.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&p, bytes).map_err(|e| format!("could not write a temporary file: {e}"))
    };
    for a in &out.artifacts {
        let named = playlist.contains(&format!("../{}\n", a.path))
            || playlist.contains(&format!("../{}\"", a.path));
        match (named, &a.content) {
            (true, Content::Bytes(b)) => write(&a.path, b)?,
            (true, Content::File(src)) => {
                let p = dir.path().join(&a.path);
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                std::fs::copy(src, &p)
                    .map_err(|e| format!("could not copy a segment to a temporary file: {e}"))?;
            }
            _ => {}
        }
    }
    write(playlist_path, playlist.as_bytes())?;
    let mut cmd = Command::new("ffmpeg");
    cmd.args(args).current_dir(dir.path().join("derived"));
    let ran = match run_bounded(cmd, None, JOIN_TIMEOUT) {
        Ok(r) => r,
        Err(RunError::TimedOut) => {
            return Err(format!(
                "ffmpeg did not finish within {} s",
                JOIN_TIMEOUT.as_secs()
            ));
        }
        Err(e) => return Err(format!("ffmpeg: {e}")),
    };
    if !ran.ok() {
        return Err(format!("ffmpeg failed: {}", ran.error_line()));
    }
    let mp4 = dir.path().join(mp4_path);
    std::fs::read(&mp4).map_err(|e| format!("ffmpeg wrote no file: {e}"))
}

enum Fetch {
    OverLimit,
    Failed(String),
}

/// Cookie and Referer of the playlist's request, when the browser sent them.
fn forwarded_headers(ex: &HttpExchange) -> Vec<(String, String)> {
    ex.request_headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("cookie") || k.eq_ignore_ascii_case("referer"))
        .cloned()
        .collect()
}

/// GET `url`, at most `limit` bytes of body.
fn fetch(
    c: &reqwest::blocking::Client,
    url: &str,
    headers: &[(String, String)],
    limit: u64,
) -> Result<(Vec<u8>, Stamp), Fetch> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(Fetch::Failed("not an http(s) URL: not fetched".into()));
    }
    let at = Stamp::now();
    let mut req = c.get(url);
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let resp = req
        .send()
        .map_err(|e| Fetch::Failed(crate::text::clip(&e.to_string(), 200)))?;
    if !resp.status().is_success() {
        return Err(Fetch::Failed(format!("HTTP {}", resp.status())));
    }
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(Fetch::OverLimit);
    }
    let mut bytes = Vec::new();
    resp.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Fetch::Failed(crate::text::clip(&e.to_string(), 200)))?;
    if bytes.len() as u64 > limit {
        return Err(Fetch::OverLimit);
    }
    Ok((bytes, at))
}

/// A media type from a segment's URL.
fn media_type_of(url: &str) -> &'static str {
    let path = url::Url::parse(url)
        .map(|u| u.path().to_ascii_lowercase())
        .unwrap_or_default();
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "m3u8" => "application/vnd.apple.mpegurl",
        "mpd" => "application/dash+xml",
        "ts" => "video/mp2t",
        "mp4" | "m4s" | "m4v" | "cmfv" => "video/mp4",
        "m4a" | "cmfa" => "audio/mp4",
        "aac" => "audio/aac",
        "webm" => "video/webm",
        "vtt" => "text/vtt",
        _ => "application/octet-stream",
    }
}

/// The media type to record: the server's, unless it said nothing useful.
fn media_type_for(url: &str, served: &str) -> String {
    if served.is_empty() || served == "application/octet-stream" || served == "text/plain" {
        media_type_of(url).into()
    } else {
        served.into()
    }
}

/// What `--yt-dlp` did (`facts.yt_dlp`).
#[derive(Debug, Clone, Serialize)]
pub struct YtDlpFacts {
    /// `ran`, `failed` or `not installed`.
    pub status: String,
    /// `yt-dlp --version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The command line (the output folder shown as `<tmp>`).
    pub command: String,
    /// Item paths of the files it downloaded.
    pub files: Vec<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Run yt-dlp on the page URL; its downloads become originals of `original/yt-dlp/`.
pub fn yt_dlp(
    url: &str,
    shown: &str,
    max_bytes: u64,
    timeout: Duration,
) -> (Vec<Artifact>, YtDlpFacts, Vec<String>) {
    let args_shown = |out: &str| {
        format!(
            "yt-dlp --no-playlist --no-progress --no-config --max-filesize {max_bytes} -o {out}/%(id)s.%(ext)s {shown}"
        )
    };
    let mut facts = YtDlpFacts {
        status: "not installed".into(),
        version: None,
        command: args_shown("<tmp>"),
        files: Vec::new(),
        error: None,
    };
    let Some(version) = version_of("yt-dlp", "--version") else {
        facts.error = Some("yt-dlp is not installed (apt-get install yt-dlp)".into());
        return (
            Vec::new(),
            facts,
            vec!["--yt-dlp: yt-dlp is not installed, nothing was downloaded with it".into()],
        );
    };
    facts.version = Some(version.clone());
    let fail = |mut facts: YtDlpFacts, why: String| {
        facts.status = "failed".into();
        facts.error = Some(why.clone());
        (Vec::new(), facts, vec![format!("--yt-dlp: {why}")])
    };
    let dir = match tempfile::Builder::new().prefix("sigillo-ytdlp-").tempdir() {
        Ok(d) => d,
        Err(e) => return fail(facts, format!("could not make a temporary folder: {e}")),
    };
    let _guard = crate::cleanup::register(dir.path());
    let mut cmd = Command::new("yt-dlp");
    cmd.args([
        "--no-playlist",
        "--no-progress",
        "--no-config",
        "--max-filesize",
    ])
    .arg(max_bytes.to_string())
    .arg("-o")
    .arg(dir.path().join("%(id)s.%(ext)s"))
    .arg(url);
    let ran = match run_bounded(cmd, None, timeout.max(Duration::from_secs(60)) * 5) {
        Ok(r) => r,
        Err(e) => return fail(facts, format!("yt-dlp {e}")),
    };
    let mut artifacts = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    let mut total = 0u64;
    for p in names.iter().filter(|p| p.is_file()) {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if name.ends_with(".part") || name.ends_with(".ytdl") {
            continue;
        }
        let Ok(bytes) = std::fs::read(p) else {
            continue;
        };
        total += bytes.len() as u64;
        if total > max_bytes {
            facts.error = Some("--max-media reached: later downloads were not kept".into());
            break;
        }
        let path = format!(
            "original/yt-dlp/{:03}-{}",
            facts.files.len() + 1,
            super::capture::media_name(&format!("file:///{}", name.replace(['?', '#'], "_")))
        );
        artifacts.push(
            Artifact::original(path.clone(), Content::Bytes(bytes))
                .media_type(media_type_of(&format!("file:///{name}")))
                .describe(format!(
                    "downloaded by yt-dlp {version} from the page URL: {}",
                    facts.command
                ))
                .with_url(shown.to_string()),
        );
        facts.files.push(path);
    }
    if ran.ok() {
        facts.status = "ran".into();
        (artifacts, facts, Vec::new())
    } else {
        facts.status = "failed".into();
        let why = format!(
            "yt-dlp exited with {}: {}",
            ran.code.map_or("a signal".into(), |c| c.to_string()),
            ran.error_line()
        );
        facts.error = Some(why.clone());
        (artifacts, facts, vec![format!("--yt-dlp: {why}")])
    }
}

/// Parse a size such as `500M`, `2G`, `1.5G`, `800K`, `1000000` (bytes; powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                'B' => 1,
                _ => {
                    return Err(format!(
                        "'{s}' is not a size: use a number with K, M, G or T (e.g. 500M, 2G)"
                    ));
                }
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    let n: f64 = num.trim().parse().map_err(|_| {
        format!("'{s}' is not a size: use a number with K, M, G or T (e.g. 500M, 2G)")
    })?;
    if !n.is_finite() || n < 0.0 || n * mult as f64 > u64::MAX as f64 / 2.0 {
        return Err(format!(
            "'{s}' is not a size: use a number with K, M, G or T (e.g. 500M, 2G)"
        ));
    }
    Ok((n * mult as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_templates_and_timelines_expand() {
        assert_eq!(iso_duration("PT5.0S"), Some(5.0));
        assert_eq!(iso_duration("PT1H2M3.5S"), Some(3723.5));
        assert_eq!(iso_duration("P1DT1S"), Some(86_401.0));
        assert_eq!(iso_duration("5S"), None);
        assert_eq!(
            fill_template("c-$RepresentationID$-$Number%05d$.m4s", "v1", 0, 7, 0),
            "c-v1-00007.m4s"
        );
        assert_eq!(fill_template("t$Time$$$.m4s", "x", 0, 1, 900), "t900$.m4s");
        let mpd = r#"<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2.5S"><Period><AdaptationSet contentType="video">
<Representation id="0" bandwidth="100"><SegmentTemplate timescale="1000" duration="1000" initialization="init-$RepresentationID$.m4s" media="c-$RepresentationID$-$Number%05d$.m4s" startNumber="1"/></Representation>
<Representation id="1" bandwidth="200"><BaseURL>hi/</BaseURL><SegmentTemplate timescale="10" initialization="i.mp4" media="s$Time$.m4s"><SegmentTimeline><S t="0" d="10" r="1"/><S d="5"/></SegmentTimeline></SegmentTemplate></Representation>
</AdaptationSet></Period></MPD>"#;
        let sets = parse_mpd(mpd, "http://h/d/m.mpd").unwrap();
        assert!(sets[0].video);
        let r0 = &sets[0].reps[0].media;
        assert_eq!(r0.init.as_deref(), Some("http://h/d/init-0.m4s"));
        assert_eq!(r0.segments.len(), 3);
        assert_eq!(r0.segments[2], ("http://h/d/c-0-00003.m4s".into(), 0.5));
        let r1 = &sets[0].reps[1].media;
        assert_eq!(r1.init.as_deref(), Some("http://h/d/hi/i.mp4"));
        let urls: Vec<&str> = r1.segments.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://h/d/hi/s0.m4s",
                "http://h/d/hi/s10.m4s",
                "http://h/d/hi/s20.m4s"
            ]
        );
        assert!(parse_mpd("<MPD type=\"dynamic\"/>", "http://h/").is_none());
        assert!(parse_mpd("not xml", "http://h/").is_none());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("1.5k"), Ok(1536));
        for bad in ["", "G", "-1M", "5X", "NaNM", "1e300G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn master_and_media_playlists_parse() {
        let master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\"\nlow/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2400000\nhttps://cdn.example/high/index.m3u8\n";
        let Some(Hls::Master(v)) = parse_hls(master, "https://example.com/v/master.m3u8") else {
            panic!("not a master")
        };
        assert_eq!(v[0].url, "https://example.com/v/low/index.m3u8");
        assert_eq!(v[0].bandwidth, 800_000);
        assert_eq!(v[1].url, "https://cdn.example/high/index.m3u8");
        let media = "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:1.0,\nseg0.m4s\n#EXTINF:0.5,\nseg1.m4s?x=1\n#EXT-X-ENDLIST\n";
        let Some(Hls::Media(m)) = parse_hls(media, "http://h/a/index.m3u8") else {
            panic!("not media")
        };
        assert_eq!(m.init.as_deref(), Some("http://h/a/init.mp4"));
        assert_eq!(
            m.segments,
            vec![
                ("http://h/a/seg0.m4s".into(), 1.0),
                ("http://h/a/seg1.m4s?x=1".into(), 0.5)
            ]
        );
        assert!(m.unsupported.is_none());
        assert!(parse_hls("<html>", "http://h/").is_none());
        let enc = "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:1,\na.ts\n";
        let Some(Hls::Media(m)) = parse_hls(enc, "http://h/") else {
            panic!()
        };
        assert!(m.unsupported.is_some());
    }

    #[test]
    fn the_highest_variant_the_page_played_is_chosen() {
        let variants = vec![
            Variant {
                url: "http://h/low.m3u8".into(),
                bandwidth: 1,
            },
            Variant {
                url: "http://h/mid.m3u8".into(),
                bandwidth: 2,
            },
            Variant {
                url: "http://h/high.m3u8".into(),
                bandwidth: 3,
            },
        ];
        let media = |s: &str| {
            Hls::Media(MediaPlaylist {
                segments: vec![(format!("http://h/{s}.ts"), 1.0)],
                ..Default::default()
            })
        };
        let mut parsed = HashMap::new();
        parsed.insert("http://h/low.m3u8", media("low"));
        parsed.insert("http://h/mid.m3u8", media("mid"));
        parsed.insert("http://h/high.m3u8", media("high"));
        // Only the low and mid segments were played: mid wins over the unplayed high.
        let ex = |u: &str| HttpExchange {
            request_id: u.into(),
            url: u.into(),
            method: "GET".into(),
            request_headers: vec![],
            request_body: None,
            request_time: chrono::Utc::now(),
            resource_type: None,
            remote_ip: None,
            remote_port: None,
            response: None,
            error: None,
        };
        let (a, b) = (ex("http://h/low.ts"), ex("http://h/mid.ts"));
        let mut by_url = HashMap::new();
        by_url.insert("http://h/low.ts", &a);
        by_url.insert("http://h/mid.ts", &b);
        let v = choose_variant(&variants, &parsed, &by_url).unwrap();
        assert_eq!(v.url, "http://h/mid.m3u8");
        // Nothing played: the highest whose playlist was fetched.
        let v = choose_variant(&variants, &parsed, &HashMap::new()).unwrap();
        assert_eq!(v.url, "http://h/high.m3u8");
    }

    #[test]
    fn the_local_playlist_names_sealed_paths_and_marks_gaps() {
        let parts = vec![
            (Some("original/stream/1/002-init.mp4".to_string()), None),
            (Some("original/stream/1/003-s0.m4s".to_string()), Some(1.0)),
            (None, Some(1.0)),
            (Some("original/stream/1/004-s2.m4s".to_string()), Some(2.5)),
        ];
        let (text, from) = local_playlist(&parts);
        assert!(text.contains("#EXT-X-MAP:URI=\"../original/stream/1/002-init.mp4\""));
        assert!(text.contains("#EXT-X-TARGETDURATION:3"));
        assert!(
            text.contains(
                "#EXT-X-DISCONTINUITY\n#EXTINF:2.500000,\n../original/stream/1/004-s2.m4s"
            )
        );
        assert_eq!(from.len(), 3);
    }
}
