//! TSA interop: a matrix of real OpenSSL TSAs, set up the ways TSAs are set up in
//! practice. For every token, sigillo's verdict must be `openssl ts -verify`'s: what
//! OpenSSL accepts sigillo accepts (reading leniently where the meaning is plain, such
//! as the signer certificate listed twice), and what OpenSSL rejects sigillo rejects.

use std::path::{Path, PathBuf};

use sigillo::evidence::tsp::{self, TokenStatus, TrustAnchors};
use x509_cert::Certificate;

use crate::support::tsa::{Mode, TestTsa};
use crate::tool::Tool;
use crate::util::*;

const DATA: &[u8] = b"the manifest signature";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    P256,
    Rsa,
}

/// What the TSA's `certs` file holds (OpenSSL adds those certificates to every token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Certs {
    /// No `certs`: the token holds the signer certificate only.
    None,
    /// A chain file that also holds the signer certificate, so the token lists it twice.
    SignerTwice,
    /// The issuing CA (the intermediate when there is one, else the root).
    Issuer,
}

#[derive(Clone, Copy, Debug)]
struct Profile {
    name: &'static str,
    key: Key,
    intermediate: bool,
    certs: Certs,
    /// `ess_cert_id_alg`: sha1 gives ESSCertID (v1), sha256 ESSCertIDv2.
    ess_alg: &'static str,
    ess_chain: bool,
    tsa_name: bool,
    /// The query asks for the TSA's certificate (`-cert`).
    cert_req: bool,
    accuracy: &'static str,
}

const BASE: Profile = Profile {
    name: "ECDSA P-256, ESSCertIDv2",
    key: Key::P256,
    intermediate: false,
    certs: Certs::None,
    ess_alg: "sha256",
    ess_chain: false,
    tsa_name: true,
    cert_req: true,
    accuracy: "secs:1",
};

/// Tokens OpenSSL makes and accepts: sigillo must accept every one.
const ACCEPTED: &[Profile] = &[
    BASE,
    Profile {
        name: "signer certificate listed twice (certs = chain with the signer)",
        certs: Certs::SignerTwice,
        ..BASE
    },
    Profile {
        name: "RSA 2048, ESSCertID v1 (SHA-1)",
        key: Key::Rsa,
        ess_alg: "sha1",
        ..BASE
    },
    Profile {
        name: "ess_cert_id_chain = yes",
        certs: Certs::Issuer,
        ess_chain: true,
        ..BASE
    },
    Profile {
        name: "root -> intermediate -> TSA",
        intermediate: true,
        certs: Certs::Issuer,
        ..BASE
    },
    Profile {
        name: "root -> intermediate -> TSA, ESS chain, RSA",
        key: Key::Rsa,
        intermediate: true,
        certs: Certs::Issuer,
        ess_chain: true,
        ..BASE
    },
    Profile {
        name: "accuracy in milliseconds, no TSA name",
        accuracy: "secs:0, millisecs:250, microsecs:7",
        tsa_name: false,
        ..BASE
    },
    Profile {
        name: "certificates not embedded (certReq false), chain supplied apart",
        cert_req: false,
        intermediate: true,
        certs: Certs::Issuer,
        ..BASE
    },
];

fn openssl(dir: &Path, args: &[&str]) {
    let r = Tool::Openssl.run(dir, args);
    assert!(r.code == 0, "openssl {args:?} failed: {}", r.stderr);
}

/// `openssl` with the clock at `when` (libfaketime), or the real clock.
fn openssl_at(dir: &Path, when: Option<&str>, args: &[&str]) {
    let Some(when) = when else {
        return openssl(dir, args);
    };
    let openssl = Tool::Openssl.path();
    let mut a = vec![when, openssl.to_str().unwrap()];
    a.extend_from_slice(args);
    let r = Tool::Faketime.run(dir, &a);
    assert!(r.code == 0, "faketime {a:?} failed: {}", r.stderr);
}

fn newkey(key: Key) -> Vec<&'static str> {
    match key {
        Key::P256 => vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        Key::Rsa => vec!["-newkey", "rsa:2048"],
    }
}

/// A certificate `name` for `key`, issued by `issuer` (`None`: self-signed root).
fn cert(dir: &Path, key: Key, name: &str, issuer: Option<&str>, ext: &str) {
    cert_at(dir, key, name, issuer, ext, None, None);
}

/// [`cert`], issued at `when` (faketime) for `days` days.
fn cert_at(
    dir: &Path,
    key: Key,
    name: &str,
    issuer: Option<&str>,
    ext: &str,
    when: Option<&str>,
    days: Option<&str>,
) {
    let subj = format!("/CN=Interop {name}");
    let (k, pem, csr, cnf) = (
        format!("{name}.key"),
        format!("{name}.pem"),
        format!("{name}.csr"),
        format!("{name}.ext.cnf"),
    );
    std::fs::write(dir.join(&cnf), ext).unwrap();
    let mut a = vec!["req", "-nodes", "-keyout", &k, "-subj", &subj];
    a.extend(newkey(key));
    match issuer {
        None => {
            a.extend(["-x509", "-days", days.unwrap_or("3650"), "-out", &pem]);
            a.extend(["-extensions", "v3", "-config", &cnf]);
            openssl_at(dir, when, &a);
        }
        Some(ca) => {
            a.extend(["-new", "-out", &csr]);
            openssl(dir, &a);
            let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
            openssl_at(
                dir,
                when,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    &ca_pem,
                    "-CAkey",
                    &ca_key,
                    "-CAcreateserial",
                    "-days",
                    days.unwrap_or("825"),
                    "-out",
                    &pem,
                    "-extfile",
                    &cnf,
                    "-extensions",
                    "v3",
                ],
            );
        }
    }
}

const ROOT_EXT: &str = "[req]\ndistinguished_name = dn\n[dn]\n[v3]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n";
const INTERMEDIATE_EXT: &str = "[v3]\nbasicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n";
const TSA_EXT: &str = "[v3]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\nextendedKeyUsage = critical,timeStamping\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n";

