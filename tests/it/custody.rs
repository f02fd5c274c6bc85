//! Chain of custody through the real binary: a lawyer, an investigator and an
//! expert hand a bundle on; then every rewrite of the log must be caught.

use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::Value;

use crate::util::*;

/// `sigillo ARGS` in `d`, asserted to succeed.
fn ok(d: &Dir, args: &[&str]) -> Run {
    d.command().args(args).assert_exit(0)
}

/// The three-person scenario; returns the bundle path.
fn scenario(d: &Dir) -> PathBuf {
    d.key("lawyer.pem", "Avv. Maria Rossi");
    d.key("inv.pem", "Isp. Luca Bianchi");
    d.key("expert.pem", "Dott.ssa Anna Verdi");
    d.write("screenshot.png", b"\x89PNG fake but sealed as is");
    d.write("analysis.txt", b"expert analysis");
    ok(
        d,
        &[
            "add",
            "screenshot.png",
            "-o",
            "case.zip",
            "--case",
            "RG-123/2026",
            "--key",
            "lawyer.pem",
            "--role",
            "lawyer",
        ],
    );
    ok(
        d,
        &[
            "custody",
            "add",
            "case.zip",
            "--action",
            "transferred",
            "--to",
            "Isp. Luca Bianchi, Polizia Postale",
            "--key",
            "lawyer.pem",
            "--role",
            "lawyer",
        ],
    );
    ok(
        d,
        &[
            "custody",
            "add",
            "case.zip",
            "--action",
            "received",
            "--from",
            "Avv. Maria Rossi",
            "--key",
            "inv.pem",
            "--organisation",
            "Polizia Postale",
        ],
    );
    ok(
        d,
        &[
            "custody", "add", "case.zip", "--action", "verified", "--key", "inv.pem",
        ],
    );
    ok(
        d,
        &[
            "custody",
            "add",
            "case.zip",
            "--action",
            "note",
            "--note",
            "copied to case file",
            "--key",
            "inv.pem",
        ],
    );
    ok(
        d,
        &[
            "add",
            "analysis.txt",
            "-o",
            "case.zip",
            "--key",
            "expert.pem",
            "--role",
            "expert",
        ],
    );
    d.join("case.zip")
}

#[test]
fn three_people_hand_over_and_everyone_can_see_the_history() {
    let d = Dir::new();
    let _ = scenario(&d);
    let r = ok(
        &d,
        &[
            "verify",
            "case.zip",
            "--trust",
            "lawyer.pem.pub",
            "--trust",
            "inv.pem.pub",
            "--trust",
            "expert.pem.pub",
        ],
    );
    assert!(r.stdout.contains("VERIFIED"));
    assert_eq!(r.stdout.matches("(trusted)").count(), 3, "{}", r.stdout);
    // Only the lawyer pinned: the others are flagged, verification still passes.
    let r = ok(&d, &["verify", "case.zip", "--trust", "lawyer.pem.pub"]);
    assert_eq!(r.stdout.matches("NOT TRUSTED").count(), 2, "{}", r.stdout);
    // Trust file with fingerprints and names.
    let fpr = d.fingerprint("inv.pem.pub");
    d.write("trust.txt", format!("# who we trust\n{fpr} Isp. Bianchi\n"));
    let r = ok(&d, &["verify", "case.zip", "--trust-file", "trust.txt"]);
    assert_eq!(r.stdout.matches("(trusted)").count(), 1);
    // Timeline.
    let r = ok(&d, &["custody", "show", "case.zip"]);
    for w in [
        "created",
        "item-added",
        "transferred",
        "received",
        "verified",
        "note",
        "Avv. Maria Rossi",
        "Isp. Luca Bianchi",
        "Dott.ssa Anna Verdi",
        "valid",
    ] {
        assert!(r.stdout.contains(w), "missing {w} in:\n{}", r.stdout);
    }
    let v: Vec<Value> = ok(&d, &["custody", "show", "case.zip", "--json"]).json();
    let actions: Vec<&str> = v.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "created",
            "item-added",
            "transferred",
            "received",
            "verified",
            "note",
            "item-added"
        ]
    );
    assert_eq!(v[4]["details"]["verdict"], "verified");
    // Transfers need a recipient.
    let r = d.sigillo(&[
        "custody",
        "add",
        "case.zip",
        "--action",
        "transferred",
        "--key",
        "inv.pem",
    ]);
    r.assert_exit(2);
    assert!(r.stderr.contains("--to"));
}

/// The Ed25519 signing key in a PKCS#8 PEM file written by `sigillo key new`.
fn signing_key(path: &Path) -> ed25519_dalek::SigningKey {
    use ed25519_dalek::pkcs8::DecodePrivateKey;
    let text = std::fs::read_to_string(path).unwrap();
    let kp = ed25519_dalek::pkcs8::KeypairBytes::from_pkcs8_pem(text.trim()).unwrap();
    ed25519_dalek::SigningKey::from_bytes(&kp.secret_key)
}

/// Re-sign SHA256SUMS as an insider holding the last custodian's key would, so the
/// custody checks themselves must catch the rewrite.
fn reseal(members: &mut [(String, Vec<u8>)], last_key: &Path) {
    use ed25519_dalek::Signer;
    let mut sums = String::new();
    for (n, b) in members.iter() {
        if n != "SHA256SUMS" && n != "SHA256SUMS.sig" {
            use sha2::Digest;
            sums.push_str(&format!("{}  {n}\n", hex::encode(sha2::Sha256::digest(b))));
        }
    }
    let sig = signing_key(last_key)
        .sign(sums.as_bytes())
        .to_bytes()
        .to_vec();
    for (n, b) in members.iter_mut() {
        if n == "SHA256SUMS" {
            *b = sums.clone().into_bytes();
        } else if n == "SHA256SUMS.sig" {
            *b = sig.clone();
        }
    }
}

