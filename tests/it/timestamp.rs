//! RFC 3161 timestamps against a real TSA (OpenSSL on 127.0.0.1), both ways:
//! `openssl ts -verify` accepts what sigillo stored, and sigillo verifies tokens
//! OpenSSL made by hand. Then every way a token or a TSA can be wrong.

use std::time::Duration;

use sigillo::evidence::stamping::TsaEndpoint;
use sigillo::evidence::tsp::{self, TokenStatus, TrustAnchors, TsaRequestOptions};

use crate::support::tsa::{self, KeyType, Mode, TestTsa};
use crate::tool::{Tool, unzip};
use crate::util::*;

fn anchors(t: &TestTsa) -> TrustAnchors {
    TrustAnchors::from_pem_files(std::slice::from_ref(&t.ca_pem)).unwrap()
}

fn endpoint(url: &str) -> TsaEndpoint {
    TsaEndpoint::from_url(url).unwrap()
}

fn opts() -> TsaRequestOptions {
    TsaRequestOptions {
        timeout: Duration::from_secs(20),
    }
}

/// A folder with key `k.pem` (named `signer`) and the file `e.txt`.
fn keyed(signer: &str) -> Dir {
    let d = Dir::new();
    d.key("k.pem", signer);
    d.write("e.txt", "evidence");
    d
}

