//! Threads and feeds with the real headless Chromium against pages served on 127.0.0.1:
//! `capture --follow-next` (rel=next, an Italian "Successiva" link, a loop, --max-pages)
//! and `capture --scroll-until-end` (a feed that ends, one that never does, capped by
//! --max-height, whose page is then taller than one screenshot holds); `--json` lines.

use std::path::Path;

use serde_json::Value;

use crate::support::http::{self, Reply};
use crate::util::*;

/// The test pages: a thread /t/1 → /t/2 → /t/3 (→ /t/1 again), and feeds.
fn page(path: &str) -> Option<String> {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    Some(match path {
        "/t/1" => r#"<!doctype html><html><head><title>Thread, page 1</title>
            <link rel="next" href="/t/2"></head><body><h1>Thread</h1><p>First post.</p>
            <a href="/t/2">2</a></body></html>"#
            .into(),
        "/t/2" => r#"<!doctype html><html><head><title>Thread, page 2</title></head>
            <body><p>Second page.</p><a href="/t/1">Precedente</a>
            <a class="pg" href="/t/3?x=1&amp;y=2">Successiva &rsaquo;</a></body></html>"#
            .into(),
        "/t/3" => r#"<!doctype html><html><head><title>Thread, page 3</title></head>
            <body><p>Third page.</p><a href="/t/1">Avanti</a></body></html>"#
            .into(),
        // A feed adding a batch of 10 items 500 px tall whenever the bottom is near;
        // `?end=N` stops after N batches and says so.
        "/feed" => {
            let end = query
                .strip_prefix("end=")
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0);
            format!(
                r#"<!doctype html><html><head><title>Feed</title></head><body>
<div id="feed"></div>
<script>
const end = {end}; let batches = 0, busy = false;
function more() {{
  if (busy || (end && batches >= end)) return;
  busy = true;
  setTimeout(() => {{
    const f = document.getElementById('feed');
    for (let i = 0; i < 10; i++) {{
      const d = document.createElement('div');
      d.style.height = '500px';
      d.textContent = 'feed item ' + (batches * 10 + i + 1);
      f.appendChild(d);
    }}
    batches++;
    if (end && batches >= end) {{
      const p = document.createElement('p'); p.textContent = 'end of the feed'; f.appendChild(p);
    }}
    busy = false;
  }}, 150);
}}
more();
window.addEventListener('scroll', () => {{
  if (window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1000) more();
}});
</script></body></html>"#
            )
        }
        _ => return None,
    })
}

/// Serve [`page`] on 127.0.0.1; the base URL.
fn serve() -> String {
    http::serve(|r| {
        let target = if r.query.is_empty() {
            r.path.clone()
        } else {
            format!("{}?{}", r.path, r.query)
        };
        match page(&target) {
            Some(b) => Reply::html(b),
            None => Reply::new(404, "text/plain", "not found"),
        }
    })
    .base
}

fn manifests(bundle: &Path) -> Vec<Value> {
    read_zip(bundle)
        .into_iter()
        .filter(|(name, _)| name.ends_with("/manifest.json"))
        .map(|(_, b)| serde_json::from_slice(&b).unwrap())
        .collect()
}