/// The PKI and `tsa.cnf` of a profile in `dir`.
fn setup(dir: &Path, p: &Profile) {
    cert(dir, p.key, "root", None, ROOT_EXT);
    let issuer = if p.intermediate {
        cert(dir, p.key, "intermediate", Some("root"), INTERMEDIATE_EXT);
        "intermediate"
    } else {
        "root"
    };
    cert(dir, p.key, "tsa", Some(issuer), TSA_EXT);
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap();
    let certs_line = match p.certs {
        Certs::None => String::new(),
        Certs::SignerTwice => {
            std::fs::write(
                dir.join("chain.pem"),
                read("tsa.pem") + &read(&format!("{issuer}.pem")),
            )
            .unwrap();
            "certs = $dir/chain.pem\n".into()
        }
        Certs::Issuer => format!("certs = $dir/{issuer}.pem\n"),
    };
    // The certificates a verifier gets apart from the token (`-untrusted`).
    let mut apart = read("tsa.pem");
    if p.intermediate {
        apart += &read("intermediate.pem");
    }
    std::fs::write(dir.join("untrusted.pem"), apart).unwrap();
    std::fs::write(dir.join("tsaserial"), "01\n").unwrap();
    std::fs::write(
        dir.join("tsa.cnf"),
        format!(
            "[tsa]\ndefault_tsa = t\n[t]\ndir = {d}\nserial = $dir/tsaserial\ncrypto_device = builtin\n\
             signer_cert = $dir/tsa.pem\nsigner_key = $dir/tsa.key\n{certs_line}signer_digest = sha256\n\
             default_policy = 1.2.3.4.1\nother_policies = 1.2.3.4.5\ndigests = sha256, sha384, sha512\n\
             accuracy = {acc}\nclock_precision_digits = 3\nordering = yes\ntsa_name = {name}\n\
             ess_cert_id_chain = {chain}\ness_cert_id_alg = {alg}\n",
            d = dir.display(),
            acc = p.accuracy,
            name = if p.tsa_name { "yes" } else { "no" },
            chain = if p.ess_chain { "yes" } else { "no" },
            alg = p.ess_alg,
        ),
    )
    .unwrap();
    std::fs::write(dir.join("data.bin"), DATA).unwrap();
}

/// A reply to a query over `data.bin`, as `r.tsr`.
fn reply(dir: &Path, p: &Profile) -> Vec<u8> {
    let mut q = vec![
        "ts", "-query", "-data", "data.bin", "-sha256", "-out", "q.tsq",
    ];
    if p.cert_req {
        q.push("-cert");
    }
    openssl(dir, &q);
    openssl(
        dir,
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "q.tsq",
            "-out",
            "r.tsr",
        ],
    );
    std::fs::read(dir.join("r.tsr")).unwrap()
}

/// `openssl ts -verify` on `file` (a reply; `token`: a bare token) over `data.bin`.
fn openssl_accepts(dir: &Path, file: &str, token: bool) -> (bool, String) {
    let mut a = vec![
        "ts",
        "-verify",
        "-data",
        "data.bin",
        "-in",
        file,
        "-CAfile",
        "root.pem",
        "-untrusted",
        "untrusted.pem",
    ];
    if token {
        a.push("-token_in");
    }
    let r = Tool::Openssl.run(dir, &a);
    (
        r.code == 0 && r.stdout.contains("Verification: OK"),
        r.all(),
    )
}

fn certs_in(path: &Path) -> Vec<Certificate> {
    Certificate::load_pem_chain(&std::fs::read(path).unwrap()).unwrap()
}

fn sigillo_status(dir: &Path, token: &[u8]) -> tsp::TokenVerdict {
    let anchors = TrustAnchors::from_pem_files(&[dir.join("root.pem")]).unwrap();
    tsp::verify_token_with(
        token,
        tsp::Covered::Data(DATA),
        &anchors,
        &certs_in(&dir.join("untrusted.pem")),
    )
}

#[test]
fn every_token_openssl_accepts_sigillo_accepts() {
    for p in ACCEPTED {
        let d = Dir::new();
        setup(d.path(), p);
        let tsr = reply(d.path(), p);
        let (ok, why) = openssl_accepts(d.path(), "r.tsr", false);
        assert!(ok, "{}: OpenSSL itself rejects: {why}", p.name);
        let v = sigillo_status(d.path(), &tsr);
        assert_eq!(v.status, TokenStatus::Trusted, "{}", p.name);
        let info = v.info.expect("facts of a trusted token");
        assert_eq!(info.tsa_name.is_some(), p.tsa_name, "{}", p.name);
        let lenient = info.lenient.unwrap_or_default();
        if p.certs == Certs::SignerTwice {
            assert!(
                lenient.contains("1 repeated certificate(s) ignored"),
                "{}: the lenient reading is said: {lenient:?}",
                p.name
            );
        } else {
            assert!(lenient.is_empty(), "{}: {lenient}", p.name);
        }
        if p.name.starts_with("accuracy") {
            assert_eq!(info.accuracy_ms, Some(250), "{}", p.name);
        }
        // Without the certificates supplied apart, a token without them cannot be
        // checked, and says what to do.
        if !p.cert_req {
            let anchors = TrustAnchors::from_pem_files(&[d.join("root.pem")]).unwrap();
            match tsp::verify_token(&tsr, DATA, &anchors).status {
                TokenStatus::Invalid { reason } => {
                    assert!(reason.contains("supply the TSA's certificate"), "{reason}")
                }
                s => panic!("{}: {s:?}", p.name),
            }
        }
    }
}

