//! X.509 co-signers (CAdES): a PKCS#12 file and a SoftHSM2 token holding an Italian-style
//! qualified certificate sign manifests, custody entries and whole bundles (`.p7m`);
//! `openssl cms -verify` is the independent judge, and `sigillo verify` must agree with it,
//! name the holder, and refuse look-alike CAs, wrong PINs, expired and non-signing
//! certificates.

use serde_json::Value;

use crate::support::signer_pki::{
    Holder, P12_PASSWORD, SignerKey, SignerPki, make_signer_pki, make_softhsm, make_untrusted_twin,
};
use crate::support::tsa::{Mode, TestTsa};
use crate::tool::{Tool, unzip};
use crate::util::{Dir, Run};

/// The holder's Italian tax code, as the certificate's subject serialNumber carries it.
const TAX_CODE: &str = "TINIT-RSSMRA80A41H501U";

/// A folder with an operator key, one evidence file and the signer PKI in `pki/`.
fn setup(holder: &Holder) -> (Dir, SignerPki) {
    let d = Dir::new();
    d.key("op.pem", "Avv. Maria Rossi");
    d.write("ev.txt", "the evidence");
    let pki = make_signer_pki(&d.join("pki"), holder);
    (d, pki)
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// `openssl cms -verify` of a detached signature over `content` against `ca`, with the
/// S/MIME default purpose (no `-purpose any`), exactly as the command line.
fn openssl_cms_verify(dir: &std::path::Path, p7s: &str, content: &str, ca: &str) -> Run {
    Tool::Openssl.run(
        dir,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            p7s,
            "-content",
            content,
            "-CAfile",
            ca,
            "-out",
            "/dev/null",
        ],
    )
}

/// `openssl cms -cmsout -print` of a DER signature, as text.
fn cms_print(dir: &std::path::Path, p7s: &str) -> Run {
    Tool::Openssl.run(
        dir,
        &["cms", "-cmsout", "-print", "-inform", "DER", "-in", p7s],
    )
}

/// `openssl cms -verify` of an item's `manifest.p7s` over its `manifest.json` in an
/// extracted bundle.
fn verify_item_cosignature(root: &std::path::Path, item: &str, ca: &std::path::Path) -> Run {
    openssl_cms_verify(
        root,
        &format!("{item}/manifest.p7s"),
        &format!("{item}/manifest.json"),
        s(ca),
    )
}

