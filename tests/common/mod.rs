//! Shared helpers for the integration tests: run the real binary, rewrite zips.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sigillo"))
}

/// Run sigillo with a clean, deterministic environment.
pub fn sigillo(dir: &Path, args: &[&str]) -> Run {
    sigillo_env(dir, args, &[])
}

pub fn sigillo_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = std::process::Command::new(bin());
    c.args(args)
        .current_dir(dir)
        .env_remove("SIGILLO_KEY")
        .env_remove("SIGILLO_TSA")
        .env_remove("SIGILLO_PASSPHRASE");
    c.env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join(".config"));
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(std::process::Stdio::null());
    let o: Output = c.output().expect("run sigillo");
    let r = Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into(),
        stderr: String::from_utf8_lossy(&o.stderr).into(),
    };
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

/// Run an external tool; panics with an install hint if it is missing.
pub fn tool(dir: &Path, prog: &str, args: &[&str]) -> Run {
    let o = std::process::Command::new(prog)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{prog}` ({e}); install it (see .ci/run)"));
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into(),
        stderr: String::from_utf8_lossy(&o.stderr).into(),
    }
}

/// Create a key with a name; returns the private key path.
pub fn key(dir: &Path, file: &str, name: &str) -> PathBuf {
    let r = sigillo(dir, &["key", "new", "--out", file, "--name", name]);
    assert_eq!(r.code, 0, "{}", r.all());
    dir.join(file)
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

/// Extract a bundle into `dir` with the system `unzip` (an independent reader).
pub fn unzip(bundle: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let r = tool(dir, "unzip", &["-q", bundle.to_str().unwrap()]);
    assert_eq!(r.code, 0, "unzip failed: {}", r.all());
}