/// Canonical JSON the way sigillo writes it.
fn canon(v: &Value) -> Vec<u8> {
    serde_jcs::to_vec(v).unwrap()
}

fn sign_entry(mut e: Value, key: &Path) -> Vec<u8> {
    use ed25519_dalek::Signer;
    let sk = signing_key(key);
    e.as_object_mut().unwrap().remove("signature");
    let sig = sk.sign(&canon(&e)).to_bytes();
    e["signature"] = Value::String(base64::engine::general_purpose::STANDARD.encode(sig));
    canon(&e)
}

#[test]
fn every_rewrite_of_the_log_is_caught() {
    let d = Dir::new();
    let bundle = scenario(&d);
    let orig = read_zip(&bundle);
    let ci = orig.iter().position(|(n, _)| n == "custody.jsonl").unwrap();
    let lines: Vec<Vec<u8>> = orig[ci]
        .1
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let parse = |l: &[u8]| serde_json::from_slice::<Value>(l).unwrap();
    let join = |ls: &[Vec<u8>]| {
        ls.iter()
            .flat_map(|l| l.iter().copied().chain([b'\n']))
            .collect::<Vec<u8>>()
    };
    let expert = d.join("expert.pem");
    let inv = d.join("inv.pem");
    type Rewrite = (&'static str, Vec<Vec<u8>>, &'static str);
    let mut cases: Vec<Rewrite> = Vec::new();
    // Truncate the last entry (the expert's item-added).
    cases.push((
        "truncate last entry",
        lines[..lines.len() - 1].to_vec(),
        "never recorded",
    ));
    // Truncate to a point before the last item.
    cases.push((
        "truncate three entries",
        lines[..lines.len() - 3].to_vec(),
        "",
    ));
    // Remove a middle entry.
    let mut l = lines.clone();
    l.remove(3);
    cases.push(("remove entry 4", l, "sequence"));
    // Swap two entries.
    let mut l = lines.clone();
    l.swap(2, 3);
    cases.push(("swap entries 3 and 4", l, ""));
    // Duplicate an entry.
    let mut l = lines.clone();
    l.insert(5, lines[4].clone());
    cases.push(("duplicate entry 5", l, ""));
    // Edit a field of each entry, without re-signing.
    for i in 0..lines.len() {
        for field in ["time", "note", "action", "actor"] {
            let mut e = parse(&lines[i]);
            match field {
                "time" => e["time"] = Value::String("2020-01-01T00:00:00.000Z".into()),
                "note" => e["note"] = Value::String("edited".into()),
                "action" => {
                    e["action"] = Value::String(if e["action"] == "note" {
                        "exported".into()
                    } else {
                        "note".into()
                    })
                }
                _ => e["actor"]["name"] = Value::String("Someone Else".into()),
            }
            let mut l = lines.clone();
            l[i] = canon(&e);
            cases.push(("edit a field", l, "signature"));
        }
    }
    // Re-sign an entry (edited) with a different key: the investigator claims the lawyer's transfer.
    let mut e = parse(&lines[2]);
    e["details"]["to"] = Value::String("Someone Else".into());
    e["actor"]["key"] = Value::String(d.fingerprint("inv.pem.pub"));
    let mut l = lines.clone();
    l[2] = sign_entry(e, &inv);
    cases.push(("re-sign entry 3 with another key", l, "broken link"));
    // Re-sign the item-added of the expert with the investigator's key (last entry: no next link).
    let mut e = parse(&lines[6]);
    e["actor"]["key"] = Value::String(d.fingerprint("inv.pem.pub"));
    let mut l = lines.clone();
    l[6] = sign_entry(e, &inv);
    cases.push((
        "re-sign the last item-added with another key",
        l,
        "re-signed",
    ));
    // Replace the recorded manifest hash (re-signed by the rightful expert key).
    let mut e = parse(&lines[6]);
    e["details"]["manifest_sha256"] = Value::String("00".repeat(32));
    let mut l = lines.clone();
    l[6] = sign_entry(e, &expert);
    cases.push(("change recorded manifest hash", l, "replaced"));
    // Time going far backwards (re-signed by the rightful key, links rebuilt).
    let mut e = parse(&lines[6]);
    e["time"] = Value::String("2001-01-01T00:00:00.000Z".into());
    let mut l = lines.clone();
    l[6] = sign_entry(e, &expert);
    cases.push(("time goes back", l, "goes back"));
    // Drop the final newline.
    let mut l = lines.clone();
    let last = l.len() - 1;
    l[last].push(b' ');
    cases.push(("trailing garbage", l, ""));

    let t = d.join("t.zip");
    let mut missed = Vec::new();
    for (what, ls, expect) in &cases {
        let mut m = orig.clone();
        m[ci].1 = join(ls);
        // The last custodian's key re-seals SHA256SUMS: only custody checks can catch it.
        let last: Value = serde_json::from_slice(ls.last().unwrap()).unwrap_or(Value::Null);
        let signer = if last["actor"]["name"] == "Isp. Luca Bianchi" {
            &inv
        } else {
            &expert
        };
        reseal(&mut m, signer);
        write_zip(&t, &m);
        let r = d.sigillo(&["verify", "t.zip"]);
        if r.code != 1 || !r.stdout.contains("custody") || !r.stdout.contains(expect) {
            missed.push(format!(
                "{what} → exit {}\n{}",
                r.code,
                r.stdout
                    .lines()
                    .filter(|l| l.contains("FAIL"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "custody rewrites not caught or not named:\n{}",
        missed.join("\n\n")
    );
    // The untouched bundle still passes.
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);
}
