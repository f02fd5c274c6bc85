//! `sigillo demo`: the main job, offline, on the bundled `samples/`.
//!
//! Creates a demo key, seals the sample files (and, where this build has them, the
//! sample chat exports and a web page served on 127.0.0.1), verifies the bundle and
//! returns where everything is. Nothing leaves the machine. Progress is reported as
//! [`DemoEvent`]s; this module prints nothing.

use std::path::{Path, PathBuf};

use crate::acquire::chat::ChatFormat;
use crate::acquire::web::capture::{Browser, CaptureOptions};
use crate::bundle::naming;
use crate::error::{Error, Result};
use crate::evidence::custody::Actor;
use crate::evidence::keys::{self, PassphraseSource};
use crate::seal::{self, SealOptions, Signer};
use crate::verify::{self, VerifyOptions};

/// The demo's case id.
pub const CASE: &str = "DEMO-2026-0001";

const OPERATOR: &str = "Demo Operator (sigillo demo)";

/// The sample chat exports sealed by the demo, relative to `samples/`.
const CHATS: [(&str, ChatFormat); 2] = [
    ("chat/whatsapp-export.zip", ChatFormat::WhatsApp),
    ("chat/telegram-export", ChatFormat::Telegram),
];

/// What the demo is doing, for the caller to show.
#[derive(Debug)]
pub enum DemoEvent<'a> {
    /// About to seal `samples/files`.
    SealingFiles,
    /// The sample files became this item.
    SealedFiles {
        /// Item id.
        item: &'a str,
        /// Files sealed.
        files: usize,
    },
    /// A sample chat export became this item.
    SealedChat {
        /// The export, relative to `samples/`.
        path: &'a str,
        /// Item id.
        item: &'a str,
        /// Files sealed.
        files: usize,
    },
    /// A step of the web capture.
    WebStep {
        /// The page.
        url: &'a str,
        /// What the capture is doing.
        step: &'a str,
    },
    /// The sample web page became this item.
    WebCaptured {
        /// Item id.
        item: &'a str,
    },
    /// The web capture did not happen (no Chromium, no samples/web …).
    WebSkipped {
        /// Why.
        reason: &'a Error,
    },
}

/// What the demo produced.
#[derive(Debug)]
pub struct DemoOutcome {
    /// The bundle written.
    pub bundle: PathBuf,
    /// Its SHA-256.
    pub bundle_sha256: String,
    /// Case id.
    pub case: &'static str,
    /// Item ids, in sequence.
    pub items: Vec<String>,
    /// The demo's private key.
    pub key: PathBuf,
    /// Its public key file.
    pub public_key: PathBuf,
    /// The key's fingerprint.
    pub fingerprint: String,
    /// `verified` or `failed`.
    pub verdict: crate::evidence::custody::Verdict,
    /// Number of checks run.
    pub checks: usize,
    /// Number of failed checks.
    pub failures: usize,
}

impl DemoOutcome {
    /// True when the demo bundle verified.
    pub fn ok(&self) -> bool {
        self.failures == 0
    }
}

struct NoPassphrase;
impl PassphraseSource for NoPassphrase {
    fn passphrase(&self, path: &Path) -> Result<String> {
        Err(
            Error::input(format!("the demo key '{}' is encrypted", path.display()))
                .with_fix("use a fresh --output folder"),
        )
    }
}

/// Whether `p` holds sigillo's samples (a `files/` folder).
fn is_samples(p: &Path) -> bool {
    p.join("files").is_dir()
}

/// Where the samples are, first found of: `$SIGILLO_SAMPLES`; `samples/` (or
/// `share/sigillo/samples/`, as the .deb installs them) next to the binary or up to
/// three folders above it (an installed copy, `target/debug/`); the
/// current folder's source tree (`./samples`, or in a parent holding `Cargo.toml`); the
/// source tree this binary was built from.
pub fn samples_dir() -> Result<PathBuf> {
    let env = std::env::var_os("SIGILLO_SAMPLES").map(PathBuf::from);
    let exe = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok());
    let beside_exe = exe
        .iter()
        .flat_map(|e| e.ancestors().skip(1).take(4))
        // `samples/` beside it, or `share/sigillo/samples` of an installed package
        // (/usr/bin/sigillo → /usr/share/sigillo/samples).
        .flat_map(|d| [d.join("samples"), d.join("share/sigillo/samples")]);
    let cwd = std::env::current_dir().ok();
    let in_tree = cwd
        .iter()
        .flat_map(|c| c.ancestors())
        .enumerate()
        .filter(|(i, d)| *i == 0 || d.join("Cargo.toml").is_file())
        .map(|(_, d)| d.join("samples"));
    let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    env.into_iter()
        .chain(beside_exe)
        .chain(in_tree)
        .chain([built])
        .find(|p| is_samples(p))
        .ok_or_else(|| {
            Error::input("cannot find the samples/ folder")
                .with_fix("run the demo from the sigillo source folder, or set $SIGILLO_SAMPLES")
        })
}

/// Serve `dir` on 127.0.0.1 (static files, this process only); returns the port.
fn serve(dir: &Path) -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::internal(format!("cannot listen on 127.0.0.1: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::internal(e.to_string()))?
        .port();
    let root = dir.to_path_buf();
    std::thread::spawn(move || {
        for c in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || answer(c, &root));
        }
    });
    Ok(port)
}

