//! `capture --interactive --record`: a visible Chromium window under a real virtual display
//! (Xvfb), a login page on 127.0.0.1 whose own script fills in the password and submits
//! (standing in for the person), a private page behind the session cookie, and Enter and
//! `q` written to sigillo's standard input. The bundle verifies, the private page is the
//! item, the navigation log lists login → private, and neither the password nor the
//! session cookie is in any member (gzip and zip members opened, recursively).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::http::{self, Reply, Request};
use crate::tool::Tool;
use crate::util::*;

/// The password the login page types; its page builds it reversed, so the served bytes
/// never hold it (as when a person types it).
const PASSWORD: &str = "Kx7-horse-Battery-91";
/// The session cookie the server sets after the login.
const COOKIE: &str = "sid=Zs8fQ2cookieValue77";
const SET_COOKIE: &str = "sid=Zs8fQ2cookieValue77; HttpOnly; Path=/";
/// A second cookie, set with the private page (a final response: Chromium's raw header
/// block of it reaches the recorder).
const SEEN_COOKIE: &str = "seen=Yq3tracker44; Path=/";

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// A virtual display, stopped when dropped.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Tool::Xvfb
            .command()
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1600x1000x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let n = line.trim();
        assert!(!n.is_empty(), "Xvfb printed no display number");
        Xvfb {
            display: format!(":{n}"),
            child,
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the login server saw.
#[derive(Default)]
struct Seen {
    private_served: AtomicBool,
    login_body: Mutex<Vec<u8>>,
}

const LOGIN: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Log in</title></head>
<body><h1>Members log in</h1>
<form id="f" method="post" action="/login">
<label>User <input name="user"></label>
<!-- The password field is not named like one: the form watcher, not the key rule, finds it. -->
<label>Password <input type="password" name="credential"></label>
<button>Log in</button></form>
<script>
window.addEventListener('load', () => setTimeout(() => {
  const f = document.getElementById('f');
  f.user.value = 'alice';
  f.credential.value = '19-yrettaB-esroh-7xK'.split('').reverse().join('');
  setTimeout(() => f.requestSubmit(), 400);
}, 400));
</script></body></html>"#;

const PRIVATE: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Private messages</title></head>
<body><h1>Private messages of alice</h1><p>The threatening message only members can see.</p>
<div style="height:3000px"></div><p>End of the conversation.</p></body></html>"#;

/// The login site: the form, the login that sets the session cookie, the private page.
fn respond(r: &Request, seen: &Seen) -> Reply {
    let has_cookie = r.header("Cookie").is_some_and(|v| v.contains(COOKIE));
    let html = |status, page: &str| Reply::new(status, "text/html; charset=utf-8", page);
    match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/login") => html(200, LOGIN),
        ("POST", "/login") => {
            *seen.login_body.lock().unwrap() = r.body.clone();
            if String::from_utf8_lossy(&r.body).contains(&format!("credential={PASSWORD}")) {
                html(303, "")
                    .with("Location", "/private")
                    .with("Set-Cookie", SET_COOKIE)
            } else {
                html(403, "wrong password")
            }
        }
        ("GET", "/private") if has_cookie => {
            seen.private_served.store(true, Ordering::SeqCst);
            html(200, PRIVATE).with("Set-Cookie", SEEN_COOKIE)
        }
        ("GET", "/private") => html(403, "log in first"),
        _ => html(404, "not found"),
    }
}

fn start_server() -> (String, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let s2 = seen.clone();
    let srv = http::serve(move |r| respond(r, &s2));
    (srv.base, seen)
}

