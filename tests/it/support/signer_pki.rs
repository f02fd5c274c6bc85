//! A real test PKI for X.509 co-signers, made with the `openssl` CLI: a root CA
//! ("Test Qualified CA") and a holder certificate for ROSSI MARIA (Italian-style subject,
//! nonRepudiation, optionally a QcCompliance statement, optionally expired), the holder's
//! key as PKCS#8 PEM and as PKCS#12 (OpenSSL 3 default and `-legacy` encryption), a
//! same-name "twin" CA that must not be trusted, and a SoftHSM2 token holding the key and
//! certificate for PKCS#11 signing. Everything lives in a folder the caller owns.
//!
//! SoftHSM2 2.6 quirk: EC keys sign only with the raw `CKM_ECDSA` mechanism (the caller
//! hashes); `CKM_ECDSA_SHA256` is `CKR_MECHANISM_INVALID`. RSA has `CKM_SHA256_RSA_PKCS`
//! and `CKM_SHA256_RSA_PKCS_PSS`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tool::Tool;

/// The holder's key type (the CA uses the same type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignerKey {
    Rsa2048,
    EcP256,
    EcP384,
}

impl SignerKey {
    /// All three, for tests that run over every key type.
    pub const ALL: [SignerKey; 3] = [SignerKey::Rsa2048, SignerKey::EcP256, SignerKey::EcP384];

    fn genpkey_args(self) -> &'static [&'static str] {
        match self {
            SignerKey::Rsa2048 => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            SignerKey::EcP256 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            SignerKey::EcP384 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        }
    }

    /// The digest the CA signs with (and the natural one for the holder's signatures).
    pub fn digest(self) -> &'static str {
        match self {
            SignerKey::EcP384 => "sha384",
            _ => "sha256",
        }
    }
}

/// What the holder certificate looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holder {
    pub key: SignerKey,
    /// keyUsage `nonRepudiation, digitalSignature`; when false only `keyEncipherment`
    /// (a certificate that must not be accepted for signing).
    pub non_repudiation: bool,
    /// A QCStatements extension with QcCompliance (0.4.0.1862.1.1).
    pub qualified: bool,
    /// Valid 2020-01-01 to 2021-01-01 only (instead of now-1 day to now+2 years).
    pub expired: bool,
    /// An Authority Information Access OCSP URL `http://127.0.0.1:PORT/` (the caller
    /// runs the responder on the CA database `ca-db/index.txt`, signing as `ca.pem`).
    pub ocsp_port: Option<u16>,
}

impl Holder {
    /// A good qualified signer: nonRepudiation, QcCompliance, valid now.
    pub fn valid(key: SignerKey) -> Holder {
        Holder {
            key,
            non_repudiation: true,
            qualified: true,
            expired: false,
            ocsp_port: None,
        }
    }
}

/// Subject of the root CA (and of its untrusted twin).
pub const CA_SUBJECT: &str = "/C=IT/O=Test Trust Service/CN=Test Qualified CA";
/// Subject of the holder certificate.
pub const HOLDER_SUBJECT: &str =
    "/C=IT/SN=ROSSI/GN=MARIA/serialNumber=TINIT-RSSMRA80A41H501U/CN=ROSSI MARIA";
/// Password of both PKCS#12 files.
pub const P12_PASSWORD: &str = "secret-p12";
/// The QCStatements extension value: SEQUENCE { SEQUENCE { OID 0.4.0.1862.1.1 } }.
pub const QC_COMPLIANCE_DER: &str = "DER:30:0a:30:08:06:06:04:00:8e:46:01:01";
/// Validity of an expired holder (openssl `ca` date format).
pub const EXPIRED_START: &str = "20200101000000Z";
pub const EXPIRED_END: &str = "20210101000000Z";

/// Everything in `dir`.
#[derive(Clone, Debug)]
pub struct SignerPki {
    pub dir: PathBuf,
    /// Root CA "Test Qualified CA", self-signed, valid 2019-01-01 to now+10 years.
    pub ca_pem: PathBuf,
    /// Holder certificate, PEM.
    pub cert_pem: PathBuf,
    /// Holder key, PKCS#8 PEM, unencrypted.
    pub key_pem: PathBuf,
    /// `openssl pkcs12 -export` of key + cert + CA, password [`P12_PASSWORD`] (AES-256-CBC,
    /// PBKDF2, SHA-256 MAC).
    pub p12: PathBuf,
    /// The same with `-legacy` (3DES key bag, RC2-40 cert bag, SHA-1 MAC) when this
    /// OpenSSL can, else the same path as `p12`.
    pub p12_legacy: PathBuf,
    /// What was asked for.
    pub holder: Holder,
}

