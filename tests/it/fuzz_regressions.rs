//! Regression tests for what fuzzing (`fuzz/`) and hostile-bundle testing found: each
//! case is the smallest bundle edit that crashed a command, run through the real binary.
//! Standalone on purpose (own helpers), so it survives refactors of the shared test code.

use std::path::{Path, PathBuf};

use crate::util::{Run, TestCommand, read_zip, write_zip};

use serde_json::Value;

const NOW: &str = "2026-11-22T10:00:00Z";

fn sigillo(dir: &Path, args: &[&str]) -> Run {
    TestCommand::new(dir)
        .args(args)
        .env("SIGILLO_NOW", NOW)
        .output()
}

/// A one-item bundle with three custody entries (created, item-added, note).
fn bundle(dir: &Path) -> PathBuf {
    let r = sigillo(dir, &["key", "new", "--out", "k.pem", "--name", "Fuzz"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(dir.join("a.txt"), "evidence\n").unwrap();
    let r = sigillo(
        dir,
        &[
            "add", "a.txt", "-o", "case.zip", "--case", "C-1", "--key", "k.pem",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = sigillo(
        dir,
        &[
            "custody", "add", "case.zip", "--action", "note", "--note", "n", "--key", "k.pem",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir.join("case.zip")
}

/// Rewrite custody line `line` (0-based) of the bundle with `edit`, in canonical form.
fn edit_custody(bundle: &Path, out: &Path, line: usize, edit: impl Fn(&mut Value)) {
    let mut m = read_zip(bundle);
    let c = m.iter_mut().find(|(n, _)| n == "custody.jsonl").unwrap();
    let text = String::from_utf8(c.1.clone()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut v: Value = serde_json::from_str(&lines[line]).unwrap();
    edit(&mut v);
    lines[line] = String::from_utf8(serde_jcs::to_vec(&v).unwrap()).unwrap();
    c.1 = format!("{}\n", lines.join("\n")).into_bytes();
    write_zip(out, &m);
}

/// Every reading command fails cleanly (exit 1, or 2 for unreadable input), never panics.
fn assert_fails_cleanly(dir: &Path, bundle: &str) {
    for args in [
        vec!["verify", bundle],
        vec!["ls", bundle],
        vec!["report", bundle, "-o", "r.html"],
        vec!["hashes", bundle],
        vec!["custody", "show", bundle],
        vec!["extract", bundle, "out-dir"],
    ] {
        let r = sigillo(dir, &args);
        assert!(
            !r.stderr.contains("panicked") && r.code != 101,
            "`sigillo {}` panicked: {}",
            args.join(" "),
            r.stderr
        );
        assert!(
            r.code == 1 || r.code == 2,
            "`sigillo {}` exited {} (want 1 or 2)\n{}\n{}",
            args.join(" "),
            r.code,
            r.stdout,
            r.stderr
        );
        let _ = std::fs::remove_dir_all(dir.join("out-dir"));
    }
}

const NON_ASCII: &str = "aéééééééééééééééééééééééééééééééééééééééé";

/// Found by the hostile-field test (and the `custody` target): `short()` in
/// evidence/custody.rs sliced `prev` at byte 16, inside a two-byte 'é'.
#[test]
fn non_ascii_custody_prev_is_a_failure_not_a_panic() {
    let d = tempfile::tempdir().unwrap();
    let b = bundle(d.path());
    edit_custody(&b, &d.path().join("bad.zip"), 1, |v| {
        v["prev"] = Value::from(NON_ASCII);
    });
    assert_fails_cleanly(d.path(), "bad.zip");
    let r = sigillo(d.path(), &["verify", "bad.zip"]);
    assert!(r.stdout.contains("broken link"), "{}", r.stdout);
}

/// `short()` in verify.rs sliced the custody entry's content digest at byte 16.
#[test]
fn non_ascii_custody_content_digest_is_a_failure_not_a_panic() {
    let d = tempfile::tempdir().unwrap();
    let b = bundle(d.path());
    edit_custody(&b, &d.path().join("bad.zip"), 1, |v| {
        v["content"]["digest"] = Value::from(NON_ASCII);
    });
    assert_fails_cleanly(d.path(), "bad.zip");
}

/// `short()` in verify.rs sliced the `manifest_sha256` an item-added entry records.
#[test]
fn non_ascii_recorded_manifest_hash_is_a_failure_not_a_panic() {
    let d = tempfile::tempdir().unwrap();
    let b = bundle(d.path());
    edit_custody(&b, &d.path().join("bad.zip"), 1, |v| {
        v["details"]["manifest_sha256"] = Value::from(NON_ASCII);
    });
    assert_fails_cleanly(d.path(), "bad.zip");
    let r = sigillo(d.path(), &["verify", "bad.zip"]);
    assert!(r.stdout.contains("the item was replaced"), "{}", r.stdout);
}
