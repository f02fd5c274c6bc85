//! `sigillo recheck` and `sigillo status` with real headless Chromium against pages on
//! 127.0.0.1 that change between the capture and the re-check: one stays, one loses its
//! image, one becomes a 404, one redirects to a login page, and one server goes away.
//! One capture of every URL and one re-check of all of them keep Chromium launches few.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use crate::support::http::{self, Reply, png};
use crate::util::*;

fn html(title: &str, body: &str) -> Vec<u8> {
    format!("<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>{body}</body></html>").into_bytes()
}

/// What the server answers for `path`, before (`later` false) and after the change.
fn respond(path: &str, later: bool) -> Reply {
    let (status, ct, extra, body) = table(path, later);
    extra
        .into_iter()
        .fold(Reply::new(status, ct, body), |r, (k, v)| r.with(k, &v))
}

/// What each path answers before and after the change: status, type, headers, body.
fn table(path: &str, later: bool) -> (u16, &'static str, Vec<(&'static str, String)>, Vec<u8>) {
    let post = |img: &str| {
        html(
            "A post",
            &format!(
                "<h1>A post</h1><p>Text of the post that stays the same.</p><img src=\"{img}\">"
            ),
        )
    };
    match (path, later) {
        ("/stays", _) => (200, "text/html", vec![], post("/img/a.png")),
        ("/loses", false) => (200, "text/html", vec![], post("/img/b.png")),
        ("/loses", true) => (
            200,
            "text/html",
            vec![],
            html(
                "A post",
                "<h1>A post</h1><p>Text of the post that stays the same.</p><p>An edit.</p>",
            ),
        ),
        ("/gone", false) => (200, "text/html", vec![], post("/img/c.png")),
        ("/gone", true) => (
            404,
            "text/html",
            vec![],
            html("Not found", "<p>Not here</p>"),
        ),
        ("/locked", false) => (200, "text/html", vec![], post("/img/d.png")),
        ("/locked", true) => (
            302,
            "text/html",
            vec![("Location", "/accounts/login/?next=/locked".into())],
            b"moved".to_vec(),
        ),
        ("/accounts/login/", _) => (
            200,
            "text/html",
            vec![],
            html("Log in", "<form><input name=u></form>"),
        ),
        ("/img/a.png", _) => (200, "image/png", vec![], png(7)),
        ("/img/b.png", _) => (200, "image/png", vec![], png(11)),
        ("/img/c.png", _) => (200, "image/png", vec![], png(13)),
        ("/img/d.png", _) => (200, "image/png", vec![], png(17)),
        ("/same-html", _) => (200, "text/html", vec![], post("/img/e.png")),
        ("/img/e.png", false) => (200, "image/png", vec![], png(19)),
        ("/img/e.png", true) => (404, "text/html", vec![], html("Not found", "<p>gone</p>")),
        _ => (404, "text/plain", vec![], b"not found".to_vec()),
    }
}

/// A server on 127.0.0.1 whose pages change once `later` is set.
struct Server {
    base: String,
    later: Arc<AtomicBool>,
    inner: http::Server,
}

impl Server {
    fn start() -> Server {
        let later = Arc::new(AtomicBool::new(false));
        let l2 = later.clone();
        let inner = http::serve(move |r| respond(&r.path, l2.load(Ordering::SeqCst)));
        Server {
            base: inner.base.clone(),
            later,
            inner,
        }
    }

    /// Stop listening: connections are refused from now on.
    fn stop(&self) {
        self.inner.stop()
    }
}

#[track_caller]
fn verifies(d: &Dir) {
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
}

fn manifests(d: &Dir) -> Vec<Value> {
    d.zip("case.zip")
        .into_iter()
        .filter(|(n, _)| n.ends_with("/manifest.json"))
        .map(|(_, b)| serde_json::from_slice(&b).unwrap())
        .collect()
}