/// Run a command; panic with its stderr when it fails. Returns stdout.
#[track_caller]
fn run(mut cmd: Command) -> String {
    let line = format!("{cmd:?}");
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {line} ({e})"));
    assert!(
        o.status.success(),
        "{line} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `openssl ARGS` in `dir`; panics with stderr on failure; returns stdout.
#[track_caller]
fn openssl(dir: &Path, args: &[&str]) -> String {
    let mut c = Tool::Openssl.command();
    c.args(args).current_dir(dir);
    run(c)
}

/// A program on `PATH` that `tool.rs` does not know; panics with an install hint.
#[track_caller]
fn on_path(name: &str, hint: &str) -> PathBuf {
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            let p = d.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("`{name}` not found on PATH; install it: {hint}");
}

fn s(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// `openssl ca` date format, `YYYYMMDDHHMMSSZ`.
fn ca_date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y%m%d%H%M%SZ").to_string()
}

fn ca_config(dir: &Path, digest: &str, holder: &Holder) -> String {
    let ku = if holder.non_repudiation {
        "critical,nonRepudiation,digitalSignature"
    } else {
        "critical,keyEncipherment"
    };
    let mut qc = if holder.qualified {
        format!("1.3.6.1.5.5.7.1.3 = {QC_COMPLIANCE_DER}\n")
    } else {
        String::new()
    };
    if let Some(port) = holder.ocsp_port {
        qc.push_str(&format!(
            "authorityInfoAccess = OCSP;URI:http://127.0.0.1:{port}/\n"
        ));
    }
    format!(
        "[ca]\ndefault_ca = test_ca\n\
         [test_ca]\ndir = {d}\ndatabase = $dir/ca-db/index.txt\nserial = $dir/ca-db/serial\n\
         new_certs_dir = $dir/ca-db\ncertificate = $dir/ca.pem\nprivate_key = $dir/ca.key\n\
         default_md = {digest}\npolicy = policy_any\nunique_subject = no\ncopy_extensions = none\n\
         preserve = yes\nemail_in_dn = no\n\
         [policy_any]\ncountryName = optional\norganizationName = optional\nsurname = optional\n\
         givenName = optional\nserialNumber = optional\ncommonName = supplied\n\
         [ca_ext]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n\
         [holder_ext]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = {ku}\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n{qc}",
        d = dir.display()
    )
}

/// Make the CA, the holder certificate, its key and the PKCS#12 files in `dir`.
pub fn make_signer_pki(dir: &Path, holder: &Holder) -> SignerPki {
    std::fs::create_dir_all(dir.join("ca-db")).unwrap();
    std::fs::write(dir.join("ca-db/index.txt"), "").unwrap();
    std::fs::write(dir.join("ca-db/serial"), "1000\n").unwrap();
    let digest = holder.key.digest();
    std::fs::write(dir.join("ca.cnf"), ca_config(dir, digest, holder)).unwrap();
    let now = chrono::Utc::now();

    // Root CA: self-signed by `openssl ca -selfsign`, so its validity (from 2019) covers
    // the expired holder's window too: an expired holder fails for its own dates only.
    let mut a = vec!["genpkey"];
    a.extend_from_slice(holder.key.genpkey_args());
    a.extend_from_slice(&["-out", "ca.key"]);
    openssl(dir, &a);
    openssl(
        dir,
        &[
            "req", "-new", "-key", "ca.key", "-subj", CA_SUBJECT, "-out", "ca.csr",
        ],
    );
    let ca_end = ca_date(now + chrono::Duration::days(3650));
    openssl(
        dir,
        &[
            "ca",
            "-batch",
            "-selfsign",
            "-config",
            "ca.cnf",
            "-notext",
            "-in",
            "ca.csr",
            "-out",
            "ca.pem",
            "-extensions",
            "ca_ext",
            "-startdate",
            "20190101000000Z",
            "-enddate",
            &ca_end,
        ],
    );

    // Holder: PKCS#8 key (genpkey writes "BEGIN PRIVATE KEY"), request, certificate.
    let mut a = vec!["genpkey"];
    a.extend_from_slice(holder.key.genpkey_args());
    a.extend_from_slice(&["-out", "key.pem"]);
    openssl(dir, &a);
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            HOLDER_SUBJECT,
            "-out",
            "holder.csr",
        ],
    );
    let (start, end) = if holder.expired {
        (EXPIRED_START.to_string(), EXPIRED_END.to_string())
    } else {
        (
            ca_date(now - chrono::Duration::days(1)),
            ca_date(now + chrono::Duration::days(730)),
        )
    };
    openssl(
        dir,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-notext",
            "-in",
            "holder.csr",
            "-out",
            "cert.pem",
            "-extensions",
            "holder_ext",
            "-startdate",
            &start,
            "-enddate",
            &end,
        ],
    );

    // PKCS#12: OpenSSL 3 defaults, then -legacy if this OpenSSL has the legacy provider.
    let pass = format!("pass:{P12_PASSWORD}");
    let export = |extra: &[&str], out: &str| {
        let mut a = vec!["pkcs12", "-export"];
        a.extend_from_slice(extra);
        a.extend_from_slice(&[
            "-inkey",
            "key.pem",
            "-in",
            "cert.pem",
            "-certfile",
            "ca.pem",
            "-name",
            "ROSSI MARIA",
            "-passout",
            &pass,
            "-out",
            out,
        ]);
        Tool::Openssl
            .command()
            .args(&a)
            .current_dir(dir)
            .output()
            .map(|o| {
                (
                    o.status.success(),
                    String::from_utf8_lossy(&o.stderr).into_owned(),
                )
            })
            .unwrap_or_else(|e| (false, e.to_string()))
    };
    let (ok, err) = export(&[], "holder.p12");
    assert!(ok, "openssl pkcs12 -export failed: {err}");
    let p12 = dir.join("holder.p12");
    let p12_legacy = if export(&["-legacy"], "holder-legacy.p12").0 {
        dir.join("holder-legacy.p12")
    } else {
        p12.clone()
    };

    SignerPki {
        dir: dir.to_path_buf(),
        ca_pem: dir.join("ca.pem"),
        cert_pem: dir.join("cert.pem"),
        key_pem: dir.join("key.pem"),
        p12,
        p12_legacy,
        holder: *holder,
    }
}