/// The outer SEQUENCEs of a DER reply re-encoded with indefinite lengths (BER).
fn to_indefinite(der: &[u8]) -> Vec<u8> {
    // Length octets of the top-level value, and its contents.
    let (hdr, len) = match der[1] {
        n if n < 0x80 => (2, n as usize),
        n => {
            let k = (n & 0x7F) as usize;
            let len = der[2..2 + k]
                .iter()
                .fold(0usize, |a, b| (a << 8) | *b as usize);
            (2 + k, len)
        }
    };
    let mut out = vec![der[0], 0x80];
    out.extend_from_slice(&der[hdr..hdr + len]);
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn a_ber_encoded_reply_is_read_as_openssl_reads_it() {
    let d = Dir::new();
    setup(d.path(), &BASE);
    let tsr = reply(d.path(), &BASE);
    let ber = to_indefinite(&tsr);
    d.write("ber.tsr", &ber);
    let (ok, why) = openssl_accepts(d.path(), "ber.tsr", false);
    assert!(ok, "OpenSSL reads BER: {why}");
    let v = sigillo_status(d.path(), &ber);
    assert_eq!(v.status, TokenStatus::Trusted);
    assert!(
        v.info.unwrap().lenient.unwrap().contains("BER"),
        "the lenient reading is said"
    );
}

#[test]
fn what_openssl_rejects_sigillo_rejects() {
    // 1. The ESS chain names the signer again after itself (certs = chain with the
    //    signer, ess_cert_id_chain = yes): OpenSSL says "ess cert id wrong order".
    let p = Profile {
        name: "ESS chain with the signer listed twice",
        certs: Certs::SignerTwice,
        ess_chain: true,
        ..BASE
    };
    let d = Dir::new();
    setup(d.path(), &p);
    let tsr = reply(d.path(), &p);
    let (ok, why) = openssl_accepts(d.path(), "r.tsr", false);
    assert!(!ok, "{}: OpenSSL accepted: {why}", p.name);
    let v = sigillo_status(d.path(), &tsr);
    assert_ne!(v.status, TokenStatus::Trusted, "{}", p.name);

    // 2. A root that did not issue the TSA: untrusted for both.
    let other = Dir::new();
    setup(other.path(), &BASE);
    let d2 = Dir::new();
    setup(d2.path(), &BASE);
    let tsr2 = reply(d2.path(), &BASE);
    std::fs::copy(other.join("root.pem"), d2.join("root.pem")).unwrap();
    let (ok, _) = openssl_accepts(d2.path(), "r.tsr", false);
    assert!(!ok, "OpenSSL rejects a foreign root");
    assert!(matches!(
        sigillo_status(d2.path(), &tsr2).status,
        TokenStatus::Untrusted { .. }
    ));

    // 3. Signed by a certificate without the critical timeStamping key usage (OpenSSL's
    //    TSA refuses to use it, so the token is made with `openssl cms -sign -cades`).
    let d3 = Dir::new();
    setup(d3.path(), &BASE);
    reply(d3.path(), &BASE);
    cert(
        d3.path(),
        Key::P256,
        "plain",
        Some("root"),
        "[v3]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = timeStamping\n",
    );
    let tok = cms_token(d3.path(), "plain", &[]);
    std::fs::copy(d3.join("plain.pem"), d3.join("untrusted.pem")).unwrap();
    let (ok, _) = openssl_accepts(d3.path(), "cms.tok", true);
    assert!(
        !ok,
        "OpenSSL rejects a TSA certificate without critical EKU"
    );
    match sigillo_status(d3.path(), &tok).status {
        TokenStatus::Invalid { reason } => assert!(reason.contains("timeStamping"), "{reason}"),
        s => panic!("{s:?}"),
    }

    // 4. The TSA certificate carries a critical extension nobody understands: OpenSSL
    //    refuses it ("unhandled critical extension"), and so must sigillo.
    let d4 = Dir::new();
    setup(d4.path(), &BASE);
    cert(
        d4.path(),
        Key::P256,
        "tsa",
        Some("root"),
        &format!("{TSA_EXT}1.3.6.1.4.1.99999.1 = critical,DER:05:00\n"),
    );
    std::fs::copy(d4.join("tsa.pem"), d4.join("untrusted.pem")).unwrap();
    let tsr4 = reply(d4.path(), &BASE);
    let (ok, why) = openssl_accepts(d4.path(), "r.tsr", false);
    assert!(!ok, "OpenSSL accepted an unknown critical extension: {why}");
    assert_ne!(
        sigillo_status(d4.path(), &tsr4).status,
        TokenStatus::Trusted,
        "an unknown critical extension"
    );
}

/// A TimeStampToken over the TSTInfo of `r.tsr`, signed again by `signer` with
/// `openssl cms -sign -cades` (signingCertificateV2, as a TSA adds), as `cms.tok`.
fn cms_token(dir: &Path, signer: &str, keyopt: &[&str]) -> Vec<u8> {
    openssl(
        dir,
        &[
            "ts",
            "-reply",
            "-in",
            "r.tsr",
            "-token_out",
            "-out",
            "orig.tok",
        ],
    );
    openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-noverify",
            "-inform",
            "DER",
            "-in",
            "orig.tok",
            "-binary",
            "-out",
            "tst.der",
        ],
    );
    let (pem, key) = (format!("{signer}.pem"), format!("{signer}.key"));
    let mut a = vec![
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-in",
        "tst.der",
        "-econtent_type",
        "1.2.840.113549.1.9.16.1.4",
        "-signer",
        &pem,
        "-inkey",
        &key,
        "-cades",
        "-md",
        "sha256",
        "-outform",
        "DER",
        "-out",
        "cms.tok",
    ];
    a.extend_from_slice(keyopt);
    openssl(dir, &a);
    std::fs::read(dir.join("cms.tok")).unwrap()
}

/// RSA-PSS: OpenSSL 3.0's TSA and `ts -verify` cannot handle it (their PKCS#7 code
/// signs and checks PKCS#1 v1.5 only), but `openssl cms` signs and verifies it, and
/// TSAs built on other stacks use it. sigillo verifies such tokens, and rejects one
/// whose PSS signature was altered.
#[test]
fn rsa_pss_tokens_verify_as_openssl_cms_verifies_them() {
    let p = Profile {
        key: Key::Rsa,
        ..BASE
    };
    let d = Dir::new();
    setup(d.path(), &p);
    reply(d.path(), &p);
    let tok = cms_token(d.path(), "tsa", &["-keyopt", "rsa_padding_mode:pss"]);
    let r = Tool::Openssl.run(
        d.path(),
        &[
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            "cms.tok",
            "-binary",
            "-CAfile",
            "root.pem",
            "-purpose",
            "any",
            "-cades",
            "-out",
            "/dev/null",
        ],
    );
    assert!(r.code == 0, "openssl cms -verify: {}", r.all());
    let v = sigillo_status(d.path(), &tok);
    assert_eq!(v.status, TokenStatus::Trusted);
    // The last byte of the DER is the last byte of the PSS signature.
    let mut bad = tok.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert!(matches!(
        sigillo_status(d.path(), &bad).status,
        TokenStatus::Invalid { .. }
    ));
}

/// The case of the issue, end to end: a TSA whose `certs` file holds its own
/// certificate. Sealing gets a trusted token (no silent fallback to the local clock),
/// `verify` says it read the token leniently, and OpenSSL checks the stored token.
#[test]
fn sealing_with_a_tsa_that_lists_its_certificate_twice() {
    let p = Profile {
        certs: Certs::SignerTwice,
        ..BASE
    };
    let tsa_dir = Dir::new();
    setup(tsa_dir.path(), &p);
    let root: PathBuf = tsa_dir.join("root.pem");
    let t = TestTsa::serve_dir(tsa_dir, Mode::Normal, root.clone(), PathBuf::new());
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    d.write("e.txt", "evidence");
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
    assert!(r.stderr.contains("1 trusted timestamp"), "{}", r.all());
    let r = d.sigillo(&["verify", "case.zip", "--tsa-ca", root.to_str().unwrap()]);
    r.assert_exit(0);
    assert!(
        r.stdout.contains("trusted timestamp: genTime")
            && r.stdout.contains("1 repeated certificate(s) ignored"),
        "{}",
        r.stdout
    );
    let tsr = member(&d.join("case.zip"), "/manifest.tsr");
    d.write("stored.tsr", &tsr);
    let sig = member(&d.join("case.zip"), "/manifest.sig");
    d.write("manifest.sig", &sig);
    let r = Tool::Openssl.run(
        d.path(),
        &[
            "ts",
            "-verify",
            "-data",
            "manifest.sig",
            "-in",
            "stored.tsr",
            "-CAfile",
            root.to_str().unwrap(),
        ],
    );
    assert!(r.stdout.contains("Verification: OK"), "{}", r.all());
}

