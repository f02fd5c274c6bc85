//! Capture hardening (issue 11), with the real Chromium against loopback servers:
//! nothing is left in the temp directory (success, failure, Ctrl-C), and credentials in
//! the URL never reach the bundle.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

use crate::support::http::{self, Reply, png};
use crate::util::{contains_bytes, every_layer};

const USER: &str = "user";
const SECRET: &str = "secret123";

fn sigillo(dir: &Path, tmp: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sigillo"));
    c.current_dir(dir)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join(".config"))
        .env("TMPDIR", tmp)
        .env_remove("SIGILLO_KEY")
        .env_remove("SIGILLO_TSA")
        .env_remove("SIGILLO_PASSPHRASE")
        .stdin(Stdio::null());
    c
}

fn run(dir: &Path, tmp: &Path, args: &[&str]) -> Output {
    sigillo(dir, tmp).args(args).output().expect("run sigillo")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A work folder with a signing key, and an empty temp folder.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let tmp = d.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let o = run(
        d.path(),
        &tmp,
        &["key", "new", "--out", "k.pem", "--name", "K"],
    );
    assert!(o.status.success(), "{}", text(&o));
    (d, tmp)
}

fn left_in(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Processes whose command line names `needle` (Chromium and its helpers).
fn processes_naming(needle: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter_map(|e| {
            let c = std::fs::read(e.path().join("cmdline")).ok()?;
            let c = String::from_utf8_lossy(&c).replace('\0', " ");
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            let zombie = stat
                .rsplit_once(')')
                .map(|(_, r)| r.trim_start().starts_with('Z'));
            (c.contains(needle) && zombie != Some(true)).then_some(c)
        })
        .collect()
}

/// A loopback server: `/page` and `/img.png` need HTTP basic auth as user:secret123;
/// `/slow` answers after 60 s. Returns the port (the server runs until the test ends).
fn start_server() -> u16 {
    let expected = format!(
        "basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{SECRET}"))
    );
    let srv = http::serve(move |r| {
        // The scheme is case-insensitive; the credentials are not.
        let authorized = r.header("Authorization").is_some_and(|v| {
            let (scheme, token) = v.split_once(' ').unwrap_or(("", ""));
            format!("{} {token}", scheme.to_ascii_lowercase()) == expected
        });
        match r.path.as_str() {
            "/slow" => {
                std::thread::sleep(Duration::from_secs(60));
                Reply::new(200, "text/html", "late")
            }
            _ if !authorized => Reply::new(401, "text/plain", "who are you?")
                .with("WWW-Authenticate", "Basic realm=\"test\""),
            "/img.png" => Reply::new(200, "image/png", png(90)),
            _ => Reply::html(
                "<!doctype html><title>Members only</title><p>Private post</p><img src=\"/img.png\"><a href=\"/other\">next</a>",
            ),
        }
    });
    // Dropping the handle does not stop the server: it serves until the test ends.
    srv.base.rsplit(':').next().unwrap().parse().unwrap()
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut e = z.by_index(i).unwrap();
            let mut b = Vec::new();
            e.read_to_end(&mut b).unwrap();
            (e.name().unwrap().to_string(), b)
        })
        .collect()
}

#[test]
fn credentials_in_the_url_are_used_but_never_sealed() {
    let port = start_server();
    let (d, tmp) = setup();
    let url = format!("http://{USER}:{SECRET}@127.0.0.1:{port}/page");
    let o = run(
        d.path(),
        &tmp,
        &[
            "capture",
            &url,
            "-o",
            "case.zip",
            "--key",
            "k.pem",
            "--quiet",
            "--timeout",
            "30s",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(d.path(), &tmp, &["report", "case.zip", "-o", "report.html"]);
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", text(&o));

    let bundle = std::fs::read(d.path().join("case.zip")).unwrap();
    let manifest = unzip(&bundle)
        .into_iter()
        .find(|(n, _)| n.ends_with("/manifest.json"))
        .unwrap()
        .1;
    let m: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    // The credentials were used: the server let the browser and the second fetch in.
    assert_eq!(m["facts"]["main_document"]["status"], 200, "{}", m["facts"]);
    assert_eq!(m["facts"]["second_fetch"]["status"], 200, "{}", m["facts"]);
    assert_eq!(
        m["input"]["url"],
        format!("http://{USER}:***@127.0.0.1:{port}/page")
    );
    assert!(
        m["transformations"].to_string().contains("user:***"),
        "{}",
        m["transformations"]
    );

    let mut members = Vec::new();
    every_layer("case.zip", &bundle, &mut members);
    members.push((
        "report.html".into(),
        std::fs::read(d.path().join("report.html")).unwrap(),
    ));
    assert!(
        members
            .iter()
            .any(|(n, _)| n.contains("capture.wacz!pages/pages.jsonl"))
    );
    assert!(
        members
            .iter()
            .any(|(n, _)| n.contains("capture.warc.gz (gunzipped)"))
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{SECRET}"));
    for (name, bytes) in &members {
        assert!(!contains_bytes(bytes, SECRET), "{SECRET} in {name}");
        assert!(!contains_bytes(bytes, &b64), "basic auth token in {name}");
    }
    assert!(left_in(&tmp).is_empty(), "left behind: {:?}", left_in(&tmp));
}

#[test]
fn a_failed_capture_leaves_nothing_in_the_temp_directory() {
    let (d, tmp) = setup();
    let o = run(
        d.path(),
        &tmp,
        &[
            "capture",
            "http://127.0.0.1:9/nothing",
            "-o",
            "case.zip",
            "--key",
            "k.pem",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(left_in(&tmp).is_empty(), "left behind: {:?}", left_in(&tmp));
    assert!(processes_naming(tmp.to_str().unwrap()).is_empty());
}

#[test]
fn ctrl_c_during_a_capture_removes_the_profile_and_chromium() {
    let port = start_server();
    let (d, tmp) = setup();
    let url = format!("http://127.0.0.1:{port}/slow");
    let mut child = sigillo(d.path(), &tmp)
        .args([
            "capture",
            &url,
            "-o",
            "case.zip",
            "--key",
            "k.pem",
            "--quiet",
            "--timeout",
            "90s",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let needle = tmp.to_str().unwrap().to_string();
    let start = Instant::now();
    while processes_naming(&needle).len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "Chromium did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2)); // the page request is under way
    assert!(
        !left_in(&tmp).is_empty(),
        "the profile should exist while capturing"
    );
    let k = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(k.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "sigillo did not stop on SIGINT"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    assert_eq!(status.code(), Some(130), "{err}");
    std::thread::sleep(Duration::from_millis(500));
    assert!(left_in(&tmp).is_empty(), "left behind: {:?}", left_in(&tmp));
    assert!(
        processes_naming(&needle).is_empty(),
        "Chromium survived: {:?}",
        processes_naming(&needle)
    );
    assert!(!d.path().join("case.zip").exists());
}

/// A URL that serves a download (not a page) fails with a message that says so and how
/// to preserve the file instead, not a bare network error; nothing is sealed.
#[test]
fn a_download_url_is_named_as_a_download() {
    let (d, tmp) = setup();
    let srv = crate::support::web_server::start_http();
    let url = format!("{}/download", srv.base);
    let o = run(
        d.path(),
        &tmp,
        &[
            "capture", &url, "-o", "case.zip", "--key", "k.pem", "--quiet",
        ],
    );
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("download"), "{all}");
    assert!(all.contains("sigillo add"), "{all}");
    assert!(!d.path().join("case.zip").exists());
    assert!(left_in(&tmp).is_empty(), "left behind: {:?}", left_in(&tmp));
}