/// A different self-signed CA with exactly the subject of `pki`'s CA (new key, same
/// type): as a trust anchor it must NOT make `pki`'s holder trusted. Returns its PEM.
pub fn make_untrusted_twin(dir: &Path, pki: &SignerPki) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut a = vec!["genpkey"];
    a.extend_from_slice(pki.holder.key.genpkey_args());
    a.extend_from_slice(&["-out", "twin-ca.key"]);
    openssl(dir, &a);
    let md = format!("-{}", pki.holder.key.digest());
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            &md,
            "-key",
            "twin-ca.key",
            "-subj",
            CA_SUBJECT,
            "-days",
            "3650",
            "-out",
            "twin-ca.pem",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let twin = dir.join("twin-ca.pem");
    let a = openssl(dir, &["x509", "-in", s(&twin), "-noout", "-subject"]);
    let b = openssl(dir, &["x509", "-in", s(&pki.ca_pem), "-noout", "-subject"]);
    assert_eq!(a, b, "the twin CA must have the real CA's subject");
    twin
}

/// A SoftHSM2 token holding the holder's private key, public key and certificate
/// (all with id 01 and label [`SoftHsm::object_label`]).
#[derive(Clone, Debug)]
pub struct SoftHsm {
    /// The `SOFTHSM2_CONF` file: set it in the environment of whatever loads the module.
    pub conf: PathBuf,
    pub module: PathBuf,
    /// "sigillo"
    pub token_label: String,
    /// "rossi"
    pub object_label: String,
    /// User PIN "1234" (SO PIN "5678").
    pub pin: String,
}

impl SoftHsm {
    /// RFC 7512 URI of the key:
    /// `pkcs11:token=sigillo;object=rossi?module-path=/usr/lib/softhsm/libsofthsm2.so`.
    pub fn uri(&self) -> String {
        format!(
            "pkcs11:token={};object={}?module-path={}",
            self.token_label,
            self.object_label,
            self.module.display()
        )
    }

    /// Run `pkcs11-tool --module M --token-label T ARGS` in `dir` with only
    /// `SOFTHSM2_CONF` in its environment; panics on failure; returns stdout.
    #[track_caller]
    pub fn pkcs11_tool(&self, dir: &Path, args: &[&str]) -> String {
        let mut c = self.command(&pkcs11_tool_path());
        c.current_dir(dir)
            .arg("--module")
            .arg(&self.module)
            .args(["--token-label", &self.token_label])
            .args(args);
        run(c)
    }

    /// A command with a clean environment holding only `SOFTHSM2_CONF`.
    pub fn command(&self, program: &Path) -> Command {
        let mut c = Command::new(program);
        c.env_clear().env("SOFTHSM2_CONF", &self.conf);
        c
    }
}

fn pkcs11_tool_path() -> PathBuf {
    on_path("pkcs11-tool", "apt-get install opensc")
}

