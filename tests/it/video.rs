//! Video streams: an HLS stream made by ffmpeg at test setup (5 s testsrc, fMP4 segments of
//! 1 s), played by a `<video>` through a small MSE player script served on 127.0.0.1 (no
//! CDN). The player fetches the master playlist, the variant playlist, the init segment and
//! only the first two segments: sigillo must seal those as the page's originals, fetch the
//! other three itself, join all into `derived/stream-1.mp4` (ffprobe reads ≈5 s), write
//! video facts into metadata.json, and the bundle must verify. The same for DASH (an MPD
//! made by ffmpeg). `--max-media` stops the
//! fetching honestly; `--yt-dlp` seals what yt-dlp downloads from a plain `<video src>`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::http::{self, Reply};
use crate::tool::{Tool, unzip};
use crate::util::*;

/// Serve the files of `root` on 127.0.0.1; the base URL.
fn serve(root: PathBuf) -> String {
    http::serve(move |r| {
        let path = r.path.trim_start_matches('/');
        let file = root.join(if path.is_empty() { "index.html" } else { path });
        let ct = match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
            "html" => "text/html; charset=utf-8",
            "js" => "text/javascript",
            "m3u8" => "application/vnd.apple.mpegurl",
            "mpd" => "application/dash+xml",
            "mp4" | "m4s" => "video/mp4",
            _ => "application/octet-stream",
        };
        match std::fs::read(&file) {
            Ok(b) if !path.contains("..") => Reply::new(200, ct, b),
            _ => Reply::new(404, ct, "not found"),
        }
    })
    .base
}

const PLAYER: &str = r#"<!doctype html><html><head><title>stream</title></head><body>
<h1>A video</h1>
<video id="v" autoplay muted playsinline width="320" height="240"></video>
<p id="state">loading</p>
<script src="player.js"></script>
</body></html>"#;

/// Fetches the master playlist, the highest variant, its init segment and the first
/// two segments only (as a player buffering ahead would), appending them through MSE.
const PLAYER_JS: &str = r#"(async () => {
  const state = document.getElementById('state');
  const text = async u => (await fetch(u)).text();
  const bytes = async u => new Uint8Array(await (await fetch(u)).arrayBuffer());
  const master = await text('hls/master.m3u8');
  const variant = master.split('\n').find(l => l && !l.startsWith('#'));
  const base = new URL(variant, new URL('hls/master.m3u8', location.href));
  const media = await text(base.href);
  const lines = media.split('\n');
  const init = lines.find(l => l.startsWith('#EXT-X-MAP')).match(/URI="([^"]+)"/)[1];
  const segs = lines.filter(l => l && !l.startsWith('#')).slice(0, 2);
  const parts = [await bytes(new URL(init, base).href)];
  for (const s of segs) parts.push(await bytes(new URL(s, base).href));
  const type = 'video/mp4; codecs="avc1.64000d"';
  if (!window.MediaSource || !MediaSource.isTypeSupported(type)) { state.textContent = 'fetched, MSE unsupported'; return; }
  const ms = new MediaSource();
  const v = document.getElementById('v');
  v.src = URL.createObjectURL(ms);
  ms.addEventListener('sourceopen', async () => {
    const sb = ms.addSourceBuffer(type);
    for (const p of parts) {
      sb.appendBuffer(p);
      await new Promise(r => sb.addEventListener('updateend', r, { once: true }));
    }
    state.textContent = 'playing';
  });
})();"#;

/// The DASH page: the manifest, the init segment and the first two chunks, through MSE.
const DASH_PAGE: &str = r#"<!doctype html><html><head><title>dash</title></head><body>
<video id="v" autoplay muted playsinline width="320" height="240"></video>
<p id="state">loading</p>
<script>(async () => {
  const state = document.getElementById('state');
  const bytes = async u => new Uint8Array(await (await fetch(u)).arrayBuffer());
  const mpd = await (await fetch('dash/manifest.mpd')).text();
  if (!mpd.includes('SegmentTemplate')) { state.textContent = 'no template'; return; }
  const parts = [];
  for (const u of ['init-stream0.m4s', 'chunk-stream0-00001.m4s', 'chunk-stream0-00002.m4s'])
    parts.push(await bytes('dash/' + u));
  const type = 'video/mp4; codecs="avc1.64000d"';
  if (!window.MediaSource || !MediaSource.isTypeSupported(type)) { state.textContent = 'fetched'; return; }
  const ms = new MediaSource();
  document.getElementById('v').src = URL.createObjectURL(ms);
  ms.addEventListener('sourceopen', async () => {
    const sb = ms.addSourceBuffer(type);
    for (const p of parts) {
      sb.appendBuffer(p);
      await new Promise(r => sb.addEventListener('updateend', r, { once: true }));
    }
    state.textContent = 'playing';
  });
})();</script>
</body></html>"#;