/// stdout of `--json`: one line per URL, then the summary line.
fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn follow_next_captures_a_thread_linked_to_its_first_page_until_a_loop() {
    let base = serve();
    let d = Dir::new();
    d.key("k.pem", "K");
    let first = format!("{base}/t/1");
    let r = d.sigillo(&[
        "capture",
        &first,
        "--follow-next",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--json",
    ]);
    r.assert_exit(0);
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), 4, "three pages and the summary: {}", r.stdout);
    let ids: Vec<&str> = lines[..3]
        .iter()
        .map(|l| l["item"].as_str().unwrap())
        .collect();
    assert_eq!(lines[0]["thread_page"], 1);
    assert_eq!(lines[1]["follows"], ids[0]);
    assert_eq!(lines[2]["follows"], ids[1]);
    assert_eq!(lines[2]["thread_stop"], "loop", "{}", r.stdout);
    assert_eq!(lines[3]["results"].as_array().unwrap().len(), 3);
    assert!(lines[3]["bundle"].is_string());

    let m = manifests(&d.join("case.zip"));
    assert_eq!(m.len(), 3);
    assert!(
        m[0].get("follows").is_none(),
        "the first page follows nothing"
    );
    assert_eq!(m[0]["facts"]["thread"]["page"], 1);
    assert_eq!(m[0]["facts"]["thread"]["next"]["found_by"], "link rel=next");
    let f1 = &m[1]["follows"];
    assert_eq!(f1["item"], ids[0]);
    assert_eq!(f1["first_item"], ids[0]);
    assert_eq!(f1["link"], format!("{base}/t/2"));
    assert_eq!(f1["found_by"], "link rel=next");
    assert_eq!(m[1]["input"]["url"], format!("{base}/t/2"));
    let f2 = &m[2]["follows"];
    assert_eq!(f2["item"], ids[1]);
    assert_eq!(f2["first_item"], ids[0]);
    assert_eq!(f2["link"], format!("{base}/t/3?x=1&y=2"));
    assert_eq!(f2["found_by"], "link text \"successiva\"");
    // The last page says why the thread ended, and what it would have followed.
    assert_eq!(m[2]["facts"]["thread"]["stopped"], "loop");
    assert_eq!(m[2]["facts"]["thread"]["next"]["url"], first);
    assert!(
        m[2]["transformations"].as_array().unwrap().iter().any(|t| t
            .as_str()
            .unwrap()
            .contains("leads back to a page of the thread")),
        "{}",
        m[2]["transformations"]
    );
    // The followed link is in the sealed DOM of the page it was found on.
    let dom = member(
        &d.join("case.zip"),
        &format!("{}/original/dom.html", ids[1]),
    );
    assert!(String::from_utf8_lossy(&dom).contains("/t/3?x=1&amp;y=2"));
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);

    // --max-pages 2: two pages, the second says why it is the last; without --json the
    // reason is printed.
    let r = d.sigillo(&[
        "capture",
        &first,
        "--follow-next",
        "--max-pages",
        "2",
        "-o",
        "two.zip",
        "--key",
        "k.pem",
    ]);
    r.assert_exit(0);
    assert!(
        r.stderr.contains("ends after 2 page(s): --max-pages"),
        "{}",
        r.stderr
    );
    let m = manifests(&d.join("two.zip"));
    assert_eq!(m.len(), 2);
    assert_eq!(m[1]["facts"]["thread"]["stopped"], "max_pages");
    d.sigillo(&["verify", "two.zip"]).assert_exit(0);

    // Usage: --max-pages needs --follow-next.
    let r = d.sigillo(&[
        "capture",
        &first,
        "--max-pages",
        "2",
        "-o",
        "x.zip",
        "--key",
        "k.pem",
    ]);
    assert_eq!(r.code, 2, "{}", r.all());
}