/// DER TLV with a definite length.
fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = contents.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
    out
}

/// An RFC 5544 TimeStampedData holding `content` and one token over it.
fn timestamped_data(content: &[u8], token: &[u8]) -> Vec<u8> {
    let entry = tlv(0x30, token);
    let mut tsd = tlv(0x02, &[1]);
    tsd.extend(tlv(
        0x30,
        &[tlv(0x01, &[0x00]), tlv(0x0C, b"evidence.txt")].concat(),
    ));
    tsd.extend(tlv(0x04, content));
    tsd.extend(tlv(0xA0, &entry));
    let oid = [
        0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x1F,
    ];
    tlv(0x30, &[&oid[..], &tlv(0xA0, &tlv(0x30, &tsd))].concat())
}

#[test]
fn timestamp_verify_checks_tokens_made_by_other_tools() {
    let p = Profile {
        cert_req: false,
        intermediate: true,
        certs: Certs::Issuer,
        ..BASE
    };
    let d = Dir::new();
    setup(d.path(), &p);
    reply(d.path(), &p);
    let dir = d.path().to_str().unwrap().to_string();
    let root = format!("{dir}/root.pem");
    let apart = format!("{dir}/untrusted.pem");
    // A reply with its data, the certificates supplied apart: trusted, exit 0.
    let r = d.sigillo(&[
        "timestamp",
        "verify",
        "r.tsr",
        "--data",
        "data.bin",
        "--tsa-ca",
        &root,
        "--certs",
        &apart,
    ]);
    r.assert_exit(0);
    for needle in [
        "token: TRUSTED",
        "genTime:",
        "policy:      1.2.3.4.1",
        "accuracy:    1000 ms",
        "hash:        sha256",
        "CN=Interop tsa <- CN=Interop intermediate <- CN=Interop root (validated at genTime)",
        "revocation:  none",
        "TRUSTED: every token is valid",
    ] {
        assert!(r.stdout.contains(needle), "{needle}: {}", r.stdout);
    }
    // Without the certificates it cannot be checked (exit 1) and the fix is named.
    let r = d.sigillo(&[
        "timestamp",
        "verify",
        "r.tsr",
        "--data",
        "data.bin",
        "--tsa-ca",
        &root,
    ]);
    r.assert_exit(1);
    assert!(
        r.stdout.contains("supply the TSA's certificate"),
        "{}",
        r.stdout
    );
    // By digest, as JSON.
    let hex = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(DATA))
    };
    let r = d.sigillo(&[
        "timestamp",
        "verify",
        "r.tsr",
        "--digest",
        &hex,
        "--tsa-ca",
        &root,
        "--certs",
        &apart,
        "--json",
    ]);
    r.assert_exit(0);
    let v: serde_json::Value = r.json();
    assert_eq!(v["format"], "sigillo-token-report/1");
    assert_eq!(v["kind"], "rfc3161-reply");
    assert_eq!(v["verdict"], "trusted");
    assert_eq!(v["tokens"][0]["revocation"]["status"], "none");
    assert_eq!(v["tokens"][0]["chain"].as_array().unwrap().len(), 3);
    // Other data: invalid, exit 1, the imprint named.
    d.write("other.bin", "other");
    let r = d.sigillo(&[
        "timestamp",
        "verify",
        "r.tsr",
        "--data",
        "other.bin",
        "--tsa-ca",
        &root,
        "--certs",
        &apart,
    ]);
    r.assert_exit(1);
    assert!(
        r.stdout.contains("INVALID") && r.stdout.contains("imprint"),
        "{}",
        r.stdout
    );
    // Under the system store (no --tsa-ca): untrusted, exit 1, and what to do.
    let r = d.sigillo(&[
        "timestamp",
        "verify",
        "r.tsr",
        "--data",
        "data.bin",
        "--certs",
        &apart,
    ]);
    r.assert_exit(1);
    assert!(r.stdout.contains("pass --tsa-ca"), "{}", r.stdout);
    // Cannot run: exit 2.
    d.sigillo(&["timestamp", "verify", "missing.tsr", "--data", "data.bin"])
        .assert_exit(2);
    d.sigillo(&["timestamp", "verify", "r.tsr", "--digest", "xyz"])
        .assert_exit(2);
    d.sigillo(&["timestamp", "verify", "r.tsr"]).assert_exit(2);

    // An RFC 5544 .tsd with its data inside: no --data needed.
    let q = BASE;
    let e = Dir::new();
    setup(e.path(), &q);
    reply(e.path(), &q);
    openssl(
        e.path(),
        &[
            "ts",
            "-reply",
            "-in",
            "r.tsr",
            "-token_out",
            "-out",
            "t.tok",
        ],
    );
    let tsd = timestamped_data(DATA, &e.read("t.tok"));
    e.write("evidence.txt.tsd", &tsd);
    let root = e.join("root.pem");
    let r = e.sigillo(&[
        "timestamp",
        "verify",
        "evidence.txt.tsd",
        "--tsa-ca",
        root.to_str().unwrap(),
        "--json",
    ]);
    r.assert_exit(0);
    let v: serde_json::Value = r.json();
    assert_eq!(v["kind"], "rfc5544-timestamped-data");
    // The same .tsd with altered content: invalid.
    let mut bad = DATA.to_vec();
    bad[0] ^= 1;
    e.write("bad.tsd", timestamped_data(&bad, &e.read("t.tok")));
    e.sigillo(&[
        "timestamp",
        "verify",
        "bad.tsd",
        "--tsa-ca",
        root.to_str().unwrap(),
    ])
    .assert_exit(1);
    // `sigillo timestamp BUNDLE` still works as before (no bundle: exit 2).
    e.sigillo(&["timestamp"]).assert_exit(2);
}

