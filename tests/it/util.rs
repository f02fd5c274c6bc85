//! The fixture builder, in the manner of ripgrep's `tests/util.rs`: a [`Dir`] is a fresh
//! temporary folder with helpers to write files, make signing keys and add files to a
//! bundle; a [`TestCommand`] runs the real `sigillo` binary there with a clean,
//! deterministic environment and fails the test if it panicked; a [`Run`] is what came
//! back, with [`Run::assert_exit`] printing stdout and stderr when the exit code is wrong.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The sigillo binary cargo built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sigillo"))
}

/// A file or folder under `tests/fixtures/` (committed test inputs).
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A file or folder under `samples/` (the demo's synthetic inputs).
pub fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(rel)
}

/// What a finished process left: exit code and output (lossy UTF-8).
pub struct Run {
    /// The command line, for failure messages.
    pub cmd: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout and stderr together (for `contains` checks and failure messages).
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Assert the exit code; on mismatch print the command, stdout and stderr.
    #[track_caller]
    pub fn assert_exit(&self, code: i32) -> &Self {
        assert!(
            self.code == code,
            "`{}` exited {}, expected {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.cmd,
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Stdout parsed as JSON.
    #[track_caller]
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`{}`: stdout is not the JSON expected ({e}):\n{}",
                self.cmd, self.stdout
            )
        })
    }

    fn from_output(cmd: String, o: std::process::Output) -> Run {
        Run {
            cmd,
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
        }
    }
}

