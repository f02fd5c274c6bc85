//! Screen recording of a capture (`--record`): the frames Chromium paints, as it paints
//! them, from the Chrome DevTools Protocol screencast (`Page.startScreencast`, every
//! frame, acknowledged one by one with `Page.screencastFrameAck`).
//!
//! What is sealed:
//! - `original/recording/frames.zip`: every frame exactly as Chromium sent it (JPEG),
//!   named `frame-000001.jpg` …, stored uncompressed;
//! - `original/recording/index.json` ([`RecordingIndex`], `sigillo-recording/1`): per
//!   frame its file, the browser's timestamp (UTC), its SHA-256 and the screencast
//!   metadata (scroll offsets, page scale, device size), so scrolling can be followed;
//! - `derived/recording.webm` when `ffmpeg` is on `PATH`: the frames at a constant 25
//!   frames per second, each repeated for as long as it stayed on screen (an ffconcat list
//!   with `duration` lines, as Puppeteer's recorder does). Without ffmpeg, or when it
//!   fails, a warning says that the video was not made and why; nothing is invented.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Weak};

use chrono::{DateTime, Utc};
use headless_chrome::Tab;
use headless_chrome::protocol::cdp::Page;
use headless_chrome::protocol::cdp::types::Event;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::acquire::{Acquisition, Artifact, Content};
use crate::browser::{chrome_err, decode_base64};
use crate::error::{Error, Result};
use crate::evidence::hash::sha256_hex;
use crate::time::rfc3339;

/// Format identifier of the recording index.
pub const INDEX_FORMAT: &str = "sigillo-recording/1";
/// Frame rate of the derived video.
const VIDEO_FPS: u32 = 25;
/// Archive of the frames.
pub const FRAMES_PATH: &str = "original/recording/frames.zip";
/// The index.
pub const INDEX_PATH: &str = "original/recording/index.json";
/// The derived video.
pub const VIDEO_PATH: &str = "derived/recording.webm";

/// One frame as Chromium sent it.
#[derive(Debug, Clone)]
struct Frame {
    jpeg: Vec<u8>,
    meta: FrameEntry,
}

/// One frame in the index.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FrameEntry {
    /// Its file in `frames.zip`.
    pub file: String,
    /// When the browser painted it (`ScreencastFrameMetadata.timestamp`, browser clock,
    /// UTC RFC 3339); `null` when Chromium gave none.
    pub timestamp: Option<String>,
    /// When sigillo received it (local clock, UTC RFC 3339).
    pub received: String,
    /// SHA-256 of the JPEG bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Horizontal scroll position of the page, CSS pixels.
    pub scroll_offset_x: f64,
    /// Vertical scroll position of the page, CSS pixels.
    pub scroll_offset_y: f64,
    /// Page zoom.
    pub page_scale_factor: f64,
    /// Width of the device (viewport), CSS pixels.
    pub device_width: f64,
    /// Height of the device (viewport), CSS pixels.
    pub device_height: f64,
}

/// `original/recording/index.json`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RecordingIndex {
    /// `sigillo-recording/1`.
    pub format: String,
    /// How the frames were had.
    pub source: String,
    /// Image format of every frame (`jpeg`).
    pub image_format: String,
    /// When recording started (local clock, UTC RFC 3339).
    pub started: String,
    /// When this part of the recording ends (local clock, UTC RFC 3339).
    pub ended: String,
    /// Which part of the session this index covers.
    pub covers: String,
    /// Number of the first frame in the whole recording (1-based): an interactive session
    /// seals its recording in parts, one per item.
    pub first_frame: u64,
    /// The frames, in the order Chromium sent them.
    pub frames: Vec<FrameEntry>,
}

/// What the manifest's facts say about the recording.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RecordingFacts {
    /// Frames sealed with this item.
    pub frames: u64,
    /// The frames archive.
    pub frames_file: String,
    /// The index.
    pub index_file: String,
    /// The derived video, when it was made.
    pub video_file: Option<String>,
    /// Why there is no video (ffmpeg missing or failed), when there is none.
    pub video_not_made: Option<String>,
}

