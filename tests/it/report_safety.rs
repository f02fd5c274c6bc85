//! Reports of hostile bundles: values that carry markup but are validly signed (file
//! names, notes, operator, case, custody recipient, chat senders, texts and attachment
//! names, web facts) never come out as live markup, in either language, with or without
//! `--show-media`; the chat transcript view is escaped the same way; and a bundle that
//! does not verify gets a red NOT VERIFIED banner before anything else (exit 1).

use crate::util::*;

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "<img src=x onerror=alert(1)>";
const SVG: &str = "\"><svg onload=alert(1)>";

/// The tags the report and transcript templates themselves emit.
const TEMPLATE_TAGS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "header", "main", "section", "h1", "h2",
    "h3", "p", "div", "table", "thead", "tbody", "tr", "th", "td", "span", "br", "a", "ul", "li",
    "pre", "strong", "img", "details", "summary", "article", "input", "select", "option",
];

/// Parse-level check: every tag is one the template emits, no tag carries an event
/// handler or a script URL, there is no `<script` at all, and images are only embedded
/// data or bundle-relative files.
#[track_caller]
fn assert_no_live_markup(h: &str, what: &str) {
    // The one script a page may hold: the transcript viewer's constant search script
    // (sigillo::html::TRANSCRIPT_JS), byte for byte; anything else is a finding.
    let own = format!("<script>{}</script>", sigillo::html::TRANSCRIPT_JS);
    let h = &h.replace(&own, "");
    for raw in [SCRIPT, "<img src=x", "<svg onload", "<b>x</b>", "<svg"] {
        assert!(!h.contains(raw), "{what}: raw {raw:?} in the page");
    }
    assert_eq!(
        h.to_ascii_lowercase().matches("<script").count(),
        0,
        "{what}: the templates emit no <script> but the viewer's own"
    );
    let tag = regex::Regex::new(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^>]*)>").unwrap();
    // Attributes as the templates write them: name="escaped value" (or a bare name).
    let attr = regex::Regex::new(r#"\s+([a-z-]+)(?:="([^"<>]*)")?"#).unwrap();
    for c in tag.captures_iter(h) {
        let (name, attrs) = (c[2].to_ascii_lowercase(), &c[3]);
        let shown = format!("<{name}{}>", attrs.chars().take(120).collect::<String>());
        assert!(
            TEMPLATE_TAGS.contains(&name.as_str()),
            "{what}: tag {shown} is not one the template emits"
        );
        let mut covered = 0;
        for a in attr.captures_iter(attrs) {
            let whole = a.get(0).unwrap();
            assert_eq!(
                whole.start(),
                covered,
                "{what}: malformed attributes in {shown}"
            );
            covered = whole.end();
            let (key, value) = (&a[1], a.get(2).map_or("", |v| v.as_str()));
            assert!(!key.starts_with("on"), "{what}: event handler in {shown}");
            let v = value.to_ascii_lowercase();
            if key == "href" || key == "src" {
                assert!(
                    v.starts_with('#')
                        || v.starts_with("./")
                        || v.starts_with("../")
                        || (key == "src" && v.starts_with("data:image/")),
                    "{what}: link or source leaving the page or bundle in {shown}"
                );
            }
        }
        let rest = attrs[covered..].trim();
        assert!(
            rest.is_empty() || rest == "/",
            "{what}: malformed attributes in {shown}"
        );
    }
    assert!(
        !h.contains("src=\"http") && !h.contains("href=\"http") && !h.contains("<link"),
        "{what}: external resource"
    );
}

/// A WhatsApp export whose chat name, senders, texts and attachment name carry markup.
fn hostile_whatsapp(d: &Dir) -> std::path::PathBuf {
    let jpg = member(
        &sample("chat/whatsapp-export.zip"),
        "IMG-20261120-WA0001.jpg",
    );
    let att = format!("{IMG}.jpg");
    let text = format!(
        "20/11/2026, 21:03 - Giulia: {SCRIPT}\n\
         20/11/2026, 21:04 - <svg onload=alert(1)>: ciao {IMG}\n\
         20/11/2026, 21:05 - <svg onload=alert(1)>: {att} (file attached)\n\
         20/11/2026, 21:06 - Giulia: <b>x</b> (file attached)\n"
    );
    let p = d.join("wa.zip");
    write_zip(
        &p,
        &[
            (format!("WhatsApp Chat with {IMG}.txt"), text.into_bytes()),
            (att, jpg),
        ],
    );
    p
}

