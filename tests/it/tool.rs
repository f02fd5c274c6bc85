//! External programs the tests use as independent judges, found in one place.
//!
//! Policy: a missing tool FAILS the test that needs it, with a message naming the tool and
//! how to install it; no test is skipped. (This is what every test did before the tests
//! became one binary: `openssl`, `sha256sum`, `unzip` and `pdftotext` panicked with an
//! install hint, and so did the Python tools.) Chromium is not looked up here: sigillo
//! finds it itself, and a capture test fails if it cannot.
//!
//! Where they are looked for: system tools on `PATH`; the Python tools (made by
//! `./setup.sh --deps` in `.venv/`) in `$SIGILLO_PYTHON_BIN`, then `.venv/bin`, then `PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{Run, run_program};

/// An external program a test runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// Reads our keys, checks signatures (`pkeyutl`) and timestamps (`ts -verify`), runs the test TSA.
    Openssl,
    /// `sha256sum -c SHA256SUMS` inside an extracted bundle.
    Sha256sum,
    /// An independent ZIP reader.
    Unzip,
    /// Reads the PDF report back as text.
    Pdftotext,
    /// The venv's Python with the `pdqhash` reference.
    Python,
    /// The venv's `warcio` (`check`, `index`).
    Warcio,
    /// The venv's `wacz` (`validate`).
    Wacz,
    /// The venv's `cdxj-indexer` (comes with `wacz`).
    CdxjIndexer,
    /// pywb's collection manager (`wb-manager add --unpack-wacz`): Webrecorder's replay
    /// system imports our WACZ.
    WbManager,
    /// pywb's replay server (`wayback`), serving what `wb-manager` imported.
    Wayback,
    /// Runs a program with a fake clock (libfaketime): a TSA that stamped in the past.
    Faketime,
    /// Signs test EU trusted lists (XML-DSig).
    Xmlsec1,
    /// The reference age CLI: decrypts what sigillo encrypts.
    Age,
    /// Makes age identities and prints their recipients.
    AgeKeygen,
    /// A virtual display for the visible browser window of interactive capture.
    Xvfb,
    /// Makes the derived video of a screen recording and the test HLS stream; sigillo
    /// joins streams with it; `ffprobe` (same package) reads videos back.
    Ffmpeg,
    /// Reads videos back independently (comes with ffmpeg).
    Ffprobe,
    /// `capture --yt-dlp` runs it.
    YtDlp,
}

impl Tool {
    /// The program's file name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Openssl => "openssl",
            Tool::Sha256sum => "sha256sum",
            Tool::Unzip => "unzip",
            Tool::Pdftotext => "pdftotext",
            Tool::Python => "python",
            Tool::Warcio => "warcio",
            Tool::Wacz => "wacz",
            Tool::CdxjIndexer => "cdxj-indexer",
            Tool::WbManager => "wb-manager",
            Tool::Wayback => "wayback",
            Tool::Faketime => "faketime",
            Tool::Xmlsec1 => "xmlsec1",
            Tool::Age => "age",
            Tool::AgeKeygen => "age-keygen",
            Tool::Xvfb => "Xvfb",
            Tool::Ffmpeg => "ffmpeg",
            Tool::Ffprobe => "ffprobe",
            Tool::YtDlp => "yt-dlp",
        }
    }

    fn in_venv(self) -> bool {
        matches!(
            self,
            Tool::Python
                | Tool::Warcio
                | Tool::Wacz
                | Tool::CdxjIndexer
                | Tool::WbManager
                | Tool::Wayback
        )
    }

    fn install_hint(self) -> &'static str {
        match self {
            Tool::Openssl => "apt-get install openssl (see .ci/run)",
            Tool::Sha256sum => "apt-get install coreutils (see .ci/run)",
            Tool::Unzip => "apt-get install unzip (see .ci/run)",
            Tool::Pdftotext => "apt-get install poppler-utils (see .ci/run)",
            Tool::Faketime => "apt-get install faketime (./setup.sh --deps)",
            Tool::Xmlsec1 => "apt-get install xmlsec1 (./setup.sh --deps)",
            Tool::Age | Tool::AgeKeygen => "apt-get install age (./setup.sh --deps)",
            Tool::Xvfb => "apt-get install xvfb (./setup.sh --deps)",
            Tool::Ffmpeg | Tool::Ffprobe => "apt-get install ffmpeg (./setup.sh --deps)",
            Tool::YtDlp => "apt-get install yt-dlp (./setup.sh --deps)",
            Tool::Python => "./setup.sh --deps (installs the pdqhash reference in .venv/)",
            Tool::Warcio | Tool::Wacz | Tool::CdxjIndexer | Tool::WbManager | Tool::Wayback => {
                "./setup.sh --deps (or set SIGILLO_PYTHON_BIN to a directory holding warcio, wacz, cdxj-indexer and pywb's wb-manager and wayback)"
            }
        }
    }

    /// Where to look, in order.
    fn dirs(self) -> Vec<PathBuf> {
        let mut dirs = Vec::new();
        if self.in_venv() {
            if let Some(d) = std::env::var_os("SIGILLO_PYTHON_BIN") {
                dirs.push(PathBuf::from(d));
            }
            dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin"));
        }
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        dirs
    }

    /// The program's path; fails the test with an install hint if it is nowhere.
    #[track_caller]
    pub fn path(self) -> PathBuf {
        let dirs = self.dirs();
        for d in &dirs {
            let p = d.join(self.name());
            if p.is_file() {
                return p;
            }
        }
        let looked = if self.in_venv() {
            "$SIGILLO_PYTHON_BIN, .venv/bin, PATH"
        } else {
            "PATH"
        };
        panic!(
            "`{}` not found (looked in {looked}); install it: {}",
            self.name(),
            self.install_hint()
        );
    }

    /// A `Command` for the program (found as [`Tool::path`] says).
    #[track_caller]
    pub fn command(self) -> Command {
        Command::new(self.path())
    }

    /// Run the program in `dir` and collect its output (the caller checks the exit code).
    #[track_caller]
    pub fn run(self, dir: &Path, args: &[&str]) -> Run {
        run_program(&self.path(), dir, args)
    }
}

/// Extract a bundle into `dir` with the system `unzip` (an independent reader).
#[track_caller]
pub fn unzip(bundle: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let r = Tool::Unzip.run(dir, &["-q", bundle.to_str().unwrap()]);
    assert_eq!(r.code, 0, "unzip failed: {}", r.all());
}
