//! The exit codes of docs/exit-codes.md, command by command (issue 19): one table of
//! command lines, each with the code it must exit with and what its stderr must name.
//! 0 = success, 1 = a bundle that does not verify (verified or refused), 2 = could not
//! run: usage errors (unknown flag, missing argument, bad value, conflicting flags, a URL
//! without a scheme), missing input, a ZIP that is not a sigillo bundle, not a ZIP.
//! Nothing here needs the network, Chromium or a TSA.

use crate::util::{Dir, read_zip, write_zip};

/// One command line, the exit code it must give, and words its stderr must contain.
struct Case {
    args: &'static [&'static str],
    code: i32,
    stderr: &'static [&'static str],
}

const fn case(args: &'static [&'static str], code: i32, stderr: &'static [&'static str]) -> Case {
    Case { args, code, stderr }
}

/// Every command and subcommand, for the unknown-flag row.
const COMMANDS: &[&[&str]] = &[
    &["key", "new"],
    &["key", "show"],
    &["add", "e.txt", "-o", "n.zip"],
    &["verify", "case.zip"],
    &["ls", "case.zip"],
    &["extract", "case.zip", "-d", "x"],
    &["export", "case.zip", "--p7m", "-o", "x.p7m"],
    &["export", "case.zip", "--garante", "-o", "x.zip"],
    &[
        "notice",
        "case.zip",
        "--item",
        "1",
        "--to",
        "X",
        "--reason",
        "r",
        "--notifier",
        "n",
        "--email",
        "a@b.it",
        "-o",
        "x.html",
    ],
    &["custody", "add", "case.zip", "--action", "note"],
    &["custody", "show", "case.zip"],
    &["capture", "https://example.com/", "-o", "n.zip"],
    &["timestamp", "case.zip"],
    &["timestamp", "verify", "t.tsr"],
    &["hashes", "case.zip"],
    &["recheck", "case.zip"],
    &["status", "case.zip"],
    &["match", "case.zip", "e.txt"],
    &["report", "case.zip"],
    &["demo"],
    &["config", "show"],
    &["completions", "bash"],
    &["manpage"],
];

