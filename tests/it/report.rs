//! The acquisition report: content, media hidden by default, Italian, escaping,
//! determinism of the in-bundle copy, and the PDF read back with pdftotext.

use crate::tool::Tool;
use crate::util::*;

/// One item with a hostile file name and note, then a custody transfer.
fn bundle(d: &Dir) {
    d.key("k.pem", "Avv. Maria Rossi");
    d.copy(
        &fixture("media/scene1.png"),
        "ev/<img src=x onerror=alert(1)>.png",
    );
    d.add(&[
        "ev",
        "-o",
        "case.zip",
        "--case",
        "RG 42/2026",
        "--key",
        "k.pem",
        "--note",
        "<b>note</b>",
    ]);
    d.sigillo(&[
        "custody",
        "add",
        "case.zip",
        "--action",
        "transferred",
        "--to",
        "Isp. Bianchi",
        "--key",
        "k.pem",
    ])
    .assert_exit(0);
}

#[test]
fn report_content_media_language_and_escaping() {
    let d = Dir::new();
    bundle(&d);
    d.sigillo(&["report", "case.zip", "-o", "r.html"])
        .assert_exit(0);
    let h = d.read_string("r.html");
    let v: serde_json::Value = d.sigillo(&["verify", "case.zip", "--json"]).json();
    assert!(
        h.contains(v["bundle_sha256"].as_str().unwrap()),
        "bundle hash"
    );
    let m = member(&d.join("case.zip"), "manifest.json");
    let m: serde_json::Value = serde_json::from_slice(&m).unwrap();
    let f = &m["files"][0];
    assert!(
        h.contains(f["sha256"].as_str().unwrap())
            && h.contains(f["image"]["pdq"].as_str().unwrap())
    );
    assert!(h.contains("RG 42/2026") && h.contains("Isp. Bianchi") && h.contains("transferred"));
    // The commands are one span per token (they wrap between tokens): read the text.
    let text = regex::Regex::new(r"<[^>]*>").unwrap().replace_all(&h, "");
    assert!(
        text.contains("How to verify")
            && text.contains("sha256sum -c SHA256SUMS")
            && text.contains("openssl pkeyutl")
    );
    assert!(h.contains("What this bundle proves") && h.contains("902(14)"));
    assert!(h.contains("VERIFIED"));
    // Hostile names are escaped; no script can run; no external resources.
    assert!(!h.contains("<img src=x") && h.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!h.contains("<b>note</b>"));
    assert!(
        !h.contains("http://") || !h.contains("<link"),
        "no external resources"
    );
    assert!(!h.contains("src=\"http"));
    // Media hidden by default, shown on request.
    assert!(!h.contains("data:image/png;base64") && h.contains("image hidden"));
    d.sigillo(&["report", "case.zip", "-o", "s.html", "--show-media"])
        .assert_exit(0);
    assert!(d.read_string("s.html").contains("data:image/png;base64"));
    // Italian.
    d.sigillo(&["report", "case.zip", "-o", "it.html", "--lang", "it"])
        .assert_exit(0);
    let it = d.read_string("it.html");
    assert!(
        it.contains("lang=\"it\"")
            && it.contains("Verbale di acquisizione")
            && it.contains("Catena di custodia")
    );
    // The bundle carries its own report, listed in SHA256SUMS.
    let inner = d
        .zip("case.zip")
        .into_iter()
        .find(|(n, _)| n == "report.html")
        .unwrap()
        .1;
    let inner = String::from_utf8(inner).unwrap();
    assert!(inner.contains(f["sha256"].as_str().unwrap()) && inner.contains("transferred"));
}

#[test]
fn pdf_report_carries_the_key_facts() {
    let d = Dir::new();
    bundle(&d);
    d.sigillo(&["report", "case.zip", "-o", "r.html", "--pdf", "r.pdf"])
        .assert_exit(0);
    let t = Tool::Pdftotext.run(d.path(), &["-layout", "r.pdf", "-"]);
    assert_eq!(
        t.code,
        0,
        "pdftotext (apt-get install poppler-utils): {}",
        t.all()
    );
    let v: serde_json::Value = d.sigillo(&["verify", "case.zip", "--json"]).json();
    let sha = v["bundle_sha256"].as_str().unwrap();
    assert!(t.stdout.contains("RG 42/2026"), "case id");
    assert!(
        t.stdout.matches(sha).count() >= 2,
        "bundle SHA-256 in the footer of every page"
    );
    assert!(t.stdout.contains("Chain of custody"));
}

