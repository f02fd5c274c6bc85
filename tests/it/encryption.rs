//! Encrypted bundles (`--encrypt-to`): the content is unreadable in the bundle's bytes,
//! the stock `age` CLI decrypts every member, and verification, hash lists and custody
//! work without the identity; with it, plaintext hashes are checked and files extracted.
//! No plaintext reaches the temporary directory.

use std::path::Path;

use serde_json::Value;

use crate::tool::{Tool, unzip};
use crate::util::{Dir, Run, read_zip, sample};

/// Words that must not be readable anywhere in an encrypted bundle.
const SECRETS: [&str; 4] = ["Giulia", "intimate-marker-9f3", "Marco", "whatsapp-export"];

/// A new age identity in `dir/name` (mode 0600); returns its recipient.
fn identity(d: &Dir, name: &str) -> String {
    let r = Tool::AgeKeygen.run(d.path(), &["-o", name]);
    assert_eq!(r.code, 0, "{}", r.all());
    set_mode(&d.join(name), 0o600);
    let r = Tool::AgeKeygen.run(d.path(), &["-y", name]);
    r.stdout.trim().to_string()
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `sigillo ARGS` with TMPDIR set to `tmp` (which must stay empty).
fn run_in(d: &Dir, tmp: &Path, args: &[&str]) -> Run {
    d.command()
        .env("TMPDIR", tmp.to_str().unwrap())
        .args(args)
        .run()
}

#[track_caller]
fn assert_no_secret(what: &str, bytes: &[u8]) {
    for s in SECRETS {
        assert!(
            !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
            "{what} shows '{s}'"
        );
    }
}

#[test]
fn encrypted_bundles_hide_the_content_and_verify_without_the_identity() {
    let d = Dir::new();
    let tmp = d.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    d.key("op.pem", "Avv. Rossi");
    let r1 = identity(&d, "lawyer.txt");
    let r2 = identity(&d, "court.txt");
    d.copy(&sample("files/shared-image-1.png"), "IMG_Giulia.png");
    d.write("diary-Giulia.txt", "intimate-marker-9f3: what happened");
    d.copy(&sample("chat/whatsapp-export.zip"), "whatsapp-export.zip");

    run_in(
        &d,
        &tmp,
        &[
            "add",
            "IMG_Giulia.png",
            "diary-Giulia.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--encrypt-to",
            &r1,
            "--encrypt-to",
            &r2,
        ],
    )
    .assert_exit(0);
    // Appending keeps the bundle's recipients; a chat export is encrypted too.
    run_in(
        &d,
        &tmp,
        &[
            "add",
            "whatsapp-export.zip",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
        ],
    )
    .assert_exit(0);

    // Nothing of the content, the names or the chat's participants is readable, even
    // with every member inflated.
    let members = read_zip(&d.join("case.zip"));
    for (name, bytes) in &members {
        assert_no_secret(name, name.as_bytes());
        assert_no_secret(name, bytes);
    }
    assert_no_secret("the bundle file", &d.read("case.zip"));
    let age_members: Vec<&(String, Vec<u8>)> = members
        .iter()
        .filter(|(n, _)| n.ends_with(".age"))
        .collect();
    assert!(
        age_members.len() >= 5,
        "{:?}",
        members.iter().map(|m| &m.0).collect::<Vec<_>>()
    );

    // Without the identity: everything but the plaintext is checked, and said so.
    let r = run_in(&d, &tmp, &["verify", "case.zip"]);
    r.assert_exit(0);
    assert!(r.stdout.contains("content not decrypted"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&r1) && r.stdout.contains(&r2),
        "{}",
        r.stdout
    );
    let v: Value = run_in(&d, &tmp, &["verify", "case.zip", "--json"]).json();
    assert_eq!(v["verdict"], "verified");
    assert_eq!(v["encryption"]["items"], 2);
    assert_eq!(v["encryption"]["decrypted_files"], 0);
    let files = v["encryption"]["files"].as_u64().unwrap();

    // With it: every plaintext SHA-256 is checked.
    let v: Value = run_in(
        &d,
        &tmp,
        &["verify", "case.zip", "--identity", "court.txt", "--json"],
    )
    .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    assert_eq!(v["encryption"]["decrypted_files"], files);

    // Stock tools: sha256sum over the stored members, age over each one.
    unzip(&d.join("case.zip"), &d.join("x"));
    let o = Tool::Sha256sum.run(&d.join("x"), &["-c", "--quiet", "SHA256SUMS"]);
    assert_eq!(o.code, 0, "{}", o.all());
    let manifest = members
        .iter()
        .find(|(n, _)| n.starts_with("items/0001-") && n.ends_with("/manifest.json"))
        .unwrap();
    let m: Value = serde_json::from_slice(&manifest.1).unwrap();
    let dir = manifest.0.trim_end_matches("manifest.json");
    for f in m["files"].as_array().unwrap() {
        let member = format!("x/{dir}{}", f["encrypted"]["path"].as_str().unwrap());
        let o = Tool::Age.run(
            d.path(),
            &["-d", "-i", "lawyer.txt", "-o", "plain.bin", &member],
        );
        assert_eq!(o.code, 0, "{}", o.all());
        let plain = d.read("plain.bin");
        assert_eq!(
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&plain)),
            f["sha256"].as_str().unwrap()
        );
        std::fs::remove_file(d.join("plain.bin")).unwrap();
    }
    // The private part names the real files.
    let o = Tool::Age.run(
        d.path(),
        &[
            "-d",
            "-i",
            "lawyer.txt",
            &format!("x/{dir}derived/private.json.age"),
        ],
    );
    let private: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(private["format"], "sigillo-private/1");
    let names: Vec<&str> = private["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"original/IMG_Giulia.png"), "{names:?}");

    // Hash lists and listings work without the identity (plaintext hashes, PDQ).
    let r = run_in(&d, &tmp, &["hashes", "case.zip", "--format", "csv"]);
    r.assert_exit(0);
    let png = d.read("IMG_Giulia.png");
    let png_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&png));
    assert!(r.stdout.contains(&png_sha), "{}", r.stdout);
    run_in(&d, &tmp, &["ls", "case.zip"]).assert_exit(0);
    run_in(
        &d,
        &tmp,
        &[
            "custody", "add", "case.zip", "--action", "verified", "--key", "op.pem",
        ],
    )
    .assert_exit(0);

    // Extract and report with media need the identity.
    let r = run_in(&d, &tmp, &["extract", "case.zip", "-d", "work"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("encrypted"), "{}", r.stderr);
    let r = run_in(
        &d,
        &tmp,
        &["report", "case.zip", "-o", "r.html", "--show-media"],
    );
    r.assert_exit(2);
    run_in(&d, &tmp, &["report", "case.zip", "-o", "r.html"]).assert_exit(0);
    assert_no_secret("the report", &d.read("r.html"));
    assert!(d.read_string("r.html").contains(&r1));
    run_in(
        &d,
        &tmp,
        &[
            "report",
            "case.zip",
            "-o",
            "media.html",
            "--show-media",
            "--identity",
            "court.txt",
        ],
    )
    .assert_exit(0);
    assert!(
        d.read_string("media.html")
            .contains("data:image/png;base64,")
    );
    run_in(
        &d,
        &tmp,
        &[
            "extract",
            "case.zip",
            "-d",
            "work",
            "--identity",
            "court.txt",
        ],
    )
    .assert_exit(0);
    let extracted = format!("work/{dir}original/0001.png");
    assert_eq!(d.read(&extracted), png);

    // Nothing was left in the temporary directory by any command.
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "TMPDIR holds {left:?}");
}