/// Validation at genTime: a token made while its TSA certificate was valid stays valid
/// after that certificate expires (and says so); one made after it expired never is.
/// The TSA's clock is set with libfaketime. OpenSSL agrees when asked to judge at genTime
/// (`-attime`); without it, OpenSSL judges at the current time and refuses both.
#[test]
fn tokens_are_judged_at_gen_time() {
    let d = Dir::new();
    setup(d.path(), &BASE);
    let dir = d.path();
    // Root from 2024-12-01 for ten years; TSA certificate 2025-01-01 .. 2025-06-30.
    let (root_at, tsa_at) = (Some("2024-12-01 00:00:00"), Some("2025-01-01 00:00:00"));
    cert_at(dir, Key::P256, "root", None, ROOT_EXT, root_at, None);
    cert_at(
        dir,
        Key::P256,
        "tsa",
        Some("root"),
        TSA_EXT,
        tsa_at,
        Some("180"),
    );
    std::fs::copy(d.join("tsa.pem"), d.join("untrusted.pem")).unwrap();
    openssl(
        dir,
        &[
            "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "q.tsq",
        ],
    );
    for (when, name) in [
        ("2025-03-01 12:00:00", "in.tsr"),
        ("2025-09-01 12:00:00", "late.tsr"),
    ] {
        openssl_at(
            dir,
            Some(when),
            &[
                "ts",
                "-reply",
                "-config",
                "tsa.cnf",
                "-queryfile",
                "q.tsq",
                "-out",
                name,
            ],
        );
    }
    let openssl_at_gen_time = |file: &str, t: &str| {
        let secs = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp()
            .to_string();
        let r = Tool::Openssl.run(
            dir,
            &[
                "ts", "-verify", "-data", "data.bin", "-in", file, "-CAfile", "root.pem",
                "-attime", &secs,
            ],
        );
        r.stdout.contains("Verification: OK")
    };
    // Made while valid: OpenSSL at genTime accepts; sigillo accepts and says the
    // certificate expired afterwards.
    assert!(openssl_at_gen_time("in.tsr", "2025-03-01 12:00:00"));
    assert!(
        !openssl_accepts(dir, "in.tsr", false).0,
        "OpenSSL at now refuses"
    );
    let v = sigillo_status(dir, &d.read("in.tsr"));
    assert_eq!(v.status, TokenStatus::Trusted);
    let r = d.sigillo(&[
        "timestamp",
        "verify",
        "in.tsr",
        "--data",
        "data.bin",
        "--tsa-ca",
        d.join("root.pem").to_str().unwrap(),
    ]);
    r.assert_exit(0);
    assert!(
        r.stdout
            .contains("the TSA certificate expired on 2025-06-30")
            && r.stdout
                .contains("after the token (genTime 2025-03-01T12:00:00"),
        "{}",
        r.stdout
    );
    // Made after the certificate expired: refused by both, the reason named.
    assert!(!openssl_at_gen_time("late.tsr", "2025-09-01 12:00:00"));
    match sigillo_status(dir, &d.read("late.tsr")).status {
        TokenStatus::Untrusted { reason } => {
            assert!(reason.contains("not valid at genTime"), "{reason}")
        }
        s => panic!("{s:?}"),
    }
}

/// Path length: an intermediate limited to `pathlen:0` cannot issue another CA; a TSA
/// below that second CA is refused, by OpenSSL and by sigillo (webpki).
#[test]
fn path_length_constraints_hold() {
    let d = Dir::new();
    let p = Profile {
        intermediate: true,
        certs: Certs::Issuer,
        ..BASE
    };
    setup(d.path(), &p);
    let dir = d.path();
    // root -> intermediate (pathlen:0) -> sub CA -> TSA.
    cert(
        dir,
        Key::P256,
        "sub",
        Some("intermediate"),
        "[v3]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n",
    );
    cert(dir, Key::P256, "tsa", Some("sub"), TSA_EXT);
    let chain = [d.read_string("sub.pem"), d.read_string("intermediate.pem")].concat();
    d.write("chain.pem", &chain);
    d.write("untrusted.pem", [d.read_string("tsa.pem"), chain].concat());
    let cnf = d
        .read_string("tsa.cnf")
        .replace("intermediate.pem", "chain.pem");
    d.write("tsa.cnf", cnf);
    let tsr = reply(dir, &p);
    assert!(
        !openssl_accepts(dir, "r.tsr", false).0,
        "OpenSSL refuses the path"
    );
    assert_ne!(sigillo_status(dir, &tsr).status, TokenStatus::Trusted);
}

/// A real `openssl ocsp` responder on `port` for the interop PKI (`index.txt`, signing
/// as the root).
fn ocsp_responder(dir: &Path, port: u16) -> crate::support::ocsp::Responder {
    crate::support::ocsp::Responder::start(dir, "index.txt", "root.pem", "root.key", port)
}

use crate::support::ocsp::free_port;

/// Serves `body` for any GET on 127.0.0.1; returns the port.
fn serve_file(body: Vec<u8>) -> u16 {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            let _ = s.write_all(&body);
        }
    });
    port
}

/// A TSA (root in its `certs`) whose certificate carries `extra` extension lines; the
/// OpenSSL CA database `index.txt` lists it as `status` ("V" or "R").
fn ltv_tsa(extra: &str, revoked: bool) -> (Dir, String) {
    let p = Profile {
        certs: Certs::Issuer,
        ..BASE
    };
    let d = Dir::new();
    setup(d.path(), &p);
    cert(
        d.path(),
        Key::P256,
        "tsa",
        Some("root"),
        &format!("{TSA_EXT}{extra}"),
    );
    let r = Tool::Openssl.run(d.path(), &["x509", "-in", "tsa.pem", "-noout", "-serial"]);
    let serial = r.stdout.trim().trim_start_matches("serial=").to_string();
    let line = if revoked {
        format!(
            "R\t351231235959Z\t250102030405Z,keyCompromise\t{serial}\tunknown\t/CN=Interop tsa\n"
        )
    } else {
        format!("V\t351231235959Z\t\t{serial}\tunknown\t/CN=Interop tsa\n")
    };
    d.write("index.txt", line);
    (d, serial)
}

fn seal_with(tsa_url: &str) -> (Dir, Run) {
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    d.write("e.txt", "evidence");
    let r = d
        .command()
        .args(&[
            "add",
            "e.txt",
            "-o",
            "case.zip",
            "--key",
            "k.pem",
            "--tsa",
            tsa_url,
            "--require-tsa",
        ])
        .run();
    (d, r)
}

