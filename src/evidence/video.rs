//! Video facts (duration, codec, resolution, frame rate) read by `ffprobe`, and a bounded
//! runner for the external programs sigillo uses on video (ffprobe, ffmpeg, yt-dlp).
//!
//! ffprobe reads attacker-controlled files: it runs with a timeout, its output is read up
//! to a limit, parsed as JSON into typed fields and clipped; when it is not installed or
//! fails, the facts say so (`probed: false` and why), nothing is made up. Bytes in memory
//! are given to ffprobe on its standard input (never copied to a temporary file).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::evidence::media::Media;

/// How long ffprobe may take on one file.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(30);
/// The most output read from an external program (stdout and stderr each).
const MAX_OUTPUT: u64 = 4 << 20;

/// What ffprobe found in a video file, or why nothing was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VideoFacts {
    /// True when ffprobe read the file; false when it was not installed or failed.
    pub probed: bool,
    /// Why the file was not probed (ffprobe missing, timed out, could not read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// ffprobe's version line (`ffprobe version 5.1.9 …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ffprobe_version: Option<String>,
    /// Container format as ffprobe names it (`mov,mp4,m4a,3gp,3g2,mj2`, `mpegts`, `hls` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Duration in seconds, when the container states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// The streams, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub streams: Vec<StreamInfo>,
}

/// One stream of a video file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StreamInfo {
    /// `video`, `audio`, `subtitle`, `data` …
    pub kind: String,
    /// Codec name (`h264`, `vp9`, `aac` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec: Option<String>,
    /// Width in pixels (video).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels (video).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Average frame rate in frames per second (video), from ffprobe's `avg_frame_rate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_rate: Option<f64>,
    /// Duration of the stream in seconds, when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
}

impl VideoFacts {
    /// Not probed, on purpose (the reason says why).
    pub fn not_probed(reason: &str) -> Self {
        VideoFacts::failed(reason, None)
    }

    fn failed(reason: impl Into<String>, version: Option<String>) -> Self {
        VideoFacts {
            probed: false,
            reason: Some(reason.into()),
            ffprobe_version: version,
            container: None,
            duration_seconds: None,
            streams: Vec::new(),
        }
    }
}

/// How an external program ended.
#[derive(Debug)]
pub struct Ran {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output (at most 4 MiB).
    pub stdout: Vec<u8>,
    /// Standard error (at most 4 MiB).
    pub stderr: Vec<u8>,
}

impl Ran {
    /// Exited with 0.
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// The last line of standard error, clipped (for messages).
    pub fn error_line(&self) -> String {
        let s = String::from_utf8_lossy(&self.stderr);
        let line = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        crate::text::clip(line.trim(), 300)
    }
}