#[test]
fn recipients_and_identities_are_checked() {
    let d = Dir::new();
    d.key("op.pem", "Avv. Rossi");
    let r1 = identity(&d, "id1.txt");
    let r2 = identity(&d, "id2.txt");
    d.write("a.txt", "intimate-marker-9f3");
    d.write("recipients.txt", format!("# the lawyer\n{r1}\n"));
    d.add(&[
        "a.txt",
        "-o",
        "case.zip",
        "--key",
        "op.pem",
        "--encrypt-to-file",
        "recipients.txt",
    ]);
    // Other recipients for the same bundle: refused.
    let r = d.sigillo(&[
        "add",
        "a.txt",
        "-o",
        "case.zip",
        "--key",
        "op.pem",
        "--encrypt-to",
        &r2,
    ]);
    r.assert_exit(2);
    assert!(r.stderr.contains("other recipients"), "{}", r.stderr);
    // Encrypting new items of a plain bundle: refused.
    d.add(&["a.txt", "-o", "plain.zip", "--key", "op.pem"]);
    let r = d.sigillo(&[
        "add",
        "a.txt",
        "-o",
        "plain.zip",
        "--key",
        "op.pem",
        "--encrypt-to",
        &r1,
    ]);
    r.assert_exit(2);
    assert!(r.stderr.contains("not encrypted"), "{}", r.stderr);
    // Not a recipient: refused with the fix.
    let r = d.sigillo(&[
        "add",
        "a.txt",
        "-o",
        "n.zip",
        "--key",
        "op.pem",
        "--encrypt-to",
        "bob",
    ]);
    r.assert_exit(2);
    assert!(r.stderr.contains("age-keygen"), "{}", r.stderr);

    // An identity others can read is refused.
    set_mode(&d.join("id1.txt"), 0o644);
    let r = d.sigillo(&["verify", "case.zip", "--identity", "id1.txt"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
    set_mode(&d.join("id1.txt"), 0o600);
    // The wrong identity cannot decrypt: a failure, named.
    let r = d.sigillo(&["verify", "case.zip", "--identity", "id2.txt"]);
    r.assert_exit(1);
    assert!(r.stdout.contains("cannot be decrypted"), "{}", r.stdout);
    d.command()
        .env("SIGILLO_IDENTITY", d.join("id1.txt").to_str().unwrap())
        .args(&["verify", "case.zip"])
        .assert_exit(0);

    // A plain name that leads out of the item (it names no member, so only the
    // manifest check can catch it): named, and nothing is extracted.
    let mut members = read_zip(&d.join("case.zip"));
    let m = members
        .iter_mut()
        .find(|(n, _)| n.ends_with("/manifest.json"))
        .unwrap();
    let mut v: Value = serde_json::from_slice(&m.1).unwrap();
    v["files"][0]["path"] = Value::from("../../../escaped.txt");
    m.1 = serde_jcs::to_vec(&v).unwrap();
    crate::util::write_zip(&d.join("escape.zip"), &members);
    let r = d.sigillo(&["verify", "escape.zip", "--identity", "id1.txt"]);
    r.assert_exit(1);
    assert!(r.stdout.contains("names a file unsafely"), "{}", r.stdout);
    let r = d.sigillo(&[
        "extract",
        "escape.zip",
        "-d",
        "out",
        "--identity",
        "id1.txt",
    ]);
    assert_ne!(r.code, 0);
    assert!(
        !d.join("escaped.txt").exists() && !d.path().parent().unwrap().join("escaped.txt").exists()
    );

    // A changed byte in an encrypted member: its stored hash no longer matches.
    let mut members = read_zip(&d.join("case.zip"));
    let m = members
        .iter_mut()
        .find(|(n, _)| n.ends_with("0001.txt.age"))
        .unwrap();
    let at = m.1.len() - 5;
    m.1[at] ^= 1;
    let name = m.0.clone();
    crate::util::write_zip(&d.join("bad.zip"), &members);
    let r = d.sigillo(&["verify", "bad.zip"]);
    r.assert_exit(1);
    assert!(r.stdout.contains(&name), "{}", r.stdout);
}

/// A web capture encrypted to its recipient: the page's text, DOM, screenshots and WARC
/// are age files; the URL stays visible; verify with the identity checks every plaintext.
#[test]
fn a_web_capture_is_encrypted_too() {
    let srv = crate::support::web_server::start_http();
    let d = Dir::new();
    let tmp = d.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    d.key("op.pem", "Avv. Rossi");
    let r1 = identity(&d, "id.txt");
    let url = format!("{}/page", srv.base);
    run_in(
        &d,
        &tmp,
        &[
            "capture",
            &url,
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--quiet",
            "--timeout",
            "30s",
            "--encrypt-to",
            &r1,
        ],
    )
    .assert_exit(0);
    let members = read_zip(&d.join("case.zip"));
    for (name, bytes) in &members {
        for secret in [
            "Visible text of the post",
            "Harassment post",
            "Evidence test page",
        ] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{name} shows '{secret}'"
            );
        }
    }
    let manifest = members
        .iter()
        .find(|(n, _)| n.ends_with("/manifest.json"))
        .unwrap();
    let m: Value = serde_json::from_slice(&manifest.1).unwrap();
    assert_eq!(m["input"]["url"], url.as_str(), "the URL stays visible");
    assert!(m["files"].as_array().unwrap().len() > 5);
    let v: Value = run_in(
        &d,
        &tmp,
        &["verify", "case.zip", "--identity", "id.txt", "--json"],
    )
    .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    assert_eq!(v["encryption"]["decrypted_files"], v["encryption"]["files"]);
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "TMPDIR holds {left:?}");
}