/// The page and the stream in a fresh folder.
fn site(d: &Dir) -> PathBuf {
    let root = d.join("site");
    std::fs::create_dir_all(root.join("hls/v0")).unwrap();
    std::fs::write(root.join("index.html"), PLAYER).unwrap();
    std::fs::write(root.join("player.js"), PLAYER_JS).unwrap();
    std::fs::write(
        root.join("hls/master.m3u8"),
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x240\nv0/index.m3u8\n",
    )
    .unwrap();
    let r = Tool::Ffmpeg.run(
        &root.join("hls/v0"),
        &[
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=5:size=320x240:rate=25",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "25",
            "-f",
            "hls",
            "-hls_time",
            "1",
            "-hls_playlist_type",
            "vod",
            "-hls_segment_type",
            "fmp4",
            "-hls_segment_filename",
            "seg%03d.m4s",
            "index.m3u8",
        ],
    );
    assert_eq!(r.code, 0, "ffmpeg made no stream: {}", r.all());
    root
}

/// A DASH stream (SegmentTemplate with a SegmentTimeline, as ffmpeg writes it) and its page.
fn dash_site(d: &Dir) -> PathBuf {
    let root = d.join("site");
    std::fs::create_dir_all(root.join("dash")).unwrap();
    std::fs::write(root.join("dash.html"), DASH_PAGE).unwrap();
    let r = Tool::Ffmpeg.run(
        &root.join("dash"),
        &[
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=5:size=320x240:rate=25",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "25",
            "-f",
            "dash",
            "-seg_duration",
            "1",
            "manifest.mpd",
        ],
    );
    assert_eq!(r.code, 0, "ffmpeg made no DASH stream: {}", r.all());
    root
}

fn manifest(bundle: &Path) -> Value {
    serde_json::from_slice(&member(bundle, "/manifest.json")).unwrap()
}

fn files(m: &Value) -> Vec<Value> {
    m["files"].as_array().unwrap().clone()
}

