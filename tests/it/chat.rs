//! Chat exports: WhatsApp layouts and locales, Telegram JSON, round trip to the source
//! lines, broken exports, and the sealed item.

use std::path::PathBuf;

use serde_json::Value;
use sigillo::acquire::chat::whatsapp::{self, DateOrder};

use crate::util::*;

fn none(_: &str) -> Option<(String, String)> {
    None
}

/// (name, export text, expected messages, expected senders, first parsed time)
const CASES: &[(&str, &str, usize, &[&str], &str)] = &[
    (
        "en-GB android 24h",
        "01/02/2024, 09:15 - Messages and calls are end-to-end encrypted.\n01/02/2024, 09:16 - Alice: morning\n13/02/2024, 23:59 - Bob: late\nsecond line\n",
        2,
        &["Alice", "Bob"],
        "2024-02-01T09:15:00",
    ),
    (
        "en-US android 12h",
        "2/13/24, 9:05 PM - Alice: hi\n2/13/24, 12:01 AM - Bob: <Media omitted>\n",
        2,
        &["Alice", "Bob"],
        "2024-02-13T21:05:00",
    ),
    (
        "it-IT android",
        "13/02/24, 21:05 - Giulia: ciao\n14/02/24, 07:00 - Marco: IMG-20240214-WA0001.jpg (file allegato)\n",
        2,
        &["Giulia", "Marco"],
        "2024-02-13T21:05:00",
    ),
    (
        "de-DE dots",
        "13.02.24, 21:05 - Jana: hallo\n14.02.24, 07:00 - Jonas: na\n",
        2,
        &["Jana", "Jonas"],
        "2024-02-13T21:05:00",
    ),
    (
        "iOS brackets seconds CRLF marks",
        "[13/02/2024, 21:05:09] Giulia: ciao\r\n\u{200e}[13/02/2024, 21:06:00] Marco: \u{200e}<attached: 00000003-PHOTO-2024-02-13-21-06-00.jpg>\r\n[13/02/2024, 21:07:00] Marco: \u{200e}This message was deleted\r\n",
        2,
        &["Giulia", "Marco"],
        "2024-02-13T21:05:09",
    ),
    (
        "iOS US 12h narrow nbsp",
        "[2/13/24, 9:05:09\u{202f}PM] Alice: hi\n[2/14/24, 10:00:00\u{202f}AM] Bob: there\n",
        2,
        &["Alice", "Bob"],
        "2024-02-13T21:05:09",
    ),
];