/// `sigillo encrypt` turns a plain bundle into an encrypted copy whose sealed manifests,
/// signatures and custody stay as they were; `sigillo decrypt` makes a working copy back.
/// Both verify, the stock tools agree, and tampering with a converted member is caught.
#[test]
fn a_plain_bundle_converts_to_encrypted_and_back() {
    let d = Dir::new();
    let tmp = d.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    d.key("op.pem", "Avv. Rossi");
    let r1 = identity(&d, "lawyer.txt");
    let r2 = identity(&d, "court.txt");
    d.copy(&sample("files/shared-image-1.png"), "photo.png");
    d.write("diary.txt", "intimate-marker-9f3: what happened");
    run_in(
        &d,
        &tmp,
        &[
            "add",
            "photo.png",
            "diary.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
        ],
    )
    .assert_exit(0);
    let before = d.read("case.zip");

    let r = run_in(
        &d,
        &tmp,
        &[
            "encrypt",
            "case.zip",
            "--encrypt-to",
            &r1,
            "-o",
            "enc.zip",
            "--key",
            "op.pem",
            "--json",
        ],
    );
    r.assert_exit(0);
    let out: Value = r.json();
    assert_eq!(out["files"], 2);
    assert_eq!(out["action"], "encrypted");
    assert_eq!(
        d.read("case.zip"),
        before,
        "the original bundle is unchanged"
    );

    // The content is unreadable; the manifest is the one sealed, byte for byte.
    let members = read_zip(&d.join("enc.zip"));
    for (name, bytes) in &members {
        assert!(
            !bytes.windows(19).any(|w| w == b"intimate-marker-9f3"),
            "{name} shows the content"
        );
    }
    let manifest = |zip: &str| {
        read_zip(&d.join(zip))
            .into_iter()
            .find(|(n, _)| n.ends_with("/manifest.json"))
            .unwrap()
    };
    assert_eq!(manifest("enc.zip"), manifest("case.zip"));
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.iter().any(|n| n.ends_with("original/diary.txt.age"))
            && !names.iter().any(|n| n.ends_with("original/diary.txt")),
        "{names:?}"
    );

    // Without the identity: verified, and said plainly what was not checked.
    let r = run_in(&d, &tmp, &["verify", "enc.zip"]);
    r.assert_exit(0);
    assert!(r.stdout.contains("content not decrypted"), "{}", r.stdout);
    assert!(r.stdout.contains("encrypted after sealing"), "{}", r.stdout);
    assert!(r.stdout.contains(&r1), "{}", r.stdout);
    let v: Value = run_in(
        &d,
        &tmp,
        &["verify", "enc.zip", "--identity", "lawyer.txt", "--json"],
    )
    .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    assert_eq!(v["encryption"]["items"], 1);
    assert_eq!(v["encryption"]["decrypted_files"], 2);
    let r = run_in(&d, &tmp, &["custody", "show", "enc.zip"]);
    assert!(r.stdout.contains("encrypted"), "{}", r.stdout);

    // Stock tools: sha256sum over the stored members, age over the converted one, and
    // the plaintext hash is the one the manifest signed.
    unzip(&d.join("enc.zip"), &d.join("x"));
    let o = Tool::Sha256sum.run(&d.join("x"), &["-c", "--quiet", "SHA256SUMS"]);
    assert_eq!(o.code, 0, "{}", o.all());
    let (mname, mbytes) = manifest("enc.zip");
    let dir = mname.trim_end_matches("manifest.json").to_string();
    let age_member = format!("x/{dir}original/diary.txt.age");
    let o = Tool::Age.run(d.path(), &["-d", "-i", "lawyer.txt", &age_member]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert_eq!(o.stdout, "intimate-marker-9f3: what happened");
    let m: Value = serde_json::from_slice(&mbytes).unwrap();
    let diary = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "original/diary.txt")
        .unwrap();
    assert_eq!(
        diary["sha256"].as_str().unwrap(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            b"intimate-marker-9f3: what happened"
        ))
    );

    // A member re-encrypted by someone who can encrypt to the recipients (same
    // plaintext, other bytes) no longer matches the custody entry that lists it.
    let o = Tool::Age.run(d.path(), &["-r", &r1, "-o", "forged.age", "diary.txt"]);
    assert_eq!(o.code, 0, "{}", o.all());
    let forged = d.read("forged.age");
    let swapped: Vec<(String, Vec<u8>)> = members
        .iter()
        .map(|(n, b)| {
            if n.ends_with("original/diary.txt.age") {
                (n.clone(), forged.clone())
            } else {
                (n.clone(), b.clone())
            }
        })
        .collect();
    crate::util::write_zip(&d.join("forged.zip"), &swapped);
    let r = run_in(&d, &tmp, &["verify", "forged.zip"]);
    r.assert_exit(1);
    assert!(
        r.stdout.contains("original/diary.txt.age")
            && r.stdout
                .contains("the encrypted entry at custody.jsonl line 3 says"),
        "{}",
        r.stdout
    );

    // Refusals: already encrypted, not encrypted, an existing output, no identity.
    let r = run_in(
        &d,
        &tmp,
        &[
            "encrypt",
            "enc.zip",
            "--encrypt-to",
            &r2,
            "-o",
            "again.zip",
            "--key",
            "op.pem",
        ],
    );
    r.assert_exit(2);
    assert!(r.stderr.contains("already encrypted"), "{}", r.stderr);
    let r = run_in(
        &d,
        &tmp,
        &[
            "decrypt",
            "case.zip",
            "--identity",
            "lawyer.txt",
            "-o",
            "c.zip",
            "--key",
            "op.pem",
        ],
    );
    r.assert_exit(2);
    assert!(r.stderr.contains("not encrypted"), "{}", r.stderr);
    let r = run_in(
        &d,
        &tmp,
        &[
            "encrypt",
            "case.zip",
            "--encrypt-to",
            &r2,
            "-o",
            "enc.zip",
            "--key",
            "op.pem",
        ],
    );
    r.assert_exit(2);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    let r = run_in(
        &d,
        &tmp,
        &["decrypt", "enc.zip", "-o", "c.zip", "--key", "op.pem"],
    );
    r.assert_exit(2);
    assert!(r.stderr.contains("--identity"), "{}", r.stderr);
    let r = run_in(
        &d,
        &tmp,
        &[
            "decrypt",
            "enc.zip",
            "--identity",
            "court.txt",
            "-o",
            "c.zip",
            "--key",
            "op.pem",
        ],
    );
    r.assert_exit(2);
    assert!(
        !d.join("c.zip").exists(),
        "nothing is written with the wrong identity"
    );

    // The working copy: plaintext back under the sealed names, verified.
    run_in(
        &d,
        &tmp,
        &[
            "decrypt",
            "enc.zip",
            "--identity",
            "lawyer.txt",
            "-o",
            "copy.zip",
            "--key",
            "op.pem",
        ],
    )
    .assert_exit(0);
    let r = run_in(&d, &tmp, &["verify", "copy.zip"]);
    r.assert_exit(0);
    assert!(r.stdout.contains("decrypted working copy"), "{}", r.stdout);
    assert_eq!(
        crate::util::member(&d.join("copy.zip"), "original/diary.txt"),
        b"intimate-marker-9f3: what happened"
    );

    // Appending to the encrypted copy encrypts the new item to the same recipient.
    d.write("more.txt", "intimate-marker-9f3 again");
    run_in(
        &d,
        &tmp,
        &["add", "more.txt", "-o", "enc.zip", "--key", "op.pem"],
    )
    .assert_exit(0);
    let v: Value = run_in(
        &d,
        &tmp,
        &["verify", "enc.zip", "--identity", "lawyer.txt", "--json"],
    )
    .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    assert_eq!(v["encryption"]["items"], 2);

    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "TMPDIR holds {left:?}");
}