/// Wait until `f` holds (at most `max`); false if it never did.
fn wait_for(max: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < max {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn a_recorded_login_session_is_sealed_without_its_secrets() {
    let x = Xvfb::start();
    let (base, seen) = start_server();
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let login = format!("{base}/login");
    let mut child = Command::new(bin())
        .current_dir(d.path())
        .env("HOME", d.path())
        .env("XDG_CONFIG_HOME", d.join(".config"))
        .env_remove("SIGILLO_KEY")
        .env_remove("SIGILLO_TSA")
        .env("DISPLAY", &x.display)
        .args([
            "capture",
            "--interactive",
            &login,
            "-o",
            "case.zip",
            "--key",
            "k.pem",
        ])
        .args(["--operator", "Det. Bianchi", "--record", "--timeout", "60s"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sigillo");
    let stderr = Arc::new(Mutex::new(String::new()));
    let (e2, pipe) = (stderr.clone(), child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for l in BufReader::new(pipe).lines().map_while(|l| l.ok()) {
            let mut e = e2.lock().unwrap();
            e.push_str(&l);
            e.push('\n');
        }
    });
    let log = || stderr.lock().unwrap().clone();
    let mut stdin = child.stdin.take().unwrap();
    let shown = wait_for(Duration::from_secs(90), || {
        seen.private_served.load(Ordering::SeqCst)
    });
    if !shown {
        let _ = child.kill();
        panic!("the private page was never loaded: {}", log());
    }
    // The person presses Enter on the private page, then q once it is sealed.
    stdin.write_all(b"\n").unwrap();
    let sealed = wait_for(Duration::from_secs(180), || log().contains("sealed item"));
    stdin.write_all(b"q\n").unwrap();
    drop(stdin);
    let done = wait_for(Duration::from_secs(60), || {
        child.try_wait().ok().flatten().is_some()
    });
    if !done {
        let _ = child.kill();
    }
    let status = child.wait().unwrap();
    let err = log();
    assert!(sealed && done, "the session did not end: {err}");
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("sealed item 0001-web-"), "{err}");
    assert!(!err.contains(PASSWORD) && !err.contains(COOKIE), "{err}");

    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);
    let members = d.zip("case.zip");
    let items: Vec<&String> = members
        .iter()
        .map(|(n, _)| n)
        .filter(|n| n.ends_with("/manifest.json"))
        .collect();
    assert_eq!(items.len(), 1, "one Enter, one item: {items:?}");
    let m: Value = serde_json::from_slice(&member(&d.join("case.zip"), "manifest.json")).unwrap();
    let f = &m["facts"];
    assert_eq!(f["final_url"], format!("{base}/private"));
    assert_eq!(f["main_document"]["status"], 200);
    assert_eq!(f["browser"]["headless"], false);
    assert_eq!(f["authenticated_session"], true);
    assert_eq!(f["interactive"]["operator"], "Det. Bianchi");
    assert_eq!(f["interactive"]["start_url"], login);
    assert_eq!(m["operator"]["name"], "Det. Bianchi");
    let text = String::from_utf8(member(&d.join("case.zip"), "derived/visible-text.txt")).unwrap();
    assert!(
        text.contains("The threatening message only members can see."),
        "{text}"
    );

    // The navigation log: the login page, then the private page (after the form post).
    let nav: Value =
        serde_json::from_slice(&member(&d.join("case.zip"), "original/navigation-log.json"))
            .unwrap();
    assert_eq!(nav["format"], "sigillo-navigation/1");
    let urls: Vec<&str> = nav["navigations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["url"].as_str().unwrap())
        .collect();
    let (l, p) = (
        urls.iter().position(|u| *u == login),
        urls.iter().position(|u| *u == format!("{base}/private")),
    );
    assert!(l.is_some() && p.is_some() && l < p, "{urls:?}");

    // The secrets: only their hashes, each kind named in a transformation. (Chromium
    // reports cookie headers only in its ExtraInfo events, which the recorder does not
    // turn into headers: their hashing is checked by the unit tests of `secrets`; here,
    // that the cookie is nowhere.)
    let t = m["transformations"].to_string();
    assert!(t.contains("password-like field"), "{t}");
    // Enter came as soon as the server sent the private page, mid-navigation: the capture
    // waited for it to load, and scrolled it (it is taller than the window).
    assert!(t.contains("scrolled the page to the bottom"), "{t}");
    let mut plain = Vec::new();
    for (n, b) in &members {
        every_layer(n, b, &mut plain);
    }
    assert!(plain.iter().any(|(n, _)| n.ends_with("(gunzipped)")));
    for (n, b) in &plain {
        for secret in [PASSWORD, COOKIE, "Zs8fQ2cookieValue77", "Yq3tracker44"] {
            assert!(!contains_bytes(b, secret), "{secret} is in {n}");
        }
    }
    let body = seen.login_body.lock().unwrap().clone();
    assert!(
        contains_bytes(&body, PASSWORD),
        "the browser did post the password"
    );
    let warc = plain
        .iter()
        .find(|(n, _)| n.ends_with("capture.warc.gz (gunzipped)") && !n.contains('!'))
        .unwrap();
    assert!(
        contains_bytes(&warc.1, &format!("sha256:{}", sha256_hex(&body))),
        "the login body is in the WARC as its SHA-256"
    );
    assert!(
        !contains_bytes(&warc.1, "Set-Cookie: sid"),
        "no Set-Cookie in clear"
    );
    assert!(t.contains("Set-Cookie header(s)"), "{t}");
    assert!(
        contains_bytes(
            &warc.1,
            &format!("sha256:{}", sha256_hex(SEEN_COOKIE.as_bytes()))
        ),
        "the private page's Set-Cookie value is in the WARC as its SHA-256"
    );

    // The recording: frames with their times, the scroll visible in their metadata, and
    // the derived video that ffprobe reads.
    let index: Value = serde_json::from_slice(&member(
        &d.join("case.zip"),
        "original/recording/index.json",
    ))
    .unwrap();
    assert_eq!(index["format"], "sigillo-recording/1");
    let frames = index["frames"].as_array().unwrap();
    assert!(frames.len() >= 2, "{index}");
    assert!(
        frames
            .iter()
            .any(|fr| fr["scroll_offset_y"].as_f64().unwrap() > 0.0),
        "the scroll shows in the recording: {index}\ntransformations: {t}"
    );
    let zipped = member(&d.join("case.zip"), "original/recording/frames.zip");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
    for fr in frames {
        let mut b = Vec::new();
        z.by_name(fr["file"].as_str().unwrap())
            .unwrap()
            .read_to_end(&mut b)
            .unwrap();
        assert_eq!(sha256_hex(&b), fr["sha256"].as_str().unwrap());
        assert!(b.starts_with(&[0xff, 0xd8]), "a JPEG frame");
    }
    let _ = Tool::Ffmpeg.path();
    assert_eq!(
        f["recording"]["video_file"], "derived/recording.webm",
        "{}",
        f["recording"]
    );
    let webm = member(&d.join("case.zip"), "derived/recording.webm");
    d.write("recording.webm", &webm);
    let probe = Tool::Ffprobe.run(
        d.path(),
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name",
            "-of",
            "csv=p=0",
            "recording.webm",
        ],
    );
    assert_eq!(probe.code, 0, "{}", probe.all());
    assert!(probe.stdout.contains("vp8"), "{}", probe.stdout);
    let entry = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("recording.webm"))
        })
        .unwrap();
    assert!(
        entry.to_string().contains("original/recording/frames.zip"),
        "{entry}"
    );
}

