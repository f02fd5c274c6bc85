//! Chain of custody through the real binary: a lawyer, an investigator and an
//! expert hand a bundle on; then every rewrite of the log must be caught.

mod common;

use std::path::Path;

use base64::Engine;
use common::*;
use serde_json::Value;

fn ok(dir: &Path, args: &[&str]) -> Run {
    let r = sigillo(dir, args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.all());
    r
}

/// The three-person scenario; returns the bundle path.
fn scenario(d: &Path) -> std::path::PathBuf {
    key(d, "lawyer.pem", "Avv. Maria Rossi");
    key(d, "inv.pem", "Isp. Luca Bianchi");
    key(d, "expert.pem", "Dott.ssa Anna Verdi");
    std::fs::write(d.join("screenshot.png"), b"\x89PNG fake but sealed as is").unwrap();
    std::fs::write(d.join("analysis.txt"), b"expert analysis").unwrap();
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
    let d = tempfile::tempdir().unwrap();
    let _ = scenario(d.path());
    let r = ok(
        d.path(),
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
    let r = ok(
        d.path(),
        &["verify", "case.zip", "--trust", "lawyer.pem.pub"],
    );
    assert_eq!(r.stdout.matches("NOT TRUSTED").count(), 2, "{}", r.stdout);
    // Trust file with fingerprints and names.
    let fpr = sigillo(d.path(), &["key", "show", "inv.pem.pub"])
        .stdout
        .lines()
        .next()
        .unwrap()
        .replace("fingerprint: ", "");
    std::fs::write(
        d.path().join("trust.txt"),
        format!("# who we trust\n{fpr} Isp. Bianchi\n"),
    )
    .unwrap();
    let r = ok(
        d.path(),
        &["verify", "case.zip", "--trust-file", "trust.txt"],
    );
    assert_eq!(r.stdout.matches("(trusted)").count(), 1);
    // Timeline.
    let r = ok(d.path(), &["custody", "show", "case.zip"]);
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
    let r = ok(d.path(), &["custody", "show", "case.zip", "--json"]);
    let v: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
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
    let r = sigillo(
        d.path(),
        &[
            "custody",
            "add",
            "case.zip",
            "--action",
            "transferred",
            "--key",
            "inv.pem",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--to"));
}

/// Re-sign SHA256SUMS as an insider holding the last custodian's key would, so the
/// custody checks themselves must catch the rewrite.
fn reseal(members: &mut [(String, Vec<u8>)], last_key: &Path) {
    let mut sums = String::new();
    for (n, b) in members.iter() {
        if n != "SHA256SUMS" && n != "SHA256SUMS.sig" {
            use sha2::Digest;
            sums.push_str(&format!("{}  {n}\n", hex::encode(sha2::Sha256::digest(b))));
        }
    }
    let text = std::fs::read_to_string(last_key).unwrap();
    use ed25519_dalek::pkcs8::DecodePrivateKey;
    let kp = ed25519_dalek::pkcs8::KeypairBytes::from_pkcs8_pem(text.trim()).unwrap();
    let sk = ed25519_dalek::SigningKey::from_bytes(&kp.secret_key);
    use ed25519_dalek::Signer;
    let sig = sk.sign(sums.as_bytes()).to_bytes().to_vec();
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
    use ed25519_dalek::pkcs8::DecodePrivateKey;
    let text = std::fs::read_to_string(key).unwrap();
    let kp = ed25519_dalek::pkcs8::KeypairBytes::from_pkcs8_pem(text.trim()).unwrap();
    let sk = ed25519_dalek::SigningKey::from_bytes(&kp.secret_key);
    e.as_object_mut().unwrap().remove("signature");
    let sig = sk.sign(&canon(&e)).to_bytes();
    e["signature"] = Value::String(base64::engine::general_purpose::STANDARD.encode(sig));
    canon(&e)
}

#[test]
fn every_rewrite_of_the_log_is_caught() {
    let d = tempfile::tempdir().unwrap();
    let bundle = scenario(d.path());
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
    let expert = d.path().join("expert.pem");
    let inv = d.path().join("inv.pem");
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
    let fpr_inv = sigillo(d.path(), &["key", "show", "inv.pem.pub"])
        .stdout
        .lines()
        .next()
        .unwrap()
        .replace("fingerprint: ", "");
    e["actor"]["key"] = Value::String(fpr_inv);
    let mut l = lines.clone();
    l[2] = sign_entry(e, &inv);
    cases.push(("re-sign entry 3 with another key", l, "broken link"));
    // Re-sign the item-added of the expert with the investigator's key (last entry: no next link).
    let mut e = parse(&lines[6]);
    let fpr_inv = sigillo(d.path(), &["key", "show", "inv.pem.pub"])
        .stdout
        .lines()
        .next()
        .unwrap()
        .replace("fingerprint: ", "");
    e["actor"]["key"] = Value::String(fpr_inv);
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

    let t = d.path().join("t.zip");
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
        let r = sigillo(d.path(), &["verify", "t.zip"]);
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
    assert_eq!(sigillo(d.path(), &["verify", "case.zip"]).code, 0);
}