/// A bundle encrypted at acquisition decrypts to a working copy that verifies, and that
/// copy can be encrypted again to someone else.
#[test]
fn a_bundle_encrypted_when_sealed_decrypts_and_reencrypts() {
    let d = Dir::new();
    d.key("op.pem", "Avv. Rossi");
    let r1 = identity(&d, "lawyer.txt");
    let r2 = identity(&d, "court.txt");
    d.write("diary-Giulia.txt", "intimate-marker-9f3");
    d.sigillo(&[
        "add",
        "diary-Giulia.txt",
        "-o",
        "case.zip",
        "--key",
        "op.pem",
        "--encrypt-to",
        &r1,
    ])
    .assert_exit(0);
    d.sigillo(&[
        "decrypt",
        "case.zip",
        "--identity",
        "lawyer.txt",
        "-o",
        "copy.zip",
        "--key",
        "op.pem",
    ])
    .assert_exit(0);
    let r = d.sigillo(&["verify", "copy.zip"]);
    r.assert_exit(0);
    assert!(r.stdout.contains("decrypted working copy"), "{}", r.stdout);
    // Public names; the private part, decrypted too, maps them to the real ones.
    let members = read_zip(&d.join("copy.zip"));
    assert!(
        members
            .iter()
            .any(|(n, b)| n.ends_with("original/0001.txt") && b == b"intimate-marker-9f3")
    );
    assert!(
        members
            .iter()
            .any(|(n, b)| n.ends_with("derived/private.json")
                && b.windows(16).any(|w| w == b"diary-Giulia.txt"))
    );

    d.sigillo(&[
        "encrypt",
        "copy.zip",
        "--encrypt-to",
        &r2,
        "-o",
        "for-court.zip",
        "--key",
        "op.pem",
    ])
    .assert_exit(0);
    let v: Value = d
        .sigillo(&[
            "verify",
            "for-court.zip",
            "--identity",
            "court.txt",
            "--json",
        ])
        .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    assert_eq!(v["encryption"]["decrypted_files"], 2);
    // The first recipient's key does not open the copy made for the court.
    let r = d.sigillo(&["verify", "for-court.zip", "--identity", "lawyer.txt"]);
    r.assert_exit(1);
    assert!(r.stdout.contains("cannot be decrypted"), "{}", r.stdout);
}