/// Why an external program gave no result.
#[derive(Debug)]
pub enum RunError {
    /// The program is not installed (not on PATH).
    NotInstalled,
    /// It ran longer than allowed and was killed.
    TimedOut,
    /// Starting or talking to it failed.
    Io(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::NotInstalled => write!(f, "not installed"),
            RunError::TimedOut => write!(f, "timed out"),
            RunError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Run `cmd` with `input` on its standard input (nothing when `None`), killed after
/// `timeout`; output read up to 4 MiB each.
pub fn run_bounded(
    mut cmd: Command,
    input: Option<Media>,
    timeout: Duration,
) -> Result<Ran, RunError> {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => RunError::NotInstalled,
        _ => RunError::Io(e.to_string()),
    })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let reader = |p: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(p) = p {
                let mut p = p.take(MAX_OUTPUT);
                let _ = p.read_to_end(&mut buf);
                // Drain the rest so the program is not blocked on a full pipe.
                let _ = std::io::copy(&mut p.into_inner(), &mut std::io::sink());
            }
            buf
        })
    };
    let out = reader(stdout.map(|s| Box::new(s) as Box<dyn Read + Send>));
    let err = reader(stderr.map(|s| Box::new(s) as Box<dyn Read + Send>));
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // A program that stops reading early (it has what it needs) closes the pipe:
        // the write error is expected then.
        let _ = match input {
            Media::Bytes(b) => stdin.write_all(b),
            Media::File(p) => std::fs::File::open(p)
                .and_then(|mut f| std::io::copy(&mut f, &mut stdin).map(|_| ())),
        };
    }
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::TimedOut);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(RunError::Io(e.to_string())),
        }
    };
    Ok(Ran {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// The first line of `PROGRAM -version` (or `--version`), or `None` when not installed.
pub fn version_of(program: &str, flag: &str) -> Option<String> {
    let mut cmd = Command::new(program);
    cmd.arg(flag);
    let ran = run_bounded(cmd, None, Duration::from_secs(20)).ok()?;
    let s = String::from_utf8_lossy(&ran.stdout);
    let line = s.lines().next()?.trim();
    (!line.is_empty()).then(|| crate::text::clip(line, 200))
}

/// The facts of one video file (or why there are none).
pub fn probe(media: Media) -> VideoFacts {
    // Looked up once per process (a capture probes every segment).
    static VERSION: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let version = VERSION
        .get_or_init(|| version_of("ffprobe", "-version"))
        .clone();
    if version.is_none() {
        return VideoFacts::failed("ffprobe not installed", None);
    }
    let mut cmd = Command::new("ffprobe");
    cmd.args([
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
    ]);
    let input = match media {
        Media::File(p) => {
            cmd.arg("-i").arg(p);
            None
        }
        Media::Bytes(_) => {
            cmd.args(["-i", "pipe:0"]);
            Some(media)
        }
    };
    let ran = match run_bounded(cmd, input, PROBE_TIMEOUT) {
        Ok(r) => r,
        Err(RunError::TimedOut) => {
            return VideoFacts::failed(
                format!(
                    "ffprobe did not finish within {} s",
                    PROBE_TIMEOUT.as_secs()
                ),
                version,
            );
        }
        Err(e) => return VideoFacts::failed(format!("ffprobe failed: {e}"), version),
    };
    match parse_probe(&ran.stdout) {
        Some(mut f) if ran.ok() && (!f.streams.is_empty() || f.container.is_some()) => {
            f.ffprobe_version = version;
            f
        }
        _ => VideoFacts::failed(
            format!("ffprobe could not read the file: {}", ran.error_line()),
            version,
        ),
    }
}

/// The facts of a file on disk.
pub fn probe_file(path: &Path) -> VideoFacts {
    probe(Media::File(path))
}

/// Typed facts from ffprobe's JSON (hostile: every field optional, strings clipped,
/// numbers checked).
fn parse_probe(json: &[u8]) -> Option<VideoFacts> {
    let v: serde_json::Value = serde_json::from_slice(json).ok()?;
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(|s| s.as_str())
            .map(|s| crate::text::clip(s, 80))
    };
    let seconds = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(|s| s.as_str())
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|d| d.is_finite() && *d >= 0.0)
    };
    let dim = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(|n| n.as_u64())
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
    };
    let format = v.get("format");
    let streams = v
        .get("streams")
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .take(64)
                .map(|s| StreamInfo {
                    kind: text(s, "codec_type").unwrap_or_else(|| "unknown".into()),
                    codec: text(s, "codec_name"),
                    width: dim(s, "width"),
                    height: dim(s, "height"),
                    frame_rate: s
                        .get("avg_frame_rate")
                        .and_then(|r| r.as_str())
                        .and_then(rate),
                    duration_seconds: seconds(s, "duration"),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(VideoFacts {
        probed: true,
        reason: None,
        ffprobe_version: None,
        container: format.and_then(|f| text(f, "format_name")),
        duration_seconds: format.and_then(|f| seconds(f, "duration")),
        streams,
    })
}

/// `30000/1001` → 29.97 (rounded to 3 decimals); `0/0` → none.
fn rate(s: &str) -> Option<f64> {
    let (n, d) = s.split_once('/')?;
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    let r = n / d;
    (r.is_finite() && r > 0.0).then(|| (r * 1000.0).round() / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_rates_parse_and_zero_is_none() {
        assert_eq!(rate("25/1"), Some(25.0));
        assert_eq!(rate("30000/1001"), Some(29.97));
        assert_eq!(rate("0/0"), None);
        assert_eq!(rate("x"), None);
    }

    #[test]
    fn hostile_probe_output_is_typed_or_ignored() {
        assert!(parse_probe(b"not json").is_none());
        let f = parse_probe(br#"{"format":{"format_name":"mov","duration":"NaN"},"streams":[{"codec_type":"video","codec_name":"h264","width":-5,"height":240,"avg_frame_rate":"25/1","duration":"5.0"}]}"#).unwrap();
        assert_eq!(f.container.as_deref(), Some("mov"));
        assert_eq!(f.duration_seconds, None);
        assert_eq!(f.streams[0].width, None);
        assert_eq!(f.streams[0].height, Some(240));
        assert_eq!(f.streams[0].frame_rate, Some(25.0));
    }
}