/// One bundle with a hostile file, a hostile chat export, hostile operator, case and
/// note, and a custody transfer to a hostile recipient. Returns nothing: `case.zip`.
fn hostile_bundle(d: &Dir) {
    d.key("k.pem", "Avv. Maria Rossi");
    d.write(&format!("ev/{IMG}.txt"), "hello");
    d.copy(&fixture("media/scene1.png"), &format!("ev/{IMG}.png"));
    let common = [
        "-o",
        "case.zip",
        "--case",
        "<b>x</b>",
        "--key",
        "k.pem",
        "--operator",
        SVG,
        "--note",
        SCRIPT,
    ];
    d.add(&[&["ev"][..], &common].concat());
    let wa = hostile_whatsapp(d);
    d.add(&[&[wa.to_str().unwrap()][..], &common].concat());
    d.sigillo(&[
        "custody",
        "add",
        "case.zip",
        "--action",
        "transferred",
        "--to",
        SCRIPT,
        "--key",
        "k.pem",
        "--note",
        IMG,
    ])
    .assert_exit(0);
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
}

#[test]
fn hostile_values_never_become_markup() {
    let d = Dir::new();
    hostile_bundle(&d);
    for lang in ["en", "it"] {
        for media in [false, true] {
            let out = format!("r-{lang}-{media}.html");
            let mut args = vec!["report", "case.zip", "-o", &out, "--lang", lang];
            if media {
                args.push("--show-media");
            }
            d.sigillo(&args).assert_exit(0);
            let h = d.read_string(&out);
            let what = format!("report --lang {lang} show-media={media}");
            assert_no_live_markup(&h, &what);
            // The hostile values are there, as text.
            assert!(
                h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{what}: note/recipient as text"
            );
            assert!(
                h.contains("&lt;img src=x onerror=alert(1)&gt;"),
                "{what}: file name as text"
            );
            assert!(
                h.contains("&quot;&gt;&lt;svg onload=alert(1)&gt;"),
                "{what}: operator as text"
            );
            assert!(h.contains("&lt;b&gt;x&lt;/b&gt;"), "{what}: case as text");
            assert!(
                !h.contains("class=\"alarm\""),
                "{what}: a verified bundle has no alarm"
            );
            assert_eq!(
                h.contains("data:image/png;base64"),
                media,
                "{what}: media only with --show-media"
            );
        }
    }
    // What is inside the bundle: its own report and the chat transcript view.
    for (name, bytes) in d.zip("case.zip") {
        if name.ends_with(".html") {
            let h = String::from_utf8(bytes).unwrap();
            assert_no_live_markup(&h, &name);
            if name == "report.html" {
                assert!(
                    h.contains("class=\"ok\"") && h.contains("when it wrote this report"),
                    "the sealed report says it was verified when written"
                );
            }
            if name.ends_with("transcript.html") {
                assert!(h.contains("&lt;svg onload=alert(1)&gt;"), "sender as text");
                assert!(
                    h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                    "text as text"
                );
                assert!(
                    h.contains("show image &lt;img src=x"),
                    "attachment name as text"
                );
            }
        }
    }
}

#[test]
fn web_facts_and_wrong_types_are_escaped_and_never_fatal() {
    use sigillo::evidence::manifest::{ItemKind, Manifest};
    use sigillo::report::{Lang, ReportInput, ReportOptions, Verdict, render_html};
    let d = Dir::new();
    d.key("k.pem", "Avv. Maria Rossi");
    d.write("ev/a.txt", "hello");
    d.add(&["ev", "-o", "case.zip", "--key", "k.pem"]);
    let mut m = Manifest::parse(&member(&d.join("case.zip"), "manifest.json")).unwrap();
    // A signed web manifest can say anything in its facts; some of it of the wrong type.
    m.kind = ItemKind::Web;
    let facts = serde_json::json!({
        "browser": {"product": SCRIPT, "user_agent": IMG},
        "final_url": format!("javascript:{SCRIPT}"),
        "main_document": {"status": SVG},
        "server_ips": [SCRIPT, 5],
        "redirects": [{"status": 301, "url": IMG, "location": SVG}, "junk", 7],
        "tls": {"protocol": SCRIPT, "certificates": [{"subject": IMG, "sha256": [1]}]},
        "dns": {"host": SVG, "addresses": [IMG]},
        "second_fetch": {"status": 200, "same_body_as_browser": "maybe"},
    });
    m.facts = facts.as_object().unwrap().clone();
    m.input = serde_json::json!({"url": SCRIPT})
        .as_object()
        .unwrap()
        .clone();
    m.transformations.push(SCRIPT.into());
    let (verdict, _) = Verdict::of(&serde_json::json!({
        "verdict": "failed",
        "failures": [{"subject": IMG, "message": SCRIPT}, {"subject": 5}],
        "signers": [{"fingerprint": SVG, "names": [SCRIPT], "trusted": false}],
    }));
    for lang in [Lang::En, Lang::It] {
        let inp = ReportInput {
            bundle_name: IMG.into(),
            bundle_sha256: Some(SVG.into()),
            case_id: SCRIPT.into(),
            manifests: vec![&m],
            custody: Vec::new(),
            timestamps: Vec::new(),
            verdict: Some(verdict.clone()),
            generated_at: chrono::Utc::now(),
            media: None,
            timeline: Some(hostile_timeline()),
        };
        let opts = ReportOptions {
            lang,
            show_media: true,
            ..ReportOptions::default()
        };
        let h = render_html(&inp, &opts);
        assert_no_live_markup(&h, &format!("web facts {lang:?}"));
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(h, render_html(&inp, &opts), "same input, same bytes");
    }
}