#[test]
fn whatsapp_layouts_and_locales() {
    for (name, text, n, senders, first) in CASES {
        let t = whatsapp::parse(text, "_chat.txt", None, &none);
        assert_eq!(t.summary.messages, *n, "{name}: message count");
        assert_eq!(
            t.participants,
            senders.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(
            t.summary.first.as_deref(),
            Some(*first),
            "{name}: first time"
        );
        assert_eq!(t.summary.unparsed_lines, 0, "{name}");
    }
    // iOS: the deleted marker and the attachment.
    let t = whatsapp::parse(CASES[4].1, "_chat.txt", None, &none);
    assert_eq!(t.summary.deleted, 1);
    assert_eq!(
        t.summary.missing_media,
        vec!["00000003-PHOTO-2024-02-13-21-06-00.jpg"]
    );
    // Ambiguous dates follow --date-format.
    let t = whatsapp::parse("01/02/24, 10:00 - A: x\n", "c", Some(DateOrder::Mdy), &none);
    assert_eq!(t.summary.first.as_deref(), Some("2024-01-02T10:00:00"));
}

#[test]
fn every_source_line_is_accounted_for_exactly_once() {
    let mut text = String::from("header junk before the chat\n");
    for (_, t, ..) in CASES.iter().take(4) {
        text.push_str(t);
    }
    text.push_str("01/03/2024, 10:00 - Alice: multi\nline\n\nmessage\n");
    let t = whatsapp::parse(&text, "_chat.txt", Some(DateOrder::Dmy), &none);
    let lines = text.lines().count();
    let mut seen = vec![0u32; lines + 1];
    for m in &t.messages {
        let [a, b] = m.source.lines.unwrap();
        for s in seen.iter_mut().take(b + 1).skip(a) {
            *s += 1;
        }
    }
    assert!(
        seen[1..].iter().all(|c| *c == 1),
        "lines not covered exactly once: {seen:?}"
    );
    assert_eq!(t.messages[0].kind, "unparsed");
    assert_eq!(t.messages.last().unwrap().text, "multi\nline\n\nmessage");
}

fn samples() -> PathBuf {
    sample("chat")
}

fn item(d: &Dir, n: usize) -> (Value, Value) {
    let zip = d.zip("case.zip");
    let m = zip
        .iter()
        .filter(|(x, _)| x.ends_with("/manifest.json"))
        .nth(n)
        .unwrap();
    let dir = m.0.trim_end_matches("manifest.json").to_string();
    let t = zip
        .iter()
        .find(|(x, _)| *x == format!("{dir}derived/transcript.json"))
        .unwrap();
    (
        serde_json::from_slice(&m.1).unwrap(),
        serde_json::from_slice(&t.1).unwrap(),
    )
}

#[test]
fn sealed_exports_keep_originals_and_transcripts() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let wa = samples().join("whatsapp-export.zip");
    let r = d.add(&[wa.to_str().unwrap(), "-o", "case.zip", "--key", "k.pem"]);
    assert!(r.stderr.contains("WhatsApp"));
    let tg = samples().join("telegram-export");
    d.add(&[tg.to_str().unwrap(), "-o", "case.zip", "--key", "k.pem"]);
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);

    let (m, t) = item(&d, 0);
    assert_eq!(m["kind"], "chat");
    assert_eq!(m["facts"]["messages"], 5);
    assert_eq!(m["facts"]["deleted_markers"], 1);
    assert_eq!(t["format"], "sigillo-transcript/1");
    assert_eq!(t["summary"]["missing_media"][0], "IMG-20261120-WA0002.jpg");
    let att = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["attachments"].as_array().unwrap().clone())
        .find(|a| a["present"] == true)
        .unwrap();
    let media = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == att["path"])
        .unwrap();
    assert_eq!(
        att["sha256"], media["sha256"],
        "the transcript's attachment hash is the stored file's"
    );
    assert_eq!(
        media["image"]["pdq"].as_str().unwrap().len(),
        64,
        "chat images get PDQ"
    );
    // The original zip is byte-identical.
    let orig = member(&d.join("case.zip"), "original/whatsapp-export.zip");
    assert_eq!(orig, std::fs::read(&wa).unwrap());
    // HTML: numbered anchors, images hidden behind a click.
    let html = member(
        &d.join("case.zip"),
        "0001-chat-whatsapp-export-zip/derived/transcript.html",
    );
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("id=\"m3\"") && html.contains("<details><summary>show image"));
    assert!(html.contains("missing from the export"));

    let (m, t) = item(&d, 1);
    assert_eq!(t["source_format"], "telegram-json");
    assert_eq!(m["facts"]["messages"], 4);
    let msgs = t["messages"].as_array().unwrap();
    assert_eq!(msgs[0]["kind"], "system");
    assert_eq!(msgs[3]["text"], "Cancella subito quella foto");
    assert_eq!(msgs[3]["reply_to"], 3);
    assert_eq!(msgs[3]["edited"], "2026-11-20T21:12:00");
    assert_eq!(msgs[4]["forwarded_from"], "Gruppo anonimo");
    assert_eq!(msgs[2]["attachments"][0]["present"], true);
    assert_eq!(msgs[4]["attachments"][0]["present"], false);
    assert_eq!(msgs[1]["source"]["message_id"], 2);
}

#[test]
fn telegram_full_account_export() {
    let j: Value = serde_json::json!({"about": "x", "chats": {"about": "y", "list": [
        {"name": "A", "type": "personal_chat", "id": 1, "messages": [{"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "from": "A", "text": "hi"}]},
        {"name": "B", "type": "private_group", "id": 2, "messages": [{"id": 7, "type": "message", "date": "2024-01-02T10:00:00", "from": "B", "text": [{"type": "link", "text": "http://x"}]}]}
    ]}});
    let t = sigillo::acquire::chat::telegram::parse(&j, "result.json", &|_| None);
    assert_eq!(t.summary.messages, 2);
    assert_eq!(t.participants, vec!["A [A]", "B [B]"]);
    assert_eq!(t.messages[1].text, "http://x");
}

#[test]
fn broken_exports_are_clear_errors() {
    let d = Dir::new();
    d.key("k.pem", "K");
    let wa = std::fs::read(samples().join("whatsapp-export.zip")).unwrap();
    d.write("cut.zip", &wa[..wa.len() / 2]);
    let r = d.sigillo(&[
        "add",
        "cut.zip",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--as",
        "chat-whatsapp",
    ]);
    r.assert_exit(2);
    assert!(
        r.stderr.contains("cut.zip") && r.stderr.contains("fix:"),
        "{}",
        r.stderr
    );
    d.write(
        "tg/result.json",
        "{\"name\": \"x\", \"messages\": [\n {\"id\": 1,",
    );
    let r = d.sigillo(&["add", "tg", "-o", "case.zip", "--key", "k.pem"]);
    r.assert_exit(2);
    assert!(
        r.stderr.contains("result.json") && r.stderr.contains("line 2"),
        "{}",
        r.stderr
    );
    assert!(!d.join("case.zip").exists());
}