const CASES: &[Case] = &[
    // Success and help.
    case(&["--help"], 0, &[]),
    case(&["--version"], 0, &[]),
    case(&["verify", "case.zip"], 0, &[]),
    case(&["completions", "zsh"], 0, &[]),
    case(&["manpage"], 0, &[]),
    // No or an unknown command.
    case(&[], 2, &["Usage"]),
    case(&["frobnicate"], 2, &["frobnicate"]),
    case(&["key"], 2, &["Usage"]),
    case(&["custody"], 2, &["Usage"]),
    // A missing required argument.
    case(&["add", "e.txt"], 2, &["--output"]),
    case(&["verify"], 2, &["<BUNDLE>"]),
    case(&["ls"], 2, &["<BUNDLE>"]),
    case(&["extract", "case.zip"], 2, &["--dir"]),
    case(&["status", "case.zip"], 0, &[]),
    case(&["recheck", "case.zip"], 2, &["no captured web page"]),
    case(&["recheck", "none.zip"], 2, &["does not exist"]),
    case(&["recheck", "case.zip", "--count", "2"], 2, &["--every"]),
    case(
        &["status", "case.zip", "--deadline", "0"],
        2,
        &["above zero"],
    ),
    case(&["export", "case.zip", "-o", "x.p7m"], 2, &["--p7m"]),
    case(
        &["notice", "case.zip", "--item", "1", "-o", "x.html"],
        2,
        &["--to"],
    ),
    // notice and export --garante: a bundle that does not verify, the bundle as -o, no URL.
    case(
        &[
            "notice",
            "bad.zip",
            "--item",
            "1",
            "--url",
            "https://a.example/1",
            "--to",
            "X",
            "--reason",
            "r",
            "--notifier",
            "n",
            "--email",
            "a@b.it",
            "-o",
            "x.html",
            "--key",
            "k.pem",
        ],
        1,
        &["does not verify"],
    ),
    case(
        &[
            "notice",
            "case.zip",
            "--item",
            "1",
            "--url",
            "https://a.example/1",
            "--to",
            "X",
            "--reason",
            "r",
            "--notifier",
            "n",
            "--email",
            "a@b.it",
            "-o",
            "case.zip",
            "--key",
            "k.pem",
        ],
        2,
        &["the bundle itself"],
    ),
    case(
        &[
            "notice",
            "case.zip",
            "--item",
            "1",
            "--to",
            "X",
            "--reason",
            "r",
            "--notifier",
            "n",
            "--email",
            "a@b.it",
            "-o",
            "x.html",
            "--key",
            "k.pem",
        ],
        2,
        &["--url"],
    ),
    case(
        &["export", "bad.zip", "--garante", "-o", "x.zip"],
        1,
        &["does not verify"],
    ),
    case(
        &["export", "case.zip", "--garante", "-o", "case.zip"],
        2,
        &["the bundle itself"],
    ),
    case(&["custody", "add", "case.zip"], 2, &["--action"]),
    case(&["capture", "-o", "n.zip"], 2, &["<URL>"]),
    case(&["timestamp"], 2, &["<BUNDLE>"]),
    case(&["timestamp", "verify"], 2, &["<TOKEN>"]),
    case(&["match", "case.zip"], 2, &["<IMAGE_OR_DIR>"]),
    case(&["completions"], 2, &["<SHELL>"]),
    // A bad value.
    case(
        &["hashes", "case.zip", "--format", "xml"],
        2,
        &["xml", "--format"],
    ),
    case(
        &["report", "case.zip", "--lang", "fr"],
        2,
        &["fr", "--lang"],
    ),
    case(&["completions", "tcsh"], 2, &["tcsh"]),
    case(
        &["add", "e.txt", "-o", "n.zip", "--as", "pdf"],
        2,
        &["pdf", "--as"],
    ),
    case(
        &["custody", "add", "case.zip", "--action", "stolen"],
        2,
        &["stolen", "--action"],
    ),
    case(
        &[
            "capture",
            "https://example.com/",
            "-o",
            "n.zip",
            "--delay",
            "soon",
        ],
        2,
        &["soon", "--delay"],
    ),
    case(
        &[
            "capture",
            "https://example.com/",
            "-o",
            "n.zip",
            "--timeout",
            "25h",
        ],
        2,
        &["25h", "--timeout"],
    ),
    case(
        &[
            "capture",
            "https://example.com/",
            "-o",
            "n.zip",
            "--key",
            "k.pem",
            "--viewport",
            "10x10",
        ],
        2,
        &["10x10", "viewport"],
    ),
    case(
        &["match", "case.zip", "e.txt", "--threshold", "300"],
        2,
        &["--threshold"],
    ),
    case(
        &["match", "case.zip", "e.txt", "--threshold", "-1"],
        2,
        &["--threshold"],
    ),
    case(
        &["timestamp", "verify", "t.tsr", "--digest", "xyz"],
        2,
        &["--digest", "not hexadecimal"],
    ),
    // Conflicting flags.
    case(
        &["hashes", "case.zip", "--json", "--format", "csv"],
        2,
        &["--json", "--format"],
    ),
    case(
        &[
            "timestamp",
            "verify",
            "t.tsr",
            "--data",
            "e.txt",
            "--digest",
            "00",
        ],
        2,
        &["--data", "--digest"],
    ),
    case(
        &["timestamp", "case.zip", "verify", "t.tsr"],
        2,
        &["verify"],
    ),
    // A URL without a scheme: refused before Chromium starts.
    case(
        &[
            "capture",
            "example.com/post/1",
            "-o",
            "n.zip",
            "--key",
            "k.pem",
        ],
        2,
        &["https://example.com/post/1"],
    ),
    // Input that does not exist.
    case(&["verify", "nope.zip"], 2, &["nope.zip"]),
    case(&["ls", "nope.zip"], 2, &["nope.zip"]),
    case(&["hashes", "nope.zip"], 2, &["nope.zip"]),
    case(&["custody", "show", "nope.zip"], 2, &["nope.zip"]),
    case(&["report", "nope.zip", "-o", "r.html"], 2, &["nope.zip"]),
    case(&["extract", "nope.zip", "-d", "x"], 2, &["nope.zip"]),
    case(&["match", "nope.zip", "e.txt"], 2, &["nope.zip"]),
    case(&["match", "case.zip", "nope.jpg"], 2, &["nope.jpg"]),
    case(&["timestamp", "verify", "nope.tsr"], 2, &["nope.tsr"]),
    case(&["key", "show", "nope.pem"], 2, &["nope.pem"]),
    case(
        &["add", "nope.txt", "-o", "n.zip", "--key", "k.pem"],
        2,
        &["nope.txt"],
    ),
    case(
        &["add", "e.txt", "-o", "n.zip", "--key", "nope.pem"],
        2,
        &["nope.pem"],
    ),
    case(
        &["verify", "case.zip", "--trust-file", "nope.txt"],
        2,
        &["nope.txt"],
    ),
    case(
        &[
            "custody", "add", "nope.zip", "--action", "note", "--note", "checked", "--key", "k.pem",
        ],
        2,
        &["nope.zip"],
    ),
    // A ZIP that is not a sigillo bundle.
    case(&["verify", "other.zip"], 2, &["not a sigillo bundle"]),
    case(&["ls", "other.zip"], 2, &["not a sigillo bundle"]),
    case(&["hashes", "other.zip"], 2, &["not a sigillo bundle"]),
    case(
        &["custody", "show", "other.zip"],
        2,
        &["not a sigillo bundle"],
    ),
    case(
        &["extract", "other.zip", "-d", "x"],
        2,
        &["not a sigillo bundle"],
    ),
    case(
        &["report", "other.zip", "-o", "r.html"],
        2,
        &["not a sigillo bundle"],
    ),
    case(
        &["match", "other.zip", "e.txt"],
        2,
        &["not a sigillo bundle"],
    ),
    case(
        &["add", "e.txt", "-o", "other.zip", "--key", "k.pem"],
        2,
        &["not a sigillo bundle"],
    ),
    // Not a ZIP at all.
    case(&["verify", "e.txt"], 2, &["e.txt"]),
    case(&["ls", "e.txt"], 2, &["e.txt"]),
    // A bundle that does not verify: exit 1, verified or refused.
    case(&["verify", "bad.zip"], 1, &[]),
    case(&["ls", "bad.zip"], 1, &["does NOT verify"]),
    case(&["custody", "show", "bad.zip"], 1, &["does NOT verify"]),
    case(&["hashes", "bad.zip"], 1, &["bad.zip"]),
    case(&["extract", "bad.zip", "-d", "x"], 1, &["bad.zip"]),
    case(
        &["add", "e.txt", "-o", "bad.zip", "--key", "k.pem"],
        1,
        &["bad.zip"],
    ),
    case(
        &[
            "custody", "add", "bad.zip", "--action", "note", "--note", "checked", "--key", "k.pem",
        ],
        1,
        &["bad.zip"],
    ),
    case(&["report", "bad.zip", "-o", "r.html"], 1, &["NOT verify"]),
    // Outputs that cannot be written where asked.
    case(&["manpage", "-d", "e.txt"], 2, &["e.txt", "not a folder"]),
    case(&["hashes", "case.zip", "-o", "folder"], 2, &["folder"]),
    // Never over the bundle being read.
    case(
        &["hashes", "case.zip", "-o", "case.zip"],
        2,
        &["case.zip", "the bundle itself"],
    ),
    case(
        &["report", "case.zip", "-o", "case.zip"],
        2,
        &["case.zip", "the bundle itself"],
    ),
    case(
        &["report", "case.zip", "-o", "r.html", "--pdf", "./case.zip"],
        2,
        &["the bundle itself"],
    ),
    case(
        &["add", "e.txt", "-o", "folder", "--key", "k.pem"],
        2,
        &["folder"],
    ),
];