fn duration(file: &Path) -> f64 {
    let r = Tool::Ffprobe.run(
        file.parent().unwrap(),
        &[
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "default=nw=1:nk=1",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    r.stdout.trim().parse().unwrap()
}

#[test]
fn an_hls_stream_is_sealed_completed_and_joined() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let base = serve(site(&d));
    let r = d.sigillo(&[
        "capture",
        &format!("{base}/index.html"),
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--timeout",
        "60s",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
    let bundle = d.join("case.zip");
    let m = manifest(&bundle);
    let files = files(&m);
    let stream: Vec<&Value> = files
        .iter()
        .filter(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .starts_with("original/stream/1/")
        })
        .collect();
    let by_url = |end: &str| {
        stream
            .iter()
            .find(|f| f["source"]["url"].as_str().unwrap_or("").ends_with(end))
            .unwrap_or_else(|| panic!("no stream file from {end}: {files:#?}"))
    };
    // The playlists and what the page fetched: originals with their URLs, as received.
    for (end, served) in [
        ("hls/master.m3u8", d.read("site/hls/master.m3u8")),
        ("hls/v0/index.m3u8", d.read("site/hls/v0/index.m3u8")),
        ("hls/v0/init.mp4", d.read("site/hls/v0/init.mp4")),
        ("hls/v0/seg000.m4s", d.read("site/hls/v0/seg000.m4s")),
        ("hls/v0/seg001.m4s", d.read("site/hls/v0/seg001.m4s")),
    ] {
        let f = by_url(end);
        assert_eq!(f["role"], "original");
        assert!(
            f["description"]
                .as_str()
                .unwrap()
                .contains("fetched by the page"),
            "{f}"
        );
        let sealed = member(&bundle, f["path"].as_str().unwrap());
        assert_eq!(sealed, served, "{end} not stored as served");
    }
    // The rest fetched by sigillo, said so.
    for end in ["seg002.m4s", "seg003.m4s", "seg004.m4s"] {
        let f = by_url(end);
        assert_eq!(f["role"], "original");
        assert!(
            f["description"]
                .as_str()
                .unwrap()
                .contains("fetched by sigillo (not by the page)"),
            "{f}"
        );
        let sealed = member(&bundle, f["path"].as_str().unwrap());
        assert_eq!(sealed, d.read(&format!("site/hls/v0/{end}")));
    }
    let s = &m["facts"]["video_streams"][0];
    assert_eq!(s["kind"], "hls", "{s}");
    assert_eq!(s["variants"], 1);
    assert_eq!(s["segments_total"], 6, "{s}");
    assert_eq!(s["segments_from_page"], 3, "{s}");
    assert_eq!(s["segments_fetched_by_sigillo"], 3, "{s}");
    assert_eq!(s["segments_missing"], 0, "{s}");
    assert_eq!(s["limit_reached"], false);
    assert_eq!(s["joined"], "derived/stream-1.mp4", "{s}");
    // The joined MP4: derived from the segments and the derived playlist, ffmpeg named.
    let mp4 = files
        .iter()
        .find(|f| f["path"] == "derived/stream-1.mp4")
        .expect("joined MP4");
    assert_eq!(mp4["role"], "derived");
    assert_eq!(mp4["derived_from"].as_array().unwrap().len(), 7, "{mp4}");
    let desc = mp4["description"].as_str().unwrap();
    assert!(
        desc.contains("ffmpeg version") && desc.contains("-c copy"),
        "{desc}"
    );
    // Independently: ffprobe reads ≈5 s, and the derived playlist re-joins in the item.
    let x = d.join("x");
    unzip(&bundle, &x);
    let item = std::fs::read_dir(x.join("items"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let secs = duration(&item.join("derived/stream-1.mp4"));
    assert!((secs - 5.0).abs() < 0.2, "joined duration {secs}");
    let again = Tool::Ffmpeg.run(
        &item.join("derived"),
        &[
            "-hide_banner",
            "-loglevel",
            "error",
            "-allowed_extensions",
            "ALL",
            "-i",
            "stream-1.m3u8",
            "-c",
            "copy",
            "-f",
            "mp4",
            "../../again.mp4",
        ],
    );
    assert_eq!(again.code, 0, "{}", again.all());
    // Video facts in metadata.json (ffprobe), for the joined file and the init segment.
    let meta: Value = serde_json::from_slice(&member(
        &bundle,
        "derived/metadata/derived/stream-1.mp4.json",
    ))
    .unwrap();
    let v = &meta["video"];
    assert_eq!(v["probed"], true, "{meta}");
    assert!((v["duration_seconds"].as_f64().unwrap() - 5.0).abs() < 0.2);
    assert_eq!(v["streams"][0]["codec"], "h264");
    assert_eq!(v["streams"][0]["width"], 320);
    assert_eq!(v["streams"][0]["height"], 240);
    assert_eq!(v["streams"][0]["frame_rate"], 25.0);
    // A media segment is not probed one by one: said so, nothing made up.
    let seg = by_url("seg003.m4s")["path"].as_str().unwrap().to_string();
    let base_name = seg.strip_prefix("original/").unwrap();
    let seg_meta: Value = serde_json::from_slice(&member(
        &bundle,
        &format!("derived/metadata/{base_name}.json"),
    ))
    .unwrap();
    assert_eq!(seg_meta["video"]["probed"], false, "{seg_meta}");
    assert!(
        seg_meta["video"]["reason"]
            .as_str()
            .unwrap()
            .contains("segment of a video stream")
    );
    // The init segment is probed: its codec and size.
    let init = by_url("hls/v0/init.mp4")["path"]
        .as_str()
        .unwrap()
        .to_string();
    let init_meta: Value = serde_json::from_slice(&member(
        &bundle,
        &format!(
            "derived/metadata/{}.json",
            init.strip_prefix("original/").unwrap()
        ),
    ))
    .unwrap();
    assert_eq!(init_meta["video"]["probed"], true, "{init_meta}");
    assert_eq!(init_meta["video"]["streams"][0]["width"], 320);
}

#[test]
fn a_dash_stream_is_sealed_completed_and_joined() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let base = serve(dash_site(&d));
    let r = d.sigillo(&[
        "capture",
        &format!("{base}/dash.html"),
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
    let bundle = d.join("case.zip");
    let m = manifest(&bundle);
    let s = &m["facts"]["video_streams"][0];
    assert_eq!(s["kind"], "dash", "{s}");
    assert_eq!(s["segments_total"], 6, "{s}");
    assert_eq!(s["segments_from_page"], 3, "{s}");
    assert_eq!(s["segments_fetched_by_sigillo"], 3, "{s}");
    assert_eq!(s["segments_missing"], 0, "{s}");
    assert_eq!(s["joined"], "derived/stream-1.mp4", "{s}");
    assert!(
        s["variant_url"]
            .as_str()
            .unwrap()
            .ends_with("manifest.mpd#representation=0"),
        "{s}"
    );
    // Every chunk is sealed as served, whoever fetched it.
    let files = files(&m);
    for n in 1..=5 {
        let name = format!("chunk-stream0-{n:05}.m4s");
        let f = files
            .iter()
            .find(|f| f["source"]["url"].as_str().unwrap_or("").ends_with(&name))
            .unwrap_or_else(|| panic!("{name} not sealed"));
        let who = if n <= 2 {
            "fetched by the page"
        } else {
            "fetched by sigillo"
        };
        assert!(f["description"].as_str().unwrap().contains(who), "{f}");
        assert_eq!(
            member(&bundle, f["path"].as_str().unwrap()),
            d.read(&format!("site/dash/{name}"))
        );
    }
    let x = d.join("x");
    unzip(&bundle, &x);
    let item = std::fs::read_dir(x.join("items"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let secs = duration(&item.join("derived/stream-1.mp4"));
    assert!((secs - 5.0).abs() < 0.2, "joined duration {secs}");
}

#[test]
fn max_media_stops_fetching_honestly() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let base = serve(site(&d));
    let r = d.sigillo(&[
        "capture",
        &format!("{base}/index.html"),
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--max-media",
        "1K",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
    let m = manifest(&d.join("case.zip"));
    let s = &m["facts"]["video_streams"][0];
    assert_eq!(s["limit_reached"], true, "{s}");
    assert_eq!(s["segments_from_page"], 3, "{s}");
    assert_eq!(s["segments_fetched_by_sigillo"], 0, "{s}");
    assert_eq!(s["segments_missing"], 3, "{s}");
    let warnings = m["warnings"].to_string();
    assert!(warnings.contains("--max-media reached"), "{warnings}");
    // The page's own segments are still joined, the gap said.
    assert_eq!(s["joined"], "derived/stream-1.mp4", "{s}");
    let mp4 = files(&m)
        .into_iter()
        .find(|f| f["path"] == "derived/stream-1.mp4")
        .unwrap();
    assert!(
        mp4["description"]
            .as_str()
            .unwrap()
            .contains("3 segment(s) missing"),
        "{mp4}"
    );
}

/// A page with a plain `<video src>`: yt-dlp's generic extractor downloads the file;
/// sealed as an original byte for byte, with yt-dlp's version and command line. The
/// copy the browser loaded gets ffprobe facts too.
#[test]
fn yt_dlp_downloads_are_sealed_with_version_and_command_line() {
    Tool::YtDlp.path();
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let root = site(&d);
    make_clip(&root.join("clip.mp4"));
    std::fs::write(
        root.join("plain.html"),
        "<!doctype html><html><body><video src=\"clip.mp4\" autoplay muted></video></body></html>",
    )
    .unwrap();
    let base = serve(root);
    let r = d.sigillo(&[
        "capture",
        &format!("{base}/plain.html"),
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--yt-dlp",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
    let bundle = d.join("case.zip");
    let m = manifest(&bundle);
    let y = &m["facts"]["yt_dlp"];
    assert_eq!(y["status"], "ran", "{y}");
    assert!(y["version"].as_str().is_some_and(|v| !v.is_empty()), "{y}");
    let command = y["command"].as_str().unwrap();
    assert!(command.starts_with("yt-dlp --no-playlist"), "{y}");
    assert!(command.ends_with("/plain.html"), "{y}");
    let path = y["files"][0].as_str().unwrap();
    assert!(path.starts_with("original/yt-dlp/"), "{y}");
    assert_eq!(member(&bundle, path), d.read("site/clip.mp4"));
    let f = files(&m).into_iter().find(|f| f["path"] == path).unwrap();
    assert_eq!(f["role"], "original");
    assert!(f["description"].as_str().unwrap().contains("yt-dlp"), "{f}");
    // The browser's own copy of the clip: ffprobe facts from the bytes in memory.
    let media = files(&m)
        .into_iter()
        .find(|f| f["path"].as_str().unwrap().starts_with("original/media/"))
        .expect("the clip the browser loaded");
    let base_name = media["path"]
        .as_str()
        .unwrap()
        .strip_prefix("original/")
        .unwrap()
        .to_string();
    let meta: Value = serde_json::from_slice(&member(
        &bundle,
        &format!("derived/metadata/{base_name}.json"),
    ))
    .unwrap();
    assert_eq!(meta["video"]["probed"], true, "{meta}");
    assert_eq!(meta["video"]["streams"][0]["width"], 160);
}

fn make_clip(out: &Path) {
    let r = Tool::Ffmpeg.run(
        out.parent().unwrap(),
        &[
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=2:size=160x120:rate=10",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn a_video_added_as_a_file_gets_ffprobe_facts() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    make_clip(&d.join("clip.mp4"));
    d.add(&["clip.mp4", "-o", "case.zip", "--key", "k.pem"]);
    let meta: Value = serde_json::from_slice(&member(
        &d.join("case.zip"),
        "derived/metadata/clip.mp4.json",
    ))
    .unwrap();
    assert_eq!(meta["video"]["probed"], true, "{meta}");
    assert_eq!(meta["video"]["streams"][0]["width"], 160);
    assert!((meta["video"]["duration_seconds"].as_f64().unwrap() - 2.0).abs() < 0.2);
}
