//! The transcript viewer (`transcript.html`) in real headless Chromium: every message
//! rendered, the search box and participant filter (driven by `#q=`/`#p=` in the URL),
//! hostile text shown as text, no external resources.

use std::process::Command;

use crate::util::*;

/// The DOM after Chromium ran the page's script.
fn dump(file: &std::path::Path, hash: &str) -> String {
    dump_after(file, hash, 3000)
}

/// The DOM after Chromium ran the page's script for `budget_ms` of virtual time (timers
/// fire as soon as the page is idle, so a sliced search completes without waiting).
fn dump_after(file: &std::path::Path, hash: &str, budget_ms: u32) -> String {
    let url = format!("file://{}{hash}", file.display());
    let budget = format!("--virtual-time-budget={budget_ms}");
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            &budget,
            "--dump-dom",
            &url,
        ])
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn shown(dom: &str) -> usize {
    dom.matches("<article").count() - dom.matches("hidden=\"\">").count()
}

#[test]
fn viewer_searches_filters_and_escapes() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let mut chat = String::new();
    for i in 0..3000 {
        let who = if i % 3 == 0 { "Bruno" } else { "Anna" };
        chat.push_str(&format!("20/11/2026, 21:05 - {who}: message number {i}\n"));
    }
    chat.push_str("20/11/2026, 21:06 - Bruno: <img src=x onerror=alert(1)> Needle\n");
    let zip = d.join("WhatsApp Chat with Bruno.zip");
    write_zip(&zip, &[("_chat.txt".to_string(), chat.into_bytes())]);
    d.add(&[zip.to_str().unwrap(), "-o", "case.zip", "--key", "k.pem"]);
    let html = d
        .zip("case.zip")
        .into_iter()
        .find(|(n, _)| n.ends_with("derived/transcript.html"))
        .unwrap()
        .1;
    let text = String::from_utf8(html.clone()).unwrap();
    assert!(
        !text.contains("http://") && !text.contains("https://"),
        "no external URLs"
    );
    let file = d.join("transcript.html");
    std::fs::write(&file, &html).unwrap();

    let all = dump(&file, "");
    assert_eq!(
        all.matches("<article").count(),
        3001,
        "every message rendered"
    );
    assert_eq!(shown(&all), 3001);
    assert!(all.contains("3001 of 3001 shown"));
    assert!(
        !all.contains("<img src=\"x\""),
        "hostile text made no element"
    );
    assert!(all.contains("&lt;img src=x onerror=alert(1)&gt; Needle"));

    let q = dump(&file, "#q=nEEdle");
    assert_eq!(shown(&q), 1, "search is case-insensitive and narrows");
    assert!(q.contains("1 of 3001 shown"));
    let q = dump(&file, "#q=number%2029");
    assert_eq!(shown(&q), 111, "substring: 29, 290-299, 2900-2999 … ");

    let p = dump(&file, "#p=Bruno");
    assert_eq!(shown(&p), 1001, "participant filter");
    let pq = dump(&file, "#p=Anna&q=needle");
    assert_eq!(shown(&pq), 0);
}

/// A long chat (20,000 messages) opens in one self-contained page whose messages are laid
/// out lazily (content-visibility), and the sliced search and the participant filter go
/// through all of it: a message near the end is found, a participant's messages counted.
#[test]
fn viewer_handles_a_long_chat_lazily() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let n = 20_000;
    let mut chat = String::with_capacity(n * 48);
    for i in 0..n {
        let who = ["Anna", "Bruno", "Carla", "Dario"][i % 4];
        let (h, m) = ((i / 60) % 24, i % 60);
        chat.push_str(&format!(
            "20/11/2026, {h:02}:{m:02} - {who}: message number {i}\n"
        ));
    }
    chat.push_str("21/11/2026, 00:00 - Dario: the needle is here\n");
    chat.push_str("21/11/2026, 00:01 - Anna: one more after it\n");
    let txt = d.join("WhatsApp Chat with Dario.txt");
    std::fs::write(&txt, chat).unwrap();
    d.add(&[txt.to_str().unwrap(), "-o", "case.zip", "--key", "k.pem"]);
    let html = d
        .zip("case.zip")
        .into_iter()
        .find(|(n, _)| n.ends_with("derived/transcript.html"))
        .unwrap()
        .1;
    let text = String::from_utf8(html.clone()).unwrap();
    assert!(text.contains("content-visibility:auto"), "lazy layout");
    assert!(!text.contains("http://") && !text.contains("https://"));
    let file = d.join("transcript.html");
    std::fs::write(&file, &html).unwrap();
    let total = n + 2;

    let all = dump_after(&file, "", 20_000);
    assert_eq!(
        all.matches("<article").count(),
        total,
        "every message is in the page"
    );
    assert!(
        all.contains(&format!("{total} of {total} shown")),
        "the count finished"
    );

    let q = dump_after(&file, "#q=NEEDLE", 20_000);
    assert_eq!(shown(&q), 1, "the message near the end is found");
    assert!(q.contains(&format!("1 of {total} shown")));
    let i = q.find("the needle is here").unwrap();
    let art = q[..i].rfind("<article").unwrap();
    assert!(!q[art..i].contains("hidden"), "and it is the one shown");

    let p = dump_after(&file, "#p=Carla", 20_000);
    assert_eq!(shown(&p), n / 4, "participant filter");
    assert!(p.contains(&format!("{} of {total} shown", n / 4)));
    let pq = dump_after(&file, "#p=Dario&q=needle", 20_000);
    assert_eq!(shown(&pq), 1);
    let pq = dump_after(&file, "#p=Anna&q=needle", 20_000);
    assert_eq!(shown(&pq), 0);
}