/// The folder every case runs in: a key, a file, a good bundle, a tampered one, a ZIP
/// that is not a bundle and a folder.
fn fixtures() -> Dir {
    let d = Dir::new();
    d.key("k.pem", "Test Operator");
    d.write("e.txt", "evidence\n");
    d.add(&["e.txt", "-o", "case.zip", "--key", "k.pem"]);
    let members: Vec<(String, Vec<u8>)> = read_zip(&d.join("case.zip"))
        .into_iter()
        .map(|(n, b)| {
            if n.ends_with("original/e.txt") {
                (n, b"altered\n".to_vec())
            } else {
                (n, b)
            }
        })
        .collect();
    write_zip(&d.join("bad.zip"), &members);
    write_zip(&d.join("other.zip"), &[("a.txt".into(), b"hello".to_vec())]);
    std::fs::create_dir_all(d.join("folder")).unwrap();
    d
}

#[test]
fn every_command_exits_as_documented() {
    let d = fixtures();
    let mut wrong = Vec::new();
    let mut check = |args: Vec<&str>, code: i32, words: &[&str]| {
        let r = d.sigillo(&args);
        // Nothing of a refused or failed run is left behind.
        let _ = std::fs::remove_dir_all(d.join("x"));
        let line = format!("sigillo {}", args.join(" "));
        if r.code != code {
            wrong.push(format!(
                "`{line}` exited {}, expected {code}\n{}",
                r.code,
                r.stderr.trim()
            ));
            return;
        }
        // A failure says so: an error, a usage line, or a NOT VERIFIED verdict.
        let all = r.all();
        if code != 0 && !["error", "Usage", "NOT"].iter().any(|w| all.contains(w)) {
            wrong.push(format!("`{line}`: names no problem:\n{all}"));
        }
        for w in words {
            if !r.stderr.contains(w) {
                wrong.push(format!(
                    "`{line}`: stderr does not name `{w}`:\n{}",
                    r.stderr
                ));
            }
        }
    };
    for c in CASES {
        check(c.args.to_vec(), c.code, c.stderr);
    }
    for cmd in COMMANDS {
        let mut args = cmd.to_vec();
        args.push("--no-such-flag");
        check(args, 2, &["--no-such-flag"]);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    assert!(!d.join("n.zip").exists(), "a failed command wrote n.zip");
    // No refused `-o` replaced the bundle that was read.
    d.sigillo(&["verify", "case.zip"]).assert_exit(0);
}

/// Help and usage go where they belong: `--help` on stdout with exit 0, a usage error on
/// stderr with exit 2 and a pointer to `--help`.
#[test]
fn help_on_stdout_usage_errors_on_stderr() {
    let d = Dir::new();
    let r = d.sigillo(&["verify", "--help"]);
    r.assert_exit(0);
    assert!(
        r.stdout.contains("Examples:") && r.stderr.is_empty(),
        "{}",
        r.all()
    );
    let r = d.sigillo(&["verify", "--trust"]);
    r.assert_exit(2);
    assert!(
        r.stdout.is_empty() && r.stderr.contains("--help"),
        "{}",
        r.all()
    );
}