#[test]
fn interactive_refuses_what_it_cannot_do_before_a_window_opens() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let two = d.sigillo(&[
        "capture",
        "--interactive",
        "http://127.0.0.1:9/a",
        "http://127.0.0.1:9/b",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
    ]);
    assert_eq!(two.code, 2, "{}", two.all());
    assert!(two.stderr.contains("one URL"), "{}", two.stderr);
    let from = d.sigillo(&[
        "capture",
        "--interactive",
        "--from",
        "urls.txt",
        "-o",
        "case.zip",
    ]);
    assert_eq!(from.code, 2, "{}", from.all());
    // No display: refused with the advice to use a virtual one; nothing written.
    let r = d
        .command()
        .env("DISPLAY", "")
        .args(&[
            "capture",
            "--interactive",
            "http://127.0.0.1:9/",
            "-o",
            "case.zip",
            "--key",
            "k.pem",
        ])
        .run();
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("xvfb-run"), "{}", r.stderr);
    assert!(!d.join("case.zip").exists());
}

/// `--record` on an ordinary (headless) capture: the capture session's frames, their
/// index and the video, listed in the facts.
#[test]
fn an_ordinary_capture_records_its_screen_with_record() {
    let _ = Tool::Ffmpeg.path();
    let srv = crate::support::web_server::start_http();
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let page = format!("{}/page", srv.base);
    d.command()
        .args(&[
            "capture", &page, "-o", "case.zip", "--key", "k.pem", "--record", "-q",
        ])
        .assert_exit(0);
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);
    let bundle = d.join("case.zip");
    let m: Value = serde_json::from_slice(&member(&bundle, "manifest.json")).unwrap();
    let index: Value =
        serde_json::from_slice(&member(&bundle, "original/recording/index.json")).unwrap();
    let frames = index["frames"].as_array().unwrap();
    assert!(!frames.is_empty(), "{index}");
    assert_eq!(index["first_frame"], 1);
    assert_eq!(m["facts"]["recording"]["frames"], frames.len());
    assert_eq!(
        m["facts"]["recording"]["video_file"],
        "derived/recording.webm"
    );
    assert_eq!(m["facts"]["browser"]["headless"], true);
    assert!(m.get("interactive").is_none() && m["facts"].get("interactive").is_none());
    let webm = member(&bundle, "derived/recording.webm");
    assert!(
        webm.starts_with(&[0x1a, 0x45, 0xdf, 0xa3]),
        "a WebM (EBML) file"
    );
}