#[test]
fn sealed_items_carry_tokens_that_openssl_and_sigillo_verify() {
    let t = TestTsa::start(Mode::Normal);
    let d = keyed("Avv. Rossi");
    let r = d.add(&[
        "e.txt",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--tsa",
        &t.url,
        "--require-tsa",
    ]);
    assert!(r.stderr.contains("1 trusted timestamp"), "{}", r.stderr);
    let ca = t.ca_pem.to_str().unwrap();
    let r = d.sigillo(&["verify", "case.zip", "--tsa-ca", ca]);
    r.assert_exit(0);
    assert!(
        r.stdout.contains("trusted timestamp: genTime"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("policy 1.2.3.4.1"), "{}", r.stdout);
    // Without --tsa-ca the test TSA is not in the system store: reported, not failed.
    let r = d.sigillo(&["verify", "case.zip"]);
    r.assert_exit(0);
    assert!(
        r.stdout.contains("not in the system trust store"),
        "{}",
        r.stdout
    );
    // With an unrelated root given explicitly: failure.
    let other = Dir::new();
    tsa::make_pki(other.path(), KeyType::P256, "Other");
    let r = d.sigillo(&[
        "verify",
        "case.zip",
        "--tsa-ca",
        other.join("ca.pem").to_str().unwrap(),
    ]);
    r.assert_exit(1);
    assert!(
        r.stdout.contains("does not reach a --tsa-ca root"),
        "{}",
        r.stdout
    );
    // JSON carries genTime.
    let v: serde_json::Value = d
        .sigillo(&["verify", "case.zip", "--json", "--tsa-ca", ca])
        .json();
    assert!(
        v["timestamps"][0]["info"]["gen_time"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    // Stock OpenSSL accepts the stored token.
    let x = d.join("x");
    unzip(&d.join("case.zip"), &x);
    let item = std::fs::read_dir(x.join("items"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let r = Tool::Openssl.run(
        &x,
        &[
            "ts",
            "-verify",
            "-data",
            item.join("manifest.sig").to_str().unwrap(),
            "-in",
            item.join("manifest.tsr").to_str().unwrap(),
            "-CAfile",
            ca,
            "-untrusted",
            item.join("manifest.tsa.pem").to_str().unwrap(),
        ],
    );
    assert_eq!(
        r.code,
        0,
        "openssl ts -verify rejects our token: {}",
        r.all()
    );
    assert!(r.stdout.contains("Verification: OK"));
}

#[test]
fn tokens_made_by_openssl_by_hand_verify_and_mismatches_are_named() {
    let t = TestTsa::start(Mode::Normal);
    t.dir.write("data.bin", b"the signature bytes");
    let dir = t.dir.path();
    let run = |args: &[&str]| {
        let r = Tool::Openssl.run(dir, args);
        assert!(r.code == 0, "{}", r.stderr);
    };
    run(&[
        "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "hand.tsq",
    ]);
    run(&[
        "ts",
        "-reply",
        "-config",
        "tsa.cnf",
        "-queryfile",
        "hand.tsq",
        "-out",
        "hand.tsr",
    ]);
    run(&[
        "ts",
        "-reply",
        "-in",
        "hand.tsr",
        "-token_out",
        "-out",
        "hand.tok",
    ]);
    let tsr = std::fs::read(dir.join("hand.tsr")).unwrap();
    let v = tsp::verify_token(&tsr, b"the signature bytes", &anchors(&t));
    assert_eq!(v.status, TokenStatus::Trusted, "{:?}", v.status);
    let info = v.info.unwrap();
    assert_eq!(
        info.accuracy_ms,
        Some(1500),
        "millisecond accuracy must parse"
    );
    // A bare token (ContentInfo) works too.
    let tok = std::fs::read(dir.join("hand.tok")).unwrap();
    assert_eq!(
        tsp::verify_token(&tok, b"the signature bytes", &anchors(&t)).status,
        TokenStatus::Trusted
    );
    // Wrong data: the imprint is named.
    match tsp::verify_token(&tsr, b"other bytes", &anchors(&t)).status {
        TokenStatus::Invalid { reason } => assert!(reason.contains("imprint"), "{reason}"),
        s => panic!("{s:?}"),
    }
    // A token by a TSA under another root: untrusted, distinct from invalid.
    let other = TestTsa::start(Mode::Normal);
    match tsp::verify_token(&tsr, b"the signature bytes", &anchors(&other)).status {
        TokenStatus::Untrusted { .. } => {}
        s => panic!("{s:?}"),
    }
    // Tampered bytes anywhere in the token (it holds only the signer certificate,
    // so every byte is covered by a signature or a hash): never trusted.
    let mut caught = 0;
    for pos in (40..tsr.len()).step_by(37) {
        let mut b = tsr.clone();
        b[pos] ^= 0x20;
        if !matches!(
            tsp::verify_token(&b, b"the signature bytes", &anchors(&t)).status,
            TokenStatus::Trusted
        ) {
            caught += 1;
        } else {
            panic!("flipping byte {pos} of the token went unnoticed");
        }
    }
    assert!(caught > 10);
}

#[test]
fn rsa_tsa_round_trip() {
    let t = TestTsa::start_with(Mode::Normal, KeyType::Rsa);
    let tok = tsp::request_token(&endpoint(&t.url), b"sig", &opts()).unwrap();
    assert!(tok.chain_pem.contains("BEGIN CERTIFICATE"));
    assert_eq!(
        tsp::verify_token(&tok.tsr, b"sig", &anchors(&t)).status,
        TokenStatus::Trusted
    );
}

#[test]
fn bad_tsas_are_clear_errors() {
    for (mode, needle) in [
        (Mode::Reject, "refused"),
        (Mode::Garbage, "not an RFC 3161"),
        (Mode::OtherQuery, "imprint"),
    ] {
        let t = TestTsa::start(mode);
        let e = tsp::request_token(&endpoint(&t.url), b"sig", &opts()).unwrap_err();
        assert!(e.problem().contains(needle), "{mode:?}: {}", e.problem());
    }
    let t = TestTsa::start(Mode::Hang);
    let e = tsp::request_token(
        &endpoint(&t.url),
        b"sig",
        &TsaRequestOptions {
            timeout: Duration::from_secs(2),
        },
    )
    .unwrap_err();
    assert!(e.problem().contains("no answer"), "{}", e.problem());
    let e = tsp::request_token(&endpoint("http://127.0.0.1:9/"), b"sig", &opts()).unwrap_err();
    assert!(e.problem().contains("unreachable"), "{}", e.problem());
}

#[test]
fn failing_tsa_warns_or_with_require_tsa_writes_nothing() {
    let t = TestTsa::start(Mode::Garbage);
    let d = keyed("K");
    let r = d.sigillo(&[
        "add",
        "e.txt",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--tsa",
        &t.url,
        "--require-tsa",
    ]);
    r.assert_exit(2);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!d.join("case.zip").exists());
    let r = d.add(&["e.txt", "-o", "case.zip", "--key", "k.pem", "--tsa", &t.url]);
    assert!(r.stderr.contains("local clock only"), "{}", r.stderr);
    assert_eq!(d.sigillo(&["verify", "case.zip"]).code, 0);
}

#[test]
fn timestamp_command_and_custody_tokens() {
    let t = TestTsa::start(Mode::Normal);
    let d = keyed("K");
    d.add(&["e.txt", "-o", "case.zip", "--key", "k.pem"]);
    let r = d.sigillo(&["timestamp", "case.zip", "--tsa", &t.url, "--key", "k.pem"]);
    r.assert_exit(0);
    assert!(r.stderr.contains("timestamped 0001"), "{}", r.stderr);
    // Nothing left to stamp without --renew; --renew adds manifest.2.tsr.
    let r = d.sigillo(&["timestamp", "case.zip", "--tsa", &t.url, "--key", "k.pem"]);
    assert!(r.stderr.contains("already has a token"), "{}", r.stderr);
    d.sigillo(&[
        "timestamp",
        "case.zip",
        "--tsa",
        &t.url,
        "--key",
        "k.pem",
        "--renew",
    ])
    .assert_exit(0);
    d.sigillo(&[
        "custody", "add", "case.zip", "--action", "note", "--note", "n", "--key", "k.pem", "--tsa",
        &t.url,
    ])
    .assert_exit(0);
    let names: Vec<String> = d.zip("case.zip").into_iter().map(|(n, _)| n).collect();
    assert!(
        names.iter().any(|n| n.ends_with("/manifest.2.tsr")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("custody/") && n.ends_with(".tsr")),
        "{names:?}"
    );
    let r = d.sigillo(&["verify", "case.zip", "--tsa-ca", t.ca_pem.to_str().unwrap()]);
    r.assert_exit(0);
    assert_eq!(
        r.stdout.matches("trusted timestamp: genTime").count(),
        3,
        "{}",
        r.stdout
    );
    let r = d.sigillo(&["custody", "show", "case.zip"]);
    assert!(r.stdout.contains("timestamped"), "{}", r.stdout);
}