/// Answer one HTTP request with a file under `root` (or 404).
fn answer(mut c: std::net::TcpStream, root: &Path) {
    use std::io::{Read, Write};
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
}

/// Serve `dir` on 127.0.0.1 and capture its page as the bundle's next item.
fn web_demo(
    dir: &Path,
    bundle_path: &Path,
    signer: &Signer,
    opts: &SealOptions,
    on: &dyn Fn(DemoEvent),
) -> Result<String> {
    if !dir.join("index.html").is_file() {
        return Err(Error::input(format!(
            "no sample web page '{}'",
            dir.join("index.html").display()
        ))
        .with_fix("use a complete samples/ folder (set $SIGILLO_SAMPLES)"));
    }
    let port = serve(dir)?;
    let copts = CaptureOptions {
        timeout: std::time::Duration::from_secs(30),
        ..Default::default()
    };
    let browser = Browser::launch(&copts)?;
    let url = format!("http://127.0.0.1:{port}/index.html");
    let items = verify::verify(bundle_path, &VerifyOptions::default())?
        .state
        .items
        .len();
    let id = naming::item_id(
        naming::next_seq(items),
        crate::acquire::ItemKind::Web,
        &naming::web_slug(&url),
    );
    let label = format!("item {id}");
    let acq = browser.capture(&url, &label, &copts, &|step| {
        on(DemoEvent::WebStep { url: &url, step })
    })?;
    Ok(seal::seal(bundle_path, acq, signer, opts)?.item_id)
}

/// The folder to write into: `out` (created), or a new temporary folder that is kept.
fn demo_dir(out: Option<&Path>) -> Result<PathBuf> {
    match out {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| Error::io("create", d, e))?;
            Ok(d.to_path_buf())
        }
        None => Ok(tempfile::Builder::new()
            .prefix("sigillo-demo-")
            .tempdir()
            .map_err(|e| Error::internal(format!("cannot create a temporary folder: {e}")))?
            .keep()),
    }
}

/// The demo operator: the key in `dir` (created on first use) and its actor.
fn demo_signer(key_path: &Path) -> Result<Signer> {
    if !key_path.exists() {
        keys::generate(key_path, Some(OPERATOR), None)?;
    }
    Ok(Signer {
        key: keys::load(key_path, &NoPassphrase)?,
        actor: Actor {
            name: OPERATOR.into(),
            role: Some("demo".into()),
            organisation: None,
        },
        cosigners: Vec::new(),
    })
}

/// Seal the sample files, chat exports and web page into `bundle_path`.
fn seal_samples(
    samples: &Path,
    bundle_path: &Path,
    signer: &Signer,
    on: &dyn Fn(DemoEvent),
) -> Result<()> {
    let opts = SealOptions {
        case: Some(CASE.into()),
        note: Some("sigillo demo: synthetic samples".into()),
        ..Default::default()
    };
    on(DemoEvent::SealingFiles);
    let acq = crate::acquire::files::acquire(&[samples.join("files")], &[])?;
    let s = seal::seal(bundle_path, acq, signer, &opts)?;
    on(DemoEvent::SealedFiles {
        item: &s.item_id,
        files: s.files,
    });
    for (path, format) in CHATS {
        let acq = crate::acquire::chat::acquire(&samples.join(path), format, &Default::default())?;
        let s = seal::seal(bundle_path, acq, signer, &opts)?;
        on(DemoEvent::SealedChat {
            path,
            item: &s.item_id,
            files: s.files,
        });
    }
    // The main job: a web page, served on 127.0.0.1 from samples/web, captured by Chromium.
    match web_demo(&samples.join("web"), bundle_path, signer, &opts, on) {
        Ok(id) => on(DemoEvent::WebCaptured { item: &id }),
        Err(e) => on(DemoEvent::WebSkipped { reason: &e }),
    }
    Ok(())
}

/// Run the demo into `out` (or a new temporary folder), reporting progress to `on`.
pub fn run(out: Option<&Path>, on: &dyn Fn(DemoEvent)) -> Result<DemoOutcome> {
    let samples = samples_dir()?;
    let dir = demo_dir(out)?;
    let bundle_path = dir.join("case.zip");
    if bundle_path.exists() {
        return Err(
            Error::input(format!("'{}' already exists", bundle_path.display()))
                .with_fix("give the demo an empty --output folder"),
        );
    }
    let key_path = dir.join("demo-operator.pem");
    let signer = demo_signer(&key_path)?;
    seal_samples(&samples, &bundle_path, &signer, on)?;
    let public_key = keys::pub_path(&key_path);
    let rep = verify::verify(
        &bundle_path,
        &VerifyOptions {
            trust: vec![public_key.display().to_string()],
            tsa_ca: vec![],
            ..Default::default()
        },
    )?;
    Ok(DemoOutcome {
        items: rep.state.items.iter().map(|i| i.id.clone()).collect(),
        bundle_sha256: rep.bundle_sha256,
        case: CASE,
        fingerprint: signer.key.fingerprint(),
        verdict: rep.verdict,
        checks: rep.checks.len(),
        failures: rep.failures.len(),
        bundle: bundle_path,
        key: key_path,
        public_key,
    })
}
