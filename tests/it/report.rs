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
    assert!(
        h.contains("How to verify")
            && h.contains("sha256sum -c SHA256SUMS")
            && h.contains("openssl pkeyutl")
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
