//! `sigillo demo`: the main job, offline, on the bundled `samples/`.
//!
//! Creates a demo key, seals the sample files (and, where this build has them, the
//! sample chat exports and a web page served on 127.0.0.1), verifies the bundle and
//! prints where everything is. Nothing leaves the machine.

use std::path::{Path, PathBuf};

use crate::bundle::{self, SealOptions, Signer};
use crate::error::{Error, Result};
use crate::evidence::custody::Actor;
use crate::evidence::keys::{self, PassphraseSource};
use crate::verify::{self, VerifyOptions};

/// The demo's case id.
pub const CASE: &str = "DEMO-2026-0001";

struct NoPassphrase;
impl PassphraseSource for NoPassphrase {
    fn passphrase(&self, path: &Path) -> Result<String> {
        Err(
            Error::input(format!("the demo key '{}' is encrypted", path.display()))
                .with_fix("use a fresh --output folder"),
        )
    }
}

/// Where the samples are: `$SIGILLO_SAMPLES`, the source tree, or `./samples`.
pub fn samples_dir() -> Result<PathBuf> {
    let candidates = [
        std::env::var_os("SIGILLO_SAMPLES").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")),
        Some(PathBuf::from("samples")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("files").is_dir())
        .ok_or_else(|| {
            Error::input("cannot find the samples/ folder")
                .with_fix("run the demo from the sigillo source folder, or set $SIGILLO_SAMPLES")
        })
}

/// Serve `dir` on 127.0.0.1 (static files, this process only) and capture its page.
fn web_demo(dir: &Path, bundle_path: &Path, signer: &Signer, opts: &SealOptions) -> Result<String> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::internal(format!("cannot listen on 127.0.0.1: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::internal(e.to_string()))?
        .port();
    let root = dir.to_path_buf();
    std::thread::spawn(move || {
        for mut c in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = c.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]);
                let path = req
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .trim_start_matches('/');
                let path = if path.is_empty() { "index.html" } else { path };
                let file = (!path.contains(".."))
                    .then(|| root.join(path))
                    .filter(|p| p.is_file());
                let (status, body) = match file.and_then(|p| std::fs::read(p).ok()) {
                    Some(b) => ("200 OK", b),
                    None => ("404 Not Found", b"not found".to_vec()),
                };
                let ct = if path.ends_with(".png") {
                    "image/png"
                } else if path.ends_with(".html") {
                    "text/html; charset=utf-8"
                } else {
                    "application/octet-stream"
                };
                let _ = c.write_all(format!("HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
                let _ = c.write_all(&body);
            });
        }
    });
    let copts = crate::acquire::web::capture::CaptureOptions {
        timeout: std::time::Duration::from_secs(30),
        ..Default::default()
    };
    let browser = crate::acquire::web::capture::Browser::launch(&copts)?;
    let url = format!("http://127.0.0.1:{port}/index.html");
    let n = crate::verify::verify(bundle_path, &VerifyOptions::default())?
        .state
        .items
        .len()
        + 1;
    let label = format!("item {n:04}-web-127-0-0-1-index-html");
    let acq = browser.capture(&url, &label, &copts, &|step| {
        eprintln!("demo:   {url}: {step}")
    })?;
    Ok(bundle::seal(bundle_path, acq, signer, opts)?.item_id)
}

/// Run the demo; returns the exit code.
pub fn run(out: Option<&Path>) -> Result<i32> {
    let samples = samples_dir()?;
    let dir = match out {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| Error::io("create", d, e))?;
            d.to_path_buf()
        }
        None => tempfile::Builder::new()
            .prefix("sigillo-demo-")
            .tempdir()
            .map_err(|e| Error::internal(format!("cannot create a temporary folder: {e}")))?
            .keep(),
    };
    let bundle_path = dir.join("case.zip");
    if bundle_path.exists() {
        return Err(
            Error::input(format!("'{}' already exists", bundle_path.display()))
                .with_fix("give the demo an empty --output folder"),
        );
    }
    let key_path = dir.join("demo-operator.pem");
    if !key_path.exists() {
        keys::generate(&key_path, Some("Demo Operator (sigillo demo)"), None)?;
    }
    let key = keys::load(&key_path, &NoPassphrase)?;
    let signer = Signer {
        key,
        actor: Actor {
            name: "Demo Operator (sigillo demo)".into(),
            role: Some("demo".into()),
            organisation: None,
        },
    };
    let opts = SealOptions {
        case: Some(CASE.into()),
        note: Some("sigillo demo: synthetic samples".into()),
        ..Default::default()
    };
    eprintln!("demo: sealing the sample files …");
    let acq = crate::acquire::files::acquire(&[samples.join("files")], &[])?;
    let s = bundle::seal(&bundle_path, acq, &signer, &opts)?;
    eprintln!("demo: sealed item {} ({} files)", s.item_id, s.files);
    for (p, f) in [
        (
            "chat/whatsapp-export.zip",
            crate::acquire::chat::ChatFormat::WhatsApp,
        ),
        (
            "chat/telegram-export",
            crate::acquire::chat::ChatFormat::Telegram,
        ),
    ] {
        let acq = crate::acquire::chat::acquire(&samples.join(p), f, &Default::default())?;
        let s = bundle::seal(&bundle_path, acq, &signer, &opts)?;
        eprintln!(
            "demo: sealed chat export {p} as item {} ({} files)",
            s.item_id, s.files
        );
    }
    // The main job: a web page, served on 127.0.0.1 from samples/web, captured by Chromium.
    match web_demo(&samples.join("web"), &bundle_path, &signer, &opts) {
        Ok(id) => eprintln!("demo: captured the sample web page as item {id}"),
        Err(e) => eprintln!("demo: web capture skipped: {e}"),
    }
    let rep = verify::verify(
        &bundle_path,
        &VerifyOptions {
            trust: vec![keys::pub_path(&key_path).display().to_string()],
            tsa_ca: vec![],
        },
    )?;
    println!("bundle:   {}", bundle_path.display());
    println!("sha256:   {}", rep.bundle_sha256);
    println!("case:     {CASE}");
    println!(
        "items:    {}",
        rep.state
            .items
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "key:      {} ({})",
        key_path.display(),
        signer.key.fingerprint()
    );
    println!(
        "verdict:  {} ({} checks, {} failures)",
        rep.verdict,
        rep.checks.len(),
        rep.failures.len()
    );
    println!(
        "\nnext:     sigillo verify {} --trust {}",
        bundle_path.display(),
        keys::pub_path(&key_path).display()
    );
    println!(
        "          unzip {} -d extracted && (cd extracted && sha256sum -c SHA256SUMS)",
        bundle_path.display()
    );
    println!(
        "          sigillo report {} -o report.html --pdf report.pdf",
        bundle_path.display()
    );
    Ok(if rep.ok() { 0 } else { 1 })
}