/// Run any program in `dir` and collect what it left (no checks on the result).
pub fn run_program(program: &Path, dir: &Path, args: &[&str]) -> Run {
    let o = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{}` ({e})", program.display()));
    Run::from_output(format!("{} {}", program.display(), args.join(" ")), o)
}

/// The real `sigillo` binary, about to run in a test folder with a clean environment:
/// no `SIGILLO_KEY`/`SIGILLO_TSA`/`SIGILLO_PASSPHRASE` from the caller, `HOME` and
/// `XDG_CONFIG_HOME` inside the folder, stdin closed.
pub struct TestCommand {
    cmd: Command,
    line: String,
}

impl TestCommand {
    /// `sigillo` in `dir`, with no arguments yet.
    pub fn new(dir: &Path) -> TestCommand {
        let mut cmd = Command::new(bin());
        cmd.current_dir(dir)
            .env_remove("SIGILLO_KEY")
            .env_remove("SIGILLO_TSA")
            .env_remove("SIGILLO_PASSPHRASE")
            .env_remove("SIGILLO_CONFIG")
            .env("HOME", dir)
            .env("XDG_CONFIG_HOME", dir.join(".config"))
            .stdin(Stdio::null());
        TestCommand {
            cmd,
            line: "sigillo".into(),
        }
    }

    /// Add arguments.
    pub fn args<S: AsRef<OsStr>>(mut self, args: &[S]) -> Self {
        for a in args {
            self.line.push(' ');
            self.line.push_str(&a.as_ref().to_string_lossy());
            self.cmd.arg(a);
        }
        self
    }

    /// Set an environment variable for this run.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Run it and return what happened, panics included: for tests that judge (and
    /// collect) misbehaviour themselves.
    pub fn output(mut self) -> Run {
        let o = self.cmd.output().expect("run sigillo");
        Run::from_output(self.line, o)
    }

    /// Run it; fails the test if sigillo panicked (it must never exit 101).
    #[track_caller]
    pub fn run(self) -> Run {
        let r = self.output();
        assert!(
            !r.stderr.contains("panicked"),
            "sigillo panicked: {}",
            r.stderr
        );
        assert!(
            !r.stderr.contains("RUST_BACKTRACE"),
            "sigillo panicked: {}",
            r.stderr
        );
        r
    }

    /// Run it and assert the exit code (printing stdout and stderr on mismatch).
    #[track_caller]
    pub fn assert_exit(self, code: i32) -> Run {
        let r = self.run();
        r.assert_exit(code);
        r
    }
}

/// A fresh temporary folder for one test, removed when dropped.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    /// A new, empty folder.
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("make a temporary folder"),
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// A path inside the folder.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path().join(rel)
    }

    /// Write a file (making its parent folders); returns its path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// Copy a file from anywhere into the folder (making parent folders).
    pub fn copy(&self, from: &Path, rel: &str) -> PathBuf {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::copy(from, &p)
            .unwrap_or_else(|e| panic!("copy {} to {}: {e}", from.display(), p.display()));
        p
    }

    /// Read a file of the folder.
    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.join(rel)).unwrap()
    }

    /// Read a text file of the folder.
    pub fn read_string(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap()
    }

    /// `sigillo` in this folder, not yet run (add `.args`, `.env`, then `.run`).
    pub fn command(&self) -> TestCommand {
        TestCommand::new(self.path())
    }

    /// Run `sigillo ARGS` in this folder.
    #[track_caller]
    pub fn sigillo(&self, args: &[&str]) -> Run {
        self.command().args(args).run()
    }

    /// `sigillo key new --out FILE --name NAME`, asserted to succeed; returns the private key path.
    #[track_caller]
    pub fn key(&self, file: &str, name: &str) -> PathBuf {
        self.command()
            .args(&["key", "new", "--out", file, "--name", name])
            .assert_exit(0);
        self.join(file)
    }

    /// The fingerprint `sigillo key show` prints for a key file (`SHA256:…`).
    #[track_caller]
    pub fn fingerprint(&self, key: &str) -> String {
        self.sigillo(&["key", "show", key])
            .stdout
            .lines()
            .next()
            .unwrap()
            .replace("fingerprint: ", "")
    }

    /// `sigillo add ARGS`, asserted to succeed (exit 0).
    #[track_caller]
    pub fn add(&self, args: &[&str]) -> Run {
        self.command().args(&["add"]).args(args).assert_exit(0)
    }

    /// All members of a zip in the folder, in order.
    pub fn zip(&self, rel: &str) -> Vec<(String, Vec<u8>)> {
        read_zip(&self.join(rel))
    }
}

/// All members of a zip, in order, as (name, bytes).
pub fn read_zip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        out.push((e.name().unwrap().to_string(), b));
    }
    out
}

/// The first member of a zip whose name ends with `suffix`.
#[track_caller]
pub fn member(bundle: &Path, suffix: &str) -> Vec<u8> {
    read_zip(bundle)
        .into_iter()
        .find(|(n, _)| n.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix}"))
        .1
}

/// Write members into a new zip (deflated, fixed time).
pub fn write_zip(path: &Path, members: &[(String, Vec<u8>)]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (n, b) in members {
        z.start_file(n.as_str(), opts).unwrap();
        z.write_all(b).unwrap();
    }
    z.finish().unwrap();
}

/// Every layer of `bytes` (named `name`) that a reader of a bundle could see, pushed to
/// `out`: ZIP members (bundle, WACZ, frames) opened and gzip members (WARC) inflated
/// (named `… (gunzipped)`), recursively, and the bytes themselves.
pub fn every_layer(name: &str, bytes: &[u8], out: &mut Vec<(String, Vec<u8>)>) {
    if bytes.starts_with(b"PK\x03\x04")
        && let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(bytes))
    {
        for i in 0..z.len() {
            let mut e = z.by_index(i).unwrap();
            let mut b = Vec::new();
            e.read_to_end(&mut b).unwrap();
            let n = format!("{name}!{}", e.name().unwrap());
            every_layer(&n, &b, out);
        }
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut b = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut b)
            .unwrap();
        out.push((format!("{name} (gunzipped)"), b));
    }
    out.push((name.to_string(), bytes.to_vec()));
}

/// Whether the text `needle` occurs in `hay`.
pub fn contains_bytes(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}