/// A running screencast of one tab.
pub struct Screencast {
    frames: Arc<Mutex<Vec<Frame>>>,
    /// Frames already sealed (an interactive session seals in parts).
    taken: Mutex<usize>,
    started: Mutex<DateTime<Utc>>,
    tab: Weak<Tab>,
}

impl Screencast {
    /// Start recording `tab` (JPEG, every frame, at most `size` pixels).
    pub fn start(tab: &Arc<Tab>, size: (u32, u32), what: &str) -> Result<Arc<Screencast>> {
        let frames: Arc<Mutex<Vec<Frame>>> = Arc::default();
        let (tx, rx) = mpsc::channel::<Page::events::ScreencastFrameEventParams>();
        let tx = Mutex::new(tx);
        tab.add_event_listener(Arc::new(move |ev: &Event| {
            if let Event::PageScreencastFrame(e) = ev
                && let Ok(tx) = tx.lock()
            {
                let _ = tx.send(e.params.clone());
            }
        }))
        .map_err(|e| chrome_err("listening to the screencast", what, e))?;
        // Acknowledged from a thread of its own: the event thread must not wait on CDP.
        let (f2, weak) = (frames.clone(), Arc::downgrade(tab));
        std::thread::spawn(move || {
            for p in rx.iter() {
                let Some(t) = weak.upgrade() else { break };
                let _ = t.call_method(Page::ScreencastFrameAck {
                    session_id: p.session_id,
                });
                drop(t);
                let Ok(jpeg) = decode_base64(&p.data, "a screencast frame") else {
                    continue;
                };
                let m = &p.metadata;
                let timestamp = m
                    .timestamp
                    .and_then(crate::acquire::web::network::wall)
                    .map(|t| rfc3339(&t));
                if let Ok(mut v) = f2.lock() {
                    let n = v.len() + 1;
                    v.push(Frame {
                        meta: FrameEntry {
                            file: format!("frame-{n:06}.jpg"),
                            timestamp,
                            received: rfc3339(&Utc::now()),
                            sha256: sha256_hex(&jpeg),
                            size: jpeg.len() as u64,
                            scroll_offset_x: m.scroll_offset_x,
                            scroll_offset_y: m.scroll_offset_y,
                            page_scale_factor: m.page_scale_factor,
                            device_width: m.device_width,
                            device_height: m.device_height,
                        },
                        jpeg,
                    });
                }
            }
        });
        tab.call_method(Page::StartScreencast {
            format: Some(Page::StartScreencastFormatOption::Jpeg),
            quality: Some(80),
            max_width: Some(size.0),
            max_height: Some(size.1),
            every_nth_frame: Some(1),
        })
        .map_err(|e| chrome_err("starting the screen recording", what, e))?;
        Ok(Arc::new(Screencast {
            frames,
            taken: Mutex::new(0),
            started: Mutex::new(Utc::now()),
            tab: Arc::downgrade(tab),
        }))
    }

    /// How many frames were received so far.
    pub fn frame_count(&self) -> usize {
        self.frames.lock().map_or(0, |v| v.len())
    }