/// The SoftHSM2 PKCS#11 module, wherever the distribution put it.
#[track_caller]
pub fn softhsm_module() -> PathBuf {
    for p in [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    ] {
        if Path::new(p).is_file() {
            return PathBuf::from(p);
        }
    }
    panic!("libsofthsm2.so not found; install it: apt-get install softhsm2");
}

/// A fresh SoftHSM2 token "sigillo" (tokens in `dir/tokens`, config `dir/softhsm2.conf`)
/// with `pki`'s key, public key and certificate imported as "rossi", id 01.
pub fn make_softhsm(dir: &Path, pki: &SignerPki) -> SoftHsm {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            tokens.display()
        ),
    )
    .unwrap();
    let hsm = SoftHsm {
        conf,
        module: softhsm_module(),
        token_label: "sigillo".into(),
        object_label: "rossi".into(),
        pin: "1234".into(),
    };
    let mut c = hsm.command(&on_path("softhsm2-util", "apt-get install softhsm2"));
    c.current_dir(dir).args([
        "--init-token",
        "--free",
        "--label",
        &hsm.token_label,
        "--pin",
        &hsm.pin,
        "--so-pin",
        "5678",
    ]);
    run(c);

    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            s(&pki.key_pem),
            "-outform",
            "DER",
            "-out",
            "hsm-key.der",
        ],
    );
    openssl(
        dir,
        &[
            "pkey",
            "-in",
            s(&pki.key_pem),
            "-pubout",
            "-outform",
            "DER",
            "-out",
            "hsm-pub.der",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-in",
            s(&pki.cert_pem),
            "-outform",
            "DER",
            "-out",
            "hsm-cert.der",
        ],
    );
    for (file, ty) in [
        ("hsm-key.der", "privkey"),
        ("hsm-pub.der", "pubkey"),
        ("hsm-cert.der", "cert"),
    ] {
        hsm.pkcs11_tool(
            dir,
            &[
                "--login",
                "--pin",
                &hsm.pin,
                "--write-object",
                file,
                "--type",
                ty,
                "--id",
                "01",
                "--label",
                &hsm.object_label,
            ],
        );
    }
    hsm
}

/// The fixture against real OpenSSL: chains, CMS signatures, the twin, the expired and
/// non-signing holders, both PKCS#12 files.
#[test]
fn fixture_smoke() {
    for key in SignerKey::ALL {
        let d = crate::util::Dir::new();
        let pki = make_signer_pki(d.path(), &Holder::valid(key));
        let v = openssl(d.path(), &["verify", "-CAfile", "ca.pem", "cert.pem"]);
        assert!(v.contains("cert.pem: OK"), "{key:?}: {v}");
        let text = openssl(d.path(), &["x509", "-in", "cert.pem", "-noout", "-text"]);
        if key == SignerKey::Rsa2048 {
            println!("{text}");
        }
        assert!(
            text.contains("Subject: C = IT, SN = ROSSI, GN = MARIA, serialNumber = TINIT-RSSMRA80A41H501U, CN = ROSSI MARIA"),
            "{text}"
        );
        assert!(text.contains("qcStatements"), "{text}");
        assert!(
            text.contains("Digital Signature, Non Repudiation"),
            "{text}"
        );
        assert!(!text.contains("Extended Key Usage"), "{text}");
        let qc = openssl(
            d.path(),
            &["x509", "-in", "cert.pem", "-noout", "-ext", "qcStatements"],
        );
        assert!(!qc.is_empty());

        // Detached CMS over some bytes, verified against the CA.
        d.write("data", b"{\"manifest\":true}\n");
        openssl(
            d.path(),
            &[
                "cms",
                "-sign",
                "-binary",
                "-outform",
                "DER",
                "-in",
                "data",
                "-signer",
                "cert.pem",
                "-inkey",
                "key.pem",
                "-md",
                key.digest(),
                "-out",
                "sig.p7s",
            ],
        );
        let mut c = Tool::Openssl.command();
        c.current_dir(d.path()).args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "sig.p7s",
            "-content",
            "data",
            "-CAfile",
            "ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ]);
        let o = c.output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success() && err.contains("Verification successful"),
            "{key:?}: {err}"
        );

        // The twin has the same name and must not be a trust anchor for the holder.
        let twin = make_untrusted_twin(&d.join("twin"), &pki);
        let r = Tool::Openssl.run(d.path(), &["verify", "-CAfile", s(&twin), "cert.pem"]);
        assert_ne!(r.code, 0, "twin CA must not verify the holder: {}", r.all());

        // Both PKCS#12 files open with the password (the legacy one needs -legacy).
        for (p12, legacy) in [
            (&pki.p12, false),
            (&pki.p12_legacy, pki.p12_legacy != pki.p12),
        ] {
            let mut a = vec![
                "pkcs12",
                "-in",
                s(p12),
                "-passin",
                "pass:secret-p12",
                "-nodes",
            ];
            if legacy {
                a.push("-legacy");
            }
            let out = openssl(d.path(), &a);
            assert!(out.contains("BEGIN PRIVATE KEY"), "{out}");
            assert_eq!(out.matches("BEGIN CERTIFICATE").count(), 2, "{out}");
        }
        assert_ne!(pki.p12_legacy, pki.p12, "OpenSSL 3 here should do -legacy");
    }

    // Expired: fails now, passes inside its window.
    let d = crate::util::Dir::new();
    make_signer_pki(
        d.path(),
        &Holder {
            expired: true,
            ..Holder::valid(SignerKey::EcP256)
        },
    );
    let r = Tool::Openssl.run(d.path(), &["verify", "-CAfile", "ca.pem", "cert.pem"]);
    assert!(r.code != 0 && r.all().contains("expired"), "{}", r.all());
    let v = openssl(
        d.path(),
        &[
            "verify",
            "-attime",
            "1593561600",
            "-CAfile",
            "ca.pem",
            "cert.pem",
        ],
    );
    assert!(v.contains("OK"), "{v}");

    // Not for signing, not qualified.
    let d = crate::util::Dir::new();
    make_signer_pki(
        d.path(),
        &Holder {
            key: SignerKey::Rsa2048,
            non_repudiation: false,
            qualified: false,
            expired: false,
            ocsp_port: None,
        },
    );
    let text = openssl(d.path(), &["x509", "-in", "cert.pem", "-noout", "-text"]);
    assert!(text.contains("Key Encipherment"), "{text}");
    assert!(!text.contains("Non Repudiation"), "{text}");
    assert!(!text.contains("Digital Signature"), "{text}");
    assert!(!text.contains("qcStatements"), "{text}");
}