#[test]
fn scroll_until_end_records_where_and_why_it_stopped() {
    let base = serve();
    let d = Dir::new();
    d.key("k.pem", "K");
    // A feed that ends after 4 batches (40 items).
    let r = d.sigillo(&[
        "capture",
        &format!("{base}/feed?end=4"),
        "--scroll-until-end",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--json",
    ]);
    r.assert_exit(0);
    let m = &manifests(&d.join("case.zip"))[0];
    let s = &m["facts"]["scroll_until_end"];
    assert_eq!(s["stopped"], "end", "{s}");
    assert!(s["scroll_steps"].as_u64().unwrap() >= 1, "{s}");
    assert!(s["final_height"].as_u64().unwrap() >= 20_000, "{s}");
    assert_eq!(s["max_height"], 100_000);
    assert_eq!(s["max_time_s"], 120);
    let dom =
        String::from_utf8_lossy(&member(&d.join("case.zip"), "original/dom.html")).to_string();
    assert!(dom.contains("feed item 40") && dom.contains("end of the feed"));
    assert!(m["transformations"].as_array().unwrap().iter().any(|t| {
        t.as_str()
            .unwrap()
            .contains("the end of the feed was reached")
    }));

    // A feed without end, capped by --max-height: taller than one screenshot holds, so
    // the page below the first 30000 px is in a second tile.
    let r = d.sigillo(&[
        "capture",
        &format!("{base}/feed"),
        "--scroll-until-end",
        "--max-height",
        "36000",
        "--max-time",
        "10m",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
    ]);
    r.assert_exit(0);
    let m = &manifests(&d.join("case.zip"))[1];
    let s = &m["facts"]["scroll_until_end"];
    assert_eq!(s["stopped"], "max_height", "{s}");
    assert!(s["final_height"].as_u64().unwrap() >= 36_000, "{s}");
    // The tiles show the page as it was shot: what the last step started may have landed
    // after scrolling stopped.
    let h = s["captured_height"].as_u64().unwrap();
    assert!(h >= s["final_height"].as_u64().unwrap(), "{s}");
    let files = m["files"].as_array().unwrap();
    let tile = files
        .iter()
        .find(|f| f["path"] == "original/screenshot-full-002.png")
        .unwrap_or_else(|| panic!("no second tile: {}", m["files"]));
    assert_eq!(tile["role"], "original");
    let th = tile["image"]["height"].as_u64().unwrap();
    assert!(
        th > 0 && th <= 30_000 && th.abs_diff((h - 30_000).min(30_000)) < 100,
        "{tile} {s}"
    );
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);

    // Usage: the caps need --scroll-until-end, which conflicts with --no-scroll.
    for extra in [
        &["--max-height", "5000"][..],
        &["--scroll-until-end", "--no-scroll"][..],
    ] {
        let mut a = vec![
            "capture",
            "http://127.0.0.1:9/",
            "-o",
            "x.zip",
            "--key",
            "k.pem",
        ];
        a.extend_from_slice(extra);
        let r = d.sigillo(&a);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.all());
    }
}

