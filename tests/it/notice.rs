//! Removal notices (`sigillo notice`), the platform's replies (`custody add --action
//! notice-acknowledged|removal-confirmed`) and the Garante pack (`export --garante`), from
//! a bundle of sample images and one real capture of a page on 127.0.0.1. Every format is
//! judged by an independent reader: pdftotext for the PDF, Python's `email` package for
//! the EML's MIME structure, serde_json for the JSON; the bundle verifies after each step.

use std::path::Path;

use serde_json::Value;

use crate::support::web_server;
use crate::tool::Tool;
use crate::util::{Dir, read_zip, sample};

const HOSTILE_REASON: &str =
    "Published without consent <script>alert('x')</script> <img src=x onerror=alert(1)>";
const HOSTILE_NAME: &str = "Avv. <b>Rossi</b> & \"Bianchi\"";

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn manifests(bundle: &Path) -> Vec<Value> {
    read_zip(bundle)
        .into_iter()
        .filter(|(n, _)| n.ends_with("/manifest.json"))
        .map(|(_, b)| serde_json::from_slice(&b).unwrap())
        .collect()
}

fn file<'a>(m: &'a Value, path: &str) -> &'a Value {
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no {path} in {}", m["id"]))
}

#[track_caller]
fn verifies(d: &Dir) {
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
}

fn custody(d: &Dir) -> Vec<Value> {
    let r = d.sigillo(&["custody", "show", "case.zip", "--json"]);
    r.assert_exit(0);
    r.json()
}

/// `doc` (in the test folder) validates against `docs/schemas/<schema>` (Python
/// `jsonschema`, Draft 2020-12).
#[track_caller]
fn validates(d: &Dir, schema: &str, doc: &str) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schemas")
        .join(schema);
    let py = "import json,sys\nfrom jsonschema import Draft202012Validator as V\nV(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))";
    let r = Tool::Python.run(d.path(), &["-c", py, schema.to_str().unwrap(), doc]);
    assert_eq!(r.code, 0, "{doc} against {}: {}", schema.display(), r.all());
}

/// A notice run with the common flags and `extra`.
fn notice(d: &Dir, extra: &[&str]) -> crate::util::Run {
    let mut args = vec![
        "notice",
        "case.zip",
        "--to",
        "Example Social <Ltd>",
        "--reason",
        HOSTILE_REASON,
        "--notifier",
        HOSTILE_NAME,
        "--email",
        "rossi@studio.example",
        "--key",
        "k.pem",
        "--json",
    ];
    args.extend_from_slice(extra);
    d.sigillo(&args)
}