/// The SoftHSM2 token: objects listed, and it signs what the certificate's key verifies.
#[test]
fn softhsm_smoke() {
    for key in SignerKey::ALL {
        let d = crate::util::Dir::new();
        let pki = make_signer_pki(&d.join("pki"), &Holder::valid(key));
        let hsm = make_softhsm(&d.join("hsm"), &pki);
        assert_eq!(
            hsm.uri(),
            format!(
                "pkcs11:token=sigillo;object=rossi?module-path={}",
                hsm.module.display()
            )
        );
        let list = hsm.pkcs11_tool(d.path(), &["--login", "--pin", "1234", "--list-objects"]);
        assert!(list.contains("Private Key Object"), "{list}");
        assert!(list.contains("Public Key Object"), "{list}");
        assert!(list.contains("Certificate Object"), "{list}");
        assert!(list.contains("TINIT-RSSMRA80A41H501U"), "{list}");
        assert_eq!(list.matches("label:      rossi").count(), 3, "{list}");

        d.write("data", b"{\"manifest\":true}\n");
        let md = key.digest();
        // SoftHSM2 2.6 has no CKM_ECDSA_SHA256: EC signs the digest with raw CKM_ECDSA.
        let (mech, input) = match key {
            SignerKey::Rsa2048 => ("SHA256-RSA-PKCS", "data"),
            _ => {
                openssl(
                    d.path(),
                    &[
                        "dgst",
                        &format!("-{md}"),
                        "-binary",
                        "-out",
                        "data.hash",
                        "data",
                    ],
                );
                ("ECDSA", "data.hash")
            }
        };
        let mut a = vec![
            "--login",
            "--pin",
            "1234",
            "--sign",
            "--mechanism",
            mech,
            "--label",
            "rossi",
            "--input-file",
            input,
            "--output-file",
            "sig.bin",
        ];
        if key != SignerKey::Rsa2048 {
            a.extend_from_slice(&["--signature-format", "openssl"]);
        }
        hsm.pkcs11_tool(d.path(), &a);
        openssl(
            d.path(),
            &[
                "x509",
                "-in",
                s(&pki.cert_pem),
                "-pubkey",
                "-noout",
                "-out",
                "pub.pem",
            ],
        );
        let v = openssl(
            d.path(),
            &[
                "dgst",
                &format!("-{md}"),
                "-verify",
                "pub.pem",
                "-signature",
                "sig.bin",
                "data",
            ],
        );
        assert!(v.contains("Verified OK"), "{key:?}: {v}");
    }
}