/// A removal timeline whose every text is markup (URL, items, times, notice recipient).
fn hostile_timeline() -> sigillo::recheck::timeline::Status {
    let notice = serde_json::json!({"custody_seq": 4, "sent_at": "2026-01-01T00:00:00.000Z", "clock": "local", "to": IMG, "sha256": SVG});
    serde_json::from_value(serde_json::json!({
        "case": SCRIPT, "generated_at": SVG, "deadline_hours": 48.0,
        "urls": [{
            "url": SCRIPT, "item": IMG, "first_captured": SVG,
            "rechecks": [{"item": SCRIPT, "checked_at": IMG, "result": "removed", "http_status": 404}],
            "notices": [notice], "latest": "removed", "removed_at": SCRIPT, "last_seen_online": IMG,
            "deadline": {"notice_sent_at": SVG, "deadline_at": SCRIPT, "hours_to_removal": 12.5, "met": true}
        }]
    }))
    .unwrap()
}

#[test]
fn a_bundle_that_does_not_verify_says_so_first_in_red() {
    let d = Dir::new();
    hostile_bundle(&d);
    // Tamper with one stored member (the hostile text file's bytes).
    let mut members = d.zip("case.zip");
    let victim = members
        .iter_mut()
        .find(|(n, _)| n.ends_with(".txt") && n.contains("/original/"))
        .expect("a stored text file");
    victim.1 = b"HELLO".to_vec();
    write_zip(&d.join("bad.zip"), &members);
    d.sigillo(&["verify", "bad.zip"]).assert_exit(1);
    for (lang, banner, altered) in [
        ("en", "NOT VERIFIED", "A file was altered, added or removed"),
        (
            "it",
            "NON VERIFICATO",
            "Un file è stato alterato, aggiunto o rimosso",
        ),
    ] {
        let out = format!("bad-{lang}.html");
        let r = d.sigillo(&["report", "bad.zip", "-o", &out, "--lang", lang]);
        r.assert_exit(1);
        let h = d.read_string(&out);
        assert_no_live_markup(&h, &format!("failed report {lang}"));
        let body = &h[h.find("<body>").expect("body") + "<body>".len()..];
        assert!(
            body.starts_with("<div class=\"alarm\" role=\"alert\"><p><strong>"),
            "{lang}: the banner comes before anything else: {}",
            &body[..body.len().min(200)]
        );
        let banner_html = &body[..body.find("</div>").unwrap()];
        assert!(
            banner_html.contains(banner),
            "{lang}: {banner} in the banner"
        );
        let n = d
            .sigillo(&["verify", "bad.zip", "--json"])
            .json::<serde_json::Value>()["failures"]
            .as_array()
            .unwrap()
            .len();
        assert!(
            n > 0 && banner_html.contains(&format!(": {n}. ")),
            "{lang}: problem count"
        );
        assert!(
            banner_html.contains("<li>"),
            "{lang}: the first problems are listed"
        );
        // Each problem says what failed in the report's language; sigillo's technical
        // detail follows, marked as English.
        assert!(
            banner_html.contains(&format!(
                "<li><strong>{altered}</strong> — <span lang=\"en\">"
            )),
            "{lang}: the altered file is named in the report's language: {banner_html}"
        );
        assert!(h.contains(".alarm{border:4px solid #b00"), "{lang}: in red");
        assert!(
            h[h.find("<title>").unwrap()..].starts_with(&format!("<title>{banner}")),
            "{lang}: the title says so too"
        );
        // It never also claims to be verified.
        assert!(!h.contains("class=\"ok\""), "{lang}: no verified line");
    }
}

#[test]
fn the_markup_check_catches_live_markup() {
    let page = |body: &str| format!("<!DOCTYPE html><html><body>{body}</body></html>");
    for bad in [
        "<p>x</p><script>alert(1)</script>",
        "<svg onload=alert(1)>",
        "<p onclick=\"x\">a</p>",
        "<p title=x onclick=y>a</p>",
        "<a href=\"javascript:alert(1)\">a</a>",
        "<img src=\"https://evil.example/x.png\">",
        "<iframe src=\"./x\"></iframe>",
        "<td>\"><b>x</b></td>",
    ] {
        let h = page(bad);
        let caught = std::panic::catch_unwind(|| assert_no_live_markup(&h, "probe")).is_err();
        assert!(caught, "not caught: {bad}");
    }
    assert_no_live_markup(
        &page("<p class=\"x\" title=\"&lt;script&gt; onload=1\">&lt;svg onload=1&gt;</p>"),
        "escaped",
    );
}