/// The first item's id in an extracted bundle.
fn item_dir(root: &std::path::Path) -> String {
    let mut ids: Vec<String> = std::fs::read_dir(root.join("items"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    format!("items/{}", ids[0])
}

#[track_caller]
fn assert_holder(v: &Value) {
    let x509: Vec<&Value> = v["signers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "x509")
        .collect();
    assert_eq!(x509.len(), 1, "{v:#}");
    let c = &x509[0]["certificate"];
    assert_eq!(c["serial_number"], TAX_CODE, "{v:#}");
    assert_eq!(c["common_name"], "ROSSI MARIA");
    assert_eq!(c["given_name"], "MARIA");
    assert_eq!(c["surname"], "ROSSI");
    assert_eq!(c["qualified"], true);
    assert!(
        c["issuer"].as_str().unwrap().contains("Test Qualified CA"),
        "{c}"
    );
}

/// Every key type and both PKCS#12 encodings: the co-signature is accepted by
/// `openssl cms -verify`, trusted by sigillo with the CA, flagged (not failed) without it,
/// and failed against a same-name CA with another key.
#[test]
fn pkcs12_cosignatures_pass_openssl_and_sigillo_for_every_key_type() {
    for key in SignerKey::ALL {
        let (d, pki) = setup(&Holder::valid(key));
        let p12 = if key == SignerKey::EcP256 {
            &pki.p12_legacy
        } else {
            &pki.p12
        };
        let spec = format!("pkcs12:{}", s(p12));
        let r = d
            .command()
            .args(&[
                "add", "ev.txt", "-o", "case.zip", "--key", "op.pem", "--signer", &spec,
            ])
            .env("SIGILLO_PIN", P12_PASSWORD)
            .assert_exit(0);
        assert!(
            !r.all().contains(P12_PASSWORD),
            "the password is never printed"
        );

        unzip(&d.join("case.zip"), &d.join("x"));
        let item = item_dir(&d.join("x"));
        let o = verify_item_cosignature(&d.join("x"), &item, &pki.ca_pem);
        assert!(
            o.code == 0 && o.stderr.contains("Verification successful"),
            "{key:?}: {}",
            o.all()
        );
        let printed = cms_print(&d.join("x"), &format!("{item}/manifest.p7s"));
        for attr in [
            "contentType",
            "signingTime",
            "messageDigest",
            "id-smime-aa-signingCertificateV2",
        ] {
            assert!(printed.stdout.contains(attr), "{key:?}: no {attr}");
        }
        assert!(
            printed.stdout.contains("eContent: <ABSENT>"),
            "detached: {}",
            printed.stdout
        );

        let v: Value = d
            .sigillo(&[
                "verify",
                "case.zip",
                "--signer-ca",
                s(&pki.ca_pem),
                "--json",
            ])
            .json();
        assert_eq!(v["verdict"], "verified", "{key:?}: {v:#}");
        assert_holder(&v);
        let cs = &v["cosignatures"][0];
        assert_eq!(cs["status"], "trusted", "{cs}");
        assert_eq!(cs["level"], "B-B");
        assert_eq!(cs["judged_at_source"], "signer-clock");
        assert_eq!(cs["chain"].as_array().unwrap().len(), 2, "{cs}");

        // Without --signer-ca: valid but untrusted, a warning, exit 0.
        let r = d.sigillo(&["verify", "case.zip"]);
        r.assert_exit(0);
        assert!(r.stdout.contains("ROSSI MARIA"), "{}", r.stdout);
        let v: Value = d.sigillo(&["verify", "case.zip", "--json"]).json();
        assert_eq!(v["cosignatures"][0]["status"], "untrusted");

        // A CA with the same name but another key is no anchor: failure, exit 1.
        let twin = make_untrusted_twin(&d.join("twin"), &pki);
        let r = d.sigillo(&["verify", "case.zip", "--signer-ca", s(&twin)]);
        r.assert_exit(1);
        assert!(r.stdout.contains("manifest.p7s"), "{}", r.stdout);
        let o = openssl_cms_verify(
            &d.join("x"),
            &format!("{item}/manifest.p7s"),
            &format!("{item}/manifest.json"),
            s(&twin),
        );
        assert_ne!(o.code, 0, "openssl agrees: {}", o.all());
    }
}

/// RSASSA-PSS on request; openssl accepts it too.
#[test]
fn rsa_pss_cosignature() {
    let (d, pki) = setup(&Holder::valid(SignerKey::Rsa2048));
    d.command()
        .args(&[
            "add",
            "ev.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--signer",
            &format!("pkcs12:{}", s(&pki.p12)),
            "--signer-rsa-pss",
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(0);
    unzip(&d.join("case.zip"), &d.join("x"));
    let item = item_dir(&d.join("x"));
    let printed = cms_print(&d.join("x"), &format!("{item}/manifest.p7s"));
    assert!(printed.stdout.contains("rsassaPss"), "{}", printed.stdout);
    let o = verify_item_cosignature(&d.join("x"), &item, &pki.ca_pem);
    assert_eq!(o.code, 0, "{}", o.all());
    d.sigillo(&["verify", "case.zip", "--signer-ca", s(&pki.ca_pem)])
        .assert_exit(0);
}

/// A smart card stand-in: SoftHSM2 through its PKCS#11 module, for RSA and both curves.
/// A wrong PIN exits 2, says so, and writes nothing.
#[test]
fn pkcs11_token_signs_and_a_wrong_pin_writes_nothing() {
    for key in SignerKey::ALL {
        let (d, pki) = setup(&Holder::valid(key));
        let hsm = make_softhsm(&d.join("hsm"), &pki);
        let conf = s(&hsm.conf).to_string();
        let uri = hsm.uri();

        let r = d
            .command()
            .args(&[
                "add", "ev.txt", "-o", "case.zip", "--key", "op.pem", "--signer", &uri,
            ])
            .env("SOFTHSM2_CONF", &conf)
            .env("SIGILLO_PIN", "0000")
            .assert_exit(2);
        assert!(r.stderr.contains("wrong PIN"), "{}", r.stderr);
        assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
        assert!(!r.all().contains("0000"), "the PIN is never printed");
        assert!(!d.join("case.zip").exists(), "no bundle after a wrong PIN");
        let leftovers: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".sigillo-tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");

        let r = d
            .command()
            .args(&[
                "add", "ev.txt", "-o", "case.zip", "--key", "op.pem", "--signer", &uri,
            ])
            .env("SOFTHSM2_CONF", &conf)
            .env("SIGILLO_PIN", &hsm.pin)
            .assert_exit(0);
        assert!(!r.all().contains(&format!("pin {}", hsm.pin)));

        unzip(&d.join("case.zip"), &d.join("x"));
        let item = item_dir(&d.join("x"));
        let o = verify_item_cosignature(&d.join("x"), &item, &pki.ca_pem);
        assert_eq!(o.code, 0, "{key:?}: {}", o.all());
        let v: Value = d
            .sigillo(&[
                "verify",
                "case.zip",
                "--signer-ca",
                s(&pki.ca_pem),
                "--json",
            ])
            .json();
        assert_eq!(v["verdict"], "verified", "{key:?}: {v:#}");
        assert_holder(&v);
    }
}

/// A PIN in the URI is refused before anything is read; a wrong PKCS#12 password and an
/// unknown token say what to do.
#[test]
fn secrets_never_on_the_command_line_and_clear_refusals() {
    let (d, pki) = setup(&Holder::valid(SignerKey::EcP256));
    let r = d
        .command()
        .args(&[
            "add",
            "ev.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--signer",
            "pkcs11:token=x;object=y;pin-value=123456?module-path=/nope.so",
        ])
        .assert_exit(2);
    assert!(r.stderr.contains("pin-value"), "{}", r.stderr);
    assert!(!r.all().contains("123456"), "{}", r.all());

    let r = d
        .command()
        .args(&[
            "add",
            "ev.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--signer",
            &format!("pkcs12:{}", s(&pki.p12)),
        ])
        .env("SIGILLO_PIN", "not-the-password")
        .assert_exit(2);
    assert!(r.stderr.contains("wrong password"), "{}", r.stderr);
    assert!(!d.join("case.zip").exists());

    let hsm = make_softhsm(&d.join("hsm"), &pki);
    let r = d
        .command()
        .args(&[
            "add",
            "ev.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--signer",
            &hsm.uri().replace("token=sigillo", "token=other"),
        ])
        .env("SOFTHSM2_CONF", s(&hsm.conf))
        .env("SIGILLO_PIN", &hsm.pin)
        .assert_exit(2);
    assert!(
        r.stderr.contains("no token labelled 'other'"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("sigillo"),
        "names the tokens seen: {}",
        r.stderr
    );
    assert!(!d.join("case.zip").exists());
}

/// An expired certificate and one whose key usage allows no signing are refused at
/// signing time (exit 2, nothing written). A bundle co-signed with one anyway (made here
/// by openssl) fails verification with the reason.
#[test]
fn expired_and_non_signing_certificates_are_refused() {
    for (holder, says) in [
        (
            Holder {
                expired: true,
                ..Holder::valid(SignerKey::EcP256)
            },
            "expired",
        ),
        (
            Holder {
                non_repudiation: false,
                ..Holder::valid(SignerKey::Rsa2048)
            },
            "may not sign",
        ),
    ] {
        let (d, pki) = setup(&holder);
        let r = d
            .command()
            .args(&[
                "add",
                "ev.txt",
                "-o",
                "case.zip",
                "--key",
                "op.pem",
                "--signer",
                &format!("pkcs12:{}", s(&pki.p12)),
            ])
            .env("SIGILLO_PIN", P12_PASSWORD)
            .assert_exit(2);
        assert!(r.stderr.contains(says), "{}", r.stderr);
        assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
        assert!(!d.join("case.zip").exists());

        // The same certificate's signature, made by openssl and put beside a manifest.
        d.add(&["ev.txt", "-o", "case.zip", "--key", "op.pem"]);
        let mut members = d.zip("case.zip");
        let manifest = members
            .iter()
            .find(|(n, _)| n.ends_with("/manifest.json"))
            .unwrap()
            .clone();
        d.write("m.json", &manifest.1);
        let o = Tool::Openssl.run(
            d.path(),
            &[
                "cms",
                "-sign",
                "-binary",
                "-outform",
                "DER",
                "-in",
                "m.json",
                "-signer",
                s(&pki.cert_pem),
                "-inkey",
                s(&pki.key_pem),
                "-certfile",
                s(&pki.ca_pem),
                "-out",
                "m.p7s",
            ],
        );
        assert_eq!(o.code, 0, "{}", o.all());
        let p7s_name = manifest.0.replace("manifest.json", "manifest.p7s");
        let pos = members.iter().position(|(n, _)| *n == manifest.0).unwrap() + 1;
        members.insert(pos, (p7s_name.clone(), d.read("m.p7s")));
        crate::util::write_zip(&d.join("bad.zip"), &members);
        let r = d.sigillo(&["verify", "bad.zip", "--signer-ca", s(&pki.ca_pem)]);
        r.assert_exit(1);
        assert!(r.stdout.contains(&p7s_name), "{}", r.stdout);
    }
}

/// With a TSA the co-signature is CAdES-B-T: the chain is judged at the TSA's time, and
/// openssl still accepts the signature.
#[test]
fn with_a_tsa_the_cosignature_is_b_t() {
    let t = TestTsa::start(Mode::Normal);
    let (d, pki) = setup(&Holder::valid(SignerKey::EcP384));
    d.command()
        .args(&[
            "add",
            "ev.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--signer",
            &format!("pkcs12:{}", s(&pki.p12)),
            "--tsa",
            &t.url,
            "--require-tsa",
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(0);
    unzip(&d.join("case.zip"), &d.join("x"));
    let item = item_dir(&d.join("x"));
    let printed = cms_print(&d.join("x"), &format!("{item}/manifest.p7s"));
    assert!(
        printed.stdout.contains("id-smime-aa-timeStampToken"),
        "{}",
        printed.stdout
    );
    let o = verify_item_cosignature(&d.join("x"), &item, &pki.ca_pem);
    assert_eq!(o.code, 0, "{}", o.all());
    let v: Value = d
        .sigillo(&[
            "verify",
            "case.zip",
            "--signer-ca",
            s(&pki.ca_pem),
            "--tsa-ca",
            s(&t.ca_pem),
            "--json",
        ])
        .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    let cs = &v["cosignatures"][0];
    assert_eq!(cs["level"], "B-T", "{cs}");
    assert_eq!(cs["judged_at_source"], "tsa", "{cs}");
    assert!(cs["timestamp"].as_str().is_some(), "{cs}");
}

/// Co-signatures added later (`timestamp --signer`) and over custody entries
/// (`custody add --signer`); each is checked by openssl over the exact bytes it signs,
/// and altering one byte of any fails verification naming the member.
#[test]
fn later_cosignatures_and_custody_cosignatures_and_tampering() {
    let (d, pki) = setup(&Holder::valid(SignerKey::EcP256));
    let spec = format!("pkcs12:{}", s(&pki.p12));
    d.add(&["ev.txt", "-o", "case.zip", "--key", "op.pem"]);
    let r = d
        .command()
        .args(&[
            "timestamp",
            "case.zip",
            "--key",
            "op.pem",
            "--signer",
            &spec,
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(0);
    assert!(r.all().contains("manifest.p7s"), "{}", r.all());
    d.key("inv.pem", "Isp. Bianchi");
    d.command()
        .args(&[
            "custody",
            "add",
            "case.zip",
            "--action",
            "received",
            "--from",
            "Avv. Maria Rossi",
            "--key",
            "inv.pem",
            "--signer",
            &spec,
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(0);
    let ca = s(&pki.ca_pem);
    let v: Value = d
        .sigillo(&["verify", "case.zip", "--signer-ca", ca, "--json"])
        .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    let cs = v["cosignatures"].as_array().unwrap();
    assert_eq!(cs.len(), 2, "{v:#}");
    assert!(cs.iter().all(|c| c["status"] == "trusted"), "{v:#}");
    let custody_cs = cs.iter().find(|c| c["custody_seq"].is_u64()).unwrap();
    let seq = custody_cs["custody_seq"].as_u64().unwrap();
    let member = custody_cs["member"].as_str().unwrap().to_string();

    // openssl over the custody line the signature names (the line without its newline).
    unzip(&d.join("case.zip"), &d.join("x"));
    let log = std::fs::read_to_string(d.join("x/custody.jsonl")).unwrap();
    let line = log.lines().nth(seq as usize - 1).unwrap();
    d.write("line", line);
    let o = openssl_cms_verify(d.path(), s(&d.join(format!("x/{member}"))), "line", ca);
    if o.code != 0 {
        d.write("line", format!("{line}\n"));
        let o2 = openssl_cms_verify(d.path(), s(&d.join(format!("x/{member}"))), "line", ca);
        assert_eq!(o2.code, 0, "{}\n{}", o.all(), o2.all());
    }

    // One byte changed in each co-signature: named, exit 1.
    let members = d.zip("case.zip");
    for (name, _) in members.iter().filter(|(n, _)| n.ends_with(".p7s")) {
        let mut m = members.clone();
        let bytes = &mut m.iter_mut().find(|(n, _)| n == name).unwrap().1;
        let at = bytes.len() - 10;
        bytes[at] ^= 1;
        crate::util::write_zip(&d.join("t.zip"), &m);
        let r = d.sigillo(&["verify", "t.zip", "--signer-ca", ca]);
        r.assert_exit(1);
        assert!(r.stdout.contains(name.as_str()), "{name}: {}", r.stdout);
    }
}

/// The report names the certificate holder (en and it).
#[test]
fn report_names_the_certificate_holder() {
    let (d, pki) = setup(&Holder::valid(SignerKey::Rsa2048));
    d.command()
        .args(&[
            "add",
            "ev.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--signer",
            &format!("pkcs12:{}", s(&pki.p12)),
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(0);
    for lang in ["en", "it"] {
        d.sigillo(&[
            "report",
            "case.zip",
            "-o",
            "r.html",
            "--lang",
            lang,
            "--signer-ca",
            s(&pki.ca_pem),
        ])
        .assert_exit(0);
        let html = d.read_string("r.html");
        assert!(html.contains("ROSSI MARIA"), "{lang}");
        assert!(html.contains(TAX_CODE), "{lang}");
        assert!(html.contains("Test Qualified CA"), "{lang}");
    }
}

/// `export --p7m`: the whole bundle inside an enveloping CAdES signature. openssl gives
/// the bundle back byte for byte; `sigillo verify` checks the envelope, then the bundle
/// inside; a `.p7m` made by openssl itself (`-cades`) verifies too; any changed byte
/// fails; a `.p7m` is never written to.
#[test]
fn export_p7m_round_trips_and_verifies() {
    let t = TestTsa::start(Mode::Normal);
    let (d, pki) = setup(&Holder::valid(SignerKey::EcP256));
    d.add(&["ev.txt", "-o", "case.zip", "--key", "op.pem"]);
    let spec = format!("pkcs12:{}", s(&pki.p12));
    let ca = s(&pki.ca_pem);
    let r = d
        .command()
        .args(&[
            "export",
            "case.zip",
            "--p7m",
            "-o",
            "case.zip.p7m",
            "--signer",
            &spec,
            "--tsa",
            &t.url,
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(0);
    assert!(r.stdout.contains("CAdES-B-T"), "{}", r.stdout);
    assert!(r.stdout.contains("ROSSI MARIA"), "{}", r.stdout);

    // openssl: the signature holds, and the content is the bundle, byte for byte.
    let o = Tool::Openssl.run(
        d.path(),
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "case.zip.p7m",
            "-CAfile",
            ca,
            "-out",
            "back.zip",
        ],
    );
    assert!(
        o.code == 0 && o.stderr.contains("Verification successful"),
        "{}",
        o.all()
    );
    assert_eq!(d.read("back.zip"), d.read("case.zip"));

    // sigillo: the envelope and the bundle inside it.
    let v: Value = d
        .sigillo(&[
            "verify",
            "case.zip.p7m",
            "--signer-ca",
            ca,
            "--tsa-ca",
            s(&t.ca_pem),
            "--json",
        ])
        .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    let plain: Value = d.sigillo(&["verify", "case.zip", "--json"]).json();
    assert_eq!(v["bundle_sha256"], plain["bundle_sha256"]);
    let env: Vec<&Value> = v["cosignatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["envelope"] == true)
        .collect();
    assert_eq!(env.len(), 1, "{v:#}");
    assert_eq!(env[0]["status"], "trusted");
    assert_eq!(env[0]["level"], "B-T");
    assert_holder(&v);
    // Read-only commands take the .p7m as they take the bundle.
    let ls = d.sigillo(&["ls", "case.zip.p7m"]);
    ls.assert_exit(0);
    assert!(ls.stdout.contains("ev.txt"), "{}", ls.stdout);

    // A .p7m made by openssl's own CAdES signer is read too.
    let o = Tool::Openssl.run(
        d.path(),
        &[
            "cms",
            "-sign",
            "-cades",
            "-nodetach",
            "-binary",
            "-outform",
            "DER",
            "-in",
            "case.zip",
            "-signer",
            s(&pki.cert_pem),
            "-inkey",
            s(&pki.key_pem),
            "-out",
            "openssl.p7m",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.all());
    let r = d.sigillo(&["verify", "openssl.p7m", "--signer-ca", ca]);
    r.assert_exit(0);

    // Any changed byte fails: in the bundle, in the signature.
    let p7m = d.read("case.zip.p7m");
    let zip_at = p7m
        .windows(4)
        .position(|w| w == b"PK\x03\x04")
        .expect("the bundle is inside");
    for (what, at) in [("bundle", zip_at + 40), ("signature", p7m.len() - 30)] {
        let mut bad = p7m.clone();
        bad[at] ^= 0x01;
        d.write("bad.p7m", &bad);
        let r = d.sigillo(&["verify", "bad.p7m", "--signer-ca", ca]);
        assert!(r.code == 1 || r.code == 2, "{what}: {}", r.all());
        assert!(
            !r.stdout.lines().any(|l| l.starts_with("VERIFIED:")),
            "{what}: {}",
            r.stdout
        );
    }
    let mut bad = p7m.clone();
    bad[zip_at + 40] ^= 0x01;
    d.write("bad.p7m", &bad);
    let r = d.sigillo(&["verify", "bad.p7m", "--signer-ca", ca]);
    r.assert_exit(1);
    assert!(r.stdout.contains("(envelope .p7m)"), "{}", r.stdout);
    d.write("cut.p7m", &p7m[..p7m.len() - 100]);
    let r = d.sigillo(&["verify", "cut.p7m"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("cut short"), "{}", r.stderr);

    // A .p7m is never written to, and never replaced.
    let r = d.sigillo(&["add", "ev.txt", "-o", "case.zip.p7m", "--key", "op.pem"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("signed envelope"), "{}", r.stderr);
    assert_eq!(d.read("case.zip.p7m"), p7m);
    let r = d
        .command()
        .args(&[
            "export",
            "case.zip",
            "--p7m",
            "-o",
            "case.zip.p7m",
            "--signer",
            &spec,
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(2);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert_eq!(d.read("case.zip.p7m"), p7m);
}

/// Long-term validation of the signer: the OCSP answer for the holder's certificate,
/// from a real `openssl ocsp` responder, is fetched when signing and carried in the
/// signature (CAdES revocation-values); verify judges it offline at the signing time.
/// A revoked certificate is refused before anything is written. A certificate without
/// OCSP or CRL is used with a warning saying so.
#[test]
fn the_signers_revocation_data_is_carried_and_judged_offline() {
    use crate::support::ocsp::{Responder, free_port};
    let port = free_port();
    let (d, pki) = setup(&Holder {
        ocsp_port: Some(port),
        ..Holder::valid(SignerKey::EcP256)
    });
    let spec = format!("pkcs12:{}", s(&pki.p12));
    let responder = Responder::start(&pki.dir, "ca-db/index.txt", "ca.pem", "ca.key", port);
    let r = d
        .command()
        .args(&[
            "add", "ev.txt", "-o", "case.zip", "--key", "op.pem", "--signer", &spec,
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(0);
    assert!(!r.stderr.contains("no revocation data"), "{}", r.stderr);
    drop(responder);

    unzip(&d.join("case.zip"), &d.join("x"));
    let item = item_dir(&d.join("x"));
    let printed = cms_print(&d.join("x"), &format!("{item}/manifest.p7s"));
    assert!(
        printed.stdout.contains("id-smime-aa-ets-revocationValues"),
        "{}",
        printed.stdout
    );
    let o = verify_item_cosignature(&d.join("x"), &item, &pki.ca_pem);
    assert_eq!(o.code, 0, "{}", o.all());

    // The responder is gone: verify works from the data the signature carries.
    let ca = s(&pki.ca_pem);
    let v: Value = d
        .sigillo(&["verify", "case.zip", "--signer-ca", ca, "--json"])
        .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    let rev = &v["cosignatures"][0]["revocation"];
    assert_eq!(rev["status"], "good", "{v:#}");
    assert_eq!(rev["source"], "ocsp");
    assert_eq!(rev["checked"][0]["certificate"], 1);
    let r = d.sigillo(&["verify", "case.zip", "--signer-ca", ca]);
    assert!(
        r.stdout.contains("revocation: good (ocsp of 20"),
        "{}",
        r.stdout
    );

    // Revoked: refused, nothing written.
    let o = Tool::Openssl.run(
        &pki.dir,
        &[
            "ca",
            "-config",
            "ca.cnf",
            "-revoke",
            "cert.pem",
            "-crl_reason",
            "keyCompromise",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.all());
    let _responder = Responder::start(&pki.dir, "ca-db/index.txt", "ca.pem", "ca.key", port);
    let before = d.read("case.zip");
    d.write("ev2.txt", "more");
    let r = d
        .command()
        .args(&[
            "add", "ev2.txt", "-o", "case.zip", "--key", "op.pem", "--signer", &spec,
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(2);
    assert!(r.stderr.contains("is revoked"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(d.read("case.zip"), before);

    // No OCSP and no CRL: signed, with a warning that says so.
    let (d2, pki2) = setup(&Holder::valid(SignerKey::Rsa2048));
    let r = d2
        .command()
        .args(&[
            "add",
            "ev.txt",
            "-o",
            "case.zip",
            "--key",
            "op.pem",
            "--signer",
            &format!("pkcs12:{}", s(&pki2.p12)),
        ])
        .env("SIGILLO_PIN", P12_PASSWORD)
        .assert_exit(0);
    assert!(
        r.stderr.contains("no revocation data for 'CN=ROSSI MARIA"),
        "{}",
        r.stderr
    );
}