/// `verify` holds `follows` to its meaning, even in items validly signed by a malicious
/// operator: earlier web items of one thread, and the link the item captured.
#[test]
fn verify_holds_follows_to_its_meaning() {
    use sigillo::acquire::{Acquisition, Artifact, Content, ItemKind};
    use sigillo::evidence::custody::Actor;
    use sigillo::evidence::keys;
    use sigillo::evidence::manifest::Follows;
    use sigillo::seal::{SealOptions, Signer, seal};
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let signer = || Signer {
        key: keys::load(&d.join("k.pem"), &keys::EnvOrTerminal).unwrap(),
        actor: Actor {
            name: "Avv. Rossi".into(),
            role: None,
            organisation: None,
        },
        cosigners: Vec::new(),
    };
    let item = |kind, url: &str, follows: Option<(&str, &str, &str)>| {
        let mut a = Acquisition::start(kind, "x");
        a.input.insert("url".into(), url.into());
        a.follows = follows.map(|(item, first, link)| Follows {
            item: item.into(),
            first_item: first.into(),
            link: link.into(),
            found_by: "link rel=next".into(),
        });
        a.artifacts.push(Artifact::original(
            "original/a.txt",
            Content::Bytes(b"a".to_vec()),
        ));
        a
    };
    let (p1, p2, p3) = (
        "https://forum.example/t?p=1",
        "https://forum.example/t?p=2",
        "https://forum.example/t?p=3",
    );
    // A thread of three pages, and a files item (0004).
    let thread = |bundle: &Path| {
        for a in [
            item(ItemKind::Web, p1, None),
            item(ItemKind::Web, p2, Some(("0001-web-x", "0001-web-x", p2))),
            item(ItemKind::Web, p3, Some(("0002-web-x", "0001-web-x", p3))),
            item(ItemKind::Files, "", None),
        ] {
            seal(bundle, a, &signer(), &SealOptions::default()).unwrap();
        }
    };
    let ok = d.join("ok.zip");
    thread(&ok);
    d.sigillo(&["verify", "ok.zip"]).assert_exit(0);
    for (n, (kind, url, follows, says)) in [
        (
            ItemKind::Web,
            p3,
            ("0042-web-nowhere", "0001-web-x", p3),
            "not an earlier item of the bundle",
        ),
        (
            ItemKind::Web,
            p3,
            ("0003-web-x", "0009-web-x", p3),
            "as its thread's first page, which is not an earlier item",
        ),
        (
            ItemKind::Web,
            p3,
            ("0003-web-x", "0002-web-x", p3),
            "belongs to the thread starting at item '0001-web-x'",
        ),
        (
            ItemKind::Web,
            p1,
            ("0003-web-x", "0001-web-x", p3),
            "but captured the URL",
        ),
        (
            ItemKind::Web,
            p3,
            ("0004-files-x", "0004-files-x", p3),
            "not both captured web pages",
        ),
        (
            ItemKind::Files,
            p3,
            ("0003-web-x", "0001-web-x", p3),
            "only a captured web page follows",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let bundle = d.join(format!("b{n}.zip"));
        thread(&bundle);
        seal(
            &bundle,
            item(kind, url, Some(follows)),
            &signer(),
            &SealOptions::default(),
        )
        .unwrap();
        let r = d.sigillo(&["verify", bundle.to_str().unwrap()]);
        r.assert_exit(1);
        assert!(r.stdout.contains(says), "{says}: {}", r.stdout);
    }
}

/// A thread whose first pages are sealed goes on where it stopped: here a first run
/// stopped at --max-pages 2, and a second run with a larger --max-pages captures page 3
/// only, linked to page 2 and to the thread's first item. A complete thread is skipped.
#[test]
fn follow_next_resumes_a_thread_after_its_last_sealed_page() {
    let base = serve();
    let d = Dir::new();
    d.key("k.pem", "K");
    let first = format!("{base}/t/1");
    let thread = |max: &str| {
        d.sigillo(&[
            "capture",
            &first,
            "--follow-next",
            "--max-pages",
            max,
            "-o",
            "case.zip",
            "--key",
            "k.pem",
            "--json",
        ])
    };
    thread("2").assert_exit(0);
    // The same limit again: nothing more to do.
    let r = thread("2");
    r.assert_exit(0);
    assert_eq!(manifests(&d.join("case.zip")).len(), 2, "{}", r.all());

    let r = thread("5");
    r.assert_exit(0);
    let lines = json_lines(&r.stdout);
    assert_eq!(lines[0]["skipped"], true, "{}", r.stdout);
    assert_eq!(lines[0]["resumed_at_page"], 3, "{}", r.stdout);
    assert_eq!(lines[1]["thread_page"], 3, "{}", r.stdout);
    assert_eq!(lines[1]["thread_stop"], "loop", "{}", r.stdout);
    let m = manifests(&d.join("case.zip"));
    assert_eq!(m.len(), 3, "only page 3 is new");
    let f = &m[2]["follows"];
    assert_eq!(f["item"], lines[1]["follows"]);
    assert_eq!(m[1]["follows"]["first_item"], f["first_item"], "one thread");
    assert_eq!(f["link"], format!("{base}/t/3?x=1&y=2"));
    assert_eq!(m[2]["facts"]["thread"]["page"], 3);
    assert_eq!(m[2]["facts"]["thread"]["stopped"], "loop");
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);

    // Complete now (it ended in a loop): skipped, no browser started.
    let r = thread("9");
    r.assert_exit(0);
    assert_eq!(manifests(&d.join("case.zip")).len(), 3, "{}", r.all());
    assert_eq!(
        json_lines(&r.stdout).last().unwrap()["results"][0]["skipped"],
        true,
        "{}",
        r.stdout
    );
}