/// `--encrypt-passphrase`: one passphrase opens the bundle, in sigillo (`--passphrase`)
/// and in the stock `age` CLI (the passphrase-encrypted identity in the manifest); a wrong
/// passphrase opens nothing.
#[test]
fn a_passphrase_opens_the_bundle() {
    const PASS: &str = "correct horse battery staple";
    let d = Dir::new();
    d.key("op.pem", "Avv. Rossi");
    d.write("diary.txt", "intimate-marker-9f3");
    let with = |pass: &str, args: &[&str]| {
        d.command()
            .env("SIGILLO_ENCRYPT_PASSPHRASE", pass)
            .args(args)
            .run()
    };
    let r = with(
        "short",
        &[
            "add",
            "diary.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--encrypt-passphrase",
        ],
    );
    r.assert_exit(2);
    assert!(r.stderr.contains("too short"), "{}", r.stderr);
    assert!(!d.join("case.zip").exists());
    with(
        PASS,
        &[
            "add",
            "diary.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--encrypt-passphrase",
        ],
    )
    .assert_exit(0);
    for (name, bytes) in read_zip(&d.join("case.zip")) {
        assert!(
            !bytes.windows(19).any(|w| w == b"intimate-marker-9f3"),
            "{name} shows the content"
        );
    }
    // Appending keeps the passphrase (no need to give it again).
    d.write("more.txt", "intimate-marker-9f3 too");
    d.sigillo(&["add", "more.txt", "-o", "case.zip", "--key", "op.pem"])
        .assert_exit(0);

    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
    let v: Value = with(PASS, &["verify", "case.zip", "--passphrase", "--json"]).json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    assert_eq!(v["encryption"]["items"], 2);
    assert_eq!(v["encryption"]["decrypted_files"], 4);
    let r = with(
        "wrong horse battery staple",
        &["verify", "case.zip", "--passphrase"],
    );
    r.assert_exit(2);
    assert!(
        r.stderr.contains("passphrase does not open"),
        "{}",
        r.stderr
    );
    with(PASS, &["extract", "case.zip", "-d", "work", "--passphrase"]).assert_exit(0);

    // The stock age CLI: the identity in the manifest, opened with the passphrase typed
    // at the terminal (age reads it from a tty: `script` gives it one).
    let members = read_zip(&d.join("case.zip"));
    let (mname, mbytes) = members
        .iter()
        .find(|(n, _)| n.starts_with("items/0001-") && n.ends_with("/manifest.json"))
        .unwrap();
    let m: Value = serde_json::from_slice(mbytes).unwrap();
    d.write(
        "id.age",
        m["encryption"]["passphrase_identity"].as_str().unwrap(),
    );
    let dir = mname.trim_end_matches("manifest.json");
    let (_, cipher) = members
        .iter()
        .find(|(n, _)| n.starts_with(dir) && n.ends_with("original/0001.txt.age"))
        .unwrap();
    d.write("0001.txt.age", cipher);
    let out = std::process::Command::new("script")
        .args([
            "-qec",
            "age -d -i id.age -o plain.txt 0001.txt.age",
            "/dev/null",
        ])
        .current_dir(d.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            // age asks once for the identity file's passphrase.
            std::thread::sleep(std::time::Duration::from_millis(500));
            c.stdin
                .take()
                .unwrap()
                .write_all(format!("{PASS}\n").as_bytes())?;
            c.wait_with_output()
        })
        .expect("script (util-linux) runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(d.read("plain.txt"), b"intimate-marker-9f3");
}
