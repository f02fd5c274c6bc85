//! The command layer under abuse (issue 11): a closed stdout ends quietly, numeric
//! flags refuse NaN and infinities at parse time, and the demo finds its samples from
//! a copy of the binary outside the source tree. Standalone: runs the real binary.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Stdio};

use assert_cmd::Command;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sigillo"))
}

/// The binary at `exe`, run in `dir` with a clean environment.
fn cmd_at(exe: &Path, dir: &Path) -> Command {
    let mut c = Command::new(exe);
    c.current_dir(dir)
        .env_remove("SIGILLO_KEY")
        .env_remove("SIGILLO_TSA")
        .env_remove("SIGILLO_PASSPHRASE")
        .env_remove("SIGILLO_SAMPLES")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join(".config"));
    c
}

fn sigillo(dir: &Path) -> Command {
    cmd_at(&bin(), dir)
}

/// A key and a bundle with one item of a few files: `dir/case.zip`.
fn bundle(dir: &Path) {
    sigillo(dir)
        .args(["key", "new", "--out", "k.pem", "--name", "Test Operator"])
        .assert()
        .code(0);
    std::fs::create_dir_all(dir.join("ev")).unwrap();
    for i in 0..20 {
        std::fs::write(dir.join(format!("ev/f{i:02}.txt")), format!("file {i}\n")).unwrap();
    }
    sigillo(dir)
        .args(["add", "ev", "-o", "case.zip", "--key", "k.pem"])
        .assert()
        .code(0);
}

/// Run sigillo with its stdout a pipe whose reader is closed at once (as `| head -0`
/// would); returns the exit code and stderr.
fn with_closed_stdout(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Std::new(bin())
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap().code(), err)
}

#[test]
fn a_closed_stdout_ends_quietly_with_exit_0() {
    let d = tempfile::tempdir().unwrap();
    bundle(d.path());
    for args in [
        &["ls", "case.zip"][..],
        &["ls", "case.zip", "--json"],
        &["verify", "case.zip"],
        &["verify", "case.zip", "--json"],
        &["hashes", "case.zip"],
        &["hashes", "case.zip", "--format", "json"],
        &["custody", "show", "case.zip"],
        &["custody", "show", "case.zip", "--json"],
        &["key", "show", "k.pem"],
    ] {
        let (code, err) = with_closed_stdout(d.path(), args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("error"), "{args:?} should end quietly: {err}");
    }
}

#[test]
fn delay_refuses_nan_and_infinities_at_parse_time() {
    let d = tempfile::tempdir().unwrap();
    for bad in [
        "NaN", "nan", "inf", "-inf", "infinity", "-1", "1e309", "3601",
    ] {
        let out = sigillo(d.path())
            .args(["capture", "http://127.0.0.1:9/", "-o", "c.zip"])
            .arg(format!("--delay={bad}"))
            .assert()
            .code(2)
            .get_output()
            .clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--delay"), "{bad}: {err}");
        assert!(
            err.contains("finite number of seconds from 0 to 3600"),
            "{bad}: {err}"
        );
        assert!(!err.contains("panicked"), "{bad}: {err}");
        assert!(!d.path().join("c.zip").exists());
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A copy of the binary in `bin/` with its own `samples/` beside it (files and chats,
/// no web page, so no Chromium is needed) is found before the source tree's samples.
#[test]
fn demo_runs_from_a_copy_of_the_binary_outside_the_source_tree() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    std::fs::create_dir_all(root.join("bin")).unwrap();
    let exe = root.join("bin/sigillo");
    std::fs::copy(bin(), &exe).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    copy_dir(&src.join("files"), &root.join("samples/files"));
    copy_dir(&src.join("chat"), &root.join("samples/chat"));
    std::fs::write(
        root.join("samples/files/beside-the-binary.txt"),
        "found next to the binary\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("work")).unwrap();
    let work = root.join("work");
    let out = cmd_at(&exe, &work)
        .args(["demo", "-o", "out"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("verdict:  verified"), "{stdout}\n{stderr}");
    assert!(stderr.contains("web capture skipped"), "{stderr}");
    let ls = cmd_at(&exe, &work)
        .args(["ls", "out/case.zip"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let listing = String::from_utf8_lossy(&ls.stdout);
    assert!(
        listing.contains("beside-the-binary.txt"),
        "the demo used other samples: {listing}"
    );
}

/// Messages that match the situation, with the exit codes of docs/exit-codes.md: a URL
/// without a scheme is a usage error found before Chromium starts; a ZIP that is not a
/// bundle says so; `ls` labels its columns; `timestamp` does not advise running itself.
#[test]
fn usage_errors_and_messages_match_the_situation() {
    let d = crate::util::Dir::new();
    d.key("k.pem", "Avv. Rossi");
    let r = d.sigillo(&[
        "capture",
        "example.com/post/1",
        "-o",
        "c.zip",
        "--key",
        "k.pem",
    ]);
    r.assert_exit(2);
    assert!(
        r.stderr.contains("https://example.com/post/1"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("starting Chromium"), "{}", r.stderr);
    assert!(!d.join("c.zip").exists());

    crate::util::write_zip(&d.join("other.zip"), &[("a.txt".into(), b"hello".to_vec())]);
    let r = d.sigillo(&["verify", "other.zip"]);
    r.assert_exit(2);
    assert!(
        r.stderr.contains("ZIP file but not a sigillo bundle"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("sigillo add"), "{}", r.stderr);

    d.write("e.txt", "evidence");
    d.add(&["e.txt", "-o", "case.zip", "--key", "k.pem"]);
    let r = d.sigillo(&["ls", "case.zip"]);
    r.assert_exit(0);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.contains("SHA-256") && l.contains("bytes") && l.ends_with("path")),
        "{}",
        r.stdout
    );

    let dead = format!("http://127.0.0.1:{}/tsr", crate::support::ocsp::free_port());
    let r = d.sigillo(&["timestamp", "case.zip", "--tsa", &dead, "--key", "k.pem"]);
    assert!(
        !r.stderr
            .contains("add a token later with `sigillo timestamp`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("try again later"), "{}", r.stderr);
}
