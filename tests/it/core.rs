//! The core bundle through the real binary: keys, add, verify, independent
//! verification with stock tools, determinism, tampering, hostile zips, bad input.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::tool::{Tool, unzip};
use crate::util::*;

const NOW: &str = "2026-11-22T10:00:00Z";

/// The two `add` runs of [`sample`], in order.
const SAMPLE_ADDS: [&[&str]; 2] = [
    &[
        "add",
        "ev",
        "-o",
        "case.zip",
        "--case",
        "CASE-1",
        "--key",
        "lawyer.pem",
    ],
    &[
        "add",
        "later.txt",
        "-o",
        "case.zip",
        "--key",
        "lawyer.pem",
        "--note",
        "second",
    ],
];

/// A bundle with two items (a folder with a text file and a binary, then one file).
fn sample(d: &Dir) -> (PathBuf, PathBuf) {
    let k = d.key("lawyer.pem", "Avv. Maria Rossi");
    d.write("ev/chat.txt", "threat received at 21:04\n");
    d.write(
        "ev/sub/photo.jpg",
        (0..5000u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<_>>(),
    );
    d.write("later.txt", "a second acquisition\n");
    for args in SAMPLE_ADDS {
        d.command()
            .args(args)
            .env("SIGILLO_NOW", NOW)
            .assert_exit(0);
    }
    (d.join("case.zip"), k)
}

#[test]
fn key_files_are_read_by_openssl_and_private_key_is_0600() {
    let d = Dir::new();
    let k = d.key("k.pem", "Test");
    assert_eq!(
        std::fs::metadata(&k).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let r = Tool::Openssl.run(d.path(), &["pkey", "-in", "k.pem", "-pubout"]);
    assert_eq!(
        r.code,
        0,
        "openssl cannot read our private key: {}",
        r.all()
    );
    let ours = d.read_string("k.pem.pub");
    assert!(
        ours.contains(r.stdout.trim()),
        "openssl derives a different public key"
    );
    // Refuses to overwrite.
    let r = d.sigillo(&["key", "new", "--out", "k.pem"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("never overwrites"), "{}", r.stderr);
    // Encrypted key: readable by openssl with the passphrase, by sigillo only with the right one.
    d.command()
        .args(&[
            "key",
            "new",
            "--out",
            "enc.pem",
            "--passphrase",
            "--name",
            "E",
        ])
        .env("SIGILLO_PASSPHRASE", "s3cret pass")
        .assert_exit(0);
    let r = Tool::Openssl.run(
        d.path(),
        &[
            "pkey",
            "-in",
            "enc.pem",
            "-passin",
            "pass:s3cret pass",
            "-noout",
        ],
    );
    assert_eq!(
        r.code,
        0,
        "openssl cannot decrypt our encrypted key: {}",
        r.all()
    );
    d.write("f.txt", "x");
    let r = d
        .command()
        .args(&["add", "f.txt", "-o", "c.zip", "--key", "enc.pem"])
        .env("SIGILLO_PASSPHRASE", "wrong")
        .assert_exit(2);
    assert!(r.stderr.contains("wrong passphrase"), "{}", r.stderr);
    assert!(!d.join("c.zip").exists());
    d.command()
        .args(&["add", "f.txt", "-o", "c.zip", "--key", "enc.pem"])
        .env("SIGILLO_PASSPHRASE", "s3cret pass")
        .assert_exit(0);
    // key show prints the fingerprint.
    let r = d.sigillo(&["key", "show", "k.pem.pub"]);
    assert!(r.stdout.starts_with("fingerprint: SHA256:"), "{}", r.stdout);
}

#[test]
fn bundle_verifies_with_sigillo_and_with_stock_tools() {
    let d = Dir::new();
    let (bundle, k) = sample(&d);
    let r = d.sigillo(&["verify", "case.zip"]);
    r.assert_exit(0);
    assert!(r.stdout.contains("VERIFIED"));
    assert!(
        r.stdout.contains("only self-consistent"),
        "without --trust it must say so"
    );
    let pubk = format!("{}.pub", k.display());
    let r = d.sigillo(&["verify", "case.zip", "--trust", &pubk]);
    r.assert_exit(0);
    assert!(r.stdout.contains("(trusted)"), "{}", r.stdout);

    // Independent: unzip, sha256sum -c, openssl pkeyutl on every manifest and on SHA256SUMS.
    let x = d.join("x");
    unzip(&bundle, &x);
    let r = Tool::Sha256sum.run(&x, &["--strict", "-c", "SHA256SUMS"]);
    assert_eq!(r.code, 0, "sha256sum -c failed: {}", r.all());
    assert_eq!(r.stdout.lines().count(), read_zip(&bundle).len() - 2);
    let keyfile = std::fs::read_dir(x.join("keys"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let keyfile = keyfile.to_str().unwrap();
    for item in std::fs::read_dir(x.join("items")).unwrap() {
        let item = item.unwrap().path();
        let r = Tool::Openssl.run(
            &x,
            &[
                "pkeyutl",
                "-verify",
                "-pubin",
                "-inkey",
                keyfile,
                "-rawin",
                "-in",
                item.join("manifest.json").to_str().unwrap(),
                "-sigfile",
                item.join("manifest.sig").to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, 0, "openssl rejects {}: {}", item.display(), r.all());
        assert!(r.stdout.contains("Signature Verified Successfully"));
    }
    Tool::Openssl
        .run(
            &x,
            &[
                "pkeyutl",
                "-verify",
                "-pubin",
                "-inkey",
                keyfile,
                "-rawin",
                "-in",
                "SHA256SUMS",
                "-sigfile",
                "SHA256SUMS.sig",
            ],
        )
        .assert_exit(0);
    // VERIFY.md names the commands.
    let v = std::fs::read_to_string(x.join("VERIFY.md")).unwrap();
    assert!(v.contains("sha256sum -c SHA256SUMS") && v.contains("openssl pkeyutl -verify"));
    // Originals are byte-identical.
    assert_eq!(
        std::fs::read(x.join("items/0001-files-ev/original/ev/sub/photo.jpg")).unwrap(),
        d.read("ev/sub/photo.jpg")
    );
    // ls and --json.
    let r = d.sigillo(&["ls", "case.zip"]);
    r.assert_exit(0);
    assert!(r.stdout.contains("0002-files-later-txt") && r.stdout.contains("original/ev/chat.txt"));
    let v: serde_json::Value = d.sigillo(&["verify", "case.zip", "--json"]).json();
    assert_eq!(v["format"], "sigillo-verify/1");
    assert_eq!(v["verdict"], "verified");
    assert!(v["failures"].as_array().unwrap().is_empty());
}

#[test]
fn same_inputs_and_times_give_identical_bytes() {
    let d = Dir::new();
    let (a, _) = sample(&d);
    let first = std::fs::read(&a).unwrap();
    std::fs::remove_file(&a).unwrap();
    for args in SAMPLE_ADDS {
        assert_eq!(d.command().args(args).env("SIGILLO_NOW", NOW).run().code, 0);
    }
    assert!(
        first == std::fs::read(&a).unwrap(),
        "the bundle is not reproducible"
    );
    let m: serde_json::Value =
        serde_json::from_slice(&member(&a, "0001-files-ev/manifest.json")).unwrap();
    assert_eq!(
        m["acquired"]["clock"], "override",
        "pinned time must be marked"
    );
}

/// One mutation of a bundle and a word the failure message must contain.
struct Mutation {
    what: String,
    members: Vec<(String, Vec<u8>)>,
    expect: &'static str,
}

fn mutations(orig: &[(String, Vec<u8>)], other_key_pem: &[u8]) -> Vec<Mutation> {
    let mut v = Vec::new();
    let find = |suffix: &str| orig.iter().position(|(n, _)| n.ends_with(suffix)).unwrap();
    // Flip bytes at several positions of every member.
    for (i, (name, bytes)) in orig.iter().enumerate() {
        for pos in [0, bytes.len() / 2, bytes.len().saturating_sub(1)] {
            if bytes.is_empty() {
                continue;
            }
            let mut m = orig.to_vec();
            m[i].1[pos] ^= 0x01;
            v.push(Mutation {
                what: format!("flip byte {pos} of {name}"),
                members: m,
                expect: "",
            });
        }
        // Remove it.
        let mut m = orig.to_vec();
        m.remove(i);
        v.push(Mutation {
            what: format!("remove {name}"),
            members: m,
            expect: "",
        });
        // Rename it.
        let mut m = orig.to_vec();
        m[i].0 = format!("{name}.renamed");
        v.push(Mutation {
            what: format!("rename {name}"),
            members: m,
            expect: "",
        });
    }
    // Add files.
    for extra in [
        "items/0001-files-ev/original/extra.txt",
        "extra.txt",
        "keys/extra.pub.pem",
        "items/0001-files-ev/manifest.2.tsr",
    ] {
        let mut m = orig.to_vec();
        m.insert(2, (extra.to_string(), b"x".to_vec()));
        v.push(Mutation {
            what: format!("add {extra}"),
            members: m,
            expect: "",
        });
    }
    // Swap manifests and signatures between items.
    let swap = |a: &str, b: &str| {
        let (i, j) = (find(a), find(b));
        let mut m = orig.to_vec();
        let tmp = m[i].1.clone();
        m[i].1 = m[j].1.clone();
        m[j].1 = tmp;
        m
    };
    v.push(Mutation {
        what: "swap manifests".into(),
        members: swap(
            "0001-files-ev/manifest.json",
            "0002-files-later-txt/manifest.json",
        ),
        expect: "manifest",
    });
    v.push(Mutation {
        what: "swap signatures".into(),
        members: swap(
            "0001-files-ev/manifest.sig",
            "0002-files-later-txt/manifest.sig",
        ),
        expect: "signature",
    });
    // Replace the public key.
    let k = orig
        .iter()
        .position(|(n, _)| n.starts_with("keys/"))
        .unwrap();
    let mut m = orig.to_vec();
    m[k].1 = other_key_pem.to_vec();
    v.push(Mutation {
        what: "replace the public key".into(),
        members: m,
        expect: "key",
    });
    // Reorder two members.
    let mut m = orig.to_vec();
    m.swap(0, 1);
    v.push(Mutation {
        what: "reorder members".into(),
        members: m,
        expect: "order",
    });
    v
}

#[test]
fn every_tampering_is_detected_and_named() {
    let d = Dir::new();
    let (bundle, _) = sample(&d);
    d.key("other.pem", "Mallory");
    let other = d.read_string("other.pem.pub");
    let other_pem = other.as_bytes()[other.find("-----BEGIN").unwrap()..].to_vec();
    let orig = read_zip(&bundle);
    // Rewriting with the test's own zip writer (different compression/metadata) must
    // still verify when nothing changed except container details? No: our canonical
    // checks are on content, so an unmodified rewrite must pass.
    let same = d.join("same.zip");
    write_zip(&same, &orig);
    let r = d.sigillo(&["verify", "same.zip"]);
    assert_eq!(r.code, 0, "an unmodified repack must verify: {}", r.all());

    let muts = mutations(&orig, &other_pem);
    assert!(muts.len() > 50, "only {} mutations", muts.len());
    let t = d.join("t.zip");
    let mut missed = Vec::new();
    for m in &muts {
        write_zip(&t, &m.members);
        let r = d.sigillo(&["verify", "t.zip"]);
        if r.code != 1
            || !r.stdout.contains("NOT VERIFIED")
            || !r.stdout.to_lowercase().contains(m.expect)
        {
            missed.push(format!(
                "{} → exit {}: {}",
                m.what,
                r.code,
                r.stdout.lines().last().unwrap_or("")
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "undetected or unnamed tampering:\n{}",
        missed.join("\n")
    );
}

#[test]
fn failure_messages_name_file_and_hashes() {
    let d = Dir::new();
    let (bundle, _) = sample(&d);
    let mut m = read_zip(&bundle);
    let i = m.iter().position(|(n, _)| n.ends_with("chat.txt")).unwrap();
    m[i].1 = b"threat received at 22:04\n".to_vec();
    write_zip(&d.join("t.zip"), &m);
    let r = d.sigillo(&["verify", "t.zip"]);
    r.assert_exit(1);
    assert!(
        r.stdout
            .contains("items/0001-files-ev/original/ev/chat.txt: SHA-256 mismatch: expected"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("actual"));
}

#[test]
fn a_bundle_that_does_not_verify_is_never_written_to() {
    let d = Dir::new();
    let (bundle, _) = sample(&d);
    let mut m = read_zip(&bundle);
    let i = m.iter().position(|(n, _)| n.ends_with("chat.txt")).unwrap();
    m[i].1.push(b'!');
    write_zip(&bundle, &m);
    let before = std::fs::read(&bundle).unwrap();
    let r = d.sigillo(&["add", "later.txt", "-o", "case.zip", "--key", "lawyer.pem"]);
    r.assert_exit(1);
    assert!(r.stderr.contains("refusing to change"), "{}", r.stderr);
    assert_eq!(before, std::fs::read(&bundle).unwrap());
    assert!(!std::fs::read_dir(d.path()).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".sigillo-tmp")
    }));
}

/// Patch a name inside a zip's raw bytes (local header and central directory).
fn patch_names(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
        }
        i += 1;
    }
}

#[test]
fn hostile_archives_are_rejected_without_panic() {
    let d = Dir::new();
    let (bundle, _) = sample(&d);
    let orig = read_zip(&bundle);
    let cases: Vec<(&str, Vec<u8>)> = {
        let mut v = Vec::new();
        let mk = |extra: &str| {
            let mut m = orig.clone();
            m.push((extra.to_string(), b"pwned".to_vec()));
            let p = d.join("h.zip");
            write_zip(&p, &m);
            std::fs::read(&p).unwrap()
        };
        // ../ and absolute names: written as safe placeholders, then patched in place.
        let mut b = mk("XXevil.txt");
        patch_names(&mut b, b"XXevil.txt", b"../evil.tx");
        v.push(("parent path", b));
        let mut b = mk("XXXXXXXXXXXX");
        patch_names(&mut b, b"XXXXXXXXXXXX", b"/etc/passwdX");
        v.push(("absolute path", b));
        // Duplicate names.
        let mut b = mk("items/0001-files-ev/original/ev/chat.tx_");
        patch_names(&mut b, b"chat.tx_", b"chat.txt");
        v.push(("duplicate", b));
        // Prepended junk.
        let mut b = b"JUNKJUNK".to_vec();
        b.extend(std::fs::read(&bundle).unwrap());
        v.push(("prepended data", b));
        // Trailing junk after the end of the archive.
        let mut b = std::fs::read(&bundle).unwrap();
        b.extend_from_slice(b"JUNK");
        v.push(("appended data", b));
        // A local header naming another file than the central directory.
        let mut b = std::fs::read(&bundle).unwrap();
        let name = b"items/0001-files-ev/original/ev/chat.txt";
        let pos = b.windows(name.len()).position(|w| w == name).unwrap();
        b[pos + name.len() - 5] = b'X';
        v.push(("local header name differs", b));
        v
    };
    for (what, bytes) in cases {
        d.write("h.zip", &bytes);
        let r = d.sigillo(&["verify", "h.zip"]);
        assert!(
            r.code == 1 || r.code == 2,
            "{what}: exit {} {}",
            r.code,
            r.all()
        );
        assert!(
            r.all().contains("NOT VERIFIED") || r.stderr.contains("error:"),
            "{what}: {}",
            r.all()
        );
    }
    assert!(!d.path().parent().unwrap().join("evil.tx").exists());

    // A symlink entry.
    let p = d.join("sym.zip");
    {
        let f = std::fs::File::create(&p).unwrap();
        let mut z = zip::ZipWriter::new(f);
        for (n, b) in &orig {
            z.start_file(n.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut z, b).unwrap();
        }
        z.add_symlink(
            "items/0001-files-ev/original/link",
            "/etc/passwd",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.finish().unwrap();
    }
    let r = d.sigillo(&["verify", "sym.zip"]);
    r.assert_exit(1);
    assert!(r.stdout.contains("symbolic link"), "{}", r.stdout);

    // A zip bomb: a tiny deflated entry claiming a terabyte.
    let mut b = std::fs::read(&bundle).unwrap();
    let name = b"items/0001-files-ev/original/ev/chat.txt";
    // Central directory header: signature PK\x01\x02; uncompressed size at offset 24.
    let mut i = 0;
    while i + 4 < b.len() {
        if &b[i..i + 4] == b"PK\x01\x02" && b[i + 46..].starts_with(name) {
            b[i + 24..i + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        }
        i += 1;
    }
    d.write("bomb.zip", &b);
    let r = d.sigillo(&["verify", "bomb.zip"]);
    assert!(r.code == 1 || r.code == 2, "{}", r.all());

    // Not a zip at all.
    d.write("not.zip", b"hello");
    let r = d.sigillo(&["verify", "not.zip"]);
    r.assert_exit(2);
    assert!(
        r.stderr.contains("not a readable ZIP") && r.stderr.contains("fix:"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_input_gives_one_clear_error_and_exit_2() {
    let d = Dir::new();
    d.key("k.pem", "K");
    d.write("f.txt", "x");
    let cases: &[(&[&str], &str)] = &[
        (
            &["add", "missing.txt", "-o", "c.zip", "--key", "k.pem"],
            "missing.txt",
        ),
        (
            &["add", "f.txt", "-o", "c.zip", "--key", "nokey.pem"],
            "sigillo key new",
        ),
        (
            &["add", "f.txt", "-o", "c.zip", "--key", "k.pem.pub"],
            "not an Ed25519 private key",
        ),
        (&["add", "f.txt", "-o", "c.zip"], "sigillo key new"),
        (&["verify", "nothing.zip"], "nothing.zip"),
        (
            &["add", "f.txt", "-o", "nodir/c.zip", "--key", "k.pem"],
            "does not exist",
        ),
        (&["verify"], "Usage"),
    ];
    for (args, needle) in cases {
        let r = d.sigillo(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.all());
        assert!(
            r.stderr.contains(needle),
            "{args:?}: expected '{needle}' in: {}",
            r.stderr
        );
        assert!(
            r.stderr.lines().count() <= 20,
            "{args:?}: too long: {}",
            r.stderr
        );
    }
    assert!(!d.join("c.zip").exists());
}

#[test]
fn random_corruption_never_panics_and_never_passes_with_changed_content() {
    let d = Dir::new();
    let (bundle, _) = sample(&d);
    let orig = std::fs::read(&bundle).unwrap();
    // Deterministic xorshift so a failure can be reproduced.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let t = d.join("r.zip");
    for round in 0..400 {
        let mut b = orig.clone();
        let flips = 1 + (next() % 4) as usize;
        for _ in 0..flips {
            let pos = (next() % b.len() as u64) as usize;
            b[pos] = (next() & 0xFF) as u8;
        }
        if round % 10 == 0 {
            b.truncate((next() % b.len() as u64) as usize);
        }
        if b == orig {
            continue;
        }
        std::fs::write(&t, &b).unwrap();
        let r = d.sigillo(&["verify", "r.zip"]);
        // Container bytes that carry no sealed content (version fields, timestamps,
        // attributes) may change; then the members must still be exactly the same.
        let same_content = r.code == 0
            && std::panic::catch_unwind(|| read_zip(&t))
                .map(|m| m == read_zip(&bundle))
                .unwrap_or(false);
        assert!(
            r.code == 1 || r.code == 2 || same_content,
            "round {round}: corrupted bundle gave exit {}: {}",
            r.code,
            r.all()
        );
    }
}

#[test]
fn extract_writes_a_checked_working_copy_and_refuses_to_overwrite() {
    let d = Dir::new();
    let (bundle, _) = sample(&d);
    d.sigillo(&["extract", "case.zip", "-d", "work"])
        .assert_exit(0);
    Tool::Sha256sum
        .run(&d.join("work"), &["--strict", "-c", "SHA256SUMS"])
        .assert_exit(0);
    let r = d.sigillo(&["extract", "case.zip", "-d", "work"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("not empty"));
    d.sigillo(&["extract", "case.zip", "-d", "one", "--item", "2"])
        .assert_exit(0);
    assert!(
        d.join("one/items/0002-files-later-txt/original/later.txt")
            .is_file()
    );
    assert!(!d.join("one/items/0001-files-ev").exists());
    // A bundle that does not verify is not extracted.
    let mut m = read_zip(&bundle);
    m[0].1.push(b'x');
    write_zip(&d.join("bad.zip"), &m);
    d.sigillo(&["extract", "bad.zip", "-d", "bad"])
        .assert_exit(1);
    assert!(!d.join("bad").exists());
}
