//! A real RFC 3161 timestamp authority on 127.0.0.1 for tests: OpenSSL's `openssl ts
//! -reply` behind a tiny HTTP/1.1 handler. It makes its own root CA and TSA certificate
//! (critical timeStamping EKU) in a temporary folder.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::tool::Tool;
use crate::util::Dir;

/// How the test TSA behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Answers every query correctly.
    Normal,
    /// Answers with a rejection status (the TSA accepts no SHA-256 imprints).
    Reject,
    /// Answers 200 with bytes that are not a reply.
    Garbage,
    /// Accepts the connection and never answers.
    Hang,
    /// Answers with a valid token for another query (wrong imprint and nonce).
    OtherQuery,
    /// Needs an account: HTTP basic authentication as [`ACCOUNT`], else 401.
    NeedsAuth,
}

/// The account of a [`Mode::NeedsAuth`] TSA: (user, password).
pub const ACCOUNT: (&str, &str) = ("studio.rossi", "tsa-Pa55:word");

/// Key type of the TSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// ECDSA P-256.
    P256,
    /// RSA 2048.
    Rsa,
}

pub struct TestTsa {
    pub url: String,
    pub dir: Dir,
    pub ca_pem: PathBuf,
    pub tsa_pem: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let r = Tool::Openssl.run(dir, args);
    assert!(r.code == 0, "openssl {args:?} failed: {}", r.stderr);
}

/// Make a CA and a TSA certificate in `dir` (used also to make an unrelated CA).
pub fn make_pki(dir: &Path, key: KeyType, cn: &str) {
    let newkey: &[&str] = match key {
        KeyType::P256 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        KeyType::Rsa => &["-newkey", "rsa:2048"],
    };
    let mut a = vec!["req", "-x509"];
    a.extend_from_slice(newkey);
    let subj = format!("/CN={cn} Root CA");
    a.extend_from_slice(&[
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-subj",
        &subj,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &a);
    let mut a = vec!["req", "-new"];
    a.extend_from_slice(newkey);
    let subj = format!("/CN={cn} TSA");
    a.extend_from_slice(&[
        "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", &subj,
    ]);
    openssl(dir, &a);
    std::fs::write(
        dir.join("tsa_ext.cnf"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tsa.pem",
            "-days",
            "825",
            "-extfile",
            "tsa_ext.cnf",
        ],
    );
}

fn config(dir: &Path, digests: &str) -> String {
    format!(
        "[tsa]\ndefault_tsa = tsa_config1\n[tsa_config1]\ndir = {d}\nserial = $dir/tsaserial\ncrypto_device = builtin\n\
         signer_cert = $dir/tsa.pem\nsigner_key = $dir/tsa.key\nsigner_digest = sha256\n\
         default_policy = 1.2.3.4.1\nother_policies = 1.2.3.4.5\ndigests = {digests}\n\
         accuracy = secs:1, millisecs:500, microsecs:100\nclock_precision_digits = 3\nordering = yes\ntsa_name = yes\n\
         ess_cert_id_chain = no\ness_cert_id_alg = sha256\n",
        d = dir.display()
    )
}

impl TestTsa {
    pub fn start(mode: Mode) -> TestTsa {
        Self::start_with(mode, KeyType::P256)
    }

    pub fn start_with(mode: Mode, key: KeyType) -> TestTsa {
        let dir = Dir::new();
        make_pki(dir.path(), key, "Test Evidence");
        dir.write("tsaserial", "01\n");
        let digests = if mode == Mode::Reject {
            "sha512"
        } else {
            "sha256, sha384, sha512"
        };
        dir.write("tsa.cnf", config(dir.path(), digests));
        let (ca_pem, tsa_pem) = (dir.join("ca.pem"), dir.join("tsa.pem"));
        Self::serve_dir(dir, mode, ca_pem, tsa_pem)
    }

    /// Serve `openssl ts -reply -config tsa.cnf` from a folder set up by the caller
    /// (its own PKI and configuration: see `tsa_interop`).
    pub fn serve_dir(dir: Dir, mode: Mode, ca_pem: PathBuf, tsa_pem: PathBuf) -> TestTsa {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsr", listener.local_addr().unwrap());
        let d = dir.path().to_path_buf();
        let lock = Arc::new(Mutex::new(()));
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let d = d.clone();
                let lock = lock.clone();
                std::thread::spawn(move || serve(conn, &d, mode, &lock));
            }
        });
        TestTsa {
            url,
            ca_pem,
            tsa_pem,
            dir,
        }
    }
}

/// The request's head (lower-cased header names kept as sent) and body.
fn read_request(conn: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    loop {
        let n = conn.read(&mut tmp).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = conn.read(&mut tmp).ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&tmp[..n]);
            }
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            return Some((head, buf[end + 4..end + 4 + len].to_vec()));
        }
    }
}

fn serve(mut conn: TcpStream, dir: &Path, mode: Mode, lock: &Mutex<()>) {
    let Some((head, query)) = read_request(&mut conn) else {
        return;
    };
    if mode == Mode::NeedsAuth {
        use base64::Engine as _;
        let want = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", ACCOUNT.0, ACCOUNT.1))
        );
        let ok = head.lines().any(|l| {
            l.split_once(':')
                .is_some_and(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.trim() == want)
        });
        if !ok {
            let _ = conn.write_all(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"tsa\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
    }
    let body = match mode {
        Mode::Hang => {
            std::thread::sleep(Duration::from_secs(30));
            return;
        }
        Mode::Garbage => b"this is not a timestamp".to_vec(),
        _ => {
            let _g = lock.lock().unwrap();
            let q = dir.join("q.tsq");
            if mode == Mode::OtherQuery {
                std::fs::write(dir.join("other.txt"), b"other data").unwrap();
                openssl(
                    dir,
                    &[
                        "ts",
                        "-query",
                        "-data",
                        "other.txt",
                        "-sha256",
                        "-cert",
                        "-out",
                        "q.tsq",
                    ],
                );
            } else {
                std::fs::write(&q, &query).unwrap();
            }
            let o = Tool::Openssl
                .command()
                .args([
                    "ts",
                    "-reply",
                    "-config",
                    "tsa.cnf",
                    "-queryfile",
                    "q.tsq",
                    "-out",
                    "r.tsr",
                ])
                .current_dir(dir)
                .output()
                .unwrap();
            if !o.status.success() {
                let _ = conn.write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return;
            }
            std::fs::read(dir.join("r.tsr")).unwrap()
        }
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(&body);
}