    /// Wait, at most `cap`, until a frame received after the first `since` shows the page
    /// scrolled down; whether one did.
    pub fn wait_until_scrolled(&self, since: usize, cap: std::time::Duration) -> bool {
        let end = std::time::Instant::now() + cap;
        loop {
            let shown = self
                .frames
                .lock()
                .is_ok_and(|v| v.iter().skip(since).any(|f| f.meta.scroll_offset_y > 0.0));
            if shown {
                return true;
            }
            if std::time::Instant::now() >= end {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// Put the frames recorded since the last call into `acq` (frames archive, index,
    /// derived video); `stop`: end the screencast first (an ordinary capture).
    pub fn seal_into(&self, acq: &mut Acquisition, stop: bool) -> Result<RecordingFacts> {
        if stop && let Some(t) = self.tab.upgrade() {
            let _ = t.call_method(Page::StopScreencast(None));
        }
        let ended = Utc::now();
        let frames: Vec<Frame> = {
            let v = self
                .frames
                .lock()
                .map_err(|_| Error::internal("screen recorder poisoned"))?;
            let mut taken = self
                .taken
                .lock()
                .map_err(|_| Error::internal("screen recorder poisoned"))?;
            let part = v[*taken..].to_vec();
            let first = *taken as u64 + 1;
            *taken = v.len();
            drop(v);
            let covers = if first == 1 {
                "from the start of the recording until this item was sealed"
            } else {
                "from the previous item's seal until this item was sealed"
            };
            let mut started = self
                .started
                .lock()
                .map_err(|_| Error::internal("screen recorder poisoned"))?;
            let index = RecordingIndex {
                format: INDEX_FORMAT.into(),
                source: "Chrome DevTools Protocol Page.startScreencast (format jpeg, quality 80, everyNthFrame 1), each frame acknowledged with Page.screencastFrameAck".into(),
                image_format: "jpeg".into(),
                started: rfc3339(&started),
                ended: rfc3339(&ended),
                covers: covers.into(),
                first_frame: first,
                frames: part.iter().map(|f| f.meta.clone()).collect(),
            };
            *started = ended;
            let json = serde_json::to_vec_pretty(&index)
                .map_err(|e| Error::internal(format!("recording index: {e}")))?;
            acq.artifacts.push(
                Artifact::original(INDEX_PATH, Content::Bytes(json))
                    .media_type("application/json")
                    .describe("index of the screen recording: per frame its file, browser timestamp (UTC), SHA-256 and scroll position"),
            );
            part
        };
        acq.artifacts.push(
            Artifact::original(FRAMES_PATH, Content::Bytes(frames_zip(&frames)?))
                .media_type("application/zip")
                .describe("screen recording: every frame as Chromium painted it (CDP screencast, JPEG bytes unchanged), stored uncompressed"),
        );
        acq.transformations.push(format!(
            "recorded the screen with the CDP screencast: {} frame(s) in {FRAMES_PATH}, listed in {INDEX_PATH}",
            frames.len()
        ));
        let (video_file, video_not_made) = match make_video(&frames, ended) {
            Ok(webm) => {
                acq.artifacts.push(
                    Artifact::derived(
                        VIDEO_PATH,
                        Content::Bytes(webm),
                        vec![FRAMES_PATH.into(), INDEX_PATH.into()],
                    )
                    .media_type("video/webm")
                    .describe("the screen recording as a video (ffmpeg, VP8, 25 frames per second: each frame repeated for as long as it was on screen)"),
                );
                (Some(VIDEO_PATH.to_string()), None)
            }
            Err(why) => {
                acq.warnings
                    .push(format!("the recording video was not made: {why}"));
                (None, Some(why))
            }
        };
        Ok(RecordingFacts {
            frames: frames.len() as u64,
            frames_file: FRAMES_PATH.into(),
            index_file: INDEX_PATH.into(),
            video_file,
            video_not_made,
        })
    }
}

/// The frames as an uncompressed ZIP (the JPEG bytes are stored as they are).
fn frames_zip(frames: &[Frame]) -> Result<Vec<u8>> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    let err = |e: &dyn std::fmt::Display| Error::internal(format!("recording frames: {e}"));
    for f in frames {
        z.start_file(f.meta.file.as_str(), o).map_err(|e| err(&e))?;
        z.write_all(&f.jpeg).map_err(|e| err(&e))?;
    }
    Ok(z.finish().map_err(|e| err(&e))?.into_inner())
}

/// How long each frame stayed on screen: until the next one (the last until `end`), at
/// least one video frame. Frames without a browser timestamp last one video frame.
fn durations(frames: &[Frame], end: DateTime<Utc>) -> Vec<f64> {
    let min = 1.0 / f64::from(VIDEO_FPS);
    let at = |f: &Frame| {
        f.meta
            .timestamp
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    (0..frames.len())
        .map(|i| {
            let next = frames.get(i + 1).map_or(Some(end), at);
            match (at(&frames[i]), next) {
                (Some(a), Some(b)) => {
                    ((b - a).num_microseconds().unwrap_or(0) as f64 / 1e6).clamp(min, 3600.0)
                }
                _ => min,
            }
        })
        .collect()
}

/// The WebM made by ffmpeg from the frames; `Err`: why it was not made.
fn make_video(frames: &[Frame], end: DateTime<Utc>) -> std::result::Result<Vec<u8>, String> {
    if frames.is_empty() {
        return Err("no frame was recorded".into());
    }
    let ffmpeg = find_ffmpeg().ok_or("ffmpeg is not installed (apt-get install ffmpeg)")?;
    let dir = tempfile::Builder::new()
        .prefix("sigillo-recording-")
        .tempdir()
        .map_err(|e| format!("no temporary folder: {e}"))?;
    let guard = crate::cleanup::register(dir.keep());
    let d = guard.path();
    let mut list = String::from("ffconcat version 1.0\n");
    for (f, secs) in frames.iter().zip(durations(frames, end)) {
        std::fs::write(d.join(&f.meta.file), &f.jpeg)
            .map_err(|e| format!("writing a frame: {e}"))?;
        list.push_str(&format!("file '{}'\nduration {secs:.6}\n", f.meta.file));
    }
    // The last frame is listed twice: the concat demuxer ignores the last duration.
    if let Some(f) = frames.last() {
        list.push_str(&format!("file '{}'\n", f.meta.file));
    }
    std::fs::write(d.join("frames.ffconcat"), list)
        .map_err(|e| format!("writing the frame list: {e}"))?;
    run_ffmpeg(&ffmpeg, d)?;
    std::fs::read(d.join("recording.webm")).map_err(|e| format!("ffmpeg wrote no video: {e}"))
}

fn run_ffmpeg(ffmpeg: &Path, d: &Path) -> std::result::Result<(), String> {
    let out = std::process::Command::new(ffmpeg)
        .current_dir(d)
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
        .args(["-f", "concat", "-safe", "0", "-i", "frames.ffconcat"])
        .args(["-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p"])
        .args(["-r", &VIDEO_FPS.to_string(), "-fps_mode", "cfr"])
        .args([
            "-c:v",
            "libvpx",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-b:v",
            "1M",
        ])
        .args(["-threads", "2", "recording.webm"])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("ffmpeg could not be run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ffmpeg failed ({}): {}",
            out.status,
            crate::text::clip(String::from_utf8_lossy(&out.stderr).trim(), 300)
        ))
    }
}

/// `ffmpeg` on `PATH`.
fn find_ffmpeg() -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("ffmpeg"))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ts: Option<&str>) -> Frame {
        Frame {
            jpeg: vec![1, 2, 3],
            meta: FrameEntry {
                file: "f.jpg".into(),
                timestamp: ts.map(str::to_string),
                received: "2026-01-01T00:00:00Z".into(),
                sha256: String::new(),
                size: 3,
                scroll_offset_x: 0.0,
                scroll_offset_y: 0.0,
                page_scale_factor: 1.0,
                device_width: 100.0,
                device_height: 100.0,
            },
        }
    }

    #[test]
    fn each_frame_lasts_until_the_next_and_the_last_until_the_end() {
        let f = [
            frame(Some("2026-01-01T00:00:00Z")),
            frame(Some("2026-01-01T00:00:02Z")),
            frame(None),
        ];
        let end = DateTime::parse_from_rfc3339("2026-01-01T00:00:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let d = durations(&f, end);
        assert_eq!(d.len(), 3);
        assert!((d[0] - 2.0).abs() < 1e-9, "{d:?}");
        // Without a time to measure against, a frame lasts one video frame.
        assert!((d[1] - 0.04).abs() < 1e-9, "{d:?}");
        assert!((d[2] - 0.04).abs() < 1e-9, "{d:?}");
    }
}