/// Long-term validation: the OCSP response for the TSA certificate, from a real `openssl
/// ocsp` responder on loopback, is fetched when sealing, stored beside the token, read
/// by OpenSSL, and judged offline by `verify`. A revoked TSA is refused when sealing.
#[test]
fn ocsp_responses_are_stored_with_the_token_and_judged_offline() {
    for revoked in [false, true] {
        let port = free_port();
        let (t, _) = ltv_tsa(
            &format!("authorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/\n"),
            revoked,
        );
        let responder = ocsp_responder(t.path(), port);
        let root = t.join("root.pem");
        let tsa = TestTsa::serve_dir(t, Mode::Normal, root.clone(), PathBuf::new());
        let (d, r) = seal_with(&tsa.url);
        if revoked {
            assert_ne!(r.code, 0, "{}", r.all());
            assert!(r.stderr.contains("is revoked"), "{}", r.stderr);
            assert!(!d.join("case.zip").exists(), "nothing written");
            drop(responder);
            continue;
        }
        r.assert_exit(0);
        assert!(!r.stderr.contains("no revocation data"), "{}", r.stderr);
        let ocsp = member(&d.join("case.zip"), "/manifest.tsa1.ocsp");
        d.write("stored.ocsp", &ocsp);
        let o = Tool::Openssl.run(
            d.path(),
            &["ocsp", "-respin", "stored.ocsp", "-resp_text", "-noverify"],
        );
        assert!(o.stdout.contains("Cert Status: good"), "{}", o.all());
        // A custody entry's token gets its revocation data too.
        d.command()
            .args(&[
                "custody",
                "add",
                "case.zip",
                "--action",
                "note",
                "--note",
                "n",
                "--key",
                "k.pem",
                "--tsa",
                &tsa.url,
                "--require-tsa",
            ])
            .assert_exit(0);
        assert!(
            d.zip("case.zip")
                .iter()
                .any(|(n, _)| n.starts_with("custody/") && n.ends_with(".tsa1.ocsp"))
        );
        // The responder is gone: verify works from the stored data alone.
        drop(responder);
        let ca = root.to_str().unwrap();
        let r = d.sigillo(&["verify", "case.zip", "--tsa-ca", ca]);
        r.assert_exit(0);
        assert!(
            r.stdout.contains("revocation: good (ocsp of 20"),
            "{}",
            r.stdout
        );
        let v: serde_json::Value = d
            .sigillo(&["verify", "case.zip", "--json", "--tsa-ca", ca])
            .json();
        let stamps = v["timestamps"].as_array().unwrap();
        assert_eq!(stamps.len(), 2, "item and custody tokens");
        for s in stamps {
            let rev = &s["info"]["revocation"];
            assert_eq!(rev["status"], "good", "{rev}");
            assert_eq!(rev["source"], "ocsp");
            assert_eq!(rev["checked"][0]["certificate"], 1);
        }
    }
}

/// The same with a CRL (the TSA certificate names only a CRL distribution point),
/// made by `openssl ca -gencrl` and served on loopback.
#[test]
fn crls_are_stored_with_the_token_and_judged_offline() {
    let (t, _) = ltv_tsa("", false);
    // The CRL is made first; the certificate naming its URL is made again after.
    std::fs::write(
        t.join("ca.cnf"),
        "[ca]\ndefault_ca = t\n[t]\ndatabase = ./index.txt\ncrlnumber = ./crlnumber\ncertificate = ./root.pem\nprivate_key = ./root.key\ndefault_md = sha256\ndefault_crl_days = 30\n",
    )
    .unwrap();
    t.write("crlnumber", "1000\n");
    openssl(
        t.path(),
        &["ca", "-config", "ca.cnf", "-gencrl", "-out", "root.crl.pem"],
    );
    openssl(
        t.path(),
        &[
            "crl",
            "-in",
            "root.crl.pem",
            "-outform",
            "DER",
            "-out",
            "root.crl",
        ],
    );
    let port = serve_file(t.read("root.crl"));
    cert(
        t.path(),
        Key::P256,
        "tsa",
        Some("root"),
        &format!("{TSA_EXT}crlDistributionPoints = URI:http://127.0.0.1:{port}/root.crl\n"),
    );
    let root = t.join("root.pem");
    let tsa = TestTsa::serve_dir(t, Mode::Normal, root.clone(), PathBuf::new());
    let (d, r) = seal_with(&tsa.url);
    r.assert_exit(0);
    let crl = member(&d.join("case.zip"), "/manifest.tsa1.crl");
    d.write("stored.crl", &crl);
    let o = Tool::Openssl.run(
        d.path(),
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "stored.crl",
            "-noout",
            "-issuer",
        ],
    );
    assert!(o.stdout.contains("Interop root"), "{}", o.all());
    let r = d.sigillo(&["verify", "case.zip", "--tsa-ca", root.to_str().unwrap()]);
    r.assert_exit(0);
    assert!(
        r.stdout.contains("revocation: good (crl of 20"),
        "{}",
        r.stdout
    );
}

