//! The transcript viewer (`transcript.html`) in real headless Chromium: every message
//! rendered, the search box and participant filter (driven by `#q=`/`#p=` in the URL),
//! hostile text shown as text, no external resources.

use std::process::Command;

use crate::util::*;

/// The DOM after Chromium ran the page's script.
fn dump(file: &std::path::Path, hash: &str) -> String {
    let url = format!("file://{}{hash}", file.display());
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=3000",
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
