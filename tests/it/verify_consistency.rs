//! `verify` never contradicts itself (issue 11): a stored member that cannot be read fails
//! its item's file check and the SHA256SUMS check with expected (and, where it can be
//! computed, actual) SHA-256, and no "ok archive" / "ok sums" line claims otherwise; the
//! verdict's last line says what the times rest on; `--json` keeps its keys.

use serde_json::Value;

use crate::support::tsa::{Mode, TestTsa};
use crate::util::*;

const NOW: &str = "2026-11-22T10:00:00Z";
const CHAT: &str = "items/0001-files-ev/original/ev/chat.txt";
const PHOTO: &str = "items/0001-files-ev/original/ev/photo.jpg";

/// A one-item bundle holding a deflated text file and a stored (precompressed) JPEG.
fn bundle(d: &Dir) {
    d.key("k.pem", "Avv. Maria Rossi");
    d.write("ev/chat.txt", "threat received at 21:04\n".repeat(200));
    let mut jpg = b"\xff\xd8\xff\xe0".to_vec();
    jpg.extend((0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
    d.write("ev/photo.jpg", jpg);
    d.command()
        .args(&[
            "add", "ev", "-o", "case.zip", "--case", "CASE-1", "--key", "k.pem",
        ])
        .env("SIGILLO_NOW", NOW)
        .assert_exit(0);
}

/// Flip one byte in the middle of `member`'s stored (possibly compressed) data; returns
/// whether the member is deflated and the position of the flipped byte in that data.
fn corrupt(zip_path: &std::path::Path, out: &std::path::Path, member: &str) -> (bool, usize) {
    let mut bytes = std::fs::read(zip_path).unwrap();
    let (start, csize, deflated) = {
        let mut z = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
        let f = z.by_name(member).unwrap();
        (
            f.header_start() as usize,
            f.compressed_size() as usize,
            f.compression() == zip::CompressionMethod::Deflated,
        )
    };
    let n = u16::from_le_bytes([bytes[start + 26], bytes[start + 27]]) as usize;
    let e = u16::from_le_bytes([bytes[start + 28], bytes[start + 29]]) as usize;
    let data = start + 30 + n + e;
    bytes[data + csize / 2] ^= if deflated { 0xff } else { 0x01 };
    std::fs::write(out, bytes).unwrap();
    (deflated, csize / 2)
}

/// The SHA-256 SHA256SUMS records for `member`.
fn listed_sha256(d: &Dir, member: &str) -> String {
    let sums = String::from_utf8(crate::util::member(&d.join("case.zip"), "SHA256SUMS")).unwrap();
    sums.lines()
        .find_map(|l| l.strip_suffix(&format!("  {member}")))
        .unwrap()
        .to_string()
}

fn lines_with<'a>(out: &'a str, prefix: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn a_member_that_cannot_be_inflated_fails_its_file_and_sums_checks() {
    let d = Dir::new();
    bundle(&d);
    assert!(corrupt(&d.join("case.zip"), &d.join("bad.zip"), CHAT).0);
    let want = listed_sha256(&d, CHAT);
    let r = d.sigillo(&["verify", "bad.zip"]);
    r.assert_exit(1);
    let out = &r.stdout;
    let unreadable = format!("cannot be read: corrupt deflate stream; expected SHA-256 {want}");
    let file = lines_with(out, &format!("FAIL  file      {CHAT}: "));
    assert_eq!(file.len(), 1, "{out}");
    assert!(file[0].ends_with(&unreadable), "{out}");
    let sums = lines_with(out, &format!("FAIL  sums      {CHAT}: "));
    assert_eq!(sums.len(), 1, "{out}");
    assert!(sums[0].ends_with(&unreadable), "{out}");
    assert!(
        !out.contains("ok    sums      SHA256SUMS:"),
        "ok sums on an unreadable member:\n{out}"
    );
    assert!(
        lines_with(out, "ok    archive").is_empty(),
        "ok archive on an unreadable member:\n{out}"
    );
    assert!(
        lines_with(out, &format!("FAIL  archive   {CHAT}: cannot be read")).len() == 1,
        "{out}"
    );
    assert!(
        out.contains("NOT VERIFIED: bad.zip — 3 problem(s):"),
        "{out}"
    );
}

#[test]
fn a_member_whose_checksum_fails_shows_expected_and_actual_sha256() {
    let d = Dir::new();
    bundle(&d);
    let (deflated, pos) = corrupt(&d.join("case.zip"), &d.join("bad.zip"), PHOTO);
    assert!(!deflated, "JPEGs are stored");
    let want = listed_sha256(&d, PHOTO);
    // What the corrupted member really holds, computed independently of sigillo.
    let mut stored = d.read("ev/photo.jpg");
    stored[pos] ^= 0x01;
    let actual = sha256_hex(&stored);
    assert_ne!(want, actual);
    let r = d.sigillo(&["verify", "bad.zip"]);
    r.assert_exit(1);
    let out = &r.stdout;
    let both = format!("; expected SHA-256 {want}, actual {actual}");
    for kind in ["file     ", "sums     "] {
        let l = lines_with(out, &format!("FAIL  {kind} {PHOTO}: cannot be read: "));
        assert_eq!(l.len(), 1, "{kind}:\n{out}");
        assert!(l[0].ends_with(&both), "{kind}:\n{out}");
    }
    assert!(!out.contains("ok    sums      SHA256SUMS:"), "{out}");
    assert!(lines_with(out, "ok    archive").is_empty(), "{out}");
    // JSON says the same.
    let v: Value = d.sigillo(&["verify", "bad.zip", "--json"]).json();
    assert_eq!(v["verdict"], "failed");
    let kinds: Vec<&str> = v["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["archive", "file", "sums"]);
}

/// SHA-256 of bytes with the stock `sha256sum`, so the test does not trust sigillo's hash.
fn sha256_hex(data: &[u8]) -> String {
    let d = Dir::new();
    d.write("x", data);
    let r = crate::tool::Tool::Sha256sum.run(d.path(), &["x"]);
    r.stdout.split_whitespace().next().unwrap().to_string()
}

#[test]
fn the_last_line_states_the_basis_of_time() {
    let d = Dir::new();
    bundle(&d);
    let r = d.sigillo(&["verify", "case.zip"]);
    r.assert_exit(0);
    let last = r.stdout.lines().last().unwrap();
    assert_eq!(
        last, "time: no trusted timestamp: all times are the acquiring machine's clock",
        "{}",
        r.stdout
    );
    let v: Value = d.sigillo(&["verify", "case.zip", "--json"]).json();
    assert_eq!(v["time_basis"]["trusted_tokens"], 0);
    assert_eq!(v["time_basis"]["tsa"], serde_json::json!([]));
    assert_eq!(v["time_basis"]["items_on_local_clock"][0], "0001-files-ev");

    let t = TestTsa::start(Mode::Normal);
    d.write("later.txt", "a second acquisition\n");
    d.add(&[
        "later.txt",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--tsa",
        &t.url,
    ]);
    let ca = t.ca_pem.to_str().unwrap();
    let r = d.sigillo(&["verify", "case.zip", "--tsa-ca", ca]);
    r.assert_exit(0);
    let last = r.stdout.lines().last().unwrap();
    assert!(
        last.starts_with("time: times are trusted (1 token from TSA ")
            && last.contains("Test Evidence")
            && last.ends_with(
                "; except item(s) 0001-files-ev: their times are the acquiring machine's clock"
            ),
        "{}",
        r.stdout
    );
    let v: Value = d
        .sigillo(&["verify", "case.zip", "--json", "--tsa-ca", ca])
        .json();
    let tb = &v["time_basis"];
    assert_eq!(tb["trusted_tokens"], 1);
    assert_eq!(tb["tsa"].as_array().unwrap().len(), 1);
    assert_eq!(
        tb["items_on_local_clock"],
        serde_json::json!(["0001-files-ev"])
    );
    assert_eq!(tb["statement"].as_str(), last.strip_prefix("time: "));
    assert_eq!(v["timestamps"][0]["item"], "0002-files-later-txt");
    assert_eq!(v["timestamps"][0]["info"]["status"], "trusted");
}

#[test]
fn json_keeps_its_keys_and_values() {
    let d = Dir::new();
    bundle(&d);
    let v: Value = d.sigillo(&["verify", "case.zip", "--json"]).json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "format",
            "bundle",
            "bundle_sha256",
            "verdict",
            "checks",
            "failures",
            "signers",
            "trust_pinned",
            "timestamps",
            "cosignatures",
            "time_basis"
        ]
    );
    assert_eq!(v["format"], "sigillo-verify/1");
    assert_eq!(v["verdict"], "verified");
    assert_eq!(v["failures"], serde_json::json!([]));
    assert_eq!(v["trust_pinned"], false);
    let kinds = [
        "archive",
        "keys",
        "item",
        "file",
        "signature",
        "timestamp",
        "custody",
        "sums",
        "trust",
    ];
    for c in v["checks"].as_array().unwrap() {
        let o = c.as_object().unwrap();
        let k: Vec<&str> = o.keys().map(String::as_str).collect();
        assert_eq!(k, ["check", "status", "subject", "message"]);
        assert!(kinds.contains(&c["check"].as_str().unwrap()), "{c}");
        assert!(
            ["pass", "fail", "warn", "info"].contains(&c["status"].as_str().unwrap()),
            "{c}"
        );
    }
    let s = &v["signers"][0];
    assert!(s["fingerprint"].as_str().unwrap().starts_with("SHA256:"));
    assert_eq!(s["names"], serde_json::json!(["Avv. Maria Rossi"]));
    assert_eq!(s["trusted"], Value::Null);
    // The published schema describes the output.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs/schemas/verify-report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(required, keys);
    // Optional keys (only `encryption`, for encrypted bundles) are described too.
    let props: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| !keys.contains(k))
        .collect();
    assert_eq!(props, ["encryption"]);
}