/// Renewal that extends proof: `timestamp --renew` stamps the list of `manifest.sig`
/// and every earlier token with its certificates and revocation data
/// (`manifest.N.archive`, `sha256sum` format); `verify` checks each list against the
/// bundle, and the stock tools check it too.
#[test]
fn renewals_cover_every_earlier_token_and_its_validation_data() {
    let port = free_port();
    let (t, _) = ltv_tsa(
        &format!("authorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/\n"),
        false,
    );
    let _responder = ocsp_responder(t.path(), port);
    let root = t.join("root.pem");
    let tsa = TestTsa::serve_dir(t, Mode::Normal, root.clone(), PathBuf::new());
    let (d, r) = seal_with(&tsa.url);
    r.assert_exit(0);
    for _ in 0..2 {
        d.command()
            .args(&[
                "timestamp",
                "case.zip",
                "--renew",
                "--key",
                "k.pem",
                "--tsa",
                &tsa.url,
                "--require-tsa",
            ])
            .assert_exit(0);
    }
    let ca = root.to_str().unwrap().to_string();
    let r = d.sigillo(&["verify", "case.zip", "--tsa-ca", &ca]);
    r.assert_exit(0);
    assert!(
        r.stdout
            .contains("renewal over manifest.sig and token(s) 1–2 with their validation data"),
        "{}",
        r.stdout
    );
    // By hand: the list checks with sha256sum, the token over it with openssl.
    let x = d.join("x");
    crate::tool::unzip(&d.join("case.zip"), &x);
    let item = std::fs::read_dir(x.join("items"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let list = std::fs::read_to_string(item.join("manifest.3.archive")).unwrap();
    for f in [
        "manifest.sig",
        "manifest.tsr",
        "manifest.tsa.pem",
        "manifest.tsa1.ocsp",
        "manifest.2.archive",
        "manifest.2.tsr",
        "manifest.2.tsa1.ocsp",
    ] {
        assert!(list.contains(&format!("  {f}\n")), "{f} in {list}");
    }
    let r = Tool::Sha256sum.run(&item, &["-c", "manifest.3.archive"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = Tool::Openssl.run(
        &item,
        &[
            "ts",
            "-verify",
            "-data",
            "manifest.3.archive",
            "-in",
            "manifest.3.tsr",
            "-CAfile",
            &ca,
        ],
    );
    assert!(r.stdout.contains("Verification: OK"), "{}", r.all());
}

/// An ETSI TS 119 612 trusted list naming the test TSA's certificate as service
/// `svc_type` with `status` since 2020, signed by a scheme operator with xmlsec1.
fn trusted_list(d: &Dir, tsa_pem: &Path, svc_type: &str, status: &str) -> PathBuf {
    use base64::Engine as _;
    let der = x509_cert::Certificate::load_pem_chain(&std::fs::read(tsa_pem).unwrap())
        .unwrap()
        .remove(0);
    let b64 = base64::engine::general_purpose::STANDARD.encode(der::Encode::to_der(&der).unwrap());
    let xml = format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
    <TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#" Id="tsl"><SchemeInformation><TSLSequenceNumber>42</TSLSequenceNumber><SchemeTerritory>IT</SchemeTerritory><ListIssueDateTime>2026-11-01T00:00:00Z</ListIssueDateTime></SchemeInformation><TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang="en">Test QTSP S.p.A.</Name></TSPName></TSPInformation><TSPServices><TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/{svc_type}</ServiceTypeIdentifier><ServiceName><Name xml:lang="en">Test time stamping</Name></ServiceName><ServiceDigitalIdentity><DigitalId><X509Certificate>{b64}</X509Certificate></DigitalId></ServiceDigitalIdentity><ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/{status}</ServiceStatus><StatusStartingTime>2020-01-01T00:00:00Z</StatusStartingTime></ServiceInformation></TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#tsl"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature></TrustServiceStatusList>"##
    );
    let name = format!("tl-{}-{status}", svc_type.replace('/', "-"));
    d.write(&format!("{name}.tmpl.xml"), xml);
    if !d.join("so.key").exists() {
        openssl(
            d.path(),
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "so.key",
                "-out",
                "so.pem",
                "-days",
                "3650",
                "-subj",
                "/CN=Scheme Operator",
            ],
        );
    }
    let out = format!("{name}.xml");
    let r = Tool::Xmlsec1.run(
        d.path(),
        &[
            "--sign",
            "--privkey-pem",
            "so.key,so.pem",
            "--id-attr:Id",
            "TrustServiceStatusList",
            "--output",
            &out,
            &format!("{name}.tmpl.xml"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    d.join(&out)
}

/// `verify --trusted-list`: a TSA listed as a granted QTST is reported qualified (with
/// what eIDAS Art. 41(2) gives it); a non-qualified TSA service is not; a list whose
/// signature does not verify is refused.
#[test]
fn a_trusted_list_says_whether_the_tsa_was_qualified() {
    let t = TestTsa::start(Mode::Normal);
    let d = Dir::new();
    d.key("k.pem", "Avv. Rossi");
    d.write("e.txt", "evidence");
    d.add(&[
        "e.txt",
        "-o",
        "case.zip",
        "--key",
        "k.pem",
        "--tsa",
        &t.url,
        "--require-tsa",
    ]);
    let ca = t.ca_pem.to_str().unwrap().to_string();
    let qualified = trusted_list(&d, &t.tsa_pem, "TSA/QTST", "granted");
    let r = d.sigillo(&[
        "verify",
        "case.zip",
        "--tsa-ca",
        &ca,
        "--trusted-list",
        qualified.to_str().unwrap(),
    ]);
    r.assert_exit(0);
    assert!(
        r.stdout
            .contains("qualified: a qualified time-stamping service (QTST)")
            && r.stdout.contains("eIDAS Art. 41(2)")
            && r.stdout.contains("trusted list IT no. 42")
            && r.stdout.contains("XML signature valid"),
        "{}",
        r.stdout
    );
    let v: serde_json::Value = d
        .sigillo(&[
            "verify",
            "case.zip",
            "--json",
            "--tsa-ca",
            &ca,
            "--trusted-list",
            qualified.to_str().unwrap(),
        ])
        .json();
    let q = &v["timestamps"][0]["info"]["qualified"];
    assert_eq!(q["status"], "qualified", "{q}");
    assert_eq!(q["provider"], "Test QTSP S.p.A.");
    // A non-qualified TSA service: said so, not a failure.
    let plain = trusted_list(&d, &t.tsa_pem, "TSA", "granted");
    let r = d.sigillo(&[
        "verify",
        "case.zip",
        "--tsa-ca",
        &ca,
        "--trusted-list",
        plain.to_str().unwrap(),
    ]);
    r.assert_exit(0);
    assert!(r.stdout.contains("not-qualified"), "{}", r.stdout);
    // A QTST whose status was withdrawn (since 2020, before genTime) was not qualified
    // when it stamped: said so, and not a failure.
    let withdrawn = trusted_list(&d, &t.tsa_pem, "TSA/QTST", "withdrawn");
    let v: serde_json::Value = d
        .sigillo(&[
            "verify",
            "case.zip",
            "--json",
            "--tsa-ca",
            &ca,
            "--trusted-list",
            withdrawn.to_str().unwrap(),
        ])
        .json();
    assert_eq!(v["verdict"], "verified", "{v:#}");
    let q = &v["timestamps"][0]["info"]["qualified"];
    assert_ne!(q["status"], "qualified", "{q}");
    // A list altered after signing: refused, exit 2.
    let text = std::fs::read_to_string(&qualified)
        .unwrap()
        .replace("Test QTSP S.p.A.", "Other QTSP");
    d.write("altered.xml", text);
    let r = d.sigillo(&["verify", "case.zip", "--trusted-list", "altered.xml"]);
    r.assert_exit(2);
    assert!(r.stderr.contains("does not verify"), "{}", r.stderr);
}

/// Most TSAs embed only their own certificate. The issuer is then fetched from the
/// certificate's caIssuers URL (served on loopback), stored with the token, and the OCSP
/// answer for the TSA certificate is kept as when the token carries its chain. Without a
/// caIssuers URL, sealing warns that no revocation data could be kept, and says why.
#[test]
fn a_token_without_its_chain_gets_the_issuer_from_ca_issuers() {
    let t = Dir::new();
    setup(
        t.path(),
        &Profile {
            certs: Certs::None,
            ..BASE
        },
    );
    openssl(
        t.path(),
        &[
            "x509", "-in", "root.pem", "-outform", "DER", "-out", "root.der",
        ],
    );
    let ca_port = serve_file(t.read("root.der"));
    let port = free_port();
    cert(
        t.path(),
        Key::P256,
        "tsa",
        Some("root"),
        &format!(
            "{TSA_EXT}authorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/,caIssuers;URI:http://127.0.0.1:{ca_port}/root.der\n"
        ),
    );
    let r = Tool::Openssl.run(t.path(), &["x509", "-in", "tsa.pem", "-noout", "-serial"]);
    let serial = r.stdout.trim().trim_start_matches("serial=").to_string();
    t.write(
        "index.txt",
        format!("V\t351231235959Z\t\t{serial}\tunknown\t/CN=Interop tsa\n"),
    );
    let responder = ocsp_responder(t.path(), port);
    let root = t.join("root.pem");
    let tsa = TestTsa::serve_dir(t, Mode::Normal, root.clone(), PathBuf::new());
    let (d, r) = seal_with(&tsa.url);
    r.assert_exit(0);
    assert!(!r.stderr.contains("no revocation data"), "{}", r.stderr);
    let chain = String::from_utf8(member(&d.join("case.zip"), "/manifest.tsa.pem")).unwrap();
    assert_eq!(
        chain.matches("BEGIN CERTIFICATE").count(),
        2,
        "the issuer fetched from caIssuers is stored with the token"
    );
    member(&d.join("case.zip"), "/manifest.tsa1.ocsp");
    drop(responder);
    let r = d.sigillo(&["verify", "case.zip", "--tsa-ca", root.to_str().unwrap()]);
    r.assert_exit(0);
    assert!(
        r.stdout.contains("revocation: good (ocsp of 20"),
        "{}",
        r.stdout
    );

    // The test TSA of support::tsa embeds only its certificate and names no caIssuers.
    let plain = TestTsa::start(Mode::Normal);
    let (_d, r) = seal_with(&plain.url);
    r.assert_exit(0);
    assert!(
        r.stderr
            .contains("no revocation data for 'CN=Test Evidence TSA'"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("certs = chain.pem"), "{}", r.stderr);
}

/// `timestamp verify --revocation FILE`: OCSP answers kept with a standalone token are
/// judged at genTime, offline: a good answer is reported with its source and date, an
/// answer saying the TSA was revoked before genTime makes the token invalid, and an
/// answer whose bytes were changed does not hold.
#[test]
fn timestamp_verify_judges_revocation_data_given_with_the_token() {
    let d = Dir::new();
    let p = Profile {
        certs: Certs::Issuer,
        ..BASE
    };
    setup(d.path(), &p);
    reply(d.path(), &p);
    let r = Tool::Openssl.run(d.path(), &["x509", "-in", "tsa.pem", "-noout", "-serial"]);
    let serial = r.stdout.trim().trim_start_matches("serial=").to_string();
    let answer = |status_line: &str, out: &str| {
        d.write(
            "index.txt",
            format!("{status_line}\t{serial}\tunknown\t/CN=Interop tsa\n"),
        );
        openssl(
            d.path(),
            &[
                "ocsp",
                "-issuer",
                "root.pem",
                "-cert",
                "tsa.pem",
                "-no_nonce",
                "-reqout",
                "req.der",
            ],
        );
        openssl(
            d.path(),
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "root.pem",
                "-rsigner",
                "root.pem",
                "-rkey",
                "root.key",
                "-reqin",
                "req.der",
                "-respout",
                out,
            ],
        );
    };
    answer("V\t351231235959Z\t", "good.ocsp");
    // A good answer produced in 2025 (the responder's clock set back by faketime), with
    // no nextUpdate: it says nothing about genTime (now).
    d.write(
        "index.txt",
        format!("V\t351231235959Z\t\t{serial}\tunknown\t/CN=Interop tsa\n"),
    );
    openssl_at(
        d.path(),
        Some("2025-06-01 00:00:00"),
        &[
            "ocsp",
            "-index",
            "index.txt",
            "-CA",
            "root.pem",
            "-rsigner",
            "root.pem",
            "-rkey",
            "root.key",
            "-reqin",
            "req.der",
            "-respout",
            "old.ocsp",
        ],
    );
    answer(
        "R\t351231235959Z\t250102030405Z,keyCompromise",
        "revoked.ocsp",
    );
    // One digit of producedAt (a GeneralizedTime, tag 0x18, 15 bytes) changed: the
    // signature no longer holds.
    let mut bad = d.read("good.ocsp");
    let at = bad
        .windows(2)
        .position(|w| w == [0x18, 0x0F])
        .expect("producedAt")
        + 2
        + 13;
    bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
    d.write("bad.ocsp", &bad);

    let check = |file: &str| {
        d.command()
            .args(&[
                "timestamp",
                "verify",
                "r.tsr",
                "--data",
                "data.bin",
                "--tsa-ca",
                "root.pem",
                "--revocation",
                file,
                "--json",
            ])
            .run()
    };
    let r = check("good.ocsp");
    r.assert_exit(0);
    let v: serde_json::Value = r.json();
    let rev = &v["tokens"][0]["revocation"];
    assert_eq!(rev["status"], "good", "{v:#}");
    assert_eq!(rev["source"], "ocsp");
    assert!(
        rev["produced_at"].as_str().unwrap().starts_with("20"),
        "{rev}"
    );

    let r = check("old.ocsp");
    r.assert_exit(0);
    let v: serde_json::Value = r.json();
    assert_eq!(v["tokens"][0]["revocation"]["status"], "stale", "{v:#}");

    let r = check("revoked.ocsp");
    r.assert_exit(1);
    let v: serde_json::Value = r.json();
    assert_eq!(v["tokens"][0]["status"], "invalid", "{v:#}");
    assert!(
        v["tokens"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("revoked on 2025-01-02T03:04:05"),
        "{v:#}"
    );

    let r = check("bad.ocsp");
    r.assert_exit(1);
    let v: serde_json::Value = r.json();
    assert!(
        v["tokens"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("does not hold"),
        "{v:#}"
    );

    // Text output names the source and date.
    let r = d
        .command()
        .args(&[
            "timestamp",
            "verify",
            "r.tsr",
            "--data",
            "data.bin",
            "--tsa-ca",
            "root.pem",
            "--revocation",
            "good.ocsp",
        ])
        .assert_exit(0);
    assert!(
        r.stdout.contains("revocation:  good (ocsp of 20"),
        "{}",
        r.stdout
    );
}

/// Every profile of the matrix through the stamping path too: a loopback HTTP TSA run by
/// `openssl ts -reply`, a real seal with `--require-tsa`, and `verify` against the root.
#[test]
fn every_accepted_profile_seals_end_to_end() {
    for p in ACCEPTED.iter().filter(|p| p.cert_req) {
        let t = Dir::new();
        setup(t.path(), p);
        let root = t.join("root.pem");
        let tsa = TestTsa::serve_dir(t, Mode::Normal, root.clone(), PathBuf::new());
        let (d, r) = seal_with(&tsa.url);
        assert_eq!(r.code, 0, "{}: {}", p.name, r.all());
        assert!(
            r.stderr.contains("1 trusted timestamp") || r.stderr.contains("timestamp"),
            "{}: {}",
            p.name,
            r.stderr
        );
        let v: serde_json::Value = d
            .sigillo(&[
                "verify",
                "case.zip",
                "--json",
                "--tsa-ca",
                root.to_str().unwrap(),
            ])
            .json();
        assert_eq!(v["verdict"], "verified", "{}: {v:#}", p.name);
        assert_eq!(
            v["timestamps"][0]["info"]["status"], "trusted",
            "{}",
            p.name
        );
    }
}