#[test]
fn notices_in_every_format_replies_and_the_garante_pack() {
    let srv = web_server::start_http();
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let img1 = sample("files/shared-image-1.png");
    let img2 = sample("files/shared-image-2.png");
    d.add(&[
        img1.to_str().unwrap(),
        img2.to_str().unwrap(),
        "-o",
        "case.zip",
        "--case",
        "RG-16/2026",
        "--key",
        "k.pem",
    ]);
    let page = format!("{}/page", srv.base);
    d.sigillo(&[
        "capture",
        &page,
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--quiet",
        "--timeout",
        "30s",
    ])
    .assert_exit(0);
    verifies(&d);
    let bundle = d.join("case.zip");
    let ms = manifests(&bundle);
    let (files_id, web_id) = (
        ms[0]["id"].as_str().unwrap().to_string(),
        ms[1]["id"].as_str().unwrap().to_string(),
    );
    assert_eq!(ms[1]["kind"], "web");

    // HTML, Italian, NCII ground: escaped, every element, no media.
    let r = notice(&d, &["--item", "2", "--ground", "ncii", "-o", "n.html"]);
    r.assert_exit(0);
    let out: Value = r.json();
    let html = d.read_string("n.html");
    assert_eq!(out["sha256"], sha256(html.as_bytes()));
    assert_eq!(out["format"], "html");
    assert!(!html.contains("<script>alert"), "live script in the notice");
    assert!(!html.contains("<img"), "an image in the notice");
    assert!(!html.contains("<b>Rossi"), "live markup from --notifier");
    assert!(html.contains("&lt;script&gt;alert"), "{html}");
    assert!(
        html.contains("Avv. &lt;b&gt;Rossi&lt;/b&gt; &amp; &quot;Bianchi&quot;")
            || html.contains("Avv. &lt;b&gt;Rossi&lt;/b&gt; &amp; \"Bianchi\"")
    );
    assert!(html.contains(&page));
    assert!(html.contains("612-ter"));
    assert!(html.contains("buona fede"));
    assert!(html.contains("STATEMENT_CATEGORY_CYBER_VIOLENCE"));
    assert!(
        html.contains(
            file(&ms[1], "original/main-document.body")["sha256"]
                .as_str()
                .unwrap()
        )
    );
    verifies(&d);

    // JSON, English, two items: a captured page and a files item with a stated URL.
    let r = notice(
        &d,
        &[
            "--item",
            &web_id,
            "--item",
            "1",
            "--url",
            "https://social.example/p/1",
            "--lang",
            "en",
            "--ground",
            "deepfake",
            "-o",
            "n.json",
        ],
    );
    r.assert_exit(0);
    let j: Value = serde_json::from_slice(&d.read("n.json")).unwrap();
    for k in [
        "explanation",
        "locations",
        "notifier",
        "good_faith_statement",
    ] {
        assert!(j.get(k).is_some(), "no {k} in {j}");
    }
    assert_eq!(j["statement_category"], "STATEMENT_CATEGORY_CYBER_VIOLENCE");
    assert_eq!(j["keywords"][0], "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE");
    assert_eq!(j["explanation"]["reason"], HOSTILE_REASON);
    assert_eq!(j["notifier"]["name"], HOSTILE_NAME);
    assert_eq!(j["notifier"]["email"], "rossi@studio.example");
    let web = &j["locations"][0];
    assert_eq!(web["url"], page);
    assert_eq!(web["origin"], "captured");
    assert_eq!(web["item"], web_id.as_str());
    assert_eq!(
        web["main_document_sha256"],
        file(&ms[1], "original/main-document.body")["sha256"]
    );
    assert_eq!(
        web["screenshot_sha256"],
        file(&ms[1], "original/screenshot-full.png")["sha256"]
    );
    assert!(!web["media"].as_array().unwrap().is_empty(), "{web}");
    let stated = &j["locations"][1];
    assert_eq!(stated["origin"], "stated");
    assert_eq!(stated["url"], "https://social.example/p/1");
    let img_entry = file(&ms[0], "original/shared-image-1.png");
    assert_eq!(stated["media"][0]["sha256"], img_entry["sha256"]);
    assert_eq!(stated["media"][0]["pdq"], img_entry["image"]["pdq"]);
    assert!(
        j["good_faith_statement"]
            .as_str()
            .unwrap()
            .contains("bona fide")
    );
    validates(&d, "notice.schema.json", "n.json");
    verifies(&d);

    // EML: a real MIME parser reads it: multipart/alternative, text/plain + text/html.
    notice(
        &d,
        &[
            "--item",
            "2",
            "--to-email",
            "notices@social.example",
            "-o",
            "n.eml",
        ],
    )
    .assert_exit(0);
    let py = r#"
import email, email.policy, json, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
parts = [(p.get_content_type(), p.get_content()) for p in m.iter_parts()]
print(json.dumps({"subject": str(m["subject"]), "from": str(m["from"]), "to": str(m["to"]),
  "date": str(m["date"]), "type": m.get_content_type(), "defects": len(m.defects),
  "attachments": len(list(m.iter_attachments())), "parts": parts}))
"#;
    let r = Tool::Python.run(d.path(), &["-c", py, "n.eml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let e: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(e["type"], "multipart/alternative");
    assert_eq!(e["defects"], 0);
    assert_eq!(e["attachments"], 0);
    assert!(
        e["subject"]
            .as_str()
            .unwrap()
            .contains("Example Social <Ltd>"),
        "{e}"
    );
    assert!(e["from"].as_str().unwrap().contains("rossi@studio.example"));
    assert!(
        e["from"].as_str().unwrap().contains("<b>Rossi</b>"),
        "the name survives, encoded: {e}"
    );
    assert!(e["to"].as_str().unwrap().contains("notices@social.example"));
    assert!(!e["date"].as_str().unwrap().is_empty());
    assert_eq!(e["parts"][0][0], "text/plain");
    assert_eq!(e["parts"][1][0], "text/html");
    assert!(e["parts"][0][1].as_str().unwrap().contains(&page));
    assert!(e["parts"][0][1].as_str().unwrap().contains(HOSTILE_REASON));
    assert!(!e["parts"][1][1].as_str().unwrap().contains("<script>alert"));
    let raw = d.read("n.eml");
    assert!(raw.windows(2).any(|w| w == b"\r\n"));
    assert!(raw.iter().all(|b| b.is_ascii()), "an e-mail is 7-bit");
    verifies(&d);

    // PDF through Chromium, checked with pdftotext.
    notice(&d, &["--item", "2", "--ground", "deepfake", "-o", "n.pdf"]).assert_exit(0);
    assert!(d.read("n.pdf").starts_with(b"%PDF-"));
    let r = Tool::Pdftotext.run(d.path(), &["-layout", "n.pdf", "-"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let text = r.stdout.replace('\n', " ");
    assert!(text.contains("612-quater"), "{text}");
    assert!(text.contains("127.0.0.1"), "{text}");
    assert!(
        text.contains("<script>alert"),
        "the reason is shown as text: {text}"
    );
    verifies(&d);

    // Each notice is recorded with its file's hash and its recipient.
    let log = custody(&d);
    let sent: Vec<&Value> = log
        .iter()
        .filter(|e| e["action"] == "notice-sent")
        .collect();
    assert_eq!(sent.len(), 4);
    for (e, f) in sent.iter().zip(["n.html", "n.json", "n.eml", "n.pdf"]) {
        let bytes = d.read(f);
        assert_eq!(e["details"]["sha256"], sha256(&bytes), "{f}");
        assert_eq!(e["details"]["size"], bytes.len() as u64);
        assert_eq!(e["details"]["file"], f);
        assert_eq!(e["details"]["recipient"], "Example Social <Ltd>");
        assert_eq!(e["details"]["notifier"], HOSTILE_NAME);
    }
    assert_eq!(
        sent[1]["details"]["items"],
        serde_json::json!([web_id, files_id])
    );
    assert_eq!(sent[0]["details"]["urls"][0], page);

    // Never over an existing file, never over the bundle.
    let before = d.read("case.zip");
    notice(&d, &["--item", "2", "-o", "n.html"]).assert_exit(2);
    notice(&d, &["--item", "2", "-o", "case.zip"]).assert_exit(2);
    // A files item without --url names no URL: refused.
    let r = notice(&d, &["--item", "1", "-o", "nourl.html"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("--url"), "{}", r.stderr);
    assert!(!d.join("nourl.html").exists());
    assert_eq!(
        d.read("case.zip"),
        before,
        "a refused notice changed the bundle"
    );

    // The platform's replies.
    d.write(
        "reply.eml",
        "Subject: we received your notice\r\n\r\nTicket T-4815\r\n",
    );
    let r = d.sigillo(&[
        "custody",
        "add",
        "case.zip",
        "--action",
        "notice-acknowledged",
        "--item",
        "2",
        "--reference",
        "T-4815",
        "--file",
        "reply.eml",
        "--key",
        "k.pem",
    ]);
    r.assert_exit(0);
    d.sigillo(&[
        "custody",
        "add",
        "case.zip",
        "--action",
        "removal-confirmed",
        "--item",
        &web_id,
        "--note",
        "the platform says the post is gone",
        "--key",
        "k.pem",
    ])
    .assert_exit(0);
    let r = d.sigillo(&[
        "custody",
        "add",
        "case.zip",
        "--action",
        "removal-confirmed",
        "--note",
        "x",
        "--key",
        "k.pem",
    ]);
    r.assert_exit(2);
    assert!(r.stderr.contains("--item"), "{}", r.stderr);
    d.sigillo(&[
        "custody",
        "add",
        "case.zip",
        "--action",
        "removal-confirmed",
        "--item",
        "2",
        "--key",
        "k.pem",
    ])
    .assert_exit(2);
    verifies(&d);
    let log = custody(&d);
    let ack = log
        .iter()
        .find(|e| e["action"] == "notice-acknowledged")
        .unwrap();
    assert_eq!(ack["details"]["items"][0], web_id.as_str());
    assert_eq!(ack["details"]["reference"], "T-4815");
    assert_eq!(ack["details"]["file"]["name"], "reply.eml");
    assert_eq!(
        ack["details"]["file"]["sha256"],
        sha256(&d.read("reply.eml"))
    );
    let gone = log
        .iter()
        .find(|e| e["action"] == "removal-confirmed")
        .unwrap();
    assert_eq!(gone["note"], "the platform says the post is gone");
    // Every custody entry, the new actions among them, matches the published schema.
    let lines = String::from_utf8(crate::util::member(&bundle, "custody.jsonl")).unwrap();
    for (i, l) in lines.lines().enumerate() {
        d.write(&format!("entry-{i}.json"), l);
        validates(&d, "custody-entry.schema.json", &format!("entry-{i}.json"));
    }

    // The library listing the lead wires into `sigillo status`.
    let state = sigillo::verify::verified_state(&bundle).unwrap();
    let by_item = sigillo::notice::notices_by_item(&state.custody);
    let web_n = &by_item[&web_id];
    assert_eq!(web_n.notices.len(), 4);
    assert_eq!(web_n.acknowledgements.len(), 1);
    assert_eq!(web_n.removal_confirmations.len(), 1);
    assert_eq!(web_n.notices[0].sha256, sha256(&d.read("n.html")));
    assert_eq!(web_n.notices[0].recipient, "Example Social <Ltd>");
    assert_eq!(by_item[&files_id].notices.len(), 1);
    // `sigillo status` shows the same notices and starts the deadline at the first one.
    let r = d.sigillo(&["status", "case.zip", "--json", "--deadline", "24h"]);
    r.assert_exit(0);
    let st: Value = r.json();
    let u = &st["urls"][0];
    assert_eq!(u["item"], web_id.as_str());
    assert_eq!(u["notices"].as_array().unwrap().len(), 4, "{}", r.stdout);
    assert_eq!(u["notices"][0]["to"], "Example Social <Ltd>");
    assert_eq!(u["notices"][0]["sha256"], sha256(&d.read("n.html")));
    assert_eq!(u["notices"][0]["custody_seq"], web_n.notices[0].seq);
    assert_eq!(
        u["deadline"]["notice_sent_at"],
        sigillo::time::rfc3339(&web_n.notices[0].sent_at)
    );
    assert!(
        u["deadline"]["hours_to_removal"].is_null(),
        "never re-checked: {}",
        r.stdout
    );
    let r = d.sigillo(&["status", "case.zip"]);
    r.assert_exit(0);
    assert!(r.stdout.contains("notice sent"), "{}", r.stdout);

    // The Garante pack: the originals byte for byte, hashes.csv, the Italian summary.
    let entries = log.len();
    let r = d.sigillo(&[
        "export",
        "case.zip",
        "--garante",
        "-o",
        "pack.zip",
        "--item",
        "1",
        "--item",
        "2",
        "--json",
    ]);
    r.assert_exit(0);
    let out: Value = r.json();
    assert_eq!(out["pdf"], true, "{}", r.all());
    let pack = read_zip(&d.join("pack.zip"));
    let get = |name: &str| {
        pack.iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| {
                panic!(
                    "no {name} in the pack: {:?}",
                    pack.iter().map(|p| &p.0).collect::<Vec<_>>()
                )
            })
    };
    assert_eq!(
        get(&format!("media/{files_id}/shared-image-1.png")),
        std::fs::read(&img1).unwrap()
    );
    assert_eq!(
        get(&format!("media/{files_id}/shared-image-2.png")),
        std::fs::read(&img2).unwrap()
    );
    assert!(
        pack.iter()
            .any(|(n, _)| n == &format!("media/{web_id}/screenshot-full.png"))
    );
    assert!(
        !pack
            .iter()
            .any(|(n, _)| n.ends_with(".body") || n.ends_with("dom.html"))
    );
    let csv = String::from_utf8(get("hashes.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("# sigillo-garante/1"));
    assert_eq!(
        lines.next(),
        Some("item,file,media_type,size,sha256,md5,pdq,pdq_quality,source_url")
    );
    let mut rows = 0;
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        let m = ms.iter().find(|m| m["id"] == c[0]).unwrap();
        let path = format!("original/{}", c[1].splitn(3, '/').nth(2).unwrap());
        let f = file(m, &path);
        assert_eq!(c[4], f["sha256"], "{l}");
        assert_eq!(sha256(&get(c[1])), c[4], "{l}");
        assert_eq!(c[5], f["md5"].as_str().unwrap_or(""), "{l}");
        assert_eq!(c[6], f["image"]["pdq"].as_str().unwrap_or(""), "{l}");
        rows += 1;
    }
    assert_eq!(
        rows,
        pack.iter().filter(|(n, _)| n.starts_with("media/")).count()
    );
    let summary = String::from_utf8(get("riepilogo.html")).unwrap();
    assert!(summary.contains("Garante"));
    assert!(summary.contains("RG-16/2026"));
    assert!(summary.contains(&page));
    assert!(!summary.contains("<img"));
    d.write("riepilogo.pdf", get("riepilogo.pdf"));
    let r = Tool::Pdftotext.run(d.path(), &["riepilogo.pdf", "-"]);
    assert!(r.stdout.contains("144-bis"), "{}", r.stdout);
    // Like export --p7m, the pack does not change the bundle.
    assert_eq!(custody(&d).len(), entries);
    d.sigillo(&["export", "case.zip", "--garante", "-o", "pack.zip"])
        .assert_exit(2);
    verifies(&d);
}

/// A new age identity in `dir/name` (mode 0600); returns its recipient.
fn identity(d: &Dir, name: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let r = Tool::AgeKeygen.run(d.path(), &["-o", name]);
    assert_eq!(r.code, 0, "{}", r.all());
    std::fs::set_permissions(d.join(name), std::fs::Permissions::from_mode(0o600)).unwrap();
    Tool::AgeKeygen
        .run(d.path(), &["-y", name])
        .stdout
        .trim()
        .to_string()
}

#[test]
fn an_encrypted_bundle_takes_notices_without_identity_and_packs_with_it() {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let rcpt = identity(&d, "me.age");
    let img1 = sample("files/shared-image-1.png");
    d.add(&[
        img1.to_str().unwrap(),
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--encrypt-to",
        &rcpt,
    ]);
    let r = notice(
        &d,
        &[
            "--item",
            "1",
            "--url",
            "https://social.example/p/9",
            "-o",
            "n.json",
        ],
    );
    r.assert_exit(0);
    let j: Value = serde_json::from_slice(&d.read("n.json")).unwrap();
    let m = &manifests(&d.join("case.zip"))[0];
    assert_eq!(
        j["locations"][0]["media"][0]["sha256"],
        m["files"][0]["sha256"]
    );
    verifies(&d);

    let r = d.sigillo(&["export", "case.zip", "--garante", "-o", "pack.zip"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("--identity"), "{}", r.stderr);
    assert!(!d.join("pack.zip").exists());
    // No Chromium: the pack is made without the PDF, with a warning.
    let r = d.sigillo(&[
        "export",
        "case.zip",
        "--garante",
        "-o",
        "pack.zip",
        "--identity",
        "me.age",
        "--browser",
        "/nonexistent/chromium",
    ]);
    r.assert_exit(0);
    assert!(r.stderr.contains("riepilogo.pdf"), "{}", r.stderr);
    let pack = read_zip(&d.join("pack.zip"));
    let media: Vec<&(String, Vec<u8>)> = pack
        .iter()
        .filter(|(n, _)| n.starts_with("media/"))
        .collect();
    assert_eq!(media.len(), 1);
    assert_eq!(
        media[0].1,
        std::fs::read(&img1).unwrap(),
        "decrypted byte for byte"
    );
    assert!(!pack.iter().any(|(n, _)| n == "riepilogo.pdf"));
    verifies(&d);
}