#[test]
fn rechecks_classify_every_change_and_the_bundle_verifies_after_each_step() {
    let srv = Server::start();
    let dead = Server::start();
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let urls = [
        format!("{}/stays", srv.base),
        format!("{}/loses", srv.base),
        format!("{}/gone", srv.base),
        format!("{}/locked", srv.base),
        format!("{}/stays", dead.base),
        format!("{}/same-html", srv.base),
    ];
    let mut args = vec!["capture"];
    args.extend(urls.iter().map(String::as_str));
    args.extend(["-o", "case.zip", "--key", "k.pem", "-q", "--timeout", "30s"]);
    d.sigillo(&args).assert_exit(0);
    verifies(&d);

    // A status before any re-check: captured, never re-checked.
    let st: Value = d
        .sigillo(&["status", "case.zip", "--json"])
        .assert_exit(0)
        .json();
    assert_eq!(st["urls"].as_array().unwrap().len(), 6);
    assert_eq!(st["urls"][0]["rechecks"], serde_json::json!([]));
    assert_eq!(st["urls"][0]["latest"], Value::Null);

    srv.later.store(true, Ordering::SeqCst);
    dead.stop();
    let r = d
        .command()
        .args(&[
            "recheck",
            "case.zip",
            "--json",
            "--key",
            "k.pem",
            "--timeout",
            "20s",
        ])
        .assert_exit(0);
    verifies(&d);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 6, "{}", r.stdout);
    for l in &lines {
        let mut keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "changes",
                "checked_at",
                "http_status",
                "item",
                "recheck_item",
                "result",
                "url"
            ],
            "{l}"
        );
        let t = l["checked_at"].as_str().unwrap();
        assert!(t.ends_with('Z') && t.len() == 24, "{t}");
    }
    let result = |i: usize| lines[i]["result"].as_str().unwrap().to_string();
    assert_eq!(result(0), "online-unchanged", "{}", lines[0]);
    assert_eq!(result(1), "online-changed", "{}", lines[1]);
    assert_eq!(
        lines[1]["changes"]["media_removed"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let removed = &lines[1]["changes"]["media_removed"][0];
    assert_eq!(removed["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(removed["pdq"].as_str().unwrap().len(), 64);
    assert_eq!(lines[1]["changes"]["text"]["lines_added"], 1);
    assert!(
        lines[1]["changes"]["text"].get("added_sample").is_none(),
        "page text is not printed: {}",
        lines[1]
    );
    assert_eq!(result(2), "removed");
    assert_eq!(lines[2]["http_status"], 404);
    assert_eq!(result(3), "redirected", "{}", lines[3]);
    assert_eq!(result(4), "unreachable", "{}", lines[4]);
    assert_eq!(lines[4]["http_status"], Value::Null);
    // The same HTML with its image gone (the image URL answers a 404 page) is a change.
    assert_eq!(result(5), "online-changed", "{}", lines[5]);
    assert_eq!(lines[5]["changes"]["main_document_same"], true);
    assert_eq!(
        lines[5]["changes"]["media_removed"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(lines[5]["changes"]["media_added"], serde_json::json!([]));
    assert!(lines[0]["item"].as_str().unwrap().starts_with("0001-web-"));
    assert!(
        lines[0]["recheck_item"]
            .as_str()
            .unwrap()
            .starts_with("0007-recheck-")
    );

    // The recheck items: kind, the typed `rechecks`, recheck.json with its provenance;
    // an unreachable one records the failure and holds no screenshot.
    let ms = manifests(&d);
    assert_eq!(ms.len(), 12);
    for (i, m) in ms[6..].iter().enumerate() {
        assert_eq!(m["kind"], "recheck");
        assert_eq!(m["rechecks"], ms[i]["id"]);
        let rc = m["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "derived/recheck.json")
            .unwrap();
        assert_eq!(rc["role"], "derived");
    }
    let unreachable = &ms[10];
    let paths: Vec<&str> = unreachable["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["derived/recheck.json"],
        "nothing stands in for the page"
    );
    assert_eq!(unreachable["facts"]["load_failure"]["kind"], "connection");
    let file: Value = serde_json::from_slice(&member(
        &d.join("case.zip"),
        &format!("{}/derived/recheck.json", ms[10]["id"].as_str().unwrap()),
    ))
    .unwrap();
    assert_eq!(file["format"], "sigillo-recheck/1");
    assert_eq!(file["failure"]["kind"], "connection");
    assert!(
        file["failure"]["error"]
            .as_str()
            .unwrap()
            .contains("refused"),
        "{file}"
    );
    let changed: Value = serde_json::from_slice(&member(
        &d.join("case.zip"),
        &format!("{}/derived/recheck.json", ms[7]["id"].as_str().unwrap()),
    ))
    .unwrap();
    assert_eq!(
        changed["derived_from"]["original_manifest_sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert!(
        changed["derived_from"]["original"][0]
            .as_str()
            .unwrap()
            .ends_with("/manifest.json")
    );
    assert_eq!(changed["changes"]["text"]["added_sample"][0], "An edit.");

    // The timeline.
    let st: Value = d
        .sigillo(&["status", "case.zip", "--json", "--deadline", "24h"])
        .assert_exit(0)
        .json();
    assert_eq!(st["deadline_hours"], 24.0);
    let gone = &st["urls"][2];
    assert_eq!(gone["latest"], "removed");
    assert_eq!(gone["removed_at"], lines[2]["checked_at"]);
    assert_eq!(gone["last_seen_online"], gone["first_captured"]);
    assert_eq!(gone["notices"], serde_json::json!([]));
    assert_eq!(gone["deadline"], Value::Null);
    let stays = &st["urls"][0];
    assert_eq!(stays["removed_at"], Value::Null);
    assert_eq!(stays["last_seen_online"], lines[0]["checked_at"]);
    assert_eq!(stays["rechecks"][0]["result"], "online-unchanged");
    let text = d
        .sigillo(&["status", "case.zip"])
        .assert_exit(0)
        .stdout
        .clone();
    assert!(text.contains("removed at"), "{text}");
    assert!(text.contains("unreachable"), "{text}");

    // A loop: two rounds of one URL, each sealed; the bundle still verifies.
    let r = d
        .command()
        .args(&[
            "recheck", "case.zip", "--item", "3", "--every", "1s", "--count", "2", "--key",
            "k.pem", "-q",
        ])
        .assert_exit(0);
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
    assert!(
        r.stdout.lines().all(|l| l.contains(": removed (HTTP 404)")),
        "{}",
        r.stdout
    );
    verifies(&d);
    let st: Value = d
        .sigillo(&["status", "case.zip", "--json"])
        .assert_exit(0)
        .json();
    assert_eq!(st["urls"][2]["rechecks"].as_array().unwrap().len(), 3);
    assert_eq!(
        st["urls"][2]["removed_at"], lines[2]["checked_at"],
        "the first removal counts"
    );

    // Ctrl-C during a loop: it stops after the URL in hand, exit 0, the bundle verifies.
    ctrl_c_stops_a_loop_cleanly(&d);

    // The report carries the same timeline, in both languages.
    d.sigillo(&["report", "case.zip", "-o", "r.html"])
        .assert_exit(0);
    let h = d.read_string("r.html");
    assert!(
        h.contains("Removal timeline") && h.contains("first found removed"),
        "no timeline in the report"
    );
    assert!(h.contains("online, changed") && h.contains("unreachable"));
    d.sigillo(&["report", "case.zip", "-o", "r-it.html", "--lang", "it"])
        .assert_exit(0);
    assert!(
        d.read_string("r-it.html")
            .contains("Cronologia della rimozione")
    );

    // Wrong items are refused before Chromium starts.
    let r = d.sigillo(&["recheck", "case.zip", "--item", "7", "--key", "k.pem"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("--item 0001"), "{}", r.stderr);
}

fn ctrl_c_stops_a_loop_cleanly(d: &Dir) {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let before = manifests(d).len();
    let mut child = Command::new(bin())
        .current_dir(d.path())
        .env_remove("SIGILLO_KEY")
        .env_remove("SIGILLO_TSA")
        .env("HOME", d.path())
        .env("XDG_CONFIG_HOME", d.join(".config"))
        .args([
            "recheck", "case.zip", "--item", "1", "--every", "2s", "--count", "50", "--key",
            "k.pem",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.contains("online-unchanged"), "{first}");
    let k = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(k.success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("stopped after round"), "{err}");
    verifies(d);
    let after = manifests(d).len();
    assert!((1..=2).contains(&(after - before)), "{before} → {after}");
}

#[test]
fn recheck_refuses_what_it_cannot_do() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    d.write("a.txt", "x");
    d.add(&["a.txt", "-o", "case.zip", "--key", "k.pem"]);
    let r = d.sigillo(&["recheck", "case.zip", "--key", "k.pem"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("no captured web page"), "{}", r.stderr);
    let r = d.sigillo(&["recheck", "missing.zip", "--key", "k.pem"]);
    r.assert_exit(2);
    let r = d.sigillo(&["recheck", "case.zip", "--until", "2026-01-01T00:00:00Z"]);
    r.assert_exit(2);
    let st: Value = d
        .sigillo(&["status", "case.zip", "--json"])
        .assert_exit(0)
        .json();
    assert_eq!(st["urls"], serde_json::json!([]));
    // An encrypted bundle is refused with what to do instead.
    let r = crate::tool::Tool::AgeKeygen.run(d.path(), &["-o", "id.txt"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let recipient = crate::tool::Tool::AgeKeygen
        .run(d.path(), &["-y", "id.txt"])
        .stdout
        .trim()
        .to_string();
    d.add(&[
        "a.txt",
        "-o",
        "enc.zip",
        "--key",
        "k.pem",
        "--encrypt-to",
        &recipient,
    ]);
    let r = d.sigillo(&["recheck", "enc.zip", "--key", "k.pem"]);
    r.assert_exit(2);
    assert!(
        r.stderr.contains("is encrypted") && r.stderr.contains("sigillo decrypt"),
        "{}",
        r.stderr
    );
}

/// `verify` holds the `rechecks` field to its meaning, even in items validly signed by a
/// malicious operator: a recheck names an earlier item, and only a recheck names one.
#[test]
fn verify_holds_rechecks_to_its_meaning() {
    use sigillo::acquire::{Acquisition, Artifact, Content, ItemKind};
    use sigillo::evidence::custody::Actor;
    use sigillo::evidence::keys;
    use sigillo::seal::{SealOptions, Signer, seal};
    let d = Dir::new();
    let signer = || Signer {
        key: keys::load(&d.join("k.pem"), &keys::EnvOrTerminal).unwrap(),
        actor: Actor {
            name: "Avv. Rossi".into(),
            role: None,
            organisation: None,
        },
        cosigners: Vec::new(),
    };
    d.key("k.pem", "Avv. Rossi");
    let item = |kind, rechecks: Option<&str>| {
        let mut a = Acquisition::start(kind, "x");
        a.rechecks = rechecks.map(str::to_string);
        a.artifacts.push(Artifact::original(
            "original/a.txt",
            Content::Bytes(b"a".to_vec()),
        ));
        a
    };
    for (n, (kind, rechecks, says)) in [
        (
            ItemKind::Recheck,
            Some("0042-web-nowhere"),
            "not an earlier item",
        ),
        (ItemKind::Recheck, None, "must name the item it re-checks"),
        (ItemKind::Files, Some("0001-files-x"), "only a recheck item"),
        (
            ItemKind::Recheck,
            Some("0001-files-x"),
            "not a captured web page",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let bundle = d.join(format!("b{n}.zip"));
        seal(
            &bundle,
            item(ItemKind::Files, None),
            &signer(),
            &SealOptions::default(),
        )
        .unwrap();
        seal(
            &bundle,
            item(kind, rechecks),
            &signer(),
            &SealOptions::default(),
        )
        .unwrap();
        let r = d.sigillo(&["verify", bundle.to_str().unwrap()]);
        r.assert_exit(1);
        assert!(r.stdout.contains(says), "{says}: {}", r.stdout);
    }
    // A recheck of an earlier item verifies.
    let bundle = d.join("ok.zip");
    seal(
        &bundle,
        item(ItemKind::Web, None),
        &signer(),
        &SealOptions::default(),
    )
    .unwrap();
    seal(
        &bundle,
        item(ItemKind::Recheck, Some("0001-web-x")),
        &signer(),
        &SealOptions::default(),
    )
    .unwrap();
    d.sigillo(&["verify", "ok.zip"]).assert_exit(0);
}