/// `key = value` messages of a locale file (every message is one line; the unit tests in
/// `src/report/i18n.rs` check the files in full with the Fluent parser).
fn locale(lang: &str) -> Vec<(String, String)> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(lang)
        .join("report.ftl");
    std::fs::read_to_string(&p)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
        .map(|l| {
            let (k, v) = l.split_once(" = ").unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// The text fragments of a message between its `{ $variables }`, trimmed.
fn fragments(value: &str) -> Vec<String> {
    regex::Regex::new(r"\{[^}]*\}")
        .unwrap()
        .split(value)
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

/// Undo the escaping maud does (enough to compare text).
fn unescape(h: &str) -> String {
    h.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A bundle with every kind of content the Italian report translates: files (original and
/// derived roles, images), a WhatsApp chat, custody transferred / received / verified, and
/// a tampered copy whose report lists problems.
fn italian_bundle(d: &Dir) {
    d.key("k.pem", "Avv. Maria Rossi");
    d.key("inv.pem", "Isp. Luca Bianchi");
    let files = sample("files");
    let chat = sample("chat/whatsapp-export.zip");
    d.add(&[
        files.to_str().unwrap(),
        "-o",
        "case.zip",
        "--case",
        "RG 42/2026",
        "--key",
        "k.pem",
        "--note",
        "nota",
    ]);
    d.add(&[chat.to_str().unwrap(), "-o", "case.zip", "--key", "k.pem"]);
    for args in [
        &[
            "--action",
            "transferred",
            "--to",
            "Isp. Luca Bianchi",
            "--key",
            "k.pem",
        ][..],
        &[
            "--action",
            "received",
            "--from",
            "Avv. Maria Rossi",
            "--key",
            "inv.pem",
        ],
        &["--action", "verified", "--key", "inv.pem"],
    ] {
        let mut a = vec!["custody", "add", "case.zip"];
        a.extend_from_slice(args);
        d.sigillo(&a).assert_exit(0);
    }
    let mut members = d.zip("case.zip");
    let victim = members
        .iter_mut()
        .find(|(n, _)| n.ends_with("note.txt"))
        .expect("note.txt in the bundle");
    victim.1 = b"altered".to_vec();
    write_zip(&d.join("bad.zip"), &members);
}

/// Every key has both languages, and the Italian report of a real bundle (verified and
/// not) holds no English sentence of the table: no text of three words or more that the
/// English locale has and the Italian one does not. Sigillo's technical messages and the
/// tool's recorded steps are the only English, each inside `lang="en"`.
#[test]
fn italian_report_has_no_english_sentence() {
    let en = locale("en");
    let it = locale("it");
    let keys = |l: &[(String, String)]| l.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&en), keys(&it), "the same keys, in the same order");
    for (k, v) in en.iter().chain(&it) {
        assert!(!v.trim().is_empty(), "{k} has no text");
    }
    let italian: String = it
        .iter()
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let sentences: Vec<String> = en
        .iter()
        .flat_map(|(_, v)| fragments(v))
        .filter(|f| f.split_whitespace().count() >= 3 && !italian.contains(f.as_str()))
        .collect();
    assert!(sentences.len() > 40, "the check has sentences to look for");

    let d = Dir::new();
    italian_bundle(&d);
    d.sigillo(&["report", "case.zip", "-o", "ok.html", "--lang", "it"])
        .assert_exit(0);
    d.sigillo(&["report", "bad.zip", "-o", "bad.html", "--lang", "it"])
        .assert_exit(1);
    let span_en = regex::Regex::new(r#"<span lang="en">[^<]*</span>"#).unwrap();
    let tag = regex::Regex::new(r"<[^>]*>").unwrap();
    for page in ["ok.html", "bad.html"] {
        let h = d.read_string(page);
        let text = unescape(&h);
        for s in &sentences {
            assert!(
                !text.contains(s.as_str()),
                "{page}: English {s:?} in the Italian report"
            );
        }
        // What a reader sees outside the marked English: no common English word.
        let body = &h[h.find("<body>").unwrap()..];
        let visible = unescape(&tag.replace_all(&span_en.replace_all(body, " "), " "));
        let words: Vec<&str> = visible.split(|c: char| !c.is_alphanumeric()).collect();
        // ("of" is left out: "Federal Rule of Evidence" is a name.)
        for w in [
            "the", "and", "is", "not", "with", "by", "was", "this", "file's",
        ] {
            assert!(
                !words.contains(&w),
                "{page}: English word {w:?} in: {visible}"
            );
        }
        // Enum names in the report's language.
        for word in [
            "originale",
            "derivato",
            "consegnato",
            "ricevuto",
            "verificato",
            "orologio locale",
            "chat",
        ] {
            assert!(h.contains(word), "{page}: {word}");
        }
    }
    let bad = d.read_string("bad.html");
    assert!(bad.contains("NON VERIFICATO") && bad.contains("il dettaglio tecnico che segue"));
    assert!(d.read_string("ok.html").contains("VERIFICATO: ogni firma"));
}

/// The verification commands wrap inside the PDF page instead of being cut at the right
/// margin: every command of the HTML is in `pdftotext`'s text of the PDF whole, token
/// after token, once the wrapped lines are joined (pdftotext drops what is off the page;
/// without the wrapping CSS this test fails).
#[test]
fn pdf_commands_wrap_inside_the_page() {
    let d = Dir::new();
    bundle(&d);
    let pre = regex::Regex::new(r#"(?s)<pre class="cmd">(.*?)</pre>"#).unwrap();
    let tag = regex::Regex::new(r"<[^>]*>").unwrap();
    for lang in ["en", "it"] {
        let (html, pdf) = (format!("{lang}.html"), format!("{lang}.pdf"));
        d.sigillo(&[
            "report", "case.zip", "-o", &html, "--pdf", &pdf, "--lang", lang,
        ])
        .assert_exit(0);
        let h = d.read_string(&html);
        let commands: Vec<String> = pre
            .captures_iter(&h)
            .flat_map(|c| {
                let text = unescape(&tag.replace_all(&c[1], ""));
                text.lines().map(str::to_string).collect::<Vec<_>>()
            })
            .collect();
        assert!(
            commands.len() >= 6,
            "{lang}: commands in the HTML: {commands:?}"
        );
        assert!(
            commands.iter().any(|c| c.len() > 150),
            "{lang}: some command is longer than a line"
        );
        // -layout: there pdftotext does not join a line ending in '-' with the next one.
        let t = Tool::Pdftotext.run(d.path(), &["-layout", &pdf, "-"]);
        assert_eq!(t.code, 0, "pdftotext: {}", t.all());
        let flat: String = t.stdout.split_whitespace().collect();
        for c in &commands {
            let tokens: String = c.split_whitespace().collect();
            assert!(
                flat.contains(&tokens),
                "{lang}: the command is cut in the PDF: {c}\n--- pdftotext\n{}",
                t.stdout
            );
        }
    }
}
